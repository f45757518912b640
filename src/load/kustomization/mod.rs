//! The `kustomization.yaml` format as data: parsed, checked, normalized.
//!
//! Pure data that the build and the transformers consume. Field names match
//! case-insensitively at the top level (kustomize reads the file through Go's
//! `encoding/json`, which does the same); unknown fields are errors.

use std::path::{Path, PathBuf};

mod helm;
pub mod replacements;
pub mod vars;

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;

use crate::engine::fieldspec::FieldSpec;
pub(crate) use crate::error::at;
use crate::error::{Error, Result};
use crate::fs::FileSystem;
use crate::load::jsonnet::JsonnetConfig;
use crate::resource::Behavior;

pub use helm::{HelmChart, HelmChartArgs, HelmGlobals};
pub use replacements::ReplacementField;
pub use vars::Var;

/// The file names a kustomization may have, in kustomize's order of preference.
pub const FILE_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

pub type StringMap = IndexMap<String, String>;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Kustomization {
    pub api_version: Option<String>,
    pub kind: Option<String>,
    pub metadata: Option<Value>,
    pub open_api: Option<OpenApiField>,
    pub name_prefix: Option<String>,
    pub name_suffix: Option<String>,
    pub namespace: Option<String>,
    pub common_labels: Option<StringMap>,
    pub labels: Vec<Label>,
    pub common_annotations: Option<StringMap>,
    pub patches_strategic_merge: Vec<String>,
    #[serde(rename = "patchesJson6902")]
    pub patches_json6902: Vec<Patch>,
    pub patches: Vec<Patch>,
    pub images: Vec<Image>,
    pub image_tags: Vec<Image>,
    pub replacements: Vec<ReplacementField>,
    pub replicas: Vec<Replica>,
    pub vars: Vec<Var>,
    pub sort_options: Option<SortOptions>,
    pub resources: Vec<String>,
    pub components: Vec<String>,
    pub crds: Vec<String>,
    pub bases: Vec<String>,
    pub config_map_generator: Vec<GeneratorArgs>,
    pub secret_generator: Vec<GeneratorArgs>,
    pub helm_globals: Option<HelmGlobals>,
    pub helm_charts: Vec<HelmChart>,
    pub helm_chart_inflation_generator: Vec<HelmChartArgs>,
    pub generator_options: Option<GeneratorOptions>,
    pub configurations: Vec<String>,
    pub generators: Vec<String>,
    pub transformers: Vec<String>,
    pub validators: Vec<String>,
    pub build_metadata: Vec<String>,
    /// strata: PodPreset files or directories applied at this layer.
    pub presets: Vec<String>,
    /// strata: settings for `.jsonnet` resources.
    pub jsonnet: Option<JsonnetConfig>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Label {
    pub pairs: StringMap,
    pub include_selectors: bool,
    pub include_templates: bool,
    pub fields: Vec<FieldSpec>,
}

/// The `openapi:` field: a custom schema file or a built-in version. Values
/// are read as Go reads them into strings (numbers and booleans as text,
/// null as empty).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OpenApiField {
    pub path: Option<String>,
    pub version: Option<String>,
}

impl<'de> Deserialize<'de> for OpenApiField {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        let Value::Object(map) = &value else {
            return Err(serde::de::Error::custom(
                "expected a mapping with `path` or `version`",
            ));
        };
        let text = |key: &str| match map.get(key) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(String::new())),
            Some(scalar) => crate::kyaml::scalar_text(scalar)
                .map(|text| Some(text.into_owned()))
                .ok_or_else(|| serde::de::Error::custom(at(key, "expected a string"))),
        };
        Ok(OpenApiField {
            path: text("path")?,
            version: text("version")?,
        })
    }
}

/// An entry of `patches` or `patchesJson6902`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Patch {
    pub path: Option<String>,
    pub patch: Option<String>,
    pub target: Option<Selector>,
    pub options: Option<PatchOptions>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct PatchOptions {
    pub allow_name_change: bool,
    pub allow_kind_change: bool,
}

