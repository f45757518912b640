//! `strata apply` end to end: the strata binary against the test API server
//! in `tests/apiserver`, checked through what the server stored and the
//! requests it saw; with `kubectl` on PATH, also through `kubectl get`.

#![cfg(feature = "cluster")]

mod apiserver;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use apiserver::{ApiServer, Options};

struct Fixture {
    server: ApiServer,
    dir: tempfile::TempDir,
    kubeconfig: PathBuf,
}

/// A server whose controllers make objects ready `ready_after` after a write.
fn fixture(ready_after: Duration) -> Fixture {
    let server = ApiServer::start_with(Options {
        ready_after,
        require_token: false,
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let kubeconfig = server.write_kubeconfig(dir.path());
    Fixture {
        server,
        dir,
        kubeconfig,
    }
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The `--format json` events, one per stdout line.
    fn events(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
            .collect()
    }
}

impl Fixture {
    /// Writes a kustomization of `objects` (namespace `shop` unless they name one) and returns its directory.
    fn build(&self, name: &str, objects: &[Value]) -> PathBuf {
        let dir = self.dir.path().join(name);
        std::fs::create_dir_all(&dir).expect("mkdir");
        let text: String = objects
            .iter()
            .map(|o| format!("---\n{}", strata::emit::document(o)))
            .collect();
        std::fs::write(dir.join("objects.yaml"), text).expect("write objects");
        std::fs::write(
            dir.join("kustomization.yaml"),
            "resources:\n- objects.yaml\n",
        )
        .expect("write kustomization");
        dir
    }

    /// Runs `strata apply DIR ARGS...` with no terminal (stdin closed).
    fn apply(&self, dir: &Path, args: &[&str]) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_strata"))
            .arg("apply")
            .arg(dir)
            .arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .args(args)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .output()
            .expect("run strata");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    fn expect(&self, dir: &Path, args: &[&str], code: i32) -> Run {
        let run = self.apply(dir, args);
        assert_eq!(
            run.code, code,
            "strata apply {args:?}\nstdout:\n{}\nstderr:\n{}",
            run.stdout, run.stderr
        );
        run
    }

    /// Requests that change something: every non-GET request without `dryRun=All`.
    fn writes(&self) -> Vec<String> {
        self.server
            .requests()
            .into_iter()
            .filter(|r| !r.starts_with("GET ") && !r.contains("dryRun=All"))
            .collect()
    }

    fn position(&self, needle: &str) -> usize {
        let requests = self.server.requests();
        requests
            .iter()
            .position(|r| r.contains(needle) && !r.starts_with("GET ") && !r.contains("dryRun"))
            .unwrap_or_else(|| panic!("no write of {needle} in {requests:#?}"))
    }
}

fn namespace(name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
}

fn config_map(name: &str, data: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": "shop"}, "data": data})
}

fn deployment(image: &str, replicas: u32) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": image}]},
            },
        },
    })
}

fn widget_crd() -> Value {
    json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com", "scope": "Namespaced",
            "names": {"kind": "Widget", "plural": "widgets", "singular": "widget", "listKind": "WidgetList"},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}],
        },
    })
}

fn widget() -> Value {
    json!({"apiVersion": "example.com/v1", "kind": "Widget",
        "metadata": {"name": "w", "namespace": "shop"}, "spec": {"size": 3}})
}

fn job(image: &str) -> Value {
    json!({
        "apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": "migrate", "namespace": "shop"},
        "spec": {"template": {"spec": {"restartPolicy": "Never",
            "containers": [{"name": "migrate", "image": image}]}}},
    })
}

fn kinds_of(events: &[Value], event: &str) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["event"] == event)
        .map(|e| {
            format!(
                "{}/{}",
                e["kind"].as_str().unwrap_or(""),
                e["name"].as_str().unwrap_or("")
            )
        })
        .collect()
}

