//! Expected annotations come from `kubectl kustomize` (v5.5.0): the
//! conformance oracles TestAnnoOrigin* / TestAnnoTransformer* and small
//! trees in /tmp named in each test.

use std::path::Path;

use serde_json::json;

use super::*;

fn resource(name: &str, origin: Origin) -> Resource {
    Resource::new(
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name}}),
        origin,
    )
    .unwrap()
}

fn annotation<'a>(resource: &'a Resource, key: &str) -> Option<&'a str> {
    resource
        .annotations()
        .and_then(|a| a.get(key))
        .and_then(Value::as_str)
}

/// TestAnnoOriginLocalFilesWithOverlay and
/// TestAnnoOriginBuiltinGeneratorFromFileWithOverlay (target `prod`).
#[test]
fn origin_paths_are_relative_to_the_top() {
    let top = Path::new("/r/prod");
    let cases = [
        (
            Origin::File("/r/base/role.yaml".into()),
            "path: ../base/role.yaml\n",
        ),
        (
            Origin::File("/r/prod/service.yaml".into()),
            "path: service.yaml\n",
        ),
        (
            Origin::Generator {
                kustomization: "/r/base/kustomization.yaml".into(),
                generator: "configMapGenerator",
            },
            "configuredIn: ../base/kustomization.yaml\nconfiguredBy:\n  apiVersion: builtin\n  kind: ConfigMapGenerator\n",
        ),
        (
            Origin::Generator {
                kustomization: "/r/prod/kustomization.yaml".into(),
                generator: "secretGenerator",
            },
            "configuredIn: kustomization.yaml\nconfiguredBy:\n  apiVersion: builtin\n  kind: SecretGenerator\n",
        ),
        (
            Origin::Plugin(Configured {
                file: "/r/base/configmap.yaml".into(),
                api_version: "builtin".into(),
                kind: "ConfigMapGenerator".into(),
                name: "notImportantHere".into(),
                namespace: String::new(),
            }),
            "configuredIn: ../base/configmap.yaml\nconfiguredBy:\n  apiVersion: builtin\n  kind: ConfigMapGenerator\n  name: notImportantHere\n",
        ),
    ];
    for (origin, expected) in cases {
        assert_eq!(origin_text(&origin, top).as_deref(), Some(expected));
    }
    assert_eq!(origin_text(&Origin::Inline, top), None);
}

#[test]
fn relative_paths() {
    let cases = [
        ("/r/base/x.yaml", "/r/prod", "../base/x.yaml"),
        ("/r/prod/x.yaml", "/r/prod", "x.yaml"),
        ("/r/prod/sub/x.yaml", "/r/prod", "sub/x.yaml"),
        ("/a/b/c/x.yaml", "/r/prod", "../../a/b/c/x.yaml"),
        ("base/x.yaml", "prod", "../base/x.yaml"),
        ("x.yaml", "", "x.yaml"),
        ("x.yaml", ".", "x.yaml"),
        ("../base/x.yaml", ".", "../base/x.yaml"),
        ("prod/x.yaml", "prod", "x.yaml"),
    ];
    for (path, top, expected) in cases {
        assert_eq!(
            relative(Path::new(path), Path::new(top)),
            expected,
            "{path}"
        );
    }
}

/// TestAnnoTransformerLocalFilesWithOverlay: base `namePrefix: b-`,
/// overlay `namePrefix: p-` with a file of its own.
#[test]
fn transformations_accumulate_per_layer() {
    let base_file = Path::new("/r/base/kustomization.yaml");
    let prod_file = Path::new("/r/prod/kustomization.yaml");
    let mut resources = ResourceMap::new();
    resources
        .append(resource("myRole", Origin::File("/r/base/role.yaml".into())))
        .unwrap();
    record(
        &mut resources,
        &Configured::builtin(base_file, "PrefixTransformer"),
    );
    resources
        .append(resource(
            "myService2",
            Origin::File("/r/prod/service.yaml".into()),
        ))
        .unwrap();
    record(
        &mut resources,
        &Configured::builtin(prod_file, "PrefixTransformer"),
    );
    let options = BuildMetadata::from_options(&["transformerAnnotations".into()]);
    annotate(&mut resources, Path::new("/r/prod"), options).unwrap();
    let entry = |file: &str| {
        format!("- configuredIn: {file}\n  configuredBy:\n    apiVersion: builtin\n    kind: PrefixTransformer\n")
    };
    let both = entry("../base/kustomization.yaml") + &entry("kustomization.yaml");
    let base = &resources.as_slice()[0];
    assert_eq!(
        annotation(base, TRANSFORMATIONS_ANNOTATION),
        Some(both.as_str())
    );
    assert_eq!(annotation(base, ORIGIN_ANNOTATION), None);
    let own = entry("kustomization.yaml");
    assert_eq!(
        annotation(&resources.as_slice()[1], TRANSFORMATIONS_ANNOTATION),
        Some(own.as_str())
    );
}

/// TestAnnoOriginAndTransformerBuiltinLocal: both annotations.
#[test]
fn both_annotations() {
    let mut resources = ResourceMap::new();
    resources
        .append(resource(
            "myService",
            Origin::File("/r/service.yaml".into()),
        ))
        .unwrap();
    record(
        &mut resources,
        &Configured::builtin(Path::new("/r/kustomization.yaml"), "PrefixTransformer"),
    );
    let options =
        BuildMetadata::from_options(&["originAnnotations".into(), "transformerAnnotations".into()]);
    annotate(&mut resources, Path::new("/r"), options).unwrap();
    let r = &resources.as_slice()[0];
    assert_eq!(
        annotation(r, ORIGIN_ANNOTATION),
        Some("path: service.yaml\n")
    );
    assert_eq!(
        annotation(r, TRANSFORMATIONS_ANNOTATION),
        Some("- configuredIn: kustomization.yaml\n  configuredBy:\n    apiVersion: builtin\n    kind: PrefixTransformer\n")
    );
}

#[test]
fn nothing_without_options() {
    let mut resources = ResourceMap::new();
    resources
        .append(resource("a", Origin::File("/r/a.yaml".into())))
        .unwrap();
    let options = BuildMetadata::from_options(&["managedByLabel".into()]);
    annotate(&mut resources, Path::new("/r"), options).unwrap();
    assert!(resources.as_slice()[0].annotations().is_none());
}
