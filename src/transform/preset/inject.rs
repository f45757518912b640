//! Injection of one preset into one pod template (a mapping with `metadata`
//! and `spec`), with conflict detection. The caller hands in a copy so a
//! conflict can leave the workload untouched.

use serde_json::{Map, Value};

use super::{OnConflict, Preset, APPLIED_ANNOTATION};
use crate::id::ResId;
use crate::resource::value_kind;

/// Why a preset could not be applied to a template.
pub(super) enum Failure {
    /// The workload is not shaped like a pod template; always an error.
    Malformed(String),
    /// An item clashes with the workload's (only when not overriding).
    Conflict(Conflict),
}

pub(super) struct Conflict {
    pub container: Option<String>,
    /// The preset field, e.g. `spec.env`.
    pub field: String,
    pub detail: String,
}

impl Conflict {
    /// `preset `p` conflicts with <workload>, container `c`: <detail>`.
    pub fn describe(&self, preset: &Preset, id: &ResId) -> String {
        let container = self
            .container
            .as_ref()
            .map(|name| format!(", container `{name}`"))
            .unwrap_or_default();
        format!(
            "preset `{}` conflicts with {id}{container}: {}",
            preset.name, self.detail
        )
    }
}

type Outcome = Result<(), Failure>;

pub(super) fn inject(template: &mut Map<String, Value>, preset: &Preset) -> Outcome {
    let mode = preset.on_conflict;
    let already_applied = applied(template).iter().any(|name| *name == preset.name);
    let spec = object_entry(template, "spec", "spec")?;
    for volume in &preset.volumes {
        merge_keyed(list_entry(spec, "volumes")?, volume, "name", mode)
            .map_err(|detail| conflict(None, "spec.volumes", "volume", detail))?;
    }
    inject_containers(spec, preset)?;
    for container in &preset.init_containers {
        add_container(spec, container, "initContainers", mode, already_applied)
            .map_err(|detail| conflict(None, "spec.initContainers", "container", detail))?;
    }
    let sidecar_list = if preset.native_sidecars {
        "initContainers"
    } else {
        "containers"
    };
    for container in &preset.sidecars {
        add_container(spec, container, sidecar_list, mode, already_applied)
            .map_err(|detail| conflict(None, "spec.sidecars", "container", detail))?;
    }
    for toleration in &preset.tolerations {
        add_unique(list_entry(spec, "tolerations")?, toleration);
    }
    let metadata = object_entry(template, "metadata", "metadata")?;
    for (field, key) in [
        ("spec.labels", "labels"),
        ("spec.annotations", "annotations"),
    ] {
        let wanted = if key == "labels" {
            &preset.labels
        } else {
            &preset.annotations
        };
        if !wanted.is_empty() {
            let map = object_entry(metadata, key, &format!("metadata.{key}"))?;
            merge_map(map, wanted, mode).map_err(|detail| conflict(None, field, key, detail))?;
        }
    }
    record(template, &preset.name)
}

/// env, envFrom, volumeMounts and resource defaults into the target containers.
fn inject_containers(spec: &mut Map<String, Value>, preset: &Preset) -> Outcome {
    let own: Vec<&str> = preset
        .sidecars
        .iter()
        .chain(&preset.init_containers)
        .filter_map(|container| container.get("name").and_then(Value::as_str))
        .collect();
    let lists: &[&str] = if preset.containers.is_empty() {
        &["containers"]
    } else {
        &["containers", "initContainers"]
    };
    for list in lists {
        let Some(containers) = existing_list(spec, list)? else {
            continue;
        };
        for container in containers.iter_mut() {
            let Value::Object(container) = container else {
                return Err(Failure::Malformed(format!(
                    "an entry of `spec.{list}` is {}",
                    value_kind(container)
                )));
            };
            let name = container.get("name").and_then(Value::as_str).unwrap_or("");
            let named = preset.containers.iter().any(|wanted| wanted == name);
            if own.contains(&name) || (!preset.containers.is_empty() && !named) {
                continue;
            }
            inject_container(container, preset)?;
        }
    }
    Ok(())
}

