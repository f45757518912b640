//! Loading a kustomization's patches: `patchesStrategicMerge`, `patches`
//! and `patchesJson6902` entries read (files through the [`Loader`], or
//! inline text) and told apart (strategic merge documents or JSON 6902
//! operations), ready for `transform::patch` to apply.

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::engine::json6902::{self, Ops};
use crate::error::{Error, Result};
use crate::load::kustomization::{Patch, Selector};
use crate::load::loader::Loader;

/// Where a patch's text came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PatchSource {
    /// A patch file.
    File(PathBuf),
    /// Text written in the kustomization file `kustomization`: a `patch:`
    /// field, or an inline `patchesStrategicMerge` entry.
    Inline {
        kustomization: PathBuf,
        text: String,
    },
}

impl PatchSource {
    /// The path YAML errors in the patch name: the file, or for inline text
    /// the kustomization marked as inline.
    pub fn error_path(&self) -> PathBuf {
        match self {
            PatchSource::File(path) => path.clone(),
            PatchSource::Inline { kustomization, .. } => {
                PathBuf::from(format!("{} (inline patch)", kustomization.display()))
            }
        }
    }
}

impl fmt::Display for PatchSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PatchSource::File(path) => write!(f, "{}", path.display()),
            PatchSource::Inline { text, .. } => write!(f, "inline patch {text:?}"),
        }
    }
}

/// One strategic-merge patch document and where it came from.
#[derive(Clone, Debug)]
pub struct SmPatch {
    pub object: Value,
    pub source: PatchSource,
}

/// A loaded `patches:` (or `patchesJson6902:`) entry.
#[derive(Clone, Debug)]
pub struct LoadedPatch {
    pub body: PatchBody,
    pub target: Option<Selector>,
    pub allow_name_change: bool,
    pub allow_kind_change: bool,
    pub source: PatchSource,
}

#[derive(Clone, Debug)]
pub enum PatchBody {
    /// One or more strategic-merge documents.
    StrategicMerge(Vec<Value>),
    Json6902(Ops),
}

/// Loads the entries of `patchesStrategicMerge` of `kustomization`. Each
/// entry is a file, or (for legacy reasons, as kustomize) inline YAML text.
pub fn load_strategic_merge(
    loader: &Loader,
    entries: &[String],
    kustomization: &Path,
) -> Result<Vec<SmPatch>> {
    let mut patches = Vec::new();
    for entry in entries {
        let inline = crate::yaml::parse_stream(entry, Path::new("<inline patch>"))
            .ok()
            .filter(|docs| !docs.is_empty() && docs.iter().all(is_resource_like));
        let (docs, source) = match inline {
            Some(docs) => {
                let source = PatchSource::Inline {
                    kustomization: kustomization.to_path_buf(),
                    text: entry.clone(),
                };
                (docs, source)
            }
            None => {
                let (path, text) = loader.read_to_string(entry)?;
                let docs = crate::yaml::parse_stream(&text, &path)?;
                (docs, PatchSource::File(path))
            }
        };
        let label = source.to_string();
        for object in crate::kyaml::expand_lists(docs, &label)? {
            if !is_resource_like(&object) {
                return Err(Error::msg(format!(
                    "{label}: a strategic merge patch must be a mapping with `kind`"
                )));
            }
            patches.push(SmPatch {
                object,
                source: source.clone(),
            });
        }
    }
    if patches.is_empty() && !entries.is_empty() {
        return Err(Error::msg(format!(
            "patchesStrategicMerge: patch appears to be empty; files={entries:?}"
        )));
    }
    Ok(patches)
}

/// Loads one `patches:` entry of `kustomization`: its text from `patch`
/// or the file at `path`, then strategic merge (documents with `kind`) or
/// JSON 6902 (a list).
pub fn load_patch(loader: &Loader, patch: &Patch, kustomization: &Path) -> Result<LoadedPatch> {
    let (text, source) = patch_text(loader, patch, kustomization)?;
    let body = detect_body(&text, &source)?;
    let options = patch.options.clone().unwrap_or_default();
    Ok(LoadedPatch {
        body,
        target: patch.target.clone(),
        allow_name_change: options.allow_name_change,
        allow_kind_change: options.allow_kind_change,
        source,
    })
}

/// Loads one `patchesJson6902:` entry (operations only; a target with a
/// name is required).
pub fn load_json6902(loader: &Loader, patch: &Patch, kustomization: &Path) -> Result<LoadedPatch> {
    let has_name = patch
        .target
        .as_ref()
        .and_then(|t| t.name.as_deref())
        .is_some_and(|n| !n.is_empty());
    if !has_name {
        return Err(Error::msg("patchesJson6902: must specify the target name"));
    }
    let (text, source) = patch_text(loader, patch, kustomization)?;
    let ops = json6902::parse_ops(&text, &source.to_string(), &source.error_path())?;
    if ops.operations.is_empty() {
        return Err(Error::msg(format!("patch appears to be empty: {source}")));
    }
    Ok(LoadedPatch {
        body: PatchBody::Json6902(ops),
        target: patch.target.clone(),
        allow_name_change: false,
        allow_kind_change: false,
        source,
    })
}

fn patch_text(
    loader: &Loader,
    patch: &Patch,
    kustomization: &Path,
) -> Result<(String, PatchSource)> {
    let inline = patch
        .patch
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    let path = patch.path.as_deref().filter(|p| !p.is_empty());
    match (inline, path) {
        (None, None) => Err(Error::msg("a patch must specify one of `patch` and `path`")),
        (Some(_), Some(_)) => Err(Error::msg("a patch may not set both `patch` and `path`")),
        (Some(text), None) => {
            let source = PatchSource::Inline {
                kustomization: kustomization.to_path_buf(),
                text: text.to_string(),
            };
            Ok((text.to_string(), source))
        }
        (None, Some(path)) => {
            let (full, text) = loader.read_to_string(path).map_err(|e| {
                e.context(format!("failed to get the patch file from path `{path}`"))
            })?;
            Ok((text, PatchSource::File(full)))
        }
    }
}

