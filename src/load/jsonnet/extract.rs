//! Finding the Kubernetes resources in a jsonnet program's value, as Tanka
//! does (`pkg/process/extract.go` and `Unwrap`).
//!
//! An object with non-empty string `apiVersion` and `kind` is a resource,
//! except that `kind: List` gives its `items`. An array gives each element.
//! Any other object is walked, fields in sorted order; `null` fields are
//! skipped (what `if false then {...}` leaves). Anything else is an error
//! that names its path in the value, e.g. `.frontend.replicas`.

use std::fmt::Write;
use std::path::Path;

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::resource::{value_kind, Origin, Resource};

/// The resources in `value`, evaluated from the program at `file`.
pub(super) fn resources(value: Value, file: &Path) -> Result<Vec<Resource>> {
    let mut found = Vec::new();
    walk(value, &mut Vec::new(), &mut found).map_err(|(path, found)| {
        Error::file(
            file,
            format!(
                "`{}` is {found}, not a Kubernetes resource (an object with `apiVersion` and `kind`) or a list or object of them",
                render(&path)
            ),
        )
    })?;
    found
        .into_iter()
        .map(|object| Resource::new(object, Origin::Jsonnet(file.to_path_buf())))
        .collect()
}

/// One step of a path in the value.
#[derive(Clone, Debug)]
pub(super) enum Step {
    Key(String),
    Index(usize),
}

/// A failed walk: where, and what was found there.
type Failure = (Vec<Step>, &'static str);

fn walk(value: Value, path: &mut Vec<Step>, found: &mut Vec<Value>) -> Result<(), Failure> {
    match value {
        Value::Object(map) if is_resource(&map) => resource(map, path, found),
        Value::Object(map) => walk_object(map, path, found),
        Value::Array(items) => walk_items(items, path, found),
        other => Err((path.clone(), value_kind(&other))),
    }
}

fn resource(
    mut map: Map<String, Value>,
    path: &mut Vec<Step>,
    found: &mut Vec<Value>,
) -> Result<(), Failure> {
    if map.get("kind").and_then(Value::as_str) != Some("List") {
        found.push(Value::Object(map));
        return Ok(());
    }
    path.push(Step::Key("items".into()));
    let result = match map.remove("items") {
        Some(Value::Array(items)) => walk_items(items, path, found),
        Some(Value::Null) | None => Ok(()),
        Some(other) => Err((path.clone(), value_kind(&other))),
    };
    path.pop();
    result
}

fn walk_object(
    map: Map<String, Value>,
    path: &mut Vec<Step>,
    found: &mut Vec<Value>,
) -> Result<(), Failure> {
    let mut fields: Vec<(String, Value)> = map.into_iter().collect();
    // Byte order, as Go's sort.Strings, so the walk never depends on input order.
    fields.sort_by(|(a, _), (b, _)| a.cmp(b));
    for (key, value) in fields {
        if value.is_null() {
            continue;
        }
        path.push(Step::Key(key));
        walk(value, path, found)?;
        path.pop();
    }
    Ok(())
}

fn walk_items(
    items: Vec<Value>,
    path: &mut Vec<Step>,
    found: &mut Vec<Value>,
) -> Result<(), Failure> {
    for (index, item) in items.into_iter().enumerate() {
        path.push(Step::Index(index));
        walk(item, path, found)?;
        path.pop();
    }
    Ok(())
}

fn is_resource(map: &Map<String, Value>) -> bool {
    let non_empty = |key| matches!(map.get(key), Some(Value::String(s)) if !s.is_empty());
    non_empty("apiVersion") && non_empty("kind")
}

/// A jq-style path: `.frontend.replicas`, `.[0].spec`, `.["app.kubernetes.io"]`.
pub(super) fn render(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(key) if is_identifier(key) => {
                out.push('.');
                out.push_str(key);
            }
            Step::Key(key) => {
                let quoted = serde_json::to_string(key).unwrap_or_default();
                let _ = write!(out, "[{quoted}]");
            }
            Step::Index(index) => {
                let _ = write!(out, "[{index}]");
            }
        }
    }
    if !out.starts_with('.') {
        out.insert(0, '.');
    }
    out
}

fn is_identifier(key: &str) -> bool {
    let mut chars = key.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names(value: Value) -> Result<Vec<String>> {
        let resources = resources(value, Path::new("/r/main.jsonnet"))?;
        Ok(resources.iter().map(|r| r.id().to_string()).collect())
    }

    fn cm(name: &str) -> Value {
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}})
    }

    #[test]
    fn finds_resources_in_each_value_shape() {
        let cases = [
            ("one resource", cm("a"), vec!["v1 ConfigMap a"]),
            (
                "array",
                json!([cm("a"), cm("b")]),
                vec!["v1 ConfigMap a", "v1 ConfigMap b"],
            ),
            (
                "kind List",
                json!({"apiVersion": "v1", "kind": "List", "items": [cm("b"), cm("a")]}),
                vec!["v1 ConfigMap b", "v1 ConfigMap a"],
            ),
            (
                "nested object, fields in sorted order, nulls skipped",
                json!({"z": cm("z"), "a": {"deep": cm("a"), "off": null}, "m": [cm("m")]}),
                vec!["v1 ConfigMap a", "v1 ConfigMap m", "v1 ConfigMap z"],
            ),
            ("empty object", json!({}), vec![]),
            ("empty array", json!([]), vec![]),
        ];
        for (name, value, expected) in cases {
            assert_eq!(names(value).unwrap(), expected, "{name}");
        }
    }

    #[test]
    fn names_the_path_that_is_not_a_resource() {
        let cases = [
            (
                json!({"frontend": {"replicas": 3}}),
                "`.frontend.replicas` is a number",
            ),
            (json!([cm("a"), "x"]), "`.[1]` is a string"),
            (
                json!({"a.b": {"c": [true]}}),
                "`.[\"a.b\"].c[0]` is a boolean",
            ),
            (json!(null), "`.` is null"),
            (
                json!({"apiVersion": "v1", "kind": "List", "items": [1]}),
                "`.items[0]` is a number",
            ),
            (
                json!({"kind": "ConfigMap", "apiVersion": ""}),
                "`.apiVersion` is a string",
            ),
        ];
        for (value, expected) in cases {
            let error = names(value).unwrap_err().to_string();
            assert!(error.contains(expected), "{error}");
            assert!(error.starts_with("/r/main.jsonnet: "), "{error}");
        }
    }
}
