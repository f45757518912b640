//! Discovery: which URL serves a kind, and whether it is namespaced.
//!
//! One request per group/version (`/api/v1`, `/apis/<group>/<version>`),
//! cached for the run, as kubectl's per-version discovery does.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::APIResourceList;
use serde_json::Value;

use super::connect::{refusal, Connection};
use crate::error::{Error, Result};
use crate::id::Gvk;
use crate::resource::{Resource, ResourceMap};

/// Where a kind's objects live on the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ApiEndpoint {
    /// `/api/v1` or `/apis/<group>/<version>`.
    pub base: String,
    /// The resource's plural name (`deployments`).
    pub plural: String,
    pub namespaced: bool,
}

impl ApiEndpoint {
    /// The collection URL, `/apis/apps/v1/namespaces/web/deployments`.
    pub fn collection_path(&self, namespace: Option<&str>) -> String {
        match namespace {
            Some(namespace) => format!("{}/namespaces/{namespace}/{}", self.base, self.plural),
            None => format!("{}/{}", self.base, self.plural),
        }
    }
}

/// How to read one built resource.
pub(crate) enum Endpoint {
    Served(ApiEndpoint),
    /// The cluster does not know the kind, but the build carries its CRD.
    CreatedByBuild,
}

/// The kinds served per group/version, filled as resources ask.
pub(crate) struct Endpoints {
    /// `None` when the server does not serve the group/version at all.
    served: BTreeMap<String, Option<Vec<ServedKind>>>,
    /// The CustomResourceDefinitions in the build.
    build_crds: Vec<Value>,
}

#[derive(Clone, Debug)]
struct ServedKind {
    kind: String,
    plural: String,
    namespaced: bool,
}

impl Endpoints {
    pub(crate) fn new(desired: &ResourceMap) -> Self {
        let build_crds = desired
            .iter()
            .filter(|resource| {
                resource.kind() == "CustomResourceDefinition"
                    && resource.gvk().group == "apiextensions.k8s.io"
            })
            .map(|resource| resource.object().clone())
            .collect();
        Endpoints {
            served: BTreeMap::new(),
            build_crds,
        }
    }

    /// Forgets what a group/version served, so the next [`Endpoints::resolve`]
    /// asks again (a CRD the apply created may have become established).
    pub(crate) fn forget(&mut self, api_version: &str) {
        self.served.remove(api_version);
    }

    pub(crate) async fn resolve(
        &mut self,
        connection: &Connection,
        resource: &Resource,
    ) -> Result<Endpoint> {
        let gvk = resource.gvk();
        let api_version = gvk.api_version();
        if !self.served.contains_key(&api_version) {
            let kinds = fetch_kinds(connection, resource, &gvk).await?;
            self.served.insert(api_version.clone(), kinds);
        }
        let found = self
            .served
            .get(&api_version)
            .and_then(|kinds| kinds.as_ref())
            .and_then(|kinds| kinds.iter().find(|served| served.kind == gvk.kind));
        if let Some(served) = found {
            return Ok(Endpoint::Served(ApiEndpoint {
                base: base_path(&gvk),
                plural: served.plural.clone(),
                namespaced: served.namespaced,
            }));
        }
        if self.build_crds.iter().any(|crd| crd_defines(crd, &gvk)) {
            return Ok(Endpoint::CreatedByBuild);
        }
        Err(Error::msg(format!(
            "{}: the cluster at {} does not serve kind `{}` in `{api_version}`, and the build \
             has no CustomResourceDefinition for it (from {})",
            resource.id(),
            connection.server(),
            gvk.kind,
            resource.origin
        )))
    }
}

/// `/api/v1` for the core group, `/apis/<group>/<version>` otherwise.
fn base_path(gvk: &Gvk) -> String {
    if gvk.group.is_empty() {
        format!("/api/{}", gvk.version)
    } else {
        format!("/apis/{}/{}", gvk.group, gvk.version)
    }
}

