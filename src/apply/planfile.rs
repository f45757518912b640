//! Reviewed plans: a [`Plan`] written to a file (`strata apply --plan-out`),
//! read back to apply exactly it (`strata apply --plan`) or to show it
//! (`strata diff --plan`).
//!
//! The file is one JSON document, written compactly on one line (pretty
//! printing made the kubeflow example's plan 61% larger); shown here
//! indented:
//!
//! ```json
//! {
//!   "strataPlan": 1,
//!   "tool": "strata 0.1.0",
//!   "target": "overlays/prod",
//!   "cluster": {"server": "https://10.0.0.1:6443/", "context": "prod"},
//!   "apply": {"fieldManager": "strata", "forceConflicts": false, "replaceImmutable": false},
//!   "objects": [{
//!     "id": {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "prod", "name": "web"},
//!     "namespace": "prod", "action": "updated", "step": 0,
//!     "collection": "/apis/apps/v1/namespaces/prod/deployments",
//!     "live": {"uid": "…", "resourceVersion": "41"},
//!     "desired": {"apiVersion": "apps/v1", "kind": "Deployment", "…": "…"},
//!     "diff": {"change": "changed", "hunks": "@@ -1,3 +1,3 @@ …"}
//!   }],
//!   "steps": [[0]], "dependencies": [[]],
//!   "prune": [{"id": {…}, "namespace": "prod", "collection": "…", "uid": "…", "resourceVersion": "7"}],
//!   "applyset": {"parent": {"kind": "Secret", "name": "my-set", "namespace": "prod"},
//!     "parentCollection": "/api/v1/namespaces/prod/secrets", "parentExists": true, "adopted": false,
//!     "old": {"groupKinds": ["ConfigMap"], "namespaces": ["prod"]}, "new": {…}, "pruneSteps": [0]},
//!   "digest": "sha256:…"
//! }
//! ```
//!
//! `live` is `"absent"` for a create. The digest is the SHA-256 of the
//! document without `digest`, serialized compactly in file order: it tells
//! an edited or truncated file, it is not a signature (anyone who can write
//! the file can compute it again). `desired` holds Secrets' data in the
//! clear; the diffs hold them masked. The file is created readable by its
//! owner only, atomically.

use std::io::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};

use super::applyset::{Contents, GroupKind, Parent};
use super::plan::{Action, Plan, PlanItem};
use super::prune::{PruneItem, PruneSet};
use crate::diff::{Change, ResourceDiff, TargetDiff};
use crate::error::{Error, Result};
use crate::id::{Gvk, ResId};

/// The version of the file format this strata reads and writes.
pub const FORMAT: u32 = 1;

/// The cluster a plan was made against.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterRef {
    /// The API server's address as the kubeconfig names it.
    pub server: String,
    /// The kubeconfig context.
    pub context: String,
}

/// What changes how the plan's objects are applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Settings {
    pub field_manager: String,
    pub force_conflicts: bool,
    pub replace_immutable: bool,
}

/// An object the plan deletes (pruning), with the UID and resourceVersion
/// it was planned against: the deletion's preconditions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deletion {
    pub id: ResId,
    /// The namespace it lives in; `None` for cluster-scoped kinds.
    pub namespace: Option<String>,
    /// Its collection URL (`/api/v1/namespaces/prod/configmaps`).
    pub collection: String,
    pub uid: String,
    pub resource_version: String,
}

impl Deletion {
    /// The id with the namespace it lives in.
    pub fn applied_id(&self) -> ResId {
        let mut id = self.id.clone();
        if let Some(namespace) = &self.namespace {
            id.namespace = namespace.clone();
        }
        id
    }
}

/// A plan as written to, or read from, a plan file.
#[derive(Clone, Debug)]
pub struct PlanFile {
    /// The strata that made it (`strata 0.1.0`).
    pub tool: String,
    /// What was built (the paths as given).
    pub target: String,
    pub cluster: ClusterRef,
    pub settings: Settings,
    /// The plan. Items read from a file carry, as `live`, only the UID and
    /// resourceVersion they were planned against.
    pub plan: Plan,
    /// Objects to delete, after everything else.
    pub prune: Vec<Deletion>,
}

