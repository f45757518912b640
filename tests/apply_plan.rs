//! Reviewed plans end to end: `strata apply --plan-out`, `strata apply
//! --plan` and `strata diff --plan` against the test API server in
//! `tests/apiserver`, checked through what the server stored and the
//! requests it saw.

#![cfg(feature = "cluster")]

mod apiserver;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use apiserver::{ApiServer, Options};

struct Fixture {
    server: ApiServer,
    dir: tempfile::TempDir,
    kubeconfig: PathBuf,
    plan: PathBuf,
}

/// A server holding namespace `shop` and a ConfigMap `settings` (`a: 1`)
/// that strata applied, and the build `app` changing it to `a: 2` and
/// adding a ConfigMap `fresh` and a Secret `token`.
fn fixture() -> Fixture {
    let server = ApiServer::start_with(Options {
        ready_after: Duration::ZERO,
        require_token: false,
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let kubeconfig = server.write_kubeconfig(dir.path());
    server.create(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}));
    server.apply(config_map("settings", "1"), "strata");
    let plan = dir.path().join("plan.json");
    let fx = Fixture {
        server,
        dir,
        kubeconfig,
        plan,
    };
    fx.build(&[
        config_map("settings", "2"),
        config_map("fresh", "new"),
        json!({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": {"name": "token", "namespace": "shop"},
            "data": {"password": "aHVudGVyMg=="}}),
    ]);
    fx
}

fn config_map(name: &str, value: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": "shop"}, "data": {"a": value}})
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Fixture {
    fn app(&self) -> PathBuf {
        self.dir.path().join("app")
    }

    fn build(&self, objects: &[Value]) {
        let dir = self.app();
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
    }

    /// Runs `strata ARGS... --kubeconfig K` with no terminal; expects `code`.
    fn strata(&self, args: &[&str], kubeconfig: &Path, code: i32) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_strata"))
            .args(args)
            .arg("--kubeconfig")
            .arg(kubeconfig)
            .env("NO_COLOR", "1")
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .output()
            .expect("run strata");
        let run = Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
        assert_eq!(
            run.code, code,
            "strata {args:?}\nstdout:\n{}\nstderr:\n{}",
            run.stdout, run.stderr
        );
        run
    }

    /// `strata apply app --plan-out plan.json`, in the fixture's directory
    /// (so the plan's target is `app`).
    fn plan_out(&self) -> Run {
        self.strata(
            &["apply", "app", "--plan-out", "plan.json"],
            &self.kubeconfig,
            0,
        )
    }

    fn apply_plan(&self, code: i32) -> Run {
        let plan = self.plan.to_str().expect("utf-8 path");
        self.strata(&["apply", "--plan", plan, "--yes"], &self.kubeconfig, code)
    }

    /// Requests that change something: every non-GET request without `dryRun=All`.
    fn writes(&self) -> Vec<String> {
        self.server
            .requests()
            .into_iter()
            .filter(|r| !r.starts_with("GET ") && !r.contains("dryRun=All"))
            .collect()
    }

    fn data(&self, name: &str) -> Option<Value> {
        self.server
            .get("v1", "ConfigMap", "shop", name)
            .map(|cm| cm["data"].clone())
    }
}

#[test]
fn plan_out_writes_a_private_file_and_nothing_else() {
    use std::os::unix::fs::PermissionsExt;
    let fx = fixture();
    let before = fx.writes().len();
    let run = fx.plan_out();
    assert_eq!(fx.writes().len(), before, "{:#?}", fx.writes());
    assert_eq!(fx.data("settings"), Some(json!({"a": "1"})));
    assert!(fx.data("fresh").is_none());
    let mode = std::fs::metadata(&fx.plan)
        .expect("plan file")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    assert!(
        run.stderr
            .contains("plan written to plan.json (2 created, 1 updated,"),
        "{}",
        run.stderr
    );
    // The Secret's data is in the file (to apply it), never on the screen.
    let text = std::fs::read_to_string(&fx.plan).expect("read plan");
    assert!(text.contains("aHVudGVyMg=="));
    assert!(!run.stderr.contains("aHVudGVyMg==") && !run.stderr.contains("hunter2"));
    let file: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(file["strataPlan"], 1);
    assert_eq!(file["cluster"]["context"], "test");
    assert_eq!(file["apply"]["fieldManager"], "strata");
    let objects = file["objects"].as_array().expect("objects");
    let named = |name: &str| {
        objects
            .iter()
            .find(|o| o["id"]["name"] == name)
            .unwrap_or_else(|| panic!("no {name} in {objects:#?}"))
    };
    let settings = named("settings");
    assert_eq!(settings["id"]["name"], "settings");
    assert_eq!(settings["action"], "updated");
    let live = fx
        .server
        .get("v1", "ConfigMap", "shop", "settings")
        .expect("settings");
    assert_eq!(
        settings["live"]["resourceVersion"],
        live["metadata"]["resourceVersion"]
    );
    assert_eq!(settings["live"]["uid"], live["metadata"]["uid"]);
    assert_eq!(named("fresh")["live"], "absent");
    assert!(file["digest"].as_str().unwrap().starts_with("sha256:"));
}

