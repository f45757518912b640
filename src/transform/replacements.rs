//! kustomize's `replacements`: copy a value from one resource's field into
//! fields of other resources.
//!
//! Each replacement has one `source` (exactly one resource must match it;
//! `fieldPath` defaults to `metadata.name`) and `targets`, each with
//! `select`, optional `reject`s, `fieldPaths` and `options`. Replacements
//! run in order, each seeing the previous ones' results. Source paths are
//! read as kyaml's `PathGetter` reads them and target paths are walked as
//! its `PathMatcher` walks them (see [`crate::transform::fieldpath`]).
//!
//! Types follow kustomize, which writes into YAML nodes and re-reads the
//! result: an existing scalar keeps its type and takes the source's text
//! (a number written into a string field becomes a string; text that is not
//! a number written into a number field is an error), a map or list target
//! is replaced by the source value as it is, and a field made by
//! `options.create` is read back as plain YAML (the string `"1"` becomes
//! the number 1).
//!
//! Selection uses a private matcher (the shared selector module was not in
//! this tree yet): ids compare as kustomize's `ResId.IsSelectedBy`, against
//! a resource's current and previous ids, with an unset namespace equal to
//! `default` for every kind; label and annotation selectors use the
//! Kubernetes selector syntax.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Number, Value};

use crate::error::{Error, Result};
use crate::id::ResId;
use crate::loader::Loader;
use crate::resource::{Resource, ResourceMap};
use crate::transform::fieldpath::{self, FieldPath};

/// The source field path when none is given.
pub const DEFAULT_FIELD_PATH: &str = "metadata.name";

/// One replacement, ready to apply.
#[derive(Clone, Debug, PartialEq)]
pub struct Replacement {
    /// Where it was written, for errors (`replacements[0]`, or a file and entry).
    pub origin: String,
    pub source: Option<SourceSelector>,
    pub targets: Option<Vec<TargetSelector>>,
}

/// kustomize's `ResId` as written in a selector; empty strings match anything.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct IdSelector {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub name: String,
    pub namespace: String,
}

/// The resource and field a replacement reads.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SourceSelector {
    #[serde(flatten)]
    pub id: IdSelector,
    pub field_path: String,
    pub options: Option<FieldOptions>,
}

/// Resources picked by ids plus label and annotation selectors.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Selector {
    #[serde(flatten)]
    pub id: IdSelector,
    pub annotation_selector: String,
    pub label_selector: String,
}

/// The resources and fields a replacement writes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct TargetSelector {
    pub select: Option<Selector>,
    pub reject: Vec<Selector>,
    pub field_paths: Vec<String>,
    pub options: Option<FieldOptions>,
}

/// How a field is split, which part is used, and whether it is created.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct FieldOptions {
    pub delimiter: String,
    pub index: i64,
    /// Accepted and ignored, as in kustomize.
    pub encoding: String,
    pub create: bool,
}

// ---------------------------------------------------------------------------
// Parsing

/// Reads a kustomization's `replacements:` entries: each is inline
/// (`{source, targets}`) or `{path: file}`, the file holding one
/// replacement or a list of them.
pub fn parse(values: &[Value], loader: &Loader) -> Result<Vec<Replacement>> {
    let mut replacements = Vec::new();
    for (i, value) in values.iter().enumerate() {
        let origin = format!("replacements[{i}]");
        // The kustomization itself is read strictly, as kustomize does.
        let value = &canonical(value, &ENTRY_FIELDS, true)
            .map_err(|e| Error::msg(format!("{origin}: {e}")))?;
        let path = value.get("path").and_then(Value::as_str).unwrap_or("");
        if path.is_empty() {
            replacements.push(from_value(value, origin)?);
            continue;
        }
        let inline = value.get("source").is_some_and(|s| !s.is_null())
            || value
                .get("targets")
                .and_then(Value::as_array)
                .is_some_and(|t| !t.is_empty());
        if inline {
            return Err(Error::msg(format!(
                "{origin}: cannot specify both path and inline replacement"
            )));
        }
        replacements.extend(from_file(loader, path)?);
    }
    Ok(replacements)
}

/// Replacements from a `path:` file; unknown fields are ignored there.
///
/// kustomize reads these files with `sigs.k8s.io/yaml` (go-yaml v2, YAML 1.1
/// scalars, first document only), so they go through the config reader.
fn from_file(loader: &Loader, relative: &str) -> Result<Vec<Replacement>> {
    let (path, text) = loader.read_to_string(relative)?;
    let document = crate::yaml::parse_config(&text, &path)?;
    from_document(&document, &path)
}

/// A file's document: one replacement (a map) or a list of them.
fn from_document(document: &Value, path: &std::path::Path) -> Result<Vec<Replacement>> {
    let origin = |i: usize| format!("{} entry {i}", path.display());
    match document {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| from_value(item, origin(i)))
            .collect(),
        Value::Object(_) => Ok(vec![from_value(document, path.display().to_string())?]),
        other => Err(Error::file(
            path,
            format!(
                "unsupported replacement type encountered within replacement path: {}",
                crate::resource::value_kind(other)
            ),
        )),
    }
}

/// One replacement from its YAML value (`path` and unknown keys ignored).
pub fn from_value(value: &Value, origin: String) -> Result<Replacement> {
    #[derive(Deserialize)]
    struct Raw {
        #[serde(default)]
        source: Option<SourceSelector>,
        #[serde(default)]
        targets: Option<Vec<TargetSelector>>,
    }
    let raw = canonical(value, &ENTRY_FIELDS, false)
        .and_then(|value| Raw::deserialize(value).map_err(|e| e.to_string()))
        .map_err(|e| Error::msg(format!("{origin}: {e}")))?;
    Ok(Replacement {
        origin,
        source: raw.source,
        targets: raw.targets,
    })
}

/// Allowed keys at each level of an inline entry: (key, nested rules).
struct Fields(&'static [(&'static str, Nested)]);

