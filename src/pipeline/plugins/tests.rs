//! Expected values come from `kubectl kustomize` (v5.5.0): conformance
//! oracles (TestCustomNamePrefixer, TestInlineGenerator,
//! TestNameUpdateInRoleRef2, TestAnnoOrigin*) and trees in /tmp/pl.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::*;
use crate::engine::smp::openapi::SchemaState;
use crate::engine::smp::OpenApi;
use crate::error::{Error, Result};
use crate::fs::MemFs;
use crate::generate;
use crate::load::kustomization::GeneratorArgs;
use crate::load::loader::{LoadRestrictions, Loader};
use crate::resource::{Origin, Resource, ResourceMap};
use crate::testing::{names, resources};
use crate::transform::names;

fn parse(doc: Value) -> Result<BuiltinPlugin> {
    let fs = MemFs::new();
    let loader = Loader::new(&fs, Path::new("/k"), LoadRestrictions::RootOnly);
    super::parse::parse(&doc, Path::new("/k/plugin.yaml"), &loader)
}

/// Runs one configured transformer the way a layer does.
trait RunOver {
    fn run_over(&self, resources: &mut ResourceMap) -> Result<()>;
}

impl RunOver for BuiltinPlugin {
    fn run_over(&self, resources: &mut ResourceMap) -> Result<()> {
        run::run_transformer(self, resources, OpenApi::builtin())
    }
}

fn transform(
    configs: &[PluginConfig],
    resources: &mut ResourceMap,
    loader: &Loader<'_>,
    record: bool,
) -> Result<()> {
    let mut schema = SchemaState::default();
    let mut runner = Runner {
        loader,
        schema: &mut schema,
        record,
        plugins: &PluginOptions::default(),
        warnings: &mut Vec::new(),
    };
    runner.transform(configs, resources)
}

fn generate(
    configs: &[PluginConfig],
    resources: &mut ResourceMap,
    loader: &Loader<'_>,
) -> Result<()> {
    let mut schema = SchemaState::default();
    let mut runner = Runner {
        loader,
        schema: &mut schema,
        record: false,
        plugins: &PluginOptions::default(),
        warnings: &mut Vec::new(),
    };
    runner.generate(configs, resources)
}

fn no_dirs(path: &Path) -> Result<ResourceMap> {
    Err(Error::file(path, "unexpected directory"))
}

#[test]
fn parse_errors_as_kustomize() {
    let cases = [
        (
            json!({"apiVersion": "example.com/v1", "kind": "MyPlugin", "metadata": {"name": "p"}}),
            "external plugins disabled; unable to load external plugin 'MyPlugin'",
        ),
        (
            json!({"apiVersion": "builtin", "kind": "FooTransformer", "metadata": {"name": "p"}}),
            "unable to load builtin FooTransformer.builtin.[noGrp]",
        ),
        (
            json!({"apiVersion": "builtin", "kind": "PrefixTransformer", "metadata": {"name": "p"}, "prefix": "x-"}),
            "fieldSpecs is not expected to be nil",
        ),
    ];
    for (doc, expected) in cases {
        let err = parse(doc).unwrap_err().to_string();
        assert!(err.contains(expected), "{err}\nexpected: {expected}");
    }
}

/// TestCustomNamePrefixer: only the kinds the field specs name are prefixed.
#[test]
fn prefix_suffix_with_own_field_specs() {
    let plugin = parse(
        json!({"apiVersion": "builtin", "kind": "PrefixSuffixTransformer",
        "metadata": {"name": "customPrefixer"}, "prefix": "zzz-",
        "fieldSpecs": [{"kind": "Deployment", "path": "metadata/name"},
                       {"kind": "Service", "path": "metadata/name"}]}),
    )
    .unwrap();
    assert_eq!(plugin.kind(), "PrefixSuffixTransformer");
    let mut resources = resources(&[
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "myDeployment"}}),
        json!({"apiVersion": "v1", "kind": "Role", "metadata": {"name": "myRole"}}),
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "myService"}}),
    ]);
    plugin.run_over(&mut resources).unwrap();
    assert_eq!(
        names(&resources),
        ["zzz-myDeployment", "myRole", "zzz-myService"]
    );
}

/// TestNameUpdateInRoleRef2: unknown keys in a field spec (`name`) are ignored.
#[test]
fn field_spec_unknown_keys_are_ignored() {
    let plugin = parse(
        json!({"apiVersion": "builtin", "kind": "PrefixSuffixTransformer",
        "metadata": {"name": "notImportantHere"}, "suffix": "-suffix",
        "fieldSpecs": [{"path": "metadata/name", "kind": "ClusterRole", "name": "myapp"}]}),
    )
    .unwrap();
    let mut resources = resources(&[
        json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "myapp"}}),
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "myapp"}}),
    ]);
    plugin.run_over(&mut resources).unwrap();
    assert_eq!(names(&resources), ["myapp-suffix", "myapp"]);
}

