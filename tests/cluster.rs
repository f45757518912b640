//! `strata::cluster` against the test API server in `tests/apiserver`, and
//! the real `kubectl` against that server where `kubectl` is on PATH.

#![cfg(feature = "cluster")]

mod apiserver;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use strata::cluster::{live_state, ClusterOptions, LiveObject};
use strata::resource::Origin;
use strata::{Resource, ResourceMap};

use apiserver::ApiServer;

fn resources(objects: &[Value]) -> ResourceMap {
    let mut map = ResourceMap::new();
    for object in objects {
        map.append(Resource::new(object.clone(), Origin::Inline).expect("a resource"))
            .expect("unique ids");
    }
    map
}

fn options(kubeconfig: &Path) -> ClusterOptions {
    ClusterOptions {
        kubeconfig: Some(kubeconfig.to_path_buf()),
        context: None,
        namespace: None,
        request_timeout: Duration::from_secs(10),
    }
}

struct Fixture {
    server: ApiServer,
    dir: tempfile::TempDir,
    kubeconfig: PathBuf,
}

fn fixture() -> Fixture {
    fixture_with(ApiServer::start_requiring_token())
}

fn fixture_with(server: ApiServer) -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let kubeconfig = server.write_kubeconfig(dir.path());
    Fixture {
        server,
        dir,
        kubeconfig,
    }
}

fn deployment(image: &str) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": image, "ports": [{"containerPort": 80}]}]},
            },
        },
    })
}

fn service() -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]},
    })
}

fn with_namespace(mut object: Value, namespace: &str) -> Value {
    object["metadata"]["namespace"] = json!(namespace);
    object
}

fn only(objects: Vec<LiveObject>) -> LiveObject {
    assert_eq!(objects.len(), 1, "{objects:?}");
    objects.into_iter().next().expect("one object")
}