#[derive(Clone, Copy)]
enum Nested {
    Leaf,
    Map(&'static Fields),
    List(&'static Fields),
}

const ID_KEYS: [(&str, Nested); 5] = [
    ("group", Nested::Leaf),
    ("version", Nested::Leaf),
    ("kind", Nested::Leaf),
    ("name", Nested::Leaf),
    ("namespace", Nested::Leaf),
];
static OPTION_FIELDS: Fields = Fields(&[
    ("delimiter", Nested::Leaf),
    ("index", Nested::Leaf),
    ("encoding", Nested::Leaf),
    ("create", Nested::Leaf),
]);
static SOURCE_FIELDS: Fields = Fields(&[
    ID_KEYS[0],
    ID_KEYS[1],
    ID_KEYS[2],
    ID_KEYS[3],
    ID_KEYS[4],
    ("fieldPath", Nested::Leaf),
    ("options", Nested::Map(&OPTION_FIELDS)),
]);
static SELECTOR_FIELDS: Fields = Fields(&[
    ID_KEYS[0],
    ID_KEYS[1],
    ID_KEYS[2],
    ID_KEYS[3],
    ID_KEYS[4],
    ("labelSelector", Nested::Leaf),
    ("annotationSelector", Nested::Leaf),
]);
static TARGET_FIELDS: Fields = Fields(&[
    ("select", Nested::Map(&SELECTOR_FIELDS)),
    ("reject", Nested::List(&SELECTOR_FIELDS)),
    ("fieldPaths", Nested::Leaf),
    ("options", Nested::Map(&OPTION_FIELDS)),
]);
static ENTRY_FIELDS: Fields = Fields(&[
    ("path", Nested::Leaf),
    ("source", Nested::Map(&SOURCE_FIELDS)),
    ("targets", Nested::List(&TARGET_FIELDS)),
]);

/// The entry as Go's `encoding/json` reads it into kustomize's types: keys
/// match case-insensitively (exact spelling first), `null` leaves a field
/// unset, and unknown keys are errors when `strict` (the kustomization
/// itself) and ignored otherwise (`path:` files).
fn canonical(value: &Value, fields: &Fields, strict: bool) -> std::result::Result<Value, String> {
    let Value::Object(map) = value else {
        return Ok(value.clone());
    };
    let mut out = Map::new();
    for (key, child) in map {
        let known = fields.0.iter().find(|(name, _)| name == key).or_else(|| {
            fields
                .0
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(key))
        });
        let Some((name, nested)) = known else {
            if strict {
                return Err(format!("unknown field \"{key}\""));
            }
            continue;
        };
        if child.is_null() {
            continue;
        }
        let child = match (nested, child) {
            (Nested::Map(inner), _) => canonical(child, inner, strict)?,
            (Nested::List(inner), Value::Array(items)) => Value::Array(
                items
                    .iter()
                    .map(|item| canonical(item, inner, strict))
                    .collect::<std::result::Result<_, _>>()?,
            ),
            _ => child.clone(),
        };
        out.insert((*name).to_string(), child);
    }
    Ok(Value::Object(out))
}

// ---------------------------------------------------------------------------
// Applying

/// Applies the replacements in order to every resource.
pub fn apply(resources: &mut ResourceMap, replacements: &[Replacement]) -> Result<()> {
    if replacements.is_empty() {
        return Ok(());
    }
    let mut edit = resources.edit();
    for replacement in replacements {
        apply_one(&mut edit, replacement)
            .map_err(|e| Error::msg(format!("{}: {e}", replacement.origin)))?;
    }
    Ok(())
}

fn apply_one(resources: &mut [Resource], replacement: &Replacement) -> Result<()> {
    let (Some(source), Some(targets)) = (&replacement.source, &replacement.targets) else {
        return Err(Error::msg(
            "replacements must specify a source and at least one target",
        ));
    };
    let value = source_value(resources, source)?;
    for target in targets {
        let Some(select) = &target.select else {
            return Err(Error::msg("target must specify resources to select"));
        };
        let paths: Vec<FieldPath> = if target.field_paths.is_empty() {
            vec![FieldPath::parse(DEFAULT_FIELD_PATH)]
        } else {
            target
                .field_paths
                .iter()
                .map(|p| FieldPath::parse(p))
                .collect()
        };
        let options = target.options.clone().unwrap_or_default();
        for resource in resources.iter_mut() {
            if !is_target(resource, select, &target.reject)? {
                continue;
            }
            for path in &paths {
                write_target(resource, path, &value, &options)?;
            }
        }
    }
    Ok(())
}

// --- source

/// A value on its way to a target: a scalar as YAML holds it (type tag plus
/// text, so a delimiter can cut the text and keep the tag) or a map or list.
#[derive(Clone, Debug, PartialEq)]
enum Picked {
    Scalar(Tag, String),
    Node(Value),
}

/// The YAML core types a JSON scalar can have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tag {
    Str,
    Int,
    Float,
    Bool,
    Null,
    /// Only ever resolved from text, never a JSON value's own type.
    Timestamp,
}

impl Tag {
    fn name(self) -> &'static str {
        match self {
            Tag::Str => "!!str",
            Tag::Int => "!!int",
            Tag::Float => "!!float",
            Tag::Bool => "!!bool",
            Tag::Null => "!!null",
            Tag::Timestamp => "!!timestamp",
        }
    }

    fn of(value: &Value) -> Option<Tag> {
        match value {
            Value::String(_) => Some(Tag::Str),
            Value::Number(n) if n.is_f64() => Some(Tag::Float),
            Value::Number(_) => Some(Tag::Int),
            Value::Bool(_) => Some(Tag::Bool),
            Value::Null => Some(Tag::Null),
            _ => None,
        }
    }
}

impl Picked {
    fn from_value(value: &Value) -> Picked {
        match Tag::of(value) {
            Some(tag) => Picked::Scalar(tag, scalar_text(value)),
            None => Picked::Node(value.clone()),
        }
    }

    /// The node's scalar text (empty for maps and lists, as in kyaml).
    fn text(&self) -> &str {
        match self {
            Picked::Scalar(_, text) => text,
            Picked::Node(_) => "",
        }
    }
}

/// A scalar's text; null reads as empty, as kyaml reads `key:`.
fn scalar_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        other => fieldpath::scalar_text(other),
    }
}

fn source_value(resources: &[Resource], source: &SourceSelector) -> Result<Picked> {
    let resource = select_source(resources, source)?;
    let text = if source.field_path.is_empty() {
        DEFAULT_FIELD_PATH
    } else {
        &source.field_path
    };
    let path = FieldPath::parse(text);
    let found = fieldpath::lookup(resource.object(), &path)
        .map_err(|e| Error::msg(format!("error looking up replacement source: {e}")))?;
    let value = match found {
        Some(value) if !is_empty_node(value) => value,
        _ => {
            return Err(Error::msg(format!(
                "fieldPath `{text}` is missing for replacement source {}",
                id_string(&source.id)
            )))
        }
    };
    refine(Picked::from_value(value), source.options.as_ref())
}

