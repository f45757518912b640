//! ApplySets (KEP-3659) as kubectl writes them (`pkg/cmd/apply/applyset.go`,
//! where it differs from the KEP's prose), and the guarded choice of what to
//! prune. Pure: the caller reads and writes the cluster.
//!
//! A set is named by its parent object (a Secret by default, a ConfigMap,
//! or a custom resource whose CRD is labelled [`PARENT_TYPE_LABEL`]). The
//! parent carries the set's id and what kinds and namespaces its members
//! may be in; every member carries the id in [`PART_OF_LABEL`]. The update
//! protocol: write the parent with the union of its old and new contents
//! ([`Contents::union`]), apply the members, prune, then write the exact new
//! contents (left at the union when pruning failed, so that the next run
//! still looks where the leftovers are).

use std::collections::{BTreeSet, HashSet};
use std::fmt;

use base64::Engine;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::id::ResId;

use super::order;

pub const ID_LABEL: &str = "applyset.kubernetes.io/id";
pub const PART_OF_LABEL: &str = "applyset.kubernetes.io/part-of";
pub const TOOLING_ANNOTATION: &str = "applyset.kubernetes.io/tooling";
pub const GROUP_KINDS_ANNOTATION: &str = "applyset.kubernetes.io/contains-group-kinds";
/// Written by older kubectl releases; read when the group-kinds are missing.
pub const GROUP_RESOURCES_ANNOTATION: &str = "applyset.kubernetes.io/contains-group-resources";
pub const NAMESPACES_ANNOTATION: &str = "applyset.kubernetes.io/additional-namespaces";
/// The label on a CRD whose kind may be a parent.
pub const PARENT_TYPE_LABEL: &str = "applyset.kubernetes.io/is-parent-type";
/// `apply.strata.dev/prune: disabled` keeps an object when it leaves the build.
pub const PRUNE_ANNOTATION: &str = "apply.strata.dev/prune";

/// The tool name in [`TOOLING_ANNOTATION`]; kubectl refuses sets of other tools.
pub const TOOL: &str = "strata";
/// The tool whose sets `--adopt` takes over.
pub const KUBECTL: &str = "kubectl";

/// `strata/VERSION`, for [`TOOLING_ANNOTATION`].
pub fn tooling() -> String {
    format!("{TOOL}/v{}", env!("CARGO_PKG_VERSION"))
}

/// The field manager that writes the parent (kubectl: `kubectl-applyset`).
pub fn parent_field_manager() -> String {
    format!("{TOOL}-applyset")
}

/// A group and kind, written `Kind.group` (`Kind` in the core group).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupKind {
    pub group: String,
    pub kind: String,
}

impl GroupKind {
    pub fn new(group: &str, kind: &str) -> Self {
        GroupKind {
            group: group.to_string(),
            kind: kind.to_string(),
        }
    }

    /// apimachinery's `ParseGroupKind`: the kind up to the first dot.
    pub fn parse(text: &str) -> Self {
        match text.split_once('.') {
            Some((kind, group)) => GroupKind::new(group, kind),
            None => GroupKind::new("", text),
        }
    }

    pub fn of(id: &ResId) -> Self {
        GroupKind::new(&id.gvk.group, &id.gvk.kind)
    }
}

impl fmt::Display for GroupKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.group.is_empty() {
            write!(f, "{}", self.kind)
        } else {
            write!(f, "{}.{}", self.kind, self.group)
        }
    }
}

/// A group and resource (plural), `resource.group`, as the `--applyset`
/// flag and the deprecated annotation name kinds.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupResource {
    pub group: String,
    pub resource: String,
}

impl GroupResource {
    /// apimachinery's `ParseGroupResource`: the resource up to the first dot.
    pub fn parse(text: &str) -> Self {
        let (resource, group) = text.split_once('.').unwrap_or((text, ""));
        GroupResource {
            group: group.to_string(),
            resource: resource.to_string(),
        }
    }
}

/// The `--applyset` flag: `NAME` (a Secret), `secrets/NAME`,
/// `configmaps/NAME` or `RESOURCE.GROUP/NAME` (a custom resource parent).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParentRef {
    pub resource: GroupResource,
    pub name: String,
    /// `-n`'s namespace (never the kubeconfig's), empty when not given.
    pub namespace: String,
}

