//! Expected results are what `kubectl kustomize` (v5.5.0) printed for a
//! base with generators and a `namePrefix`, and overlays that merge into
//! and replace them (trees under /tmp during development).

use serde_json::{json, Value};

use super::*;
use crate::id::{Gvk, ResId};
use crate::resource::{Generated, Origin};

fn resource(object: Value, generated: Option<(Behavior, bool)>) -> Resource {
    let mut resource = Resource::new(object, Origin::Inline).unwrap();
    resource.generated = generated.map(|(behavior, append_hash)| Generated {
        behavior,
        append_hash,
    });
    resource
}

/// The base's `cm` after its `namePrefix: p-`, before hash suffixes.
fn base_cm() -> Resource {
    let mut r = resource(
        json!({"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": "cm", "labels": {"x": "base", "both": "base"}, "annotations": {"ax": "base"}},
               "data": {"A": "1", "B": "2"}}),
        Some((Behavior::Create, true)),
    );
    r.set_name("p-cm");
    r
}

fn base_plain() -> Resource {
    let mut r = resource(
        json!({"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": "plain", "labels": {"pl": "1"}}, "data": {"A": "1", "N": 5}}),
        None,
    );
    r.set_name("p-plain");
    r
}

fn base_secret() -> Resource {
    let mut r = resource(
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "sec"}, "type": "foo",
               "data": {"A": "MQ==", "B": "Mg=="}}),
        Some((Behavior::Create, true)),
    );
    r.set_name("p-sec");
    r
}

fn incoming_cm(behavior: Behavior, append_hash: bool, labels: Value, data: Value) -> Resource {
    resource(
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "labels": labels}, "data": data}),
        Some((behavior, append_hash)),
    )
}

fn base() -> ResourceMap {
    [base_cm(), base_plain(), base_secret()]
        .into_iter()
        .collect()
}

fn finish(mut resources: ResourceMap) -> Vec<Value> {
    hash::add_hash_suffixes(&mut resources).unwrap();
    resources
        .into_vec()
        .into_iter()
        .map(Resource::into_object)
        .collect()
}

#[test]
fn merge_combines_data_and_metadata_and_rehashes() {
    let mut resources = base();
    let incoming = incoming_cm(
        Behavior::Merge,
        true,
        json!({"yy": "ov", "both": "ov"}),
        json!({"B": "3", "C": "4"}),
    );
    absorb_generated(&mut resources, incoming).unwrap();
    let plain = resource(
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "plain"}, "data": {"B": "1"}}),
        Some((Behavior::Merge, true)),
    );
    absorb_generated(&mut resources, plain).unwrap();
    let secret = resource(
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "sec"}, "type": "Opaque", "data": {"C": "Mw=="}}),
        Some((Behavior::Merge, true)),
    );
    absorb_generated(&mut resources, secret).unwrap();
    assert_eq!(resources.as_slice()[0].previous_ids[0].name, "cm");
    let out = finish(resources);
    assert_eq!(
        out[0],
        json!({"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": "p-cm-k45267997d", "labels": {"both": "ov", "x": "base", "yy": "ov"}, "annotations": {"ax": "base"}},
               "data": {"A": "1", "B": "3", "C": "4"}})
    );
    // A plain ConfigMap gets no suffix, and its data become strings.
    assert_eq!(
        out[1]["metadata"],
        json!({"name": "p-plain", "labels": {"pl": "1"}})
    );
    assert_eq!(out[1]["data"], json!({"A": "1", "B": "1", "N": "5"}));
    // The incoming Secret's type wins.
    assert_eq!(out[2]["metadata"]["name"], "p-sec-7k229gtdkt");
    assert_eq!(out[2]["type"], "Opaque");
    assert_eq!(
        out[2]["data"],
        json!({"A": "MQ==", "B": "Mg==", "C": "Mw=="})
    );
}

#[test]
fn replace_keeps_metadata_but_not_data() {
    let mut resources = base();
    let incoming = incoming_cm(
        Behavior::Replace,
        false,
        json!({"yy": "ov"}),
        json!({"Z": "9"}),
    );
    absorb_generated(&mut resources, incoming).unwrap();
    let secret = resource(
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "sec"}, "type": "Opaque", "data": {"C": "Mw=="}}),
        Some((Behavior::Replace, true)),
    );
    absorb_generated(&mut resources, secret).unwrap();
    let out = finish(resources);
    // `disableNameSuffixHash` on the replacing generator drops the suffix.
    assert_eq!(
        out[0],
        json!({"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": "p-cm", "labels": {"both": "base", "x": "base", "yy": "ov"}, "annotations": {"ax": "base"}},
               "data": {"Z": "9"}})
    );
    assert_eq!(out[2]["metadata"]["name"], "p-sec-56bd56f5tt");
    assert_eq!(out[2]["data"], json!({"C": "Mw=="}));
}

