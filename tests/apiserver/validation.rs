//! The validation a real server does that clients trip over: names,
//! required workload fields, and immutable fields on update, with the
//! causes worded as the API server words them (`field is immutable`,
//! `may not change once set`, `Forbidden: updates to statefulset spec ...`).
//!
//! Bad values are printed as Go's `%#v` prints them for the simple types
//! (strings, numbers, `[]string`, label selectors); a pod template is
//! shortened to `core.PodTemplateSpec{...}` where the real server prints
//! the whole struct.

use serde_json::Value;

use super::catalog::Resource;
use super::gojson::quote;
use super::status::FieldError;

/// Errors of a create.
pub fn create(resource: &Resource, object: &Value) -> Vec<FieldError> {
    let mut errors = Vec::new();
    name(resource, object, &mut errors);
    if resource.custom {
        return errors;
    }
    match (resource.group.as_str(), resource.kind.as_str()) {
        ("apps", "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet") => {
            workload(object, &mut errors)
        }
        ("batch", "Job") => {
            let policy = object["spec"]["template"]["spec"]["restartPolicy"].as_str();
            if !matches!(policy, Some("Never" | "OnFailure")) {
                errors.push(FieldError {
                    reason: "FieldValueNotSupported",
                    field: "spec.template.spec.restartPolicy".into(),
                    value: Some(quote(policy.unwrap_or_default())),
                    detail: "supported values: \"OnFailure\", \"Never\"".into(),
                });
            }
            containers(
                &object["spec"]["template"]["spec"],
                "spec.template.spec",
                &mut errors,
            );
        }
        ("", "Pod") => containers(&object["spec"], "spec", &mut errors),
        ("", "Service") => {
            let spec = &object["spec"];
            let headless = spec["clusterIP"] == "None";
            let ports_required = spec["type"] != "ExternalName" && !headless;
            if ports_required && spec["ports"].as_array().is_none_or(Vec::is_empty) {
                errors.push(FieldError::required("spec.ports", ""));
            }
        }
        _ => {}
    }
    errors
}

fn name(resource: &Resource, object: &Value, errors: &mut Vec<FieldError>) {
    let name = object["metadata"]["name"].as_str().unwrap_or_default();
    if name.is_empty() {
        errors.push(FieldError::required(
            "metadata.name",
            "name or generateName is required",
        ));
        return;
    }
    // Namespaces and services take DNS-1123/1035 labels, the rest subdomains.
    let label =
        matches!(resource.kind.as_str(), "Namespace" | "Service") && resource.group.is_empty();
    let valid_char =
        |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || (!label && c == '.');
    let ends_ok = name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric());
    let limit = if label { 63 } else { 253 };
    let loose_kinds = matches!(
        resource.kind.as_str(),
        "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding" | "APIService"
    );
    if !loose_kinds && (!name.chars().all(valid_char) || !ends_ok || name.len() > limit) {
        let what = if label {
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
        } else {
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        };
        errors.push(FieldError::invalid("metadata.name", quote(name), what));
    }
}

fn workload(object: &Value, errors: &mut Vec<FieldError>) {
    let spec = &object["spec"];
    let selector = &spec["selector"];
    if !selector.is_object() {
        errors.push(FieldError::required("spec.selector", ""));
    } else {
        let template_labels = &spec["template"]["metadata"]["labels"];
        let matches = super::selectors::LabelSelector::from_object(selector)
            .matches(&serde_json::json!({"metadata": {"labels": template_labels}}));
        if !matches {
            errors.push(FieldError::invalid(
                "spec.template.metadata.labels",
                string_map(template_labels),
                "`selector` does not match template `labels`",
            ));
        }
    }
    containers(&spec["template"]["spec"], "spec.template.spec", errors);
}

fn containers(pod_spec: &Value, path: &str, errors: &mut Vec<FieldError>) {
    let Some(containers) = pod_spec["containers"]
        .as_array()
        .filter(|list| !list.is_empty())
    else {
        errors.push(FieldError::required(&format!("{path}.containers"), ""));
        return;
    };
    for (index, container) in containers.iter().enumerate() {
        if container["name"].as_str().is_none_or(str::is_empty) {
            errors.push(FieldError::required(
                &format!("{path}.containers[{index}].name"),
                "",
            ));
        }
        if container["image"].as_str().is_none_or(str::is_empty) {
            errors.push(FieldError::required(
                &format!("{path}.containers[{index}].image"),
                "",
            ));
        }
    }
}