impl ParentRef {
    pub fn parse(flag: &str, namespace: &str) -> Result<Self> {
        let (resource, name) = match flag.split_once('/') {
            Some((resource, name)) => (GroupResource::parse(resource), name),
            None => (GroupResource::parse("secrets"), flag),
        };
        if name.is_empty() || resource.resource.is_empty() {
            return Err(Error::msg(format!(
                "--applyset `{flag}`: expected NAME, secrets/NAME, configmaps/NAME or RESOURCE.GROUP/NAME"
            )));
        }
        if name.contains('/') {
            return Err(Error::msg(format!(
                "--applyset `{flag}`: a name has no `/`"
            )));
        }
        let parent = ParentRef {
            resource,
            name: name.to_string(),
            namespace: namespace.to_string(),
        };
        if parent.builtin_kind().is_some() && namespace.is_empty() {
            return Err(Error::msg(format!(
                "--applyset `{flag}`: a {} parent is namespaced: give its namespace with -n",
                parent.resource.resource
            )));
        }
        Ok(parent)
    }

    /// The kind of a Secret or ConfigMap parent; `None` for a custom
    /// resource, whose kind discovery tells (then [`ParentRef::with_kind`]).
    pub fn builtin_kind(&self) -> Option<&'static str> {
        match (
            self.resource.group.as_str(),
            self.resource.resource.as_str(),
        ) {
            ("", "secrets") => Some("Secret"),
            ("", "configmaps") => Some("ConfigMap"),
            _ => None,
        }
    }

    /// The parent, for a built-in parent kind.
    pub fn parent(&self) -> Option<Parent> {
        self.builtin_kind().map(|kind| self.with_kind(kind))
    }

    /// The parent once the resource's kind is known.
    pub fn with_kind(&self, kind: &str) -> Parent {
        Parent {
            group: self.resource.group.clone(),
            kind: kind.to_string(),
            name: self.name.clone(),
            namespace: self.namespace.clone(),
        }
    }
}

/// The parent object of a set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parent {
    pub group: String,
    pub kind: String,
    pub name: String,
    /// Empty for a cluster-scoped parent.
    pub namespace: String,
}

impl Parent {
    /// `applyset-` + unpadded base64url(sha256(`name.namespace.Kind.group`)) + `-v1`.
    pub fn id(&self) -> String {
        let unhashed = [self.name.as_str(), &self.namespace, &self.kind, &self.group].join(".");
        let hash = Sha256::digest(unhashed.as_bytes());
        format!(
            "applyset-{}-v1",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(hash)
        )
    }

    /// The server-side apply body that writes the parent's label and
    /// annotations for `contents` (with manager [`parent_field_manager`]).
    pub fn apply_body(&self, api_version: &str, contents: &Contents) -> Value {
        let (group_kinds, namespaces) = contents.annotations(&self.namespace);
        let mut metadata = json!({
            "name": self.name,
            "labels": {ID_LABEL: self.id()},
            "annotations": {
                TOOLING_ANNOTATION: tooling(),
                GROUP_KINDS_ANNOTATION: group_kinds,
                NAMESPACES_ANNOTATION: namespaces,
            },
        });
        if !self.namespace.is_empty() {
            metadata["namespace"] = json!(self.namespace);
        }
        json!({"apiVersion": api_version, "kind": self.kind, "metadata": metadata})
    }
}

/// What kinds and namespaces a set's members may be in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Contents {
    pub group_kinds: BTreeSet<GroupKind>,
    /// Namespaces of namespaced members (the parent's own included).
    pub namespaces: BTreeSet<String>,
}

impl Contents {
    /// The contents of the objects about to be applied, each with its
    /// namespace filled in as it will be applied (empty: cluster-scoped).
    pub fn of(ids: &[ResId]) -> Self {
        let mut contents = Contents::default();
        for id in ids {
            contents.group_kinds.insert(GroupKind::of(id));
            if !id.namespace.is_empty() {
                contents.namespaces.insert(id.namespace.clone());
            }
        }
        contents
    }

    /// Old and new together: the parent's value while members are applied.
    pub fn union(&self, other: &Contents) -> Contents {
        Contents {
            group_kinds: self
                .group_kinds
                .union(&other.group_kinds)
                .cloned()
                .collect(),
            namespaces: self.namespaces.union(&other.namespaces).cloned().collect(),
        }
    }

