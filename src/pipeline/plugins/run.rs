//! Running configured builtin plugins over a layer's resources, in order,
//! through the transformer or generator each stands for.

use serde_json::Value;

use super::{exec, BuiltinPlugin, PluginConfig, PluginOptions};
use crate::engine::fieldspec::{apply_at_creating, FsSlice, Leaf, TransformerConfig};
use crate::engine::smp::openapi::SchemaState;
use crate::engine::smp::OpenApi;
use crate::error::{Error, Result};
use crate::generate;
use crate::load::kustomization::{Image, Replica};
use crate::load::loader::Loader;
use crate::resource::{value_kind, Origin, Resource, ResourceMap};
use crate::transform::{
    annotations, images, labels, names, namespace, patch, replacements, replicas,
};

/// Runs plugins for one layer.
pub struct Runner<'r, 'l> {
    /// The listing kustomization's loader: generators read their files
    /// relative to it, as in kustomize.
    pub loader: &'r Loader<'l>,
    /// The build's OpenAPI schema, asked for by strategic merges.
    pub schema: &'r mut SchemaState,
    /// Record each transformer on every resource it ran over
    /// (`buildMetadata: [transformerAnnotations]`).
    pub record: bool,
    /// Whether and how external plugins run.
    pub plugins: &'r PluginOptions,
    /// Where plugins' warnings go (the build's).
    pub warnings: &'r mut Vec<String>,
}

impl Runner<'_, '_> {
    /// Runs transformer configs in order. A generator among them is an
    /// error: it belongs under `generators:`.
    pub fn transform(
        &mut self,
        configs: &[PluginConfig],
        resources: &mut ResourceMap,
    ) -> Result<()> {
        for config in configs {
            if config.plugin.is_generator() {
                return Err(Error::file(
                    &config.configured.file,
                    format!(
                        "plugin {} `{}` not a transformer; list it under `generators:`",
                        config.plugin.kind(),
                        config.configured.name
                    ),
                ));
            }
            let result = if let BuiltinPlugin::External(external) = &config.plugin {
                exec::transform(
                    external,
                    resources,
                    &config.configured,
                    self.plugins,
                    self.warnings,
                )
            } else {
                let api = if config.plugin.merges() {
                    self.schema.for_merge()?
                } else {
                    OpenApi::builtin()
                };
                run_transformer(&config.plugin, resources, api)
            };
            result.map_err(|e| {
                if config.field {
                    // The kustomization's file is already in the trail.
                    return e;
                }
                e.context(format!(
                    "{} ({} {})",
                    config.configured.file.display(),
                    config.configured.kind,
                    config.configured.name
                ))
            })?;
            if self.record {
                crate::transform::metadata::record(resources, &config.configured);
            }
        }
        Ok(())
    }

    /// Runs generator configs in order, absorbing what each generates
    /// (`behavior: merge`/`replace` apply). Generated resources get the
    /// config as their origin.
    pub fn generate(
        &mut self,
        configs: &[PluginConfig],
        resources: &mut ResourceMap,
    ) -> Result<()> {
        for config in configs {
            if let BuiltinPlugin::External(external) = &config.plugin {
                let generated =
                    exec::generate(external, &config.configured, self.plugins, self.warnings)
                        .map_err(|e| {
                            e.context(format!(
                                "{} ({} {})",
                                config.configured.file.display(),
                                config.configured.kind,
                                config.configured.name
                            ))
                        })?;
                for resource in generated {
                    generate::absorb_generated(resources, resource)?;
                }
                continue;
            }
            let mut resource = self.generated(config)?;
            resource.origin = Origin::Plugin(config.configured.clone());
            generate::absorb_generated(resources, resource)?;
        }
        Ok(())
    }

    fn generated(&self, config: &PluginConfig) -> Result<Resource> {
        let file = &config.configured.file;
        match &config.plugin {
            BuiltinPlugin::ConfigMapGenerator(args) => {
                generate::configmap::config_map(args, None, self.loader, file)
            }
            BuiltinPlugin::SecretGenerator(args) => {
                generate::configmap::secret(args, None, self.loader, file)
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
                        file,
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
                let object = crate::yaml::parse_stream(&text, file)?
                    .into_iter()
                    .next()
                    .unwrap_or(Value::Null);
                Resource::new(object, Origin::Plugin(config.configured.clone()))
            }
            other => Err(Error::file(
                file,
                format!(
                    "plugin {} `{}` not a generator; list it under `transformers:`",
                    other.kind(),
                    config.configured.name
                ),
            )),
        }
    }
}

/// Runs one transformer; strategic merges take their keys from `api`.
/// Every plugin carries its own field specs.
pub(crate) fn run_transformer(
    plugin: &BuiltinPlugin,
    resources: &mut ResourceMap,
    api: OpenApi<'_>,
) -> Result<()> {
    match plugin {
        BuiltinPlugin::Names {
            prefix,
            suffix,
            field_specs,
        } => {
            if let Some(prefix) = prefix {
                names::apply_prefix(resources, prefix, field_specs)?;
            }
            if let Some(suffix) = suffix {
                names::apply_suffix(resources, suffix, field_specs)?;
            }
            Ok(())
        }
        BuiltinPlugin::Labels {
            labels,
            field_specs,
        } => labels::apply(resources, labels, field_specs),
        BuiltinPlugin::Annotations {
            annotations,
            field_specs,
        } => annotations::apply(resources, annotations, field_specs),
        BuiltinPlugin::Namespace {
            namespace,
            field_specs,
            options,
        } => namespace::apply(resources, namespace, field_specs, *options),
        BuiltinPlugin::ImageTag { image, field_specs } => {
            run_image_tag(resources, image, field_specs)
        }
        BuiltinPlugin::ReplicaCount {
            replica,
            field_specs,
        } => run_replica_count(resources, replica, field_specs),
        BuiltinPlugin::Hash => generate::hash::add_hash_suffixes(resources),
        BuiltinPlugin::Patch(loaded) | BuiltinPlugin::PatchJson6902(loaded) => {
            patch::apply_patch(resources, loaded, api)
        }
        BuiltinPlugin::PatchStrategicMerge(loaded) => {
            patch::apply_strategic_merge(resources, loaded, api)
        }
        BuiltinPlugin::Replacement(parsed) => replacements::apply(resources, parsed),
        BuiltinPlugin::ConfigMapGenerator(_)
        | BuiltinPlugin::SecretGenerator(_)
        | BuiltinPlugin::IamPolicyGenerator { .. } => Err(Error::msg(format!(
            "plugin {} is a generator; list it under `generators:` (not a transformer)",
            plugin.kind()
        ))),
        BuiltinPlugin::External(external) => Err(Error::msg(format!(
            "plugin {} runs only through a plugin runner",
            external.name()
        ))),
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
