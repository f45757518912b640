//! `replacements:` entries as data, and reading them: inline ones from the kustomization
//! (strictly) and `path:` files (leniently), as Go's `encoding/json` reads
//! them into kustomize's types. Files come through the caller's reader.

use std::path::PathBuf;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// One replacement, ready to apply.
#[derive(Clone, Debug, PartialEq)]
pub struct Replacement {
    /// Where it was written, for errors (`replacements[0]`, or a file and entry).
    pub origin: String,
    pub source: Option<SourceSelector>,
    pub targets: Option<Vec<TargetSelector>>,
}

/// kustomize's `ResId` as written in a selector; empty strings match anything.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct IdSelector {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub name: String,
    pub namespace: String,
}

/// The resource and field a replacement reads.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SourceSelector {
    #[serde(flatten)]
    pub id: IdSelector,
    pub field_path: String,
    pub options: Option<FieldOptions>,
}

/// Resources picked by ids plus label and annotation selectors.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Selector {
    #[serde(flatten)]
    pub id: IdSelector,
    pub annotation_selector: String,
    pub label_selector: String,
}

/// The resources and fields a replacement writes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TargetSelector {
    pub select: Option<Selector>,
    pub reject: Vec<Selector>,
    pub field_paths: Vec<String>,
    pub options: Option<FieldOptions>,
}

/// How a field is split, which part is used, and whether it is created.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct FieldOptions {
    pub delimiter: String,
    pub index: i64,
    /// Accepted and ignored, as in kustomize.
    pub encoding: String,
    pub create: bool,
}

/// One `replacements:` entry as written: inline (`{source, targets}`), or
/// `{path: file}`, the file holding one replacement or a list of them.
#[derive(Clone, Debug, PartialEq)]
pub enum ReplacementField {
    Inline(Box<Replacement>),
    File(String),
}

impl ReplacementField {
    /// Reads an entry strictly, as kustomize reads the kustomization.
    fn from_value(value: &Value) -> std::result::Result<Self, String> {
        let value = canonical(value, &ENTRY_FIELDS, true)?;
        let path = value.get("path").and_then(Value::as_str).unwrap_or("");
        if path.is_empty() {
            return read_entry(&value).map(|r| ReplacementField::Inline(Box::new(r)));
        }
        let inline = value.get("source").is_some_and(|s| !s.is_null())
            || value
                .get("targets")
                .and_then(Value::as_array)
                .is_some_and(|t| !t.is_empty());
        if inline {
            return Err("cannot specify both path and inline replacement".into());
        }
        Ok(ReplacementField::File(path.to_string()))
    }
}

impl<'de> Deserialize<'de> for ReplacementField {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        ReplacementField::from_value(&value).map_err(serde::de::Error::custom)
    }
}

/// The replacements `fields` name, in order: inline ones as they are,
/// `path:` files read through `read` (which gives a file's full path and
/// text; the listing kustomization's loader, in a build).
pub fn resolve(
    fields: &[ReplacementField],
    read: &mut dyn FnMut(&str) -> Result<(PathBuf, String)>,
) -> Result<Vec<Replacement>> {
    let mut replacements = Vec::new();
    for (i, field) in fields.iter().enumerate() {
        match field {
            ReplacementField::Inline(replacement) => replacements.push(Replacement {
                origin: format!("replacements[{i}]"),
                ..Replacement::clone(replacement)
            }),
            ReplacementField::File(path) => replacements.extend(from_file(read, path)?),
        }
    }
    Ok(replacements)
}

/// Reads and resolves `replacements:` values (a `ReplacementTransformer`
/// config's list).
pub fn parse(
    values: &[Value],
    read: &mut dyn FnMut(&str) -> Result<(PathBuf, String)>,
) -> Result<Vec<Replacement>> {
    let fields = values
        .iter()
        .enumerate()
        .map(|(i, value)| {
            ReplacementField::from_value(value)
                .map_err(|e| Error::msg(format!("replacements[{i}]: {e}")))
        })
        .collect::<Result<Vec<_>>>()?;
    resolve(&fields, read)
}

/// Replacements from a `path:` file; unknown fields are ignored there.
///
/// kustomize reads these files with `sigs.k8s.io/yaml` (go-yaml v2, YAML 1.1
/// scalars, first document only), so they go through the config reader.
fn from_file(
    read: &mut dyn FnMut(&str) -> Result<(PathBuf, String)>,
    relative: &str,
) -> Result<Vec<Replacement>> {
    let (path, text) = read(relative)?;
    let document = crate::yaml::parse_config(&text, &path)?;
    from_document(&document, &path)
}

/// A file's document: one replacement (a map) or a list of them.
fn from_document(document: &Value, path: &std::path::Path) -> Result<Vec<Replacement>> {
    let origin = |i: usize| format!("{} entry {i}", path.display());
    match document {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| from_value(item, origin(i)))
            .collect(),
        Value::Object(_) => Ok(vec![from_value(document, path.display().to_string())?]),
        other => Err(Error::file(
            path,
            format!(
                "unsupported replacement type encountered within replacement path: {}",
                crate::resource::value_kind(other)
            ),
        )),
    }
}

