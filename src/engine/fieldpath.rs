//! kustomize field paths (`spec.template.spec.containers.[name=app].image`):
//! parsing, reading and writing them in a JSON object.
//!
//! Paths are split as kyaml's `SmarterPathSplitter` splits them:
//! - `.` separates segments; `\.` is a literal dot (`a\.b` is one key `a.b`);
//!   a leading `.` is ignored.
//! - `[...]` groups dotted text: `[name=com.foo]` stays one list matcher and
//!   `[config.kubernetes.io/foo]` (no `=`) becomes the map key
//!   `config.kubernetes.io/foo`. A bracketed segment without a dot and
//!   without `=` (`[foo]`) is an invalid matcher; as in kyaml, that is an
//!   error only when a walk reaches it.
//! - A segment that is a non-negative integer indexes a list, `*` visits
//!   every list element, `-` is the last list element, `[k=v]` selects list
//!   elements whose field `k` matches `v` and `[=v]` selects scalar elements
//!   equal to (or matching) `v`. Anything else is a map key.
//!
//! Two walkers exist because kustomize has two with different rules:
//! - [`lookup`] is kyaml's `PathGetter` (`Lookup`), used to read one value
//!   (replacement sources): `[k=v]` is an exact text match and picks the first
//!   element, `*` is an error, a missing part yields `None`.
//! - [`visit_mut`] is kyaml's `PathMatcher`, used to write (replacement
//!   targets): `[k=v]` treats `v` as an unanchored regular expression and
//!   visits every match, `*` visits every element, `-` is a plain map key,
//!   and `create` makes missing parts.
//!
//! [`get`] is a lenient reader for other callers: every value the path
//! reaches (wildcards may yield many), exact matching, and type mismatches
//! simply reach nothing.
//!
//! Values are `serde_json::Value`s, so kyaml's text comparisons use a
//! scalar's JSON form (`regex_text`): a number written `0x10` in YAML
//! compares as `16`.

use std::fmt;

use regex::Regex;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::kyaml::{node_text, Null};

/// One step of a field path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    /// A map key.
    Field(String),
    /// A list position (`0`).
    Index(usize),
    /// The last list element (`-`); a plain key `-` for [`visit_mut`].
    Last,
    /// Every list element (`*`).
    Wildcard,
    /// List elements whose field `key` is `value` (`[key=value]`); an empty
    /// key matches scalar elements themselves (`[=value]`).
    Match { key: String, value: String },
    /// A bracketed part without `=` (`[foo]`): an error when reached.
    BadMatch(String),
}

/// A parsed field path; keeps its text for error messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldPath {
    text: String,
    segments: Vec<Segment>,
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FieldPath {
    /// Parses a dotted field path (see the module docs). Parsing cannot
    /// fail: like kyaml, walks report a bad `[...]` part when they reach it.
    pub fn parse(text: &str) -> FieldPath {
        FieldPath {
            text: text.to_string(),
            segments: crate::kyaml::split_field_path(text)
                .iter()
                .map(|part| segment(part))
                .collect(),
        }
    }

    /// Fails on the first bad `[...]` part, for callers that want to
    /// reject a path up front.
    pub fn check(&self) -> Result<()> {
        let bad = self.segments.iter().find_map(|s| match s {
            Segment::BadMatch(part) => Some(part),
            _ => None,
        });
        match bad {
            Some(part) => Err(Error::msg(format!(
                "field path `{}`: `{part}`: {BAD_MATCH}",
                self.text
            ))),
            None => Ok(()),
        }
    }

    /// A path of plain map keys (no parsing of dots or brackets).
    pub fn from_keys<S: AsRef<str>>(keys: &[S]) -> FieldPath {
        let segments: Vec<Segment> = keys
            .iter()
            .map(|key| Segment::Field(key.as_ref().to_string()))
            .collect();
        let text = keys.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(".");
        FieldPath { text, segments }
    }

    /// The text the path was parsed from.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Whether any segment can reach more than one value.
    pub fn has_wildcard(&self) -> bool {
        self.segments.iter().any(|s| matches!(s, Segment::Wildcard))
    }
}

/// kyaml's message for a `[...]` part without `=`.
const BAD_MATCH: &str = "list path element must contain fieldName=fieldValue for element to match";

