//! Which resources a replacement reads and writes: kustomize's
//! `ResId.IsSelectedBy` over current and previous ids, plus label and
//! annotation selectors in the Kubernetes syntax, all through
//! [`crate::resource::selector`] with its [`IdRules::Exact`] rules.

use super::{IdSelector, Selector, SourceSelector};
use crate::error::{Error, Result};
use crate::id::Gvk;
use crate::load::kustomization::Selector as TargetSelector;
use crate::resource::selector::{CompiledSelector, IdRules, LabelSelector};
use crate::resource::Resource;

/// The one resource the source selects; none or several is an error.
pub(super) fn select_source<'a>(
    resources: &'a [Resource],
    source: &SourceSelector,
) -> Result<&'a Resource> {
    let id = id_selector(&source.id)?;
    let mut matches = resources.iter().filter(|r| id.matches_id(r));
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
    for reject in rejects.iter().filter(|r| r.id != IdSelector::default()) {
        if id_selector(&reject.id)?.matches_id(resource) {
            return Ok(false);
        }
    }
    Ok(id_selector(&select.id)?.matches_id(resource))
}

/// Annotations first: like kustomize, a label selector is only read when
/// the annotation selector matched.
fn matches_meta_selectors(resource: &Resource, selector: &Selector) -> Result<bool> {
    Ok(
        label_selector_matches(&selector.annotation_selector, resource.annotations())?
            && label_selector_matches(&selector.label_selector, resource.labels())?,
    )
}

/// The id part of a replacement selector, compared by kustomize's `ResId.IsSelectedBy`.
fn id_selector(id: &IdSelector) -> Result<CompiledSelector> {
    let set = |s: &str| Some(s.to_string());
    let selector = TargetSelector {
        group: set(&id.group),
        version: set(&id.version),
        kind: set(&id.kind),
        name: set(&id.name),
        namespace: set(&id.namespace),
        ..TargetSelector::default()
    };
    CompiledSelector::with_rules(&selector, IdRules::Exact)
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
        "{}/{}.{}",
        Gvk::new(&id.group, &id.version, &id.kind).kustomize_string(),
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

/// Whether `labels` satisfy a Kubernetes label selector string, read the
/// lenient way replacements always have. An empty selector matches everything.
fn label_selector_matches(
    selector: &str,
    labels: Option<&serde_json::Map<String, serde_json::Value>>,
) -> Result<bool> {
    let parsed = LabelSelector::parse_lenient(selector).map_err(|_| bad_selector(selector))?;
    Ok(parsed.matches(labels))
}

fn bad_selector(selector: &str) -> Error {
    Error::msg(format!(
        "unable to parse requirement: invalid selector `{selector}`"
    ))
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
