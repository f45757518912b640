//! `strata edit` and `strata create`, end to end.
//!
//! Each `tests/edit/<case>/` holds an `input/` tree and a `commands` file
//! (one command line a line: words split on whitespace, or a JSON array of
//! arguments for words with spaces), run with `input/`'s copy as the current
//! directory. Then:
//! - `expected/` holds files the tree must have afterwards, byte for byte
//!   (`kustomization.yaml` at least);
//! - `expected-error.txt`, when present, is text the last command's stderr
//!   must contain, and the kustomization file must be unchanged;
//! - `build-contains.txt`: lines the build of the edited tree must contain
//!   (what the user asked for really happened);
//! - `same-build`: present for `fix` cases: the build before the commands
//!   equals the build after.
//!
//! Where `kubectl` is on PATH, `kubectl kustomize` of the edited tree must
//! print what `strata build` prints (and, for `same-build`, the same before
//! and after); without it those parts are skipped with a notice.

use std::path::{Path, PathBuf};
use std::process::Command;

fn cases_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/edit")
}

fn strata() -> Command {
    Command::new(env!("CARGO_BIN_EXE_strata"))
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn parse_commands(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            if l.starts_with('[') {
                serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON command {l}: {e}"))
            } else {
                l.split_whitespace().map(str::to_string).collect()
            }
        })
        .collect()
}

