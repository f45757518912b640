//! Expected images are what `kubectl kustomize` (v5.5.0) printed for the
//! same resources and `images:` entries (trees under /tmp during development).

use serde_json::{json, Value};

use super::*;
use crate::resource::{Origin, Resource};

fn image(
    name: &str,
    new_name: Option<&str>,
    new_tag: Option<&str>,
    digest: Option<&str>,
    suffix: Option<&str>,
) -> Image {
    Image {
        name: name.into(),
        new_name: new_name.map(Into::into),
        new_tag: new_tag.map(Into::into),
        digest: digest.map(Into::into),
        tag_suffix: suffix.map(Into::into),
    }
}

fn run(objects: Vec<Value>, images: &[Image]) -> Result<Vec<Value>> {
    let mut resources: ResourceMap = objects
        .into_iter()
        .map(|o| Resource::new(o, Origin::Inline).unwrap())
        .collect();
    apply(
        &mut resources,
        images,
        &crate::engine::fieldspec::TransformerConfig::builtin().images,
    )?;
    Ok(resources
        .into_vec()
        .into_iter()
        .map(Resource::into_object)
        .collect())
}

fn images_of(list: &Value) -> Vec<Value> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| c.get("image").cloned().unwrap_or(Value::Null))
        .collect()
}

fn pod(kind: &str, containers: Vec<Value>) -> Value {
    json!({"apiVersion": "v1", "kind": kind, "metadata": {"name": "x"}, "spec": {"containers": containers}})
}

#[test]
fn deployment_images_match_kubectl() {
    let images = [
        image("nginx", None, Some("2.0"), None, None),
        image("busybox", Some("my/busybox"), None, None, None),
        image("suffixed", None, None, None, Some("-suf")),
        image(
            "localhost:5000/app",
            Some("reg.io/app"),
            None,
            Some("sha256:def"),
            None,
        ),
    ];
    let inputs = [
        "nginx",
        "nginx:1.0",
        "nginx@sha256:abc",
        "nginx:1.0@sha256:abc",
        "docker.io/nginx:1.0",
        "nginxx",
        "suffixed:1.0",
        "suffixed",
        "localhost:5000/app:v1",
        "localhost:5000/app",
    ];
    let expected = [
        "nginx:2.0",
        "nginx:2.0",
        "nginx:2.0",
        "nginx:2.0",
        "docker.io/nginx:1.0",
        "nginxx",
        "suffixed:1.0-suf-suf",
        "suffixed:-suf-suf",
        "reg.io/app@sha256:def",
        "reg.io/app@sha256:def",
    ];
    let mut containers: Vec<Value> = inputs
        .iter()
        .map(|i| json!({"name": "c", "image": i}))
        .collect();
    containers.push(json!({"name": "no-image"}));
    let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
        "spec": {"template": {"spec": {"initContainers": [{"name": "i", "image": "busybox"}], "containers": containers}}}});
    let out = run(vec![deployment], &images).unwrap();
    let spec = &out[0]["spec"]["template"]["spec"];
    let mut want: Vec<Value> = expected.iter().map(|e| json!(e)).collect();
    want.push(Value::Null);
    assert_eq!(images_of(&spec["containers"]), want);
    assert_eq!(spec["containers"][10], json!({"name": "no-image"}));
    assert_eq!(images_of(&spec["initContainers"]), [json!("my/busybox")]);
}

#[test]
fn any_containers_list_is_updated_but_crds_are_not() {
    let images = [
        image("nginx", None, Some("2.0"), None, None),
        image("busybox", Some("my/busybox"), None, None, None),
    ];
    let thing = json!({"apiVersion": "example.com/v1", "kind": "Thing", "metadata": {"name": "t"},
        "spec": {"deep": {"containers": [{"image": "nginx"}], "initContainers": [{"image": "busybox:old"}]},
                 "other": {"containers": "notalist"}}});
    let crd = json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "crd"}, "spec": {"containers": [{"image": "nginx"}]}});
    let service = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"ports": [{"port": 80}]}});
    let out = run(vec![thing, crd.clone(), service.clone()], &images).unwrap();
    assert_eq!(
        images_of(&out[0]["spec"]["deep"]["containers"]),
        [json!("nginx:2.0")]
    );
    assert_eq!(
        images_of(&out[0]["spec"]["deep"]["initContainers"]),
        [json!("my/busybox:old")]
    );
    assert_eq!(out[0]["spec"]["other"]["containers"], "notalist");
    assert_eq!(out[1], crd);
    assert_eq!(out[2], service);
}

