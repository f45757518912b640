//! Merge lists: kyaml's `walkAssociativeSequence` with
//! `ListIncreaseDirection: Prepend`, step for step, since which elements
//! survive and in what order falls out of its helpers (`mergeValues`,
//! `validateKeys`, `ElementSetter`, `appendListNode`) and their quirks.

use serde_json::{Map, Value};

use super::schema::{ListSchema, Schema};
use super::{is_nil_or_empty, node_text_word, parse_directive, walk, Directive, Out, Walked};
use crate::error::{Error, Result};

/// kyaml's `walkAssociativeSequence` for a list the schema marks `merge`.
pub(super) fn walk_merge_list(
    dest: Option<Value>,
    mut origin: Option<Value>,
    mut aliased: bool,
    schema: Schema<'_>,
    list: &ListSchema<'_>,
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
    let keys = list.keys;
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
    let text = node_text_word(value);
    element_setter(items, None, &["$patch".to_string()], &[text])?;
    Ok(directive)
}

/// The state of one merge-list walk.
struct ListMerge<'a> {
    dest: Vec<Value>,
    /// `None` when the patch has no list here.
    origin: Option<Vec<Value>>,
    aliased: bool,
    items_schema: Schema<'a>,
}

impl ListMerge<'_> {
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
                        Some(value) if !is_nil_or_empty(value) => node_text_word(value),
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
                let value = vec![node_text_word(element)];
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

impl ListMerge<'_> {
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
        return list.iter().position(|e| node_text_word(e) == first_value);
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
            .all(|(k, v)| map.get(k).is_some_and(|field| node_text_word(field) == *v))
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
            _ => Ok(node_text_word(item) == value),
        };
    }
    match item {
        Value::Object(map) => Ok(map
            .get(key)
            .is_some_and(|field| value.is_empty() || node_text_word(field) == value)),
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
            let text = node_text_word(&element);
            element_setter(&mut items, Some(element), &[String::new()], &[text])?;
            continue;
        }
        let mut values = Vec::new();
        for key in keys {
            match &element {
                Value::Null => items.push(element.clone()),
                Value::Object(map) => match map.get(key) {
                    Some(value) => values.push(node_text_word(value)),
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
