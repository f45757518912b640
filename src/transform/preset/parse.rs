//! The preset file format: `kind: PodPreset` documents, strict about their
//! fields, read from an already-parsed YAML value.

use std::path::Path;

use serde_json::{Map, Value};

use super::{
    selector, CustomWorkload, OnConflict, Preset, ResourceDefaults, API_VERSION, LEGACY_API_VERSION,
};
use crate::error::{Error, Result};
use crate::resource::value_kind;

/// The fields of a legacy `settings.k8s.io/v1alpha1` PodPreset spec.
const LEGACY_FIELDS: &[&str] = &["selector", "env", "envFrom", "volumes", "volumeMounts"];

const ENV_FIELDS: &[&str] = &["name", "value", "valueFrom"];
const ENV_FROM_FIELDS: &[&str] = &["prefix", "configMapRef", "secretRef"];
const MOUNT_FIELDS: &[&str] = &[
    "name",
    "mountPath",
    "subPath",
    "subPathExpr",
    "readOnly",
    "mountPropagation",
    "recursiveReadOnly",
];
const TOLERATION_FIELDS: &[&str] = &["key", "operator", "value", "effect", "tolerationSeconds"];

/// Parses the presets in one parsed YAML file: a single document, a list of
/// documents (a multi-document stream), or a `List`/`PodPresetList` with
/// `items`. Empty (null) documents are skipped; anything that is not a
/// PodPreset is an error naming `path`.
pub fn parse_presets(value: &Value, path: &Path) -> Result<Vec<Preset>> {
    match value {
        Value::Null => Ok(Vec::new()),
        Value::Array(documents) => {
            let mut presets = Vec::new();
            for document in documents {
                presets.extend(parse_presets(document, path)?);
            }
            Ok(presets)
        }
        Value::Object(map) if is_list(map) => match map.get("items") {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(items @ Value::Array(_)) => parse_presets(items, path),
            Some(other) => Err(expected(path, "items", "a list", other)),
        },
        Value::Object(map) => Ok(vec![parse_document(map, path)?]),
        other => Err(Error::file(
            path,
            format!(
                "a preset file holds PodPreset documents, found {}",
                value_kind(other)
            ),
        )),
    }
}

fn is_list(map: &Map<String, Value>) -> bool {
    matches!(
        map.get("kind").and_then(Value::as_str),
        Some("List" | "PodPresetList")
    )
}

fn parse_document(map: &Map<String, Value>, path: &Path) -> Result<Preset> {
    if let Some(key) = map
        .keys()
        .find(|key| !matches!(key.as_str(), "apiVersion" | "kind" | "metadata" | "spec"))
    {
        return Err(Error::field(
            path,
            key.as_str(),
            "unknown field in a PodPreset",
        ));
    }
    let kind = map.get("kind").and_then(Value::as_str).unwrap_or("");
    if kind != "PodPreset" {
        return Err(Error::field(
            path,
            "kind",
            format!("expected `PodPreset`, found `{kind}`"),
        ));
    }
    let legacy = match map.get("apiVersion").and_then(Value::as_str) {
        Some(API_VERSION) => false,
        Some(LEGACY_API_VERSION) => true,
        other => {
            return Err(Error::field(
                path,
                "apiVersion",
                format!(
                    "expected `{API_VERSION}` or `{LEGACY_API_VERSION}`, found `{}`",
                    other.unwrap_or("")
                ),
            ))
        }
    };
    let (name, namespace) = parse_metadata(map.get("metadata"), path)?;
    let mut preset = empty(name, namespace, path, legacy);
    let spec = match map.get("spec") {
        Some(Value::Object(spec)) => spec,
        Some(other) => return Err(expected(path, "spec", "a mapping", other)),
        None => return Err(Error::field(path, "spec", "a PodPreset needs a spec")),
    };
    let in_preset = || format!("PodPreset `{}`", preset_name(map));
    for (key, value) in spec {
        parse_field(&mut preset, key, value, path).map_err(|error| error.context(in_preset()))?;
    }
    finish(&mut preset, path).map_err(|error| error.context(in_preset()))?;
    Ok(preset)
}

