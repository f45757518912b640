//! Builtin plugin configs listed in a kustomization's `transformers:` and
//! `generators:` (kustomize's `configureExternalTransformers`/`Generators`
//! and `builtinhelpers`).
//!
//! An entry is either an inline YAML document (or several) or a path: a
//! file of configs, or a kustomization directory whose resources are the
//! configs (built like any base, so its own transformers apply to them).
//! A config with `apiVersion: builtin` names one of kustomize's builtin
//! plugins and carries that plugin's settings, field specs included; it is
//! read as kustomize reads it (unknown fields ignored, scalars accepted as
//! strings). strata runs no external plugins: any other `apiVersion`
//! (exec, Go or KRM function plugins) is an error.
//!
//! Each config is parsed into a closed [`BuiltinPlugin`] and run through
//! the transformer or generator strata already has, so a plugin behaves
//! exactly like the kustomization field it stands for.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::engine::fieldspec::{
    apply_at_creating, merge_specs, FieldSpec, FsSlice, Leaf, TransformerConfig,
};
use crate::engine::smp::OpenApi;
use crate::error::{Error, Result};
use crate::generate;
use crate::load::kustomization::{GeneratorArgs, Image, Patch, Replica, Selector, StringMap};
use crate::load::loader::Loader;
use crate::resource::{value_kind, Configured, Origin, ResourceMap};
use crate::transform::namespace::{self, SubjectMode};
use crate::transform::{images, labels, names, patch, replacements, replicas};

/// One builtin plugin with its settings.
#[derive(Clone, Debug)]
pub enum BuiltinPlugin {
    /// `PrefixSuffixTransformer`, `PrefixTransformer`, `SuffixTransformer`.
    Names {
        prefix: Option<String>,
        suffix: Option<String>,
        field_specs: FsSlice,
    },
    Labels {
        labels: StringMap,
        field_specs: FsSlice,
    },
    Annotations {
        annotations: StringMap,
        field_specs: FsSlice,
    },
    Namespace {
        namespace: String,
        field_specs: FsSlice,
        options: namespace::Options,
    },
    ImageTag {
        image: Image,
        field_specs: FsSlice,
    },
    ReplicaCount {
        replica: Replica,
        field_specs: FsSlice,
    },
    Hash,
    Patch(Patch),
    PatchStrategicMerge {
        paths: Vec<String>,
        patches: String,
    },
    PatchJson6902 {
        target: Option<Selector>,
        path: String,
        json_op: String,
    },
    Replacement {
        replacements: Vec<Value>,
    },
    ConfigMapGenerator(GeneratorArgs),
    SecretGenerator(GeneratorArgs),
    /// `IAMPolicyGenerator` (`cloud: gke` only): a ServiceAccount bound to
    /// a Google service account.
    IamPolicyGenerator {
        cloud: String,
        service_account: String,
        namespace: String,
        google_service_account: String,
        project_id: String,
    },
}

/// A parsed config and where it came from (its build-metadata identity).
#[derive(Clone, Debug)]
pub struct PluginConfig {
    pub plugin: BuiltinPlugin,
    pub configured: Configured,
}

/// A plugin config document before parsing, with the file it came from
/// (the kustomization itself for inline configs).
#[derive(Clone, Debug)]
pub struct RawConfig {
    pub object: Value,
    pub file: PathBuf,
}

