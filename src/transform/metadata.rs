//! `buildMetadata:` annotations (kustomize's origin tracking, `api/resource/origin.go`
//! and `resWrangler.AddOriginAnnotation`/`AddTransformerAnnotation`).
//!
//! Only the top kustomization's `buildMetadata` counts (kustomize gives
//! every base the top's list). With `originAnnotations` every resource gets
//! `config.kubernetes.io/origin`: the `path` of its file, or for a generated
//! resource the file that configured the generator (`configuredIn`) and the
//! generator (`configuredBy`). With `transformerAnnotations` every resource
//! gets `alpha.config.kubernetes.io/transformations`: every transformer
//! that ran while the resource was in the build, in order, whether it
//! changed the resource or not. Paths are relative to the top
//! kustomization's directory (`../base/service.yaml`).
//!
//! strata keeps this on the [`Resource`]
//! (`origin`, `transformations`) and writes the annotations once, at the
//! end ([`annotate`]); transformations are recorded as layers run
//! ([`record`]).

use std::path::{Component, Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::Result;
use crate::resource::{Configured, Origin, Resource, ResourceMap};

pub const ORIGIN_ANNOTATION: &str = "config.kubernetes.io/origin";
pub const TRANSFORMATIONS_ANNOTATION: &str = "alpha.config.kubernetes.io/transformations";

/// The `buildMetadata` options that add annotations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BuildMetadata {
    /// `originAnnotations`
    pub origins: bool,
    /// `transformerAnnotations`
    pub transformations: bool,
}

impl BuildMetadata {
    /// Reads the top kustomization's list; other values (`managedByLabel`,
    /// unknown words) are ignored here, as kustomize ignores unknown ones.
    pub fn from_options(options: &[String]) -> Self {
        BuildMetadata {
            origins: options.iter().any(|o| o == "originAnnotations"),
            transformations: options.iter().any(|o| o == "transformerAnnotations"),
        }
    }

    /// Whether anything must be recorded during the build.
    pub fn any(&self) -> bool {
        self.origins || self.transformations
    }
}

/// Records that `transformer` ran over every resource now in `resources`.
pub fn record(resources: &mut ResourceMap, transformer: &Configured) {
    for resource in resources.edit().iter_mut() {
        resource.transformations.push(transformer.clone());
    }
}

/// Writes the annotations `options` asks for on every resource; paths are
/// made relative to `top`, the top kustomization's directory.
pub fn annotate(resources: &mut ResourceMap, top: &Path, options: BuildMetadata) -> Result<()> {
    if !options.any() {
        return Ok(());
    }
    for resource in resources.edit().iter_mut() {
        if options.origins {
            if let Some(text) = origin_text(&resource.origin, top) {
                set_annotation(resource, ORIGIN_ANNOTATION, text);
            }
        }
        if options.transformations && !resource.transformations.is_empty() {
            let text = transformations_text(&resource.transformations, top);
            set_annotation(resource, TRANSFORMATIONS_ANNOTATION, text);
        }
    }
    Ok(())
}

/// The origin annotation, as kyaml marshals kustomize's `Origin`; `None`
/// for resources that have no file.
pub fn origin_text(origin: &Origin, top: &Path) -> Option<String> {
    match origin {
        Origin::File(path) | Origin::Jsonnet(path) => {
            Some(format!("path: {}\n", scalar(&relative(path, top))))
        }
        Origin::Generator {
            kustomization,
            generator,
        } => {
            let configured = Configured::builtin(kustomization, &generator_kind(generator));
            Some(configured_text(&configured, top, ""))
        }
        Origin::Plugin(configured) => Some(configured_text(configured, top, "")),
        Origin::Inline => None,
    }
}

/// The transformations annotation: a YAML list of origins.
pub fn transformations_text(transformations: &[Configured], top: &Path) -> String {
    let mut text = String::new();
    for configured in transformations {
        let entry = configured_text(configured, top, "  ");
        // The first line of each entry carries the list dash.
        text.push_str("- ");
        text.push_str(entry.trim_start());
    }
    text
}

/// `configuredIn` and `configuredBy`, each line prefixed by `indent`.
fn configured_text(configured: &Configured, top: &Path, indent: &str) -> String {
    let mut text = format!(
        "{indent}configuredIn: {}\n{indent}configuredBy:\n",
        scalar(&relative(&configured.file, top))
    );
    for (key, value) in [
        ("apiVersion", &configured.api_version),
        ("kind", &configured.kind),
        ("name", &configured.name),
        ("namespace", &configured.namespace),
    ] {
        if !value.is_empty() {
            text.push_str(&format!("{indent}  {key}: {}\n", scalar(value)));
        }
    }
    text
}

/// `configMapGenerator` → `ConfigMapGenerator`.
fn generator_kind(field: &str) -> String {
    let mut chars = field.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

fn set_annotation(resource: &mut Resource, key: &str, text: String) {
    let metadata = resource.metadata_mut();
    let annotations = metadata
        .entry("annotations")
        .or_insert_with(|| Value::Object(Map::new()));
    if !annotations.is_object() {
        *annotations = Value::Object(Map::new());
    }
    if let Value::Object(annotations) = annotations {
        annotations.insert(key.to_string(), Value::String(text));
    }
}

/// A scalar as YAML writes it: plain when that reads back as the same
/// string, double-quoted otherwise.
fn scalar(text: &str) -> String {
    let written = crate::emit::document(&Value::String(text.to_string()));
    let written = written.strip_suffix('\n').unwrap_or(&written);
    if written.contains('\n') {
        serde_json::to_string(text).unwrap_or_else(|_| text.to_string())
    } else {
        written.to_string()
    }
}

/// `path` relative to the directory `top`, lexically (both are normalized
/// build paths). Falls back to `path` when no relative form exists.
pub fn relative(path: &Path, top: &Path) -> String {
    // `.` parts say nothing (a build of `.` has files named `x.yaml`).
    let (path_parts, top_parts) = (meaningful_parts(path), meaningful_parts(top));
    if path.is_absolute() != top.is_absolute() {
        return path.display().to_string();
    }
    let common = path_parts
        .iter()
        .zip(&top_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let rest_of_top = &top_parts[common..];
    if rest_of_top
        .iter()
        .any(|c| matches!(c, Component::ParentDir))
    {
        return path.display().to_string();
    }
    let mut result = PathBuf::new();
    for _ in rest_of_top {
        result.push("..");
    }
    for part in &path_parts[common..] {
        result.push(part.as_os_str());
    }
    result.display().to_string()
}

fn meaningful_parts(path: &Path) -> Vec<Component<'_>> {
    path.components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect()
}

#[cfg(test)]
mod tests;
