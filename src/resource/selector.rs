//! Patch and replacement targets: which resources a selector picks.
//!
//! Patch targets ([`IdRules::Target`]) follow kustomize's `resWrangler.Select`:
//! group, version, kind, name and namespace are regular expressions anchored
//! at both ends (`^(?:...)$`); name and namespace match either the resource's
//! original or its current value. Replacements ([`IdRules::Exact`]) follow
//! `ResId.IsSelectedBy` instead. `labelSelector` and `annotationSelector` use
//! the Kubernetes label-selector syntax (`a=b,c!=d,e in (x,y),f notin (z),!g,h`).

use regex::Regex;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::load::kustomization::Selector;
use crate::resource::{Resource, ResourceMap};

/// kustomize's effective namespace of a cluster-scoped id.
const NOT_A_NAMESPACE: &str = "_non_namespaceable_";

/// Whether `selector` picks `resource`. Compile once with
/// [`CompiledSelector::new`] when matching many resources.
pub fn matches(resource: &Resource, selector: &Selector) -> Result<bool> {
    Ok(CompiledSelector::new(selector)?.matches(resource))
}

/// Positions of the resources `selector` picks, in map order.
pub fn select(resources: &ResourceMap, selector: &Selector) -> Result<Vec<usize>> {
    let compiled = CompiledSelector::new(selector)?;
    Ok(resources
        .iter()
        .enumerate()
        .filter(|(_, resource)| compiled.matches(resource))
        .map(|(position, _)| position)
        .collect())
}

/// How a selector compares a resource's ids; kustomize's patch targets and
/// replacements differ here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdRules {
    /// Patch targets (`resWrangler.Select`): anchored regular expressions;
    /// name and namespace each match the original or the current value; a
    /// cluster-scoped kind's namespace is `_non_namespaceable_`.
    Target,
    /// Replacements (`ResId.IsSelectedBy`): exact values; the current id or
    /// one of the previous ids must match as a whole; ids carry no
    /// cluster-scope knowledge, so an unset namespace is `default` for all kinds.
    Exact,
}

/// A selector with its patterns and label selectors parsed.
#[derive(Clone, Debug)]
pub struct CompiledSelector {
    rules: IdRules,
    group: Pattern,
    version: Pattern,
    kind: Pattern,
    name: Pattern,
    namespace: Pattern,
    labels: LabelSelector,
    annotations: LabelSelector,
}

impl CompiledSelector {
    /// A patch target ([`IdRules::Target`]).
    pub fn new(selector: &Selector) -> Result<Self> {
        Self::with_rules(selector, IdRules::Target)
    }

    pub fn with_rules(selector: &Selector, rules: IdRules) -> Result<Self> {
        let pattern = |field: &str, value: &Option<String>| Pattern::new(rules, field, value);
        Ok(CompiledSelector {
            rules,
            group: pattern("group", &selector.group)?,
            version: pattern("version", &selector.version)?,
            kind: pattern("kind", &selector.kind)?,
            name: pattern("name", &selector.name)?,
            namespace: pattern("namespace", &selector.namespace)?,
            labels: LabelSelector::parse(selector.label_selector.as_deref().unwrap_or(""))
                .map_err(|e| e.context("in target `labelSelector`"))?,
            annotations: LabelSelector::parse(
                selector.annotation_selector.as_deref().unwrap_or(""),
            )
            .map_err(|e| e.context("in target `annotationSelector`"))?,
        })
    }

    pub fn matches(&self, resource: &Resource) -> bool {
        self.matches_id(resource)
            && self.labels.matches(resource.labels())
            && self.annotations.matches(resource.annotations())
    }

    /// Whether group, version, kind, name and namespace match, by the selector's rules.
    pub fn matches_id(&self, resource: &Resource) -> bool {
        match self.rules {
            IdRules::Target => {
                let current = resource.id();
                let original = resource.original_id();
                (self.namespace.is_match(target_namespace(&original))
                    || self.namespace.is_match(target_namespace(&current)))
                    && (self.name.is_match(&original.name) || self.name.is_match(&current.name))
                    && self.gvk_matches(&current.gvk)
            }
            IdRules::Exact => resource.all_ids().any(|id| {
                let namespace = if id.namespace.is_empty() {
                    "default"
                } else {
                    &id.namespace
                };
                self.name.is_match(&id.name)
                    && self.namespace.is_match(namespace)
                    && self.gvk_matches(&id.gvk)
            }),
        }
    }