fn segment(part: &str) -> Segment {
    if part == "*" {
        return Segment::Wildcard;
    }
    if part == "-" {
        return Segment::Last;
    }
    if let Some(index) = parse_index(part) {
        return Segment::Index(index);
    }
    if part.len() >= 2 && part.starts_with('[') && part.ends_with(']') {
        let inner = &part[1..part.len() - 1];
        return match inner.split_once('=') {
            Some((key, value)) => Segment::Match {
                key: key.to_string(),
                value: value.to_string(),
            },
            None => Segment::BadMatch(part.to_string()),
        };
    }
    Segment::Field(part.to_string())
}

/// A non-negative integer as Go's `strconv.Atoi` reads it (`+1`, `007`).
fn parse_index(part: &str) -> Option<usize> {
    let digits = part.strip_prefix('+').unwrap_or(part);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// kyaml's word for a value's node kind, for its error messages.
fn node_kind(value: &Value) -> &'static str {
    match value {
        Value::Object(_) => "MappingNode",
        Value::Array(_) => "SequenceNode",
        _ => "ScalarNode",
    }
}

fn wrong_kind(expected: &str, found: &Value) -> Error {
    Error::msg(format!(
        "wrong node kind: expected {expected} but got {}",
        node_kind(found)
    ))
}

/// Reads one value as kyaml's `PathGetter` does (see the module docs).
///
/// `Ok(None)` when a part is missing or a list index is out of range;
/// an error when a part meets the wrong kind of node or the path has `*`.
pub fn lookup<'a>(value: &'a Value, path: &FieldPath) -> Result<Option<&'a Value>> {
    let mut current = value;
    for segment in &path.segments {
        // PathGetter ignores blank parts.
        if matches!(segment, Segment::Field(name) if name.trim().is_empty()) {
            continue;
        }
        let next = match segment {
            Segment::Field(name) => match current {
                Value::Null => None,
                Value::Object(map) => map.get(name.trim()),
                other => return Err(wrong_kind("MappingNode", other)),
            },
            Segment::Index(index) => elements(current)?.get(*index),
            Segment::Last => elements(current)?.last(),
            Segment::Wildcard => return Err(Error::msg("wildcard is not supported in PathGetter")),
            Segment::BadMatch(_) => return Err(Error::msg(BAD_MATCH)),
            Segment::Match { key, value } => elements(current)?
                .iter()
                .find(|element| element_equals(element, key, value)),
        };
        match next {
            // A null field is missing to PathGetter.
            None | Some(Value::Null) => return Ok(None),
            Some(found) => current = found,
        }
    }
    Ok(Some(current))
}

fn elements(value: &Value) -> Result<&[Value]> {
    match value {
        Value::Null => Ok(&[]),
        Value::Array(items) => Ok(items),
        other => Err(wrong_kind("SequenceNode", other)),
    }
}

/// kyaml's `ElementMatcher`: exact text equality.
fn element_equals(element: &Value, key: &str, value: &str) -> bool {
    if key.is_empty() {
        return !element.is_object() && node_text(element, Null::Empty) == value;
    }
    element
        .as_object()
        .and_then(|map| map.get(key))
        .is_some_and(|field| node_text(field, Null::Empty) == value)
}

/// Every value the path reaches, in document order; type mismatches and
/// missing parts reach nothing. `*` visits list elements and map values,
/// and `[k=v]` matches exactly and may reach several elements.
pub fn get<'a>(value: &'a Value, path: &FieldPath) -> Vec<&'a Value> {
    let mut current = vec![value];
    for segment in &path.segments {
        let mut next = Vec::new();
        for value in current {
            match (segment, value) {
                (Segment::Field(name), Value::Object(map)) => next.extend(map.get(name)),
                (Segment::Index(index), Value::Array(items)) => next.extend(items.get(*index)),
                (Segment::Last, Value::Array(items)) => next.extend(items.last()),
                (Segment::Wildcard, Value::Array(items)) => next.extend(items.iter()),
                (Segment::Wildcard, Value::Object(map)) => next.extend(map.values()),
                (Segment::Match { key, value }, Value::Array(items)) => next.extend(
                    items
                        .iter()
                        .filter(|element| element_equals(element, key, value)),
                ),
                _ => {}
            }
        }
        current = next;
    }
    current
}

