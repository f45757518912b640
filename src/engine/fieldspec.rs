//! Field specs: which field of which kinds a transformer touches, the
//! transformer configuration that collects them (kustomize's
//! `TransformerConfig`), and the walker that visits the fields a spec names.
//!
//! The built-in tables are kustomize v5.5.0's `builtinpluginconsts`, kept as
//! data in `fieldspecs/*.json` (JSON because the crate reads it without the
//! YAML parser; the content is the YAML constants, entry for entry).

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::{Arc, LazyLock, Mutex};

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::id::{split_api_version, Gvk};
use crate::resource::value_kind;

// Generated; the generator's own layout, not rustfmt's.
#[rustfmt::skip]
#[path = "fieldspecs/tables.rs"]
mod tables;

/// One kustomizable field: the kinds it applies to, its path and whether
/// missing parts of the path may be created.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldSpec {
    /// Selects objects: every non-empty part must match.
    pub gvk: Gvk,
    /// The path split at unescaped `/`; a segment ending in `[]` names a
    /// list. Lists met on the way are traversed without a segment of their own.
    pub path: Vec<String>,
    pub create_if_missing: bool,
}

impl FieldSpec {
    /// A spec from kustomize's path syntax (`spec/template/metadata/labels`,
    /// `metadata/annotations/a.io\/b`).
    pub fn new(gvk: Gvk, path: &str, create_if_missing: bool) -> Self {
        FieldSpec {
            gvk,
            path: crate::kyaml::split_escaped(path, '/'),
            create_if_missing,
        }
    }

    /// The path in kustomize's syntax, `/` inside a segment escaped.
    pub fn path_string(&self) -> String {
        self.path
            .iter()
            .map(|segment| segment.replace('/', "\\/"))
            .collect::<Vec<_>>()
            .join("/")
    }

    /// Whether the path is exactly these segments.
    pub fn path_is(&self, segments: &[&str]) -> bool {
        self.path.len() == segments.len() && self.path.iter().zip(segments).all(|(a, b)| a == b)
    }

    /// kustomize's `effectivelyEquals`: the same path, and this spec's GVK is
    /// selected by the other's.
    fn effectively_equals(&self, other: &FieldSpec) -> bool {
        self.gvk.is_selected_by(&other.gvk) && self.path == other.path
    }

    /// Whether the spec applies to an object, read from its `apiVersion` and `kind`.
    pub fn matches_object(&self, object: &Value) -> bool {
        // Called for every spec and object: read only the fields the spec names.
        if !self.gvk.kind.is_empty() {
            let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
            if self.gvk.kind != kind {
                return false;
            }
        }
        if self.gvk.group.is_empty() && self.gvk.version.is_empty() {
            return true;
        }
        let api_version = object
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("");
        let (group, version) = split_api_version(api_version);
        (self.gvk.group.is_empty() || self.gvk.group == group)
            && (self.gvk.version.is_empty() || self.gvk.version == version)
    }

    /// Reads one spec (`group`, `version`, `kind`, `path`, `create`) from
    /// a configuration; `field` names it in errors.
    pub fn from_value(value: &Value, file: &Path, field: &str) -> Result<Self> {
        let map = expect_map(value, file, field)?;
        let mut gvk = Gvk::default();
        let mut path = String::new();
        let mut create = false;
        for (key, v) in map {
            match key.as_str() {
                "group" => gvk.group = expect_str(v, file, field, key)?,
                "version" => gvk.version = expect_str(v, file, field, key)?,
                "kind" => gvk.kind = expect_str(v, file, field, key)?,
                "path" => path = expect_str(v, file, field, key)?,
                "create" => create = expect_bool(v, file, field, key)?,
                _ => return Err(unknown_field(file, field, key)),
            }
        }
        Ok(FieldSpec::new(gvk, &path, create))
    }
}

impl<'de> serde::Deserialize<'de> for FieldSpec {
    /// A spec written in a kustomization (`labels[].fields`); errors name
    /// the part of the spec that is wrong.
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        FieldSpec::from_value(&value, Path::new(""), "")
            .map_err(|e| serde::de::Error::custom(e.relative_message()))
    }
}

impl fmt::Display for FieldSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path_string())
    }
}

/// Field specs in order. Merging skips specs already present.
pub type FsSlice = Vec<FieldSpec>;

/// Merges `incoming` into `specs` as kustomize's `FsSlice.MergeAll`: a spec
/// whose path is present for a selecting GVK is dropped, unless its `create`
/// differs, which is an error.
pub fn merge_specs(specs: &mut FsSlice, incoming: &[FieldSpec]) -> Result<()> {
    if incoming.len() < 8 {
        for spec in incoming {
            merge_one(specs, spec.clone())?;
        }
        return Ok(());
    }
    // Only specs with the same path can be equal: look among those, in
    // order (the first match decides, as in `merge_one`).
    let path_hash = |spec: &FieldSpec| {
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        BuildHasherDefault::<DefaultHasher>::default().hash_one(&spec.path)
    };
    let mut by_path: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, spec) in specs.iter().enumerate() {
        by_path.entry(path_hash(spec)).or_default().push(i);
    }
    for spec in incoming {
        let same_path = by_path.entry(path_hash(spec)).or_default();
        let found = same_path
            .iter()
            .map(|&i| &specs[i])
            .find(|existing| existing.effectively_equals(spec));
        match found {
            Some(existing) if existing.create_if_missing != spec.create_if_missing => {
                return Err(conflict(spec));
            }
            Some(_) => {}
            None => {
                same_path.push(specs.len());
                specs.push(spec.clone());
            }
        }
    }
    Ok(())
}

fn conflict(spec: &FieldSpec) -> Error {
    Error::msg(format!(
        "conflicting fieldspecs for path `{}`",
        spec.path_string()
    ))
}

/// Adds one spec as kustomize's `FsSlice.MergeOne`.
pub fn merge_one(specs: &mut FsSlice, spec: FieldSpec) -> Result<()> {
    match specs.iter().find(|x| x.effectively_equals(&spec)) {
        Some(existing) if existing.create_if_missing != spec.create_if_missing => {
            Err(conflict(&spec))
        }
        Some(_) => Ok(()),
        None => {
            specs.push(spec);
            Ok(())
        }
    }
}

