//! `strata create`: a new kustomization in a directory, as `kustomize
//! create` writes it.

use std::path::Path;

use serde_json::Value;
use yaml_edit::Sequence;

use super::doc::{self, Doc};
use super::{file, lists, metadata};
use crate::error::{Error, Result};
use crate::load::kustomization::FILE_NAMES;

/// `kustomize create` flags. Empty strings are unset.
#[derive(Clone, Debug, Default)]
pub struct CreateArgs {
    /// Comma-separated paths or globs.
    pub resources: String,
    pub namespace: String,
    /// Comma-separated `k:v`.
    pub annotations: String,
    pub labels: String,
    pub name_prefix: String,
    pub name_suffix: String,
    /// Add the directory's resource files.
    pub autodetect: bool,
    /// With `autodetect`: also subdirectories; one holding a kustomization
    /// is added as a directory.
    pub recursive: bool,
}

/// Writes `dir/kustomization.yaml`; returns its text.
pub fn create(dir: &Path, args: &CreateArgs) -> Result<String> {
    let mut resources = Vec::new();
    if !args.resources.is_empty() {
        let patterns: Vec<String> = args.resources.split(',').map(str::to_string).collect();
        resources = lists::expand_with_loader(dir, &patterns, false)?;
    }
    if FILE_NAMES
        .iter()
        .any(|n| std::fs::symlink_metadata(dir.join(n)).is_ok())
    {
        return Err(Error::msg("kustomization file already exists"));
    }
    if args.autodetect {
        for found in detect(dir, Path::new(""), args.recursive)? {
            if !resources.contains(&found) {
                resources.push(found);
            }
        }
    }
    let path = dir.join(FILE_NAMES[0]);
    let doc = Doc::parse("", &path)?;
    doc.set("apiVersion", doc::scalar("kustomize.config.k8s.io/v1beta1"));
    doc.set("kind", doc::scalar("Kustomization"));
    if !resources.is_empty() {
        let seq = Sequence::new();
        for r in &resources {
            seq.push(doc::scalar(r));
        }
        doc.set("resources", seq);
    }
    for (field, value) in [
        ("namePrefix", &args.name_prefix),
        ("nameSuffix", &args.name_suffix),
        ("namespace", &args.namespace),
    ] {
        if !value.is_empty() {
            doc.set(field, doc::scalar(value));
        }
    }
    for (field, text, kind) in [
        ("commonLabels", &args.labels, "label"),
        ("commonAnnotations", &args.annotations, "annotation"),
    ] {
        if text.is_empty() {
            continue;
        }
        let mut pairs = metadata::to_pairs(text.split(','), kind)?;
        pairs.sort();
        doc.set(
            field,
            doc::string_map(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
        );
    }
    let text = doc.render();
    crate::load::kustomization::Kustomization::parse(&text, &path)?;
    file::create_atomic(&path, &text)?;
    Ok(text)
}

/// Files under `dir/rel` that hold Kubernetes resources, and (recursively)
/// directories holding a kustomization, in walk order.
fn detect(dir: &Path, rel: &Path, recursive: bool) -> Result<Vec<String>> {
    let here = dir.join(rel);
    let mut entries: Vec<_> = std::fs::read_dir(&here)
        .map_err(|e| Error::io(&here, e))?
        .filter_map(|e| e.ok())
        .collect();
    entries.sort_by_key(|e| e.file_name());
    let mut out = Vec::new();
    for entry in entries {
        let rel_path = rel.join(entry.file_name());
        let name = rel_path.to_string_lossy().into_owned();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            if !recursive {
                continue;
            }
            let sub = dir.join(&rel_path);
            if FILE_NAMES.iter().any(|n| sub.join(n).exists()) {
                out.push(name);
            } else {
                out.extend(detect(dir, &rel_path, recursive)?);
            }
            continue;
        }
        if is_resource_file(&dir.join(&rel_path)) {
            out.push(name);
        }
    }
    Ok(out)
}

/// Whether a file reads as Kubernetes objects: YAML documents that are all
/// mappings with a `kind`, at least one of them.
fn is_resource_file(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    match crate::yaml::parse_stream(&text, path) {
        Ok(docs) => {
            let docs: Vec<&Value> = docs.iter().filter(|d| !d.is_null()).collect();
            !docs.is_empty()
                && docs.iter().all(|d| {
                    d.get("kind")
                        .and_then(Value::as_str)
                        .is_some_and(|k| !k.is_empty())
                })
        }
        Err(_) => false,
    }
}