fn managers(object: &Value) -> Vec<(String, String)> {
    object["metadata"]["managedFields"]
        .as_array()
        .map(|entries| {
            entries
                .iter()
                .map(|entry| {
                    (
                        entry["manager"].as_str().unwrap_or_default().to_string(),
                        entry["operation"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn absent_object_is_created_by_the_dry_run() {
    let fx = fixture();
    let desired = resources(&[deployment("nginx:1.27")]);
    let object = only(live_state(&options(&fx.kubeconfig), &desired).expect("live state"));
    assert_eq!(object.id.name, "web");
    assert_eq!(object.id.namespace, "", "the id is the build's");
    assert_eq!(object.live, None);
    let would_be = object.would_be.expect("a dry-run result");
    assert_eq!(would_be["metadata"]["namespace"], "default");
    assert_eq!(would_be["spec"]["strategy"]["type"], "RollingUpdate");
    assert_eq!(would_be["spec"]["revisionHistoryLimit"], 10);
    assert_eq!(
        managers(&would_be),
        [("strata".to_string(), "Apply".to_string())]
    );
    // A dry run stores nothing.
    assert_eq!(
        fx.server.get("apps/v1", "Deployment", "default", "web"),
        None
    );
}

#[test]
fn changed_object_shows_live_and_would_be() {
    let fx = fixture();
    fx.server.apply(deployment("nginx:1.26"), "kubectl");
    let desired = resources(&[deployment("nginx:1.27")]);
    let object = only(live_state(&options(&fx.kubeconfig), &desired).expect("live state"));
    let live = object.live.expect("live object");
    let would_be = object.would_be.expect("dry-run result");
    let image =
        |object: &Value| object["spec"]["template"]["spec"]["containers"][0]["image"].clone();
    assert_eq!(image(&live), "nginx:1.26");
    assert_eq!(image(&would_be), "nginx:1.27");
    assert_eq!(would_be["metadata"]["uid"], live["metadata"]["uid"]);
    assert_eq!(would_be["metadata"]["generation"], 2);
    // Forced: strata takes the image from kubectl's manager.
    assert!(managers(&would_be).contains(&("strata".to_string(), "Apply".to_string())));
    let stored = fx
        .server
        .get("apps/v1", "Deployment", "default", "web")
        .expect("stored");
    assert_eq!(image(&stored), "nginx:1.26", "a dry run changes nothing");
}

#[test]
fn unchanged_object_dry_runs_to_itself() {
    let fx = fixture();
    fx.server.apply(deployment("nginx:1.27"), "strata");
    let desired = resources(&[deployment("nginx:1.27")]);
    let object = only(live_state(&options(&fx.kubeconfig), &desired).expect("live state"));
    assert!(object.live.is_some());
    assert_eq!(object.live, object.would_be);
}

#[test]
fn live_objects_carry_server_noise() {
    let fx = fixture();
    fx.server.apply(service(), "kubectl");
    fx.server.apply(deployment("nginx:1.27"), "kubectl");
    let desired = resources(&[service(), deployment("nginx:1.27")]);
    let objects = live_state(&options(&fx.kubeconfig), &desired).expect("live state");
    let service_live = objects[0].live.as_ref().expect("live service");
    let metadata = &service_live["metadata"];
    for field in [
        "uid",
        "resourceVersion",
        "creationTimestamp",
        "managedFields",
    ] {
        assert!(
            metadata.get(field).is_some(),
            "{field} missing in {metadata}"
        );
    }
    let spec = &service_live["spec"];
    assert!(spec["clusterIP"]
        .as_str()
        .is_some_and(|ip| ip.starts_with("10.96.")));
    assert_eq!(spec["type"], "ClusterIP");
    assert_eq!(spec["sessionAffinity"], "None");
    assert_eq!(spec["ports"][0]["targetPort"], 80);
    let would_be = objects[0].would_be.as_ref().expect("dry-run service");
    assert_eq!(
        would_be["spec"]["clusterIP"], spec["clusterIP"],
        "the allocated IP stays"
    );
    let deployment_live = objects[1].live.as_ref().expect("live deployment");
    assert_eq!(deployment_live["metadata"]["generation"], 1);
    assert_eq!(
        deployment_live["spec"]["strategy"]["rollingUpdate"]["maxSurge"],
        "25%"
    );
    assert_eq!(
        deployment_live["spec"]["template"]["metadata"]["creationTimestamp"],
        Value::Null
    );
    // Only kubectl's manager applied; strata's dry run adds its own entry.
    assert_eq!(
        managers(deployment_live),
        [("kubectl".to_string(), "Apply".to_string())]
    );
}

#[test]
fn unknown_kind_is_an_error() {
    let fx = fixture();
    let widget =
        json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}});
    let error =
        live_state(&options(&fx.kubeconfig), &resources(&[widget])).expect_err("unknown kind");
    let message = error.to_string();
    assert!(
        message.contains("does not serve kind `Widget` in `example.com/v1`"),
        "{message}"
    );
}

fn widget_crd(scope: &str) -> Value {
    json!({
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com",
            "scope": scope,
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
            "versions": [{"name": "v1", "served": true, "storage": true,
                          "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}],
        },
    })
}

#[test]
fn unknown_kind_with_its_crd_in_the_build_is_an_addition() {
    let fx = fixture();
    let widget = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"size": 3}});
    let desired = resources(&[widget_crd("Namespaced"), widget]);
    let objects = live_state(&options(&fx.kubeconfig), &desired).expect("live state");
    assert_eq!(objects[0].live, None);
    assert!(objects[0].would_be.is_some(), "the CRD itself dry-runs");
    assert_eq!(objects[1].id.gvk.kind, "Widget");
    assert_eq!(objects[1].live, None);
    assert_eq!(objects[1].would_be, None);
}

#[test]
fn known_custom_kind_is_read_like_any_other() {
    let fx = fixture();
    fx.server.apply(widget_crd("Cluster"), "kubectl");
    let widget = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"size": 3}});
    fx.server.apply(widget.clone(), "kubectl");
    let mut changed = widget.clone();
    changed["spec"]["size"] = json!(4);
    let object =
        only(live_state(&options(&fx.kubeconfig), &resources(&[changed])).expect("live state"));
    assert_eq!(object.live.expect("live")["spec"]["size"], 3);
    let would_be = object.would_be.expect("dry run");
    assert_eq!(would_be["spec"]["size"], 4);
    assert_eq!(
        would_be["metadata"].get("namespace"),
        None,
        "cluster-scoped"
    );
}

