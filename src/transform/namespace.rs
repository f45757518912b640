//! The `namespace:` transformer (kustomize's NamespaceTransformer and its
//! namespace filter): sets `metadata.namespace` on namespaced objects, the
//! fields the `namespace` field specs name, and (Cluster)RoleBinding subjects.

use serde_json::Value;

use crate::engine::fieldspec::{apply_at_creating, FieldSpec, Leaf};
use crate::error::{Error, Result};
use crate::id::Gvk;
use crate::resource::{value_kind, ResourceMap};

/// Which (Cluster)RoleBinding subjects get the namespace
/// (`setRoleBindingSubjects`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SubjectMode {
    /// Only subjects named `default` (kustomize's default).
    #[default]
    DefaultOnly,
    /// Every subject of kind `ServiceAccount`.
    AllServiceAccounts,
    /// None.
    None,
}

impl SubjectMode {
    /// Reads the option as a NamespaceTransformer config spells it; empty is the default.
    pub fn parse(text: &str) -> Result<Self> {
        match text {
            "" | "defaultOnly" => Ok(SubjectMode::DefaultOnly),
            "allServiceAccounts" => Ok(SubjectMode::AllServiceAccounts),
            "none" => Ok(SubjectMode::None),
            other => Err(Error::msg(format!(
                "invalid value {other:?} for setRoleBindingSubjects: must be one of \
                 \"defaultOnly\", \"none\" or \"allServiceAccounts\""
            ))),
        }
    }
}

/// Options of the transformer; `kustomization.yaml`'s `namespace:` uses the defaults.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Only set namespace fields that are empty.
    pub unset_only: bool,
    pub subjects: SubjectMode,
}

/// Sets `namespace` where `specs` say (the `namespace` specs), with `options`.
pub fn apply(
    resources: &mut ResourceMap,
    namespace: &str,
    specs: &[FieldSpec],
    options: Options,
) -> Result<()> {
    if namespace.is_empty() {
        return Ok(());
    }
    for resource in resources.edit().iter_mut() {
        // kustomize records the id of every resource it visits, renamed or not;
        // name references later match through these ids.
        let id = resource.id();
        resource.previous_ids.push(id.clone());
        set_namespace(resource.object_mut(), namespace, specs, options)
            .map_err(|e| Error::resource(&id, format!("namespace transformation failed: {e}")))?;
    }
    check_conflicts(resources)
}

/// Two resources that end up with the same id are an error.
fn check_conflicts(resources: &ResourceMap) -> Result<()> {
    for resource in resources.iter() {
        let id = resource.id();
        if resources.positions(&id).len() != 1 {
            return Err(Error::msg(format!(
                "namespace transformation produces ID conflict: more than one resource is {id}"
            )));
        }
    }
    Ok(())
}

/// Sets the namespace in one object (kustomize's namespace filter).
pub fn set_namespace(
    object: &mut Value,
    namespace: &str,
    specs: &[FieldSpec],
    options: Options,
) -> Result<()> {
    let api_version = object
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
    let gvk = Gvk::from_api_version(api_version, kind);
    let is_role_binding = kind == "RoleBinding" || kind == "ClusterRoleBinding";
    // metadata.namespace is handled here, never by specs (cluster-scoped
    // kinds must keep none); metadata.name specs only rename `v1` Namespaces.
    let specs: Vec<&FieldSpec> = specs
        .iter()
        .filter(|s| !s.path_is(&["metadata", "namespace"]))
        .filter(|s| api_version == "v1" || !s.path_is(&["metadata", "name"]))
        .filter(|s| {
            let hard_coded = (s.gvk.kind == "RoleBinding" || s.gvk.kind == "ClusterRoleBinding")
                && s.path_is(&["subjects", "namespace"]);
            !(is_role_binding && hard_coded)
        })
        .collect();
    let mut setter = |node: &mut Value| set_scalar(node, namespace, options.unset_only);
    if !gvk.is_cluster_scoped() {
        let meta = FieldSpec::new(Gvk::default(), "metadata/namespace", true);
        apply_at_creating(object, &meta, Leaf::Scalar, &mut setter)?;
    }
    if is_role_binding {
        set_subjects(object, namespace, options)?;
    }
    for spec in specs {
        apply_at_creating(object, spec, Leaf::Scalar, &mut setter).map_err(|e| {
            Error::msg(format!(
                "namespace field specs must target scalar nodes: {e}"
            ))
        })?;
    }
    Ok(())
}

