//! Pruning with an ApplySet, against a cluster: read the parent, list the
//! set's live members, choose what to delete ([`super::applyset::plan_prune`],
//! with its guards), and later write the parent and delete.
//!
//! The plan carries a [`PruneSet`]: what was read and decided, so that the
//! apply runs without deciding again. kubectl's order is kept: the parent
//! gets the union of old and new contents before any member is written,
//! the exact new contents only once every deletion went through.

use std::fmt::Write as _;

use serde_json::Value;

use super::applyset::{Allow, Contents, Parent, ParentRef};
use crate::id::ResId;

/// `--prune --applyset NAME [--adopt] [--prune-allow-...]`.
#[derive(Clone, Debug)]
pub struct ApplySetOptions {
    pub parent: ParentRef,
    /// Take over a set kubectl wrote.
    pub adopt: bool,
    pub allow: Allow,
}

/// One object prune deletes, with what its DELETE needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PruneItem {
    /// The live object's id (its served apiVersion).
    pub id: ResId,
    /// The collection URL it was listed from.
    pub collection: String,
    pub uid: String,
    pub resource_version: String,
}

/// The ApplySet part of a plan.
#[derive(Clone, Debug)]
pub struct PruneSet {
    pub parent: Parent,
    /// `/api/v1/namespaces/NS/secrets`.
    pub parent_collection: String,
    /// The parent exists on the cluster.
    pub parent_exists: bool,
    /// The parent was written by kubectl and `--adopt` takes it over.
    pub adopted: bool,
    /// What the parent says now (empty for a new set) and what this run applies.
    pub old: Contents,
    pub new: Contents,
    /// What to delete, in steps (reverse dependency order), each after the previous one is gone.
    pub steps: Vec<Vec<PruneItem>>,
    /// Members the build dropped that stay (`apply.strata.dev/prune: disabled`).
    pub kept: Vec<ResId>,
    /// Why the set cannot be pruned (a guard, a parent of another tool):
    /// the plan is refused and nothing is written.
    pub refusal: Option<String>,
}

impl PruneSet {
    pub fn deletions(&self) -> impl Iterator<Item = &PruneItem> {
        self.steps.iter().flatten()
    }

    /// Whether the parent must be written (new, adopted, or other contents).
    pub fn parent_changes(&self) -> bool {
        !self.parent_exists || self.adopted || self.old != self.new
    }

    /// Whether applying the set writes anything besides the members.
    pub fn writes(&self) -> bool {
        self.parent_changes() || self.deletions().next().is_some()
    }

    /// The plan lines of the set: the parent, then every deletion.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let parent = format!(
            "{} {}/{}",
            self.parent.kind, self.parent.namespace, self.parent.name
        );
        let _ = writeln!(
            out,
            "applyset {} ({}){}:",
            parent,
            self.parent.id(),
            if !self.parent_exists {
                ", new"
            } else if self.adopted {
                ", adopted from kubectl"
            } else {
                ""
            }
        );
        if let Some(refusal) = &self.refusal {
            let _ = writeln!(out, "  refused: {refusal}");
            return out;
        }
        let deletions: Vec<&PruneItem> = self.deletions().collect();
        if deletions.is_empty() {
            out.push_str("  nothing to delete\n");
        }
        for item in deletions {
            let _ = writeln!(out, "  - delete {}", describe(&item.id));
        }
        for id in &self.kept {
            let _ = writeln!(
                out,
                "  - keep {} (apply.strata.dev/prune: disabled)",
                describe(id)
            );
        }
        out
    }
}

/// `Kind ns/name` (`Kind name` when cluster-scoped).
pub fn describe(id: &ResId) -> String {
    if id.namespace.is_empty() {
        format!("{} {}", id.gvk.kind, id.name)
    } else {
        format!("{} {}/{}", id.gvk.kind, id.namespace, id.name)
    }
}

/// A name that is safe in a URL path segment and valid as a Kubernetes
/// object name (lowercase letters, digits, `-` and `.`).
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
}