#[test]
fn namespace_created_by_the_build_is_an_addition_for_its_objects() {
    let fx = fixture();
    let namespace = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}});
    let desired = resources(&[namespace, with_namespace(service(), "shop")]);
    let objects = live_state(&options(&fx.kubeconfig), &desired).expect("live state");
    assert_eq!(
        objects[0].would_be.as_ref().expect("namespace dry run")["status"]["phase"],
        "Active"
    );
    assert_eq!(objects[1].live, None);
    assert_eq!(objects[1].would_be, None);
}

#[test]
fn missing_namespace_not_in_the_build_is_an_error() {
    let fx = fixture();
    let desired = resources(&[with_namespace(service(), "shop")]);
    let error = live_state(&options(&fx.kubeconfig), &desired).expect_err("missing namespace");
    assert!(
        error
            .to_string()
            .contains("namespace `shop` does not exist"),
        "{error}"
    );
}

#[test]
fn namespace_comes_from_the_option_then_the_context() {
    let fx = fixture();
    fx.server.apply(
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}),
        "kubectl",
    );
    fx.server
        .apply(with_namespace(service(), "shop"), "kubectl");
    let desired = resources(&[service()]);
    let from_context = only(live_state(&options(&fx.kubeconfig), &desired).expect("live state"));
    assert_eq!(from_context.live, None, "the context says default");
    let mut shop = options(&fx.kubeconfig);
    shop.namespace = Some("shop".into());
    let from_option = only(live_state(&shop, &desired).expect("live state"));
    assert_eq!(
        from_option.live.expect("live")["metadata"]["namespace"],
        "shop"
    );
    // As kubectl: an object naming another namespace than --namespace is refused.
    let elsewhere = resources(&[with_namespace(service(), "default")]);
    let error = live_state(&shop, &elsewhere).expect_err("namespace mismatch");
    assert!(
        error
            .to_string()
            .contains("does not match the namespace `shop`"),
        "{error}"
    );
}

#[test]
fn cluster_scoped_kinds_ignore_the_namespace() {
    let fx = fixture();
    let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                      "metadata": {"name": "reader"}, "rules": []});
    fx.server.apply(role.clone(), "kubectl");
    let mut shop = options(&fx.kubeconfig);
    shop.namespace = Some("shop".into());
    let object = only(live_state(&shop, &resources(&[role])).expect("live state"));
    assert!(object.live.is_some());
}

#[test]
fn unreachable_server_fails_fast() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("address").port()
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        apiserver::kubeconfig_text(&format!("http://127.0.0.1:{port}"), "default"),
    )
    .expect("write");
    let mut options = options(&kubeconfig);
    options.request_timeout = Duration::from_secs(2);
    let started = Instant::now();
    let error = live_state(&options, &resources(&[service()])).expect_err("closed port");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "took {:?}",
        started.elapsed()
    );
    assert!(
        error
            .to_string()
            .contains("cannot reach the cluster at http://127.0.0.1:"),
        "{error}"
    );
}

#[test]
fn silent_server_times_out() {
    // Accepts connections (the kernel does) but never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let dir = tempfile::tempdir().expect("temp dir");
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(&kubeconfig, apiserver::kubeconfig_text(&url, "default")).expect("write");
    let mut options = options(&kubeconfig);
    options.request_timeout = Duration::from_secs(1);
    let started = Instant::now();
    let error = live_state(&options, &resources(&[service()])).expect_err("no answer");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    let message = error.to_string();
    assert!(
        message.contains("did not answer within 1s") || message.contains("cannot reach"),
        "{message}"
    );
    drop(listener);
}

