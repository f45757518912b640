//! The deprecated `vars:` (kustomize's `Var`, `ResAccumulator.MergeVars`
//! and `ResolveVars`, `filters/refvar`).
//!
//! A var names an object (`objref`) and a field of it (`fieldref`,
//! `metadata.name` by default). Two steps, as in kustomize:
//!
//! 1. [`collect`], at the end of each layer (after its transformers): every
//!    var of the layer is bound to the one resource whose current *or any
//!    earlier* id matches the objref (so the name before prefixes works),
//!    and joins the build's [`VarSet`]; a name already in the set is an error.
//! 2. [`resolve`], once, after hash suffixes and name references: every
//!    var's value is read from its bound resource, then `$(NAME)` is
//!    expanded in the fields of the `varReference` table. A string that is
//!    exactly `$(NAME)` takes the value's type (`replicas: $(N)` becomes a
//!    number); `$$` is a literal `$`; unknown names stay as written. Vars
//!    that expand nowhere are reported as warnings, as kustomize logs them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{Map, Value};

use crate::engine::fieldspec::{apply_at, TransformerConfig};
use crate::error::{Error, Result};
use crate::id::ResId;
use crate::resource::{value_kind, ResourceMap};

pub use crate::load::kustomization::vars::{Var, DEFAULT_FIELD_PATH};

impl Var {
    /// Whether `id` is the object this var names: name and GVK, plus the
    /// namespace when the var gives one or the kind is cluster-scoped.
    fn names(&self, id: &ResId) -> bool {
        let target = ResId::new(self.gvk.clone(), &self.namespace, &self.object_name);
        if target.namespace.is_empty() && !target.gvk.is_cluster_scoped() {
            // kustomize: an empty namespace matches any namespace.
            target.name == id.name && target.gvk == id.gvk
        } else {
            target.same_as(id)
        }
    }
}

/// The vars of a build, by name (kustomize's `VarSet`); iteration is by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VarSet {
    vars: BTreeMap<String, Var>,
}

impl VarSet {
    pub fn new() -> Self {
        VarSet::default()
    }

    pub fn is_empty(&self) -> bool {
        self.vars.is_empty()
    }

    pub fn len(&self) -> usize {
        self.vars.len()
    }

