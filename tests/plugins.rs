//! External plugins and kustomize's build flags, through the `strata`
//! binary, over the trees in `tests/fixtures/plugins/`:
//!
//! - `legacy/`: legacy exec plugins (shell scripts under `home/`, the
//!   plugin home). Each tree's `expected.yaml` is what
//!   `kubectl kustomize --enable-alpha-plugins` printed; where kubectl is
//!   on PATH it is run again and must still print exactly that.
//! - `functions/`: exec and container KRM functions. kubectl has no
//!   `--enable-exec`, so `expected.yaml` is reviewed strata output for
//!   the scenarios of kustomize's api/krusty/fnplugin_test.go (generator
//!   and transformer, in a base and in an overlay) and the ResourceList
//!   protocol. Container functions run a stand-in `docker` (`bin/docker`)
//!   that prints the arguments it got.
//! - `deprecated/`: kustomize's deprecation warnings, compared with
//!   kubectl's stderr.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plugins")
}

fn plugin_home() -> PathBuf {
    fixtures().join("home")
}

/// `strata build ARGS`, with the fixture plugin home and no other.
fn strata_build(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_strata"))
        .arg("build")
        .args(args)
        .env("KUSTOMIZE_PLUGIN_HOME", plugin_home())
        .env_remove("XDG_CONFIG_HOME")
        .output()
        .expect("strata runs")
}

fn kubectl_on_path() -> bool {
    let found = Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("notice: kubectl is not on PATH; the differential part of this test is skipped");
    }
    found
}

fn kubectl_kustomize(args: &[&str]) -> Output {
    Command::new("kubectl")
        .arg("kustomize")
        .args(args)
        .env("KUSTOMIZE_PLUGIN_HOME", plugin_home())
        .env_remove("XDG_CONFIG_HOME")
        .output()
        .expect("kubectl runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn path_text(path: &Path) -> String {
    path.display().to_string()
}

fn expected(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("expected.yaml")).expect("expected.yaml")
}

/// Builds `dir` and requires success and `expected.yaml`, byte for byte.
fn assert_builds(dir: &Path, flags: &[&str]) {
    let mut args = flags.to_vec();
    let dir_text = path_text(dir);
    args.push(&dir_text);
    let out = strata_build(&args);
    assert!(
        out.status.success(),
        "{}: strata failed: {}",
        dir.display(),
        text(&out.stderr)
    );
    assert_eq!(
        text(&out.stdout),
        expected(dir),
        "{}: strata output differs from expected.yaml",
        dir.display()
    );
}

const LEGACY_CASES: [&str; 6] = [
    "generator",
    "transformer",
    "mangled",
    "replacer",
    "layers/overlay",
    // A transformer that shows its stdin: every resource with kustomize's
    // build-state annotations and `kustomize.config.k8s.io/id`, byte for byte.
    "recorded",
];

#[test]
fn legacy_exec_plugins_build_what_kubectl_builds() {
    // Generators (arguments, config file, environment, working directory,
    // needs-hash), transformers (build state carried through the plugin,
    // or lost when the plugin mangles it), removal and addition of
    // resources, and plugins at two layers.
    let flags = [
        "--enable-alpha-plugins",
        "--load-restrictor",
        "LoadRestrictionsNone",
    ];
    for case in LEGACY_CASES {
        assert_builds(&fixtures().join("legacy").join(case), &flags);
    }
    if !kubectl_on_path() {
        return;
    }
    for case in LEGACY_CASES {
        let dir = fixtures().join("legacy").join(case);
        let mut args = flags.to_vec();
        let dir_text = path_text(&dir);
        args.push(&dir_text);
        let out = kubectl_kustomize(&args);
        assert!(out.status.success(), "{case}: {}", text(&out.stderr));
        assert_eq!(text(&out.stdout), expected(&dir), "{case}: kubectl changed");
    }
}

