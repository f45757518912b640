//! `strata::cluster` against the test API server in `tests/apiserver`, and
//! the real `kubectl` against that server where `kubectl` is on PATH.

#![cfg(feature = "cluster")]

mod apiserver;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use strata::cluster::{live_state, live_state_as, ClusterOptions, Identity, LiveObject};
use strata::resource::Origin;
use strata::{Resource, ResourceMap};

use apiserver::{ApiServer, Options};

/// Room past the request timeout for a loaded CI machine to notice it.
const SLACK: Duration = Duration::from_secs(3);

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

/// A server whose CRDs and controllers settle before each write is answered.
fn immediate(require_token: bool) -> ApiServer {
    ApiServer::start_with(Options {
        ready_after: Duration::ZERO,
        require_token,
    })
}

fn fixture() -> Fixture {
    fixture_with(immediate(true))
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

fn without_managed_fields(object: &Value) -> Value {
    let mut object = object.clone();
    if let Some(metadata) = object["metadata"].as_object_mut() {
        metadata.remove("managedFields");
    }
    object
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
    // Not forced: kubectl owns the image, so the dry run is refused.
    let error = live_state(&options(&fx.kubeconfig), &desired).expect_err("a conflict");
    assert!(
        error
            .to_string()
            .contains("conflict with other field managers")
            && error.to_string().contains("(owned by kubectl)"),
        "{error}"
    );
    let forced = Identity {
        force_conflicts: true,
        ..Identity::default()
    };
    let object =
        only(live_state_as(&options(&fx.kubeconfig), &forced, &desired).expect("live state"));
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
    // kubectl applied; the deployment controller wrote the status.
    assert_eq!(
        managers(deployment_live),
        [
            ("kubectl".to_string(), "Apply".to_string()),
            ("kube-controller-manager".to_string(), "Update".to_string())
        ]
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
    fx.server.apply(widget.clone(), "strata");
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
        started.elapsed() < options.request_timeout + SLACK,
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
        started.elapsed() < options.request_timeout + SLACK,
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
fn fields_dropped_from_the_build_are_dropped_by_the_dry_run() {
    let fx = fixture();
    let mut labelled = service();
    labelled["metadata"]["labels"] = json!({"app": "web", "tier": "front"});
    fx.server.apply(labelled, "strata");
    // Someone else owns an annotation: it stays.
    fx.server.apply(
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "annotations": {"owner": "ops"}}}),
        "ops",
    );
    let mut desired = service();
    desired["metadata"]["labels"] = json!({"app": "web"});
    let object =
        only(live_state(&options(&fx.kubeconfig), &resources(&[desired])).expect("live state"));
    let live = object.live.expect("live");
    let would_be = object.would_be.expect("dry run");
    assert_eq!(
        live["metadata"]["labels"],
        json!({"app": "web", "tier": "front"})
    );
    assert_eq!(would_be["metadata"]["labels"], json!({"app": "web"}));
    assert_eq!(would_be["metadata"]["annotations"], json!({"owner": "ops"}));
}

#[test]
fn live_state_keeps_build_order_and_ids() {
    let fx = fixture();
    let config = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "kube-system"}, "data": {"a": "1"}});
    let desired = resources(&[service(), config, deployment("nginx:1.27")]);
    let objects = live_state(&options(&fx.kubeconfig), &desired).expect("live state");
    let ids: Vec<String> = objects.iter().map(|object| object.id.to_string()).collect();
    assert_eq!(
        ids,
        [
            "v1 Service web",
            "v1 ConfigMap kube-system/settings",
            "apps/v1 Deployment web"
        ]
    );
    assert_eq!(
        objects[1].would_be.as_ref().expect("dry run")["metadata"]["namespace"],
        "kube-system"
    );
}

