//! Expected values come from `kubectl kustomize` (kustomize v5.5.0) run on
//! fixtures in /tmp: a resource whose `spec` carries the value, built through
//! a one-line kustomization.

use std::path::Path;

use serde_json::{json, Value};

use super::*;
use crate::error::ErrorKind;

fn stream(text: &str) -> Vec<Value> {
    match parse_stream(text, Path::new("r.yaml")) {
        Ok(values) => values,
        Err(error) => panic!("{text:?}: {error}"),
    }
}

/// The value of `spec.v` in a one-resource stream.
fn spec_value(yaml_value: &str) -> Value {
    let text = format!("kind: T\nspec:\n  v: {yaml_value}\n");
    let mut docs = stream(&text);
    assert_eq!(docs.len(), 1, "{text}");
    docs.remove(0)["spec"]["v"].take()
}

/// (line, column, message) of a failed parse.
fn stream_error(text: &str) -> (usize, usize, String) {
    match parse_stream(text, Path::new("r.yaml")) {
        Ok(values) => panic!("{text:?} parsed: {values:?}"),
        Err(error) => match error.kind() {
            ErrorKind::Yaml {
                line,
                column,
                message,
                ..
            } => (*line, *column, message.clone()),
            other => panic!("not a YAML error: {other}"),
        },
    }
}

#[test]
fn ordinary_manifest() {
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels: {app: web}\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n      - name: c\n        image: nginx:1.25\n        args: [\"--port\", '80']\n";
    let expected = json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": {"replicas": 3, "template": {"spec": {"containers": [
            {"name": "c", "image": "nginx:1.25", "args": ["--port", "80"]}
        ]}}}
    });
    assert_eq!(stream(text), vec![expected]);
}

/// go-yaml v3 plain-scalar resolution, each row checked with kubectl.
#[test]
fn core_scalar_resolution() {
    let table: &[(&str, Value)] = &[
        // null forms
        ("~", Value::Null),
        ("null", Value::Null),
        ("Null", Value::Null),
        ("NULL", Value::Null),
        ("", Value::Null),
        // only these six are booleans
        ("true", json!(true)),
        ("True", json!(true)),
        ("TRUE", json!(true)),
        ("false", json!(false)),
        ("False", json!(false)),
        ("FALSE", json!(false)),
        ("yes", json!("yes")),
        ("no", json!("no")),
        ("on", json!("on")),
        ("off", json!("off")),
        ("y", json!("y")),
        ("tRUE", json!("tRUE")),
        // ints: Go ParseInt(s, 0, 64) after removing `_`
        ("0777", json!(511)),
        ("0x1F", json!(31)),
        ("0X1F", json!(31)),
        ("-0x1F", json!(-31)),
        ("+0x10", json!(16)),
        ("0x_1F", json!(31)),
        ("0o17", json!(15)),
        ("0b101", json!(5)),
        ("0B11", json!(3)),
        ("-0b101", json!(-5)),
        ("0b-101", json!(-5)),
        ("1_000", json!(1000)),
        ("1__0", json!(10)),
        ("+12", json!(12)),
        ("-0", json!(0)),
        (
            "18446744073709551615",
            json!(18_446_744_073_709_551_615_u64),
        ),
        ("0o8", json!("0o8")),
        // floats: the regex, and ints too big for 64 bits
        ("18446744073709551616", json!(1.844_674_407_370_955_2e19)),
        ("-9223372036854775809", json!(-9.223_372_036_854_776e18)),
        ("08", json!(8.0)),
        ("1e3", json!(1000.0)),
        ("1E3", json!(1000.0)),
        ("1.5", json!(1.5)),
        (".5", json!(0.5)),
        (".5_0", json!(0.5)),
        ("-.5e2", json!(-50.0)),
        ("1.", json!(1.0)),
        ("1_000.5", json!(1000.5)),
        ("0.0000001", json!(1e-7)),
        ("1e-400", json!(0.0)),
        ("1e400", json!("1e400")),
        ("12e", json!("12e")),
        ("-.NaN", json!("-.NaN")),
        // base 60 is not a number in v3
        ("1:20", json!("1:20")),
        ("1:2:3.5", json!("1:2:3.5")),
        ("<<", json!("<<")),
        // quoted scalars are strings
        ("'123'", json!("123")),
        ("\"true\"", json!("true")),
        ("'~'", json!("~")),
    ];
    for (text, expected) in table {
        assert_eq!(&spec_value(text), expected, "value {text:?}");
    }
    // -0.0 stays a float (the emitter prints it as 0).
    assert!(spec_value("-0.0")
        .as_f64()
        .is_some_and(|f| f == 0.0 && f.is_sign_negative()));
}

