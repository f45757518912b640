//! Walks of an object along its schema, as structured-merge-diff does them:
//! the field set an object sets, the comparison of two objects (added,
//! modified and removed fields), the merge of an applied configuration into
//! a live object, and the removal of a set of fields.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::fieldpath::{Atom, Element, Set};
use super::schema::{Node, Shape};

/// The path element of a list item, `None` when the item cannot be keyed
/// (a real server rejects such items; they are skipped here).
pub fn item_element(item: &Value, shape: &Shape, node: &Node) -> Option<Element> {
    match shape {
        Shape::Set => match item {
            Value::Object(_) | Value::Array(_) | Value::Null => None,
            scalar => Some(Element::Value(Atom(scalar.clone()))),
        },
        Shape::Keyed(keys) => {
            let map = item.as_object()?;
            let mut fields = Vec::with_capacity(keys.len());
            for key in keys {
                let value = match map.get(*key) {
                    Some(value) => value.clone(),
                    None => node.key_default(key)?,
                };
                fields.push((key.to_string(), Atom(value)));
            }
            fields.sort_by(|a, b| a.0.cmp(&b.0));
            Some(Element::Key(fields))
        }
        _ => None,
    }
}

/// The fields `value` sets (structured-merge-diff's `ToFieldSet`).
pub fn field_set(value: &Value, node: Node) -> Set {
    let mut set = Set::new();
    collect(value, node, &mut Vec::new(), &mut set);
    set
}

fn collect(value: &Value, node: Node, path: &mut Vec<Element>, set: &mut Set) {
    match node.shape(value) {
        Shape::Leaf => set.insert(path),
        Shape::Map => {
            let Some(map) = value.as_object() else {
                return;
            };
            for (name, child) in map {
                let field = node.field(name);
                path.push(Element::Field(name.clone()));
                collect(child, field.node, path, set);
                let empty = child.is_null() || child.as_object().is_some_and(Map::is_empty);
                if empty || !field.declared {
                    set.insert(path);
                }
                path.pop();
            }
        }
        shape @ (Shape::Set | Shape::Keyed(_)) => {
            let items = value.as_array().map(Vec::as_slice).unwrap_or_default();
            let item_node = node.item();
            let mut seen = BTreeSet::new();
            let mut duplicates = BTreeSet::new();
            for item in items {
                if let Some(element) = item_element(item, &shape, &node) {
                    if !seen.insert(element.clone()) {
                        duplicates.insert(element);
                    }
                }
            }
            for item in items {
                let Some(element) = item_element(item, &shape, &node) else {
                    continue;
                };
                path.push(element.clone());
                if !duplicates.contains(&element) {
                    collect(item, item_node, path, set);
                }
                set.insert(path);
                path.pop();
            }
        }
    }
}

/// What changed from one object to another.
#[derive(Debug, Default)]
pub struct Comparison {
    pub added: Set,
    pub modified: Set,
    pub removed: Set,
}

impl Comparison {
    pub fn is_same(&self) -> bool {
        self.added.is_empty() && self.modified.is_empty() && self.removed.is_empty()
    }

    /// Modified and added fields.
    pub fn changed(&self) -> Set {
        self.modified.union(&self.added)
    }

    /// Drops every path under `prefix` (fields reset by the strategy, such as `status`).
    pub fn without_prefix(mut self, prefix: &[Element]) -> Comparison {
        self.added = self.added.without_prefix(prefix);
        self.modified = self.modified.without_prefix(prefix);
        self.removed = self.removed.without_prefix(prefix);
        self
    }
}

fn empty_map() -> &'static Value {
    static EMPTY_MAP: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    EMPTY_MAP.get_or_init(|| Value::Object(Map::new()))
}

/// Compares `old` with `new` (structured-merge-diff's `Compare`).
pub fn compare(old: &Value, new: &Value, node: Node) -> Comparison {
    let mut comparison = Comparison::default();
    compare_at(Some(old), Some(new), node, &mut Vec::new(), &mut comparison);
    comparison
}

fn is_empty_container(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::Object(map)) => map.is_empty(),
        Some(Value::Array(items)) => items.is_empty(),
        _ => false,
    }
}

