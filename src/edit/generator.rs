//! `add|set|remove configmap|secret`: entries of `configMapGenerator` and
//! `secretGenerator`, checked by generating them as a build would.

use std::path::Path;

use serde_json::Value;
use yaml_edit::{Mapping, Sequence};

use super::doc::{self, Doc};
use super::{file, glob, Kustfile, Outcome};
use crate::error::{Error, Result};
use crate::fs::DiskFs;
use crate::load::kustomization::Kustomization;
use crate::load::loader::{LoadRestrictions, Loader};

/// Flags of `add configmap|secret` and `set configmap|secret`. Empty
/// strings are unset.
#[derive(Clone, Debug, Default)]
pub struct GeneratorFlags {
    /// The positional arguments: exactly one, the name.
    pub args: Vec<String>,
    /// `--from-file [key=]path` (globs; comma-separated values split).
    pub from_file: Vec<String>,
    pub from_literal: Vec<String>,
    pub from_env_file: String,
    pub behavior: String,
    /// Secrets: `--type` (kustomize's default `Opaque`).
    pub secret_type: String,
    pub namespace: String,
    pub disable_name_suffix_hash: bool,
    /// `set` only: move the entry to this namespace.
    pub new_namespace: String,
}

pub use crate::generate::configmap::Kind;

/// How `kustomize edit` words a generator kind in its messages.
fn noun(kind: Kind) -> &'static str {
    match kind {
        Kind::ConfigMap => "configmap",
        Kind::Secret => "secret",
    }
}

fn wrap(prefix: &str) -> impl Fn(Error) -> Error + '_ {
    move |e| Error::msg(format!("{prefix}: {e}"))
}

/// kustomize's `NamespaceEqual`: unset is `default`.
fn namespace_equal(a: &str, b: &str) -> bool {
    let norm = |s: &str| if s.is_empty() { "default" } else { s }.to_string();
    norm(a) == norm(b)
}

/// Expands `--from-file` globs as kustomize does: `key=pattern` must match
/// exactly one file; a pattern without matches is skipped with a note.
fn expand_file_sources(
    dir: &Path,
    sources: &[String],
    notes: &mut Vec<String>,
) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for source in sources {
        let parts: Vec<&str> = source.split('=').collect();
        let (key, pattern) = match parts.as_slice() {
            [key, pattern] => (Some(*key), *pattern),
            _ => (None, parts[0]),
        };
        let matched = glob::glob(dir, pattern)?;
        if matched.is_empty() {
            notes.push(format!("{pattern} has no match"));
        }
        match key {
            Some(key) => {
                if matched.len() != 1 {
                    return Err(Error::msg(format!(
                        "'pattern '{source}' catches files [{}], should catch only one",
                        matched.join(" ")
                    )));
                }
                out.push(format!("{key}={}", matched[0]));
            }
            None => out.extend(matched),
        }
    }
    Ok(out)
}

fn validate_add(flags: &GeneratorFlags, files: &[String]) -> Result<String> {
    let [name] = flags.args.as_slice() else {
        return Err(Error::msg("name must be specified once"));
    };
    if flags.from_env_file.is_empty() && files.is_empty() && flags.from_literal.is_empty() {
        return Err(Error::msg(
            "at least from-env-file, or from-file or from-literal must be set",
        ));
    }
    if !flags.from_env_file.is_empty() && (!files.is_empty() || !flags.from_literal.is_empty()) {
        return Err(Error::msg(
            "from-env-file cannot be combined with from-file or from-literal",
        ));
    }
    if !flags.behavior.is_empty()
        && !["create", "merge", "replace"].contains(&flags.behavior.as_str())
    {
        return Err(Error::msg(
            r#"invalid behavior: must be one of "create", "merge", or "replace""#,
        ));
    }
    Ok(name.clone())
}

/// Opens the file with kustomize's wording for generator commands.
fn open(dir: &Path, load: &str, read: &str) -> Result<Kustfile> {
    file::locate(dir).map_err(wrap(load))?;
    Kustfile::open(dir).map_err(wrap(read))
}

/// The index of the entry with this name and namespace.
fn find(doc: &Doc, kind: Kind, name: &str, namespace: &str) -> Result<Option<usize>> {
    Ok(match doc.field(kind.field())? {
        Some(Value::Array(entries)) => entries.iter().position(|e| {
            let text = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            text("name") == name && namespace_equal(&text("namespace"), namespace)
        }),
        _ => None,
    })
}

