//! Expected objects are what `kubectl kustomize` (v5.5.0) printed for the
//! same generators (trees under /tmp during development).

use std::path::PathBuf;

use serde_json::json;

use super::*;
use crate::fs::MemFs;
use crate::load::loader::LoadRestrictions;
use crate::resource::Behavior;

const KUST: &str = "/k/kustomization.yaml";

fn fs() -> MemFs {
    let mut fs = MemFs::new();
    fs.add(KUST, "")
        .add("/k/f.txt", "hello\n")
        .add("/k/sub/g.txt", "g")
        .add("/k/dir/y", "x")
        .add("/secret.txt", "s")
        .add("/k/blob.bin", b"\xff\xfe\x00\x01binary".to_vec())
        .add(
            "/k/vars.env",
            b"# comment\n\n  A=1\nB=hello world\nNOEQ\n\xef\xbb\xbfC=x\nD=\"quoted\"\n  # indented\nbad key=1\n1X=2\n=v\nW=1\r\n"
                .to_vec(),
        )
        .add("/k/bom.env", b"\xef\xbb\xbfBOM=yes\nE=".to_vec())
        .add("/k/bad.env", b"A=1\nB=\xff\n".to_vec());
    fs
}

fn args(yaml: Value) -> GeneratorArgs {
    serde_json::from_value(yaml).unwrap()
}

fn run(kind: Kind, generator: Value, global: Option<Value>) -> Result<Resource> {
    let fs = fs();
    let root = PathBuf::from("/k");
    let loader = Loader::new(&fs, &root, LoadRestrictions::RootOnly);
    let global: Option<GeneratorOptions> = global.map(|g| serde_json::from_value(g).unwrap());
    let args = args(generator);
    match kind {
        Kind::ConfigMap => config_map(&args, global.as_ref(), &loader, Path::new(KUST)),
        Kind::Secret => secret(&args, global.as_ref(), &loader, Path::new(KUST)),
    }
}

fn object(kind: Kind, generator: Value) -> Value {
    run(kind, generator, None).unwrap().into_object()
}

fn error(kind: Kind, generator: Value) -> String {
    run(kind, generator, None).unwrap_err().to_string()
}

#[test]
fn literals_follow_kustomize_quote_rules() {
    let got = object(
        Kind::ConfigMap,
        json!({"name": "lit", "literals": ["A=1", "B=\"two\"", "C='three'", "D=\"mixed'", "E=", "F=a=b", "G=\"", "bad key!=x"]}),
    );
    let expected = json!({"A": "1", "B": "two", "C": "three", "D": "\"mixed'", "E": "", "F": "a=b", "G": "\"", "bad key!": "x"});
    assert_eq!(got["data"], expected);
    assert_eq!(got["metadata"], json!({"name": "lit"}));
    assert_eq!(got["apiVersion"], "v1");
    assert_eq!(got["kind"], "ConfigMap");
}

#[test]
fn env_files_follow_kustomize_line_rules() {
    let got = object(
        Kind::ConfigMap,
        json!({"name": "env", "envs": ["vars.env", "bom.env"]}),
    );
    let expected = json!({
        "A": "1", "B": "hello world", "NOEQ": "", "\u{feff}C": "x", "D": "\"quoted\"",
        "bad key": "1", "1X": "2", "W": "1", "BOM": "yes", "E": ""
    });
    assert_eq!(got["data"], expected);
}

#[test]
fn files_are_keyed_by_base_name_or_given_key() {
    let got = object(
        Kind::ConfigMap,
        json!({"name": "files", "files": ["f.txt", "other=f.txt", "sub/g.txt"]}),
    );
    assert_eq!(
        got["data"],
        json!({"f.txt": "hello\n", "other": "hello\n", "g.txt": "g"})
    );
}

#[test]
fn binary_files_go_to_binary_data() {
    let got = object(Kind::ConfigMap, json!({"name": "b", "files": ["blob.bin"]}));
    assert_eq!(got.get("data"), None);
    assert_eq!(got["binaryData"], json!({"blob.bin": "//4AAWJpbmFyeQ=="}));
    let nothing = object(Kind::ConfigMap, json!({"name": "nothing"}));
    assert_eq!(nothing.get("data"), None);
    assert_eq!(nothing.get("binaryData"), None);
}

#[test]
fn secrets_are_base64_with_a_type() {
    let got = object(
        Kind::Secret,
        json!({"name": "s", "literals": ["user=admin", "pass=s3cr3t!<>&"], "files": ["blob.bin"]}),
    );
    assert_eq!(got["type"], "Opaque");
    assert_eq!(
        got["data"],
        json!({"pass": "czNjcjN0ITw+Jg==", "user": "YWRtaW4=", "blob.bin": "//4AAWJpbmFyeQ=="})
    );
    let tls = object(
        Kind::Secret,
        json!({"name": "t", "type": "kubernetes.io/tls"}),
    );
    assert_eq!(tls["type"], "kubernetes.io/tls");
    // `data: {}` is written even with no sources.
    assert_eq!(tls["data"], json!({}));
}

