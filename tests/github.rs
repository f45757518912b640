//! The GitHub Action in `integrations/github`: `action.yml` is read with
//! strata's YAML reader, its diff step's script is run in a temporary
//! repository as the runner would run it, and `post-comments.sh` is run
//! against a stand-in `gh` that answers from a list of comments (through
//! the real `jq`, when installed) and records what would be written.

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn action_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("integrations/github")
}

fn action() -> Value {
    let path = action_dir().join("action.yml");
    let text = std::fs::read_to_string(&path).expect("action.yml");
    strata::yaml::parse_config(&text, &path).expect("action.yml is YAML strata reads")
}

fn steps(action: &Value) -> &Vec<Value> {
    action["runs"]["steps"].as_array().expect("steps")
}

fn step<'a>(action: &'a Value, id: &str) -> &'a Value {
    steps(action)
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no step {id}"))
}

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git runs");
    assert!(output.status.success(), "git {args:?}: {output:?}");
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

#[test]
fn the_action_is_composite_and_uses_only_its_inputs() {
    let action = action();
    assert_eq!(action["runs"]["using"], "composite");
    let inputs: BTreeSet<String> = action["inputs"]
        .as_object()
        .expect("inputs")
        .keys()
        .cloned()
        .collect();
    let text = std::fs::read_to_string(action_dir().join("action.yml")).expect("read");
    for (at, _) in text.match_indices("inputs.") {
        let name: String = text[at + 7..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        assert!(inputs.contains(&name), "`inputs.{name}` is not declared");
    }
    for step in steps(&action) {
        if step.get("run").is_some() {
            assert_eq!(step["shell"], "bash", "{step}");
        } else {
            assert!(step["uses"].is_string(), "{step}");
        }
    }
    // The script the last step runs is there and executable.
    let script = action_dir().join("post-comments.sh");
    let mode = std::fs::metadata(&script)
        .expect("script")
        .permissions()
        .mode();
    assert!(mode & 0o111 != 0, "post-comments.sh is executable");
}

/// The diff step's script, run as the runner runs it (bash, its env block,
/// `GITHUB_OUTPUT`, `RUNNER_TEMP`), writes the parts and the outputs.
#[test]
fn the_diff_step_writes_numbered_parts() {
    let action = action();
    let diff = step(&action, "diff");
    let script = diff["run"].as_str().expect("run");
    let temp = tempfile::tempdir().expect("temp dir");
    let repo = temp.path().join("repo");
    std::fs::create_dir_all(repo.join("app")).expect("mkdir");
    std::fs::write(
        repo.join("app/kustomization.yaml"),
        "resources: [cm.yaml]\n",
    )
    .expect("write");
    let map = |value: &str| {
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: {value}\n")
    };
    std::fs::write(repo.join("app/cm.yaml"), map("info")).expect("write");
    git(&repo, &["init", "-q", "."]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "base"]);
    let base = git(&repo, &["rev-parse", "HEAD"]);
    std::fs::write(repo.join("app/cm.yaml"), map("debug")).expect("write");

    let runner_temp = temp.path().join("runner");
    std::fs::create_dir_all(&runner_temp).expect("mkdir");
    let outputs = temp.path().join("outputs");
    let run = |paths: &str| -> Output {
        Command::new("bash")
            .args(["-e", "-c", script])
            .current_dir(&repo)
            .env("STRATA", env!("CARGO_BIN_EXE_strata"))
            .env("BASE", &base)
            .env("PATHS", paths)
            .env("COMMENT_ID", "prod")
            .env("MAX_PARTS", "10")
            .env("BUILD_FLAGS", "")
            .env("RUNNER_TEMP", &runner_temp)
            .env("GITHUB_OUTPUT", &outputs)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .expect("bash runs")
    };
    let output = run("app");
    assert!(output.status.success(), "{output:?}");
    let written = std::fs::read_to_string(&outputs).expect("outputs");
    let parts = runner_temp.join("strata-diff-prod");
    assert!(
        written.contains(&format!("parts={}\n", parts.display())),
        "{written}"
    );
    assert!(written.contains("differences=true\n"), "{written}");
    let part = std::fs::read_to_string(parts.join("part-01.md")).expect("part 1");
    assert!(
        part.starts_with("<!-- strata diff id=\"prod\" part=\"1/1\" -->\n"),
        "{part}"
    );
    assert!(part.contains("+  level: debug"), "{part}");

    // An error (no kustomization there) fails the step.
    let output = run("missing");
    assert_eq!(output.status.code(), Some(2), "{output:?}");
}

/// A stand-in for `gh`: `api --paginate PATH --jq FILTER` runs FILTER over
/// `$FAKE_COMMENTS` with jq; writes are logged as `METHOD PATH FIRST-LINE`
/// and fail when `$FAKE_WRITE_FAILS` is set.
const FAKE_GH: &str = r#"#!/usr/bin/env bash
set -u
[ "$1" = api ] || exit 64
shift
if [ "$1" = --paginate ]; then
  [ "$3" = --jq ] || exit 64
  jq -r "$4" "$FAKE_COMMENTS"
  exit