#[test]
fn a_namespace_crd_and_what_needs_them_apply_in_one_pass_in_order() {
    let fx = fixture(Duration::from_millis(300));
    let dir = fx.build(
        "app",
        &[
            widget(),
            deployment("nginx:1.27", 2),
            config_map("settings", json!({"a": "1"})),
            widget_crd(),
            namespace("shop"),
        ],
    );
    let run = fx.expect(&dir, &["--yes", "--format", "json"], 0);
    // The server saw the namespace and the CRD written before what needs them.
    let ns = fx.position("PATCH /api/v1/namespaces/shop?");
    let crd = fx.position("customresourcedefinitions/widgets.example.com");
    let cr = fx.position("/widgets/w");
    let deploy = fx.position("/deployments/web");
    assert!(
        ns < deploy && crd < cr,
        "order: ns {ns}, crd {crd}, cr {cr}, deployment {deploy}"
    );
    // The custom resource was written only after its CRD was established.
    let crd_ready_read = fx.server.requests()[crd..cr].iter().any(|r| {
        r.starts_with(
            "GET /apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com",
        )
    });
    assert!(
        crd_ready_read,
        "the CRD was read back (waited for) before the widget"
    );

    let events = run.events();
    let planned = kinds_of(&events, "planned");
    assert_eq!(planned.len(), 5, "{planned:?}");
    assert!(kinds_of(&events, "waiting")
        .contains(&"CustomResourceDefinition/widgets.example.com".to_string()));
    let ready = kinds_of(&events, "ready");
    assert!(ready.contains(&"Deployment/web".to_string()), "{ready:?}");
    assert!(kinds_of(&events, "failed").is_empty());
    // Every object stored, owned by strata; the Deployment was waited for until ready.
    let stored = fx
        .server
        .get("apps/v1", "Deployment", "shop", "web")
        .expect("deployment");
    assert_eq!(stored["status"]["readyReplicas"], 2, "{}", stored["status"]);
    assert!(fx
        .server
        .get("example.com/v1", "Widget", "shop", "w")
        .is_some());
    let managers: Vec<&str> = stored["metadata"]["managedFields"]
        .as_array()
        .expect("managed fields")
        .iter()
        .filter(|e| e["operation"] == "Apply")
        .filter_map(|e| e["manager"].as_str())
        .collect();
    assert_eq!(managers, ["strata"]);
    // The applied events follow the steps, and within a step the build order.
    let applied = kinds_of(&events, "applied");
    let at = |name: &str| applied.iter().position(|a| a == name).expect(name);
    assert!(at("Namespace/shop") < at("Widget/w"));
    assert!(at("CustomResourceDefinition/widgets.example.com") < at("Widget/w"));
}

#[test]
fn a_second_apply_of_the_same_build_writes_nothing() {
    let fx = fixture(Duration::ZERO);
    let dir = fx.build(
        "app",
        &[
            namespace("shop"),
            config_map("settings", json!({"a": "1"})),
            deployment("nginx:1.27", 1),
        ],
    );
    fx.expect(&dir, &["--yes"], 0);
    let first = fx.writes().len();
    assert_eq!(first, 3, "{:#?}", fx.writes());
    let again = fx.expect(&dir, &["--yes"], 0);
    assert!(
        again.stderr.contains("nothing to apply"),
        "{}",
        again.stderr
    );
    assert_eq!(
        fx.writes().len(),
        first,
        "no write on the second apply: {:#?}",
        fx.writes()
    );
    // Without --yes and without a terminal, nothing to do is still success.
    fx.expect(&dir, &[], 0);
}