/// The parent of `--applyset`, checked before anything is asked of the
/// cluster: a Secret or ConfigMap with a valid name and a namespace.
pub fn check_parent(reference: &ParentRef) -> crate::Result<Parent> {
    let Some(parent) = reference.parent() else {
        return Err(crate::Error::msg(format!(
            "--applyset `{}/{}`: only Secret and ConfigMap parents are supported",
            reference.resource.resource, reference.name
        )));
    };
    if !valid_name(&parent.name) || !valid_name(&parent.namespace) {
        return Err(crate::Error::msg(format!(
            "--applyset `{}` in namespace `{}`: not a valid object name",
            parent.name, parent.namespace
        )));
    }
    Ok(parent)
}

/// Sets `apiVersion` and `kind` on listed items (list answers leave them out).
pub fn typed_items(list: &Value, api_version: &str, kind: &str) -> Vec<Value> {
    list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|item| {
            let mut item = item.clone();
            if let Some(map) = item.as_object_mut() {
                map.insert("apiVersion".into(), Value::String(api_version.into()));
                map.insert("kind".into(), Value::String(kind.into()));
            }
            item
        })
        .collect()
}

#[cfg(feature = "cluster")]
pub(crate) use live::*;

#[cfg(feature = "cluster")]
mod live {
    use std::collections::{BTreeMap, BTreeSet};

    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{APIGroup, APIResourceList};
    use kube::api::{DeleteParams, ListParams, Patch, PatchParams, Preconditions};
    use kube::core::Request;
    use serde_json::Value;

    use super::super::applyset::{
        self, parent_field_manager, plan_prune, read_parent, Contents, GroupKind, PART_OF_LABEL,
    };
    use super::{typed_items, ApplySetOptions, PruneItem, PruneSet};
    use crate::cluster::connect::refusal;
    use crate::cluster::{ApiEndpoint, Connection};
    use crate::error::{Error, Result};
    use crate::id::ResId;

    /// Where a group-kind is served (its preferred version), or `None`
    /// when the cluster does not serve it (its CRD was deleted).
    struct Discovery {
        /// Per base path (`/api/v1`, `/apis/apps/v1`), the served resources.
        lists: BTreeMap<String, Option<APIResourceList>>,
        /// Per group, the preferred version.
        preferred: BTreeMap<String, Option<String>>,
    }

    impl Discovery {
        fn new() -> Self {
            Discovery {
                lists: BTreeMap::new(),
                preferred: BTreeMap::new(),
            }
        }

        async fn base(
            &mut self,
            connection: &Connection,
            group: &str,
            version: Option<&str>,
        ) -> Result<Option<String>> {
            if group.is_empty() {
                return Ok(Some(format!("/api/{}", version.unwrap_or("v1"))));
            }
            if let Some(version) = version {
                return Ok(Some(format!("/apis/{group}/{version}")));
            }
            if !self.preferred.contains_key(group) {
                let request = http::Request::get(format!("/apis/{group}"))
                    .body(Vec::new())
                    .map_err(|e| Error::msg(format!("cannot build the request: {e}")))?;
                let what = format!("discovering group `{group}`");
                let version = match connection.send::<APIGroup>(request, &what).await? {
                    Ok(found) => found
                        .preferred_version
                        .map(|v| v.version)
                        .or_else(|| found.versions.first().map(|v| v.version.clone())),
                    Err(status) if status.code == 404 => None,
                    Err(status) => {
                        return Err(Error::msg(format!(
                            "{what}: the server refused ({}): {}",
                            status.code, status.message
                        )))
                    }
                };
                self.preferred.insert(group.to_string(), version);
            }
            Ok(self.preferred[group]
                .as_ref()
                .map(|version| format!("/apis/{group}/{version}")))
        }