#[test]
fn binary_data_merges_too() {
    // kubectl: base `bin` (blob.bin = 0xff 0xfe) merged with T=1 → p-bin-857db2ck7k.
    let mut existing = resource(
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "bin"}, "binaryData": {"blob.bin": "//4="}}),
        Some((Behavior::Create, true)),
    );
    existing.set_name("p-bin");
    let mut resources: ResourceMap = [existing].into_iter().collect();
    let incoming = resource(
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "bin"}, "data": {"T": "1"}}),
        Some((Behavior::Merge, true)),
    );
    absorb_generated(&mut resources, incoming).unwrap();
    let out = finish(resources);
    assert_eq!(out[0]["metadata"]["name"], "p-bin-857db2ck7k");
    assert_eq!(out[0]["binaryData"], json!({"blob.bin": "//4="}));
}

#[test]
fn behavior_errors() {
    // Merge with nothing to merge into (kubectl: "does not exist; cannot merge or replace").
    let mut resources = base();
    let missing = resource(
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "missing"}}),
        Some((Behavior::Merge, true)),
    );
    let err = absorb_generated(&mut resources, missing).unwrap_err();
    assert!(
        err.to_string().contains("no v1 ConfigMap missing to merge"),
        "{err}"
    );
    // A namespace that differs means a different id.
    let other_ns = resource(
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "other"}}),
        Some((Behavior::Merge, true)),
    );
    assert!(absorb_generated(&mut resources, other_ns).is_err());
    // Create over an existing id (kubectl: "exists; behavior must be merge or replace").
    let create = incoming_cm(Behavior::Create, true, json!({}), json!({"B": "3"}));
    let err = absorb_generated(&mut resources, create).unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
    // Create of a new id appends.
    let new = resource(
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "new"}}),
        Some((Behavior::Create, true)),
    );
    absorb_generated(&mut resources, new).unwrap();
    let id = ResId::new(Gvk::new("", "v1", "ConfigMap"), "", "new");
    assert_eq!(resources.position(&id), Some(3));
}

#[test]
fn merge_into_a_resource_without_suffix_keeps_it_without() {
    // kubectl: base `nohash` (disableNameSuffixHash) merged with B=1 stays `p-nohash`.
    let mut existing = resource(
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "nohash"}, "data": {"A": "1"}}),
        Some((Behavior::Create, false)),
    );
    existing.set_name("p-nohash");
    let mut resources: ResourceMap = [existing].into_iter().collect();
    let incoming = resource(
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "nohash"}, "data": {"B": "1"}}),
        Some((Behavior::Merge, true)),
    );
    absorb_generated(&mut resources, incoming).unwrap();
    let out = finish(resources);
    assert_eq!(out[0]["metadata"], json!({"name": "p-nohash"}));
    assert_eq!(out[0]["data"], json!({"A": "1", "B": "1"}));
}

/// Generator → `namePrefix` → overlay merge → suffix, as kustomize's
/// conformance case TestGeneratorOverlaysBinaryData (oracle from kubectl).
#[test]
fn overlay_merge_keeps_binary_data() {
    use crate::fs::MemFs;
    use crate::load::kustomization::GeneratorArgs;
    use crate::load::loader::{LoadRestrictions, Loader};
    use std::path::{Path, PathBuf};

    let mut fs = MemFs::new();
    fs.add("/base/kustomization.yaml", "")
        .add("/base/data.bin", b"\xffhello".repeat(30))
        .add("/overlay/kustomization.yaml", "");
    let generate = |root: &str, args: Value| {
        let root = PathBuf::from(root);
        let loader = Loader::new(&fs, &root, LoadRestrictions::RootOnly);
        let args: GeneratorArgs = serde_json::from_value(args).unwrap();
        configmap::config_map(&args, None, &loader, &root.join("kustomization.yaml")).unwrap()
    };
    let mut base = generate(
        "/base",
        json!({"name": "com1", "behavior": "create", "files": ["data.bin"]}),
    );
    base.set_name("p1-com1");
    let mut resources: ResourceMap = [base].into_iter().collect();
    let overlay = generate("/overlay", json!({"name": "com1", "behavior": "merge"}));
    absorb_generated(&mut resources, overlay).unwrap();
    assert!(
        matches!(&resources.as_slice()[0].origin, Origin::Generator { kustomization, .. } if kustomization == Path::new("/base/kustomization.yaml"))
    );
    let out = finish(resources);
    assert_eq!(
        out[0],
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "p1-com1-96gmmt6gt5"},
               "binaryData": {"data.bin": "/2hlbGxv/2hlbGxv/2hlbGxv/2hlbGxv/2hlbGxv/2hlbGxv/2hlbGxv/2hlbGxv/2hlbG\nxv/2hlbGxv/2hlbGxv/2hlbGxv/2hlbGxv/2hlbGxv/2hlbGxv/2hlbGxv/2hlbGxv/2hl\nbGxv/2hlbGxv/2hlbGxv/2hlbGxv/2hlbGxv/2hlbGxv/2hlbGxv/2hlbGxv/2hlbGxv/2\nhlbGxv/2hlbGxv/2hlbGxv/2hlbGxv\n"}})
    );
}
