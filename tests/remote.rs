//! Remote resources and helm charts, end to end through the `strata` binary,
//! without the network: Git repositories are made in a temporary directory
//! and named by `file://` URLs; `helm` is a stand-in script.
//!
//! Expected outputs were checked against `kubectl kustomize` (v5.5.0),
//! which clones `file://` URLs the same way; where kubectl is on PATH the
//! Git cases are also compared with it byte for byte.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

/// Runs git in `dir` with a fixed identity and no user or system config.
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

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const CONFIG_MAP: &str =
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  version: VERSION\n";

/// A repository whose `app` kustomization uses the in-repo base `base`:
/// commit `one` (tag `v1`), then `two` on `main`, then `three` on `feature`.
struct Repo {
    _temp: TempDir,
    dir: PathBuf,
    first_commit: String,
}

impl Repo {
    fn new() -> Repo {
        let temp = TempDir::new().unwrap();
        let dir = temp.path().join("repo");
        write(
            &dir.join("base/kustomization.yaml"),
            "resources: [cm.yaml]\n",
        );
        write(
            &dir.join("base/cm.yaml"),
            &CONFIG_MAP.replace("VERSION", "one"),
        );
        write(
            &dir.join("app/kustomization.yaml"),
            "namePrefix: app-\nresources: [../base, svc.yaml]\n",
        );
        write(
            &dir.join("app/svc.yaml"),
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n",
        );
        write(
            &dir.join("escape/kustomization.yaml"),
            "resources: [../../outside.yaml]\n",
        );
        write(&dir.join("file.yaml"), &CONFIG_MAP.replace("VERSION", "x"));
        write(
            &dir.join("comp/kustomization.yaml"),
            "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncommonAnnotations:\n  team: x\n",
        );
        let own_url = format!("file://{}//loop?ref=main", dir.display());
        write(
            &dir.join("loop/kustomization.yaml"),
            &format!("resources:\n- {own_url}\n"),
        );
        git(&dir, &["init", "-q", "."]);
        git(&dir, &["add", "-A"]);
        git(&dir, &["commit", "-qm", "one"]);
        git(&dir, &["tag", "v1"]);
        let first_commit = git(&dir, &["rev-parse", "HEAD"]);
        write(
            &dir.join("base/cm.yaml"),
            &CONFIG_MAP.replace("VERSION", "two"),
        );
        git(&dir, &["commit", "-qam", "two"]);
        git(&dir, &["checkout", "-qb", "feature"]);
        write(
            &dir.join("base/cm.yaml"),
            &CONFIG_MAP.replace("VERSION", "three"),
        );
        git(&dir, &["commit", "-qam", "three"]);
        git(&dir, &["checkout", "-q", "main"]);
        Repo {
            _temp: temp,
            dir,
            first_commit,
        }
    }

    fn url(&self, path: &str, git_ref: &str) -> String {
        format!("file://{}//{path}?ref={git_ref}", self.dir.display())
    }
}

/// An overlay directory and a clone cache, each in its own temporary directory.
struct Overlay {
    dir: TempDir,
    cache: TempDir,
}

impl Overlay {
    fn new(kustomization: &str) -> Overlay {
        let overlay = Overlay {
            dir: TempDir::new().unwrap(),
            cache: TempDir::new().unwrap(),
        };
        overlay.set(kustomization);
        overlay
    }

    fn set(&self, kustomization: &str) {
        write(&self.dir.path().join("kustomization.yaml"), kustomization);
    }

    fn build(&self, extra: &[&str]) -> Output {
        self.build_with_path(extra, None)
    }

    fn build_with_path(&self, extra: &[&str], path: Option<&Path>) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_strata"));
        command
            .arg("build")
            .args(extra)
            .arg(self.dir.path())
            .env("STRATA_GIT_CACHE_DIR", self.cache.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null");
        if let Some(path) = path {
            command.env("PATH", path);
        }
        command.output().expect("strata runs")
    }

