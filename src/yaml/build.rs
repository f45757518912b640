//! Turns one YAML document's parser events into a `serde_json::Value`.
//!
//! Values are built bottom-up straight from the events; the only copies made
//! are for anchors (the anchored value, and each alias that repeats it).
//! Alias expansion is budgeted (see [`AliasBudget`]) so that an alias bomb
//! fails fast instead of exhausting memory. Mapping keys, merge keys
//! (`<<`) and duplicates follow the schema: kustomize (kyaml + go-yaml v3)
//! for resources, go-yaml v2 through sigs.k8s.io/yaml for config files.

use std::borrow::Cow;
use std::collections::HashMap;

use base64::Engine as _;
use granit_parser::{Event, Marker, ScalarStyle, Tag};
use serde_json::{Map, Number, Value};

use super::resolve::{self, Resolved, Schema, TagKind};

/// A position in the whole file, 1-based, and the message for it.
#[derive(Debug)]
pub(crate) struct Failure {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

type Outcome<T> = Result<T, Failure>;

/// What a scalar is when it is used as a mapping key.
#[derive(Clone, Debug)]
enum KeyForm {
    /// A string key (after the schema's conversion of ints, bools, ...).
    Text(String),
    /// `<<`: the value is merged into the mapping.
    Merge,
    /// Not usable as a key; the message says why.
    Invalid(String),
}

/// An anchored node: its value, its size (for the alias budget) and, for
/// scalars, what it is as a key.
struct Anchor {
    value: Value,
    nodes: usize,
    /// Nesting depth of the value (0 for a scalar).
    height: usize,
    key: Option<(String, TagKind, bool)>,
}

enum Body {
    Seq(Vec<Value>),
    Map(MapBody),
}

#[derive(Default)]
struct MapBody {
    entries: Map<String, Value>,
    /// Source line of each entry, by insertion index (for duplicate errors).
    lines: Vec<usize>,
    key: Option<(KeyForm, Marker)>,
    /// Merge sources, in the order they were listed (kustomize semantics).
    merges: Vec<Map<String, Value>>,
    has_merge: bool,
    /// A quoted `"<<"` key was seen: kustomize deletes it.
    has_literal_merge_key: bool,
}

struct Frame {
    body: Body,
    anchor: usize,
    nodes: usize,
    /// 1 + the height of the deepest child collection.
    height: usize,
    /// This sequence is the value of a `<<` key: its items must be mappings.
    merge_list: bool,
    start: Marker,
}

/// How the finished node was written: its aliasing matters for merge errors.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Origin {
    Inline,
    Alias,
}

/// How many nodes aliases may add, shared by all documents of a file.
///
/// kustomize itself has no limit (kyaml copies every alias), so the cap only
/// has to stop alias bombs: aliases may add up to a million nodes, or ten
/// times the nodes written out in the file, whichever is more.
#[derive(Default)]
pub(crate) struct AliasBudget {
    inline: usize,
    aliased: usize,
}

impl AliasBudget {
    const FLOOR: usize = 1_000_000;
    const FACTOR: usize = 10;

    fn spend(&mut self, nodes: usize) -> bool {
        self.aliased = self.aliased.saturating_add(nodes);
        self.aliased <= Self::FLOOR.max(self.inline.saturating_mul(Self::FACTOR))
    }
}

/// Builds one document from events.
pub(crate) struct Builder<'b> {
    schema: Schema,
    /// Lines before the text being parsed (kustomize splits streams itself).
    line_offset: usize,
    anchors: HashMap<usize, Anchor>,
    stack: Vec<Frame>,
    root: Option<Value>,
    budget: &'b mut AliasBudget,
}

impl<'b> Builder<'b> {
    pub(crate) fn new(schema: Schema, line_offset: usize, budget: &'b mut AliasBudget) -> Self {
        Builder {
            schema,
            line_offset,
            anchors: HashMap::new(),
            stack: Vec::new(),
            root: None,
            budget,
        }
    }

    /// The document's root, once its last event has been seen.
    pub(crate) fn take_root(&mut self) -> Option<Value> {
        self.root.take()
    }

    pub(crate) fn fail(&self, mark: &Marker, message: impl Into<String>) -> Failure {
        Failure {
            line: mark.line() + self.line_offset,
            column: mark.col() + 1,
            message: message.into(),
        }
    }

