//! One resource: the manifest object plus what the build knows about it.
//!
//! kustomize keeps build state in annotations and strips them before output;
//! here it is typed and never reaches the object, so emit needs no cleanup.

pub mod map;
pub mod selector;

use std::path::PathBuf;

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::id::{Gvk, ResId};

pub use map::ResourceMap;

/// Where a resource came from, for errors and previews.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A manifest file listed in `resources:`.
    File(PathBuf),
    /// A generator (`configMapGenerator`, `secretGenerator`, ...) in a kustomization.
    Generator {
        kustomization: PathBuf,
        generator: &'static str,
    },
    /// A value returned by a jsonnet program.
    Jsonnet(PathBuf),
    /// Built in memory by a caller.
    Inline,
    /// A builtin generator configured by a plugin config (an entry of a
    /// kustomization's `generators:`).
    Plugin(Configured),
}

/// A generator or transformer as kustomize's build metadata names it: the
/// file that configures it (`configuredIn`) and its identity
/// (`configuredBy`). For a kustomization field the file is the
/// kustomization, the API version `builtin` and the name empty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Configured {
    pub file: PathBuf,
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub namespace: String,
}

impl Configured {
    /// A transformer or generator a kustomization field configures: the
    /// kustomization file, API version `builtin`, no name.
    pub fn builtin(kustomization_file: &std::path::Path, kind: &str) -> Configured {
        Configured {
            file: kustomization_file.to_path_buf(),
            api_version: "builtin".into(),
            kind: kind.into(),
            name: String::new(),
            namespace: String::new(),
        }
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::File(path) | Origin::Jsonnet(path) => write!(f, "{}", path.display()),
            Origin::Generator {
                kustomization,
                generator,
            } => write!(f, "{} ({generator})", kustomization.display()),
            Origin::Inline => write!(f, "<inline>"),
            Origin::Plugin(configured) => {
                write!(f, "{} ({}", configured.file.display(), configured.kind)?;
                if !configured.name.is_empty() {
                    write!(f, " {}", configured.name)?;
                }
                write!(f, ")")
            }
        }
    }
}

/// How a generated resource combines with one of the same name from a lower layer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Behavior {
    #[default]
    Create,
    Merge,
    Replace,
}

/// Facts about a generated ConfigMap or Secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Generated {
    pub behavior: Behavior,
    /// Whether the name gets kustomize's content-hash suffix.
    pub append_hash: bool,
}

/// A manifest plus build metadata. The object is always a JSON object.
#[derive(Clone, Debug)]
pub struct Resource {
    object: Value,
    pub origin: Origin,
    /// Earlier ids of this resource, oldest first (before prefixes,
    /// suffixes, namespaces and hash suffixes changed it). Name references
    /// resolve through them.
    pub previous_ids: Vec<ResId>,
    pub generated: Option<Generated>,
    /// Name prefixes and suffixes added to this resource, innermost layer
    /// first; name references prefer targets renamed like the referrer.
    pub name_prefixes: Vec<String>,
    pub name_suffixes: Vec<String>,
    /// Names of the deprecated `vars` whose `objref` named this resource
    /// when their layer was accumulated (kustomize's `refVarNames`).
    pub var_names: Vec<String>,
    /// The transformers that ran over this resource, in order; recorded
    /// only when the build asks for `buildMetadata` (see
    /// `transform::metadata`).
    pub transformations: Vec<Configured>,
    /// JSON pointers of mapping values the file wrote as empty nulls
    /// (`key:`); a strategic merge patch drops them (kyaml's merge2 keeps
    /// only nulls spelled out). Empty once a patch rewrote the resource.
    pub empty_nulls: Vec<String>,
}

impl Resource {
    /// Wraps an object; fails unless it is a mapping with `kind`.
    pub fn new(object: Value, origin: Origin) -> Result<Self> {
        let Value::Object(map) = &object else {
            return Err(Error::msg(format!(
                "{origin}: a resource must be a mapping, found {}",
                value_kind(&object)
            )));
        };
        let kind = map.get("kind").and_then(crate::id::kind_text);
        if kind.is_none_or(|kind| kind.is_empty()) {
            // Named by where it came from and its name, never its content.
            let name = map
                .get("metadata")
                .and_then(|m| m.get("name"))
                .and_then(Value::as_str)
                .map_or_else(String::new, |name| format!(" `{name}`"));
            return Err(Error::msg(format!(
                "{origin}: missing `kind` in resource{name}"
            )));
        }
        Ok(Resource {
            object,
            origin,
            previous_ids: Vec::new(),
            generated: None,
            name_prefixes: Vec::new(),
            name_suffixes: Vec::new(),
            var_names: Vec::new(),
            transformations: Vec::new(),
            empty_nulls: Vec::new(),
        })
    }

