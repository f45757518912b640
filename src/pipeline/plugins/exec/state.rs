//! What a resource carries across an external plugin. kustomize keeps its
//! build state in `internal.config.kubernetes.io/*` annotations, so a
//! plugin sees it on stdin and whatever the plugin writes back is the
//! state from then on; strata keeps the state typed (see
//! [`crate::resource::Resource`]) and turns it into those annotations and
//! back around each run.

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::id::{Gvk, ResId};
use crate::resource::{Behavior, Generated, Resource};

const PREVIOUS_KINDS: &str = "internal.config.kubernetes.io/previousKinds";
const PREVIOUS_NAMES: &str = "internal.config.kubernetes.io/previousNames";
const PREVIOUS_NAMESPACES: &str = "internal.config.kubernetes.io/previousNamespaces";
const PREFIXES: &str = "internal.config.kubernetes.io/prefixes";
const SUFFIXES: &str = "internal.config.kubernetes.io/suffixes";
const GENERATOR_BEHAVIOR: &str = "internal.config.kubernetes.io/generatorBehavior";
const NEEDS_HASH_SUFFIX: &str = "internal.config.kubernetes.io/needsHashSuffix";

/// The annotation naming a resource's current id on a transformer's input.
pub const ID_ANNOTATION: &str = "kustomize.config.k8s.io/id";
/// Generator output: `"true"` asks for a content-hash name suffix.
pub const NEEDS_HASH_ANNOTATION: &str = "kustomize.config.k8s.io/needs-hash";
/// Generator output: `create`, `merge` or `replace`.
pub const BEHAVIOR_ANNOTATION: &str = "kustomize.config.k8s.io/behavior";

/// kustomize's namespace for ids of cluster-scoped kinds.
const NOT_A_NAMESPACE: &str = "_non_namespaceable_";

/// kustomize's build state annotations (part of `resource.BuildAnnotations`).
const STATE_ANNOTATIONS: &[&str] = &[
    PREVIOUS_KINDS,
    PREVIOUS_NAMES,
    PREFIXES,
    SUFFIXES,
    PREVIOUS_NAMESPACES,
    "internal.config.kubernetes.io/allowNameChange",
    "internal.config.kubernetes.io/allowKindChange",
    "internal.config.kubernetes.io/refBy",
    GENERATOR_BEHAVIOR,
    NEEDS_HASH_SUFFIX,
];

/// kyaml's reader and function bookkeeping annotations (the rest of
/// `resource.BuildAnnotations`).
const KIO_ANNOTATIONS: &[&str] = &[
    "internal.config.kubernetes.io/path",
    "internal.config.kubernetes.io/index",
    "internal.config.kubernetes.io/seqindent",
    "internal.config.kubernetes.io/id",
    "internal.config.kubernetes.io/annotations-migration-resource-id",
    "config.kubernetes.io/path",
    "config.kubernetes.io/index",
    "config.k8s.io/id",
];

/// The object a plugin is given for `resource`: its state as kustomize's
/// annotations, and its current id under [`ID_ANNOTATION`].
pub fn plugin_input(resource: &Resource) -> Value {
    let mut object = resource.object().clone();
    let mut notes: Vec<(&str, String)> = Vec::new();
    if !resource.previous_ids.is_empty() {
        let join = |part: &dyn Fn(&ResId) -> String| {
            let parts: Vec<String> = resource.previous_ids.iter().map(part).collect();
            parts.join(",")
        };
        notes.push((PREVIOUS_KINDS, join(&|id| id.gvk.kind.clone())));
        notes.push((PREVIOUS_NAMES, join(&|id| id.name.clone())));
        notes.push((
            PREVIOUS_NAMESPACES,
            join(&|id| {
                if id.gvk.is_cluster_scoped() {
                    NOT_A_NAMESPACE.to_string()
                } else {
                    id.effective_namespace().to_string()
                }
            }),
        ));
    }
    if !resource.name_prefixes.is_empty() {
        notes.push((PREFIXES, resource.name_prefixes.join(",")));
    }
    if !resource.name_suffixes.is_empty() {
        notes.push((SUFFIXES, resource.name_suffixes.join(",")));
    }
    if let Some(generated) = &resource.generated {
        let behavior = match generated.behavior {
            Behavior::Create => "unspecified",
            Behavior::Merge => "merge",
            Behavior::Replace => "replace",
        };
        notes.push((GENERATOR_BEHAVIOR, behavior.to_string()));
        if generated.append_hash {
            notes.push((NEEDS_HASH_SUFFIX, "enabled".to_string()));
        }
    }
    notes.push((ID_ANNOTATION, id_yaml(&resource.id())));
    // A resource is always a mapping, so there are always annotations to set.
    if let Some(annotations) = annotations_mut(&mut object) {
        for (key, value) in notes {
            annotations.insert(key.to_string(), Value::String(value));
        }
    }
    object
}