/// One replacement from its YAML value (`path` and unknown keys ignored).
pub fn from_value(value: &Value, origin: String) -> Result<Replacement> {
    let mut replacement = read_entry(value).map_err(|e| Error::msg(format!("{origin}: {e}")))?;
    replacement.origin = origin;
    Ok(replacement)
}

/// One replacement's `source` and `targets` (unknown keys ignored).
fn read_entry(value: &Value) -> std::result::Result<Replacement, String> {
    #[derive(Deserialize)]
    struct Raw {
        #[serde(default)]
        source: Option<SourceSelector>,
        #[serde(default)]
        targets: Option<Vec<TargetSelector>>,
    }
    let raw = canonical(value, &ENTRY_FIELDS, false)
        .and_then(|value| Raw::deserialize(value).map_err(|e| e.to_string()))?;
    Ok(Replacement {
        origin: String::new(),
        source: raw.source,
        targets: raw.targets,
    })
}

/// Allowed keys at each level of an inline entry: (key, nested rules).
struct Fields(&'static [(&'static str, Nested)]);

#[derive(Clone, Copy)]
enum Nested {
    Leaf,
    Map(&'static Fields),
    List(&'static Fields),
}

const ID_KEYS: [(&str, Nested); 5] = [
    ("group", Nested::Leaf),
    ("version", Nested::Leaf),
    ("kind", Nested::Leaf),
    ("name", Nested::Leaf),
    ("namespace", Nested::Leaf),
];
static OPTION_FIELDS: Fields = Fields(&[
    ("delimiter", Nested::Leaf),
    ("index", Nested::Leaf),
    ("encoding", Nested::Leaf),
    ("create", Nested::Leaf),
]);
static SOURCE_FIELDS: Fields = Fields(&[
    ID_KEYS[0],
    ID_KEYS[1],
    ID_KEYS[2],
    ID_KEYS[3],
    ID_KEYS[4],
    ("fieldPath", Nested::Leaf),
    ("options", Nested::Map(&OPTION_FIELDS)),
]);
static SELECTOR_FIELDS: Fields = Fields(&[
    ID_KEYS[0],
    ID_KEYS[1],
    ID_KEYS[2],
    ID_KEYS[3],
    ID_KEYS[4],
    ("labelSelector", Nested::Leaf),
    ("annotationSelector", Nested::Leaf),
]);
static TARGET_FIELDS: Fields = Fields(&[
    ("select", Nested::Map(&SELECTOR_FIELDS)),
    ("reject", Nested::List(&SELECTOR_FIELDS)),
    ("fieldPaths", Nested::Leaf),
    ("options", Nested::Map(&OPTION_FIELDS)),
]);
static ENTRY_FIELDS: Fields = Fields(&[
    ("path", Nested::Leaf),
    ("source", Nested::Map(&SOURCE_FIELDS)),
    ("targets", Nested::List(&TARGET_FIELDS)),
]);

/// The entry as Go's `encoding/json` reads it into kustomize's types: keys
/// match case-insensitively (exact spelling first), `null` leaves a field
/// unset, and unknown keys are errors when `strict` (the kustomization
/// itself) and ignored otherwise (`path:` files).
fn canonical(value: &Value, fields: &Fields, strict: bool) -> std::result::Result<Value, String> {
    let Value::Object(map) = value else {
        return Ok(value.clone());
    };
    let mut out = Map::new();
    for (key, child) in map {
        let known = fields.0.iter().find(|(name, _)| name == key).or_else(|| {
            fields
                .0
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(key))
        });
        let Some((name, nested)) = known else {
            if strict {
                return Err(format!("unknown field \"{key}\""));
            }
            continue;
        };
        if child.is_null() {
            continue;
        }
        let child = match (nested, child) {
            (Nested::Map(inner), _) => canonical(child, inner, strict)?,
            (Nested::List(inner), Value::Array(items)) => Value::Array(
                items
                    .iter()
                    .map(|item| canonical(item, inner, strict))
                    .collect::<std::result::Result<_, _>>()?,
            ),
            _ => child.clone(),
        };
        out.insert((*name).to_string(), child);
    }
    Ok(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn files_hold_one_replacement_or_a_list() {
        let path = std::path::Path::new("/k/r.yaml");
        let entry = json!({"source": {"kind": "ConfigMap"}, "targets": [], "unknown": 1});
        let list = from_document(&json!([entry.clone(), entry.clone()]), path).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[1].origin, "/k/r.yaml entry 1");
        let single = from_document(&entry, path).unwrap();
        assert_eq!(single.len(), 1);
        assert_eq!(single[0].source.as_ref().unwrap().id.kind, "ConfigMap");
        let err = from_document(&json!("text"), path).unwrap_err().to_string();
        assert!(err.contains("unsupported replacement type"), "{err}");
    }
}
