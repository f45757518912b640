//! `helmCharts`: resources made by running `helm template`, as kustomize's
//! `HelmChartInflationGenerator` (v5.5.0) does, when the caller enables helm.
//!
//! Per chart: check that helm is v3 (`helm version -c --short`), pull the
//! chart into the chart home if it is not there and a repo is given, write
//! the values (the chart's values file, or it merged with `valuesInline`)
//! to a scratch file, run `helm template` and read its output. helm runs
//! with `HELM_CONFIG_HOME` (and `.cache`, `.data` below it) set, as in
//! kustomize. Scratch files live in [`HelmOptions::work_dir`] and are
//! removed afterwards. The deprecated `helmChartInflationGenerator` field is
//! converted as kustomize converts it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

use crate::error::{Error, Result};
use crate::load::kustomization::{HelmChart, HelmGlobals, Kustomization};
use crate::load::loader::Loader;
use crate::progress::{Activity, Progress};
use crate::resource::{Origin, Resource, ResourceMap};

/// kustomize's `--enable-helm`, `--helm-command` and the `--helm-*` overrides.
#[derive(Clone, Debug)]
pub struct HelmOptions {
    /// Without this, a kustomization with `helmCharts` is an error.
    pub enabled: bool,
    /// The helm program; a bare name is looked up on `PATH`.
    pub command: PathBuf,
    /// Used for charts that set no `apiVersions`.
    pub api_versions: Vec<String>,
    /// Used for charts that set no `kubeVersion`.
    pub kube_version: Option<String>,
    /// Passes `--debug` to every chart.
    pub debug: bool,
    /// Where scratch directories (values files, the default
    /// `HELM_CONFIG_HOME`) are made; the CLI passes the system temp dir.
    pub work_dir: Option<PathBuf>,
}

impl Default for HelmOptions {
    fn default() -> Self {
        HelmOptions {
            enabled: false,
            command: PathBuf::from("helm"),
            api_versions: Vec::new(),
            kube_version: None,
            debug: false,
            work_dir: None,
        }
    }
}

const DEFAULT_CHART_HOME: &str = "charts";
const GENERATOR: &str = "helmCharts";

/// Inflates every chart of the kustomization in `file` and adds the
/// resources to `resources` (a clash with an existing id is an error, as
/// for any generator without `behavior`).
pub fn inflate_all(
    loader: &Loader<'_>,
    k: &Kustomization,
    file: &Path,
    options: &HelmOptions,
    progress: &Progress,
    resources: &mut ResourceMap,
) -> Result<()> {
    let (charts, globals) = charts_and_globals(k);
    if charts.is_empty() {
        return Ok(());
    }
    if !options.enabled {
        return Err(Error::field(file, GENERATOR, "must specify --enable-helm")
            .with_hint("helm charts are inflated only with `--enable-helm`"));
    }
    for chart in &charts {
        let chart = with_cli_overrides(chart, options);
        let subject = match chart.version.as_str() {
            "" => chart.name.clone(),
            version => format!("{} {version}", chart.name),
        };
        let task = progress.start(Activity::HelmInflate, &subject, None);
        let inflated = task.finish_with(inflate(loader, &chart, &globals, file, options))?;
        for resource in inflated {
            super::absorb_generated(resources, resource)?;
        }
    }
    Ok(())
}

/// `helmCharts` plus the converted `helmChartInflationGenerator`, and the globals.
fn charts_and_globals(k: &Kustomization) -> (Vec<HelmChart>, HelmGlobals) {
    let mut charts = k.helm_charts.clone();
    let mut legacy_globals = HelmGlobals::default();
    for old in k.helm_chart_inflation_generator.iter().cloned() {
        // The last non-empty value wins, as in kustomize.
        if !old.helm_home.is_empty() {
            legacy_globals.config_home = old.helm_home.clone();
        }
        if !old.chart_home.is_empty() {
            legacy_globals.chart_home = old.chart_home.clone();
        }
        charts.push(HelmChart {
            name: old.chart_name,
            version: old.chart_version,
            repo: old.chart_repo_url,
            values_file: old.values,
            values_inline: old.values_local,
            values_merge: old.values_merge,
            release_name: old.release_name,
            ..HelmChart::default()
        });
    }
    let globals = k.helm_globals.clone().unwrap_or(legacy_globals);
    (charts, globals)
}

/// The CLI's `--helm-*` values fill what the chart leaves unset (a chart's
/// own setting wins, as it does in kustomize).
fn with_cli_overrides(chart: &HelmChart, options: &HelmOptions) -> HelmChart {
    let mut chart = chart.clone();
    if chart.kube_version.is_empty() {
        chart.kube_version = options.kube_version.clone().unwrap_or_default();
    }
    if chart.api_versions.is_empty() {
        chart.api_versions = options.api_versions.clone();
    }
    chart.debug |= options.debug;
    chart
}