    fn cached_clones(&self) -> usize {
        std::fs::read_dir(self.cache.path())
            .map(|entries| entries.count())
            .unwrap_or(0)
    }
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "strata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    assert!(!output.status.success(), "strata succeeded unexpectedly");
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// What `kubectl kustomize` printed for the `app` kustomization at each version.
fn expected(version: &str) -> String {
    format!(
        "apiVersion: v1\ndata:\n  version: {version}\nkind: ConfigMap\nmetadata:\n  name: app-cm\n  namespace: ns\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: app-web\n  namespace: ns\nspec:\n  ports:\n  - port: 80\n"
    )
}

/// Compares with `kubectl kustomize` when it is installed.
fn check_with_kubectl(dir: &Path, ours: &str) {
    let Ok(output) = Command::new("kubectl").arg("kustomize").arg(dir).output() else {
        return;
    };
    assert!(output.status.success(), "kubectl: {output:?}");
    assert_eq!(String::from_utf8_lossy(&output.stdout), ours);
}

#[test]
fn builds_a_remote_base_at_a_tag_a_branch_and_a_commit() {
    let repo = Repo::new();
    for (git_ref, version) in [
        ("v1", "one"),
        ("main", "two"),
        ("feature", "three"),
        (repo.first_commit.as_str(), "one"),
    ] {
        let overlay = Overlay::new(&format!(
            "namespace: ns\nresources:\n- {}\n",
            repo.url("app", git_ref)
        ));
        let out = stdout(&overlay.build(&[]));
        assert_eq!(out, expected(version), "ref {git_ref}");
        check_with_kubectl(overlay.dir.path(), &out);
    }
}

#[test]
fn applies_a_remote_component() {
    let repo = Repo::new();
    let overlay = Overlay::new(&format!(
        "resources:\n- {}\ncomponents:\n- {}\n",
        repo.url("app", "main"),
        repo.url("comp", "main")
    ));
    let out = stdout(&overlay.build(&[]));
    assert_eq!(
        out,
        "apiVersion: v1\ndata:\n  version: two\nkind: ConfigMap\nmetadata:\n  annotations:\n    team: x\n  name: app-cm\n---\napiVersion: v1\nkind: Service\nmetadata:\n  annotations:\n    team: x\n  name: app-web\nspec:\n  ports:\n  - port: 80\n"
    );
    check_with_kubectl(overlay.dir.path(), &out);
    // A component listed as a resource is refused, as by kustomize.
    overlay.set(&format!("resources:\n- {}\n", repo.url("comp", "main")));
    let error = stderr(&overlay.build(&[]));
    assert!(error.contains("expected kind != 'Component'"), "{error}");
}

#[test]
fn builds_a_url_given_on_the_command_line() {
    let repo = Repo::new();
    let cache = TempDir::new().unwrap();
    let url = repo.url("app", "v1");
    let output = Command::new(env!("CARGO_BIN_EXE_strata"))
        .args(["build", &url])
        .env("STRATA_GIT_CACHE_DIR", cache.path())
        .output()
        .expect("strata runs");
    let out = stdout(&output);
    assert!(
        out.contains("name: app-cm") && out.contains("version: one"),
        "{out}"
    );
    if let Ok(kubectl) = Command::new("kubectl").args(["kustomize", &url]).output() {
        assert_eq!(String::from_utf8_lossy(&kubectl.stdout), out);
    }
}

#[test]
fn accepts_abbreviated_commits() {
    let repo = Repo::new();
    let short = &repo.first_commit[..8];
    // An abbreviated commit needs the full-fetch fallback (kustomize refuses it).
    let overlay = Overlay::new(&format!(
        "namespace: ns\nresources:\n- {}\n",
        repo.url("app", short)
    ));
    assert_eq!(stdout(&overlay.build(&[])), expected("one"));
}

#[test]
fn reuses_the_cached_clone() {
    let repo = Repo::new();
    let overlay = Overlay::new(&format!(
        "namespace: ns\nresources:\n- {}\n",
        repo.url("app", &repo.first_commit)
    ));
    assert_eq!(stdout(&overlay.build(&[])), expected("one"));
    assert_eq!(overlay.cached_clones(), 1);
    // A full commit never moves: with the upstream gone, the cache serves it.
    std::fs::remove_dir_all(&repo.dir).unwrap();
    assert_eq!(stdout(&overlay.build(&[])), expected("one"));
    assert_eq!(overlay.cached_clones(), 1);
    // Another subpath of the same repository and ref shares the clone.
    overlay.set(&format!(
        "resources:\n- {}\n",
        repo.url("base", &repo.first_commit)
    ));
    assert!(stdout(&overlay.build(&[])).contains("version: one"));
    assert_eq!(overlay.cached_clones(), 1);
}

#[test]
fn reports_a_missing_ref() {
    let repo = Repo::new();
    let overlay = Overlay::new(&format!("resources:\n- {}\n", repo.url("app", "nope")));
    let error = stderr(&overlay.build(&[]));
    assert!(error.contains("no branch, tag or commit `nope`"), "{error}");
    assert_eq!(overlay.cached_clones(), 0, "a failed clone is not cached");
}

#[test]
fn reports_a_missing_path() {
    let repo = Repo::new();
    let overlay = Overlay::new(&format!("resources:\n- {}\n", repo.url("nothere", "v1")));
    let error = stderr(&overlay.build(&[]));
    assert!(error.contains("no directory `nothere`"), "{error}");
    overlay.set(&format!("resources:\n- {}\n", repo.url("file.yaml", "v1")));
    let error = stderr(&overlay.build(&[]));
    assert!(error.contains("expecting a directory"), "{error}");
}

#[test]
fn reports_an_unreachable_repository() {
    let temp = TempDir::new().unwrap();
    let url = format!("file://{}/missing//app?ref=v1", temp.path().display());
    let overlay = Overlay::new(&format!("resources:\n- {url}\n"));
    let error = stderr(&overlay.build(&[]));
    assert!(error.contains("cannot fetch"), "{error}");
}

#[test]
fn reports_a_missing_git_program() {
    let repo = Repo::new();
    let empty = TempDir::new().unwrap();
    let overlay = Overlay::new(&format!("resources:\n- {}\n", repo.url("app", "v1")));
    let error = stderr(&overlay.build_with_path(&[], Some(empty.path())));
    assert!(error.contains("no `git` program found"), "{error}");
}

#[test]
fn keeps_a_remote_kustomization_inside_its_repository() {
    let repo = Repo::new();
    let overlay = Overlay::new(&format!("resources:\n- {}\n", repo.url("escape", "v1")));
    // `escape` names `../../outside.yaml`: from the clone, a file in the cache directory.
    write(&overlay.cache.path().join("outside.yaml"), CONFIG_MAP);
    // Even with the restrictor off: kustomize never lets a clone escape.
    let error = stderr(&overlay.build(&["--load-restrictor", "LoadRestrictionsNone"]));
    assert!(error.contains("security;"), "{error}");
}

#[test]
fn reports_a_remote_cycle() {
    let repo = Repo::new();
    let overlay = Overlay::new(&format!("resources:\n- {}\n", repo.url("loop", "main")));
    let error = stderr(&overlay.build(&[]));
    assert!(error.contains("cycle detected"), "{error}");
}

#[test]
fn refuses_plain_http_files() {
    let overlay = Overlay::new("resources:\n- https://example.com/manifests/deploy.yaml\n");
    let error = stderr(&overlay.build(&[]));
    assert!(
        error.contains("does not download files over HTTP(S)"),
        "{error}"
    );
}

/// A kustomization with a local chart `foo`, and a stand-in `helm` that
/// records its arguments (and the values files it is given) in `helm.log`
/// and prints two resources.
struct HelmSetup {
    dir: TempDir,
    helm: PathBuf,
}

const HELM_SCRIPT: &str = r#"#!/bin/sh
log="$(dirname "$0")/helm.log"
echo "ARGS: $*" >> "$log"
prev=""
for a in "$@"; do
  if [ "$prev" = "-f" ]; then echo "VALUES $a" >> "$log"; cat "$a" >> "$log"; fi
  prev="$a"
done
case "$1" in
version) echo "v3.14.0+gabc" ;;
template) printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-helm\ndata:\n  a: "1"\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc\n' ;;
esac
"#;

