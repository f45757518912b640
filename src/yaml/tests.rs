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
