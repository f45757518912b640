//! The ordered resource map: resources in the order they were added, with
//! an index from id to position so lookups are not linear scans.

use std::collections::HashMap;
use std::ops::{Deref, DerefMut};
use std::sync::OnceLock;

use crate::error::{Error, Result};
use crate::id::ResId;
use crate::resource::Resource;

/// Resources in insertion (FIFO) order with indexed lookup by current id.
///
/// The index keys ids by *effective* namespace (unset = `default`, none for
/// cluster-scoped kinds), the way kustomize compares ids. It is built on
/// the first lookup after an edit, so a run of transformers that edit
/// without looking anything up pays for one rebuild, not one each.
#[derive(Clone, Debug, Default)]
pub struct ResourceMap {
    resources: Vec<Resource>,
    index: OnceLock<Index>,
}

type Index = HashMap<ResId, Vec<usize>>;

fn index_key(id: &ResId) -> ResId {
    into_index_key(id.clone())
}

fn into_index_key(mut id: ResId) -> ResId {
    let namespace = id.effective_namespace();
    if namespace != id.namespace {
        id.namespace = namespace.to_string();
    }
    id
}

impl ResourceMap {
    pub fn new() -> Self {
        ResourceMap::default()
    }

    pub fn len(&self) -> usize {
        self.resources.len()
    }

    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
    }

    /// Adds a resource; an id already present is an error naming both origins.
    pub fn append(&mut self, resource: Resource) -> Result<()> {
        let key = into_index_key(resource.id());
        let index = self.index();
        if let Some(&position) = index.get(&key).and_then(|positions| positions.first()) {
            return Err(Error::msg(format!(
                "may not add resource with an already registered id: {} (from {}; already added from {})",
                resource.id(),
                resource.origin,
                self.resources[position].origin
            )));
        }
        let position = self.resources.len();
        if let Some(index) = self.index.get_mut() {
            index.entry(key).or_default().push(position);
        }
        self.resources.push(resource);
        Ok(())
    }

    /// Appends every resource of `other`, failing on the first duplicate id.
    pub fn absorb(&mut self, other: ResourceMap) -> Result<()> {
        for resource in other.resources {
            self.append(resource)?;
        }
        Ok(())
    }

    fn push_unchecked(&mut self, resource: Resource) {
        // A built index is kept up to date; an unbuilt one will see the push.
        if let Some(index) = self.index.get_mut() {
            index
                .entry(into_index_key(resource.id()))
                .or_default()
                .push(self.resources.len());
        }
        self.resources.push(resource);
    }

    fn index(&self) -> &Index {
        self.index.get_or_init(|| {
            let mut index = Index::with_capacity(self.resources.len());
            for (position, resource) in self.resources.iter().enumerate() {
                index
                    .entry(into_index_key(resource.id()))
                    .or_default()
                    .push(position);
            }
            index
        })
    }

    /// The resource whose current id equals `id` (effective namespaces compared).
    pub fn get(&self, id: &ResId) -> Option<&Resource> {
        self.position(id).map(|i| &self.resources[i])
    }

    /// The position of the resource with this current id.
    pub fn position(&self, id: &ResId) -> Option<usize> {
        self.index()
            .get(&index_key(id))
            .and_then(|positions| positions.first().copied())
    }

    /// Every position whose current id equals `id`.
    pub fn positions(&self, id: &ResId) -> &[usize] {
        self.index()
            .get(&index_key(id))
            .map_or(&[], |positions| positions.as_slice())
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Resource> {
        self.resources.iter()
    }

    pub fn as_slice(&self) -> &[Resource] {
        &self.resources
    }

    /// Mutable access to all resources; the index is dropped with the guard
    /// (and rebuilt when next needed), so transformers may rename freely.
    pub fn edit(&mut self) -> Edit<'_> {
        Edit { map: self }
    }

    /// Replaces the resource at `position` and reindexes.
    pub fn replace(&mut self, position: usize, resource: Resource) {
        self.edit()[position] = resource;
    }

    /// Removes the resources for which `keep` returns false, keeping order.
    pub fn retain(&mut self, keep: impl FnMut(&Resource) -> bool) {
        self.edit().retain(keep);
    }

    /// Reorders with a stable sort.
    pub fn sort_by(&mut self, compare: impl FnMut(&Resource, &Resource) -> std::cmp::Ordering) {
        self.edit().sort_by(compare);
    }

    pub fn into_vec(self) -> Vec<Resource> {
        self.resources
    }

    fn reindex(&mut self) {
        self.index = OnceLock::new();
    }
}

