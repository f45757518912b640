//! Object storage: one map per resource type and namespace, so reads,
//! writes and lists touch only their own type (no scan over every object),
//! an index of dependents by owner uid for garbage collection, and a short
//! history of changes per type for watches that resume from a resourceVersion.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use serde_json::Value;

/// How many changes per resource type a watch can resume from.
const HISTORY: usize = 2000;

/// Where an object lives: group, plural, namespace (`""` when cluster-scoped) and name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    pub group: String,
    pub plural: String,
    pub namespace: String,
    pub name: String,
}

impl Key {
    pub fn new(group: &str, plural: &str, namespace: &str, name: &str) -> Key {
        Key {
            group: group.into(),
            plural: plural.into(),
            namespace: namespace.into(),
            name: name.into(),
        }
    }

    fn kind(&self) -> (String, String) {
        (self.group.clone(), self.plural.clone())
    }
}

/// One recorded change.
#[derive(Clone, Debug)]
pub struct Change {
    pub resource_version: u64,
    /// `ADDED`, `MODIFIED` or `DELETED`.
    pub kind: &'static str,
    pub namespace: String,
    pub object: Value,
}

type ByNamespace = BTreeMap<String, BTreeMap<String, Value>>;

#[derive(Default)]
pub struct Store {
    types: HashMap<(String, String), ByNamespace>,
    /// Owner uid to the objects that name it in `ownerReferences`.
    dependents: HashMap<String, BTreeSet<Key>>,
    history: HashMap<(String, String), VecDeque<Change>>,
    pub resource_version: u64,
}

fn owner_uids(object: &Value) -> Vec<String> {
    object["metadata"]["ownerReferences"]
        .as_array()
        .map(|owners| {
            owners
                .iter()
                .filter_map(|owner| owner["uid"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

impl Store {
    pub fn new() -> Store {
        Store {
            resource_version: 100,
            ..Store::default()
        }
    }

    pub fn get(&self, key: &Key) -> Option<&Value> {
        self.types
            .get(&key.kind())?
            .get(&key.namespace)?
            .get(&key.name)
    }

    /// Stores `object` with the next resourceVersion and returns the stored copy.
    pub fn put(&mut self, key: &Key, mut object: Value) -> Value {
        self.resource_version += 1;
        object["metadata"]["resourceVersion"] = Value::String(self.resource_version.to_string());
        let previous = self
            .types
            .entry(key.kind())
            .or_default()
            .entry(key.namespace.clone())
            .or_default()
            .insert(key.name.clone(), object.clone());
        if let Some(previous) = &previous {
            self.unindex(key, previous);
        }
        for uid in owner_uids(&object) {
            self.dependents.entry(uid).or_default().insert(key.clone());
        }
        let kind = if previous.is_some() {
            "MODIFIED"
        } else {
            "ADDED"
        };
        self.record(key, kind, object.clone());
        object
    }

    pub fn remove(&mut self, key: &Key) -> Option<Value> {
        let namespaces = self.types.get_mut(&key.kind())?;
        let names = namespaces.get_mut(&key.namespace)?;
        let mut object = names.remove(&key.name)?;
        if names.is_empty() {
            namespaces.remove(&key.namespace);
        }
        self.unindex(key, &object);
        self.resource_version += 1;
        object["metadata"]["resourceVersion"] = Value::String(self.resource_version.to_string());
        self.record(key, "DELETED", object.clone());
        Some(object)
    }

    fn unindex(&mut self, key: &Key, object: &Value) {
        for uid in owner_uids(object) {
            if let Some(keys) = self.dependents.get_mut(&uid) {
                keys.remove(key);
                if keys.is_empty() {
                    self.dependents.remove(&uid);
                }
            }
        }
    }

    fn record(&mut self, key: &Key, kind: &'static str, object: Value) {
        let history = self.history.entry(key.kind()).or_default();
        if history.len() == HISTORY {
            history.pop_front();
        }
        history.push_back(Change {
            resource_version: self.resource_version,
            kind,
            namespace: key.namespace.clone(),
            object,
        });
    }

    /// Objects of a type, in one namespace or all, ordered by namespace and name.
    pub fn list<'a>(
        &'a self,
        group: &str,
        plural: &str,
        namespace: Option<&'a str>,
    ) -> impl Iterator<Item = (&'a str, &'a Value)> + 'a {
        let namespaces = self.types.get(&(group.to_string(), plural.to_string()));
        namespaces.into_iter().flat_map(move |namespaces| {
            let selected: Box<dyn Iterator<Item = (&String, &BTreeMap<String, Value>)>> =
                match namespace {
                    Some(namespace) => Box::new(namespaces.get_key_value(namespace).into_iter()),
                    None => Box::new(namespaces.iter()),
                };
            selected.flat_map(|(namespace, names)| {
                names
                    .values()
                    .map(move |object| (namespace.as_str(), object))
            })
        })
    }

    /// Keys of every object of a type in `namespace`.
    pub fn keys_in(&self, group: &str, plural: &str, namespace: &str) -> Vec<Key> {
        self.types
            .get(&(group.to_string(), plural.to_string()))
            .and_then(|namespaces| namespaces.get(namespace))
            .map(|names| {
                names
                    .keys()
                    .map(|name| Key::new(group, plural, namespace, name))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Every (group, plural) with objects in `namespace`.
    pub fn types_in(&self, namespace: &str) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .types
            .iter()
            .filter(|(_, namespaces)| namespaces.contains_key(namespace))
            .map(|(kind, _)| kind.clone())
            .collect();
        out.sort();
        out
    }

    /// Objects that name `uid` as an owner.
    pub fn dependents_of(&self, uid: &str) -> Vec<Key> {
        self.dependents
            .get(uid)
            .map(|keys| keys.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Changes to a type after `resource_version`; `None` when the history no
    /// longer reaches back that far.
    pub fn changes_since(
        &self,
        group: &str,
        plural: &str,
        resource_version: u64,
    ) -> Option<Vec<Change>> {
        let history = self.history.get(&(group.to_string(), plural.to_string()));
        let Some(history) = history else {
            return Some(Vec::new());
        };
        if let Some(first) = history.front() {
            if first.resource_version > resource_version + 1 && history.len() == HISTORY {
                return None;
            }
        }
        Some(
            history
                .iter()
                .filter(|change| change.resource_version > resource_version)
                .cloned()
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn objects_live_by_type_and_namespace_with_owner_index() {
        let mut store = Store::new();
        let key = Key::new("apps", "replicasets", "default", "web-1");
        let stored = store.put(
            &key,
            json!({"metadata": {"name": "web-1", "ownerReferences": [{"uid": "u1"}]}}),
        );
        assert_eq!(stored["metadata"]["resourceVersion"], "101");
        assert_eq!(store.dependents_of("u1"), std::slice::from_ref(&key));
        assert_eq!(
            store.list("apps", "replicasets", Some("default")).count(),
            1
        );
        assert_eq!(store.list("apps", "replicasets", Some("other")).count(), 0);
        assert_eq!(store.list("apps", "deployments", None).count(), 0);
        store.remove(&key);
        assert!(store.dependents_of("u1").is_empty());
        let changes = store.changes_since("apps", "replicasets", 100).unwrap();
        assert_eq!(
            changes.iter().map(|change| change.kind).collect::<Vec<_>>(),
            ["ADDED", "DELETED"]
        );
    }
}