/// The deletions of a plan's ApplySet, as a plan file lists them.
pub fn deletions_of(plan: &Plan) -> Vec<Deletion> {
    plan.prune
        .iter()
        .flat_map(|set| set.deletions())
        .map(|item| Deletion {
            id: item.id.clone(),
            namespace: (!item.id.namespace.is_empty()).then(|| item.id.namespace.clone()),
            collection: item.collection.clone(),
            uid: item.uid.clone(),
            resource_version: item.resource_version.clone(),
        })
        .collect()
}

/// The tool name and version written into plans.
pub fn tool() -> String {
    format!("strata {}", env!("CARGO_PKG_VERSION"))
}

impl PlanFile {
    /// The file's text: compact JSON ending in its digest, and a newline.
    pub fn to_json(&self) -> Result<String> {
        let wire = Wire {
            strata_plan: FORMAT,
            tool: self.tool.clone(),
            target: self.target.clone(),
            cluster: self.cluster.clone(),
            apply: self.settings.clone(),
            objects: self.plan.items.iter().map(WireObject::from_item).collect(),
            steps: self.plan.steps.clone(),
            dependencies: self.plan.dependencies.clone(),
            prune: self.prune.iter().map(WirePrune::from_deletion).collect(),
            applyset: self.plan.prune.as_ref().map(WireApplySet::from_set),
        };
        let mut document = serde_json::to_value(&wire)
            .map_err(|error| Error::msg(format!("cannot serialize the plan: {error}")))?;
        let digest = digest_of(&document)?;
        if let Value::Object(map) = &mut document {
            map.insert("digest".into(), Value::String(digest));
        }
        let mut text = serde_json::to_string(&document)
            .map_err(|error| Error::msg(format!("cannot serialize the plan: {error}")))?;
        text.push('\n');
        Ok(text)
    }

    /// Reads a plan file's text, checking its format, version, digest and
    /// that it holds together; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<PlanFile> {
        let invalid = |message: String| Error::file(path, message);
        let mut document: Value = serde_json::from_str(text)
            .map_err(|error| invalid(format!("is not a strata plan (not JSON: {error})")))?;
        let Value::Object(map) = &mut document else {
            return Err(invalid("is not a strata plan (not a JSON object)".into()));
        };
        match map.get("strataPlan") {
            Some(Value::Number(n)) if n.as_u64() == Some(u64::from(FORMAT)) => {}
            Some(other) => {
                return Err(invalid(format!(
                    "is a strata plan of format {other}; this strata ({}) reads format {FORMAT}",
                    tool()
                )))
            }
            None => {
                return Err(invalid(
                    "is not a strata plan (no `strataPlan` field)".into(),
                ))
            }
        }
        let Some(Value::String(recorded)) = map.remove("digest") else {
            return Err(invalid(
                "has no `digest`: it is not a whole plan file".into(),
            ));
        };
        let actual = digest_of(&document)?;
        if recorded != actual {
            return Err(invalid(format!(
                "was changed after it was written (its digest is {recorded}, its content's \
                 {actual}): refused; make a new plan"
            )));
        }
        let wire: Wire = serde_path_to_error::deserialize(document)
            .map_err(|error| invalid(format!("is not a valid plan: {error}")))?;
        wire.into_plan_file().map_err(invalid)
    }

    /// Writes the plan to `path`: created with mode 0600 beside it and
    /// renamed over it, so the file is never half-written and never
    /// readable by others, whatever was there before.
    pub fn write(&self, path: &Path) -> Result<()> {
        use std::os::unix::fs::PermissionsExt;
        let text = self.to_json()?;
        if std::fs::symlink_metadata(path).is_ok_and(|meta| meta.is_dir()) {
            return Err(Error::file(
                path,
                "is a directory: name a file for the plan",
            ));
        }
        let dir = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        let mut temp = tempfile::Builder::new()
            .prefix(".strata-plan-")
            .suffix(".tmp")
            .permissions(std::fs::Permissions::from_mode(0o600))
            .tempfile_in(&dir)
            .map_err(|error| Error::write(&dir, error))?;
        temp.write_all(text.as_bytes())
            .and_then(|()| temp.as_file().sync_all())
            .map_err(|error| Error::write(path, error))?;
        temp.persist(path)
            .map_err(|error| Error::write(path, error.error))?;
        Ok(())
    }

    /// Reads and checks a plan file ([`PlanFile::parse`]).
    pub fn read(path: &Path) -> Result<PlanFile> {
        let text = std::fs::read_to_string(path).map_err(|error| Error::io(path, error))?;
        PlanFile::parse(&text, path)
    }

    /// Why the plan must not be applied to the cluster at `server`, if it must not.
    pub fn other_cluster(&self, server: &str, context: &str) -> Option<String> {
        (self.cluster.server != server).then(|| {
            format!(
                "the plan was made for the cluster at {} (context `{}`), not {server} \
                 (context `{context}`): refused, nothing was changed",
                self.cluster.server, self.cluster.context
            )
        })
    }

    /// What the plan changes, as `strata diff` shows it: every object's
    /// planned diff, then each deletion.
    pub fn diff(&self) -> TargetDiff {
        let mut target = self.plan.diff(&self.target);
        target
            .resources
            .extend(self.prune.iter().map(|deletion| ResourceDiff {
                change: Change::Deleted,
                id: deletion.applied_id(),
                previous_id: None,
                hunks: String::new(),
            }));
        target
    }
}