/// One chart's resources.
fn inflate(
    loader: &Loader<'_>,
    chart: &HelmChart,
    globals: &HelmGlobals,
    file: &Path,
    options: &HelmOptions,
) -> Result<Vec<Resource>> {
    if chart.name.is_empty() {
        return Err(Error::field(file, GENERATOR, "chart name cannot be empty"));
    }
    let values_merge = match chart.values_merge.as_str() {
        "" => "override",
        legal @ ("merge" | "override" | "replace") => legal,
        _ => {
            return Err(Error::field(
                file,
                GENERATOR,
                "valuesMerge must be one of [merge override replace]",
            ))
        }
    };
    // helm gets absolute paths from the real root, as kustomize gives it.
    let root = loader.fs().canonicalize(loader.root())?;
    let chart_home = chart_home(&root, chart, globals);
    let mut additional = Vec::new();
    for values_file in &chart.additional_values_files {
        // Read to enforce the load restrictor, as kustomize does.
        loader.read(values_file).map_err(|e| {
            e.context(format!(
                "{}: could not load additionalValuesFile",
                file.display()
            ))
        })?;
        additional.push(crate::fs::normalize(&root.join(values_file)));
    }
    let scratch = Scratch::new(options, file)?;
    let config_home = if globals.config_home.is_empty() {
        scratch.path.join("helm")
    } else {
        PathBuf::from(&globals.config_home)
    };
    let helm = Helm {
        program: &options.command,
        config_home: &config_home,
    };
    check_version(&helm)?;
    let chart_dir = chart_home.join(&chart.name);
    if !loader.fs().is_dir(&chart_dir) {
        if chart.repo.is_empty() {
            return Err(Error::field(
                file,
                GENERATOR,
                format!(
                    "no repo specified for pull, no chart found at '{}'",
                    chart_dir.display()
                ),
            ));
        }
        helm.run(&pull_args(chart, &chart_home))?;
    }
    let values = values_text(loader, chart, &chart_home, values_merge)?;
    let values_path = scratch
        .path
        .join(format!("{}-kustomize-values.yaml", chart.name));
    std::fs::write(&values_path, values).map_err(|e| Error::io(&values_path, e))?;
    let output = helm.run(&template_args(
        chart,
        &chart_home,
        &values_path,
        &additional,
    ))?;
    drop(scratch);
    parse_output(&output, &chart_dir, file)
}

/// `{root}/{chartHome}`, or `{chartHome}/{name}-{version}` when the chart
/// is pulled from a repo at a version.
fn chart_home(root: &Path, chart: &HelmChart, globals: &HelmGlobals) -> PathBuf {
    let home = if globals.chart_home.is_empty() {
        DEFAULT_CHART_HOME
    } else {
        &globals.chart_home
    };
    let home = crate::fs::normalize(&root.join(home));
    if !chart.version.is_empty() && !chart.repo.is_empty() {
        home.join(format!("{}-{}", chart.name, chart.version))
    } else {
        home
    }
}

/// The values file handed to helm: the chart's (or `valuesFile`) as is, or,
/// with `valuesInline`, the two merged (`override`: inline wins; `merge`:
/// the file wins; `replace`: inline alone).
fn values_text(
    loader: &Loader<'_>,
    chart: &HelmChart,
    chart_home: &Path,
    values_merge: &str,
) -> Result<String> {
    let values_file = if chart.values_file.is_empty() {
        chart_home.join(&chart.name).join("values.yaml")
    } else {
        loader.resolve(&chart.values_file)
    };
    let read = || -> Result<(PathBuf, String)> {
        loader.check_allowed(&values_file)?;
        let text = loader.fs().read_to_string(&values_file)?;
        Ok((values_file.clone(), text))
    };
    if chart.values_inline.is_empty() {
        return Ok(read()?.1);
    }
    let inline = Value::Object(chart.values_inline.clone());
    let merged = if values_merge == "replace" {
        inline
    } else {
        let (path, text) = read()?;
        let file_values = crate::yaml::parse_config(&text, &path)?;
        if values_merge == "override" {
            merge_values(file_values, &inline)
        } else {
            merge_values(inline, &file_values)
        }
    };
    Ok(crate::emit::document(&merged))
}

/// kyaml's `merge2` without a schema: maps merge key by key, `over` wins
/// for scalars and lists, and a null in `over` removes the key.
fn merge_values(under: Value, over: &Value) -> Value {
    match (under, over) {
        (Value::Object(mut under), Value::Object(over)) => {
            for (key, value) in over {
                if value.is_null() {
                    under.remove(key);
                    continue;
                }
                let merged = match under.remove(key) {
                    Some(existing) => merge_values(existing, value),
                    None => value.clone(),
                };
                under.insert(key.clone(), merged);
            }
            Value::Object(under)
        }
        (under, Value::Null) => under,
        (_, over) => over.clone(),
    }
}

