//! Kubernetes label selectors (`matchLabels`, `matchExpressions`) as a
//! preset's `spec.selector`: parsing with Kubernetes' validation rules and
//! matching against a pod template's labels.

use std::path::Path;

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::resource::value_kind;

/// A parsed label selector. The empty selector matches every label set, as
/// `metav1.LabelSelectorAsSelector` makes it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelSelector {
    pub match_labels: Vec<(String, String)>,
    pub match_expressions: Vec<Requirement>,
}

/// One `matchExpressions` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    pub key: String,
    pub operator: Operator,
    pub values: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

impl LabelSelector {
    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.match_expressions.is_empty()
    }

    /// Whether `labels` satisfies every term (terms are ANDed).
    pub fn matches(&self, labels: Option<&Map<String, Value>>) -> bool {
        let label = |key: &str| labels.and_then(|map| map.get(key));
        let equals = |key: &str, wanted: &str| label(key).and_then(Value::as_str) == Some(wanted);
        self.match_labels
            .iter()
            .all(|(key, value)| equals(key, value))
            && self.match_expressions.iter().all(|req| match req.operator {
                Operator::In => req.values.iter().any(|v| equals(&req.key, v)),
                // NotIn is satisfied by an absent label, as in Kubernetes.
                Operator::NotIn => !req.values.iter().any(|v| equals(&req.key, v)),
                Operator::Exists => label(&req.key).is_some(),
                Operator::DoesNotExist => label(&req.key).is_none(),
            })
    }
}

/// Parses `value` found at `field` (e.g. `spec.selector`); null is empty.
pub fn parse(value: &Value, path: &Path, field: &str) -> Result<LabelSelector> {
    let map = match value {
        Value::Null => return Ok(LabelSelector::default()),
        Value::Object(map) => map,
        other => return Err(expected(path, field, "a mapping", other)),
    };
    let mut selector = LabelSelector::default();
    for (key, value) in map {
        let here = format!("{field}.{key}");
        match key.as_str() {
            "matchLabels" => selector.match_labels = parse_match_labels(value, path, &here)?,
            "matchExpressions" => {
                selector.match_expressions = parse_expressions(value, path, &here)?;
            }
            _ => {
                return Err(Error::field(
                    path,
                    here,
                    "unknown field in a label selector",
                ))
            }
        }
    }
    Ok(selector)
}

fn parse_match_labels(value: &Value, path: &Path, field: &str) -> Result<Vec<(String, String)>> {
    let map = match value {
        Value::Null => return Ok(Vec::new()),
        Value::Object(map) => map,
        other => return Err(expected(path, field, "a mapping", other)),
    };
    map.iter()
        .map(|(key, value)| match value {
            Value::String(text) => Ok((key.clone(), text.clone())),
            other => Err(expected(path, &format!("{field}.{key}"), "a string", other)),
        })
        .collect()
}

fn parse_expressions(value: &Value, path: &Path, field: &str) -> Result<Vec<Requirement>> {
    let items = match value {
        Value::Null => return Ok(Vec::new()),
        Value::Array(items) => items,
        other => return Err(expected(path, field, "a list", other)),
    };
    items
        .iter()
        .enumerate()
        .map(|(index, item)| parse_requirement(item, path, &format!("{field}[{index}]")))
        .collect()
}

fn parse_requirement(value: &Value, path: &Path, field: &str) -> Result<Requirement> {
    let Value::Object(map) = value else {
        return Err(expected(path, field, "a mapping", value));
    };
    if let Some(key) = map
        .keys()
        .find(|key| !matches!(key.as_str(), "key" | "operator" | "values"))
    {
        return Err(Error::field(
            path,
            format!("{field}.{key}"),
            "unknown field in a label selector requirement",
        ));
    }
    let key = match map.get("key") {
        Some(Value::String(key)) if !key.is_empty() => key.clone(),
        _ => {
            return Err(Error::field(
                path,
                format!("{field}.key"),
                "a non-empty string is required",
            ))
        }
    };
    let operator = match map.get("operator").and_then(Value::as_str) {
        Some("In") => Operator::In,
        Some("NotIn") => Operator::NotIn,
        Some("Exists") => Operator::Exists,
        Some("DoesNotExist") => Operator::DoesNotExist,
        other => {
            return Err(Error::field(
                path,
                format!("{field}.operator"),
                format!(
                    "unknown operator {}; expected one of In, NotIn, Exists, DoesNotExist",
                    other.map_or_else(|| "(none)".to_string(), |op| format!("`{op}`"))
                ),
            ))
        }
    };
    let values = parse_values(map.get("values"), path, &format!("{field}.values"))?;
    // The rules of metav1 label selector validation.
    let needs_values = matches!(operator, Operator::In | Operator::NotIn);
    if needs_values && values.is_empty() {
        return Err(Error::field(
            path,
            format!("{field}.values"),
            "must be non-empty when operator is In or NotIn",
        ));
    }
    if !needs_values && !values.is_empty() {
        return Err(Error::field(
            path,
            format!("{field}.values"),
            "must be empty when operator is Exists or DoesNotExist",
        ));
    }
    Ok(Requirement {
        key,
        operator,
        values,
    })
}

