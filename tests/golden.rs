//! Golden and differential tests over the fixture trees in `tests/cases/`
//! (kustomize-compatible trees: expectations come from `kubectl kustomize`),
//! `tests/extensions/` (trees that use strata's own features, presets and
//! jsonnet, which kubectl cannot build: expectations are reviewed strata
//! output, and there is no differential run) and the example overlays
//! (`tests/example/`).
//!
//! Each case directory holds `input/` (a kustomization tree), an optional
//! `flags` file (extra `strata build` flags, one line) and an optional
//! `target` file (the directory to build, relative to `input/`; `.` if
//! absent), plus either `expected.yaml` (what `kubectl kustomize` printed,
//! committed) or `expected-error.txt` (a phrase strata's error must contain;
//! kubectl must fail too), and with `expected.yaml` an optional
//! `expected-warning.txt` (a phrase a `warning:` line must contain). Run
//! `tests/regen CASE...` to refresh `expected.yaml` from kubectl.
//!
//! Every case is a test of its own (this file is its own harness, with
//! libtest-mimic), named `cases::NAME`, `extensions::NAME` or
//! `example::OVERLAY`; `cases::NAME::kubectl` and `example::OVERLAY::kubectl`
//! are the differential runs, ignored with a notice where kubectl is not on
//! PATH. So `cargo test --test golden -- NAME` runs one case. Each test also
//! builds twice and requires the same bytes (a fresh process each time, so
//! hash-map seeds differ).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use libtest_mimic::{Arguments, Completion, Failed, Trial};

fn main() {
    let args = Arguments::from_args();
    let kubectl = kubectl_on_path();
    if !kubectl {
        eprintln!(
            "notice: kubectl is not on PATH; the differential tests (`::kubectl`) are skipped"
        );
    }
    let mut trials = Vec::new();
    for kind in ["cases", "extensions"] {
        let cases = cases(kind);
        assert!(!cases.is_empty(), "no cases under tests/{kind}");
        for case in cases.into_iter().map(Arc::new) {
            let name = format!("{kind}::{}", case.name);
            if kind == "cases" {
                let case = Arc::clone(&case);
                trials.push(differential(
                    format!("{name}::kubectl"),
                    kubectl,
                    move || check_case_with_kubectl(&case),
                ));
            }
            trials.push(Trial::test(name, move || check_case(&case)));
        }
    }
    for overlay in EXAMPLE_OVERLAYS {
        let name = format!("example::{overlay}");
        // dev and staging use only kustomize's features; production adds
        // presets and jsonnet.
        if overlay != "production" {
            trials.push(differential(
                format!("{name}::kubectl"),
                kubectl,
                move || check_example_with_kubectl(overlay),
            ));
        }
        trials.push(Trial::test(name, move || check_example(overlay)));
    }
    trials.sort_by(|a, b| a.name().cmp(b.name()));
    libtest_mimic::run(&args, trials).exit();
}

/// A test that needs kubectl: ignored, with the reason shown, without it.
fn differential(
    name: String,
    kubectl: bool,
    check: impl FnOnce() -> Result<(), Failed> + Send + 'static,
) -> Trial {
    Trial::ignorable_test(name, move || {
        if kubectl {
            check().map(|()| Completion::Completed)
        } else {
            Ok(Completion::ignored_with("kubectl is not on PATH"))
        }
    })
}