#[test]
fn without_a_terminal_or_yes_it_refuses_and_writes_nothing() {
    let fx = fixture(Duration::ZERO);
    let secret = json!({"apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "db", "namespace": "shop"}, "data": {"password": "aHVudGVyMg=="}});
    let dir = fx.build(
        "app",
        &[
            namespace("shop"),
            config_map("settings", json!({"a": "1"})),
            secret,
        ],
    );
    let run = fx.expect(&dir, &[], 2);
    assert!(
        run.stderr.contains("created   v1 Secret shop/db"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("aHVudGVyMg==") && !run.stderr.contains("hunter2"),
        "Secret values are masked in the plan: {}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("refusing to apply without confirmation"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("created   v1 Namespace shop"),
        "the plan is shown: {}",
        run.stderr
    );
    assert_eq!(fx.writes(), Vec::<String>::new());
    assert_eq!(fx.server.get("v1", "Namespace", "", "shop"), None);
}

#[test]
fn dry_run_runs_the_whole_path_and_writes_nothing() {
    let fx = fixture(Duration::ZERO);
    fx.server.apply(namespace("shop"), "strata");
    fx.server
        .apply(config_map("settings", json!({"a": "1"})), "strata");
    let dir = fx.build(
        "app",
        &[
            namespace("shop"),
            config_map("settings", json!({"a": "2"})),
            namespace("new"),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "n", "namespace": "new"}}),
        ],
    );
    let run = fx.expect(&dir, &["--dry-run=server", "--format", "json"], 0);
    assert_eq!(fx.writes(), Vec::<String>::new(), "only dry runs");
    let dry_patches = fx
        .server
        .requests()
        .iter()
        .filter(|r| r.starts_with("PATCH") && r.contains("dryRun=All"))
        .count();
    // Planning dry-runs three objects, the apply path again.
    assert!(dry_patches >= 5, "{:#?}", fx.server.requests());
    let applied: Vec<Value> = run
        .events()
        .into_iter()
        .filter(|e| e["event"] == "applied")
        .collect();
    assert!(applied.iter().all(|e| e["dryRun"] == true), "{applied:?}");
    let deferred = applied
        .iter()
        .find(|e| e["name"] == "n")
        .expect("the object in the new namespace");
    assert!(
        deferred["reason"]
            .as_str()
            .unwrap_or("")
            .contains("namespace `new`"),
        "{deferred}"
    );
    assert_eq!(fx.server.get("v1", "Namespace", "", "new"), None);
    let stored = fx
        .server
        .get("v1", "ConfigMap", "shop", "settings")
        .expect("configmap");
    assert_eq!(stored["data"]["a"], "1");
}

#[test]
fn a_conflict_fails_the_plan_with_a_table_and_writes_nothing() {
    let fx = fixture(Duration::ZERO);
    fx.server.apply(namespace("shop"), "strata");
    fx.server.apply(deployment("nginx:1.27", 3), "kubectl");
    let dir = fx.build(
        "app",
        &[
            config_map("settings", json!({"a": "1"})),
            deployment("nginx:1.28", 2),
        ],
    );
    let run = fx.expect(&dir, &["--yes"], 1);
    let table: Vec<Vec<&str>> = run
        .stderr
        .lines()
        .skip_while(|line| !line.trim_start().starts_with("FIELD"))
        .take(3)
        .map(|line| line.split_whitespace().collect())
        .collect();
    assert_eq!(
        table,
        [
            vec!["FIELD", "CURRENT", "MANAGER"],
            vec![".spec.replicas", "kubectl"],
            vec![
                ".spec.template.spec.containers[name=\"web\"].image",
                "kubectl"
            ],
        ],
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("apps/v1 Deployment shop/web: conflicts with other field managers"),
        "the failing object is named: {}",
        run.stderr
    );
    assert!(run.stderr.contains("nothing was applied"), "{}", run.stderr);
    assert_eq!(fx.writes(), Vec::<String>::new(), "not even the ConfigMap");

    // strata diff, as the same manager without force, reports the same conflict.
    let diff = Command::new(env!("CARGO_BIN_EXE_strata"))
        .arg("diff")
        .arg(&dir)
        .arg("--kubeconfig")
        .arg(&fx.kubeconfig)
        .output()
        .expect("run strata diff");
    let stderr = String::from_utf8_lossy(&diff.stderr);
    assert_eq!(diff.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("conflict with other field managers") || stderr.contains("would conflict"),
        "{stderr}"
    );

    fx.expect(&dir, &["--yes", "--force-conflicts"], 0);
    let stored = fx
        .server
        .get("apps/v1", "Deployment", "shop", "web")
        .expect("deployment");
    assert_eq!(stored["spec"]["replicas"], 2);
}