/// kustomize tries both parsers; exactly one must succeed.
fn detect_body(text: &str, source: &PatchSource) -> Result<PatchBody> {
    let (label, path) = (source.to_string(), source.error_path());
    if text.trim_start().starts_with('[') {
        return json6902::parse_ops(text, &label, &path).map(PatchBody::Json6902);
    }
    // kustomize tries the body as resources first, then as JSON 6902 operations.
    match crate::yaml::parse_stream(text, &path) {
        Ok(docs) => detect_parsed(docs, &label),
        Err(error) => match crate::yaml::parse_config(text, &path) {
            Ok(list @ Value::Array(_)) => {
                json6902::ops_from_value(list, &label).map(PatchBody::Json6902)
            }
            _ => Err(error),
        },
    }
}

/// Tells a parsed body apart: documents with `kind` are strategic merge, a
/// list is JSON 6902. `source` names the patch in errors.
pub fn detect_parsed(docs: Vec<Value>, source: &str) -> Result<PatchBody> {
    match docs.first() {
        Some(Value::Array(_)) => {
            let first = docs.into_iter().next().unwrap_or_default();
            json6902::ops_from_value(first, source).map(PatchBody::Json6902)
        }
        Some(_) if docs.iter().all(is_resource_like) => {
            crate::kyaml::expand_lists(docs, source).map(PatchBody::StrategicMerge)
        }
        _ => Err(Error::msg(format!(
            "unable to parse SM or JSON patch from {source}: a strategic merge patch needs `kind`, a JSON patch is a list of operations"
        ))),
    }
}

fn is_resource_like(value: &Value) -> bool {
    value
        .get("kind")
        .and_then(Value::as_str)
        .is_some_and(|k| !k.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const KUSTOMIZATION: &str = "/k/kustomization.yaml";

    #[test]
    fn list_documents_are_inlined_after_the_others() {
        let cm = |name: &str| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}});
        let docs = vec![
            json!({"apiVersion": "v1", "kind": "List", "items": [
                cm("a"),
                {"apiVersion": "v1", "kind": "ConfigMapList", "items": [cm("b")]},
            ]}),
            json!({"apiVersion": "v1", "kind": "List", "items": null}),
            json!({"apiVersion": "v1", "kind": "PodList", "metadata": {"name": "no-items"}}),
            cm("c"),
        ];
        let Ok(PatchBody::StrategicMerge(out)) = detect_parsed(docs, "p") else {
            panic!("not a strategic merge body");
        };
        let names: Vec<&str> = out
            .iter()
            .map(|d| d["metadata"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["no-items", "c", "a", "b"]);
        let bad = vec![json!({"kind": "List", "items": {"a": 1}})];
        let err = detect_parsed(bad, "p").unwrap_err().to_string();
        assert!(err.contains("expected array in List/items"), "{err}");
    }

    #[test]
    fn bodies_are_told_apart() {
        let sm = detect_parsed(vec![json!({"kind": "X", "metadata": {"name": "a"}})], "p");
        assert!(matches!(sm, Ok(PatchBody::StrategicMerge(_))));
        let ops = detect_parsed(vec![json!([{"op": "remove", "path": "/a"}])], "p");
        assert!(matches!(ops, Ok(PatchBody::Json6902(_))));
        let neither = detect_parsed(vec![json!({"metadata": {"name": "a"}})], "p");
        assert!(neither
            .unwrap_err()
            .to_string()
            .contains("unable to parse SM or JSON patch"));
    }

    fn entry(value: Value) -> Patch {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn loads_json_bodies_through_the_loader() {
        let mut fs = crate::fs::MemFs::new();
        fs.add("/k/ops.json", r#"[{"op": "remove", "path": "/spec"}]"#)
            .add("/k/kustomization.yaml", "")
            .add("/outside.json", "[]");
        let root = std::path::PathBuf::from("/k");
        let loader = Loader::new(&fs, &root, crate::load::loader::LoadRestrictions::RootOnly);

        let inline = entry(json!({"patch": "[{\"op\": \"remove\", \"path\": \"/a\"}]",
                                  "target": {"kind": "X"}}));
        assert!(matches!(
            load_patch(&loader, &inline, Path::new(KUSTOMIZATION))
                .unwrap()
                .body,
            PatchBody::Json6902(_)
        ));
        let from_file = entry(json!({"path": "ops.json", "target": {"name": "a"}}));
        assert!(matches!(
            load_json6902(&loader, &from_file, Path::new(KUSTOMIZATION))
                .unwrap()
                .body,
            PatchBody::Json6902(_)
        ));

        let cases = [
            (json!({}), "one of `patch` and `path`"),
            (json!({"patch": "[]", "path": "ops.json"}), "both"),
            (json!({"path": "missing.yaml"}), "missing.yaml"),
            (json!({"path": "../outside.json"}), "is not in or below"),
        ];
        for (value, expected) in cases {
            let err =
                load_patch(&loader, &entry(value.clone()), Path::new(KUSTOMIZATION)).unwrap_err();
            let text = format!("{err:?}");
            assert!(text.contains(expected), "{value}: {text}");
        }
        let unnamed = entry(json!({"path": "ops.json", "target": {"kind": "X"}}));
        let err = load_json6902(&loader, &unnamed, Path::new(KUSTOMIZATION))
            .unwrap_err()
            .to_string();
        assert!(err.contains("must specify the target name"), "{err}");
    }
}