    /// Feeds one node event. Stream and document events are the caller's.
    pub(crate) fn event(&mut self, event: Event<'_>, mark: &Marker) -> Outcome<()> {
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                self.scalar(&text, style, anchor, tag.as_deref(), mark)
            }
            Event::Alias(id) => self.alias(id, mark),
            Event::SequenceStart(_, anchor, _) => self.open(Body::Seq(Vec::new()), anchor, mark),
            Event::MappingStart(_, anchor, _) => {
                self.open(Body::Map(MapBody::default()), anchor, mark)
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(),
            _ => Ok(()),
        }
    }

    fn expects_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame { body: Body::Map(map), .. }) if map.key.is_none())
    }

    fn is_top_level_map(&self) -> bool {
        self.stack.len() == 1
    }

    fn count_node(&mut self) {
        self.budget.inline += 1;
        if let Some(frame) = self.stack.last_mut() {
            frame.nodes += 1;
        }
    }

    fn scalar(
        &mut self,
        text: &str,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<&Tag>,
        mark: &Marker,
    ) -> Outcome<()> {
        let tag = tag_kind(tag);
        let quoted = style != ScalarStyle::Plain;
        self.count_node();
        if self.expects_key() {
            let form = self
                .key_form(text, tag, quoted, self.is_top_level_map())
                .map_err(|m| self.fail(mark, m))?;
            if anchor != 0 {
                let value = Value::String(text.to_string());
                let key = Some((text.to_string(), tag, quoted));
                self.anchors.insert(
                    anchor,
                    Anchor {
                        value,
                        nodes: 1,
                        height: 0,
                        key,
                    },
                );
            }
            return self.set_key(form, mark);
        }
        let value = self
            .scalar_value(text, tag, quoted)
            .map_err(|m| self.fail(mark, m))?;
        if anchor != 0 {
            let key = Some((text.to_string(), tag, quoted));
            self.anchors.insert(
                anchor,
                Anchor {
                    value: value.clone(),
                    nodes: 1,
                    height: 0,
                    key,
                },
            );
        }
        self.add(value, mark, Origin::Inline)
    }

    fn alias(&mut self, id: usize, mark: &Marker) -> Outcome<()> {
        let Some(anchor) = self.anchors.get(&id) else {
            return Err(self.fail(
                mark,
                "alias refers to a node that contains it (recursive alias)",
            ));
        };
        let nodes = anchor.nodes;
        let height = anchor.height;
        // Aliases can stack anchored trees deeper than the parser allows.
        if self.stack.len() + height > MAX_DEPTH {
            return Err(self.fail(mark, "document is nested too deeply (through aliases)"));
        }
        if let Some(frame) = self.stack.last_mut() {
            frame.nodes += nodes;
            frame.height = frame.height.max(height + 1);
        }
        if !self.budget.spend(nodes) {
            return Err(self.fail(
                mark,
                "document contains excessive aliasing (alias expansion limit exceeded)",
            ));
        }
        if self.expects_key() {
            let top = self.is_top_level_map();
            let form = match self.anchors.get(&id).and_then(|a| a.key.clone()) {
                Some((text, tag, quoted)) => self.key_form(&text, tag, quoted, top),
                None => Err("mapping key must be a scalar, not a collection".to_string()),
            }
            .map_err(|m| self.fail(mark, m))?;
            return self.set_key(form, mark);
        }
        let value = self
            .anchors
            .get(&id)
            .map(|a| a.value.clone())
            .unwrap_or(Value::Null);
        self.add(value, mark, Origin::Alias)
    }

    fn open(&mut self, body: Body, anchor: usize, mark: &Marker) -> Outcome<()> {
        if self.expects_key() {
            return Err(self.fail(mark, "mapping key must be a scalar, not a collection"));
        }
        let nesting = self.stack.len();
        if nesting >= MAX_DEPTH {
            return Err(self.fail(mark, "document is nested too deeply"));
        }
        self.count_node();
        let merge_list = matches!(body, Body::Seq(_)) && self.pending_merge();
        self.stack.push(Frame {
            body,
            anchor,
            nodes: 1,
            height: 1,
            merge_list,
            start: *mark,
        });
        Ok(())
    }

    fn pending_merge(&self) -> bool {
        matches!(
            self.stack.last(),
            Some(Frame {
                body: Body::Map(MapBody {
                    key: Some((KeyForm::Merge, _)),
                    ..
                }),
                ..
            })
        )
    }

    fn close(&mut self) -> Outcome<()> {
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let value = match frame.body {
            Body::Seq(items) => Value::Array(items),
            Body::Map(map) => Value::Object(self.finish_map(map)),
        };
        if let Some(parent) = self.stack.last_mut() {
            parent.nodes += frame.nodes - 1;
            parent.height = parent.height.max(frame.height + 1);
        }
        if frame.anchor != 0 {
            let anchor = Anchor {
                value: value.clone(),
                nodes: frame.nodes,
                height: frame.height,
                key: None,
            };
            self.anchors.insert(frame.anchor, anchor);
        }
        self.add(value, &frame.start, Origin::Inline)
    }

    /// Applies the mapping's merge keys. kustomize (kyaml `DeAnchor`) lets
    /// explicit keys win and, within a list, earlier maps win over later ones.
    fn finish_map(&self, mut map: MapBody) -> Map<String, Value> {
        if map.has_literal_merge_key && self.schema == Schema::Core {
            map.entries.shift_remove("<<");
        }
        if map.merges.is_empty() || self.schema == Schema::Yaml11 {
            return map.entries;
        }
        let explicit = map.entries;
        let mut merged = explicit.clone();
        for source in map.merges.into_iter().rev() {
            for (key, value) in source {
                if !explicit.contains_key(&key) {
                    merged.insert(key, value);
                }
            }
        }
        merged
    }

    fn set_key(&mut self, form: KeyForm, mark: &Marker) -> Outcome<()> {
        let schema = self.schema;
        let failure = match self.stack.last_mut() {
            Some(Frame {
                body: Body::Map(map),
                ..
            }) => match &form {
                KeyForm::Merge if map.has_merge && schema == Schema::Core => {
                    Some("duplicate merge key".to_string())
                }
                KeyForm::Invalid(message) => Some(message.clone()),
                KeyForm::Merge => {
                    map.has_merge = true;
                    map.key = Some((form, *mark));
                    None
                }
                KeyForm::Text(_) => {
                    map.key = Some((form, *mark));
                    None
                }
            },
            _ => None,
        };
        match failure {
            Some(message) => Err(self.fail(mark, message)),
            None => Ok(()),
        }
    }

    /// Places a finished node in its parent (or makes it the root).
    fn add(&mut self, value: Value, mark: &Marker, origin: Origin) -> Outcome<()> {
        let schema = self.schema;
        let line_offset = self.line_offset;
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(value);
            return Ok(());
        };
        let failure = match &mut frame.body {
            Body::Seq(items) => {
                let failure = if frame.merge_list {
                    merge_item_error(&value, origin)
                } else {
                    None
                };
                items.push(value);
                failure.map(|message| (message, *mark))
            }
            Body::Map(map) => match map.key.take() {
                Some((KeyForm::Text(key), key_mark)) => {
                    insert_entry(map, key, value, &key_mark, schema, line_offset)
                }
                Some((KeyForm::Merge, _)) => {
                    add_merge(map, value, origin, schema).map(|m| (m, *mark))
                }
                _ => None,
            },
        };
        match failure {
            Some((message, at)) => Err(self.fail(&at, message)),
            None => Ok(()),
        }
    }

    /// The value of a non-key scalar.
    fn scalar_value(&self, text: &str, tag: TagKind, quoted: bool) -> Result<Value, String> {
        if tag == TagKind::Binary {
            return decode_binary(text).map(Value::String);
        }
        if quoted && tag == TagKind::None {
            return Ok(Value::String(text.to_string()));
        }
        let value = match resolve::resolve(self.schema, tag, text)? {
            Resolved::Null => Value::Null,
            Resolved::Bool(b) => Value::Bool(b),
            Resolved::Int(i) => Value::Number(i.into()),
            Resolved::Uint(u) => Value::Number(u.into()),
            Resolved::Float(f) => Value::Number(finite(f)?),
            Resolved::Timestamp(stamp) if self.schema == Schema::Core => Value::String(stamp?),
            Resolved::Timestamp(_) | Resolved::Merge | Resolved::Str => {
                Value::String(text.to_string())
            }
        };
        Ok(value)
    }

    /// A scalar used as a key. kustomize keeps non-string scalar keys only at
    /// the top level of a resource (as their text); sigs.k8s.io/yaml converts
    /// ints, floats and bools to strings everywhere.
    fn key_form(
        &self,
        text: &str,
        tag: TagKind,
        quoted: bool,
        top: bool,
    ) -> Result<KeyForm, String> {
        let core = self.schema == Schema::Core;
        let string_key = match tag {
            TagKind::None if quoted => return Ok(KeyForm::Text(text.to_string())),
            TagKind::Str => return Ok(KeyForm::Text(text.to_string())),
            TagKind::Binary if core && !top => None,
            TagKind::Binary => return decode_binary(text).map(KeyForm::Text),
            TagKind::Other if core && !top => None,
            TagKind::Other => return Ok(KeyForm::Text(text.to_string())),
            _ => Some(resolve::resolve(self.schema, tag, text)?),
        };
        let form = match string_key {
            Some(Resolved::Str) => KeyForm::Text(text.to_string()),
            Some(Resolved::Merge) => KeyForm::Merge,
            Some(Resolved::Null) => KeyForm::Invalid(format!(
                "mapping key `{text}` is null; keys must be strings"
            )),
            _ if core && top => KeyForm::Text(text.to_string()),
            None | Some(_) if core => KeyForm::Invalid(format!(
                "mapping key `{text}` is not a string; kustomize cannot encode it (quote it)"
            )),
            Some(Resolved::Bool(b)) => KeyForm::Text(b.to_string()),
            Some(Resolved::Int(i)) => KeyForm::Text(i.to_string()),
            Some(Resolved::Float(f)) => KeyForm::Text(resolve::format_float32_key(f)),
            Some(Resolved::Timestamp(_)) => KeyForm::Text(text.to_string()),
            Some(Resolved::Uint(_)) | None => KeyForm::Invalid(format!(
                "unsupported map key `{text}`: integer out of range"
            )),
        };
        Ok(form)
    }
}