/// /tmp/pl/a: a generated ConfigMap, then inline HashTransformer and
/// LabelTransformer configs. kubectl hashes twice (the end of the build
/// hashes again) and writes the labels as strings.
#[test]
fn inline_transformers_hash_and_label() {
    let mut fs = MemFs::new();
    fs.add("/k/kustomization.yaml", "");
    let root = PathBuf::from("/k");
    let loader = Loader::new(&fs, &root, LoadRestrictions::RootOnly);
    let mut resources = resources(&[
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "plain"}}),
    ]);
    let args: GeneratorArgs =
        serde_json::from_value(json!({"name": "gen", "literals": ["a=b"]})).unwrap();
    let generated =
        generate::configmap::config_map(&args, None, &loader, Path::new("/k/kustomization.yaml"))
            .unwrap();
    generate::absorb_generated(&mut resources, generated).unwrap();
    let entries = vec![
        "apiVersion: builtin\nkind: HashTransformer\nmetadata:\n  name: h".to_string(),
        "apiVersion: builtin\nkind: LabelTransformer\nmetadata:\n  name: l\nlabels:\n  x: 1\n  y: true\nfieldSpecs:\n- path: metadata/labels\n  create: true\n  name: ignored".to_string(),
    ];
    let configs = load_configs(
        &entries,
        &loader,
        Path::new("/k/kustomization.yaml"),
        &mut no_dirs,
    )
    .unwrap();
    transform(&configs, &mut resources, &loader, false).unwrap();
    generate::hash::add_hash_suffixes(&mut resources).unwrap();
    assert_eq!(names(&resources), ["plain", "gen-4h2mbtbbt6-4h2mbtbbt6"]);
    for resource in resources.iter() {
        assert_eq!(
            resource.object()["metadata"]["labels"],
            json!({"x": "1", "y": "true"})
        );
    }
}

/// TestInlineGenerator and TestAnnoOriginInlineBuiltinGenerator: the name
/// defaults to the config's metadata name; the origin names the config.
#[test]
fn inline_generator() {
    let mut fs = MemFs::new();
    fs.add("/k/kustomization.yaml", "");
    let root = PathBuf::from("/k");
    let loader = Loader::new(&fs, &root, LoadRestrictions::RootOnly);
    let entries = vec!["apiVersion: builtin\nkind: ConfigMapGenerator\nmetadata:\n  name: mymap\nliterals:\n- FRUIT=apple\n- VEGETABLE=carrot".to_string()];
    let configs = load_configs(
        &entries,
        &loader,
        Path::new("/k/kustomization.yaml"),
        &mut no_dirs,
    )
    .unwrap();
    let mut resources = ResourceMap::new();
    generate(&configs, &mut resources, &loader).unwrap();
    generate::hash::add_hash_suffixes(&mut resources).unwrap();
    let cm = &resources.as_slice()[0];
    assert_eq!(cm.name(), "mymap-kfd8tf729k");
    assert_eq!(
        cm.object()["data"],
        json!({"FRUIT": "apple", "VEGETABLE": "carrot"})
    );
    let origin = crate::transform::metadata::origin_text(&cm.origin, Path::new("/k"));
    assert_eq!(
        origin.as_deref(),
        Some("configuredIn: kustomization.yaml\nconfiguredBy:\n  apiVersion: builtin\n  kind: ConfigMapGenerator\n  name: mymap\n")
    );
}