/// Adds one target's back-references as kustomize's `nbrSlice.mergeOne`:
/// merged into every entry for the same GVK, appended when there is none.
fn merge_back_references(
    list: &mut Vec<NameBackReferences>,
    incoming: &NameBackReferences,
) -> Result<()> {
    let mut found = false;
    for existing in list.iter_mut().filter(|n| n.gvk == incoming.gvk) {
        merge_specs(&mut existing.referrers, &incoming.referrers)?;
        found = true;
    }
    if !found {
        list.push(incoming.clone());
    }
    Ok(())
}

/// kustomize's order of GVKs for field specs (`Gvk.IsLessThan`).
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct GvkOrder {
    rank: i64,
    text: String,
}

impl GvkOrder {
    fn of(gvk: &Gvk) -> Self {
        let first = crate::sort::DEFAULT_ORDER_FIRST;
        let last = crate::sort::DEFAULT_ORDER_LAST;
        let kind = gvk.kind.as_str();
        let rank = if let Some(i) = first.iter().position(|k| *k == kind) {
            i as i64 - first.len() as i64
        } else if let Some(i) = last.iter().position(|k| *k == kind) {
            i as i64 + 1
        } else {
            0
        };
        let or = |value: &str, placeholder: &'static str| {
            if value.is_empty() {
                placeholder.to_string()
            } else {
                value.to_string()
            }
        };
        let text = format!(
            "{}_{}_{}",
            or(&gvk.group, "~G"),
            or(&gvk.version, "~V"),
            or(kind, "~K")
        );
        GvkOrder { rank, text }
    }
}

/// Merges `other` into `base` as [`TransformerConfig::merge`], sharing the
/// result: every layer of a build merges the same few configurations
/// (nothing, kustomize's defaults, its children's merged ones), so results
/// are remembered per pair of inputs for the life of the process and a
/// layer without `configurations:` costs a lookup, not a merge.
pub fn merge_shared(
    base: &Arc<TransformerConfig>,
    other: &Arc<TransformerConfig>,
) -> Result<Arc<TransformerConfig>> {
    // Empty configurations are all the same one.
    let canonical = |c: &Arc<TransformerConfig>| {
        if c.is_empty() {
            TransformerConfig::empty()
        } else {
            Arc::clone(c)
        }
    };
    let (base, other) = (canonical(base), canonical(other));
    let builtin = TransformerConfig::builtin();
    if Arc::ptr_eq(&base, &TransformerConfig::empty()) && Arc::ptr_eq(&other, &builtin) {
        return Ok(TransformerConfig::builtin_into_empty());
    }
    let key = (Arc::as_ptr(&base) as usize, Arc::as_ptr(&other) as usize);
    if let Some(hit) = lock_merges().get(&key) {
        return Ok(Arc::clone(&hit.merged));
    }
    let mut merged = TransformerConfig::clone(&base);
    merged.merge(&other)?;
    // Most merges change nothing: keep the input then, so that the layers
    // above meet the same configuration, not an equal copy to merge again.
    let merged = if merged == *base {
        Arc::clone(&base)
    } else if merged == *other {
        Arc::clone(&other)
    } else {
        Arc::new(merged)
    };
    let mut merges = lock_merges();
    // Bounded: a process building many distinct configurations starts over.
    if merges.len() >= MERGE_CACHE_LIMIT {
        merges.clear();
    }
    merges.insert(
        key,
        Merged {
            _inputs: (base, other),
            merged: Arc::clone(&merged),
        },
    );
    Ok(merged)
}

const MERGE_CACHE_LIMIT: usize = 4096;

/// A remembered merge. The inputs are kept alive so that their addresses,
/// the key, cannot be reused by other configurations while it is remembered.
struct Merged {
    _inputs: (Arc<TransformerConfig>, Arc<TransformerConfig>),
    merged: Arc<TransformerConfig>,
}

fn lock_merges() -> std::sync::MutexGuard<'static, HashMap<(usize, usize), Merged>> {
    static MERGES: LazyLock<Mutex<HashMap<(usize, usize), Merged>>> =
        LazyLock::new(|| Mutex::new(HashMap::new()));
    // A panic elsewhere cannot leave a half-inserted entry: use the map as is.
    MERGES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A referral target and the fields of other objects that name it
/// (kustomize's `NameBackReferences`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NameBackReferences {
    pub gvk: Gvk,
    pub referrers: FsSlice,
}

/// Every field spec the builtin transformers use, per transformer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TransformerConfig {
    pub name_prefix: FsSlice,
    pub name_suffix: FsSlice,
    pub namespace: FsSlice,
    pub common_labels: FsSlice,
    /// Extra specs for `labels:` entries (empty by default).
    pub labels: FsSlice,
    pub template_labels: FsSlice,
    pub common_annotations: FsSlice,
    pub name_reference: Vec<NameBackReferences>,
    pub var_reference: FsSlice,
    pub images: FsSlice,
    pub replicas: FsSlice,
}

/// kustomize's tables as data, the source of [`tables`] (see its tests).
#[cfg(test)]
const BUILTIN_TABLES: &[(&str, &str)] = &[
    (
        "nameprefix.json",
        include_str!("fieldspecs/nameprefix.json"),
    ),
    (
        "namesuffix.json",
        include_str!("fieldspecs/namesuffix.json"),
    ),
    (
        "commonlabels.json",
        include_str!("fieldspecs/commonlabels.json"),
    ),
    (
        "templatelabels.json",
        include_str!("fieldspecs/templatelabels.json"),
    ),
    (
        "commonannotations.json",
        include_str!("fieldspecs/commonannotations.json"),
    ),
    ("namespace.json", include_str!("fieldspecs/namespace.json")),
    (
        "varreference.json",
        include_str!("fieldspecs/varreference.json"),
    ),
    (
        "namereference.json",
        include_str!("fieldspecs/namereference.json"),
    ),
    ("images.json", include_str!("fieldspecs/images.json")),
    ("replicas.json", include_str!("fieldspecs/replicas.json")),
];

impl TransformerConfig {
    /// kustomize's default configuration (`MakeDefaultConfig`). Entries are
    /// kept as listed, duplicates included, as kustomize's unmarshal does.
    /// Parsed once per process and shared: every layer of every build uses it.
    /// Built from compiled-in tables (no parse at start).
    pub fn builtin() -> Arc<Self> {
        static BUILTIN: LazyLock<Arc<TransformerConfig>> =
            LazyLock::new(|| Arc::new(TransformerConfig::from_table(&tables::BUILTIN)));
        Arc::clone(&BUILTIN)
    }