fn kubectl_on_path() -> bool {
    Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok()
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

struct Case {
    name: String,
    dir: PathBuf,
    flags: Vec<String>,
    target: String,
}

impl Case {
    fn input(&self) -> PathBuf {
        self.dir.join("input")
    }

    /// `strata build` (or `kubectl kustomize`) arguments after the verb.
    fn build_args(&self) -> Vec<String> {
        let mut args = self.flags.clone();
        args.push(self.target.clone());
        args
    }
}

fn cases(kind: &str) -> Vec<Case> {
    let mut cases: Vec<Case> = std::fs::read_dir(root().join("tests").join(kind))
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

fn run(program: &str, verb: &str, args: &[String], dir: &Path) -> Result<Output, Failed> {
    Command::new(program)
        .arg(verb)
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run {program}: {e}").into())
}

fn strata(args: &[String], dir: &Path) -> Result<Output, Failed> {
    run(env!("CARGO_BIN_EXE_strata"), "build", args, dir)
}

fn kubectl(args: &[String], dir: &Path) -> Result<Output, Failed> {
    run("kubectl", "kustomize", args, dir)
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A unified diff from `old` to `new`, cut short where it gets long.
fn diff(old_name: &str, old: &[u8], new_name: &str, new: &[u8]) -> String {
    const MAX_LINES: usize = 150;
    let (old, new) = (String::from_utf8_lossy(old), String::from_utf8_lossy(new));
    let text = similar::TextDiff::from_lines(&*old, &*new)
        .unified_diff()
        .header(old_name, new_name)
        .to_string();
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= MAX_LINES {
        return text;
    }
    format!(
        "{}\n... ({} more lines)",
        lines[..MAX_LINES].join("\n"),
        lines.len() - MAX_LINES
    )
}

/// The second build of the same tree must print the same bytes and exit
/// the same way as the first.
fn same_twice(first: &Output, args: &[String], dir: &Path) -> Result<(), Failed> {
    let second = strata(args, dir)?;
    if second.status.code() != first.status.code() {
        return Err(format!(
            "a second build exited with {:?}, the first with {:?}",
            second.status.code(),
            first.status.code()
        )
        .into());
    }
    if second.stdout != first.stdout {
        return Err(format!(
            "a second build printed other bytes:\n{}",
            diff("first build", &first.stdout, "second build", &second.stdout)
        )
        .into());
    }
    if second.stderr != first.stderr {
        return Err(format!(
            "a second build reported otherwise:\n{}",
            diff("first build", &first.stderr, "second build", &second.stderr)
        )
        .into());
    }
    Ok(())
}

fn check_case(case: &Case) -> Result<(), Failed> {
    let args = case.build_args();
    let output = strata(&args, &case.input())?;
    if let Ok(expected) = std::fs::read(case.dir.join("expected.yaml")) {
        if !output.status.success() {
            return Err(format!("strata failed:\n{}", stderr(&output)).into());
        }
        if output.stdout != expected {
            return Err(format!(
                "output differs from expected.yaml\n{}",
                diff("expected.yaml", &expected, "strata", &output.stdout)
            )
            .into());
        }
        if let Ok(phrase) = std::fs::read_to_string(case.dir.join("expected-warning.txt")) {
            let stderr = stderr(&output);
            let warned = stderr
                .lines()
                .any(|line| line.starts_with("warning: ") && line.contains(phrase.trim()));
            if !warned {
                return Err(format!("no warning with `{}`:\n{stderr}", phrase.trim()).into());
            }
        }
    } else if let Ok(phrase) = std::fs::read_to_string(case.dir.join("expected-error.txt")) {
        let phrase = phrase.trim();
        let stderr = stderr(&output);
        if output.status.code() != Some(1) {
            return Err(format!(
                "expected exit status 1, got {:?}:\n{stderr}",
                output.status.code()
            )
            .into());
        }
        if !stderr.contains(phrase) {
            return Err(format!("stderr lacks `{phrase}`:\n{stderr}").into());
        }
        if !output.stdout.is_empty() {
            return Err("printed output despite the error".into());
        }
    } else {
        return Err("neither expected.yaml nor expected-error.txt".into());
    }
    same_twice(&output, &args, &case.input())
}

/// The committed expectation must still be what kubectl prints (and strata
/// must print it too); kubectl must fail where strata is expected to.
fn check_case_with_kubectl(case: &Case) -> Result<(), Failed> {
    let args = case.build_args();
    let output = kubectl(&args, &case.input())?;
    if case.dir.join("expected-error.txt").exists() {
        if output.status.success() {
            return Err("kubectl succeeded where an error is expected".into());
        }
        return Ok(());
    }
    if !output.status.success() {
        return Err(format!("kubectl failed:\n{}", stderr(&output)).into());
    }
    let expected = std::fs::read(case.dir.join("expected.yaml"))
        .map_err(|e| format!("cannot read expected.yaml: {e}"))?;
    if output.stdout != expected {
        return Err(format!(
            "kubectl no longer prints expected.yaml (tests/regen {} refreshes it):\n{}",
            case.name,
            diff("expected.yaml", &expected, "kubectl", &output.stdout)
        )
        .into());
    }
    let strata_output = strata(&args, &case.input())?;
    if strata_output.stdout != output.stdout {
        return Err(format!(
            "strata and kubectl differ:\n{}",
            diff("kubectl", &output.stdout, "strata", &strata_output.stdout)
        )
        .into());
    }
    // kustomize's deprecation warnings, the same lines pointing at strata's fix.
    let theirs =
        deprecations(&stderr(&output)).replace("'kustomize edit fix'", "'strata edit fix'");
    let ours = deprecations(&stderr(&strata_output));
    if ours != theirs {
        return Err(format!(
            "deprecation warnings differ:\n{}",
            diff("kubectl", theirs.as_bytes(), "strata", ours.as_bytes())
        )
        .into());
    }
    Ok(())
}

/// The `# Warning: ...` lines of a build's stderr.
fn deprecations(stderr: &str) -> String {
    stderr
        .lines()
        .filter(|line| line.starts_with("# Warning: "))
        .map(|line| format!("{line}\n"))
        .collect()
}

/// The example in `bases/`, `overlays/` and `presets/` that the README's
/// quick start builds: each overlay's output is committed under
/// `tests/example/`.
const EXAMPLE_OVERLAYS: [&str; 3] = ["dev", "staging", "production"];

fn check_example(overlay: &str) -> Result<(), Failed> {
    let args = vec![format!("overlays/{overlay}")];
    let output = strata(&args, root())?;
    if !output.status.success() {
        return Err(format!("strata failed:\n{}", stderr(&output)).into());
    }
    let committed = format!("tests/example/{overlay}.yaml");
    let expected = std::fs::read(root().join(&committed))
        .map_err(|e| format!("cannot read {committed}: {e}"))?;
    if output.stdout != expected {
        return Err(format!(
            "overlays/{overlay} differs from {committed}:\n{}",
            diff(&committed, &expected, "strata", &output.stdout)
        )
        .into());
    }
    same_twice(&output, &args, root())
}

fn check_example_with_kubectl(overlay: &str) -> Result<(), Failed> {
    let args = vec![format!("overlays/{overlay}")];
    let output = kubectl(&args, root())?;
    if !output.status.success() {
        return Err(format!("kubectl failed:\n{}", stderr(&output)).into());
    }
    let strata_output = strata(&args, root())?;
    if strata_output.stdout != output.stdout {
        return Err(format!(
            "overlays/{overlay}: strata and kubectl differ:\n{}",
            diff("kubectl", &output.stdout, "strata", &strata_output.stdout)
        )
        .into());
    }
    Ok(())
}
