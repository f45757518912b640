//! Legacy discovery (`/apis`, `/apis/<group>`, `/api/v1`,
//! `/apis/<group>/<version>`) and the OpenAPI v3 index kubectl reads for
//! its field-validation check. kubectl asks for aggregated discovery first;
//! the plain JSON answer makes it fall back to these documents.

use serde_json::{json, Map, Value};

use super::catalog::builtin_group_order;
use super::state::State;
use super::status::Answer;

/// Kubernetes version priority: GA before beta before alpha, higher numbers first.
fn version_rank(version: &str) -> (u8, i64, i64) {
    let rest = version.strip_prefix('v').unwrap_or(version);
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let major = digits.parse::<i64>().unwrap_or(-1);
    let tail = &rest[digits.len()..];
    let (stage, minor) = if tail.is_empty() {
        (0, 0)
    } else if let Some(number) = tail.strip_prefix("beta") {
        (1, number.parse().unwrap_or(0))
    } else if let Some(number) = tail.strip_prefix("alpha") {
        (2, number.parse().unwrap_or(0))
    } else {
        (3, 0)
    };
    if major < 0 {
        return (4, 0, 0);
    }
    (stage, -major, -minor)
}

/// Group names in the order the server lists them, each with its versions (preferred first).
pub fn groups(state: &State) -> Vec<(String, Vec<String>)> {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for resource in state.resources.iter().filter(|r| !r.group.is_empty()) {
        match groups.iter_mut().find(|(name, _)| *name == resource.group) {
            Some((_, versions)) if versions.contains(&resource.version) => {}
            Some((_, versions)) => versions.push(resource.version.clone()),
            None => groups.push((resource.group.clone(), vec![resource.version.clone()])),
        }
    }
    let order = builtin_group_order();
    groups.sort_by_key(|(name, _)| order.iter().position(|g| g == name).unwrap_or(order.len()));
    for (name, versions) in &mut groups {
        if !order.contains(&name.as_str()) {
            versions.sort_by_key(|version| version_rank(version));
        }
    }
    groups
}

fn group_json(name: &str, versions: &[String]) -> Value {
    let versions: Vec<Value> = versions
        .iter()
        .map(|version| json!({"groupVersion": format!("{name}/{version}"), "version": version}))
        .collect();
    json!({"name": name, "versions": versions, "preferredVersion": versions[0].clone()})
}

pub fn group_list(state: &State) -> Value {
    let groups: Vec<Value> = groups(state)
        .iter()
        .map(|(name, versions)| group_json(name, versions))
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

pub fn group(state: &State, name: &str) -> Option<Value> {
    let (name, versions) = groups(state).into_iter().find(|(group, _)| group == name)?;
    let mut group = group_json(&name, &versions);
    group["kind"] = json!("APIGroup");
    group["apiVersion"] = json!("v1");
    Some(group)
}

pub fn resource_list(state: &State, group: &str, version: &str) -> Value {
    let resources: Vec<Value> = state
        .resources
        .iter()
        .filter(|r| r.group == group && r.version == version)
        .flat_map(|r| r.api_resources())
        .collect();
    let group_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": resources})
}

/// `/openapi/v3`: one entry per served group/version.
pub fn openapi_root(state: &State) -> Value {
    let mut paths = Map::new();
    let mut api_paths = vec!["api/v1".to_string()];
    for (group, versions) in groups(state) {
        for version in versions {
            api_paths.push(format!("apis/{group}/{version}"));
        }
    }
    for path in api_paths {
        let hash = openapi_hash(state, &path);
        paths.insert(
            path.clone(),
            json!({"serverRelativeURL": format!("/openapi/v3/{path}?hash={hash}")}),
        );
    }
    json!({"paths": paths})
}

/// A hash that changes when a group/version's kinds change (kubectl caches by it).
fn openapi_hash(state: &State, path: &str) -> String {
    let text = openapi_document(state, path).body.to_string();
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3)
    });
    format!("{hash:016X}")
}

/// `/openapi/v3/<api path>`: PATCH operations with their parameters, which
/// is all kubectl's field-validation check reads (no schemas, so kubectl
/// computes client-side strategic merge patches from its built-in types).
pub fn openapi_document(state: &State, path: &str) -> Answer {
    let (group, version) = match path.split('/').collect::<Vec<_>>().as_slice() {
        ["api", version] => (String::new(), version.to_string()),
        ["apis", group, version] => (group.to_string(), version.to_string()),
        _ => return Answer::not_found_path(),
    };
    if !state.serves(&group, &version) {
        return Answer::not_found_path();
    }
    let parameters: Vec<Value> = ["dryRun", "fieldManager", "fieldValidation", "force"]
        .iter()
        .map(|name| json!({"name": name, "in": "query", "schema": {"type": "string", "uniqueItems": true}}))
        .collect();
    let mut paths = Map::new();
    for resource in state.resources.iter().filter(|r| {
        r.group == group && r.version == version && r.verbs.iter().any(|v| v == "patch")
    }) {
        let scope = if resource.namespaced {
            "/namespaces/{namespace}"
        } else {
            ""
        };
        let url = format!("/{path}{scope}/{}/{{name}}", resource.plural);
        paths.insert(
            url,
            json!({"patch": {
                "operationId": format!("patch{}", resource.kind),
                "parameters": parameters,
                "responses": {"200": {"description": "OK"}},
                "x-kubernetes-action": "patch",
                "x-kubernetes-group-version-kind": {"group": resource.group, "version": resource.version, "kind": resource.kind},
            }}),
        );
    }
    Answer::ok(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v1.32.0"},
        "paths": paths,
        "components": {"schemas": {}},
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_sort_as_kubernetes_sorts_them() {
        let mut versions = vec!["v1alpha1", "v1beta1", "v2", "v1", "v10", "foo", "v2beta2"];
        versions.sort_by_key(|version| version_rank(version));
        assert_eq!(
            versions,
            ["v10", "v2", "v1", "v2beta2", "v1beta1", "v1alpha1", "foo"]
        );
    }
}
