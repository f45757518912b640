//! The resource types the server serves: every built-in resource a
//! Kubernetes 1.32 API server serves with its default configuration (what
//! `kubectl api-resources` lists: scope, plural, singular, short names,
//! verbs, categories and subresources), plus the kinds of established
//! CustomResourceDefinitions.

use serde_json::{json, Value};

use super::schema::{builtin_root, Node};

const CRUD: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];
const CREATE: &[&str] = &["create"];

/// One served resource type (one group, version and plural).
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub plural: String,
    pub singular: String,
    pub namespaced: bool,
    pub short_names: Vec<String>,
    pub categories: Vec<String>,
    pub verbs: Vec<String>,
    /// Subresource names (`status`, `scale`, `log`, ...).
    pub subresources: Vec<String>,
    /// From a CustomResourceDefinition.
    pub custom: bool,
    /// Whether objects are stored (false for reviews and bindings, which are only created).
    pub stored: bool,
}

impl Resource {
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `deployments.apps`, or `services` for the core group.
    pub fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// `Deployment.apps`, or `Service` (the group kind of Invalid errors).
    pub fn group_kind(&self) -> String {
        if self.group.is_empty() {
            self.kind.clone()
        } else {
            format!("{}.{}", self.kind, self.group)
        }
    }

    pub fn has_status(&self) -> bool {
        self.subresources.iter().any(|name| name == "status")
    }

    pub fn has_scale(&self) -> bool {
        self.subresources.iter().any(|name| name == "scale")
    }

    /// Group and kind, the identity shared by every version.
    pub fn same_type(&self, other: &Resource) -> bool {
        self.group == other.group && self.plural == other.plural
    }

    /// The schema root of built-in kinds (custom kinds take theirs from the CRD).
    pub fn builtin_node(&self) -> Node<'static> {
        Node::Ty(builtin_root(&self.group, &self.kind))
    }

    /// Whether objects carry `metadata.generation` that bumps on spec changes.
    pub fn has_generation(&self) -> bool {
        self.custom
            || matches!(
                self.group.as_str(),
                "apps"
                    | "batch"
                    | "apiextensions.k8s.io"
                    | "networking.k8s.io"
                    | "policy"
                    | "autoscaling"
                    | "admissionregistration.k8s.io"
                    | "flowcontrol.apiserver.k8s.io"
            )
            || (self.group.is_empty() && self.kind == "ReplicationController")
    }

    /// The entries of this type in an `APIResourceList` (the type, then its subresources).
    pub fn api_resources(&self) -> Vec<Value> {
        let mut main = json!({
            "name": self.plural,
            "singularName": self.singular,
            "namespaced": self.namespaced,
            "kind": self.kind,
            "verbs": self.verbs,
        });
        if !self.short_names.is_empty() {
            main["shortNames"] = json!(self.short_names);
        }
        if !self.categories.is_empty() {
            main["categories"] = json!(self.categories);
        }
        let mut out = vec![main];
        for subresource in &self.subresources {
            let (group, version, kind, verbs) = subresource_info(self, subresource);
            let mut entry = json!({
                "name": format!("{}/{subresource}", self.plural),
                "singularName": "",
                "namespaced": self.namespaced,
                "kind": kind,
                "verbs": verbs,
            });
            if let Some(group) = group {
                entry["group"] = json!(group);
                entry["version"] = json!(version);
            }
            out.push(entry);
        }
        out
    }
}

/// Group, version and kind (when not the parent's) and verbs of a subresource.
fn subresource_info(
    resource: &Resource,
    name: &str,
) -> (
    Option<&'static str>,
    &'static str,
    String,
    Vec<&'static str>,
) {
    let update = vec!["get", "patch", "update"];
    match name {
        "status" | "ephemeralcontainers" | "approval" => (None, "", resource.kind.clone(), update),
        "scale" => (Some("autoscaling"), "v1", "Scale".into(), update),
        "finalize" => (None, "", resource.kind.clone(), vec!["update"]),
        "log" => (None, "", resource.kind.clone(), vec!["get"]),
        "binding" => (None, "", "Binding".into(), vec!["create"]),
        "eviction" => (Some("policy"), "v1", "Eviction".into(), vec!["create"]),
        "token" => (
            Some("authentication.k8s.io"),
            "v1",
            "TokenRequest".into(),
            vec!["create"],
        ),
        "proxy" => (
            None,
            "",
            format!("{}ProxyOptions", resource.kind),
            vec!["create", "delete", "get", "patch", "update"],
        ),
        "attach" | "exec" | "portforward" => {
            let kind = match name {
                "attach" => "PodAttachOptions",
                "exec" => "PodExecOptions",
                _ => "PodPortForwardOptions",
            };
            (None, "", kind.into(), vec!["create", "get"])
        }
        _ => (None, "", resource.kind.clone(), update),
    }
}

