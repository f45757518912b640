//! `strata apply --prune --applyset`: the strata binary (and, for a plan
//! that goes stale, the library's `Applier`) against the test API server in
//! `tests/apiserver`, checked through what the server stored and the
//! requests it saw; with `kubectl` on PATH, also against a set kubectl wrote.

#![cfg(feature = "cluster")]

mod apiserver;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use apiserver::{ApiServer, Options};

const PART_OF: &str = "applyset.kubernetes.io/part-of";
/// The id of Secret `my-set` in `shop`.
fn set_id() -> String {
    strata::apply::applyset::ParentRef::parse("my-set", "shop")
        .unwrap()
        .parent()
        .unwrap()
        .id()
}

struct Fixture {
    server: ApiServer,
    dir: tempfile::TempDir,
    kubeconfig: PathBuf,
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn events(&self, event: &str) -> Vec<String> {
        self.stdout
            .lines()
            .map(|line| {
                serde_json::from_str::<Value>(line).unwrap_or_else(|e| panic!("{e}: {line}"))
            })
            .filter(|e| e["event"] == event)
            .map(|e| {
                format!(
                    "{}/{}",
                    e["kind"].as_str().unwrap(),
                    e["name"].as_str().unwrap()
                )
            })
            .collect()
    }
}

fn fixture() -> Fixture {
    let server = ApiServer::start_with(Options {
        ready_after: Duration::ZERO,
        require_token: false,
    });
    server.create(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}));
    let dir = tempfile::tempdir().expect("temp dir");
    let kubeconfig = server.write_kubeconfig(dir.path());
    Fixture {
        server,
        dir,
        kubeconfig,
    }
}

impl Fixture {
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

    fn apply(&self, dir: &Path, args: &[&str], code: i32) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_strata"));
        command
            .arg("apply")
            .arg(dir)
            .arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .args(["--yes", "-n", "shop"])
            .args(args)
            .args(if args.contains(&"--format") {
                &[][..]
            } else {
                &["--format", "json"][..]
            });
        run(command, code)
    }

    /// `--prune --applyset my-set` and `extra`.
    fn prune(&self, dir: &Path, extra: &[&str], code: i32) -> Run {
        let mut args = vec!["--prune", "--applyset", "my-set"];
        args.extend_from_slice(extra);
        self.apply(dir, &args, code)
    }

    fn config_map(&self, name: &str) -> Option<Value> {
        self.server.get("v1", "ConfigMap", "shop", name)
    }

    /// The requests after the first `start` that write (not reads, not dry runs).
    fn writes_since(&self, start: usize) -> Vec<String> {
        self.server.requests()[start..]
            .iter()
            .filter(|r| !r.starts_with("GET ") && !r.contains("dryRun"))
            .cloned()
            .collect()
    }

    /// The DELETE requests, without their (empty) query.
    fn deletes(&self) -> Vec<String> {
        self.server
            .requests()
            .into_iter()
            .filter(|r| r.starts_with("DELETE ") && !r.contains("dryRun"))
            .map(|r| r.trim_end_matches('?').to_string())
            .collect()
    }
}

/// Runs strata (no colour, no stdin) and checks its exit status.
fn run(mut command: Command, code: i32) -> Run {
    let output = command
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("run strata");
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert_eq!(
        run.code,
        code,
        "strata {:?}\nstdout:\n{}\nstderr:\n{}",
        command.get_args().collect::<Vec<_>>(),
        run.stdout,
        run.stderr
    );
    run
}

fn config_map(name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": "shop"}, "data": {"k": name}})
}

fn config_maps(names: &[&str]) -> Vec<Value> {
    names.iter().map(|n| config_map(n)).collect()
}

