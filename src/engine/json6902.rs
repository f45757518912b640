//! JSON patches (RFC 6902), as kustomize applies them with
//! `evanphx/json-patch` v4.
//!
//! Differences from the RFC, all checked with `kubectl kustomize`: `replace`
//! of a missing key in a mapping adds it; an operation without `value`
//! uses null, and `test` of a missing path against null passes; after
//! patching, an empty `metadata.annotations` is dropped (kustomize rewrites
//! the annotations when it restores its internal ones).

use std::path::Path;

use json_patch::PatchOperation;
use serde_json::Value;

use crate::error::{Error, Result};

/// A decoded list of operations, with where it came from for errors.
#[derive(Clone, Debug)]
pub struct Ops {
    pub operations: Vec<PatchOperation>,
    /// `path: patches/x.yaml` or `patch: [...]`, for errors.
    pub source: String,
}

/// Decodes operations from a patch body: JSON when it starts with `[`,
/// otherwise YAML (only the first document counts, as in kustomize).
/// `source` names the patch in errors, `path` in YAML errors.
pub fn parse_ops(text: &str, source: &str, path: &Path) -> Result<Ops> {
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Err(Error::msg(format!(
            "empty json patch operations in {source}"
        )));
    }
    let value: Value = if trimmed.starts_with('[') {
        serde_json::from_str(trimmed)
            .map_err(|e| Error::msg(format!("invalid JSON patch in {source}: {e}")))?
    } else {
        // kustomize reads JSON patches with YAMLToJSON: YAML 1.1, one document.
        crate::yaml::parse_config(text, path)?
    };
    ops_from_value(value, source)
}

/// Decodes operations from an already parsed list.
pub fn ops_from_value(value: Value, source: &str) -> Result<Ops> {
    let Value::Array(items) = value else {
        return Err(Error::msg(format!(
            "invalid JSON patch in {source}: expected a list of operations, found {}",
            crate::resource::value_kind(&value)
        )));
    };
    let mut operations = Vec::with_capacity(items.len());
    for (index, mut item) in items.into_iter().enumerate() {
        let op_name = item
            .get("op")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        // evanphx/json-patch reads a missing `value` as null.
        if matches!(op_name.as_str(), "add" | "replace" | "test") {
            if let Some(map) = item.as_object_mut() {
                map.entry("value").or_insert(Value::Null);
            }
        }
        if let Some(map) = item.as_object_mut() {
            for key in ["path", "from"] {
                if let Some(Value::String(pointer)) = map.get_mut(key) {
                    skip_first_segment(pointer);
                }
            }
        }
        let operation: PatchOperation = serde_json::from_value(item).map_err(|e| {
            Error::msg(format!(
                "invalid JSON patch in {source}: operation {} (`{op_name}`): {e}",
                index + 1
            ))
        })?;
        operations.push(operation);
    }
    Ok(Ops {
        operations,
        source: source.to_string(),
    })
}

/// Applies `ops` to one object; `resource` names it in errors.
pub fn apply(object: &mut Value, ops: &Ops, resource: &str) -> Result<()> {
    for (index, operation) in ops.operations.iter().enumerate() {
        if is_null_test_of_missing_path(object, operation) {
            continue;
        }
        let operation = go_array_indexes(object, operation);
        let operation = replace_missing_key_as_add(object, &operation);
        json_patch::patch(object, std::slice::from_ref(&operation)).map_err(|e| {
            Error::msg(format!(
                "json patch {}: operation {} (`{}` {}) failed on {resource}: {}",
                ops.source,
                index + 1,
                op_name(&operation),
                describe_paths(&operation),
                e.kind
            ))
        })?;
    }
    drop_empty_annotations(object);
    Ok(())
}

/// evanphx ignores whatever precedes a path's first `/`: `spec/replicas`
/// is `/replicas`. A path without any `/` is left for the parser to refuse.
fn skip_first_segment(pointer: &mut String) {
    if pointer.starts_with('/') {
        return;
    }
    if let Some(slash) = pointer.find('/') {
        pointer.drain(..slash);
    }
}