    /// The defaults merged into the empty configuration: what the first
    /// layer of every build computes, so it is a table too.
    fn builtin_into_empty() -> Arc<Self> {
        static INTO_EMPTY: LazyLock<Arc<TransformerConfig>> =
            LazyLock::new(|| match &tables::BUILTIN_INTO_EMPTY {
                Some(table) => Arc::new(TransformerConfig::from_table(table)),
                None => TransformerConfig::builtin(),
            });
        Arc::clone(&INTO_EMPTY)
    }

    fn from_table(table: &tables::Table) -> Self {
        let specs = |list: &[tables::Spec]| -> FsSlice {
            list.iter()
                .map(|&(group, version, kind, path, create)| FieldSpec {
                    gvk: Gvk::new(group, version, kind),
                    path: path.iter().map(|s| s.to_string()).collect(),
                    create_if_missing: create,
                })
                .collect()
        };
        TransformerConfig {
            name_prefix: specs(table.name_prefix),
            name_suffix: specs(table.name_suffix),
            namespace: specs(table.namespace),
            common_labels: specs(table.common_labels),
            labels: specs(table.labels),
            template_labels: specs(table.template_labels),
            common_annotations: specs(table.common_annotations),
            name_reference: table
                .name_reference
                .iter()
                .map(|&((group, version, kind), referrers)| NameBackReferences {
                    gvk: Gvk::new(group, version, kind),
                    referrers: specs(referrers),
                })
                .collect(),
            var_reference: specs(table.var_reference),
            images: specs(table.images),
            replicas: specs(table.replicas),
        }
    }

    /// The empty configuration a layer starts from, shared so that merges
    /// into it are recognised (see [`merge_shared`]).
    pub fn empty() -> Arc<Self> {
        static EMPTY: LazyLock<Arc<TransformerConfig>> =
            LazyLock::new(|| Arc::new(TransformerConfig::default()));
        Arc::clone(&EMPTY)
    }

    /// The defaults read from `fieldspecs/*.json`, what [`tables`] must hold.
    #[cfg(test)]
    fn parse_builtin() -> Self {
        let mut config = TransformerConfig::default();
        for (name, text) in BUILTIN_TABLES {
            let path = Path::new("src/engine/fieldspecs").join(name);
            // The tables are compiled in and covered by tests.
            let value: Value = serde_json::from_str(text).unwrap_or(Value::Null);
            if let Ok(table) = TransformerConfig::from_value(&value, &path) {
                config.append(table);
            }
        }
        // kustomize parses the tables as one document, then sorts it.
        config.sort();
        config
    }

    /// Reads one `configurations:` file (already parsed), rejecting unknown
    /// fields as kustomize's strict unmarshal does.
    pub fn from_value(value: &Value, path: &Path) -> Result<Self> {
        let mut config = TransformerConfig::default();
        if value.is_null() {
            return Ok(config);
        }
        let map = expect_map(value, path, "")?;
        for (key, v) in map {
            if key == "nameReference" {
                config.name_reference = read_back_references(v, path)?;
                continue;
            }
            let slot = match key.as_str() {
                "namePrefix" => &mut config.name_prefix,
                "nameSuffix" => &mut config.name_suffix,
                "namespace" => &mut config.namespace,
                "commonLabels" => &mut config.common_labels,
                "labels" => &mut config.labels,
                "templateLabels" => &mut config.template_labels,
                "commonAnnotations" => &mut config.common_annotations,
                "varReference" => &mut config.var_reference,
                "images" => &mut config.images,
                "replicas" => &mut config.replicas,
                _ => return Err(unknown_field(path, "", key)),
            };
            *slot = read_specs(v, path, key)?;
        }
        // kustomize sorts a configuration as it reads it.
        config.sort();
        Ok(config)
    }

    /// Merges another configuration in, as kustomize's `Merge`: specs
    /// already present are skipped, conflicting `create` flags are errors,
    /// back-references to the same GVK are combined; then every list is
    /// sorted by GVK. The sort matters: a spec is "present" when an earlier
    /// spec with its path is selected by its GVK, so after a merge puts
    /// `{kind: Foo, path: metadata/name}` before `{path: metadata/name}`, the
    /// next merge of that list into an empty one drops the general spec.
    pub fn merge(&mut self, other: &TransformerConfig) -> Result<()> {
        let pairs: [(&mut FsSlice, &FsSlice, &str); 10] = [
            (&mut self.name_prefix, &other.name_prefix, "NamePrefix"),
            (&mut self.name_suffix, &other.name_suffix, "NameSuffix"),
            (&mut self.namespace, &other.namespace, "NameSpace"),
            (
                &mut self.common_annotations,
                &other.common_annotations,
                "CommonAnnotations",
            ),
            (
                &mut self.common_labels,
                &other.common_labels,
                "CommonLabels",
            ),
            (&mut self.labels, &other.labels, "Labels"),
            (
                &mut self.template_labels,
                &other.template_labels,
                "TemplateLabels",
            ),
            (
                &mut self.var_reference,
                &other.var_reference,
                "VarReference",
            ),
            (&mut self.images, &other.images, "Images"),
            (&mut self.replicas, &other.replicas, "Replicas"),
        ];
        for (mine, theirs, name) in pairs {
            merge_specs(mine, theirs)
                .map_err(|e| Error::msg(format!("failed to merge {name} fieldSpec: {e}")))?;
        }
        for incoming in &other.name_reference {
            merge_back_references(&mut self.name_reference, incoming)
                .map_err(|e| Error::msg(format!("failed to merge NameReference fieldSpec: {e}")))?;
        }
        self.sort();
        Ok(())
    }