fn compare_at(
    old: Option<&Value>,
    new: Option<&Value>,
    node: Node,
    path: &mut Vec<Element>,
    out: &mut Comparison,
) {
    let shape = match (old, new) {
        (None, None) => return,
        (Some(old), Some(new)) => {
            let (a, b) = (node.shape(old), node.shape(new));
            if a == b {
                a
            } else {
                Shape::Leaf
            }
        }
        (Some(value), None) | (None, Some(value)) => node.shape(value),
    };
    let leaf = |out: &mut Comparison, path: &Vec<Element>| match (old, new) {
        (None, _) => out.added.insert(path),
        (_, None) => out.removed.insert(path),
        (Some(old), Some(new)) if old != new => out.modified.insert(path),
        _ => {}
    };
    match shape {
        Shape::Leaf => return leaf(out, path),
        _ if is_empty_container(old) && is_empty_container(new) => return leaf(out, path),
        Shape::Map => {
            let empty = Map::new();
            let old_map = old.and_then(Value::as_object).unwrap_or(&empty);
            let new_map = new.and_then(Value::as_object).unwrap_or(&empty);
            let mut names: Vec<&String> = old_map.keys().collect();
            names.extend(new_map.keys().filter(|name| !old_map.contains_key(*name)));
            for name in names {
                let field = node.field(name);
                let (mut a, mut b) = (old_map.get(name), new_map.get(name));
                // Go struct values exist in every object, empty or not.
                if field.always {
                    a = a.or(Some(empty_map()));
                    b = b.or(Some(empty_map()));
                }
                path.push(Element::Field(name.clone()));
                compare_at(a, b, field.node, path, out);
                path.pop();
            }
        }
        ref shape @ (Shape::Set | Shape::Keyed(_)) => {
            let item_node = node.item();
            let index = |list: Option<&Value>| -> (Vec<Element>, BTreeMap<Element, Vec<Value>>) {
                let mut order = Vec::new();
                let mut items: BTreeMap<Element, Vec<Value>> = BTreeMap::new();
                for item in list.and_then(Value::as_array).into_iter().flatten() {
                    if let Some(element) = item_element(item, shape, &node) {
                        let entry = items.entry(element.clone()).or_default();
                        if entry.is_empty() {
                            order.push(element);
                        }
                        entry.push(item.clone());
                    }
                }
                (order, items)
            };
            let (old_order, old_items) = index(old);
            let (new_order, new_items) = index(new);
            let mut all = old_order;
            all.extend(
                new_order
                    .into_iter()
                    .filter(|element| !old_items.contains_key(element)),
            );
            let none = Vec::new();
            for element in all {
                let a = old_items.get(&element).unwrap_or(&none);
                let b = new_items.get(&element).unwrap_or(&none);
                path.push(element);
                if a.len() > 1 || b.len() > 1 {
                    // Duplicates compare as one atomic value.
                    match (a.is_empty(), b.is_empty()) {
                        (true, _) => out.added.insert(path),
                        (_, true) => out.removed.insert(path),
                        _ if a != b => out.modified.insert(path),
                        _ => {}
                    }
                } else {
                    compare_at(a.first(), b.first(), item_node, path, out);
                }
                path.pop();
            }
        }
    }
    match (old, new) {
        (None, _) => out.added.insert(path),
        (_, None) => out.removed.insert(path),
        _ => {}
    }
}

/// Merges `applied` into `live` (structured-merge-diff's `Merge`): maps
/// field by field, associative lists item by item in the order the applied
/// configuration gives, everything else taken from `applied`.
pub fn merge(live: &Value, applied: &Value, node: Node) -> Value {
    merge_at(Some(live), Some(applied), node).unwrap_or(Value::Null)
}

fn merge_at(live: Option<&Value>, applied: Option<&Value>, node: Node) -> Option<Value> {
    let keep = || applied.or(live).cloned();
    let shape = match (live, applied) {
        (None, None) => return None,
        (Some(a), Some(b)) => {
            let (x, y) = (node.shape(a), node.shape(b));
            if x == y {
                x
            } else {
                return keep();
            }
        }
        (Some(value), None) | (None, Some(value)) => node.shape(value),
    };
    if is_empty_container(live) && is_empty_container(applied) {
        return keep();
    }
    match shape {
        Shape::Leaf => keep(),
        Shape::Map => {
            let empty = Map::new();
            let old = live.and_then(Value::as_object).unwrap_or(&empty);
            let new = applied.and_then(Value::as_object).unwrap_or(&empty);
            let mut out = Map::new();
            for (name, value) in old {
                let merged = merge_at(Some(value), new.get(name), node.field(name).node);
                if let Some(merged) = merged {
                    out.insert(name.clone(), merged);
                }
            }
            for (name, value) in new.iter().filter(|(name, _)| !old.contains_key(*name)) {
                if let Some(merged) = merge_at(None, Some(value), node.field(name).node) {
                    out.insert(name.clone(), merged);
                }
            }
            (!out.is_empty()).then_some(Value::Object(out))
        }
        ref shape @ (Shape::Set | Shape::Keyed(_)) => {
            merge_lists(live, applied, shape, node).map(Value::Array)
        }
    }
}

