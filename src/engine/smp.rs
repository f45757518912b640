//! Strategic merge patch, as kustomize applies it (kyaml `merge2` with
//! `ListIncreaseDirection: Prepend`), not as the API server does.
//!
//! The rules, all checked against `kubectl kustomize`:
//! - maps merge key by key; a `null` in the patch deletes the key;
//! - `$patch: delete` removes the map (or list element) it sits in, and at
//!   the top level the whole resource; `$patch: replace` on a map takes the
//!   patch's map as is;
//! - lists the schema marks `merge` merge element by
//!   element on their keys: elements the patch names come first, in patch
//!   order, then the remaining elements of the target in their order. An
//!   element-level `$patch: replace` has no effect (kyaml restores the
//!   target's element); `$patch: replace|delete` as a lone list element
//!   replaces or clears the list; `$patch: replace` at the top level
//!   changes nothing (kyaml merges into the patch, not the resource);
//! - every other list (and every list of a type the schema lacks) is
//!   replaced. The schema is an [`OpenApi`] (see [`schema`]): the built-in
//!   Kubernetes one, or a kustomization's custom one (see [`openapi`]); a
//!   field it does not know takes the schema of its own apiVersion/kind;
//! - `$setElementOrder/...`, `$deleteFromPrimitiveList/...` and
//!   `$retainKeys` are not directives for kyaml: they are copied as fields;
//! - a scalar replacing a quoted one prints quoted (kyaml keeps the target's
//!   style), so `5` over `"2"` becomes `"5"`. A `Value` has no quoting; only
//!   strings that must have been quoted (`"2"`, `"true"`) are detected.
//!
//! kyaml works on shared YAML nodes and some results depend on which node a
//! step mutates; the walk here tracks that with an `aliased` flag (target
//! and patch are the same node) and an `in_place` result (the target node
//! was merged into rather than swapped for the patch's).

mod list;
pub mod openapi;
pub mod schema;

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::kyaml::{node_text, Null};
pub use schema::OpenApi;
use schema::Schema;

/// Merges `patch` into `target` in place. A patch that deletes the whole
/// object (`$patch: delete` at the top) leaves `Value::Null`. On an error
/// `target` may be partly merged: merge into a copy you can drop.
///
/// Merge keys come from `api`'s schema of `target`'s apiVersion/kind (and
/// of any embedded object's, where the schema does not know a field).
pub fn merge(target: &mut Value, patch: &Value, api: OpenApi<'_>) -> Result<()> {
    let mut path = Vec::new();
    // A mapping patched by a mapping without a top-level `$patch` is always
    // merged into (the result is the target node): walk the target itself.
    // Otherwise the result may be the patch's, and the target must survive.
    let merged_into = target.is_object()
        && patch
            .as_object()
            .is_some_and(|map| !map.contains_key("$patch"));
    let dest = Some(if merged_into {
        std::mem::take(target)
    } else {
        target.clone()
    });
    let schema = Schema::unknown(api);
    let walked = walk(dest, Some(patch.clone()), false, schema, &mut path)?;
    match walked.out {
        // kustomize keeps the resource node it merged into; a top-level
        // `$patch: replace` merges into the patch instead and changes nothing.
        Out::Set(value) if walked.in_place => *target = value,
        Out::Set(_) => debug_assert!(!merged_into, "a merge into the target is in place"),
        Out::Clear | Out::KeepNull => *target = Value::Null,
    }
    Ok(())
}

/// What a walk step yields for a field.
#[derive(Debug)]
enum Out {
    /// Remove the field (kyaml's `ClearNode`).
    Clear,
    /// Set the field; `Null` removes it, as kyaml's `FieldSetter` does.
    Set(Value),
    /// A `null` already in the target, kept as written.
    KeepNull,
}

impl Out {
    /// kyaml's `IsMissingOrNull || IsEmptyMap` on a walk result.
    fn is_empty(&self) -> bool {
        match self {
            Out::Clear | Out::KeepNull => true,
            Out::Set(Value::Null) => true,
            Out::Set(Value::Object(map)) => map.is_empty(),
            Out::Set(_) => false,
        }
    }
}

struct Walked {
    out: Out,
    /// The result is the target node, merged into in place.
    in_place: bool,
}

