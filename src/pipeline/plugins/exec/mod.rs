//! External plugins, behind kustomize's flags: legacy exec plugins (a
//! program found under the plugin home by the config's apiVersion and
//! kind) and KRM functions (a config annotated
//! `config.kubernetes.io/function`, run as an executable or a container).
//!
//! kustomize's rules (api/internal/plugins/loader): a config whose
//! apiVersion is not `builtin` is external; without
//! `--enable-alpha-plugins` it is refused; with it, a config carrying a
//! function spec is a KRM function ([`function`]), anything else a legacy
//! exec plugin ([`legacy`]). Both are generators and transformers alike.
//! Every program runs with a deadline, its stderr passed through ([`process`]).

pub mod function;
pub mod legacy;
pub mod process;
pub mod state;

#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::id::ResId;
use crate::load::loader::Loader;
use crate::resource::{Configured, Origin, Resource, ResourceMap};

/// How external plugins may run: kustomize's `--enable-alpha-plugins`,
/// `--enable-exec` and the function flags, plus strata's deadline.
#[derive(Clone, Debug)]
pub struct PluginOptions {
    /// `--enable-alpha-plugins`: external plugins may run at all.
    pub enabled: bool,
    /// `--enable-exec`: KRM functions may be executables (`exec.path`).
    pub enable_exec: bool,
    /// Where legacy exec plugins live: the first directory of these that
    /// exists (kustomize: `$KUSTOMIZE_PLUGIN_HOME`,
    /// `$XDG_CONFIG_HOME/kustomize/plugin`, `~/.config/kustomize/plugin`,
    /// `~/kustomize/plugin`). Each entry: what it is, and the directory
    /// (`None` when its variable is unset).
    pub home_candidates: Vec<(String, Option<PathBuf>)>,
    /// How long one plugin or function may run before it is killed.
    pub timeout: Duration,
    /// How containerized functions run.
    pub container: ContainerOptions,
}

/// kustomize's function flags, which configure `docker run`.
#[derive(Clone, Debug, Default)]
pub struct ContainerOptions {
    /// `--network`: functions that declare `network: true` may have it.
    pub network: bool,
    /// `--network-name`: the docker network for such functions. kustomize
    /// v5.5.0 accepts the flag but runs them on `host`; so does strata
    /// when it is not given.
    pub network_name: Option<String>,
    /// `--mount`: storage mounts (`type=bind,src=...,dst=...[,rw=true]`)
    /// added to every container function.
    pub mounts: Vec<String>,
    /// `-e/--env`: `KEY=VALUE`, or `KEY` to pass the variable through.
    pub env: Vec<String>,
    /// `--as-current-user`: run as this process's uid:gid, not `nobody`.
    pub as_current_user: bool,
    /// The docker program (a path, or a name looked up on PATH).
    pub docker: PathBuf,
}

/// The deadline a plugin gets unless the caller sets one.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

impl Default for PluginOptions {
    fn default() -> Self {
        PluginOptions {
            enabled: false,
            enable_exec: false,
            home_candidates: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
            container: ContainerOptions {
                docker: PathBuf::from("docker"),
                ..ContainerOptions::default()
            },
        }
    }
}

/// An external plugin, configured.
#[derive(Clone, Debug)]
pub enum ExternalPlugin {
    Legacy(legacy::ExecPlugin),
    Function(function::FunctionPlugin),
}

impl ExternalPlugin {
    /// How errors and duplicate-resource messages name the plugin.
    pub fn name(&self) -> String {
        match self {
            ExternalPlugin::Legacy(plugin) => plugin.path.display().to_string(),
            ExternalPlugin::Function(function) => function.name.clone(),
        }
    }
}

/// Whether a config names a builtin plugin (kustomize: no group, version `builtin`).
pub fn is_builtin(config: &Value) -> bool {
    config.get("apiVersion").and_then(Value::as_str) == Some("builtin")
}

/// Configures an external plugin from its config document, or refuses it
/// as kustomize does when external plugins are disabled.
pub fn configure(
    config: &Value,
    file: &Path,
    loader: &Loader<'_>,
    options: &PluginOptions,
) -> Result<ExternalPlugin> {
    let kind = config.get("kind").and_then(Value::as_str).unwrap_or("");
    if !options.enabled {
        return Err(Error::file(
            file,
            format!("external plugins disabled; unable to load external plugin '{kind}'"),
        )
        .with_hint("run with --enable-alpha-plugins to run external plugins, or use `apiVersion: builtin` with a builtin kind"));
    }
    let root = working_dir(loader)?;
    if let Some(spec) = function::FunctionSpec::of(config, file)? {
        return Ok(ExternalPlugin::Function(function::FunctionPlugin::new(
            spec, config, root, file,
        )?));
    }
    legacy::ExecPlugin::configure(config, file, loader, options, root).map(ExternalPlugin::Legacy)
}

/// The listing kustomization's directory as an absolute path: plugins run
/// there and learn it from `KUSTOMIZE_PLUGIN_CONFIG_ROOT`.
fn working_dir(loader: &Loader<'_>) -> Result<PathBuf> {
    loader.fs().canonicalize(loader.root())
}