fn kubectl_available() -> bool {
    Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn strata_build(dir: &Path) -> Result<String, String> {
    let out = strata().arg("build").arg(dir).output().unwrap();
    if out.status.success() {
        Ok(String::from_utf8(out.stdout).unwrap())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn kubectl_build(dir: &Path) -> Result<String, String> {
    let out = Command::new("kubectl")
        .arg("kustomize")
        .arg(dir)
        .output()
        .unwrap();
    if out.status.success() {
        Ok(String::from_utf8(out.stdout).unwrap())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn kustomization_text(dir: &Path) -> Option<String> {
    ["kustomization.yaml", "kustomization.yml", "Kustomization"]
        .iter()
        .find_map(|n| std::fs::read_to_string(dir.join(n)).ok())
}

fn run_case(case: &Path, kubectl: bool) -> Result<(), String> {
    let name = case.file_name().unwrap().to_string_lossy().into_owned();
    let temp = tempfile::tempdir().unwrap();
    let work = temp.path().join("work");
    copy_tree(&case.join("input"), &work);
    let commands = parse_commands(
        &std::fs::read_to_string(case.join("commands"))
            .map_err(|e| format!("{name}: no commands file: {e}"))?,
    );
    let expected_error = std::fs::read_to_string(case.join("expected-error.txt")).ok();
    let same_build = case.join("same-build").exists();
    let before_strata = same_build.then(|| strata_build(&work));
    let before_kubectl = (same_build && kubectl).then(|| kubectl_build(&work));
    let mut before_last = None;
    for (index, args) in commands.iter().enumerate() {
        let last = index + 1 == commands.len();
        if last {
            before_last = kustomization_text(&work);
        }
        let out = strata().args(args).current_dir(&work).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        match (&expected_error, last) {
            (Some(expected), true) => {
                if out.status.code() != Some(1) {
                    return Err(format!(
                        "{name}: {args:?} should exit 1, got {:?}",
                        out.status
                    ));
                }
                if !stderr.contains(expected.trim_end()) {
                    return Err(format!(
                        "{name}: {args:?}: stderr lacks {expected:?}:\n{stderr}"
                    ));
                }
                if kustomization_text(&work) != before_last {
                    return Err(format!("{name}: the failed command changed the file"));
                }
            }
            _ => {
                if !out.status.success() {
                    return Err(format!("{name}: {args:?} failed:\n{stderr}"));
                }
            }
        }
    }
    let expected_dir = case.join("expected");
    if expected_dir.is_dir() {
        for entry in walkdir::WalkDir::new(&expected_dir) {
            let entry = entry.unwrap();
            if entry.file_type().is_dir() {
                continue;
            }
            let rel = entry.path().strip_prefix(&expected_dir).unwrap();
            let want = std::fs::read_to_string(entry.path()).unwrap();
            let got = std::fs::read_to_string(work.join(rel))
                .map_err(|e| format!("{name}: {} missing: {e}", rel.display()))?;
            if got != want {
                return Err(format!(
                    "{name}: {} differs\n--- expected\n{want}\n--- got\n{got}",
                    rel.display()
                ));
            }
        }
    }
    let leftovers: Vec<_> = std::fs::read_dir(&work)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".strata-edit-"))
        .collect();
    if !leftovers.is_empty() {
        return Err(format!(
            "{name}: temporary files left behind: {leftovers:?}"
        ));
    }
    if expected_error.is_some() {
        return Ok(());
    }
    let built = strata_build(&work).map_err(|e| format!("{name}: strata build failed: {e}"))?;
    if let Ok(wanted) = std::fs::read_to_string(case.join("build-contains.txt")) {
        for line in wanted.lines().filter(|l| !l.trim().is_empty()) {
            if !built.lines().any(|b| b == line) {
                return Err(format!("{name}: build lacks line {line:?}:\n{built}"));
            }
        }
    }
    if let Some(before) = before_strata {
        let before = before.map_err(|e| format!("{name}: build before failed: {e}"))?;
        if before != built {
            return Err(format!(
                "{name}: strata build changed\n--- before\n{before}\n--- after\n{built}"
            ));
        }
    }
    if kubectl {
        let theirs = kubectl_build(&work).map_err(|e| format!("{name}: kubectl failed: {e}"))?;
        if theirs != built {
            return Err(format!(
                "{name}: kubectl kustomize differs from strata build\n--- kubectl\n{theirs}\n--- strata\n{built}"
            ));
        }
        if let Some(before) = before_kubectl {
            let before = before.map_err(|e| format!("{name}: kubectl before failed: {e}"))?;
            if before != theirs {
                return Err(format!("{name}: kubectl build changed by the edit"));
            }
        }
    }
    Ok(())
}

#[test]
fn edit_cases() {
    let kubectl = kubectl_available();
    if !kubectl {
        eprintln!("notice: kubectl not on PATH; skipping the kubectl comparisons");
    }
    let mut cases: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("commands").exists())
        .collect();
    cases.sort();
    assert!(
        cases.len() > 20,
        "expected the edit cases, found {}",
        cases.len()
    );
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| run_case(c, kubectl).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn missing_kustomization_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = strata()
        .args(["edit", "set", "namespace", "x"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Missing kustomization file 'kustomization.yaml'."),
        "{stderr}"
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn several_kustomization_files_are_an_error() {
    let dir = tempfile::tempdir().unwrap();
    for n in ["kustomization.yaml", "kustomization.yml"] {
        std::fs::write(dir.path().join(n), "namespace: a\n").unwrap();
    }
    let out = strata()
        .args(["edit", "set", "namespace", "x"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr
            .contains("Found multiple kustomization file: [kustomization.yaml kustomization.yml]"),
        "{stderr}"
    );
}

#[test]
fn other_file_names_are_edited_in_place() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Kustomization"), "namespace: a # ns\n").unwrap();
    let out = strata()
        .args(["edit", "set", "namespace", "b"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = std::fs::read_to_string(dir.path().join("Kustomization")).unwrap();
    assert_eq!(text, "namespace: b # ns\n");
    assert!(!dir.path().join("kustomization.yaml").exists());
}

#[cfg(unix)]
#[test]
fn a_symlinked_kustomization_is_replaced_not_written_through() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("shared.yaml");
    std::fs::write(&target, "namespace: a\n").unwrap();
    std::os::unix::fs::symlink(&target, dir.path().join("kustomization.yaml")).unwrap();
    let out = strata()
        .args(["edit", "set", "namespace", "b"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "namespace: a\n");
    let link = dir.path().join("kustomization.yaml");
    assert!(!std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read_to_string(&link).unwrap(), "namespace: b\n");
}

#[cfg(unix)]
#[test]
fn permissions_survive_an_edit() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kustomization.yaml");
    std::fs::write(&path, "namespace: a\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let out = strata()
        .args(["edit", "set", "namespace", "b"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
}

#[test]
fn an_unchanged_file_is_not_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kustomization.yaml");
    std::fs::write(&path, "namespace:   b   # odd spacing\n").unwrap();
    let out = strata()
        .args(["edit", "set", "image", "--", "x=*:*"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // `x` was not in the file: kustomize adds `- name: x`.
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text, "namespace:   b   # odd spacing\nimages:\n- name: x\n");
    let before = std::fs::metadata(&path).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(50));
    for args in [
        ["edit", "remove", "resource", "nothing.yaml"],
        ["edit", "set", "image", "x=*:*"],
        ["edit", "set", "namespace", "b"],
    ] {
        let out = strata()
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}");
    }
    let after = std::fs::metadata(&path).unwrap().modified().unwrap();
    assert_eq!(after, before, "an edit that changes nothing must not write");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}
