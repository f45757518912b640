//! Turns one YAML document's parser events into a `serde_json::Value`.
//!
//! Values are built bottom-up straight from the events; the only copies made
//! are for anchors (the anchored value, and each alias that repeats it).
//! Alias expansion is budgeted (see [`AliasBudget`]) so that an alias bomb
//! fails fast instead of exhausting memory. Mapping keys, merge keys
//! (`<<`) and duplicates follow the schema: kustomize (kyaml + go-yaml v3)
//! for resources, go-yaml v2 through sigs.k8s.io/yaml for config files.

use std::collections::HashMap;

use granit_parser::{Event, Marker, ScalarStyle, StructureStyle, Tag};
use serde_json::map::Entry;
use serde_json::{Map, Value};

use super::resolve::{Schema, TagKind};
use super::scalar::{tag_kind, KeyForm, Place};

/// A position in the whole file, 1-based, and the message for it.
#[derive(Debug)]
pub(crate) struct Failure {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

type Outcome<T> = Result<T, Failure>;

/// An anchored node: its value, its size (for the alias budget) and, for
/// scalars, what it is as a key.
struct Anchor {
    value: Value,
    nodes: usize,
    /// Nesting depth of the value (0 for a scalar).
    height: usize,
    key: Option<(String, TagKind, bool)>,
    /// For mappings that recorded them: the text of each scalar value.
    texts: Option<Texts>,
}

/// The source text of a mapping's scalar values, by key. Kept only for
/// mappings that may be merged (anchored, or written as a `<<` value):
/// merged into `metadata.annotations`, kustomize keeps a value's text
/// (`""` for an empty value, `~`, `0x1F`), not what it resolves to.
type Texts = HashMap<String, String>;

/// What a finished node brings for the merge it may be part of.
enum SourceTexts {
    None,
    /// A mapping's scalar texts.
    Map(Texts),
    /// A `<<` sequence: each item's texts, in order.
    Items(Vec<Option<Texts>>),
}

// Boxing the map (an allocation per mapping) or its merge texts measured
// slower (callgrind) than the larger frames.
#[allow(clippy::large_enum_variant)]
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
    /// Merge sources (with their texts), in the order they were listed
    /// (kustomize semantics).
    merges: Vec<(Map<String, Value>, Option<Texts>)>,
    /// The text of each scalar value, when this mapping may be merged.
    texts: Option<Texts>,
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
    /// The texts of a `<<` sequence's items.
    item_texts: Vec<Option<Texts>>,
    /// A flow collection (`[...]`, `{...}`): go-yaml re-writes empty values in it as `''`.
    flow: bool,
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
    /// JSON pointers of mapping values written as empty nulls (`key:`).
    empty_nulls: Vec<String>,
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
            empty_nulls: Vec::new(),
        }
    }

    /// The JSON pointers of mapping values written as empty nulls (plain,
    /// no text, no tag): kyaml's merge drops those, but not `null` or `~`.
    pub(crate) fn take_empty_nulls(&mut self) -> Vec<String> {
        std::mem::take(&mut self.empty_nulls)
    }

    /// The JSON pointer of the node about to be added to the open collections.
    fn pointer(&self) -> String {
        let mut pointer = String::new();
        for frame in &self.stack {
            pointer.push('/');
            match &frame.body {
                Body::Seq(items) => pointer.push_str(&items.len().to_string()),
                Body::Map(map) => {
                    if let Some((KeyForm::Text(key), _)) = &map.key {
                        pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
                    }
                }
            }
        }
        pointer
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
            Event::SequenceStart(style, anchor, _) => self.open(
                Body::Seq(Vec::new()),
                anchor,
                style == StructureStyle::Flow,
                mark,
            ),
            Event::MappingStart(style, anchor, _) => {
                let body = Body::Map(MapBody::default());
                self.open(body, anchor, style == StructureStyle::Flow, mark)
            }
            Event::SequenceEnd | Event::MappingEnd => self.close(),
            _ => Ok(()),
        }
    }

    pub(crate) fn expects_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame { body: Body::Map(map), .. }) if map.key.is_none())
    }

    fn place(&self) -> Place {
        Place {
            schema: self.schema,
            in_flow: self.stack.last().is_some_and(|frame| frame.flow),
            top_level: self.stack.len() == 1,
        }
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
        let untagged = tag.is_none();
        let tag = tag_kind(tag);
        let quoted = style != ScalarStyle::Plain;
        self.count_node();
        if self.expects_key() {
            let form = self
                .place()
                .key(text, tag, quoted)
                .map_err(|m| self.fail(mark, m))?;
            if anchor != 0 {
                // Aliased elsewhere as a value, the key is resolved as one.
                let value = self.place().value(text, style, tag).unwrap_or(Value::Null);
                self.remember_scalar(anchor, value, text, tag, quoted);
            }
            return self.set_key(form, mark);
        }
        let value = if self.in_annotations() {
            // kustomize writes annotations back as strings of their text
            // (`1e3` stays "1e3", `~` is "~"), whatever they resolve to.
            Value::String(text.to_string())
        } else {
            self.place()
                .value(text, style, tag)
                .map_err(|m| self.fail(mark, m))?
        };
        if anchor != 0 {
            self.remember_scalar(anchor, value.clone(), text, tag, quoted);
        }
        self.record_text(text);
        let in_map = matches!(
            self.stack.last(),
            Some(Frame {
                body: Body::Map(_),
                ..
            })
        );
        if value.is_null() && text.is_empty() && !quoted && untagged && in_map {
            let pointer = self.pointer();
            self.empty_nulls.push(pointer);
        }
        self.add(value, mark, Origin::Inline, SourceTexts::None)
    }

    /// Keeps a scalar value's text when its mapping records texts.
    fn record_text(&mut self, text: &str) {
        if let Some(Frame {
            body:
                Body::Map(MapBody {
                    texts: Some(texts),
                    key: Some((KeyForm::Text(key), _)),
                    ..
                }),
            ..
        }) = self.stack.last_mut()
        {
            texts.insert(key.clone(), text.to_string());
        }
    }

    /// The next scalar is a value of a resource's `metadata.annotations`.
    fn in_annotations(&self) -> bool {
        let key_is = |frame: &Frame, name: &str| match &frame.body {
            Body::Map(map) => matches!(&map.key, Some((KeyForm::Text(key), _)) if key == name),
            Body::Seq(_) => false,
        };
        match self.stack.as_slice() {
            [root, metadata, annotations] => {
                self.schema == Schema::Core
                    && key_is(root, "metadata")
                    && key_is(metadata, "annotations")
                    && matches!(annotations.body, Body::Map(_))
            }
            _ => false,
        }
    }

    fn remember_scalar(&mut self, id: usize, value: Value, text: &str, tag: TagKind, quoted: bool) {
        let key = Some((text.to_string(), tag, quoted));
        let anchor = Anchor {
            value,
            nodes: 1,
            height: 0,
            key,
            texts: None,
        };
        self.anchors.insert(id, anchor);
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
            let form = match self.anchors.get(&id).and_then(|a| a.key.clone()) {
                Some((text, tag, quoted)) => self.place().key(&text, tag, quoted),
                None => Err("mapping key must be a scalar, not a collection".to_string()),
            }
            .map_err(|m| self.fail(mark, m))?;
            return self.set_key(form, mark);
        }
        let (value, key_text, texts) = match self.anchors.get(&id) {
            Some(anchor) => (
                anchor.value.clone(),
                anchor.key.as_ref().map(|(text, _, _)| text.clone()),
                anchor.texts.clone(),
            ),
            None => (Value::Null, None, None),
        };
        if let Some(text) = key_text {
            self.record_text(&text);
        }
        let texts = texts.map_or(SourceTexts::None, SourceTexts::Map);
        self.add(value, mark, Origin::Alias, texts)
    }

    fn open(&mut self, mut body: Body, anchor: usize, flow: bool, mark: &Marker) -> Outcome<()> {
        if self.expects_key() {
            return Err(self.fail(mark, "mapping key must be a scalar, not a collection"));
        }
        let nesting = self.stack.len();
        if nesting >= MAX_DEPTH {
            return Err(self.fail(mark, "document is nested too deeply"));
        }
        self.count_node();
        let merge_list = matches!(body, Body::Seq(_)) && self.pending_merge();
        if let Body::Map(map) = &mut body {
            let merge_source =
                self.pending_merge() || self.stack.last().is_some_and(|frame| frame.merge_list);
            if self.schema == Schema::Core && (anchor != 0 || merge_source) {
                map.texts = Some(Texts::new());
            }
        }
        self.stack.push(Frame {
            body,
            anchor,
            nodes: 1,
            height: 1,
            merge_list,
            item_texts: Vec::new(),
            flow,
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
        let (value, texts) = match frame.body {
            Body::Seq(items) if frame.merge_list => {
                (Value::Array(items), SourceTexts::Items(frame.item_texts))
            }
            Body::Seq(items) => (Value::Array(items), SourceTexts::None),
            Body::Map(map) => {
                let (entries, texts) = self.finish_map(map);
                let texts = texts.map_or(SourceTexts::None, SourceTexts::Map);
                (Value::Object(entries), texts)
            }
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
                texts: match &texts {
                    SourceTexts::Map(texts) => Some(texts.clone()),
                    _ => None,
                },
            };
            self.anchors.insert(frame.anchor, anchor);
        }
        self.add(value, &frame.start, Origin::Inline, texts)
    }

    /// The mapping being finished (just popped) is a resource's
    /// `metadata.annotations`.
    fn finishing_annotations(&self) -> bool {
        let key_is = |frame: &Frame, name: &str| match &frame.body {
            Body::Map(map) => matches!(&map.key, Some((KeyForm::Text(key), _)) if key == name),
            Body::Seq(_) => false,
        };
        match self.stack.as_slice() {
            [root, metadata] => {
                self.schema == Schema::Core
                    && key_is(root, "metadata")
                    && key_is(metadata, "annotations")
            }
            _ => false,
        }
    }

    /// Applies the mapping's merge keys. kustomize (kyaml `DeAnchor`) lets
    /// explicit keys win and, within a list, earlier maps win over later ones.
    /// Merged into annotations, a scalar keeps its source text (see [`Texts`]).
    fn finish_map(&self, mut map: MapBody) -> (Map<String, Value>, Option<Texts>) {
        if map.has_literal_merge_key && self.schema == Schema::Core {
            map.entries.shift_remove("<<");
        }
        if map.merges.is_empty() || self.schema == Schema::Yaml11 {
            return (map.entries, map.texts);
        }
        let annotations = self.finishing_annotations();
        let explicit = map.entries;
        let mut merged = explicit.clone();
        let mut texts = map.texts;
        for (source, source_texts) in map.merges.into_iter().rev() {
            for (key, mut value) in source {
                if explicit.contains_key(&key) {
                    continue;
                }
                let text = source_texts.as_ref().and_then(|t| t.get(&key));
                if let (Some(texts), Some(text)) = (&mut texts, text) {
                    texts.insert(key.clone(), text.clone());
                }
                if annotations && !value.is_object() && !value.is_array() {
                    if let Some(text) = text {
                        value = Value::String(text.clone());
                    }
                }
                merged.insert(key, value);
            }
        }
        (merged, texts)
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
    fn add(
        &mut self,
        value: Value,
        mark: &Marker,
        origin: Origin,
        texts: SourceTexts,
    ) -> Outcome<()> {
        let schema = self.schema;
        let line_offset = self.line_offset;
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(value);
            return Ok(());
        };
        let failure = match &mut frame.body {
            Body::Seq(items) => {
                let failure = if frame.merge_list {
                    frame.item_texts.push(match texts {
                        SourceTexts::Map(texts) => Some(texts),
                        _ => None,
                    });
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
                    add_merge(map, value, origin, schema, texts).map(|m| (m, *mark))
                }
                _ => None,
            },
        };
        match failure {
            Some((message, at)) => Err(self.fail(&at, message)),
            None => Ok(()),
        }
    }
}

