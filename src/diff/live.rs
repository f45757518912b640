//! The seam to wherever live objects come from.
//!
//! A [`LiveSource`] is handed the desired resources and returns a
//! [`LiveState`]: the objects as they are now and, where the source can
//! know it, each desired object as the server would store it (the result
//! of a server-side dry-run apply). [`compare_live`] turns that into
//! per-resource diffs. [`FileSource`] reads live objects from files (what
//! `kubectl get -o yaml` prints); a cluster source lives in
//! `crate::cluster` and is configured with [`ClusterOptions`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use crate::error::{Error, Result, ResultExt};
use crate::fs::FileSystem;
use crate::id::ResId;
use crate::resource::ResourceMap;

use super::{compare, object_id, DiffOptions, ResourceDiff};

/// Where live objects come from.
pub trait LiveSource {
    /// The live state for `desired`.
    fn live(&self, desired: &ResourceMap) -> Result<LiveState>;
}

/// What a [`LiveSource`] found: one entry per object it knows about.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LiveState {
    pub objects: Vec<LiveObject>,
}

/// One object as a source sees it (the shape `crate::cluster` returns).
///
/// Every `live` object forms the before side. A desired object with no
/// live object of the same id is created; a live object that no desired
/// object matches is reported deleted, so a source that must not report
/// deletions (a cluster, where applying deletes nothing) lists only
/// objects whose ids the desired set names. A source may give a live
/// object and the would-be object of one resource in one entry (a cluster
/// does) or in separate entries (files do): the engine pairs by id.
#[derive(Clone, Debug, PartialEq)]
pub struct LiveObject {
    /// The resource's id as in the build, or the live object's own id.
    pub id: ResId,
    /// The object as it is now; `None` when it does not exist.
    pub live: Option<Value>,
    /// The desired object with this id as applying would leave it
    /// (server-side dry run); `None`: compare the desired object as built.
    pub would_be: Option<Value>,
}

/// How to reach a cluster; what `--kubeconfig`, `--context`, `--namespace`
/// and `--request-timeout` ask for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterOptions {
    /// The kubeconfig file; `None` means `KUBECONFIG` or `~/.kube/config`.
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context; `None` means its current context.
    pub context: Option<String>,
    /// The namespace of objects that name none; `None` means the context's.
    pub namespace: Option<String>,
    /// How long one request may take; zero means no limit.
    pub request_timeout: Duration,
}

/// Who writes, and how: the field manager a server-side apply (or its dry
/// run) names and whether it takes fields other managers own. `strata diff`
/// and `strata apply` share it, so the diff shows what the apply will do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// `fieldManager` (`--field-manager`; the server refuses more than 128 characters).
    pub field_manager: String,
    /// `force=true` (`--force-conflicts`): take conflicting fields instead of failing.
    pub force_conflicts: bool,
}

impl Default for Identity {
    fn default() -> Self {
        Identity {
            field_manager: "strata".into(),
            force_conflicts: false,
        }
    }
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            kubeconfig: None,
            context: None,
            namespace: None,
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// Diffs `desired` against what a source found: before = every live
/// object, after = each desired object, or its would-be object if given.
pub fn compare_live(
    desired: &ResourceMap,
    state: &LiveState,
    options: &DiffOptions,
) -> Result<Vec<ResourceDiff>> {
    let before: Vec<Value> = state
        .objects
        .iter()
        .filter_map(|o| o.live.clone())
        .collect();
    let after: Vec<Value> = desired
        .iter()
        .map(|resource| {
            let id = resource.id();
            state
                .objects
                .iter()
                .filter(|object| object.id.same_as(&id))
                .find_map(|object| object.would_be.clone())
                .unwrap_or_else(|| resource.object().clone())
        })
        .collect();
    compare(&before, &after, options)
}

/// Live objects read from YAML files: a `List` (as `kubectl get -o yaml`
/// prints) or a stream of documents; a directory means its `.yaml`, `.yml`
/// and `.json` files.
///
/// What applying would change, as far as files can tell: an object of a
/// namespaced kind that names no namespace is in `namespace` (or
/// `default`) on both sides; only the fields the build sets are compared
/// (a live object's server-populated and defaulted fields are left out);
/// live objects the build does not produce are not reported (applying
/// deletes nothing). The same object twice in the files is an error.
pub struct FileSource<'a> {
    pub fs: &'a dyn FileSystem,
    pub paths: Vec<PathBuf>,
    pub namespace: Option<String>,
}