#[test]
fn without_the_flag_external_plugins_are_refused_in_kustomizes_words() {
    let refusal = "external plugins disabled; unable to load external plugin 'Inflator'";
    let dir = path_text(&fixtures().join("legacy/generator"));
    let out = strata_build(&[&dir]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains(refusal), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    if kubectl_on_path() {
        let theirs = kubectl_kustomize(&[&dir]);
        assert!(!theirs.status.success());
        assert!(
            text(&theirs.stderr).contains(refusal),
            "{}",
            text(&theirs.stderr)
        );
    }
    // A function is refused the same way.
    let function = path_text(&fixtures().join("functions/transformer-in-base"));
    let out = strata_build(&["--enable-exec", &function]);
    assert!(text(&out.stderr)
        .contains("external plugins disabled; unable to load external plugin 'SecretRotator'"));
}

#[test]
fn a_failing_plugin_names_itself_and_its_exit_status_and_its_stderr_passes_through() {
    let dir = path_text(&fixtures().join("legacy/failing"));
    let out = strata_build(&["--enable-alpha-plugins", &dir]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    let program = path_text(&plugin_home().join("example.com/v1/failing/Failing"));
    assert!(
        stderr.starts_with("failing plugin: cannot inflate anything\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("failure in plugin {program}")),
        "{stderr}"
    );
    assert!(stderr.contains("exit status 3"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn unexecutable_and_missing_plugins_and_a_missing_plugin_home_are_errors() {
    let noexec = strata_build(&[
        "--enable-alpha-plugins",
        &path_text(&fixtures().join("legacy/noexec")),
    ]);
    let program = path_text(&plugin_home().join("example.com/v1/noexec/NoExec"));
    assert!(
        text(&noexec.stderr).contains(&format!("unexecutable plugin at: {program}")),
        "{}",
        text(&noexec.stderr)
    );
    let missing = strata_build(&[
        "--enable-alpha-plugins",
        &path_text(&fixtures().join("legacy/missing")),
    ]);
    assert!(
        text(&missing.stderr).contains(&format!(
            "no exec plugin at {}, and kustomize would then expect file with Go object code at: {}.so",
            path_text(&plugin_home().join("example.com/v1/missing/Missing")),
            path_text(&plugin_home().join("example.com/v1/missing/Missing")),
        )),
        "{}",
        text(&missing.stderr)
    );
    let homeless = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(["build", "--enable-alpha-plugins"])
        .arg(fixtures().join("legacy/generator"))
        .env_remove("KUSTOMIZE_PLUGIN_HOME")
        .env_remove("XDG_CONFIG_HOME")
        .env("HOME", "/nonexistent-home")
        .output()
        .expect("strata runs");
    assert!(
        text(&homeless.stderr).contains(
            "unable to find plugin root - tried: ('<no value>'; homed in $KUSTOMIZE_PLUGIN_HOME), \
             ('<no value>'; homed in $XDG_CONFIG_HOME), \
             ('/nonexistent-home/.config/kustomize/plugin'; homed in default value of $XDG_CONFIG_HOME)"
        ),
        "{}",
        text(&homeless.stderr)
    );
}

#[test]
fn a_plugin_that_runs_too_long_is_stopped() {
    let started = Instant::now();
    let out = strata_build(&[
        "--enable-alpha-plugins",
        "--plugin-timeout",
        "1",
        &path_text(&fixtures().join("legacy/sleeper")),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("did not finish within 1s and was stopped"),
        "{}",
        text(&out.stderr)
    );
    // The plugin sleeps 30s; the build must not wait for it.
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn exec_functions_generate_and_transform_in_bases_and_overlays() {
    for case in [
        // kustomize's TestFnExec{Generator,Transformer}In{Base,BaseWithOverlay,Overlay}:
        // the function runs in the directory of the kustomization listing it.
        "generator-in-base",
        "generator-in-base-with-overlay",
        "generator-in-overlay/prod",
        "transformer-in-base",
        "transformer-in-base-with-overlay",
        "transformer-in-overlay/prod",
        // A ResourceList in and out; kyaml's annotations never reach the output.
        "resource-list",
        // What a generator function is given: its config, as local config,
        // as the only item and as functionConfig.
        "echo-input",
    ] {
        assert_builds(
            &fixtures().join("functions").join(case),
            &["--enable-alpha-plugins", "--enable-exec"],
        );
    }
    let listed = expected(&fixtures().join("functions/resource-list"));
    assert!(listed.contains("replicas: 3") && !listed.contains("config.kubernetes.io/index"));
}

#[test]
fn exec_functions_are_skipped_without_enable_exec_as_in_kustomize() {
    let dir = path_text(&fixtures().join("functions/transformer-in-base"));
    let out = strata_build(&["--enable-alpha-plugins", &dir]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // The Secret as the resources list it, not the one the function would make.
    assert_eq!(
        text(&out.stdout),
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: credentials\nstringData:\n  user: admin\ntype: Opaque\n"
    );
    assert!(
        text(&out.stderr).contains("was skipped: exec functions run only with --enable-exec"),
        "{}",
        text(&out.stderr)
    );
    // kubectl has no --enable-exec: it skips exec functions the same way,
    // a generator's config (local config) leaving nothing behind.
    if kubectl_on_path() {
        for case in ["transformer-in-base", "generator-in-base"] {
            let dir = path_text(&fixtures().join("functions").join(case));
            let ours = strata_build(&["--enable-alpha-plugins", &dir]);
            let theirs = kubectl_kustomize(&["--enable-alpha-plugins", &dir]);
            assert!(theirs.status.success(), "{case}: {}", text(&theirs.stderr));
            assert_eq!(text(&ours.stdout), text(&theirs.stdout), "{case}");
        }
    }
}

#[test]
fn error_results_of_a_failing_function_fail_the_build() {
    let dir = path_text(&fixtures().join("functions/error-results"));
    let out = strata_build(&["--enable-alpha-plugins", "--enable-exec", &dir]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("couldn't execute function: exit status 1"),
        "{stderr}"
    );
    assert!(
        stderr.contains("replicas must be at least 2 (Deployment web, field spec.replicas)"),
        "{stderr}"
    );
    assert!(!stderr.contains("just a note"), "{stderr}");
    assert!(out.stdout.is_empty());
}

fn with_stand_in_docker(args: &[&str], dir: &str) -> Output {
    let path = std::env::join_paths(std::iter::once(fixtures().join("bin")).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .expect("PATH");
    Command::new(env!("CARGO_BIN_EXE_strata"))
        .arg("build")
        .args(args)
        .arg(fixtures().join("functions").join(dir))
        .env("PATH", path)
        .env("FIXTURES", fixtures())
        .output()
        .expect("strata runs")
}

#[test]
fn container_functions_run_docker_with_the_function_flags() {
    let out = with_stand_in_docker(
        &[
            "--enable-alpha-plugins",
            "-e",
            "FLAG=2",
            "--env",
            "PASS_ME",
            "--mount",
            "type=bind,src=/srv,dst=/host,rw=true",
        ],
        "container",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let args: Vec<String> = text(&out.stdout)
        .lines()
        .skip_while(|l| !l.starts_with("  args: |"))
        .skip(1)
        .take_while(|l| l.starts_with("    "))
        .map(|l| l.trim().to_string())
        .collect();
    assert_eq!(
        args.join(" "),
        "run --rm -i -a STDIN -a STDOUT -a STDERR --network none --user nobody \
         --security-opt=no-new-privileges \
         --mount type=bind,source=FIXTURES/functions/container/data,target=/data,readonly \
         --mount type=bind,source=/srv,target=/host \
         -e FLAG=2 -e FROM_SPEC=1 -e LOG_TO_STDERR=true -e STRUCTURED_RESULTS=true -e PASS_ME \
         example.com/generate:v1"
    );
    let networked = with_stand_in_docker(
        &[
            "--enable-alpha-plugins",
            "--network",
            "--network-name",
            "build-net",
        ],
        "network",
    );
    assert!(networked.status.success(), "{}", text(&networked.stderr));
    assert!(text(&networked.stdout).contains("    --network\n    build-net\n"));
    // --as-current-user: this process's uid:gid instead of nobody.
    let as_me = with_stand_in_docker(
        &["--enable-alpha-plugins", "--as-current-user"],
        "container",
    );
    assert!(as_me.status.success(), "{}", text(&as_me.stderr));
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let me = std::fs::metadata("/proc/self").expect("/proc/self");
        let user = format!("    --user\n    {}:{}\n", me.uid(), me.gid());
        assert!(
            text(&as_me.stdout).contains(&user),
            "{}",
            text(&as_me.stdout)
        );
    }
}

#[test]
fn a_function_that_declares_network_needs_the_network_flag() {
    let out = with_stand_in_docker(&["--enable-alpha-plugins"], "network");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("network required but not enabled with --network"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn container_functions_without_docker_are_a_clear_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(["build", "--enable-alpha-plugins"])
        .arg(fixtures().join("functions/container"))
        .env("PATH", "/nonexistent-bin")
        .output()
        .expect("strata runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr)
            .contains("container functions need docker, and `docker` was not found on PATH"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn deprecation_warnings_are_kubectls_pointing_at_strata_edit_fix() {
    let overlay = fixtures().join("deprecated/overlay");
    let out = strata_build(&[&path_text(&overlay)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), expected(&overlay));
    let stderr = text(&out.stderr);
    // The overlay's fields, then the base's, each in kustomize's order.
    let fields: Vec<&str> = stderr
        .lines()
        .map(|l| l.split('\'').nth(1).unwrap_or(""))
        .collect();
    assert_eq!(
        fields,
        [
            "bases",
            "commonLabels",
            "commonLabels",
            "imageTags",
            "patchesJson6902",
            "patchesStrategicMerge",
            "vars"
        ]
    );
    assert!(stderr
        .lines()
        .all(|l| l.starts_with("# Warning: ") && l.contains("Run 'strata edit fix'")));
    // A failed build shows the warnings it printed before failing.
    let broken = strata_build(&[&path_text(&fixtures().join("deprecated/broken"))]);
    let broken_err = text(&broken.stderr);
    assert!(
        broken_err.starts_with("# Warning: 'commonLabels' is deprecated.")
            && broken_err.contains("\nerror: "),
        "{broken_err}"
    );
    if kubectl_on_path() {
        let theirs = kubectl_kustomize(&[&path_text(&overlay)]);
        assert_eq!(text(&theirs.stdout), text(&out.stdout));
        assert_eq!(
            text(&theirs.stderr).replace("'kustomize edit fix'", "'strata edit fix'"),
            stderr
        );
    }
}

#[test]
fn every_kustomize_build_flag_is_accepted() {
    let dir = path_text(&fixtures().join("deprecated/base"));
    let out = strata_build(&[
        "--enable-alpha-plugins",
        "--enable-exec",
        "-e",
        "A=1",
        "--env",
        "B",
        "--mount",
        "type=bind,src=.,dst=/x",
        "--network",
        "--network-name",
        "bridge",
        "--as-current-user",
        "--stack-trace",
        "--enable-helm",
        "--helm-command",
        "helm",
        "--helm-api-versions",
        "v1",
        "--helm-kube-version",
        "1.32",
        "--helm-debug",
        "--load-restrictor",
        "LoadRestrictionsRootOnly",
        "--reorder",
        "legacy",
        "--enable-managedby-label",
        &dir,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("app.kubernetes.io/managed-by: kustomize-(devel)"));
    // kustomize's (cobra's) notes for its two deprecated flags come first.
    assert!(
        text(&out.stderr).starts_with(
            "Flag --reorder has been deprecated, use the new 'sortOptions' field in kustomization.yaml instead.\n\
             Flag --enable-managedby-label has been deprecated, "
        ),
        "{}",
        text(&out.stderr)
    );
    // diff shares the flags.
    let help = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(["diff", "--help"])
        .output()
        .expect("strata runs");
    let help = text(&help.stdout);
    for flag in [
        "--enable-alpha-plugins",
        "--enable-exec",
        "--env",
        "--mount",
        "--network",
        "--network-name",
        "--as-current-user",
        "--stack-trace",
    ] {
        assert!(help.contains(flag), "diff --help lacks {flag}");
    }
}

#[test]
fn stack_trace_prints_where_the_error_was_made() {
    let dir = path_text(&fixtures().join("legacy/generator"));
    let plain = strata_build(&[&dir]);
    assert!(!text(&plain.stderr).contains("stack trace:"));
    let traced = strata_build(&["--stack-trace", &dir]);
    let stderr = text(&traced.stderr);
    assert!(stderr.contains("external plugins disabled"), "{stderr}");
    assert!(stderr.contains("\nstack trace:\n"), "{stderr}");
    assert!(
        stderr.contains("strata::pipeline::plugins::exec::configure"),
        "{stderr}"
    );
}

#[test]
fn validators_may_add_only_the_validated_by_label() {
    // kustomize v5.5.0 compares the nodes themselves, so it rejects every
    // exec validator (even one that changes nothing); strata compares the
    // objects, so a validator that only labels passes.
    let validated = fixtures().join("legacy/validated");
    let out = strata_build(&["--enable-alpha-plugins", &path_text(&validated)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("  labels:\n    validated-by: labeler\n  name: web\n"),
        "{}",
        text(&out.stdout)
    );
    let changes = fixtures().join("legacy/validator-changes");
    let out = strata_build(&["--enable-alpha-plugins", &path_text(&changes)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr)
            .contains("validator shouldn't modify the resource map: v1 Service web was changed"),
        "{}",
        text(&out.stderr)
    );
    // Without the flag, a validator is refused like any external plugin.
    let refused = strata_build(&[&path_text(&validated)]);
    assert!(text(&refused.stderr)
        .contains("external plugins disabled; unable to load external plugin 'Labeler'"));
    if kubectl_on_path() {
        let theirs = kubectl_kustomize(&[&path_text(&validated)]);
        assert!(text(&theirs.stderr)
            .contains("external plugins disabled; unable to load external plugin 'Labeler'"));
    }
}
