//! Strategic merge patch, as kustomize applies it (kyaml `merge2` with
//! `ListIncreaseDirection: Prepend`), not as the API server does.
//!
//! The rules, all checked against `kubectl kustomize`:
//! - maps merge key by key; a `null` in the patch deletes the key;
//! - `$patch: delete` removes the map (or list element) it sits in, and at
//!   the top level the whole resource; `$patch: replace` on a map takes the
//!   patch's map as is;
//! - lists the schema marks `merge` (see [`schema`]) merge element by
//!   element on their keys: elements the patch names come first, in patch
//!   order, then the remaining elements of the target in their order. An
//!   element-level `$patch: replace` has no effect (kyaml restores the
//!   target's element); `$patch: replace|delete` as a lone list element
//!   replaces or clears the list; `$patch: replace` at the top level
//!   changes nothing (kyaml merges into the patch, not the resource);
//! - every other list (and every list of a custom resource) is replaced;
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

pub mod schema;

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use schema::{ListSchema, Schema};

/// Merges `patch` into `target` in place. A patch that deletes the whole
/// object (`$patch: delete` at the top) leaves `Value::Null`.
///
/// Merge keys come from the built-in schema of `target`'s apiVersion/kind.
pub fn merge(target: &mut Value, patch: &Value) -> Result<()> {
    let mut path = Vec::new();
    let dest = Some(target.clone());
    let walked = walk(dest, Some(patch.clone()), false, Schema::Unknown, &mut path)?;
    match walked.out {
        // kustomize keeps the resource node it merged into; a top-level
        // `$patch: replace` merges into the patch instead and changes nothing.
        Out::Set(value) if walked.in_place => *target = value,
        Out::Set(_) => {}
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

/// A scalar's text as YAML wrote it (kyaml compares `Node.Value`).
fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".to_string(),
        Value::Array(_) | Value::Object(_) => String::new(),
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
    schema: Schema,
    path: &mut Vec<String>,
) -> Result<Walked> {
    let dest = if aliased { origin.clone() } else { dest };
    let schema = if schema.is_unknown() {
        schema_from_meta(dest.as_ref()).or_else(|| schema_from_meta(origin.as_ref()))
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
            Some(list) => walk_merge_list(dest, origin, aliased, schema, list, path),
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
            Value::String(scalar_text(&new))
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
fn schema_from_meta(node: Option<&Value>) -> Option<Schema> {
    let map = node?.as_object()?;
    let api_version = map.get("apiVersion")?.as_str()?;
    let kind = map.get("kind")?.as_str()?;
    if api_version.is_empty() || kind.is_empty() {
        return None;
    }
    let schema = Schema::for_type(api_version, kind);
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
    match scalar_text(value).as_str() {
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
    schema: Schema,
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
                Some(value) => value.clone(),
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
                    origin.clone().unwrap_or_default()
                }
                Directive::Merge if aliased => origin.clone().unwrap_or_default(),
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
    merge_fields(dest_map, origin.as_ref(), aliased, schema, path)?;
    Ok(Walked {
        out: Out::Set(dest),
        in_place,
    })
}

/// Walks every field of the target and the patch, in sorted order as kyaml.
fn merge_fields(
    dest: &mut Map<String, Value>,
    origin: Option<&Value>,
    aliased: bool,
    schema: Schema,
    path: &mut Vec<String>,
) -> Result<()> {
    let origin_map = origin.and_then(Value::as_object);
    let mut names: Vec<String> = dest.keys().cloned().collect();
    if let Some(origin_map) = origin_map {
        names.extend(origin_map.keys().cloned());
    }
    names.sort();
    names.dedup();
    for name in names {
        let sub_origin = origin_map.and_then(|m| m.get(&name)).cloned();
        let sub_dest = if aliased {
            None
        } else {
            dest.get(&name).cloned()
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

/// kyaml's `walkAssociativeSequence` for a list the schema marks `merge`.
fn walk_merge_list(
    dest: Option<Value>,
    mut origin: Option<Value>,
    mut aliased: bool,
    schema: Schema,
    list: &ListSchema,
    path: &mut Vec<String>,
) -> Result<Walked> {
    let dest = match dest {
        None | Some(Value::Null) if !aliased => {
            aliased = true;
            origin.clone().unwrap_or_default()
        }
        dest => {
            if matches!(origin, Some(Value::Null)) {
                return Ok(Walked::new(Out::Clear));
            }
            let directive = match origin.as_mut() {
                Some(Value::Array(items)) => list_directive(items)?,
                _ => Directive::Merge,
            };
            match directive {
                Directive::Delete => return Ok(Walked::new(Out::Clear)),
                Directive::Replace => {
                    aliased = true;
                    origin.clone().unwrap_or_default()
                }
                Directive::Merge if aliased => origin.clone().unwrap_or_default(),
                Directive::Merge => dest.unwrap_or_default(),
            }
        }
    };
    let dest = match dest {
        Value::Array(items) => items,
        other => return Ok(Walked::new(Out::Set(other))),
    };
    let origin = match origin {
        Some(Value::Array(items)) => Some(items),
        _ => None,
    };
    let mut merge = ListMerge {
        dest,
        origin,
        aliased,
        items_schema: schema.elements(),
    };
    let keys = &list.keys;
    let values = merge.element_values(keys);
    let merged = if !values.is_empty() || !keys.is_empty() {
        merge.set_elements(values, keys, path)?
    } else {
        let values = merge.primitive_values();
        merge.set_elements(values, &[String::new()], path)?
    };
    Ok(Walked::new(Out::Set(Value::Array(merged))))
}

/// A lone `{$patch: ...}` element directs the whole list.
fn list_directive(items: &mut Vec<Value>) -> Result<Directive> {
    let marker = items.iter().find_map(|item| {
        let map = item.as_object()?;
        map.get("$patch").map(|value| (map.len(), value))
    });
    let Some((len, value)) = marker else {
        return Ok(Directive::Merge);
    };
    if len > 1 {
        return Ok(Directive::Merge);
    }
    let directive = parse_directive(value)?;
    let text = scalar_text(value);
    element_setter(items, None, &["$patch".to_string()], &[text])?;
    Ok(directive)
}

/// The state of one merge-list walk.
struct ListMerge {
    dest: Vec<Value>,
    /// `None` when the patch has no list here.
    origin: Option<Vec<Value>>,
    aliased: bool,
    items_schema: Schema,
}

impl ListMerge {
    /// The lists in kyaml's prepend order: patch first, then target.
    fn sources(&self) -> Vec<&Vec<Value>> {
        let origin = if self.aliased {
            Some(&self.dest)
        } else {
            self.origin.as_ref()
        };
        origin
            .into_iter()
            .chain(std::iter::once(&self.dest))
            .collect()
    }

    /// Each element's merge-key values, patch elements first, without repeats.
    fn element_values(&self, keys: &[String]) -> Vec<Vec<String>> {
        let mut result: Vec<Vec<String>> = Vec::new();
        for source in self.sources() {
            for element in source {
                let values: Vec<String> = keys
                    .iter()
                    .map(|key| match element.as_object().and_then(|m| m.get(key)) {
                        Some(value) if !is_nil_or_empty(value) => scalar_text(value),
                        _ => String::new(),
                    })
                    .collect();
                if !values.is_empty() && !result.contains(&values) {
                    result.push(values);
                }
            }
        }
        result
    }

    /// The scalar values of a list of scalars (`finalizers`), patch first.
    fn primitive_values(&self) -> Vec<Vec<String>> {
        let mut result: Vec<Vec<String>> = Vec::new();
        for source in self.sources() {
            for element in source {
                let value = vec![scalar_text(element)];
                if !result.contains(&value) {
                    result.push(value);
                }
            }
        }
        result
    }

    /// kyaml's `setAssociativeSequenceElements` with prepend.
    fn set_elements(
        &mut self,
        mut values_list: Vec<Vec<String>>,
        keys: &[String],
        path: &mut Vec<String>,
    ) -> Result<Vec<Value>> {
        let mut items: Vec<Value> = Vec::new();
        if keys.len() > 1 {
            merge_values(&mut values_list);
        }
        let mut last_keys: Vec<String> = Vec::new();
        for values in values_list.clone() {
            if values.is_empty() {
                continue;
            }
            let (valid_keys, valid_values) = validate_keys(&values_list, &values, keys);
            last_keys.clone_from(&valid_keys);
            let (match_keys, match_values) = validate_keys(
                std::slice::from_ref(&valid_values),
                &valid_values,
                &valid_keys,
            );
            let (dest_index, walked) = self.merge_element(&match_keys, &match_values, path)?;
            if walked.out.is_empty() && !valid_keys.is_empty() {
                element_setter(&mut self.dest, None, &valid_keys, &valid_values)?;
                continue;
            }
            let mut value = match walked.out {
                Out::Set(value) => value,
                Out::Clear | Out::KeepNull => Value::Null,
            };
            ensure_keys(&mut value, &valid_keys, &valid_values);
            // The target element itself was merged into: later steps see it.
            if let (Some(index), true) = (dest_index, walked.in_place || self.aliased) {
                if index < self.dest.len() && !value.is_null() {
                    self.dest[index] = value.clone();
                }
            }
            let element = (!value.is_null()).then_some(value);
            element_setter(&mut items, element, &valid_keys, &valid_values)?;
        }
        if values_list.is_empty() {
            return Ok(std::mem::take(&mut self.dest));
        }
        let dest = std::mem::take(&mut self.dest);
        append_list(items, dest, &last_keys)
    }
}

impl ListMerge {
    /// Walks the target's and the patch's element with these key values;
    /// also returns where the target's element is.
    fn merge_element(
        &self,
        keys: &[String],
        values: &[String],
        path: &mut Vec<String>,
    ) -> Result<(Option<usize>, Walked)> {
        let dest_index = find_element(&self.dest, keys, values);
        let dest_element = dest_index.map(|i| self.dest[i].clone());
        if self.aliased {
            let walked = walk(None, dest_element, true, self.items_schema, path)?;
            return Ok((dest_index, walked));
        }
        let origin_element = self
            .origin
            .as_ref()
            .and_then(|o| find_element(o, keys, values).map(|i| o[i].clone()));
        let walked = walk(dest_element, origin_element, false, self.items_schema, path)?;
        Ok((dest_index, walked))
    }
}

/// kyaml sets the merge keys on a merged element that lacks them.
fn ensure_keys(value: &mut Value, keys: &[String], values: &[String]) {
    if let Value::Object(map) = value {
        for (key, key_value) in keys.iter().zip(values) {
            if !key.is_empty() && !map.contains_key(key) && !key_value.is_empty() {
                map.insert(key.clone(), Value::String(key_value.clone()));
            }
        }
    }
}

/// kyaml's `mergeValues`: key tuples that agree except where one side is
/// empty are taken as the same element (a port with and without `protocol`).
fn merge_values(values_list: &mut [Vec<String>]) {
    for i in 0..values_list.len() {
        let first = values_list[i].clone();
        for j in 0..values_list.len() {
            let second = values_list[j].clone();
            if let Some(merged) = match_values(&first, &second) {
                values_list[i].clone_from(&merged);
                values_list[j] = merged;
            }
        }
    }
}

fn match_values(first: &[String], second: &[String]) -> Option<Vec<String>> {
    if first.len() != second.len() {
        return None;
    }
    let mut common = false;
    let mut result = Vec::with_capacity(first.len());
    for (a, b) in first.iter().zip(second) {
        if a == b {
            common = true;
            result.push(a.clone());
        } else if !a.is_empty() && !b.is_empty() {
            return None;
        } else if !a.is_empty() {
            result.push(a.clone());
        } else {
            result.push(b.clone());
        }
    }
    common.then_some(result)
}

/// kyaml's `validateKeys`: drop secondary keys no element sets.
fn validate_keys(
    values_list: &[Vec<String>],
    values: &[String],
    keys: &[String],
) -> (Vec<String>, Vec<String>) {
    let mut used = vec![false; keys.len()];
    for entry in values_list {
        for (i, value) in entry.iter().enumerate() {
            if !value.is_empty() && i < used.len() {
                used[i] = true;
            }
        }
    }
    if !used.iter().any(|u| *u) {
        return (keys.to_vec(), values.to_vec());
    }
    let valid_keys = keys
        .iter()
        .zip(&used)
        .filter(|(_, u)| **u)
        .map(|(k, _)| k.clone())
        .collect();
    let valid_values = values
        .iter()
        .enumerate()
        .filter(|(i, v)| !v.is_empty() || used.get(*i).copied().unwrap_or(false))
        .map(|(_, v)| v.clone())
        .collect();
    (valid_keys, valid_values)
}

/// kyaml's `ElementMatcher`: the first element whose keys have these values.
fn find_element(list: &[Value], keys: &[String], values: &[String]) -> Option<usize> {
    let first_key = keys.first().map_or("", String::as_str);
    let first_value = values.first().map_or("", String::as_str);
    if first_key.is_empty() {
        return list.iter().position(|e| scalar_text(e) == first_value);
    }
    if keys.len() != values.len() {
        return None;
    }
    list.iter().position(|element| {
        let Some(map) = element.as_object() else {
            return false;
        };
        keys.iter()
            .zip(values)
            .all(|(k, v)| map.get(k).is_some_and(|field| scalar_text(field) == *v))
    })
}

/// kyaml's `ElementSetter`: replace the elements matching `keys`/`values`
/// with `element` (append it when none match), or remove them when
/// `element` is `None`. Like kyaml, it drops null and empty-map elements.
fn element_setter(
    list: &mut Vec<Value>,
    element: Option<Value>,
    keys: &[String],
    values: &[String],
) -> Result<()> {
    let default_keys = [String::new()];
    let keys = if keys.is_empty() {
        &default_keys[..]
    } else {
        keys
    };
    let mapping_setter = !keys[0].is_empty() && values.first().is_some_and(|v| !v.is_empty());
    let mut result = Vec::with_capacity(list.len() + 1);
    let mut found_any = false;
    for item in std::mem::take(list) {
        if item.is_null() || item.as_object().is_some_and(Map::is_empty) {
            continue;
        }
        if !item.is_object() && mapping_setter {
            result.push(item);
            continue;
        }
        let mut found = true;
        let mut matched = false;
        for (j, key) in keys.iter().enumerate() {
            if let Some(value) = values.get(j) {
                matched = field_matches(&item, key, value)?;
            }
            if !matched {
                found = false;
                break;
            }
        }
        if !found {
            if !values.is_empty() {
                result.push(item);
            }
            continue;
        }
        found_any = true;
        if let Some(element) = &element {
            result.push(element.clone());
        }
    }
    *list = result;
    match element {
        Some(element) if !element.is_null() && !found_any => list.push(element),
        _ => {}
    }
    Ok(())
}

/// kyaml's `FieldMatcher{Name, StringValue}`: an empty value matches any
/// element that has the field at all.
fn field_matches(item: &Value, key: &str, value: &str) -> Result<bool> {
    if key.is_empty() {
        return match item {
            Value::Object(_) | Value::Array(_) => Err(Error::msg(format!(
                "strategic merge patch: expected a scalar list element, found {}",
                crate::resource::value_kind(item)
            ))),
            _ => Ok(scalar_text(item) == value),
        };
    }
    match item {
        Value::Object(map) => Ok(map
            .get(key)
            .is_some_and(|field| value.is_empty() || scalar_text(field) == value)),
        other => Err(Error::msg(format!(
            "strategic merge patch: expected list elements with `{key}`, found {}",
            crate::resource::value_kind(other)
        ))),
    }
}

/// kyaml's `appendListNode(items, dest)`: the target's remaining elements
/// go after the patch's, each replacing a same-key element already there.
fn append_list(mut items: Vec<Value>, dest: Vec<Value>, keys: &[String]) -> Result<Vec<Value>> {
    for element in dest {
        if keys.first().is_none_or(String::is_empty) {
            let text = scalar_text(&element);
            element_setter(&mut items, Some(element), &[String::new()], &[text])?;
            continue;
        }
        let mut values = Vec::new();
        for key in keys {
            match &element {
                Value::Null => items.push(element.clone()),
                Value::Object(map) => match map.get(key) {
                    Some(value) => values.push(scalar_text(value)),
                    None => items.push(element.clone()),
                },
                other => {
                    return Err(Error::msg(format!(
                        "strategic merge patch: expected list elements with `{key}`, found {}",
                        crate::resource::value_kind(other)
                    )))
                }
            }
        }
        if keys.len() > 1 {
            element_setter(&mut items, None, keys, &values)?;
        }
        element_setter(&mut items, Some(element), keys, &values)?;
    }
    Ok(items)
}

#[cfg(test)]
mod tests;