impl BuiltinPlugin {
    /// Parses one config document; `path` is its file, named in errors.
    pub fn parse(doc: &Value, path: &Path) -> Result<BuiltinPlugin> {
        let map = doc.as_object().ok_or_else(|| {
            Error::file(
                path,
                format!(
                    "a plugin config must be a mapping, found {}",
                    value_kind(doc)
                ),
            )
        })?;
        let api_version = map.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        let kind = map.get("kind").and_then(Value::as_str).unwrap_or("");
        if api_version != "builtin" {
            return Err(Error::file(
                path,
                format!(
                    "external plugins disabled; unable to load external plugin '{kind}' \
                     (apiVersion `{api_version}`): strata runs only kustomize's builtin plugins"
                ),
            )
            .with_hint("use `apiVersion: builtin` with a builtin kind, or the kustomization field it stands for"));
        }
        // The prefix and suffix plugins read their config with kyaml (field
        // names exact); the others with sigs.k8s.io/yaml, whose Go JSON
        // decoding matches field names case-insensitively.
        let exact = matches!(
            kind,
            "PrefixSuffixTransformer" | "PrefixTransformer" | "SuffixTransformer"
        );
        let map = if exact {
            map.clone()
        } else {
            canonical_keys(map)
        };
        let c = Config {
            map: &map,
            path,
            kind,
            exact,
        };
        let plugin = match kind {
            "PrefixSuffixTransformer" => BuiltinPlugin::Names {
                prefix: Some(c.string("prefix")?),
                suffix: Some(c.string("suffix")?),
                field_specs: c.required_specs()?,
            },
            "PrefixTransformer" => BuiltinPlugin::Names {
                prefix: Some(c.string("prefix")?),
                suffix: None,
                field_specs: c.required_specs()?,
            },
            "SuffixTransformer" => BuiltinPlugin::Names {
                prefix: None,
                suffix: Some(c.string("suffix")?),
                field_specs: c.required_specs()?,
            },
            "LabelTransformer" => BuiltinPlugin::Labels {
                labels: c.string_map("labels")?,
                field_specs: c.specs()?,
            },
            "AnnotationsTransformer" => BuiltinPlugin::Annotations {
                annotations: c.string_map("annotations")?,
                field_specs: c.specs()?,
            },
            "NamespaceTransformer" => c.namespace()?,
            "ImageTagTransformer" => BuiltinPlugin::ImageTag {
                image: c.typed(
                    "imageTag",
                    &["name", "newName", "newTag", "digest", "tagSuffix"],
                )?,
                field_specs: c.specs()?,
            },
            "ReplicaCountTransformer" => BuiltinPlugin::ReplicaCount {
                replica: c.typed("replica", &["name", "count"])?,
                field_specs: c.specs()?,
            },
            "HashTransformer" => BuiltinPlugin::Hash,
            "PatchTransformer" => BuiltinPlugin::Patch(Patch {
                path: c.optional_string("path")?,
                patch: c.optional_string("patch")?,
                target: c.selector("target")?,
                options: c.typed_opt("options", &["allowNameChange", "allowKindChange"])?,
            }),
            "PatchStrategicMergeTransformer" => BuiltinPlugin::PatchStrategicMerge {
                paths: c.string_list("paths")?,
                patches: c.string("patches")?,
            },
            "PatchJson6902Transformer" => BuiltinPlugin::PatchJson6902 {
                target: c.selector("target")?,
                path: c.string("path")?,
                json_op: c.string("jsonOp")?,
            },
            "ReplacementTransformer" => BuiltinPlugin::Replacement {
                replacements: match map.get("replacements") {
                    None | Some(Value::Null) => Vec::new(),
                    Some(Value::Array(items)) => items.clone(),
                    Some(other) => return Err(c.wrong_type("replacements", "a list", other)),
                },
            },
            "ConfigMapGenerator" => BuiltinPlugin::ConfigMapGenerator(c.generator_args(false)?),
            "SecretGenerator" => BuiltinPlugin::SecretGenerator(c.generator_args(true)?),
            "IAMPolicyGenerator" => c.iam_policy()?,
            "HelmChartInflationGenerator" | "ValueAddTransformer" => {
                return Err(Error::file(
                    path,
                    format!("the builtin plugin `{kind}` is not supported by strata"),
                ))
            }
            other => {
                return Err(Error::file(
                    path,
                    format!(
                        "unable to load builtin {other}.builtin.[noGrp]: no such builtin plugin"
                    ),
                ))
            }
        };
        Ok(plugin)
    }