pub fn add(dir: &Path, flags: &GeneratorFlags, kind: Kind) -> Result<Outcome> {
    let mut notes = Vec::new();
    let files = expand_file_sources(dir, &flags.from_file, &mut notes)
        .map_err(wrap("failed to expand file source"))?;
    let name = validate_add(flags, &files).map_err(wrap("failed to validate flags"))?;
    let mut kf = open(
        dir,
        "failed to load kustomization file",
        "failed to read kustomization file",
    )?;
    for n in notes {
        kf.note(n);
    }
    let create = format!("failed to create {}", noun(kind));
    let index = find(kf.doc(), kind, &name, &flags.namespace)?;
    let literals = flags.from_literal.clone();
    let envs: Vec<String> = Some(flags.from_env_file.clone())
        .filter(|e| !e.is_empty())
        .into_iter()
        .collect();
    let index = match index {
        Some(index) => {
            let seq = kf.doc().seq(kind.field()).expect("found in the list");
            let entry = doc::item_map(&seq, index)
                .ok_or_else(|| Error::field(kf.path(), kind.field(), "expected mappings"))?;
            push_strings(&entry, "literals", &literals);
            push_strings(&entry, "files", &files);
            push_strings(&entry, "envs", &envs);
            if flags.disable_name_suffix_hash {
                match entry.get_mapping("options") {
                    Some(options) if !options.is_flow_style() || !options.is_empty() => {
                        options.set("disableNameSuffixHash", true)
                    }
                    _ => {
                        let options = Mapping::new();
                        options.set("disableNameSuffixHash", true);
                        doc::insert_sorted(&entry, "options", options);
                    }
                }
            }
            if !flags.behavior.is_empty() {
                if entry.contains_key("behavior") {
                    doc::set_string(&entry, "behavior", &flags.behavior);
                } else {
                    doc::insert_sorted(&entry, "behavior", doc::scalar(&flags.behavior));
                }
            }
            index
        }
        None => {
            // A new entry, keys in kustomize's (sorted) order.
            let entry = Mapping::new();
            if !flags.behavior.is_empty() {
                entry.set("behavior", doc::scalar(&flags.behavior));
            }
            for (key, values) in [("envs", &envs), ("files", &files), ("literals", &literals)] {
                if !values.is_empty() {
                    entry.set(key, string_seq(values));
                }
            }
            entry.set("name", doc::scalar(&name));
            if !flags.namespace.is_empty() {
                entry.set("namespace", doc::scalar(&flags.namespace));
            }
            if flags.disable_name_suffix_hash {
                let options = Mapping::new();
                options.set("disableNameSuffixHash", true);
                entry.set("options", options);
            }
            if kind == Kind::Secret && !flags.secret_type.is_empty() {
                entry.set("type", doc::scalar(&flags.secret_type));
            }
            kf.doc().append(kind.field(), entry);
            kf.doc().seq(kind.field()).map_or(0, |s| s.len() - 1)
        }
    };
    generate(&kf, kind, index).map_err(wrap(&create))?;
    kf.save()
        .map_err(wrap("failed to write kustomization file"))
}

pub fn set(dir: &Path, flags: &GeneratorFlags, kind: Kind) -> Result<Outcome> {
    let validate = || -> Result<String> {
        let [name] = flags.args.as_slice() else {
            return Err(Error::msg("name must be specified once"));
        };
        if flags.from_literal.is_empty() && flags.new_namespace.is_empty() {
            return Err(Error::msg(
                "at least one of [--from-literal, --new-namespace] must be specified",
            ));
        }
        Ok(name.clone())
    };
    let name = validate().map_err(wrap("failed to validate flags"))?;
    let kf = open(
        dir,
        "failed to load kustomization file",
        "failed to read kustomization file",
    )?;
    let create = format!("failed to create {}", noun(kind));
    let index = find(kf.doc(), kind, &name, &flags.namespace)?.ok_or_else(|| {
        Error::msg(format!(
            "{create}: could not set new {} value: unable to find {} with name {name:?}",
            kind.kind(),
            kind.kind()
        ))
    })?;
    let seq = kf.doc().seq(kind.field()).expect("found in the list");
    let entry = doc::item_map(&seq, index)
        .ok_or_else(|| Error::field(kf.path(), kind.field(), "expected mappings"))?;
    if !flags.from_literal.is_empty() {
        update_literals(kf.doc(), kind, index, &entry, &flags.from_literal)
            .map_err(|e| Error::msg(format!("{create}: failed to update literal sources: {e}")))?;
    }
    if !flags.new_namespace.is_empty() {
        if entry.contains_key("namespace") {
            doc::set_string(&entry, "namespace", &flags.new_namespace);
        } else {
            doc::insert_sorted(&entry, "namespace", doc::scalar(&flags.new_namespace));
        }
    }
    generate(&kf, kind, index).map_err(|e| {
        Error::msg(format!(
            "{create}: failed to validate {} structure: {e}",
            kind.kind()
        ))
    })?;
    kf.save()
        .map_err(wrap("failed to write kustomization file"))
}

const LITERAL_FORMAT: &str =
    "failed to update resource: invalid format: literal values must be specified in the key=value format";

