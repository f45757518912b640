//! Unit tests of external plugins that need no program: function specs,
//! docker command lines, the state annotations' round trip.

use std::path::Path;

use serde_json::json;

use super::function::{docker_args, FunctionSpec};
use super::state;
use super::*;
use crate::id::{Gvk, ResId};
use crate::resource::{Behavior, Generated, Origin, Resource};

fn spec_of(config: serde_json::Value) -> Result<Option<FunctionSpec>> {
    FunctionSpec::of(&config, Path::new("fn.yaml"))
}

#[test]
fn function_spec_from_the_annotation_the_legacy_one_config_fn_or_container() {
    let exec = spec_of(json!({"metadata": {"annotations": {
        "config.kubernetes.io/function": "exec:\n  path: ./run.sh\n"}}}))
    .unwrap()
    .unwrap();
    assert_eq!(exec.exec.path, "./run.sh");
    let legacy = spec_of(json!({"metadata": {"annotations": {
        "config.k8s.io/function": "container:\n  image: img:1\n  network: true\n"}}}))
    .unwrap()
    .unwrap();
    assert_eq!(legacy.container.image, "img:1");
    assert!(legacy.container.network);
    let config_fn = spec_of(json!({"metadata": {"configFn": {"container": {"image": "x"}}}}))
        .unwrap()
        .unwrap();
    assert_eq!(config_fn.container.image, "x");
    let container = spec_of(json!({"metadata": {"annotations": {
        "config.kubernetes.io/container": "y"}}}))
    .unwrap()
    .unwrap();
    assert_eq!(container.container.image, "y");
    assert!(spec_of(json!({"metadata": {"name": "plain"}}))
        .unwrap()
        .is_none());
}

#[test]
fn function_spec_is_read_strictly() {
    let err = spec_of(json!({"metadata": {"annotations": {
        "config.kubernetes.io/function": "exec:\n  paht: ./run.sh\n"}}}))
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("config.kubernetes.io/function unmarshal error"),
        "{err}"
    );
}

#[test]
fn docker_runs_without_network_as_nobody_with_sorted_env_then_exports() {
    let spec = spec_of(json!({"metadata": {"annotations": {
        "config.kubernetes.io/function":
            "container:\n  image: fn:1\n  envs: [B=2, PASS]\n  mounts:\n  - {type: bind, src: data, dst: /data}\n"}}}))
    .unwrap()
    .unwrap();
    let options = ContainerOptions {
        env: vec!["A=1".into(), "B=3".into(), "OTHER".into()],
        mounts: vec!["type=bind,source=/abs,target=/w,rw=true".into()],
        ..ContainerOptions::default()
    };
    let args = docker_args(&spec, &options, Path::new("/k")).unwrap();
    assert_eq!(
        args.join(" "),
        "run --rm -i -a STDIN -a STDOUT -a STDERR --network none --user nobody \
         --security-opt=no-new-privileges \
         --mount type=bind,source=/k/data,target=/data,readonly \
         --mount type=bind,source=/abs,target=/w \
         -e A=1 -e B=3 -e LOG_TO_STDERR=true -e STRUCTURED_RESULTS=true -e PASS -e OTHER fn:1"
    );
}

#[test]
fn docker_network_is_host_unless_a_network_name_is_given() {
    let spec = spec_of(json!({"metadata": {"annotations": {
        "config.kubernetes.io/function": "container:\n  image: fn\n  network: true\n"}}}))
    .unwrap()
    .unwrap();
    let host = docker_args(&spec, &ContainerOptions::default(), Path::new("/k")).unwrap();
    assert!(host.join(" ").contains("--network host"), "{host:?}");
    let named = ContainerOptions {
        network_name: Some("bridge".into()),
        ..ContainerOptions::default()
    };
    let named = docker_args(&spec, &named, Path::new("/k")).unwrap();
    assert!(named.join(" ").contains("--network bridge"), "{named:?}");
}

// kustomize's TestFnContainerMountsLoadRestrictions_absolute and _outsideCurrentDir.
#[test]
fn mounts_outside_the_kustomization_are_refused() {
    for (src, expected) in [
        ("/tmp/dir", "plugin RenderHelmChart.v1alpha1.[noGrp]/demo.[noNs] with mount path '/tmp/dir' is not permitted; mount paths must be relative to the current kustomization directory"),
        ("./tmp/../../dir", "plugin RenderHelmChart.v1alpha1.[noGrp]/demo.[noNs] with mount path './tmp/../../dir' is not permitted; mount paths must be under the current kustomization directory"),
    ] {
        let config = json!({"apiVersion": "v1alpha1", "kind": "RenderHelmChart", "metadata": {"name": "demo", "annotations": {
            "config.kubernetes.io/function":
                format!("container:\n  image: fn\n  mounts:\n  - {{type: bind, src: '{src}', dst: /x}}\n")}}});
        let spec = spec_of(config.clone()).unwrap().unwrap();
        let err = function::FunctionPlugin::new(spec, &config, "/k".into(), Path::new("fn.yaml"))
            .unwrap_err();
        assert!(err.to_string().contains(expected), "{err}");
    }
}