/// Deepest nesting accepted; the parser limits its own collections too.
const MAX_DEPTH: usize = 1000;

fn insert_entry(
    map: &mut MapBody,
    key: String,
    value: Value,
    mark: &Marker,
    schema: Schema,
    line_offset: usize,
) -> Option<(String, Marker)> {
    let line = mark.line() + line_offset;
    if map.entries.contains_key(&key) {
        if schema == Schema::Core {
            // Only on this error path: find which entry it was.
            let index = map.entries.keys().position(|k| *k == key);
            let first = index
                .and_then(|i| map.lines.get(i))
                .copied()
                .unwrap_or(line);
            return Some((
                format!("mapping key {key:?} already defined at line {first}"),
                *mark,
            ));
        }
        // sigs.k8s.io/yaml (non-strict): the later value wins.
        map.entries.insert(key, value);
        return None;
    }
    // kyaml clears the first key spelled `<<`: a quoted one is dropped
    // unless the real merge key came before it.
    if key == "<<" && !map.has_merge {
        map.has_literal_merge_key = true;
    }
    map.entries.insert(key, value);
    map.lines.push(line);
    None
}

/// The value of a `<<` key: a mapping, an alias to one, or a list of those.
fn add_merge(map: &mut MapBody, value: Value, origin: Origin, schema: Schema) -> Option<String> {
    let sources = match (value, origin) {
        (Value::Object(source), _) => vec![source],
        (Value::Array(items), Origin::Inline) => items
            .into_iter()
            .filter_map(|item| match item {
                Value::Object(source) => Some(source),
                _ => None,
            })
            .collect(),
        (_, Origin::Alias) => {
            return Some("invalid map merge: received alias for a non-map value".into())
        }
        _ => return Some("map merge requires map or sequence of maps as the value".into()),
    };
    if schema == Schema::Yaml11 {
        // go-yaml v2 merges in place: later keys override, and within a list
        // earlier maps take precedence.
        for source in sources.into_iter().rev() {
            for (key, value) in source {
                if map.entries.insert(key, value).is_none() {
                    map.lines.push(0);
                }
            }
        }
        return None;
    }
    map.merges.extend(sources);
    None
}