/// A resource's id as kustomize writes it for plugins (sigs.k8s.io/yaml
/// of its `ResId`: keys sorted, empty ones left out).
fn id_yaml(id: &ResId) -> String {
    let mut map = Map::new();
    let mut put = |key: &str, value: &str| {
        if !value.is_empty() {
            map.insert(key.to_string(), Value::String(value.to_string()));
        }
    };
    put("group", &id.gvk.group);
    put("kind", &id.gvk.kind);
    put("name", &id.name);
    put("namespace", &id.namespace);
    put("version", &id.gvk.version);
    crate::emit::document(&Value::Object(map))
}

/// Takes kustomize's state annotations off a plugin's output object and
/// puts them on `resource` (whose object it now is): what the plugin kept
/// is the state, what it dropped is gone, as in kustomize.
pub fn adopt(resource: &mut Resource) -> Result<()> {
    let mut take = |key: &str| -> Option<String> {
        let annotations = resource
            .metadata_mut()
            .get_mut("annotations")
            .and_then(Value::as_object_mut)?;
        match annotations.remove(key)? {
            Value::String(text) => Some(text),
            other => crate::kyaml::scalar_text(&other).map(|t| t.into_owned()),
        }
    };
    let kinds = take(PREVIOUS_KINDS);
    let names = take(PREVIOUS_NAMES);
    let namespaces = take(PREVIOUS_NAMESPACES);
    let prefixes = take(PREFIXES);
    let suffixes = take(SUFFIXES);
    let behavior = take(GENERATOR_BEHAVIOR);
    let needs_hash = take(NEEDS_HASH_SUFFIX);
    take(ID_ANNOTATION);
    let csv = |text: Option<String>| -> Vec<String> {
        text.filter(|t| !t.is_empty())
            .map(|t| t.split(',').map(str::to_string).collect())
            .unwrap_or_default()
    };
    let (kinds, names, namespaces) = (csv(kinds), csv(names), csv(namespaces));
    if kinds.len() != names.len() || names.len() != namespaces.len() {
        return Err(Error::resource(
            &resource.id(),
            format!(
                "plugin output: `{PREVIOUS_KINDS}`, `{PREVIOUS_NAMES}` and `{PREVIOUS_NAMESPACES}` must list as many entries"
            ),
        ));
    }
    let gvk = resource.gvk();
    resource.previous_ids = kinds
        .into_iter()
        .zip(names)
        .zip(namespaces)
        .map(|((kind, name), namespace)| {
            let namespace = if namespace == NOT_A_NAMESPACE {
                ""
            } else {
                &namespace
            };
            ResId::new(Gvk::new(&gvk.group, &gvk.version, &kind), namespace, &name)
        })
        .collect();
    resource.name_prefixes = csv(prefixes);
    resource.name_suffixes = csv(suffixes);
    resource.generated = match (behavior, needs_hash) {
        (None, None) => None,
        (behavior, needs_hash) => Some(Generated {
            behavior: parse_behavior(behavior.as_deref().unwrap_or("")),
            append_hash: needs_hash.as_deref() == Some("enabled"),
        }),
    };
    drop_empty_annotations(resource.object_mut());
    Ok(())
}

