//! Labels and annotations: `set label|annotation`, `add label|annotation`,
//! `remove label|annotation`.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;
use yaml_edit::Mapping;

use super::doc::{self, Doc};
use super::AddMetadata;
use crate::error::{Error, Result};

/// kustomize's annotation key check (a DNS-subdomain prefix, then a name).
static ANNOTATION_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^([a-zA-Z](([-a-zA-Z0-9.]{0,251})[a-zA-Z0-9])?/)?[a-zA-Z0-9]([-a-zA-Z0-9_.]{0,61}[a-zA-Z0-9])?$",
    )
    .expect("valid pattern")
});

/// `k:v` arguments (kustomize's `ConvertSliceToMap`): the value may be
/// double-quoted; `k` alone has an empty value; a later key wins.
pub fn parse_pairs(args: &[String], kind: &str) -> Result<Vec<(String, String)>> {
    if args.is_empty() {
        return Err(Error::msg(format!("must specify {kind}")));
    }
    to_pairs(args.iter().map(String::as_str), kind)
}

pub fn to_pairs<'a>(
    inputs: impl Iterator<Item = &'a str>,
    kind: &str,
) -> Result<Vec<(String, String)>> {
    let mut out: Vec<(String, String)> = Vec::new();
    for input in inputs {
        let (key, value) = match input.find(':') {
            Some(0) => {
                return Err(Error::msg(format!(
                    "invalid {kind}: '{input}' (need k:v pair where v may be quoted)"
                )))
            }
            None => (input.to_string(), String::new()),
            Some(c) => (
                input[..c].to_string(),
                trim_quotes(&input[c + 1..]).to_string(),
            ),
        };
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => out.push((key, value)),
        }
    }
    Ok(out)
}

fn trim_quotes(s: &str) -> &str {
    if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') {
        &s[1..s.len() - 1]
    } else {
        s
    }
}

pub fn check_annotation_keys(pairs: &[(String, String)]) -> Result<()> {
    if pairs.iter().any(|(k, _)| !ANNOTATION_KEY.is_match(k)) {
        return Err(Error::msg(
            "invalid annotation key: see the syntax and character set rules at https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations/",
        ));
    }
    Ok(())
}

/// `set label|annotation`: adds or overwrites keys.
pub fn set_map(doc: &Doc, field: &str, pairs: &[(String, String)]) -> Result<()> {
    let current = current_map(doc, field)?;
    let Some(map) = doc.live_map(field) else {
        // A new map is written sorted, as kustomize writes maps.
        let mut sorted: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        sorted.sort();
        doc.set(field, doc::string_map(sorted));
        return Ok(());
    };
    for (k, v) in pairs {
        if current.get(k).and_then(Value::as_str) != Some(v.as_str()) {
            doc::put_sorted(&map, k, v);
        }
    }
    Ok(())
}

fn current_map(doc: &Doc, field: &str) -> Result<serde_json::Map<String, Value>> {
    Ok(match doc.field(field)? {
        Some(Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    })
}

pub fn parse_add(args: &AddMetadata, kind: &str) -> Result<Vec<(String, String)>> {
    if args.args.is_empty() {
        return Err(Error::msg(format!("must specify {kind}")));
    }
    if !args.without_selector && args.include_templates {
        return Err(Error::msg(
            "--without-selector flag must be specified for --include-templates to work",
        ));
    }
    parse_pairs(&args.args, kind)
}

/// `add annotation` (and `add label` into `commonLabels`): an existing key
/// is an error unless `force`.
pub fn add_map(
    doc: &Doc,
    field: &str,
    kind: &str,
    pairs: &[(String, String)],
    force: bool,
) -> Result<()> {
    let current = current_map(doc, field)?;
    if !force {
        if let Some((k, _)) = pairs.iter().find(|(k, _)| current.contains_key(k)) {
            return Err(Error::msg(format!(
                "{kind} {k} already in kustomization file"
            )));
        }
    }
    set_map(doc, field, pairs)
}

/// `add label`: into `commonLabels`, or with `--without-selector` a new
/// `labels` entry (`includeSelectors: false`, `includeTemplates` as asked).
pub fn add_labels(doc: &Doc, args: &AddMetadata, pairs: &[(String, String)]) -> Result<()> {
    if !args.without_selector {
        return add_map(doc, "commonLabels", "label", pairs, args.force);
    }
    let mut sorted: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    sorted.sort();
    let entry = Mapping::new();
    if args.include_templates {
        entry.set("includeTemplates", true);
    }
    entry.set("pairs", doc::string_map(sorted));
    doc.append("labels", entry);
    Ok(())
}

/// `remove label|annotation k1,k2`. kustomize names both kinds "label" in
/// its argument errors.
pub fn parse_remove(args: &[String]) -> Result<Vec<String>> {
    match args {
        [] => Err(Error::msg("must specify label")),
        [one] => one
            .split(',')
            .map(|k| {
                if k.is_empty() {
                    Err(Error::msg("invalid label: '' (name is empty)"))
                } else {
                    Ok(k.to_string())
                }
            })
            .collect(),
        _ => Err(Error::msg("labels must be comma-separated, with no spaces")),
    }
}

pub fn remove_keys(
    doc: &Doc,
    field: &str,
    kind: &str,
    keys: &[String],
    ignore_missing: bool,
) -> Result<()> {
    let current = match doc.field(field)? {
        Some(Value::Object(map)) => map,
        Some(Value::Null) | None if !ignore_missing => {
            return Err(Error::msg(format!(
                "{field} is not defined in kustomization file"
            )))
        }
        _ => serde_json::Map::new(),
    };
    for k in keys {
        if !current.contains_key(k) && !ignore_missing {
            return Err(Error::msg(format!(
                "{kind} {k} is not defined in kustomization file"
            )));
        }
    }
    if let Some(map) = doc.map(field) {
        for k in keys {
            if current.contains_key(k) {
                map.remove(k.as_str());
            }
        }
    }
    doc.drop_if_empty(field);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_as_kustomize_reads_them() {
        let args: Vec<String> = ["a:1", "b", "c:\"q\"", "d:x:y", "a:2"]
            .map(String::from)
            .to_vec();
        let pairs = parse_pairs(&args, "label").unwrap();
        let expected = [("a", "2"), ("b", ""), ("c", "q"), ("d", "x:y")];
        assert_eq!(
            pairs,
            expected
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .to_vec()
        );
        let err = parse_pairs(&[":v".to_string()], "label")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "invalid label: ':v' (need k:v pair where v may be quoted)"
        );
    }

    #[test]
    fn annotation_keys() {
        let ok = [("example.com/a".to_string(), String::new())];
        assert!(check_annotation_keys(&ok).is_ok());
        let bad = [("-bad".to_string(), String::new())];
        assert!(check_annotation_keys(&bad).is_err());
    }
}