#[test]
fn waiting_times_out_with_the_last_status_and_events() {
    let fx = fixture(Duration::from_millis(100));
    fx.server.apply(namespace("shop"), "strata");
    let mut stuck = deployment("nginx:1.27", 1);
    stuck["metadata"]["annotations"] = json!({"test.strata.dev/never-ready": "true"});
    let dir = fx.build("app", &[stuck]);
    let mut stuck_again = deployment("nginx:1.28", 1);
    let started = Instant::now();
    let run = fx.expect(&dir, &["--yes", "--timeout", "3s", "--format", "json"], 3);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    let events = run.events();
    let last = events.last().expect("events");
    assert_eq!(last["event"], "failed", "{last}");
    assert_eq!(last["timedOut"], true, "{last}");
    assert_eq!(last["name"], "web");
    assert!(!last["reason"].as_str().unwrap_or("").is_empty(), "{last}");
    let events_of_it = last["events"].as_array().map_or(0, Vec::len);
    assert!(events_of_it > 0, "its latest events: {last}");
    assert!(kinds_of(&events, "waiting").contains(&"Deployment/web".to_string()));
    assert!(run.stderr.contains("timed out"), "{}", run.stderr);

    // Text: the stalled object, why, and its latest events.
    stuck_again["metadata"]["annotations"] = json!({"test.strata.dev/never-ready": "true"});
    let dir = fx.build("again", &[stuck_again]);
    let text = fx.expect(&dir, &["--yes", "--timeout", "2s"], 3);
    assert!(
        text.stderr
            .contains("timed out waiting apps/v1 Deployment shop/web: "),
        "{}",
        text.stderr
    );
}

#[test]
fn with_wait_false_nothing_is_waited_for() {
    let fx = fixture(Duration::from_millis(100));
    fx.server.apply(namespace("shop"), "strata");
    let mut stuck = deployment("nginx:1.27", 1);
    stuck["metadata"]["annotations"] = json!({"test.strata.dev/never-ready": "true"});
    let dir = fx.build("app", &[stuck]);
    let run = fx.expect(&dir, &["--yes", "--wait=false", "--format", "json"], 0);
    assert!(kinds_of(&run.events(), "waiting").is_empty());
}

#[test]
fn an_immutable_change_is_planned_as_replace_and_replaced_only_when_allowed() {
    let fx = fixture(Duration::ZERO);
    fx.server.apply(namespace("shop"), "strata");
    let old = fx.server.apply(job("migrate:1"), "strata");
    let old_uid = old["metadata"]["uid"].clone();
    let dir = fx.build("app", &[job("migrate:2")]);
    let run = fx.expect(&dir, &["--yes"], 1);
    assert!(
        run.stderr.contains("replace   batch/v1 Job shop/migrate: "),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--replace-immutable"), "{}", run.stderr);
    assert_eq!(fx.writes(), Vec::<String>::new());

    let json = fx.expect(
        &dir,
        &["--yes", "--replace-immutable", "--format", "json"],
        0,
    );
    let events = json.events();
    assert_eq!(events[0]["action"], "replace", "{}", events[0]);
    let requests = fx.writes();
    assert!(
        requests
            .iter()
            .any(|r| r.starts_with("DELETE /apis/batch/v1/namespaces/shop/jobs/migrate")),
        "{requests:#?}"
    );
    let stored = fx
        .server
        .get("batch/v1", "Job", "shop", "migrate")
        .expect("job again");
    assert_ne!(stored["metadata"]["uid"], old_uid, "a new object");
    assert_eq!(
        stored["spec"]["template"]["spec"]["containers"][0]["image"],
        "migrate:2"
    );
    assert!(
        kinds_of(&events, "ready").contains(&"Job/migrate".to_string()),
        "waited for Complete"
    );
}

#[test]
fn fields_of_a_client_side_apply_are_taken_over_so_removed_ones_go() {
    let fx = fixture(Duration::ZERO);
    fx.server.apply(namespace("shop"), "strata");
    let mut old = config_map("settings", json!({"a": "1", "b": "2"}));
    let last_applied = serde_json::to_string(&old).expect("json");
    old["metadata"]["annotations"] =
        json!({"kubectl.kubernetes.io/last-applied-configuration": last_applied});
    fx.server.create_as(old, "kubectl-client-side-apply");
    let dir = fx.build("app", &[config_map("settings", json!({"a": "1"}))]);
    let run = fx.expect(&dir, &["--yes"], 0);
    assert!(
        run.stderr
            .contains("takes over the fields of kubectl-client-side-apply"),
        "{}",
        run.stderr
    );
    let stored = fx
        .server
        .get("v1", "ConfigMap", "shop", "settings")
        .expect("configmap");
    assert_eq!(stored["data"], json!({"a": "1"}), "the removed key went");
    assert_eq!(
        stored["metadata"]["annotations"],
        Value::Null,
        "{}",
        stored["metadata"]
    );
    let managers: Vec<(&str, &str)> = stored["metadata"]["managedFields"]
        .as_array()
        .expect("managed fields")
        .iter()
        .map(|e| {
            (
                e["manager"].as_str().unwrap_or(""),
                e["operation"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(managers, [("strata", "Apply")]);
    let migration = fx
        .writes()
        .into_iter()
        .filter(|r| r.starts_with("PATCH /api/v1/namespaces/shop/configmaps/settings"))
        .count();
    assert_eq!(
        migration,
        2,
        "the managedFields patch, then the apply: {:#?}",
        fx.writes()
    );
    // Taken over once: the next apply writes nothing.
    let before = fx.writes().len();
    fx.expect(&dir, &["--yes"], 0);
    assert_eq!(fx.writes().len(), before);
}

#[test]
fn a_refused_object_fails_the_plan_naming_every_failure() {
    let fx = fixture(Duration::ZERO);
    let dir = fx.build(
        "app",
        &[
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "Not_Valid", "namespace": "default"}}),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "elsewhere", "namespace": "missing"}}),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "fine", "namespace": "default"}}),
        ],
    );
    let run = fx.expect(&dir, &["--yes"], 1);
    assert!(
        run.stderr.contains("the plan failed for 2 objects"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("v1 ConfigMap default/Not_Valid: "),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("v1 ConfigMap missing/elsewhere: "),
        "{}",
        run.stderr
    );
    assert_eq!(fx.writes(), Vec::<String>::new());
}