/// kyaml's `IsNilOrEmpty`: null, `{}` and `[]` count as missing.
fn is_empty_node(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Object(map) => map.is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

/// The one resource the source selects; none or several is an error.
fn select_source<'a>(resources: &'a [Resource], source: &SourceSelector) -> Result<&'a Resource> {
    let mut matches = resources
        .iter()
        .filter(|r| r.all_ids().any(|id| id_selected(&id, &source.id)));
    let first = matches
        .next()
        .ok_or_else(|| Error::msg(format!("nothing selected by {}", source_string(source))))?;
    if matches.next().is_some() {
        return Err(Error::msg(format!(
            "multiple matches for selector {}",
            source_string(source)
        )));
    }
    Ok(first)
}

/// The source's delimiter and index pick one part of a scalar.
fn refine(picked: Picked, options: Option<&FieldOptions>) -> Result<Picked> {
    let Some(options) = options.filter(|o| !o.delimiter.is_empty()) else {
        return Ok(picked);
    };
    let Picked::Scalar(tag, text) = picked else {
        return Err(Error::msg(
            "delimiter option can only be used with scalar nodes",
        ));
    };
    let parts: Vec<&str> = text.split(options.delimiter.as_str()).collect();
    let part = usize::try_from(options.index)
        .ok()
        .and_then(|i| parts.get(i))
        .ok_or_else(|| {
            Error::msg(format!(
                "options.index {} is out of bounds for value {text}",
                options.index
            ))
        })?;
    Ok(Picked::Scalar(tag, (*part).to_string()))
}

// --- targets

fn is_target(resource: &Resource, select: &Selector, rejects: &[Selector]) -> Result<bool> {
    if !matches_meta_selectors(resource, select)? {
        return Ok(false);
    }
    // A reject's label or annotation selector rejects on its own, whatever its id says.
    for reject in rejects {
        if (!reject.label_selector.is_empty() || !reject.annotation_selector.is_empty())
            && matches_meta_selectors(resource, reject)?
        {
            return Ok(false);
        }
    }
    let ids: Vec<ResId> = resource.all_ids().collect();
    let rejected = rejects
        .iter()
        .filter(|r| r.id != IdSelector::default())
        .any(|r| ids.iter().any(|id| id_selected(id, &r.id)));
    Ok(!rejected && ids.iter().any(|id| id_selected(id, &select.id)))
}

fn matches_meta_selectors(resource: &Resource, selector: &Selector) -> Result<bool> {
    Ok(
        label_selector_matches(&selector.annotation_selector, resource.annotations())?
            && label_selector_matches(&selector.label_selector, resource.labels())?,
    )
}

/// Writes the value at one target field path. Errors read as kustomize's,
/// with the target resource's id appended.
fn write_target(
    resource: &mut Resource,
    path: &FieldPath,
    value: &Picked,
    options: &FieldOptions,
) -> Result<()> {
    let id = resource.id();
    let mut visited = 0;
    let mut writing_failed = false;
    let result = fieldpath::visit_mut_created(
        resource.object_mut(),
        path,
        options.create,
        &mut |field, created| {
            visited += 1;
            let written = set_field(field, created, value, options);
            writing_failed = written.is_err();
            written
        },
    );
    let what = if options.create {
        "unable to find or create field"
    } else {
        "unable to find field"
    };
    match result {
        Err(e) if writing_failed => {
            Err(Error::msg(format!("{e} (field \"{path}\" of target {id})")))
        }
        Err(e) => Err(Error::msg(format!(
            "{what} \"{path}\" in replacement target: {e} (target {id})"
        ))),
        Ok(()) if visited == 0 => Err(Error::msg(format!(
            "{what} \"{path}\" in replacement target (target {id})"
        ))),
        Ok(()) => Ok(()),
    }
}

/// kustomize's `setFieldValue`, plus the re-read its output goes through.
fn set_field(
    field: &mut Value,
    created: bool,
    value: &Picked,
    options: &FieldOptions,
) -> Result<()> {
    // A created leaf has the source's node kind and no type yet.
    let target_is_scalar = if created {
        matches!(value, Picked::Scalar(..))
    } else {
        Tag::of(field).is_some()
    };
    let mut value = value.clone();
    if !options.delimiter.is_empty() {
        if !target_is_scalar {
            return Err(Error::msg(
                "delimiter option can only be used with scalar nodes",
            ));
        }
        let current = if created {
            String::new()
        } else {
            scalar_text(field)
        };
        let joined = splice(&current, &options.delimiter, options.index, value.text());
        value = match value {
            Picked::Scalar(tag, _) => Picked::Scalar(tag, joined),
            // Only the text reaches a scalar target.
            Picked::Node(_) => Picked::Scalar(Tag::Str, joined),
        };
    }
    *field = if created {
        match value {
            Picked::Scalar(_, text) => resolve_plain(&text)?.1,
            Picked::Node(node) => node,
        }
    } else if let Some(tag) = Tag::of(field) {
        // A scalar target keeps its type and takes the text.
        decode(tag, value.text())?
    } else {
        match value {
            Picked::Scalar(tag, text) => decode(tag, &text)?,
            Picked::Node(node) => node,
        }
    };
    Ok(())
}

/// Puts `value` into part `index` of `current` split on `delimiter`:
/// a negative index prefixes, one past the end appends.
fn splice(current: &str, delimiter: &str, index: i64, value: &str) -> String {
    let mut parts: Vec<&str> = current.split(delimiter).collect();
    match usize::try_from(index) {
        Err(_) => parts.insert(0, value),
        Ok(i) if i >= parts.len() => parts.push(value),
        Ok(i) => parts[i] = value,
    }
    parts.join(delimiter)
}

// --- YAML scalar typing

/// The value YAML gives `text` under an explicit `tag`, as go-yaml v3
/// decodes what kustomize writes: an error when the text is not of that type.
fn decode(tag: Tag, text: &str) -> Result<Value> {
    if tag == Tag::Str {
        return Ok(Value::String(text.to_string()));
    }
    let (resolved, value) = resolve_plain(text)?;
    match (tag, resolved) {
        _ if tag == resolved => Ok(value),
        // go-yaml widens to float64, which kustomize's JSON pass prints
        // without a fraction; the integer prints the same.
        (Tag::Float, Tag::Int) => Ok(value),
        _ => Err(Error::msg(format!(
            "cannot decode {} `{text}` as a {}",
            resolved.name(),
            tag.name()
        ))),
    }
}