fn preset_name(map: &Map<String, Value>) -> &str {
    map.get("metadata")
        .and_then(|metadata| metadata.get("name"))
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn parse_metadata(value: Option<&Value>, path: &Path) -> Result<(String, Option<String>)> {
    let metadata = match value {
        Some(Value::Object(metadata)) => metadata,
        Some(other) => return Err(expected(path, "metadata", "a mapping", other)),
        None => return Err(Error::field(path, "metadata.name", "a preset needs a name")),
    };
    let name = match metadata.get("name") {
        Some(Value::String(name)) if valid_name(name) => name.clone(),
        Some(Value::String(name)) => {
            return Err(Error::field(
                path,
                "metadata.name",
                format!("`{name}` is not a valid name (lowercase letters, digits, `-`, `.`)"),
            ))
        }
        _ => return Err(Error::field(path, "metadata.name", "a preset needs a name")),
    };
    let namespace = match metadata.get("namespace") {
        None | Some(Value::Null) => None,
        Some(Value::String(namespace)) if !namespace.is_empty() => Some(namespace.clone()),
        Some(Value::String(_)) => None,
        Some(other) => return Err(expected(path, "metadata.namespace", "a string", other)),
    };
    Ok((name, namespace))
}

/// Kubernetes object names (DNS subdomains); also keeps `,` out of the trace.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
}

fn empty(name: String, namespace: Option<String>, path: &Path, legacy: bool) -> Preset {
    Preset {
        name,
        namespace,
        source: path.to_path_buf(),
        legacy,
        selector: selector::LabelSelector::default(),
        kinds: Vec::new(),
        names: Vec::new(),
        workloads: Vec::new(),
        containers: Vec::new(),
        env: Vec::new(),
        env_from: Vec::new(),
        volume_mounts: Vec::new(),
        volumes: Vec::new(),
        resources: ResourceDefaults::default(),
        sidecars: Vec::new(),
        init_containers: Vec::new(),
        native_sidecars: false,
        annotations: Map::new(),
        labels: Map::new(),
        tolerations: Vec::new(),
        on_conflict: OnConflict::Error,
    }
}

fn parse_field(preset: &mut Preset, key: &str, value: &Value, path: &Path) -> Result<()> {
    let field = format!("spec.{key}");
    if preset.legacy && !LEGACY_FIELDS.contains(&key) {
        return Err(Error::field(
            path,
            &field,
            format!("unknown field in a `{LEGACY_API_VERSION}` PodPreset"),
        )
        .with_hint(format!(
            "use `apiVersion: {API_VERSION}` for strata's fields"
        )));
    }
    let field = field.as_str();
    match key {
        "selector" => preset.selector = selector::parse(value, path, field)?,
        "kinds" => preset.kinds = strings(value, path, field)?,
        "names" => preset.names = strings(value, path, field)?,
        "containers" => preset.containers = strings(value, path, field)?,
        "workloads" => {
            let entries = items(value, path, field, parse_workload)?;
            preset.workloads = entries.iter().map(custom_workload).collect();
        }
        "env" => preset.env = items(value, path, field, parse_env)?,
        "envFrom" => preset.env_from = items(value, path, field, parse_env_from)?,
        "volumeMounts" => preset.volume_mounts = items(value, path, field, parse_mount)?,
        "volumes" => preset.volumes = items(value, path, field, parse_volume)?,
        "resources" => preset.resources = parse_resources(value, path, field)?,
        "sidecars" => preset.sidecars = items(value, path, field, parse_container)?,
        "initContainers" => preset.init_containers = items(value, path, field, parse_container)?,
        "nativeSidecars" => preset.native_sidecars = boolean(value, path, field)?,
        "annotations" => preset.annotations = string_map(value, path, field)?,
        "labels" => preset.labels = string_map(value, path, field)?,
        "tolerations" => preset.tolerations = items(value, path, field, parse_toleration)?,
        "onConflict" => preset.on_conflict = parse_on_conflict(value, path, field)?,
        _ => {
            return Err(Error::field(
                path,
                field,
                "unknown field in a PodPreset spec",
            ))
        }
    }
    Ok(())
}