#[test]
fn a_fresh_plan_applies_exactly_what_was_planned() {
    let fx = fixture();
    fx.plan_out();
    // The build changing after the plan does not matter: the plan is applied.
    fx.build(&[config_map("settings", "3")]);
    let run = fx.apply_plan(0);
    assert_eq!(fx.data("settings"), Some(json!({"a": "2"})));
    assert_eq!(fx.data("fresh"), Some(json!({"a": "new"})));
    let secret = fx
        .server
        .get("v1", "Secret", "shop", "token")
        .expect("secret");
    assert_eq!(secret["data"]["password"], "aHVudGVyMg==");
    assert!(run.stderr.contains("apply done"), "{}", run.stderr);
    assert!(!run.stderr.contains("aHVudGVyMg=="), "{}", run.stderr);
    // Applying it again is refused: the objects changed since (by the plan itself).
    let again = fx.apply_plan(2);
    assert!(
        again
            .stderr
            .contains("v1 ConfigMap shop/settings changed since the plan"),
        "{}",
        again.stderr
    );
}

#[test]
fn a_stale_plan_is_refused_naming_what_changed() {
    let fx = fixture();
    fx.plan_out();
    let planned = fx
        .server
        .get("v1", "ConfigMap", "shop", "settings")
        .expect("settings")["metadata"]["resourceVersion"]
        .as_str()
        .expect("version")
        .to_string();
    let changed = fx.server.apply(
        json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "settings", "namespace": "shop"}, "data": {"b": "x"}}),
        "other",
    );
    let now = changed["metadata"]["resourceVersion"].as_str().expect("rv");
    let before = fx.writes().len();
    let run = fx.apply_plan(2);
    assert_eq!(fx.writes().len(), before, "{:#?}", fx.writes());
    assert!(
        run.stderr.contains(&format!(
            "v1 ConfigMap shop/settings changed since the plan (resourceVersion {planned} → {now})"
        )),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("nothing was changed"), "{}", run.stderr);
    assert!(fx.data("fresh").is_none());
}

#[test]
fn a_planned_create_is_refused_when_the_object_appeared() {
    let fx = fixture();
    fx.plan_out();
    fx.server.create(config_map("fresh", "theirs"));
    let before = fx.writes().len();
    let run = fx.apply_plan(2);
    assert_eq!(fx.writes().len(), before);
    assert!(
        run.stderr
            .contains("v1 ConfigMap shop/fresh was absent when planned (a create) but exists now"),
        "{}",
        run.stderr
    );
    assert_eq!(fx.data("fresh"), Some(json!({"a": "theirs"})));
    assert_eq!(fx.data("settings"), Some(json!({"a": "1"})));
}

#[test]
fn an_edited_plan_is_refused_before_the_cluster_is_asked() {
    let fx = fixture();
    fx.plan_out();
    let text = std::fs::read_to_string(&fx.plan).expect("read");
    std::fs::write(&fx.plan, text.replace("\"new\"", "\"evil\"")).expect("write");
    let before = fx.server.requests().len();
    let run = fx.apply_plan(2);
    assert_eq!(fx.server.requests().len(), before);
    assert!(
        run.stderr.contains("was changed after it was written"),
        "{}",
        run.stderr
    );
    assert!(fx.data("fresh").is_none());
}