fn inject_container(container: &mut Map<String, Value>, preset: &Preset) -> Outcome {
    let name = container
        .get("name")
        .and_then(Value::as_str)
        .map(str::to_string);
    let mode = preset.on_conflict;
    let fail =
        |field: &str, what: &str, detail: String| conflict(name.clone(), field, what, detail);
    for env in &preset.env {
        merge_keyed(list_entry(container, "env")?, env, "name", mode)
            .map_err(|detail| fail("spec.env", "env var", detail))?;
    }
    for env_from in &preset.env_from {
        add_unique(list_entry(container, "envFrom")?, env_from);
    }
    for mount in &preset.volume_mounts {
        merge_keyed(
            list_entry(container, "volumeMounts")?,
            mount,
            "mountPath",
            mode,
        )
        .map_err(|detail| fail("spec.volumeMounts", "mount path", detail))?;
    }
    fill_resources(container, preset)
}

/// Fills defaults only where the container sets nothing. A request is not
/// filled when the container sets that limit: Kubernetes then defaults the
/// request to the limit, and a filled request could exceed it.
fn fill_resources(container: &mut Map<String, Value>, preset: &Preset) -> Outcome {
    let defaults = &preset.resources;
    if defaults.requests.is_empty() && defaults.limits.is_empty() {
        return Ok(());
    }
    let resources = object_entry(container, "resources", "resources")?;
    let limits_set: Vec<String> = resources
        .get("limits")
        .and_then(Value::as_object)
        .map(|limits| limits.keys().cloned().collect())
        .unwrap_or_default();
    let missing_requests: Vec<(&String, &Value)> = defaults
        .requests
        .iter()
        .filter(|(name, _)| !limits_set.contains(name))
        .collect();
    fill(resources, "requests", missing_requests)?;
    fill(resources, "limits", defaults.limits.iter().collect())?;
    if resources.is_empty() {
        container.remove("resources");
    }
    Ok(())
}

fn fill(
    resources: &mut Map<String, Value>,
    key: &str,
    defaults: Vec<(&String, &Value)>,
) -> Outcome {
    let present = |name: &str| {
        resources
            .get(key)
            .and_then(Value::as_object)
            .is_some_and(|map| map.contains_key(name))
    };
    let missing: Vec<_> = defaults
        .into_iter()
        .filter(|(name, _)| !present(name))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let map = object_entry(resources, key, &format!("resources.{key}"))?;
    for (name, quantity) in missing {
        map.insert(name.clone(), quantity.clone());
    }
    Ok(())
}

/// Adds `item` unless an item with the same `key` exists: identical is a
/// no-op, different is a conflict unless overriding (replaced in place).
fn merge_keyed(
    list: &mut Vec<Value>,
    item: &Value,
    key: &str,
    mode: OnConflict,
) -> Result<(), String> {
    let wanted = item.get(key);
    match list.iter().position(|existing| existing.get(key) == wanted) {
        None => list.push(item.clone()),
        Some(index) if list[index] == *item => {}
        Some(index) if mode == OnConflict::Override => list[index] = item.clone(),
        Some(index) => return Err(differs(wanted, &list[index], item)),
    }
    Ok(())
}

fn add_unique(list: &mut Vec<Value>, item: &Value) {
    if !list.contains(item) {
        list.push(item.clone());
    }
}

/// Sets labels or annotations; a key with another value is a conflict.
fn merge_map(
    map: &mut Map<String, Value>,
    wanted: &Map<String, Value>,
    mode: OnConflict,
) -> Result<(), String> {
    for (key, value) in wanted {
        match map.get(key) {
            Some(existing) if existing == value => {}
            Some(existing) if mode != OnConflict::Override => {
                return Err(format!(
                    "`{key}` is already {}, the preset sets {}",
                    compact(existing),
                    compact(value)
                ))
            }
            _ => {
                map.insert(key.clone(), value.clone());
            }
        }
    }
    Ok(())
}

