//! `strata edit` and `strata create`: kustomize's `edit` and `create`
//! commands (v5.5.0 arguments, flags, semantics and messages), editing the
//! kustomization file's text instead of rewriting it.
//!
//! kustomize re-marshals the whole file on every edit (keys of maps sorted,
//! comments inside fields lost, `images` and `replicas` re-sorted). strata
//! changes only the nodes an edit touches, so comments, blank lines, quoting
//! and key order elsewhere stay byte for byte. Where an edit adds something:
//!
//! - a new top-level field goes at the end of the file, where kustomize
//!   appends fields the file did not have;
//! - a new entry of `images`, `replicas` or a map (`commonLabels`, ...) goes
//!   where it sorts if the existing entries are sorted (kustomize sorts
//!   them), else at the end; an updated entry keeps its place;
//! - new values are quoted as kustomize's writer quotes them, and a new
//!   entry's keys come in kustomize's (sorted) order.
//!
//! A field emptied by a removal is dropped, as kustomize omits empty fields.
//! Plain edits do not also apply `edit fix`'s conversions (kustomize folds
//! `bases` into `resources` and fills `apiVersion`/`kind` on every write);
//! `strata edit fix` does. The result is checked with the kustomization
//! reader before the file is replaced atomically; on any error nothing is
//! written.

pub mod create;
mod doc;
pub mod file;
mod fix;
mod generator;
mod glob;
pub mod image;
mod lists;
mod metadata;

use std::path::{Path, PathBuf};

pub use doc::Doc;
pub use generator::GeneratorFlags;

use crate::error::{Error, Result};
use crate::load::kustomization::Kustomization;

/// One `strata edit ...` command, with its arguments as given.
#[derive(Clone, Debug)]
pub enum Edit {
    SetImage(Vec<String>),
    SetNamespace(Vec<String>),
    SetNamePrefix(Vec<String>),
    SetNameSuffix(Vec<String>),
    SetReplicas(Vec<String>),
    SetLabel(Vec<String>),
    SetAnnotation(Vec<String>),
    SetBuildMetadata(Vec<String>),
    SetConfigMap(GeneratorFlags),
    SetSecret(GeneratorFlags),
    AddResource {
        paths: Vec<String>,
        no_verify: bool,
    },
    AddComponent(Vec<String>),
    AddBase(Vec<String>),
    AddGenerator(Vec<String>),
    AddTransformer(Vec<String>),
    AddBuildMetadata(Vec<String>),
    AddPatch(PatchArgs),
    AddLabel(AddMetadata),
    AddAnnotation(AddMetadata),
    AddConfigMap(GeneratorFlags),
    AddSecret(GeneratorFlags),
    RemoveResource(Vec<String>),
    RemoveComponent(Vec<String>),
    RemoveTransformer(Vec<String>),
    RemovePatch(PatchArgs),
    RemoveLabel {
        args: Vec<String>,
        ignore_missing: bool,
    },
    RemoveAnnotation {
        args: Vec<String>,
        ignore_missing: bool,
    },
    RemoveConfigMap {
        args: Vec<String>,
        namespace: String,
    },
    RemoveSecret {
        args: Vec<String>,
        namespace: String,
    },
    RemoveBuildMetadata(Vec<String>),
    Fix {
        vars: bool,
    },
}

/// `add patch` / `remove patch` flags. Empty strings are unset.
#[derive(Clone, Debug, Default)]
pub struct PatchArgs {
    pub path: String,
    pub patch: String,
    pub group: String,
    pub version: String,
    pub kind: String,
    pub name: String,
    pub namespace: String,
    pub label_selector: String,
    pub annotation_selector: String,
}

/// `add label` / `add annotation` arguments and flags.
#[derive(Clone, Debug, Default)]
pub struct AddMetadata {
    pub args: Vec<String>,
    pub force: bool,
    /// labels only: add a `labels` entry with `includeSelectors: false`.
    pub without_selector: bool,
    /// labels only, with `without_selector`: `includeTemplates: true`.
    pub include_templates: bool,
}

/// What an edit did.
#[derive(Debug)]
pub struct Outcome {
    /// The kustomization file.
    pub path: PathBuf,
    /// Whether its text changed (nothing is written when it did not).
    pub changed: bool,
    /// What kustomize would log: entries already present, patterns without
    /// matches, fields `fix` cannot convert.
    pub notes: Vec<String>,
}

/// The kustomization file of a directory, open for editing.
pub struct Kustfile {
    dir: PathBuf,
    original: String,
    doc: Doc,
    notes: Vec<String>,
}

impl Kustfile {
    /// Finds and reads `dir`'s kustomization file; it must be a valid
    /// kustomization.
    pub fn open(dir: &Path) -> Result<Self> {
        let path = file::locate(dir)?;
        let original = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        Kustomization::parse(&original, &path)?;
        let doc = Doc::parse(&original, &path)?;
        Ok(Kustfile {
            dir: dir.to_path_buf(),
            original,
            doc,
            notes: Vec::new(),
        })
    }

