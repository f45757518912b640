//! Label selectors (`app=web,tier in (a,b),!canary`) and field selectors
//! (`metadata.name=web,involvedObject.uid=...`) as list and watch requests
//! carry them.

use serde_json::Value;

/// One label requirement.
#[derive(Debug)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

impl Requirement {
    fn matches(&self, labels: &Value) -> bool {
        let value = |key: &str| labels.get(key).and_then(Value::as_str);
        match self {
            Requirement::Equals(key, wanted) => value(key) == Some(wanted.as_str()),
            Requirement::NotEquals(key, unwanted) => value(key) != Some(unwanted.as_str()),
            Requirement::In(key, set) => value(key).is_some_and(|v| set.iter().any(|s| s == v)),
            Requirement::NotIn(key, set) => !value(key).is_some_and(|v| set.iter().any(|s| s == v)),
            Requirement::Exists(key) => value(key).is_some(),
            Requirement::NotExists(key) => value(key).is_none(),
        }
    }
}

/// A parsed label selector; the empty selector matches everything.
#[derive(Debug, Default)]
pub struct LabelSelector(Vec<Requirement>);

impl LabelSelector {
    pub fn parse(text: &str) -> Result<LabelSelector, String> {
        let mut parts = Vec::new();
        let mut depth = 0;
        let mut current = String::new();
        for character in text.chars() {
            match character {
                '(' => depth += 1,
                ')' => depth -= 1,
                ',' if depth == 0 => {
                    parts.push(std::mem::take(&mut current));
                    continue;
                }
                _ => {}
            }
            current.push(character);
        }
        parts.push(current);
        parts
            .iter()
            .map(|part| part.trim())
            .filter(|part| !part.is_empty())
            .map(requirement)
            .collect::<Result<Vec<_>, _>>()
            .map(LabelSelector)
    }

    pub fn matches(&self, object: &Value) -> bool {
        let labels = &object["metadata"]["labels"];
        self.0.iter().all(|requirement| requirement.matches(labels))
    }

    /// A `matchLabels`/`matchExpressions` selector object as a selector.
    pub fn from_object(selector: &Value) -> LabelSelector {
        let mut requirements = Vec::new();
        if let Some(labels) = selector["matchLabels"].as_object() {
            for (key, value) in labels {
                requirements.push(Requirement::Equals(
                    key.clone(),
                    value.as_str().unwrap_or_default().to_string(),
                ));
            }
        }
        for expression in selector["matchExpressions"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let key = expression["key"].as_str().unwrap_or_default().to_string();
            let values: Vec<String> = expression["values"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|value| value.as_str().map(str::to_string))
                .collect();
            requirements.push(match expression["operator"].as_str() {
                Some("In") => Requirement::In(key, values),
                Some("NotIn") => Requirement::NotIn(key, values),
                Some("DoesNotExist") => Requirement::NotExists(key),
                _ => Requirement::Exists(key),
            });
        }
        LabelSelector(requirements)
    }
}

fn requirement(part: &str) -> Result<Requirement, String> {
    let set = |rest: &str| -> Result<Vec<String>, String> {
        let inner = rest
            .trim()
            .strip_prefix('(')
            .and_then(|rest| rest.strip_suffix(')'))
            .ok_or_else(|| format!("unable to parse requirement: {part}"))?;
        Ok(inner
            .split(',')
            .map(|item| item.trim().to_string())
            .filter(|item| !item.is_empty())
            .collect())
    };
    if let Some(key) = part.strip_prefix('!') {
        return Ok(Requirement::NotExists(key.trim().to_string()));
    }
    if let Some((key, value)) = part.split_once("!=") {
        return Ok(Requirement::NotEquals(
            key.trim().into(),
            value.trim().into(),
        ));
    }
    if let Some((key, value)) = part.split_once("==").or_else(|| part.split_once('=')) {
        return Ok(Requirement::Equals(key.trim().into(), value.trim().into()));
    }
    if let Some((key, rest)) = part.split_once(" notin ") {
        return Ok(Requirement::NotIn(key.trim().into(), set(rest)?));
    }
    if let Some((key, rest)) = part.split_once(" in ") {
        return Ok(Requirement::In(key.trim().into(), set(rest)?));
    }
    if part.contains(' ') || part.contains('(') {
        return Err(format!("unable to parse requirement: {part}"));
    }
    Ok(Requirement::Exists(part.to_string()))
}