/// Adds a container to `target`; container names are unique across
/// `containers` and `initContainers`, as Kubernetes requires. A container
/// this preset already injected (per the trace) is left as later presets made it.
fn add_container(
    spec: &mut Map<String, Value>,
    container: &Value,
    target: &str,
    mode: OnConflict,
    already_applied: bool,
) -> Result<(), String> {
    let name = container.get("name");
    let found = ["containers", "initContainers"]
        .into_iter()
        .find_map(|list| {
            spec.get(list)
                .and_then(Value::as_array)
                .and_then(|items| items.iter().position(|item| item.get("name") == name))
                .map(|index| (list, index))
        });
    let Some((list, index)) = found else {
        push(spec, target, container);
        return Ok(());
    };
    let existing = &spec[list][index];
    if *existing == *container || already_applied {
        return Ok(());
    }
    if mode != OnConflict::Override {
        return Err(format!(
            "name {} is already taken in `{list}`",
            compact(name.unwrap_or(&Value::Null))
        ));
    }
    if list == target {
        spec[list][index] = container.clone();
    } else if let Some(items) = spec.get_mut(list).and_then(Value::as_array_mut) {
        items.remove(index);
        push(spec, target, container);
    }
    Ok(())
}

fn push(spec: &mut Map<String, Value>, list: &str, item: &Value) {
    let entry = spec.entry(list).or_insert_with(|| Value::Array(Vec::new()));
    if !entry.is_array() {
        *entry = Value::Array(Vec::new());
    }
    if let Value::Array(items) = entry {
        items.push(item.clone());
    }
}

/// The names in the template's trace annotation.
fn applied(template: &Map<String, Value>) -> Vec<&str> {
    template
        .get("metadata")
        .and_then(|metadata| metadata.get("annotations"))
        .and_then(|annotations| annotations.get(APPLIED_ANNOTATION))
        .and_then(Value::as_str)
        .map(|text| text.split(',').filter(|name| !name.is_empty()).collect())
        .unwrap_or_default()
}

/// Appends `name` to the trace annotation unless it is there.
fn record(template: &mut Map<String, Value>, name: &str) -> Outcome {
    let mut names: Vec<String> = applied(template).into_iter().map(str::to_string).collect();
    if names.iter().any(|existing| existing == name) {
        return Ok(());
    }
    names.push(name.to_string());
    let metadata = object_entry(template, "metadata", "metadata")?;
    let annotations = object_entry(metadata, "annotations", "metadata.annotations")?;
    annotations.insert(
        APPLIED_ANNOTATION.to_string(),
        Value::String(names.join(",")),
    );
    Ok(())
}

/// The mapping at `key`, created when absent or null.
fn object_entry<'a>(
    map: &'a mut Map<String, Value>,
    key: &str,
    field: &str,
) -> Result<&'a mut Map<String, Value>, Failure> {
    let entry = map.entry(key).or_insert_with(|| Value::Object(Map::new()));
    if entry.is_null() {
        *entry = Value::Object(Map::new());
    }
    match entry {
        Value::Object(inner) => Ok(inner),
        other => Err(Failure::Malformed(format!(
            "`{field}` is {}, not a mapping",
            value_kind(other)
        ))),
    }
}

/// The list at `key`, created when absent or null.
fn list_entry<'a>(
    map: &'a mut Map<String, Value>,
    key: &str,
) -> Result<&'a mut Vec<Value>, Failure> {
    let entry = map.entry(key).or_insert_with(|| Value::Array(Vec::new()));
    if entry.is_null() {
        *entry = Value::Array(Vec::new());
    }
    match entry {
        Value::Array(items) => Ok(items),
        other => Err(Failure::Malformed(format!(
            "`{key}` is {}, not a list",
            value_kind(other)
        ))),
    }
}

/// The list at `key` when present.
fn existing_list<'a>(
    map: &'a mut Map<String, Value>,
    key: &str,
) -> Result<Option<&'a mut Vec<Value>>, Failure> {
    match map.get_mut(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => Ok(Some(items)),
        Some(other) => Err(Failure::Malformed(format!(
            "`spec.{key}` is {}, not a list",
            value_kind(other)
        ))),
    }
}

fn conflict(container: Option<String>, field: &str, what: &str, detail: String) -> Failure {
    Failure::Conflict(Conflict {
        container,
        field: field.to_string(),
        detail: format!("{what} {detail}"),
    })
}

fn differs(key: Option<&Value>, existing: &Value, wanted: &Value) -> String {
    format!(
        "{} is already {}, the preset sets {}",
        compact(key.unwrap_or(&Value::Null)),
        compact(existing),
        compact(wanted)
    )
}

fn compact(value: &Value) -> String {
    match value {
        Value::String(text) => format!("`{text}`"),
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}