    /// kustomize's `sortFields`: every list ordered by GVK (`Gvk.IsLessThan`:
    /// the default kind ranks, then `group_version_kind` with `~G`, `~V`,
    /// `~K` for empty parts). Go's sort is not stable; equal GVKs keep their
    /// order here, which only decides the order of specs that name
    /// different paths of the same kinds.
    fn sort(&mut self) {
        for list in [
            &mut self.name_prefix,
            &mut self.name_suffix,
            &mut self.namespace,
            &mut self.common_labels,
            &mut self.labels,
            &mut self.template_labels,
            &mut self.common_annotations,
            &mut self.var_reference,
            &mut self.images,
            &mut self.replicas,
        ] {
            if list.len() > 1 {
                list.sort_by_cached_key(|spec| GvkOrder::of(&spec.gvk));
            }
        }
        if self.name_reference.len() > 1 {
            self.name_reference
                .sort_by_cached_key(|n| GvkOrder::of(&n.gvk));
        }
    }

    /// Whether no list holds anything.
    pub fn is_empty(&self) -> bool {
        self.name_prefix.is_empty()
            && self.name_suffix.is_empty()
            && self.namespace.is_empty()
            && self.common_labels.is_empty()
            && self.labels.is_empty()
            && self.template_labels.is_empty()
            && self.common_annotations.is_empty()
            && self.name_reference.is_empty()
            && self.var_reference.is_empty()
            && self.images.is_empty()
            && self.replicas.is_empty()
    }

    /// Reads one `crds:` file: an OpenAPI definitions map (type name to
    /// `{Schema, Dependencies}`), as kustomize's `LoadConfigFromCRDs`. For
    /// every type that looks like a Kubernetes object, properties marked
    /// `x-kubernetes-annotation`, `x-kubernetes-label-selector`,
    /// `x-kubernetes-identity` or `x-kubernetes-object-ref-*` become
    /// annotation, label, prefix and name-reference specs; `$ref`s are
    /// followed.
    pub fn from_crd_definitions(value: &Value, path: &Path) -> Result<Self> {
        let mut result = TransformerConfig::default();
        let definitions = expect_map(value, path, "")?;
        for type_name in definitions.keys() {
            let properties = schema_properties(definitions, type_name);
            let is_object = properties.is_some_and(|p| {
                ["kind", "apiVersion", "metadata"]
                    .iter()
                    .all(|key| p.contains_key(*key))
            });
            if !is_object {
                continue;
            }
            let kind = type_name.rsplit('.').next().unwrap_or(type_name);
            let gvk = Gvk::new("", "", kind);
            let mut config = TransformerConfig::default();
            load_crd_type(&mut config, &gvk, definitions, type_name, &[], 0)?;
            result
                .merge(&config)
                .map_err(|e| Error::file(path, e.to_string()))?;
        }
        Ok(result)
    }

    /// Appends without de-duplication (the way one YAML document unmarshals).
    #[cfg(test)]
    fn append(&mut self, other: TransformerConfig) {
        self.name_prefix.extend(other.name_prefix);
        self.name_suffix.extend(other.name_suffix);
        self.namespace.extend(other.namespace);
        self.common_labels.extend(other.common_labels);
        self.labels.extend(other.labels);
        self.template_labels.extend(other.template_labels);
        self.common_annotations.extend(other.common_annotations);
        self.name_reference.extend(other.name_reference);
        self.var_reference.extend(other.var_reference);
        self.images.extend(other.images);
        self.replicas.extend(other.replicas);
    }
}

/// The `Schema.properties` of a definition (Go's JSON matches field names
/// case-insensitively).
fn schema_properties<'a>(
    definitions: &'a Map<String, Value>,
    type_name: &str,
) -> Option<&'a Map<String, Value>> {
    let definition = definitions.get(type_name)?.as_object()?;
    let schema = definition
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("schema"))
        .map(|(_, v)| v)?;
    schema.get("properties")?.as_object()
}

/// A string-valued OpenAPI extension (kube-openapi's `GetString`).
fn extension<'a>(property: &'a Value, key: &str) -> Option<&'a str> {
    property
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .and_then(|(_, v)| v.as_str())
}

/// Walks one type's properties, following `$ref`s (kustomize's `loadCrdIntoConfig`).
fn load_crd_type(
    config: &mut TransformerConfig,
    gvk: &Gvk,
    definitions: &Map<String, Value>,
    type_name: &str,
    path: &[String],
    depth: usize,
) -> Result<()> {
    // kustomize recurses without a bound; a cycle would never end there.
    if depth > 64 {
        return Ok(());
    }
    let Some(properties) = schema_properties(definitions, type_name) else {
        return Ok(());
    };
    for (name, property) in properties {
        let mut here = path.to_vec();
        here.push(name.clone());
        let spec = || FieldSpec {
            gvk: gvk.clone(),
            path: here.clone(),
            create_if_missing: false,
        };
        if extension(property, "x-kubernetes-annotation").is_some() {
            merge_one(&mut config.common_annotations, spec())?;
        }
        if extension(property, "x-kubernetes-label-selector").is_some() {
            merge_one(&mut config.common_labels, spec())?;
        }
        if extension(property, "x-kubernetes-identity").is_some() {
            merge_one(&mut config.name_prefix, spec())?;
        }
        if let (Some(version), Some(kind)) = (
            extension(property, "x-kubernetes-object-ref-api-version"),
            extension(property, "x-kubernetes-object-ref-kind"),
        ) {
            let name_key =
                extension(property, "x-kubernetes-object-ref-name-key").unwrap_or("name");
            let mut referrer = spec();
            referrer.path.push(name_key.to_string());
            let back_references = NameBackReferences {
                gvk: Gvk::new("", version, kind),
                referrers: vec![referrer],
            };
            merge_back_references(&mut config.name_reference, &back_references)?;
        }
        if let Some(reference) = property.get("$ref").and_then(Value::as_str) {
            if !reference.is_empty() {
                load_crd_type(config, gvk, definitions, reference, &here, depth + 1)?;
            }
        }
    }
    Ok(())
}

fn read_specs(value: &Value, path: &Path, field: &str) -> Result<FsSlice> {
    match value {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| FieldSpec::from_value(item, path, &format!("{field}[{i}]")))
            .collect(),
        other => Err(Error::field(
            path,
            field,
            format!(
                "expected a list of field specs, found {}",
                value_kind(other)
            ),
        )),
    }
}