/// Timestamps become Go RFC3339Nano strings (kubectl output).
#[test]
fn core_timestamps() {
    let table = [
        ("2021-01-01", "2021-01-01T00:00:00Z"),
        ("2021-1-1", "2021-01-01T00:00:00Z"),
        (
            "2001-12-14t21:59:43.10-05:00",
            "2001-12-14T21:59:43.1-05:00",
        ),
        ("2001-12-14T21:59:43.10Z", "2001-12-14T21:59:43.1Z"),
        ("2021-01-01 10:00:00", "2021-01-01T10:00:00Z"),
        ("2021-01-01  10:00:00", "2021-01-01T10:00:00Z"),
        ("2021-1-1 1:2:3", "2021-01-01T01:02:03Z"),
        ("2021-01-01 10:00:00.5", "2021-01-01T10:00:00.5Z"),
        (
            "2021-01-01T10:00:00.123456789123Z",
            "2021-01-01T10:00:00.123456789Z",
        ),
        ("2021-01-01T10:00:00,5Z", "2021-01-01T10:00:00.5Z"),
        ("2021-01-01T10:00:00.000Z", "2021-01-01T10:00:00Z"),
        ("2021-01-01t10:00:00+00:00", "2021-01-01T10:00:00Z"),
        ("2021-01-01T10:00:00-00:30", "2021-01-01T10:00:00-00:30"),
        ("2021-01-01T10:00:00+05:60", "2021-01-01T10:00:00+06:00"),
        ("2020-02-29", "2020-02-29T00:00:00Z"),
        // not timestamps: strings as written
        ("2021-02-30", "2021-02-30"),
        ("2021-01-01T10:00:00", "2021-01-01T10:00:00"),
        ("2021-01-01T24:00:00Z", "2021-01-01T24:00:00Z"),
        ("2021-01-01T10:00:00z", "2021-01-01T10:00:00z"),
    ];
    for (text, expected) in table {
        assert_eq!(spec_value(text), json!(expected), "timestamp {text:?}");
    }
    assert_eq!(
        spec_value("!!timestamp \"2021-01-01\""),
        json!("2021-01-01T00:00:00Z")
    );
    let (line, _, message) = stream_error("kind: T\nspec:\n  v: 2021-01-01T10:00:00+24:00\n");
    assert_eq!(line, 3);
    assert!(
        message.contains("timezone hour outside of range"),
        "{message}"
    );
}

/// Explicit tags (kubectl output).
#[test]
fn core_tags() {
    let table: &[(&str, Value)] = &[
        ("!!str 123", json!("123")),
        ("!!str", json!("")),
        ("!!int \"5\"", json!(5)),
        ("!<tag:yaml.org,2002:int> \"7\"", json!(7)),
        ("!!float \"5\"", json!(5.0)),
        ("!!float 5", json!(5.0)),
        ("!!bool \"true\"", json!(true)),
        ("!!null \"\"", Value::Null),
        ("!!binary aGVsbG8=", json!("hello")),
        ("!!binary |\n    aGVs\n    bG8=", json!("hello")),
        ("!custom foo", json!("foo")),
        ("!custom 123", json!("123")),
        ("! 123", json!(123)),
        ("!custom {a: 1}", json!({"a": 1})),
        ("!custom [1]", json!([1])),
        ("!!map {a: 1}", json!({"a": 1})),
        ("!!seq [1]", json!([1])),
        ("!!str [1]", json!([1])),
    ];
    for (text, expected) in table {
        assert_eq!(&spec_value(text), expected, "value {text:?}");
    }
}