#[test]
fn long_base64_is_wrapped_at_70() {
    let wrapped = encode_base64(&[b'a'; 100]);
    assert_eq!(
        wrapped,
        "YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYW\nFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYQ==\n"
    );
    assert_eq!(encode_base64(b"key\n"), "a2V5Cg==");
}

#[test]
fn options_and_namespace_are_applied() {
    let resource = run(
        Kind::ConfigMap,
        json!({"name": "o", "namespace": "ns1", "literals": ["A=1"], "behavior": "merge",
               "options": {"labels": {"l2": "b", "l1": "local"}, "annotations": {"an": "x"}}}),
        Some(json!({"labels": {"l1": "global", "g": "1"}, "immutable": true, "disableNameSuffixHash": true})),
    )
    .unwrap();
    assert_eq!(
        resource.generated,
        Some(Generated {
            behavior: Behavior::Merge,
            append_hash: false
        })
    );
    let got = resource.into_object();
    assert_eq!(
        got["metadata"],
        json!({"name": "o", "namespace": "ns1", "labels": {"g": "1", "l1": "local", "l2": "b"}, "annotations": {"an": "x"}})
    );
    assert_eq!(got["immutable"], true);
}

#[test]
fn generated_resources_get_a_hash_by_default() {
    let resource = run(
        Kind::Secret,
        json!({"name": "s"}),
        Some(json!({"labels": {"a": "b"}})),
    )
    .unwrap();
    assert_eq!(
        resource.generated,
        Some(Generated {
            behavior: Behavior::Create,
            append_hash: true
        })
    );
    assert!(matches!(
        resource.origin,
        Origin::Generator {
            generator: "secretGenerator",
            ..
        }
    ));
    assert_eq!(resource.labels().unwrap()["a"], "b");
}

#[test]
fn errors_name_the_generator_and_the_source() {
    let cases = [
        (json!({"literals": ["A=1"]}), "must have a `name`"),
        (
            json!({"name": "c", "literals": ["A=1", "A=2"]}),
            "`A` is repeated",
        ),
        (
            json!({"name": "c", "literals": ["A=1"], "files": ["A=f.txt"]}),
            "`A` is repeated",
        ),
        (
            json!({"name": "c", "literals": ["=x"]}),
            "invalid literal `=x`",
        ),
        (
            json!({"name": "c", "literals": ["noeq"]}),
            "invalid literal `noeq`",
        ),
        (
            json!({"name": "c", "files": ["dir"]}),
            "`dir` is a directory",
        ),
        (
            json!({"name": "c", "envs": ["dir"]}),
            "`dir` is a directory",
        ),
        (
            json!({"name": "c", "files": ["nope.txt"]}),
            "file `nope.txt`",
        ),
        (
            json!({"name": "c", "files": ["=f.txt"]}),
            "missing key name",
        ),
        (json!({"name": "c", "files": ["k="]}), "missing file path"),
        (json!({"name": "c", "files": ["a=b=c"]}), "contains `=`"),
        (
            json!({"name": "c", "files": ["../secret.txt"]}),
            "is not in or below",
        ),
        (
            json!({"name": "c", "envs": ["bad.env"]}),
            "line 2 has invalid UTF-8",
        ),
    ];
    for (generator, expected) in cases {
        let message = error(Kind::ConfigMap, generator.clone());
        assert!(message.contains(expected), "{generator}: {message}");
        assert!(message.contains(KUST), "{generator}: {message}");
        if generator.get("name").is_some() {
            assert!(
                message.contains("configMapGenerator `c`"),
                "{generator}: {message}"
            );
        }
    }
}

#[test]
fn load_restrictor_hint_is_kept() {
    let err = run(
        Kind::ConfigMap,
        json!({"name": "c", "files": ["../secret.txt"]}),
        None,
    )
    .unwrap_err();
    assert!(err.hint().is_some_and(|h| h.contains("load-restrictor")));
}

#[test]
fn global_options_merge_like_kustomize() {
    let local: GeneratorOptions =
        serde_json::from_value(json!({"labels": {"a": "local"}, "disableNameSuffixHash": false}))
            .unwrap();
    let global: GeneratorOptions =
        serde_json::from_value(json!({"labels": {"a": "global", "b": "g"}, "annotations": {"x": "y"}, "disableNameSuffixHash": true}))
            .unwrap();
    let merged = merge_options(Some(&local), Some(&global));
    assert_eq!(
        merged.labels.unwrap().get("a").map(String::as_str),
        Some("local")
    );
    assert_eq!(
        merged.annotations.unwrap().get("x").map(String::as_str),
        Some("y")
    );
    assert_eq!(merged.disable_name_suffix_hash, Some(true));
    assert!(merge_options(None, None).labels.is_none());
}

#[test]
fn file_sources_parse_like_go() {
    assert_eq!(base_name("a/b/"), "b");
    assert_eq!(base_name("f"), "f");
    assert_eq!(
        parse_file_source("k=p").unwrap(),
        ("k".to_string(), "p".to_string())
    );
}