/// What an unquoted YAML scalar means under go-yaml v3's resolver, as
/// kustomize's JSON pass then sees it: dates become RFC 3339 strings, and
/// infinities and NaN are errors (JSON has no such numbers).
fn resolve_plain(text: &str) -> Result<(Tag, Value)> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Ok((Tag::Null, Value::Null)),
        "true" | "True" | "TRUE" => return Ok((Tag::Bool, Value::Bool(true))),
        "false" | "False" | "FALSE" => return Ok((Tag::Bool, Value::Bool(false))),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Err(Error::msg("json: unsupported value: +Inf"))
        }
        "-.inf" | "-.Inf" | "-.INF" => return Err(Error::msg("json: unsupported value: -Inf")),
        ".nan" | ".NaN" | ".NAN" => return Err(Error::msg("json: unsupported value: NaN")),
        _ => {}
    }
    // Numbers and dates are only tried for text that starts like one.
    if !text.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '+' | '-' | '.')) {
        return Ok((Tag::Str, Value::String(text.to_string())));
    }
    if let Some(date) = yaml_date(text) {
        return Ok((Tag::Timestamp, Value::String(date)));
    }
    let plain = text.replace('_', "");
    if let Some(n) = parse_go_int(&plain) {
        return Ok((Tag::Int, Value::Number(n)));
    }
    if is_yaml_float(&plain) {
        if let Some(n) = plain.parse::<f64>().ok().and_then(Number::from_f64) {
            return Ok((Tag::Float, Value::Number(n)));
        }
    }
    Ok((Tag::Str, Value::String(text.to_string())))
}

/// A date-only YAML timestamp (`2001-12-14`, `2001-1-2`) as Go's JSON
/// prints the time it decodes to (`2001-12-14T00:00:00Z`). Timestamps with
/// a time of day are left as strings.
fn yaml_date(text: &str) -> Option<String> {
    let mut parts = text.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |s: &str, min: usize, max: usize| {
        (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    if parts.next().is_some() || !digits(year, 4, 4) || !digits(month, 1, 2) || !digits(day, 1, 2) {
        return None;
    }
    let (y, m, d): (u32, u32, u32) = (year.parse().ok()?, month.parse().ok()?, day.parse().ok()?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days)
        .contains(&d)
        .then(|| format!("{y:04}-{m:02}-{d:02}T00:00:00Z"))
}

/// Go's `strconv.ParseInt(s, 0, 64)` then `ParseUint`: sign, then `0x`,
/// `0o`, `0b` or a leading `0` (octal) prefix.
fn parse_go_int(text: &str) -> Option<Number> {
    let (negative, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    if negative {
        let value = i64::try_from(magnitude)
            .ok()
            .map(|m| -m)
            .or((magnitude == 1u64 << 63).then_some(i64::MIN))?;
        Some(Number::from(value))
    } else {
        Some(Number::from(magnitude))
    }
}

/// go-yaml's `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => digits(frac),
        Some((int, frac)) => digits(int) && (frac.is_empty() || digits(frac)),
        None => digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
    mantissa_ok && exponent_ok
}

// --- ids

/// kustomize's `ResId.IsSelectedBy`. Ids built for replacements carry no
/// cluster-scope knowledge, so an unset namespace is `default` for all kinds.
fn id_selected(id: &ResId, selector: &IdSelector) -> bool {
    let effective = |ns: &str| if ns.is_empty() { "default" } else { ns }.to_string();
    (selector.name.is_empty() || selector.name == id.name)
        && (selector.namespace.is_empty()
            || effective(&selector.namespace) == effective(&id.namespace))
        && (selector.group.is_empty() || selector.group == id.gvk.group)
        && (selector.version.is_empty() || selector.version == id.gvk.version)
        && (selector.kind.is_empty() || selector.kind == id.gvk.kind)
}

/// kustomize's `ResId.String()`: `Kind.version.group/name.namespace`.
fn id_string(id: &IdSelector) -> String {
    let or = |s: &str, none: &str| {
        if s.is_empty() {
            none.to_string()
        } else {
            s.to_string()
        }
    };
    format!(
        "{}.{}.{}/{}.{}",
        or(&id.kind, "[noKind]"),
        or(&id.version, "[noVer]"),
        or(&id.group, "[noGrp]"),
        or(&id.name, "[noName]"),
        or(&id.namespace, "[noNs]")
    )
}

/// kustomize's `SourceSelector.String()`.
fn source_string(source: &SourceSelector) -> String {
    let mut parts = vec![id_string(&source.id)];
    if !source.field_path.is_empty() {
        parts.push(source.field_path.clone());
    }
    if let Some(o) = source
        .options
        .as_ref()
        .filter(|o| !o.delimiter.is_empty() || o.create)
    {
        parts.push(format!("{}({}), create={}", o.delimiter, o.index, o.create));
    }
    parts.join(":")
}

// --- label selectors

/// Whether `labels` satisfy a Kubernetes label selector string
/// (`a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, `a>1`,
/// `a<1`, comma-joined). Label values are not validated.
/// An empty selector matches everything.
fn label_selector_matches(selector: &str, labels: Option<&Map<String, Value>>) -> Result<bool> {
    let labels: BTreeMap<&str, String> = labels
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.as_str(), scalar_text(v)))
        .collect();
    for requirement in split_requirements(selector) {
        let requirement = requirement.trim();
        if requirement.is_empty() {
            if selector.trim().is_empty() {
                continue;
            }
            return Err(bad_selector(selector));
        }
        if !requirement_matches(requirement, &labels).ok_or_else(|| bad_selector(selector))? {
            return Ok(false);
        }
    }
    Ok(true)
}

fn bad_selector(selector: &str) -> Error {
    Error::msg(format!(
        "unable to parse requirement: invalid selector `{selector}`"
    ))
}

/// Splits on commas outside parentheses.
fn split_requirements(selector: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in selector.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&selector[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&selector[start..]);
    parts
}

