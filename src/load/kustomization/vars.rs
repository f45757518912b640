//! `vars:` entries (kustomize's deprecated `Var`), read strictly as
//! kustomize reads the kustomization: field names case-insensitive,
//! unknown fields errors.

use std::fmt;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::at;
use crate::id::Gvk;
use crate::resource::value_kind;

/// kustomize's default `fieldref.fieldPath`.
pub const DEFAULT_FIELD_PATH: &str = "metadata.name";

/// One var, defaulted (`fieldPath` set, `apiVersion` split into group and version).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Var {
    pub name: String,
    pub gvk: Gvk,
    pub object_name: String,
    pub namespace: String,
    pub field_path: String,
}

impl fmt::Display for Var {
    /// As kustomize prints a `Var` with `%v`: `{NAME Kind.version.group {fieldPath}}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{{{} {} {{{}}}}}",
            self.name,
            self.gvk.kustomize_string(),
            self.field_path
        )
    }
}

impl<'de> Deserialize<'de> for Var {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Var::from_value(&value).map_err(serde::de::Error::custom)
    }
}

impl Var {
    /// Reads one entry; errors name the part of the entry that is wrong.
    fn from_value(value: &Value) -> Result<Var, String> {
        let map = expect_map(value, "")?;
        let mut var = Var {
            name: String::new(),
            gvk: Gvk::default(),
            object_name: String::new(),
            namespace: String::new(),
            field_path: String::new(),
        };
        let mut api_version = String::new();
        for (key, v) in map {
            match canonical(key, &["name", "objref", "fieldref"]) {
                "name" => var.name = expect_str(v, key)?,
                "objref" => {
                    for (key, v) in expect_map(v, "objref")? {
                        let text = expect_str(v, &format!("objref.{key}"))?;
                        let known = [
                            "apiVersion",
                            "group",
                            "version",
                            "kind",
                            "name",
                            "namespace",
                        ];
                        match canonical(key, &known) {
                            "apiVersion" => api_version = text,
                            "group" => var.gvk.group = text,
                            "version" => var.gvk.version = text,
                            "kind" => var.gvk.kind = text,
                            "name" => var.object_name = text,
                            "namespace" => var.namespace = text,
                            _ => return Err(at(&format!("objref.{key}"), "unknown field")),
                        }
                    }
                }
                "fieldref" => {
                    for (key, v) in expect_map(v, "fieldref")? {
                        match canonical(key, &["fieldPath"]) {
                            "fieldPath" => {
                                var.field_path = expect_str(v, &format!("fieldref.{key}"))?;
                            }
                            _ => return Err(at(&format!("fieldref.{key}"), "unknown field")),
                        }
                    }
                }
                _ => return Err(at(key, "unknown field")),
            }
        }
        // kustomize's `Target.GVK`: an apiVersion overrides the version, and
        // the group when it has one.
        if !api_version.is_empty() {
            match api_version.split('/').collect::<Vec<_>>().as_slice() {
                [version] => var.gvk.version = version.to_string(),
                [group, version] => {
                    var.gvk.group = group.to_string();
                    var.gvk.version = version.to_string();
                }
                _ => {}
            }
        }
        if var.field_path.is_empty() {
            var.field_path = DEFAULT_FIELD_PATH.to_string();
        }
        Ok(var)
    }
}

/// The canonical spelling of `key` among `known`: Go's `encoding/json`,
/// which kustomize reads kustomizations with, matches names case-insensitively.
fn canonical<'a>(key: &'a str, known: &[&'static str]) -> &'a str {
    known
        .iter()
        .find(|k| k.eq_ignore_ascii_case(key))
        .copied()
        .unwrap_or(key)
}

fn expect_map<'a>(value: &'a Value, part: &str) -> Result<&'a Map<String, Value>, String> {
    value.as_object().ok_or_else(|| {
        at(
            part,
            format!("expected a mapping, found {}", value_kind(value)),
        )
    })
}

fn expect_str(value: &Value, part: &str) -> Result<String, String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Null => Ok(String::new()),
        other => Err(at(
            part,
            format!("expected a string, found {}", value_kind(other)),
        )),
    }
}