    /// The plugin's kind, as kustomize names it.
    pub fn kind(&self) -> &'static str {
        match self {
            BuiltinPlugin::Names {
                prefix: Some(_),
                suffix: Some(_),
                ..
            } => "PrefixSuffixTransformer",
            BuiltinPlugin::Names {
                prefix: Some(_), ..
            } => "PrefixTransformer",
            BuiltinPlugin::Names { .. } => "SuffixTransformer",
            BuiltinPlugin::Labels { .. } => "LabelTransformer",
            BuiltinPlugin::Annotations { .. } => "AnnotationsTransformer",
            BuiltinPlugin::Namespace { .. } => "NamespaceTransformer",
            BuiltinPlugin::ImageTag { .. } => "ImageTagTransformer",
            BuiltinPlugin::ReplicaCount { .. } => "ReplicaCountTransformer",
            BuiltinPlugin::Hash => "HashTransformer",
            BuiltinPlugin::Patch(_) => "PatchTransformer",
            BuiltinPlugin::PatchStrategicMerge { .. } => "PatchStrategicMergeTransformer",
            BuiltinPlugin::PatchJson6902 { .. } => "PatchJson6902Transformer",
            BuiltinPlugin::Replacement { .. } => "ReplacementTransformer",
            BuiltinPlugin::ConfigMapGenerator(_) => "ConfigMapGenerator",
            BuiltinPlugin::SecretGenerator(_) => "SecretGenerator",
            BuiltinPlugin::IamPolicyGenerator { .. } => "IAMPolicyGenerator",
        }
    }

    /// Whether this plugin applies a strategic merge or JSON patch.
    pub fn is_patch(&self) -> bool {
        matches!(
            self,
            BuiltinPlugin::Patch(_)
                | BuiltinPlugin::PatchStrategicMerge { .. }
                | BuiltinPlugin::PatchJson6902 { .. }
        )
    }

    pub fn is_generator(&self) -> bool {
        matches!(
            self,
            BuiltinPlugin::ConfigMapGenerator(_)
                | BuiltinPlugin::SecretGenerator(_)
                | BuiltinPlugin::IamPolicyGenerator { .. }
        )
    }

    /// Runs the plugin over `resources`: a transformer changes them, a
    /// generator adds (or merges) what it generates. `loader` is the
    /// listing kustomization's: generator files and patch files are read
    /// relative to it, as in kustomize. Every plugin carries its own field
    /// specs, so `config` (the layer's) is not consulted.
    pub fn run(
        &self,
        resources: &mut ResourceMap,
        loader: &Loader<'_>,
        _config: &TransformerConfig,
        api: OpenApi<'_>,
    ) -> Result<()> {
        match self {
            BuiltinPlugin::Names {
                prefix,
                suffix,
                field_specs,
            } => {
                let config = TransformerConfig {
                    name_prefix: field_specs.clone(),
                    name_suffix: field_specs.clone(),
                    ..TransformerConfig::default()
                };
                if let Some(prefix) = prefix {
                    names::apply_prefix(resources, prefix, &config)?;
                }
                if let Some(suffix) = suffix {
                    names::apply_suffix(resources, suffix, &config)?;
                }
                Ok(())
            }
            BuiltinPlugin::Labels {
                labels,
                field_specs,
            } => {
                let config = TransformerConfig {
                    common_labels: field_specs.clone(),
                    ..TransformerConfig::default()
                };
                labels::apply_common_labels(resources, labels, &config)
            }
            BuiltinPlugin::Annotations {
                annotations,
                field_specs,
            } => {
                let config = TransformerConfig {
                    common_annotations: field_specs.clone(),
                    ..TransformerConfig::default()
                };
                labels::apply_common_annotations(resources, annotations, &config)
            }
            BuiltinPlugin::Namespace {
                namespace,
                field_specs,
                options,
            } => namespace::apply_with(resources, namespace, field_specs, *options),
            BuiltinPlugin::ImageTag { image, field_specs } => {
                run_image_tag(resources, image, field_specs)
            }
            BuiltinPlugin::ReplicaCount {
                replica,
                field_specs,
            } => run_replica_count(resources, replica, field_specs),
            BuiltinPlugin::Hash => generate::hash::add_hash_suffixes(resources),
            BuiltinPlugin::Patch(patch) => {
                let loaded = patch::load_patch(loader, patch)?;
                patch::apply_patch(resources, &loaded, api)
            }
            BuiltinPlugin::PatchStrategicMerge { paths, patches } => {
                if paths.is_empty() && patches.is_empty() {
                    return Err(Error::msg("empty file path and empty patch content"));
                }
                let mut entries = paths.clone();
                if !patches.is_empty() {
                    entries.push(patches.clone());
                }
                let loaded = patch::load_strategic_merge(loader, &entries)?;
                patch::apply_strategic_merge(resources, &loaded, api)
            }
            BuiltinPlugin::PatchJson6902 {
                target,
                path,
                json_op,
            } => {
                if !path.is_empty() && !json_op.is_empty() {
                    return Err(Error::msg("must specify a file path or jsonOp, not both"));
                }
                let entry = Patch {
                    path: (!path.is_empty()).then(|| path.clone()),
                    patch: (!json_op.is_empty()).then(|| json_op.clone()),
                    target: target.clone(),
                    options: None,
                };
                let loaded = patch::load_json6902(loader, &entry)?;
                patch::apply_patch(resources, &loaded, api)
            }
            BuiltinPlugin::Replacement { replacements } => {
                let parsed = replacements::parse(replacements, loader)?;
                replacements::apply(resources, &parsed)
            }
            BuiltinPlugin::ConfigMapGenerator(_)
            | BuiltinPlugin::SecretGenerator(_)
            | BuiltinPlugin::IamPolicyGenerator { .. } => Err(Error::msg(format!(
                "plugin {} is a generator; list it under `generators:` (not a transformer)",
                self.kind()
            ))),
        }
    }
}