/// Checks across fields: duplicates, native sidecar restart policies.
fn finish(preset: &mut Preset, path: &Path) -> Result<()> {
    unique(&preset.env, "name", path, "spec.env")?;
    unique(&preset.volumes, "name", path, "spec.volumes")?;
    unique(
        &preset.volume_mounts,
        "mountPath",
        path,
        "spec.volumeMounts",
    )?;
    let containers: Vec<Value> = preset
        .init_containers
        .iter()
        .chain(&preset.sidecars)
        .cloned()
        .collect();
    unique(&containers, "name", path, "spec.sidecars")?;
    for (index, sidecar) in preset.sidecars.iter_mut().enumerate() {
        let field = format!("spec.sidecars[{index}].restartPolicy");
        let Value::Object(sidecar) = sidecar else {
            continue;
        };
        match (sidecar.get("restartPolicy"), preset.native_sidecars) {
            (None, true) => {
                sidecar.insert("restartPolicy".into(), Value::String("Always".into()));
            }
            (Some(Value::String(policy)), true) if policy == "Always" => {}
            (Some(_), true) => {
                return Err(Error::field(
                    path,
                    field,
                    "native sidecars have `restartPolicy: Always`",
                ))
            }
            (Some(_), false) => {
                return Err(Error::field(
                    path,
                    field,
                    "only allowed with `nativeSidecars: true`",
                ))
            }
            (None, false) => {}
        }
    }
    Ok(())
}

fn unique(items: &[Value], key: &str, path: &Path, field: &str) -> Result<()> {
    for (index, item) in items.iter().enumerate() {
        let value = item.get(key);
        if items[..index]
            .iter()
            .any(|earlier| earlier.get(key) == value)
        {
            return Err(Error::field(
                path,
                format!("{field}[{index}].{key}"),
                format!(
                    "duplicate {key} {}",
                    value.and_then(Value::as_str).unwrap_or("")
                ),
            ));
        }
    }
    Ok(())
}

/// A list whose entries each pass `parse`; null is empty.
fn items(
    value: &Value,
    path: &Path,
    field: &str,
    parse: fn(&Map<String, Value>, &Path, &str) -> Result<()>,
) -> Result<Vec<Value>> {
    let list = match value {
        Value::Null => return Ok(Vec::new()),
        Value::Array(list) => list,
        other => return Err(expected(path, field, "a list", other)),
    };
    for (index, item) in list.iter().enumerate() {
        let here = format!("{field}[{index}]");
        match item {
            Value::Object(map) => parse(map, path, &here)?,
            other => return Err(expected(path, &here, "a mapping", other)),
        }
    }
    Ok(list.clone())
}

fn parse_env(map: &Map<String, Value>, path: &Path, field: &str) -> Result<()> {
    known(map, ENV_FIELDS, path, field)?;
    required_string(map, "name", path, field)?;
    match (map.get("value"), map.get("valueFrom")) {
        (Some(_), Some(_)) => Err(Error::field(
            path,
            format!("{field}.valueFrom"),
            "may not be set together with `value`",
        )),
        (Some(Value::String(_)) | None, None) => Ok(()),
        (Some(other), None) => Err(expected(path, &format!("{field}.value"), "a string", other)),
        (None, Some(Value::Object(_))) => Ok(()),
        (None, Some(other)) => Err(expected(
            path,
            &format!("{field}.valueFrom"),
            "a mapping",
            other,
        )),
    }
}

