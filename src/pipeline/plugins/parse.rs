//! Reading one builtin plugin config document the way kustomize does
//! (sigs.k8s.io/yaml or kyaml into the plugin's struct, depending on the
//! plugin), and configuring it.

use std::path::Path;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::BuiltinPlugin;
use crate::engine::fieldspec::{merge_specs, FieldSpec, FsSlice};
use crate::error::{Error, Result};
use crate::load::kustomization::replacements;
use crate::load::kustomization::{GeneratorArgs, Patch, Selector, StringMap};
use crate::load::loader::Loader;
use crate::load::patches;
use crate::resource::value_kind;
use crate::transform::namespace::{self, SubjectMode};

/// Parses and configures one config document; `path` is its file, named
/// in errors. Patch and replacement files are read through `loader`, the
/// listing kustomization's (as in kustomize).
pub fn parse(doc: &Value, path: &Path, loader: &Loader<'_>) -> Result<BuiltinPlugin> {
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
                "external plugins disabled; unable to load external plugin '{kind}' (apiVersion `{api_version}`)"
            ),
        )
        .with_hint("run with --enable-alpha-plugins, or use `apiVersion: builtin` with a builtin kind"));
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
        "PatchTransformer" => {
            let patch = Patch {
                path: c.optional_string("path")?,
                patch: c.optional_string("patch")?,
                target: c.selector("target")?,
                options: c.typed_opt("options", &["allowNameChange", "allowKindChange"])?,
            };
            BuiltinPlugin::Patch(patches::load_patch(loader, &patch, path)?)
        }
        "PatchStrategicMergeTransformer" => {
            let mut entries = c.string_list("paths")?;
            let inline = c.string("patches")?;
            if entries.is_empty() && inline.is_empty() {
                return Err(Error::msg("empty file path and empty patch content"));
            }
            if !inline.is_empty() {
                entries.push(inline);
            }
            let loaded = patches::load_strategic_merge(loader, &entries, path)?;
            BuiltinPlugin::PatchStrategicMerge(loaded)
        }
        "PatchJson6902Transformer" => {
            let (file, json_op) = (c.string("path")?, c.string("jsonOp")?);
            if !file.is_empty() && !json_op.is_empty() {
                return Err(Error::msg("must specify a file path or jsonOp, not both"));
            }
            let patch = Patch {
                path: (!file.is_empty()).then_some(file),
                patch: (!json_op.is_empty()).then_some(json_op),
                target: c.selector("target")?,
                options: None,
            };
            BuiltinPlugin::PatchJson6902(patches::load_json6902(loader, &patch, path)?)
        }
        "ReplacementTransformer" => {
            let entries = match map.get("replacements") {
                None | Some(Value::Null) => &[][..],
                Some(Value::Array(items)) => items.as_slice(),
                Some(other) => return Err(c.wrong_type("replacements", "a list", other)),
            };
            let mut read = |file: &str| loader.read_to_string(file);
            BuiltinPlugin::Replacement(replacements::parse(entries, &mut read)?)
        }
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
                format!("unable to load builtin {other}.builtin.[noGrp]: no such builtin plugin"),
            ))
        }
    };
    Ok(plugin)
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

/// A scalar read where kustomize's plugin structs have a string field.
fn scalar_string(value: &Value) -> Option<String> {
    crate::kyaml::scalar_text(value).map(std::borrow::Cow::into_owned)
}