impl LiveSource for FileSource<'_> {
    fn live(&self, desired: &ResourceMap) -> Result<LiveState> {
        let namespace = self.namespace.as_deref().unwrap_or("default");
        let mut live: HashMap<String, Value> = HashMap::new();
        for path in &self.paths {
            for file in self.files(path)? {
                for mut object in read_objects(self.fs, &file)? {
                    default_namespace(&mut object, namespace);
                    let id = object_id(&object)?;
                    if live.insert(key(&id), object).is_some() {
                        return Err(Error::file(
                            &file,
                            format!("live objects: {id} is listed more than once"),
                        ));
                    }
                }
            }
        }
        let mut objects = Vec::with_capacity(desired.len());
        for resource in desired.iter() {
            let mut wanted = resource.object().clone();
            default_namespace(&mut wanted, namespace);
            let before = live
                .get(&key(&ResId::of(&wanted)))
                .map(|object| project(object, &wanted));
            objects.push(LiveObject {
                id: resource.id(),
                live: before,
                would_be: Some(wanted),
            });
        }
        Ok(LiveState { objects })
    }
}

/// Sets `namespace` on an object of a namespaced kind that names none.
fn default_namespace(object: &mut Value, namespace: &str) {
    if ResId::of(object).gvk.is_cluster_scoped() {
        return;
    }
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        let named = metadata
            .get("namespace")
            .and_then(Value::as_str)
            .is_some_and(|n| !n.is_empty());
        if !named {
            metadata.insert("namespace".into(), Value::String(namespace.into()));
        }
    }
}

/// One key per object: group, version, kind, namespace and name.
fn key(id: &ResId) -> String {
    format!("{}\0{}\0{}", id.gvk, id.effective_namespace(), id.name)
}

/// The part of `live` that `wanted` sets: map keys `wanted` has, lists of
/// the same length element by element, anything else whole.
fn project(live: &Value, wanted: &Value) -> Value {
    match (live, wanted) {
        (Value::Object(live), Value::Object(wanted)) => Value::Object(
            wanted
                .iter()
                .filter_map(|(k, w)| live.get(k).map(|l| (k.clone(), project(l, w))))
                .collect(),
        ),
        (Value::Array(live), Value::Array(wanted)) if live.len() == wanted.len() => Value::Array(
            live.iter()
                .zip(wanted)
                .map(|(l, w)| project(l, w))
                .collect(),
        ),
        _ => live.clone(),
    }
}

impl FileSource<'_> {
    fn files(&self, path: &Path) -> Result<Vec<PathBuf>> {
        if !self.fs.is_dir(path) {
            // Reading a FIFO or a device would block or never end, as a build refuses them.
            if let Some(kind) = self.fs.special_kind(path) {
                return Err(Error::file(
                    path,
                    format!(
                        "live objects: it is {kind}; only regular files and directories are read"
                    ),
                ));
            }
            return Ok(vec![path.to_path_buf()]);
        }
        Ok(self
            .fs
            .read_dir(path)?
            .into_iter()
            .filter(|p| self.fs.is_file(p))
            .filter(|p| {
                p.extension()
                    .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
            })
            .collect())
    }
}