impl Walked {
    fn new(out: Out) -> Self {
        Walked {
            out,
            in_place: false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Directive {
    Merge,
    Replace,
    Delete,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Empty,
    Map,
    Seq,
    Scalar,
}

fn kind_of(value: Option<&Value>) -> Kind {
    match value {
        None | Some(Value::Null) => Kind::Empty,
        Some(Value::Object(_)) => Kind::Map,
        Some(Value::Array(_)) => Kind::Seq,
        Some(_) => Kind::Scalar,
    }
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Empty => "null",
        Kind::Map => "a mapping",
        Kind::Seq => "a list",
        Kind::Scalar => "a scalar",
    }
}

/// kyaml's `IsNilOrEmpty` on a field value.
fn is_nil_or_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Object(map) => map.is_empty(),
        Value::Array(list) => list.is_empty(),
        _ => false,
    }
}

fn path_text(path: &[String]) -> String {
    if path.is_empty() {
        "the top level".to_string()
    } else {
        format!("`{}`", path.join("."))
    }
}

/// One step of kyaml's `Walker.Walk` over `[dest, origin]`. When `aliased`,
/// the target is the patch node itself and `dest` is ignored.
fn walk(
    dest: Option<Value>,
    origin: Option<Value>,
    aliased: bool,
    schema: Schema<'_>,
    path: &mut Vec<String>,
) -> Result<Walked> {
    // Aliased, the target is the patch node itself: walk_map and the list
    // walk read only its shape then, so a map is stood in for by its keys
    // (a full copy at every level would be quadratic in depth).
    let dest = if aliased {
        origin.as_ref().map(shape)
    } else {
        dest
    };
    let schema = if schema.is_unknown() {
        let api = schema.api();
        schema_from_meta(dest.as_ref(), api).or_else(|| schema_from_meta(origin.as_ref(), api))
    } else {
        None
    }
    .unwrap_or(schema);
    let kind = match kind_of(dest.as_ref()) {
        Kind::Empty => kind_of(origin.as_ref()),
        kind => kind,
    };
    let other = kind_of(origin.as_ref());
    if kind != Kind::Empty && other != Kind::Empty && other != kind {
        return Err(Error::msg(format!(
            "strategic merge patch: wrong node kind at {}: expected {} but got {}",
            path_text(path),
            kind_name(kind),
            kind_name(other)
        )));
    }
    match kind {
        Kind::Map | Kind::Empty => walk_map(dest, origin, aliased, schema, path),
        Kind::Seq => match schema.merge_list() {
            Some(list) => list::walk_merge_list(dest, origin, aliased, schema, &list, path),
            // A list without a merge strategy is replaced.
            None => Ok(Walked::new(Out::Set(origin.or(dest).unwrap_or_default()))),
        },
        Kind::Scalar => Ok(Walked::new(Out::Set(merge_scalar(dest, origin)))),
    }
}

/// kyaml keeps the target scalar's quoting style when the patch replaces it,
/// so a number or boolean patched over a quoted string prints quoted, and
/// reads back as a string. Quoting is not kept in a `Value`: a string whose
/// text would read as another type must have been quoted, so only that case
/// is reproduced.
fn merge_scalar(dest: Option<Value>, origin: Option<Value>) -> Value {
    match (dest, origin) {
        (Some(Value::String(old)), Some(new @ (Value::Number(_) | Value::Bool(_))))
            if reads_as_non_string(&old) =>
        {
            Value::String(node_text_word(&new))
        }
        (dest, origin) => origin.or(dest).unwrap_or_default(),
    }
}

/// Whether a plain YAML scalar with this text would not be a string
/// (null, boolean, decimal number), as go-yaml v3 resolves it.
fn reads_as_non_string(text: &str) -> bool {
    let number = text.strip_prefix(['-', '+']).unwrap_or(text);
    matches!(
        text,
        "" | "~"
            | "null"
            | "Null"
            | "NULL"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
    ) || (!number.is_empty()
        && number.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && text.parse::<f64>().is_ok())
}

/// kyaml's `GetSchema`: a node with apiVersion and kind gets its type's schema.
fn schema_from_meta<'a>(node: Option<&Value>, api: OpenApi<'a>) -> Option<Schema<'a>> {
    let map = node?.as_object()?;
    let api_version = map.get("apiVersion")?.as_str()?;
    let kind = map.get("kind")?.as_str()?;
    if api_version.is_empty() || kind.is_empty() {
        return None;
    }
    let schema = api.for_type(api_version, kind);
    (!schema.is_unknown()).then_some(schema)
}