    pub fn path(&self) -> &Path {
        self.doc.path()
    }

    /// The directory holding the file, which relative paths start from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn doc(&self) -> &Doc {
        &self.doc
    }

    /// The file's text with the edits so far.
    pub fn text(&self) -> String {
        let mut text = self.doc.render();
        if text != self.original && !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text
    }

    pub(crate) fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    /// Checks the edited text and replaces the file with it (when changed).
    pub fn save(self) -> Result<Outcome> {
        let text = self.text();
        let path = self.path().to_path_buf();
        let changed = text != self.original;
        if changed {
            Kustomization::parse(&text, &path).map_err(|e| {
                Error::file(
                    &path,
                    format!("the edit would make the file invalid, so nothing was written: {e}"),
                )
            })?;
            file::write_atomic(&path, &text)?;
        }
        Ok(Outcome {
            path,
            changed,
            notes: self.notes,
        })
    }
}

/// Runs one edit on the kustomization file in `dir` and saves it. Arguments
/// are checked before the file is read, as kustomize checks them.
pub fn run(dir: &Path, edit: &Edit) -> Result<Outcome> {
    match edit {
        Edit::SetImage(args) => {
            let images = image::parse_args(args)?;
            with_file(dir, |kf| image::apply(kf.doc(), &images))
        }
        Edit::SetNamespace(args) => {
            let value = exactly_one(args, "must specify exactly one namespace value")?;
            with_file(dir, |kf| {
                set_scalar_field(kf.doc(), "namespace", &value);
                Ok(())
            })
        }
        Edit::SetNamePrefix(args) => {
            let value = exactly_one(args, "must specify exactly one prefix value")?;
            with_file(dir, |kf| {
                set_scalar_field(kf.doc(), "namePrefix", &value);
                Ok(())
            })
        }
        Edit::SetNameSuffix(args) => {
            let value = exactly_one(args, "must specify exactly one suffix value")?;
            with_file(dir, |kf| {
                set_scalar_field(kf.doc(), "nameSuffix", &value);
                Ok(())
            })
        }
        Edit::SetReplicas(args) => {
            let replicas = lists::parse_replicas(args)?;
            with_file(dir, |kf| lists::set_replicas(kf.doc(), &replicas))
        }
        Edit::SetLabel(args) => {
            let pairs = metadata::parse_pairs(args, "label")?;
            with_file(dir, |kf| {
                metadata::set_map(kf.doc(), "commonLabels", &pairs)
            })
        }
        Edit::SetAnnotation(args) => {
            let pairs = metadata::parse_pairs(args, "annotation")?;
            metadata::check_annotation_keys(&pairs)?;
            with_file(dir, |kf| {
                metadata::set_map(kf.doc(), "commonAnnotations", &pairs)
            })
        }
        Edit::SetBuildMetadata(args) => {
            let options = lists::parse_build_metadata(args)?;
            with_file(dir, |kf| lists::set_build_metadata(kf.doc(), &options))
        }
        Edit::SetConfigMap(flags) => generator::set(dir, flags, generator::Kind::ConfigMap),
        Edit::SetSecret(flags) => generator::set(dir, flags, generator::Kind::Secret),
        Edit::AddResource { paths, no_verify } => {
            if paths.is_empty() {
                return Err(Error::msg("must specify a resource file"));
            }
            let found = lists::expand_with_loader(dir, paths, *no_verify)?;
            if found.is_empty() {
                return Ok(untouched(dir));
            }
            with_file(dir, |kf| {
                lists::add_unique(kf, &["resources", "bases"], "resources", "resource", &found)
            })
        }
        Edit::AddComponent(paths) => {
            if paths.is_empty() {
                return Err(Error::msg("must specify a component file"));
            }
            let found = lists::expand_with_loader(dir, paths, false)?;
            if found.is_empty() {
                return Ok(untouched(dir));
            }
            with_file(dir, |kf| {
                lists::add_unique(kf, &["components"], "components", "component", &found)
            })
        }
        Edit::AddBase(args) => {
            let arg = exactly_one(args, "must specify a base directory")?;
            with_file(dir, |kf| lists::add_bases(kf, &arg))
        }
        Edit::AddGenerator(paths) => {
            if paths.is_empty() {
                return Err(Error::msg(
                    "must specify a yaml file which contains a generator plugin resource",
                ));
            }
            add_plugin_files(dir, paths, "generators", "generator")
        }
        Edit::AddTransformer(paths) => {
            if paths.is_empty() {
                return Err(Error::msg(
                    "must specify a yaml file which contains a transformer plugin resource",
                ));
            }
            add_plugin_files(dir, paths, "transformers", "transformer")
        }
        Edit::AddBuildMetadata(args) => {
            let options = lists::parse_build_metadata(args)?;
            with_file(dir, |kf| lists::add_build_metadata(kf.doc(), &options))
        }
        Edit::AddPatch(args) => {
            lists::check_patch_args(args, true)?;
            with_file(dir, |kf| lists::add_patch(kf, args))
        }
        Edit::AddLabel(args) => {
            let pairs = metadata::parse_add(args, "label")?;
            with_file(dir, |kf| metadata::add_labels(kf.doc(), args, &pairs))
        }
        Edit::AddAnnotation(args) => {
            let pairs = metadata::parse_add(args, "annotation")?;
            with_file(dir, |kf| {
                metadata::add_map(
                    kf.doc(),
                    "commonAnnotations",
                    "annotation",
                    &pairs,
                    args.force,
                )
            })
        }
        Edit::AddConfigMap(flags) => generator::add(dir, flags, generator::Kind::ConfigMap),
        Edit::AddSecret(flags) => generator::add(dir, flags, generator::Kind::Secret),
        Edit::RemoveResource(patterns) => {
            if patterns.is_empty() {
                return Err(Error::msg("must specify a resource file"));
            }
            with_file(dir, |kf| {
                lists::remove_matching(kf.doc(), "resources", patterns)
            })
        }
        Edit::RemoveComponent(patterns) => {
            if patterns.is_empty() {
                return Err(Error::msg("must specify a component file"));
            }
            with_file(dir, |kf| {
                lists::remove_matching(kf.doc(), "components", patterns)
            })
        }
        Edit::RemoveTransformer(patterns) => {
            if patterns.is_empty() {
                return Err(Error::msg("must specify a transformer file"));
            }
            with_file(dir, |kf| {
                lists::remove_matching(kf.doc(), "transformers", patterns)
            })
        }
        Edit::RemovePatch(args) => {
            lists::check_patch_args(args, false)?;
            with_file(dir, |kf| lists::remove_patch(kf, args))
        }
        Edit::RemoveLabel {
            args,
            ignore_missing,
        } => {
            let keys = metadata::parse_remove(args)?;
            with_file(dir, |kf| {
                metadata::remove_keys(kf.doc(), "commonLabels", "label", &keys, *ignore_missing)
            })
        }
        Edit::RemoveAnnotation {
            args,
            ignore_missing,
        } => {
            let keys = metadata::parse_remove(args)?;
            with_file(dir, |kf| {
                metadata::remove_keys(
                    kf.doc(),
                    "commonAnnotations",
                    "annotation",
                    &keys,
                    *ignore_missing,
                )
            })
        }
        Edit::RemoveConfigMap { args, namespace } => {
            generator::remove(dir, args, namespace, generator::Kind::ConfigMap)
        }
        Edit::RemoveSecret { args, namespace } => {
            generator::remove(dir, args, namespace, generator::Kind::Secret)
        }
        Edit::RemoveBuildMetadata(args) => {
            let options = lists::parse_build_metadata(args)?;
            with_file(dir, |kf| lists::remove_build_metadata(kf.doc(), &options))
        }
        Edit::Fix { vars } => with_file(dir, |kf| fix::fix(kf, *vars)),
    }
}