/// Calls `f` on every value the path reaches, as kyaml's `PathMatcher`
/// (see the module docs). With `create`, missing map keys are added
/// (intermediate parts become a list when the next segment is an index or
/// `[k=v]`, otherwise a map; the leaf starts as null), a list index equal to
/// the list's length appends, and `[k=v]` with no match appends `{k: v}`.
/// As in kyaml, a part created below an existing null is visited but lost:
/// the null stays.
///
/// Errors when a part meets the wrong kind of node or an index is past the
/// end; visiting nothing is not an error (callers decide).
pub fn visit_mut(
    value: &mut Value,
    path: &FieldPath,
    create: bool,
    f: &mut dyn FnMut(&mut Value) -> Result<()>,
) -> Result<()> {
    visit_mut_created(value, path, create, &mut |value, _| f(value))
}

/// Like [`visit_mut`], also telling `f` whether the visited value was just
/// created (kustomize gives created leaves no type, so a value written
/// there is read back as plain YAML).
pub fn visit_mut_created(
    value: &mut Value,
    path: &FieldPath,
    create: bool,
    f: &mut dyn FnMut(&mut Value, bool) -> Result<()>,
) -> Result<()> {
    walk(value, &path.segments, create, false, f)
}

fn walk(
    value: &mut Value,
    segments: &[Segment],
    create: bool,
    created: bool,
    f: &mut dyn FnMut(&mut Value, bool) -> Result<()>,
) -> Result<()> {
    let Some((segment, rest)) = segments.split_first() else {
        return f(value, created);
    };
    if let Segment::BadMatch(_) = segment {
        return Err(Error::msg(BAD_MATCH));
    }
    if value.is_null() && create && !matches!(segment, Segment::Wildcard) {
        // kyaml adds the missing part inside the null node, where it never
        // reaches the output: walk a scratch copy so callers see the visit
        // but the null stays.
        let mut scratch = match segment {
            Segment::Index(_) | Segment::Match { .. } => Value::Array(Vec::new()),
            _ => Value::Object(Map::new()),
        };
        return walk(&mut scratch, segments, create, created, f);
    }
    match segment {
        Segment::Field(name) => walk_field(value, name, rest, create, f),
        Segment::Last => walk_field(value, "-", rest, create, f),
        Segment::Index(index) => walk_index(value, *index, rest, create, f),
        Segment::Wildcard => {
            let items = match value {
                Value::Null => return Ok(()),
                Value::Array(items) => items,
                other => return Err(wrong_kind("SequenceNode", other)),
            };
            for item in items {
                walk(item, rest, create, false, f)?;
            }
            Ok(())
        }
        Segment::Match {
            key,
            value: pattern,
        } => walk_match(value, key, pattern, rest, create, f),
        Segment::BadMatch(_) => Err(Error::msg(BAD_MATCH)),
    }
}

/// The empty node kyaml creates for a missing part, judged by the next segment.
fn empty_for(next: Option<&Segment>) -> Value {
    match next {
        Some(Segment::Index(_) | Segment::Match { .. }) => Value::Array(Vec::new()),
        Some(_) => Value::Object(Map::new()),
        None => Value::Null,
    }
}

fn walk_field(
    value: &mut Value,
    name: &str,
    rest: &[Segment],
    create: bool,
    f: &mut dyn FnMut(&mut Value, bool) -> Result<()>,
) -> Result<()> {
    // kyaml reads an empty name (`a..b`) as "this scalar", which no map or list is.
    if name.is_empty() && (value.is_object() || value.is_array()) {
        return Err(wrong_kind("ScalarNode", value));
    }
    if value.is_null() || name.is_empty() {
        return Ok(());
    }
    let Value::Object(map) = value else {
        return Err(wrong_kind("MappingNode", value));
    };
    let created = !map.contains_key(name);
    if created {
        if !create {
            return Ok(());
        }
        map.insert(name.to_string(), empty_for(rest.first()));
    }
    let Some(field) = map.get_mut(name) else {
        return Ok(());
    };
    walk(field, rest, create, created, f)
}

fn walk_index(
    value: &mut Value,
    index: usize,
    rest: &[Segment],
    create: bool,
    f: &mut dyn FnMut(&mut Value, bool) -> Result<()>,
) -> Result<()> {
    let len = match value {
        Value::Null => 0,
        Value::Array(items) => items.len(),
        other => return Err(wrong_kind("SequenceNode", other)),
    };
    let mut created = false;
    if index == len && create {
        if let Value::Array(items) = value {
            items.push(empty_for(rest.first()));
            created = true;
        }
    }
    match value {
        Value::Array(items) if index < items.len() => {
            walk(&mut items[index], rest, create, created, f)
        }
        _ => Err(Error::msg(format!(
            "index {index} specified but only {len} elements found"
        ))),
    }
}

