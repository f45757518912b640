//! Every expected suffix here is what `kubectl kustomize` (v5.5.0) printed
//! for the same data (trees under /tmp during development; the §4 table of
//! `kustomize-output.md` for the rows it gives exactly).

use serde_json::{json, Value};

use super::*;
use crate::resource::{Generated, Origin, Resource};

fn config_map(data: Option<Value>, binary: Option<Value>) -> Value {
    let mut object = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}});
    if let Some(data) = data {
        object["data"] = data;
    }
    if let Some(binary) = binary {
        object["binaryData"] = binary;
    }
    object
}

fn secret(kind: &str, data: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x"}, "type": kind, "data": data})
}

#[test]
fn suffixes_match_kubectl() {
    let cases = [
        (
            "cm-literals",
            config_map(
                Some(json!({"FOO": "bar", "BAZ": "qux", "EMPTY": "", "NUM": "42"})),
                None,
            ),
            "489985mhcc",
        ),
        (
            "cm-files: < & \" and U+2028",
            config_map(
                Some(
                    json!({"app.conf": "x = \"<a & b>\"\n", "renamed.txt": "caf\u{e9} \u{2028} end\n"}),
                ),
                None,
            ),
            "cf9t867k85",
        ),
        (
            "cm-env",
            config_map(Some(json!({"A": "1", "B": "hello world", "C": ""})), None),
            "9kg66c579b",
        ),
        (
            "cm-binary",
            config_map(
                Some(json!({"app.conf": "x = \"<a & b>\"\n"})),
                Some(json!({"blob.bin": "//4AAWJpbmFyeQ=="})),
            ),
            "674bh6424c",
        ),
        (
            "only-binary: no data key",
            config_map(None, Some(json!({"blob.bin": "//4AAWJpbmFyeQ=="}))),
            "ggm585m8bh",
        ),
        (
            "nothing: no data, no binaryData",
            config_map(None, None),
            "6ct58987ht",
        ),
        (
            "sec-literals",
            secret(
                "Opaque",
                json!({"pass": "czNjcjN0ITw+Jg==", "user": "YWRtaW4="}),
            ),
            "4dfhhhktk7",
        ),
        (
            "sec-tls: wrapped base64",
            secret(
                "kubernetes.io/tls",
                json!({
                    "tls.crt": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUIKLS0tLS1FTkQgQ0VSVElGSUNBVE\nUtLS0tLQo=\n",
                    "tls.key": "a2V5Cg=="
                }),
            ),
            "5t6dd877mf",
        ),
        (
            "sec-empty: data {}",
            secret("Opaque", json!({})),
            "46f8b28mk5",
        ),
        // Conformance oracles: TestGeneratorIntVsStringWithMerge (after a merge),
        // TestMergeAndReplaceGenerators (after a replace and a merge).
        (
            "bob merged",
            config_map(
                Some(
                    json!({"crisis": "true", "fruit": "Indian Gooseberry", "month": "12", "year": "2020"}),
                ),
                None,
            ),
            "bk46gm59c6",
        ),
        (
            "configmap-in-base replaced",
            config_map(Some(json!({"foo": "override-bar"})), None),
            "hc6g9dk6g9",
        ),
        (
            "secret-in-base merged",
            secret(
                "Opaque",
                json!({"password": "c29tZXB3", "proxy": "aGFwcm94eQ==", "username": "YWRtaW4="}),
            ),
            "k2k4692t9g",
        ),
    ];
    for (name, object, expected) in cases {
        assert_eq!(content_hash(&object).unwrap(), expected, "{name}");
    }
}

#[test]
fn name_labels_and_immutable_do_not_change_the_suffix() {
    // kubectl: `cm-opts` (A=1, labels, annotations, immutable, namespace) → 89g4tffbfk.
    let object = json!({
        "apiVersion": "v1", "kind": "ConfigMap", "immutable": true,
        "metadata": {"name": "other-name", "namespace": "ns1", "labels": {"l1": "a"}, "annotations": {"an": "x"}},
        "data": {"A": "1"}
    });
    assert_eq!(content_hash(&object).unwrap(), "89g4tffbfk");
}

#[test]
fn other_kinds_are_errors() {
    let err = content_hash(&json!({"kind": "Deployment"})).unwrap_err();
    assert!(err.to_string().contains("Deployment"), "{err}");
}

#[test]
fn suffixes_are_added_to_generated_resources_only() {
    let make = |name: &str, append_hash: Option<bool>| {
        let mut object = config_map(Some(json!({"A": "1"})), None);
        object["metadata"]["name"] = json!(name);
        let mut resource = Resource::new(object, Origin::Inline).unwrap();
        resource.generated = append_hash.map(|append_hash| Generated {
            behavior: Default::default(),
            append_hash,
        });
        resource
    };
    let mut resources: ResourceMap = [
        make("a", Some(true)),
        make("b", Some(false)),
        make("c", None),
    ]
    .into_iter()
    .collect();
    add_hash_suffixes(&mut resources).unwrap();
    let names: Vec<_> = resources.iter().map(|r| r.name().to_string()).collect();
    assert_eq!(names, ["a-89g4tffbfk", "b", "c"]);
    let first = &resources.as_slice()[0];
    assert_eq!(first.original_id().name, "a");
}