/// TestAnnoOriginBuiltinGeneratorFromFileWithOverlay: a config file; its
/// origin is the file. TestComplexComposition: a directory entry is built
/// as a kustomization and its resources are the configs.
#[test]
fn file_and_directory_entries() {
    let mut fs = MemFs::new();
    fs.add("/r/base/kustomization.yaml", "")
        .add(
            "/r/base/configmap.yaml",
            "apiVersion: builtin\nkind: ConfigMapGenerator\nmetadata:\n  name: notImportantHere\nname: bob\nliterals:\n- fruit=Indian Gooseberry\n- year=2020\n- crisis=true\n",
        )
        .add("/r/base/gen/kustomization.yaml", "resources: [g.yaml]");
    let root = PathBuf::from("/r/base");
    let loader = Loader::new(&fs, &root, LoadRestrictions::RootOnly);
    let mut visited = Vec::new();
    let mut accumulate = |path: &Path| -> Result<ResourceMap> {
        visited.push(path.to_path_buf());
        let object = json!({"apiVersion": "builtin", "kind": "SecretGenerator",
            "metadata": {"name": "s"}, "literals": ["k=v"]});
        let mut map = ResourceMap::new();
        map.append(Resource::new(object, Origin::File(path.join("g.yaml")))?)?;
        Ok(map)
    };
    let configs = load_configs(
        &["configmap.yaml".to_string(), "gen".to_string()],
        &loader,
        Path::new("/r/base/kustomization.yaml"),
        &mut accumulate,
    )
    .unwrap();
    assert_eq!(visited, [PathBuf::from("/r/base/gen")]);
    let mut resources = ResourceMap::new();
    generate(&configs, &mut resources, &loader).unwrap();
    generate::hash::add_hash_suffixes(&mut resources).unwrap();
    let cm = &resources.as_slice()[0];
    assert_eq!(cm.name(), "bob-79t79mt227");
    let origin = crate::transform::metadata::origin_text(&cm.origin, Path::new("/r/prod"));
    assert_eq!(
        origin.as_deref(),
        Some("configuredIn: ../base/configmap.yaml\nconfiguredBy:\n  apiVersion: builtin\n  kind: ConfigMapGenerator\n  name: notImportantHere\n")
    );
    let secret = &resources.as_slice()[1];
    assert_eq!(secret.kind(), "Secret");
    assert_eq!(secret.object()["data"], json!({"k": "dg=="}));
}

/// kubectl: "plugin ConfigMapGenerator... not a transformer" and
/// "plugin LabelTransformer... not a generator".
#[test]
fn wrong_list_is_an_error() {
    let fs = MemFs::new();
    let loader = Loader::new(&fs, Path::new("/k"), LoadRestrictions::RootOnly);
    let file = Path::new("/k/kustomization.yaml");
    let generator = load_configs(
        &["apiVersion: builtin\nkind: ConfigMapGenerator\nmetadata: {name: p}".to_string()],
        &loader,
        file,
        &mut no_dirs,
    )
    .unwrap();
    let err = transform(&generator, &mut ResourceMap::new(), &loader, false)
        .unwrap_err()
        .to_string();
    assert!(err.contains("not a transformer"), "{err}");
    let transformer = load_configs(
        &["apiVersion: builtin\nkind: LabelTransformer\nmetadata: {name: p}".to_string()],
        &loader,
        file,
        &mut no_dirs,
    )
    .unwrap();
    let err = generate(&transformer, &mut ResourceMap::new(), &loader)
        .unwrap_err()
        .to_string();
    assert!(err.contains("not a generator"), "{err}");
}

/// A missing file entry is an error naming it.
#[test]
fn missing_entry() {
    let fs = MemFs::new();
    let loader = Loader::new(&fs, Path::new("/k"), LoadRestrictions::RootOnly);
    let err = load_configs(
        &["nothere.yaml".to_string()],
        &loader,
        Path::new("/k/kustomization.yaml"),
        &mut no_dirs,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("nothere.yaml"), "{err}");
}

#[test]
fn transformations_are_recorded() {
    let fs = MemFs::new();
    let loader = Loader::new(&fs, Path::new("/k"), LoadRestrictions::RootOnly);
    let configs = load_configs(
        &["apiVersion: builtin\nkind: AnnotationsTransformer\nmetadata: {name: a}\nannotations: {x: y}\nfieldSpecs: [{path: metadata/annotations, create: true}]".to_string()],
        &loader,
        Path::new("/k/kustomization.yaml"),
        &mut no_dirs,
    )
    .unwrap();
    let mut resources =
        resources(&[json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}})]);
    transform(&configs, &mut resources, &loader, true).unwrap();
    let r = &resources.as_slice()[0];
    assert_eq!(r.object()["metadata"]["annotations"], json!({"x": "y"}));
    assert_eq!(r.transformations.len(), 1);
    assert_eq!(r.transformations[0].kind, "AnnotationsTransformer");
    assert_eq!(r.transformations[0].name, "a");
}