/// Deepest nesting accepted, go-yaml v3's (the parser limits its own
/// collections too; aliases can stack deeper).
const MAX_DEPTH: usize = super::MAX_DEPTH;

fn insert_entry(
    map: &mut MapBody,
    key: String,
    value: Value,
    mark: &Marker,
    schema: Schema,
    line_offset: usize,
) -> Option<(String, Marker)> {
    let line = mark.line() + line_offset;
    // kyaml clears the first key spelled `<<`: a quoted one is dropped
    // unless the real merge key came before it.
    let literal_merge_key = key == "<<" && !map.has_merge;
    // One hash per entry: the entry API, not a lookup and then an insert.
    let key = match map.entries.entry(key) {
        Entry::Vacant(entry) => {
            entry.insert(value);
            map.has_literal_merge_key |= literal_merge_key;
            map.lines.push(line);
            return None;
        }
        Entry::Occupied(mut entry) if schema == Schema::Yaml11 => {
            // sigs.k8s.io/yaml (non-strict): the later value wins.
            entry.insert(value);
            return None;
        }
        Entry::Occupied(entry) => entry.key().clone(),
    };
    // Only on this error path: find which entry it was.
    let index = map.entries.keys().position(|k| *k == key);
    let first = index
        .and_then(|i| map.lines.get(i))
        .copied()
        .unwrap_or(line);
    Some((
        format!("mapping key {key:?} already defined at line {first}"),
        *mark,
    ))
}