    /// The group-kinds and additional-namespaces annotations: byte-sorted,
    /// comma-separated, the parent's own namespace left out.
    pub fn annotations(&self, parent_namespace: &str) -> (String, String) {
        let mut kinds: Vec<String> = self.group_kinds.iter().map(ToString::to_string).collect();
        kinds.sort();
        let namespaces: Vec<&str> = self
            .namespaces
            .iter()
            .map(String::as_str)
            .filter(|namespace| *namespace != parent_namespace)
            .collect();
        (kinds.join(","), namespaces.join(","))
    }
}

/// A parent as found in the cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveParent {
    /// The tooling annotation as written (`kubectl/v1.32.4`).
    pub tooling: String,
    /// The set was written by kubectl and `--adopt` takes it over.
    pub adopted: bool,
    pub contents: Contents,
    /// Resources of the deprecated annotation, when the parent has no
    /// group-kinds: discovery maps them to kinds for [`Contents`].
    pub group_resources: Vec<GroupResource>,
}

/// Reads a parent written by strata (or by kubectl, when `adopt`): checks
/// its tool and id, and what it says the set contains.
pub fn read_parent(live: &Value, parent: &Parent, adopt: bool) -> Result<LiveParent> {
    let name = format!("{}/{}", parent.kind, parent.name);
    let labels = string_map(live, "labels");
    let annotations = string_map(live, "annotations");
    let Some(tooling) = annotations.get(TOOLING_ANNOTATION) else {
        return Err(Error::msg(format!(
            "ApplySet parent {name} exists and has no annotation `{TOOLING_ANNOTATION}`: it is not a parent strata can use"
        )));
    };
    let tool = tooling_base(tooling);
    let adopted = tool != TOOL;
    if adopted && !(adopt && tool == KUBECTL) {
        let hint = if tool == KUBECTL {
            " (pass --adopt to take over a set kubectl wrote)"
        } else {
            ""
        };
        return Err(Error::msg(format!(
            "ApplySet parent {name} is managed by `{tool}`, not `{TOOL}`{hint}"
        )));
    }
    match labels.get(ID_LABEL) {
        None => {
            return Err(Error::msg(format!(
                "ApplySet parent {name} exists and has no label `{ID_LABEL}`"
            )))
        }
        Some(id) if *id != parent.id() => {
            return Err(Error::msg(format!(
                "ApplySet parent {name} has label `{ID_LABEL}` = `{id}`, expected `{}`",
                parent.id()
            )))
        }
        Some(_) => {}
    }
    let mut contents = Contents::default();
    let mut group_resources = Vec::new();
    match annotations.get(GROUP_KINDS_ANNOTATION) {
        Some(kinds) => {
            contents.group_kinds = split_list(kinds).map(GroupKind::parse).collect();
        }
        None => match annotations.get(GROUP_RESOURCES_ANNOTATION) {
            Some(resources) if !resources.is_empty() => {
                group_resources = split_list(resources).map(GroupResource::parse).collect();
            }
            _ => {
                return Err(Error::msg(format!(
                    "ApplySet parent {name} has no annotation `{GROUP_KINDS_ANNOTATION}`"
                )))
            }
        },
    }
    if let Some(namespaces) = annotations.get(NAMESPACES_ANNOTATION) {
        contents.namespaces = split_list(namespaces).map(str::to_string).collect();
    }
    if !parent.namespace.is_empty() {
        contents.namespaces.insert(parent.namespace.clone());
    }
    Ok(LiveParent {
        tooling: tooling.to_string(),
        adopted,
        contents,
        group_resources,
    })
}

/// kubectl's `toolingBaseName`: everything before the last `/`.
fn tooling_base(tooling: &str) -> &str {
    tooling.rsplit_once('/').map_or(tooling, |(base, _)| base)
}

fn split_list(list: &str) -> impl Iterator<Item = &str> {
    list.split(',').filter(|item| !item.is_empty())
}

/// `metadata.labels` or `metadata.annotations`, string values only.
fn string_map<'a>(object: &'a Value, field: &str) -> std::collections::HashMap<&'a str, &'a str> {
    object
        .pointer(&format!("/metadata/{field}"))
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(key, value)| Some((key.as_str(), value.as_str()?)))
        .collect()
}

