//! Naming of per-resource output files, as `kustomize build -o DIR` names them.

use crate::resource::{Resource, ResourceMap};

/// `(file name, resource)` pairs: `<group_version_kind>_<name>.yaml`, lower
/// case, prefixed with `<namespace>_` when the build spans more than one
/// namespace. Cluster-scoped resources never get a namespace prefix.
pub fn file_names(resources: &ResourceMap) -> Vec<(String, &Resource)> {
    let mut namespaces: Vec<String> = resources
        .iter()
        .filter(|r| !r.gvk().is_cluster_scoped())
        .map(|r| r.id().effective_namespace().to_string())
        .collect();
    namespaces.sort();
    namespaces.dedup();
    let prefix_namespace = namespaces.len() > 1;
    resources
        .iter()
        .map(|resource| {
            let gvk = resource.gvk();
            let parts: Vec<&str> = [gvk.group.as_str(), gvk.version.as_str(), gvk.kind.as_str()]
                .into_iter()
                .filter(|part| !part.is_empty())
                .collect();
            let mut name = format!("{}_{}.yaml", parts.join("_"), resource.name()).to_lowercase();
            if prefix_namespace && !gvk.is_cluster_scoped() {
                name = format!(
                    "{}_{name}",
                    resource.id().effective_namespace().to_lowercase()
                );
            }
            (name, resource)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::Origin;
    use serde_json::json;

    fn res(api_version: &str, kind: &str, namespace: Option<&str>, name: &str) -> Resource {
        let mut object =
            json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": name}});
        if let Some(namespace) = namespace {
            object["metadata"]["namespace"] = json!(namespace);
        }
        Resource::new(object, Origin::Inline).unwrap()
    }

    #[test]
    fn names_files_like_kustomize() {
        let one: ResourceMap = [res("apps/v1", "Deployment", None, "Web")]
            .into_iter()
            .collect();
        assert_eq!(file_names(&one)[0].0, "apps_v1_deployment_web.yaml");

        let two: ResourceMap = [
            res("v1", "ConfigMap", Some("a"), "x"),
            res("v1", "ConfigMap", None, "y"),
            res("v1", "Namespace", None, "a"),
        ]
        .into_iter()
        .collect();
        let names: Vec<String> = file_names(&two).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            [
                "a_v1_configmap_x.yaml",
                "default_v1_configmap_y.yaml",
                "v1_namespace_a.yaml"
            ]
        );
    }
}
