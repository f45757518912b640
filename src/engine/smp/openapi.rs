//! Which OpenAPI definitions a build's strategic merges use: kyaml's
//! schema globals (`openapi.SetSchema`, `initSchema`), kept as a value the
//! build owns and hands to each merge as an [`OpenApi`].
//!
//! kustomize's rules, checked against `kubectl kustomize`:
//! - the first kustomization in build order (the top one, then bases and
//!   components depth first) whose `openapi:` names a `path` or `version`
//!   decides; later ones are ignored, but their `path` must still load;
//! - `version` must be `v1.21.2`, the only one built in, and cannot be given
//!   with `path`;
//! - a custom schema replaces the built-in one, unless the built-in one was
//!   already in use when it was chosen: parsed for an earlier strategic
//!   merge (then both are used and the custom definitions win), or asked
//!   for by a resource of a type not in kyaml's precomputed list (then
//!   both are used and the built-in definitions win).

use std::path::{Path, PathBuf};

use super::schema::{builtin, OpenApi, SchemaDoc};
use crate::error::{Error, Result};

/// The only built-in schema version kustomize v5.5.0 has.
pub const BUILTIN_VERSION: &str = "v1.21.2";

/// A document kyaml has added to its global definitions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layer {
    Builtin,
    Custom,
}

/// A custom schema file, parsed only when first needed (kustomize builds
/// fine with a broken one that nothing uses).
#[derive(Debug)]
enum Custom {
    Text(PathBuf, String),
    Parsed(SchemaDoc),
}

/// kyaml's schema state over one build.
#[derive(Debug, Default)]
pub struct SchemaState {
    /// A version or custom schema was chosen (kyaml's `schemaIsSet`).
    chosen: bool,
    custom: Option<Custom>,
    /// Documents parsed, oldest first.
    parsed: Vec<Layer>,
    /// kyaml's `schemaInit`.
    ready: bool,
    /// The built-in schema was asked for but not parsed yet.
    builtin_delayed: bool,
}

impl SchemaState {
    /// A kustomization's `openapi:` field. `read` loads a `path` (relative to
    /// the kustomization) and gives its text and full path.
    pub fn configure(
        &mut self,
        path: Option<&str>,
        version: Option<&str>,
        read: impl FnOnce(&str) -> Result<(PathBuf, String)>,
    ) -> Result<()> {
        // kustomize loads the file before it looks at whether a schema is set.
        let loaded = match path {
            Some(path) => Some(read(path)?),
            None => None,
        };
        if self.chosen {
            return Ok(());
        }

        if let Some((path, content)) = loaded {
            if version.is_some() {
                return Err(Error::msg(
                    "builtin version and custom schema provided, cannot use both",
                ));
            }
            self.custom = Some(Custom::Text(path, content));
            self.chosen = true;
            self.ready = false;
            return Ok(());
        }
        match version {
            None | Some("") => Ok(()),
            Some(BUILTIN_VERSION) => {
                self.chosen = true;
                self.ready = false;
                Ok(())
            }
            Some(_) => Err(Error::msg("the specified OpenAPI version is not built in")),
        }
    }

    /// kyaml looks up whether a resource's type is namespaced whenever it
    /// makes its id; a type outside its precomputed list needs the schema.
    pub fn note_type(&mut self, api_version: &str, kind: &str) -> Result<()> {
        if PRECOMPUTED.contains(&(api_version, kind)) {
            return Ok(());
        }
        if self.custom.is_some() {
            self.init()?;
        } else if !self.parsed.contains(&Layer::Builtin) {
            self.builtin_delayed = true;
        }
        Ok(())
    }

    /// The definitions for a strategic merge (parsing them first, as kyaml's
    /// `initSchema`).
    pub fn for_merge(&mut self) -> Result<OpenApi<'_>> {
        self.init()?;
        Ok(self.view())
    }

    fn init(&mut self) -> Result<()> {
        if self.ready {
            return Ok(());
        }
        self.ready = true;
        if let Some(Custom::Text(path, text)) = &self.custom {
            self.custom = Some(Custom::Parsed(parse_custom(text, path)?));
        }
        if self.custom.is_some() {
            self.push(Layer::Custom);
        } else {
            self.push(Layer::Builtin);
        }
        if self.builtin_delayed {
            self.builtin_delayed = false;
            self.push(Layer::Builtin);
        }
        Ok(())
    }

    /// Re-adding a document's definitions puts them over the others'.
    fn push(&mut self, layer: Layer) {
        self.parsed.retain(|l| *l != layer);
        self.parsed.push(layer);
    }

    fn view(&self) -> OpenApi<'_> {
        let doc = |layer: &Layer| match layer {
            Layer::Builtin => Some(builtin()),
            Layer::Custom => match &self.custom {
                Some(Custom::Parsed(doc)) => Some(doc),
                _ => None,
            },
        };
        let docs: Vec<&SchemaDoc> = self.parsed.iter().filter_map(doc).collect();
        match docs.as_slice() {
            [] => OpenApi::builtin(),
            [one] => OpenApi::layered(one, None),
            [first, second, ..] => OpenApi::layered(first, Some(second)),
        }
    }
}