#[test]
fn core_scalar_errors() {
    let table = [
        ("!!int abc", "cannot decode !!str `abc` as a !!int"),
        ("!!float abc", "cannot decode !!str `abc` as a !!float"),
        ("!!bool yes", "cannot decode !!str `yes` as a !!bool"),
        ("!!null foo", "cannot decode !!str `foo` as a !!null"),
        ("!!timestamp 5", "cannot decode !!int `5` as a !!timestamp"),
        (
            "!!binary \"%%%\"",
            "!!binary value contains invalid base64 data",
        ),
        (".inf", "unsupported value: +Inf"),
        ("-.Inf", "unsupported value: -Inf"),
        (".nan", "unsupported value: NaN"),
    ];
    for (text, expected) in table {
        let (line, column, message) = stream_error(&format!("kind: T\nspec:\n  v: {text}\n"));
        assert_eq!((line, column), (3, 6), "{text}");
        assert!(message.contains(expected), "{text}: {message}");
    }
}

#[test]
fn block_scalars() {
    let text = "kind: T\nlit: |\n  a\n   b\n\nfold: >\n  a\n  b\n\n  c\nstrip: |-\n  x\nkeep: |+\n  x\n\nend: |\n  text";
    let doc = &stream(text)[0];
    assert_eq!(doc["lit"], json!("a\n b\n"));
    assert_eq!(doc["fold"], json!("a b\nc\n"));
    assert_eq!(doc["strip"], json!("x"));
    assert_eq!(doc["keep"], json!("x\n\n"));
    // kubectl: a block scalar on the last line without a newline gets none.
    assert_eq!(doc["end"], json!("text"));
}

/// kyaml writes each resource back out with go-yaml before decoding it
/// again; these values change on the way (kubectl output).
#[test]
fn kyaml_round_trip() {
    let text = "kind: T\nspec:\n  z: {k: , j}\n  y: [k: ]\n  e:\n  f: [{a: }, [b]]\n  ? \n  : x\n  g: >\n    folded\n     more\n    back\n  h: >+\n    x\n\n";
    let spec = &stream(text)[0]["spec"];
    assert_eq!(spec["z"], json!({"k": "", "j": ""}));
    assert_eq!(spec["y"], json!([{"k": ""}]));
    assert_eq!(spec["e"], Value::Null);
    assert_eq!(spec["f"], json!([{"a": ""}, ["b"]]));
    assert_eq!(spec[""], json!("x"));
    assert_eq!(spec["g"], json!("folded\n\n more\nback\n"));
    assert_eq!(spec["h"], json!("x\n\n\n"));
    // Config files are not round-tripped.
    let config = config("g: >\n  folded\n   more\nz: {k: }\n");
    assert_eq!(config, json!({"g": "folded\n more\n", "z": {"k": null}}));
}

#[test]
fn keys() {
    // Top level: non-string scalar keys keep their text (kubectl).
    let doc = &stream("kind: T\n1: a\n0x10: b\n2021-01-01: c\n1.50: d\nTRUE: e\n!!binary aGVsbG8=: f\n!foo bar: g\n!!str 5: h\n")[0];
    let keys: Vec<&str> = doc
        .as_object()
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(
        keys,
        [
            "kind",
            "1",
            "0x10",
            "2021-01-01",
            "1.50",
            "TRUE",
            "hello",
            "bar",
            "5"
        ]
    );
    // An alias as a key.
    let doc = &stream("kind: T\nmetadata:\n  name: &n t\n*n : f\n")[0];
    assert_eq!(doc["t"], json!("f"));
    // Nested non-string keys, null keys, collection keys, duplicates: errors.
    let errors = [
        ("kind: T\nspec:\n  1: a\n", (3, 3), "not a string"),
        ("kind: T\nspec:\n  true: a\n", (3, 3), "not a string"),
        ("kind: T\nspec:\n  2021-01-01: a\n", (3, 3), "not a string"),
        ("kind: T\nspec:\n  !foo x: a\n", (3, 3), "not a string"),
        ("kind: T\nspec:\n  x: 1\n  null: c\n", (4, 3), "null"),
        ("kind: T\n~: a\n", (2, 1), "null"),
        (
            "kind: T\nspec:\n  ? [a]\n  : x\n",
            (3, 5),
            "not a collection",
        ),
        ("kind: T\n? {a: 1}\n: x\n", (2, 3), "not a collection"),
        (
            "kind: T\nspec:\n  a: 1\n  a: 2\n",
            (4, 3),
            "mapping key \"a\" already defined at line 3",
        ),
        (
            "kind: T\nspec:\n  1: a\n  \"1\": b\n",
            (3, 3),
            "not a string",
        ),
        (
            "kind: T\n1: a\n\"1\": b\n",
            (3, 1),
            "mapping key \"1\" already defined at line 2",
        ),
    ];
    for (text, position, expected) in errors {
        let (line, column, message) = stream_error(text);
        assert_eq!((line, column), position, "{text:?}: {message}");
        assert!(message.contains(expected), "{text:?}: {message}");
    }
}

