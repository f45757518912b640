//! The `strata` binary as a user meets it: output files, exit codes, help.

use std::path::Path;
use std::process::Command;

fn strata() -> Command {
    Command::new(env!("CARGO_BIN_EXE_strata"))
}

fn example(overlay: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("overlays")
        .join(overlay)
        .display()
        .to_string()
}

#[test]
fn output_directory_gets_one_file_per_resource_named_as_kustomize() {
    let dir = tempfile::tempdir().expect("temp dir");
    let status = strata()
        .args(["build", &example("staging"), "-o"])
        .arg(dir.path())
        .status()
        .expect("strata runs");
    assert!(status.success());
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("listing")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    // One namespace in the build, so no namespace prefix (kustomize's rule).
    assert!(
        names.contains(&"apps_v1_deployment_staging-web.yaml".to_string()),
        "{names:?}"
    );
    assert!(
        names.contains(&"batch_v1_cronjob_staging-reindex.yaml".to_string()),
        "{names:?}"
    );
    assert!(
        names
            .iter()
            .all(|n| n.ends_with(".yaml") && !n.starts_with('.')),
        "{names:?}"
    );
    let stream = strata()
        .args(["build", &example("staging")])
        .output()
        .expect("strata runs");
    let documents = String::from_utf8_lossy(&stream.stdout)
        .matches("\nkind: ")
        .count()
        + usize::from(String::from_utf8_lossy(&stream.stdout).starts_with("kind: "));
    assert_eq!(names.len(), documents);
}

#[test]
fn output_file_holds_the_stream() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("out.yaml");
    let status = strata()
        .args(["build", &example("dev"), "-o"])
        .arg(&file)
        .status()
        .expect("strata runs");
    assert!(status.success());
    let stdout = strata()
        .args(["build", &example("dev")])
        .output()
        .expect("strata runs")
        .stdout;
    assert_eq!(std::fs::read(&file).expect("written"), stdout);
}

/// `-o` naming a pipe (as `/dev/null` or `/dev/stdout` are devices) writes
/// into it: a rename would replace it with a regular file, which for
/// `/dev/null` run as root breaks the whole machine. A pipe in a temporary
/// directory stands in for the devices.
#[test]
fn output_to_a_pipe_writes_into_it() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let pipe = dir.path().join("pipe");
    match Command::new("mkfifo").arg(&pipe).status() {
        Ok(status) if status.success() => {}
        _ => {
            eprintln!("mkfifo absent: output to a pipe is not checked");
            return;
        }
    }
    let reader = {
        let pipe = pipe.clone();
        std::thread::spawn(move || std::fs::read(pipe).expect("read the pipe"))
    };
    let status = strata()
        .args(["build", &example("dev"), "-o"])
        .arg(&pipe)
        .status()
        .expect("strata runs");
    assert!(status.success());
    let kind = std::fs::symlink_metadata(&pipe)
        .expect("still there")
        .file_type();
    // Checked before joining: had the pipe been replaced, the reader would wait forever.
    assert!(kind.is_fifo(), "the pipe was replaced by {kind:?}");
    let stdout = strata()
        .args(["build", &example("dev")])
        .output()
        .expect("strata runs")
        .stdout;
    assert_eq!(reader.join().expect("reader"), stdout);
}

#[test]
fn a_failed_build_writes_nothing_and_exits_1() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("kustomization.yaml"),
        "resources:\n- missing.yaml\n",
    )
    .unwrap();
    let file = dir.path().join("out.yaml");
    let output = strata()
        .args(["build", "-o"])
        .arg(&file)
        .arg(dir.path())
        .output()
        .expect("strata runs");
    assert_eq!(output.status.code(), Some(1));
    assert!(!file.exists(), "no output file on error");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "only the kustomization remains");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains("missing.yaml"), "{stderr}");
}

#[test]
fn version_and_help_describe_the_commands() {
    let version = strata().arg("--version").output().expect("strata runs");
    let version = String::from_utf8_lossy(&version.stdout).trim().to_string();
    assert_eq!(
        version,
        format!("strata {} (kustomize v5.5.0)", env!("CARGO_PKG_VERSION"))
    );
    // The kustomize strata claims is the one inside the kubectl it is checked against.
    match Command::new("kubectl")
        .args(["version", "--client"])
        .output()
    {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout);
            let kustomize = text
                .lines()
                .find_map(|l| l.strip_prefix("Kustomize Version: "))
                .expect("kubectl names its kustomize");
            assert!(
                version.ends_with(&format!("(kustomize {kustomize})")),
                "{text}"
            );
        }
        _ => eprintln!("kubectl absent: its kustomize version is not compared"),
    }
    let help =
        String::from_utf8_lossy(&strata().arg("--help").output().unwrap().stdout).into_owned();
    for command in ["build", "diff"] {
        assert!(help.contains(command), "{help}");
    }
    let build =
        String::from_utf8_lossy(&strata().args(["build", "--help"]).output().unwrap().stdout)
            .into_owned();
    for flag in [
        "--output",
        "--load-restrictor",
        "--reorder",
        "--enable-managedby-label",
        "--ext-str",
        "--enable-helm",
    ] {
        assert!(build.contains(flag), "build --help lacks {flag}");
    }
}

