//! The plugin configs a `transformers:` or `generators:` list names.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::exec::{self, PluginOptions};
use super::{BuiltinPlugin, PluginConfig};
use crate::error::{Error, Result};
use crate::load::loader::Loader;
use crate::resource::{Configured, Origin, ResourceMap};

/// A plugin config document before parsing, with the file it came from
/// (the kustomization itself for inline configs).
#[derive(Clone, Debug)]
pub struct RawConfig {
    pub object: Value,
    pub file: PathBuf,
}

/// The plugin configs a `transformers:` or `generators:` list names:
/// as kustomize orders them, every inline entry first (they come from
/// `kustomization_file`), then the path entries, each in list order. A
/// file entry is read through `loader` (load restrictor applies); a
/// directory entry is a kustomization, built by `accumulate` (the build's
/// own recursion), and its resources are the configs.
pub fn load_configs(
    entries: &[String],
    loader: &Loader<'_>,
    kustomization_file: &Path,
    accumulate: &mut dyn FnMut(&Path) -> Result<ResourceMap>,
) -> Result<Vec<PluginConfig>> {
    let disabled = PluginOptions::default();
    load_configs_with(entries, loader, kustomization_file, &disabled, accumulate)
}

/// [`load_configs`], with external plugins configured as `plugins` allows.
pub fn load_configs_with(
    entries: &[String],
    loader: &Loader<'_>,
    kustomization_file: &Path,
    plugins: &PluginOptions,
    accumulate: &mut dyn FnMut(&Path) -> Result<ResourceMap>,
) -> Result<Vec<PluginConfig>> {
    let mut raw = Vec::new();
    let mut paths = Vec::new();
    for entry in entries {
        match inline_documents(entry) {
            Some(documents) => raw.extend(documents.into_iter().map(|object| RawConfig {
                object,
                file: kustomization_file.to_path_buf(),
            })),
            None => paths.push(entry),
        }
    }
    for entry in paths {
        let path = loader.resolve(entry);
        if loader.fs().is_dir(&path) {
            for resource in accumulate(&path)?.into_vec() {
                let file = match &resource.origin {
                    Origin::File(file) => file.clone(),
                    _ => path.clone(),
                };
                raw.push(RawConfig {
                    object: resource.into_object(),
                    file,
                });
            }
            continue;
        }
        if !loader.fs().is_file(&path) {
            return Err(Error::file(
                &path,
                format!("plugin config '{entry}': no such file or directory"),
            ));
        }
        let (path, text) = loader.read_to_string(entry)?;
        let documents = crate::yaml::parse_stream(&text, &path)?;
        let source = path.display().to_string();
        for object in crate::kyaml::expand_lists(documents, &source)? {
            raw.push(RawConfig {
                object,
                file: path.clone(),
            });
        }
    }
    raw.into_iter()
        .map(|r| parse_config(&r, loader, plugins))
        .collect()
}

/// Parses and configures one raw config and records its identity.
pub fn parse_config(
    raw: &RawConfig,
    loader: &Loader<'_>,
    plugins: &PluginOptions,
) -> Result<PluginConfig> {
    let plugin = if exec::is_builtin(&raw.object) {
        super::parse::parse(&raw.object, &raw.file, loader)?
    } else {
        let external = exec::configure(&raw.object, &raw.file, loader, plugins)?;
        BuiltinPlugin::External(Box::new(external))
    };
    let meta = |key: &str| {
        raw.object
            .get("metadata")
            .and_then(|m| m.get(key))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let configured = Configured {
        file: raw.file.clone(),
        api_version: raw
            .object
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        kind: raw
            .object
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        name: meta("name"),
        namespace: meta("namespace"),
    };
    Ok(PluginConfig {
        plugin,
        configured,
        field: false,
    })
}

/// An entry that parses as YAML mappings is an inline config (kustomize
/// tries to read every entry as resources first); anything else is a path.
fn inline_documents(entry: &str) -> Option<Vec<Value>> {
    let documents = crate::yaml::parse_stream(entry, Path::new("<inline>")).ok()?;
    if documents.is_empty() || !documents.iter().all(Value::is_object) {
        return None;
    }
    crate::kyaml::expand_lists(documents, "<inline>").ok()
}
