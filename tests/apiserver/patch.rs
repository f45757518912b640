//! The non-apply patches: RFC 7386 JSON merge patch, RFC 6902 JSON patch
//! (both through the `json-patch` crate) and strategic merge patch as
//! apimachinery applies it, with the directives kubectl's client-side apply
//! sends: `$patch` (`replace`, `delete`, `merge`), `$retainKeys`,
//! `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>`.

use serde_json::{Map, Value};

use super::schema::Node;
use super::typed::drop_nulls;

/// RFC 7386.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    json_patch::merge(target, patch);
}

/// RFC 6902; the error is worded as the failing operation.
pub fn json_patch(target: &mut Value, patch: &[u8]) -> Result<(), PatchFailure> {
    let operations: json_patch::Patch =
        serde_json::from_slice(patch).map_err(|error| PatchFailure::Decode(error.to_string()))?;
    json_patch::patch(target, &operations).map_err(|error| PatchFailure::Apply(error.to_string()))
}

#[derive(Debug)]
pub enum PatchFailure {
    /// The patch is not a valid document: 400.
    Decode(String),
    /// The patch does not apply: 422.
    Apply(String),
}

const PATCH: &str = "$patch";
const RETAIN_KEYS: &str = "$retainKeys";
const SET_ELEMENT_ORDER: &str = "$setElementOrder/";
const DELETE_FROM_PRIMITIVE_LIST: &str = "$deleteFromPrimitiveList/";

fn is_directive(key: &str) -> bool {
    key == PATCH
        || key == RETAIN_KEYS
        || key.starts_with(SET_ELEMENT_ORDER)
        || key.starts_with(DELETE_FROM_PRIMITIVE_LIST)
}

/// Applies a strategic merge patch to `original` along `node`.
pub fn strategic_merge(original: &Value, patch: &Value, node: Node) -> Result<Value, String> {
    let Value::Object(patch) = patch else {
        return Err("the patch must be a JSON object".into());
    };
    let base = original.as_object().cloned().unwrap_or_default();
    Ok(Value::Object(merge_map(base, patch, node)?))
}

fn merge_map(
    mut original: Map<String, Value>,
    patch: &Map<String, Value>,
    node: Node,
) -> Result<Map<String, Value>, String> {
    match patch.get(PATCH).and_then(Value::as_str) {
        Some("replace") => return Ok(without_directives(patch)),
        Some("delete") => return Ok(Map::new()),
        Some("merge") | None => {}
        Some(other) => return Err(format!("unknown patch type: {other}")),
    }
    for (key, values) in patch {
        if let Some(field) = key.strip_prefix(DELETE_FROM_PRIMITIVE_LIST) {
            let doomed = values.as_array().cloned().unwrap_or_default();
            if let Some(Value::Array(items)) = original.get_mut(field) {
                items.retain(|item| !doomed.contains(item));
            }
        }
    }
    for (key, value) in patch.iter().filter(|(key, _)| !is_directive(key)) {
        if value.is_null() {
            original.remove(key);
            continue;
        }
        let child = node.field(key);
        let merged = match (original.remove(key), value) {
            (Some(Value::Object(old)), Value::Object(new)) => {
                Value::Object(merge_map(old, new, child.node)?)
            }
            (Some(Value::Array(old)), Value::Array(new)) => {
                match child.node.smp_merge_key(child.smp) {
                    Some(merge_key) => {
                        Value::Array(merge_list(old, new, merge_key, child.node.item())?)
                    }
                    None => Value::Array(strip_list(new)),
                }
            }
            (_, Value::Object(new)) => Value::Object(without_directives(new)),
            (_, Value::Array(new)) => Value::Array(strip_list(new)),
            (_, scalar) => scalar.clone(),
        };
        original.insert(key.clone(), merged);
    }
    for (key, order) in patch {
        if let Some(field) = key.strip_prefix(SET_ELEMENT_ORDER) {
            let child = node.field(field);
            let merge_key = child.node.smp_merge_key(child.smp).unwrap_or("");
            if let (Some(Value::Array(items)), Some(order)) =
                (original.get_mut(field), order.as_array())
            {
                let reordered = apply_order(std::mem::take(items), order, merge_key);
                *items = reordered;
            }
        }
    }
    if let Some(keep) = patch.get(RETAIN_KEYS).and_then(Value::as_array) {
        let keep: Vec<&str> = keep.iter().filter_map(Value::as_str).collect();
        original.retain(|key, _| keep.contains(&key.as_str()));
    }
    Ok(original)
}

fn key_of<'a>(item: &'a Value, merge_key: &str) -> Option<&'a Value> {
    if merge_key.is_empty() {
        Some(item)
    } else {
        item.get(merge_key)
    }
}

