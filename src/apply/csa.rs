//! Taking over what client-side `kubectl apply` wrote, as kubectl's
//! `migrateToSSAIfNecessary` does with client-go's `csaupgrade`.
//!
//! An object last written by client-side apply has its fields owned by an
//! `Update` entry of `managedFields` (manager `kubectl-client-side-apply`,
//! or `before-first-apply` for objects older than managed fields). A
//! server-side apply alone would share them with that manager, so a field
//! removed from the manifests would stay forever (kubernetes#99003). The
//! fix is to move those entries' fields into strata's `Apply` entry with a
//! JSON patch of `/metadata/managedFields`, guarded by the resourceVersion
//! read, before applying: the apply then drops what the build no longer has.

use serde_json::{json, Map, Value};

/// The managers client-side apply writes as (kubectl's defaults).
pub const CSA_MANAGERS: [&str; 2] = ["kubectl-client-side-apply", "before-first-apply"];

/// The annotation client-side apply keeps its last input in.
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// The managers of `live` that wrote as client-side apply: `Update` entries
/// of the main resource named in [`CSA_MANAGERS`] or owning [`LAST_APPLIED`].
pub fn csa_managers(live: &Value) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let found = entries(live)
        .iter()
        .filter(|entry| is_update(entry))
        .filter(|entry| {
            let manager = entry["manager"].as_str().unwrap_or_default();
            CSA_MANAGERS.contains(&manager)
                || entry["fieldsV1"]["f:metadata"]["f:annotations"]
                    .get(format!("f:{LAST_APPLIED}"))
                    .is_some()
        })
        .filter_map(|entry| entry["manager"].as_str());
    for name in found {
        if !names.iter().any(|known| known == name) {
            names.push(name.to_string());
        }
    }
    names
}

/// The managedFields of `live` with every client-side-apply manager's
/// fields moved into `manager`'s `Apply` entry (an entry of theirs becomes
/// it when `manager` has none); `None` when there is nothing to move.
pub fn upgraded_managed_fields(live: &Value, manager: &str) -> Option<Vec<Value>> {
    let csa = csa_managers(live);
    if csa.is_empty() {
        return None;
    }
    let mut fields = entries(live).to_vec();
    for name in csa.iter().filter(|name| *name != manager) {
        let is_theirs = |entry: &Value| is_update(entry) && entry["manager"] == name.as_str();
        let target = match fields.iter().position(|entry| {
            entry["manager"] == manager
                && entry["operation"] == "Apply"
                && entry["subresource"].as_str().unwrap_or("").is_empty()
        }) {
            Some(index) => index,
            None => {
                let index = fields.iter().position(is_theirs)?;
                fields[index]["manager"] = json!(manager);
                fields[index]["operation"] = json!("Apply");
                index
            }
        };
        let mut owned = fields[target]["fieldsV1"].take();
        for entry in fields.iter().filter(|entry| is_theirs(entry)) {
            union(&mut owned, &entry["fieldsV1"]);
        }
        fields[target]["fieldsV1"] = owned;
        fields.retain(|entry| !is_theirs(entry));
    }
    (fields.as_slice() != entries(live)).then_some(fields)
}

/// The RFC 6902 patch storing [`upgraded_managed_fields`]; the second
/// operation makes the server refuse it (409) if the object changed since
/// `live` was read ("replace", not "test", as csaupgrade does, so the
/// refusal is a conflict rather than an invalid patch).
pub fn upgrade_patch(live: &Value, manager: &str) -> Option<Value> {
    let fields = upgraded_managed_fields(live, manager)?;
    Some(json!([
        {"op": "replace", "path": "/metadata/managedFields", "value": fields},
        {"op": "replace", "path": "/metadata/resourceVersion", "value": live["metadata"]["resourceVersion"]},
    ]))
}

fn entries(live: &Value) -> &[Value] {
    live["metadata"]["managedFields"]
        .as_array()
        .map_or(&[], Vec::as_slice)
}

fn is_update(entry: &Value) -> bool {
    entry["operation"] == "Update" && entry["subresource"].as_str().unwrap_or("").is_empty()
}

/// Adds every field of the FieldsV1 set `more` to `into` (both JSON trees
/// of `f:`/`k:`/`v:`/`i:` keys, `"."` marking a field owned itself).
fn union(into: &mut Value, more: &Value) {
    let Some(more) = more.as_object() else {
        return;
    };
    if !into.is_object() {
        *into = Value::Object(Map::new());
    }
    if let Some(into) = into.as_object_mut() {
        for (key, value) in more {
            union(into.entry(key.clone()).or_insert_with(|| json!({})), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live(managed: Value) -> Value {
        json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "c", "resourceVersion": "7", "managedFields": managed}})
    }

    fn entry(manager: &str, operation: &str, fields: Value) -> Value {
        json!({"manager": manager, "operation": operation, "apiVersion": "v1",
            "time": "2026-01-01T00:00:00Z", "fieldsType": "FieldsV1", "fieldsV1": fields})
    }

    #[test]
    fn client_side_entry_becomes_the_apply_entry() {
        let object = live(json!([
            entry(
                "kubectl-client-side-apply",
                "Update",
                json!({"f:data": {"f:a": {}, "f:b": {}},
                "f:metadata": {"f:annotations": {".": {}, format!("f:{LAST_APPLIED}"): {}}}})
            ),
            entry(
                "controller",
                "Update",
                json!({"f:metadata": {"f:labels": {"f:x": {}}}})
            ),
        ]));
        let fields = upgraded_managed_fields(&object, "strata").expect("a migration");
        assert_eq!(fields.len(), 2);
        assert_eq!(fields[0]["manager"], "strata");
        assert_eq!(fields[0]["operation"], "Apply");
        assert_eq!(
            fields[0]["fieldsV1"]["f:data"],
            json!({"f:a": {}, "f:b": {}})
        );
        assert_eq!(fields[1]["manager"], "controller", "other managers stay");
        let patch = upgrade_patch(&object, "strata").expect("a patch");
        assert_eq!(
            patch[1],
            json!({"op": "replace", "path": "/metadata/resourceVersion", "value": "7"})
        );
    }

    #[test]
    fn fields_join_an_existing_apply_entry() {
        let object = live(json!([
            entry("strata", "Apply", json!({"f:data": {"f:a": {}}})),
            entry(
                "kubectl",
                "Update",
                json!({"f:data": {"f:b": {}},
                "f:metadata": {"f:annotations": {format!("f:{LAST_APPLIED}"): {}}}})
            ),
            entry(
                "kubectl-client-side-apply",
                "Update",
                json!({"f:data": {"f:c": {}}})
            ),
        ]));
        assert_eq!(
            csa_managers(&object),
            ["kubectl", "kubectl-client-side-apply"]
        );
        let fields = upgraded_managed_fields(&object, "strata").expect("a migration");
        assert_eq!(fields.len(), 1);
        assert_eq!(
            fields[0]["fieldsV1"]["f:data"],
            json!({"f:a": {}, "f:b": {}, "f:c": {}})
        );
    }

    #[test]
    fn nothing_to_move_without_client_side_managers() {
        let object = live(json!([
            entry("strata", "Apply", json!({"f:data": {"f:a": {}}})),
            entry("controller", "Update", json!({"f:status": {}})),
        ]));
        assert_eq!(upgraded_managed_fields(&object, "strata"), None);
        assert_eq!(upgrade_patch(&live(Value::Null), "strata"), None);
    }
}