impl HelmSetup {
    fn new(kustomization: &str) -> HelmSetup {
        let dir = TempDir::new().unwrap();
        let root = dir.path().join("k");
        write(&root.join("kustomization.yaml"), kustomization);
        write(
            &root.join("charts/foo/values.yaml"),
            "a: 1\nb:\n  c: 2\n  d: [1, 2]\n",
        );
        write(&root.join("charts/foo/templates/cm.yaml"), "# unused\n");
        write(&root.join("extra.yaml"), "extra: true\n");
        let helm = dir.path().join("bin/helm");
        write(&helm, HELM_SCRIPT);
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&helm, std::fs::Permissions::from_mode(0o755)).unwrap();
        HelmSetup { dir, helm }
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join("k").canonicalize().unwrap()
    }

    fn build(&self, flags: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_strata"))
            .arg("build")
            .args(flags)
            .arg(self.root())
            .output()
            .expect("strata runs")
    }

    /// The log with scratch paths (which vary) replaced by `SCRATCH`.
    fn log(&self) -> String {
        let text = std::fs::read_to_string(self.dir.path().join("bin/helm.log")).unwrap();
        let scratch = mask_scratch(&text);
        scratch.replace(&self.root().display().to_string(), "ROOT")
    }
}

/// Replaces every `/…/strata-helm-N-M` directory with `SCRATCH`.
fn mask_scratch(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let words: Vec<String> = line
            .split(' ')
            .map(|word| match word.find("strata-helm-") {
                Some(start) => {
                    let rest = &word[start..];
                    let end = rest.find('/').unwrap_or(rest.len());
                    format!("SCRATCH{}", &rest[end..])
                }
                None => word.to_string(),
            })
            .collect();
        out.push_str(&words.join(" "));
        out.push('\n');
    }
    out
}

