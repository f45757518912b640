//! Whole-document cases; every expected string is `kubectl kustomize` output
//! (v5.5.0) for the same value, collected in /tmp/emit-corpus.

use serde_json::json;

use super::document;

#[test]
fn configmap() {
    let value = json!({"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "x"}, "data": {"a": "b"}});
    assert_eq!(
        document(&value),
        "apiVersion: v1\ndata:\n  a: b\nkind: ConfigMap\nmetadata:\n  name: x\n"
    );
}