const IMMUTABLE: &str = "field is immutable";

/// Errors of an update from `old` to `new`.
pub fn update(resource: &Resource, old: &Value, new: &Value) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if resource.custom {
        return errors;
    }
    let changed = |path: &[&str]| {
        let get = |object: &Value| {
            let mut value = object;
            for part in path {
                value = &value[*part];
            }
            value.clone()
        };
        get(old) != get(new)
    };
    match (resource.group.as_str(), resource.kind.as_str()) {
        ("apps", "Deployment" | "ReplicaSet" | "DaemonSet") if changed(&["spec", "selector"]) => {
            errors.push(FieldError::invalid(
                "spec.selector",
                label_selector(&new["spec"]["selector"]),
                IMMUTABLE,
            ));
        }
        ("apps", "StatefulSet") => {
            let updatable = [
                "replicas",
                "ordinals",
                "template",
                "updateStrategy",
                "persistentVolumeClaimRetentionPolicy",
                "minReadySeconds",
            ];
            let rest = |object: &Value| {
                let mut spec = object["spec"].as_object().cloned().unwrap_or_default();
                spec.retain(|key, _| !updatable.contains(&key.as_str()));
                spec
            };
            if rest(old) != rest(new) {
                errors.push(FieldError::forbidden(
                    "spec",
                    "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
                ));
            }
        }
        ("batch", "Job") => {
            if changed(&["spec", "selector"]) {
                errors.push(FieldError::invalid(
                    "spec.selector",
                    label_selector(&new["spec"]["selector"]),
                    IMMUTABLE,
                ));
            }
            if changed(&["spec", "template"]) {
                errors.push(FieldError::invalid(
                    "spec.template",
                    "core.PodTemplateSpec{...}".into(),
                    IMMUTABLE,
                ));
            }
            if changed(&["spec", "completions"]) && new["spec"]["completionMode"] != "Indexed" {
                errors.push(FieldError::invalid(
                    "spec.completions",
                    new["spec"]["completions"].to_string(),
                    IMMUTABLE,
                ));
            }
        }
        ("", "Service") => {
            let external =
                old["spec"]["type"] == "ExternalName" || new["spec"]["type"] == "ExternalName";
            let headless = old["spec"]["clusterIP"] == "None" && new["spec"]["clusterIP"] == "None";
            let old_ips = strings(&old["spec"]["clusterIPs"]);
            let new_ips = strings(&new["spec"]["clusterIPs"]);
            if !external && !headless {
                for (index, ip) in old_ips.iter().enumerate() {
                    if new_ips.get(index).is_some_and(|new_ip| new_ip != ip) {
                        errors.push(FieldError::invalid(
                            &format!("spec.clusterIPs[{index}]"),
                            string_slice(&new_ips),
                            "may not change once set",
                        ));
                    }
                }
                if new_ips.is_empty() && !old_ips.is_empty() {
                    errors.push(FieldError::invalid(
                        "spec.clusterIPs[0]",
                        "[]string(nil)".into(),
                        "primary clusterIP can not be unset",
                    ));
                }
            }
        }
        ("", "ConfigMap" | "Secret") if old["immutable"] == true => {
            let detail = "field is immutable when `immutable` is set";
            if old["data"] != new["data"] {
                errors.push(FieldError::forbidden("data", detail));
            }
            if old["binaryData"] != new["binaryData"] && resource.kind == "ConfigMap" {
                errors.push(FieldError::forbidden("binaryData", detail));
            }
            if new["immutable"] != true {
                errors.push(FieldError::forbidden("immutable", detail));
            }
        }
        ("", "PersistentVolumeClaim") => {
            let binding = old["spec"]["volumeName"].as_str().is_none_or(str::is_empty);
            let rest = |object: &Value| {
                let mut spec = object["spec"].clone();
                if let Some(map) = spec.as_object_mut() {
                    map.remove("volumeAttributesClassName");
                    // Binding sets the volume name once.
                    if binding {
                        map.remove("volumeName");
                    }
                    if let Some(resources) = map.get_mut("resources").and_then(Value::as_object_mut)
                    {
                        resources.remove("requests");
                    }
                }
                spec
            };
            if rest(old) != rest(new) {
                errors.push(FieldError::forbidden(
                    "spec",
                    "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims",
                ));
            }
        }
        ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding")
            if changed(&["roleRef"]) =>
        {
            let role = &new["roleRef"];
            let text = |key: &str| quote(role[key].as_str().unwrap_or_default());
            errors.push(FieldError::invalid(
                "roleRef",
                format!(
                    "rbac.RoleRef{{APIGroup:{}, Kind:{}, Name:{}}}",
                    text("apiGroup"),
                    text("kind"),
                    text("name")
                ),
                "cannot change roleRef",
            ));
        }
        ("apiextensions.k8s.io", "CustomResourceDefinition") if changed(&["spec", "scope"]) => {
            errors.push(FieldError::invalid(
                "spec.scope",
                quote(new["spec"]["scope"].as_str().unwrap_or_default()),
                IMMUTABLE,
            ));
        }
        _ => {}
    }
    errors
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| item.as_str().map(str::to_string))
        .collect()
}