/// kustomize's ImageTagTransformer: a legacy pass over every container
/// list, then the config's own field specs.
fn run_image_tag(resources: &mut ResourceMap, image: &Image, field_specs: &FsSlice) -> Result<()> {
    images::apply(resources, std::slice::from_ref(image), field_specs)
}

/// ReplicaCountTransformer. With kustomize's default specs it is the
/// `replicas:` transformer; with its own, each spec sets the count on the
/// resources of its kind that have (or had) the name, creating the field
/// when the spec says `create`. A name no spec finds is an error.
fn run_replica_count(
    resources: &mut ResourceMap,
    replica: &Replica,
    field_specs: &FsSlice,
) -> Result<()> {
    if same_specs(field_specs, &TransformerConfig::builtin().replicas) {
        return replicas::apply(resources, std::slice::from_ref(replica));
    }
    let mut found = false;
    for spec in field_specs {
        for resource in resources.edit().iter_mut() {
            let selected = resource
                .all_ids()
                .any(|id| id.name == replica.name && id.gvk.is_selected_by(&spec.gvk));
            if !selected {
                continue;
            }
            found = true;
            apply_at_creating(resource.object_mut(), spec, Leaf::Scalar, &mut |field| {
                set_count(field, replica.count)
            })?;
        }
    }
    if found {
        return Ok(());
    }
    let gvks: Vec<String> = field_specs
        .iter()
        .map(|s| s.gvk.kustomize_string())
        .collect();
    Err(Error::msg(format!(
        "resource with name {} does not match a config with the following GVK [{}]",
        replica.name,
        gvks.join(" ")
    )))
}

/// Sets a replica count: a quoted count stays a string, anything else
/// (or a field just created) becomes a number.
fn set_count(field: &mut Value, count: i64) -> Result<()> {
    *field = match field {
        Value::String(text) if !text.is_empty() => Value::String(count.to_string()),
        Value::String(_) | Value::Null | Value::Number(_) | Value::Bool(_) => Value::from(count),
        other => {
            return Err(Error::msg(format!(
                "expected a number, found {}",
                value_kind(other)
            )))
        }
    };
    Ok(())
}

