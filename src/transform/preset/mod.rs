//! Presets: PodPreset-style injection of env vars, volumes, sidecars and
//! more into the pod templates of workloads, as a build step.
//!
//! This module owns the preset format ([`parse_presets`]) and its
//! application to a layer's resources ([`apply`]). It does not read files,
//! order itself among the transformers, or resolve name references: the
//! build calls [`apply`] before references are fixed, so a preset naming a
//! generated ConfigMap by its base name ends up with the hashed name.
//!
//! # Format
//!
//! ```yaml
//! apiVersion: strata.dev/v1alpha1     # or settings.k8s.io/v1alpha1 (legacy: only
//! kind: PodPreset                     #   selector, env, envFrom, volumes, volumeMounts)
//! metadata: {name: db, namespace: prod}   # namespace optional
//! spec:
//!   selector: {matchLabels: {}, matchExpressions: [{key, operator, values}]}
//!   kinds: [Deployment]               # optional narrowing
//!   names: [web]                      # optional narrowing
//!   workloads: [{apiVersion: argoproj.io/v1alpha1, kind: Rollout, templatePath: spec/template}]
//!   containers: [app]                 # targets of env/envFrom/volumeMounts/resources
//!   env: [], envFrom: [], volumeMounts: [], volumes: []
//!   resources: {requests: {cpu: 100m}, limits: {memory: 256Mi}}
//!   sidecars: [], initContainers: [], nativeSidecars: false
//!   annotations: {}, labels: {}, tolerations: []
//!   onConflict: error                 # error | skip | override
//! ```
//!
//! Every field of `spec` is optional; unknown fields are errors. A file may
//! hold several documents or a `List`.
//!
//! # Rules
//!
//! * A preset applies to a workload when its namespace (if set) equals the
//!   workload's (unset counts as `default`), the workload's kind is in
//!   `spec.kinds` and one of its names is in `spec.names` (when those are
//!   set), and `spec.selector` matches the pod template's labels. The empty
//!   selector matches every workload.
//! * Pod templates: Pod (the object itself), Deployment, ReplicaSet,
//!   ReplicationController, StatefulSet, DaemonSet, Job (`spec/template`),
//!   CronJob (`spec/jobTemplate/spec/template`), PodTemplate (`template`),
//!   matched by kind in any group; custom kinds through `spec.workloads`.
//!   A workload without a template at that path is left alone.
//! * `env`, `envFrom`, `volumeMounts` and resource defaults go into every
//!   entry of `spec.containers`, or into the containers named in
//!   `spec.containers` of the preset (which may also name init containers).
//!   Init containers get nothing unless named. A preset never injects into
//!   the sidecars and init containers it adds itself.
//! * Lists are appended in preset order after what the workload has: volumes,
//!   then per container env, envFrom, volumeMounts, resources; then init
//!   containers, sidecars (as init containers with `restartPolicy: Always`
//!   when `nativeSidecars`), tolerations, template labels and annotations.
//! * An identical item is never a conflict, so applying a preset twice gives
//!   the output of applying it once. Conflicts follow `spec.onConflict`.
//! * `presets.strata.dev/exclude: "true"` on a workload or its pod template
//!   skips every preset; a comma-separated list of preset names skips those.
//! * `presets.strata.dev/applied` on the pod template lists the presets
//!   applied, comma-separated, in the order they were applied.
//! * A preset that targets no workload of its layer is reported
//!   ([`Applied::matched`]); the build warns (for a library directory, only
//!   when none of its presets matched).
//! * `resources` quantities follow Kubernetes' grammar (`100m`, `1.5Gi`,
//!   `2e3`) and may not be negative; `templatePath` is field names
//!   separated by `/`.

mod inject;
mod parse;
mod quantity;
pub mod selector;

#[cfg(test)]
mod tests;

use std::path::PathBuf;

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::id::ResId;
use crate::resource::{Resource, ResourceMap};

pub use parse::parse_presets;
pub use selector::LabelSelector;

/// The `apiVersion` of strata presets.
pub const API_VERSION: &str = "strata.dev/v1alpha1";
/// The `apiVersion` of Kubernetes' removed PodPreset, accepted with its fields.
pub const LEGACY_API_VERSION: &str = "settings.k8s.io/v1alpha1";
/// Workload or pod template annotation: `"true"`, or preset names to skip.
pub const EXCLUDE_ANNOTATION: &str = "presets.strata.dev/exclude";
/// Pod template annotation listing the presets applied, in order.
pub const APPLIED_ANNOTATION: &str = "presets.strata.dev/applied";