/// TestIssue1251_Plugins_ProdVsDev (prod): two PatchJson6902Transformer
/// configs, one replacing a container, one adding a field.
#[test]
fn json6902_plugins() {
    let target =
        json!({"group": "apps", "version": "v1", "kind": "Deployment", "name": "my-deployment"});
    let configs = [
        json!({"apiVersion": "builtin", "kind": "PatchJson6902Transformer", "metadata": {"name": "addProbe"},
            "target": target,
            "jsonOp": r#"[{"op": "replace", "path": "/spec/template/spec/containers/0", "value": { "image": "my-image", "livenessProbe": { "httpGet" : {"path": "/healthz", "port": 8080 } }, "name": "my-deployment"}}]"#}),
        json!({"apiVersion": "builtin", "kind": "PatchJson6902Transformer", "metadata": {"name": "addDnsPolicy"},
            "target": target,
            "jsonOp": r#"[{"op": "add", "path": "/spec/template/spec/dnsPolicy", "value": "ClusterFirst"}]"#}),
    ];
    let mut resources = resources(&[json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "my-deployment"},
        "spec": {"template": {"spec": {"dnsPolicy": "None",
            "containers": [{"name": "my-deployment", "image": "my-image"}]}}}})]);
    for config in configs {
        parse(config).unwrap().run_over(&mut resources).unwrap();
    }
    assert_eq!(
        resources.as_slice()[0].object()["spec"],
        json!({"template": {"spec": {"dnsPolicy": "ClusterFirst", "containers": [{
            "image": "my-image", "name": "my-deployment",
            "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}}}]}}})
    );
}

/// TestComplexComposition_Dev_SuccessWithBaseTransformers: a
/// PatchTransformer with a strategic-merge patch and a target.
#[test]
fn patch_transformer_plugin() {
    let plugin = parse(json!({"apiVersion": "builtin", "kind": "PatchTransformer",
        "metadata": {"name": "envFromConfigTrans"},
        "target": {"group": "apps", "version": "v1", "kind": "StatefulSet", "name": "my-sts"},
        "patch": "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: my-sts\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        envFrom:\n        - configMapRef:\n            name: my-config"}))
    .unwrap();
    let mut resources = resources(&[json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": {"name": "my-sts"},
        "spec": {"template": {"spec": {"containers": [{"name": "app", "image": "my-image"}]}}}})]);
    plugin.run_over(&mut resources).unwrap();
    assert_eq!(
        resources.as_slice()[0].object()["spec"]["template"]["spec"]["containers"],
        json!([{"envFrom": [{"configMapRef": {"name": "my-config"}}], "image": "my-image", "name": "app"}])
    );
}

/// TestSKipLocalConfigAfterTransform: a ReplacementTransformer config.
#[test]
fn replacement_transformer_plugin() {
    let plugin = parse(
        json!({"apiVersion": "builtin", "kind": "ReplacementTransformer",
        "metadata": {"name": "buildup"},
        "replacements": [{"source": {"kind": "Pod", "fieldPath": "spec"},
            "targets": [{"select": {"kind": "Deployment"}, "fieldPaths": ["spec.template.spec"],
                "options": {"create": true}}]}]}),
    )
    .unwrap();
    let mut resources = resources(&[
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "buildup"},
            "spec": {"containers": [{"name": "app", "image": "nginx"}]}}),
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "buildup"}}),
    ]);
    plugin.run_over(&mut resources).unwrap();
    assert_eq!(
        resources.as_slice()[1].object()["spec"],
        json!({"template": {"spec": {"containers": [{"image": "nginx", "name": "app"}]}}})
    );
}

#[test]
fn strategic_merge_plugin_needs_content() {
    let err = parse(
        json!({"apiVersion": "builtin", "kind": "PatchStrategicMergeTransformer",
        "metadata": {"name": "p"}}),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("empty file path and empty patch content"),
        "{err}"
    );
}

/// /tmp/pl/b: LabelTransformer reads its config with Go JSON (field names
/// case-insensitive); PrefixTransformer with kyaml (exact), so `PREFIX`
/// and `fieldspecs` are not its fields and it fails for lack of fieldSpecs.
#[test]
fn field_name_case_follows_each_plugin() {
    let labels = parse(json!({"apiVersion": "builtin", "kind": "LabelTransformer",
        "metadata": {"name": "p"}, "LABELS": {"a": "b"},
        "fieldspecs": [{"PATH": "metadata/labels", "Create": true}]}))
    .unwrap();
    let mut resources = resources(&[
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "plain"}}),
    ]);
    labels.run_over(&mut resources).unwrap();
    assert_eq!(
        resources.as_slice()[0].object()["metadata"]["labels"],
        json!({"a": "b"})
    );
    let err = parse(json!({"apiVersion": "builtin", "kind": "PrefixTransformer",
        "metadata": {"name": "p"}, "PREFIX": "x-", "fieldspecs": [{"PATH": "metadata/name"}]}))
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("fieldSpecs is not expected to be nil"),
        "{err}"
    );
}

