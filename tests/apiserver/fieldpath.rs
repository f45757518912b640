//! Field paths and field sets as structured-merge-diff models them, and their
//! `FieldsV1` form (the `fieldsV1` of a managedFields entry).
//!
//! A path element is a map field (`f:name`), an associative list item by its
//! key fields (`k:{"name":"web"}`), a set item by value (`v:"x"`) or a list
//! index (`i:0`). Elements sort as structured-merge-diff sorts them (fields,
//! then keys, then values, then indexes), which is the order `fieldsV1` is
//! written in.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

/// A JSON value ordered the way structured-merge-diff orders values
/// (numbers numerically, then strings, booleans, lists, maps, null).
#[derive(Clone, Debug)]
pub struct Atom(pub Value);

impl Atom {
    fn rank(&self) -> u8 {
        match &self.0 {
            Value::Number(_) => 0,
            Value::String(_) => 1,
            Value::Bool(_) => 2,
            Value::Array(_) => 3,
            Value::Object(_) => 4,
            Value::Null => 5,
        }
    }
}

fn compare_values(left: &Value, right: &Value) -> Ordering {
    let (a, b) = (Atom(left.clone()), Atom(right.clone()));
    a.cmp(&b)
}

impl Ord for Atom {
    fn cmp(&self, other: &Self) -> Ordering {
        match (&self.0, &other.0) {
            (Value::Number(a), Value::Number(b)) => match (a.as_i64(), b.as_i64()) {
                (Some(a), Some(b)) => a.cmp(&b),
                _ => {
                    let (a, b) = (a.as_f64().unwrap_or(0.0), b.as_f64().unwrap_or(0.0));
                    a.partial_cmp(&b).unwrap_or(Ordering::Equal)
                }
            },
            (Value::String(a), Value::String(b)) => a.cmp(b),
            (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
            (Value::Array(a), Value::Array(b)) => {
                for (x, y) in a.iter().zip(b) {
                    let order = compare_values(x, y);
                    if order != Ordering::Equal {
                        return order;
                    }
                }
                a.len().cmp(&b.len())
            }
            (Value::Object(a), Value::Object(b)) => {
                let a: BTreeMap<&String, &Value> = a.iter().collect();
                let b: BTreeMap<&String, &Value> = b.iter().collect();
                for ((ka, va), (kb, vb)) in a.iter().zip(b.iter()) {
                    let order = ka.cmp(kb).then_with(|| compare_values(va, vb));
                    if order != Ordering::Equal {
                        return order;
                    }
                }
                a.len().cmp(&b.len())
            }
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl PartialOrd for Atom {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Atom {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Atom {}

/// One step of a field path. The variant order is the sort order.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Element {
    Field(String),
    /// Key field names (sorted) and their values.
    Key(Vec<(String, Atom)>),
    Value(Atom),
    Index(usize),
}

impl Element {
    pub fn field(name: &str) -> Element {
        Element::Field(name.to_string())
    }

    /// `f:name`, `k:{...}`, `v:...` or `i:N`, as in `fieldsV1`.
    pub fn serialize(&self) -> String {
        match self {
            Element::Field(name) => format!("f:{name}"),
            Element::Key(fields) => {
                let parts: Vec<String> = fields
                    .iter()
                    .map(|(name, value)| {
                        format!(
                            "{}:{}",
                            Value::String(name.clone()),
                            serde_json::to_string(&value.0).unwrap_or_default()
                        )
                    })
                    .collect();
                format!("k:{{{}}}", parts.join(","))
            }
            Element::Value(value) => {
                format!("v:{}", serde_json::to_string(&value.0).unwrap_or_default())
            }
            Element::Index(index) => format!("i:{index}"),
        }
    }

    /// Parses a `fieldsV1` key; `None` for unknown element types.
    pub fn parse(text: &str) -> Option<Element> {
        let (kind, rest) = text.split_at_checked(2)?;
        match kind {
            "f:" => Some(Element::Field(rest.to_string())),
            "k:" => {
                let Ok(Value::Object(map)) = serde_json::from_str::<Value>(rest) else {
                    return None;
                };
                let mut fields: Vec<(String, Atom)> =
                    map.into_iter().map(|(k, v)| (k, Atom(v))).collect();
                fields.sort_by(|a, b| a.0.cmp(&b.0));
                Some(Element::Key(fields))
            }
            "v:" => serde_json::from_str(rest)
                .ok()
                .map(|v| Element::Value(Atom(v))),
            "i:" => rest.parse().ok().map(Element::Index),
            _ => None,
        }
    }

    /// As the API server prints it in conflict messages: `.name`,
    /// `[name="web"]`, `[="x"]`, `[0]`.
    pub fn describe(&self) -> String {
        match self {
            Element::Field(name) => format!(".{name}"),
            Element::Key(fields) => {
                let parts: Vec<String> = fields
                    .iter()
                    .map(|(name, value)| format!("{name}={}", go_string(&value.0)))
                    .collect();
                format!("[{}]", parts.join(","))
            }
            Element::Value(value) => format!("[={}]", go_string(&value.0)),
            Element::Index(index) => format!("[{index}]"),
        }
    }
}

/// structured-merge-diff's `value.ToString`: strings quoted as Go's `%q`.
fn go_string(value: &Value) -> String {
    match value {
        Value::String(text) => super::gojson::quote(text),
        Value::Null => "null".into(),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(go_string).collect();
            format!("[{}]", parts.join(","))
        }
        Value::Object(map) => map
            .iter()
            .map(|(key, value)| format!("{key}={}", go_string(value)))
            .collect(),
        other => other.to_string(),
    }
}

pub type Path = Vec<Element>;

/// A path as printed in conflicts: `.spec.replicas`.
pub fn describe(path: &[Element]) -> String {
    path.iter().map(Element::describe).collect()
}

/// A set of field paths, as a tree: `members` are paths ending here,
/// `children` the subtrees.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Set {
    members: BTreeSet<Element>,
    children: BTreeMap<Element, Set>,
}

impl Set {
    pub fn new() -> Set {
        Set::default()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty() && self.children.is_empty()
    }

    pub fn insert(&mut self, path: &[Element]) {
        match path {
            [] => {}
            [last] => {
                self.members.insert(last.clone());
            }
            [first, rest @ ..] => self.children.entry(first.clone()).or_default().insert(rest),
        }
    }

    pub fn has(&self, path: &[Element]) -> bool {
        match path {
            [] => false,
            [last] => self.members.contains(last),
            [first, rest @ ..] => self
                .children
                .get(first)
                .is_some_and(|child| child.has(rest)),
        }
    }

    /// The subtree under `element`, if any.
    pub fn child(&self, element: &Element) -> Option<&Set> {
        self.children.get(element)
    }

    /// The members at this level.
    pub fn members(&self) -> impl Iterator<Item = &Element> {
        self.members.iter()
    }

    /// The subtrees at this level.
    pub fn children(&self) -> impl Iterator<Item = (&Element, &Set)> {
        self.children.iter()
    }

    pub fn is_member(&self, element: &Element) -> bool {
        self.members.contains(element)
    }

    pub fn union(&self, other: &Set) -> Set {
        let mut out = self.clone();
        out.union_in(other);
        out
    }

    pub fn union_in(&mut self, other: &Set) {
        self.members.extend(other.members.iter().cloned());
        for (element, child) in &other.children {
            self.children
                .entry(element.clone())
                .or_default()
                .union_in(child);
        }
    }

    /// Paths in `self` and not in `other` (a member of `other` does not
    /// cover paths below it, as in structured-merge-diff).
    pub fn difference(&self, other: &Set) -> Set {
        let members = self.members.difference(&other.members).cloned().collect();
        let mut children = BTreeMap::new();
        for (element, child) in &self.children {
            let rest = match other.children.get(element) {
                Some(theirs) => child.difference(theirs),
                None => child.clone(),
            };
            if !rest.is_empty() {
                children.insert(element.clone(), rest);
            }
        }
        Set { members, children }
    }

    pub fn intersection(&self, other: &Set) -> Set {
        let members = self.members.intersection(&other.members).cloned().collect();
        let mut children = BTreeMap::new();
        for (element, child) in &self.children {
            if let Some(theirs) = other.children.get(element) {
                let both = child.intersection(theirs);
                if !both.is_empty() {
                    children.insert(element.clone(), both);
                }
            }
        }
        Set { members, children }
    }

    /// Every member path, in sorted order.
    pub fn paths(&self) -> Vec<Path> {
        let mut out = Vec::new();
        self.collect_paths(&mut Vec::new(), &mut out);
        out
    }

    fn collect_paths(&self, prefix: &mut Path, out: &mut Vec<Path>) {
        // Members and children interleave in element order.
        let mut elements: BTreeSet<&Element> = self.members.iter().collect();
        elements.extend(self.children.keys());
        for element in elements {
            prefix.push(element.clone());
            if self.members.contains(element) {
                out.push(prefix.clone());
            }
            if let Some(child) = self.children.get(element) {
                child.collect_paths(prefix, out);
            }
            prefix.pop();
        }
    }

    /// Keeps only paths for which `keep(path)` holds; used to drop ignored
    /// fields (such as `status` on the main resource).
    pub fn without_prefix(&self, prefix: &[Element]) -> Set {
        let mut out = self.clone();
        out.remove_prefix(prefix);
        out
    }

    fn remove_prefix(&mut self, prefix: &[Element]) {
        match prefix {
            [] => {}
            [last] => {
                self.members.remove(last);
                self.children.remove(last);
            }
            [first, rest @ ..] => {
                if let Some(child) = self.children.get_mut(first) {
                    child.remove_prefix(rest);
                    if child.is_empty() {
                        self.children.remove(first);
                    }
                }
            }
        }
    }

    /// The `fieldsV1` JSON of this set.
    pub fn to_fields_v1(&self) -> Value {
        Value::Object(self.emit(false))
    }

    fn emit(&self, include_self: bool) -> Map<String, Value> {
        let mut map = Map::new();
        if include_self && !self.is_empty() {
            map.insert(".".into(), Value::Object(Map::new()));
        }
        let mut elements: BTreeSet<&Element> = self.members.iter().collect();
        elements.extend(self.children.keys());
        for element in elements {
            let value = match self.children.get(element) {
                Some(child) => Value::Object(child.emit(self.members.contains(element))),
                None => Value::Object(Map::new()),
            };
            map.insert(element.serialize(), value);
        }
        map
    }

    /// Reads a `fieldsV1` value; unknown keys are skipped.
    pub fn from_fields_v1(fields: &Value) -> Set {
        read_node(fields).0
    }
}

/// The set under a node and whether the node itself is a member.
fn read_node(node: &Value) -> (Set, bool) {
    let mut set = Set::new();
    let mut member = false;
    let Some(map) = node.as_object() else {
        return (set, true);
    };
    for (key, child) in map {
        if key == "." {
            member = true;
            continue;
        }
        let Some(element) = Element::parse(key) else {
            continue;
        };
        let (grandchildren, child_member) = read_node(child);
        if child_member {
            set.members.insert(element.clone());
        }
        if !grandchildren.is_empty() {
            set.children.insert(element, grandchildren);
        }
    }
    if set.is_empty() {
        member = true;
    }
    (set, member)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key(name: &str, value: Value) -> Element {
        Element::Key(vec![(name.to_string(), Atom(value))])
    }

    #[test]
    fn fields_v1_puts_the_dot_first_and_sorts_fields_before_keys() {
        let mut set = Set::new();
        let containers = [Element::field("spec"), Element::field("containers")];
        let item = [&containers[..], &[key("name", json!("web"))]].concat();
        set.insert(&item);
        set.insert(&[&item[..], &[Element::field("image")]].concat());
        set.insert(&[&item[..], &[Element::field("name")]].concat());
        set.insert(&[Element::field("spec"), Element::field("replicas")]);
        let fields = set.to_fields_v1();
        assert_eq!(
            serde_json::to_string(&fields).unwrap(),
            r#"{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{}}},"f:replicas":{}}}"#
        );
        assert_eq!(Set::from_fields_v1(&fields), set);
    }

    #[test]
    fn multi_field_keys_are_sorted_and_printed_as_the_server_does() {
        let element = Element::parse(r#"k:{"protocol":"TCP","containerPort":80}"#).unwrap();
        assert_eq!(
            element.serialize(),
            r#"k:{"containerPort":80,"protocol":"TCP"}"#
        );
        assert_eq!(element.describe(), r#"[containerPort=80,protocol="TCP"]"#);
        assert_eq!(
            describe(&[Element::field("spec"), Element::Value(Atom(json!("x")))]),
            r#".spec[="x"]"#
        );
    }

    #[test]
    fn difference_does_not_treat_members_as_covering_children() {
        let mut a = Set::new();
        a.insert(&[Element::field("a"), Element::field("b")]);
        a.insert(&[Element::field("c")]);
        let mut b = Set::new();
        b.insert(&[Element::field("a")]);
        let rest = a.difference(&b);
        assert!(rest.has(&[Element::field("a"), Element::field("b")]));
        assert!(rest.has(&[Element::field("c")]));
        assert!(a.intersection(&b).is_empty());
        assert_eq!(a.union(&b).paths().len(), 3);
    }
}