impl<'a> IntoIterator for &'a ResourceMap {
    type Item = &'a Resource;
    type IntoIter = std::slice::Iter<'a, Resource>;
    fn into_iter(self) -> Self::IntoIter {
        self.resources.iter()
    }
}

impl FromIterator<Resource> for ResourceMap {
    /// Collects without the duplicate check; callers that need it use `append`.
    fn from_iter<I: IntoIterator<Item = Resource>>(iter: I) -> Self {
        let mut map = ResourceMap::new();
        for resource in iter {
            map.push_unchecked(resource);
        }
        map
    }
}

/// A mutable view of the resources that invalidates the index when dropped.
pub struct Edit<'a> {
    map: &'a mut ResourceMap,
}

impl Deref for Edit<'_> {
    type Target = Vec<Resource>;
    fn deref(&self) -> &Vec<Resource> {
        &self.map.resources
    }
}

impl DerefMut for Edit<'_> {
    fn deref_mut(&mut self) -> &mut Vec<Resource> {
        &mut self.map.resources
    }
}

impl Drop for Edit<'_> {
    fn drop(&mut self) {
        self.map.reindex();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::Gvk;
    use crate::resource::Origin;
    use serde_json::json;

    fn cm(name: &str, namespace: Option<&str>) -> Resource {
        let mut object =
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}});
        if let Some(ns) = namespace {
            object["metadata"]["namespace"] = json!(ns);
        }
        Resource::new(object, Origin::File(format!("{name}.yaml").into())).unwrap()
    }

    #[test]
    fn duplicate_ids_name_both_files() {
        let mut map = ResourceMap::new();
        map.append(cm("a", None)).unwrap();
        let err = map
            .append(cm("a", Some("default")))
            .unwrap_err()
            .to_string();
        assert!(err.contains("a.yaml"), "{err}");
        assert!(err.contains("already registered"), "{err}");
    }

    /// Pushes after an edit (index not built) and after a lookup (built)
    /// are both found, duplicates included.
    #[test]
    fn pushes_are_indexed_whether_or_not_the_index_is_built() {
        let mut map: ResourceMap = [cm("a", None)].into_iter().collect();
        map.edit()[0].set_name("b");
        map.append(cm("c", None)).unwrap();
        assert!(map.append(cm("b", Some("default"))).is_err());
        map.append(cm("d", None)).unwrap();
        let gvk = Gvk::new("", "v1", "ConfigMap");
        let position = |name: &str| map.position(&ResId::new(gvk.clone(), "", name));
        assert_eq!(
            [position("a"), position("b"), position("c"), position("d")],
            [None, Some(0), Some(1), Some(2)]
        );
    }

    #[test]
    fn lookups_follow_renames() {
        let mut map = ResourceMap::new();
        map.append(cm("a", None)).unwrap();
        map.append(cm("b", None)).unwrap();
        for r in map.edit().iter_mut() {
            let name = format!("x-{}", r.name());
            r.set_name(&name);
        }
        let gvk = Gvk::new("", "v1", "ConfigMap");
        assert!(map.get(&ResId::new(gvk.clone(), "", "a")).is_none());
        assert_eq!(map.position(&ResId::new(gvk, "", "x-b")), Some(1));
    }
}