/// kustomize's `HelmChart.AsHelmArgs`, with the scratch values file first.
fn template_args(
    chart: &HelmChart,
    chart_home: &Path,
    values_path: &Path,
    additional: &[PathBuf],
) -> Vec<String> {
    let mut args = vec!["template".to_string()];
    if chart.release_name.is_empty() {
        args.push("--generate-name".into());
    } else {
        args.push(chart.release_name.clone());
    }
    args.push(chart_home.join(&chart.name).display().to_string());
    let mut flag = |name: &str, value: &str| {
        args.push(name.to_string());
        args.push(value.to_string());
    };
    if !chart.namespace.is_empty() {
        flag("--namespace", &chart.namespace);
    }
    if !chart.name_template.is_empty() {
        flag("--name-template", &chart.name_template);
    }
    flag("-f", &values_path.display().to_string());
    for path in additional {
        flag("-f", &path.display().to_string());
    }
    for api_version in &chart.api_versions {
        flag("--api-versions", api_version);
    }
    if !chart.kube_version.is_empty() {
        flag("--kube-version", &chart.kube_version);
    }
    for (on, name) in [
        (chart.include_crds, "--include-crds"),
        (chart.skip_tests, "--skip-tests"),
        (chart.skip_hooks, "--no-hooks"),
        (chart.debug, "--debug"),
    ] {
        if on {
            args.push(name.to_string());
        }
    }
    args
}

/// kustomize's `pullCommand`: `helm pull --untar` into the chart home.
fn pull_args(chart: &HelmChart, chart_home: &Path) -> Vec<String> {
    let mut args = vec![
        "pull".to_string(),
        "--untar".to_string(),
        "--untardir".to_string(),
        chart_home.display().to_string(),
    ];
    if chart.repo.starts_with("oci://") {
        args.push(format!(
            "{}/{}",
            chart.repo.trim_end_matches('/'),
            chart.name
        ));
    } else {
        args.extend(["--repo".to_string(), chart.repo.clone(), chart.name.clone()]);
    }
    if !chart.version.is_empty() {
        args.extend(["--version".to_string(), chart.version.clone()]);
    }
    args
}

/// kustomize requires helm v3.
fn check_version(helm: &Helm<'_>) -> Result<()> {
    let output = helm.run(&["version".into(), "-c".into(), "--short".into()])?;
    let version = regex::Regex::new(r"v?\d+(\.\d+)+")
        .ok()
        .and_then(|re| re.find(&output).map(|m| m.as_str().to_string()))
        .ok_or_else(|| Error::msg(format!("cannot find version string in {output}")))?;
    let version = version.trim_start_matches('v');
    if version.split('.').next() == Some("3") {
        Ok(())
    } else {
        Err(Error::msg(format!(
            "helm charts need helm v3 but `{}` is v{version}",
            helm.program.display()
        )))
    }
}

fn parse_output(output: &str, chart_dir: &Path, file: &Path) -> Result<Vec<Resource>> {
    let source = PathBuf::from(format!("{} (helm template)", chart_dir.display()));
    let origin = Origin::Generator {
        kustomization: file.to_path_buf(),
        generator: GENERATOR,
    };
    crate::yaml::parse_stream(output, &source)?
        .into_iter()
        .map(|document| {
            Resource::new(document, origin.clone()).map_err(|e| Error::file(&source, e.to_string()))
        })
        .collect()
}

/// The helm program with kustomize's environment.
struct Helm<'a> {
    program: &'a Path,
    config_home: &'a Path,
}

impl Helm<'_> {
    /// Runs helm and returns its standard output.
    fn run(&self, args: &[String]) -> Result<String> {
        let home = self.config_home;
        let output = Command::new(self.program)
            .args(args)
            .env("HELM_CONFIG_HOME", home)
            .env("HELM_CACHE_HOME", home.join(".cache"))
            .env("HELM_DATA_HOME", home.join(".data"))
            .stdin(Stdio::null())
            .output()
            .map_err(|e| self.spawn_error(e))?;
        if output.status.success() {
            return String::from_utf8(output.stdout).map_err(|_| {
                Error::msg(format!(
                    "`{}` printed invalid UTF-8",
                    self.program.display()
                ))
            });
        }
        Err(Error::msg(format!(
            "`{} {}` failed ({}): {}",
            self.program.display(),
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )))
    }

    fn spawn_error(&self, error: std::io::Error) -> Error {
        if error.kind() == std::io::ErrorKind::NotFound {
            Error::msg(format!(
                "no `{}` program found; helm charts are inflated by running it",
                self.program.display()
            ))
            .with_hint("install helm v3, or name it with `--helm-command`")
        } else {
            Error::msg(format!("cannot run `{}`: {error}", self.program.display()))
        }
    }
}

/// A scratch directory for one chart, removed when dropped.
struct Scratch {
    path: PathBuf,
}

static SCRATCH_COUNTER: AtomicUsize = AtomicUsize::new(0);

impl Scratch {
    fn new(options: &HelmOptions, file: &Path) -> Result<Scratch> {
        let work_dir = options.work_dir.as_deref().ok_or_else(|| {
            Error::field(file, GENERATOR, "no scratch directory for helm is set")
                .with_hint("set `BuildOptions::helm.work_dir`")
        })?;
        let path = work_dir.join(format!(
            "strata-helm-{}-{}",
            std::process::id(),
            SCRATCH_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).map_err(|e| Error::io(&path, e))?;
        Ok(Scratch { path })
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        // Best effort, like kustomize's cleanup.
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests;