/// `[]string{"a", "b"}`.
fn string_slice(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|item| quote(item)).collect();
    format!("[]string{{{}}}", quoted.join(", "))
}

/// `map[string]string{"a":"b"}` (keys sorted, as Go prints maps).
fn string_map(value: &Value) -> String {
    let Some(map) = value.as_object() else {
        return "map[string]string(nil)".into();
    };
    let mut pairs: Vec<(&String, &Value)> = map.iter().collect();
    pairs.sort_by(|a, b| a.0.cmp(b.0));
    let items: Vec<String> = pairs
        .into_iter()
        .map(|(key, value)| {
            format!(
                "{}:{}",
                quote(key),
                quote(value.as_str().unwrap_or_default())
            )
        })
        .collect();
    format!("map[string]string{{{}}}", items.join(", "))
}

/// `v1.LabelSelector{MatchLabels:..., MatchExpressions:...}`.
fn label_selector(selector: &Value) -> String {
    if !selector.is_object() {
        return "null".into();
    }
    let labels = if selector["matchLabels"].is_object() {
        string_map(&selector["matchLabels"])
    } else {
        "map[string]string(nil)".into()
    };
    let expressions = match selector["matchExpressions"].as_array() {
        Some(items) => {
            let parts: Vec<String> = items
                .iter()
                .map(|item| {
                    format!(
                        "v1.LabelSelectorRequirement{{Key:{}, Operator:{}, Values:{}}}",
                        quote(item["key"].as_str().unwrap_or_default()),
                        quote(item["operator"].as_str().unwrap_or_default()),
                        match item["values"].as_array() {
                            Some(_) => string_slice(&strings(&item["values"])),
                            None => "[]string(nil)".into(),
                        }
                    )
                })
                .collect();
            format!("[]v1.LabelSelectorRequirement{{{}}}", parts.join(", "))
        }
        None => "[]v1.LabelSelectorRequirement(nil)".into(),
    };
    format!("v1.LabelSelector{{MatchLabels:{labels}, MatchExpressions:{expressions}}}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::catalog::builtins;
    use serde_json::json;

    fn resource(kind: &str) -> Resource {
        builtins().into_iter().find(|r| r.kind == kind).unwrap()
    }

    #[test]
    fn selector_changes_are_refused_as_the_server_words_them() {
        let old = json!({"spec": {"selector": {"matchLabels": {"app": "web"}}}});
        let new = json!({"spec": {"selector": {"matchLabels": {"app": "web2"}}}});
        let errors = update(&resource("Deployment"), &old, &new);
        assert_eq!(
            errors[0].to_string(),
            "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web2\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"
        );
    }

    #[test]
    fn cluster_ips_may_not_change() {
        let old = json!({"spec": {"clusterIP": "10.96.0.1", "clusterIPs": ["10.96.0.1"]}});
        let new = json!({"spec": {"clusterIP": "10.96.0.9", "clusterIPs": ["10.96.0.9"]}});
        let errors = update(&resource("Service"), &old, &new);
        assert_eq!(
            errors[0].to_string(),
            "spec.clusterIPs[0]: Invalid value: []string{\"10.96.0.9\"}: may not change once set"
        );
    }
}
