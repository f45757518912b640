//! The `replicas:` transformer: kustomize's `ReplicaCountTransformer` with
//! its default field specs (`spec/replicas`, created when missing, on kinds
//! `Deployment`, `StatefulSet`, `ReplicaSet` and `ReplicationController` of
//! any group and version).
//!
//! An entry's `name` is compared with every name a resource has had (its
//! original name as well as the current, prefixed one) and namespaces are
//! ignored, so one entry may set several resources. An entry that matches
//! nothing is an error.

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::id::Gvk;
use crate::load::kustomization::Replica;
use crate::resource::{value_kind, Resource, ResourceMap};

/// The kinds of kustomize's default `replicas` field specs, in the order
/// kustomize lists them in its "does not match" error.
const KINDS: [&str; 4] = [
    "Deployment",
    "StatefulSet",
    "ReplicaSet",
    "ReplicationController",
];

/// Applies every `replicas:` entry, in order.
pub fn apply(resources: &mut ResourceMap, replicas: &[Replica]) -> Result<()> {
    for replica in replicas {
        apply_one(resources, replica)?;
    }
    Ok(())
}

fn apply_one(resources: &mut ResourceMap, replica: &Replica) -> Result<()> {
    let mut found = false;
    for resource in resources.edit().iter_mut() {
        if !matches(resource, &replica.name) {
            continue;
        }
        found = true;
        // The match may be through an earlier kind; kustomize then sets nothing.
        if !KINDS.contains(&resource.kind()) {
            continue;
        }
        let (id, origin) = (resource.id(), resource.origin.clone());
        set_replicas(resource.map_mut(), replica.count).map_err(|message| {
            Error::resource(
                &id,
                format!(
                    "(from {origin}): replicas: entry `{}`: field `spec/replicas`: {message}",
                    replica.name
                ),
            )
        })?;
    }
    if found {
        Ok(())
    } else {
        Err(Error::msg(format!(
            "replicas: no resource named `{}` has kind {}",
            replica.name,
            KINDS.map(|kind| format!("`{kind}`")).join(", ")
        ))
        .with_hint("the name may be a resource's original name or its current name (with prefix and suffix)"))
    }
}

/// Whether any id the resource has had carries this name and a selected kind.
fn matches(resource: &Resource, name: &str) -> bool {
    resource.all_ids().any(|id| {
        id.name == name
            && KINDS
                .iter()
                .any(|kind| id.gvk.is_selected_by(&Gvk::new("", "", kind)))
    })
}

/// Sets `spec/replicas`, creating `spec` and `replicas` when missing or null.
fn set_replicas(object: &mut Map<String, Value>, count: i64) -> Result<(), String> {
    let spec = object
        .entry("spec")
        .or_insert_with(|| Value::Object(Map::new()));
    if spec.is_null() {
        *spec = Value::Object(Map::new());
    }
    match spec {
        Value::Object(spec) => set_count(spec, count),
        // kustomize walks a list element by element with the same path.
        Value::Array(items) => items.iter_mut().try_for_each(|item| match item {
            Value::Null => Ok(()),
            Value::Object(map) => set_count(map, count),
            other => Err(expected_container(other)),
        }),
        other => Err(expected_container(other)),
    }
}

/// A quoted string count stays a string, as kustomize keeps the old style.
fn set_count(spec: &mut Map<String, Value>, count: i64) -> Result<(), String> {
    let field = spec.entry("replicas").or_insert(Value::Null);
    *field = match field {
        Value::String(_) => Value::String(count.to_string()),
        Value::Null | Value::Number(_) | Value::Bool(_) => Value::from(count),
        other => return Err(format!("expected a number, found {}", value_kind(other))),
    };
    Ok(())
}

fn expected_container(value: &Value) -> String {
    format!(
        "expected `spec` to be a mapping, found {}",
        value_kind(value)
    )
}

#[cfg(test)]
mod tests;