/// One requirement; `None` when it cannot be parsed.
fn requirement_matches(requirement: &str, labels: &BTreeMap<&str, String>) -> Option<bool> {
    if let Some(key) = requirement.strip_prefix('!') {
        return Some(!labels.contains_key(key.trim()));
    }
    for (op, negate) in [("!=", true), ("==", false), ("=", false)] {
        if let Some((key, value)) = requirement.split_once(op) {
            let equal = labels.get(key.trim()).map(String::as_str) == Some(value.trim());
            return Some(if negate {
                // `!=` also matches when the key is absent.
                !equal
            } else {
                equal
            });
        }
    }
    for (op, greater) in [('>', true), ('<', false)] {
        if let Some((key, bound)) = requirement.split_once(op) {
            let bound: i64 = bound.trim().parse().ok()?;
            let value = labels.get(key.trim()).and_then(|v| v.parse::<i64>().ok());
            return Some(value.is_some_and(|v| if greater { v > bound } else { v < bound }));
        }
    }
    let words: Vec<&str> = requirement.splitn(2, char::is_whitespace).collect();
    if let [key, rest] = words.as_slice() {
        let rest = rest.trim();
        let (negate, list) = if let Some(list) = rest.strip_prefix("notin") {
            (true, list)
        } else if let Some(list) = rest.strip_prefix("in") {
            (false, list)
        } else {
            return None;
        };
        let list = list.trim().strip_prefix('(')?.strip_suffix(')')?;
        let values: Vec<&str> = list.split(',').map(str::trim).collect();
        let found = labels
            .get(key)
            .is_some_and(|v| values.contains(&v.as_str()));
        return Some(if negate { !found } else { found });
    }
    Some(labels.contains_key(requirement))
}

#[cfg(test)]
mod tests {
    //! Every expected value here was produced by `kubectl kustomize`
    //! (kustomize v5.5.0) on the same resources and replacements.

    use super::*;
    use crate::fs::MemFs;
    use crate::loader::LoadRestrictions;
    use crate::resource::Origin;
    use serde_json::json;
    use std::path::PathBuf;

    fn map(objects: Vec<Value>) -> ResourceMap {
        objects
            .into_iter()
            .map(|o| Resource::new(o, Origin::Inline).unwrap())
            .collect()
    }

    /// Parses `replacements` as a kustomization holds them and applies them.
    fn run(resources: &mut ResourceMap, replacements: Value) -> std::result::Result<(), String> {
        let fs = MemFs::new();
        let root = PathBuf::from("/k");
        let loader = Loader::new(&fs, &root, LoadRestrictions::RootOnly);
        let entries = replacements.as_array().cloned().unwrap_or_default();
        let parsed = parse(&entries, &loader).map_err(|e| e.to_string())?;
        apply(resources, &parsed).map_err(|e| e.to_string())
    }