fn read_back_references(value: &Value, path: &Path) -> Result<Vec<NameBackReferences>> {
    let items = match value {
        Value::Null => return Ok(Vec::new()),
        Value::Array(items) => items,
        other => {
            return Err(Error::field(
                path,
                "nameReference",
                format!("expected a list, found {}", value_kind(other)),
            ))
        }
    };
    let mut result = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let field = format!("nameReference[{i}]");
        let mut entry = NameBackReferences::default();
        for (key, v) in expect_map(item, path, &field)? {
            match key.as_str() {
                "group" => entry.gvk.group = expect_str(v, path, &field, key)?,
                "version" => entry.gvk.version = expect_str(v, path, &field, key)?,
                "kind" => entry.gvk.kind = expect_str(v, path, &field, key)?,
                "fieldSpecs" => {
                    entry.referrers = read_specs(v, path, &format!("{field}.fieldSpecs"))?
                }
                _ => return Err(unknown_field(path, &field, key)),
            }
        }
        result.push(entry);
    }
    Ok(result)
}

fn expect_map<'a>(value: &'a Value, path: &Path, field: &str) -> Result<&'a Map<String, Value>> {
    value.as_object().ok_or_else(|| {
        let message = format!("expected a mapping, found {}", value_kind(value));
        if field.is_empty() {
            Error::file(path, message)
        } else {
            Error::field(path, field, message)
        }
    })
}

fn expect_str(value: &Value, path: &Path, field: &str, key: &str) -> Result<String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Null => Ok(String::new()),
        other => Err(Error::field(
            path,
            join_field(field, key),
            format!("expected a string, found {}", value_kind(other)),
        )),
    }
}

fn expect_bool(value: &Value, path: &Path, field: &str, key: &str) -> Result<bool> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::Null => Ok(false),
        other => Err(Error::field(
            path,
            join_field(field, key),
            format!("expected true or false, found {}", value_kind(other)),
        )),
    }
}

fn unknown_field(path: &Path, field: &str, key: &str) -> Error {
    Error::field(path, join_field(field, key), "unknown field")
}

fn join_field(field: &str, key: &str) -> String {
    if field.is_empty() {
        key.to_string()
    } else {
        format!("{field}.{key}")
    }
}

/// What a spec with `create` makes of a missing (or null) last field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Leaf {
    /// A string, for names and namespaces; created as `""`.
    Scalar,
    /// A mapping, for labels and annotations; created as `{}`.
    Map,
}

/// Calls `f` on every field the spec names in `object`, without creating
/// anything (kustomize's field-spec filter with no create kind). Does
/// nothing when the spec does not select the object.
pub fn apply_at(
    object: &mut Value,
    spec: &FieldSpec,
    f: &mut dyn FnMut(&mut Value) -> Result<()>,
) -> Result<()> {
    walk_object(object, spec, None, f)
}

/// Like [`apply_at`], but when the spec says `create`, missing maps on the
/// way are created and a missing last field is created as `leaf`.
pub fn apply_at_creating(
    object: &mut Value,
    spec: &FieldSpec,
    leaf: Leaf,
    f: &mut dyn FnMut(&mut Value) -> Result<()>,
) -> Result<()> {
    walk_object(object, spec, Some(leaf), f)
}

fn walk_object(
    object: &mut Value,
    spec: &FieldSpec,
    leaf: Option<Leaf>,
    f: &mut dyn FnMut(&mut Value) -> Result<()>,
) -> Result<()> {
    if !spec.matches_object(object) {
        return Ok(());
    }
    let mut walker = Walker { spec, leaf, f };
    // Described only on failure: the walk does not change the fields
    // describing the object before it fails (a name or namespace is a leaf).
    walker.walk(object, &spec.path).map_err(|e| {
        Error::msg(format!(
            "considering field '{}' of object {}: {e}",
            spec.path_string(),
            describe(object)
        ))
    })
}

/// A short id for error messages: `kind/name` plus namespace when set.
fn describe(object: &Value) -> String {
    let get = |path: &[&str]| {
        path.iter()
            .try_fold(object, |v, k| v.get(*k))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let (api_version, kind) = (get(&["apiVersion"]), get(&["kind"]));
    let (namespace, name) = (get(&["metadata", "namespace"]), get(&["metadata", "name"]));
    let mut text = format!("{api_version} {kind} ");
    if !namespace.is_empty() {
        text.push_str(&namespace);
        text.push('/');
    }
    text.push_str(&name);
    text
}

struct Walker<'a> {
    spec: &'a FieldSpec,
    leaf: Option<Leaf>,
    f: &'a mut dyn FnMut(&mut Value) -> Result<()>,
}

impl Walker<'_> {
    fn walk(&mut self, node: &mut Value, path: &[String]) -> Result<()> {
        if path.is_empty() {
            return (self.f)(node);
        }
        match node {
            Value::Null => Ok(()),
            // Lists are traversed without consuming a path segment.
            Value::Array(items) => items.iter_mut().try_for_each(|item| self.walk(item, path)),
            Value::Object(map) => self.walk_map(map, path),
            _ => Err(Error::msg("expected sequence or mapping node")),
        }
    }

    fn walk_map(&mut self, map: &mut Map<String, Value>, path: &[String]) -> Result<()> {
        let (name, is_list) = match path[0].strip_suffix("[]") {
            Some(name) => (name, true),
            None => (path[0].as_str(), false),
        };
        if name.is_empty() {
            return Err(Error::msg("cannot set or create an empty field name"));
        }
        let is_last = path.len() == 1;
        // What a missing or null field becomes, as kustomize decides it.
        let create = match self.leaf {
            Some(leaf) if self.spec.create_if_missing && !is_list => {
                Some(if is_last { leaf } else { Leaf::Map })
            }
            _ => None,
        };
        let field = match (map.contains_key(name), create) {
            (true, _) => map.get_mut(name),
            (false, Some(kind)) => Some(map.entry(name).or_insert_with(|| empty(kind))),
            (false, None) => None,
        };
        let Some(field) = field else {
            return Ok(());
        };
        if field.is_null() {
            if let Some(kind) = create {
                *field = empty(kind);
            } else if is_list {
                // kustomize takes the `[]` hint and turns a null into a list.
                *field = Value::Array(Vec::new());
            }
        }
        self.walk(field, &path[1..])
    }
}

