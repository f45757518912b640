//! The example program: `cargo run --example test-apiserver -- --kubeconfig FILE ...`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use super::client::{Client, Kubectl};

/// The example's binary. A full `cargo test` has built it before the tests
/// run; only when it is missing or older than its sources (e.g. after
/// `cargo test --test apiserver_behaviour`) is cargo asked to build it,
/// since a nested cargo waits for the locks other cargo runs hold.
fn program() -> PathBuf {
    let deps = std::env::current_exe().expect("test binary");
    let binary = deps
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target profile directory")
        .join("examples")
        .join(format!("test-apiserver{}", std::env::consts::EXE_SUFFIX));
    if is_stale(&binary) {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let built = Command::new(cargo)
            .args(["build", "--quiet", "--example", "test-apiserver"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("run cargo");
        assert!(
            built.success(),
            "cargo build --example test-apiserver failed"
        );
    }
    binary
}

/// Whether `binary` is missing or older than the example or the server's modules.
fn is_stale(binary: &Path) -> bool {
    let modified = |path: &Path| {
        std::fs::metadata(path)
            .and_then(|meta| meta.modified())
            .ok()
    };
    let Some(built) = modified(binary) else {
        return true;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = vec![root.join("examples/test-apiserver.rs")];
    if let Ok(entries) = std::fs::read_dir(root.join("tests/apiserver")) {
        sources.extend(entries.filter_map(|entry| entry.ok().map(|entry| entry.path())));
    }
    sources
        .iter()
        .any(|source| modified(source).is_none_or(|time| time > built))
}

/// Kills the server when the test ends, pass or fail.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn the_program_writes_a_kubeconfig_logs_requests_and_serves_kubectl() {
    let dir = tempfile::tempdir().expect("temp dir");
    let kubeconfig = dir.path().join("kubeconfig");
    let log = dir.path().join("requests.log");
    let child = Command::new(program())
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .args(["--ready-after", "0"])
        .arg("--request-log")
        .arg(&log)
        .spawn()
        .expect("start the program");
    let _running = Running(child);
    let started = Instant::now();
    while !kubeconfig.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no kubeconfig written"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let text = std::fs::read_to_string(&kubeconfig).expect("kubeconfig");
    let url = text
        .lines()
        .find_map(|line| line.trim().strip_prefix("server: "))
        .expect("server line")
        .to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let http = Client::new(&url);
    assert_eq!(http.get("/version").json()["gitVersion"], "v1.32.0");
    let listed = http.get("/api/v1/namespaces?limit=500");
    assert_eq!(listed.status, 200);
    let lines = std::fs::read_to_string(&log).expect("request log");
    assert_eq!(lines, "GET /version\nGET /api/v1/namespaces?limit=500\n");
    let Some(kubectl) = Kubectl::new(kubeconfig, dir.path()) else {
        return;
    };
    let names = kubectl.expect(&["get", "ns", "-o", "name"], None, 0);
    assert_eq!(
        names.stdout,
        "namespace/default\nnamespace/kube-node-lease\nnamespace/kube-public\nnamespace/kube-system\n"
    );
    let lines = std::fs::read_to_string(&log).expect("request log");
    assert!(
        lines
            .lines()
            .any(|line| line.starts_with("GET /api/v1/namespaces?limit=500")),
        "{lines}"
    );
}

#[test]
fn the_program_refuses_a_bad_ready_after() {
    let output = Command::new(program())
        .args([
            "--kubeconfig",
            "/nonexistent/dir/kubeconfig",
            "--ready-after=-1",
        ])
        .output()
        .expect("run the program");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--ready-after must be a number of seconds"),
        "{stderr}"
    );
}
