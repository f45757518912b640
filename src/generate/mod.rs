//! Generators: resources made from data in a kustomization, and how a
//! generated resource combines with what lower layers already produced.
//!
//! [`configmap`] builds ConfigMaps and Secrets; [`hash`] computes and
//! appends kustomize's content-hash suffix at the end of the build. This
//! module owns kustomize's `behavior` rules (`create`, `merge`, `replace`,
//! from `resWrangler.appendReplaceOrMerge`): [`absorb_generated`] adds one
//! generated resource to a layer's resources, [`merge_generated`] combines
//! two resources once the target is known.

pub mod configmap;
pub mod hash;
pub mod helm;

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::kyaml::{node_text, Null};
use crate::resource::{Behavior, Resource, ResourceMap};

/// Adds a generated resource to `resources` as kustomize does: with
/// `create` (the default) it must be new; with `merge` or `replace` exactly
/// one resource must have (or have had) its id, and the two are combined
/// in that resource's place.
pub fn absorb_generated(resources: &mut ResourceMap, incoming: Resource) -> Result<()> {
    let behavior = incoming
        .generated
        .as_ref()
        .map(|g| g.behavior)
        .unwrap_or_default();
    let position = match merge_target(resources, &incoming)? {
        Some(position) => position,
        None if behavior == Behavior::Create => return resources.append(incoming),
        None => {
            return Err(Error::msg(format!(
                "{}: {} has behavior `{}` but there is no {} to {}",
                incoming.origin,
                incoming.id(),
                behavior_name(behavior),
                incoming.id(),
                behavior_name(behavior),
            ))
            .with_hint("a generator with `behavior: merge` or `replace` changes a resource from a lower layer (a `resources:` entry); check its name and namespace"))
        }
    };
    let mut edit = resources.edit();
    merge_generated(&mut edit[position], incoming)
}

/// The position of the one resource any of whose ids (current or earlier)
/// equals the incoming resource's current id; an error when several match.
pub fn merge_target(resources: &ResourceMap, incoming: &Resource) -> Result<Option<usize>> {
    let id = incoming.id();
    let matches: Vec<usize> = resources
        .iter()
        .enumerate()
        .filter(|(_, r)| r.all_ids().any(|other| other.same_as(&id)))
        .map(|(position, _)| position)
        .collect();
    match matches.as_slice() {
        [] => Ok(None),
        [position] => Ok(Some(*position)),
        several => {
            let names: Vec<String> = several
                .iter()
                .map(|&p| {
                    let r = &resources.as_slice()[p];
                    format!("{} (from {})", r.id(), r.origin)
                })
                .collect();
            Err(Error::msg(format!(
                "{}: several resources could accept the generated {}: {}",
                incoming.origin,
                id,
                names.join(", ")
            )))
        }
    }
}

/// Combines a generated resource with the existing resource of the same
/// id, by the incoming resource's behavior:
///
/// * `merge`: the incoming object, with `data`, `binaryData`, labels and
///   annotations merged key by key (incoming wins);
/// * `replace`: the incoming object, with labels and annotations merged.
///
/// Either way the result keeps the existing name, namespace, rename history
/// and behavior, and gets a hash suffix only if both resources asked for one
/// (a plain ConfigMap from `resources:` never gets one). `create` is an error.
pub fn merge_generated(existing: &mut Resource, incoming: Resource) -> Result<()> {
    let behavior = incoming
        .generated
        .as_ref()
        .map(|g| g.behavior)
        .unwrap_or_default();
    if behavior == Behavior::Create {
        return Err(Error::msg(format!(
            "{}: {} already exists (from {}); a generator that changes it needs `behavior: merge` or `behavior: replace`",
            incoming.origin,
            incoming.id(),
            existing.origin
        )));
    }
    let incoming_hash = incoming.generated.as_ref().is_some_and(|g| g.append_hash);
    let mut result = incoming;
    merge_metadata(&mut result, existing);
    if behavior == Behavior::Merge {
        for field in ["data", "binaryData"] {
            let merged = merge_string_maps(existing.map().get(field), result.map().get(field));
            set_or_remove(result.map_mut(), field, merged);
        }
        // kustomize keeps the existing resource's origin on a merge.
        result.origin = existing.origin.clone();
    }
    result.previous_ids = std::mem::take(&mut existing.previous_ids);
    // kustomize keeps the vars bound to it and its transformer annotations.
    result.var_names = std::mem::take(&mut existing.var_names);
    result.transformations = std::mem::take(&mut existing.transformations);
    result.generated = existing.generated.take().map(|mut generated| {
        generated.append_hash &= incoming_hash;
        generated
    });
    *existing = result;
    Ok(())
}

/// Labels and annotations merged (incoming wins), name and namespace from
/// the existing resource, as kustomize's `CopyMergeMetaDataFieldsFrom`.
fn merge_metadata(result: &mut Resource, existing: &Resource) {
    // kyaml reads these as node text: `key: null` is "null", `key:` is "".
    let text = |field: &str| {
        let mut merged = merge_string_maps(
            existing.at(&["metadata", field]),
            result.at(&["metadata", field]),
        );
        for (key, value) in merged.iter_mut() {
            let pointer = format!(
                "/metadata/{field}/{}",
                key.replace('~', "~0").replace('/', "~1")
            );
            let was_null = [existing, &*result]
                .iter()
                .rev()
                .find_map(|r| r.at(&["metadata", field, key]))
                .is_some_and(Value::is_null);
            let written_empty = [existing, &*result]
                .iter()
                .any(|r| r.empty_nulls.contains(&pointer));
            if was_null && !written_empty {
                *value = Value::String("null".into());
            }
        }
        merged
    };
    let labels = text("labels");
    let annotations = text("annotations");
    let name = existing.name().to_string();
    let namespace = existing.namespace().to_string();
    let metadata = result.metadata_mut();
    set_or_remove(metadata, "labels", labels);
    set_or_remove(metadata, "annotations", annotations);
    metadata.insert("name".into(), Value::String(name));
    if namespace.is_empty() {
        metadata.remove("namespace");
    } else {
        metadata.insert("namespace".into(), Value::String(namespace));
    }
}

/// The union of two string maps, `over` winning. kustomize reads and
/// rewrites the values as strings (`5` becomes `"5"`), keys sorted.
fn merge_string_maps(under: Option<&Value>, over: Option<&Value>) -> Map<String, Value> {
    let mut merged = std::collections::BTreeMap::new();
    for map in [under, over]
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
    {
        for (key, value) in map {
            merged.insert(
                key.clone(),
                Value::String(node_text(value, Null::Empty).into_owned()),
            );
        }
    }
    merged.into_iter().collect()
}

/// kustomize removes a label, annotation or data map that would be empty.
fn set_or_remove(map: &mut Map<String, Value>, field: &str, value: Map<String, Value>) {
    if value.is_empty() {
        map.remove(field);
    } else {
        map.insert(field.into(), Value::Object(value));
    }
}

fn behavior_name(behavior: Behavior) -> &'static str {
    match behavior {
        Behavior::Create => "create",
        Behavior::Merge => "merge",
        Behavior::Replace => "replace",
    }
}

#[cfg(test)]
mod tests;
