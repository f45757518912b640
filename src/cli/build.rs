//! `strata build`: arguments to [`strata::BuildOptions`], then output.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, ValueEnum};
use strata::fs::DiskFs;
use strata::generate::helm::HelmOptions;
use strata::load::jsonnet::JsonnetOverrides;
use strata::load::loader::LoadRestrictions;
use strata::pipeline::plugins::exec::ContainerOptions;
use strata::pipeline::plugins::PluginOptions;
use strata::pipeline::Reorder;
use strata::remote::RemoteOptions;
use strata::BuildOptions;

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The kustomization directory to build, a `.jsonnet` file to build
    /// as if it were a kustomization's only resource, or a Git URL
    /// (`https://host/org/repo//path?ref=v1`) of a remote kustomization.
    /// Several targets are built in one process and need `-o DIR`.
    #[arg(default_value = ".", value_name = "DIR")]
    pub dirs: Vec<PathBuf>,

    /// Write the output to this file, or, if it is an existing directory, one
    /// file per resource (named as kustomize names them). With several
    /// targets: a directory (made if missing) with one folder per target,
    /// at the target's path relative to the current directory
    /// (`overlays/prod` → `DIR/overlays/prod/`; `..`, `.`, and two targets
    /// whose folders are the same or nested are refused). A failing target
    /// is reported and gets no folder, the others are written, exit 1.
    /// Nothing is written for a build that fails.
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

    /// Build remote bases from the Git cache without any network call:
    /// branches and tags are not checked for new commits (also STRATA_OFFLINE=1).
    #[arg(long)]
    pub offline: bool,

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

    /// The largest array (elements) or string (bytes) jsonnet's `std`
    /// functions may build, and the most values a program may output
    /// (default 10,000,000).
    #[arg(long, value_name = "N")]
    pub jsonnet_max_elements: Option<usize>,

    /// The memory a jsonnet program may use (bytes, or `512Mi`, `2Gi`;
    /// default 2Gi). Programs run in a worker process with this limit; one
    /// that exceeds it fails the build with an error naming the file.
    #[arg(long, value_name = "SIZE", value_parser = strata::load::jsonnet::parse_size)]
    pub jsonnet_max_memory: Option<u64>,

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

    /// Run external plugins: legacy exec plugins (found under
    /// $KUSTOMIZE_PLUGIN_HOME, else $XDG_CONFIG_HOME/kustomize/plugin, else
    /// ~/.config/kustomize/plugin) and KRM functions in containers. As in
    /// kustomize, this also enables `helmCharts`.
    #[arg(long)]
    pub enable_alpha_plugins: bool,

    /// Let KRM functions be executables (`exec: {path: ...}`); needs
    /// --enable-alpha-plugins. Do not use for untrusted configs.
    #[arg(long)]
    pub enable_exec: bool,

    /// Give network access to container functions that declare it.
    #[arg(long)]
    pub network: bool,

    /// The docker network for container functions with network access
    /// (default: host, which is what kustomize v5.5.0 uses whatever this says).
    #[arg(long, value_name = "NAME")]
    pub network_name: Option<String>,

    /// A docker mount for every container function
    /// (`type=bind,src=DIR,dst=PATH[,rw=true]`). Repeatable.
    #[arg(long, value_name = "OPTIONS")]
    pub mount: Vec<String>,

    /// An environment variable for container functions: `KEY=VALUE`, or
    /// `KEY` to pass this process's value. Repeatable.
    #[arg(short = 'e', long, value_name = "KEY[=VALUE]")]
    pub env: Vec<String>,

    /// Run container functions as this user's uid:gid instead of `nobody`.
    #[arg(long)]
    pub as_current_user: bool,

    /// Stop a plugin or function that runs longer than this.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub plugin_timeout: u64,

    /// On an error, also print the stack it was raised on.
    #[arg(long)]
    pub stack_trace: bool,
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
    /// The library options these flags ask for. `--stack-trace` is the one
    /// process-wide setting: it is switched on here.
    pub fn options(&self) -> BuildOptions {
        let BuildFlags {
            load_restrictor,
            reorder,
            enable_managedby_label,
            ext_str,
            tla_str,
            jsonnet_max_stack,
            jsonnet_max_elements,
            jsonnet_max_memory,
            enable_helm,
            helm_command,
            helm_api_versions,
            helm_kube_version,
            helm_debug,
            enable_alpha_plugins,
            enable_exec,
            network,
            network_name,
            mount,
            env,
            as_current_user,
            plugin_timeout,
            stack_trace,
            offline,
        } = self;
        if *stack_trace {
            strata::error::record_stack_traces(true);
        }
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
                max_elements: *jsonnet_max_elements,
                max_memory: *jsonnet_max_memory,
            },
            remote: remote_options(*offline),
            helm: HelmOptions {
                enabled: *enable_helm || *enable_alpha_plugins,
                command: helm_command.clone(),
                api_versions: helm_api_versions.clone(),
                kube_version: helm_kube_version.clone(),
                debug: *helm_debug,
                work_dir: Some(std::env::temp_dir()),
            },
            progress: super::progress::for_stderr(),
            plugins: PluginOptions {
                enabled: *enable_alpha_plugins,
                enable_exec: *enable_exec,
                home_candidates: plugin_homes(),
                timeout: Duration::from_secs(*plugin_timeout),
                container: ContainerOptions {
                    network: *network,
                    network_name: network_name.clone(),
                    mounts: mount.clone(),
                    env: env.clone(),
                    as_current_user: *as_current_user,
                    docker: PathBuf::from("docker"),
                },
            },
        }
    }
}

