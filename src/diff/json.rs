//! The machine format: one JSON document with the summary and, per
//! target, every resource with its change and unified diff.
//!
//! ```json
//! {"summary": {"created": 0, "changed": 1, "deleted": 0, "unchanged": 2},
//!  "targets": [{"target": "overlays/prod", "skipped": false, "resources": [
//!    {"change": "changed", "apiVersion": "apps/v1", "kind": "Deployment",
//!     "namespace": "prod", "name": "web", "previousName": null, "diff": "@@ ..."}]}]}
//! ```

use serde_json::{json, Value};

use super::{ResourceDiff, Summary, TargetDiff};

/// The JSON value for every target.
pub fn to_value(targets: &[TargetDiff]) -> Value {
    json!({
        "summary": Summary::of_targets(targets),
        "targets": targets.iter().map(target).collect::<Vec<_>>(),
    })
}

/// Pretty-printed [`to_value`], ending in a newline.
pub fn render(targets: &[TargetDiff]) -> String {
    let mut text = serde_json::to_string_pretty(&to_value(targets)).unwrap_or_default();
    text.push('\n');
    text
}

fn target(target: &TargetDiff) -> Value {
    json!({
        "target": target.target,
        "skipped": target.skipped,
        "resources": target.resources.iter().map(resource).collect::<Vec<_>>(),
    })
}

fn resource(resource: &ResourceDiff) -> Value {
    json!({
        "change": resource.change,
        "apiVersion": resource.id.gvk.api_version(),
        "kind": resource.id.gvk.kind,
        "namespace": resource.id.namespace,
        "name": resource.id.name,
        "previousName": resource.previous_id.as_ref().map(|id| id.name.clone()),
        "diff": resource.hunks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::Change;
    use crate::id::{Gvk, ResId};

    #[test]
    fn has_the_documented_shape() {
        let gvk = Gvk::new("", "v1", "ConfigMap");
        let targets = [TargetDiff {
            target: "overlays/prod".into(),
            skipped: false,
            resources: vec![ResourceDiff {
                change: Change::Changed,
                id: ResId::new(gvk.clone(), "prod", "cfg-6gtghh96k8"),
                previous_id: Some(ResId::new(gvk, "prod", "cfg-h29d89cmmt")),
                hunks: "@@ -1 +1 @@\n-a\n+b\n".into(),
            }],
        }];
        let expected = json!({
            "summary": {"created": 0, "changed": 1, "deleted": 0, "unchanged": 0},
            "targets": [{
                "target": "overlays/prod",
                "skipped": false,
                "resources": [{
                    "change": "changed",
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "namespace": "prod",
                    "name": "cfg-6gtghh96k8",
                    "previousName": "cfg-h29d89cmmt",
                    "diff": "@@ -1 +1 @@\n-a\n+b\n"
                }]
            }]
        });
        assert_eq!(to_value(&targets), expected);
        let text = render(&targets);
        assert!(text.ends_with("}\n"));
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), expected);
    }
}
