//! Server-side apply, simplified: field sets per manager, conflicts,
//! removal of fields a manager stopped applying, and merging.
//!
//! Lists are associative (merged by key) for the well-known keyed lists of
//! built-in kinds (containers, env, ports, volumes, ...) and atomic
//! otherwise, as for a CRD without list-type markers.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

/// One step of a field path: a map field or a keyed list item.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    Field(String),
    /// The item's key fields as compact JSON (`{"name":"web"}`).
    Key(String),
}

pub type Path = Vec<Step>;
pub type FieldSet = BTreeSet<Path>;

/// Top-level fields no manager owns.
const UNOWNED: &[&str] = &["apiVersion", "kind", "status"];
const UNOWNED_METADATA: &[&str] = &[
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "managedFields",
    "selfLink",
    "deletionTimestamp",
];

/// The merge keys of associative lists, by field name.
fn list_keys(field: &str) -> Option<&'static [&'static str]> {
    Some(match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets"
        | "hostAliases" => {
            if field == "hostAliases" {
                &["ip"]
            } else {
                &["name"]
            }
        }
        "volumeMounts" => &["mountPath"],
        "volumeDevices" => &["devicePath"],
        // Service ports key on port+protocol, container ports on containerPort+protocol.
        "ports" => &["port", "containerPort", "protocol"],
        _ => return None,
    })
}

fn item_key(field: &str, item: &Value) -> Option<String> {
    let keys = list_keys(field)?;
    let map = item.as_object()?;
    let mut key = Map::new();
    for name in keys {
        if let Some(value) = map.get(*name) {
            key.insert((*name).to_string(), value.clone());
        } else if *name == "protocol" && field == "ports" {
            // The server defaults the protocol before keying, as real SSA does.
            key.insert("protocol".into(), Value::String("TCP".into()));
        }
    }
    (!key.is_empty()).then(|| Value::Object(key).to_string())
}

/// The fields an applied configuration sets.
pub fn field_set(applied: &Value) -> FieldSet {
    let mut set = FieldSet::new();
    if let Some(map) = applied.as_object() {
        for (name, value) in map {
            if UNOWNED.contains(&name.as_str()) {
                continue;
            }
            if name == "metadata" {
                if let Some(metadata) = value.as_object() {
                    for (field, value) in metadata {
                        if !UNOWNED_METADATA.contains(&field.as_str()) {
                            collect(
                                value,
                                vec![Step::Field("metadata".into()), Step::Field(field.clone())],
                                field,
                                &mut set,
                            );
                        }
                    }
                }
                continue;
            }
            collect(value, vec![Step::Field(name.clone())], name, &mut set);
        }
    }
    set
}

fn collect(value: &Value, path: Path, field: &str, set: &mut FieldSet) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (name, child) in map {
                let mut next = path.clone();
                next.push(Step::Field(name.clone()));
                collect(child, next, name, set);
            }
        }
        Value::Array(items) if list_keys(field).is_some() && !items.is_empty() => {
            for item in items {
                let Some(key) = item_key(field, item) else {
                    set.insert(path.clone());
                    return;
                };
                let mut item_path = path.clone();
                item_path.push(Step::Key(key));
                set.insert(item_path.clone());
                if let Some(map) = item.as_object() {
                    for (name, child) in map {
                        let mut next = item_path.clone();
                        next.push(Step::Field(name.clone()));
                        collect(child, next, name, set);
                    }
                }
            }
        }
        _ => {
            set.insert(path);
        }
    }
}

/// The value at `path`, if any.
pub fn value_at<'a>(object: &'a Value, path: &[Step]) -> Option<&'a Value> {
    let mut current = object;
    let mut field = "";
    for step in path {
        current = match step {
            Step::Field(name) => {
                field = name;
                current.as_object()?.get(name)?
            }
            Step::Key(key) => current
                .as_array()?
                .iter()
                .find(|item| item_key(field, item).as_deref() == Some(key.as_str()))?,
        };
    }
    Some(current)
}

/// Removes the value at `path` (a map field or a keyed list item).
pub fn remove_at(object: &mut Value, path: &[Step]) {
    let Some((last, parent_path)) = path.split_last() else {
        return;
    };
    let mut current = object;
    let mut field = String::new();
    for step in parent_path {
        let next = match step {
            Step::Field(name) => {
                field = name.clone();
                current.as_object_mut().and_then(|map| map.get_mut(name))
            }
            Step::Key(key) => current.as_array_mut().and_then(|items| {
                items
                    .iter_mut()
                    .find(|item| item_key(&field, item).as_deref() == Some(key.as_str()))
            }),
        };
        match next {
            Some(next) => current = next,
            None => return,
        }
    }
    match last {
        Step::Field(name) => {
            if let Some(map) = current.as_object_mut() {
                map.remove(name);
            }
        }
        Step::Key(key) => {
            if let Some(items) = current.as_array_mut() {
                items.retain(|item| item_key(&field, item).as_deref() != Some(key.as_str()));
            }
        }
    }
}

