//! Expected values come from `kubectl kustomize` (v5.5.0) on small trees in
//! /tmp; each test names the tree it reproduces.

use std::path::Path;

use serde_json::{json, Value};

use super::*;
use crate::testing::resources;

/// `vars:` entries as the kustomization reader types them.
fn typed(vars: &Value) -> Vec<Var> {
    serde_json::from_value(vars.clone()).unwrap()
}

fn file() -> &'static Path {
    Path::new("k/kustomization.yaml")
}

fn service() -> Value {
    json!({"apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "svc", "labels": {"flag": true}},
        "spec": {"ports": [{"port": 8080}]}})
}

/// namePrefix `p-`, then vars by the original names; typed and in-string
/// expansion, `$$`, unknown and unclosed references, map-valued vars.
#[test]
fn expands_as_kustomize() {
    let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "dep", "annotations": {
            "a": "$(SVC)",
            "b": "x$(REPL)y $(PORT) $(BOOL) $$(SVC) $(NOPE) $(MAP) $(SVC",
            "c": "$(REPL)", "d": "$(BOOL)", "e": "$(MAP)", "f": "$(PORT)"}},
        "spec": {"replicas": 3, "template": {"spec": {"containers": [{
            "image": "nginx:1.0", "name": "c",
            "command": ["$(SVC)", "$(REPL)", "$(IMG)"],
            "env": [{"name": "X", "value": "$(REPL)"}]}]}}}});
    let mut resources = resources(&[service(), deployment]);
    let config = TransformerConfig::builtin();
    crate::transform::names::apply_prefix(&mut resources, "p-", &config.name_prefix).unwrap();
    let vars = json!([
        {"name": "SVC", "objref": {"kind": "Service", "name": "svc", "apiVersion": "v1"}},
        {"name": "REPL", "objref": {"kind": "Deployment", "name": "dep", "apiVersion": "apps/v1"},
            "fieldref": {"fieldPath": "spec.replicas"}},
        {"name": "IMG", "objref": {"kind": "Deployment", "name": "dep", "apiVersion": "apps/v1"},
            "fieldref": {"fieldPath": "spec.template.spec.containers[0].image"}},
        {"name": "PORT", "objref": {"kind": "Service", "name": "svc", "apiVersion": "v1"},
            "fieldref": {"fieldPath": "spec.ports[0].port"}},
        {"name": "BOOL", "objref": {"kind": "Service", "name": "svc", "apiVersion": "v1"},
            "fieldref": {"fieldPath": "metadata.labels.flag"}},
        {"name": "MAP", "objref": {"kind": "Service", "name": "svc", "apiVersion": "v1"},
            "fieldref": {"fieldPath": "metadata.labels"}},
        {"name": "UNUSED", "objref": {"kind": "Service", "name": "svc", "apiVersion": "v1"}},
    ]);
    let mut set = VarSet::new();
    collect(&typed(&vars), file(), &mut resources, &mut set).unwrap();
    let warnings = resolve(&mut resources, &set, &config).unwrap();
    assert_eq!(
        warnings,
        vec!["well-defined vars that were never replaced: MAP,UNUSED"]
    );
    let dep = resources.as_slice()[1].object();
    // kubectl prints the annotations c, d, f quoted ("3", "true", "8080")
    // because kustomize rewrites annotations as strings at the end.
    assert_eq!(
        dep["metadata"]["annotations"],
        json!({"a": "p-svc",
            "b": "x3y 8080 true $(SVC) $(NOPE) $(MAP) $(SVC",
            "c": 3, "d": true, "e": "$(MAP)", "f": 8080})
    );
    let container = &dep["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(container["command"], json!(["p-svc", 3, "nginx:1.0"]));
    assert_eq!(container["env"][0]["value"], json!(3));
    // The service is untouched (its label is a boolean, not a string).
    assert_eq!(
        resources.as_slice()[0].object()["metadata"]["labels"],
        json!({"flag": true})
    );
}

