//! `strata build`: arguments to [`strata::BuildOptions`], then output.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use strata::fs::DiskFs;
use strata::generate::helm::HelmOptions;
use strata::load::jsonnet::JsonnetOverrides;
use strata::load::loader::LoadRestrictions;
use strata::pipeline::Reorder;
use strata::remote::RemoteOptions;
use strata::BuildOptions;

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The kustomization directory to build, a `.jsonnet` file to build
    /// as if it were a kustomization's only resource, or a Git URL
    /// (`https://host/org/repo//path?ref=v1`) of a remote kustomization.
    #[arg(default_value = ".")]
    pub dir: PathBuf,

    /// Write the output to this file, or, if it is an existing directory, one
    /// file per resource (named as kustomize names them). Nothing is written
    /// when the build fails.
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub flags: BuildFlags,
}

/// The flags of every command that builds (`build`, `diff`, `apply`).
#[derive(Debug, Args)]
#[command(next_help_heading = "Build options")]
pub struct BuildFlags {
    /// Whether files outside a kustomization's directory may be read.
    #[arg(
        long,
        value_enum,
        default_value = "LoadRestrictionsRootOnly",
        value_name = "RESTRICTOR"
    )]
    pub load_restrictor: LoadRestrictorArg,

    /// Output order (deprecated in kustomize: use `sortOptions` in the
    /// kustomization). `legacy` sorts by kind; `none` keeps input order.
    #[arg(long, value_enum, value_name = "ORDER")]
    pub reorder: Option<ReorderArg>,

    /// Add `app.kubernetes.io/managed-by: kustomize-(devel)` to every
    /// resource (deprecated in kustomize: use `buildMetadata: [managedByLabel]`).
    #[arg(long)]
    pub enable_managedby_label: bool,

    /// Set a jsonnet external variable (`std.extVar`), overriding the
    /// kustomization's `jsonnet.extVars`. Repeatable.
    #[arg(long, value_name = "NAME=VALUE", value_parser = parse_assignment)]
    pub ext_str: Vec<(String, String)>,

    /// Set a top-level argument of jsonnet programs that are functions,
    /// overriding the kustomization's `jsonnet.tlas`. Repeatable.
    #[arg(long, value_name = "NAME=VALUE", value_parser = parse_assignment)]
    pub tla_str: Vec<(String, String)>,

    /// How deep jsonnet calls may nest before the evaluation fails, as
    /// go-jsonnet's `--max-stack` (default 500).
    #[arg(long, value_name = "N")]
    pub jsonnet_max_stack: Option<usize>,

    /// Inflate `helmCharts` by running `helm template` (without it, a
    /// kustomization with `helmCharts` is an error, as in kustomize).
    #[arg(long)]
    pub enable_helm: bool,

    /// The helm program (a path, or a name looked up on PATH).
    #[arg(long, value_name = "PATH", default_value = "helm")]
    pub helm_command: PathBuf,

    /// Kubernetes API versions for helm's `Capabilities.APIVersions`, for
    /// charts that set no `apiVersions`. Repeatable.
    #[arg(long, value_name = "VERSION")]
    pub helm_api_versions: Vec<String>,

    /// Kubernetes version for helm's `Capabilities.KubeVersion`, for charts
    /// that set no `kubeVersion`.
    #[arg(long, value_name = "VERSION")]
    pub helm_kube_version: Option<String>,

    /// Pass `--debug` to helm.
    #[arg(long)]
    pub helm_debug: bool,
}

fn parse_assignment(text: &str) -> Result<(String, String), String> {
    JsonnetOverrides::parse_assignment(text).map_err(|e| e.to_string())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LoadRestrictorArg {
    /// Files must be inside the kustomization's directory (the default).
    #[value(name = "LoadRestrictionsRootOnly")]
    RootOnly,
    /// Files may be anywhere.
    #[value(name = "LoadRestrictionsNone")]
    None,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReorderArg {
    /// kustomize's legacy kind order.
    Legacy,
    /// Keep the order resources were read in.
    None,
}

impl BuildFlags {
    /// The library options these flags ask for.
    pub fn options(&self) -> BuildOptions {
        let BuildFlags {
            load_restrictor,
            reorder,
            enable_managedby_label,
            ext_str,
            tla_str,
            jsonnet_max_stack,
            enable_helm,
            helm_command,
            helm_api_versions,
            helm_kube_version,
            helm_debug,
        } = self;
        BuildOptions {
            load_restrictions: match load_restrictor {
                LoadRestrictorArg::RootOnly => LoadRestrictions::RootOnly,
                LoadRestrictorArg::None => LoadRestrictions::None,
            },
            reorder: reorder.map(|r| match r {
                ReorderArg::Legacy => Reorder::Legacy,
                ReorderArg::None => Reorder::None,
            }),
            enable_managed_by_label: *enable_managedby_label,
            jsonnet: JsonnetOverrides {
                ext_str: ext_str.clone(),
                tla_str: tla_str.clone(),
                max_stack: *jsonnet_max_stack,
            },
            remote: remote_options(),
            helm: HelmOptions {
                enabled: *enable_helm,
                command: helm_command.clone(),
                api_versions: helm_api_versions.clone(),
                kube_version: helm_kube_version.clone(),
                debug: *helm_debug,
                work_dir: Some(std::env::temp_dir()),
            },
        }
    }
}

/// The environment variable that overrides where Git clones are cached.
pub const GIT_CACHE_ENV: &str = "STRATA_GIT_CACHE_DIR";

/// The clone cache: `$STRATA_GIT_CACHE_DIR`, else `$XDG_CACHE_HOME/strata/git`,
/// else `~/.cache/strata/git`.
fn remote_options() -> RemoteOptions {
    let var = |name: &str| std::env::var_os(name).map(PathBuf::from);
    let cache_dir = var(GIT_CACHE_ENV)
        .filter(|p| !p.as_os_str().is_empty())
        .or_else(|| {
            strata::remote::default_cache_dir(
                var("XDG_CACHE_HOME").as_deref(),
                var("HOME").as_deref(),
            )
        });
    RemoteOptions {
        cache_dir,
        ..RemoteOptions::default()
    }
}

pub fn run(args: BuildArgs) -> anyhow::Result<ExitCode> {
    let build = strata::build(&DiskFs, &args.dir, &args.flags.options())?;
    let mut stderr = std::io::stderr().lock();
    for warning in &build.warnings {
        writeln!(stderr, "warning: {warning}")?;
    }
    match &args.output {
        Some(path) => strata::output::write(path, &build.resources)?,
        None => {
            let text = strata::emit::stream(&build.resources);
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(text.as_bytes())?;
            stdout.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