    pub fn get(&self, name: &str) -> Option<&Var> {
        self.vars.get(name)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Var> {
        self.vars.values()
    }

    /// Adds a var; a name already present is kustomize's "already encountered" error.
    pub fn insert(&mut self, var: Var) -> Result<()> {
        if self.vars.contains_key(&var.name) {
            return Err(Error::msg(format!(
                "var '{}' already encountered",
                var.name
            ))
            .with_hint("var names must be unique across a kustomization and every base and component it includes"));
        }
        self.vars.insert(var.name.clone(), var);
        Ok(())
    }

    /// Absorbs the vars of a base (kustomize's `MergeAccumulator`).
    pub fn merge(&mut self, other: VarSet) -> Result<()> {
        for var in other.vars.into_values() {
            self.insert(var)?;
        }
        Ok(())
    }
}

/// Reads a layer's `vars:`, binds each to the resource it names and adds
/// them to `set` (kustomize's `MergeVars`). Call after the layer's
/// transformers. `file` is the kustomization, named in errors.
pub fn collect(
    vars: &[Var],
    file: &Path,
    resources: &mut ResourceMap,
    set: &mut VarSet,
) -> Result<()> {
    let mut bindings = Vec::new();
    for var in vars {
        let matched: Vec<usize> = resources
            .iter()
            .enumerate()
            .filter(|(_, r)| r.all_ids().any(|id| var.names(&id)))
            .map(|(position, _)| position)
            .collect();
        match matched.as_slice() {
            [] => {}
            [position] => bindings.push((*position, var.name.clone())),
            several => {
                let ids: Vec<String> = several
                    .iter()
                    .map(|&p| resources.as_slice()[p].id().to_string())
                    .collect();
                return Err(Error::field(
                    file,
                    "vars",
                    format!(
                        "found {} resId matches for var {var} (unable to disambiguate): {}",
                        several.len(),
                        ids.join(", ")
                    ),
                )
                .with_hint("give the var's objref a namespace"));
            }
        }
    }
    if !bindings.is_empty() {
        let mut edit = resources.edit();
        for (position, name) in bindings {
            edit[position].var_names.push(name);
        }
    }
    for var in vars.iter().cloned() {
        set.insert(var)
            .map_err(|e| Error::field(file, "vars", e.to_string()))?;
    }
    Ok(())
}

/// Expands every var of `set` in the `varReference` fields of `config`
/// (kustomize's `ResolveVars`). Returns the warning kustomize logs for
/// vars that were never used, if any.
pub fn resolve(
    resources: &mut ResourceMap,
    set: &VarSet,
    config: &TransformerConfig,
) -> Result<Vec<String>> {
    let values = var_values(resources, set)?;
    if values.is_empty() {
        return Ok(Vec::new());
    }
    let mut used = BTreeSet::new();
    for resource in resources.edit().iter_mut() {
        for spec in &config.var_reference {
            apply_at(resource.object_mut(), spec, &mut |node| {
                expand_node(node, &values, &mut used)
            })?;
        }
    }
    let unused: Vec<&str> = values
        .keys()
        .filter(|name| !used.contains(*name))
        .map(String::as_str)
        .collect();
    if unused.is_empty() {
        Ok(Vec::new())
    } else {
        Ok(vec![format!(
            "well-defined vars that were never replaced: {}",
            unused.join(",")
        )])
    }
}

/// Each var's value, read from the first resource bound to it.
fn var_values(resources: &ResourceMap, set: &VarSet) -> Result<BTreeMap<String, Value>> {
    let mut values = BTreeMap::new();
    for var in set.iter() {
        let Some(resource) = resources.iter().find(|r| r.var_names.contains(&var.name)) else {
            return Err(Error::msg(format!(
                "var '{var}' cannot be mapped to a field in the set of known resources"
            ))
            .with_hint("a var's objref must name a resource of its own kustomization or of one below it, by its name before prefixes and suffixes"));
        };
        let Some(value) = field_value(resource.object(), &var.field_path) else {
            return Err(Error::resource(
                &resource.id(),
                format!("field specified in var '{var}' not found in corresponding resource"),
            ));
        };
        values.insert(var.name.clone(), value);
    }
    Ok(values)
}

/// The value at a kustomize field path (`spec.ports[0].port`,
/// `spec.containers.[name=app].image`, `metadata.annotations.[a.b/c]`),
/// as kyaml's `GetFieldValue` reads it; `None` when it is missing or the
/// path does not fit the object.
pub fn field_value(object: &Value, path: &str) -> Option<Value> {
    let mut node = object;
    for part in path_parts(path) {
        let part = part.trim();
        node = if let Ok(index) = part.parse::<i64>() {
            let items = node.as_array()?;
            if index < 0 {
                return None;
            }
            items.get(usize::try_from(index).ok()?)?
        } else if part == "-" {
            node.as_array()?.last()?
        } else if part.starts_with('[') && part.ends_with(']') {
            match_element(node.as_array()?, &part[1..part.len() - 1])?
        } else {
            node.as_object()?.get(part)?
        };
    }
    Some(match node {
        // kyaml returns the text of a null scalar.
        Value::Null => Value::String("null".into()),
        other => other.clone(),
    })
}

/// The first list element matching `name=value` (or a scalar equal to
/// `value` for `=value`), values compared as text.
fn match_element<'a>(items: &'a [Value], selector: &str) -> Option<&'a Value> {
    let (name, value) = selector.split_once('=')?;
    items.iter().find(|item| {
        if name.is_empty() {
            crate::kyaml::scalar_text(item).as_deref() == Some(value)
        } else {
            item.as_object()
                .and_then(|m| m.get(name))
                .and_then(crate::kyaml::scalar_text)
                .as_deref()
                == Some(value)
        }
    })
}

/// Splits a field path as kyaml's `SmarterPathSplitter` and
/// `convertSliceIndex`: `.` separates parts (`\.` escapes it), a
/// bracketed part may contain dots, and `ports[0]` is `ports`, `0`.
fn path_parts(path: &str) -> Vec<String> {
    let joined = crate::kyaml::split_field_path(path);
    let mut parts = Vec::new();
    for part in joined {
        match split_index(&part) {
            Some((name, index)) => {
                if !name.is_empty() {
                    parts.push(name.to_string());
                }
                parts.push(index.to_string());
            }
            None => parts.push(part),
        }
    }
    parts
}