/// A base's var is bound in the base; the overlay's prefix does not break
/// it, and a later var reads the field before any expansion.
#[test]
fn binds_in_the_layer_and_reads_unexpanded_values() {
    let svc = json!({"apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "svc", "annotations": {"x": "$(SVC)"}}});
    let mut base = resources(&[svc]);
    let mut set = VarSet::new();
    let base_vars =
        json!([{"name": "SVC", "objref": {"kind": "Service", "name": "svc", "apiVersion": "v1"}}]);
    collect(&typed(&base_vars), file(), &mut base, &mut set).unwrap();
    let config = TransformerConfig::builtin();
    crate::transform::names::apply_prefix(&mut base, "o-", &config.name_prefix).unwrap();
    let overlay_vars = json!([
        {"name": "SVC2", "objref": {"kind": "Service", "name": "svc", "apiVersion": "v1"}},
        {"name": "SVC3", "objref": {"kind": "Service", "name": "svc", "apiVersion": "v1"},
            "fieldref": {"fieldPath": "metadata.annotations.x"}},
    ]);
    collect(&typed(&overlay_vars), file(), &mut base, &mut set).unwrap();
    let warnings = resolve(&mut base, &set, &config).unwrap();
    assert_eq!(
        warnings,
        vec!["well-defined vars that were never replaced: SVC2,SVC3"]
    );
    assert_eq!(
        base.as_slice()[0].object()["metadata"],
        json!({"name": "o-svc", "annotations": {"x": "o-svc"}})
    );
}

#[test]
fn errors_as_kustomize() {
    let config = TransformerConfig::builtin();
    let var = |objref: Value, fieldref: Option<&str>| {
        let mut v = json!({"name": "SVC", "objref": objref});
        if let Some(path) = fieldref {
            v["fieldref"] = json!({"fieldPath": path});
        }
        json!([v])
    };
    let run = |objects: &[Value], vars: Value| -> String {
        let mut resources = resources(objects);
        let mut set = VarSet::new();
        collect(&typed(&vars), file(), &mut resources, &mut set)
            .and_then(|()| resolve(&mut resources, &set, &config))
            .unwrap_err()
            .to_string()
    };
    let svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc"}});
    let cases = [
        (
            vec![svc.clone()],
            var(json!({"kind": "Service", "name": "nosvc", "apiVersion": "v1"}), None),
            "var '{SVC Service.v1.[noGrp] {metadata.name}}' cannot be mapped to a field in the set of known resources",
        ),
        (
            vec![svc.clone()],
            var(json!({"kind": "Service", "name": "svc", "apiVersion": "v1", "namespace": "ns"}), Some("spec.x")),
            "var '{SVC Service.v1.[noGrp] {spec.x}}' cannot be mapped",
        ),
        (
            vec![svc.clone()],
            var(json!({"kind": "Service", "name": "svc", "apiVersion": "v1"}), Some("spec.x")),
            "field specified in var '{SVC Service.v1.[noGrp] {spec.x}}' not found in corresponding resource",
        ),
        (
            vec![svc.clone()],
            var(json!({"kind": "Service", "name": "svc", "group": "foo", "version": "v2"}), Some("spec.x")),
            "var '{SVC Service.v2.foo {spec.x}}' cannot be mapped",
        ),
        (
            vec![
                json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc", "namespace": "a"}}),
                json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc", "namespace": "b"}}),
            ],
            var(json!({"kind": "Service", "name": "svc", "apiVersion": "v1"}), None),
            "found 2 resId matches for var {SVC Service.v1.[noGrp] {metadata.name}} (unable to disambiguate)",
        ),
        (
            vec![svc.clone(), json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                "spec": {"containers": [{"name": "c", "command": ["sleep", 3600]}]}})],
            var(json!({"kind": "Service", "name": "svc", "apiVersion": "v1"}), None),
            "invalid value type expect a string",
        ),
    ];
    for (objects, vars, expected) in cases {
        let err = run(&objects, vars);
        assert!(err.contains(expected), "{err}\nexpected: {expected}");
    }
}

/// With a namespace in the objref only the resource in that namespace is bound.
#[test]
fn namespace_disambiguates() {
    let mut resources = resources(&[
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc", "namespace": "a"}}),
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc", "namespace": "b"}}),
    ]);
    let vars = json!([{"name": "SVC",
        "objref": {"kind": "Service", "name": "svc", "apiVersion": "v1", "namespace": "b"}}]);
    let mut set = VarSet::new();
    collect(&typed(&vars), file(), &mut resources, &mut set).unwrap();
    assert!(resources.as_slice()[0].var_names.is_empty());
    assert_eq!(resources.as_slice()[1].var_names, vec!["SVC"]);
}

/// kubectl: "var 'SVC' already encountered" when an overlay repeats a base's var.
#[test]
fn duplicate_names_across_layers_are_errors() {
    let vars =
        json!([{"name": "SVC", "objref": {"kind": "Service", "name": "svc", "apiVersion": "v1"}}]);
    let mut base_set = VarSet::new();
    let mut resources = resources(&[service()]);
    collect(&typed(&vars), file(), &mut resources, &mut base_set).unwrap();
    let mut overlay_set = VarSet::new();
    overlay_set.merge(base_set).unwrap();
    let err = collect(&typed(&vars), file(), &mut resources, &mut overlay_set)
        .unwrap_err()
        .to_string();
    assert!(err.contains("var 'SVC' already encountered"), "{err}");
}