fi
[ -z "${FAKE_WRITE_FAILS:-}" ] || { echo "HTTP 403: Resource not accessible by integration" >&2; exit 1; }
method=$2 path=$3 line=""
if [ $# -ge 5 ]; then line=$(head -n 1 "${5#body=@}"); fi
echo "$method $path $line" >> "$FAKE_LOG"
"#;

struct Post {
    temp: tempfile::TempDir,
}

impl Post {
    /// Parts `part-01.md`.. with the markers of a `count`-part comment.
    fn new(count: usize, existing: &str) -> Post {
        let temp = tempfile::tempdir().expect("temp dir");
        let dir = temp.path();
        std::fs::create_dir_all(dir.join("bin")).expect("mkdir");
        std::fs::create_dir_all(dir.join("parts")).expect("mkdir");
        let gh = dir.join("bin/gh");
        std::fs::write(&gh, FAKE_GH).expect("write gh");
        std::fs::set_permissions(&gh, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        for k in 1..=count {
            std::fs::write(
                dir.join(format!("parts/part-{k:02}.md")),
                format!("<!-- strata diff id=\"prod\" part=\"{k}/{count}\" -->\nbody {k}\n"),
            )
            .expect("write part");
        }
        std::fs::write(dir.join("comments.json"), existing).expect("write comments");
        std::fs::write(dir.join("log"), "").expect("write log");
        std::fs::write(dir.join("summary"), "").expect("write summary");
        Post { temp }
    }

    fn run(&self, extra: &[(&str, &str)]) -> Output {
        let dir = self.temp.path();
        let path = format!(
            "{}:{}",
            dir.join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut command = Command::new(action_dir().join("post-comments.sh"));
        command
            .env("PATH", path)
            .env("PARTS", dir.join("parts"))
            .env("COMMENT_ID", "prod")
            .env("REPOSITORY", "shop/deploy")
            .env("PULL_REQUEST", "42")
            .env("FROM_FORK", "false")
            .env("GITHUB_STEP_SUMMARY", dir.join("summary"))
            .env("FAKE_COMMENTS", dir.join("comments.json"))
            .env("FAKE_LOG", dir.join("log"));
        for (name, value) in extra {
            command.env(name, value);
        }
        command.output().expect("post-comments.sh runs")
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.temp.path().join("log")).expect("log")
    }

    fn summary(&self) -> String {
        std::fs::read_to_string(self.temp.path().join("summary")).expect("summary")
    }
}

fn jq_present() -> bool {
    let present = Command::new("jq").arg("--version").output().is_ok();
    if !present {
        eprintln!("jq absent: the comment lookup is not run");
    }
    present
}

/// Comments on the pull request: someone else's, this diff's parts 1 and 2
/// (ids 11, 13) and an old surplus part (14), another diff's (12).
const EXISTING: &str = r#"[
  {"id": 10, "body": "LGTM, but see <!-- strata diff id=\"prod\" part=\"1/1\" -->"},
  {"id": 11, "body": "<!-- strata diff id=\"prod\" part=\"1/3\" -->\nold 1"},
  {"id": 12, "body": "<!-- strata diff id=\"staging\" part=\"1/1\" -->\nother"},
  {"id": 13, "body": "<!-- strata diff id=\"prod\" part=\"2/3\" -->\nold 2"},
  {"id": 14, "body": "<!-- strata diff id=\"prod\" part=\"3/3\" -->\nold 3"}
]"#;

#[test]
fn own_comments_are_updated_in_place_and_surplus_ones_deleted() {
    if !jq_present() {
        return;
    }
    let post = Post::new(2, EXISTING);
    let output = post.run(&[]);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        post.log(),
        "PATCH repos/shop/deploy/issues/comments/11 <!-- strata diff id=\"prod\" part=\"1/2\" -->\n\
         PATCH repos/shop/deploy/issues/comments/13 <!-- strata diff id=\"prod\" part=\"2/2\" -->\n\
         DELETE repos/shop/deploy/issues/comments/14 \n"
    );
    assert_eq!(post.summary(), "");
}

#[test]
fn missing_parts_are_created() {
    if !jq_present() {
        return;
    }
    let post = Post::new(
        3,
        r#"[{"id": 11, "body": "<!-- strata diff id=\"prod\" part=\"1/1\" -->\nold"}]"#,
    );
    assert!(post.run(&[]).status.success());
    assert_eq!(
        post.log(),
        "PATCH repos/shop/deploy/issues/comments/11 <!-- strata diff id=\"prod\" part=\"1/3\" -->\n\
         POST repos/shop/deploy/issues/42/comments <!-- strata diff id=\"prod\" part=\"2/3\" -->\n\
         POST repos/shop/deploy/issues/42/comments <!-- strata diff id=\"prod\" part=\"3/3\" -->\n"
    );
    let first = Post::new(1, "[]");
    assert!(first.run(&[]).status.success());
    assert_eq!(
        first.log(),
        "POST repos/shop/deploy/issues/42/comments <!-- strata diff id=\"prod\" part=\"1/1\" -->\n"
    );
}

#[test]
fn forks_and_read_only_tokens_get_the_job_summary() {
    let parts = "<!-- strata diff id=\"prod\" part=\"1/2\" -->\nbody 1\n\
                 <!-- strata diff id=\"prod\" part=\"2/2\" -->\nbody 2\n";
    let fork = Post::new(2, EXISTING);
    let output = fork.run(&[("FROM_FORK", "true")]);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(fork.log(), "", "no API calls from a fork");
    assert_eq!(fork.summary(), parts);
    assert!(String::from_utf8_lossy(&output.stderr).contains("fork"));

    if !jq_present() {
        return;
    }
    let read_only = Post::new(2, EXISTING);
    let output = read_only.run(&[("FAKE_WRITE_FAILS", "1")]);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(read_only.summary(), parts);
    assert!(String::from_utf8_lossy(&output.stderr).contains("read-only token"));
}
