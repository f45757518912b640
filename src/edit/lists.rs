//! Edits of the list fields: resources, components, bases, generators,
//! transformers, buildMetadata, replicas and patches.

use std::path::Path;

use serde_json::Value;
use yaml_edit::{Mapping, Sequence};

use super::doc::{self, Doc};
use super::glob;
use super::{Kustfile, PatchArgs};
use crate::error::{Error, Result};

/// kustomize's `buildMetadata` options.
const BUILD_METADATA: [&str; 3] = [
    "originAnnotations",
    "transformerAnnotations",
    "managedByLabel",
];

/// Paths for `add resource`/`add component`/`create --resources`: each
/// pattern's matches, or the pattern itself when it names a remote
/// kustomization (or when `no_verify`); anything else is an error.
pub fn expand_with_loader(dir: &Path, patterns: &[String], no_verify: bool) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for p in patterns {
        if no_verify {
            out.push(p.clone());
            continue;
        }
        let matched = glob::glob(dir, p)?;
        if !matched.is_empty() {
            out.extend(matched);
        } else if crate::remote::is_remote(p) {
            // kustomize would fetch it to check it; strata does not go online to edit.
            out.push(p.clone());
        } else {
            return Err(Error::msg(format!(
                "{p} has no match: must build at directory: not a valid directory: '{p}' doesn't exist"
            )));
        }
    }
    Ok(out)
}

/// Appends paths to `field`, skipping the kustomization file itself and
/// entries already in any of `existing_in` (kustomize logs those).
pub fn add_unique(
    kf: &mut Kustfile,
    existing_in: &[&str],
    field: &str,
    what: &str,
    paths: &[String],
) -> Result<()> {
    let self_name = file_name(kf.path());
    let mut present = Vec::new();
    for f in existing_in {
        present.extend(doc::strings(kf.doc().field(f)?.as_ref()));
    }
    for p in paths {
        if Some(p.as_str()) == self_name.as_deref() {
            continue;
        }
        if present.contains(p) {
            kf.note(format!("{what} {p} already in kustomization file"));
            continue;
        }
        kf.doc().append(field, doc::scalar(p));
        present.push(p.clone());
    }
    Ok(())
}

/// As [`add_unique`] for generators and transformers, which kustomize adds
/// even when a pattern matches the kustomization file.
pub fn add_unique_keep_self(
    kf: &mut Kustfile,
    field: &str,
    what: &str,
    paths: &[String],
) -> Result<()> {
    let mut present = doc::strings(kf.doc().field(field)?.as_ref());
    for p in paths {
        if present.contains(p) {
            kf.note(format!("{what} {p} already in kustomization file"));
            continue;
        }
        kf.doc().append(field, doc::scalar(p));
        present.push(p.clone());
    }
    Ok(())
}

fn file_name(path: &Path) -> Option<String> {
    path.file_name().map(|n| n.to_string_lossy().into_owned())
}

/// `add base a,b`: each must exist and not be listed yet; kustomize adds
/// bases to `resources`.
pub fn add_bases(kf: &mut Kustfile, arg: &str) -> Result<()> {
    let mut present = doc::strings(kf.doc().field("resources")?.as_ref());
    present.extend(doc::strings(kf.doc().field("bases")?.as_ref()));
    for path in arg.split(',') {
        if std::fs::symlink_metadata(kf.dir().join(path)).is_err() {
            return Err(Error::msg(format!("{path} does not exist")));
        }
        if present.iter().any(|p| p == path) {
            return Err(Error::msg(format!(
                "base {path} already in kustomization file"
            )));
        }
        kf.doc().append("resources", doc::scalar(path));
        present.push(path.to_string());
    }
    Ok(())
}

/// Removes the entries of `field` matching any pattern (`filepath.Match`).
pub fn remove_matching(doc: &Doc, field: &str, patterns: &[String]) -> Result<()> {
    let entries = doc::strings(doc.field(field)?.as_ref());
    let mut doomed = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        for p in patterns {
            if glob::matches(p, entry)? {
                doomed.push(index);
                break;
            }
        }
    }
    remove_indices(doc, field, &doomed);
    Ok(())
}