/// A patch or replacement target: every set field must match.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Selector {
    pub group: Option<String>,
    pub version: Option<String>,
    pub kind: Option<String>,
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub label_selector: Option<String>,
    pub annotation_selector: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Image {
    pub name: String,
    pub new_name: Option<String>,
    pub new_tag: Option<String>,
    pub digest: Option<String>,
    pub tag_suffix: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Replica {
    pub name: String,
    pub count: i64,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct SortOptions {
    pub order: Option<String>,
    pub legacy_sort_options: Option<LegacySortOptions>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct LegacySortOptions {
    pub order_first: Vec<String>,
    pub order_last: Vec<String>,
}

/// One `configMapGenerator` or `secretGenerator` entry.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct GeneratorArgs {
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub behavior: Option<Behavior>,
    #[serde(deserialize_with = "null_as_empty")]
    pub literals: Vec<String>,
    #[serde(deserialize_with = "null_as_empty")]
    pub files: Vec<String>,
    #[serde(deserialize_with = "null_as_empty")]
    pub envs: Vec<String>,
    /// Deprecated single env file, folded into `envs` by `Kustomization::normalize`.
    pub env: Option<String>,
    pub options: Option<GeneratorOptions>,
    /// Secrets only; `Opaque` when unset.
    #[serde(rename = "type")]
    pub secret_type: Option<String>,
}

/// Go decodes `null` into a list as an empty list (`literals: null`).
fn null_as_empty<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> std::result::Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<String>>::deserialize(deserializer)?.unwrap_or_default())
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct GeneratorOptions {
    pub labels: Option<StringMap>,
    pub annotations: Option<StringMap>,
    pub disable_name_suffix_hash: Option<bool>,
    pub immutable: Option<bool>,
}

/// Canonical top-level field names, for case-insensitive matching.
const FIELDS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "openapi",
    "namePrefix",
    "nameSuffix",
    "namespace",
    "commonLabels",
    "labels",
    "commonAnnotations",
    "patchesStrategicMerge",
    "patchesJson6902",
    "patches",
    "images",
    "imageTags",
    "replacements",
    "replicas",
    "vars",
    "sortOptions",
    "resources",
    "components",
    "crds",
    "bases",
    "configMapGenerator",
    "secretGenerator",
    "helmGlobals",
    "helmCharts",
    "helmChartInflationGenerator",
    "generatorOptions",
    "configurations",
    "generators",
    "transformers",
    "validators",
    "buildMetadata",
    "presets",
    "jsonnet",
];

/// The kustomization file in `dir`, if any, by kustomize's order of preference.
pub fn find_file(fs: &dyn FileSystem, dir: &Path) -> Option<PathBuf> {
    FILE_NAMES
        .iter()
        .map(|name| dir.join(name))
        .find(|path| fs.is_file(path))
}

/// Reads and parses the kustomization of `dir`, which must hold exactly one
/// of [`FILE_NAMES`]. Returns the file's path too.
pub fn load_dir(fs: &dyn FileSystem, dir: &Path) -> Result<(PathBuf, Kustomization)> {
    let present: Vec<PathBuf> = FILE_NAMES
        .iter()
        .map(|name| dir.join(name))
        .filter(|path| fs.is_file(path))
        .collect();
    match present.as_slice() {
        [] => Err(Error::file(
            dir,
            format!(
                "unable to find one of {} in directory",
                FILE_NAMES.map(|n| format!("'{n}'")).join(", ")
            ),
        )),
        [path] => {
            let text = fs.read_to_string(path)?;
            if crate::yaml::parse_config(&text, path)?.is_null() {
                // kustomize refuses an empty (or comments-only) file.
                return Err(Error::file(
                    path,
                    "the kustomization is empty: list at least `resources:` (or another field)",
                ));
            }
            Ok((path.clone(), Kustomization::parse(&text, path)?))
        }
        [first, ..] => Err(Error::file(
            dir,
            format!(
                "found multiple kustomization files; keep only `{}`",
                first.file_name().unwrap_or_default().to_string_lossy()
            ),
        )),
    }
}

/// A field error of the kustomization placed on the field's line.
fn on_its_line(error: Error, text: &str) -> Error {
    let line = error
        .field_of()
        .and_then(|(_, field)| crate::load::lines::line_of(text, 0, field));
    error.at_line(line)
}