/// A custom schema file: JSON when it starts with `{`, else YAML.
fn parse_custom(text: &str, path: &Path) -> Result<SchemaDoc> {
    let value = if text.starts_with('{') {
        serde_json::from_str(text)
            .map_err(|e| Error::file(path, format!("invalid schema file: {e}")))?
    } else {
        crate::yaml::parse_config(text, path)?
    };
    Ok(SchemaDoc::from_value(&value))
}

/// The types kyaml knows the scope of without reading its schema
/// (`precomputedIsNamespaceScoped` in kyaml/openapi/openapi.go). Not
/// `crate::schema`'s cluster-scoped table: this one lists namespaced kinds
/// too and lacks some that kustomize's schema marks cluster-scoped.
const PRECOMPUTED: &[(&str, &str)] = &[
    (
        "admissionregistration.k8s.io/v1",
        "MutatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io/v1",
        "ValidatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "MutatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "ValidatingWebhookConfiguration",
    ),
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
    ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition"),
    ("apiregistration.k8s.io/v1", "APIService"),
    ("apiregistration.k8s.io/v1beta1", "APIService"),
    ("apps/v1", "ControllerRevision"),
    ("apps/v1", "DaemonSet"),
    ("apps/v1", "Deployment"),
    ("apps/v1", "ReplicaSet"),
    ("apps/v1", "StatefulSet"),
    ("autoscaling/v1", "HorizontalPodAutoscaler"),
    ("autoscaling/v1", "Scale"),
    ("autoscaling/v2beta1", "HorizontalPodAutoscaler"),
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler"),
    ("batch/v1", "CronJob"),
    ("batch/v1", "Job"),
    ("batch/v1beta1", "CronJob"),
    ("certificates.k8s.io/v1", "CertificateSigningRequest"),
    ("certificates.k8s.io/v1beta1", "CertificateSigningRequest"),
    ("coordination.k8s.io/v1", "Lease"),
    ("coordination.k8s.io/v1beta1", "Lease"),
    ("discovery.k8s.io/v1", "EndpointSlice"),
    ("discovery.k8s.io/v1beta1", "EndpointSlice"),
    ("events.k8s.io/v1", "Event"),
    ("events.k8s.io/v1beta1", "Event"),
    ("extensions/v1beta1", "Ingress"),
    ("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema"),
    (
        "flowcontrol.apiserver.k8s.io/v1beta1",
        "PriorityLevelConfiguration",
    ),
    ("networking.k8s.io/v1", "Ingress"),
    ("networking.k8s.io/v1", "IngressClass"),
    ("networking.k8s.io/v1", "NetworkPolicy"),
    ("networking.k8s.io/v1beta1", "Ingress"),
    ("networking.k8s.io/v1beta1", "IngressClass"),
    ("node.k8s.io/v1", "RuntimeClass"),
    ("node.k8s.io/v1beta1", "RuntimeClass"),
    ("policy/v1", "PodDisruptionBudget"),
    ("policy/v1beta1", "PodDisruptionBudget"),
    ("policy/v1beta1", "PodSecurityPolicy"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
    ("rbac.authorization.k8s.io/v1", "Role"),
    ("rbac.authorization.k8s.io/v1", "RoleBinding"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding"),
    ("rbac.authorization.k8s.io/v1beta1", "Role"),
    ("rbac.authorization.k8s.io/v1beta1", "RoleBinding"),
    ("scheduling.k8s.io/v1", "PriorityClass"),
    ("scheduling.k8s.io/v1beta1", "PriorityClass"),
    ("storage.k8s.io/v1", "CSIDriver"),
    ("storage.k8s.io/v1", "CSINode"),
    ("storage.k8s.io/v1", "StorageClass"),
    ("storage.k8s.io/v1", "VolumeAttachment"),
    ("storage.k8s.io/v1beta1", "CSIDriver"),
    ("storage.k8s.io/v1beta1", "CSINode"),
    ("storage.k8s.io/v1beta1", "CSIStorageCapacity"),
    ("storage.k8s.io/v1beta1", "StorageClass"),
    ("storage.k8s.io/v1beta1", "VolumeAttachment"),
    ("v1", "ComponentStatus"),
    ("v1", "ConfigMap"),
    ("v1", "Endpoints"),
    ("v1", "Event"),
    ("v1", "LimitRange"),
    ("v1", "Namespace"),
    ("v1", "Node"),
    ("v1", "NodeProxyOptions"),
    ("v1", "PersistentVolume"),
    ("v1", "PersistentVolumeClaim"),
    ("v1", "Pod"),
    ("v1", "PodAttachOptions"),
    ("v1", "PodExecOptions"),
    ("v1", "PodPortForwardOptions"),
    ("v1", "PodProxyOptions"),
    ("v1", "PodTemplate"),
    ("v1", "ReplicationController"),
    ("v1", "ResourceQuota"),
    ("v1", "Secret"),
    ("v1", "Service"),
    ("v1", "ServiceAccount"),
    ("v1", "ServiceProxyOptions"),
];

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: &str = r#"{"definitions": {"io.k8s.api.core.v1.PodSpec": {"properties":
        {"containers": {"type": "array", "x-kubernetes-patch-strategy": "merge",
                        "x-kubernetes-patch-merge-key": "image"}}}}}"#;

    fn containers_key(api: OpenApi) -> Vec<String> {
        api.for_type("apps/v1", "Deployment")
            .field("spec")
            .field("template")
            .field("spec")
            .field("containers")
            .merge_list()
            .map(|l| l.keys.to_vec())
            .unwrap_or_default()
    }

    fn custom(state: &mut SchemaState) {
        state
            .configure(Some("schema.json"), None, |_| {
                Ok(("schema.json".into(), SCHEMA.into()))
            })
            .unwrap();
    }

    // The outcomes below are what kubectl kustomize printed for the same
    // sequences of bases (see the module docs).
    #[test]
    fn custom_schema_alone_replaces_the_builtin_one() {
        let mut state = SchemaState::default();
        custom(&mut state);
        assert!(containers_key(state.for_merge().unwrap()).is_empty());
    }

    #[test]
    fn builtin_parsed_first_then_custom_wins() {
        let mut state = SchemaState::default();
        assert_eq!(containers_key(state.for_merge().unwrap()), ["name"]);
        custom(&mut state);
        assert_eq!(containers_key(state.for_merge().unwrap()), ["image"]);
    }

    #[test]
    fn builtin_delayed_then_builtin_wins() {
        let mut state = SchemaState::default();
        state.note_type("apps/v1", "Deployment").unwrap();
        state.note_type("v1", "Deployment").unwrap();
        custom(&mut state);
        assert_eq!(containers_key(state.for_merge().unwrap()), ["name"]);
    }

    #[test]
    fn a_broken_schema_fails_only_when_used() {
        let mut state = SchemaState::default();
        state
            .configure(Some("bad.json"), None, |_| {
                Ok(("bad.json".into(), "{\"definitions\": ".into()))
            })
            .unwrap();
        state.note_type("apps/v1", "Deployment").unwrap();
        let err = state.note_type("example.com/v1", "App").unwrap_err();
        assert!(err.to_string().contains("invalid schema file"), "{err}");
    }

    #[test]
    fn first_choice_stays_and_versions_are_checked() {
        let mut state = SchemaState::default();
        state
            .configure(None, Some("v1.21.2"), |_| unreachable!())
            .unwrap();
        custom(&mut state);
        assert_eq!(containers_key(state.for_merge().unwrap()), ["name"]);

        let err = SchemaState::default()
            .configure(None, Some("v1.14.1"), |_| unreachable!())
            .unwrap_err();
        assert!(err.to_string().contains("not built in"), "{err}");
        let err = SchemaState::default()
            .configure(Some("s.json"), Some("v1.21.2"), |_| {
                Ok(("s.json".into(), "{}".into()))
            })
            .unwrap_err();
        assert!(err.to_string().contains("cannot use both"), "{err}");
    }
}