// kustomize's TestFnContainerMountsLoadRestrictions_root.
#[test]
fn functions_do_not_run_in_the_root_directory() {
    let config = json!({"apiVersion": "examples.config.kubernetes.io/v1beta1", "kind": "CockroachDB",
        "metadata": {"name": "demo", "annotations": {
            "config.kubernetes.io/function": "container:\n  image: example/cockroachdb:v0.1.0\n"}}});
    let spec = spec_of(config.clone()).unwrap().unwrap();
    let function =
        function::FunctionPlugin::new(spec, &config, "/".into(), Path::new("gener.yaml")).unwrap();
    let options = PluginOptions {
        enabled: true,
        ..PluginOptions::default()
    };
    let err = function.run(Vec::new(), &options).unwrap_err();
    assert_eq!(
        err.to_string(),
        "couldn't execute function: root working directory '/' not allowed"
    );
}

#[test]
fn external_plugins_are_refused_without_the_flag_as_kustomize_refuses_them() {
    let fs = crate::fs::MemFs::new();
    let root = Path::new("k");
    let loader = Loader::new(&fs, root, crate::load::loader::LoadRestrictions::RootOnly);
    let config = json!({"apiVersion": "example.com/v1", "kind": "Gen", "metadata": {"name": "g"}});
    let err = configure(
        &config,
        Path::new("k/gen.yaml"),
        &loader,
        &PluginOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "k/gen.yaml: external plugins disabled; unable to load external plugin 'Gen'"
    );
}

#[test]
fn state_goes_out_as_kustomizes_annotations_and_comes_back() {
    let mut resource = Resource::new(
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "p-cm"}}),
        Origin::Inline,
    )
    .unwrap();
    resource.previous_ids = vec![ResId::new(Gvk::new("", "v1", "ConfigMap"), "", "cm")];
    resource.name_prefixes = vec!["p-".into()];
    resource.generated = Some(Generated {
        behavior: Behavior::Create,
        append_hash: true,
    });
    let input = state::plugin_input(&resource);
    assert_eq!(
        input["metadata"]["annotations"],
        json!({
            "internal.config.kubernetes.io/previousKinds": "ConfigMap",
            "internal.config.kubernetes.io/previousNames": "cm",
            "internal.config.kubernetes.io/previousNamespaces": "default",
            "internal.config.kubernetes.io/prefixes": "p-",
            "internal.config.kubernetes.io/generatorBehavior": "unspecified",
            "internal.config.kubernetes.io/needsHashSuffix": "enabled",
            "kustomize.config.k8s.io/id": "kind: ConfigMap\nname: p-cm\nversion: v1\n",
        })
    );
    let mut back = Resource::new(input, Origin::Inline).unwrap();
    state::adopt(&mut back).unwrap();
    assert_eq!(back.object(), resource.object());
    assert_eq!(back.previous_ids[0].name, "cm");
    assert_eq!(back.previous_ids[0].namespace, "default");
    assert_eq!(back.name_prefixes, ["p-"]);
    assert_eq!(back.generated, resource.generated);

    // What the plugin drops is gone.
    let mut bare = Resource::new(resource.object().clone(), Origin::Inline).unwrap();
    state::adopt(&mut bare).unwrap();
    assert!(bare.previous_ids.is_empty() && bare.generated.is_none());
}

#[test]
fn generator_output_options_are_read_and_removed() {
    let mut resource = Resource::new(
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "g", "annotations": {
            "kustomize.config.k8s.io/needs-hash": "true",
            "kustomize.config.k8s.io/behavior": "merge"}}}),
        Origin::Inline,
    )
    .unwrap();
    state::adopt_generated(&mut resource).unwrap();
    assert_eq!(
        resource.generated,
        Some(Generated {
            behavior: Behavior::Merge,
            append_hash: true
        })
    );
    assert!(resource.object()["metadata"].get("annotations").is_none());
    let mut bad = Resource::new(
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "g", "annotations": {
            "kustomize.config.k8s.io/needs-hash": "yes"}}}),
        Origin::Inline,
    )
    .unwrap();
    let err = state::adopt_generated(&mut bad).unwrap_err();
    assert!(
        err.to_string()
            .contains("contains an invalid value (\"yes\")"),
        "{err}"
    );
}

#[test]
fn build_annotations_are_stripped_and_an_emptied_mapping_goes() {
    let mut object = json!({"metadata": {"name": "x", "annotations": {
        "config.kubernetes.io/index": "0",
        "internal.config.kubernetes.io/path": "x.yaml"}}});
    state::strip_build_annotations(&mut object);
    assert_eq!(object, json!({"metadata": {"name": "x"}}));
    let mut kept = json!({"metadata": {"annotations": {"a": "b", "config.k8s.io/id": "1"}}});
    state::strip_kio_annotations(&mut kept);
    assert_eq!(kept, json!({"metadata": {"annotations": {"a": "b"}}}));
}
