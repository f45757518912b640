//! KRM functions (kyaml's fn/runtime): a config annotated
//! `config.kubernetes.io/function` names an executable (`exec.path`, with
//! `--enable-exec`) or a container image (run with docker). The function
//! reads a `ResourceList` (`items`, `functionConfig`) on stdin and writes
//! one back (or plain resource documents) on stdout.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{process, ContainerOptions, PluginOptions};
use crate::error::{Error, Result};

const FUNCTION_ANNOTATIONS: [&str; 2] = ["config.kubernetes.io/function", "config.k8s.io/function"];
const CONTAINER_ANNOTATION: &str = "config.kubernetes.io/container";
const LOCAL_CONFIG: &str = "config.kubernetes.io/local-config";
const RESOURCE_LIST_API_VERSION: &str = "config.kubernetes.io/v1";
const LEGACY_RESOURCE_LIST_API_VERSION: &str = "config.kubernetes.io/v1alpha1";

/// kyaml's `FunctionSpec`, read strictly (unknown fields are errors).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FunctionSpec {
    #[serde(default)]
    pub defer_failure: bool,
    #[serde(default)]
    pub container: ContainerSpec,
    #[serde(default)]
    pub exec: ExecSpec,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ContainerSpec {
    #[serde(default)]
    pub image: String,
    #[serde(default)]
    pub network: bool,
    #[serde(default)]
    pub mounts: Vec<StorageMount>,
    #[serde(default)]
    pub envs: Vec<String>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ExecSpec {
    #[serde(default)]
    pub path: String,
}

/// A docker `--mount`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StorageMount {
    #[serde(default, rename = "type")]
    pub mount_type: String,
    #[serde(default)]
    pub src: String,
    #[serde(default)]
    pub dst: String,
    #[serde(default)]
    pub rw: bool,
}

impl StorageMount {
    /// kyaml's `StringToStorageMount`: `type=bind,src=a,dst=b,rw=true`
    /// (`source`/`target` too); unknown options are ignored.
    pub fn parse(text: &str) -> StorageMount {
        let mut mount = StorageMount::default();
        for option in text.split(',') {
            let Some((key, value)) = option.split_once('=') else {
                continue;
            };
            match key {
                "type" => mount.mount_type = value.to_string(),
                "src" | "source" => mount.src = value.to_string(),
                "dst" | "target" => mount.dst = value.to_string(),
                "rw" => mount.rw = value == "true",
                _ => {}
            }
        }
        mount
    }

    fn docker_arg(&self, working_dir: &Path) -> String {
        let src = if Path::new(&self.src).is_absolute() {
            self.src.clone()
        } else {
            working_dir.join(&self.src).display().to_string()
        };
        let mode = if self.rw { "" } else { ",readonly" };
        format!(
            "type={},source={src},target={}{mode}",
            self.mount_type, self.dst
        )
    }
}

impl FunctionSpec {
    /// The function spec a config carries, if any (kyaml's `GetFunctionSpec`).
    pub fn of(config: &Value, file: &Path) -> Result<Option<FunctionSpec>> {
        let metadata = config.get("metadata");
        let annotation = |key: &str| {
            metadata
                .and_then(|m| m.get("annotations"))
                .and_then(|a| a.get(key))
                .and_then(Value::as_str)
                .filter(|text| !text.is_empty())
        };
        for key in FUNCTION_ANNOTATIONS {
            if let Some(text) = annotation(key) {
                let value = crate::yaml::parse_config(text, file)
                    .map_err(|e| Error::file(file, format!("{key} unmarshal error: {e}")))?;
                return Self::from_value(value, file, key).map(Some);
            }
        }
        if let Some(config_fn) = metadata.and_then(|m| m.get("configFn")) {
            if !config_fn.is_null() {
                return Self::from_value(config_fn.clone(), file, "configFn").map(Some);
            }
        }
        Ok(annotation(CONTAINER_ANNOTATION).map(|image| FunctionSpec {
            container: ContainerSpec {
                image: image.to_string(),
                ..ContainerSpec::default()
            },
            ..FunctionSpec::default()
        }))
    }