#[test]
fn names_are_patterns_and_digests_must_be_sha256() {
    let images = [
        image("regex.y", None, Some("T"), None, None),
        image("abx", None, None, Some("sha256:new"), None),
        image("ab", None, None, None, Some("-s")),
        image(
            "docker.io/library/ab",
            Some("x/ab"),
            Some("9"),
            Some("sha256:d"),
            None,
        ),
    ];
    let cron = json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "cj"},
        "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [
            {"image": "regexay"}, {"image": "regexy"}, {"image": "abx:1@sha256:x"}, {"image": "abx@sha512:x"},
            {"image": "ab@sha256:x:tag"}, {"image": "docker.io/library/ab:v@sha256:q"}, {"image": "ab:1.0"}]}}}}}});
    let pod = pod(
        "Pod",
        vec![
            json!({"image": "ab:1.0"}),
            json!({"image": "ab:1.0@sha256:x"}),
        ],
    );
    let out = run(vec![cron, pod], &images).unwrap();
    let cron_images =
        images_of(&out[0]["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]);
    let expected = [
        "regexay:T",
        "regexy",
        "abx@sha256:new",
        "abx@sha512:x",
        "ab@sha256:x:tag",
        "x/ab:9@sha256:d",
        "ab:1.0-s",
    ];
    assert_eq!(cron_images, expected.map(|e| json!(e)));
    // On `spec/containers[]/image` the suffix is applied twice.
    assert_eq!(
        images_of(&out[1]["spec"]["containers"]),
        [json!("ab:1.0-s-s"), json!("ab:1.0-s-s")]
    );
}

#[test]
fn odd_values() {
    let tag = |name: &str| [image(name, None, Some("T"), None, None)];
    // Case-sensitive; a name with a tag matches that tag; an empty name matches an empty image.
    let out = run(
        vec![pod("Pod", vec![json!({"image": "nginx"})])],
        &tag("NGINX"),
    )
    .unwrap();
    assert_eq!(out[0]["spec"]["containers"][0]["image"], "nginx");
    let out = run(
        vec![pod("Pod", vec![json!({"image": "nginx:1.0"})])],
        &tag("nginx:1.0"),
    )
    .unwrap();
    assert_eq!(out[0]["spec"]["containers"][0]["image"], "nginx:T");
    let out = run(vec![pod("Pod", vec![json!({"image": ""})])], &tag("")).unwrap();
    assert_eq!(out[0]["spec"]["containers"][0]["image"], ":T");
    // Unmatched scalars and nulls are left alone; a spec without containers is not given any.
    let out = run(
        vec![pod(
            "Pod",
            vec![json!({"image": 5}), json!({"image": null})],
        )],
        &tag("nginx"),
    )
    .unwrap();
    assert_eq!(
        images_of(&out[0]["spec"]["containers"]),
        [json!(5), Value::Null]
    );
    let empty = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {"spec": {}}}});
    assert_eq!(run(vec![empty.clone()], &tag("nginx")).unwrap()[0], empty);
}

#[test]
fn errors_as_kustomize() {
    let tag = |name: &str| [image(name, None, Some("T"), None, None)];
    let bad_value = |spec: Value| {
        let object =
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec});
        run(vec![object], &tag("nginx")).unwrap_err().to_string()
    };
    // kubectl: "considering field 'spec/containers[]/image' ...: expected sequence or mapping node".
    let err = bad_value(json!("x"));
    assert!(
        err.contains("spec/containers[]/image") && err.contains("v1 Pod p"),
        "{err}"
    );
    assert!(bad_value(json!({"containers": "notalist"})).contains("expected a list or mapping"));
    // kubectl: "wrong node kind: expected ScalarNode but got MappingNode".
    assert!(bad_value(json!({"containers": [{"image": {"a": "b"}}]})).contains("must be a string"));
    // kubectl: "wrong node kind: expected MappingNode but got ScalarNode".
    assert!(bad_value(json!({"containers": ["notamap"]})).contains("expected a mapping"));
    // kubectl panics on a name that is not a valid pattern.
    let err = run(vec![], &tag("a(b")).unwrap_err().to_string();
    assert!(err.contains("regular expression"), "{err}");
}

#[test]
fn splits_like_kustomize() {
    // kubectl: `host:5000` renamed to `h2` gives `h2:5000`; `/app:v1` renamed to `a2` gives `a2:v1`.
    let cases = [
        ("nginx", ("nginx", "", "")),
        ("nginx:1", ("nginx", "1", "")),
        ("nginx@sha256:a", ("nginx", "", "sha256:a")),
        ("nginx:1@sha256:a", ("nginx", "1", "sha256:a")),
        ("host:5000/app", ("host:5000/app", "", "")),
        ("host:5000/app:v1", ("host:5000/app", "v1", "")),
        ("host:5000", ("host", "5000", "")),
        ("/app:v1", ("/app", "v1", "")),
    ];
    for (input, expected) in cases {
        assert_eq!(split(input), expected, "{input}");
    }
}