        async fn list(
            &mut self,
            connection: &Connection,
            base: &str,
        ) -> Result<Option<&APIResourceList>> {
            if !self.lists.contains_key(base) {
                let request = http::Request::get(base)
                    .body(Vec::new())
                    .map_err(|e| Error::msg(format!("cannot build the request: {e}")))?;
                let what = format!("discovering {base}");
                let list = match connection.send::<APIResourceList>(request, &what).await? {
                    Ok(list) => Some(list),
                    Err(status) if status.code == 404 => None,
                    Err(status) => {
                        return Err(Error::msg(format!(
                            "{what}: the server refused ({}): {}",
                            status.code, status.message
                        )))
                    }
                };
                self.lists.insert(base.to_string(), list);
            }
            Ok(self.lists[base].as_ref())
        }

        /// The endpoint and apiVersion of a kind (`version` from the build when it has one).
        async fn kind(
            &mut self,
            connection: &Connection,
            kind: &GroupKind,
            version: Option<&str>,
        ) -> Result<Option<(ApiEndpoint, String)>> {
            let Some(base) = self.base(connection, &kind.group, version).await? else {
                return Ok(None);
            };
            let Some(list) = self.list(connection, &base).await? else {
                return Ok(None);
            };
            let api_version = list.group_version.clone();
            Ok(list
                .resources
                .iter()
                .find(|r| !r.name.contains('/') && r.kind == kind.kind)
                .map(|r| {
                    (
                        ApiEndpoint {
                            base: base.clone(),
                            plural: r.name.clone(),
                            namespaced: r.namespaced,
                        },
                        api_version,
                    )
                }))
        }

        /// The kind of a resource named by the deprecated annotation.
        async fn resource_kind(
            &mut self,
            connection: &Connection,
            resource: &applyset::GroupResource,
        ) -> Result<Option<GroupKind>> {
            let Some(base) = self.base(connection, &resource.group, None).await? else {
                return Ok(None);
            };
            let Some(list) = self.list(connection, &base).await? else {
                return Ok(None);
            };
            Ok(list
                .resources
                .iter()
                .find(|r| r.name == resource.resource)
                .map(|r| GroupKind::new(&resource.group, &r.kind)))
        }
    }