fn walk_match(
    value: &mut Value,
    key: &str,
    pattern: &str,
    rest: &[Segment],
    create: bool,
    f: &mut dyn FnMut(&mut Value, bool) -> Result<()>,
) -> Result<()> {
    let regex = Regex::new(pattern)
        .map_err(|e| Error::msg(format!("invalid list matcher `[{key}={pattern}]`: {e}")))?;
    let items = match value {
        Value::Null => return Ok(()),
        Value::Array(items) => items,
        other => return Err(wrong_kind("SequenceNode", other)),
    };
    let matching: Vec<usize> = (0..items.len())
        .filter(|&i| element_matches(&items[i], key, &regex))
        .collect();
    if !matching.is_empty() || !create {
        for i in matching {
            walk(&mut items[i], rest, create, false, f)?;
        }
        return Ok(());
    }
    let element = if key.is_empty() {
        Value::String(pattern.to_string())
    } else {
        let mut map = Map::new();
        map.insert(key.to_string(), Value::String(pattern.to_string()));
        Value::Object(map)
    };
    items.push(element);
    let last = items.len() - 1;
    // kyaml searches again and finds the new element only if its own
    // text matches the expression; it never loops here.
    if element_matches(&items[last], key, &regex) {
        walk(&mut items[last], rest, create, false, f)?;
    }
    Ok(())
}

/// kyaml's `PathMatcher` element test: an unanchored regular expression on
/// the element's (or its field's) text.
fn element_matches(element: &Value, key: &str, regex: &Regex) -> bool {
    if key.is_empty() {
        return regex.is_match(regex_text(element).trim());
    }
    element
        .as_object()
        .and_then(|map| map.get(key))
        .is_some_and(|field| regex.is_match(regex_text(field).trim()))
}

