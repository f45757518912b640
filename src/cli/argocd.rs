//! `strata argocd generate`: the `generate` command of the Argo CD Config
//! Management Plugin in `integrations/argocd/plugin.yaml`.
//!
//! Argo CD runs it in the application's path with the application's
//! settings in the environment. It builds the working directory as
//! `strata build` does and prints only manifests on stdout (warnings and
//! errors go to stderr, which Argo CD shows in its UI). What it reads:
//!
//! - the build flags after `generate`, written by the administrator in
//!   `plugin.yaml` (any flag of `strata build` except `--output`);
//! - the Application's plugin parameters, from `ARGOCD_APP_PARAMETERS`
//!   (JSON): only the flags in [`PARAMETERS`], since whoever can edit an
//!   Application must not choose which program runs (`--helm-command`) or
//!   which files outside the application are read (`--load-restrictor`);
//! - the Application's plugin `env`, which Argo CD passes as
//!   `ARGOCD_ENV_<NAME>`: each becomes the jsonnet external variable
//!   `<NAME>` (a parameter `ext-str` of the same name wins);
//! - `KUBE_VERSION` and `KUBE_API_VERSIONS` (comma-separated), the target
//!   cluster's, for helm charts when no `helm-kube-version` or
//!   `helm-api-versions` is given, as Argo CD's own kustomize does.

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use serde::Deserialize;
use strata::fs::DiskFs;

use super::build::BuildFlags;

#[derive(Debug, Args)]
pub struct ArgocdArgs {
    #[command(subcommand)]
    pub command: ArgocdCommand,
}

#[derive(Debug, Subcommand)]
pub enum ArgocdCommand {
    /// Build the working directory for Argo CD: manifests on stdout, with
    /// the Application's parameters and env applied.
    Generate(GenerateArgs),
}

#[derive(Debug, Args)]
#[command(after_long_help = "\
Parameters an Application may set (spec.source.plugin.parameters):
  enable-helm, helm-debug, enable-managedby-label: \"true\" or \"false\"
  reorder, helm-kube-version: a string
  helm-api-versions: an array, or a comma-separated string
  ext-str, tla-str: a map of NAME: VALUE, or an array of NAME=VALUE
Plugin env entries (ARGOCD_ENV_NAME) become jsonnet external variables NAME.
KUBE_VERSION and KUBE_API_VERSIONS are helm's defaults.")]
pub struct GenerateArgs {
    /// Build flags from the plugin's administrator, as for `strata build`
    /// (`--load-restrictor`, `--enable-helm`, `--helm-command`, ...).
    #[arg(
        value_name = "BUILD FLAGS",
        trailing_var_arg = true,
        allow_hyphen_values = true
    )]
    pub flags: Vec<OsString>,
}

/// The build flags alone, parsed from the administrator's flags followed by
/// the parameters' (a later value replaces an earlier one).
#[derive(Debug, Parser)]
#[command(
    name = "strata argocd generate",
    no_binary_name = true,
    args_override_self = true,
    disable_help_flag = true,
    disable_version_flag = true
)]
struct Flags {
    #[command(flatten)]
    build: BuildFlags,
}

/// The parameter names an Application may set, and what each takes.
pub const PARAMETERS: [(&str, Kind); 8] = [
    ("enable-helm", Kind::Switch),
    ("helm-debug", Kind::Switch),
    ("enable-managedby-label", Kind::Switch),
    ("reorder", Kind::Value),
    ("helm-kube-version", Kind::Value),
    ("helm-api-versions", Kind::List),
    ("ext-str", Kind::Assignments),
    ("tla-str", Kind::Assignments),
];

/// How a parameter becomes flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `"true"`: the flag; `"false"` or empty: nothing.
    Switch,
    /// A string: `--name=VALUE`.
    Value,
    /// An array, or a comma-separated string: `--name=ITEM` per item.
    List,
    /// A map, or an array of `NAME=VALUE`: `--name=NAME=VALUE` per entry.
    Assignments,
}

/// One entry of `ARGOCD_APP_PARAMETERS`, as Argo CD writes it.
#[derive(Debug, Deserialize)]
struct Parameter {
    name: String,
    #[serde(default)]
    string: Option<String>,
    #[serde(default)]
    array: Option<Vec<String>>,
    #[serde(default)]
    map: Option<serde_json::Map<String, serde_json::Value>>,
}

/// What the command reads from its environment.
#[derive(Debug, Default)]
pub struct Environment {
    /// `ARGOCD_APP_PARAMETERS`.
    pub parameters: Option<String>,
    /// `ARGOCD_ENV_<NAME>` as `(NAME, value)`, in a stable order.
    pub env: Vec<(String, String)>,
    pub kube_version: Option<String>,
    pub kube_api_versions: Option<String>,
}