/// Writes the namespace into a scalar field (kyaml's `SetEntry("", ns)`).
fn set_scalar(node: &mut Value, namespace: &str, unset_only: bool) -> Result<()> {
    match node {
        Value::Object(_) | Value::Array(_) => Err(Error::msg(format!(
            "wrong node kind: expected a scalar but got {}",
            value_kind(node)
        ))),
        Value::String(s) if unset_only && !s.is_empty() => Ok(()),
        Value::Bool(_) | Value::Number(_) if unset_only => Ok(()),
        _ => {
            *node = Value::String(namespace.to_string());
            Ok(())
        }
    }
}

/// Sets the namespace on the subjects the mode selects.
fn set_subjects(object: &mut Value, namespace: &str, options: Options) -> Result<()> {
    let Some(subjects) = object.get_mut("subjects") else {
        return Ok(());
    };
    let subjects = match subjects {
        Value::Null => return Ok(()),
        Value::Array(items) => items,
        other => {
            return Err(Error::msg(format!(
                "setting namespace on (cluster)role binding subjects: expected a list, found {}",
                value_kind(other)
            )))
        }
    };
    let (field, wanted) = match options.subjects {
        SubjectMode::None => return Ok(()),
        SubjectMode::DefaultOnly => ("name", "default"),
        SubjectMode::AllServiceAccounts => ("kind", "ServiceAccount"),
    };
    for subject in subjects {
        let Value::Object(map) = subject else {
            continue;
        };
        if map.get(field).and_then(Value::as_str) != Some(wanted) {
            continue;
        }
        let slot = map
            .entry("namespace")
            .or_insert_with(|| Value::String(String::new()));
        set_scalar(slot, namespace, options.unset_only)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::fieldspec::TransformerConfig;
    use crate::resource::{Origin, Resource};
    use serde_json::json;

    fn run(objects: Vec<Value>) -> Result<Vec<Value>> {
        let mut map = ResourceMap::new();
        for object in objects {
            map.append(Resource::new(object, Origin::Inline).unwrap())
                .unwrap();
        }
        apply(
            &mut map,
            "prod",
            &TransformerConfig::builtin().namespace,
            Options::default(),
        )?;
        Ok(map
            .into_vec()
            .into_iter()
            .map(Resource::into_object)
            .collect())
    }

    /// Expected outputs are `kubectl kustomize` with `namespace: prod`
    /// (/tmp/tx/ns).
    #[test]
    fn sets_namespaces_as_kustomize() {
        let cases = [
            (
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}}),
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": "prod"}}),
            ),
            // RoleBinding: subjects named `default` only, whatever their kind
            (
                json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                    "metadata": {"name": "rb", "namespace": "old"},
                    "subjects": [
                        {"kind": "ServiceAccount", "name": "default"},
                        {"kind": "ServiceAccount", "name": "default", "namespace": "other"},
                        {"kind": "ServiceAccount", "name": "sa"},
                        {"kind": "ServiceAccount", "name": "sa2", "namespace": "other"},
                        {"kind": "User", "name": "default"},
                        {"kind": "Group", "name": "g"}]}),
                json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                    "metadata": {"name": "rb", "namespace": "prod"},
                    "subjects": [
                        {"kind": "ServiceAccount", "name": "default", "namespace": "prod"},
                        {"kind": "ServiceAccount", "name": "default", "namespace": "prod"},
                        {"kind": "ServiceAccount", "name": "sa"},
                        {"kind": "ServiceAccount", "name": "sa2", "namespace": "other"},
                        {"kind": "User", "name": "default", "namespace": "prod"},
                        {"kind": "Group", "name": "g"}]}),
            ),
            // ClusterRoleBinding: no metadata.namespace, `default` subjects moved
            (
                json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                    "metadata": {"name": "crb"},
                    "subjects": [
                        {"kind": "ServiceAccount", "name": "default", "namespace": "kube-system"},
                        {"kind": "ServiceAccount", "name": "x"}]}),
                json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                    "metadata": {"name": "crb"},
                    "subjects": [
                        {"kind": "ServiceAccount", "name": "default", "namespace": "prod"},
                        {"kind": "ServiceAccount", "name": "x"}]}),
            ),
            // cluster-scoped kinds are left alone, even with a namespace
            (
                json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "cr"}}),
                json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "cr"}}),
            ),
            (
                json!({"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "pv", "namespace": "weird"}}),
                json!({"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "pv", "namespace": "weird"}}),
            ),
            // a v1 Namespace is renamed; another group's Namespace is namespaced
            (
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "foo"}}),
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "prod"}}),
            ),
            (
                json!({"apiVersion": "example.com/v1", "kind": "Namespace", "metadata": {"name": "foo2"}}),
                json!({"apiVersion": "example.com/v1", "kind": "Namespace", "metadata": {"name": "foo2", "namespace": "prod"}}),
            ),
            // APIService: spec.service.namespace, created
            (
                json!({"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
                    "metadata": {"name": "v1.y.example.com"}, "spec": {"group": "y"}}),
                json!({"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
                    "metadata": {"name": "v1.y.example.com"}, "spec": {"group": "y", "service": {"namespace": "prod"}}}),
            ),
            // CRD conversion webhook: set, not created
            (
                json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                    "metadata": {"name": "crd.example.com"},
                    "spec": {"conversion": {"webhook": {"clientConfig": {"service": {"name": "svc", "namespace": "old"}}}}}}),
                json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                    "metadata": {"name": "crd.example.com"},
                    "spec": {"conversion": {"webhook": {"clientConfig": {"service": {"name": "svc", "namespace": "prod"}}}}}}),
            ),
            (
                json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                    "metadata": {"name": "crd2.example.com"}, "spec": {"group": "x"}}),
                json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                    "metadata": {"name": "crd2.example.com"}, "spec": {"group": "x"}}),
            ),
            // webhook configurations have no namespace field spec in v5.5.0
            (
                json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
                    "metadata": {"name": "vw"},
                    "webhooks": [{"name": "w", "clientConfig": {"service": {"name": "svc", "namespace": "old"}}}]}),
                json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
                    "metadata": {"name": "vw"},
                    "webhooks": [{"name": "w", "clientConfig": {"service": {"name": "svc", "namespace": "old"}}}]}),
            ),
        ];
        let (inputs, expected): (Vec<_>, Vec<_>) = cases.into_iter().unzip();
        assert_eq!(run(inputs).unwrap(), expected);
    }

    #[test]
    fn keeps_the_old_ids() {
        let mut map = ResourceMap::new();
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}});
        map.append(Resource::new(cm, Origin::Inline).unwrap())
            .unwrap();
        apply(
            &mut map,
            "prod",
            &TransformerConfig::builtin().namespace,
            Options::default(),
        )
        .unwrap();
        let r = &map.as_slice()[0];
        assert_eq!(r.original_id().namespace, "");
        assert_eq!(r.id().namespace, "prod");
    }

    #[test]
    fn conflicts_are_errors() {
        // kubectl: "namespace transformation produces ID conflict"
        let a = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "x"}});
        let b = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "y"}});
        let err = run(vec![a, b]).unwrap_err().to_string();
        assert!(err.contains("ID conflict"), "{err}");
    }

    #[test]
    fn options() {
        let rb = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": "rb", "namespace": "old"},
            "subjects": [{"kind": "ServiceAccount", "name": "sa"}, {"kind": "User", "name": "default"}]});
        let mut object = rb.clone();
        let options = Options {
            unset_only: true,
            subjects: SubjectMode::AllServiceAccounts,
        };
        set_namespace(&mut object, "prod", &[], options).unwrap();
        assert_eq!(object["metadata"]["namespace"], "old");
        assert_eq!(object["subjects"][0]["namespace"], "prod");
        assert!(object["subjects"][1].get("namespace").is_none());
        assert!(SubjectMode::parse("bogus").is_err());
    }
}
