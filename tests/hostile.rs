//! Hostile and careless input: every case under `tests/hostile/` is a tree
//! strata must build, or refuse, exactly as recorded, and where kustomize
//! semantics apply, exactly as `kubectl kustomize` does.
//!
//! A case is a directory with `input/` (copied to a fresh temporary
//! directory before each run, so cases may plant FIFOs or write files) and
//! a `case` file of `key: value` lines:
//!
//! - `args:` the strata command line (default `build .`), run in the copy;
//! - `exit:` the expected exit status (default 0);
//! - `stderr:` a phrase stderr must contain (repeatable);
//! - `absent:` text stderr must not contain (repeatable: Secret data,
//!   planted markers; a failed build prints nothing on stdout at all);
//! - `kustomize:` `accepts` or `refuses`, kustomize's verdict on the same
//!   tree (recorded with kubectl), or `n/a` where kustomize semantics do
//!   not apply (strata's own features, or where kustomize hangs or is unsafe);
//! - `setup:` `fifo PATH` makes a FIFO in the copy before the run;
//! - `file:` `PATH` must exist after the run, `nofile:` `PATH` must not
//!   (paths relative to the copy; used by `-o` cases).
//!
//! An `expected.yaml` beside `case` is the exact stdout (what kubectl
//! printed, for `accepts` cases). Each case is a test `hostile::NAME`;
//! `hostile::NAME::kubectl` checks the recorded verdict against kubectl,
//! and is ignored with a notice where kubectl is not on PATH.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use libtest_mimic::{Arguments, Completion, Failed, Trial};

fn main() {
    let args = Arguments::from_args();
    let kubectl = Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok();
    if !kubectl {
        eprintln!("notice: kubectl is not on PATH; the `::kubectl` verdict checks are skipped");
    }
    let cases = cases();
    assert!(cases.len() >= 150, "only {} hostile cases", cases.len());
    let mut trials = Vec::new();
    for case in cases.into_iter().map(Arc::new) {
        let name = format!("hostile::{}", case.name);
        if case.kustomize.is_some() {
            let case = Arc::clone(&case);
            trials.push(Trial::ignorable_test(
                format!("{name}::kubectl"),
                move || {
                    if kubectl {
                        check_with_kubectl(&case).map(|()| Completion::Completed)
                    } else {
                        Ok(Completion::ignored_with("kubectl is not on PATH"))
                    }
                },
            ));
        }
        trials.push(Trial::test(name, move || check(&case)));
    }
    libtest_mimic::run(&args, trials).exit();
}

/// Longest a run may take: hostile input must not hang strata.
const TIMEOUT: Duration = Duration::from_secs(60);

struct Case {
    name: String,
    dir: PathBuf,
    args: Vec<String>,
    exit: i32,
    stderr: Vec<String>,
    absent: Vec<String>,
    /// `Some(true)`: kustomize accepts; `Some(false)`: refuses; `None`: n/a.
    kustomize: Option<bool>,
    setup: Vec<String>,
    files: Vec<String>,
    no_files: Vec<String>,
}

fn cases() -> Vec<Case> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile");
    let mut cases: Vec<Case> = std::fs::read_dir(&root)
        .expect("tests/hostile exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|dir| dir.join("case").is_file())
        .map(|dir| parse_case(&dir))
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    cases
}

fn parse_case(dir: &Path) -> Case {
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let text = std::fs::read_to_string(dir.join("case")).expect("readable case file");
    let mut case = Case {
        name: name.clone(),
        dir: dir.to_path_buf(),
        args: vec!["build".into(), ".".into()],
        exit: 0,
        stderr: Vec::new(),
        absent: Vec::new(),
        kustomize: None,
        setup: Vec::new(),
        files: Vec::new(),
        no_files: Vec::new(),
    };
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let (key, value) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("{name}/case: `{line}` is not `key: value`"));
        let value = value.trim().to_string();
        match key.trim() {
            "args" => case.args = value.split_whitespace().map(String::from).collect(),
            "exit" => case.exit = value.parse().expect("exit is a number"),
            "stderr" => case.stderr.push(value),
            "absent" => case.absent.push(value),
            "kustomize" => {
                case.kustomize = match value.as_str() {
                    "accepts" => Some(true),
                    "refuses" => Some(false),
                    "n/a" => None,
                    other => panic!("{name}/case: kustomize `{other}`"),
                }
            }
            "setup" => case.setup.push(value),
            "file" => case.files.push(value),
            "nofile" => case.no_files.push(value),
            other => panic!("{name}/case: unknown key `{other}`"),
        }
    }
    case
}

