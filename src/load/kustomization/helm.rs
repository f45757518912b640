//! The helm fields of a kustomization: `helmGlobals`, `helmCharts` and the
//! deprecated `helmChartInflationGenerator` (kustomize's `types.HelmChart`,
//! `HelmGlobals` and `HelmChartArgs`).

use serde::Deserialize;
use serde_json::{Map, Value};

/// `helmGlobals`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct HelmGlobals {
    pub chart_home: String,
    pub config_home: String,
}

/// One `helmCharts` entry (kustomize's `types.HelmChart`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct HelmChart {
    pub name: String,
    pub version: String,
    pub repo: String,
    pub release_name: String,
    pub namespace: String,
    pub additional_values_files: Vec<String>,
    pub values_file: String,
    pub values_inline: Map<String, Value>,
    pub values_merge: String,
    #[serde(rename = "includeCRDs")]
    pub include_crds: bool,
    pub skip_hooks: bool,
    pub api_versions: Vec<String>,
    pub kube_version: String,
    pub name_template: String,
    pub skip_tests: bool,
    pub debug: bool,
}

/// A deprecated `helmChartInflationGenerator` entry.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct HelmChartArgs {
    pub chart_name: String,
    pub chart_version: String,
    pub chart_repo_url: String,
    pub chart_home: String,
    pub chart_repo_name: String,
    pub helm_bin: String,
    pub helm_home: String,
    pub values: String,
    pub values_local: Map<String, Value>,
    pub values_merge: String,
    pub release_name: String,
    pub release_namespace: String,
    pub extra_args: Vec<String>,
}