/// Labels an object about to be applied as a member of set `id`. An input
/// that sets the label itself is an error, as in kubectl.
pub fn label_member(object: &mut Value, id: &str) -> Result<()> {
    let resource = ResId::of(object);
    let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) else {
        return Err(Error::resource(&resource, "has no metadata to label"));
    };
    let labels = metadata
        .entry("labels")
        .or_insert_with(|| Value::Object(Map::new()));
    if labels.is_null() {
        *labels = Value::Object(Map::new());
    }
    let Some(labels) = labels.as_object_mut() else {
        return Err(Error::resource(&resource, "`metadata.labels` is not a map"));
    };
    if labels.contains_key(PART_OF_LABEL) {
        return Err(Error::resource(
            &resource,
            format!("the ApplySet label `{PART_OF_LABEL}` is already set in the input"),
        ));
    }
    labels.insert(PART_OF_LABEL.to_string(), Value::String(id.to_string()));
    Ok(())
}

/// Which set a live object belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Membership {
    None,
    This,
    Other(String),
}

pub fn membership(live: &Value, id: &str) -> Membership {
    match string_map(live, "labels").get(PART_OF_LABEL) {
        None => Membership::None,
        Some(owner) if *owner == id => Membership::This,
        Some(owner) => Membership::Other(owner.to_string()),
    }
}

/// Refuses to apply over a live object of another set: strata never takes
/// an object from another set.
pub fn check_not_taken(live: &Value, id: &str) -> Result<()> {
    match membership(live, id) {
        Membership::Other(owner) => Err(Error::resource(
            &ResId::of(live),
            format!("belongs to another ApplySet (`{PART_OF_LABEL}: {owner}`); strata does not take it over"),
        )),
        _ => Ok(()),
    }
}

/// The flags that lift the prune guards.
pub const ALLOW_NAMESPACES_FLAG: &str = "--prune-allow-namespaces";
pub const ALLOW_CRDS_FLAG: &str = "--prune-allow-crds";
pub const ALLOW_CLAIMS_FLAG: &str = "--prune-allow-pvcs";
pub const ALLOW_MANY_FLAG: &str = "--prune-allow-many";

/// What the user allowed prune to delete.
#[derive(Clone, Copy, Debug, Default)]
pub struct Allow {
    pub namespaces: bool,
    pub crds: bool,
    pub claims: bool,
    /// More than a quarter of the set.
    pub many: bool,
}

/// One object to delete, with the preconditions of its delete.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deletion {
    /// Index into the live members given to [`plan_prune`].
    pub index: usize,
    pub id: ResId,
    pub uid: String,
    pub resource_version: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PrunePlan {
    /// What to delete, in steps: each after the previous one is gone.
    pub steps: Vec<Vec<Deletion>>,
    /// Members the build dropped that stay (`apply.strata.dev/prune: disabled`).
    pub kept: Vec<usize>,
    /// Objects listed that belong to no set or another set: never touched.
    pub foreign: Vec<usize>,
}

impl PrunePlan {
    pub fn deletions(&self) -> impl Iterator<Item = &Deletion> {
        self.steps.iter().flatten()
    }
}

/// What prune deletes: the live members of set `id` (listed by
/// [`PART_OF_LABEL`], per group-kind and namespace of the parent's
/// contents) that `applied` (the ids of this run's objects, namespaces
/// filled in; versions are not compared) does not contain. Refused, nothing
/// deleted, when it would delete Namespaces, CRDs or PersistentVolumeClaims
/// or more than a quarter of the set, unless allowed; the message names the
/// flag. Objects already being deleted are left to finish.
pub fn plan_prune(live: &[Value], applied: &[ResId], id: &str, allow: Allow) -> Result<PrunePlan> {
    let applied: HashSet<(&str, &str, &str, &str)> = applied
        .iter()
        .map(|id| {
            (
                id.gvk.group.as_str(),
                id.gvk.kind.as_str(),
                id.namespace.as_str(),
                id.name.as_str(),
            )
        })
        .collect();
    let mut plan = PrunePlan::default();
    let mut members = 0;
    let mut candidates = Vec::new();
    for (index, object) in live.iter().enumerate() {
        if membership(object, id) != Membership::This {
            plan.foreign.push(index);
            continue;
        }
        members += 1;
        let resource = ResId::of(object);
        let key = (
            resource.gvk.group.as_str(),
            resource.gvk.kind.as_str(),
            resource.namespace.as_str(),
            resource.name.as_str(),
        );
        if applied.contains(&key)
            || object
                .pointer("/metadata/deletionTimestamp")
                .and_then(Value::as_str)
                .is_some()
        {
            continue;
        }
        if string_map(object, "annotations").get(PRUNE_ANNOTATION) == Some(&"disabled") {
            plan.kept.push(index);
            continue;
        }
        candidates.push(index);
    }
    guard(live, &candidates, members, allow)?;
    let objects: Vec<&Value> = candidates.iter().map(|&i| &live[i]).collect();
    for step in order::deletion_steps(&objects)? {
        let mut deletions = Vec::with_capacity(step.len());
        for position in step {
            let index = candidates[position];
            let object = &live[index];
            let id = ResId::of(object);
            let text = |field: &str| {
                object
                    .pointer(&format!("/metadata/{field}"))
                    .and_then(Value::as_str)
                    .filter(|value| !value.is_empty())
                    .map(str::to_string)
            };
            let (Some(uid), Some(resource_version)) = (text("uid"), text("resourceVersion")) else {
                return Err(Error::resource(
                    &id,
                    "has no uid or resourceVersion to delete it safely with",
                ));
            };
            deletions.push(Deletion {
                index,
                id,
                uid,
                resource_version,
            });
        }
        plan.steps.push(deletions);
    }
    Ok(plan)
}