fn split_literal(literal: &str) -> Result<(&str, &str)> {
    if literal.matches('=').count() != 1 {
        return Err(Error::msg(LITERAL_FORMAT));
    }
    Ok(literal.split_once('=').expect("counted"))
}

/// `set`: each `key=value` must name a key the entry's literals have; the
/// value is replaced where it stands.
fn update_literals(
    doc: &Doc,
    kind: Kind,
    index: usize,
    entry: &Mapping,
    updates: &[String],
) -> Result<()> {
    let current: Vec<String> = doc
        .field(kind.field())?
        .and_then(|v| v.get(index)?.get("literals").cloned())
        .map(|v| doc::strings(Some(&v)))
        .unwrap_or_default();
    let mut keys = Vec::new();
    for literal in &current {
        keys.push(split_literal(literal)?.0.to_string());
    }
    let mut changes: Vec<(usize, String)> = Vec::new();
    for update in updates {
        let (key, _) = split_literal(update)?;
        let position = keys
            .iter()
            .position(|k| k == key)
            .ok_or_else(|| Error::msg(format!("key '{key}' not found in resource")))?;
        changes.retain(|(i, _)| *i != position);
        changes.push((position, update.clone()));
    }
    let literals = entry
        .get_sequence("literals")
        .ok_or_else(|| Error::msg("literals is not a list"))?;
    for (position, literal) in changes {
        if current[position] != literal {
            literals.set(position, doc::scalar(&literal));
        }
    }
    Ok(())
}

pub fn remove(dir: &Path, args: &[String], namespace: &str, kind: Kind) -> Result<Outcome> {
    let names: Vec<String> = match args {
        [] => {
            return Err(Error::msg(format!(
                "at least one {} name must be specified",
                noun(kind)
            )))
        }
        [one] => one.split(',').map(str::to_string).collect(),
        several => {
            return Err(Error::msg(format!(
                "too many arguments: [{}]; to provide multiple {}s to remove, please separate {} names by commas",
                several.join(" "),
                noun(kind),
                noun(kind)
            )))
        }
    };
    let mut kf = open(
        dir,
        "could not read kustomization file",
        "could not read kustomization file contents",
    )?;
    let entries = match kf.doc().field(kind.field())? {
        Some(Value::Array(entries)) => entries,
        _ => Vec::new(),
    };
    let mut found = Vec::new();
    let mut doomed = Vec::new();
    for (index, e) in entries.iter().enumerate() {
        let text = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let name = text("name");
        if names.contains(&name) && namespace_equal(&text("namespace"), namespace) {
            doomed.push(index);
            found.push(name);
        }
    }
    if doomed.is_empty() {
        return Err(Error::msg(format!(
            "no specified {}(s) were found in the kustomization.yaml file",
            noun(kind)
        )));
    }
    for name in &names {
        if !found.contains(name) {
            kf.note(format!(
                "{} {name} doesn't exist in kustomization file",
                noun(kind)
            ));
        }
    }
    let seq = kf.doc().seq(kind.field()).expect("read as a list");
    for &index in doomed.iter().rev() {
        seq.remove(index);
    }
    kf.doc().drop_if_empty(kind.field());
    kf.save()
        .map_err(wrap("failed to write kustomization file"))
}

fn string_seq(values: &[String]) -> Sequence {
    let seq = Sequence::new();
    for v in values {
        seq.push(doc::scalar(v));
    }
    seq
}

/// Appends strings to a list under `key` of `entry`, making it if needed.
fn push_strings(entry: &Mapping, key: &str, values: &[String]) {
    if values.is_empty() {
        return;
    }
    match entry.get_sequence(key) {
        Some(seq) if !seq.is_flow_style() || !seq.is_empty() => {
            for v in values {
                seq.push(doc::scalar(v));
            }
        }
        _ => doc::insert_sorted(entry, key, string_seq(values)),
    }
}

/// Generates entry `index` as a build would, to report what kustomize
/// reports (missing files, bad literals, duplicate keys).
fn generate(kf: &Kustfile, kind: Kind, index: usize) -> Result<()> {
    let text = kf.text();
    let kustomization = Kustomization::parse(&text, kf.path())?;
    let list = match kind {
        Kind::ConfigMap => &kustomization.config_map_generator,
        Kind::Secret => &kustomization.secret_generator,
    };
    let args = list
        .get(index)
        .ok_or_else(|| Error::msg("the edited entry is missing"))?;
    let root = kf
        .dir()
        .canonicalize()
        .map_err(|e| Error::io(kf.dir(), e))?;
    let fs = DiskFs;
    let loader = Loader::new(&fs, &root, LoadRestrictions::RootOnly);
    let global = kustomization.generator_options.as_ref();
    match kind {
        Kind::ConfigMap => crate::generate::configmap::config_map(args, global, &loader, kf.path()),
        Kind::Secret => crate::generate::configmap::secret(args, global, &loader, kf.path()),
    }
    .map(|_| ())
}
