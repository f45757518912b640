//! The three patch fields of a kustomization: `patchesStrategicMerge`,
//! `patches` and `patchesJson6902`, as kustomize's builtin
//! PatchStrategicMergeTransformer, PatchTransformer and
//! PatchJson6902Transformer apply them.
//!
//! Loading (reading files, telling strategic-merge bodies from JSON
//! patches) is `crate::load::patches`; this module applies loaded patches.
//!
//! Which resource a patch reaches:
//! - a strategic-merge patch without `target` names its resource by its own
//!   apiVersion/kind/name/namespace, compared with every id the resource has
//!   had (so a patch may use the name from before a prefix or suffix); it
//!   must match exactly one;
//! - with `target`, every resource the selector picks (see
//!   [`crate::resource::selector`]); the patch's name and kind do not
//!   matter and the target keeps its own unless `options` allow a change.

use serde_json::Value;

use crate::engine::json6902::{self, Ops};
use crate::engine::smp::{self, OpenApi};
use crate::error::{Error, Result};
use crate::id::ResId;
use crate::kyaml::{node_text, Null};
use crate::load::patches::{LoadedPatch, PatchBody, PatchSource, SmPatch};
use crate::resource::selector::select;
use crate::resource::{Resource, ResourceMap};

/// The single resource any of whose ids (current or earlier) equals `id`.
fn find_by_any_id(resources: &ResourceMap, id: &ResId, source: &PatchSource) -> Result<usize> {
    let matches: Vec<usize> = resources
        .iter()
        .enumerate()
        .filter(|(_, r)| r.all_ids().any(|other| other.same_as(id)))
        .map(|(i, _)| i)
        .collect();
    match matches.as_slice() {
        [one] => Ok(*one),
        [] => Err(Error::msg(format!(
            "no resource matches strategic merge patch {source}: no matches for Id {id}"
        ))),
        _ => Err(Error::msg(format!(
            "strategic merge patch {source}: multiple matches for Id {id}"
        ))),
    }
}

/// `patchesStrategicMerge`: each document patches the resource it names.
/// A patch that deletes its resource (`$patch: delete`) removes it.
/// Merge keys come from `api`.
pub fn apply_strategic_merge(
    resources: &mut ResourceMap,
    patches: &[SmPatch],
    api: OpenApi<'_>,
) -> Result<()> {
    for patch in patches {
        let id = ResId::of(&patch.object);
        let position = find_by_any_id(resources, &id, &patch.source)?;
        let resource = &resources.as_slice()[position];
        let object = patch_for_target(&patch.object, resource);
        let update = merged(resource, &object, Options::default(), &patch.source, api)?;
        store(resources, vec![(position, update)]);
    }
    Ok(())
}

/// The patch as kustomize's `resWrangler.ApplySmPatch` prepares it: it
/// takes the target's apiVersion, and its labels and annotations are
/// rewritten as string maps (`null` and numbers become strings; an empty
/// or null map goes away, so it cannot delete the target's).
fn patch_for_target(patch: &Value, target: &Resource) -> Value {
    let mut patch = patch.clone();
    let Some(map) = patch.as_object_mut() else {
        return patch;
    };
    map.insert(
        "apiVersion".into(),
        Value::String(target.api_version().into()),
    );
    if let Some(metadata) = map.get_mut("metadata").and_then(Value::as_object_mut) {
        for field in ["labels", "annotations"] {
            let Some(value) = metadata.get(field) else {
                continue;
            };
            let strings: serde_json::Map<String, Value> = value
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        Value::String(node_text(v, Null::Word).into_owned()),
                    )
                })
                .collect();
            if strings.is_empty() {
                metadata.shift_remove(field);
            } else {
                metadata.insert(field.into(), Value::Object(strings));
            }
        }
    }
    patch
}

#[derive(Clone, Copy, Debug, Default)]
struct Options {
    allow_name_change: bool,
    allow_kind_change: bool,
}

/// Whether a layer's patches include strategic merges (which need the
/// OpenAPI schema ready).
pub fn merges_any(strategic: &[SmPatch], patches: &[LoadedPatch]) -> bool {
    !strategic.is_empty()
        || patches
            .iter()
            .any(|p| matches!(p.body, PatchBody::StrategicMerge(_)))
}

/// `patches:` entries, in order; strategic merges take their keys from `api`.
pub fn apply_patches(
    resources: &mut ResourceMap,
    patches: &[LoadedPatch],
    api: OpenApi<'_>,
) -> Result<()> {
    for patch in patches {
        apply_patch(resources, patch, api)?;
    }
    Ok(())
}