    fn types_resources() -> ResourceMap {
        map(vec![
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "src"},
                   "data": {"s": "1", "t": "true", "e": "", "abc": "abc", "f": "1.5"}}),
            json!({"apiVersion": "v1", "kind": "Src2", "metadata": {"name": "src2"},
                   "spec": {"i": 5, "b": true, "m": {"a": 1}, "l": [1, 2], "n": null}}),
            json!({"apiVersion": "v1", "kind": "Target", "metadata": {"name": "tgt"},
                   "spec": {"str": "hello", "int": 3, "bool": false, "nul": null,
                            "map": {"x": 1}, "list": [9]}}),
        ])
    }

    fn one(source: &str, field_path: &str, target: &str, create: bool) -> Value {
        json!([{
            "source": {"name": source, "fieldPath": field_path},
            "targets": [{"select": {"kind": "Target"}, "fieldPaths": [target],
                         "options": {"create": create}}],
        }])
    }

    #[test]
    fn values_keep_kustomize_types() {
        // (source, source path, target path, create, expected target value)
        let cases: Vec<(&str, &str, &str, bool, Value)> = vec![
            ("src2", "spec.i", "spec.str", false, json!("5")),
            ("src2", "spec.i", "spec.map", false, json!(5)),
            ("src2", "spec.i", "spec.list", false, json!(5)),
            ("src2", "spec.i", "spec.c1", true, json!(5)),
            ("src", "data.s", "spec.int", false, json!(1)),
            ("src", "data.s", "spec.c2", true, json!(1)),
            ("src", "data.t", "spec.c3", true, json!(true)),
            ("src", "data.abc", "spec.c4", true, json!("abc")),
            ("src2", "spec.b", "spec.c5", true, json!(true)),
            ("src2", "spec.m", "spec.c6", true, json!({"a": 1})),
            ("src", "data.e", "spec.c7", true, Value::Null),
            ("src", "data.e", "spec.str", false, json!("")),
            ("src2", "spec.m", "spec.str", false, json!("")),
        ];
        for (source, from, to, create, expected) in cases {
            let mut resources = types_resources();
            run(&mut resources, one(source, from, to, create)).unwrap();
            let target = &resources.as_slice()[2];
            let got = fieldpath::get(target.object(), &FieldPath::parse(to));
            assert_eq!(got, vec![&expected], "{source} {from} -> {to}");
        }
    }

    #[test]
    fn values_that_kustomize_cannot_write_are_errors() {
        let cases = [
            ("src2", "spec.i", "spec.nul", "cannot decode !!int `5` as a !!null"),
            ("src2", "spec.m", "spec.int", "cannot decode !!null `` as a !!int"),
            ("src", "data.abc", "spec.int", "cannot decode !!str `abc` as a !!int"),
            ("src", "data.f", "spec.int", "cannot decode !!float `1.5` as a !!int"),
            (
                "src",
                "spec.s",
                "spec.str",
                "fieldPath `spec.s` is missing for replacement source [noKind].[noVer].[noGrp]/src.[noNs]",
            ),
            (
                "src2",
                "spec.n",
                "spec.str",
                "fieldPath `spec.n` is missing for replacement source [noKind].[noVer].[noGrp]/src2.[noNs]",
            ),
        ];
        for (source, from, to, message) in cases {
            let err = run(&mut types_resources(), one(source, from, to, false)).unwrap_err();
            assert!(err.contains(message), "{source} {from} -> {to}: {err}");
            assert!(err.starts_with("replacements[0]: "), "{err}");
        }
    }

    fn image_resources() -> ResourceMap {
        map(vec![
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "src"},
                   "data": {"v": "v2", "num": "42"}}),
            json!({"apiVersion": "v1", "kind": "Src", "metadata": {"name": "s"},
                   "spec": {"i": 123, "f": 1.5}}),
            json!({"apiVersion": "v1", "kind": "T", "metadata": {"name": "a"},
                   "spec": {"image": "repo/app:v1", "i": 7, "l": [1]}}),
        ])
    }

    #[test]
    fn delimiters_split_sources_and_splice_targets() {
        let cases: Vec<(Value, Value)> = vec![
            (
                json!([{"source": {"kind": "ConfigMap", "fieldPath": "data.v"}, "targets": [
                    {"select": {"kind": "T"}, "fieldPaths": ["spec.image"],
                     "options": {"delimiter": ":", "index": 1}},
                    {"select": {"kind": "T"}, "fieldPaths": ["spec.x"],
                     "options": {"delimiter": ":", "index": 0, "create": true}}]}]),
                json!({"image": "repo/app:v2", "i": 7, "l": [1], "x": "v2"}),
            ),
            (
                json!([{"source": {"kind": "ConfigMap", "fieldPath": "data.v"}, "targets": [
                    {"select": {"kind": "T"}, "fieldPaths": ["spec.image"],
                     "options": {"delimiter": "/", "index": -1}},
                    {"select": {"kind": "T"}, "fieldPaths": ["spec.x"],
                     "options": {"delimiter": ":", "index": -1, "create": true}},
                    {"select": {"kind": "T"}, "fieldPaths": ["spec.y"],
                     "options": {"delimiter": ":", "index": 3, "create": true}}]}]),
                json!({"image": "v2/repo/app:v1", "i": 7, "l": [1], "x": "v2:", "y": ":v2"}),
            ),
            (
                json!([
                    {"source": {"kind": "Src", "fieldPath": "spec.i",
                                "options": {"delimiter": "2", "index": 1}},
                     "targets": [{"select": {"kind": "T"}, "fieldPaths": ["spec.l", "spec.c"],
                                  "options": {"create": true}}]},
                    {"source": {"kind": "ConfigMap", "fieldPath": "data.num",
                                "options": {"delimiter": "4", "index": 1}},
                     "targets": [{"select": {"kind": "T"}, "fieldPaths": ["spec.image", "spec.m"],
                                  "options": {"delimiter": "/", "index": 9, "create": true}}]}]),
                json!({"image": "repo/app:v1/2", "i": 7, "l": 3, "c": 3, "m": "/2"}),
            ),
            (
                json!([{"source": {"kind": "Src", "fieldPath": "spec.f"}, "targets": [
                    {"select": {"kind": "T"}, "fieldPaths": ["spec.image", "spec.n", "spec.l"],
                     "options": {"create": true}}]}]),
                json!({"image": "1.5", "i": 7, "l": 1.5, "n": 1.5}),
            ),
        ];
        for (replacements, expected) in cases {
            let mut resources = image_resources();
            run(&mut resources, replacements.clone()).unwrap();
            assert_eq!(
                resources.as_slice()[2].object()["spec"],
                expected,
                "{replacements}"
            );
        }
    }

    #[test]
    fn created_fields_read_text_as_plain_yaml() {
        // kubectl: strings copied into created fields, as its JSON pass saw them.
        let cases: Vec<(&str, Value)> = vec![
            ("010", json!(8)),
            ("1_000", json!(1000)),
            ("0x1F", json!(31)),
            ("0o17", json!(15)),
            ("+5", json!(5)),
            ("1e3", json!(1000.0)),
            (".5", json!(0.5)),
            ("2001-12-14", json!("2001-12-14T00:00:00Z")),
            ("0b101", json!(5)),
            ("-0", json!(0)),
            ("yes", json!("yes")),
            ("~", Value::Null),
            ("1.", json!(1.0)),
            ("9223372036854775808", json!(9223372036854775808u64)),
            ("-9223372036854775808", json!(i64::MIN)),
            ("0.0", json!(0.0)),
            ("1e400", json!("1e400")),
        ];
        for (text, expected) in cases {
            assert_eq!(resolve_plain(text).unwrap().1, expected, "{text}");
        }
        // kubectl: "json: unsupported value: +Inf".
        assert!(resolve_plain(".inf").is_err());
    }

    #[test]
    fn an_int_written_into_a_float_field_stays_a_number() {
        let mut resources = image_resources();
        let replacements = json!([{"source": {"kind": "Src", "fieldPath": "spec.i"},
            "targets": [{"select": {"kind": "Src"}, "fieldPaths": ["spec.f"]}]}]);
        run(&mut resources, replacements).unwrap();
        // kubectl prints `f: 123`.
        assert_eq!(
            resources.as_slice()[1].object()["spec"]["f"].as_f64(),
            Some(123.0)
        );
    }

    #[test]
    fn option_errors_match_kustomize() {
        let cases = [
            (
                json!([{"source": {"kind": "ConfigMap", "fieldPath": "data.num",
                                   "options": {"delimiter": "4", "index": 2}},
                        "targets": [{"select": {"kind": "T"}}]}]),
                "options.index 2 is out of bounds for value 42",
            ),
            (
                json!([{"source": {"kind": "ConfigMap", "fieldPath": "data",
                                   "options": {"delimiter": "4"}},
                        "targets": [{"select": {"kind": "T"}}]}]),
                "delimiter option can only be used with scalar nodes",
            ),
            (
                json!([{"source": {"kind": "ConfigMap", "fieldPath": "data.num"},
                        "targets": [{"select": {"kind": "T"}, "fieldPaths": ["spec.l"],
                                     "options": {"delimiter": "x"}}]}]),
                "delimiter option can only be used with scalar nodes",
            ),
        ];
        for (replacements, message) in cases {
            let err = run(&mut image_resources(), replacements).unwrap_err();
            assert!(err.contains(message), "{err}");
        }
    }

    fn selection_resources() -> ResourceMap {
        map(vec![
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "src"},
                   "data": {"v": "NEW"}}),
            json!({"apiVersion": "v1", "kind": "T", "metadata": {"name": "a",
                   "labels": {"app": "web", "tier": "fe"}, "annotations": {"note": "x"}},
                   "spec": {"f": "0", "nul": null}}),
            json!({"apiVersion": "v1", "kind": "T", "metadata": {"name": "b",
                   "namespace": "prod", "labels": {"app": "db"}}, "spec": {"f": "0"}}),
            json!({"apiVersion": "v2", "kind": "T", "metadata": {"name": "c",
                   "namespace": "default"}, "spec": {"f": "0"}}),
            json!({"apiVersion": "v1", "kind": "Other", "metadata": {"name": "d",
                   "labels": {"app": "web"}}, "spec": {"f": "0"}}),
        ])
    }

    /// The names of the resources whose `spec.f` was replaced.
    fn replaced(resources: &ResourceMap) -> Vec<&str> {
        resources
            .iter()
            .filter(|r| r.object()["spec"]["f"] == json!("NEW"))
            .map(Resource::name)
            .collect()
    }

    #[test]
    fn targets_follow_select_and_reject() {
        let cases: Vec<(Value, Vec<&str>)> = vec![
            (
                json!({"select": {"labelSelector": "app=web"}}),
                vec!["a", "d"],
            ),
            (
                // A reject's label selector rejects whatever its id says.
                json!({"select": {"kind": "T"},
                       "reject": [{"labelSelector": "app in (db)", "kind": "Other"}]}),
                vec!["a", "c"],
            ),
            (
                json!({"select": {"namespace": "default"}, "reject": [{"name": "src"}]}),
                vec!["a", "c", "d"],
            ),
            (
                json!({"select": {"labelSelector": "!tier,app"}}),
                vec!["b", "d"],
            ),
            (
                json!({"select": {"annotationSelector": "note notin (y)", "kind": "T"}}),
                vec!["a", "b", "c"],
            ),
            (
                json!({"select": {"labelSelector": "app!=web", "version": "v1"},
                       "reject": [{"version": "v2"}, {"kind": "ConfigMap"}]}),
                vec!["b"],
            ),
        ];
        for (mut target, expected) in cases {
            target["fieldPaths"] = json!(["spec.f"]);
            let replacements = json!([{"source": {"kind": "ConfigMap", "fieldPath": "data.v"},
                                       "targets": [target.clone()]}]);
            let mut resources = selection_resources();
            run(&mut resources, replacements).unwrap();
            assert_eq!(replaced(&resources), expected, "{target}");
        }
    }

    #[test]
    fn label_selectors_use_kubernetes_syntax() {
        // kubectl: on labels {n: "5"} (ConfigMap) and {n: "7"} (ClusterRole).
        let labels = |n: &str| json!({"n": n}).as_object().cloned().unwrap();
        let (five, seven) = (labels("5"), labels("7"));
        let cases = [
            ("n>6", false, true),
            ("n = 5 , x notin ( a, b )", true, false),
            ("", true, true),
        ];
        for (selector, on_five, on_seven) in cases {
            assert_eq!(
                label_selector_matches(selector, Some(&five)).unwrap(),
                on_five,
                "{selector}"
            );
            assert_eq!(
                label_selector_matches(selector, Some(&seven)).unwrap(),
                on_seven,
                "{selector}"
            );
        }
        // kubectl: "unable to parse requirement: found '5' expected: '('" and
        // "found '', expected: identifier after ','".
        for bad in ["n in 5", "n=5,"] {
            assert!(label_selector_matches(bad, Some(&five)).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_namespace_selector_of_default_matches_cluster_scoped_kinds() {
        // kubectl: `select: {namespace: default, kind: ClusterRole}` picks a ClusterRole.
        let mut resources = map(vec![
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "src"},
                   "data": {"v": "NEW"}}),
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                   "metadata": {"name": "cr"}}),
        ]);
        let replacements = json!([{"source": {"kind": "ConfigMap", "fieldPath": "data.v"},
            "targets": [{"select": {"namespace": "default", "kind": "ClusterRole"},
                         "fieldPaths": ["metadata.annotations.x"], "options": {"create": true}}]}]);
        run(&mut resources, replacements).unwrap();
        assert_eq!(
            resources.as_slice()[1].object()["metadata"]["annotations"],
            json!({"x": "NEW"})
        );
    }

    #[test]
    fn bad_list_matchers_fail_only_when_reached() {
        // Messages from kubectl; the `(target ...)` suffix is ours.
        let cases = [
            (
                json!({"kind": "ConfigMap", "fieldPath": "metadata.[bad].x"}),
                json!({"kind": "Nope"}),
                json!(["metadata.name"]),
                Some("error looking up replacement source: list path element must contain fieldName=fieldValue for element to match"),
            ),
            (
                json!({"kind": "ConfigMap", "fieldPath": "data.v"}),
                json!({"kind": "Nope"}),
                json!(["metadata.[bad].x"]),
                None,
            ),
            (
                json!({"kind": "ConfigMap", "fieldPath": "data.v"}),
                json!({"kind": "T", "name": "a"}),
                json!(["metadata.[bad].x"]),
                Some("unable to find field \"metadata.[bad].x\" in replacement target: list path element must contain fieldName=fieldValue for element to match (target v1 T a)"),
            ),
            (
                json!({"kind": "ConfigMap", "fieldPath": "data.v"}),
                json!({"kind": "T", "name": "a"}),
                json!(["metadata.nope.[bad].x"]),
                Some("unable to find field \"metadata.nope.[bad].x\" in replacement target (target v1 T a)"),
            ),
        ];
        for (source, select, paths, expected) in cases {
            let replacements =
                json!([{"source": source, "targets": [{"select": select, "fieldPaths": paths}]}]);
            let got = run(&mut selection_resources(), replacements.clone());
            match expected {
                None => assert_eq!(got, Ok(()), "{replacements}"),
                Some(message) => assert_eq!(got, Err(format!("replacements[0]: {message}"))),
            }
        }
    }

    #[test]
    fn create_adds_fields_but_not_below_null() {
        let mut resources = selection_resources();
        let replacements = json!([{"source": {"kind": "ConfigMap", "fieldPath": "data.v"},
            "targets": [{"select": {"kind": "T", "name": "a"},
                         "fieldPaths": ["spec.nul.x", "metadata.annotations.[a.b/c]", "spec.g.0"],
                         "options": {"create": true}}]}]);
        run(&mut resources, replacements).unwrap();
        let a = resources.as_slice()[1].object();
        assert_eq!(a["spec"], json!({"f": "0", "nul": null, "g": ["NEW"]}));
        assert_eq!(
            a["metadata"]["annotations"],
            json!({"note": "x", "a.b/c": "NEW"})
        );
    }

    #[test]
    fn a_missing_target_field_is_an_error_without_create() {
        let replacements = json!([{"source": {"kind": "ConfigMap", "fieldPath": "data.v"},
            "targets": [{"select": {"version": "v1"}, "fieldPaths": ["spec.f"]}]}]);
        let err = run(&mut selection_resources(), replacements).unwrap_err();
        // kubectl: `unable to find field "spec.f" in replacement target`; the suffix is ours.
        assert_eq!(
            err,
            "replacements[0]: unable to find field \"spec.f\" in replacement target (target v1 ConfigMap src)"
        );
    }

    #[test]
    fn source_selection_errors_match_kustomize() {
        let cases = [
            (
                json!([{"source": {"name": "nope", "fieldPath": "data.v",
                                   "options": {"delimiter": "-", "create": true}},
                        "targets": [{"select": {"kind": "T"}}]}]),
                "nothing selected by [noKind].[noVer].[noGrp]/nope.[noNs]:data.v:-(0), create=true",
            ),
            (
                json!([{"source": {"version": "v1"}, "targets": [{"select": {"kind": "T"}}]}]),
                "multiple matches for selector [noKind].v1.[noGrp]/[noName].[noNs]",
            ),
            (
                json!([{"source": {"kind": "ConfigMap"}}]),
                "replacements must specify a source and at least one target",
            ),
            (
                json!([{"source": {"kind": "ConfigMap"},
                        "targets": [{"fieldPaths": ["metadata.name"]}]}]),
                "target must specify resources to select",
            ),
            (
                json!([{"source": {"kind": "ConfigMap", "fieldPath": "data.v", "bogus": 1},
                        "targets": [{"select": {"kind": "T"}}]}]),
                "unknown field \"bogus\"",
            ),
        ];
        for (replacements, message) in cases {
            let err = run(&mut selection_resources(), replacements).unwrap_err();
            assert!(err.contains(message), "{err}");
        }
    }

    #[test]
    fn default_field_paths_are_metadata_name() {
        let mut resources = selection_resources();
        let replacements = json!([{"source": {"kind": "Other"},
            "targets": [{"select": {"kind": "T", "version": "v2"}}]}]);
        run(&mut resources, replacements).unwrap();
        assert_eq!(resources.as_slice()[3].name(), "d");
    }

    #[test]
    fn sources_and_targets_match_previous_names() {
        // kubectl with `namePrefix: pre-`: a source named `b` and a target
        // named `src` are found by their names before the prefix.
        let mut resources = selection_resources();
        for r in resources.edit().iter_mut() {
            let name = format!("pre-{}", r.name());
            r.set_name(&name);
        }
        let replacements = json!([{"source": {"kind": "T", "name": "b", "fieldPath": "metadata.name"},
            "targets": [{"select": {"name": "src"}, "fieldPaths": ["data.v"]},
                        {"select": {"name": "pre-a"}, "fieldPaths": ["spec.f"]}]}]);
        run(&mut resources, replacements).unwrap();
        assert_eq!(
            resources.as_slice()[0].object()["data"]["v"],
            json!("pre-b")
        );
        assert_eq!(
            resources.as_slice()[1].object()["spec"]["f"],
            json!("pre-b")
        );
    }

    #[test]
    fn replacements_see_earlier_replacements() {
        // kubectl: the second source reads the image the first one wrote.
        let mut resources = map(vec![
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "src",
                   "annotations": {"a.b/c": "x-y-z"}}, "data": {"v": "NEW"}}),
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "dep"},
                   "spec": {"template": {"spec": {"containers": [
                       {"name": "app", "image": "a"}, {"name": "myapp", "image": "b"}]}}}}),
        ]);
        let replacements = json!([
            {"source": {"kind": "ConfigMap", "fieldPath": "metadata.annotations.[a.b/c]",
                        "options": {"delimiter": "-", "index": 1}},
             "targets": [{"select": {"kind": "Deployment"},
                          "fieldPaths": ["spec.template.spec.containers.*.image"]}]},
            {"source": {"kind": "Deployment",
                        "fieldPath": "spec.template.spec.containers.[name=app].image"},
             "targets": [{"select": {"kind": "ConfigMap"}, "fieldPaths": ["data.v"]}]},
        ]);
        run(&mut resources, replacements).unwrap();
        assert_eq!(resources.as_slice()[0].object()["data"]["v"], json!("y"));
        let images: Vec<&Value> = fieldpath::get(
            resources.as_slice()[1].object(),
            &FieldPath::parse("spec.template.spec.containers.*.image"),
        );
        assert_eq!(images, vec![&json!("y"), &json!("y")]);
    }

    #[test]
    fn files_hold_one_replacement_or_a_list() {
        let path = std::path::Path::new("/k/r.yaml");
        let entry = json!({"source": {"kind": "ConfigMap"}, "targets": [], "unknown": 1});
        let list = from_document(&json!([entry.clone(), entry.clone()]), path).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[1].origin, "/k/r.yaml entry 1");
        let single = from_document(&entry, path).unwrap();
        assert_eq!(single.len(), 1);
        assert_eq!(single[0].source.as_ref().unwrap().id.kind, "ConfigMap");
        let err = from_document(&json!("text"), path).unwrap_err().to_string();
        assert!(err.contains("unsupported replacement type"), "{err}");
    }

    #[test]
    fn null_fields_read_as_unset() {
        // kubectl accepts `name: null`, `options: null`, `reject: null`, `fieldPaths: null`.
        let entry = json!({"source": {"kind": "ConfigMap", "name": null, "options": null},
            "targets": [{"select": {"kind": "T"}, "reject": null, "fieldPaths": null}]});
        let parsed = from_value(&entry, "r".into()).unwrap();
        assert_eq!(parsed.source.unwrap().id.name, "");
        assert_eq!(parsed.targets.unwrap()[0].reject, vec![]);
        let parsed = from_value(&json!({"source": null, "targets": null}), "r".into()).unwrap();
        assert_eq!((parsed.source, parsed.targets), (None, None));
    }

    #[test]
    fn field_names_match_case_insensitively() {
        // kubectl accepts `Source`, `KIND`, `fieldpath` and `FieldPaths`.
        let mut resources = selection_resources();
        let replacements = json!([{"Source": {"KIND": "ConfigMap", "fieldpath": "data.v"},
            "targets": [{"select": {"kind": "T", "name": "a"}, "FieldPaths": ["spec.f"]}]}]);
        run(&mut resources, replacements).unwrap();
        assert_eq!(replaced(&resources), vec!["a"]);
    }

    #[test]
    fn path_and_inline_together_are_an_error() {
        let replacements = json!([{"path": "r.yaml", "source": {"kind": "ConfigMap"}}]);
        let err = run(&mut selection_resources(), replacements).unwrap_err();
        assert!(
            err.contains("cannot specify both path and inline replacement"),
            "{err}"
        );
    }
}