/// The prune guards, each naming the flag that lifts it.
fn guard(live: &[Value], candidates: &[usize], members: usize, allow: Allow) -> Result<()> {
    let guarded = [
        (
            "",
            "Namespace",
            "Namespaces",
            allow.namespaces,
            ALLOW_NAMESPACES_FLAG,
        ),
        (
            "apiextensions.k8s.io",
            "CustomResourceDefinition",
            "CustomResourceDefinitions",
            allow.crds,
            ALLOW_CRDS_FLAG,
        ),
        (
            "",
            "PersistentVolumeClaim",
            "PersistentVolumeClaims",
            allow.claims,
            ALLOW_CLAIMS_FLAG,
        ),
    ];
    for (group, kind, plural, allowed, flag) in guarded {
        if allowed {
            continue;
        }
        let hits: Vec<String> = candidates
            .iter()
            .map(|&i| ResId::of(&live[i]))
            .filter(|id| id.gvk.group == group && id.gvk.kind == kind)
            .map(|id| order::reference_to(&id))
            .collect();
        if !hits.is_empty() {
            return Err(Error::msg(format!(
                "prune would delete {plural} ({}): refused; pass {flag} to allow it",
                shortened(&hits)
            )));
        }
    }
    if !allow.many && candidates.len() * 4 > members {
        return Err(Error::msg(format!(
            "prune would delete {} of the set's {members} objects, more than a quarter: refused; pass {ALLOW_MANY_FLAG} to allow it",
            candidates.len()
        )));
    }
    Ok(())
}

