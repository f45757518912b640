//! Resource identity: group/version/kind plus namespace and name.
//!
//! This module depends on nothing else in the crate so that errors, the
//! resource map and every transformer can name resources the same way.

use std::fmt;

/// A group, version and kind. The core group is the empty string.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Gvk {
    pub group: String,
    pub version: String,
    pub kind: String,
}

impl Gvk {
    pub fn new(group: &str, version: &str, kind: &str) -> Self {
        Gvk {
            group: group.to_string(),
            version: version.to_string(),
            kind: kind.to_string(),
        }
    }

    /// Splits an `apiVersion` (`apps/v1`, `v1`) into group and version.
    pub fn from_api_version(api_version: &str, kind: &str) -> Self {
        let (group, version) = split_api_version(api_version);
        Gvk::new(group, version, kind)
    }

    /// `apps/v1` or `v1` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else if self.version.is_empty() {
            self.group.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// True when every non-empty part of `selector` equals this GVK's part,
    /// the way kustomize's `Gvk.IsSelected` matches field specs.
    pub fn is_selected_by(&self, selector: &Gvk) -> bool {
        (selector.group.is_empty() || selector.group == self.group)
            && (selector.version.is_empty() || selector.version == self.version)
            && (selector.kind.is_empty() || selector.kind == self.kind)
    }

    /// kustomize's `Gvk.String()`: `Kind.version.group`, with `[noKind]`,
    /// `[noVer]` and `[noGrp]` for empty parts (its error messages use it).
    pub fn kustomize_string(&self) -> String {
        let or = |value: &str, placeholder: &str| {
            if value.is_empty() {
                placeholder.to_string()
            } else {
                value.to_string()
            }
        };
        format!(
            "{}.{}.{}",
            or(&self.kind, "[noKind]"),
            or(&self.version, "[noVer]"),
            or(&self.group, "[noGrp]")
        )
    }

    /// Whether objects of this kind live outside namespaces, per the
    /// built-in Kubernetes kinds (custom kinds are taken as namespaced).
    pub fn is_cluster_scoped(&self) -> bool {
        crate::schema::is_cluster_scoped(self)
    }
}

/// Splits `group/version` into its parts; `v1` is the core group.
pub fn split_api_version(api_version: &str) -> (&str, &str) {
    match api_version.rsplit_once('/') {
        Some((group, version)) => (group, version),
        None => ("", api_version),
    }
}

impl fmt::Display for Gvk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.api_version(), self.kind)
    }
}

/// The identity of one resource: its GVK, namespace (empty when none) and name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResId {
    pub gvk: Gvk,
    pub namespace: String,
    pub name: String,
}

impl ResId {
    pub fn new(gvk: Gvk, namespace: &str, name: &str) -> Self {
        ResId {
            gvk,
            namespace: namespace.to_string(),
            name: name.to_string(),
        }
    }

    /// The id an object names in its own fields: `apiVersion`, `kind`,
    /// `metadata.namespace` and `metadata.name`, each empty when missing or
    /// not a string.
    pub fn of(object: &serde_json::Value) -> ResId {
        let text = |path: &[&str]| {
            path.iter()
                .try_fold(object, |value, key| value.get(*key))
                .and_then(serde_json::Value::as_str)
                .unwrap_or("")
        };
        let scalar = |key: &str| object.get(key).and_then(kind_text).unwrap_or_default();
        ResId::new(
            Gvk::from_api_version(&scalar("apiVersion"), &scalar("kind")),
            text(&["metadata", "namespace"]),
            text(&["metadata", "name"]),
        )
    }

    /// The namespace as kustomize compares it: cluster-scoped kinds have
    /// none and an unset namespace equals `default`.
    pub fn effective_namespace(&self) -> &str {
        if self.gvk.is_cluster_scoped() {
            ""
        } else if self.namespace.is_empty() {
            "default"
        } else {
            &self.namespace
        }
    }

    /// Equality as kustomize's `ResId.Equals`: same GVK, name and effective namespace.
    pub fn same_as(&self, other: &ResId) -> bool {
        self.gvk == other.gvk
            && self.name == other.name
            && self.effective_namespace() == other.effective_namespace()
    }
}

impl fmt::Display for ResId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.gvk)?;
        if !self.namespace.is_empty() {
            write!(f, " {}/{}", self.namespace, self.name)
        } else {
            write!(f, " {}", self.name)
        }
    }
}

/// The text of a `kind` or `apiVersion`: kustomize takes any scalar
/// (`kind: 5` is kind `5`, `apiVersion: 1` version `1`); `None` for a
/// mapping, list or null.
pub fn kind_text(kind: &serde_json::Value) -> Option<std::borrow::Cow<'_, str>> {
    use serde_json::Value;
    match kind {
        Value::String(text) => Some(std::borrow::Cow::Borrowed(text)),
        Value::Number(number) => Some(std::borrow::Cow::Owned(number.to_string())),
        Value::Bool(flag) => Some(std::borrow::Cow::Borrowed(if *flag {
            "true"
        } else {
            "false"
        })),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_api_versions() {
        assert_eq!(split_api_version("apps/v1"), ("apps", "v1"));
        assert_eq!(split_api_version("v1"), ("", "v1"));
        assert_eq!(Gvk::from_api_version("v1", "Pod").api_version(), "v1");
    }

    #[test]
    fn displays_ids() {
        let id = ResId::new(Gvk::new("apps", "v1", "Deployment"), "prod", "web");
        assert_eq!(id.to_string(), "apps/v1 Deployment prod/web");
    }

    #[test]
    fn default_namespace_equals_unset() {
        let gvk = Gvk::new("", "v1", "ConfigMap");
        let a = ResId::new(gvk.clone(), "", "x");
        let b = ResId::new(gvk, "default", "x");
        assert!(a.same_as(&b));
    }
}
