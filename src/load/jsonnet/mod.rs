//! Jsonnet sources in `resources:`: evaluate a `.jsonnet` file and turn its
//! value into resources.
//!
//! This module owns the kustomization's `jsonnet:` settings
//! ([`JsonnetConfig`]), the command-line overrides ([`JsonnetOverrides`])
//! and [`evaluate`]. Evaluation uses jrsonnet (pure Rust) behind the
//! default-on cargo feature `jsonnet`; without it, [`evaluate`] returns an
//! error and everything else still works. Every file, the program and its
//! imports alike, is read through the kustomization's [`Loader`]: imports
//! resolve next to the importing file, then in the library paths, and under
//! the load restrictor only files inside the kustomization root or a library
//! path may be imported.
//!
//! Turning the value into resources follows Tanka: an object with
//! `apiVersion` and `kind` is a resource, `kind: List` gives its `items`,
//! arrays and other objects are walked (fields in sorted order).

#[cfg(feature = "jsonnet")]
mod engine;
#[cfg(feature = "jsonnet")]
mod errors;
mod extract;
#[cfg(feature = "jsonnet")]
mod files;
#[cfg(feature = "jsonnet")]
mod limits;
#[cfg(all(feature = "jsonnet", unix))]
pub mod worker;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::error::{at, Error, Result};
use crate::load::loader::Loader;
use crate::resource::{value_kind, Resource};

/// Library paths used when `libraryPaths` is not set, if they exist.
pub const DEFAULT_LIBRARY_PATHS: [&str; 2] = ["lib", "vendor"];

/// The kustomization's `jsonnet:` field.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JsonnetConfig {
    /// `extVars`: external variables as strings (`std.extVar`).
    pub ext_vars: BTreeMap<String, String>,
    /// `extCode`: external variables as jsonnet code.
    pub ext_code: BTreeMap<String, String>,
    /// `tlas`: top-level arguments as strings.
    pub tlas: BTreeMap<String, String>,
    /// `tlaCode`: top-level arguments as jsonnet code.
    pub tla_code: BTreeMap<String, String>,
    /// `libraryPaths`, relative to the kustomization directory, searched in
    /// order. `None` means [`DEFAULT_LIBRARY_PATHS`] where they exist.
    pub library_paths: Option<Vec<String>>,
}

const FIELDS: [&str; 5] = ["extVars", "extCode", "tlas", "tlaCode", "libraryPaths"];

impl<'de> serde::Deserialize<'de> for JsonnetConfig {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        JsonnetConfig::read(&value).map_err(serde::de::Error::custom)
    }
}

impl JsonnetConfig {
    /// Parses the `jsonnet:` value of the kustomization at `kustomization`.
    ///
    /// # Errors
    ///
    /// Unknown fields, wrong types, and a name given both as a string and
    /// as code; the error names the kustomization and the field.
    pub fn from_value(kustomization: &Path, value: &Value) -> Result<Self> {
        JsonnetConfig::read(value)
            .map_err(|message| Error::field_relative(kustomization, "jsonnet", &message))
    }

    /// Parses the value; errors name the part of it that is wrong ([`crate::error::at`]).
    fn read(value: &Value) -> std::result::Result<Self, String> {
        let map = match value {
            Value::Null => return Ok(JsonnetConfig::default()),
            Value::Object(map) => map,
            other => return Err(format!("expected a mapping, found {}", value_kind(other))),
        };
        let mut config = JsonnetConfig::default();
        for (key, value) in map {
            let strings = || string_map(value).map_err(|message| at(key, message));
            match key.as_str() {
                "extVars" => config.ext_vars = strings()?,
                "extCode" => config.ext_code = strings()?,
                "tlas" => config.tlas = strings()?,
                "tlaCode" => config.tla_code = strings()?,
                "libraryPaths" => {
                    let paths = string_list(value).map_err(|message| at(key, message))?;
                    config.library_paths = Some(paths);
                }
                _ => {
                    return Err(at(
                        key,
                        format!("unknown field; expected one of {}", FIELDS.join(", ")),
                    ))
                }
            }
        }
        config
            .check_conflicts()
            .map_err(|(field, message)| at(field, message))?;
        Ok(config)
    }

    /// A name may be a string or code, not both.
    fn check_conflicts(&self) -> std::result::Result<(), (&'static str, String)> {
        let pairs = [
            ("extCode", "extVars", &self.ext_code, &self.ext_vars),
            ("tlaCode", "tlas", &self.tla_code, &self.tlas),
        ];
        for (field, other, code, strings) in pairs {
            if let Some(name) = code.keys().find(|name| strings.contains_key(*name)) {
                return Err((field, format!("`{name}` is also set in `{other}`")));
            }
        }
        Ok(())
    }
}