#[test]
fn a_build_error_exits_2() {
    let fx = fixture(Duration::ZERO);
    let dir = fx.dir.path().join("broken");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join("kustomization.yaml"),
        "resources:\n- missing.yaml\n",
    )
    .expect("write");
    fx.expect(&dir, &["--yes"], 2);
    assert_eq!(fx.writes(), Vec::<String>::new());
}

/// kubectl against the same server sees what strata applied, owned by strata.
#[test]
fn kubectl_sees_the_objects_owned_by_strata() {
    if Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_err()
    {
        eprintln!("notice: kubectl not on PATH; kubectl check skipped");
        return;
    }
    let fx = fixture(Duration::ZERO);
    let dir = fx.build(
        "app",
        &[namespace("shop"), config_map("settings", json!({"a": "1"}))],
    );
    fx.expect(&dir, &["--yes", "--field-manager", "platform"], 0);
    let cache = fx.dir.path().join("kube-cache");
    let output = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(&fx.kubeconfig)
        .arg("--cache-dir")
        .arg(&cache)
        .args([
            "get",
            "configmap",
            "settings",
            "-n",
            "shop",
            "-o",
            "json",
            "--show-managed-fields",
        ])
        .output()
        .expect("run kubectl");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let object: Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(object["data"], json!({"a": "1"}));
    let managers: Vec<&str> = object["metadata"]["managedFields"]
        .as_array()
        .expect("managed fields")
        .iter()
        .filter_map(|e| e["manager"].as_str())
        .collect();
    assert_eq!(managers, ["platform"]);
}

/// Many objects in one apply; a benchmark, not a check of time:
/// `cargo test --release --test apply -- --ignored --nocapture synthetic`.
#[test]
#[ignore]
fn synthetic_apply_of_2000_objects() {
    let fx = fixture(Duration::from_millis(500));
    let mut objects = vec![namespace("shop")];
    for index in 0..1999 {
        objects.push(config_map(
            &format!("config-{index:04}"),
            json!({"index": index.to_string()}),
        ));
    }
    let dir = fx.build("many", &objects);
    for round in ["first", "again"] {
        let before = fx.server.requests().len();
        let started = Instant::now();
        let run = fx.expect(&dir, &["--yes"], 0);
        let summary = run.stderr.lines().last().unwrap_or_default().to_string();
        eprintln!(
            "2000 objects, {round}: {:.2} s, {} requests seen by the server, {} writes in all; {summary}",
            started.elapsed().as_secs_f64(),
            fx.server.requests().len() - before,
            fx.writes().len()
        );
    }
}