/// `patchesJson6902:` entries, in order.
pub fn apply_json6902_patches(resources: &mut ResourceMap, patches: &[LoadedPatch]) -> Result<()> {
    // JSON 6902 operations need no schema.
    apply_patches(resources, patches, OpenApi::builtin())
}

/// One `patches:` entry.
pub fn apply_patch(
    resources: &mut ResourceMap,
    patch: &LoadedPatch,
    api: OpenApi<'_>,
) -> Result<()> {
    let options = Options {
        allow_name_change: patch.allow_name_change,
        allow_kind_change: patch.allow_kind_change,
    };
    match (&patch.body, &patch.target) {
        (PatchBody::StrategicMerge(docs), Some(target)) => {
            let [doc] = docs.as_slice() else {
                return Err(Error::msg(format!(
                    "Multiple Strategic-Merge Patches in one `patches` entry is not allowed to set `patches.target` field: {}",
                    patch.source
                )));
            };
            let mut updates = Vec::new();
            for position in select(resources, target)? {
                let resource = &resources.as_slice()[position];
                let object = patch_for_target(doc, resource);
                updates.push((
                    position,
                    merged(resource, &object, options, &patch.source, api)?,
                ));
            }
            store(resources, updates);
            Ok(())
        }
        (PatchBody::StrategicMerge(docs), None) => {
            for doc in docs {
                let position = find_by_any_id(resources, &ResId::of(doc), &patch.source)?;
                let resource = &resources.as_slice()[position];
                let update = merged(resource, doc, options, &patch.source, api)?;
                store(resources, vec![(position, update)]);
            }
            Ok(())
        }
        (PatchBody::Json6902(ops), Some(target)) => {
            let mut updates = Vec::new();
            for position in select(resources, target)? {
                let resource = &resources.as_slice()[position];
                updates.push((position, Some(patched_by_ops(resource, ops)?)));
            }
            store(resources, updates);
            Ok(())
        }
        (PatchBody::Json6902(_), None) => Err(Error::msg(format!(
            "must specify a target for JSON patch {}",
            patch.source
        ))),
    }
}

/// As kustomize's `Resource.ApplySmPatch`: merge, then restore the kind and
/// name unless allowed to change, and always the namespace. `None` when the
/// patch empties the resource (it is then removed).
fn merged(
    resource: &Resource,
    patch: &Value,
    options: Options,
    source: &PatchSource,
    api: OpenApi<'_>,
) -> Result<Option<Resource>> {
    let mut object = resource.object().clone();
    drop_empty_nulls(&mut object, &resource.empty_nulls, api);
    smp::merge(&mut object, patch, api).map_err(|e| {
        e.context(format!(
            "applying strategic merge patch {source} to {}",
            resource.id()
        ))
    })?;
    if object.is_null() || object.as_object().is_some_and(serde_json::Map::is_empty) {
        return Ok(None);
    }
    let (name, namespace, kind) = (resource.name(), resource.namespace(), resource.kind());
    restore_meta(&mut object, options, name, namespace, kind);
    rebuilt(resource, object, source).map(Some)
}

/// kyaml's merge2 drops the target's nulls written as empty values (`key:`)
/// wherever its walk reaches: through maps and lists merged by key, not into
/// other lists. `null` and `~` stay. Removing them before the merge is the
/// same: the patch's value for such a field wins over a null or a gap alike.
fn drop_empty_nulls(object: &mut Value, pointers: &[String], api: OpenApi<'_>) {
    let api_version = object.get("apiVersion").and_then(Value::as_str);
    let kind = object.get("kind").and_then(Value::as_str);
    let schema = match (api_version, kind) {
        (Some(api_version), Some(kind)) => api.for_type(api_version, kind),
        _ => smp::schema::Schema::unknown(api),
    };
    for pointer in pointers {
        let segments: Vec<String> = pointer
            .split('/')
            .skip(1)
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect();
        let Some((last, parents)) = segments.split_last() else {
            continue;
        };
        let Some(Value::Object(map)) = walked_node(object, parents, schema) else {
            continue;
        };
        if map.get(last).is_some_and(Value::is_null) {
            map.shift_remove(last);
        }
    }
}

/// The node at `segments` when kyaml's merge walk reaches it.
fn walked_node<'v>(
    mut node: &'v mut Value,
    segments: &[String],
    mut schema: smp::schema::Schema<'_>,
) -> Option<&'v mut Value> {
    for segment in segments {
        node = match node {
            Value::Object(map) => {
                schema = schema.field(segment);
                map.get_mut(segment)?
            }
            Value::Array(items) => {
                schema.merge_list()?;
                schema = schema.elements();
                items.get_mut(segment.parse::<usize>().ok()?)?
            }
            _ => return None,
        };
    }
    Some(node)
}