/// Whether two spec lists hold the same specs, in any order.
fn same_specs(a: &FsSlice, b: &FsSlice) -> bool {
    a.len() == b.len() && a.iter().all(|s| b.contains(s)) && b.iter().all(|s| a.contains(s))
}

/// Reads the settings of one config the lenient way kustomize does
/// (sigs.k8s.io/yaml into the plugin's struct): unknown fields are
/// ignored, scalars are accepted where strings are expected.
struct Config<'a> {
    map: &'a Map<String, Value>,
    path: &'a Path,
    kind: &'a str,
    /// Field names match exactly (kyaml) rather than case-insensitively.
    exact: bool,
}

impl Config<'_> {
    fn field_error(&self, field: &str, message: String) -> Error {
        Error::field(self.path, format!("{}.{field}", self.kind), message)
    }

    fn wrong_type(&self, field: &str, expected: &str, found: &Value) -> Error {
        self.field_error(
            field,
            format!("expected {expected}, found {}", value_kind(found)),
        )
    }

    fn optional_string(&self, field: &str) -> Result<Option<String>> {
        match self.map.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => scalar_string(value)
                .map(Some)
                .ok_or_else(|| self.wrong_type(field, "a string", value)),
        }
    }

    fn string(&self, field: &str) -> Result<String> {
        Ok(self.optional_string(field)?.unwrap_or_default())
    }

    fn string_list(&self, field: &str) -> Result<Vec<String>> {
        match self.map.get(field) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| {
                    scalar_string(item).ok_or_else(|| self.wrong_type(field, "a string", item))
                })
                .collect(),
            Some(other) => Err(self.wrong_type(field, "a list of strings", other)),
        }
    }

    fn string_map(&self, field: &str) -> Result<StringMap> {
        match self.map.get(field) {
            None | Some(Value::Null) => Ok(StringMap::new()),
            Some(Value::Object(entries)) => entries
                .iter()
                .map(|(key, value)| {
                    let text = match value {
                        Value::Null => Some(String::new()),
                        other => scalar_string(other),
                    };
                    text.map(|text| (key.clone(), text)).ok_or_else(|| {
                        self.wrong_type(&format!("{field}.{key}"), "a string", value)
                    })
                })
                .collect(),
            Some(other) => Err(self.wrong_type(field, "a mapping", other)),
        }
    }

    /// `fieldSpecs`, unknown keys of each spec ignored; absent is empty.
    fn specs(&self) -> Result<FsSlice> {
        Ok(self.optional_specs()?.unwrap_or_default())
    }

    /// `fieldSpecs` that kustomize's prefix and suffix plugins require.
    fn required_specs(&self) -> Result<FsSlice> {
        self.optional_specs()?.ok_or_else(|| {
            Error::file(
                self.path,
                format!(
                    "plugin {} fails configuration: fieldSpecs is not expected to be nil",
                    self.kind
                ),
            )
        })
    }

    fn optional_specs(&self) -> Result<Option<FsSlice>> {
        let items = match self.map.get("fieldSpecs") {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Array(items)) => items,
            Some(other) => return Err(self.wrong_type("fieldSpecs", "a list", other)),
        };
        let mut specs = FsSlice::new();
        for (i, item) in items.iter().enumerate() {
            let field = format!("{}.fieldSpecs[{i}]", self.kind);
            let known = self.pick(item, &["group", "version", "kind", "path", "create"]);
            let spec = FieldSpec::from_value(&known, self.path, &field)?;
            // Duplicates are dropped as kustomize's FsSlice merge does.
            merge_specs(&mut specs, std::slice::from_ref(&spec))?;
        }
        Ok(Some(specs))
    }

    /// A nested struct read with serde, only its known keys kept.
    fn typed<T: DeserializeOwned + Default>(&self, field: &str, keys: &[&str]) -> Result<T> {
        Ok(self.typed_opt(field, keys)?.unwrap_or_default())
    }

    fn typed_opt<T: DeserializeOwned>(&self, field: &str, keys: &[&str]) -> Result<Option<T>> {
        match self.map.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(value @ Value::Object(_)) => {
                serde_json::from_value(stringify(self.pick(value, keys)))
                    .map(Some)
                    .map_err(|e| self.field_error(field, e.to_string()))
            }
            Some(other) => Err(self.wrong_type(field, "a mapping", other)),
        }
    }

    fn selector(&self, field: &str) -> Result<Option<Selector>> {
        self.typed_opt(
            field,
            &[
                "group",
                "version",
                "kind",
                "name",
                "namespace",
                "labelSelector",
                "annotationSelector",
            ],
        )
    }

    fn namespace(&self) -> Result<BuiltinPlugin> {
        let metadata = self.map.get("metadata");
        let namespace = metadata
            .and_then(|m| m.get("namespace"))
            .and_then(scalar_string)
            .unwrap_or_default();
        let unset_only = match self.map.get("unsetOnly") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => return Err(self.wrong_type("unsetOnly", "true or false", other)),
        };
        let subjects = SubjectMode::parse(&self.string("setRoleBindingSubjects")?)
            .map_err(|e| Error::file(self.path, e.to_string()))?;
        Ok(BuiltinPlugin::Namespace {
            namespace,
            field_specs: self.specs()?,
            options: namespace::Options {
                unset_only,
                subjects,
            },
        })
    }

    /// A copy of a mapping with only `keys`, in their canonical spelling
    /// (nulls dropped).
    fn pick(&self, value: &Value, keys: &[&str]) -> Value {
        let mut out = Map::new();
        if let Value::Object(map) = value {
            for (key, v) in map {
                let known = keys.iter().find(|k| {
                    if self.exact {
                        **k == key.as_str()
                    } else {
                        k.eq_ignore_ascii_case(key)
                    }
                });
                if let (Some(known), false) = (known, v.is_null()) {
                    out.insert(known.to_string(), v.clone());
                }
            }
        }
        Value::Object(out)
    }

    /// IAMPolicyGenerator's `cloud`, `kubernetesService` and `serviceAccount`.
    fn iam_policy(&self) -> Result<BuiltinPlugin> {
        let nested = |field: &str, key: &str| -> Result<String> {
            let Some(value) = self.map.get(field) else {
                return Ok(String::new());
            };
            let value = self.pick(value, &[key]);
            match value.get(key) {
                None => Ok(String::new()),
                Some(v) => scalar_string(v)
                    .ok_or_else(|| self.wrong_type(&format!("{field}.{key}"), "a string", v)),
            }
        };
        Ok(BuiltinPlugin::IamPolicyGenerator {
            cloud: self.string("cloud")?,
            service_account: nested("kubernetesService", "name")?,
            namespace: nested("kubernetesService", "namespace")?,
            google_service_account: nested("serviceAccount", "name")?,
            project_id: nested("serviceAccount", "projectId")?,
        })
    }

    /// ConfigMapGenerator/SecretGenerator: the generator arguments inline,
    /// `name` and `namespace` defaulting to the config's metadata.
    fn generator_args(&self, secret: bool) -> Result<GeneratorArgs> {
        let mut keys = vec![
            "name",
            "namespace",
            "behavior",
            "literals",
            "files",
            "envs",
            "env",
            "options",
        ];
        if secret {
            keys.push("type");
        }
        let doc = Value::Object(self.map.clone());
        let mut picked = self.pick(&doc, &keys);
        if let Some(options) = picked.get_mut("options") {
            let known = [
                "labels",
                "annotations",
                "disableNameSuffixHash",
                "immutable",
            ];
            *options = self.pick(options, &known);
        }
        let mut args: GeneratorArgs = serde_json::from_value(picked)
            .map_err(|e| Error::file(self.path, format!("{}: {e}", self.kind)))?;
        let metadata = self.map.get("metadata");
        let meta = |key: &str| {
            metadata
                .and_then(|m| m.get(key))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        if args.name.as_deref().unwrap_or("").is_empty() {
            args.name = Some(meta("name"));
        }
        if args.namespace.as_deref().unwrap_or("").is_empty() {
            let namespace = meta("namespace");
            args.namespace = (!namespace.is_empty()).then_some(namespace);
        }
        // kustomize reads the deprecated `env` after `envs`.
        if let Some(env) = args.env.take() {
            args.envs.push(env);
        }
        Ok(args)
    }
}