/// The text a `[key=~regex]` match tests: a scalar's text, `null` for null,
/// and compact JSON for maps and lists (which only a regex could match).
fn regex_text(value: &Value) -> std::borrow::Cow<'_, str> {
    match value {
        Value::Null => "null".into(),
        Value::Array(_) | Value::Object(_) => value.to_string().into(),
        scalar => node_text(scalar, Null::Empty),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(s: &str) -> Segment {
        Segment::Field(s.to_string())
    }

    fn matcher(key: &str, value: &str) -> Segment {
        Segment::Match {
            key: key.to_string(),
            value: value.to_string(),
        }
    }

    #[test]
    fn parses_paths_as_kyaml_splits_them() {
        // Splitting rules from kyaml's SmarterPathSplitter and its tests.
        let cases: Vec<(&str, Vec<Segment>)> = vec![
            ("metadata.name", vec![field("metadata"), field("name")]),
            (".spec.replicas", vec![field("spec"), field("replicas")]),
            (
                "spec.template.spec.containers.[name=app].image",
                vec![
                    field("spec"),
                    field("template"),
                    field("spec"),
                    field("containers"),
                    matcher("name", "app"),
                    field("image"),
                ],
            ),
            (
                "a.[name=com.foo.someapp].b",
                vec![field("a"), matcher("name", "com.foo.someapp"), field("b")],
            ),
            (
                "metadata.annotations.[config.kubernetes.io/foo]",
                vec![
                    field("metadata"),
                    field("annotations"),
                    field("config.kubernetes.io/foo"),
                ],
            ),
            (
                r"metadata.labels.a\.b",
                vec![field("metadata"), field("labels"), field("a.b")],
            ),
            ("a.0.b", vec![field("a"), Segment::Index(0), field("b")]),
            ("a.*.b", vec![field("a"), Segment::Wildcard, field("b")]),
            ("a.-", vec![field("a"), Segment::Last]),
            ("args.[=-jar]", vec![field("args"), matcher("", "-jar")]),
            ("a.-1", vec![field("a"), field("-1")]),
        ];
        for (text, expected) in cases {
            let path = FieldPath::parse(text);
            assert_eq!(path.segments(), expected.as_slice(), "{text}");
            assert_eq!(path.to_string(), text);
        }
    }

    #[test]
    fn brackets_without_equals_fail_only_when_reached() {
        // kubectl: "list path element must contain fieldName=fieldValue for
        // element to match" for `metadata.[bad].x`, nothing for `metadata.nope.[bad].x`.
        let object = json!({"metadata": {"name": "a"}});
        let bad = FieldPath::parse("metadata.[bad].x");
        assert!(bad.check().is_err());
        let err = lookup(&object, &bad).unwrap_err().to_string();
        assert!(err.contains("fieldName=fieldValue"), "{err}");
        let err = set_new(object.clone(), "metadata.[bad].x", false).unwrap_err();
        assert!(err.contains("fieldName=fieldValue"), "{err}");
        assert_eq!(
            set_new(object.clone(), "metadata.nope.[bad].x", false),
            Ok(object)
        );
    }

    fn deployment() -> Value {
        json!({"spec": {"containers": [
            {"name": "app", "image": "a", "args": ["-jar", "x", "-jarx"]},
            {"name": "myapp", "image": "b"},
            {"name": "app2", "image": "c", "port": 80},
            {"image": "noname"},
        ]}, "empty": null})
    }

    #[test]
    fn lookup_reads_one_value_like_path_getter() {
        let d = deployment();
        let cases: Vec<(&str, Option<Value>)> = vec![
            ("spec.containers.[name=app].image", Some(json!("a"))),
            ("spec.containers.[name=app2].image", Some(json!("c"))),
            ("spec.containers.[port=80].name", Some(json!("app2"))),
            ("spec.containers.1.image", Some(json!("b"))),
            ("spec.containers.-.image", Some(json!("noname"))),
            ("spec.containers.9.image", None),
            ("spec.containers.[name=zzz].image", None),
            ("spec.containers.0.args.[=-jar]", Some(json!("-jar"))),
            ("empty.x", None),
            ("missing.x", None),
        ];
        for (text, expected) in cases {
            let got = lookup(&d, &FieldPath::parse(text)).unwrap();
            assert_eq!(got.cloned(), expected, "{text}");
        }
    }

    #[test]
    fn lookup_errors_on_wrong_kinds_and_wildcards() {
        let d = deployment();
        let cases = [
            (
                "spec.containers.name",
                "expected MappingNode but got SequenceNode",
            ),
            ("spec.0", "expected SequenceNode but got MappingNode"),
            (
                "spec.containers.0.image.x",
                "expected MappingNode but got ScalarNode",
            ),
            (
                "spec.containers.*.image",
                "wildcard is not supported in PathGetter",
            ),
        ];
        for (text, message) in cases {
            let err = lookup(&d, &FieldPath::parse(text)).unwrap_err();
            assert!(err.to_string().contains(message), "{text}: {err}");
        }
    }

    #[test]
    fn get_reaches_every_match() {
        let d = deployment();
        let cases: Vec<(&str, Vec<Value>)> = vec![
            (
                "spec.containers.*.image",
                vec![json!("a"), json!("b"), json!("c"), json!("noname")],
            ),
            ("spec.containers.[name=app].image", vec![json!("a")]),
            ("spec.containers.0.args.1", vec![json!("x")]),
            ("spec.containers.name", vec![]),
        ];
        for (text, expected) in cases {
            let got: Vec<Value> = get(&d, &FieldPath::parse(text))
                .into_iter()
                .cloned()
                .collect();
            assert_eq!(got, expected, "{text}");
        }
    }

    /// Sets every visited value to "NEW"; returns the object or the error text.
    fn set_new(mut value: Value, text: &str, create: bool) -> std::result::Result<Value, String> {
        let path = FieldPath::parse(text);
        visit_mut(&mut value, &path, create, &mut |v| {
            *v = json!("NEW");
            Ok(())
        })
        .map_err(|e| e.to_string())?;
        Ok(value)
    }

    #[test]
    fn visit_mut_walks_like_path_matcher() {
        // Expected values from `kubectl kustomize` (v5.5.0) with replacement targets.
        let containers = |list: Value| json!({"spec": {"containers": list}, "empty": null});
        let cases: Vec<(&str, bool, Value)> = vec![
            // `[name=app]` is an unanchored regular expression.
            (
                "spec.containers.[name=app].image",
                false,
                containers(json!([
                    {"name": "app", "image": "NEW", "args": ["-jar", "x", "-jarx"]},
                    {"name": "myapp", "image": "NEW"},
                    {"name": "app2", "image": "NEW", "port": 80},
                    {"image": "noname"},
                ])),
            ),
            (
                "spec.containers.[name=app].args.[=-jar]",
                false,
                containers(json!([
                    {"name": "app", "image": "a", "args": ["NEW", "x", "NEW"]},
                    {"name": "myapp", "image": "b"},
                    {"name": "app2", "image": "c", "port": 80},
                    {"image": "noname"},
                ])),
            ),
            (
                "spec.containers.*.image",
                false,
                containers(json!([
                    {"name": "app", "image": "NEW", "args": ["-jar", "x", "-jarx"]},
                    {"name": "myapp", "image": "NEW"},
                    {"name": "app2", "image": "NEW", "port": 80},
                    {"image": "NEW"},
                ])),
            ),
            (
                "spec.containers.4.image",
                true,
                containers(json!([
                    {"name": "app", "image": "a", "args": ["-jar", "x", "-jarx"]},
                    {"name": "myapp", "image": "b"},
                    {"name": "app2", "image": "c", "port": 80},
                    {"image": "noname"},
                    {"image": "NEW"},
                ])),
            ),
            (
                "spec.containers.[name=zzz].image",
                true,
                containers(json!([
                    {"name": "app", "image": "a", "args": ["-jar", "x", "-jarx"]},
                    {"name": "myapp", "image": "b"},
                    {"name": "app2", "image": "c", "port": 80},
                    {"image": "noname"},
                    {"name": "zzz", "image": "NEW"},
                ])),
            ),
        ];
        for (text, create, expected) in cases {
            assert_eq!(set_new(deployment(), text, create), Ok(expected), "{text}");
        }
    }

    #[test]
    fn visit_mut_creates_intermediate_lists_and_maps() {
        // kubectl: `spec.new.0.x.[a=b].y` with create on a resource without `spec.new`.
        let got = set_new(json!({"spec": {}}), "spec.new.0.x.[a=b].y", true).unwrap();
        assert_eq!(
            got,
            json!({"spec": {"new": [{"x": [{"a": "b", "y": "NEW"}]}]}})
        );
    }

    #[test]
    fn visit_mut_create_follows_kyaml_quirks() {
        // kyaml's PathMatcher: a regex matcher with no match appends an
        // element holding the expression itself, which then matches.
        let got = set_new(json!({"l": [{"name": "a"}]}), "l.[foo=.*].env", true).unwrap();
        assert_eq!(
            got,
            json!({"l": [{"name": "a"}, {"foo": ".*", "env": "NEW"}]})
        );
        // A list created for an index can only take index 0.
        let err = set_new(json!({"c": {}}), "c.envFrom.1", true).unwrap_err();
        assert!(
            err.contains("index 1 specified but only 0 elements found"),
            "{err}"
        );
        // An index equal to the length appends a map when more path follows.
        let got = set_new(json!({"c": [{"a": 1}]}), "c.1.policy", true).unwrap();
        assert_eq!(got, json!({"c": [{"a": 1}, {"policy": "NEW"}]}));
    }

    #[test]
    fn visit_mut_errors_like_path_matcher() {
        // Messages from `kubectl kustomize` (after its "unable to find field" prefix).
        let cases = [
            (
                "spec..image",
                false,
                "expected ScalarNode but got MappingNode",
            ),
            (
                "spec..image",
                true,
                "expected ScalarNode but got MappingNode",
            ),
            (
                "spec.containers.4.image",
                false,
                "index 4 specified but only 4 elements found",
            ),
            (
                "spec.containers.5.image",
                true,
                "index 5 specified but only 4 elements found",
            ),
            (
                "spec.*.image",
                false,
                "expected SequenceNode but got MappingNode",
            ),
            (
                "spec.containers.0.image.x",
                false,
                "expected MappingNode but got ScalarNode",
            ),
            (
                "spec.containers.0.image.x",
                true,
                "expected MappingNode but got ScalarNode",
            ),
            (
                "spec.containers.name",
                false,
                "expected MappingNode but got SequenceNode",
            ),
        ];
        for (text, create, message) in cases {
            let err = set_new(deployment(), text, create).unwrap_err();
            assert!(err.contains(message), "{text}: {err}");
        }
    }

    #[test]
    fn visit_mut_without_create_skips_missing_parts() {
        for text in [
            "spec.nothing.here",
            "empty.x",
            "spec.containers.[name=zzz].image",
        ] {
            assert_eq!(
                set_new(deployment(), text, false),
                Ok(deployment()),
                "{text}"
            );
        }
    }
}