/// A resource with a patched object, keeping its build facts; a changed id
/// is remembered so later patches and references find it by the old one.
fn rebuilt(resource: &Resource, object: Value, source: &dyn std::fmt::Display) -> Result<Resource> {
    let mut updated = Resource::new(object, resource.origin.clone())
        .map_err(|e| e.context(format!("after patch {source}")))?;
    if !crate::load::documents::has_name(updated.object()) {
        let message = crate::load::documents::missing_name(&updated);
        return Err(Error::resource(
            &resource.id(),
            format!("after patch {source}: {message}"),
        ));
    }
    // kustomize patches the resource in place: every build fact survives
    // (vars bound in a lower layer, its prefixes and suffixes, ...).
    updated.previous_ids.clone_from(&resource.previous_ids);
    updated.generated.clone_from(&resource.generated);
    updated.name_prefixes.clone_from(&resource.name_prefixes);
    updated.name_suffixes.clone_from(&resource.name_suffixes);
    updated.var_names.clone_from(&resource.var_names);
    updated
        .transformations
        .clone_from(&resource.transformations);
    let old_id = resource.id();
    if updated.id() != old_id {
        updated.previous_ids.push(old_id);
    }
    Ok(updated)
}

/// Writes patched resources back in one pass (one reindex), removing the
/// deleted ones.
fn store(resources: &mut ResourceMap, updates: Vec<(usize, Option<Resource>)>) {
    if updates.is_empty() {
        return;
    }
    let mut edit = resources.edit();
    let mut removed = Vec::new();
    for (position, update) in updates {
        match update {
            Some(resource) => edit[position] = resource,
            None => removed.push(position),
        }
    }
    removed.sort_unstable();
    for position in removed.into_iter().rev() {
        edit.remove(position);
    }
}

fn restore_meta(object: &mut Value, options: Options, name: &str, namespace: &str, kind: &str) {
    let Some(map) = object.as_object_mut() else {
        return;
    };
    if !options.allow_kind_change {
        map.insert("kind".into(), Value::String(kind.into()));
    }
    let metadata = map
        .entry("metadata")
        .or_insert_with(|| Value::Object(serde_json::Map::new()));
    let Some(metadata) = metadata.as_object_mut() else {
        return;
    };
    let mut set = |key: &str, value: &str| {
        if value.is_empty() {
            metadata.shift_remove(key);
        } else {
            metadata.insert(key.into(), Value::String(value.into()));
        }
    };
    if !options.allow_name_change {
        set("name", name);
    }
    set("namespace", namespace);
}