/// kubeflow/manifests' `example` (683 objects) in one pass, where the tree
/// is on this machine (not in the repository): `STRATA_KUBEFLOW_EXAMPLE=DIR
/// GIT_CONFIG_GLOBAL=... cargo test --release --test apply -- --ignored --nocapture kubeflow`.
#[test]
#[ignore]
fn kubeflow_example_in_one_pass() {
    let Some(tree) = std::env::var_os("STRATA_KUBEFLOW_EXAMPLE") else {
        eprintln!("notice: STRATA_KUBEFLOW_EXAMPLE not set; skipped");
        return;
    };
    let fx = fixture(Duration::from_millis(500));
    for args in [&["--yes", "--wait=false"][..], &["--yes"][..]] {
        let fresh = fixture(Duration::from_millis(500));
        let started = Instant::now();
        let run = fresh.expect(Path::new(&tree), args, 0);
        eprintln!(
            "kubeflow example {args:?}: {:.2} s, {} requests, {} writes; {}",
            started.elapsed().as_secs_f64(),
            fresh.server.requests().len(),
            fresh.writes().len(),
            run.stderr.lines().last().unwrap_or_default()
        );
    }
    let run = fx.expect(Path::new(&tree), &["--yes"], 0);
    let again = fx.expect(Path::new(&tree), &["--yes"], 0);
    let _ = run;
    assert!(
        again.stderr.contains("nothing to apply"),
        "{}",
        again.stderr
    );
}

#[test]
fn a_claim_of_a_late_binding_class_counts_as_ready() {
    let fx = fixture(Duration::from_millis(100));
    fx.server.apply(namespace("shop"), "strata");
    let class = json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
        "metadata": {"name": "late"}, "provisioner": "example.com/disk",
        "volumeBindingMode": "WaitForFirstConsumer"});
    let claim = json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
        // The server binds every claim unless told not to: this one stays
        // Pending, as a late-binding claim no pod mounts would.
        "metadata": {"name": "data", "namespace": "shop",
            "annotations": {"test.strata.dev/never-ready": "true"}},
        "spec": {"storageClassName": "late", "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": "1Gi"}}}});
    let dir = fx.build("app", &[class, claim]);
    let run = fx.expect(&dir, &["--yes", "--timeout", "5s", "--format", "json"], 0);
    assert!(kinds_of(&run.events(), "ready").contains(&"PersistentVolumeClaim/data".to_string()));
    let stored = fx
        .server
        .get("v1", "PersistentVolumeClaim", "shop", "data")
        .expect("claim");
    assert_eq!(
        stored["status"]["phase"], "Pending",
        "no pod mounts it: {}",
        stored["status"]
    );
}

#[test]
fn a_failed_job_fails_the_apply_and_stops_later_steps() {
    let fx = fixture(Duration::from_millis(100));
    fx.server.apply(namespace("shop"), "strata");
    let mut failing = job("migrate:1");
    failing["metadata"]["annotations"] = json!({"test.strata.dev/fail": "true"});
    // The Deployment depends on the Job, so it comes in a later step.
    let mut web = deployment("nginx:1.27", 1);
    web["metadata"]["annotations"] = json!({"apply.strata.dev/depends-on": "Job/migrate"});
    let dir = fx.build("app", &[failing, web]);
    let run = fx.expect(&dir, &["--yes", "--format", "json"], 1);
    let events = run.events();
    let failed: Vec<&Value> = events.iter().filter(|e| e["event"] == "failed").collect();
    assert_eq!(failed.len(), 1, "{events:?}");
    assert_eq!(failed[0]["kind"], "Job");
    assert!(
        !failed[0]["reason"].as_str().unwrap_or("").is_empty(),
        "{}",
        failed[0]
    );
    assert_eq!(
        fx.server.get("apps/v1", "Deployment", "shop", "web"),
        None,
        "the next step did not run"
    );
}

#[test]
fn a_name_that_would_change_the_request_url_is_refused_before_any_request() {
    let fx = fixture(Duration::ZERO);
    let dir = fx.build(
        "app",
        &[json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "x?dryRun=None", "namespace": "default"}})],
    );
    let run = fx.expect(&dir, &["--yes"], 1);
    assert!(
        run.stderr.contains("is not a valid Kubernetes name"),
        "{}",
        run.stderr
    );
    assert!(
        fx.server
            .requests()
            .iter()
            .all(|r| !r.contains("dryRun=None")),
        "{:#?}",
        fx.server.requests()
    );
}