#[test]
fn many_objects_come_back_in_build_order() {
    let fx = fixture();
    let config = |index: usize| {
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": format!("c{index:02}")},
               "data": {"index": index.to_string()}})
    };
    for index in (0..40).step_by(3) {
        fx.server.apply(config(index), "strata");
    }
    let desired: Vec<Value> = (0..40).map(config).collect();
    let objects = live_state(&options(&fx.kubeconfig), &resources(&desired)).expect("live state");
    for (index, object) in objects.iter().enumerate() {
        assert_eq!(object.id.name, format!("c{index:02}"));
        assert_eq!(object.live.is_some(), index % 3 == 0, "{}", object.id);
        assert_eq!(
            object.would_be.as_ref().expect("dry run")["data"]["index"],
            index.to_string()
        );
    }
}

#[test]
fn https_with_a_client_certificate() {
    let dir = tempfile::tempdir().expect("temp dir");
    let Some((server, files)) = ApiServer::start_tls(dir.path()) else {
        return;
    };
    server.apply(service(), "kubectl");
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        apiserver::tls_kubeconfig_text(&server.url(), &files),
    )
    .expect("write");
    let object =
        only(live_state(&options(&kubeconfig), &resources(&[service()])).expect("live state"));
    assert!(object.live.is_some());
    assert!(object.would_be.is_some());

    // Without the client certificate the server refuses; without the CA the client does.
    let text = apiserver::tls_kubeconfig_text(&server.url(), &files);
    let anonymous: String = text
        .lines()
        .filter(|line| !line.contains("client-"))
        .map(|line| format!("{line}\n"))
        .collect();
    std::fs::write(&kubeconfig, anonymous.replace("  user:\n", "  user: {}\n")).expect("write");
    let error = live_state(&options(&kubeconfig), &resources(&[service()])).expect_err("401");
    assert!(error.to_string().contains("401"), "{error}");
    let untrusted: String = text
        .lines()
        .filter(|line| !line.contains("certificate-authority"))
        .map(|line| format!("{line}\n"))
        .collect();
    std::fs::write(&kubeconfig, untrusted).expect("write");
    let error = live_state(&options(&kubeconfig), &resources(&[service()])).expect_err("untrusted");
    assert!(
        error.to_string().contains("cannot reach the cluster"),
        "{error}"
    );

    // kubectl talks to it the same way.
    std::fs::write(&kubeconfig, &text).expect("write");
    let fx = Fixture {
        server,
        dir,
        kubeconfig,
    };
    if let Some(kubectl) = Kubectl::new(&fx) {
        let names = kubectl.expect(&["get", "svc", "-o", "name"], None, 0);
        assert_eq!(names.stdout, "service/kubernetes\nservice/web\n");
    }
}

#[test]
fn the_first_failure_in_build_order_is_reported() {
    let fx = fixture();
    let config = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "b"}});
    let desired = resources(&[service(), with_namespace(service(), "a"), config]);
    for _ in 0..3 {
        let error = live_state(&options(&fx.kubeconfig), &desired).expect_err("missing namespaces");
        assert!(
            error.to_string().contains("namespace `a` does not exist"),
            "{error}"
        );
    }
}