fn string_map(value: &Value) -> std::result::Result<BTreeMap<String, String>, String> {
    let Value::Object(map) = value else {
        return Err(format!(
            "expected a mapping of names to strings, found {}",
            value_kind(value)
        ));
    };
    map.iter()
        .map(|(name, value)| match value {
            Value::String(text) => Ok((name.clone(), text.clone())),
            other => Err(format!(
                "`{name}` must be a string, found {} (write code in the `*Code` field)",
                value_kind(other)
            )),
        })
        .collect()
}

fn string_list(value: &Value) -> std::result::Result<Vec<String>, String> {
    let Value::Array(items) = value else {
        return Err(format!(
            "expected a list of paths, found {}",
            value_kind(value)
        ));
    };
    items
        .iter()
        .map(|item| match item {
            Value::String(path) => Ok(path.clone()),
            other => Err(format!("expected a path, found {}", value_kind(other))),
        })
        .collect()
}

/// Command-line overrides (`--ext-str NAME=VALUE`, `--tla-str NAME=VALUE`);
/// they win over the kustomization's values of the same name, string or code.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JsonnetOverrides {
    pub ext_str: Vec<(String, String)>,
    pub tla_str: Vec<(String, String)>,
    /// go-jsonnet's `--max-stack`: how deep calls may nest (`None`: [`DEFAULT_MAX_STACK`]).
    pub max_stack: Option<usize>,
    /// `--jsonnet-max-elements`: the largest array (in elements) or string
    /// (in bytes) `std` functions may make, and the most values the output
    /// may hold (`None`: [`DEFAULT_MAX_ELEMENTS`]).
    pub max_elements: Option<usize>,
    /// `--jsonnet-max-memory`: bytes a program may allocate when it runs in
    /// a worker process ([`use_worker`]; `None`: [`DEFAULT_MAX_MEMORY`]).
    pub max_memory: Option<u64>,
}

/// Default `--jsonnet-max-memory`: 2 GiB.
pub const DEFAULT_MAX_MEMORY: u64 = 2 << 30;

/// The worker executable, once [`use_worker`] named it.
static WORKER: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// Evaluates every jsonnet program from now on in a worker process started
/// as `exe __jsonnet-worker` (the strata CLI passes itself), limited to
/// `--jsonnet-max-memory`: a program that exhausts memory or aborts kills
/// only the worker and is reported as an error. `exe` must call
/// [`worker::main`] for that argument. Without this call (library users by
/// default) programs are evaluated in-process, bounded only by
/// `--jsonnet-max-elements` and `--jsonnet-max-stack`: a program that grows
/// an array by repeated concatenation can still abort the process.
pub fn use_worker(exe: PathBuf) {
    let _ = WORKER.set(exe);
}

/// Parses a size: bytes, or a number with `Ki`, `Mi`, `Gi` (powers of 1024).
///
/// # Errors
///
/// Anything else, and zero.
pub fn parse_size(text: &str) -> std::result::Result<u64, String> {
    let (digits, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => text.split_at(at),
        None => (text, ""),
    };
    let shift = match unit {
        "" => 0,
        "Ki" => 10,
        "Mi" => 20,
        "Gi" => 30,
        _ => {
            return Err(format!(
                "expected a size like 512Mi, 2Gi or bytes, found `{text}`"
            ))
        }
    };
    digits
        .parse::<u64>()
        .ok()
        .filter(|n| *n > 0)
        .and_then(|n| n.checked_mul(1 << shift))
        .ok_or_else(|| format!("expected a size like 512Mi, 2Gi or bytes, found `{text}`"))
}

/// A size as [`parse_size`] reads it, in the largest unit that divides it.
#[must_use]
pub fn format_size(bytes: u64) -> String {
    for (unit, shift) in [("Gi", 30), ("Mi", 20), ("Ki", 10)] {
        if bytes % (1 << shift) == 0 {
            return format!("{}{unit}", bytes >> shift);
        }
    }
    bytes.to_string()
}

/// Default `--jsonnet-max-elements`: far above what real programs make
/// (kube-prometheus outputs well under a million values and a few MB of
/// strings), far below what exhausts a machine (10 million array slots
/// take a few hundred MB). The output may also hold 10 bytes of strings
/// per element (100 MB by default).
pub const DEFAULT_MAX_ELEMENTS: usize = 10_000_000;

/// go-jsonnet's default `--max-stack`.
pub const DEFAULT_MAX_STACK: usize = 500;

impl JsonnetOverrides {
    /// Parses one `NAME=VALUE` argument (the value may contain `=`), for the CLI.
    ///
    /// # Errors
    ///
    /// When there is no `=` or the name is empty.
    pub fn parse_assignment(argument: &str) -> std::result::Result<(String, String), String> {
        match argument.split_once('=') {
            Some((name, value)) if !name.is_empty() => Ok((name.to_string(), value.to_string())),
            _ => Err(format!("expected NAME=VALUE, found `{argument}`")),
        }
    }
}