    fn from_value(value: Value, file: &Path, key: &str) -> Result<FunctionSpec> {
        let value = if value.is_null() { json!({}) } else { value };
        serde_json::from_value(value)
            .map_err(|e| Error::file(file, format!("{key} unmarshal error: {e}")))
    }
}

/// A KRM function, configured.
#[derive(Clone, Debug)]
pub struct FunctionPlugin {
    pub spec: FunctionSpec,
    /// The config, annotated as local config, as the function receives it.
    pub config: Value,
    /// `api: ..., kind: ..., name: ...`, as kustomize names functions.
    pub name: String,
    /// The listing kustomization's directory: where exec functions run and
    /// relative mounts point.
    pub root: PathBuf,
}

/// What a function returned.
#[derive(Debug, Default)]
pub struct Output {
    pub items: Vec<Value>,
    /// Warnings for the build: error results of a function that succeeded.
    pub warnings: Vec<String>,
}

impl FunctionPlugin {
    /// kustomize refuses mounts outside the kustomization's directory.
    pub fn new(spec: FunctionSpec, config: &Value, root: PathBuf, file: &Path) -> Result<Self> {
        let text = |path: &[&str]| {
            path.iter()
                .try_fold(config, |v, k| v.get(*k))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        // kustomize names the config by its id: `Kind.version.[noGrp]/name.[noNs]`.
        let api_version = config
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("");
        let (group, version) = crate::id::split_api_version(api_version);
        let or = |text: String, none: &str| {
            if text.is_empty() {
                none.to_string()
            } else {
                text
            }
        };
        let id = format!(
            "{}.{}.{}/{}.{}",
            text(&["kind"]),
            version,
            or(group.to_string(), "[noGrp]"),
            text(&["metadata", "name"]),
            or(text(&["metadata", "namespace"]), "[noNs]"),
        );
        for mount in &spec.container.mounts {
            if Path::new(&mount.src).is_absolute() {
                return Err(Error::file(file, format!(
                    "plugin {id} with mount path '{}' is not permitted; mount paths must be relative to the current kustomization directory",
                    mount.src
                )));
            }
            if crate::fs::normalize(Path::new(&mount.src)).starts_with("..") {
                return Err(Error::file(file, format!(
                    "plugin {id} with mount path '{}' is not permitted; mount paths must be under the current kustomization directory",
                    mount.src
                )));
            }
        }
        let mut config = config.clone();
        if let Some(metadata) = config.as_object_mut().map(|c| {
            c.entry("metadata")
                .or_insert_with(|| Value::Object(Map::new()))
        }) {
            if let Some(metadata) = metadata.as_object_mut() {
                let annotations = metadata
                    .entry("annotations")
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Some(annotations) = annotations.as_object_mut() {
                    annotations.insert(LOCAL_CONFIG.into(), Value::String("true".into()));
                }
            }
        }
        let name = format!(
            "api: {}, kind: {}, name: {}",
            text(&["apiVersion"]),
            text(&["kind"]),
            text(&["metadata", "name"])
        );
        Ok(FunctionPlugin {
            spec,
            config,
            name,
            root,
        })
    }

    /// Runs the function over `items`. `None`: no runtime applies (an exec
    /// function without `--enable-exec`, or a spec naming neither), so, as
    /// in kustomize, the items pass through unchanged.
    pub fn run(&self, items: Vec<Value>, options: &PluginOptions) -> Result<Option<Output>> {
        if self.spec.container.network && !options.container.network {
            return Err(
                Error::msg("network required but not enabled with --network")
                    .context(format!("function {}", self.name)),
            );
        }
        let container = !self.spec.container.image.is_empty();
        if !container && (self.spec.exec.path.is_empty() || !options.enable_exec) {
            return Ok(None);
        }
        self.check_working_dir()?;
        let (command, what) = if container {
            let args = docker_args(&self.spec, &options.container, &self.root)?;
            check_docker(&options.container.docker)?;
            let mut command = Command::new(&options.container.docker);
            command.args(&args).current_dir(&self.root);
            (command, format!("image {}", self.spec.container.image))
        } else {
            (self.exec_command(), self.spec.exec.path.clone())
        };
        let input = crate::emit::document(&resource_list(items, &self.config));
        let finished = process::run(command, input.into_bytes(), options.timeout, &what)
            .map_err(|e| e.context(format!("function {}", self.name)))?;
        let text = String::from_utf8_lossy(&finished.stdout);
        let (items, results) = read_output(&text, &what)?;
        let errors = error_results(&results);
        if !finished.status.success() {
            let mut message = format!(
                "couldn't execute function: {}",
                process::describe(finished.status)
            );
            for error in &errors {
                message.push_str("\n  ");
                message.push_str(error);
            }
            return Err(Error::msg(message).context(format!("function {what} ({})", self.name)));
        }
        let mut items = items;
        for item in &mut items {
            super::state::strip_kio_annotations(item);
        }
        let warnings = errors
            .into_iter()
            .map(|e| format!("function {what} reported an error but exited 0: {e}"))
            .collect();
        Ok(Some(Output { items, warnings }))
    }

    /// kyaml's rule for both runtimes: functions run in the kustomization's
    /// directory, which must be absolute and not `/`.
    fn check_working_dir(&self) -> Result<()> {
        if !self.root.is_absolute() {
            return Err(Error::msg(format!(
                "couldn't execute function: relative working directory {} not allowed",
                self.root.display()
            )));
        }
        if self.root == Path::new("/") {
            return Err(Error::msg(
                "couldn't execute function: root working directory '/' not allowed",
            ));
        }
        Ok(())
    }

    /// kyaml's exec runtime: the program, run in the kustomization's directory.
    fn exec_command(&self) -> Command {
        let path = Path::new(&self.spec.exec.path);
        // Go resolves a relative path with a slash against the command's
        // directory, and a bare name on PATH.
        let program = if path.is_relative() && self.spec.exec.path.contains('/') {
            self.root.join(path)
        } else {
            path.to_path_buf()
        };
        let mut command = Command::new(program);
        command.current_dir(&self.root);
        command
    }
}

/// The `ResourceList` a function reads.
fn resource_list(items: Vec<Value>, config: &Value) -> Value {
    let mut items = items;
    for (index, item) in items.iter_mut().enumerate() {
        let Some(annotations) = item
            .as_object_mut()
            .and_then(|o| {
                o.entry("metadata")
                    .or_insert_with(|| Value::Object(Map::new()))
                    .as_object_mut()
            })
            .and_then(|m| {
                m.entry("annotations")
                    .or_insert_with(|| Value::Object(Map::new()))
                    .as_object_mut()
            })
        else {
            continue;
        };
        // kyaml's reader numbers the stream from 0, the function filter from 1.
        let position = Value::String(index.to_string());
        let id = Value::String((index + 1).to_string());
        annotations.insert("config.kubernetes.io/index".into(), position.clone());
        annotations.insert("internal.config.kubernetes.io/index".into(), position);
        annotations.insert("internal.config.kubernetes.io/id".into(), id.clone());
        annotations.insert("config.k8s.io/id".into(), id);
    }
    json!({
        "apiVersion": RESOURCE_LIST_API_VERSION,
        "kind": "ResourceList",
        "items": items,
        "functionConfig": config,
    })
}

/// A function's stdout: a `ResourceList` (its items and results) or plain
/// resource documents (kyaml's `ByteReader` takes both).
fn read_output(text: &str, what: &str) -> Result<(Vec<Value>, Vec<Value>)> {
    let documents = crate::yaml::parse_stream(text, Path::new(&format!("<output of {what}>")))?;
    if let [list] = documents.as_slice() {
        let api_version = list.get("apiVersion").and_then(Value::as_str);
        let is_list = list.get("kind").and_then(Value::as_str) == Some("ResourceList")
            && matches!(
                api_version,
                Some(RESOURCE_LIST_API_VERSION | LEGACY_RESOURCE_LIST_API_VERSION)
            );
        if is_list {
            let items = match list.get("items") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(items)) => items.clone(),
                Some(_) => {
                    return Err(Error::msg(format!(
                        "output of {what}: ResourceList `items` must be a list"
                    )))
                }
            };
            let results = match list.get("results") {
                Some(Value::Array(results)) => results.clone(),
                _ => Vec::new(),
            };
            return Ok((items, results));
        }
    }
    Ok((documents, Vec::new()))
}