impl Environment {
    fn of_process() -> Environment {
        let text = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let mut env: Vec<(String, String)> = std::env::vars()
            .filter_map(|(name, value)| {
                let name = name.strip_prefix("ARGOCD_ENV_")?;
                (!name.is_empty()).then(|| (name.to_string(), value))
            })
            .collect();
        env.sort();
        Environment {
            parameters: text("ARGOCD_APP_PARAMETERS"),
            env,
            kube_version: text("KUBE_VERSION"),
            kube_api_versions: text("KUBE_API_VERSIONS"),
        }
    }
}

pub fn run(args: ArgocdArgs) -> anyhow::Result<ExitCode> {
    let ArgocdCommand::Generate(generate) = args.command;
    let flags = build_flags(&generate.flags, &Environment::of_process())?;
    flags.print_flag_deprecations()?;
    let build = strata::build(&DiskFs, std::path::Path::new("."), &flags.options())?;
    let mut stderr = std::io::stderr().lock();
    for warning in &build.warnings {
        writeln!(stderr, "warning: {warning}")?;
    }
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(strata::emit::stream(&build.resources).as_bytes())?;
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The administrator's flags, then the env's and the parameters' flags,
/// then the cluster's versions where helm was told none.
pub fn build_flags(admin: &[OsString], environment: &Environment) -> anyhow::Result<BuildFlags> {
    let mut argv: Vec<OsString> = admin.to_vec();
    for (name, value) in &environment.env {
        argv.push(format!("--ext-str={name}={value}").into());
    }
    if let Some(json) = &environment.parameters {
        argv.extend(parameter_flags(json)?.into_iter().map(OsString::from));
    }
    let mut flags = Flags::try_parse_from(argv)
        .map_err(|e| anyhow::anyhow!("{}", e.render().to_string().trim_end()))?
        .build;
    if flags.helm_kube_version.is_none() {
        flags.helm_kube_version = environment.kube_version.clone();
    }
    if flags.helm_api_versions.is_empty() {
        if let Some(versions) = &environment.kube_api_versions {
            flags.helm_api_versions = split_list(versions);
        }
    }
    Ok(flags)
}

/// `ARGOCD_APP_PARAMETERS` as `--name=value` flags (the `=` form, so that
/// no value is read as a flag), refusing names not in [`PARAMETERS`].
pub fn parameter_flags(json: &str) -> anyhow::Result<Vec<String>> {
    let parameters: Vec<Parameter> = serde_json::from_str(json)
        .context("ARGOCD_APP_PARAMETERS is not the JSON list Argo CD writes")?;
    let mut flags = Vec::new();
    for parameter in &parameters {
        let name = parameter.name.as_str();
        let Some(&(_, kind)) = PARAMETERS.iter().find(|(known, _)| *known == name) else {
            let known: Vec<&str> = PARAMETERS.iter().map(|(n, _)| *n).collect();
            anyhow::bail!(
                "plugin parameter `{name}` is not one an Application may set: use {} \
                 (other build flags belong in the plugin's generate command)",
                known.join(", ")
            );
        };
        let wrong = |what: &str| anyhow::anyhow!("plugin parameter `{name}` takes {what}");
        match kind {
            Kind::Switch => match parameter.string.as_deref().map(str::trim) {
                Some("true") => flags.push(format!("--{name}")),
                Some("false" | "") => {}
                _ => return Err(wrong("a string, \"true\" or \"false\"")),
            },
            Kind::Value => match &parameter.string {
                Some(value) => flags.push(format!("--{name}={value}")),
                None => return Err(wrong("a string")),
            },
            Kind::List => {
                let items = match (&parameter.array, &parameter.string) {
                    (Some(items), _) => items.clone(),
                    (None, Some(text)) => split_list(text),
                    (None, None) => return Err(wrong("an array or a comma-separated string")),
                };
                flags.extend(items.iter().map(|item| format!("--{name}={item}")));
            }
            Kind::Assignments => match (&parameter.map, &parameter.array) {
                (Some(map), _) => {
                    for (key, value) in map {
                        let value = value.as_str().ok_or_else(|| wrong("string values"))?;
                        flags.push(format!("--{name}={key}={value}"));
                    }
                }
                (None, Some(items)) => {
                    flags.extend(items.iter().map(|item| format!("--{name}={item}")));
                }
                (None, None) => return Err(wrong("a map or an array of NAME=VALUE")),
            },
        }
    }
    Ok(flags)
}

fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(admin: &[&str], environment: &Environment) -> anyhow::Result<BuildFlags> {
        let admin: Vec<OsString> = admin.iter().map(OsString::from).collect();
        build_flags(&admin, environment)
    }

    fn with_parameters(json: &str) -> Environment {
        Environment {
            parameters: Some(json.to_string()),
            ..Environment::default()
        }
    }

    #[test]
    fn parameters_become_flags_of_each_kind() {
        let json = r#"[
            {"name": "enable-helm", "string": "true"},
            {"name": "helm-debug", "string": "false"},
            {"name": "reorder", "string": "none"},
            {"name": "helm-api-versions", "array": ["v1", "apps/v1"]},
            {"name": "ext-str", "map": {"env": "prod", "url": "a=b"}},
            {"name": "tla-str", "array": ["n=-1"]}
        ]"#;
        assert_eq!(
            parameter_flags(json).unwrap(),
            [
                "--enable-helm",
                "--reorder=none",
                "--helm-api-versions=v1",
                "--helm-api-versions=apps/v1",
                "--ext-str=env=prod",
                "--ext-str=url=a=b",
                "--tla-str=n=-1",
            ]
        );
        let built = flags(&[], &with_parameters(json)).unwrap();
        assert!(built.enable_helm && !built.helm_debug);
        assert_eq!(built.helm_api_versions, ["v1", "apps/v1"]);
        let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(built.ext_str, [pair("env", "prod"), pair("url", "a=b")]);
        assert_eq!(built.tla_str, [pair("n", "-1")]);
    }

    #[test]
    fn only_safe_parameters_are_taken() {
        for name in ["helm-command", "load-restrictor", "output", "HELM_COMMAND"] {
            let json = format!(r#"[{{"name": "{name}", "string": "/bin/sh"}}]"#);
            let error = parameter_flags(&json).unwrap_err().to_string();
            assert!(error.contains(&format!("`{name}` is not one")), "{error}");
        }
        // A value that looks like a flag stays a value.
        let built = flags(
            &[],
            &with_parameters(
                r#"[{"name": "helm-kube-version", "string": "--helm-command=/bin/sh"}]"#,
            ),
        )
        .unwrap();
        assert_eq!(built.helm_command, std::path::PathBuf::from("helm"));
        assert_eq!(
            built.helm_kube_version.as_deref(),
            Some("--helm-command=/bin/sh")
        );
    }

    #[test]
    fn malformed_parameters_are_errors_that_say_what_is_expected() {
        let cases = [
            ("{}", "not the JSON list"),
            (
                r#"[{"name": "enable-helm", "string": "yes"}]"#,
                "\"true\" or \"false\"",
            ),
            (r#"[{"name": "reorder", "array": ["a"]}]"#, "takes a string"),
            (
                r#"[{"name": "ext-str", "string": "a=b"}]"#,
                "a map or an array",
            ),
            (r#"[{"name": "ext-str", "map": {"a": 1}}]"#, "string values"),
        ];
        for (json, expected) in cases {
            let error = format!("{:#}", parameter_flags(json).unwrap_err());
            assert!(error.contains(expected), "{json}: {error}");
        }
        let error = flags(
            &[],
            &with_parameters(r#"[{"name": "reorder", "string": "sideways"}]"#),
        )
        .unwrap_err()
        .to_string();
        assert!(error.contains("sideways"), "{error}");
    }

    #[test]
    fn admin_flags_env_and_cluster_versions_combine() {
        let environment = Environment {
            parameters: Some(
                r#"[{"name": "ext-str", "map": {"cluster": "from-parameter"}}]"#.into(),
            ),
            env: vec![
                ("cluster".into(), "from-env".into()),
                ("team".into(), "shop".into()),
            ],
            kube_version: Some("1.31.2".into()),
            kube_api_versions: Some("v1,apps/v1, batch/v1".into()),
        };
        let built = flags(
            &["--load-restrictor", "LoadRestrictionsNone", "--enable-helm"],
            &environment,
        )
        .unwrap();
        assert!(built.enable_helm);
        assert_eq!(
            built.load_restrictor,
            super::super::build::LoadRestrictorArg::None
        );
        // The parameter comes last, so it wins (later values replace earlier).
        let options = built.options();
        assert_eq!(
            options.jsonnet.ext_str.last(),
            Some(&("cluster".to_string(), "from-parameter".to_string()))
        );
        assert!(options
            .jsonnet
            .ext_str
            .contains(&("team".to_string(), "shop".to_string())));
        assert_eq!(options.helm.kube_version.as_deref(), Some("1.31.2"));
        assert_eq!(options.helm.api_versions, ["v1", "apps/v1", "batch/v1"]);

        // Versions the Application sets win over the cluster's.
        let mut given = environment;
        given.parameters = Some(r#"[{"name": "helm-kube-version", "string": "1.28"}]"#.into());
        let built = flags(&[], &given).unwrap();
        assert_eq!(built.helm_kube_version.as_deref(), Some("1.28"));
    }

    #[test]
    fn bad_admin_flags_are_reported() {
        let error = flags(&["--output", "x"], &Environment::default())
            .unwrap_err()
            .to_string();
        assert!(error.contains("--output"), "{error}");
    }
}