#[test]
fn merge_keys() {
    let text = "kind: T\nspec:\n  base: &b {x: 1, y: 2}\n  other: &o {y: 3, z: 4}\n  m1:\n    <<: *b\n    x: 9\n  m2:\n    <<: [*b, *o]\n  m3:\n    <<: [*o, *b]\n  m4:\n    <<: {a: 1, b: 2}\n    \"<<\": 5\n    b: 3\n  m5:\n    \"<<\": 5\n    c: 1\n";
    let spec = &stream(text)[0]["spec"];
    assert_eq!(spec["m1"], json!({"x": 9, "y": 2}));
    assert_eq!(spec["m2"], json!({"x": 1, "y": 2, "z": 4}));
    assert_eq!(spec["m3"], json!({"x": 1, "y": 3, "z": 4}));
    // kyaml clears the first key spelled `<<`; here the merge key itself.
    assert_eq!(spec["m4"], json!({"<<": 5, "a": 1, "b": 3}));
    assert_eq!(spec["m5"], json!({"c": 1}));
    let errors = [
        (
            "  base: &b [1]\n  m:\n    <<: *b\n",
            (5, 9),
            "invalid map merge: received alias for a non-map value",
        ),
        (
            "  base: &b {a: 1}\n  m:\n    <<: [*b, [x]]\n",
            (5, 14),
            "invalid map merge: received a nested sequence",
        ),
        (
            "  m:\n    <<: [{a: 1}, x]\n",
            (4, 18),
            "map merge requires map or sequence of maps as the value",
        ),
        (
            "  m:\n    <<: 5\n",
            (4, 9),
            "map merge requires map or sequence of maps as the value",
        ),
        (
            "  base: &b {a: 1}\n  m:\n    <<: *b\n    <<: *b\n",
            (6, 5),
            "duplicate merge key",
        ),
    ];
    for (body, position, expected) in errors {
        let text = format!("kind: T\nspec:\n{body}");
        let (line, column, message) = stream_error(&text);
        assert_eq!((line, column), position, "{body:?}: {message}");
        assert!(message.contains(expected), "{body:?}: {message}");
    }
}

/// Merged into `metadata.annotations`, a scalar is its source text (kubectl:
/// tests/cases/merge-key-annotations); elsewhere it keeps its resolved value.
#[test]
fn merged_annotations_keep_source_text() {
    let text = "kind: T\nmetadata:\n  labels: &l\n    e:\n    t: ~\n    n: 1e3\n    h: 0x1F\n  annotations:\n    <<: [*l, {f: , g: 012}]\n    own: 1\nspec:\n  m:\n    <<: *l\n";
    let doc = &stream(text)[0];
    assert_eq!(
        doc["metadata"]["annotations"],
        json!({"own": "1", "e": "", "t": "~", "n": "1e3", "h": "0x1F", "f": "", "g": "012"})
    );
    assert_eq!(
        doc["metadata"]["labels"],
        json!({"e": null, "t": null, "n": 1000.0, "h": 31})
    );
    assert_eq!(doc["spec"]["m"], doc["metadata"]["labels"]);
}

