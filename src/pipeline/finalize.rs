//! The steps that act on the whole build after every layer is accumulated.

use serde_json::Value;

use crate::error::Result;
use crate::kyaml::{node_text, Null};
use crate::pipeline::target::Accumulated;
use crate::pipeline::MANAGED_BY_VALUE;
use crate::resource::ResourceMap;

/// Appends content-hash suffixes to generated ConfigMaps and Secrets.
pub fn add_hash_suffixes(acc: &mut Accumulated) -> Result<()> {
    crate::generate::hash::add_hash_suffixes(&mut acc.resources)
}

/// Rewrites references to renamed resources.
pub fn fix_name_references(acc: &mut Accumulated) -> Result<()> {
    crate::transform::nameref::fix_references(&mut acc.resources, &acc.config)
}

/// Expands `$(VAR)` references of the deprecated `vars`.
pub fn resolve_vars(acc: &mut Accumulated) -> Result<Vec<String>> {
    crate::transform::vars::resolve(&mut acc.resources, &acc.vars, &acc.config)
}

/// kustomize rewrites every resource's annotations from a string map when it
/// removes its own build annotations: each value becomes the text it was
/// written as (the reader keeps that text; values made in the build print
/// as Go would), maps and lists become `""`, and `annotations:` that is not
/// a map, or an empty one, goes away (but for kyaml's reading of a list).
pub fn stringify_annotations(resources: &mut ResourceMap) {
    for resource in resources.edit().iter_mut() {
        let metadata = resource.metadata_mut();
        let Some(annotations) = metadata.get_mut("annotations") else {
            continue;
        };
        match annotations {
            Value::Object(map) if !map.is_empty() => {
                for value in map.values_mut() {
                    if !value.is_string() {
                        *value = Value::String(node_text(value, Null::Word).into_owned());
                    }
                }
            }
            // kyaml walks a sequence's items as key, value, key, ...: an
            // even list of scalars becomes a map (kustomize panics on an odd one).
            Value::Array(items)
                if !items.is_empty()
                    && items.len() % 2 == 0
                    && items
                        .iter()
                        .all(|item| !item.is_array() && !item.is_object()) =>
            {
                let pairs = items
                    .chunks(2)
                    .map(|pair| {
                        let text = |v: &Value| node_text(v, Null::Word).into_owned();
                        (text(&pair[0]), Value::String(text(&pair[1])))
                    })
                    .collect();
                *annotations = Value::Object(pairs);
            }
            _ => {
                metadata.remove("annotations");
            }
        }
    }
}

/// Drops resources annotated `config.kubernetes.io/local-config: "true"`.
pub fn drop_local_config(resources: &mut ResourceMap) {
    resources.retain(|r| {
        r.annotations()
            .and_then(|a| a.get("config.kubernetes.io/local-config"))
            .and_then(Value::as_str)
            != Some("true")
    });
}

/// Removes the annotations kustomize removes before output: its build
/// state and kyaml's bookkeeping, whether a file or a plugin wrote them.
pub fn remove_build_annotations(resources: &mut ResourceMap) {
    for resource in resources.edit().iter_mut() {
        super::plugins::exec::state::strip_build_annotations(resource.object_mut());
    }
}

/// Adds `app.kubernetes.io/managed-by` to every resource.
pub fn add_managed_by_label(resources: &mut ResourceMap) {
    for resource in resources.edit().iter_mut() {
        let metadata = resource.metadata_mut();
        let labels = metadata
            .entry("labels")
            .or_insert_with(|| Value::Object(serde_json::Map::new()));
        if let Value::Object(labels) = labels {
            labels.insert(
                "app.kubernetes.io/managed-by".into(),
                Value::String(MANAGED_BY_VALUE.into()),
            );
        }
    }
}
