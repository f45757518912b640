//! `namePrefix:` and `nameSuffix:` (kustomize's PrefixTransformer and
//! SuffixTransformer): add text before or after the fields the
//! `namePrefix`/`nameSuffix` field specs name, `metadata/name` by default.
//!
//! CustomResourceDefinitions, `apiregistration.k8s.io` APIServices and
//! Namespaces (of any group) are never renamed, as in kustomize.

use serde_json::Value;

use crate::engine::fieldspec::{apply_at_creating, FieldSpec, Leaf};
use crate::error::{Error, Result};
use crate::id::Gvk;
use crate::resource::{value_kind, Resource, ResourceMap};

/// Kinds kustomize never prefixes or suffixes, as GVK selectors.
const SKIPPED: &[(&str, &str)] = &[
    ("", "CustomResourceDefinition"),
    ("apiregistration.k8s.io", "APIService"),
    ("", "Namespace"),
];

#[derive(Clone, Copy)]
enum Side {
    Prefix,
    Suffix,
}

/// Adds `prefix` to the names `specs` select (the `namePrefix` specs).
pub fn apply_prefix(resources: &mut ResourceMap, prefix: &str, specs: &[FieldSpec]) -> Result<()> {
    apply(resources, prefix, specs, Side::Prefix)
}

/// Adds `suffix` to the names `specs` select (the `nameSuffix` specs).
pub fn apply_suffix(resources: &mut ResourceMap, suffix: &str, specs: &[FieldSpec]) -> Result<()> {
    apply(resources, suffix, specs, Side::Suffix)
}

fn apply(resources: &mut ResourceMap, text: &str, specs: &[FieldSpec], side: Side) -> Result<()> {
    if text.is_empty() {
        return Ok(());
    }
    for resource in resources.edit().iter_mut() {
        rename(resource, text, specs, side)?;
    }
    Ok(())
}

fn is_skipped(gvk: &Gvk) -> bool {
    SKIPPED
        .iter()
        .any(|(group, kind)| gvk.is_selected_by(&Gvk::new(group, "", kind)))
}

/// Applies every selecting spec to one resource. Specs and the skip list
/// select by the resource's original id; the walker matches the current
/// object, as kustomize does.
fn rename(resource: &mut Resource, text: &str, specs: &[FieldSpec], side: Side) -> Result<()> {
    let original = resource.original_id();
    if is_skipped(&original.gvk) {
        return Ok(());
    }
    for spec in specs {
        if !original.gvk.is_selected_by(&spec.gvk) {
            continue;
        }
        if spec.path_is(&["metadata", "name"]) {
            match side {
                Side::Prefix => resource.name_prefixes.push(text.to_string()),
                Side::Suffix => resource.name_suffixes.push(text.to_string()),
            }
            let id = resource.id();
            resource.previous_ids.push(id);
        }
        let id = resource.id();
        // As in kustomize, a spec with `create` first makes a missing field "".
        apply_at_creating(resource.object_mut(), spec, Leaf::Scalar, &mut |node| {
            affix(node, text, side)
        })
        .map_err(|e| {
            Error::msg(format!("adding name {}: {e}", side_word(side))).context(id.to_string())
        })?;
    }
    Ok(())
}

fn side_word(side: Side) -> &'static str {
    match side {
        Side::Prefix => "prefix",
        Side::Suffix => "suffix",
    }
}

/// Adds the text to a scalar field; numbers and booleans are taken as text.
fn affix(node: &mut Value, text: &str, side: Side) -> Result<()> {
    let current = match node {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => String::new(),
        other => {
            return Err(Error::msg(format!(
                "wrong node kind: expected a scalar but got {}",
                value_kind(other)
            )))
        }
    };
    *node = Value::String(match side {
        Side::Prefix => format!("{text}{current}"),
        Side::Suffix => format!("{current}{text}"),
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::fieldspec::TransformerConfig;
    use crate::resource::Origin;
    use serde_json::json;

    fn named(api_version: &str, kind: &str, name: Value) -> Value {
        json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": name}})
    }

    /// `kubectl kustomize` with `namePrefix: p-` and `nameSuffix: -s`
    /// (/tmp/tx/ps).
    #[test]
    fn renames_as_kustomize() {
        let cases = [
            (named("v1", "ConfigMap", json!("cm")), "p-cm-s"),
            (
                named("rbac.authorization.k8s.io/v1", "ClusterRole", json!("cr")),
                "p-cr-s",
            ),
            (
                named(
                    "apiextensions.k8s.io/v1",
                    "CustomResourceDefinition",
                    json!("crd.example.com"),
                ),
                "crd.example.com",
            ),
            (named("v1", "Namespace", json!("ns")), "ns"),
            (named("example.com/v1", "Namespace", json!("ns2")), "ns2"),
            (
                named("apiregistration.k8s.io/v1", "APIService", json!("api")),
                "api",
            ),
            (
                named("example.com/v1", "APIService", json!("api2")),
                "p-api2-s",
            ),
            (named("example.com/v1", "Thing", json!(123)), "p-123-s"),
        ];
        let config = TransformerConfig::builtin();
        let mut map: ResourceMap = cases
            .iter()
            .map(|(object, _)| Resource::new(object.clone(), Origin::Inline).unwrap())
            .collect();
        apply_prefix(&mut map, "p-", &config.name_prefix).unwrap();
        apply_suffix(&mut map, "-s", &config.name_suffix).unwrap();
        for (resource, (_, expected)) in map.iter().zip(&cases) {
            assert_eq!(resource.name(), *expected);
        }
        let cm = &map.as_slice()[0];
        assert_eq!(cm.original_id().name, "cm");
        assert_eq!(cm.previous_ids.len(), 2);
        assert_eq!(cm.name_prefixes, vec!["p-"]);
        assert_eq!(cm.name_suffixes, vec!["-s"]);
        let crd = &map.as_slice()[2];
        assert!(crd.previous_ids.is_empty());
        assert!(crd.name_prefixes.is_empty());
    }

    /// A `configurations:` prefix spec with `create` (kubectl, /tmp/tx/pc).
    #[test]
    fn custom_specs_may_create() {
        let custom = json!({"namePrefix": [{"path": "spec/foo", "kind": "Foo", "create": true}]});
        let mut config = TransformerConfig::clone(&TransformerConfig::builtin());
        config
            .merge(&TransformerConfig::from_value(&custom, std::path::Path::new("c.yaml")).unwrap())
            .unwrap();
        let foo = json!({"apiVersion": "example.com/v1", "kind": "Foo", "metadata": {"name": "f"}, "spec": {}});
        let mut map: ResourceMap = [Resource::new(foo, Origin::Inline).unwrap()]
            .into_iter()
            .collect();
        apply_prefix(&mut map, "p-", &config.name_prefix).unwrap();
        assert_eq!(
            map.as_slice()[0].object(),
            &json!({"apiVersion": "example.com/v1", "kind": "Foo", "metadata": {"name": "p-f"}, "spec": {"foo": "p-"}})
        );
    }
}
