//! Performance: server-side applies one request each, as `strata apply`
//! sends them. The time is printed, never asserted; the quarters show
//! whether later requests get slower (they would if a request scanned every
//! stored object). `cargo test` applies 200 objects to stay fast; measure
//! with `APISERVER_LOAD_OBJECTS=2000 cargo test --test apiserver_behaviour
//! load -- --nocapture`.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::Fixture;

/// How many objects to apply (a multiple of 4: the kinds take turns).
fn objects() -> usize {
    std::env::var("APISERVER_LOAD_OBJECTS")
        .ok()
        .and_then(|count| count.parse::<usize>().ok())
        .map(|count| count.max(4) / 4 * 4)
        .unwrap_or(200)
}

/// The i-th object: ConfigMaps, Services and Deployments in turn.
fn object(i: usize) -> (String, Value) {
    let name = format!("app-{i:04}");
    let labels = json!({"app": name, "part-of": "load"});
    match i % 4 {
        0 | 1 => (
            format!("/api/v1/namespaces/load/configmaps/{name}"),
            json!({"apiVersion": "v1", "kind": "ConfigMap",
                   "metadata": {"name": name, "namespace": "load", "labels": labels},
                   "data": {"index": i.to_string(), "settings.yaml": "a: 1\nb: 2\n"}}),
        ),
        2 => (
            format!("/api/v1/namespaces/load/services/{name}"),
            json!({"apiVersion": "v1", "kind": "Service",
                   "metadata": {"name": name, "namespace": "load", "labels": labels},
                   "spec": {"selector": {"app": name}, "ports": [{"port": 80, "targetPort": 8080}]}}),
        ),
        _ => (
            format!("/apis/apps/v1/namespaces/load/deployments/{name}"),
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
                   "metadata": {"name": name, "namespace": "load", "labels": labels},
                   "spec": {"selector": {"matchLabels": {"app": name}},
                            "template": {"metadata": {"labels": {"app": name}},
                                         "spec": {"containers": [{"name": "app", "image": "nginx:1.27",
                                                                  "ports": [{"containerPort": 8080}]}]}}}}),
        ),
    }
}

#[test]
fn many_applies_one_request_each() {
    let objects = objects();
    let count_u32 = u32::try_from(objects).expect("a sane count");
    let fx = Fixture::with_ready_after(Duration::from_millis(200));
    let http = fx.client();
    let namespace = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "load"}});
    assert_eq!(http.post("/api/v1/namespaces", &namespace).status, 201);
    let started = Instant::now();
    let mut quarters = Vec::new();
    let mut quarter_start = Instant::now();
    for i in 0..objects {
        let (path, body) = object(i);
        let answer = http.apply(&path, "strata", false, &body);
        assert_eq!(answer.status, 201, "{path}: {}", answer.text);
        if (i + 1) % (objects / 4) == 0 {
            quarters.push(quarter_start.elapsed());
            quarter_start = Instant::now();
        }
    }
    let total = started.elapsed();
    eprintln!(
        "measured: {objects} applies in {:.2?} ({:.2?} per request); quarters {:.2?}",
        total,
        total / count_u32,
        quarters
    );
    // Everything is stored, and listing one type reads only that type.
    let count = |path: &str| http.get(path).json()["items"].as_array().unwrap().len();
    assert_eq!(count("/api/v1/namespaces/load/configmaps"), objects / 2 + 1);
    assert_eq!(count("/api/v1/namespaces/load/services"), objects / 4);
    assert_eq!(
        count("/apis/apps/v1/namespaces/load/deployments"),
        objects / 4
    );
    // Re-applying the same objects changes nothing.
    let (path, body) = object(3);
    let before = http.get(&path).json();
    let again = http.apply(&path, "strata", false, &body).json();
    assert_eq!(
        again["metadata"]["resourceVersion"],
        before["metadata"]["resourceVersion"]
    );
}