/// The results of severity `error`, each as one line: the message, then
/// the resource and field it is about.
fn error_results(results: &[Value]) -> Vec<String> {
    results
        .iter()
        .filter(|r| r.get("severity").and_then(Value::as_str) == Some("error"))
        .map(|r| {
            let text = |path: &[&str]| {
                path.iter()
                    .try_fold(r, |v, k| v.get(*k))
                    .and_then(Value::as_str)
                    .unwrap_or("")
            };
            let mut line = format!("error: {}", text(&["message"]));
            let kind = text(&["resourceRef", "kind"]);
            if !kind.is_empty() {
                line.push_str(&format!(" ({kind} {}", text(&["resourceRef", "name"])));
                let field = text(&["field", "path"]);
                if !field.is_empty() {
                    line.push_str(&format!(", field {field}"));
                }
                line.push(')');
            }
            line
        })
        .collect()
}

/// kyaml's container runtime: `docker run` with no network unless the
/// function declares it (and `--network` allows it), as `nobody` unless
/// `--as-current-user`, with the function's and the flags' mounts and
/// environment.
pub fn docker_args(
    spec: &FunctionSpec,
    options: &ContainerOptions,
    root: &Path,
) -> Result<Vec<String>> {
    let network = if spec.container.network {
        options
            .network_name
            .clone()
            .unwrap_or_else(|| "host".into())
    } else {
        "none".into()
    };
    let user = if options.as_current_user {
        current_user()?
    } else {
        "nobody".into()
    };
    let mut args: Vec<String> = [
        "run",
        "--rm",
        "-i",
        "-a",
        "STDIN",
        "-a",
        "STDOUT",
        "-a",
        "STDERR",
        "--network",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.push(network);
    args.push("--user".into());
    args.push(user);
    args.push("--security-opt=no-new-privileges".into());
    let flag_mounts = options.mounts.iter().map(|m| StorageMount::parse(m));
    for mount in spec.container.mounts.iter().cloned().chain(flag_mounts) {
        args.push("--mount".into());
        args.push(mount.docker_arg(root));
    }
    args.extend(docker_env(&spec.container.envs, &options.env));
    args.push(spec.container.image.clone());
    Ok(args)
}

/// kyaml's environment for a container: `LOG_TO_STDERR` and
/// `STRUCTURED_RESULTS`, the function's `envs`, then the `-e` flags (which
/// win); `KEY=VALUE` pairs sorted by key, then the passed-through keys.
fn docker_env(declared: &[String], flags: &[String]) -> Vec<String> {
    let mut values = std::collections::BTreeMap::new();
    values.insert("LOG_TO_STDERR".to_string(), "true".to_string());
    values.insert("STRUCTURED_RESULTS".to_string(), "true".to_string());
    let mut exported: Vec<String> = Vec::new();
    for entry in declared.iter().chain(flags) {
        match entry.split_once('=') {
            Some((key, value)) => {
                values.insert(key.to_string(), value.to_string());
            }
            None if !exported.contains(entry) => exported.push(entry.clone()),
            None => {}
        }
    }
    let mut args = Vec::new();
    for (key, value) in values {
        args.push("-e".into());
        args.push(format!("{key}={value}"));
    }
    for key in exported {
        args.push("-e".into());
        args.push(key);
    }
    args
}

/// `uid:gid` of this process (the owner of `/proc/self`).
fn current_user() -> Result<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(metadata) = std::fs::metadata("/proc/self") {
            return Ok(format!("{}:{}", metadata.uid(), metadata.gid()));
        }
    }
    Err(Error::msg(
        "--as-current-user: cannot find this process's uid and gid",
    ))
}

/// A clear error when docker is not there, before anything runs.
fn check_docker(docker: &Path) -> Result<()> {
    let found = if docker.components().count() > 1 {
        docker.is_file()
    } else {
        std::env::var_os("PATH").is_some_and(|paths| {
            std::env::split_paths(&paths).any(|dir| dir.join(docker).is_file())
        })
    };
    if found {
        return Ok(());
    }
    Err(Error::msg(format!(
        "container functions need docker, and `{}` was not found on PATH",
        docker.display()
    ))
    .with_hint("install docker, or run the function as an executable (`exec: {path: ...}` with --enable-exec)"))
}