#[test]
fn a_plan_for_another_cluster_is_refused() {
    let fx = fixture();
    fx.plan_out();
    let other = ApiServer::start_with(Options {
        ready_after: Duration::ZERO,
        require_token: false,
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let kubeconfig = other.write_kubeconfig(dir.path());
    let plan = fx.plan.to_str().expect("utf-8");
    let run = fx.strata(&["apply", "--plan", plan, "--yes"], &kubeconfig, 2);
    assert!(
        run.stderr.contains(&format!(
            "the plan was made for the cluster at {}",
            fx.server.url()
        )),
        "{}",
        run.stderr
    );
    let written: Vec<String> = other
        .requests()
        .into_iter()
        .filter(|r| !r.starts_with("GET "))
        .collect();
    assert!(written.is_empty(), "{written:#?}");
}

#[test]
fn a_plan_is_applied_only_when_confirmed_and_never_with_a_path() {
    let fx = fixture();
    fx.plan_out();
    let plan = fx.plan.to_str().expect("utf-8");
    let before = fx.writes().len();
    // No terminal to ask on, no --yes.
    let run = fx.strata(&["apply", "--plan", plan], &fx.kubeconfig, 2);
    assert!(run
        .stderr
        .contains("refusing to apply without confirmation"));
    let app = fx.app();
    let run = fx.strata(
        &[
            "apply",
            app.to_str().expect("utf-8"),
            "--plan",
            plan,
            "--yes",
        ],
        &fx.kubeconfig,
        2,
    );
    assert!(run.stderr.contains("cannot be used with"), "{}", run.stderr);
    // A plan cannot be re-aimed with flags that change what is applied.
    let run = fx.strata(
        &["apply", "--plan", plan, "--yes", "--force-conflicts"],
        &fx.kubeconfig,
        2,
    );
    assert!(run.stderr.contains("--force-conflicts"), "{}", run.stderr);
    assert_eq!(fx.writes().len(), before);
}

/// `strata diff --plan` in every format, with no cluster: the kubeconfig
/// points at a server that is gone.
#[test]
fn diff_renders_a_plan_without_a_cluster() {
    let fx = fixture();
    fx.plan_out();
    let gone = fx.dir.path().join("gone");
    std::fs::write(
        &gone,
        apiserver::kubeconfig_text("http://127.0.0.1:9", "default"),
    )
    .expect("kubeconfig");
    let plan = fx.plan.to_str().expect("utf-8");
    let text = fx.strata(&["diff", "--plan", plan], &gone, 1).stdout;
    assert_eq!(text, EXPECTED_TEXT, "{text}");
    let markdown = fx
        .strata(&["diff", "--plan", plan, "--format", "markdown"], &gone, 1)
        .stdout;
    assert_eq!(markdown, EXPECTED_MARKDOWN, "{markdown}");
    let json = fx
        .strata(&["diff", "--plan", plan, "--format", "json"], &gone, 1)
        .stdout;
    assert_eq!(json, EXPECTED_JSON, "{json}");
    for output in [&text, &markdown, &json] {
        assert!(!output.contains("aHVudGVyMg=="), "{output}");
    }
}

const EXPECTED_TEXT: &str = r##"created: v1 ConfigMap shop/fresh
--- /dev/null
+++ merged v1 ConfigMap shop/fresh
@@ -0,0 +1,7 @@
+apiVersion: v1
+data:
+  a: new
+kind: ConfigMap
+metadata:
+  name: fresh
+  namespace: shop
changed: v1 ConfigMap shop/settings
--- live v1 ConfigMap shop/settings
+++ merged v1 ConfigMap shop/settings
@@ -1,6 +1,6 @@
 apiVersion: v1
 data:
-  a: "1"
+  a: "2"
 kind: ConfigMap
 metadata:
   name: settings
created: v1 Secret shop/token
--- /dev/null
+++ merged v1 Secret shop/token
@@ -0,0 +1,8 @@
+apiVersion: v1
+data:
+  password: '*** (added)'
+kind: Secret
+metadata:
+  name: token
+  namespace: shop
+type: Opaque
2 created, 1 changed, 0 deleted, 0 unchanged
"##;
const EXPECTED_MARKDOWN: &str = r##"<!-- strata diff id="default" part="1/1" -->
### strata diff

`live` → `merged`: **2 created, 1 changed, 0 deleted, 0 unchanged**

| target | created | changed | deleted | unchanged |
|---|---:|---:|---:|---:|
| `app` | 2 | 1 | 0 | 0 |

#### `app`

<details><summary>created: v1 ConfigMap shop/fresh</summary>

```diff
@@ -0,0 +1,7 @@
+apiVersion: v1
+data:
+  a: new
+kind: ConfigMap
+metadata:
+  name: fresh
+  namespace: shop
```

</details>
<details><summary>changed: v1 ConfigMap shop/settings</summary>

```diff
@@ -1,6 +1,6 @@
 apiVersion: v1
 data:
-  a: "1"
+  a: "2"
 kind: ConfigMap
 metadata:
   name: settings
```

</details>
<details><summary>created: v1 Secret shop/token</summary>

```diff
@@ -0,0 +1,8 @@
+apiVersion: v1
+data:
+  password: '*** (added)'
+kind: Secret
+metadata:
+  name: token
+  namespace: shop
+type: Opaque
```

</details>
"##;
const EXPECTED_JSON: &str = r##"{
  "summary": {
    "created": 2,
    "changed": 1,
    "deleted": 0,
    "unchanged": 0
  },
  "targets": [
    {
      "target": "app",
      "skipped": false,
      "resources": [
        {
          "change": "created",
          "apiVersion": "v1",
          "kind": "ConfigMap",
          "namespace": "shop",
          "name": "fresh",
          "previousName": null,
          "diff": "@@ -0,0 +1,7 @@\n+apiVersion: v1\n+data:\n+  a: new\n+kind: ConfigMap\n+metadata:\n+  name: fresh\n+  namespace: shop\n"
        },
        {
          "change": "changed",
          "apiVersion": "v1",
          "kind": "ConfigMap",
          "namespace": "shop",
          "name": "settings",
          "previousName": null,
          "diff": "@@ -1,6 +1,6 @@\n apiVersion: v1\n data:\n-  a: \"1\"\n+  a: \"2\"\n kind: ConfigMap\n metadata:\n   name: settings\n"
        },
        {
          "change": "created",
          "apiVersion": "v1",
          "kind": "Secret",
          "namespace": "shop",
          "name": "token",
          "previousName": null,
          "diff": "@@ -0,0 +1,8 @@\n+apiVersion: v1\n+data:\n+  password: '*** (added)'\n+kind: Secret\n+metadata:\n+  name: token\n+  namespace: shop\n+type: Opaque\n"
        }
      ]
    }
  ]
}
"##;

/// The window between the check and the write is closed by the server: the
/// apply body carries the planned resourceVersion, so a change made after
/// [`strata::apply::Applier::stale`] passed is refused, not overwritten.
#[test]
fn a_change_after_the_check_is_refused_by_the_server() {
    use strata::apply::{Applier, ApplyOptions, EventKind, Outcome, PlanFile};
    let fx = fixture();
    fx.plan_out();
    let file = PlanFile::read(&fx.plan).expect("plan");
    let mut applier = Applier::connect(ApplyOptions {
        cluster: strata::diff::ClusterOptions {
            kubeconfig: Some(fx.kubeconfig.clone()),
            ..Default::default()
        },
        ..Default::default()
    })
    .expect("connect");
    assert_eq!(
        applier.stale(&file.plan, &file.prune).expect("check"),
        Vec::<String>::new()
    );
    fx.server.apply(
        json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "settings", "namespace": "shop"}, "data": {"b": "x"}}),
        "other",
    );
    let mut events = Vec::new();
    let outcome = applier
        .execute_reviewed(&file.plan, &mut |event| events.push(event))
        .expect("execute");
    assert_eq!(outcome, Outcome::Failed);
    let failed: Vec<_> = events
        .iter()
        .filter(|e| e.event == EventKind::Failed)
        .collect();
    assert_eq!(failed.len(), 1, "{events:#?}");
    assert_eq!(failed[0].name, "settings");
    let reason = failed[0].reason.as_deref().unwrap_or_default();
    assert!(
        reason.contains("changed on the cluster since the plan was checked"),
        "{reason}"
    );
    assert_eq!(fx.data("settings"), Some(json!({"a": "1", "b": "x"})));
}