    /// Reads the parent, lists the set's members and decides what prune
    /// deletes. `applied` are this run's objects (namespaces filled in);
    /// `versions` the apiVersion the build uses per group-kind. Refusals
    /// (guards, another tool's parent) are in [`PruneSet::refusal`];
    /// errors are reads that failed.
    pub(crate) async fn plan_set(
        connection: &Connection,
        options: &ApplySetOptions,
        applied: &[ResId],
    ) -> Result<PruneSet> {
        let reference = &options.parent;
        let parent = super::check_parent(reference)?;
        let parent_collection = format!(
            "/api/v1/namespaces/{}/{}",
            parent.namespace, reference.resource.resource
        );
        let new = Contents::of(applied);
        let mut set = PruneSet {
            parent_collection,
            parent_exists: false,
            adopted: false,
            old: Contents::default(),
            new,
            steps: Vec::new(),
            kept: Vec::new(),
            refusal: None,
            parent,
        };
        let parent_id = ResId::new(
            crate::id::Gvk::new("", "v1", &set.parent.kind),
            &set.parent.namespace,
            &set.parent.name,
        );
        let mut discovery = Discovery::new();
        if let Some(live) = connection
            .get(&set.parent_collection, &set.parent.name, &parent_id)
            .await?
        {
            set.parent_exists = true;
            match read_parent(&live, &set.parent, options.adopt) {
                Err(error) => {
                    set.refusal = Some(error.to_string());
                    return Ok(set);
                }
                Ok(read) => {
                    set.adopted = read.adopted;
                    set.old = read.contents;
                    for resource in &read.group_resources {
                        if let Some(kind) = discovery.resource_kind(connection, resource).await? {
                            set.old.group_kinds.insert(kind);
                        }
                    }
                }
            }
        }
        let id = set.parent.id();
        let mut versions: BTreeMap<GroupKind, &str> = BTreeMap::new();
        for applied in applied {
            versions
                .entry(GroupKind::of(applied))
                .or_insert(applied.gvk.version.as_str());
        }
        let mut namespaces: BTreeSet<String> = set.old.namespaces.clone();
        namespaces.extend(set.new.namespaces.iter().cloned());
        namespaces.insert(set.parent.namespace.clone());
        let kinds: BTreeSet<GroupKind> = set
            .old
            .group_kinds
            .union(&set.new.group_kinds)
            .cloned()
            .collect();
        let selector = format!("{PART_OF_LABEL}={id}");
        let mut live = Vec::new();
        let mut collections = Vec::new();
        for kind in &kinds {
            let version = versions.get(kind).copied();
            let mut found = discovery.kind(connection, kind, version).await?;
            if found.is_none() && version.is_some() {
                // The build's version may not be served (yet): the preferred one lists the same objects.
                found = discovery.kind(connection, kind, None).await?;
            }
            let Some((endpoint, api_version)) = found else {
                continue;
            };
            let scopes: Vec<Option<&str>> = if endpoint.namespaced {
                namespaces.iter().map(|n| Some(n.as_str())).collect()
            } else {
                vec![None]
            };
            for namespace in scopes {
                let collection = endpoint.collection_path(namespace);
                let request = Request::new(&collection)
                    .list(&ListParams::default().labels(&selector))
                    .map_err(|e| Error::msg(format!("cannot build the request: {e}")))?;
                let what = format!("listing the ApplySet's {} in {collection}", kind.kind);
                match connection.send::<Value>(request, &what).await? {
                    Ok(list) => {
                        for item in typed_items(&list, &api_version, &kind.kind) {
                            live.push(item);
                            collections.push(collection.clone());
                        }
                    }
                    Err(status) if status.code == 404 => {}
                    Err(status) => {
                        return Err(Error::msg(format!(
                            "{what}: the server refused ({}): {}",
                            status.code, status.message
                        )))
                    }
                }
            }
        }
        match plan_prune(&live, applied, &id, options.allow) {
            Err(error) => set.refusal = Some(error.to_string()),
            Ok(plan) => {
                set.kept = plan.kept.iter().map(|&i| ResId::of(&live[i])).collect();
                set.steps = plan
                    .steps
                    .into_iter()
                    .map(|step| {
                        step.into_iter()
                            .map(|deletion| PruneItem {
                                collection: collections[deletion.index].clone(),
                                id: deletion.id,
                                uid: deletion.uid,
                                resource_version: deletion.resource_version,
                            })
                            .collect()
                    })
                    .collect();
            }
        }
        Ok(set)
    }

    /// Server-side applies the parent with `contents` (its own field
    /// manager; forced, since the set is strata's or adopted).
    pub(crate) async fn write_parent(
        connection: &Connection,
        set: &PruneSet,
        contents: &Contents,
        dry_run: bool,
    ) -> Result<()> {
        let body = set.parent.apply_body("v1", contents);
        let mut params = PatchParams::apply(&parent_field_manager()).force();
        params.dry_run = dry_run;
        let id = ResId::new(
            crate::id::Gvk::new("", "v1", &set.parent.kind),
            &set.parent.namespace,
            &set.parent.name,
        );
        let request = Request::new(&set.parent_collection)
            .patch(&set.parent.name, &params, &Patch::Apply(&body))
            .map_err(|e| Error::msg(format!("{id}: cannot build the request: {e}")))?;
        match connection
            .send::<Value>(request, &format!("ApplySet parent {id}"))
            .await?
        {
            Ok(_) => Ok(()),
            Err(status) => Err(refusal(&id, "writing the ApplySet parent", &status)),
        }
    }

    /// How one DELETE ended.
    pub(crate) enum Deleted {
        /// Accepted (or already gone).
        Accepted,
        /// The object changed since the plan (409 on a precondition).
        Changed(String),
        Refused(String),
    }