#[test]
fn anchors_and_aliases() {
    let text = "kind: T\nspec:\n  a: &v [1, {b: &s two}]\n  c: *v\n  d: *s\n";
    let spec = &stream(text)[0]["spec"];
    assert_eq!(spec["c"], json!([1, {"b": "two"}]));
    assert_eq!(spec["d"], json!("two"));
    let (line, column, message) = stream_error("kind: T\nspec: &a\n  x: *a\n");
    assert_eq!((line, column), (3, 6));
    assert!(message.contains("recursive"), "{message}");
}

#[test]
fn alias_bomb_is_an_error() {
    let mut text = String::from("kind: T\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for level in 1..10 {
        let previous = format!("*a{}", level - 1);
        let items = [previous.as_str(); 10].join(", ");
        text.push_str(&format!("a{level}: &a{level} [{items}]\n"));
    }
    let (line, _, message) = stream_error(&text);
    assert!(line > 2, "{line}");
    assert!(message.contains("excessive aliasing"), "{message}");
    // Ordinary reuse stays within the budget.
    let mut text = String::from("kind: T\nbase: &b {a: 1, b: 2}\nitems:\n");
    for _ in 0..2000 {
        text.push_str("- *b\n");
    }
    assert_eq!(
        stream(&text)[0]["items"].as_array().map(Vec::len),
        Some(2000)
    );
}

#[test]
fn documents() {
    let text = "---\n---\n# only a comment\n---\n~\n---\nkind: A\n...\nkind: ignored\n---   # comment\nkind: B\n---\n";
    assert_eq!(
        stream(text),
        vec![json!({"kind": "A"}), json!({"kind": "B"})]
    );
    assert_eq!(stream(""), Vec::<Value>::new());
    // Empty collections are dropped too, and null list items are kept (kubectl).
    assert_eq!(
        stream("kind: A\n---\n!!map {}\n---\n[]\n---\n{}\n"),
        vec![json!({"kind": "A"})]
    );
    assert_eq!(
        stream("kind: A\nl:\n-\n- a\n"),
        vec![json!({"kind": "A", "l": [null, "a"]})]
    );
    assert_eq!(stream("# nothing\n"), Vec::<Value>::new());
    assert_eq!(
        stream("kind: A\r\n---\r\nkind: B\r\n"),
        vec![json!({"kind": "A"}), json!({"kind": "B"})]
    );
    let errors = [
        ("just a scalar\n", (1, 1), "missing Resource metadata"),
        (
            "kind: A\n---\n- a\n- b\n",
            (3, 1),
            "missing Resource metadata",
        ),
        (
            "kind: A\n--- foo\nkind: B\n",
            (2, 1),
            "invalid document separator: --- foo",
        ),
        (
            "kind: A\n----\nkind: B\n",
            (2, 1),
            "invalid document separator: ----",
        ),
    ];
    for (text, position, expected) in errors {
        let (line, column, message) = stream_error(text);
        assert_eq!((line, column), position, "{text:?}: {message}");
        assert!(message.contains(expected), "{text:?}: {message}");
    }
}

#[test]
fn syntax_error_positions() {
    let errors = [
        // Positions count lines of the whole file, also after `---`.
        ("kind: A\n---\nkind: B\nspec: [1, 2\n", 4),
        ("kind: A\nspec:\n  a: 1\n b: 2\n", 4),
        ("kind: A\nspec: *nope\n", 2),
        ("kind: A\nspec: \"unterminated\n", 2),
    ];
    for (text, expected_line) in errors {
        let (line, column, message) = stream_error(text);
        assert_eq!(line, expected_line, "{text:?}: {message}");
        assert!(column >= 1, "{text:?}");
    }
}

fn config(text: &str) -> Value {
    match parse_config(text, Path::new("kustomization.yaml")) {
        Ok(value) => value,
        Err(error) => panic!("{text:?}: {error}"),
    }
}

