//! Secret values kept off the screen: every value under a Secret's `data`
//! and `stringData` is replaced by a placeholder that still tells whether
//! that key was added, removed, changed or left alone.

use serde_json::{Map, Value};

/// The fields of a Secret that hold secret values.
const SECRET_FIELDS: [&str; 2] = ["data", "stringData"];

/// Placeholder for a key whose value is the same on both sides.
pub const UNCHANGED: &str = "*** (unchanged)";
/// Placeholder for the old side of a changed value.
pub const BEFORE: &str = "*** (before)";
/// Placeholder for the new side of a changed value.
pub const AFTER: &str = "*** (after)";
/// Placeholder for a key only the new side has.
pub const ADDED: &str = "*** (added)";
/// Placeholder for a key only the old side has.
pub const REMOVED: &str = "*** (removed)";

/// Whether `object` is a Secret. Any group counts: hiding too much is the
/// safe mistake here.
pub fn is_secret(object: &Value) -> bool {
    object.get("kind").and_then(Value::as_str) == Some("Secret")
}

/// Masks the secret values of a before/after pair in place. Either side may
/// be absent (a created or deleted Secret). Non-Secrets are left alone.
pub fn mask_pair(before: Option<&mut Value>, after: Option<&mut Value>) {
    let before = before.filter(|object| is_secret(object));
    let after = after.filter(|object| is_secret(object));
    if before.is_none() && after.is_none() {
        return;
    }
    let (mut before, mut after) = (before, after);
    for field in SECRET_FIELDS {
        let old = before.as_deref().and_then(|o| o.get(field)).cloned();
        let new = after.as_deref().and_then(|o| o.get(field)).cloned();
        if let Some(object) = before.as_deref_mut() {
            mask_field(object, field, new.as_ref(), BEFORE, REMOVED);
        }
        if let Some(object) = after.as_deref_mut() {
            mask_field(object, field, old.as_ref(), AFTER, ADDED);
        }
    }
}

/// Replaces each value of `object[field]` with a placeholder chosen by
/// comparing it with the same key of `other` (the other side's field).
fn mask_field(
    object: &mut Value,
    field: &str,
    other: Option<&Value>,
    changed: &str,
    only_here: &str,
) {
    let Some(values) = object.get_mut(field) else {
        return;
    };
    let Value::Object(values) = values else {
        // Not a map: hide it whole rather than guess at its shape.
        *values = Value::String(if other == Some(values) {
            UNCHANGED.into()
        } else {
            changed.into()
        });
        return;
    };
    let other = other.and_then(Value::as_object);
    for (key, value) in values.iter_mut() {
        let placeholder = match other.and_then(|o: &Map<String, Value>| o.get(key)) {
            Some(theirs) if theirs == value => UNCHANGED,
            Some(_) => changed,
            None => only_here,
        };
        *value = Value::String(placeholder.into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn secret(data: Value) -> Value {
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": data})
    }

    #[test]
    fn marks_each_key_on_both_sides() {
        let mut before = secret(json!({"same": "YQ==", "old": "Yg==", "gone": "Yw=="}));
        let mut after = secret(json!({"same": "YQ==", "old": "ZA==", "new": "ZQ=="}));
        mask_pair(Some(&mut before), Some(&mut after));
        assert_eq!(
            before["data"],
            json!({"same": UNCHANGED, "old": BEFORE, "gone": REMOVED})
        );
        assert_eq!(
            after["data"],
            json!({"same": UNCHANGED, "old": AFTER, "new": ADDED})
        );
    }

    #[test]
    fn masks_string_data_and_one_sided_secrets() {
        let mut created = json!({
            "apiVersion": "v1", "kind": "Secret",
            "stringData": {"password": "hunter2"}, "data": {"token": "dA=="}
        });
        mask_pair(None, Some(&mut created));
        assert_eq!(created["stringData"], json!({"password": ADDED}));
        assert_eq!(created["data"], json!({"token": ADDED}));
        assert!(!created.to_string().contains("hunter2"));

        let mut deleted = secret(json!({"k": "dg=="}));
        mask_pair(Some(&mut deleted), None);
        assert_eq!(deleted["data"], json!({"k": REMOVED}));
    }

    #[test]
    fn leaves_other_kinds_alone() {
        let mut config = json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {"k": "v"}});
        let copy = config.clone();
        mask_pair(Some(&mut config), None);
        assert_eq!(config, copy);
    }

    #[test]
    fn hides_malformed_data_whole() {
        let mut before = secret(json!("raw"));
        let mut after = secret(json!(["x"]));
        mask_pair(Some(&mut before), Some(&mut after));
        assert_eq!(before["data"], json!(BEFORE));
        assert_eq!(after["data"], json!(AFTER));
    }
}