/// Runs an external plugin as a transformer: every resource goes in (with
/// its state and id annotations), and its output becomes the layer's
/// resources as kustomize's `UpdateResMapValues` makes it: a resource
/// whose current id comes back is replaced in place, a new id is
/// appended, an id that does not come back is removed.
pub fn transform(
    plugin: &ExternalPlugin,
    resources: &mut ResourceMap,
    configured: &Configured,
    options: &PluginOptions,
    warnings: &mut Vec<String>,
) -> Result<()> {
    let items: Vec<Value> = resources.iter().map(state::plugin_input).collect();
    let outputs = match plugin {
        ExternalPlugin::Legacy(exec) => {
            let mut input = String::new();
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    input.push_str("---\n");
                }
                crate::emit::write_document(&mut input, item);
            }
            let stdout = exec.invoke(input.into_bytes(), options, warnings)?;
            parse_output(&stdout, &exec.path.display().to_string())?
        }
        ExternalPlugin::Function(function) => match function.run(items, options)? {
            Some(output) => {
                warnings.extend(output.warnings);
                output.items
            }
            None => {
                warnings.push(skipped(function));
                return Ok(());
            }
        },
    };
    replace_resources(&plugin.name(), outputs, resources, configured)
}

/// Runs an external plugin as a generator: what it prints is new
/// resources, with kustomize's `needs-hash` and `behavior` annotations read.
pub fn generate(
    plugin: &ExternalPlugin,
    configured: &Configured,
    options: &PluginOptions,
    warnings: &mut Vec<String>,
) -> Result<Vec<Resource>> {
    let outputs = match plugin {
        ExternalPlugin::Legacy(exec) => {
            let stdout = exec.invoke(Vec::new(), options, warnings)?;
            parse_output(&stdout, &exec.path.display().to_string())?
        }
        // A generator function's input is its own config.
        ExternalPlugin::Function(function) => {
            match function.run(vec![function.config.clone()], options)? {
                Some(output) => {
                    warnings.extend(output.warnings);
                    output.items
                }
                None => {
                    warnings.push(skipped(function));
                    vec![function.config.clone()]
                }
            }
        }
    };
    outputs
        .into_iter()
        .map(|object| {
            let mut resource = Resource::new(object, Origin::Plugin(configured.clone()))?;
            state::adopt_generated(&mut resource)?;
            Ok(resource)
        })
        .collect()
}

/// kustomize does nothing with a function it has no runtime for; strata says so.
fn skipped(function: &function::FunctionPlugin) -> String {
    if function.spec.exec.path.is_empty() {
        format!(
            "function {} names no image and no exec path; it was skipped",
            function.name
        )
    } else {
        format!(
            "function {} (exec `{}`) was skipped: exec functions run only with --enable-exec",
            function.name, function.spec.exec.path
        )
    }
}

/// A plugin's stdout as resource objects (`List`s expanded).
fn parse_output(stdout: &[u8], name: &str) -> Result<Vec<Value>> {
    let text = std::str::from_utf8(stdout)
        .map_err(|_| Error::msg(format!("plugin {name} printed output that is not UTF-8")))?;
    let documents = crate::yaml::parse_stream(text, Path::new(&format!("<output of {name}>")))?;
    crate::kyaml::expand_lists(documents, name)
}

fn replace_resources(
    name: &str,
    outputs: Vec<Value>,
    resources: &mut ResourceMap,
    configured: &Configured,
) -> Result<()> {
    let key = |id: ResId| ResId {
        namespace: id.effective_namespace().to_string(),
        ..id
    };
    let mut seen = HashSet::new();
    let mut replaced: HashMap<usize, Resource> = HashMap::new();
    let mut appended = Vec::new();
    for object in outputs {
        let mut resource = Resource::new(object, Origin::Plugin(configured.clone()))?;
        state::adopt(&mut resource)?;
        let id = resource.id();
        if !seen.insert(key(id.clone())) {
            return Err(Error::msg(format!(
                "plugin {name} generated duplicate resource: {id}"
            )));
        }
        match resources.positions(&id) {
            [] => appended.push(resource),
            [position] => {
                let old = &resources.as_slice()[*position];
                // What kustomize keeps outside the object.
                resource.origin = old.origin.clone();
                resource.var_names = old.var_names.clone();
                resource.transformations = old.transformations.clone();
                replaced.insert(*position, resource);
            }
            _ => {
                return Err(Error::msg(format!(
                    "plugin {name}: more than one resource has the id {id}"
                )))
            }
        }
    }
    let mut result = ResourceMap::new();
    for (position, _) in std::mem::take(resources).into_vec().into_iter().enumerate() {
        // A resource the plugin did not return is removed.
        if let Some(resource) = replaced.remove(&position) {
            result.append(resource)?;
        }
    }
    for resource in appended {
        result.append(resource)?;
    }
    *resources = result;
    Ok(())
}