/// An external variable or top-level argument: a string or jsonnet code.
#[cfg_attr(not(feature = "jsonnet"), allow(dead_code))]
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
enum Arg {
    Str(String),
    Code(String),
}

/// What one evaluation gets: the merged variables and the library directories.
#[cfg_attr(not(feature = "jsonnet"), allow(dead_code))]
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
struct Settings {
    ext_vars: BTreeMap<String, Arg>,
    tlas: BTreeMap<String, Arg>,
    library_paths: Vec<PathBuf>,
    max_stack: usize,
    max_elements: usize,
    #[serde(skip)]
    max_memory: u64,
}

impl Settings {
    fn new(loader: &Loader, config: &JsonnetConfig, overrides: &JsonnetOverrides) -> Result<Self> {
        Ok(Settings {
            ext_vars: merge(&config.ext_vars, &config.ext_code, &overrides.ext_str),
            tlas: merge(&config.tlas, &config.tla_code, &overrides.tla_str),
            library_paths: library_paths(loader, config.library_paths.as_deref())?,
            max_stack: overrides.max_stack.unwrap_or(DEFAULT_MAX_STACK),
            max_elements: overrides.max_elements.unwrap_or(DEFAULT_MAX_ELEMENTS),
            max_memory: overrides.max_memory.unwrap_or(DEFAULT_MAX_MEMORY),
        })
    }
}

fn merge(
    strings: &BTreeMap<String, String>,
    code: &BTreeMap<String, String>,
    overrides: &[(String, String)],
) -> BTreeMap<String, Arg> {
    let strings = strings
        .iter()
        .map(|(k, v)| (k.clone(), Arg::Str(v.clone())));
    let code = code.iter().map(|(k, v)| (k.clone(), Arg::Code(v.clone())));
    let overrides = overrides
        .iter()
        .map(|(k, v)| (k.clone(), Arg::Str(v.clone())));
    // Later entries replace earlier ones, so the command line wins.
    strings.chain(code).chain(overrides).collect()
}

/// The library directories: the configured ones (each must exist), or the
/// defaults that exist.
fn library_paths(loader: &Loader, configured: Option<&[String]>) -> Result<Vec<PathBuf>> {
    let fs = loader.fs();
    let Some(configured) = configured else {
        return Ok(DEFAULT_LIBRARY_PATHS
            .iter()
            .map(|dir| loader.resolve(dir))
            .filter(|dir| fs.is_dir(dir))
            .collect());
    };
    configured
        .iter()
        .map(|dir| {
            let path = loader.resolve(dir);
            if fs.is_dir(&path) {
                Ok(path)
            } else {
                Err(Error::field(
                    loader.root(),
                    "jsonnet.libraryPaths",
                    format!("`{dir}` is not a directory ({})", path.display()),
                ))
            }
        })
        .collect()
}

/// Evaluates the jsonnet program `file` (relative to the loader's root) and
/// returns the resources in its value, in the order the walk finds them.
///
/// # Errors
///
/// When the file is missing or outside the root, a library path does not
/// exist, evaluation fails (as go-jsonnet reports it: `RUNTIME ERROR:` and
/// the stack, places relative to the kustomization root), the program asks
/// for more than `--jsonnet-max-elements` allows, or part of the value is not a resource (named by its path,
/// e.g. `.frontend.replicas`).
pub fn evaluate(
    loader: &Loader,
    file: &str,
    config: &JsonnetConfig,
    overrides: &JsonnetOverrides,
) -> Result<Vec<Resource>> {
    let path = loader.resolve(file);
    if !loader.fs().is_file(&path) {
        return Err(Error::file(&path, "no such file"));
    }
    loader.check_allowed(&path)?;
    let settings = Settings::new(loader, config, overrides)?;
    let value = run(loader, &path, &settings)?;
    extract::resources(value, &path)
}

#[cfg(feature = "jsonnet")]
fn run(loader: &Loader, path: &Path, settings: &Settings) -> Result<Value> {
    #[cfg(unix)]
    if let Some(exe) = WORKER.get() {
        return worker::evaluate(exe, loader, path, settings, settings.max_memory);
    }
    engine::evaluate(loader, path, settings)
}

#[cfg(not(feature = "jsonnet"))]
fn run(_loader: &Loader, path: &Path, _settings: &Settings) -> Result<Value> {
    Err(Error::file(
        path,
        "strata was built without jsonnet support (cargo feature `jsonnet`)",
    ))
}

// The tests evaluate programs, so they need the engine.
#[cfg(all(test, feature = "jsonnet"))]
mod tests;
