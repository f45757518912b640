//! Server-owned noise removed from both sides before comparing, so a diff
//! shows what the user controls and nothing the API server writes itself.

use serde_json::Value;

/// `metadata` fields the API server sets on every object.
const SERVER_METADATA: &[&str] = &[
    "managedFields",
    "resourceVersion",
    "uid",
    "generation",
    "creationTimestamp",
    "selfLink",
];

/// The annotation `kubectl apply` (client-side) keeps the last applied object in.
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Returns `object` without server-owned fields: the `metadata` fields in
/// `SERVER_METADATA`, `status`, the last-applied annotation, and an
/// annotations map left empty by that removal.
pub fn normalize(object: &Value) -> Value {
    let mut object = object.clone();
    let Value::Object(map) = &mut object else {
        return object;
    };
    map.remove("status");
    if let Some(Value::Object(metadata)) = map.get_mut("metadata") {
        for field in SERVER_METADATA {
            metadata.remove(*field);
        }
        let emptied = match metadata.get_mut("annotations") {
            Some(Value::Object(annotations)) => {
                let had_last_applied = annotations.remove(LAST_APPLIED).is_some();
                had_last_applied && annotations.is_empty()
            }
            _ => false,
        };
        if emptied {
            metadata.remove("annotations");
        }
    }
    object
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn removes_server_owned_fields() {
        let live = json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": "app",
                "namespace": "prod",
                "uid": "3f1c",
                "resourceVersion": "42",
                "generation": 3,
                "creationTimestamp": "2026-01-01T00:00:00Z",
                "selfLink": "/api/v1/namespaces/prod/configmaps/app",
                "managedFields": [{"manager": "kubectl"}],
                "labels": {"app": "web"},
                "annotations": {LAST_APPLIED: "{}"}
            },
            "data": {"a": "1"},
            "status": {"phase": "Active"}
        });
        let expected = json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "app", "namespace": "prod", "labels": {"app": "web"}},
            "data": {"a": "1"}
        });
        assert_eq!(normalize(&live), expected);
    }

    #[test]
    fn keeps_other_annotations_and_user_empty_maps() {
        let cases = [
            (
                json!({"metadata": {"annotations": {LAST_APPLIED: "{}", "team": "a"}}}),
                json!({"metadata": {"annotations": {"team": "a"}}}),
            ),
            // An empty map the user wrote is theirs, not noise.
            (
                json!({"metadata": {"annotations": {}}}),
                json!({"metadata": {"annotations": {}}}),
            ),
            (json!({"kind": "X"}), json!({"kind": "X"})),
            (json!("not an object"), json!("not an object")),
        ];
        for (input, expected) in cases {
            assert_eq!(normalize(&input), expected, "input: {input}");
        }
    }
}