const CHART: &str = "namePrefix: p-
helmCharts:
- name: foo
  releaseName: rel
  namespace: ns1
  valuesInline:
    b:
      e: 3
    z: zz
  additionalValuesFiles: [extra.yaml]
  includeCRDs: true
  skipTests: true
  apiVersions: [v1, apps/v1]
  kubeVersion: \"1.29\"
  nameTemplate: nt
  skipHooks: true
";

/// Output, arguments and values file as kubectl kustomize produced them
/// with the same stand-in helm.
#[test]
fn inflates_helm_charts_with_kustomizes_arguments() {
    let setup = HelmSetup::new(CHART);
    let helm = setup.helm.display().to_string();
    let out = stdout(&setup.build(&["--enable-helm", "--helm-command", &helm]));
    assert_eq!(
        out,
        "apiVersion: v1\ndata:\n  a: \"1\"\nkind: ConfigMap\nmetadata:\n  name: p-from-helm\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: p-svc\n"
    );
    assert_eq!(
        setup.log(),
        "ARGS: version -c --short\n\
         ARGS: template rel ROOT/charts/foo --namespace ns1 --name-template nt -f SCRATCH/foo-kustomize-values.yaml -f ROOT/extra.yaml --api-versions v1 --api-versions apps/v1 --kube-version 1.29 --include-crds --skip-tests --no-hooks\n\
         VALUES SCRATCH/foo-kustomize-values.yaml\n\
         a: 1\nb:\n  c: 2\n  d:\n  - 1\n  - 2\n  e: 3\nz: zz\n\
         VALUES ROOT/extra.yaml\n\
         extra: true\n"
    );
    if let Ok(kubectl) = Command::new("kubectl")
        .args(["kustomize", "--enable-helm", "--helm-command", &helm])
        .arg(setup.root())
        .output()
    {
        assert_eq!(String::from_utf8_lossy(&kubectl.stdout), out);
    }
}

#[test]
fn copies_the_charts_values_and_uses_cli_versions() {
    let setup = HelmSetup::new("helmCharts:\n- name: foo\n");
    let helm = setup.helm.display().to_string();
    let flags = [
        "--enable-helm",
        "--helm-command",
        &helm,
        "--helm-kube-version",
        "1.30",
        "--helm-api-versions",
        "a/v1,b/v1",
        "--helm-api-versions",
        "c/v1",
    ];
    stdout(&setup.build(&flags));
    assert_eq!(
        setup.log(),
        "ARGS: version -c --short\n\
         ARGS: template --generate-name ROOT/charts/foo -f SCRATCH/foo-kustomize-values.yaml --api-versions a/v1,b/v1 --api-versions c/v1 --kube-version 1.30\n\
         VALUES SCRATCH/foo-kustomize-values.yaml\n\
         a: 1\nb:\n  c: 2\n  d: [1, 2]\n"
    );
}