/// `ports[0]` → (`ports`, `0`); `None` unless the part ends in `[digits]`.
fn split_index(part: &str) -> Option<(&str, &str)> {
    let body = part.strip_suffix(']')?;
    let open = body.rfind('[')?;
    let index = &body[open + 1..];
    if index.is_empty() || !index.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((&body[..open], index))
}

/// kustomize's refvar `set`: strings, string values of a map, or every
/// item of a list (which must all be strings) are expanded.
fn expand_node(
    node: &mut Value,
    values: &BTreeMap<String, Value>,
    used: &mut BTreeSet<String>,
) -> Result<()> {
    match node {
        Value::String(text) => {
            let expanded = expand(text, values, used);
            *node = expanded;
        }
        Value::Object(map) => expand_map(map, values, used),
        Value::Array(items) => {
            for item in items.iter_mut() {
                let Value::String(text) = item else {
                    return Err(Error::msg(format!(
                        "invalid value type expect a string, found {}",
                        value_kind(item)
                    )));
                };
                let expanded = expand(text, values, used);
                *item = expanded;
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
    Ok(())
}

fn expand_map(
    map: &mut Map<String, Value>,
    values: &BTreeMap<String, Value>,
    used: &mut BTreeSet<String>,
) {
    for value in map.values_mut() {
        if let Value::String(text) = value {
            let expanded = expand(text, values, used);
            *value = expanded;
        }
    }
}

/// kustomize's `DoReplacements`: expands `$(NAME)` in `input`. When the
/// whole input is one reference the value keeps its type.
pub fn expand(input: &str, values: &BTreeMap<String, Value>, used: &mut BTreeSet<String>) -> Value {
    let mut lookup = |name: &str| -> Option<Value> {
        let value = values.get(name)?;
        match value {
            Value::String(_) | Value::Number(_) | Value::Bool(_) => {
                used.insert(name.to_string());
                Some(value.clone())
            }
            // Maps and lists cannot go into a string; kustomize leaves the reference.
            _ => None,
        }
    };
    let bytes = input.as_bytes();
    let mut out = String::with_capacity(input.len());
    let mut checkpoint = 0;
    let mut cursor = 0;
    while cursor < bytes.len() {
        if bytes[cursor] == b'$' && cursor + 1 < bytes.len() {
            out.push_str(&input[checkpoint..cursor]);
            let rest = &input[cursor + 1..];
            let advance = match rest.as_bytes()[0] {
                // `$$` is an escaped `$`.
                b'$' => {
                    out.push('$');
                    1
                }
                b'(' => match rest.find(')') {
                    Some(close) => {
                        let name = &rest[1..close];
                        let mapped = lookup(name);
                        if input.len() == close + 2 {
                            // The whole input is `$(NAME)`: keep the value's type.
                            return mapped.unwrap_or_else(|| Value::String(input.to_string()));
                        }
                        match mapped {
                            Some(value) => out.push_str(&go_format(&value)),
                            None => {
                                out.push_str("$(");
                                out.push_str(name);
                                out.push(')');
                            }
                        }
                        close + 1
                    }
                    // An unclosed `$(` is copied as is.
                    None => {
                        out.push_str("$(");
                        1
                    }
                },
                _ => {
                    // `$` and the next character are copied as is.
                    let next = rest.chars().next().map_or(1, char::len_utf8);
                    out.push('$');
                    out.push_str(&rest[..next]);
                    next
                }
            };
            cursor += advance;
            checkpoint = cursor + 1;
        }
        cursor += 1;
    }
    if checkpoint < input.len() {
        out.push_str(&input[checkpoint..]);
    }
    Value::String(out)
}

/// A value as Go's `%v` prints it inside a string.
fn go_format(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match n.as_f64().filter(|_| n.is_f64()) {
            Some(f) => go_float(f),
            None => n.to_string(),
        },
        other => other.to_string(),
    }
}

/// Go's `%v` for a float64 (`strconv` `'g'`, shortest): exponent form
/// when the decimal exponent is below -4 or at least 6.
fn go_float(f: f64) -> String {
    if f == 0.0 || !f.is_finite() {
        return format!("{f}");
    }
    let exp = f.abs().log10().floor() as i32;
    if (-4..6).contains(&exp) {
        return format!("{f}");
    }
    let text = format!("{f:e}");
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exponent.abs())
}

#[cfg(test)]
mod tests;