/// evanphx reads an array index with Go's `strconv.Atoi` (`00` is 0, `+1`
/// is 1) and counts a negative one from the end (`-1` is the last
/// element). Rewrites such indexes of `operation`'s paths, against
/// `object` as it is, into the RFC's form; anything else is left to fail.
fn go_array_indexes(object: &Value, operation: &PatchOperation) -> PatchOperation {
    let mut operation = operation.clone();
    let (path, from) = match &mut operation {
        PatchOperation::Add(op) => (&mut op.path, None),
        PatchOperation::Remove(op) => (&mut op.path, None),
        PatchOperation::Replace(op) => (&mut op.path, None),
        PatchOperation::Test(op) => (&mut op.path, None),
        PatchOperation::Move(op) => (&mut op.path, Some(&mut op.from)),
        PatchOperation::Copy(op) => (&mut op.path, Some(&mut op.from)),
    };
    for pointer in std::iter::once(path).chain(from) {
        if let Some(rewritten) = rewrite_indexes(object, pointer) {
            *pointer = rewritten;
        }
    }
    operation
}

fn rewrite_indexes(
    object: &Value,
    pointer: &json_patch::jsonptr::Pointer,
) -> Option<json_patch::jsonptr::PointerBuf> {
    let mut node = Some(object);
    let mut changed = false;
    let mut tokens: Vec<String> = Vec::new();
    for token in pointer.tokens() {
        let mut text = token.decoded().into_owned();
        if let Some(Value::Array(items)) = node {
            if let Some(index) = go_atoi(&text) {
                let length = items.len() as i64;
                let index = if index < 0 { index + length } else { index };
                if index >= 0 && index.to_string() != text {
                    text = index.to_string();
                    changed = true;
                }
            }
            node = text.parse::<usize>().ok().and_then(|i| items.get(i));
        } else {
            node = node.and_then(|n| n.get(&text));
        }
        tokens.push(text);
    }
    changed.then(|| json_patch::jsonptr::PointerBuf::from_tokens(tokens.iter().map(String::as_str)))
}

/// Go's `strconv.Atoi`: an optional sign and decimal digits, within i64.
fn go_atoi(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// evanphx v4 `replace` sets a missing mapping key instead of failing.
fn replace_missing_key_as_add(object: &Value, operation: &PatchOperation) -> PatchOperation {
    let PatchOperation::Replace(replace) = operation else {
        return operation.clone();
    };
    let Some((parent, last)) = replace.path.split_back() else {
        return operation.clone();
    };
    let key = last.decoded();
    match parent.resolve(object) {
        Ok(Value::Object(map)) if !map.contains_key(key.as_ref()) => {
            PatchOperation::Add(json_patch::AddOperation {
                path: replace.path.clone(),
                value: replace.value.clone(),
            })
        }
        _ => operation.clone(),
    }
}

/// evanphx v4 `test` takes a missing key (of an existing parent) as null.
fn is_null_test_of_missing_path(object: &Value, operation: &PatchOperation) -> bool {
    let PatchOperation::Test(test) = operation else {
        return false;
    };
    let Some((parent, _)) = test.path.split_back() else {
        return false;
    };
    test.value.is_null() && parent.resolve(object).is_ok() && test.path.resolve(object).is_err()
}

fn op_name(operation: &PatchOperation) -> &'static str {
    match operation {
        PatchOperation::Add(_) => "add",
        PatchOperation::Remove(_) => "remove",
        PatchOperation::Replace(_) => "replace",
        PatchOperation::Move(_) => "move",
        PatchOperation::Copy(_) => "copy",
        PatchOperation::Test(_) => "test",
    }
}

fn describe_paths(operation: &PatchOperation) -> String {
    match operation {
        PatchOperation::Move(op) => format!("from `{}` to `{}`", op.from, op.path),
        PatchOperation::Copy(op) => format!("from `{}` to `{}`", op.from, op.path),
        PatchOperation::Add(op) => format!("`{}`", op.path),
        PatchOperation::Remove(op) => format!("`{}`", op.path),
        PatchOperation::Replace(op) => format!("`{}`", op.path),
        PatchOperation::Test(op) => format!("`{}`", op.path),
    }
}

