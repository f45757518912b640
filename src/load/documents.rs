//! A `resources:` entry that is a file, turned into resources: a YAML
//! manifest (every document, `List`s expanded) or a jsonnet program.

use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::load::jsonnet::JsonnetOverrides;
use crate::load::kustomization::Kustomization;
use crate::load::loader::Loader;
use crate::resource::{value_kind, Origin, Resource};

/// The resources of the file `entry` of kustomization `k`: a `.jsonnet`
/// program is evaluated with the kustomization's `jsonnet:` settings and
/// the command line's `overrides`.
pub fn read_resources(
    loader: &Loader<'_>,
    entry: &str,
    k: &Kustomization,
    overrides: &JsonnetOverrides,
) -> Result<Vec<Resource>> {
    let path = loader.resolve(entry);
    if path.extension().is_some_and(|e| e == "jsonnet") {
        loader.check_allowed(&path)?;
        let config = k.jsonnet.clone().unwrap_or_default();
        return crate::load::jsonnet::evaluate(loader, entry, &config, overrides);
    }
    let (path, text) = loader.read_to_string(entry)?;
    resources_from_text(&text, &path)
}

/// The resources in a manifest file: every document, `List`s expanded.
pub fn resources_from_text(text: &str, path: &Path) -> Result<Vec<Resource>> {
    let documents = crate::yaml::parse_stream_with_empty_nulls(text, path)?;
    let source = path.display().to_string();
    // An item's empty nulls are the list's, below `/items/<index>`.
    let documents = crate::kyaml::expand_lists_tagged(documents, &source, |paths, index| {
        let prefix = format!("/items/{index}");
        paths
            .iter()
            .filter_map(|p| p.strip_prefix(prefix.as_str()))
            .filter(|p| p.starts_with('/'))
            .map(str::to_string)
            .collect()
    })?;
    documents
        .into_iter()
        .map(|(document, empty_nulls)| {
            if !document.is_object() {
                return Err(Error::file(
                    path,
                    format!(
                        "expected a mapping for a resource, found {}",
                        value_kind(&document)
                    ),
                ));
            }
            let mut resource = Resource::new(document, Origin::File(path.to_path_buf()))
                .map_err(|e| Error::file(path, e.to_string()))?;
            if !has_name(resource.object()) {
                return Err(Error::file(path, missing_name(&resource)));
            }
            resource.empty_nulls = empty_nulls;
            Ok(resource)
        })
        .collect()
}

/// kustomize refuses a resource without a usable `metadata.name`: absent,
/// null, empty, or a map or list. A number or boolean is read as its text.
pub fn has_name(object: &Value) -> bool {
    match object.get("metadata").and_then(|m| m.get("name")) {
        Some(Value::String(name)) => !name.is_empty(),
        Some(Value::Number(_) | Value::Bool(_)) => true,
        _ => false,
    }
}

/// The error for a resource without a name: its kind, never its content.
pub fn missing_name(resource: &Resource) -> String {
    format!(
        "missing metadata.name in a {} resource: every resource needs a non-empty string name",
        resource.gvk()
    )
}
