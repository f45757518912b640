//! `edit fix`: deprecated fields to their replacements, in place.
//!
//! As kustomize's `FixKustomization` and `FixKustomizationPreMarshalling`:
//! `apiVersion`/`kind` filled in (strata puts them at the top), `bases` →
//! `resources`, `imageTags` → `images`, generator `env` → `envs`,
//! `patchesJson6902` and `patchesStrategicMerge` → `patches`, `commonLabels`
//! → a `labels` entry with `includeSelectors: true`. A converted field keeps
//! its place (renamed) when its target field is absent, else its items are
//! appended to the target. The file is built before and after; a different
//! result is reported as kustomize reports it.

use std::path::{Path, PathBuf};

use serde_json::Value;
use yaml_edit::{Mapping, Sequence};

use super::doc::{self, Doc};
use super::Kustfile;
use crate::error::{Error, Result};
use crate::fs::{DiskFs, FileSystem};

const FIXED: &str = "
Fixed fields:
  patchesJson6902 -> patches
  patchesStrategicMerge -> patches
  commonLabels -> labels";

const VARS_HINT: &str =
    "To convert vars -> replacements, run the command `kustomize edit fix --vars`
WARNING: Converting vars to replacements will potentially overwrite many resource files 
and the resulting files may not produce the same output when `kustomize build` is run. 
We recommend doing this in a clean git repository where the change is easy to undo.";

pub fn fix(kf: &mut Kustfile, vars: bool) -> Result<()> {
    let has_vars = matches!(kf.doc().field("vars")?, Some(Value::Array(v)) if !v.is_empty());
    if vars && has_vars {
        return Err(Error::file(
            kf.path(),
            "cannot convert `vars` to `replacements` exactly: kustomize's conversion rewrites \
             every `$(VAR)` in the resource files and targets fields vars never substitute; \
             rewrite the vars as replacements by hand (nothing was changed)",
        ));
    }
    let before = build_text(kf.dir(), None);
    let doc = kf.doc();
    type_meta(doc)?;
    fold_list(doc, "bases", "resources")?;
    fold_list(doc, "imageTags", "images")?;
    env_to_envs(doc, "configMapGenerator")?;
    env_to_envs(doc, "secretGenerator")?;
    fold_list(doc, "patchesJson6902", "patches")?;
    strategic_merge(doc, kf.dir())?;
    common_labels(doc)?;
    if doc.key("helmChartInflationGenerator").is_some() {
        kf.note("helmChartInflationGenerator is not converted to helmCharts: convert it by hand");
    }
    kf.note(if vars {
        format!("{FIXED}\n  vars -> replacements")
    } else {
        format!("{FIXED}\n{VARS_HINT}")
    });
    if let Ok(before) = before {
        let text = kf.text();
        match build_text(kf.dir(), Some((kf.path(), &text))) {
            Err(e) => kf.note(format!(
                "Warning: 'Fixed' kustomization now produces the error when running `kustomize build`: {e}"
            )),
            Ok(after) if after != before => kf.note(
                "Warning: 'Fixed' kustomization now produces different output when running `kustomize build`",
            ),
            Ok(_) => {}
        }
    }
    Ok(())
}

/// `apiVersion` and `kind` go first, where kustomize's own files have them.
fn type_meta(doc: &Doc) -> Result<()> {
    let kind = doc
        .field("kind")?
        .and_then(|v| v.as_str().map(str::to_string));
    let kind = kind.filter(|k| !k.is_empty());
    let api = doc
        .field("apiVersion")?
        .and_then(|v| v.as_str().map(str::to_string));
    let root = doc.root();
    if api.as_deref().unwrap_or("").is_empty() {
        let version = if kind.as_deref() == Some("Component") {
            "kustomize.config.k8s.io/v1alpha1"
        } else {
            "kustomize.config.k8s.io/v1beta1"
        };
        match doc.key("apiVersion") {
            Some(key) => root.set(key.as_str(), doc::scalar(version)),
            None => root.insert_at_index(0, "apiVersion", doc::scalar(version)),
        }
    }
    if kind.is_none() {
        let after_api = root
            .entries()
            .position(|e| {
                e.key_node()
                    .and_then(|k| k.as_scalar().map(|s| s.as_string()))
                    .is_some_and(|k| k.eq_ignore_ascii_case("apiVersion"))
            })
            .map_or(0, |i| i + 1);
        match doc.key("kind") {
            Some(key) => root.set(key.as_str(), doc::scalar("Kustomization")),
            None => root.insert_at_index(after_api, "kind", doc::scalar("Kustomization")),
        }
    }
    Ok(())
}

/// Moves the items of `from` to the end of `to`; renames `from` when `to`
/// is absent so its place and comments stay.
fn fold_list(doc: &Doc, from: &str, to: &str) -> Result<()> {
    let Some(from_key) = doc.key(from) else {
        return Ok(());
    };
    let to_empty = match doc.field(to)? {
        None | Some(Value::Null) => true,
        Some(Value::Array(items)) => {
            items.is_empty() && doc.seq(to).is_some_and(|s| s.is_flow_style())
        }
        Some(_) => false,
    };
    if to_empty {
        if doc.key(to).is_some() {
            doc.remove(to);
        }
        doc.root().rename_key(from_key.as_str(), to);
        return Ok(());
    }
    let items = doc
        .seq(from)
        .map(|s| s.values().collect::<Vec<_>>())
        .unwrap_or_default();
    let target = doc
        .seq(to)
        .ok_or_else(|| Error::field(doc.path(), to, "expected a list"))?;
    for item in items {
        target.push(item);
    }
    doc.remove(from);
    Ok(())
}