/// A parsed field selector: (field, wanted value, equal?).
#[derive(Debug, Default)]
pub struct FieldSelector(Vec<(String, String, bool)>);

/// The fields a kind can be selected by, beyond `metadata.name` and `metadata.namespace`.
fn selectable(group: &str, kind: &str) -> &'static [&'static str] {
    match (group, kind) {
        ("", "Event") => &[
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
        ],
        ("events.k8s.io", "Event") => &[
            "regarding.kind",
            "regarding.namespace",
            "regarding.name",
            "regarding.uid",
            "regarding.apiVersion",
            "regarding.resourceVersion",
            "regarding.fieldPath",
            "reason",
            "reportingController",
            "type",
        ],
        ("", "Pod") => &[
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "spec.hostNetwork",
            "status.phase",
            "status.podIP",
            "status.nominatedNodeName",
        ],
        ("", "Secret") => &["type"],
        ("", "Namespace") => &["status.phase"],
        ("", "Node") => &["spec.unschedulable"],
        ("batch", "Job") => &["status.successful"],
        ("apps", "ReplicaSet") | ("", "ReplicationController") => &["status.replicas"],
        _ => &[],
    }
}

impl FieldSelector {
    /// Parses a selector for `kind`; unknown fields are refused as the server refuses them.
    pub fn parse(text: &str, group: &str, kind: &str) -> Result<FieldSelector, String> {
        let mut terms = Vec::new();
        for part in text
            .split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
        {
            let (field, value, equal) = if let Some((field, value)) = part.split_once("!=") {
                (field, value, false)
            } else if let Some((field, value)) =
                part.split_once("==").or_else(|| part.split_once('='))
            {
                (field, value, true)
            } else {
                return Err(format!(
                    "invalid selector: '{text}'; can't understand '{part}'"
                ));
            };
            let field = field.trim();
            let known = matches!(field, "metadata.name" | "metadata.namespace")
                || selectable(group, kind).contains(&field);
            if !known {
                return Err(format!("field label not supported: {field}"));
            }
            terms.push((field.to_string(), value.trim().to_string(), equal));
        }
        Ok(FieldSelector(terms))
    }

    pub fn matches(&self, object: &Value) -> bool {
        self.0.iter().all(|(field, wanted, equal)| {
            let mut value = object;
            for part in field.split('.') {
                value = &value[part];
            }
            let actual = match (field.as_str(), value) {
                // `source` is the component that reported the event.
                ("source", _) => object["source"]["component"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                (_, Value::String(text)) => text.clone(),
                (_, Value::Null) => String::new(),
                (_, other) => other.to_string(),
            };
            (actual == *wanted) == *equal
        })
    }

    /// The name this selector pins (`metadata.name=x`), for watches of one object.
    pub fn name(&self) -> Option<&str> {
        self.0
            .iter()
            .find(|(field, _, equal)| field == "metadata.name" && *equal)
            .map(|(_, value, _)| value.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn label_and_field_selectors() {
        let object = json!({"metadata": {"name": "e", "labels": {"app": "web", "tier": "a"}},
                            "involvedObject": {"name": "web", "uid": "u1"}, "source": {"component": "kubelet"}});
        assert!(LabelSelector::parse("app=web,tier in (a,b),!canary")
            .unwrap()
            .matches(&object));
        assert!(!LabelSelector::parse("app notin (web)")
            .unwrap()
            .matches(&object));
        let fields = FieldSelector::parse(
            "involvedObject.name=web,involvedObject.uid=u1,source=kubelet",
            "",
            "Event",
        )
        .unwrap();
        assert!(fields.matches(&object));
        assert!(
            !FieldSelector::parse("involvedObject.name!=web", "", "Event")
                .unwrap()
                .matches(&object)
        );
        assert_eq!(
            FieldSelector::parse("spec.foo=bar", "", "ConfigMap").unwrap_err(),
            "field label not supported: spec.foo"
        );
    }
}