/// The first few names of a long list.
fn shortened(names: &[String]) -> String {
    const SHOWN: usize = 5;
    if names.len() <= SHOWN {
        names.join(", ")
    } else {
        format!(
            "{}, and {} more",
            names[..SHOWN].join(", "),
            names.len() - SHOWN
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::Gvk;

    fn secret_parent() -> Parent {
        ParentRef::parse("my-set", "test")
            .unwrap()
            .parent()
            .unwrap()
    }

    #[test]
    fn the_id_matches_kubectl() {
        assert_eq!(
            secret_parent().id(),
            "applyset-0eFHV8ySqp7XoShsGvyWFQD3s96yqwHmzc4e0HR1dsY-v1"
        );
        let config_map = ParentRef::parse("configmaps/my-set", "test")
            .unwrap()
            .parent()
            .unwrap();
        assert_ne!(
            config_map.id(),
            secret_parent().id(),
            "the kind is part of the id"
        );
    }

    #[test]
    fn parent_flags() {
        let secret = ParentRef::parse("secrets/s", "ns").unwrap();
        assert_eq!(secret.parent().unwrap().kind, "Secret");
        let custom = ParentRef::parse("applysets.example.com/s", "").unwrap();
        assert_eq!(custom.builtin_kind(), None);
        assert_eq!(
            custom.resource,
            GroupResource::parse("applysets.example.com")
        );
        assert_eq!(custom.resource.group, "example.com");
        let parent = custom.with_kind("ApplySet");
        assert_eq!(
            (parent.group.as_str(), parent.kind.as_str()),
            ("example.com", "ApplySet")
        );
        for (flag, namespace, expected) in [
            ("", "ns", "expected NAME"),
            ("secrets/", "ns", "expected NAME"),
            ("/x", "ns", "expected NAME"),
            ("secrets/a/b", "ns", "a name has no `/`"),
            ("s", "", "give its namespace with -n"),
        ] {
            let error = ParentRef::parse(flag, namespace).unwrap_err().to_string();
            assert!(error.contains(expected), "{flag}: {error}");
        }
    }

    fn contents() -> Contents {
        let id = |group: &str, kind: &str, namespace: &str| {
            ResId::new(Gvk::new(group, "v1", kind), namespace, "x")
        };
        Contents::of(&[
            id("apps", "Deployment", "test"),
            id("", "Namespace", ""),
            id("", "ConfigMap", "other"),
            id("rbac.authorization.k8s.io", "ClusterRole", ""),
            id("", "ConfigMap", "b"),
        ])
    }

    #[test]
    fn parent_annotations_are_sorted_and_skip_the_parents_namespace() {
        let body = secret_parent().apply_body("v1", &contents());
        let annotations = &body["metadata"]["annotations"];
        assert_eq!(
            annotations[GROUP_KINDS_ANNOTATION],
            "ClusterRole.rbac.authorization.k8s.io,ConfigMap,Deployment.apps,Namespace"
        );
        assert_eq!(annotations[NAMESPACES_ANNOTATION], "b,other");
        assert_eq!(
            annotations[TOOLING_ANNOTATION],
            format!("strata/v{}", env!("CARGO_PKG_VERSION"))
        );
        assert_eq!(body["metadata"]["labels"][ID_LABEL], secret_parent().id());
        assert_eq!(body["metadata"]["namespace"], "test");
        assert_eq!(body["kind"], "Secret");
        let empty = secret_parent().apply_body("v1", &Contents::default());
        assert_eq!(empty["metadata"]["annotations"][GROUP_KINDS_ANNOTATION], "");
        assert_eq!(parent_field_manager(), "strata-applyset");
    }

    #[test]
    fn a_parent_strata_wrote_reads_back() {
        let parent = secret_parent();
        let written = parent.apply_body("v1", &contents());
        let read = read_parent(&written, &parent, false).unwrap();
        assert!(!read.adopted);
        assert_eq!(read.contents, contents());
        assert!(read.group_resources.is_empty());
    }

    /// A parent as `KUBECTL_APPLYSET=true kubectl apply --server-side --prune --applyset=my-set -n test` writes it.
    fn kubectl_parent(annotations: Value) -> Value {
        json!({
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {
                "name": "my-set",
                "namespace": "test",
                "labels": {ID_LABEL: "applyset-0eFHV8ySqp7XoShsGvyWFQD3s96yqwHmzc4e0HR1dsY-v1"},
                "annotations": annotations,
            },
        })
    }

    #[test]
    fn a_parent_kubectl_wrote_is_adopted_only_when_asked() {
        let live = kubectl_parent(json!({
            TOOLING_ANNOTATION: "kubectl/v1.32.4",
            GROUP_KINDS_ANNOTATION: "ConfigMap,Deployment.apps",
            NAMESPACES_ANNOTATION: "",
        }));
        let error = read_parent(&live, &secret_parent(), false)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("managed by `kubectl`, not `strata`"),
            "{error}"
        );
        assert!(error.contains("--adopt"), "{error}");
        let read = read_parent(&live, &secret_parent(), true).unwrap();
        assert!(read.adopted);
        assert_eq!(read.tooling, "kubectl/v1.32.4");
        let kinds: Vec<String> = read
            .contents
            .group_kinds
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(kinds, ["ConfigMap", "Deployment.apps"]);
        assert_eq!(
            read.contents.namespaces,
            BTreeSet::from(["test".to_string()])
        );
        // Other tools' sets are never taken over.
        let helm =
            kubectl_parent(json!({TOOLING_ANNOTATION: "helm/v3", GROUP_KINDS_ANNOTATION: ""}));
        let error = read_parent(&helm, &secret_parent(), true)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("managed by `helm`") && !error.contains("--adopt"),
            "{error}"
        );
    }

    #[test]
    fn older_parents_list_resources_and_bad_parents_are_errors() {
        let legacy = kubectl_parent(json!({
            TOOLING_ANNOTATION: "kubectl/v1.27.0",
            GROUP_RESOURCES_ANNOTATION: "configmaps,deployments.apps",
            NAMESPACES_ANNOTATION: "a,b",
        }));
        let read = read_parent(&legacy, &secret_parent(), true).unwrap();
        assert_eq!(
            read.group_resources,
            [
                GroupResource::parse("configmaps"),
                GroupResource::parse("deployments.apps")
            ]
        );
        assert_eq!(read.group_resources[1].group, "apps");
        assert_eq!(read.contents.namespaces.len(), 3);
        for (live, expected) in [
            (
                kubectl_parent(json!({})),
                "has no annotation `applyset.kubernetes.io/tooling`",
            ),
            (
                kubectl_parent(json!({TOOLING_ANNOTATION: "strata/v0.1.0"})),
                "has no annotation `applyset.kubernetes.io/contains-group-kinds`",
            ),
            (
                {
                    let mut live = kubectl_parent(
                        json!({TOOLING_ANNOTATION: "strata/v0.1.0", GROUP_KINDS_ANNOTATION: ""}),
                    );
                    live["metadata"]["labels"][ID_LABEL] = json!("applyset-other-v1");
                    live
                },
                "expected `applyset-0eFHV8ySqp7XoShsGvyWFQD3s96yqwHmzc4e0HR1dsY-v1`",
            ),
            (
                {
                    let mut live = kubectl_parent(
                        json!({TOOLING_ANNOTATION: "strata/v0.1.0", GROUP_KINDS_ANNOTATION: ""}),
                    );
                    live["metadata"]["labels"] = json!(null);
                    live
                },
                "has no label `applyset.kubernetes.io/id`",
            ),
        ] {
            let error = read_parent(&live, &secret_parent(), true)
                .unwrap_err()
                .to_string();
            assert!(error.contains(expected), "{error}");
        }
    }

    #[test]
    fn the_update_protocol_writes_the_union_first() {
        let id = |kind: &str, namespace: &str| ResId::new(Gvk::new("", "v1", kind), namespace, "x");
        let old = Contents::of(&[id("ConfigMap", "a"), id("Secret", "b")]);
        let new = Contents::of(&[id("ConfigMap", "a"), id("Service", "c")]);
        let union = old.union(&new);
        assert_eq!(
            union.annotations(""),
            ("ConfigMap,Secret,Service".into(), "a,b,c".into())
        );
        assert_eq!(
            new.annotations("a"),
            ("ConfigMap,Service".into(), "c".into())
        );
    }

    #[test]
    fn members_are_labelled_once() {
        let mut object = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "labels": null}});
        label_member(&mut object, "applyset-x-v1").unwrap();
        assert_eq!(object["metadata"]["labels"][PART_OF_LABEL], "applyset-x-v1");
        assert_eq!(membership(&object, "applyset-x-v1"), Membership::This);
        assert_eq!(
            membership(&object, "applyset-y-v1"),
            Membership::Other("applyset-x-v1".into())
        );
        let error = label_member(&mut object, "applyset-x-v1")
            .unwrap_err()
            .to_string();
        assert!(error.contains("already set in the input"), "{error}");
        let error = check_not_taken(&object, "applyset-y-v1")
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("v1 ConfigMap c: belongs to another ApplySet"),
            "{error}"
        );
        assert!(check_not_taken(&object, "applyset-x-v1").is_ok());
        let mut bare = json!({"kind": "ConfigMap"});
        assert!(label_member(&mut bare, "applyset-x-v1").is_err());
        assert_eq!(membership(&bare, "applyset-x-v1"), Membership::None);
    }

    const SET: &str = "applyset-0eFHV8ySqp7XoShsGvyWFQD3s96yqwHmzc4e0HR1dsY-v1";

    fn member(api_version: &str, kind: &str, namespace: &str, name: &str) -> Value {
        let mut object = json!({
            "apiVersion": api_version,
            "kind": kind,
            "metadata": {"name": name, "uid": format!("uid-{name}"), "resourceVersion": "42", "labels": {PART_OF_LABEL: SET}},
        });
        if !namespace.is_empty() {
            object["metadata"]["namespace"] = json!(namespace);
        }
        object
    }

    /// 12 members: a namespace, its config, a workload using it, and 9 config maps.
    fn live_set() -> Vec<Value> {
        let mut live = vec![
            member("v1", "Namespace", "", "shop"),
            member("v1", "ConfigMap", "shop", "settings"),
            {
                let mut web = member("apps/v1", "Deployment", "shop", "web");
                web["spec"] = json!({"template": {"spec": {"containers": [{"name": "c", "envFrom": [{"configMapRef": {"name": "settings"}}]}]}}});
                web
            },
        ];
        for i in 0..9 {
            live.push(member("v1", "ConfigMap", "shop", &format!("c{i}")));
        }
        live
    }

    fn ids(objects: &[Value]) -> Vec<ResId> {
        objects.iter().map(ResId::of).collect()
    }

    #[test]
    fn prune_deletes_what_left_the_build_and_nothing_else() {
        let mut live = live_set();
        // Listed by kind: one of another set, one of none.
        let mut other = member("v1", "ConfigMap", "shop", "theirs");
        other["metadata"]["labels"][PART_OF_LABEL] = json!("applyset-other-v1");
        live.push(other);
        let mut unlabelled = member("v1", "ConfigMap", "shop", "loose");
        unlabelled["metadata"]["labels"] = json!({});
        live.push(unlabelled);
        let mut kept = member("v1", "ConfigMap", "shop", "kept");
        kept["metadata"]["annotations"] = json!({PRUNE_ANNOTATION: "disabled"});
        live.push(kept);
        let mut going = member("v1", "ConfigMap", "shop", "going");
        going["metadata"]["deletionTimestamp"] = json!("2026-12-03T12:00:00Z");
        live.push(going);
        // The build dropped c8; desired versions may differ from the live ones.
        let mut applied = ids(&live[..11]);
        applied[2].gvk.version = "v1beta1".into();
        let plan = plan_prune(&live, &applied, SET, Allow::default()).unwrap();
        let deleted: Vec<&Deletion> = plan.deletions().collect();
        assert_eq!(deleted.len(), 1);
        assert_eq!(deleted[0].index, 11);
        assert_eq!(deleted[0].uid, "uid-c8");
        assert_eq!(deleted[0].resource_version, "42");
        assert_eq!(plan.kept, [14]);
        assert_eq!(plan.foreign, [12, 13]);
    }

    #[test]
    fn prune_deletes_in_reverse_dependency_order() {
        let live = live_set();
        let allow = Allow {
            namespaces: true,
            many: true,
            ..Allow::default()
        };
        let plan = plan_prune(&live, &[], SET, allow).unwrap();
        let steps: Vec<Vec<String>> = plan
            .steps
            .iter()
            .map(|step| step.iter().map(|d| order::reference_to(&d.id)).collect())
            .collect();
        assert_eq!(steps.len(), 3);
        assert_eq!(steps[0], ["Deployment/shop/web"]);
        assert_eq!(steps[1].len(), 10);
        assert_eq!(steps[2], ["Namespace/shop"]);
    }

    #[test]
    fn prune_guards_name_their_flags() {
        let live = live_set();
        let everything_but_the_namespace = ids(&live[1..]);
        let error = plan_prune(&live, &everything_but_the_namespace, SET, Allow::default())
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("prune would delete Namespaces (Namespace/shop)"),
            "{error}"
        );
        assert!(error.contains("pass --prune-allow-namespaces"), "{error}");
        // 3 of 12 is a quarter: allowed; 4 is more.
        let plan = plan_prune(&live, &ids(&live[..9]), SET, Allow::default()).unwrap();
        assert_eq!(plan.deletions().count(), 3);
        let error = plan_prune(&live, &ids(&live[..8]), SET, Allow::default())
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("delete 4 of the set's 12 objects"),
            "{error}"
        );
        assert!(error.contains("pass --prune-allow-many"), "{error}");
        let many = Allow {
            many: true,
            ..Allow::default()
        };
        assert_eq!(
            plan_prune(&live, &ids(&live[..8]), SET, many)
                .unwrap()
                .deletions()
                .count(),
            4
        );
        for (api_version, kind, flag) in [
            (
                "apiextensions.k8s.io/v1",
                "CustomResourceDefinition",
                ALLOW_CRDS_FLAG,
            ),
            ("v1", "PersistentVolumeClaim", ALLOW_CLAIMS_FLAG),
        ] {
            let mut live = live_set();
            live.push(member(api_version, kind, "", "guarded"));
            let applied = ids(&live[..12]);
            let error = plan_prune(&live, &applied, SET, Allow::default())
                .unwrap_err()
                .to_string();
            assert!(error.contains(flag), "{error}");
        }
        let mut broken = live_set();
        broken[11]["metadata"]
            .as_object_mut()
            .unwrap()
            .remove("uid");
        let error = plan_prune(&broken, &ids(&broken[..11]), SET, Allow::default())
            .unwrap_err()
            .to_string();
        assert!(error.contains("has no uid or resourceVersion"), "{error}");
    }
}