/// One row of the built-in table.
struct Builtin {
    api_version: &'static str,
    kind: &'static str,
    plural: &'static str,
    namespaced: bool,
    short: &'static [&'static str],
    categories: &'static [&'static str],
    verbs: &'static [&'static str],
    subresources: &'static [&'static str],
}

const fn b(
    api_version: &'static str,
    kind: &'static str,
    plural: &'static str,
    namespaced: bool,
    short: &'static [&'static str],
) -> Builtin {
    Builtin {
        api_version,
        kind,
        plural,
        namespaced,
        short,
        categories: &[],
        verbs: CRUD,
        subresources: &[],
    }
}

const fn with(
    row: Builtin,
    categories: &'static [&'static str],
    subresources: &'static [&'static str],
) -> Builtin {
    Builtin {
        categories,
        subresources,
        ..row
    }
}

const fn verbs(row: Builtin, verbs: &'static [&'static str]) -> Builtin {
    Builtin { verbs, ..row }
}

const ALL: &[&str] = &["all"];
const EXTENSIONS: &[&str] = &["api-extensions"];
const STATUS: &[&str] = &["status"];
const SCALE_STATUS: &[&str] = &["scale", "status"];
const NS: bool = true;
const CLUSTER: bool = false;

/// Kubernetes 1.32's default resources, groups in the order the server
/// lists them, resources by name.
const BUILTINS: &[Builtin] = &[
    verbs(b("v1", "Binding", "bindings", NS, &[]), CREATE),
    verbs(
        b(
            "v1",
            "ComponentStatus",
            "componentstatuses",
            CLUSTER,
            &["cs"],
        ),
        &["get", "list"],
    ),
    b("v1", "ConfigMap", "configmaps", NS, &["cm"]),
    b("v1", "Endpoints", "endpoints", NS, &["ep"]),
    b("v1", "Event", "events", NS, &["ev"]),
    b("v1", "LimitRange", "limitranges", NS, &["limits"]),
    with(
        verbs(
            b("v1", "Namespace", "namespaces", CLUSTER, &["ns"]),
            &[
                "create", "delete", "get", "list", "patch", "update", "watch",
            ],
        ),
        &[],
        &["finalize", "status"],
    ),
    with(
        b("v1", "Node", "nodes", CLUSTER, &["no"]),
        &[],
        &["proxy", "status"],
    ),
    with(
        b(
            "v1",
            "PersistentVolumeClaim",
            "persistentvolumeclaims",
            NS,
            &["pvc"],
        ),
        &[],
        STATUS,
    ),
    with(
        b(
            "v1",
            "PersistentVolume",
            "persistentvolumes",
            CLUSTER,
            &["pv"],
        ),
        &[],
        STATUS,
    ),
    with(
        b("v1", "Pod", "pods", NS, &["po"]),
        ALL,
        &[
            "attach",
            "binding",
            "ephemeralcontainers",
            "eviction",
            "exec",
            "log",
            "portforward",
            "proxy",
            "status",
        ],
    ),
    b("v1", "PodTemplate", "podtemplates", NS, &[]),
    with(
        b(
            "v1",
            "ReplicationController",
            "replicationcontrollers",
            NS,
            &["rc"],
        ),
        ALL,
        SCALE_STATUS,
    ),
    with(
        b("v1", "ResourceQuota", "resourcequotas", NS, &["quota"]),
        &[],
        STATUS,
    ),
    b("v1", "Secret", "secrets", NS, &[]),
    with(
        b("v1", "ServiceAccount", "serviceaccounts", NS, &["sa"]),
        &[],
        &["token"],
    ),
    with(
        b("v1", "Service", "services", NS, &["svc"]),
        ALL,
        &["proxy", "status"],
    ),
    with(
        b(
            "apiregistration.k8s.io/v1",
            "APIService",
            "apiservices",
            CLUSTER,
            &[],
        ),
        EXTENSIONS,
        STATUS,
    ),
    b(
        "apps/v1",
        "ControllerRevision",
        "controllerrevisions",
        NS,
        &[],
    ),
    with(
        b("apps/v1", "DaemonSet", "daemonsets", NS, &["ds"]),
        ALL,
        STATUS,
    ),
    with(
        b("apps/v1", "Deployment", "deployments", NS, &["deploy"]),
        ALL,
        SCALE_STATUS,
    ),
    with(
        b("apps/v1", "ReplicaSet", "replicasets", NS, &["rs"]),
        ALL,
        SCALE_STATUS,
    ),
    with(
        b("apps/v1", "StatefulSet", "statefulsets", NS, &["sts"]),
        ALL,
        SCALE_STATUS,
    ),
    b("events.k8s.io/v1", "Event", "events", NS, &["ev"]),
    verbs(
        b(
            "authentication.k8s.io/v1",
            "SelfSubjectReview",
            "selfsubjectreviews",
            CLUSTER,
            &[],
        ),
        CREATE,
    ),
    verbs(
        b(
            "authentication.k8s.io/v1",
            "TokenReview",
            "tokenreviews",
            CLUSTER,
            &[],
        ),
        CREATE,
    ),
    verbs(
        b(
            "authorization.k8s.io/v1",
            "LocalSubjectAccessReview",
            "localsubjectaccessreviews",
            NS,
            &[],
        ),
        CREATE,
    ),
    verbs(
        b(
            "authorization.k8s.io/v1",
            "SelfSubjectAccessReview",
            "selfsubjectaccessreviews",
            CLUSTER,
            &[],
        ),
        CREATE,
    ),
    verbs(
        b(
            "authorization.k8s.io/v1",
            "SelfSubjectRulesReview",
            "selfsubjectrulesreviews",
            CLUSTER,
            &[],
        ),
        CREATE,
    ),
    verbs(
        b(
            "authorization.k8s.io/v1",
            "SubjectAccessReview",
            "subjectaccessreviews",
            CLUSTER,
            &[],
        ),
        CREATE,
    ),
    with(
        b(
            "autoscaling/v2",
            "HorizontalPodAutoscaler",
            "horizontalpodautoscalers",
            NS,
            &["hpa"],
        ),
        ALL,
        STATUS,
    ),
    with(
        b(
            "autoscaling/v1",
            "HorizontalPodAutoscaler",
            "horizontalpodautoscalers",
            NS,
            &["hpa"],
        ),
        ALL,
        STATUS,
    ),
    with(
        b("batch/v1", "CronJob", "cronjobs", NS, &["cj"]),
        ALL,
        STATUS,
    ),
    with(b("batch/v1", "Job", "jobs", NS, &[]), ALL, STATUS),
    with(
        b(
            "certificates.k8s.io/v1",
            "CertificateSigningRequest",
            "certificatesigningrequests",
            CLUSTER,
            &["csr"],
        ),
        &[],
        &["approval", "status"],
    ),
    with(
        b(
            "networking.k8s.io/v1",
            "IngressClass",
            "ingressclasses",
            CLUSTER,
            &[],
        ),
        &[],
        &[],
    ),
    with(
        b("networking.k8s.io/v1", "Ingress", "ingresses", NS, &["ing"]),
        &[],
        STATUS,
    ),
    b(
        "networking.k8s.io/v1",
        "NetworkPolicy",
        "networkpolicies",
        NS,
        &["netpol"],
    ),
    with(
        b(
            "policy/v1",
            "PodDisruptionBudget",
            "poddisruptionbudgets",
            NS,
            &["pdb"],
        ),
        &[],
        STATUS,
    ),
    b(
        "rbac.authorization.k8s.io/v1",
        "ClusterRoleBinding",
        "clusterrolebindings",
        CLUSTER,
        &[],
    ),
    b(
        "rbac.authorization.k8s.io/v1",
        "ClusterRole",
        "clusterroles",
        CLUSTER,
        &[],
    ),
    b(
        "rbac.authorization.k8s.io/v1",
        "RoleBinding",
        "rolebindings",
        NS,
        &[],
    ),
    b("rbac.authorization.k8s.io/v1", "Role", "roles", NS, &[]),
    b("storage.k8s.io/v1", "CSIDriver", "csidrivers", CLUSTER, &[]),
    b("storage.k8s.io/v1", "CSINode", "csinodes", CLUSTER, &[]),
    b(
        "storage.k8s.io/v1",
        "CSIStorageCapacity",
        "csistoragecapacities",
        NS,
        &[],
    ),
    b(
        "storage.k8s.io/v1",
        "StorageClass",
        "storageclasses",
        CLUSTER,
        &["sc"],
    ),
    with(
        b(
            "storage.k8s.io/v1",
            "VolumeAttachment",
            "volumeattachments",
            CLUSTER,
            &[],
        ),
        &[],
        STATUS,
    ),
    with(
        b(
            "admissionregistration.k8s.io/v1",
            "MutatingWebhookConfiguration",
            "mutatingwebhookconfigurations",
            CLUSTER,
            &[],
        ),
        EXTENSIONS,
        &[],
    ),
    with(
        b(
            "admissionregistration.k8s.io/v1",
            "ValidatingAdmissionPolicy",
            "validatingadmissionpolicies",
            CLUSTER,
            &[],
        ),
        EXTENSIONS,
        STATUS,
    ),
    with(
        b(
            "admissionregistration.k8s.io/v1",
            "ValidatingAdmissionPolicyBinding",
            "validatingadmissionpolicybindings",
            CLUSTER,
            &[],
        ),
        EXTENSIONS,
        &[],
    ),
    with(
        b(
            "admissionregistration.k8s.io/v1",
            "ValidatingWebhookConfiguration",
            "validatingwebhookconfigurations",
            CLUSTER,
            &[],
        ),
        EXTENSIONS,
        &[],
    ),
    with(
        b(
            "apiextensions.k8s.io/v1",
            "CustomResourceDefinition",
            "customresourcedefinitions",
            CLUSTER,
            &["crd", "crds"],
        ),
        EXTENSIONS,
        STATUS,
    ),
    b(
        "scheduling.k8s.io/v1",
        "PriorityClass",
        "priorityclasses",
        CLUSTER,
        &["pc"],
    ),
    b("coordination.k8s.io/v1", "Lease", "leases", NS, &[]),
    b(
        "node.k8s.io/v1",
        "RuntimeClass",
        "runtimeclasses",
        CLUSTER,
        &[],
    ),
    b(
        "discovery.k8s.io/v1",
        "EndpointSlice",
        "endpointslices",
        NS,
        &[],
    ),
    with(
        b(
            "flowcontrol.apiserver.k8s.io/v1",
            "FlowSchema",
            "flowschemas",
            CLUSTER,
            &[],
        ),
        &[],
        STATUS,
    ),
    with(
        b(
            "flowcontrol.apiserver.k8s.io/v1",
            "PriorityLevelConfiguration",
            "prioritylevelconfigurations",
            CLUSTER,
            &[],
        ),
        &[],
        STATUS,
    ),
];