/// The objects of one file, with `List` documents expanded into their items.
fn read_objects(fs: &dyn FileSystem, path: &Path) -> Result<Vec<Value>> {
    let text = fs.read_to_string(path)?;
    let documents = crate::yaml::parse_stream(&text, path)?;
    let objects = crate::kyaml::expand_lists(documents, &path.display().to_string())?;
    for object in &objects {
        object_id(object).context_with(|| format!("in live objects `{}`", path.display()))?;
    }
    Ok(objects)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::Change;
    use crate::resource::{Origin, Resource};
    use serde_json::json;

    fn desired(objects: Vec<Value>) -> ResourceMap {
        objects
            .into_iter()
            .map(|o| Resource::new(o, Origin::Inline).unwrap())
            .collect()
    }

    #[test]
    fn would_be_objects_replace_desired_ones() {
        let desired = desired(vec![
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "v"}}),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "new"}}),
        ]);
        let live = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "a", "namespace": "default", "uid": "1"}, "data": {"k": "v"}});
        let gone = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "gone", "namespace": "default"}});
        let state = LiveState {
            objects: vec![
                LiveObject {
                    id: desired.as_slice()[0].id(),
                    live: Some(live.clone()),
                    would_be: Some(live),
                },
                LiveObject {
                    id: object_id(&gone).unwrap(),
                    live: Some(gone),
                    would_be: None,
                },
            ],
        };
        let diffs = compare_live(&desired, &state, &DiffOptions::default()).unwrap();
        let changes: Vec<(Change, &str)> = diffs
            .iter()
            .map(|d| (d.change, d.id.name.as_str()))
            .collect();
        assert_eq!(
            changes,
            [
                (Change::Unchanged, "a"),
                (Change::Created, "new"),
                (Change::Deleted, "gone")
            ]
        );
    }

    #[test]
    fn file_source_defaults_namespaces_of_namespaced_kinds() {
        let fs = crate::fs::MemFs::new();
        let source = FileSource {
            fs: &fs,
            paths: vec![],
            namespace: Some("prod".into()),
        };
        let desired = desired(vec![
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}),
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "prod"}}),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b", "namespace": "x"}}),
        ]);
        let state = source.live(&desired).unwrap();
        let namespaces: Vec<&Value> = state
            .objects
            .iter()
            .map(|o| &o.would_be.as_ref().unwrap()["metadata"]["namespace"])
            .collect();
        assert_eq!(namespaces, [&json!("prod"), &Value::Null, &json!("x")]);
    }

    fn live_files(files: &[(&str, &str)]) -> crate::fs::MemFs {
        let mut fs = crate::fs::MemFs::new();
        for (path, text) in files {
            fs.add(path, *text);
        }
        fs
    }

    #[test]
    fn live_files_compare_only_what_the_build_sets() {
        let fs = live_files(&[(
            "live.yaml",
            "apiVersion: v1\nkind: List\nitems:\n\
             - apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n    uid: u1\n\
             \x20   labels: {server: set}\n  data: {k: v, extra: e}\n\
             - apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: other}\n",
        )]);
        let source = FileSource {
            fs: &fs,
            paths: vec!["live.yaml".into()],
            namespace: None,
        };
        let desired = desired(vec![
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "v"}}),
        ]);
        let state = source.live(&desired).unwrap();
        let diffs = compare_live(&desired, &state, &DiffOptions::default()).unwrap();
        let changes: Vec<(Change, &str)> = diffs
            .iter()
            .map(|d| (d.change, d.id.name.as_str()))
            .collect();
        // `other` is in the file only: applying leaves it alone.
        assert_eq!(changes, [(Change::Unchanged, "a")]);

        let changed = desired_changed();
        let state = source.live(&changed).unwrap();
        let diffs = compare_live(&changed, &state, &DiffOptions::default()).unwrap();
        assert_eq!(diffs[0].change, Change::Changed);
    }

    fn desired_changed() -> ResourceMap {
        desired(vec![
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "w"}}),
        ])
    }

    #[test]
    fn malformed_live_files_are_errors() {
        let twice = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n\
                     apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: default}\n";
        let not_a_list = "apiVersion: v1\nkind: List\nitems: {a: 1}\n";
        for (text, expected) in [
            (twice, "listed more than once"),
            (not_a_list, "expected array"),
        ] {
            let fs = live_files(&[("live.yaml", text)]);
            let source = FileSource {
                fs: &fs,
                paths: vec!["live.yaml".into()],
                namespace: None,
            };
            let error = source
                .live(&ResourceMap::default())
                .unwrap_err()
                .to_string();
            assert!(error.contains(expected), "{error}");
        }
    }
}
