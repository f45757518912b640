//! Expected values are what `kubectl kustomize` (v5.5.0) printed for a base
//! with `namePrefix: p-` and an overlay with `replicas:` (trees under /tmp
//! during development).

use serde_json::{json, Value};

use super::*;
use crate::resource::Origin;

fn replica(name: &str, count: i64) -> Replica {
    Replica {
        name: name.into(),
        count,
    }
}

/// A resource as the overlay sees it: renamed by the base's `namePrefix: p-`.
fn prefixed(
    api_version: &str,
    kind: &str,
    name: &str,
    namespace: Option<&str>,
    spec: Option<Value>,
) -> Resource {
    let mut object = json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": name}});
    if let Some(namespace) = namespace {
        object["metadata"]["namespace"] = json!(namespace);
    }
    if let Some(spec) = spec {
        object["spec"] = spec;
    }
    let mut resource = Resource::new(object, Origin::Inline).unwrap();
    resource.set_name(&format!("p-{name}"));
    resource
}

fn base() -> ResourceMap {
    [
        prefixed(
            "apps/v1",
            "Deployment",
            "d",
            None,
            Some(json!({"replicas": 1})),
        ),
        prefixed("apps/v1", "Deployment", "d", Some("other"), None),
        prefixed("apps/v1", "StatefulSet", "s", None, None),
        prefixed("batch/v1", "CronJob", "d", None, Some(json!({}))),
        prefixed("apps/v1", "ReplicaSet", "rs", None, Some(Value::Null)),
        prefixed(
            "v1",
            "ReplicationController",
            "rc",
            None,
            Some(json!({"replicas": "2"})),
        ),
        prefixed("example.com/v1", "Deployment", "d", None, None),
        prefixed("apps/v1", "Deployment", "p-e", None, None),
    ]
    .into_iter()
    .collect()
}

#[test]
fn sets_replicas_like_kubectl() {
    let mut resources = base();
    let entries = [
        replica("d", 3),
        replica("s", 0),
        replica("p-rs", 5),
        replica("rc", 7),
        replica("p-p-e", 9),
    ];
    apply(&mut resources, &entries).unwrap();
    let specs: Vec<Option<Value>> = resources
        .iter()
        .map(|r| r.object().get("spec").cloned())
        .collect();
    assert_eq!(
        specs,
        [
            Some(json!({"replicas": 3})),
            Some(json!({"replicas": 3})),
            Some(json!({"replicas": 0})),
            Some(json!({})),
            Some(json!({"replicas": 5})),
            // A quoted count stays a string.
            Some(json!({"replicas": "7"})),
            Some(json!({"replicas": 3})),
            Some(json!({"replicas": 9})),
        ]
    );
}

#[test]
fn unmatched_names_are_errors() {
    // kubectl: "resource with name nope does not match a config with the following GVK [...]";
    // `e` does not match `p-p-e`, whose original name is `p-e`.
    for name in ["nope", "e"] {
        let err = apply(&mut base(), &[replica(name, 2)]).unwrap_err();
        assert!(err.to_string().contains(&format!("`{name}`")), "{err}");
    }
}

#[test]
fn odd_specs() {
    let run = |spec: Value| {
        let mut resources: ResourceMap = [prefixed("apps/v1", "Deployment", "d", None, Some(spec))]
            .into_iter()
            .collect();
        apply(&mut resources, &[replica("d", -2)])
            .map(|()| resources.as_slice()[0].object()["spec"].clone())
    };
    assert_eq!(
        run(json!([{"a": 1}, null])).unwrap(),
        json!([{"a": 1, "replicas": -2}, null])
    );
    assert_eq!(
        run(json!({"replicas": null})).unwrap(),
        json!({"replicas": -2})
    );
    assert_eq!(
        run(json!({"replicas": "abc"})).unwrap(),
        json!({"replicas": "-2"})
    );
    assert_eq!(
        run(json!({"replicas": true})).unwrap(),
        json!({"replicas": -2})
    );
    // kubectl: "expected sequence or mapping node" and "wrong node kind".
    let err = run(json!("x")).unwrap_err().to_string();
    assert!(
        err.contains("spec/replicas") && err.contains("apps/v1 Deployment p-d"),
        "{err}"
    );
    assert!(run(json!({"replicas": {"a": 1}}))
        .unwrap_err()
        .to_string()
        .contains("expected a number"));
}