    /// Deletes one member, only as it was planned (UID and resourceVersion preconditions).
    pub(crate) async fn delete(
        connection: &Connection,
        item: &PruneItem,
        dry_run: bool,
    ) -> Result<Deleted> {
        let mut params = DeleteParams::background().preconditions(Preconditions {
            uid: Some(item.uid.clone()),
            resource_version: Some(item.resource_version.clone()),
        });
        params.dry_run = dry_run;
        let request = Request::new(&item.collection)
            .delete(&item.id.name, &params)
            .map_err(|e| Error::msg(format!("{}: cannot build the request: {e}", item.id)))?;
        Ok(
            match connection
                .send::<Value>(request, &item.id.to_string())
                .await?
            {
                Ok(_) => Deleted::Accepted,
                Err(status) if status.code == 404 => Deleted::Accepted,
                Err(status) if status.code == 409 => Deleted::Changed(format!(
                    "changed on the cluster since the plan was made, not deleted ({}); run the apply again",
                    status.message
                )),
                Err(status) => Deleted::Refused(
                    refusal(&item.id, "deleting", &status)
                        .to_string()
                        .trim_start_matches(&format!("{}: ", item.id))
                        .to_string(),
                ),
            },
        )
    }

    /// The UIDs of the set's members still in `collections`: what is not
    /// among them is gone. One list per collection, not one read per object.
    pub(crate) async fn remaining(
        connection: &Connection,
        collections: &BTreeSet<&str>,
        set_id: &str,
    ) -> Result<BTreeSet<String>> {
        let selector = format!("{PART_OF_LABEL}={set_id}");
        let mut uids = BTreeSet::new();
        for collection in collections {
            let request = Request::new(*collection)
                .list(&ListParams::default().labels(&selector))
                .map_err(|e| Error::msg(format!("cannot build the request: {e}")))?;
            let what = format!("listing {collection}");
            match connection.send::<Value>(request, &what).await? {
                Ok(list) => uids.extend(
                    list["items"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|item| item["metadata"]["uid"].as_str())
                        .map(str::to_string),
                ),
                Err(status) if status.code == 404 => {}
                Err(status) => {
                    return Err(Error::msg(format!(
                        "{what}: the server refused ({}): {}",
                        status.code, status.message
                    )))
                }
            }
        }
        Ok(uids)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::Gvk;
    use serde_json::json;

    #[test]
    fn listed_items_get_their_kind_and_names_are_checked() {
        let list = json!({"items": [{"metadata": {"name": "a"}}]});
        let items = typed_items(&list, "apps/v1", "Deployment");
        assert_eq!(items[0]["apiVersion"], "apps/v1");
        assert_eq!(items[0]["kind"], "Deployment");
        assert_eq!(items[0]["metadata"]["name"], "a");
        assert!(valid_name("my-set.v1"));
        for bad in ["", "My", "a/b", "a?b", "-a", "a b", "%2e"] {
            assert!(!valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn the_set_renders_its_deletions() {
        let parent = ParentRef::parse("my-set", "test")
            .unwrap()
            .parent()
            .unwrap();
        let id = ResId::new(Gvk::new("", "v1", "ConfigMap"), "shop", "old");
        let mut set = PruneSet {
            parent,
            parent_collection: "/api/v1/namespaces/test/secrets".into(),
            parent_exists: true,
            adopted: false,
            old: Contents::default(),
            new: Contents::default(),
            steps: vec![vec![PruneItem {
                id: id.clone(),
                collection: "/api/v1/namespaces/shop/configmaps".into(),
                uid: "u".into(),
                resource_version: "1".into(),
            }]],
            kept: vec![ResId::new(Gvk::new("", "v1", "Namespace"), "", "shop")],
            refusal: None,
        };
        let text = set.render();
        assert!(text.contains("  - delete ConfigMap shop/old\n"), "{text}");
        assert!(
            text.contains("  - keep Namespace shop (apply.strata.dev/prune: disabled)\n"),
            "{text}"
        );
        assert!(!set.parent_changes());
        assert!(set.writes());
        set.steps.clear();
        assert!(!set.writes());
        set.refusal = Some("prune would delete Namespaces".into());
        assert!(set.render().contains("refused: prune would delete"));
    }
}