/// A generator's deprecated `env: file` joins the end of its `envs`.
fn env_to_envs(doc: &Doc, field: &str) -> Result<()> {
    let Some(Value::Array(entries)) = doc.field(field)? else {
        return Ok(());
    };
    let Some(seq) = doc.seq(field) else {
        return Ok(());
    };
    for (index, entry) in entries.iter().enumerate() {
        let Some(env) = entry.get("env").and_then(Value::as_str) else {
            continue;
        };
        let Some(map) = doc::item_map(&seq, index) else {
            continue;
        };
        if env.is_empty() {
            map.remove("env");
            continue;
        }
        match map.get_sequence("envs") {
            Some(envs) if !envs.is_flow_style() || !envs.is_empty() => {
                envs.push(doc::scalar(env));
                map.remove("env");
            }
            _ => {
                map.remove("envs");
                let list = Sequence::new();
                list.push(doc::scalar(env));
                map.set("env", list);
                map.rename_key("env", "envs");
            }
        }
    }
    Ok(())
}

/// Each `patchesStrategicMerge` entry becomes `path:` when it names a
/// readable file, else an inline `patch:`, appended to `patches`.
fn strategic_merge(doc: &Doc, dir: &Path) -> Result<()> {
    let Some(key) = doc.key("patchesStrategicMerge") else {
        return Ok(());
    };
    let entries = doc::strings(doc.field("patchesStrategicMerge")?.as_ref());
    let converted: Vec<Mapping> = entries
        .iter()
        .map(|e| {
            let entry = Mapping::new();
            if dir.join(e).is_file() {
                entry.set("path", doc::scalar(e));
            } else {
                entry.set("patch", doc::scalar(e));
            }
            entry
        })
        .collect();
    let patches_present = matches!(doc.field("patches")?, Some(Value::Array(p)) if !p.is_empty());
    if patches_present {
        let patches = doc
            .seq("patches")
            .ok_or_else(|| Error::field(doc.path(), "patches", "expected a list"))?;
        for entry in converted {
            patches.push(entry);
        }
        doc.remove("patchesStrategicMerge");
    } else {
        doc.remove("patches");
        let list = Sequence::new();
        for entry in converted {
            list.push(entry);
        }
        doc.root().set(key.as_str(), list);
        doc.root().rename_key(key.as_str(), "patches");
    }
    Ok(())
}

/// `commonLabels` becomes a `labels` entry selecting as commonLabels did.
fn common_labels(doc: &Doc) -> Result<()> {
    let Some(key) = doc.key("commonLabels") else {
        return Ok(());
    };
    let pairs = match doc.field("commonLabels")? {
        Some(Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    if pairs.is_empty() {
        doc.remove("commonLabels");
        return Ok(());
    }
    let labels = doc.field("labels")?;
    if let Some(Value::Array(existing)) = &labels {
        for label in existing {
            if let Some(Value::Object(p)) = label.get("pairs") {
                if let Some(k) = pairs.keys().find(|k| p.contains_key(*k)) {
                    return Err(Error::msg(format!(
                        "label name '{k}' exists in both commonLabels and labels"
                    )));
                }
            }
        }
    }
    let entry = Mapping::new();
    entry.set("includeSelectors", true);
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let pairs: Vec<(&str, String)> = pairs.iter().map(|(k, v)| (k.as_str(), text(v))).collect();
    entry.set(
        "pairs",
        doc::string_map(pairs.iter().map(|(k, v)| (*k, v.as_str()))),
    );
    let labels_present = matches!(&labels, Some(Value::Array(l)) if !l.is_empty());
    if labels_present {
        doc.seq("labels")
            .ok_or_else(|| Error::field(doc.path(), "labels", "expected a list"))?
            .push(entry);
        doc.remove("commonLabels");
    } else {
        doc.remove("labels");
        let list = Sequence::new();
        list.push(entry);
        doc.root().set(key.as_str(), list);
        doc.root().rename_key(key.as_str(), "labels");
    }
    Ok(())
}

/// The build output of `dir`, with `replaced` serving one file's new text.
fn build_text(dir: &Path, replaced: Option<(&Path, &str)>) -> Result<String> {
    let root = dir.canonicalize().map_err(|e| Error::io(dir, e))?;
    let fs = Overlay {
        path: replaced.map(|(p, _)| root.join(p.file_name().unwrap_or_default())),
        text: replaced.map(|(_, t)| t.to_string()).unwrap_or_default(),
    };
    let built = crate::build(&fs, &root, &crate::BuildOptions::default())?;
    Ok(crate::emit::stream(&built.resources))
}

/// The disk, but one file read from memory.
struct Overlay {
    path: Option<PathBuf>,
    text: String,
}

impl Overlay {
    fn is_target(&self, path: &Path) -> bool {
        self.path.as_deref() == Some(crate::fs::normalize(path).as_path())
    }
}

impl FileSystem for Overlay {
    fn read(&self, path: &Path) -> Result<Vec<u8>> {
        if self.is_target(path) {
            return Ok(self.text.clone().into_bytes());
        }
        DiskFs.read(path)
    }

    fn is_dir(&self, path: &Path) -> bool {
        DiskFs.is_dir(path)
    }

    fn is_file(&self, path: &Path) -> bool {
        DiskFs.is_file(path)
    }

    fn read_dir(&self, path: &Path) -> Result<Vec<PathBuf>> {
        DiskFs.read_dir(path)
    }

    fn canonicalize(&self, path: &Path) -> Result<PathBuf> {
        DiskFs.canonicalize(path)
    }
}