/// The GitHub Action's diff step with `plan:` set comments what the plan
/// will apply (run as the runner runs it: bash, its env, `GITHUB_OUTPUT`).
#[test]
fn the_github_action_comments_a_plan() {
    let fx = fixture();
    fx.plan_out();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("integrations/github/action.yml");
    let text = std::fs::read_to_string(&path).expect("action.yml");
    let action = strata::yaml::parse_config(&text, &path).expect("action.yml");
    let script = action["runs"]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| s["id"] == "diff")
        .and_then(|s| s["run"].as_str())
        .expect("the diff step")
        .to_string();
    let runner_temp = fx.dir.path().join("runner");
    std::fs::create_dir_all(&runner_temp).expect("mkdir");
    let outputs = fx.dir.path().join("outputs");
    let output = Command::new("bash")
        .args(["-e", "-c", &script])
        .current_dir(fx.dir.path())
        .env("STRATA", env!("CARGO_BIN_EXE_strata"))
        // No Git repository and no such revision: the plan path needs neither.
        .env("BASE", "0000000000000000000000000000000000000000")
        .env("PATHS", "app")
        .env("COMMENT_ID", "prod")
        .env("MAX_PARTS", "10")
        .env("BUILD_FLAGS", "")
        .env("PLAN", "plan.json")
        .env("RUNNER_TEMP", &runner_temp)
        .env("GITHUB_OUTPUT", &outputs)
        .output()
        .expect("bash runs");
    assert!(output.status.success(), "{output:?}");
    let written = std::fs::read_to_string(&outputs).expect("outputs");
    assert!(written.contains("differences=true\n"), "{written}");
    let part =
        std::fs::read_to_string(runner_temp.join("strata-diff-prod/part-01.md")).expect("part 1");
    assert!(
        part.starts_with("<!-- strata diff id=\"prod\" part=\"1/1\" -->\n"),
        "{part}"
    );
    assert!(part.contains("+  a: \"2\""), "{part}");
    assert!(!part.contains("aHVudGVyMg=="), "{part}");
}