    pub fn object(&self) -> &Value {
        &self.object
    }

    pub fn object_mut(&mut self) -> &mut Value {
        &mut self.object
    }

    pub fn into_object(self) -> Value {
        self.object
    }

    pub fn map(&self) -> &Map<String, Value> {
        self.object.as_object().expect("resource object is a map")
    }

    pub fn map_mut(&mut self) -> &mut Map<String, Value> {
        self.object
            .as_object_mut()
            .expect("resource object is a map")
    }

    pub fn api_version(&self) -> &str {
        self.str_at(&["apiVersion"]).unwrap_or("")
    }

    pub fn kind(&self) -> &str {
        self.str_at(&["kind"]).unwrap_or("")
    }

    pub fn name(&self) -> &str {
        self.str_at(&["metadata", "name"]).unwrap_or("")
    }

    pub fn namespace(&self) -> &str {
        self.str_at(&["metadata", "namespace"]).unwrap_or("")
    }

    pub fn gvk(&self) -> Gvk {
        Gvk::from_api_version(self.api_version(), self.kind())
    }

    /// The current id, read from the object.
    pub fn id(&self) -> ResId {
        ResId::of(&self.object)
    }

    /// The id this resource had when it was loaded or generated.
    pub fn original_id(&self) -> ResId {
        self.previous_ids
            .first()
            .cloned()
            .unwrap_or_else(|| self.id())
    }

    /// Every id this resource has had, oldest first, ending with the current one.
    pub fn all_ids(&self) -> impl Iterator<Item = ResId> + '_ {
        self.previous_ids
            .iter()
            .cloned()
            .chain(std::iter::once(self.id()))
    }

    /// Renames the resource, remembering the old id.
    pub fn set_name(&mut self, name: &str) {
        if name == self.name() {
            return;
        }
        self.previous_ids.push(self.id());
        self.metadata_mut()
            .insert("name".into(), Value::String(name.into()));
    }

    /// Moves the resource to a namespace, remembering the old id.
    pub fn set_namespace(&mut self, namespace: &str) {
        if namespace == self.namespace() {
            return;
        }
        self.previous_ids.push(self.id());
        self.metadata_mut()
            .insert("namespace".into(), Value::String(namespace.into()));
    }

    /// `metadata`, created if absent.
    pub fn metadata_mut(&mut self) -> &mut Map<String, Value> {
        let metadata = self
            .map_mut()
            .entry("metadata")
            .or_insert_with(|| Value::Object(Map::new()));
        if !metadata.is_object() {
            *metadata = Value::Object(Map::new());
        }
        metadata.as_object_mut().expect("just made an object")
    }

    pub fn labels(&self) -> Option<&Map<String, Value>> {
        self.at(&["metadata", "labels"]).and_then(Value::as_object)
    }

    pub fn annotations(&self) -> Option<&Map<String, Value>> {
        self.at(&["metadata", "annotations"])
            .and_then(Value::as_object)
    }

    /// The value at a path of map keys.
    pub fn at(&self, path: &[&str]) -> Option<&Value> {
        path.iter()
            .try_fold(&self.object, |value, key| value.get(*key))
    }

    pub fn str_at(&self, path: &[&str]) -> Option<&str> {
        self.at(path).and_then(Value::as_str)
    }
}

/// A short word for the JSON type of a value, for error messages.
pub fn value_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renames_remember_the_old_id() {
        let mut r = Resource::new(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}),
            Origin::Inline,
        )
        .unwrap();
        r.set_name("p-a");
        r.set_namespace("prod");
        assert_eq!(r.original_id().name, "a");
        assert_eq!(r.id().to_string(), "v1 ConfigMap prod/p-a");
        assert_eq!(r.all_ids().count(), 3);
    }

    #[test]
    fn rejects_objects_without_kind() {
        let err = Resource::new(json!({"metadata": {}}), Origin::Inline).unwrap_err();
        assert!(err.to_string().contains("missing `kind`"));
        // A typo'd Secret is named, its data never shown.
        let typo =
            json!({"Kind": "Secret", "metadata": {"name": "db"}, "data": {"pw": "c2VjcmV0"}});
        let err = Resource::new(typo, Origin::Inline).unwrap_err().to_string();
        assert!(err.contains("`db`") && !err.contains("c2VjcmV0"), "{err}");
    }
}