/// sigs.k8s.io/yaml (go-yaml v2) resolution, checked with kubectl through
/// `replicas[].count`, `namespace` and `commonAnnotations`.
#[test]
fn config_scalar_resolution() {
    let table: &[(&str, Value)] = &[
        ("yes", json!(true)),
        ("y", json!(true)),
        ("Y", json!(true)),
        ("on", json!(true)),
        ("No", json!(false)),
        ("n", json!(false)),
        ("OFF", json!(false)),
        ("0o17", json!(15)),
        ("0x10", json!(16)),
        ("1_0", json!(10)),
        ("017", json!(15)),
        ("0b11", json!(3)),
        ("!!int \"5\"", json!(5)),
        ("+7", json!(7)),
        ("1.0", json!(1.0)),
        ("1e1", json!(10.0)),
        ("~", Value::Null),
        // timestamps stay text in go-yaml v2
        ("2021-01-01", json!("2021-01-01")),
        ("x", json!("x")),
    ];
    for (text, expected) in table {
        assert_eq!(
            &config(&format!("v: {text}\n"))["v"],
            expected,
            "value {text:?}"
        );
    }
}

#[test]
fn config_documents_and_keys() {
    assert_eq!(config(""), Value::Null);
    assert_eq!(config("# only a comment\n"), Value::Null);
    // Only the first document; later duplicates win.
    assert_eq!(
        config("namespace: ok\n---\nnamespace: other\n"),
        json!({"namespace": "ok"})
    );
    assert_eq!(
        config("namePrefix: a-\nnamePrefix: b-\n"),
        json!({"namePrefix": "b-"})
    );
    // Keys become strings as sigs.k8s.io/yaml converts them (kubectl shows
    // them as annotation keys 16, 1e+06, true, 1.5).
    let value = config("m:\n  1: a\n  0x10: b\n  1.5: c\n  1e6: d\n  yes: e\n  2021-01-01: f\n");
    assert_eq!(
        value,
        json!({"m": {"1": "a", "16": "b", "1.5": "c", "1e+06": "d", "true": "e", "2021-01-01": "f"}})
    );
    // `y` is a YAML 1.1 boolean, so this key is "true".
    assert_eq!(
        config("a: &a {x: 1}\nb:\n  <<: *a\n  y: 2\n"),
        json!({"a": {"x": 1}, "b": {"x": 1, "true": 2}})
    );
    let failure = parse_config("a: [1\n", Path::new("k.yaml"));
    assert!(
        matches!(failure.map_err(|e| e.kind().to_string()), Err(m) if m.starts_with("k.yaml:"))
    );
}

/// Seeds for the mutation loop: ordinary manifests and the tricky corners.
const FUZZ_SEEDS: &[&str] = &[
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: \"1\"\n  b: |\n    x\n    y\n",
    "kind: T\nspec:\n  base: &b {x: 1, y: [2, 3]}\n  m:\n    <<: [*b, {z: 4}]\n    x: 9\n---\nkind: U\n...\nkind: V\n",
    "--- !tag\n? [a, b]\n: {c: d}\n\"q\": 'r'\n!!binary aGVsbG8=: !!int 0x1F\n",
    "a: 2021-01-01T10:00:00.5+05:30\nb: 0777\nc: 1e3\nd: .inf\ne: ~\nf: yes\ng: !!timestamp 2021-1-1\n",
    "%YAML 1.2\n---\nlist:\n- - nested\n  - >-\n    folded\n    text\n- {a: *missing}\n",
    "x: &a [*a]\ny: &b {k: &c v, l: *c}\nz: [*b, *b, *b]\n",
];

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n as u64).max(1)).unwrap_or(0)
    }
}

/// Characters that matter to YAML, plus some that matter to us.
const FUZZ_ALPHABET: &[char] = &[
    '-', ':', '?', '[', ']', '{', '}', ',', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '#',
    '\n', ' ', '\t', '\r', '.', '<', '~', '0', '1', '9', 'a', 'x', 'e', 'T', 'Z', '_', '+', '\\',
    'é', '\u{FEFF}', '\u{2028}', '😀',
];