/// kustomize re-sets annotations after a JSON patch; an empty map goes away.
fn drop_empty_annotations(object: &mut Value) {
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        if metadata
            .get("annotations")
            .and_then(Value::as_object)
            .is_some_and(serde_json::Map::is_empty)
        {
            metadata.shift_remove("annotations");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployment() -> Value {
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "annotations": {"a/b": "x"}},
            "spec": {"replicas": 1, "template": {"spec": {"containers": [{"name": "a", "image": "a:1"}]}}}
        })
    }

    fn run(ops: Value) -> Result<Value> {
        let ops = ops_from_value(ops, "patch: test")?;
        let mut object = deployment();
        apply(&mut object, &ops, "apps/v1 Deployment web")?;
        Ok(object)
    }

    // Expected values from `kubectl kustomize` (v5.5.0) on the same input.
    #[test]
    fn operations_as_kubectl_applies_them() {
        let object = run(json!([
            {"op": "move", "from": "/metadata/annotations/a~1b", "path": "/metadata/labels"},
            {"op": "copy", "from": "/spec/replicas", "path": "/spec/r2"},
            {"op": "test", "path": "/spec/replicas", "value": 1},
            {"op": "add", "path": "/spec/template/spec/containers/-", "value": {"name": "b"}}
        ]))
        .unwrap();
        assert_eq!(
            object,
            json!({
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "web", "labels": "x"},
                "spec": {"replicas": 1, "r2": 1, "template": {"spec": {"containers": [
                    {"name": "a", "image": "a:1"}, {"name": "b"}]}}}
            })
        );
    }

    #[test]
    fn replace_and_remove() {
        let object = run(json!([
            {"op": "replace", "path": "/spec/replicas", "value": 3},
            {"op": "replace", "path": "/spec/nope", "value": 1},
            {"op": "remove", "path": "/spec/template"}
        ]))
        .unwrap();
        assert_eq!(object["spec"], json!({"replicas": 3, "nope": 1}));
    }

    #[test]
    fn missing_values_are_null() {
        let object = run(json!([
            {"op": "test", "path": "/spec/nope", "value": null},
            {"op": "add", "path": "/spec/x"}
        ]))
        .unwrap();
        assert!(object["spec"].as_object().unwrap().contains_key("x"));
        assert_eq!(object["spec"]["x"], Value::Null);
        let out_of_range = json!([
            {"op": "add", "path": "/spec/template/spec/containers/5", "value": {"name": "b"}}
        ]);
        assert!(run(out_of_range).is_err());
    }

    #[test]
    fn failing_operations_name_the_op_path_and_resource() {
        let cases = [
            (
                json!([{"op": "test", "path": "/spec/replicas", "value": 2}]),
                "`test` `/spec/replicas`",
            ),
            (
                json!([{"op": "remove", "path": "/spec/nope"}]),
                "`remove` `/spec/nope`",
            ),
            (
                json!([{"op": "add", "path": "/spec/x/y", "value": 1}]),
                "`add` `/spec/x/y`",
            ),
        ];
        for (ops, expected) in cases {
            let err = run(ops).unwrap_err().to_string();
            assert!(err.contains(expected), "{err}");
            assert!(err.contains("apps/v1 Deployment web"), "{err}");
        }
        let err = run(json!([{"op": "replace", "path": "/spec/x/y", "value": 1}]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("`replace` `/spec/x/y`"), "{err}");
        let err = run(json!([{"op": "bogus", "path": "/spec"}]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("`bogus`"), "{err}");
    }

    #[test]
    fn json_bodies_parse() {
        let ops = parse_ops(
            r#"[{"op": "remove", "path": "/spec/replicas"}]"#,
            "patch: x",
            Path::new("k.yaml"),
        )
        .unwrap();
        assert_eq!(ops.operations.len(), 1);
        assert!(parse_ops("  ", "patch: x", Path::new("k.yaml")).is_err());
    }
}