#[test]
fn helm_charts_need_enable_helm_and_a_helm_program() {
    let setup = HelmSetup::new(CHART);
    let error = stderr(&setup.build(&[]));
    assert!(error.contains("must specify --enable-helm"), "{error}");
    let missing = setup.dir.path().join("bin/no-such-helm");
    let missing = missing.display().to_string();
    let error = stderr(&setup.build(&["--enable-helm", "--helm-command", &missing]));
    assert!(
        error.contains("no `") && error.contains("program found"),
        "{error}"
    );
}

#[test]
fn a_chart_missing_locally_without_repo_is_an_error() {
    let setup = HelmSetup::new("helmCharts:\n- name: absent\n");
    let helm = setup.helm.display().to_string();
    let error = stderr(&setup.build(&["--enable-helm", "--helm-command", &helm]));
    assert!(
        error.contains("no repo specified for pull, no chart found"),
        "{error}"
    );
}

/// `diff` builds as `build` does: remote bases come from the same cache
/// (it used to fail for want of one), and build flags are accepted.
#[test]
fn diff_builds_remote_bases_with_the_build_flags() {
    let repo = Repo::new();
    let overlay = Overlay::new(&format!(
        "namespace: default\nresources:\n- {}\n",
        repo.url("app", "v1")
    ));
    let built = stdout(&overlay.build(&["--reorder", "none"]));
    let live = overlay.cache.path().join("live.yaml");
    std::fs::write(&live, &built).unwrap();
    let diff = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_strata"))
            .arg("diff")
            .args(extra)
            .arg(overlay.dir.path())
            .env("STRATA_GIT_CACHE_DIR", overlay.cache.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .expect("strata runs")
    };
    let same = diff(&[
        "--live",
        live.to_str().unwrap(),
        "--reorder",
        "none",
        "--enable-managedby-label",
    ]);
    // The managed-by label is a difference; the remote base built.
    assert_eq!(same.status.code(), Some(1), "{}", stderr(&same));
    let text = String::from_utf8_lossy(&same.stdout);
    assert!(
        text.contains("+    app.kubernetes.io/managed-by: kustomize-(devel)"),
        "{text}"
    );
    let unchanged = diff(&["--live", live.to_str().unwrap(), "--ext-str", "a=b"]);
    assert_eq!(
        unchanged.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&unchanged.stdout),
        stderr(&unchanged)
    );
}