#[test]
fn a_removed_object_is_pruned_and_unrelated_ones_stay() {
    let fx = fixture();
    // Same kind, same namespace: one without a set, one in another set.
    fx.apply(&fx.build("loose", &config_maps(&["loose"])), &[], 0);
    fx.apply(
        &fx.build("theirs", &config_maps(&["theirs"])),
        &["--prune", "--applyset", "other"],
        0,
    );
    let all = ["a", "b", "c", "d", "e"];
    let run = fx.prune(&fx.build("v1", &config_maps(&all)), &[], 0);
    assert_eq!(run.events("applied").len(), 5, "{}", run.stdout);
    let id = set_id();
    for name in all {
        let stored = fx.config_map(name).expect(name);
        assert_eq!(stored["metadata"]["labels"][PART_OF], id.as_str());
    }
    // The parent as kubectl writes it.
    let parent = fx
        .server
        .get("v1", "Secret", "shop", "my-set")
        .expect("parent");
    assert_eq!(
        parent["metadata"]["labels"]["applyset.kubernetes.io/id"],
        id.as_str()
    );
    let annotations = &parent["metadata"]["annotations"];
    assert_eq!(
        annotations["applyset.kubernetes.io/contains-group-kinds"],
        "ConfigMap"
    );
    assert_eq!(
        annotations["applyset.kubernetes.io/additional-namespaces"],
        ""
    );
    assert_eq!(
        annotations["applyset.kubernetes.io/tooling"],
        format!("strata/v{}", env!("CARGO_PKG_VERSION"))
    );
    let managers: Vec<&str> = parent["metadata"]["managedFields"]
        .as_array()
        .expect("managed fields")
        .iter()
        .filter_map(|e| e["manager"].as_str())
        .collect();
    assert_eq!(managers, ["strata-applyset"]);
    assert!(fx.deletes().is_empty());

    let before = fx.server.requests().len();
    let run = fx.prune(&fx.build("v2", &config_maps(&all[..4])), &[], 0);
    assert_eq!(run.events("planned").len(), 5, "4 applied, 1 deleted");
    assert!(run.stdout.contains(r#"{"event":"planned","apiVersion":"v1","kind":"ConfigMap","namespace":"shop","name":"e","action":"delete"}"#), "{}", run.stdout);
    assert_eq!(run.events("deleted"), ["ConfigMap/e"]);
    assert_eq!(run.events("gone"), ["ConfigMap/e"]);
    assert!(run.stderr.contains("1 deleted"), "{}", run.stderr);
    assert!(fx.config_map("e").is_none());
    for name in ["a", "b", "c", "d", "loose", "theirs"] {
        assert!(fx.config_map(name).is_some(), "{name} was deleted");
    }
    assert_eq!(
        fx.deletes(),
        ["DELETE /api/v1/namespaces/shop/configmaps/e"]
    );
    // The members were listed by label only, and the parent written before any member and after the delete.
    let requests = fx.server.requests()[before..].to_vec();
    let selector = format!("labelSelector={}", PART_OF.replace('/', "%2F"));
    assert!(
        requests
            .iter()
            .any(|r| r.starts_with("GET /api/v1/namespaces/shop/configmaps?")
                && r.contains(&selector)),
        "{requests:#?}"
    );
    let parent_writes: Vec<usize> = requests
        .iter()
        .enumerate()
        .filter(|(_, r)| r.starts_with("PATCH /api/v1/namespaces/shop/secrets/my-set"))
        .map(|(i, _)| i)
        .collect();
    let member = requests
        .iter()
        .position(|r| r.starts_with("PATCH /api/v1/namespaces/shop/configmaps/a"))
        .expect("member write");
    let delete = requests
        .iter()
        .position(|r| r.starts_with("DELETE "))
        .expect("delete");
    assert_eq!(
        parent_writes.len(),
        0,
        "the contents did not change: {requests:#?}"
    );
    assert!(member < delete);
    // A second run of the same build writes nothing.
    let run = fx.prune(&fx.build("v2", &config_maps(&all[..4])), &[], 0);
    assert!(run.stderr.contains("nothing to apply"), "{}", run.stderr);
}

#[test]
fn the_parent_gets_the_union_first_and_the_exact_set_last() {
    let fx = fixture();
    fx.prune(&fx.build("v1", &config_maps(&["a", "b", "c", "d"])), &[], 0);
    let secret = json!({"apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "s", "namespace": "shop"}, "stringData": {"k": "v"}});
    let before = fx.server.requests().len();
    let mut objects = config_maps(&["a", "b", "c"]);
    objects.push(secret);
    let run = fx.prune(&fx.build("v2", &objects), &[], 0);
    assert_eq!(run.events("deleted"), ["ConfigMap/d"]);
    let requests = fx.server.requests()[before..].to_vec();
    let parent_writes: Vec<usize> = requests
        .iter()
        .enumerate()
        .filter(|(_, r)| r.starts_with("PATCH /api/v1/namespaces/shop/secrets/my-set"))
        .map(|(i, _)| i)
        .collect();
    let member = requests
        .iter()
        .position(|r| {
            r.starts_with("PATCH /api/v1/namespaces/shop/secrets/s?") && !r.contains("dryRun")
        })
        .expect("member");
    let delete = requests
        .iter()
        .position(|r| r.starts_with("DELETE "))
        .expect("delete");
    assert_eq!(parent_writes.len(), 2, "{requests:#?}");
    assert!(
        parent_writes[0] < member && delete < parent_writes[1],
        "{requests:#?}"
    );
    let parent = fx
        .server
        .get("v1", "Secret", "shop", "my-set")
        .expect("parent");
    assert_eq!(
        parent["metadata"]["annotations"]["applyset.kubernetes.io/contains-group-kinds"],
        "ConfigMap,Secret"
    );
    // Dropping every Secret leaves the exact kinds.
    fx.prune(&fx.build("v3", &config_maps(&["a", "b", "c"])), &[], 0);
    let parent = fx
        .server
        .get("v1", "Secret", "shop", "my-set")
        .expect("parent");
    assert_eq!(
        parent["metadata"]["annotations"]["applyset.kubernetes.io/contains-group-kinds"],
        "ConfigMap"
    );
}

#[test]
fn each_guard_refuses_naming_its_flag_and_the_flag_lets_it_through() {
    let fx = fixture();
    let names: Vec<String> = (0..8).map(|i| format!("c{i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let base = config_maps(&names);
    let guarded = [
        (
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "extra"}}),
            "--prune-allow-namespaces",
        ),
        (
            json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                "metadata": {"name": "data", "namespace": "shop"},
                "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}),
            "--prune-allow-pvcs",
        ),
        (
            json!({
                "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                "metadata": {"name": "widgets.example.com"},
                "spec": {
                    "group": "example.com", "scope": "Namespaced",
                    "names": {"kind": "Widget", "plural": "widgets", "singular": "widget", "listKind": "WidgetList"},
                    "versions": [{"name": "v1", "served": true, "storage": true,
                        "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}],
                },
            }),
            "--prune-allow-crds",
        ),
    ];
    let mut with: Vec<Value> = base.clone();
    with.extend(guarded.iter().map(|(object, _)| object.clone()));
    fx.prune(&fx.build("all", &with), &["--wait=false"], 0);
    let mut allowed: Vec<&str> = Vec::new();
    for (index, (object, flag)) in guarded.iter().enumerate() {
        // Everything but this guarded object (and those already pruned).
        let mut objects = base.clone();
        objects.extend(guarded[index + 1..].iter().map(|(o, _)| o.clone()));
        let dir = fx.build(&format!("without-{index}"), &objects);
        let mut args = allowed.clone();
        args.extend(["--wait=false", "--timeout", "5s"]);
        let writes = fx.server.requests().len();
        let run = fx.prune(&dir, &args, 2);
        assert!(run.stderr.contains(flag), "{flag}: {}", run.stderr);
        assert!(
            run.stderr.contains("nothing was applied or deleted"),
            "{}",
            run.stderr
        );
        let written = fx.writes_since(writes);
        assert!(written.is_empty(), "{flag}: {written:#?}");
        args.push(flag);
        let run = fx.prune(&dir, &args, 0);
        let kind = object["kind"].as_str().unwrap();
        assert_eq!(
            run.events("deleted"),
            [format!(
                "{kind}/{}",
                object["metadata"]["name"].as_str().unwrap()
            )]
        );
        assert_eq!(fx.deletes().len(), index + 1);
        allowed.push(flag);
    }
    // More than a quarter: 3 of 8.
    let before = fx.deletes().len();
    let dir = fx.build("fewer", &base[..5]);
    let run = fx.prune(&dir, &[], 2);
    assert!(
        run.stderr.contains("delete 3 of the set's 8 objects"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--prune-allow-many"), "{}", run.stderr);
    assert_eq!(fx.deletes().len(), before);
    let run = fx.prune(&dir, &["--prune-allow-many"], 0);
    assert_eq!(run.events("deleted").len(), 3);
}

#[test]
fn prune_disabled_stays_and_another_sets_member_is_not_taken() {
    let fx = fixture();
    let mut kept = config_map("kept");
    kept["metadata"]["annotations"] = json!({"apply.strata.dev/prune": "disabled"});
    let mut objects = config_maps(&["a", "b", "c", "d"]);
    objects.push(kept);
    fx.prune(&fx.build("v1", &objects), &[], 0);
    let run = fx.apply(
        &fx.build("v2", &config_maps(&["a", "b", "c", "d"])),
        &["--prune", "--applyset", "my-set", "--format", "text"],
        0,
    );
    assert!(
        run.stderr
            .contains("  - keep ConfigMap shop/kept (apply.strata.dev/prune: disabled)"),
        "{}",
        run.stderr
    );
    assert!(fx.config_map("kept").is_some());
    assert!(fx.deletes().is_empty());

    // `theirs` belongs to another set: a build that names it is refused, nothing written.
    fx.apply(
        &fx.build("theirs", &config_maps(&["theirs"])),
        &["--prune", "--applyset", "other"],
        0,
    );
    let writes = fx.server.requests().len();
    let run = fx.prune(
        &fx.build("v3", &config_maps(&["a", "b", "c", "d", "theirs"])),
        &[],
        1,
    );
    assert!(
        run.stderr.contains("belongs to another ApplySet"),
        "{}",
        run.stderr
    );
    let written = fx.writes_since(writes);
    assert!(written.is_empty(), "{written:#?}");
    let theirs = fx.config_map("theirs").expect("theirs");
    assert_ne!(theirs["metadata"]["labels"][PART_OF], set_id().as_str());
}

#[test]
fn prune_flags_need_each_other_and_a_namespace() {
    let fx = fixture();
    let dir = fx.build("v1", &config_maps(&["a"]));
    for args in [
        &["--prune"][..],
        &["--applyset", "my-set"][..],
        &["--prune-allow-many"][..],
        &["--adopt"][..],
    ] {
        let run = fx.apply(&dir, args, 2);
        assert!(run.stderr.contains("required"), "{args:?}: {}", run.stderr);
    }
    let run = fx.apply(&dir, &["--prune", "--applyset", "secrets/My_Set"], 2);
    assert!(
        run.stderr.contains("not a valid object name"),
        "{}",
        run.stderr
    );
    let run = fx.apply(&dir, &["--prune", "--applyset", "deployments.apps/x"], 2);
    assert!(
        run.stderr.contains("only Secret and ConfigMap parents"),
        "{}",
        run.stderr
    );
    assert!(fx.server.get("v1", "ConfigMap", "shop", "a").is_none());
}

#[test]
fn a_configmap_parent_and_a_member_changed_since_the_plan() {
    use strata::apply::applyset::{Allow, ParentRef};
    use strata::apply::{Applier, ApplyOptions, ApplySetOptions, EventKind, Outcome};
    let fx = fixture();
    let options = |names: &[&str]| {
        let dir = fx.build(&names.join("-"), &config_maps(names));
        let desired = strata::build(&strata::fs::DiskFs, &dir, &strata::BuildOptions::default())
            .expect("build")
            .resources;
        let mut options = ApplyOptions::default();
        options.cluster.kubeconfig = Some(fx.kubeconfig.clone());
        options.cluster.namespace = Some("shop".into());
        options.applyset = Some(ApplySetOptions {
            parent: ParentRef::parse("configmaps/my-set", "shop").unwrap(),
            adopt: false,
            allow: Allow::default(),
        });
        (options, desired)
    };
    let (first, desired) = options(&["a", "b", "c", "d"]);
    let mut applier = Applier::connect(first).expect("connect");
    let plan = applier.plan(&desired).expect("plan");
    assert_eq!(
        applier.execute(&plan, &mut |_| {}).unwrap(),
        Outcome::Applied
    );
    let parent = fx
        .server
        .get("v1", "ConfigMap", "shop", "my-set")
        .expect("parent");
    assert_eq!(
        parent["metadata"]["annotations"]["applyset.kubernetes.io/contains-group-kinds"],
        "ConfigMap"
    );

    let (second, desired) = options(&["a", "b", "c"]);
    let mut applier = Applier::connect(second).expect("connect");
    let plan = applier.plan(&desired).expect("plan");
    assert_eq!(plan.summary().delete, 1);
    // Someone changes `d` after the plan: its delete must not go through.
    let mut changed = config_map("d");
    changed["data"]["k"] = json!("changed");
    fx.server.apply(changed, "someone");
    let mut events = Vec::new();
    let outcome = applier.execute(&plan, &mut |e| events.push(e)).unwrap();
    assert_eq!(outcome, Outcome::Failed);
    let failed: Vec<_> = events
        .iter()
        .filter(|e| e.event == EventKind::Failed)
        .collect();
    assert_eq!(failed.len(), 1, "{events:#?}");
    assert_eq!(failed[0].name, "d");
    let reason = failed[0].reason.as_deref().unwrap_or_default();
    assert!(
        reason.contains("changed on the cluster since the plan"),
        "{reason}"
    );
    assert!(
        reason.contains("Precondition failed: ResourceVersion"),
        "{reason}"
    );
    assert!(fx.config_map("d").is_some());
}

/// `KUBECTL_APPLYSET=true kubectl apply --server-side --prune --applyset=secrets/my-set`
/// against the test server; strata refuses the set without `--adopt` and prunes it with.
#[test]
fn a_set_kubectl_wrote_is_refused_then_adopted() {
    if Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_err()
    {
        eprintln!("notice: kubectl not on PATH; the kubectl ApplySet check is skipped");
        return;
    }
    let fx = fixture();
    let dir = fx.build("kubectl", &config_maps(&["a", "b", "c", "d"]));
    let output = Command::new("kubectl")
        .env("KUBECTL_APPLYSET", "true")
        .arg("--kubeconfig")
        .arg(&fx.kubeconfig)
        .arg("--cache-dir")
        .arg(fx.dir.path().join("kube-cache"))
        .args([
            "apply",
            "--server-side",
            "--prune",
            "--applyset=secrets/my-set",
            "-n",
            "shop",
            "-f",
        ])
        .arg(dir.join("objects.yaml"))
        .output()
        .expect("run kubectl");
    assert!(
        output.status.success(),
        "kubectl: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let parent = fx
        .server
        .get("v1", "Secret", "shop", "my-set")
        .expect("kubectl's parent");
    assert_eq!(
        parent["metadata"]["labels"]["applyset.kubernetes.io/id"],
        set_id().as_str()
    );
    let tooling = parent["metadata"]["annotations"]["applyset.kubernetes.io/tooling"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(tooling.starts_with("kubectl/"), "{tooling}");
    assert_eq!(
        fx.config_map("a").unwrap()["metadata"]["labels"][PART_OF],
        set_id().as_str()
    );

    let smaller = fx.build("strata", &config_maps(&["a", "b", "c"]));
    let run = fx.prune(&smaller, &[], 2);
    assert!(
        run.stderr.contains("managed by `kubectl`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--adopt"), "{}", run.stderr);
    assert!(fx.config_map("d").is_some());
    let run = fx.prune(&smaller, &["--adopt"], 0);
    assert_eq!(run.events("deleted"), ["ConfigMap/d"]);
    let parent = fx
        .server
        .get("v1", "Secret", "shop", "my-set")
        .expect("parent");
    assert_eq!(
        parent["metadata"]["annotations"]["applyset.kubernetes.io/tooling"],
        format!("strata/v{}", env!("CARGO_PKG_VERSION"))
    );
    // Now strata's: no --adopt needed.
    fx.prune(&smaller, &[], 0);
}

/// Prune of 1,000 removed objects out of 2,000; a benchmark, not a check of time:
/// `cargo test --release --test apply_prune -- --ignored --nocapture prune_of_1000`.
#[test]
#[ignore]
fn prune_of_1000_out_of_2000() {
    let fx = fixture();
    let names: Vec<String> = (0..2000).map(|i| format!("c{i:04}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    fx.prune(&fx.build("all", &config_maps(&names)), &[], 0);
    let dir = fx.build("half", &config_maps(&names[..1000]));
    let before = fx.server.requests().len();
    let started = std::time::Instant::now();
    let run = fx.prune(&dir, &["--prune-allow-many"], 0);
    let elapsed = started.elapsed();
    let requests = &fx.server.requests()[before..];
    assert_eq!(run.events("deleted").len(), 1000);
    assert!(fx.config_map("c1999").is_none() && fx.config_map("c0999").is_some());
    let count = |method: &str| requests.iter().filter(|r| r.starts_with(method)).count();
    eprintln!(
        "prune of 1000 of 2000: {:.2} s wall, {} requests ({} GET, {} PATCH, {} DELETE)\n{}",
        elapsed.as_secs_f64(),
        requests.len(),
        count("GET "),
        count("PATCH "),
        count("DELETE "),
        run.stderr.lines().last().unwrap_or_default()
    );
}

#[test]
fn a_dry_run_of_a_prune_deletes_nothing() {
    let fx = fixture();
    fx.prune(
        &fx.build("v1", &config_maps(&["a", "b", "c", "d", "e"])),
        &[],
        0,
    );
    let dir = fx.build("v2", &config_maps(&["a", "b", "c", "d"]));
    let run = fx.prune(&dir, &["--dry-run=server"], 0);
    assert_eq!(run.events("deleted"), ["ConfigMap/e"]);
    assert!(
        run.stdout.contains(r#""event":"deleted""#) && run.stdout.contains(r#""dryRun":true"#),
        "{}",
        run.stdout
    );
    assert!(fx.config_map("e").is_some());
    // kube-rs sends a delete's dryRun in its body, so the request log cannot tell: the object stays.
    assert_eq!(
        fx.deletes(),
        ["DELETE /api/v1/namespaces/shop/configmaps/e"]
    );
}

impl Fixture {
    /// `strata apply --plan FILE --yes`, no build.
    fn apply_plan(&self, plan: &Path, code: i32) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_strata"));
        command
            .args(["apply", "--plan"])
            .arg(plan)
            .arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .args(["--yes", "--format", "json"]);
        run(command, code)
    }
}

#[test]
fn a_reviewed_plan_prunes_what_it_listed_and_refuses_once_a_deletion_changed() {
    let fx = fixture();
    fx.prune(
        &fx.build("v1", &config_maps(&["a", "b", "c", "d", "e"])),
        &[],
        0,
    );
    let plan = fx.dir.path().join("plan.json");
    let plan_arg = plan.to_str().expect("utf-8 path");

    // The plan lists the deletion and changes nothing.
    let v2 = fx.build("v2", &config_maps(&["a", "b", "c", "d"]));
    fx.prune(&v2, &["--plan-out", plan_arg], 0);
    assert!(fx.config_map("e").is_some(), "--plan-out deleted");
    assert!(fx.deletes().is_empty());
    let text = std::fs::read_to_string(&plan).expect("plan");
    assert!(text.contains(r#""applyset":{"#), "{text}");

    // Applied: exactly the listed deletion, with the parent's exact set last.
    let run = fx.apply_plan(&plan, 0);
    assert_eq!(run.events("deleted"), ["ConfigMap/e"], "{}", run.stdout);
    assert_eq!(
        fx.deletes(),
        ["DELETE /api/v1/namespaces/shop/configmaps/e"]
    );
    for name in ["a", "b", "c", "d"] {
        assert!(fx.config_map(name).is_some(), "{name} was deleted");
    }
    let parent = fx
        .server
        .get("v1", "Secret", "shop", "my-set")
        .expect("parent");
    assert_eq!(
        parent["metadata"]["annotations"]["applyset.kubernetes.io/contains-group-kinds"],
        "ConfigMap"
    );

    // A deletion whose object changed after the plan: refused, nothing deleted.
    let v3 = fx.build("v3", &config_maps(&["a", "b", "c"]));
    fx.prune(&v3, &["--plan-out", plan_arg], 0);
    let mut changed = config_map("d");
    changed["data"]["k"] = json!("edited by someone");
    fx.server.apply(changed, "someone");
    let run = fx.apply_plan(&plan, 2);
    assert!(
        run.stderr.contains("ConfigMap shop/d") && run.stderr.contains("since the plan"),
        "{}",
        run.stderr
    );
    assert!(fx.config_map("d").is_some(), "a changed object was pruned");
    assert_eq!(fx.deletes().len(), 1, "a stale plan deleted something");
}