pub const KIND_KUSTOMIZATION: &str = "Kustomization";
pub const KIND_COMPONENT: &str = "Component";

impl Kustomization {
    /// Parses a kustomization file's text. `path` is used in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self> {
        Self::parse_value(text, path).map_err(|e| on_its_line(e, text))
    }

    fn parse_value(text: &str, path: &Path) -> Result<Self> {
        let value = crate::yaml::parse_config(text, path)?;
        let value = match value {
            Value::Null => Value::Object(serde_json::Map::new()),
            Value::Object(map) => Value::Object(canonical_fields(map, path)?),
            other => {
                return Err(Error::file(
                    path,
                    format!(
                        "a kustomization must be a mapping, found {}",
                        crate::resource::value_kind(&other)
                    ),
                ))
            }
        };
        let kustomization: Kustomization =
            serde_path_to_error::deserialize(value).map_err(|e| {
                let field = e.path().to_string();
                let field = match field.as_str() {
                    "." => String::new(),
                    // serde knows the field by its Rust name.
                    _ => field.replacen("openApi", "openapi", 1),
                };
                let message = crate::load::lines::explain_type_error(&e.inner().to_string());
                Error::field_relative(path, &field, &message)
            })?;
        kustomization.check_kind(path)?;
        Ok(kustomization.normalize())
    }

    fn check_kind(&self, path: &Path) -> Result<()> {
        match self.kind.as_deref() {
            None | Some("") | Some(KIND_KUSTOMIZATION) | Some(KIND_COMPONENT) => {}
            Some(other) => {
                return Err(Error::field(
                    path,
                    "kind",
                    format!("expected `Kustomization` or `Component`, found `{other}`"),
                ))
            }
        }
        if let Some(api_version) = self.api_version.as_deref() {
            let expected = if self.is_component() {
                ["kustomize.config.k8s.io/v1alpha1"].as_slice()
            } else {
                ["kustomize.config.k8s.io/v1beta1", ""].as_slice()
            };
            if !expected.contains(&api_version) {
                return Err(Error::field(
                    path,
                    "apiVersion",
                    format!(
                        "expected `{}` for kind `{}`, found `{api_version}`",
                        expected[0],
                        self.kind.as_deref().unwrap_or(KIND_KUSTOMIZATION)
                    ),
                ));
            }
        }
        Ok(())
    }

    pub fn is_component(&self) -> bool {
        self.kind.as_deref() == Some(KIND_COMPONENT)
    }

    /// Folds deprecated fields into their replacements, as kustomize's
    /// `FixKustomization` does.
    fn normalize(mut self) -> Self {
        // `bases` are resources too; kustomize appends them after `resources`.
        self.resources.append(&mut self.bases);
        self.images.append(&mut self.image_tags);
        for generator in self
            .config_map_generator
            .iter_mut()
            .chain(self.secret_generator.iter_mut())
        {
            if let Some(env) = generator.env.take() {
                generator.envs.insert(0, env);
            }
        }
        self
    }
}

/// Renames top-level keys to their canonical spelling; unknown keys fail.
fn canonical_fields(
    map: serde_json::Map<String, Value>,
    path: &Path,
) -> Result<serde_json::Map<String, Value>> {
    let mut out = serde_json::Map::new();
    for (key, value) in map {
        let Some(canonical) = FIELDS.iter().find(|f| f.eq_ignore_ascii_case(&key)) else {
            let hint = FIELDS
                .iter()
                .min_by_key(|f| edit_distance(&f.to_ascii_lowercase(), &key.to_ascii_lowercase()))
                .filter(|f| edit_distance(&f.to_ascii_lowercase(), &key.to_ascii_lowercase()) <= 3);
            let mut error = Error::field(path, &key, "unknown field in kustomization");
            if let Some(hint) = hint {
                error = error.with_hint(format!("did you mean `{hint}`?"));
            }
            return Err(error);
        };
        // An empty field (`resources:`) means unset, as in Go; an unknown
        // one is refused all the same (above).
        if value.is_null() {
            continue;
        }
        check_shape(canonical, &value, path)?;
        // `openapi` is spelled `openapi` in YAML but `open_api` in Rust.
        let canonical = if *canonical == "openapi" {
            "openApi"
        } else {
            canonical
        };
        out.insert(canonical.to_string(), value);
    }
    Ok(out)
}