fn empty(kind: Leaf) -> Value {
    match kind {
        Leaf::Scalar => Value::String(String::new()),
        Leaf::Map => Value::Object(Map::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Rust source for `fieldspecs/tables.rs`: the defaults as parsed from
    /// the JSON, and their merge into the empty configuration.
    fn tables_source() -> String {
        use std::fmt::Write;
        let builtin = TransformerConfig::parse_builtin();
        let mut into_empty = TransformerConfig::default();
        into_empty.merge(&builtin).unwrap();
        let specs = |out: &mut String, name: &str, list: &FsSlice, indent: &str| {
            writeln!(out, "{indent}{name}: &[").unwrap();
            for s in list {
                writeln!(
                    out,
                    "{indent}    ({:?}, {:?}, {:?}, &{:?}, {}),",
                    s.gvk.group, s.gvk.version, s.gvk.kind, s.path, s.create_if_missing
                )
                .unwrap();
            }
            writeln!(out, "{indent}],").unwrap();
        };
        let table = |out: &mut String, c: &TransformerConfig| {
            let lists: [(&str, &FsSlice); 10] = [
                ("name_prefix", &c.name_prefix),
                ("name_suffix", &c.name_suffix),
                ("namespace", &c.namespace),
                ("common_labels", &c.common_labels),
                ("labels", &c.labels),
                ("template_labels", &c.template_labels),
                ("common_annotations", &c.common_annotations),
                ("var_reference", &c.var_reference),
                ("images", &c.images),
                ("replicas", &c.replicas),
            ];
            out.push_str("Table {\n");
            for (name, list) in lists {
                specs(out, name, list, "    ");
            }
            out.push_str("    name_reference: &[\n");
            for n in &c.name_reference {
                writeln!(
                    out,
                    "        (({:?}, {:?}, {:?}), &[",
                    n.gvk.group, n.gvk.version, n.gvk.kind
                )
                .unwrap();
                for s in &n.referrers {
                    writeln!(
                        out,
                        "            ({:?}, {:?}, {:?}, &{:?}, {}),",
                        s.gvk.group, s.gvk.version, s.gvk.kind, s.path, s.create_if_missing
                    )
                    .unwrap();
                }
                out.push_str("        ]),\n");
            }
            out.push_str("    ],\n}");
        };
        let mut out = String::from(TABLES_HEADER);
        out.push_str("pub(super) static BUILTIN: Table = ");
        table(&mut out, &builtin);
        out.push_str(";\n\n");
        if into_empty == builtin {
            out.push_str("pub(super) static BUILTIN_INTO_EMPTY: Option<Table> = None;\n");
        } else {
            out.push_str("pub(super) static BUILTIN_INTO_EMPTY: Option<Table> = Some(");
            table(&mut out, &into_empty);
            out.push_str(");\n");
        }
        out
    }

    const TABLES_HEADER: &str = "\
//! kustomize's default field specs (`builtinpluginconsts`), compiled in so
//! that no build parses them. Generated from `fieldspecs/*.json`, do not
//! edit: after changing the JSON, run
//! `STRATA_BLESS=1 cargo test --lib engine::fieldspec::tests::tables`.

/// group, version, kind.
pub(super) type Kind = (&'static str, &'static str, &'static str);

/// group, version, kind, path segments, create.
pub(super) type Spec = (&'static str, &'static str, &'static str, &'static [&'static str], bool);

/// A [`super::TransformerConfig`] as static data.
pub(super) struct Table {
    pub name_prefix: &'static [Spec],
    pub name_suffix: &'static [Spec],
    pub namespace: &'static [Spec],
    pub common_labels: &'static [Spec],
    pub labels: &'static [Spec],
    pub template_labels: &'static [Spec],
    pub common_annotations: &'static [Spec],
    pub var_reference: &'static [Spec],
    pub images: &'static [Spec],
    pub replicas: &'static [Spec],
    pub name_reference: &'static [(Kind, &'static [Spec])],
}

";

    /// The compiled-in tables are exactly the JSON tables, parsed and
    /// sorted, and the merge into the empty configuration is the one the
    /// merge code computes.
    #[test]
    fn tables_are_the_json_tables() {
        let expected = tables_source();
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/engine/fieldspecs/tables.rs");
        if std::env::var_os("STRATA_BLESS").is_some() {
            std::fs::write(&file, &expected).unwrap();
        }
        let actual = std::fs::read_to_string(&file).unwrap();
        assert!(
            actual == expected,
            "{} is stale: run STRATA_BLESS=1 cargo test --lib engine::fieldspec::tests::tables",
            file.display()
        );
        let builtin = TransformerConfig::parse_builtin();
        assert_eq!(*TransformerConfig::builtin(), builtin);
        let mut into_empty = TransformerConfig::default();
        into_empty.merge(&builtin).unwrap();
        assert_eq!(*TransformerConfig::builtin_into_empty(), into_empty);
        assert!(!builtin.name_reference.is_empty() && !builtin.common_labels.is_empty());
    }

    fn spec(kind: &str, path: &str, create: bool) -> FieldSpec {
        FieldSpec::new(Gvk::new("", "", kind), path, create)
    }

    fn set_x(v: &mut Value) -> Result<()> {
        *v = json!("x");
        Ok(())
    }

    #[test]
    fn splits_paths_with_escapes() {
        let s = spec("", "metadata/annotations/a.io\\/b", false);
        assert_eq!(s.path_string(), "metadata/annotations/a.io\\/b");
    }

    #[test]
    fn builtin_tables_load() {
        let config = TransformerConfig::builtin();
        assert_eq!(config.name_prefix.len(), 1);
        assert_eq!(config.common_labels.len(), 32);
        assert_eq!(config.template_labels.len(), 10);
        assert_eq!(config.common_annotations.len(), 9);
        assert_eq!(config.namespace.len(), 3);
        assert_eq!(config.name_reference.len(), 16);
        assert_eq!(config.images.len(), 4);
        assert_eq!(config.replicas.len(), 4);
        assert_eq!(config.var_reference.len(), 72);
        for (name, text) in BUILTIN_TABLES {
            let value: Value = serde_json::from_str(text).unwrap();
            TransformerConfig::from_value(&value, Path::new(name)).unwrap();
        }
    }

    /// Walker cases, each checked with `kubectl kustomize` (commonLabels and
    /// namespace on small trees in /tmp).
    #[test]
    fn walks_as_kustomize() {
        struct Case {
            spec: FieldSpec,
            leaf: Option<Leaf>,
            input: Value,
            output: Value,
        }
        let cases = [
            // missing maps are created when `create`
            Case {
                spec: spec("Deployment", "spec/template/metadata/labels/app", true),
                leaf: Some(Leaf::Scalar),
                input: json!({"kind": "Deployment"}),
                output: json!({"kind": "Deployment", "spec": {"template": {"metadata": {"labels": {"app": "x"}}}}}),
            },
            // not created without `create`
            Case {
                spec: spec("", "spec/selector/matchLabels/app", false),
                leaf: Some(Leaf::Scalar),
                input: json!({"kind": "Job", "spec": {}}),
                output: json!({"kind": "Job", "spec": {}}),
            },
            // a null map without `create` stays null (Job matchLabels: null)
            Case {
                spec: spec("", "spec/selector/matchLabels/app", false),
                leaf: Some(Leaf::Scalar),
                input: json!({"kind": "Job", "spec": {"selector": {"matchLabels": null}}}),
                output: json!({"kind": "Job", "spec": {"selector": {"matchLabels": null}}}),
            },
            // a null list named with `[]` becomes an empty list
            Case {
                spec: spec(
                    "StatefulSet",
                    "spec/volumeClaimTemplates[]/metadata/labels/app",
                    true,
                ),
                leaf: Some(Leaf::Scalar),
                input: json!({"kind": "StatefulSet", "spec": {"volumeClaimTemplates": null}}),
                output: json!({"kind": "StatefulSet", "spec": {"volumeClaimTemplates": []}}),
            },
            // lists are traversed, elements created inside
            Case {
                spec: spec(
                    "StatefulSet",
                    "spec/volumeClaimTemplates[]/metadata/labels/app",
                    true,
                ),
                leaf: Some(Leaf::Scalar),
                input: json!({"kind": "StatefulSet", "spec": {"volumeClaimTemplates": [{}, {"metadata": {}}]}}),
                output: json!({"kind": "StatefulSet", "spec": {"volumeClaimTemplates": [
                    {"metadata": {"labels": {"app": "x"}}}, {"metadata": {"labels": {"app": "x"}}}]}}),
            },
            // a null intermediate map becomes a map when `create`
            Case {
                spec: spec("Deployment", "spec/template/metadata/labels/app", true),
                leaf: Some(Leaf::Scalar),
                input: json!({"kind": "Deployment", "spec": {"template": {"metadata": {"labels": null}}}}),
                output: json!({"kind": "Deployment", "spec": {"template": {"metadata": {"labels": {"app": "x"}}}}}),
            },
            // other kinds are left alone
            Case {
                spec: spec("Service", "spec/selector/app", true),
                leaf: Some(Leaf::Scalar),
                input: json!({"kind": "Deployment"}),
                output: json!({"kind": "Deployment"}),
            },
            // nothing is created by the plain walker
            Case {
                spec: spec("", "metadata/name", true),
                leaf: None,
                input: json!({"kind": "ConfigMap", "metadata": {}}),
                output: json!({"kind": "ConfigMap", "metadata": {}}),
            },
        ];
        for case in cases {
            let mut object = case.input.clone();
            match case.leaf {
                Some(leaf) => apply_at_creating(&mut object, &case.spec, leaf, &mut set_x),
                None => apply_at(&mut object, &case.spec, &mut set_x),
            }
            .unwrap();
            assert_eq!(object, case.output, "{}", case.spec);
        }
    }

    #[test]
    fn scalars_on_the_way_are_errors() {
        // kubectl: "considering field 'spec/selector' of object ...: expected sequence or mapping node"
        let mut object =
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": 3});
        let err = apply_at_creating(
            &mut object,
            &spec("Service", "spec/selector", true),
            Leaf::Map,
            &mut set_x,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("considering field 'spec/selector'"), "{err}");
        assert!(err.contains("expected sequence or mapping node"), "{err}");
    }

    #[test]
    fn merge_dedups_and_rejects_conflicts() {
        let mut config = TransformerConfig::clone(&TransformerConfig::builtin());
        let before = config.common_labels.len();
        let extra = json!({
            "commonLabels": [
                {"path": "metadata/labels", "create": true},
                {"kind": "Foo", "path": "spec/selector", "create": true},
            ],
            "nameReference": [
                {"kind": "ConfigMap", "version": "v1", "fieldSpecs": [{"kind": "Foo", "path": "spec/cm"}]},
                {"kind": "Bar", "fieldSpecs": [{"kind": "Foo", "path": "spec/bar"}]},
            ],
        });
        let other = TransformerConfig::from_value(&extra, Path::new("c.yaml")).unwrap();
        config.merge(&other).unwrap();
        assert_eq!(config.common_labels.len(), before + 1);
        assert_eq!(config.name_reference.len(), 17);
        let cm = config
            .name_reference
            .iter()
            .find(|n| n.gvk.kind == "ConfigMap")
            .unwrap();
        assert!(cm.referrers.iter().any(|s| s.path_is(&["spec", "cm"])));

        let conflict = json!({"commonLabels": [{"path": "metadata/labels", "create": false}]});
        let other = TransformerConfig::from_value(&conflict, Path::new("c.yaml")).unwrap();
        assert!(config.merge(&other).is_err());
    }

    /// kustomize's TestIssue4884: a `configurations:` file adding
    /// `namePrefix` specs for two kinds. The layer's configuration (defaults
    /// merged with the file, then sorted) lists them before the general
    /// `metadata/name`; merged into the empty accumulator, the general spec
    /// is then "present" (selected by the empty GVK) and dropped, so only
    /// those kinds get prefixed. kubectl prints exactly that.
    #[test]
    fn a_kinded_name_spec_displaces_the_general_one() {
        let file = json!({"namePrefix": [
            {"path": "metadata/name", "kind": "IngressHost"},
            {"path": "metadata/name", "kind": "IngressSecret"},
        ]});
        let file = Arc::new(TransformerConfig::from_value(&file, Path::new("c.yaml")).unwrap());
        let files = merge_shared(&TransformerConfig::empty(), &file).unwrap();
        let layer = merge_shared(&TransformerConfig::builtin(), &files).unwrap();
        let kinds = |c: &TransformerConfig| -> Vec<String> {
            c.name_prefix.iter().map(|s| s.gvk.kind.clone()).collect()
        };
        assert_eq!(kinds(&layer), ["IngressHost", "IngressSecret", ""]);
        let accumulated = merge_shared(&TransformerConfig::empty(), &layer).unwrap();
        assert_eq!(kinds(&accumulated), ["IngressHost", "IngressSecret"]);
        // A parent layer's own defaults cannot bring it back.
        let parent = merge_shared(&accumulated, &TransformerConfig::builtin()).unwrap();
        assert_eq!(kinds(&parent), ["IngressHost", "IngressSecret"]);
        // Without the file the defaults stand.
        let plain =
            merge_shared(&TransformerConfig::empty(), &TransformerConfig::builtin()).unwrap();
        assert_eq!(kinds(&plain), [""]);
    }

    /// Specs sort by kind rank (kustomize's `orderFirst` kinds first), then
    /// by `group_version_kind`, empty parts as `~G`, `~V`, `~K`.
    #[test]
    fn merged_lists_are_sorted_by_gvk() {
        let file = json!({"commonAnnotations": [
            {"path": "a", "kind": "Zeta"},
            {"path": "a", "kind": "ValidatingWebhookConfiguration"},
            {"path": "a", "kind": "Alpha", "group": "x.io"},
            {"path": "a", "kind": "Alpha"},
            {"path": "a", "kind": "Service"},
            {"path": "a", "kind": "Namespace"},
        ]});
        let config = TransformerConfig::from_value(&file, Path::new("c.yaml")).unwrap();
        let order: Vec<String> = config
            .common_annotations
            .iter()
            .map(|s| format!("{}/{}", s.gvk.group, s.gvk.kind))
            .collect();
        assert_eq!(
            order,
            [
                "/Namespace",
                "/Service",
                "x.io/Alpha",
                "/Alpha",
                "/Zeta",
                "/ValidatingWebhookConfiguration"
            ]
        );
    }

    /// The indexed merge of long lists decides as spec-by-spec merging:
    /// same specs kept, same order, same conflicts.
    #[test]
    fn long_merges_match_one_by_one_merges() {
        let kinds = ["", "Deployment", "Foo"];
        let paths = ["metadata/name", "spec/a", "spec/b"];
        let make = |seed: usize, n: usize| -> FsSlice {
            (0..n)
                .map(|i| {
                    let x = (seed * 7 + i * 13) % 97;
                    spec(kinds[x % 3], paths[(x / 3) % 3], x % 11 == 0)
                })
                .collect()
        };
        for seed in 0..40 {
            let base = make(seed, seed % 5);
            let incoming = make(seed + 1, 8 + seed % 9);
            let mut indexed = base.clone();
            let indexed_result = merge_specs(&mut indexed, &incoming).map(|()| indexed);
            let mut linear = base.clone();
            let linear_result = incoming
                .iter()
                .try_for_each(|s| merge_one(&mut linear, s.clone()))
                .map(|()| linear);
            assert_eq!(
                indexed_result.map_err(|e| e.to_string()),
                linear_result.map_err(|e| e.to_string()),
                "seed {seed}"
            );
        }
    }

    /// Layers without configurations share one merged configuration.
    #[test]
    fn merges_are_shared() {
        let a = merge_shared(&TransformerConfig::empty(), &TransformerConfig::builtin()).unwrap();
        let b = merge_shared(&Arc::default(), &TransformerConfig::builtin()).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        let c = merge_shared(&a, &TransformerConfig::builtin()).unwrap();
        assert!(
            Arc::ptr_eq(&c, &a),
            "a merge that changes nothing keeps its input"
        );
        assert!(Arc::ptr_eq(
            &c,
            &merge_shared(&a, &TransformerConfig::builtin()).unwrap()
        ));
    }

    #[test]
    fn configuration_files_are_strict() {
        let bad = json!({"commonLabel": []});
        let err = TransformerConfig::from_value(&bad, Path::new("c.yaml")).unwrap_err();
        assert!(err.to_string().contains("commonLabel"), "{err}");
    }

    /// kustomize's TestCrdBase (conformance case; kubectl agrees): MyKind's
    /// `spec/beeRef/name` names a Bee and `spec/secretRef/name` a Secret.
    #[test]
    fn reads_crd_definitions() {
        let p = "github.com/example/pkg/apis/jingfang/v1beta1";
        let object = |spec: &str| {
            json!({"Schema": {"properties": {
                "apiVersion": {"type": "string"}, "kind": {"type": "string"},
                "metadata": {"$ref": "k8s.io/apimachinery/pkg/apis/meta/v1.ObjectMeta"},
                "spec": {"$ref": format!("{p}.{spec}")}}}, "Dependencies": []})
        };
        let definitions = json!({
            format!("{p}.Bee"): object("BeeSpec"),
            format!("{p}.BeeObjectReference"): {"Schema": {"properties": {"name": {"type": "string"}}}},
            format!("{p}.BeeSpec"): {"Schema": {"description": "BeeSpec"}},
            format!("{p}.MyKind"): object("MyKindSpec"),
            format!("{p}.MyKindSpec"): {"Schema": {"properties": {
                "beeRef": {"x-kubernetes-object-ref-api-version": "v1beta1",
                    "x-kubernetes-object-ref-kind": "Bee", "$ref": format!("{p}.BeeObjectReference")},
                "secretRef": {"x-kubernetes-object-ref-api-version": "v1",
                    "x-kubernetes-object-ref-kind": "Secret", "$ref": "k8s.io/api/core/v1.LocalObjectReference"}}}},
        });
        let config =
            TransformerConfig::from_crd_definitions(&definitions, Path::new("mycrd.json")).unwrap();
        let refs: Vec<(String, String, String)> = config
            .name_reference
            .iter()
            .flat_map(|n| {
                n.referrers
                    .iter()
                    .map(move |s| (n.gvk.to_string(), s.gvk.kind.clone(), s.path_string()))
            })
            .collect();
        assert_eq!(
            refs,
            // Sorted by GVK as kustomize's merge leaves them: Secret is one
            // of the kinds ranked first.
            vec![
                (
                    "v1 Secret".to_string(),
                    "MyKind".to_string(),
                    "spec/secretRef/name".to_string()
                ),
                (
                    "v1beta1 Bee".to_string(),
                    "MyKind".to_string(),
                    "spec/beeRef/name".to_string()
                ),
            ]
        );
        assert!(config.common_labels.is_empty() && config.name_prefix.is_empty());
    }
}