fn mutate(rng: &mut Rng, chars: &mut Vec<char>) {
    let position = rng.below(chars.len() + 1);
    match rng.below(6) {
        0 => chars.insert(position, FUZZ_ALPHABET[rng.below(FUZZ_ALPHABET.len())]),
        1 if position < chars.len() => {
            chars.remove(position);
        }
        2 if position < chars.len() => {
            chars[position] = FUZZ_ALPHABET[rng.below(FUZZ_ALPHABET.len())]
        }
        3 => {
            let seed: Vec<char> = FUZZ_SEEDS[rng.below(FUZZ_SEEDS.len())].chars().collect();
            let from = rng.below(seed.len());
            let to = (from + rng.below(40)).min(seed.len());
            chars.splice(position..position, seed[from..to].iter().copied());
        }
        4 => chars.truncate(position),
        _ => {
            let from = rng.below(chars.len());
            let to = (from + rng.below(20)).min(chars.len());
            let copy: Vec<char> = chars[from..to].to_vec();
            chars.splice(position..position, copy);
        }
    }
}

/// No input may panic: mutated seeds through both entry points.
#[test]
fn mutated_inputs_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..20_000 {
        let mut chars: Vec<char> = FUZZ_SEEDS[round % FUZZ_SEEDS.len()].chars().collect();
        for _ in 0..=rng.below(8) {
            mutate(&mut rng, &mut chars);
        }
        let text: String = chars.into_iter().collect();
        let outcome = std::panic::catch_unwind(|| {
            let _ = parse_stream(&text, Path::new("f.yaml"));
            let _ = parse_config(&text, Path::new("f.yaml"));
        });
        assert!(outcome.is_ok(), "panic on input {text:?}");
    }
}

/// Errors always carry a position inside the file.
#[test]
fn error_positions_stay_in_the_file() {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    for round in 0..2000 {
        let mut chars: Vec<char> = FUZZ_SEEDS[round % FUZZ_SEEDS.len()].chars().collect();
        for _ in 0..=rng.below(4) {
            mutate(&mut rng, &mut chars);
        }
        let text: String = chars.into_iter().collect();
        let lines = text.split(['\n', '\r']).count().max(1);
        for result in [
            parse_stream(&text, Path::new("f")).err(),
            parse_config(&text, Path::new("f")).err(),
        ] {
            if let Some(ErrorKind::Yaml { line, column, .. }) = result.as_ref().map(Error::kind) {
                assert!(
                    *line >= 1 && *line <= lines + 1 && *column >= 1,
                    "{line}:{column} in {text:?}"
                );
            }
        }
    }
}

#[test]
#[ignore = "timing, run by hand"]
fn timing_large_stream() {
    let one = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-NUM\n  namespace: prod\n  labels:\n    app: web\n    tier: frontend\nspec:\n  replicas: 3\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.25.3\n        ports:\n        - containerPort: 80\n          protocol: TCP\n        env:\n        - name: A\n          value: \"1\"\n        - name: B\n          value: 'two'\n        resources:\n          limits: {cpu: 500m, memory: 128Mi}\n        args:\n        - --flag=true\n        - |\n          multi\n          line\n";
    let mut text = String::new();
    for i in 0..5000 {
        text.push_str(&one.replace("NUM", &i.to_string()));
        text.push_str("---\n");
    }
    let start = std::time::Instant::now();
    let docs = parse_stream(&text, Path::new("big.yaml")).map(|d| d.len());
    eprintln!(
        "{} bytes, {docs:?} docs in {:?}",
        text.len(),
        start.elapsed()
    );
}

#[test]
fn empty_key_after_commented_question_mark() {
    let doc = &stream("kind: T\nspec:\n  ? # explicit\n  # more\n  : x\n")[0];
    assert_eq!(doc["spec"], json!({"": "x"}));
}

/// Only plain, empty, untagged mapping values count (kyaml merge2 keeps the
/// nulls whose node has text: `null`, `~`; kubectl-verified).
#[test]
fn empty_nulls_are_recorded_per_document() {
    let text =
        "a:\nb: null\nc: ~\nd: !!null\ne: ''\nf:\n  - x:\n    y: 1\n  - [ ]\ng/~h:\n---\nk: v\n";
    let documents = parse_stream_with_empty_nulls(text, Path::new("t.yaml")).unwrap();
    let pointers: Vec<Vec<String>> = documents.into_iter().map(|(_, p)| p).collect();
    assert_eq!(
        pointers,
        vec![
            vec!["/a".to_string(), "/f/0/x".into(), "/g~1~0h".into()],
            vec![]
        ]
    );
}