/// Copies `input/` into a fresh directory, symlinks as symlinks, and runs
/// the case's setup there.
fn prepare(case: &Case) -> Result<tempfile::TempDir, Failed> {
    let work = tempfile::tempdir().map_err(|e| format!("tempdir: {e}"))?;
    copy_tree(&case.dir.join("input"), work.path()).map_err(|e| format!("copy: {e}"))?;
    for step in &case.setup {
        match step.split_once(' ') {
            Some(("fifo", path)) => {
                let status = Command::new("mkfifo")
                    .arg(work.path().join(path))
                    .status()
                    .map_err(|e| format!("mkfifo: {e}"))?;
                if !status.success() {
                    return Err(format!("mkfifo {path} failed").into());
                }
            }
            _ => return Err(format!("unknown setup step `{step}`").into()),
        }
    }
    Ok(work)
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        let kind = entry.file_type()?;
        if kind.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(entry.path())?, &target)?;
        } else if kind.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Runs `program args` in `dir` with no stdin, killing it after [`TIMEOUT`].
fn run(program: &str, args: &[String], dir: &Path) -> Result<Output, Failed> {
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    // Drain both pipes on threads so a large output cannot block the child.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_thread = std::thread::spawn(move || {
        let mut buffer = Vec::new();
        let _ = out.read_to_end(&mut buffer);
        buffer
    });
    let err_thread = std::thread::spawn(move || {
        let mut buffer = Vec::new();
        let _ = err.read_to_end(&mut buffer);
        buffer
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("{program} {args:?} still running after {TIMEOUT:?}").into());
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Ok(Output {
        status,
        stdout: out_thread.join().unwrap_or_default(),
        stderr: err_thread.join().unwrap_or_default(),
    })
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn check(case: &Case) -> Result<(), Failed> {
    let work = prepare(case)?;
    let output = run(env!("CARGO_BIN_EXE_strata"), &case.args, work.path())?;
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    let Some(code) = output.status.code() else {
        return Err(format!("strata was killed ({:?}):\n{stderr}", output.status).into());
    };
    if code != case.exit {
        return Err(format!("exit status {code}, expected {}:\n{stderr}", case.exit).into());
    }
    for phrase in &case.stderr {
        if !stderr.contains(phrase.as_str()) {
            return Err(format!("stderr lacks `{phrase}`:\n{stderr}").into());
        }
    }
    for secret in &case.absent {
        if stderr.contains(secret.as_str()) {
            return Err(format!("`{secret}` was printed:\n{stderr}").into());
        }
    }
    if code != 0 && case.args[0] == "build" && !output.stdout.is_empty() {
        return Err(format!("printed output despite the error:\n{stdout}").into());
    }
    if let Ok(expected) = std::fs::read(case.dir.join("expected.yaml")) {
        if output.stdout != expected {
            return Err(format!(
                "stdout differs from expected.yaml:\n--- expected\n{}\n--- strata\n{stdout}",
                text(&expected)
            )
            .into());
        }
    }
    for path in &case.files {
        if std::fs::symlink_metadata(work.path().join(path)).is_err() {
            return Err(format!("{path} was not written").into());
        }
    }
    for path in &case.no_files {
        if std::fs::symlink_metadata(work.path().join(path)).is_ok() {
            return Err(format!("{path} exists after the run").into());
        }
    }
    Ok(())
}

/// kustomize's verdict must still be the recorded one, and where both
/// accept, the output must be the same bytes.
fn check_with_kubectl(case: &Case) -> Result<(), Failed> {
    let accepts = case.kustomize.expect("only cases with a verdict");
    let Some(("build", rest)) = case.args.split_first().map(|(v, r)| (v.as_str(), r)) else {
        return Err("a kustomize verdict needs a `build` command".into());
    };
    let work = prepare(case)?;
    let mut args = vec!["kustomize".to_string()];
    args.extend(rest.iter().cloned());
    let output = run("kubectl", &args, work.path())?;
    if output.status.success() != accepts {
        return Err(format!(
            "kustomize {} where it is recorded to {}:\n{}",
            if output.status.success() {
                "accepted"
            } else {
                "refused"
            },
            if accepts { "accept" } else { "refuse" },
            text(&output.stderr)
        )
        .into());
    }
    if accepts != (case.exit == 0) {
        return Err("strata's verdict differs from kustomize's".into());
    }
    if accepts {
        let work = prepare(case)?;
        let ours = run(env!("CARGO_BIN_EXE_strata"), &case.args, work.path())?;
        if ours.stdout != output.stdout {
            return Err(format!(
                "strata and kubectl differ:\n--- kubectl\n{}\n--- strata\n{}",
                text(&output.stdout),
                text(&ours.stdout)
            )
            .into());
        }
    }
    Ok(())
}
