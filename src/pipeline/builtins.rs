//! The one table from a kustomization's fields to the builtin transformers
//! they configure, in kustomize's order (`configureBuiltinTransformers`):
//! patchesStrategicMerge, patches, namespace, namePrefix, nameSuffix,
//! labels and commonLabels, commonAnnotations, patchesJson6902, replicas,
//! images, replacements.
//!
//! The layer runs what this returns, and build metadata names each entry
//! by its plugin's kind, so order, running and recording cannot disagree.

use std::path::Path;

use super::plugins::{BuiltinPlugin, PluginConfig};
use crate::engine::fieldspec::TransformerConfig;
use crate::error::Result;
use crate::load::kustomization::replacements;
use crate::load::kustomization::{Kustomization, StringMap};
use crate::load::loader::Loader;
use crate::load::patches;
use crate::resource::Configured;
use crate::transform::{labels, namespace};

/// The builtin transformers `k` (in `file`) configures, configured with the
/// layer's field specs `config` and with their patch and replacement files
/// read through `loader`.
pub fn transformers(
    k: &Kustomization,
    file: &Path,
    config: &TransformerConfig,
    loader: &Loader<'_>,
) -> Result<Vec<PluginConfig>> {
    let mut plugins = Vec::new();
    if !k.patches_strategic_merge.is_empty() {
        let loaded = patches::load_strategic_merge(loader, &k.patches_strategic_merge, file)?;
        plugins.push(BuiltinPlugin::PatchStrategicMerge(loaded));
    }
    for patch in &k.patches {
        let loaded = patches::load_patch(loader, patch, file)?;
        plugins.push(BuiltinPlugin::Patch(loaded));
    }
    if let Some(namespace) = non_empty(&k.namespace) {
        plugins.push(BuiltinPlugin::Namespace {
            namespace: namespace.to_string(),
            field_specs: config.namespace.clone(),
            options: namespace::Options::default(),
        });
    }
    if let Some(prefix) = non_empty(&k.name_prefix) {
        plugins.push(BuiltinPlugin::Names {
            prefix: Some(prefix.to_string()),
            suffix: None,
            field_specs: config.name_prefix.clone(),
        });
    }
    if let Some(suffix) = non_empty(&k.name_suffix) {
        plugins.push(BuiltinPlugin::Names {
            prefix: None,
            suffix: Some(suffix.to_string()),
            field_specs: config.name_suffix.clone(),
        });
    }
    let common_labels = k.common_labels.clone().unwrap_or_default();
    if !k.labels.is_empty() || !common_labels.is_empty() {
        for (index, entry) in k.labels.iter().enumerate() {
            plugins.push(BuiltinPlugin::Labels {
                labels: entry.pairs.clone(),
                field_specs: labels::entry_specs(entry, config, file, index)?,
            });
        }
        // kustomize configures one for commonLabels even when it is empty.
        plugins.push(BuiltinPlugin::Labels {
            labels: common_labels,
            field_specs: config.common_labels.clone(),
        });
    }
    if let Some(annotations) = k.common_annotations.as_ref().filter(|a| !a.is_empty()) {
        plugins.push(BuiltinPlugin::Annotations {
            annotations: StringMap::clone(annotations),
            field_specs: config.common_annotations.clone(),
        });
    }
    for patch in &k.patches_json6902 {
        let loaded = patches::load_json6902(loader, patch, file)?;
        plugins.push(BuiltinPlugin::PatchJson6902(loaded));
    }
    for replica in &k.replicas {
        plugins.push(BuiltinPlugin::ReplicaCount {
            replica: replica.clone(),
            field_specs: config.replicas.clone(),
        });
    }
    for image in &k.images {
        plugins.push(BuiltinPlugin::ImageTag {
            image: image.clone(),
            field_specs: config.images.clone(),
        });
    }
    if !k.replacements.is_empty() {
        let mut read = |path: &str| loader.read_to_string(path);
        let parsed = replacements::resolve(&k.replacements, &mut read)?;
        plugins.push(BuiltinPlugin::Replacement(parsed));
    }
    Ok(plugins
        .into_iter()
        .map(|plugin| PluginConfig {
            configured: Configured::builtin(file, plugin.kind()),
            plugin,
            field: true,
        })
        .collect())
}

fn non_empty(field: &Option<String>) -> Option<&str> {
    field.as_deref().filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::MemFs;
    use crate::load::loader::LoadRestrictions;
    use serde_json::json;

    /// /tmp/md/a: patches, namespace, prefix, suffix, one `labels:` entry
    /// (and the commonLabels transformer kustomize adds anyway),
    /// commonAnnotations, one replica and two images, named in the build
    /// metadata kubectl writes in this order.
    #[test]
    fn fields_configure_transformers_in_kustomize_order() {
        let k: Kustomization = serde_json::from_value(json!({
            "resources": ["dep.yaml"],
            "namespace": "ns", "nameSuffix": "-s", "namePrefix": "p-",
            "labels": [{"pairs": {"a": "b"}}],
            "commonAnnotations": {"x": "w"},
            "images": [{"name": "nginx", "newTag": "2"}, {"name": "redis", "newTag": "3"}],
            "replicas": [{"name": "dep", "count": 2}],
            "patches": [{"patch": "[]", "target": {"kind": "Deployment"}}],
        }))
        .unwrap();
        let fs = MemFs::new();
        let loader = Loader::new(&fs, Path::new("/k"), LoadRestrictions::RootOnly);
        let file = Path::new("/k/kustomization.yaml");
        let plugins = transformers(&k, file, &TransformerConfig::builtin(), &loader).unwrap();
        let kinds: Vec<&str> = plugins.iter().map(|p| p.configured.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "PatchTransformer",
                "NamespaceTransformer",
                "PrefixTransformer",
                "SuffixTransformer",
                "LabelTransformer",
                "LabelTransformer",
                "AnnotationsTransformer",
                "ReplicaCountTransformer",
                "ImageTagTransformer",
                "ImageTagTransformer",
            ]
        );
        assert!(plugins.iter().all(|p| p.field && p.configured.file == file));
    }
}