/// `$patch` on a map: removed from the patch, its value returned.
fn map_directive(origin: &mut Value) -> Result<Directive> {
    let Value::Object(map) = origin else {
        return Err(Error::msg(format!(
            "no implemented strategic merge patch strategy for {}",
            crate::resource::value_kind(origin)
        )));
    };
    let Some(value) = map.get("$patch") else {
        return Ok(Directive::Merge);
    };
    let directive = parse_directive(value)?;
    map.remove("$patch");
    Ok(directive)
}

fn parse_directive(value: &Value) -> Result<Directive> {
    match node_text_word(value).as_str() {
        "merge" => Ok(Directive::Merge),
        "replace" => Ok(Directive::Replace),
        "delete" => Ok(Directive::Delete),
        other => Err(Error::msg(format!("unknown patch strategy '{other}'"))),
    }
}

fn walk_map(
    dest: Option<Value>,
    mut origin: Option<Value>,
    mut aliased: bool,
    schema: Schema<'_>,
    path: &mut Vec<String>,
) -> Result<Walked> {
    let mut in_place = false;
    let mut dest = match dest {
        None | Some(Value::Null) => {
            // Add: the patch's value (a `$patch: delete` adds nothing).
            let directive = origin.as_mut().map(map_directive);
            if matches!(directive, Some(Ok(Directive::Delete))) {
                return Ok(Walked::new(Out::Clear));
            }
            if origin.is_none() && dest.is_some() {
                return Ok(Walked::new(Out::KeepNull));
            }
            aliased = true;
            match &origin {
                Some(value) => shape(value),
                None => return Ok(Walked::new(Out::Clear)),
            }
        }
        Some(dest) => {
            if matches!(origin, Some(Value::Null)) {
                return Ok(Walked::new(Out::Clear));
            }
            let directive = match origin.as_mut() {
                Some(origin) => map_directive(origin)?,
                None => Directive::Merge,
            };
            match directive {
                Directive::Delete => return Ok(Walked::new(Out::Clear)),
                Directive::Replace => {
                    aliased = true;
                    origin.as_ref().map(shape).unwrap_or_default()
                }
                Directive::Merge if aliased => origin.as_ref().map(shape).unwrap_or_default(),
                Directive::Merge => {
                    in_place = true;
                    dest
                }
            }
        }
    };
    let Value::Object(dest_map) = &mut dest else {
        // A null patch value over a missing field: nothing to set.
        return Ok(Walked {
            out: Out::Set(dest),
            in_place,
        });
    };
    merge_fields(dest_map, origin.as_mut(), aliased, schema, path)?;
    Ok(Walked {
        out: Out::Set(dest),
        in_place,
    })
}

/// Walks every field of the target and the patch, in sorted order as kyaml.
///
/// Each field's values are moved, not copied, into the walk below (the
/// caller's patch and target are working copies), so a deep object costs
/// memory and time linear in its size.
fn merge_fields(
    dest: &mut Map<String, Value>,
    origin: Option<&mut Value>,
    aliased: bool,
    schema: Schema<'_>,
    path: &mut Vec<String>,
) -> Result<()> {
    let mut origin_map = origin.and_then(Value::as_object_mut);
    let mut names: Vec<String> = dest.keys().cloned().collect();
    if let Some(origin_map) = &origin_map {
        names.extend(origin_map.keys().cloned());
    }
    names.sort();
    names.dedup();
    for name in names {
        let sub_origin = origin_map
            .as_mut()
            .and_then(|m| m.get_mut(&name))
            .map(std::mem::take);
        // The field is walked out of the target and always written back below.
        let sub_dest = if aliased {
            None
        } else {
            dest.get_mut(&name).map(std::mem::take)
        };
        path.push(name.clone());
        let walked = walk(sub_dest, sub_origin, aliased, schema.field(&name), path)?;
        path.pop();
        match walked.out {
            Out::Clear | Out::Set(Value::Null) => {
                dest.shift_remove(&name);
            }
            Out::KeepNull => {
                dest.insert(name, Value::Null);
            }
            Out::Set(value) => {
                dest.insert(name, value);
            }
        }
    }
    Ok(())
}

/// What an aliased target needs of the patch node: a map's keys (in
/// order, values to be filled by the walk), anything else as it is.
fn shape(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(map.keys().map(|k| (k.clone(), Value::Null)).collect()),
        other => other.clone(),
    }
}

/// A node's text as kyaml's merge compares it (`Node.Value`; a null reads
/// `null`, maps and lists are empty).
fn node_text_word(value: &Value) -> String {
    node_text(value, Null::Word).into_owned()
}

#[cfg(test)]
mod tests;