/// One parsed `kind: PodPreset` document.
#[derive(Clone, Debug, PartialEq)]
pub struct Preset {
    pub name: String,
    pub namespace: Option<String>,
    /// The file the preset came from, for errors and warnings.
    pub source: PathBuf,
    /// Written as `settings.k8s.io/v1alpha1`.
    pub legacy: bool,
    pub selector: LabelSelector,
    /// Workload kinds it applies to; empty means all.
    pub kinds: Vec<String>,
    /// Workload names it applies to; empty means all.
    pub names: Vec<String>,
    /// Custom kinds and where their pod template lives.
    pub workloads: Vec<CustomWorkload>,
    /// Containers that get env, envFrom, volumeMounts and resources; empty
    /// means every entry of the pod's `containers`.
    pub containers: Vec<String>,
    pub env: Vec<Value>,
    pub env_from: Vec<Value>,
    pub volume_mounts: Vec<Value>,
    pub volumes: Vec<Value>,
    pub resources: ResourceDefaults,
    /// Sidecars as they are injected: with `restartPolicy: Always` when native.
    pub sidecars: Vec<Value>,
    pub init_containers: Vec<Value>,
    pub native_sidecars: bool,
    pub annotations: Map<String, Value>,
    pub labels: Map<String, Value>,
    pub tolerations: Vec<Value>,
    pub on_conflict: OnConflict,
}

/// Default `requests` and `limits` (resource name to quantity).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResourceDefaults {
    pub requests: Map<String, Value>,
    pub limits: Map<String, Value>,
}

/// A custom workload kind: `apiVersion` (optional; any when unset), `kind`
/// and the slash-separated path of its pod template (empty: the object).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomWorkload {
    pub api_version: Option<String>,
    pub kind: String,
    pub template_path: Vec<String>,
}

/// What a conflicting item does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnConflict {
    /// The build fails, naming preset, workload, container and field.
    #[default]
    Error,
    /// The workload is left as it was for this preset, with a warning.
    Skip,
    /// The preset's item replaces the workload's.
    Override,
}

/// Where the pod templates of the built-in kinds live.
const BUILTIN_WORKLOADS: &[(&str, &[&str])] = &[
    ("Pod", &[]),
    ("Deployment", &["spec", "template"]),
    ("ReplicaSet", &["spec", "template"]),
    ("ReplicationController", &["spec", "template"]),
    ("StatefulSet", &["spec", "template"]),
    ("DaemonSet", &["spec", "template"]),
    ("Job", &["spec", "template"]),
    ("CronJob", &["spec", "jobTemplate", "spec", "template"]),
    ("PodTemplate", &["template"]),
];

impl Preset {
    /// `preset `name` (file)` for messages.
    fn describe(&self) -> String {
        format!("preset `{}` ({})", self.name, self.source.display())
    }

    /// The pod template path for a resource, when this preset treats it as a workload.
    fn template_path(&self, resource: &Resource) -> Option<Vec<String>> {
        let custom = self.workloads.iter().find(|workload| {
            workload.kind == resource.kind()
                && workload
                    .api_version
                    .as_ref()
                    .is_none_or(|api_version| api_version == resource.api_version())
        });
        if let Some(workload) = custom {
            return Some(workload.template_path.clone());
        }
        BUILTIN_WORKLOADS
            .iter()
            .find(|(kind, _)| *kind == resource.kind())
            .map(|(_, path)| path.iter().map(|key| (*key).to_string()).collect())
    }

    /// Namespace, kind and name narrowing (not the selector).
    fn targets(&self, resource: &Resource) -> bool {
        let id = resource.id();
        self.namespace
            .as_ref()
            .is_none_or(|namespace| effective(namespace) == id.effective_namespace())
            && (self.kinds.is_empty() || self.kinds.iter().any(|kind| kind == resource.kind()))
            && (self.names.is_empty() || resource.all_ids().any(|id| self.names.contains(&id.name)))
    }
}

fn effective(namespace: &str) -> &str {
    if namespace.is_empty() {
        "default"
    } else {
        namespace
    }
}

/// What [`apply`] reports besides the changed resources.
#[derive(Debug, Default)]
pub struct Applied {
    /// Workloads skipped on a conflict (`onConflict: skip`).
    pub warnings: Vec<String>,
    /// Per preset, whether it targeted any workload (applied, already
    /// there, skipped or excluded by annotation): a `false` is usually a
    /// selector or `kinds` typo.
    pub matched: Vec<bool>,
}

/// Applies `presets`, in order, to every workload in `resources`.
pub fn apply(resources: &mut ResourceMap, presets: &[Preset]) -> Result<Applied> {
    check_unique(presets)?;
    let mut warnings = Vec::new();
    let mut matched = vec![false; presets.len()];
    for resource in resources.edit().iter_mut() {
        for (preset, matched) in presets.iter().zip(&mut matched) {
            match apply_one(resource, preset)? {
                Outcome::NotMatched => {}
                Outcome::Matched => *matched = true,
                Outcome::Skipped(warning) => {
                    *matched = true;
                    warnings.push(warning);
                }
            }
        }
    }
    Ok(Applied { warnings, matched })
}