/// Fields whose entries Go decodes into structs, with the fields of an
/// entry that are structs (`.`) or lists of structs (`[]`) themselves.
const STRUCT_LISTS: &[(&str, &[&str])] = &[
    ("patches", &["target."]),
    ("patchesJson6902", &["target."]),
    ("images", &[]),
    ("imageTags", &[]),
    ("replacements", &["source.", "targets[]"]),
    ("replicas", &[]),
    ("vars", &["objref.", "fieldref."]),
    ("configMapGenerator", &["options."]),
    ("secretGenerator", &["options."]),
    ("helmCharts", &[]),
    ("helmChartInflationGenerator", &[]),
    ("labels", &["fields[]"]),
];

/// Fields that are one struct.
const STRUCTS: &[&str] = &[
    "metadata",
    "openapi",
    "sortOptions",
    "helmGlobals",
    "generatorOptions",
    "jsonnet",
];

/// serde reads a struct from a sequence of its fields in order, Go's JSON
/// decoder does not: `images: [[nginx, evil.io/nginx, '6.6.6']]` must fail
/// as kustomize fails, not rewrite an image. Checks that every struct the
/// kustomization holds is written as a mapping (null: unset).
fn check_shape(field: &str, value: &Value, path: &Path) -> Result<()> {
    let not_a_map = |at: String, found: &Value| {
        Error::field(
            path,
            at,
            format!(
                "expected a mapping, found {}",
                crate::resource::value_kind(found)
            ),
        )
    };
    if STRUCTS.contains(&field) && !matches!(value, Value::Object(_) | Value::Null) {
        return Err(not_a_map(field.to_string(), value));
    }
    let Some((_, inner)) = STRUCT_LISTS.iter().find(|(name, _)| *name == field) else {
        return Ok(());
    };
    let Value::Array(items) = value else {
        return Ok(()); // serde reports a non-list with its own message
    };
    for (index, item) in items.iter().enumerate() {
        let Value::Object(entry) = item else {
            return Err(not_a_map(format!("{field}[{index}]"), item));
        };
        for spec in inner.iter() {
            let (name, is_list) = match spec.strip_suffix("[]") {
                Some(name) => (name, true),
                None => (spec.trim_end_matches('.'), false),
            };
            match (entry.get(name), is_list) {
                (None | Some(Value::Null), _) => {}
                (Some(Value::Object(_)), false) => {}
                (Some(Value::Array(list)), true) => {
                    if let Some((j, bad)) = list.iter().enumerate().find(|(_, v)| !v.is_object()) {
                        return Err(not_a_map(format!("{field}[{index}].{name}[{j}]"), bad));
                    }
                }
                (Some(Value::Array(_)), false) => {
                    return Err(not_a_map(format!("{field}[{index}].{name}"), &entry[name]));
                }
                // Other shapes get serde's own type error.
                (Some(_), _) => {}
            }
        }
    }
    Ok(())
}

/// Levenshtein distance, for "did you mean" hints.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Kustomization> {
        Kustomization::parse(text, Path::new("k/kustomization.yaml"))
    }

    #[test]
    fn field_names_match_case_insensitively() {
        let k = parse("nameprefix: p-\nRESOURCES:\n- a.yaml\n").unwrap();
        assert_eq!(k.name_prefix.as_deref(), Some("p-"));
        assert_eq!(k.resources, vec!["a.yaml"]);
    }

    #[test]
    fn unknown_fields_are_errors_with_a_hint() {
        let err = parse("namePrefx: p-\n").unwrap_err();
        assert!(err.to_string().contains("namePrefx"), "{err}");
        assert_eq!(err.hint(), Some("did you mean `namePrefix`?"));
    }

    #[test]
    fn bases_come_after_resources() {
        // Checked with `kubectl kustomize --reorder none`.
        let k = parse("resources: [b]\nbases: [a]\n").unwrap();
        assert_eq!(k.resources, vec!["b", "a"]);
    }

    #[test]
    fn wrong_kind_is_an_error() {
        let err = parse("kind: Deployment\n").unwrap_err();
        assert!(err.to_string().contains("`kind`"), "{err}");
    }
}