/// Every field any builtin plugin config has at its top level.
const TOP_KEYS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "prefix",
    "suffix",
    "fieldSpecs",
    "labels",
    "annotations",
    "unsetOnly",
    "setRoleBindingSubjects",
    "imageTag",
    "replica",
    "path",
    "patch",
    "target",
    "options",
    "paths",
    "patches",
    "jsonOp",
    "replacements",
    "name",
    "namespace",
    "behavior",
    "literals",
    "files",
    "envs",
    "env",
    "type",
    "cloud",
    "kubernetesService",
    "serviceAccount",
];

/// The mapping with known keys in their canonical spelling: kustomize
/// reads configs with Go's JSON decoding, which matches field names
/// case-insensitively (a later key wins).
fn canonical_keys(map: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, value) in map {
        let key = TOP_KEYS
            .iter()
            .find(|k| k.eq_ignore_ascii_case(key))
            .map_or_else(|| key.clone(), |k| k.to_string());
        out.insert(key, value.clone());
    }
    out
}

/// Numbers and booleans in a flat mapping read as strings where kustomize
/// would (its structs have string fields), except `count`.
fn stringify(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, v)| {
                    let v = match v {
                        Value::Number(_) | Value::Bool(_)
                            if key != "count"
                                && key != "allowNameChange"
                                && key != "allowKindChange" =>
                        {
                            Value::String(scalar_string(&v).unwrap_or_default())
                        }
                        other => other,
                    };
                    (key, v)
                })
                .collect(),
        ),
        other => other,
    }
}

