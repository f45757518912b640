//! Builtin plugins: kustomize's transformers and generators as configured
//! values, whether a kustomization field configures them (see
//! [`super::builtins`]) or a config document in `transformers:` or
//! `generators:` does (kustomize's `configureExternalTransformers`/
//! `Generators` and `builtinhelpers`).
//!
//! A config entry is an inline YAML document (or several) or a path: a
//! file of configs, or a kustomization directory whose resources are the
//! configs ([`load`]). A config with `apiVersion: builtin` names one of
//! kustomize's builtin plugins and carries that plugin's settings, field
//! specs included; it is read as kustomize reads it ([`parse`]: unknown
//! fields ignored, scalars accepted as strings). Any other `apiVersion` is
//! an external plugin ([`exec`]), run only under kustomize's
//! `--enable-alpha-plugins`.
//!
//! As in kustomize, configuring a plugin reads what it needs (patch files,
//! replacement files) and every plugin of a layer is configured before the
//! first runs; [`run`] then applies them in order through the transformer
//! each stands for, so a plugin behaves exactly like the field it mirrors.

pub mod exec;
pub mod load;
pub mod parse;
pub mod run;

#[cfg(test)]
mod tests;

use crate::engine::fieldspec::FsSlice;
use crate::load::kustomization::{GeneratorArgs, Image, Replica, StringMap};
use crate::load::patches::{LoadedPatch, PatchBody, SmPatch};
use crate::resource::Configured;
use crate::transform::namespace;
use crate::transform::replacements::Replacement;

pub use exec::PluginOptions;
pub use load::{load_configs, load_configs_with};
pub use run::Runner;

/// One builtin plugin, configured: its settings and what it read.
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
    /// `PatchTransformer`: one strategic merge or JSON 6902 patch.
    Patch(LoadedPatch),
    PatchStrategicMerge(Vec<SmPatch>),
    /// `PatchJson6902Transformer`: operations for a named target.
    PatchJson6902(LoadedPatch),
    Replacement(Vec<Replacement>),
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
    /// An exec plugin or KRM function (not builtin; see [`exec`]).
    External(Box<exec::ExternalPlugin>),
}

/// A configured plugin and its build-metadata identity (the file that
/// configures it and its `configuredBy`).
#[derive(Clone, Debug)]
pub struct PluginConfig {
    pub plugin: BuiltinPlugin,
    pub configured: Configured,
    /// Configured by a kustomization field rather than a config document.
    pub field: bool,
}

impl BuiltinPlugin {
    /// The plugin's kind, as kustomize names it (in build metadata too).
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
            BuiltinPlugin::PatchStrategicMerge(_) => "PatchStrategicMergeTransformer",
            BuiltinPlugin::PatchJson6902(_) => "PatchJson6902Transformer",
            BuiltinPlugin::Replacement(_) => "ReplacementTransformer",
            BuiltinPlugin::ConfigMapGenerator(_) => "ConfigMapGenerator",
            BuiltinPlugin::SecretGenerator(_) => "SecretGenerator",
            BuiltinPlugin::IamPolicyGenerator { .. } => "IAMPolicyGenerator",
            BuiltinPlugin::External(_) => "external plugin",
        }
    }

    /// Whether running it merges strategically, which needs the OpenAPI
    /// schema (asking for the schema fixes which one the build uses).
    pub fn merges(&self) -> bool {
        match self {
            BuiltinPlugin::PatchStrategicMerge(_) => true,
            BuiltinPlugin::Patch(patch) => matches!(patch.body, PatchBody::StrategicMerge(_)),
            _ => false,
        }
    }

    pub fn is_generator(&self) -> bool {
        matches!(
            self,
            BuiltinPlugin::ConfigMapGenerator(_)
                | BuiltinPlugin::SecretGenerator(_)
                | BuiltinPlugin::IamPolicyGenerator { .. }
        )
    }
}
