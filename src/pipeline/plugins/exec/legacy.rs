//! kustomize's legacy exec plugins (api/internal/plugins/execplugin): a
//! program at `<plugin home>/<group>/<version>/<lowercase kind>/<Kind>`,
//! run in the listing kustomization's directory with its config in a
//! temporary file named by the first argument (and in
//! `KUSTOMIZE_PLUGIN_CONFIG_STRING`). A generator's stdout is its
//! resources; a transformer reads the resources on stdin and writes them
//! back changed.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::{process, PluginOptions};
use crate::error::{Error, Result};
use crate::id::Gvk;
use crate::load::loader::Loader;

/// kustomize passes the config and root in the environment only when each
/// fits in one argument string.
const MAX_ENV_LENGTH: usize = 131071;

/// A legacy exec plugin, configured.
#[derive(Clone, Debug)]
pub struct ExecPlugin {
    /// The program.
    pub path: PathBuf,
    /// `argsOneLiner` (split as a shell would) then `argsFromFile` lines.
    pub args: Vec<String>,
    /// The config document as kustomize writes it for the plugin.
    pub config: String,
    /// The listing kustomization's directory (absolute).
    pub root: PathBuf,
}

impl ExecPlugin {
    /// Finds the program for `config` under the plugin home and reads the
    /// optional argument fields.
    pub fn configure(
        config: &Value,
        file: &Path,
        loader: &Loader<'_>,
        options: &PluginOptions,
        root: PathBuf,
    ) -> Result<ExecPlugin> {
        let text = |key: &str| config.get(key).and_then(Value::as_str).unwrap_or("");
        let gvk = Gvk::from_api_version(text("apiVersion"), text("kind"));
        let home = plugin_home(options)?;
        let mut path = home;
        for part in [&gvk.group, &gvk.version, &gvk.kind.to_lowercase()] {
            if !part.is_empty() {
                path.push(part);
            }
        }
        path.push(&gvk.kind);
        check_executable(&path)?;
        let mut args = Vec::new();
        if let Some(line) = string_field(config, "argsOneLiner", file)? {
            // kustomize ignores a line shlex cannot split.
            args.extend(shlex::split(&line).unwrap_or_default());
        }
        if let Some(entry) = string_field(config, "argsFromFile", file)? {
            let (_, content) = loader.read_to_string(&entry)?;
            args.extend(
                content
                    .split('\n')
                    .map(|line| line.trim_start_matches(' '))
                    .filter(|line| !line.is_empty())
                    .map(str::to_string),
            );
        }
        Ok(ExecPlugin {
            path,
            args,
            config: crate::emit::document(config),
            root,
        })
    }

    /// Runs the program with `input` on stdin; its stdout on success.
    pub fn invoke(
        &self,
        input: Vec<u8>,
        options: &PluginOptions,
        warnings: &mut Vec<String>,
    ) -> Result<Vec<u8>> {
        let what = self.path.display().to_string();
        let config_file = tempfile::Builder::new()
            .prefix("kust-plugin-config-")
            .tempfile()
            .and_then(|mut file| {
                std::io::Write::write_all(&mut file, self.config.as_bytes()).map(|()| file)
            })
            .map_err(|e| Error::msg(format!("plugin {what}: cannot write its config file: {e}")))?;
        let mut command = Command::new(&self.path);
        command.arg(config_file.path()).args(&self.args);
        if self.root.is_dir() {
            command.current_dir(&self.root);
        }
        let mut set_env = |key: &str, value: &str| {
            if key.len() + 1 + value.len() <= MAX_ENV_LENGTH {
                command.env(key, value);
            } else {
                warnings.push(format!(
                    "{key} exceeds hard limit of {MAX_ENV_LENGTH} characters, the environment variable will be omitted"
                ));
            }
        };
        set_env("KUSTOMIZE_PLUGIN_CONFIG_STRING", &self.config);
        set_env(
            "KUSTOMIZE_PLUGIN_CONFIG_ROOT",
            &self.root.display().to_string(),
        );
        let finished = process::run(command, input, options.timeout, &what)?;
        if !finished.status.success() {
            return Err(Error::msg(format!(
                "failure in plugin {what} (configured via {}): {}",
                config_file.path().display(),
                process::describe(finished.status)
            ))
            .with_hint("the plugin's own messages are above, on stderr"));
        }
        Ok(finished.stdout)
    }
}

/// The first existing plugin home, or kustomize's error listing where it looked.
fn plugin_home(options: &PluginOptions) -> Result<PathBuf> {
    for (_, dir) in &options.home_candidates {
        if let Some(dir) = dir {
            if dir.exists() {
                return Ok(dir.clone());
            }
        }
    }
    let tried: Vec<String> = options
        .home_candidates
        .iter()
        .map(|(note, dir)| {
            let dir = dir
                .as_ref()
                .map_or_else(|| "<no value>".to_string(), |d| d.display().to_string());
            format!("('{dir}'; {note})")
        })
        .collect();
    Err(Error::msg(format!(
        "unable to find plugin root - tried: {}",
        tried.join(", ")
    ))
    .with_hint("set KUSTOMIZE_PLUGIN_HOME to the directory holding <group>/<version>/<kind>/<Kind> plugin programs"))
}

/// kustomize's `ErrIfNotExecutable`; a missing program would be a Go
/// plugin (`<path>.so`) in kustomize, which strata does not load.
fn check_executable(path: &Path) -> Result<()> {
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::msg(format!(
                "no exec plugin at {}, and kustomize would then expect file with Go object code at: {}.so, which strata does not load",
                path.display(),
                path.display()
            ))
            .with_hint("put an executable program at that path (plugins are found by <group>/<version>/<lowercase kind>/<Kind> under the plugin home)"))
        }
        Err(e) => return Err(Error::io(path, e)),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if metadata.permissions().mode() & 0o111 == 0 {
            return Err(Error::msg(format!(
                "unexecutable plugin at: {}",
                path.display()
            )));
        }
    }
    #[cfg(not(unix))]
    let _ = metadata;
    Ok(())
}

/// An optional string field of a plugin config (sigs.k8s.io/yaml into a
/// string: scalars accepted).
fn string_field(config: &Value, key: &str, file: &Path) -> Result<Option<String>> {
    match config.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => match crate::kyaml::scalar_text(value) {
            Some(text) if text.is_empty() => Ok(None),
            Some(text) => Ok(Some(text.into_owned())),
            None => Err(Error::field(file, key, "expected a string")),
        },
    }
}