/// The plugin configs a `transformers:` or `generators:` list names:
/// as kustomize orders them, every inline entry first (they come from
/// `kustomization_file`), then the path entries, each in list order. A
/// file entry is read through `loader` (load restrictor applies); a
/// directory entry is a kustomization, built by `accumulate` (the build's
/// own recursion), and its resources are the configs.
pub fn load_configs(
    entries: &[String],
    loader: &Loader<'_>,
    kustomization_file: &Path,
    accumulate: &mut dyn FnMut(&Path) -> Result<ResourceMap>,
) -> Result<Vec<PluginConfig>> {
    let mut raw = Vec::new();
    let mut paths = Vec::new();
    for entry in entries {
        match inline_documents(entry) {
            Some(documents) => raw.extend(documents.into_iter().map(|object| RawConfig {
                object,
                file: kustomization_file.to_path_buf(),
            })),
            None => paths.push(entry),
        }
    }
    for entry in paths {
        let path = loader.resolve(entry);
        if loader.fs().is_dir(&path) {
            for resource in accumulate(&path)?.into_vec() {
                let file = match &resource.origin {
                    Origin::File(file) => file.clone(),
                    _ => path.clone(),
                };
                raw.push(RawConfig {
                    object: resource.into_object(),
                    file,
                });
            }
            continue;
        }
        if !loader.fs().is_file(&path) {
            return Err(Error::file(
                &path,
                format!("plugin config '{entry}': no such file or directory"),
            ));
        }
        let (path, text) = loader.read_to_string(entry)?;
        let documents = crate::yaml::parse_stream(&text, &path)?;
        let source = path.display().to_string();
        for object in crate::kyaml::expand_lists(documents, &source)? {
            raw.push(RawConfig {
                object,
                file: path.clone(),
            });
        }
    }
    raw.into_iter().map(|r| parse_config(&r)).collect()
}