fn parse_env_from(map: &Map<String, Value>, path: &Path, field: &str) -> Result<()> {
    known(map, ENV_FROM_FIELDS, path, field)?;
    let refs: Vec<&str> = ["configMapRef", "secretRef"]
        .into_iter()
        .filter(|key| map.contains_key(*key))
        .collect();
    let [reference] = refs.as_slice() else {
        return Err(Error::field(
            path,
            field,
            "needs exactly one of `configMapRef` and `secretRef`",
        ));
    };
    match map.get(*reference) {
        Some(Value::Object(inner)) => {
            required_string(inner, "name", path, &format!("{field}.{reference}"))
        }
        Some(other) => Err(expected(
            path,
            &format!("{field}.{reference}"),
            "a mapping",
            other,
        )),
        None => Ok(()),
    }
}

fn parse_mount(map: &Map<String, Value>, path: &Path, field: &str) -> Result<()> {
    known(map, MOUNT_FIELDS, path, field)?;
    required_string(map, "name", path, field)?;
    required_string(map, "mountPath", path, field)
}

fn parse_volume(map: &Map<String, Value>, path: &Path, field: &str) -> Result<()> {
    required_string(map, "name", path, field)?;
    match map.len() {
        2 => Ok(()),
        1 => Err(Error::field(
            path,
            field,
            "a volume needs a source (`emptyDir`, `configMap`, ...)",
        )),
        _ => Err(Error::field(
            path,
            field,
            "a volume may have only one source",
        )),
    }
}

fn parse_container(map: &Map<String, Value>, path: &Path, field: &str) -> Result<()> {
    required_string(map, "name", path, field)?;
    required_string(map, "image", path, field)
}

fn parse_toleration(map: &Map<String, Value>, path: &Path, field: &str) -> Result<()> {
    known(map, TOLERATION_FIELDS, path, field)
}

fn parse_workload(map: &Map<String, Value>, path: &Path, field: &str) -> Result<()> {
    known(map, &["apiVersion", "kind", "templatePath"], path, field)?;
    required_string(map, "kind", path, field)?;
    if let Some(api_version) = map.get("apiVersion") {
        if !api_version.is_string() {
            return Err(expected(
                path,
                &format!("{field}.apiVersion"),
                "a string",
                api_version,
            ));
        }
    }
    match map.get("templatePath") {
        Some(Value::String(text)) => check_template_path(text)
            .map_err(|message| Error::field(path, format!("{field}.templatePath"), message)),
        Some(other) => Err(expected(
            path,
            &format!("{field}.templatePath"),
            "a string",
            other,
        )),
        None => Err(Error::field(
            path,
            format!("{field}.templatePath"),
            "required (e.g. `spec/template`)",
        )),
    }
}

