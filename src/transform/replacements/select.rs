//! Which resources a replacement reads and writes: kustomize's
//! `ResId.IsSelectedBy` over current and previous ids, plus label and
//! annotation selectors in the Kubernetes syntax.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{scalar_text, IdSelector, Selector, SourceSelector};
use crate::error::{Error, Result};
use crate::id::ResId;
use crate::resource::Resource;

/// The one resource the source selects; none or several is an error.
pub(super) fn select_source<'a>(
    resources: &'a [Resource],
    source: &SourceSelector,
) -> Result<&'a Resource> {
    let mut matches = resources
        .iter()
        .filter(|r| r.all_ids().any(|id| id_selected(&id, &source.id)));
    let first = matches
        .next()
        .ok_or_else(|| Error::msg(format!("nothing selected by {}", source_string(source))))?;
    if matches.next().is_some() {
        return Err(Error::msg(format!(
            "multiple matches for selector {}",
            source_string(source)
        )));
    }
    Ok(first)
}

/// Whether a target selector picks `resource`, as kustomize's
/// `applyReplacement` decides it.
pub(super) fn is_target(
    resource: &Resource,
    select: &Selector,
    rejects: &[Selector],
) -> Result<bool> {
    if !matches_meta_selectors(resource, select)? {
        return Ok(false);
    }
    // A reject's label or annotation selector rejects on its own, whatever its id says.
    for reject in rejects {
        if (!reject.label_selector.is_empty() || !reject.annotation_selector.is_empty())
            && matches_meta_selectors(resource, reject)?
        {
            return Ok(false);
        }
    }
    let ids: Vec<ResId> = resource.all_ids().collect();
    let rejected = rejects
        .iter()
        .filter(|r| r.id != IdSelector::default())
        .any(|r| ids.iter().any(|id| id_selected(id, &r.id)));
    Ok(!rejected && ids.iter().any(|id| id_selected(id, &select.id)))
}

fn matches_meta_selectors(resource: &Resource, selector: &Selector) -> Result<bool> {
    Ok(
        label_selector_matches(&selector.annotation_selector, resource.annotations())?
            && label_selector_matches(&selector.label_selector, resource.labels())?,
    )
}

/// kustomize's `ResId.IsSelectedBy`. Ids built for replacements carry no
/// cluster-scope knowledge, so an unset namespace is `default` for all kinds.
fn id_selected(id: &ResId, selector: &IdSelector) -> bool {
    let effective = |ns: &str| if ns.is_empty() { "default" } else { ns }.to_string();
    (selector.name.is_empty() || selector.name == id.name)
        && (selector.namespace.is_empty()
            || effective(&selector.namespace) == effective(&id.namespace))
        && (selector.group.is_empty() || selector.group == id.gvk.group)
        && (selector.version.is_empty() || selector.version == id.gvk.version)
        && (selector.kind.is_empty() || selector.kind == id.gvk.kind)
}

/// kustomize's `ResId.String()`: `Kind.version.group/name.namespace`.
pub(super) fn id_string(id: &IdSelector) -> String {
    let or = |s: &str, none: &str| {
        if s.is_empty() {
            none.to_string()
        } else {
            s.to_string()
        }
    };
    format!(
        "{}.{}.{}/{}.{}",
        or(&id.kind, "[noKind]"),
        or(&id.version, "[noVer]"),
        or(&id.group, "[noGrp]"),
        or(&id.name, "[noName]"),
        or(&id.namespace, "[noNs]")
    )
}

/// kustomize's `SourceSelector.String()`.
fn source_string(source: &SourceSelector) -> String {
    let mut parts = vec![id_string(&source.id)];
    if !source.field_path.is_empty() {
        parts.push(source.field_path.clone());
    }
    if let Some(o) = source
        .options
        .as_ref()
        .filter(|o| !o.delimiter.is_empty() || o.create)
    {
        parts.push(format!("{}({}), create={}", o.delimiter, o.index, o.create));
    }
    parts.join(":")
}