/// The warning for a preset that matched no workload of its layer.
pub fn unmatched_warning(preset: &Preset) -> String {
    format!(
        "{}: matches no workload of the layer; nothing injected (check `spec.selector`, \
         `spec.kinds`, `spec.names`, `metadata.namespace`)",
        preset.describe()
    )
}

/// What one preset did to one resource.
enum Outcome {
    /// Not a workload the preset targets.
    NotMatched,
    /// Targeted: injected, already there, or excluded by annotation.
    Matched,
    /// Targeted but left alone on a conflict, with the warning.
    Skipped(String),
}

/// Two different presets of one name would make the trace ambiguous.
fn check_unique(presets: &[Preset]) -> Result<()> {
    for (index, preset) in presets.iter().enumerate() {
        let clash = presets[..index].iter().find(|earlier| {
            earlier.name == preset.name
                && earlier.namespace == preset.namespace
                && *earlier != preset
        });
        if let Some(earlier) = clash {
            return Err(Error::file(
                &preset.source,
                format!(
                    "preset `{}` is also defined, differently, in {}",
                    preset.name,
                    earlier.source.display()
                ),
            ));
        }
    }
    Ok(())
}

/// Applies one preset to one resource.
fn apply_one(resource: &mut Resource, preset: &Preset) -> Result<Outcome> {
    let Some(path) = preset.template_path(resource) else {
        return Ok(Outcome::NotMatched);
    };
    if !preset.targets(resource) {
        return Ok(Outcome::NotMatched);
    }
    if excludes(resource.annotations(), &preset.name) {
        return Ok(Outcome::Matched);
    }
    let id = resource.id();
    let Some(template) = template_mut(resource.object_mut(), &path, preset, &id)? else {
        return Ok(Outcome::NotMatched);
    };
    let metadata = template.get("metadata").and_then(Value::as_object);
    let annotations = metadata
        .and_then(|m| m.get("annotations"))
        .and_then(Value::as_object);
    let labels = metadata
        .and_then(|m| m.get("labels"))
        .and_then(Value::as_object);
    if !preset.selector.matches(labels) {
        return Ok(Outcome::NotMatched);
    }
    if excludes(annotations, &preset.name) {
        return Ok(Outcome::Matched);
    }
    // Work on a copy so a skipped conflict leaves the workload untouched.
    let mut candidate = template.clone();
    match inject::inject(&mut candidate, preset) {
        Ok(()) => {
            *template = candidate;
            Ok(Outcome::Matched)
        }
        Err(inject::Failure::Malformed(message)) => Err(Error::msg(format!(
            "{}: cannot apply to {id}: {message}",
            preset.describe()
        ))),
        Err(inject::Failure::Conflict(conflict)) => {
            let message = conflict.describe(preset, &id);
            match preset.on_conflict {
                // Worded like the error, which is rendered `file: field `f`: message`.
                OnConflict::Skip => Ok(Outcome::Skipped(format!(
                    "{}: field `{}`: {message}; workload skipped",
                    preset.source.display(),
                    conflict.field
                ))),
                _ => Err(
                    Error::field(&preset.source, conflict.field.clone(), message).with_hint(
                        "set `spec.onConflict: skip` or `override` in the preset, or annotate the \
                     workload `presets.strata.dev/exclude`",
                    ),
                ),
            }
        }
    }
}

/// The pod template at `path`; `None` when absent, an error when not a mapping.
fn template_mut<'a>(
    object: &'a mut Value,
    path: &[String],
    preset: &Preset,
    id: &ResId,
) -> Result<Option<&'a mut Map<String, Value>>> {
    let mut value = object;
    for key in path {
        match value.get_mut(key.as_str()) {
            Some(next) if !next.is_null() => value = next,
            _ => return Ok(None),
        }
    }
    match value {
        Value::Object(map) => Ok(Some(map)),
        _ => Err(Error::msg(format!(
            "{}: the pod template of {id} at `{}` is not a mapping",
            preset.describe(),
            path.join("/")
        ))),
    }
}

/// Whether `presets.strata.dev/exclude` in `annotations` skips `preset`.
fn excludes(annotations: Option<&Map<String, Value>>, preset: &str) -> bool {
    match annotations.and_then(|map| map.get(EXCLUDE_ANNOTATION)) {
        Some(Value::Bool(flag)) => *flag,
        Some(Value::String(text)) => {
            text.trim() == "true" || text.split(',').any(|name| name.trim() == preset)
        }
        _ => false,
    }
}