/// Reads a generator's output options (kustomize's `UpdateResourceOptions`):
/// [`NEEDS_HASH_ANNOTATION`] and [`BEHAVIOR_ANNOTATION`], both removed.
pub fn adopt_generated(resource: &mut Resource) -> Result<()> {
    adopt(resource)?;
    let id = resource.id();
    let annotations = resource
        .metadata_mut()
        .get_mut("annotations")
        .and_then(Value::as_object_mut);
    let (needs_hash, behavior) = match annotations {
        Some(annotations) => (
            annotations.remove(NEEDS_HASH_ANNOTATION),
            annotations.remove(BEHAVIOR_ANNOTATION),
        ),
        None => (None, None),
    };
    let needs_hash = match needs_hash.as_ref().map(crate::kyaml::scalar_text) {
        None => false,
        Some(Some(text)) => parse_go_bool(&text).ok_or_else(|| {
            Error::resource(
                &id,
                format!("the annotation \"{NEEDS_HASH_ANNOTATION}\" contains an invalid value (\"{text}\")"),
            )
        })?,
        Some(None) => {
            return Err(Error::resource(
                &id,
                format!("the annotation \"{NEEDS_HASH_ANNOTATION}\" must be a string"),
            ))
        }
    };
    let behavior = behavior
        .as_ref()
        .and_then(crate::kyaml::scalar_text)
        .map(|b| parse_behavior(&b))
        .unwrap_or_default();
    let generated = resource.generated.get_or_insert(Generated {
        behavior,
        append_hash: false,
    });
    generated.behavior = behavior;
    generated.append_hash |= needs_hash;
    drop_empty_annotations(resource.object_mut());
    Ok(())
}

/// Removes kyaml's reader and function bookkeeping annotations.
pub fn strip_kio_annotations(object: &mut Value) {
    strip(object, &[KIO_ANNOTATIONS]);
}

/// Removes every annotation kustomize removes before output
/// (`resource.BuildAnnotations`), wherever it came from.
pub fn strip_build_annotations(object: &mut Value) {
    strip(object, &[STATE_ANNOTATIONS, KIO_ANNOTATIONS]);
}

fn strip(object: &mut Value, lists: &[&[&str]]) {
    let Some(annotations) = object
        .get_mut("metadata")
        .and_then(|m| m.get_mut("annotations"))
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let mut removed = false;
    for key in lists.iter().flat_map(|list| list.iter()) {
        removed |= annotations.remove(*key).is_some();
    }
    if removed {
        drop_empty_annotations(object);
    }
}

/// kustomize's `GenerationBehavior` names; anything else is unspecified (create).
fn parse_behavior(text: &str) -> Behavior {
    match text {
        "merge" => Behavior::Merge,
        "replace" => Behavior::Replace,
        _ => Behavior::Create,
    }
}

/// Go's `strconv.ParseBool`.
fn parse_go_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// The object's annotations, made (as mappings) where missing or not mappings.
fn annotations_mut(object: &mut Value) -> Option<&mut Map<String, Value>> {
    let metadata = object
        .as_object_mut()?
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    if !metadata.is_object() {
        *metadata = Value::Object(Map::new());
    }
    let annotations = metadata
        .as_object_mut()?
        .entry("annotations")
        .or_insert_with(|| Value::Object(Map::new()));
    if !annotations.is_object() {
        *annotations = Value::Object(Map::new());
    }
    annotations.as_object_mut()
}

/// An emptied annotations mapping is removed, as kyaml's `SetAnnotations` does.
fn drop_empty_annotations(object: &mut Value) {
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        if metadata
            .get("annotations")
            .and_then(Value::as_object)
            .is_some_and(Map::is_empty)
        {
            metadata.remove("annotations");
        }
    }
}