    fn gvk_matches(&self, gvk: &crate::id::Gvk) -> bool {
        self.group.is_match(&gvk.group)
            && self.version.is_match(&gvk.version)
            && self.kind.is_match(&gvk.kind)
    }
}

/// The namespace a patch target sees: `default` when unset, a marker when cluster-scoped.
fn target_namespace(id: &crate::id::ResId) -> &str {
    if id.gvk.is_cluster_scoped() {
        NOT_A_NAMESPACE
    } else {
        id.effective_namespace()
    }
}

/// One id field of a selector; an unset or empty one matches anything.
#[derive(Clone, Debug)]
enum Pattern {
    Any,
    Regex(Regex),
    Exact(String),
}

impl Pattern {
    fn new(rules: IdRules, field: &str, pattern: &Option<String>) -> Result<Self> {
        match (pattern.as_deref(), rules) {
            (None | Some(""), _) => Ok(Pattern::Any),
            (Some(pattern), IdRules::Exact) => Ok(Pattern::Exact(pattern.to_string())),
            (Some(pattern), IdRules::Target) => Regex::new(&format!("^(?:{pattern})$"))
                .map(Pattern::Regex)
                .map_err(|e| {
                    Error::msg(format!(
                        "target `{field}`: invalid regular expression `{pattern}`: {e}"
                    ))
                }),
        }
    }

    fn is_match(&self, value: &str) -> bool {
        match self {
            Pattern::Any => true,
            Pattern::Regex(regex) => regex.is_match(value),
            Pattern::Exact(exact) => exact == value,
        }
    }
}