/// `sha256:HEX` of the compact serialization of `document`.
fn digest_of(document: &Value) -> Result<String> {
    let bytes = serde_json::to_vec(document)
        .map_err(|error| Error::msg(format!("cannot serialize the plan: {error}")))?;
    Ok(format!("sha256:{:x}", Sha256::digest(&bytes)))
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Wire {
    strata_plan: u32,
    tool: String,
    target: String,
    cluster: ClusterRef,
    apply: Settings,
    objects: Vec<WireObject>,
    steps: Vec<Vec<usize>>,
    dependencies: Vec<Vec<usize>>,
    #[serde(default)]
    prune: Vec<WirePrune>,
    /// The ApplySet of a `--prune` plan; `prune` lists its deletions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    applyset: Option<WireApplySet>,
}

/// What `--plan` needs to run a plan's ApplySet as the plan made it: the
/// parent, its contents before and after, and the step of each deletion.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WireApplySet {
    parent: WireParent,
    parent_collection: String,
    parent_exists: bool,
    adopted: bool,
    old: WireContents,
    new: WireContents,
    /// The deletion step of each entry of `prune`, in the same order.
    prune_steps: Vec<usize>,
    #[serde(default)]
    kept: Vec<WireId>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WireParent {
    #[serde(default)]
    group: String,
    kind: String,
    name: String,
    #[serde(default)]
    namespace: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WireContents {
    /// `Kind.group`, as the parent's annotation writes them.
    group_kinds: Vec<String>,
    namespaces: Vec<String>,
}

impl WireContents {
    fn from_contents(contents: &Contents) -> WireContents {
        WireContents {
            group_kinds: contents
                .group_kinds
                .iter()
                .map(ToString::to_string)
                .collect(),
            namespaces: contents.namespaces.iter().cloned().collect(),
        }
    }

    fn into_contents(self) -> Contents {
        Contents {
            group_kinds: self
                .group_kinds
                .iter()
                .map(|gk| GroupKind::parse(gk))
                .collect(),
            namespaces: self.namespaces.into_iter().collect(),
        }
    }
}

impl WireApplySet {
    fn from_set(set: &PruneSet) -> WireApplySet {
        WireApplySet {
            parent: WireParent {
                group: set.parent.group.clone(),
                kind: set.parent.kind.clone(),
                name: set.parent.name.clone(),
                namespace: set.parent.namespace.clone(),
            },
            parent_collection: set.parent_collection.clone(),
            parent_exists: set.parent_exists,
            adopted: set.adopted,
            old: WireContents::from_contents(&set.old),
            new: WireContents::from_contents(&set.new),
            prune_steps: set
                .steps
                .iter()
                .enumerate()
                .flat_map(|(number, step)| std::iter::repeat_n(number, step.len()))
                .collect(),
            kept: set.kept.iter().map(WireId::from_id).collect(),
        }
    }

    /// The set again, its deletions grouped back into their steps.
    fn into_set(self, deletions: &[Deletion]) -> std::result::Result<PruneSet, String> {
        if self.prune_steps.len() != deletions.len() {
            return Err(format!(
                "is not a valid plan: {} deletions but {} deletion steps",
                deletions.len(),
                self.prune_steps.len()
            ));
        }
        check_collection(&self.parent_collection)
            .map_err(|message| format!("has an invalid ApplySet parent: {message}"))?;
        let mut steps: Vec<Vec<PruneItem>> = Vec::new();
        for (deletion, &step) in deletions.iter().zip(&self.prune_steps) {
            if step > steps.len() || (step + 1 < steps.len()) {
                return Err("is not a valid plan: deletion steps out of order".to_string());
            }
            if step == steps.len() {
                steps.push(Vec::new());
            }
            steps[step].push(PruneItem {
                id: deletion.id.clone(),
                collection: deletion.collection.clone(),
                uid: deletion.uid.clone(),
                resource_version: deletion.resource_version.clone(),
            });
        }
        Ok(PruneSet {
            parent: Parent {
                group: self.parent.group,
                kind: self.parent.kind,
                name: self.parent.name,
                namespace: self.parent.namespace,
            },
            parent_collection: self.parent_collection,
            parent_exists: self.parent_exists,
            adopted: self.adopted,
            old: self.old.into_contents(),
            new: self.new.into_contents(),
            steps,
            kept: self.kept.iter().map(WireId::to_id).collect(),
            // A refused set is never written to a plan.
            refusal: None,
        })
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WireId {
    api_version: String,
    kind: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    namespace: String,
    name: String,
}

impl WireId {
    fn from_id(id: &ResId) -> WireId {
        WireId {
            api_version: id.gvk.api_version(),
            kind: id.gvk.kind.clone(),
            namespace: id.namespace.clone(),
            name: id.name.clone(),
        }
    }

    fn to_id(&self) -> ResId {
        ResId::new(
            Gvk::from_api_version(&self.api_version, &self.kind),
            &self.namespace,
            &self.name,
        )
    }
}

/// The live side of a planned object: `"absent"`, or what it was.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum WireLive {
    Absent(Absent),
    Present {
        uid: String,
        #[serde(rename = "resourceVersion")]
        resource_version: String,
    },
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Absent {
    Absent,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WireDiff {
    change: Change,
    /// The diff's id, when it is not the object's (`id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<WireId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    previous_id: Option<WireId>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    hunks: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WireObject {
    id: WireId,
    namespace: Option<String>,
    action: Action,
    step: usize,
    collection: Option<String>,
    live: WireLive,
    desired: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    migration: Option<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    takes_over: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    deferred: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    diff: WireDiff,
}

impl WireObject {
    fn from_item(item: &PlanItem) -> WireObject {
        let live = match &item.live {
            None => WireLive::Absent(Absent::Absent),
            Some(live) => WireLive::Present {
                uid: text(&live["metadata"]["uid"]),
                resource_version: text(&live["metadata"]["resourceVersion"]),
            },
        };
        WireObject {
            id: WireId::from_id(&item.id),
            namespace: item.namespace.clone(),
            action: item.action,
            step: item.step,
            collection: item.collection.clone(),
            live,
            desired: item.desired.clone(),
            migration: item.migration.clone(),
            takes_over: item.takes_over.clone(),
            deferred: item.deferred,
            reason: item.reason.clone(),
            diff: WireDiff {
                change: item.diff.change,
                id: (item.diff.id != item.id).then(|| WireId::from_id(&item.diff.id)),
                previous_id: item.diff.previous_id.as_ref().map(WireId::from_id),
                hunks: item.diff.hunks.clone(),
            },
        }
    }

    fn into_item(self, index: usize) -> std::result::Result<PlanItem, String> {
        let id = self.id.to_id();
        let at = |message: String| format!("has an invalid object {} ({id}): {message}", index + 1);
        if ResId::of(&self.desired).gvk != id.gvk || ResId::of(&self.desired).name != id.name {
            return Err(at(format!(
                "its body is {}, not the object named",
                ResId::of(&self.desired)
            )));
        }
        if let Some(collection) = &self.collection {
            check_collection(collection).map_err(at)?;
        }
        if self.action == Action::Failed {
            return Err(at("a plan file holds no failed objects".into()));
        }
        let live = match self.live {
            WireLive::Absent(_) => None,
            WireLive::Present {
                uid,
                resource_version,
            } => Some(json!({"metadata": {"uid": uid, "resourceVersion": resource_version}})),
        };
        if live.is_none() != (self.action == Action::Created) {
            return Err(at(format!(
                "action `{}` does not fit a live object that is {}",
                self.action,
                if live.is_none() { "absent" } else { "present" }
            )));
        }
        Ok(PlanItem {
            diff: ResourceDiff {
                change: self.diff.change,
                id: self
                    .diff
                    .id
                    .as_ref()
                    .map_or_else(|| id.clone(), WireId::to_id),
                previous_id: self.diff.previous_id.as_ref().map(WireId::to_id),
                hunks: self.diff.hunks,
            },
            id,
            namespace: self.namespace,
            action: self.action,
            step: self.step,
            desired: self.desired,
            live,
            migration: self.migration,
            takes_over: self.takes_over,
            conflicts: Vec::new(),
            reason: self.reason,
            deferred: self.deferred,
            collection: self.collection,
        })
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WirePrune {
    id: WireId,
    namespace: Option<String>,
    collection: String,
    uid: String,
    resource_version: String,
}

impl WirePrune {
    fn from_deletion(deletion: &Deletion) -> WirePrune {
        WirePrune {
            id: WireId::from_id(&deletion.id),
            namespace: deletion.namespace.clone(),
            collection: deletion.collection.clone(),
            uid: deletion.uid.clone(),
            resource_version: deletion.resource_version.clone(),
        }
    }
}

impl Wire {
    /// The plan, once every index in it points at an object.
    fn into_plan_file(self) -> std::result::Result<PlanFile, String> {
        let count = self.objects.len();
        if self.dependencies.len() != count {
            return Err(format!(
                "is not a valid plan: {} objects but {} dependency lists",
                count,
                self.dependencies.len()
            ));
        }
        let mut placed = vec![false; count];
        for (number, step) in self.steps.iter().enumerate() {
            for &index in step {
                if index >= count || placed[index] {
                    return Err(format!(
                        "is not a valid plan: step {} names object {} twice or out of range",
                        number + 1,
                        index + 1
                    ));
                }
                placed[index] = true;
            }
        }
        if let Some(missing) = placed.iter().position(|p| !p) {
            return Err(format!(
                "is not a valid plan: object {} is in no step",
                missing + 1
            ));
        }
        if self.dependencies.iter().flatten().any(|&i| i >= count) {
            return Err("is not a valid plan: a dependency names no object".into());
        }
        let items = self
            .objects
            .into_iter()
            .enumerate()
            .map(|(index, object)| object.into_item(index))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        for (number, step) in self.steps.iter().enumerate() {
            if let Some(&index) = step.iter().find(|&&i| items[i].step != number) {
                return Err(format!(
                    "is not a valid plan: object {} says step {} but is listed in step {}",
                    index + 1,
                    items[index].step + 1,
                    number + 1
                ));
            }
        }
        let prune = self
            .prune
            .into_iter()
            .map(|entry| {
                check_collection(&entry.collection)
                    .map_err(|message| format!("has an invalid deletion: {message}"))?;
                Ok(Deletion {
                    id: entry.id.to_id(),
                    namespace: entry.namespace,
                    collection: entry.collection,
                    uid: entry.uid,
                    resource_version: entry.resource_version,
                })
            })
            .collect::<std::result::Result<Vec<_>, String>>()?;
        let set = match self.applyset {
            Some(set) => Some(set.into_set(&prune)?),
            None if prune.is_empty() => None,
            None => return Err("is not a valid plan: deletions without an ApplySet".to_string()),
        };
        Ok(PlanFile {
            tool: self.tool,
            target: self.target,
            cluster: self.cluster,
            settings: self.apply,
            plan: Plan {
                prune: set,
                items,
                steps: self.steps,
                dependencies: self.dependencies,
            },
            prune,
        })
    }
}

/// A collection URL is an API path (`/api/...` or `/apis/...`) of plain
/// segments: a plan file cannot send a write anywhere else.
fn check_collection(collection: &str) -> std::result::Result<(), String> {
    let plain = |segment: &str| {
        !segment.is_empty()
            && segment != "."
            && segment != ".."
            && segment
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b))
    };
    let rest = collection
        .strip_prefix("/apis/")
        .or_else(|| collection.strip_prefix("/api/"));
    match rest {
        Some(rest) if rest.split('/').all(plain) => Ok(()),
        _ => Err(format!("its collection `{collection}` is not an API path")),
    }
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(name: &str, live: Option<&str>, step: usize) -> PlanItem {
        let id = ResId::new(Gvk::new("", "v1", "ConfigMap"), "", name);
        PlanItem {
            id: id.clone(),
            namespace: Some("shop".into()),
            action: if live.is_some() {
                Action::Updated
            } else {
                Action::Created
            },
            step,
            diff: ResourceDiff {
                change: if live.is_some() {
                    Change::Changed
                } else {
                    Change::Created
                },
                id,
                previous_id: None,
                hunks: "@@ -1 +1 @@\n-a\n+b\n".into(),
            },
            desired: json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": name}, "data": {"k": "v", "f": 1.5}}),
            live: live.map(|rv| {
                json!({"metadata": {"uid": "u-1", "resourceVersion": rv,
                "managedFields": []}})
            }),
            migration: None,
            takes_over: Vec::new(),
            conflicts: Vec::new(),
            reason: None,
            deferred: false,
            collection: Some("/api/v1/namespaces/shop/configmaps".into()),
        }
    }

    fn set() -> PruneSet {
        let contents = Contents {
            group_kinds: [GroupKind::new("", "ConfigMap")].into_iter().collect(),
            namespaces: ["shop".to_string()].into_iter().collect(),
        };
        PruneSet {
            parent: Parent {
                group: String::new(),
                kind: "Secret".into(),
                name: "my-set".into(),
                namespace: "shop".into(),
            },
            parent_collection: "/api/v1/namespaces/shop/secrets".into(),
            parent_exists: true,
            adopted: false,
            old: contents.clone(),
            new: contents,
            steps: vec![vec![PruneItem {
                id: ResId::new(Gvk::new("", "v1", "ConfigMap"), "shop", "old"),
                collection: "/api/v1/namespaces/shop/configmaps".into(),
                uid: "u-9".into(),
                resource_version: "7".into(),
            }]],
            kept: Vec::new(),
            refusal: None,
        }
    }

    fn file() -> PlanFile {
        let plan = Plan {
            prune: Some(set()),
            items: vec![item("a", Some("41"), 0), item("b", None, 1)],
            steps: vec![vec![0], vec![1]],
            dependencies: vec![vec![], vec![0]],
        };
        PlanFile {
            tool: tool(),
            target: "overlays/prod".into(),
            cluster: ClusterRef {
                server: "https://127.0.0.1:6443/".into(),
                context: "test".into(),
            },
            settings: Settings {
                field_manager: "strata".into(),
                force_conflicts: false,
                replace_immutable: false,
            },
            prune: deletions_of(&plan),
            plan,
        }
    }

    fn parse(text: &str) -> Result<PlanFile> {
        PlanFile::parse(text, Path::new("plan.json"))
    }

    #[test]
    fn a_written_plan_reads_back_the_same() {
        let text = file().to_json().unwrap();
        let back = parse(&text).unwrap();
        assert_eq!(back.to_json().unwrap(), text);
        let first = &back.plan.items[0];
        assert_eq!(
            first.live.as_ref().unwrap()["metadata"]["resourceVersion"],
            "41"
        );
        assert!(back.plan.items[1].live.is_none());
        assert!(text.contains("\"live\":\"absent\""), "{text}");
        assert_eq!(back.prune, file().prune);
        assert_eq!(back.prune[0].namespace.as_deref(), Some("shop"));
        let applyset = back.plan.prune.as_ref().expect("the ApplySet read back");
        assert_eq!(applyset.parent, set().parent);
        assert_eq!(applyset.steps, set().steps);
        assert_eq!(back.plan.steps, [vec![0], vec![1]]);
        let diff = back.diff();
        assert_eq!(diff.resources.len(), 3);
        assert_eq!(diff.resources[2].change, Change::Deleted);
    }

    #[test]
    fn an_edited_plan_is_refused() {
        let text = file().to_json().unwrap();
        let edited = text.replace("\"41\"", "\"42\"");
        assert_ne!(edited, text);
        let error = parse(&edited).unwrap_err().to_string();
        assert!(
            error.contains("was changed after it was written"),
            "{error}"
        );
        let truncated = &text[..text.len() / 2];
        assert!(parse(truncated).is_err());
        let unsigned = text.replace("\"digest\"", "\"digets\"");
        let error = parse(&unsigned).unwrap_err().to_string();
        assert!(error.contains("no `digest`"), "{error}");
        // Whitespace is not content.
        let document: Value = serde_json::from_str(&text).unwrap();
        assert!(parse(&serde_json::to_string_pretty(&document).unwrap()).is_ok());
    }

    /// A file whose digest was computed again after an edit.
    fn resealed(edit: impl FnOnce(&mut Value)) -> String {
        let mut document: Value = serde_json::from_str(&file().to_json().unwrap()).unwrap();
        let map = document.as_object_mut().unwrap();
        map.remove("digest");
        edit(&mut document);
        let digest = digest_of(&document).unwrap();
        document["digest"] = Value::String(digest);
        serde_json::to_string(&document).unwrap()
    }

    #[test]
    fn other_formats_and_broken_plans_are_refused() {
        type Edit = fn(&mut Value);
        let cases: [(Edit, &str); 6] = [
            (|d| d["strataPlan"] = json!(2), "format 2"),
            (
                |d| d["steps"] = json!([[0], [0, 1]]),
                "twice or out of range",
            ),
            (|d| d["steps"] = json!([[0]]), "object 2 is in no step"),
            (
                |d| d["objects"][0]["collection"] = json!("/api/v1/../../evil"),
                "is not an API path",
            ),
            (
                |d| d["objects"][0]["desired"]["metadata"]["name"] = json!("other"),
                "not the object named",
            ),
            (
                |d| d["objects"][1]["action"] = json!("updated"),
                "does not fit",
            ),
        ];
        for (edit, expected) in cases {
            let error = parse(&resealed(edit)).unwrap_err().to_string();
            assert!(error.contains(expected), "{expected}: {error}");
        }
    }

    #[test]
    fn the_cluster_must_be_the_planned_one() {
        let plan = file();
        assert_eq!(plan.other_cluster("https://127.0.0.1:6443/", "other"), None);
        let refusal = plan
            .other_cluster("https://10.0.0.1:6443/", "prod")
            .unwrap();
        assert!(
            refusal.contains("made for the cluster at https://127.0.0.1:6443/ (context `test`)")
        );
    }

    #[test]
    fn the_file_is_private_and_replaces_atomically() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.json");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        file().write(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert!(PlanFile::read(&path).is_ok());
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary left behind");
        assert!(file().write(dir.path()).is_err());
    }
}