/// Whether `labels` satisfy a Kubernetes label selector string
/// (`a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, `a>1`,
/// `a<1`, comma-joined). Label values are not validated.
/// An empty selector matches everything.
fn label_selector_matches(selector: &str, labels: Option<&Map<String, Value>>) -> Result<bool> {
    let labels: BTreeMap<&str, String> = labels
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.as_str(), scalar_text(v)))
        .collect();
    for requirement in split_requirements(selector) {
        let requirement = requirement.trim();
        if requirement.is_empty() {
            if selector.trim().is_empty() {
                continue;
            }
            return Err(bad_selector(selector));
        }
        if !requirement_matches(requirement, &labels).ok_or_else(|| bad_selector(selector))? {
            return Ok(false);
        }
    }
    Ok(true)
}

fn bad_selector(selector: &str) -> Error {
    Error::msg(format!(
        "unable to parse requirement: invalid selector `{selector}`"
    ))
}

/// Splits on commas outside parentheses.
fn split_requirements(selector: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in selector.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&selector[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&selector[start..]);
    parts
}

/// One requirement; `None` when it cannot be parsed.
fn requirement_matches(requirement: &str, labels: &BTreeMap<&str, String>) -> Option<bool> {
    if let Some(key) = requirement.strip_prefix('!') {
        return Some(!labels.contains_key(key.trim()));
    }
    for (op, negate) in [("!=", true), ("==", false), ("=", false)] {
        if let Some((key, value)) = requirement.split_once(op) {
            let equal = labels.get(key.trim()).map(String::as_str) == Some(value.trim());
            return Some(if negate {
                // `!=` also matches when the key is absent.
                !equal
            } else {
                equal
            });
        }
    }
    for (op, greater) in [('>', true), ('<', false)] {
        if let Some((key, bound)) = requirement.split_once(op) {
            let bound: i64 = bound.trim().parse().ok()?;
            let value = labels.get(key.trim()).and_then(|v| v.parse::<i64>().ok());
            return Some(value.is_some_and(|v| if greater { v > bound } else { v < bound }));
        }
    }
    let words: Vec<&str> = requirement.splitn(2, char::is_whitespace).collect();
    if let [key, rest] = words.as_slice() {
        let rest = rest.trim();
        let (negate, list) = if let Some(list) = rest.strip_prefix("notin") {
            (true, list)
        } else if let Some(list) = rest.strip_prefix("in") {
            (false, list)
        } else {
            return None;
        };
        let list = list.trim().strip_prefix('(')?.strip_suffix(')')?;
        let values: Vec<&str> = list.split(',').map(str::trim).collect();
        let found = labels
            .get(key)
            .is_some_and(|v| values.contains(&v.as_str()));
        return Some(if negate { !found } else { found });
    }
    Some(labels.contains_key(requirement))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn label_selectors_use_kubernetes_syntax() {
        // kubectl: on labels {n: "5"} (ConfigMap) and {n: "7"} (ClusterRole).
        let labels = |n: &str| json!({"n": n}).as_object().cloned().unwrap();
        let (five, seven) = (labels("5"), labels("7"));
        let cases = [
            ("n>6", false, true),
            ("n = 5 , x notin ( a, b )", true, false),
            ("", true, true),
        ];
        for (selector, on_five, on_seven) in cases {
            assert_eq!(
                label_selector_matches(selector, Some(&five)).unwrap(),
                on_five,
                "{selector}"
            );
            assert_eq!(
                label_selector_matches(selector, Some(&seven)).unwrap(),
                on_seven,
                "{selector}"
            );
        }
        // kubectl: "unable to parse requirement: found '5' expected: '('" and
        // "found '', expected: identifier after ','".
        for bad in ["n in 5", "n=5,"] {
            assert!(label_selector_matches(bad, Some(&five)).is_err(), "{bad}");
        }
    }
}