/// A parsed Kubernetes label selector; empty selects everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelSelector {
    requirements: Vec<Requirement>,
    /// Read by [`LabelSelector::parse_lenient`]: a null label reads as empty.
    lenient: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Requirement {
    Exists(String),
    NotExists(String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    GreaterThan(String, i64),
    LessThan(String, i64),
}

impl LabelSelector {
    /// Parses `a=b,c!=d,e in (x,y),f notin (z),!g,h,i>1,j<2`.
    pub fn parse(text: &str) -> Result<Self> {
        Self::parse_with(text, false)
    }

    /// As [`LabelSelector::parse`], the way replacements have always read
    /// selectors: keys and values are not validated, unbalanced parentheses
    /// are tolerated, and a null label value reads as empty.
    pub fn parse_lenient(text: &str) -> Result<Self> {
        Self::parse_with(text, true)
    }

    fn parse_with(text: &str, lenient: bool) -> Result<Self> {
        let mut requirements = Vec::new();
        for part in split_top_level(text, lenient)? {
            let part = part.trim();
            if part.is_empty() {
                if text.trim().is_empty() {
                    continue;
                }
                return Err(Error::msg(format!(
                    "invalid label selector `{text}`: empty requirement"
                )));
            }
            requirements.push(parse_requirement(part, lenient).map_err(|message| {
                Error::msg(format!("invalid label selector `{text}`: {message}"))
            })?);
        }
        Ok(LabelSelector {
            requirements,
            lenient,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// Whether a label (or annotation) map satisfies every requirement.
    pub fn matches(&self, labels: Option<&Map<String, Value>>) -> bool {
        let get = |key: &str| {
            labels
                .and_then(|m| m.get(key))
                .map(|value| label_text(value, self.lenient))
        };
        self.requirements
            .iter()
            .all(|requirement| match requirement {
                Requirement::Exists(key) => get(key).is_some(),
                Requirement::NotExists(key) => get(key).is_none(),
                Requirement::In(key, values) => get(key).is_some_and(|v| values.contains(&v)),
                Requirement::NotIn(key, values) => get(key).is_none_or(|v| !values.contains(&v)),
                Requirement::GreaterThan(key, n) => get(key)
                    .and_then(|v| v.parse::<i64>().ok())
                    .is_some_and(|v| v > *n),
                Requirement::LessThan(key, n) => get(key)
                    .and_then(|v| v.parse::<i64>().ok())
                    .is_some_and(|v| v < *n),
            })
    }
}

fn label_text(value: &Value, lenient: bool) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null if lenient => String::new(),
        other => other.to_string(),
    }
}

/// Splits on commas outside parentheses; `lenient` lets parentheses go unbalanced.
fn split_top_level(text: &str, lenient: bool) -> Result<Vec<&str>> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if lenient => depth = depth.saturating_sub(1),
            ')' => {
                depth = depth.checked_sub(1).ok_or_else(|| {
                    Error::msg(format!("invalid label selector `{text}`: unbalanced `)`"))
                })?
            }
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if depth != 0 && !lenient {
        return Err(Error::msg(format!(
            "invalid label selector `{text}`: unclosed `(`"
        )));
    }
    parts.push(&text[start..]);
    Ok(parts)
}

fn parse_requirement(part: &str, lenient: bool) -> std::result::Result<Requirement, String> {
    // Replacements have never validated keys and values.
    let check_key = |key: &str| {
        if lenient {
            Ok(key.to_string())
        } else {
            check_key(key)
        }
    };
    let check_value = |value: &str| {
        if lenient {
            Ok(value.to_string())
        } else {
            check_value(value)
        }
    };
    if let Some(key) = part.strip_prefix('!') {
        return Ok(Requirement::NotExists(check_key(key.trim())?));
    }
    for (operator, negated) in [("!=", true), ("==", false), ("=", false)] {
        if let Some((key, value)) = part.split_once(operator) {
            let key = check_key(key.trim())?;
            let value = check_value(value.trim())?;
            return Ok(if negated {
                Requirement::NotIn(key, vec![value])
            } else {
                Requirement::In(key, vec![value])
            });
        }
    }
    for (operator, greater) in [(">", true), ("<", false)] {
        if let Some((key, value)) = part.split_once(operator) {
            let key = check_key(key.trim())?;
            let number = value
                .trim()
                .parse::<i64>()
                .map_err(|_| format!("`{}` is not an integer", value.trim()))?;
            return Ok(if greater {
                Requirement::GreaterThan(key, number)
            } else {
                Requirement::LessThan(key, number)
            });
        }
    }
    let mut words = part.splitn(2, char::is_whitespace);
    let key = words.next().unwrap_or("");
    let rest = words.next().unwrap_or("").trim_start();
    if rest.is_empty() {
        return Ok(Requirement::Exists(check_key(key)?));
    }
    let (negated, set) = if let Some(set) = rest.strip_prefix("notin") {
        (true, set)
    } else if let Some(set) = rest.strip_prefix("in") {
        (false, set)
    } else {
        return Err(format!("unexpected `{rest}` after `{key}`"));
    };
    let set = set.trim();
    let inner = set
        .strip_prefix('(')
        .and_then(|s| s.strip_suffix(')'))
        .ok_or_else(|| format!("expected `(values)` after `{key}`"))?;
    let values = inner
        .split(',')
        .map(|v| check_value(v.trim()))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let key = check_key(key)?;
    Ok(if negated {
        Requirement::NotIn(key, values)
    } else {
        Requirement::In(key, values)
    })
}

/// A label key: optional DNS prefix, `/`, then a name of up to 63 characters.
fn check_key(key: &str) -> std::result::Result<String, String> {
    let name = key.rsplit_once('/').map_or(key, |(_, name)| name);
    let valid = !name.is_empty()
        && name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if valid {
        Ok(key.to_string())
    } else {
        Err(format!("invalid label key `{key}`"))
    }
}

fn check_value(value: &str) -> std::result::Result<String, String> {
    let valid = value.is_empty()
        || (value.len() <= 63
            && value.starts_with(|c: char| c.is_ascii_alphanumeric())
            && value.ends_with(|c: char| c.is_ascii_alphanumeric())
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')));
    if valid {
        Ok(value.to_string())
    } else {
        Err(format!("invalid label value `{value}`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::Origin;
    use serde_json::json;

    fn resources() -> ResourceMap {
        let objects = [
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"app": "web", "tier": "front", "n": "5"}}}),
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web-canary", "namespace": "prod", "labels": {"app": "web", "tier": "back"}}}),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "webcfg", "namespace": "default", "annotations": {"team": "a"}}}),
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "prod", "labels": {"env": "prod"}}}),
            json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "job1", "labels": {"n": "12"}}}),
        ];
        objects
            .into_iter()
            .map(|o| Resource::new(o, Origin::Inline).unwrap())
            .collect()
    }

    fn selector(value: serde_json::Value) -> Selector {
        serde_json::from_value(value).unwrap()
    }

    fn picked(value: serde_json::Value) -> Vec<String> {
        let map = resources();
        let mut names: Vec<String> = select(&map, &selector(value))
            .unwrap()
            .into_iter()
            .map(|i| map.as_slice()[i].name().to_string())
            .collect();
        names.sort();
        names
    }

    // Expected sets from `kubectl kustomize` with a JSON patch per selector.
    #[test]
    fn selects_as_kubectl_kustomize() {
        let cases = [
            (json!({"name": "web"}), vec!["web"]),
            (
                json!({"name": "web.*"}),
                vec!["web", "web-canary", "webcfg"],
            ),
            (json!({"name": "eb"}), vec![]),
            (
                json!({"kind": "Dep.*|Job"}),
                vec!["job1", "web", "web-canary"],
            ),
            (json!({"kind": "deployment"}), vec![]),
            (
                json!({"namespace": "default"}),
                vec!["job1", "web", "webcfg"],
            ),
            (json!({"namespace": "prod"}), vec!["web-canary"]),
            (json!({"namespace": "_non_namespaceable_"}), vec!["prod"]),
            (json!({"group": "apps"}), vec!["web", "web-canary"]),
            (
                json!({"version": "v1"}),
                vec!["job1", "prod", "web", "web-canary", "webcfg"],
            ),
            (
                json!({"labelSelector": "app=web"}),
                vec!["web", "web-canary"],
            ),
            (
                json!({"labelSelector": "app==web"}),
                vec!["web", "web-canary"],
            ),
            (
                json!({"labelSelector": "app=web,tier!=front"}),
                vec!["web-canary"],
            ),
            (
                json!({"labelSelector": "tier in (front, back)"}),
                vec!["web", "web-canary"],
            ),
            (
                json!({"labelSelector": "tier notin (front)"}),
                vec!["job1", "prod", "web-canary", "webcfg"],
            ),
            (
                json!({"labelSelector": "!tier"}),
                vec!["job1", "prod", "webcfg"],
            ),
            (json!({"labelSelector": "n"}), vec!["job1", "web"]),
            (json!({"labelSelector": "n>6"}), vec!["job1"]),
            (json!({"labelSelector": "n<6"}), vec!["web"]),
            (json!({"labelSelector": "app in ()"}), vec![]),
            (json!({"annotationSelector": "team=a"}), vec!["webcfg"]),
            (
                json!({"labelSelector": "env=prod", "kind": "Namespace"}),
                vec!["prod"],
            ),
            (
                json!({"name": "web(-canary)?", "labelSelector": "tier=back"}),
                vec!["web-canary"],
            ),
        ];
        for (value, expected) in cases {
            assert_eq!(picked(value.clone()), expected, "{value}");
        }
    }

    #[test]
    fn names_match_before_renames() {
        let mut resource = resources().into_vec().remove(0);
        resource.set_name("pre-web");
        assert!(matches(&resource, &selector(json!({"name": "web"}))).unwrap());
        assert!(matches(&resource, &selector(json!({"name": "pre-web"}))).unwrap());
    }

    #[test]
    fn bad_selectors_are_errors() {
        for value in [
            json!({"name": "(("}),
            json!({"labelSelector": "app=we b"}),
            json!({"labelSelector": "a in (x"}),
        ] {
            assert!(
                CompiledSelector::new(&selector(value.clone())).is_err(),
                "{value}"
            );
        }
    }
}