/// Removes items of a top-level sequence by index; drops the field once empty.
fn remove_indices(doc: &Doc, field: &str, indices: &[usize]) {
    if indices.is_empty() {
        return;
    }
    if let Some(seq) = doc.seq(field) {
        for &index in indices.iter().rev() {
            seq.remove(index);
        }
    }
    doc.drop_if_empty(field);
}

pub fn parse_build_metadata(args: &[String]) -> Result<Vec<String>> {
    match args {
        [] => Err(Error::msg("must specify a buildMetadata option")),
        [one] => {
            let options: Vec<String> = one.split(',').map(str::to_string).collect();
            for opt in &options {
                if !BUILD_METADATA.contains(&opt.as_str()) {
                    return Err(Error::msg(format!("invalid buildMetadata option: {opt}")));
                }
            }
            Ok(options)
        }
        several => Err(Error::msg(format!(
            "too many arguments: [{}]; to provide multiple buildMetadata options, please separate options by comma",
            several.join(" ")
        ))),
    }
}

pub fn add_build_metadata(doc: &Doc, options: &[String]) -> Result<()> {
    let mut present = doc::strings(doc.field("buildMetadata")?.as_ref());
    for opt in options {
        if present.contains(opt) {
            return Err(Error::msg(format!(
                "buildMetadata option {opt} already in kustomization file"
            )));
        }
        doc.append("buildMetadata", doc::scalar(opt));
        present.push(opt.clone());
    }
    Ok(())
}

/// `set buildmetadata` replaces the list.
pub fn set_build_metadata(doc: &Doc, options: &[String]) -> Result<()> {
    let present = doc::strings(doc.field("buildMetadata")?.as_ref());
    if present == options {
        return Ok(());
    }
    match doc.live_seq("buildMetadata") {
        // Refill the list in place, keeping its style and place.
        Some(seq) => {
            seq.clear();
            for opt in options {
                seq.push(doc::scalar(opt));
            }
        }
        None => {
            let seq = Sequence::new();
            for opt in options {
                seq.push(doc::scalar(opt));
            }
            doc.set("buildMetadata", seq);
        }
    }
    Ok(())
}

pub fn remove_build_metadata(doc: &Doc, options: &[String]) -> Result<()> {
    let present = doc::strings(doc.field("buildMetadata")?.as_ref());
    let doomed: Vec<usize> = present
        .iter()
        .enumerate()
        .filter(|(_, o)| options.contains(o))
        .map(|(i, _)| i)
        .collect();
    remove_indices(doc, "buildMetadata", &doomed);
    Ok(())
}

/// One `name=count` of `set replicas`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplicaArg {
    pub name: String,
    pub count: i64,
}

const REPLICAS_FORMAT: &str = "invalid format of replica, use the following format: <name>=<count>";

pub fn parse_replicas(args: &[String]) -> Result<Vec<ReplicaArg>> {
    if args.is_empty() {
        return Err(Error::msg("no replicas specified"));
    }
    let mut out: Vec<ReplicaArg> = Vec::new();
    for arg in args {
        let parts: Vec<&str> = arg.split('=').collect();
        let [name, count] = parts.as_slice() else {
            return Err(Error::msg(REPLICAS_FORMAT));
        };
        let count = parse_go_int(count).ok_or_else(|| Error::msg(REPLICAS_FORMAT))?;
        let replica = ReplicaArg {
            name: name.to_string(),
            count,
        };
        match out.iter_mut().find(|r| r.name == replica.name) {
            Some(slot) => *slot = replica,
            None => out.push(replica),
        }
    }
    Ok(out)
}