/// Merges an applied configuration into `target`: maps recursively, keyed
/// lists item by item, everything else replaced.
pub fn merge(target: &mut Value, applied: &Value, field: &str) {
    match (target, applied) {
        (Value::Object(target), Value::Object(applied)) => {
            for (name, value) in applied {
                match target.get_mut(name) {
                    Some(existing) => merge(existing, value, name),
                    None => {
                        target.insert(name.clone(), value.clone());
                    }
                }
            }
        }
        (Value::Array(target), Value::Array(applied)) if list_keys(field).is_some() => {
            for item in applied {
                let key = item_key(field, item);
                let existing = key.as_ref().and_then(|key| {
                    target
                        .iter_mut()
                        .find(|old| item_key(field, old).as_ref() == Some(key))
                });
                match existing {
                    Some(old) => merge(old, item, field),
                    None => target.push(item.clone()),
                }
            }
        }
        (target, applied) => *target = applied.clone(),
    }
}

/// The `fieldsV1` form of a field set.
pub fn to_fields_v1(set: &FieldSet) -> Value {
    let mut root = Map::new();
    for path in set {
        let mut node = &mut root;
        for (index, step) in path.iter().enumerate() {
            let name = match step {
                Step::Field(name) => format!("f:{name}"),
                Step::Key(key) => format!("k:{key}"),
            };
            let child = node
                .entry(name)
                .or_insert_with(|| Value::Object(Map::new()));
            let is_item = matches!(step, Step::Key(_));
            let child = child.as_object_mut().expect("field nodes are maps");
            if is_item && index + 1 < path.len() {
                child
                    .entry(".".to_string())
                    .or_insert_with(|| Value::Object(Map::new()));
            }
            node = child;
        }
        if matches!(path.last(), Some(Step::Key(_))) {
            node.entry(".".to_string())
                .or_insert_with(|| Value::Object(Map::new()));
        }
    }
    Value::Object(root)
}

/// A field set read back from `fieldsV1`.
pub fn from_fields_v1(fields: &Value) -> FieldSet {
    let mut set = FieldSet::new();
    read_node(fields, &mut Vec::new(), &mut set);
    set
}

fn read_node(node: &Value, path: &mut Path, set: &mut FieldSet) {
    let Some(map) = node.as_object() else {
        return;
    };
    if (map.is_empty() || map.contains_key(".")) && !path.is_empty() {
        set.insert(path.clone());
    }
    for (name, child) in map {
        let step = if let Some(field) = name.strip_prefix("f:") {
            Step::Field(field.to_string())
        } else if let Some(key) = name.strip_prefix("k:") {
            Step::Key(key.to_string())
        } else {
            continue;
        };
        path.push(step);
        read_node(child, path, set);
        path.pop();
    }
}

/// A path as kubectl prints it in conflict messages (`.spec.replicas`).
pub fn describe(path: &[Step]) -> String {
    path.iter()
        .map(|step| match step {
            Step::Field(name) => format!(".{name}"),
            Step::Key(key) => format!("[{key}]"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn field_sets_in_the_fields_v1_form_of_the_kubernetes_docs() {
        // The example in the Kubernetes server-side apply documentation.
        let applied = json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "test-cm", "namespace": "default", "labels": {"test-label": "test"}},
            "data": {"key": "some value"},
        });
        assert_eq!(
            to_fields_v1(&field_set(&applied)),
            json!({"f:metadata": {"f:labels": {"f:test-label": {}}}, "f:data": {"f:key": {}}})
        );
    }

    #[test]
    fn keyed_items_have_a_dot_entry_and_round_trip() {
        let applied =
            json!({"spec": {"containers": [{"name": "web", "image": "nginx"}], "args": ["a"]}});
        let set = field_set(&applied);
        let fields = to_fields_v1(&set);
        assert_eq!(
            fields,
            json!({"f:spec": {"f:containers": {"k:{\"name\":\"web\"}": {".": {}, "f:name": {}, "f:image": {}}}, "f:args": {}}})
        );
        assert_eq!(from_fields_v1(&fields), set);
    }

    #[test]
    fn ports_key_on_the_defaulted_protocol() {
        let applied = json!({"ports": [{"port": 80}]});
        let live = json!({"ports": [{"port": 80, "protocol": "TCP", "targetPort": 80}]});
        let mut merged = live.clone();
        merge(&mut merged, &applied, "");
        assert_eq!(merged, live, "the item merges into the defaulted one");
    }
}