#[test]
fn wrong_token_is_refused() {
    let fx = fixture();
    let text = std::fs::read_to_string(&fx.kubeconfig).expect("read");
    std::fs::write(&fx.kubeconfig, text.replace(apiserver::TOKEN, "wrong")).expect("write");
    let error = live_state(&options(&fx.kubeconfig), &resources(&[service()])).expect_err("401");
    assert!(error.to_string().contains("401"), "{error}");
}

#[test]
fn context_option_picks_the_context() {
    let fx = fixture();
    fx.server.apply(service(), "kubectl");
    let good = apiserver::kubeconfig_text(&fx.server.url(), "default");
    // A second context pointing nowhere, made current.
    let text = good
        .replace("current-context: test", "current-context: broken")
        .replace(
            "contexts:\n",
            "contexts:\n- name: broken\n  context:\n    cluster: broken\n    user: test\n",
        )
        .replace(
            "clusters:\n",
            "clusters:\n- name: broken\n  cluster:\n    server: http://127.0.0.1:9\n",
        );
    std::fs::write(&fx.kubeconfig, text).expect("write");
    let mut options = options(&fx.kubeconfig);
    options.request_timeout = Duration::from_secs(2);
    assert!(
        live_state(&options, &resources(&[service()])).is_err(),
        "current context is broken"
    );
    options.context = Some("test".into());
    let object = only(live_state(&options, &resources(&[service()])).expect("live state"));
    assert!(object.live.is_some());
    options.context = Some("nope".into());
    let error = live_state(&options, &resources(&[service()])).expect_err("no such context");
    assert!(error.to_string().contains("nope"), "{error}");
}

#[test]
fn kubeconfig_env_and_exec_plugin_auth() {
    let fx = fixture();
    fx.server.apply(service(), "kubectl");
    let plugin = fx.dir.path().join("credential-plugin");
    std::fs::write(
        &plugin,
        format!(
            "#!/bin/sh\necho '{{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{{\"token\":\"{}\"}}}}'\n",
            apiserver::TOKEN
        ),
    )
    .expect("write plugin");
    make_executable(&plugin);
    let text = apiserver::kubeconfig_text(&fx.server.url(), "default").replace(
        &format!("    token: {}\n", apiserver::TOKEN),
        &format!(
            "    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: {}\n      interactiveMode: Never\n",
            plugin.display()
        ),
    );
    let path = fx.dir.path().join("exec-kubeconfig");
    std::fs::write(&path, text).expect("write");
    // The only test that reads KUBECONFIG; the others pass --kubeconfig.
    std::env::set_var("KUBECONFIG", &path);
    let options = ClusterOptions {
        kubeconfig: None,
        ..options(&path)
    };
    let result = live_state(&options, &resources(&[service()]));
    std::env::remove_var("KUBECONFIG");
    let object = only(result.expect("live state through the exec plugin"));
    assert!(object.live.is_some());
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mut permissions = std::fs::metadata(path).expect("metadata").permissions();
    permissions.set_mode(0o755);
    std::fs::set_permissions(path, permissions).expect("chmod");
}

#[test]
#[ignore]
fn explore_kubectl() {
    let server = ApiServer::start();
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = server.write_kubeconfig(dir.path());
    std::fs::write(
        dir.path().join("app.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    app: web\nspec:\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.27\n        ports:\n        - containerPort: 80\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n  ports:\n  - port: 80\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        let output = std::process::Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .arg("--cache-dir")
            .arg(dir.path().join("cache"))
            .args(args)
            .output()
            .unwrap();
        println!(
            "$ kubectl {}\n{}{}exit {:?}\n",
            args.join(" "),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
            output.status.code()
        );
    };
    let file = dir.path().join("app.yaml");
    let file = file.to_str().unwrap();
    run(&["apply", "--server-side", "-f", file]);
    run(&["get", "deploy,svc"]);
    run(&["get", "deploy", "web", "-o", "yaml"]);
    run(&["diff", "--server-side", "-f", file]);
    for line in server.requests() {
        println!("{line}");
    }
}