/// Parses one raw config and records its identity.
pub fn parse_config(raw: &RawConfig) -> Result<PluginConfig> {
    let plugin = BuiltinPlugin::parse(&raw.object, &raw.file)?;
    let meta = |key: &str| {
        raw.object
            .get("metadata")
            .and_then(|m| m.get(key))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let configured = Configured {
        file: raw.file.clone(),
        api_version: raw
            .object
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        kind: raw
            .object
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        name: meta("name"),
        namespace: meta("namespace"),
    };
    Ok(PluginConfig { plugin, configured })
}

/// An entry that parses as YAML mappings is an inline config (kustomize
/// tries to read every entry as resources first); anything else is a path.
fn inline_documents(entry: &str) -> Option<Vec<Value>> {
    let documents = crate::yaml::parse_stream(entry, Path::new("<inline>")).ok()?;
    if documents.is_empty() || !documents.iter().all(Value::is_object) {
        return None;
    }
    crate::kyaml::expand_lists(documents, "<inline>").ok()
}

/// Runs `generators:` configs in order, absorbing what each generates
/// (`behavior: merge`/`replace` apply). Generated resources get the
/// config as their origin.
pub fn run_generators(
    configs: &[PluginConfig],
    resources: &mut ResourceMap,
    loader: &Loader<'_>,
) -> Result<()> {
    for config in configs {
        let resource = match &config.plugin {
            BuiltinPlugin::ConfigMapGenerator(args) => {
                generate::configmap::config_map(args, None, loader, &config.configured.file)?
            }
            BuiltinPlugin::SecretGenerator(args) => {
                generate::configmap::secret(args, None, loader, &config.configured.file)?
            }
            BuiltinPlugin::IamPolicyGenerator {
                cloud,
                service_account,
                namespace,
                google_service_account,
                project_id,
            } => {
                if cloud != "gke" {
                    return Err(Error::file(
                        &config.configured.file,
                        format!("cloud provider {cloud} not supported yet"),
                    ));
                }
                // kustomize writes this text and parses it, so the values
                // are typed as YAML would type them.
                let mut text = format!(
                    "\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  annotations:\n    \
                     iam.gke.io/gcp-service-account: {google_service_account}@{project_id}.iam.gserviceaccount.com\n  \
                     name: {service_account}\n"
                );
                if !namespace.is_empty() {
                    text.push_str(&format!("\n  namespace: {namespace}"));
                }
                let file = &config.configured.file;
                let object = crate::yaml::parse_stream(&text, file)?
                    .into_iter()
                    .next()
                    .unwrap_or(Value::Null);
                crate::resource::Resource::new(object, Origin::Plugin(config.configured.clone()))?
            }
            other => {
                return Err(Error::file(
                    &config.configured.file,
                    format!(
                        "plugin {} `{}` not a generator; list it under `transformers:`",
                        other.kind(),
                        config.configured.name
                    ),
                ))
            }
        };
        let mut resource = resource;
        resource.origin = Origin::Plugin(config.configured.clone());
        generate::absorb_generated(resources, resource)?;
    }
    Ok(())
}

/// Runs `transformers:` configs in order. With `record`, each one is
/// recorded on every resource for `buildMetadata: [transformerAnnotations]`.
pub fn run_transformers(
    configs: &[PluginConfig],
    resources: &mut ResourceMap,
    loader: &Loader<'_>,
    config: &TransformerConfig,
    api: OpenApi<'_>,
    record: bool,
) -> Result<()> {
    for plugin in configs {
        if plugin.plugin.is_generator() {
            return Err(Error::file(
                &plugin.configured.file,
                format!(
                    "plugin {} `{}` not a transformer; list it under `generators:`",
                    plugin.plugin.kind(),
                    plugin.configured.name
                ),
            ));
        }
        plugin
            .plugin
            .run(resources, loader, config, api)
            .map_err(|e| {
                e.context(format!(
                    "{} ({} {})",
                    plugin.configured.file.display(),
                    plugin.configured.kind,
                    plugin.configured.name
                ))
            })?;
        if record {
            crate::transform::metadata::record(resources, &plugin.configured);
        }
    }
    Ok(())
}

/// A scalar read where kustomize's plugin structs have a string field.
fn scalar_string(value: &Value) -> Option<String> {
    crate::kyaml::scalar_text(value).map(std::borrow::Cow::into_owned)
}

#[cfg(test)]
mod tests;