fn parse_values(value: Option<&Value>, path: &Path, field: &str) -> Result<Vec<String>> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(index, item)| match item {
                Value::String(text) => Ok(text.clone()),
                other => Err(expected(
                    path,
                    &format!("{field}[{index}]"),
                    "a string",
                    other,
                )),
            })
            .collect(),
        Some(other) => Err(expected(path, field, "a list of strings", other)),
    }
}

fn expected(path: &Path, field: &str, wanted: &str, found: &Value) -> Error {
    Error::field(
        path,
        field,
        format!("expected {wanted}, found {}", value_kind(found)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn selector(value: Value) -> LabelSelector {
        parse(&value, Path::new("p.yaml"), "spec.selector").unwrap()
    }

    #[test]
    fn operators_follow_kubernetes_semantics() {
        // (selector, labels, matches): semantics of k8s.io/apimachinery labels.Requirement.
        let cases = [
            (json!({}), json!({}), true),
            (json!(null), json!({"a": "b"}), true),
            (
                json!({"matchLabels": {"app": "web"}}),
                json!({"app": "web"}),
                true,
            ),
            (
                json!({"matchLabels": {"app": "web"}}),
                json!({"app": "db"}),
                false,
            ),
            (json!({"matchLabels": {"app": "web"}}), json!({}), false),
            (
                json!({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]}]}),
                json!({"tier": "b"}),
                true,
            ),
            (
                json!({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["a"]}]}),
                json!({"tier": "c"}),
                false,
            ),
            (
                json!({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["a"]}]}),
                json!({}),
                false,
            ),
            (
                json!({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["a"]}]}),
                json!({"tier": "c"}),
                true,
            ),
            (
                json!({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["a"]}]}),
                json!({"tier": "a"}),
                false,
            ),
            (
                json!({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["a"]}]}),
                json!({}),
                true,
            ),
            (
                json!({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}),
                json!({"tier": ""}),
                true,
            ),
            (
                json!({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}),
                json!({}),
                false,
            ),
            (
                json!({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist", "values": []}]}),
                json!({}),
                true,
            ),
            (
                json!({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}),
                json!({"tier": "x"}),
                false,
            ),
            (
                json!({"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "Exists"}]}),
                json!({"app": "web"}),
                false,
            ),
        ];
        for (sel, labels, want) in cases {
            let got = selector(sel.clone()).matches(labels.as_object());
            assert_eq!(got, want, "{sel} on {labels}");
        }
        assert!(!selector(json!({"matchLabels": {"a": "b"}})).matches(None));
        assert!(selector(json!({})).matches(None));
    }

    #[test]
    fn malformed_selectors_are_errors() {
        let cases = [
            (
                json!({"matchExpressions": [{"key": "a", "operator": "Equals", "values": ["x"]}]}),
                "unknown operator `Equals`",
            ),
            (
                json!({"matchExpressions": [{"key": "a", "values": ["x"]}]}),
                "unknown operator (none)",
            ),
            (
                json!({"matchExpressions": [{"key": "a", "operator": "In"}]}),
                "must be non-empty",
            ),
            (
                json!({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": []}]}),
                "must be non-empty",
            ),
            (
                json!({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]}),
                "must be empty",
            ),
            (
                json!({"matchExpressions": [{"operator": "Exists"}]}),
                "spec.selector.matchExpressions[0].key",
            ),
            (
                json!({"matchExpressions": [{"key": "a", "operator": "Exists", "value": 1}]}),
                "matchExpressions[0].value",
            ),
            (
                json!({"matchLabels": {"a": 1}}),
                "spec.selector.matchLabels.a",
            ),
            (
                json!({"matchLabel": {"a": "b"}}),
                "spec.selector.matchLabel",
            ),
            (json!(["a"]), "expected a mapping"),
        ];
        for (sel, want) in cases {
            let err = parse(&sel, Path::new("p.yaml"), "spec.selector")
                .unwrap_err()
                .to_string();
            assert!(err.contains(want), "{sel}: {err}");
            assert!(err.contains("p.yaml"), "{err}");
        }
    }
}