fn patched_by_ops(resource: &Resource, ops: &Ops) -> Result<Resource> {
    let mut object = resource.object().clone();
    json6902::apply(&mut object, ops, &resource.id().to_string())?;
    rebuilt(resource, object, &ops.source)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{objects, resources};

    use serde_json::json;

    fn deployment(name: &str, namespace: &str) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": name, "namespace": namespace}, "spec": {"replicas": 1}})
    }

    fn loaded(body: PatchBody, target: Option<Value>, name: bool, kind: bool) -> LoadedPatch {
        LoadedPatch {
            body,
            target: target.map(|t| serde_json::from_value(t).unwrap()),
            allow_name_change: name,
            allow_kind_change: kind,
            source: PatchSource::File("test.yaml".into()),
        }
    }

    // Expected objects below are `kubectl kustomize` output for the same trees.
    #[test]
    fn target_options_decide_whether_name_and_kind_change() {
        let patch = json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": "web2", "namespace": "other"}, "spec": {"replicas": 2}});
        let cases = [
            (true, true, "StatefulSet", "web2"),
            (true, false, "Deployment", "web2"),
            (false, false, "Deployment", "web"),
        ];
        for (allow_name, allow_kind, kind, name) in cases {
            let mut resources = resources(&[deployment("web", "prod")]);
            let body = PatchBody::StrategicMerge(vec![patch.clone()]);
            let patch = loaded(
                body,
                Some(json!({"kind": "Deployment"})),
                allow_name,
                allow_kind,
            );
            apply_patch(&mut resources, &patch, OpenApi::builtin()).unwrap();
            assert_eq!(
                objects(&resources),
                vec![json!({"apiVersion": "apps/v1", "kind": kind,
                    "metadata": {"name": name, "namespace": "prod"}, "spec": {"replicas": 2}})]
            );
        }
    }

    #[test]
    fn patches_find_resources_by_earlier_names() {
        let mut resources = resources(&[deployment("web", "prod")]);
        for r in resources.edit().iter_mut() {
            r.set_name("b-web");
        }
        let patch = SmPatch {
            object: json!({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "web", "namespace": "prod"}, "spec": {"replicas": 5}}),
            source: PatchSource::File("p.yaml".into()),
        };
        apply_strategic_merge(
            &mut resources,
            std::slice::from_ref(&patch),
            OpenApi::builtin(),
        )
        .unwrap();
        assert_eq!(objects(&resources)[0]["spec"]["replicas"], json!(5));
        assert_eq!(objects(&resources)[0]["metadata"]["name"], json!("b-web"));

        let mut missing = patch;
        missing.object["metadata"]["namespace"] = json!("nope");
        let err = apply_strategic_merge(&mut resources, &[missing], OpenApi::builtin())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("p.yaml") && err.contains("no matches"),
            "{err}"
        );
    }

    #[test]
    fn metadata_maps_are_stringified_only_with_a_target() {
        let target = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "a", "labels": {"x": "1", "y": "2", "z": "3"},
                         "annotations": {"p": "1", "q": "2"}},
            "data": {"k": "v"}});
        let patch = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "a", "labels": {"x": null, "y": 5}, "annotations": null}});
        let body = PatchBody::StrategicMerge(vec![patch]);

        let mut with_target = resources(std::slice::from_ref(&target));
        let entry = loaded(
            body.clone(),
            Some(json!({"kind": "ConfigMap"})),
            false,
            false,
        );
        apply_patch(&mut with_target, &entry, OpenApi::builtin()).unwrap();
        assert_eq!(
            objects(&with_target)[0]["metadata"],
            json!({"name": "a", "labels": {"x": "null", "y": "5", "z": "3"},
                   "annotations": {"p": "1", "q": "2"}})
        );

        let mut without_target = resources(&[target]);
        apply_patch(
            &mut without_target,
            &loaded(body, None, false, false),
            OpenApi::builtin(),
        )
        .unwrap();
        assert_eq!(
            objects(&without_target)[0]["metadata"],
            json!({"name": "a", "labels": {"y": "5", "z": "3"}})
        );
    }

    #[test]
    fn delete_directive_removes_the_resource() {
        let configmap = |name: &str| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}});
        let mut resources = resources(&[configmap("a"), configmap("b")]);
        let mut patch = configmap("a");
        patch["$patch"] = json!("delete");
        let entry = loaded(PatchBody::StrategicMerge(vec![patch]), None, false, false);
        apply_patch(&mut resources, &entry, OpenApi::builtin()).unwrap();
        assert_eq!(objects(&resources), vec![configmap("b")]);
    }

    #[test]
    fn multi_document_patches() {
        let mut resources = resources(&[
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"x": "1"}}),
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "prod"},
                   "spec": {"ports": [{"port": 80}]}}),
        ]);
        let docs = vec![
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"z": "3"}}),
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "prod"},
                   "spec": {"ports": [{"port": 80, "name": "http"}, {"port": 81}]}}),
        ];
        let entry = loaded(PatchBody::StrategicMerge(docs.clone()), None, false, false);
        apply_patch(&mut resources, &entry, OpenApi::builtin()).unwrap();
        let out = objects(&resources);
        assert_eq!(out[0]["data"], json!({"x": "1", "z": "3"}));
        assert_eq!(
            out[1]["spec"]["ports"],
            json!([{"name": "http", "port": 80}, {"port": 81}])
        );

        let entry = loaded(
            PatchBody::StrategicMerge(docs),
            Some(json!({"kind": ".*"})),
            false,
            false,
        );
        let err = apply_patch(&mut resources, &entry, OpenApi::builtin())
            .unwrap_err()
            .to_string();
        assert!(err.contains("Multiple Strategic-Merge Patches"), "{err}");
    }

    #[test]
    fn json_patches_need_a_target_and_apply_to_every_match() {
        let mut resources = resources(&[deployment("web", "prod"), deployment("api", "prod")]);
        let ops = json6902::ops_from_value(
            json!([{"op": "replace", "path": "/spec/replicas", "value": 3}]),
            "patch: ops",
        )
        .unwrap();
        let err = apply_patch(
            &mut resources,
            &loaded(PatchBody::Json6902(ops.clone()), None, false, false),
            OpenApi::builtin(),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("must specify a target"), "{err}");
        let entry = loaded(
            PatchBody::Json6902(ops),
            Some(json!({"name": "web|api"})),
            false,
            false,
        );
        apply_patch(&mut resources, &entry, OpenApi::builtin()).unwrap();
        assert!(objects(&resources)
            .iter()
            .all(|o| o["spec"]["replicas"] == json!(3)));
    }
}