/// kubectl against the test server; `None` (with a notice) when kubectl is not on PATH.
struct Kubectl {
    kubeconfig: PathBuf,
    cache: PathBuf,
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Kubectl {
    fn new(fx: &Fixture) -> Option<Kubectl> {
        let found = std::process::Command::new("kubectl")
            .args(["version", "--client"])
            .output()
            .is_ok_and(|output| output.status.success());
        if !found {
            eprintln!("notice: kubectl is not on PATH; skipping the kubectl checks");
            return None;
        }
        Some(Kubectl {
            kubeconfig: fx.kubeconfig.clone(),
            cache: fx.dir.path().join("kube-cache"),
        })
    }

    fn run(&self, args: &[&str], stdin: Option<&str>) -> Run {
        use std::io::Write;
        let mut child = std::process::Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .arg("--cache-dir")
            .arg(&self.cache)
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start kubectl");
        let mut input = child.stdin.take().expect("stdin");
        input
            .write_all(stdin.unwrap_or_default().as_bytes())
            .expect("write stdin");
        drop(input);
        let output = child.wait_with_output().expect("kubectl output");
        Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Runs and expects exit code `code`.
    fn expect(&self, args: &[&str], stdin: Option<&str>, code: i32) -> Run {
        let run = self.run(args, stdin);
        assert_eq!(
            run.code,
            Some(code),
            "kubectl {}\nstdout:\n{}\nstderr:\n{}",
            args.join(" "),
            run.stdout,
            run.stderr
        );
        run
    }
}

/// A stream of JSON objects, which kubectl reads like a YAML stream.
fn manifest(objects: &[Value]) -> String {
    objects
        .iter()
        .map(|object| serde_json::to_string_pretty(object).expect("json"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn kubectl_apply_get_and_diff_against_the_test_server() {
    let fx = fixture_with(immediate(false));
    let Some(kubectl) = Kubectl::new(&fx) else {
        return;
    };
    let v1 = manifest(&[service(), deployment("nginx:1.26")]);
    let applied = kubectl.expect(&["apply", "--server-side", "-f", "-"], Some(&v1), 0);
    assert_eq!(
        applied.stdout,
        "service/web serverside-applied\ndeployment.apps/web serverside-applied\n"
    );
    let names = kubectl.expect(&["get", "deploy,svc", "-o", "name"], None, 0);
    assert_eq!(
        names.stdout,
        "deployment.apps/web\nservice/kubernetes\nservice/web\n"
    );
    let table = kubectl.expect(&["get", "deployments"], None, 0);
    assert!(
        table.stdout.starts_with(
            "NAME   READY   UP-TO-DATE   AVAILABLE   AGE\nweb    1/1     1            1           "
        ),
        "{}",
        table.stdout
    );
    let selected = kubectl.expect(
        &["get", "svc,deploy", "-l", "app=web", "-o", "name"],
        None,
        0,
    );
    assert_eq!(
        selected.stdout, "deployment.apps/web\n",
        "only the deployment is labelled"
    );
    let none = kubectl.expect(
        &["get", "deploy", "-l", "app notin (web)", "-o", "name"],
        None,
        0,
    );
    assert_eq!(none.stdout, "");
    let live = kubectl.expect(&["get", "deploy", "web", "-o", "json"], None, 0);
    let live: Value = serde_json::from_str(&live.stdout).expect("json");
    assert_eq!(live["spec"]["revisionHistoryLimit"], 10);
    assert_eq!(
        managers(&live),
        Vec::<(String, String)>::new(),
        "kubectl hides managedFields"
    );
    let live = kubectl.expect(
        &[
            "get",
            "deploy",
            "web",
            "-o",
            "json",
            "--show-managed-fields",
        ],
        None,
        0,
    );
    let live: Value = serde_json::from_str(&live.stdout).expect("json");
    assert_eq!(
        managers(&live),
        [
            ("kubectl".to_string(), "Apply".to_string()),
            ("kube-controller-manager".to_string(), "Update".to_string())
        ],
        "kubectl's apply, then the deployment controller's status"
    );

    // No change: diff exits 0 and prints nothing.
    let same = kubectl.expect(&["diff", "--server-side", "-f", "-"], Some(&v1), 0);
    assert_eq!(same.stdout, "");
    // A change: diff exits 1 and shows the image line.
    let v2 = manifest(&[service(), deployment("nginx:1.27")]);
    let changed = kubectl.expect(&["diff", "--server-side", "-f", "-"], Some(&v2), 1);
    assert!(
        changed.stdout.contains("-      - image: nginx:1.26"),
        "{}",
        changed.stdout
    );
    assert!(
        changed.stdout.contains("+      - image: nginx:1.27"),
        "{}",
        changed.stdout
    );
    assert!(
        changed.stdout.contains("-  generation: 1"),
        "{}",
        changed.stdout
    );

    // strata sees what kubectl applied, and the same change (forced, as
    // kubectl owns the image).
    let desired = resources(&[service(), deployment("nginx:1.27")]);
    let forced = Identity {
        force_conflicts: true,
        ..Identity::default()
    };
    let objects = live_state_as(&options(&fx.kubeconfig), &forced, &desired).expect("live state");
    let service_live = objects[0].live.clone().expect("live service");
    let service_would_be = objects[0].would_be.clone().expect("dry-run service");
    assert_eq!(
        without_managed_fields(&service_live),
        without_managed_fields(&service_would_be),
        "service unchanged but for strata's managedFields entry"
    );
    // strata's entry changed nothing, so it has no time and sorts first.
    assert_eq!(
        managers(&service_would_be),
        [
            ("strata".to_string(), "Apply".to_string()),
            ("kubectl".to_string(), "Apply".to_string())
        ],
        "equal values are shared, not taken"
    );
    let image = |object: &Option<Value>| {
        object.as_ref().expect("object")["spec"]["template"]["spec"]["containers"][0]["image"]
            .clone()
    };
    assert_eq!(image(&objects[1].live), "nginx:1.26");
    assert_eq!(image(&objects[1].would_be), "nginx:1.27");

    // Another manager's apply conflicts unless forced, as on a real server.
    let conflict = kubectl.expect(
        &[
            "apply",
            "--server-side",
            "--field-manager",
            "other",
            "-f",
            "-",
        ],
        Some(&manifest(&[deployment("nginx:1.28")])),
        1,
    );
    assert!(
        conflict.stderr.contains("conflict with \"kubectl\""),
        "{}",
        conflict.stderr
    );
    kubectl.expect(
        &[
            "apply",
            "--server-side",
            "--field-manager",
            "other",
            "--force-conflicts",
            "-f",
            "-",
        ],
        Some(&manifest(&[deployment("nginx:1.28")])),
        0,
    );
    // A new object: diff shows it whole.
    let settings = manifest(&[json!({"apiVersion": "v1", "kind": "ConfigMap",
                                     "metadata": {"name": "settings"}, "data": {"a": "1"}})]);
    let added = kubectl.expect(&["diff", "--server-side", "-f", "-"], Some(&settings), 1);
    assert!(
        added.stdout.contains("+kind: ConfigMap\n"),
        "{}",
        added.stdout
    );
    assert!(added.stdout.contains("+  a: \"1\"\n"), "{}", added.stdout);
    kubectl.expect(&["get", "cm", "settings"], None, 1);
    let namespaces = kubectl.expect(&["get", "ns", "-o", "name"], None, 0);
    assert_eq!(
        namespaces.stdout,
        "namespace/default\nnamespace/kube-node-lease\nnamespace/kube-public\nnamespace/kube-system\n"
    );
    let everywhere = kubectl.expect(&["get", "deploy", "-A", "-o", "name"], None, 0);
    assert_eq!(everywhere.stdout, "deployment.apps/web\n");
    let removed = kubectl.expect(&["delete", "svc", "web"], None, 0);
    assert_eq!(removed.stdout, "service \"web\" deleted\n");
    kubectl.expect(&["get", "svc", "web"], None, 1);
}

#[test]
fn kubectl_requests_are_served() {
    let fx = fixture_with(immediate(false));
    let Some(kubectl) = Kubectl::new(&fx) else {
        return;
    };
    let objects = manifest(&[deployment("nginx:1.27")]);
    kubectl.expect(&["apply", "--server-side", "-f", "-"], Some(&objects), 0);
    kubectl.expect(&["diff", "--server-side", "-f", "-"], Some(&objects), 0);
    // What kubectl 1.32 asks for, documented in tests/apiserver/mod.rs.
    let requests = fx.server.requests();
    for wanted in [
        "GET /version",
        "GET /openapi/v3?",
        "GET /openapi/v3/apis/apps/v1?hash=",
        "GET /api?",
        "GET /apis?",
        "GET /apis/apps/v1?",
        "PATCH /apis/apps/v1/namespaces/default/deployments/web?fieldManager=kubectl&fieldValidation=Strict&force=false",
        "GET /apis/apps/v1/namespaces/default/deployments/web",
        "PATCH /apis/apps/v1/namespaces/default/deployments/web?dryRun=All&fieldManager=kubectl&force=false",
    ] {
        assert!(
            requests.iter().any(|request| request.starts_with(wanted)),
            "no {wanted} in {requests:#?}"
        );
    }
}

/// A benchmark, not a check: `cargo test --release --test cluster -- --ignored
/// --nocapture live_diff_benchmark` prints how long a live diff of a few
/// hundred resources takes against the test server (tests/bench/run calls it).
#[test]
#[ignore = "benchmark; run explicitly"]
fn live_diff_benchmark() {
    let fx = fixture();
    let count = 300;
    let object = |index: usize| match index % 3 {
        0 => with_name(deployment(&format!("app:{index}")), &format!("app-{index}")),
        1 => with_name(service(), &format!("svc-{index}")),
        _ => json!({"apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": format!("cfg-{index}")},
                    "data": {"index": index.to_string()}}),
    };
    // Half the objects exist already, some of them different from the build.
    for index in (0..count).step_by(2) {
        let mut live = object(index);
        if index % 4 == 0 {
            live["metadata"]["labels"] = json!({"stale": "true"});
        }
        fx.server.apply(live, "strata");
    }
    let desired = resources(&(0..count).map(object).collect::<Vec<_>>());
    let started = Instant::now();
    let objects = live_state(&options(&fx.kubeconfig), &desired).expect("live state");
    let fetched = started.elapsed();
    let state = strata::diff::LiveState { objects };
    let diffs =
        strata::diff::live::compare_live(&desired, &state, &strata::diff::DiffOptions::default())
            .expect("diff");
    let total = started.elapsed();
    println!(
        "live diff: {count} resources, {} differences, {:.3} s reading the cluster (get + dry-run apply), {:.3} s in all",
        diffs.iter().filter(|d| d.change != strata::diff::Change::Unchanged).count(),
        fetched.as_secs_f64(),
        total.as_secs_f64()
    );
    assert_eq!(diffs.len(), count);
}

fn with_name(mut object: Value, name: &str) -> Value {
    object["metadata"]["name"] = json!(name);
    object
}

/// One task for the whole read, a step per object, finished once.
#[test]
fn reading_reports_a_step_per_object() {
    use std::sync::Arc;
    use strata::progress::{Activity, Progress, Recorded, Recorder};

    let fx = fixture();
    fx.server.apply(service(), "kubectl");
    let desired = resources(&[service(), deployment("nginx:1.27")]);
    let recorder = Arc::new(Recorder::default());
    let progress = Progress::to(recorder.clone());
    let objects = strata::cluster::live_state_reporting(
        &options(&fx.kubeconfig),
        &Default::default(),
        &desired,
        &progress,
    )
    .expect("live state");
    assert_eq!(objects.len(), 2);
    let events = recorder.events();
    let Some(Recorded::Started {
        task,
        activity: Activity::ClusterRead,
        subject,
        total: Some(2),
    }) = events.first()
    else {
        panic!("a started read of 2 objects: {events:?}");
    };
    assert_eq!(subject, "2 objects");
    let steps: Vec<u64> = events
        .iter()
        .filter_map(|e| match e {
            Recorded::Advanced { task: t, done } if t == task => Some(*done),
            _ => None,
        })
        .collect();
    assert_eq!(steps, [1, 2]);
    assert_eq!(
        events.last(),
        Some(&Recorded::Finished {
            task: *task,
            ok: true
        })
    );
    assert_eq!(events.len(), 4, "{events:?}");
}