fn merge_list(
    mut original: Vec<Value>,
    patch: &[Value],
    merge_key: &str,
    item: Node,
) -> Result<Vec<Value>, String> {
    if patch
        .iter()
        .any(|entry| entry.get(PATCH).and_then(Value::as_str) == Some("replace"))
    {
        return Ok(patch
            .iter()
            .filter(|entry| entry.get(PATCH).is_none())
            .cloned()
            .map(strip)
            .collect());
    }
    if merge_key.is_empty() {
        // A list of scalars: the union, in order.
        for value in patch {
            if !original.contains(value) {
                original.push(value.clone());
            }
        }
        return Ok(original);
    }
    for entry in patch {
        let Some(key) = entry.get(merge_key).cloned() else {
            return Err(format!(
                "map: {entry} does not contain declared merge key: {merge_key}"
            ));
        };
        let position = original
            .iter()
            .position(|old| old.get(merge_key) == Some(&key));
        if entry.get(PATCH).and_then(Value::as_str) == Some("delete") {
            original.retain(|old| old.get(merge_key) != Some(&key));
            continue;
        }
        match (position, entry) {
            (Some(index), Value::Object(patch_item)) => {
                let old = original[index].as_object().cloned().unwrap_or_default();
                original[index] = Value::Object(merge_map(old, patch_item, item)?);
            }
            _ => original.push(strip(entry.clone())),
        }
    }
    Ok(original)
}

/// Orders `items` by `order` (a `$setElementOrder` list), keeping items
/// not in it where they were relative to the others, as apimachinery does.
fn apply_order(items: Vec<Value>, order: &[Value], merge_key: &str) -> Vec<Value> {
    let order_keys: Vec<&Value> = order
        .iter()
        .filter_map(|entry| key_of(entry, merge_key))
        .collect();
    let server_order: Vec<Value> = items
        .iter()
        .filter_map(|item| key_of(item, merge_key).cloned())
        .collect();
    let (mut in_patch, server_only): (Vec<Value>, Vec<Value>) = items
        .into_iter()
        .partition(|item| key_of(item, merge_key).is_some_and(|key| order_keys.contains(&key)));
    in_patch.sort_by_key(|item| {
        key_of(item, merge_key)
            .and_then(|key| order_keys.iter().position(|wanted| *wanted == key))
            .unwrap_or(usize::MAX)
    });
    let index = |item: &Value| {
        key_of(item, merge_key).and_then(|key| server_order.iter().position(|k| k == key))
    };
    let (mut left, mut right) = (
        server_only.into_iter().peekable(),
        in_patch.into_iter().peekable(),
    );
    let mut out = Vec::new();
    loop {
        match (left.peek(), right.peek()) {
            (None, None) => break,
            (Some(_), None) => out.push(left.next().expect("peeked")),
            (None, Some(_)) => out.push(right.next().expect("peeked")),
            (Some(l), Some(r)) => match (index(l), index(r)) {
                (Some(li), Some(ri)) if li < ri => out.push(left.next().expect("peeked")),
                _ => out.push(right.next().expect("peeked")),
            },
        }
    }
    out
}

fn without_directives(map: &Map<String, Value>) -> Map<String, Value> {
    map.iter()
        .filter(|(key, _)| !is_directive(key))
        .map(|(key, value)| (key.clone(), strip(value.clone())))
        .collect()
}

fn strip_list(items: &[Value]) -> Vec<Value> {
    items
        .iter()
        .filter(|item| item.get(PATCH).and_then(Value::as_str) != Some("delete"))
        .cloned()
        .map(strip)
        .collect()
}

/// A new value from a patch, without directives and nulls.
fn strip(value: Value) -> Value {
    let mut value = match value {
        Value::Object(map) => Value::Object(without_directives(&map)),
        Value::Array(items) => Value::Array(strip_list(&items)),
        other => other,
    };
    drop_nulls(&mut value);
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::schema::builtin_root;
    use serde_json::json;

    fn node() -> Node<'static> {
        Node::Ty(builtin_root("apps", "Deployment"))
    }

    #[test]
    fn containers_merge_by_name_and_follow_the_element_order() {
        let original = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "a", "image": "a:1"}, {"name": "b", "image": "b:1"}]}}}});
        let patch = json!({"spec": {"template": {"spec": {
            "$setElementOrder/containers": [{"name": "b"}, {"name": "c"}],
            "containers": [{"name": "b", "image": "b:2"}, {"name": "c", "image": "c:1"}, {"$patch": "delete", "name": "a"}]}}}});
        let merged = strategic_merge(&original, &patch, node()).unwrap();
        assert_eq!(
            merged["spec"]["template"]["spec"]["containers"],
            json!([{"name": "b", "image": "b:2"}, {"name": "c", "image": "c:1"}])
        );
    }

    #[test]
    fn retain_keys_and_primitive_list_deletion() {
        let original = json!({"metadata": {"finalizers": ["a", "b"]},
                              "spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}});
        let patch = json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"]},
                           "spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate", "rollingUpdate": null}}});
        let merged = strategic_merge(&original, &patch, node()).unwrap();
        assert_eq!(merged["metadata"]["finalizers"], json!(["b"]));
        assert_eq!(merged["spec"]["strategy"], json!({"type": "Recreate"}));
    }

    #[test]
    fn json_patch_tests_and_replaces() {
        let mut object = json!({"metadata": {"resourceVersion": "5", "managedFields": []}});
        let patch = br#"[{"op":"test","path":"/metadata/resourceVersion","value":"5"},{"op":"replace","path":"/metadata/managedFields","value":[{"manager":"x"}]}]"#;
        json_patch(&mut object, patch).unwrap();
        assert_eq!(object["metadata"]["managedFields"][0]["manager"], "x");
        let failing = br#"[{"op":"test","path":"/metadata/resourceVersion","value":"4"}]"#;
        assert!(matches!(
            json_patch(&mut object, failing),
            Err(PatchFailure::Apply(_))
        ));
    }
}