#[test]
fn unknown_field_error_names_the_file_and_suggests_the_field() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("kustomization.yaml"), "namePrefx: a-\n").unwrap();
    let output = strata()
        .arg("build")
        .arg(dir.path())
        .output()
        .expect("strata runs");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("kustomization.yaml"), "{stderr}");
    assert!(
        stderr.contains("hint: did you mean `namePrefix`?"),
        "{stderr}"
    );
}

/// A tree of targets under one temporary directory: `apps/a` and `apps/b`
/// share `base`; `apps/broken` names a file that does not exist.
fn many_targets_tree() -> tempfile::TempDir {
    let root = tempfile::tempdir().expect("temp dir");
    let write = |path: &str, text: &str| {
        let path = root.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("base/kustomization.yaml", "resources: [cm.yaml]\n");
    write(
        "base/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\ndata:\n  k: v\n",
    );
    for (app, prefix) in [("a", "a-"), ("b", "b-")] {
        write(
            &format!("apps/{app}/kustomization.yaml"),
            &format!("namePrefix: {prefix}\nresources: [../../base]\n"),
        );
    }
    write(
        "apps/broken/kustomization.yaml",
        "resources: [../../base, missing.yaml]\n",
    );
    root
}

fn files_under(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(dir).unwrap();
                found.push(relative.display().to_string());
            }
        }
    }
    found.sort();
    found
}

#[test]
fn many_targets_are_written_each_to_its_path_under_the_output_directory() {
    let tree = many_targets_tree();
    let out = tree.path().join("out");
    let output = strata()
        .current_dir(tree.path())
        .args(["build", "apps/a", "./apps/b/", "-o", "out"])
        .output()
        .expect("strata runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        files_under(&out),
        [
            "apps/a/v1_configmap_a-shared.yaml",
            "apps/b/v1_configmap_b-shared.yaml"
        ]
    );
    // Each folder holds what building that target alone writes.
    let alone = strata()
        .current_dir(tree.path())
        .args(["build", "apps/b"])
        .output()
        .expect("strata runs");
    let written = std::fs::read(out.join("apps/b/v1_configmap_b-shared.yaml")).unwrap();
    assert_eq!(written, alone.stdout);
}

#[test]
fn a_failing_target_is_named_gets_no_folder_and_the_others_are_written() {
    let tree = many_targets_tree();
    let out = tree.path().join("out");
    let output = strata()
        .current_dir(tree.path())
        .args(["build", "apps/a", "apps/broken", "apps/b", "-o", "out"])
        .output()
        .expect("strata runs");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("apps/broken"), "{stderr}");
    assert!(stderr.contains("missing.yaml"), "{stderr}");
    assert!(stderr.contains("1 of 3 targets failed"), "{stderr}");
    assert_eq!(
        files_under(&out),
        [
            "apps/a/v1_configmap_a-shared.yaml",
            "apps/b/v1_configmap_b-shared.yaml"
        ]
    );
}

#[test]
fn many_targets_refuse_shared_escaping_or_missing_output_folders() {
    let tree = many_targets_tree();
    let run = |args: &[&str]| {
        let output = strata()
            .current_dir(tree.path())
            .arg("build")
            .args(args)
            .output()
            .expect("strata runs");
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let same = run(&["apps/a", "./apps/a", "-o", "out"]);
    assert!(same.contains("`apps/a` and `./apps/a`"), "{same}");
    let nested = run(&["apps", "apps/a", "-o", "out"]);
    assert!(nested.contains("share the folder `apps`"), "{nested}");
    let escaping = run(&["apps/a", "apps/../../x", "-o", "out"]);
    assert!(escaping.contains("`..`"), "{escaping}");
    let no_output = run(&["apps/a", "apps/b"]);
    assert!(no_output.contains("need `-o DIR`"), "{no_output}");
    assert!(
        !tree.path().join("out").exists(),
        "nothing written when refused"
    );
}