/// The value of a `<<` key: a mapping, an alias to one, or a list of those.
fn add_merge(
    map: &mut MapBody,
    value: Value,
    origin: Origin,
    schema: Schema,
    texts: SourceTexts,
) -> Option<String> {
    let sources: Vec<(Map<String, Value>, Option<Texts>)> = match (value, origin) {
        (Value::Object(source), _) => {
            let texts = match texts {
                SourceTexts::Map(texts) => Some(texts),
                _ => None,
            };
            vec![(source, texts)]
        }
        (Value::Array(items), Origin::Inline) => {
            let mut item_texts = match texts {
                SourceTexts::Items(texts) => texts,
                _ => Vec::new(),
            }
            .into_iter();
            items
                .into_iter()
                .filter_map(|item| {
                    let texts = item_texts.next().flatten();
                    match item {
                        Value::Object(source) => Some((source, texts)),
                        _ => None,
                    }
                })
                .collect()
        }
        (_, Origin::Alias) => {
            return Some("invalid map merge: received alias for a non-map value".into())
        }
        _ => return Some("map merge requires map or sequence of maps as the value".into()),
    };
    if schema == Schema::Yaml11 {
        // go-yaml v2 merges in place: later keys override, and within a list
        // earlier maps take precedence.
        for (source, _) in sources.into_iter().rev() {
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