fn merge_lists(
    live: Option<&Value>,
    applied: Option<&Value>,
    shape: &Shape,
    node: Node,
) -> Option<Vec<Value>> {
    let item_node = node.item();
    let lhs: &[Value] = live
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let rhs: &[Value] = applied
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let keyed = |items: &[Value]| -> Vec<(Element, Value)> {
        items
            .iter()
            .filter_map(|item| Some((item_element(item, shape, &node)?, item.clone())))
            .collect()
    };
    let lhs = keyed(lhs);
    let rhs = keyed(rhs);
    // Items of the live list by key; a duplicated key merges as nothing.
    let mut live_items: BTreeMap<&Element, Option<&Value>> = BTreeMap::new();
    for (element, item) in &lhs {
        live_items
            .entry(element)
            .and_modify(|slot| *slot = None)
            .or_insert(Some(item));
    }
    let applied_items: BTreeMap<&Element, &Value> =
        rhs.iter().map(|(element, item)| (element, item)).collect();
    let mut shared: std::collections::VecDeque<&Element> = rhs
        .iter()
        .map(|(element, _)| element)
        .filter(|element| live_items.contains_key(element))
        .collect();
    let mut next_shared = shared.pop_front();
    let mut merged_applied: BTreeSet<&Element> = BTreeSet::new();
    let mut out = Vec::new();
    let merge_item = |element: &Element, out: &mut Vec<Value>| {
        let old = live_items.get(element).copied().flatten();
        let new = applied_items.get(element).copied();
        if let Some(item) = merge_at(old, new, item_node) {
            out.push(item);
        }
    };
    let (mut l, mut r) = (0, 0);
    while l < lhs.len() || r < rhs.len() {
        if l < lhs.len() && r < rhs.len() {
            let element = &lhs[l].0;
            if *element == rhs[r].0 {
                merged_applied.insert(element);
                merge_item(element, &mut out);
                l += 1;
                r += 1;
                next_shared = shared.pop_front();
                continue;
            }
            if applied_items.contains_key(element) && next_shared.is_some_and(|n| n != element) {
                l += 1;
                continue;
            }
        }
        if l < lhs.len() {
            let element = &lhs[l].0;
            if !applied_items.contains_key(element) {
                if let Some(item) = merge_at(Some(&lhs[l].1), None, item_node) {
                    out.push(item);
                }
                l += 1;
                continue;
            } else if merged_applied.contains(element) {
                l += 1;
            }
        }
        if r < rhs.len() {
            let element = &rhs[r].0;
            merged_applied.insert(element);
            merge_item(element, &mut out);
            r += 1;
            if next_shared == Some(element) {
                next_shared = shared.pop_front();
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// `value` without the fields and items that are members of `set`
/// (structured-merge-diff's `RemoveItems`); maps and lists emptied by the
/// removal go too, as Go's `omitempty` drops them.
pub fn remove_items(value: &Value, set: &Set, node: Node) -> Option<Value> {
    match node.shape(value) {
        Shape::Leaf => Some(value.clone()),
        Shape::Map => {
            let map = value.as_object()?;
            if map.is_empty() {
                return Some(value.clone());
            }
            let mut out = Map::new();
            for (name, child) in map {
                let element = Element::Field(name.clone());
                if set.is_member(&element) {
                    continue;
                }
                let kept = match set.child(&element) {
                    Some(subset) => remove_items(child, subset, node.field(name).node),
                    None => Some(child.clone()),
                };
                if let Some(kept) = kept {
                    out.insert(name.clone(), kept);
                }
            }
            (!out.is_empty()).then_some(Value::Object(out))
        }
        ref shape @ (Shape::Set | Shape::Keyed(_)) => {
            let items = value.as_array()?;
            if items.is_empty() {
                return Some(value.clone());
            }
            let item_node = node.item();
            let mut out = Vec::new();
            for item in items {
                let Some(element) = item_element(item, shape, &node) else {
                    out.push(item.clone());
                    continue;
                };
                if set.is_member(&element) {
                    continue;
                }
                match set.child(&element) {
                    Some(subset) => {
                        if let Some(kept) = remove_items(item, subset, item_node) {
                            out.push(kept);
                        }
                    }
                    None => out.push(item.clone()),
                }
            }
            (!out.is_empty()).then_some(Value::Array(out))
        }
    }
}

/// `set` plus the struct fields on its paths (structured-merge-diff's
/// `EnsureNamedFieldsAreMembers`): owning `spec.replicas` also owns `spec`,
/// but owning `metadata.labels.app` does not own the label map's keys.
pub fn with_named_fields(set: &Set, node: Node) -> Set {
    let mut out = Set::new();
    ensure(set, node, &mut Vec::new(), &mut out);
    out
}

fn ensure(set: &Set, node: Node, path: &mut Vec<Element>, out: &mut Set) {
    for member in set.members() {
        path.push(member.clone());
        out.insert(path);
        path.pop();
    }
    for (element, child) in set.children() {
        let child_node = match element {
            Element::Field(name) => {
                let field = node.field(name);
                if field.declared {
                    path.push(element.clone());
                    out.insert(path);
                    path.pop();
                }
                field.node
            }
            _ => node.item(),
        };
        path.push(element.clone());
        ensure(child, child_node, path, out);
        path.pop();
    }
}

/// Drops `null` values from maps (what decoding into Go types does for
/// pointers, slices and maps).
pub fn drop_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, child| !child.is_null());
            map.values_mut().for_each(drop_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::schema::{builtin_root, Ty};
    use serde_json::json;

    fn deployment() -> Node<'static> {
        Node::Ty(builtin_root("apps", "Deployment"))
    }

    fn fields(value: &Value) -> Value {
        field_set(value, deployment()).to_fields_v1()
    }

    #[test]
    fn applied_fields_as_the_server_records_them() {
        let applied = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": "web", "image": "nginx",
                                                           "ports": [{"containerPort": 80}]}]}}},
        });
        assert_eq!(
            fields(&applied),
            json!({
                "f:apiVersion": {}, "f:kind": {},
                "f:metadata": {"f:labels": {"f:app": {}}, "f:name": {}},
                "f:spec": {"f:replicas": {}, "f:selector": {},
                           "f:template": {"f:metadata": {"f:labels": {"f:app": {}}},
                                          "f:spec": {"f:containers": {"k:{\"name\":\"web\"}": {
                                              ".": {}, "f:image": {}, "f:name": {},
                                              "f:ports": {"k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}}}}}}}},
            })
        );
    }

    #[test]
    fn compare_marks_new_maps_and_items_but_not_go_struct_values() {
        let old = json!({"metadata": {"name": "web"}});
        let new = json!({"metadata": {"name": "web", "labels": {"app": "web"}},
                         "spec": {"replicas": 1, "strategy": {"rollingUpdate": {"maxSurge": 1}}}});
        let comparison = compare(&old, &new, deployment());
        assert_eq!(
            comparison.added.to_fields_v1(),
            json!({"f:metadata": {"f:labels": {".": {}, "f:app": {}}},
                   "f:spec": {"f:replicas": {}, "f:strategy": {"f:rollingUpdate": {".": {}, "f:maxSurge": {}}}}})
        );
        assert!(comparison.modified.is_empty() && comparison.removed.is_empty());
    }

    #[test]
    fn merge_keeps_live_fields_and_follows_the_applied_order() {
        let node = Node::Ty(Ty::Struct("PodSpec"));
        let live = json!({"containers": [{"name": "a", "image": "1", "x": true}, {"name": "b"}], "dnsPolicy": "ClusterFirst"});
        let applied = json!({"containers": [{"name": "c"}, {"name": "a", "image": "2"}]});
        assert_eq!(
            merge(&live, &applied, node),
            json!({"containers": [{"name": "c"}, {"name": "a", "image": "2", "x": true}, {"name": "b"}], "dnsPolicy": "ClusterFirst"})
        );
    }

    #[test]
    fn removal_takes_items_and_empties_their_parents() {
        let node = Node::Ty(Ty::Struct("ObjectMeta"));
        let value = json!({"name": "x", "labels": {"a": "1"}, "finalizers": ["f"]});
        let mut set = Set::new();
        set.insert(&[Element::field("labels"), Element::field("a")]);
        set.insert(&[
            Element::field("finalizers"),
            Element::Value(Atom(json!("f"))),
        ]);
        assert_eq!(remove_items(&value, &set, node), Some(json!({"name": "x"})));
    }

    #[test]
    fn named_fields_join_the_set_but_map_keys_do_not() {
        let mut set = Set::new();
        set.insert(&[Element::field("spec"), Element::field("replicas")]);
        set.insert(&[
            Element::field("metadata"),
            Element::field("labels"),
            Element::field("a"),
        ]);
        let ensured = with_named_fields(&set, deployment());
        assert!(ensured.has(&[Element::field("spec")]));
        assert!(ensured.has(&[Element::field("metadata"), Element::field("labels")]));
        assert!(ensured.has(&[
            Element::field("metadata"),
            Element::field("labels"),
            Element::field("a")
        ]));
    }
}