/// The kinds a group/version serves; `None` when the server does not serve it.
async fn fetch_kinds(
    connection: &Connection,
    resource: &Resource,
    gvk: &Gvk,
) -> Result<Option<Vec<ServedKind>>> {
    let id = resource.id();
    if gvk.version.is_empty() || gvk.kind.is_empty() {
        return Err(Error::msg(format!(
            "{id}: needs apiVersion and kind (from {})",
            resource.origin
        )));
    }
    let request = http::Request::get(base_path(gvk))
        .body(Vec::new())
        .map_err(|error| Error::msg(format!("{id}: cannot build the request: {error}")))?;
    let what = format!("discovering {}", gvk.api_version());
    match connection.send::<APIResourceList>(request, &what).await? {
        Ok(list) => Ok(Some(served_kinds(&list))),
        Err(status) if status.code == 404 => Ok(None),
        Err(status) => Err(refusal(&id, "discovery for", &status)),
    }
}

/// The top-level resources of a list (subresources such as `deployments/scale` left out).
fn served_kinds(list: &APIResourceList) -> Vec<ServedKind> {
    list.resources
        .iter()
        .filter(|resource| !resource.name.contains('/'))
        .map(|resource| ServedKind {
            kind: resource.kind.clone(),
            plural: resource.name.clone(),
            namespaced: resource.namespaced,
        })
        .collect()
}

/// Whether one CRD object defines `gvk` (group, kind and a listed version).
fn crd_defines(crd: &Value, gvk: &Gvk) -> bool {
    let spec = &crd["spec"];
    let versions = spec["versions"].as_array().map_or(&[][..], Vec::as_slice);
    let version_listed = versions
        .iter()
        .any(|version| version["name"].as_str() == Some(gvk.version.as_str()))
        || spec["version"].as_str() == Some(gvk.version.as_str());
    spec["group"].as_str() == Some(gvk.group.as_str())
        && spec["names"]["kind"].as_str() == Some(gvk.kind.as_str())
        && version_listed
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn crd(versions: Value) -> Value {
        json!({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.example.com"},
            "spec": {"group": "example.com", "names": {"kind": "Widget", "plural": "widgets"},
                     "scope": "Namespaced", "versions": versions},
        })
    }

    #[test]
    fn crd_defines_group_kind_and_listed_version() {
        let crd = crd(json!([{"name": "v1"}, {"name": "v2"}]));
        let cases = [
            (Gvk::new("example.com", "v1", "Widget"), true),
            (Gvk::new("example.com", "v2", "Widget"), true),
            (Gvk::new("example.com", "v3", "Widget"), false),
            (Gvk::new("example.org", "v1", "Widget"), false),
            (Gvk::new("example.com", "v1", "Gadget"), false),
        ];
        for (gvk, expected) in cases {
            assert_eq!(crd_defines(&crd, &gvk), expected, "{gvk}");
        }
    }

    #[test]
    fn v1beta1_crd_names_its_version_in_spec_version() {
        let mut crd = crd(Value::Null);
        crd["spec"]["version"] = json!("v1alpha1");
        assert!(crd_defines(
            &crd,
            &Gvk::new("example.com", "v1alpha1", "Widget")
        ));
    }

    #[test]
    fn paths_for_core_groups_and_scopes() {
        assert_eq!(base_path(&Gvk::new("", "v1", "Service")), "/api/v1");
        assert_eq!(
            base_path(&Gvk::new("apps", "v1", "Deployment")),
            "/apis/apps/v1"
        );
        let endpoint = ApiEndpoint {
            base: "/apis/apps/v1".into(),
            plural: "deployments".into(),
            namespaced: true,
        };
        assert_eq!(
            endpoint.collection_path(Some("web")),
            "/apis/apps/v1/namespaces/web/deployments"
        );
        assert_eq!(endpoint.collection_path(None), "/apis/apps/v1/deployments");
    }

    #[test]
    fn subresources_are_not_kinds() {
        let list: APIResourceList = serde_json::from_value(json!({
            "groupVersion": "apps/v1",
            "resources": [
                {"name": "deployments", "singularName": "deployment", "namespaced": true, "kind": "Deployment", "verbs": ["get"]},
                {"name": "deployments/scale", "singularName": "", "namespaced": true, "kind": "Scale", "verbs": ["get"]},
            ],
        }))
        .expect("a resource list");
        let kinds = served_kinds(&list);
        assert_eq!(kinds.len(), 1);
        assert_eq!(kinds[0].plural, "deployments");
        assert!(kinds[0].namespaced);
    }
}