#[test]
fn no_vars_change_nothing() {
    let mut resources = resources(&[service()]);
    let before = resources.as_slice()[0].object().clone();
    let warnings = resolve(
        &mut resources,
        &VarSet::new(),
        &TransformerConfig::builtin(),
    )
    .unwrap();
    assert!(warnings.is_empty());
    assert_eq!(resources.as_slice()[0].object(), &before);
}

#[test]
fn rejects_unknown_fields() {
    let err = crate::load::kustomization::Kustomization::parse(
        "vars:\n- name: X\n  objref:\n    knd: Service\n",
        file(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("vars[0].objref.knd"), "{err}");
}

/// kyaml's path syntax: indices, `[name=value]` elements, bracketed keys with dots.
#[test]
fn reads_field_paths() {
    let object = json!({"spec": {"containers": [
        {"name": "a", "image": "ia", "ports": [{"containerPort": 80}]},
        {"name": "com.x", "image": "ix"}]},
        "metadata": {"annotations": {"a.b/c": "v"}}});
    let cases = [
        ("spec.containers[0].image", Some(json!("ia"))),
        ("spec.containers.1.image", Some(json!("ix"))),
        ("spec.containers.[name=com.x].image", Some(json!("ix"))),
        ("spec.containers[0].ports[0].containerPort", Some(json!(80))),
        ("metadata.annotations.[a.b/c]", Some(json!("v"))),
        ("spec.containers[5].image", None),
        ("spec.containers.image", None),
        ("spec.missing", None),
    ];
    for (path, expected) in cases {
        assert_eq!(field_value(&object, path), expected, "{path}");
    }
}

#[test]
fn formats_floats_as_go() {
    assert_eq!(go_format(&json!(1.5)), "1.5");
    assert_eq!(go_format(&json!(1000000.0)), "1e+06");
    assert_eq!(go_format(&json!(123456.7)), "123456.7");
    assert_eq!(go_format(&json!(0.000025)), "2.5e-05");
    assert_eq!(go_format(&json!(7)), "7");
}

/// TestBasicVariableRef (conformance, kubectl agrees): `fieldpath` in
/// lower case is `fieldPath`; kustomize decodes kustomizations with Go JSON.
#[test]
fn field_names_are_case_insensitive() {
    let var: Var = serde_json::from_value(
        json!({"name": "X", "objref": {"Kind": "Service", "name": "s", "APIVERSION": "v1"},
            "fieldref": {"fieldpath": "spec.x"}}),
    )
    .unwrap();
    assert_eq!(var.to_string(), "{X Service.v1.[noGrp] {spec.x}}");
}

/// /tmp/e2e/t6: a var bound to a base's generated ConfigMap still resolves
/// after an overlay's generator replaces it (kubectl: `replaced`).
#[test]
fn binding_survives_generator_replace() {
    use crate::fs::MemFs;
    use crate::generate::{absorb_generated, configmap::config_map};
    use crate::load::kustomization::GeneratorArgs;
    use crate::load::loader::{LoadRestrictions, Loader};
    let fs = MemFs::new();
    let loader = Loader::new(&fs, Path::new("/r"), LoadRestrictions::RootOnly);
    let args = |value: Value| -> GeneratorArgs { serde_json::from_value(value).unwrap() };
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "image": "i", "command": ["$(CFG)"]}]}});
    let mut resources = resources(&[pod]);
    let base = config_map(
        &args(json!({"name": "cfg", "literals": ["a=b"]})),
        None,
        &loader,
        file(),
    )
    .unwrap();
    absorb_generated(&mut resources, base).unwrap();
    let vars = json!([{"name": "CFG", "objref": {"kind": "ConfigMap", "name": "cfg", "apiVersion": "v1"},
        "fieldref": {"fieldPath": "data.a"}}]);
    let mut set = VarSet::new();
    collect(&typed(&vars), file(), &mut resources, &mut set).unwrap();
    let replacement = config_map(
        &args(json!({"name": "cfg", "behavior": "replace", "literals": ["a=replaced"]})),
        None,
        &loader,
        file(),
    )
    .unwrap();
    absorb_generated(&mut resources, replacement).unwrap();
    resolve(&mut resources, &set, &TransformerConfig::builtin()).unwrap();
    assert_eq!(
        resources.as_slice()[0].object()["spec"]["containers"][0]["command"],
        json!(["replaced"])
    );
}