/// Opens the file, applies `edit`, saves.
fn with_file(dir: &Path, edit: impl FnOnce(&mut Kustfile) -> Result<()>) -> Result<Outcome> {
    let mut kf = Kustfile::open(dir)?;
    edit(&mut kf)?;
    kf.save()
}

/// For commands kustomize ends early, before reading the file.
fn untouched(dir: &Path) -> Outcome {
    Outcome {
        path: dir.to_path_buf(),
        changed: false,
        notes: Vec::new(),
    }
}

fn exactly_one(args: &[String], message: &str) -> Result<String> {
    match args {
        [one] => Ok(one.clone()),
        _ => Err(Error::msg(message)),
    }
}

/// kustomize drops an empty `namePrefix`/`nameSuffix` (omitempty).
fn set_scalar_field(doc: &Doc, name: &str, value: &str) {
    let current = doc.field(name).ok().flatten();
    if current.as_ref().and_then(|v| v.as_str()) == Some(value) {
        return;
    }
    if value.is_empty() {
        doc.remove(name);
    } else if let Some(key) = doc.key(name) {
        doc::set_string(&doc.root(), &key, value);
    } else {
        doc.set(name, doc::scalar(value));
    }
}

fn add_plugin_files(dir: &Path, patterns: &[String], field: &str, what: &str) -> Result<Outcome> {
    let mut notes = Vec::new();
    let mut found = Vec::new();
    for p in patterns {
        let matched = glob::glob(dir, p)?;
        if matched.is_empty() {
            notes.push(format!("{p} has no match"));
        }
        found.extend(matched);
    }
    if found.is_empty() {
        let mut outcome = untouched(dir);
        outcome.notes = notes;
        return Ok(outcome);
    }
    let mut outcome = with_file(dir, |kf| {
        lists::add_unique_keep_self(kf, field, what, &found)
    })?;
    notes.append(&mut outcome.notes);
    outcome.notes = notes;
    Ok(outcome)
}