impl BuildFlags {
    /// What kustomize (cobra) prints for its deprecated flags when they are used.
    pub fn flag_deprecations(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.reorder.is_some() {
            out.push("Flag --reorder has been deprecated, use the new 'sortOptions' field in kustomization.yaml instead.");
        }
        if self.enable_managedby_label {
            out.push("Flag --enable-managedby-label has been deprecated, The flag `enable-managedby-label` has been deprecated. Use the `managedByLabel` option in the `buildMetadata` field instead.");
        }
        out
    }

    /// Prints [`BuildFlags::flag_deprecations`] on stderr.
    pub fn print_flag_deprecations(&self) -> std::io::Result<()> {
        let mut stderr = std::io::stderr().lock();
        for line in self.flag_deprecations() {
            writeln!(stderr, "{line}")?;
        }
        Ok(())
    }
}

/// Where kustomize looks for exec plugins, in order (konfig.DefaultAbsPluginHome).
fn plugin_homes() -> Vec<(String, Option<PathBuf>)> {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let home = var("HOME").unwrap_or_else(|| PathBuf::from("~"));
    vec![
        (
            "homed in $KUSTOMIZE_PLUGIN_HOME".into(),
            var("KUSTOMIZE_PLUGIN_HOME"),
        ),
        (
            "homed in $XDG_CONFIG_HOME".into(),
            var("XDG_CONFIG_HOME").map(|d| d.join("kustomize").join("plugin")),
        ),
        (
            "homed in default value of $XDG_CONFIG_HOME".into(),
            Some(home.join(".config").join("kustomize").join("plugin")),
        ),
        (
            "homed in home directory".into(),
            Some(home.join("kustomize").join("plugin")),
        ),
    ]
}

/// Prints a build's warnings on stderr: kustomize's deprecation lines as
/// kustomize prints them, then strata's own.
pub fn print_warnings(build: &strata::Build) -> std::io::Result<()> {
    let mut stderr = std::io::stderr().lock();
    for line in &build.deprecations {
        writeln!(stderr, "{line}")?;
    }
    for warning in &build.warnings {
        writeln!(stderr, "warning: {warning}")?;
    }
    Ok(())
}

/// The environment variable that overrides where Git clones are cached.
pub const GIT_CACHE_ENV: &str = "STRATA_GIT_CACHE_DIR";

/// Set to `1`, the same as `--offline`.
pub const OFFLINE_ENV: &str = "STRATA_OFFLINE";

/// The clone cache: `$STRATA_GIT_CACHE_DIR`, else `$XDG_CACHE_HOME/strata/git`,
/// else `~/.cache/strata/git`.
fn remote_options(offline: bool) -> RemoteOptions {
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
        offline: offline || std::env::var_os(OFFLINE_ENV).is_some_and(|v| v == "1"),
        ..RemoteOptions::default()
    }
}

pub fn run(args: BuildArgs) -> anyhow::Result<ExitCode> {
    args.flags.print_flag_deprecations()?;
    let [dir] = args.dirs.as_slice() else {
        return run_many(&args);
    };
    let build = strata::build(&DiskFs, dir, &args.flags.options())?;
    print_warnings(&build)?;
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

/// Several targets, each written to its folder under `-o DIR` once it
/// has built. A failing target is reported by its path and gets no
/// folder; the others are still written; the exit status is then 1.
fn run_many(args: &BuildArgs) -> anyhow::Result<ExitCode> {
    let out = args
        .output
        .as_deref()
        .context("several targets need `-o DIR`: each is written to its own folder there")?;
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let folders = strata::pipeline::targets::folder_names(&args.dirs, &cwd)?;
    let builds = strata::pipeline::targets::build_all(&DiskFs, &args.dirs, &args.flags.options());
    let mut failed = 0usize;
    for ((dir, folder), build) in args.dirs.iter().zip(&folders).zip(builds) {
        let written = build.map_err(anyhow::Error::from).and_then(|build| {
            let mut stderr = std::io::stderr().lock();
            for line in &build.deprecations {
                writeln!(stderr, "{line}")?;
            }
            for warning in &build.warnings {
                writeln!(stderr, "warning: {}: {warning}", dir.display())?;
            }
            drop(stderr);
            let folder = out.join(folder);
            std::fs::create_dir_all(&folder)
                .with_context(|| format!("cannot make `{}`", folder.display()))?;
            strata::output::write(&folder, &build.resources)?;
            Ok(())
        });
        if let Err(error) = written {
            super::report::print_error(&error);
            failed += 1;
        }
    }
    if failed == 0 {
        Ok(ExitCode::SUCCESS)
    } else {
        anyhow::bail!(
            "{failed} of {} targets failed (their folders were not written)",
            args.dirs.len()
        )
    }
}