/// Go's `strconv.ParseInt(s, 10, 64)`: optional sign, decimal digits.
fn parse_go_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Updates counts in place; new names go where they sort if the list is
/// sorted (kustomize sorts it), else at the end.
pub fn set_replicas(doc: &Doc, replicas: &[ReplicaArg]) -> Result<()> {
    for replica in replicas {
        let names: Vec<String> = match doc.field("replicas")? {
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| {
                    i.get("name")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string()
                })
                .collect(),
            _ => Vec::new(),
        };
        if let Some(index) = names.iter().position(|n| *n == replica.name) {
            let seq = doc.seq("replicas").expect("read as a list");
            let entry = doc::item_map(&seq, index)
                .ok_or_else(|| Error::field(doc.path(), "replicas", "expected mappings"))?;
            let same = doc
                .field("replicas")?
                .and_then(|v| v.get(index)?.get("count")?.as_i64())
                == Some(replica.count);
            if !same {
                entry.set("count", replica.count);
            }
            continue;
        }
        let entry = Mapping::new();
        entry.set("count", replica.count);
        entry.set("name", doc::scalar(&replica.name));
        doc.insert_item(
            "replicas",
            doc::sorted_position(&names, &replica.name),
            entry,
        );
    }
    Ok(())
}

pub fn check_patch_args(args: &PatchArgs, adding: bool) -> Result<()> {
    if !args.patch.is_empty() && !args.path.is_empty() {
        return Err(Error::msg("patch and path can't be set at the same time"));
    }
    if adding && args.patch.is_empty() && args.path.is_empty() {
        return Err(Error::msg("must provide either patch or path"));
    }
    Ok(())
}

/// The target selector fields in kustomize's (sorted) key order.
fn target_pairs(args: &PatchArgs) -> Vec<(&'static str, &str)> {
    [
        ("annotationSelector", args.annotation_selector.as_str()),
        ("group", args.group.as_str()),
        ("kind", args.kind.as_str()),
        ("labelSelector", args.label_selector.as_str()),
        ("name", args.name.as_str()),
        ("namespace", args.namespace.as_str()),
        ("version", args.version.as_str()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect()
}

/// Whether a `patches` entry equals the flags (kustomize's `Patch.Equals`:
/// same path, patch, target and options).
fn patch_equals(entry: &Value, args: &PatchArgs) -> bool {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("").to_string();
    if text(entry.get("path")) != args.path || text(entry.get("patch")) != args.patch {
        return false;
    }
    let wanted = target_pairs(args);
    let target = entry.get("target").and_then(Value::as_object);
    let have: Vec<(String, String)> = target
        .map(|t| {
            t.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .filter(|(_, v)| !v.is_empty())
                .collect()
        })
        .unwrap_or_default();
    // The flags carry no options: an entry with any `options` differs.
    let options_set = entry.get("options").is_some_and(|o| !o.is_null());
    !options_set
        && have.len() == wanted.len()
        && wanted
            .iter()
            .all(|(k, v)| have.iter().any(|(hk, hv)| hk == k && hv == v))
}

pub fn add_patch(kf: &mut Kustfile, args: &PatchArgs) -> Result<()> {
    if let Some(Value::Array(entries)) = kf.doc().field("patches")? {
        if entries.iter().any(|e| patch_equals(e, args)) {
            kf.note(format!(
                "patch {} already in kustomization file",
                describe(args)
            ));
            return Ok(());
        }
    }
    let entry = Mapping::new();
    if !args.patch.is_empty() {
        entry.set("patch", doc::scalar(&args.patch));
    }
    if !args.path.is_empty() {
        entry.set("path", doc::scalar(&args.path));
    }
    let target = target_pairs(args);
    if !target.is_empty() {
        entry.set("target", doc::string_map(target));
    }
    kf.doc().append("patches", entry);
    Ok(())
}

pub fn remove_patch(kf: &mut Kustfile, args: &PatchArgs) -> Result<()> {
    let doomed: Vec<usize> = match kf.doc().field("patches")? {
        Some(Value::Array(entries)) => entries
            .iter()
            .enumerate()
            .filter(|(_, e)| patch_equals(e, args))
            .map(|(i, _)| i)
            .collect(),
        _ => Vec::new(),
    };
    if doomed.is_empty() {
        kf.note(format!(
            "patch {} doesn't exist in kustomization file",
            describe(args)
        ));
        return Ok(());
    }
    remove_indices(kf.doc(), "patches", &doomed);
    Ok(())
}

fn describe(args: &PatchArgs) -> String {
    if args.path.is_empty() {
        format!("{:?}", args.patch)
    } else {
        args.path.clone()
    }
}
