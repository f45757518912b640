//! The `images:` transformer: kustomize's `ImageTagTransformer`.
//!
//! For each entry, in order, kustomize runs two passes over every resource
//! except `CustomResourceDefinition`s:
//!
//! 1. the legacy pass: every `containers` or `initContainers` list at any
//!    depth, and the `image` of each of its elements;
//! 2. the field-spec pass over the `images` field specs (by default
//!    `spec/containers[]/image`, `spec/initContainers[]/image`,
//!    `spec/template/spec/containers[]/image` and
//!    `spec/template/spec/initContainers[]/image`, plus any from
//!    `configurations:`; nothing is created).
//!
//! Images on the default paths are therefore updated twice. That is harmless
//! for `newName`, `newTag` and `digest`, but a `tagSuffix` is appended twice
//! there (`app:1.0` → `app:1.0-s-s`), once elsewhere; `kubectl kustomize`
//! does exactly this, so we do too.
//!
//! An entry's `name` is used as a regular expression, unescaped, as
//! kustomize does: `^NAME(:tag)?(@sha256:digest)?$` must match the image.

use regex::Regex;
use serde_json::Value;

use crate::engine::fieldspec::FieldSpec;
use crate::error::{Error, Result};
use crate::load::kustomization::Image;
use crate::resource::{value_kind, ResourceMap};

/// Applies every `images:` entry, in order, to every resource, with the
/// `images` field specs of the layer's transformer configuration.
pub fn apply(resources: &mut ResourceMap, images: &[Image], specs: &[FieldSpec]) -> Result<()> {
    for image in images {
        let rule = Rule::new(image)?;
        for resource in resources.edit().iter_mut() {
            if resource.kind() == "CustomResourceDefinition" {
                continue;
            }
            let (id, origin) = (resource.id(), resource.origin.clone());
            update_object(resource.object_mut(), &rule, specs).map_err(|message| {
                Error::resource(
                    &id,
                    format!("(from {origin}): images: entry `{}`: {message}", image.name),
                )
            })?;
        }
    }
    Ok(())
}

/// One `images:` entry, with its name compiled.
struct Rule<'a> {
    image: &'a Image,
    pattern: Regex,
}

impl<'a> Rule<'a> {
    fn new(image: &'a Image) -> Result<Self> {
        // Same text as kustomize's `IsImageMatched`; the name is not escaped.
        let source = format!(
            "^{}(:[a-zA-Z0-9_.{{}}-]*)?(@sha256:[a-zA-Z0-9_.{{}}-]*)?$",
            image.name
        );
        let pattern = Regex::new(&source).map_err(|error| {
            Error::msg(format!(
                "images: entry `{}`: the name is not a valid regular expression (kustomize matches names as patterns): {error}",
                image.name
            ))
        })?;
        Ok(Rule { image, pattern })
    }

    /// The new image for `value`, or `None` when the entry does not match.
    fn rewrite(&self, value: &str) -> Option<String> {
        if !self.pattern.is_match(value) {
            return None;
        }
        let (name, tag, digest) = split(value);
        let image = self.image;
        let non_empty = |field: &Option<String>| field.clone().filter(|s| !s.is_empty());
        let mut name = name.to_string();
        let mut tag = tag.to_string();
        let mut digest = digest.to_string();
        if let Some(new_name) = non_empty(&image.new_name) {
            name = new_name;
        }
        // A new tag or digest replaces both the old tag and digest.
        match (
            non_empty(&image.new_tag),
            non_empty(&image.digest),
            non_empty(&image.tag_suffix),
        ) {
            (Some(new_tag), Some(new_digest), _) => (tag, digest) = (new_tag, new_digest),
            (Some(new_tag), None, _) => (tag, digest) = (new_tag, String::new()),
            (None, Some(new_digest), _) => (tag, digest) = (String::new(), new_digest),
            (None, None, Some(suffix)) => {
                tag.push_str(&suffix);
                digest.clear();
            }
            (None, None, None) => {}
        }
        if !tag.is_empty() {
            name = format!("{name}:{tag}");
        }
        if !digest.is_empty() {
            name = format!("{name}@{digest}");
        }
        Some(name)
    }
}

/// Splits an image into name, tag and digest as kustomize's `image.Split`:
/// a `:` before the first `/` is a registry port, not a tag.
fn split(image: &str) -> (&str, &str, &str) {
    let offset = match image.find('/') {
        Some(slash) if slash > 0 => slash,
        _ => 0,
    };
    let search = &image[offset..];
    let at = search.find('@').map(|i| i + offset);
    let colon = search.find(':').map(|i| i + offset);
    match (at, colon) {
        (None, None) => (image, "", ""),
        (Some(at), None) => (&image[..at], "", &image[at + 1..]),
        (Some(at), Some(colon)) if at < colon => (&image[..at], "", &image[at + 1..]),
        (Some(at), Some(colon)) => (&image[..colon], &image[colon + 1..at], &image[at + 1..]),
        (None, Some(colon)) => (&image[..colon], &image[colon + 1..], ""),
    }
}

/// Both passes over one object.
fn update_object(object: &mut Value, rule: &Rule, specs: &[FieldSpec]) -> Result<(), String> {
    legacy_pass(object, rule)?;
    for spec in specs {
        if !spec.matches_object(object) {
            continue;
        }
        let path: Vec<&str> = spec.path.iter().map(String::as_str).collect();
        field_spec_pass(object, &path, rule)
            .map_err(|message| format!("field `{}`: {message}", spec.path_string()))?;
    }
    Ok(())
}

/// Every `containers`/`initContainers` list, at any depth.
fn legacy_pass(value: &mut Value, rule: &Rule) -> Result<(), String> {
    match value {
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                legacy_pass(item, rule)?;
                if key == "containers" || key == "initContainers" {
                    update_container_list(item, rule)
                        .map_err(|message| format!("`{key}`: {message}"))?;
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                legacy_pass(item, rule)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn update_container_list(list: &mut Value, rule: &Rule) -> Result<(), String> {
    let Value::Array(containers) = list else {
        return Ok(());
    };
    for container in containers {
        match container {
            Value::Null => {}
            Value::Object(map) => {
                if let Some(image) = map.get_mut("image") {
                    update_image(image, rule)?;
                }
            }
            other => return Err(format!("expected a mapping, found {}", value_kind(other))),
        }
    }
    Ok(())
}

/// kustomize's field-spec walk without creation: lists are walked element
/// by element with the same path; a scalar where the path goes on is an error.
fn field_spec_pass(value: &mut Value, path: &[&str], rule: &Rule) -> Result<(), String> {
    let Some((first, rest)) = path.split_first() else {
        return update_image(value, rule);
    };
    match value {
        Value::Null => Ok(()),
        Value::Array(items) => items
            .iter_mut()
            .try_for_each(|item| field_spec_pass(item, path, rule)),
        Value::Object(map) => match map.get_mut(first.trim_end_matches("[]")) {
            Some(field) => field_spec_pass(field, rest, rule),
            None => Ok(()),
        },
        other => Err(format!(
            "expected a list or mapping, found {}",
            value_kind(other)
        )),
    }
}

fn update_image(image: &mut Value, rule: &Rule) -> Result<(), String> {
    let text = match image {
        Value::Null => return Ok(()),
        Value::String(text) => text.clone(),
        Value::Number(number) => number.to_string(),
        Value::Bool(flag) => flag.to_string(),
        other => {
            return Err(format!(
                "`image` must be a string, found {}",
                value_kind(other)
            ))
        }
    };
    if let Some(new) = rule.rewrite(&text) {
        *image = Value::String(new);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