/// The library reports a real clone (not a cache hit) and each helm run to
/// the observer in its options; the CLI draws nothing when stderr is a pipe.
#[test]
fn clones_and_helm_runs_are_reported_as_progress() {
    use std::sync::Arc;
    use strata::progress::{Activity, Progress, Recorded, Recorder};

    let repo = Repo::new();
    let overlay = Overlay::new(&format!("resources:\n- {}\n", repo.url("app", "v1")));
    let recorder = Arc::new(Recorder::default());
    let mut options = strata::BuildOptions::default();
    options.remote.cache_dir = Some(overlay.cache.path().to_path_buf());
    options.progress = Progress::to(recorder.clone());
    let build = |options: &strata::BuildOptions| {
        strata::build(&strata::fs::DiskFs, overlay.dir.path(), options).expect("builds")
    };
    build(&options);
    let events = recorder.events();
    let [Recorded::Started {
        task,
        activity: Activity::GitFetch,
        subject,
        total: None,
    }, Recorded::Finished {
        task: done,
        ok: true,
    }] = events.as_slice()
    else {
        panic!("one clone, started and finished: {events:?}");
    };
    assert_eq!(task, done);
    assert_eq!(subject, &format!("file://{} at v1", repo.dir.display()));
    // The second build finds the clone in the cache: nothing to report.
    build(&options);
    assert_eq!(recorder.events().len(), 2, "{:?}", recorder.events());

    let setup = HelmSetup::new(CHART);
    let recorder = Arc::new(Recorder::default());
    let mut options = strata::BuildOptions::default();
    options.helm.enabled = true;
    options.helm.command = setup.helm.clone();
    options.helm.work_dir = Some(setup.dir.path().to_path_buf());
    options.progress = Progress::to(recorder.clone());
    strata::build(&strata::fs::DiskFs, &setup.root(), &options).expect("inflates");
    let events = recorder.events();
    assert!(
        matches!(
            events.as_slice(),
            [
                Recorded::Started { activity: Activity::HelmInflate, subject, .. },
                Recorded::Finished { ok: true, .. },
            ] if subject == "foo"
        ),
        "{events:?}"
    );

    // Through the binary, stderr is a pipe here: no progress drawn on it.
    let output = overlay.build(&[]);
    assert!(output.status.success());
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    let cold = Overlay::new(&format!("resources:\n- {}\n", repo.url("app", "main")));
    let output = cold.build(&[]);
    assert_eq!(cold.cached_clones(), 1, "a real clone ran");
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

#[test]
fn follows_a_branch_that_moved() {
    let repo = Repo::new();
    let overlay = Overlay::new(&format!(
        "namespace: ns\nresources:\n- {}\n",
        repo.url("app", "main")
    ));
    assert_eq!(stdout(&overlay.build(&[])), expected("two"));
    write(
        &repo.dir.join("base/cm.yaml"),
        &CONFIG_MAP.replace("VERSION", "four"),
    );
    git(&repo.dir, &["commit", "-qam", "four"]);
    assert_eq!(stdout(&overlay.build(&[])), expected("four"));
    assert_eq!(overlay.cached_clones(), 1);
}

#[test]
fn offline_builds_from_the_cache_and_fails_without_it() {
    let repo = Repo::new();
    let overlay = Overlay::new(&format!(
        "namespace: ns\nresources:\n- {}\n",
        repo.url("app", "main")
    ));
    let uncached = overlay.build(&["--offline"]);
    assert!(!uncached.status.success());
    let message = stderr(&uncached);
    assert!(message.contains("--offline"), "{message}");
    assert!(
        message.contains(&repo.dir.display().to_string()),
        "{message}"
    );
    assert_eq!(overlay.cached_clones(), 0);
    assert_eq!(stdout(&overlay.build(&[])), expected("two"));
    // Offline, the branch is not checked: the gone upstream is not missed,
    // and the build says which ref it took on trust (once, with the commit).
    std::fs::remove_dir_all(&repo.dir).unwrap();
    let offline = overlay.build(&["--offline"]);
    assert_eq!(stdout(&offline), expected("two"));
    let log = String::from_utf8_lossy(&offline.stderr);
    let warnings: Vec<String> = log
        .lines()
        .filter(|line| line.starts_with("warning: "))
        .map(String::from)
        .collect();
    let [warning] = warnings.as_slice() else {
        panic!("one warning: {log}");
    };
    assert!(warning.contains("the ref `main`"), "{warning}");
    assert!(
        warning.contains("not checked against the remote"),
        "{warning}"
    );
    assert!(
        warning.contains(&repo.dir.display().to_string()),
        "{warning}"
    );
    assert!(warning.contains("(commit "), "{warning}");
    let mut by_env = Command::new(env!("CARGO_BIN_EXE_strata"));
    by_env
        .arg("build")
        .arg(overlay.dir.path())
        .env("STRATA_GIT_CACHE_DIR", overlay.cache.path())
        .env("STRATA_OFFLINE", "1");
    assert_eq!(stdout(&by_env.output().unwrap()), expected("two"));
    // Online again, the unreachable upstream is an error.
    assert!(!overlay.build(&[]).status.success());
}

#[test]
fn offline_names_no_ref_it_did_not_need_to_check() {
    let repo = Repo::new();
    let pinned = Overlay::new(&format!(
        "namespace: ns\nresources:\n- {}\n",
        repo.url("app", &repo.first_commit)
    ));
    let online = stdout(&pinned.build(&[]));
    // A full commit id never moves: served from the cache without a warning.
    let offline = pinned.build(&["--offline"]);
    assert_eq!(stdout(&offline), online);
    let log = String::from_utf8_lossy(&offline.stderr);
    assert!(!log.contains("warning:"), "{log}");
}