/// A pod template path: field names separated by `/` (empty: the object itself).
fn check_template_path(text: &str) -> std::result::Result<(), String> {
    if text.is_empty() {
        return Ok(());
    }
    let valid_key = |key: &str| {
        !key.is_empty()
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    if text.split('/').all(valid_key) {
        return Ok(());
    }
    let fix = if text.contains('.') && text.split('.').all(valid_key) {
        format!(
            "separate field names with `/`: `{}`",
            text.replace('.', "/")
        )
    } else {
        "write field names separated by `/`, like `spec/template`".to_string()
    };
    Err(format!("`{text}` is not a field path: {fix}"))
}

/// Converts a checked `workloads` entry.
fn custom_workload(value: &Value) -> CustomWorkload {
    let text = |key: &str| value.get(key).and_then(Value::as_str);
    CustomWorkload {
        api_version: text("apiVersion").map(str::to_string),
        kind: text("kind").unwrap_or("").to_string(),
        template_path: text("templatePath")
            .unwrap_or("")
            .split('/')
            .filter(|key| !key.is_empty())
            .map(str::to_string)
            .collect(),
    }
}

fn parse_resources(value: &Value, path: &Path, field: &str) -> Result<ResourceDefaults> {
    let map = match value {
        Value::Null => return Ok(ResourceDefaults::default()),
        Value::Object(map) => map,
        other => return Err(expected(path, field, "a mapping", other)),
    };
    known(map, &["requests", "limits"], path, field)?;
    let quantities = |key: &str| -> Result<Map<String, Value>> {
        let here = format!("{field}.{key}");
        match map.get(key) {
            None | Some(Value::Null) => Ok(Map::new()),
            Some(Value::Object(inner)) => {
                for (name, quantity) in inner {
                    let text = match quantity {
                        Value::String(text) => text.clone(),
                        Value::Number(number) => number.to_string(),
                        other => {
                            return Err(expected(
                                path,
                                &format!("{here}.{name}"),
                                "a quantity",
                                other,
                            ))
                        }
                    };
                    super::quantity::check(&text).map_err(|reason| {
                        Error::field(
                            path,
                            format!("{here}.{name}"),
                            format!("`{text}` is not a quantity: {reason}"),
                        )
                        .with_hint("write quantities like `100m`, `0.5`, `256Mi` or `1Gi`")
                    })?;
                }
                Ok(inner.clone())
            }
            Some(other) => Err(expected(path, &here, "a mapping", other)),
        }
    };
    Ok(ResourceDefaults {
        requests: quantities("requests")?,
        limits: quantities("limits")?,
    })
}

fn parse_on_conflict(value: &Value, path: &Path, field: &str) -> Result<OnConflict> {
    match value.as_str() {
        Some("error") => Ok(OnConflict::Error),
        Some("skip") => Ok(OnConflict::Skip),
        Some("override") => Ok(OnConflict::Override),
        _ => Err(Error::field(
            path,
            field,
            format!(
                "expected `error`, `skip` or `override`, found {}",
                serde_json::to_string(value).unwrap_or_default()
            ),
        )),
    }
}

fn strings(value: &Value, path: &Path, field: &str) -> Result<Vec<String>> {
    let list = match value {
        Value::Null => return Ok(Vec::new()),
        Value::Array(list) => list,
        other => return Err(expected(path, field, "a list of strings", other)),
    };
    list.iter()
        .enumerate()
        .map(|(index, item)| match item {
            Value::String(text) if !text.is_empty() => Ok(text.clone()),
            other => Err(expected(
                path,
                &format!("{field}[{index}]"),
                "a non-empty string",
                other,
            )),
        })
        .collect()
}

fn string_map(value: &Value, path: &Path, field: &str) -> Result<Map<String, Value>> {
    let map = match value {
        Value::Null => return Ok(Map::new()),
        Value::Object(map) => map,
        other => return Err(expected(path, field, "a mapping", other)),
    };
    for (key, value) in map {
        if !value.is_string() {
            return Err(expected(path, &format!("{field}.{key}"), "a string", value));
        }
    }
    Ok(map.clone())
}

fn boolean(value: &Value, path: &Path, field: &str) -> Result<bool> {
    match value {
        Value::Bool(flag) => Ok(*flag),
        Value::Null => Ok(false),
        other => Err(expected(path, field, "true or false", other)),
    }
}

fn known(map: &Map<String, Value>, fields: &[&str], path: &Path, field: &str) -> Result<()> {
    match map.keys().find(|key| !fields.contains(&key.as_str())) {
        Some(key) => Err(Error::field(
            path,
            format!("{field}.{key}"),
            format!("unknown field; expected one of {}", fields.join(", ")),
        )),
        None => Ok(()),
    }
}

fn required_string(map: &Map<String, Value>, key: &str, path: &Path, field: &str) -> Result<()> {
    match map.get(key) {
        Some(Value::String(text)) if !text.is_empty() => Ok(()),
        _ => Err(Error::field(
            path,
            format!("{field}.{key}"),
            "a non-empty string is required",
        )),
    }
}

fn expected(path: &Path, field: &str, wanted: &str, found: &Value) -> Error {
    Error::field(
        path,
        field,
        format!("expected {wanted}, found {}", value_kind(found)),
    )
}