/// The built-in resource types.
pub fn builtins() -> Vec<Resource> {
    BUILTINS
        .iter()
        .map(|row| {
            let (group, version) = row
                .api_version
                .rsplit_once('/')
                .unwrap_or(("", row.api_version));
            let strings = |items: &[&str]| items.iter().map(|item| item.to_string()).collect();
            Resource {
                group: group.into(),
                version: version.into(),
                kind: row.kind.into(),
                plural: row.plural.into(),
                singular: row.kind.to_lowercase(),
                namespaced: row.namespaced,
                short_names: strings(row.short),
                categories: strings(row.categories),
                verbs: strings(row.verbs),
                subresources: strings(row.subresources),
                custom: false,
                stored: row.verbs.contains(&"list"),
            }
        })
        .collect()
}

/// The resource types a CustomResourceDefinition adds, one per served version.
pub fn of_crd(crd: &Value) -> Vec<Resource> {
    let spec = &crd["spec"];
    let names = &spec["names"];
    let text = |value: &Value| value.as_str().unwrap_or_default().to_string();
    let strings = |value: &Value| -> Vec<String> {
        value
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|item| item.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let kind = text(&names["kind"]);
    let singular = match names["singular"].as_str() {
        Some(singular) if !singular.is_empty() => singular.to_string(),
        _ => kind.to_lowercase(),
    };
    spec["versions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|version| version["served"].as_bool().unwrap_or(true))
        .map(|version| {
            let mut subresources = Vec::new();
            if version["subresources"].get("scale").is_some() {
                subresources.push("scale".to_string());
            }
            if version["subresources"].get("status").is_some() {
                subresources.push("status".to_string());
            }
            Resource {
                group: text(&spec["group"]),
                version: text(&version["name"]),
                kind: kind.clone(),
                plural: text(&names["plural"]),
                singular: singular.clone(),
                namespaced: spec["scope"].as_str() != Some("Cluster"),
                short_names: strings(&names["shortNames"]),
                categories: strings(&names["categories"]),
                verbs: CRUD.iter().map(|verb| verb.to_string()).collect(),
                subresources,
                custom: true,
                stored: true,
            }
        })
        .collect()
}

/// The group names in the order the server lists them.
pub fn builtin_group_order() -> Vec<&'static str> {
    let mut groups: Vec<&'static str> = Vec::new();
    for row in BUILTINS {
        if let Some((group, _)) = row.api_version.rsplit_once('/') {
            if !groups.contains(&group) {
                groups.push(group);
            }
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_the_1_32_resources() {
        let all = builtins();
        let main: Vec<&Resource> = all.iter().filter(|r| r.group.is_empty()).collect();
        assert_eq!(main.len(), 17, "core v1 resources");
        let deployments = all.iter().find(|r| r.plural == "deployments").unwrap();
        assert_eq!(deployments.categories, ["all"]);
        assert!(deployments.has_scale() && deployments.has_status());
        assert_eq!(
            all.iter()
                .filter(|r| r.plural == "horizontalpodautoscalers")
                .count(),
            2
        );
        let namespaces = all.iter().find(|r| r.plural == "namespaces").unwrap();
        assert!(!namespaces.verbs.contains(&"deletecollection".to_string()));
        let order = builtin_group_order();
        assert_eq!(order[0], "apiregistration.k8s.io");
        assert_eq!(order.len(), 19);
    }
}
