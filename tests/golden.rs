//! Golden and differential tests over the fixture trees in `tests/cases/`
//! (kustomize-compatible trees: expectations come from `kubectl kustomize`)
//! and `tests/extensions/` (trees that use strata's own features, presets
//! and jsonnet, which kubectl cannot build: expectations are reviewed
//! strata output, and there is no differential run).
//!
//! Each case directory holds `input/` (a kustomization tree), an optional
//! `flags` file (extra `strata build` flags, one line) and an optional
//! `target` file (the directory to build, relative to `input/`; `.` if
//! absent), plus either `expected.yaml` (what `kubectl kustomize` printed,
//! committed) or `expected-error.txt` (a phrase strata's error must contain;
//! kubectl must fail too). Run `tests/regen CASE...` to refresh
//! `expected.yaml` from kubectl.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn cases_dir(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(kind)
}

struct Case {
    name: String,
    dir: PathBuf,
    flags: Vec<String>,
    target: String,
}

fn cases(kind: &str) -> Vec<Case> {
    let mut cases: Vec<Case> = std::fs::read_dir(cases_dir(kind))
        .expect("the cases directory exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.join("input").is_dir())
        .map(|dir| {
            let read = |name: &str| std::fs::read_to_string(dir.join(name)).ok();
            Case {
                name: dir.file_name().unwrap().to_string_lossy().into_owned(),
                flags: read("flags")
                    .map(|f| f.split_whitespace().map(String::from).collect())
                    .unwrap_or_default(),
                target: read("target").map_or(".".into(), |t| t.trim().to_string()),
                dir,
            }
        })
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    cases
}

fn strata(case: &Case) -> Output {
    Command::new(env!("CARGO_BIN_EXE_strata"))
        .arg("build")
        .args(&case.flags)
        .arg(&case.target)
        .current_dir(case.dir.join("input"))
        .output()
        .expect("strata runs")
}

#[test]
fn golden_cases() {
    check_golden("cases");
}

#[test]
fn extension_cases() {
    check_golden("extensions");
}

fn check_golden(kind: &str) {
    let cases = cases(kind);
    assert!(!cases.is_empty(), "no cases under tests/{kind}");
    let mut failures = Vec::new();
    for case in &cases {
        let output = strata(case);
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        if let Ok(expected) = std::fs::read_to_string(case.dir.join("expected.yaml")) {
            if !output.status.success() {
                failures.push(format!("{}: strata failed:\n{stderr}", case.name));
            } else if stdout != expected {
                failures.push(format!(
                    "{}: output differs from expected.yaml\n{}",
                    case.name,
                    similar::TextDiff::from_lines(expected.as_str(), &*stdout)
                        .unified_diff()
                        .header("expected.yaml", "strata")
                ));
            }
        } else if let Ok(phrase) = std::fs::read_to_string(case.dir.join("expected-error.txt")) {
            let phrase = phrase.trim();
            if output.status.code() != Some(1) {
                failures.push(format!(
                    "{}: expected exit status 1, got {:?}",
                    case.name,
                    output.status.code()
                ));
            } else if !stderr.contains(phrase) {
                failures.push(format!("{}: stderr lacks `{phrase}`:\n{stderr}", case.name));
            } else if !stdout.is_empty() {
                failures.push(format!("{}: printed output despite the error", case.name));
            }
        } else {
            failures.push(format!(
                "{}: neither expected.yaml nor expected-error.txt",
                case.name
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
    println!("{} {kind} cases passed", cases.len());
}

/// Where kubectl is on PATH, the committed expectations must still be what
/// kubectl prints, and kubectl must fail where strata is expected to.
#[test]
fn differential_against_kubectl() {
    if Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_err()
    {
        println!("notice: kubectl is not on PATH; skipping the differential test");
        return;
    }
    let mut failures = Vec::new();
    for case in cases("cases") {
        let output = Command::new("kubectl")
            .arg("kustomize")
            .args(&case.flags)
            .arg(&case.target)
            .current_dir(case.dir.join("input"))
            .output()
            .expect("kubectl runs");
        let strata_output = strata(&case);
        if case.dir.join("expected-error.txt").exists() {
            if output.status.success() {
                failures.push(format!(
                    "{}: kubectl succeeded where an error is expected",
                    case.name
                ));
            }
            continue;
        }
        if !output.status.success() {
            failures.push(format!(
                "{}: kubectl failed: {}",
                case.name,
                String::from_utf8_lossy(&output.stderr)
            ));
        } else if output.stdout != strata_output.stdout {
            failures.push(format!("{}: strata and kubectl differ", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The example in `bases/`, `overlays/` and `presets/` that the README's
/// quick start builds: each overlay's output is committed under
/// `tests/example/`. dev and staging use only kustomize's features, so where
/// kubectl is on PATH they must also equal its output; production adds
/// presets and jsonnet.
#[test]
fn example_overlays() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let have_kubectl = Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_ok();
    for overlay in ["dev", "staging", "production"] {
        let output = Command::new(env!("CARGO_BIN_EXE_strata"))
            .args(["build", &format!("overlays/{overlay}")])
            .current_dir(root)
            .output()
            .expect("strata runs");
        assert!(
            output.status.success(),
            "{overlay}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let expected = std::fs::read(root.join(format!("tests/example/{overlay}.yaml")))
            .expect("committed example output");
        assert!(
            output.stdout == expected,
            "overlays/{overlay} differs from tests/example/{overlay}.yaml"
        );
        if have_kubectl && overlay != "production" {
            let kubectl = Command::new("kubectl")
                .args(["kustomize", &format!("overlays/{overlay}")])
                .current_dir(root)
                .output()
                .expect("kubectl runs");
            assert!(
                kubectl.stdout == output.stdout,
                "overlays/{overlay}: strata and kubectl differ"
            );
        }
    }
}