fn merge_item_error(value: &Value, origin: Origin) -> Option<String> {
    match (value, origin) {
        (Value::Object(_), _) => None,
        (_, Origin::Alias) => Some("invalid map merge: received alias for a non-map value".into()),
        (Value::Array(_), Origin::Inline) => {
            Some("invalid map merge: received a nested sequence".into())
        }
        _ => Some("map merge requires map or sequence of maps as the value".into()),
    }
}

fn finite(value: f64) -> Result<Number, String> {
    Number::from_f64(value).ok_or_else(|| {
        let shown = if value.is_nan() {
            "NaN"
        } else if value > 0.0 {
            "+Inf"
        } else {
            "-Inf"
        };
        format!("unsupported value: {shown} (JSON has no infinity or NaN; quote it to keep it a string)")
    })
}

/// Go `base64.StdEncoding.DecodeString`, which skips `\r` and `\n`.
fn decode_binary(text: &str) -> Result<String, String> {
    let compact: Cow<'_, str> = if text.contains(['\r', '\n']) {
        Cow::Owned(text.chars().filter(|c| !matches!(c, '\r' | '\n')).collect())
    } else {
        Cow::Borrowed(text)
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|_| "!!binary value contains invalid base64 data".to_string())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Reduces a parsed tag to what resolution needs.
fn tag_kind(tag: Option<&Tag>) -> TagKind {
    let Some(tag) = tag else {
        return TagKind::None;
    };
    if let Some(core) = tag.core_suffix() {
        return match core {
            "str" => TagKind::Str,
            "bool" => TagKind::Bool,
            "int" => TagKind::Int,
            "float" => TagKind::Float,
            "null" => TagKind::Null,
            _ => TagKind::Other,
        };
    }
    match tag.suffix_in_namespace("tag:yaml.org,2002:").as_deref() {
        Some("binary") => TagKind::Binary,
        Some("timestamp") => TagKind::Timestamp,
        Some("merge") => TagKind::Merge,
        Some(_) => TagKind::Other,
        // The non-specific tag `!` resolves like no tag at all (kubectl: `! 123` is 123).
        None if tag.handle().is_empty() && tag.suffix() == "!" => TagKind::None,
        None => TagKind::Other,
    }
}