/// TestGkeGeneratorWithTwo: a ServiceAccount per IAMPolicyGenerator, the
/// namespace only when given.
#[test]
fn iam_policy_generator() {
    let fs = MemFs::new();
    let loader = Loader::new(&fs, Path::new("/k"), LoadRestrictions::RootOnly);
    let entries = vec![
        "apiVersion: builtin\nkind: IAMPolicyGenerator\nmetadata:\n  name: my-gke-generator1\ncloud: gke\nkubernetesService:\n  namespace: k8s-namespace-1\n  name: k8s-sa-name-1\nserviceAccount:\n  name: gsa-name-1\n  projectId: project-id-1".to_string(),
        "apiVersion: builtin\nkind: IAMPolicyGenerator\nmetadata:\n  name: my-gke-generator2\ncloud: gke\nkubernetesService:\n  name: k8s-sa-name-2\nserviceAccount:\n  name: gsa-name-2\n  projectId: project-id-2".to_string(),
    ];
    let configs = load_configs(
        &entries,
        &loader,
        Path::new("/k/kustomization.yaml"),
        &mut no_dirs,
    )
    .unwrap();
    let mut resources = ResourceMap::new();
    generate(&configs, &mut resources, &loader).unwrap();
    let objects: Vec<&Value> = resources.iter().map(Resource::object).collect();
    assert_eq!(
        objects,
        [
            &json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {
                "annotations": {"iam.gke.io/gcp-service-account": "gsa-name-1@project-id-1.iam.gserviceaccount.com"},
                "name": "k8s-sa-name-1", "namespace": "k8s-namespace-1"}}),
            &json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {
                "annotations": {"iam.gke.io/gcp-service-account": "gsa-name-2@project-id-2.iam.gserviceaccount.com"},
                "name": "k8s-sa-name-2"}}),
        ]
    );
}

/// /tmp/e2e/t2: kubectl runs every inline config before the path entries,
/// whatever their order in the list.
#[test]
fn inline_entries_come_before_paths() {
    let mut fs = MemFs::new();
    fs.add(
        "/k/t.yaml",
        "apiVersion: builtin\nkind: AnnotationsTransformer\nmetadata:\n  name: fromfile\n",
    );
    let root = PathBuf::from("/k");
    let loader = Loader::new(&fs, &root, LoadRestrictions::RootOnly);
    let entries = vec![
        "t.yaml".to_string(),
        "apiVersion: builtin\nkind: LabelTransformer\nmetadata:\n  name: inline\n".to_string(),
    ];
    let configs = load_configs(
        &entries,
        &loader,
        Path::new("/k/kustomization.yaml"),
        &mut no_dirs,
    )
    .unwrap();
    let order: Vec<(&str, &Path)> = configs
        .iter()
        .map(|c| (c.configured.name.as_str(), c.configured.file.as_path()))
        .collect();
    assert_eq!(
        order,
        [
            ("inline", Path::new("/k/kustomization.yaml")),
            ("fromfile", Path::new("/k/t.yaml"))
        ]
    );
}

/// /tmp/pl/r: ReplicaCountTransformer with its own field specs, matched by
/// the original name after a prefix; a quoted count stays quoted.
#[test]
fn replica_count_with_own_specs() {
    let config = |name: &str| {
        json!({"apiVersion": "builtin", "kind": "ReplicaCountTransformer", "metadata": {"name": "r"},
            "replica": {"name": name, "count": 5},
            "fieldSpecs": [{"kind": "MyApp", "path": "spec/size", "create": true},
                           {"kind": "Other", "path": "spec/replicas"}]})
    };
    let mut resources = resources(&[
        json!({"apiVersion": "example.com/v1", "kind": "MyApp", "metadata": {"name": "app"}}),
        json!({"apiVersion": "example.com/v1", "kind": "Other", "metadata": {"name": "app"}, "spec": {"replicas": "2"}}),
        json!({"apiVersion": "example.com/v1", "kind": "MyApp", "metadata": {"name": "other"}}),
    ]);
    names::apply_prefix(
        &mut resources,
        "p-",
        &crate::engine::fieldspec::TransformerConfig::builtin().name_prefix,
    )
    .unwrap();
    parse(config("app"))
        .unwrap()
        .run_over(&mut resources)
        .unwrap();
    let objects: Vec<&Value> = resources.iter().map(Resource::object).collect();
    assert_eq!(objects[0]["spec"], json!({"size": 5}));
    assert_eq!(objects[1]["spec"], json!({"replicas": "5"}));
    assert_eq!(objects[2].get("spec"), None);
    let err = parse(config("nomatch"))
        .unwrap()
        .run_over(&mut resources)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("resource with name nomatch does not match a config with the following GVK [MyApp.[noVer].[noGrp] Other.[noVer].[noGrp]]"),
        "{err}"
    );
}
