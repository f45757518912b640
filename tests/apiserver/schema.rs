//! What server-side apply and strategic merge patch need to know about a
//! kind's schema: which lists are associative (and by which keys), which
//! are sets, which maps and lists are atomic, which maps have undeclared
//! keys (labels, data) and which structs are Go values (always present, so
//! never "added" when an object is created).
//!
//! Built-in kinds: a table of the Kubernetes 1.32 types, written here from
//! the API's `+listType`, `+listMapKey`, `+mapType`, `+structType` and
//! `patchStrategy` markers. Only fields that differ from the default are
//! listed: a field missing from a struct's table is a struct when its value
//! is a map and an atomic list when it is a list, which is what most
//! Kubernetes fields are. Custom resources: the CRD version's
//! `openAPIV3Schema` (`properties`, `additionalProperties`,
//! `x-kubernetes-list-type`/`-list-map-keys`/`-map-type`,
//! `x-kubernetes-preserve-unknown-fields`), as the real server reads it.

use serde_json::Value;

/// A field's type, as far as merging is concerned.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Ty {
    Scalar,
    /// A struct by name in [`fields_of`]; `""` is a struct not in the table.
    Struct(&'static str),
    /// Replaced whole: `+structType=atomic`, `+mapType=atomic`.
    Atomic,
    /// `map[string]scalar`, merged key by key (labels, annotations, data).
    Map,
    /// `map[string]<struct>` with the struct's name.
    MapOf(&'static str),
    /// `+listType=map`: items by their key fields; items of the named struct
    /// (`""`: not in the table, `"atomic"`: replaced whole).
    Keyed(&'static [&'static str], &'static str),
    /// `+listType=set` of scalars.
    Set,
    /// `+listType=atomic` (and lists without a marker).
    List,
    /// Anything: maps with undeclared keys, lists atomic (custom resources
    /// with `x-kubernetes-preserve-unknown-fields`).
    Untyped,
}

/// How a list field merges under a strategic merge patch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Smp {
    /// Keyed lists merge by their first key, sets merge, others replace.
    Auto,
    /// Replaced whole whatever the SSA list type.
    Replace,
    /// `patchStrategy=merge` with this `patchMergeKey`.
    Merge(&'static str),
}

#[derive(Clone, Copy, Debug)]
pub struct Field {
    pub name: &'static str,
    pub ty: Ty,
    pub smp: Smp,
    /// A Go struct value (not a pointer): present in every object.
    pub always: bool,
}

const fn f(name: &'static str, ty: Ty) -> Field {
    Field {
        name,
        ty,
        smp: Smp::Auto,
        always: false,
    }
}

/// A struct held by value.
const fn v(name: &'static str, ty: &'static str) -> Field {
    Field {
        name,
        ty: Ty::Struct(ty),
        smp: Smp::Auto,
        always: true,
    }
}

/// A struct held by pointer.
const fn p(name: &'static str, ty: &'static str) -> Field {
    f(name, Ty::Struct(ty))
}

const fn keyed(name: &'static str, keys: &'static [&'static str], item: &'static str) -> Field {
    f(name, Ty::Keyed(keys, item))
}

const fn smp(field: Field, smp: Smp) -> Field {
    Field { smp, ..field }
}

const NAME: &[&str] = &["name"];
const TYPE: &[&str] = &["type"];
const IP: &[&str] = &["ip"];

const OBJECT_META: &[Field] = &[
    f("labels", Ty::Map),
    f("annotations", Ty::Map),
    f("finalizers", Ty::Set),
    keyed("ownerReferences", &["uid"], ""),
    f("managedFields", Ty::List),
];

/// Kinds not in the table: metadata, then anything.
const OBJECT: &[Field] = &[v("metadata", "ObjectMeta")];

const POD_TEMPLATE_SPEC: &[Field] = &[v("metadata", "ObjectMeta"), v("spec", "PodSpec")];

const POD_SPEC: &[Field] = &[
    keyed("volumes", NAME, "Volume"),
    keyed("initContainers", NAME, "Container"),
    keyed("containers", NAME, "Container"),
    keyed("ephemeralContainers", NAME, "Container"),
    f("nodeSelector", Ty::Atomic),
    keyed("imagePullSecrets", NAME, "atomic"),
    p("affinity", "Affinity"),
    f("tolerations", Ty::List),
    keyed("hostAliases", IP, ""),
    keyed(
        "topologySpreadConstraints",
        &["topologyKey", "whenUnsatisfiable"],
        "TopologySpreadConstraint",
    ),
    f("overhead", Ty::Map),
    keyed("schedulingGates", NAME, ""),
    keyed("resourceClaims", NAME, ""),
    f("readinessGates", Ty::List),
];

const CONTAINER: &[Field] = &[
    keyed("ports", &["containerPort", "protocol"], ""),
    keyed("env", NAME, "EnvVar"),
    f("envFrom", Ty::List),
    v("resources", "ResourceRequirements"),
    keyed("volumeMounts", &["mountPath"], ""),
    keyed("volumeDevices", &["devicePath"], ""),
    f("resizePolicy", Ty::List),
    f("args", Ty::List),
    f("command", Ty::List),
];

const ENV_VAR: &[Field] = &[p("valueFrom", "EnvVarSource")];

const ENV_VAR_SOURCE: &[Field] = &[
    f("fieldRef", Ty::Atomic),
    f("resourceFieldRef", Ty::Atomic),
    f("configMapKeyRef", Ty::Atomic),
    f("secretKeyRef", Ty::Atomic),
];

const RESOURCE_REQUIREMENTS: &[Field] = &[
    f("limits", Ty::Map),
    f("requests", Ty::Map),
    smp(keyed("claims", NAME, ""), Smp::Replace),
];

const AFFINITY: &[Field] = &[p("nodeAffinity", "NodeAffinity")];

const NODE_AFFINITY: &[Field] = &[f(
    "requiredDuringSchedulingIgnoredDuringExecution",
    Ty::Atomic,
)];

const TOPOLOGY_SPREAD_CONSTRAINT: &[Field] = &[f("labelSelector", Ty::Atomic)];

const VOLUME: &[Field] = &[
    p("csi", "CSIVolumeSource"),
    p("ephemeral", "EphemeralVolumeSource"),
    p("cephfs", "SecretRefSource"),
    p("cinder", "SecretRefSource"),
    p("flexVolume", "FlexVolumeSource"),
    p("iscsi", "SecretRefSource"),
    p("rbd", "SecretRefSource"),
    p("scaleIO", "SecretRefSource"),
    p("storageos", "SecretRefSource"),
];

const SECRET_REF_SOURCE: &[Field] = &[f("secretRef", Ty::Atomic)];

const CSI_VOLUME_SOURCE: &[Field] = &[
    f("nodePublishSecretRef", Ty::Atomic),
    f("volumeAttributes", Ty::Map),
];

const FLEX_VOLUME_SOURCE: &[Field] = &[f("secretRef", Ty::Atomic), f("options", Ty::Map)];

const EPHEMERAL_VOLUME_SOURCE: &[Field] =
    &[p("volumeClaimTemplate", "PersistentVolumeClaimTemplate")];

const PVC_TEMPLATE: &[Field] = &[
    v("metadata", "ObjectMeta"),
    v("spec", "PersistentVolumeClaimSpec"),
];

const PVC: &[Field] = &[
    v("metadata", "ObjectMeta"),
    v("spec", "PersistentVolumeClaimSpec"),
    v("status", "PersistentVolumeClaimStatus"),
];

const PVC_SPEC: &[Field] = &[
    f("selector", Ty::Atomic),
    v("resources", "VolumeResourceRequirements"),
    f("dataSource", Ty::Atomic),
];

const VOLUME_RESOURCE_REQUIREMENTS: &[Field] = &[f("limits", Ty::Map), f("requests", Ty::Map)];

const PVC_STATUS: &[Field] = &[
    keyed("conditions", TYPE, ""),
    f("capacity", Ty::Map),
    f("allocatedResources", Ty::Map),
    f("allocatedResourceStatuses", Ty::Map),
];

const PV: &[Field] = &[
    v("metadata", "ObjectMeta"),
    v("spec", "PersistentVolumeSpec"),
    v("status", ""),
];

const PV_SPEC: &[Field] = &[
    f("capacity", Ty::Map),
    f("claimRef", Ty::Atomic),
    p("nodeAffinity", "VolumeNodeAffinity"),
    p("csi", "CSIPersistentVolumeSource"),
];

const VOLUME_NODE_AFFINITY: &[Field] = &[f("required", Ty::Atomic)];

const CSI_PV_SOURCE: &[Field] = &[
    f("volumeAttributes", Ty::Map),
    f("controllerPublishSecretRef", Ty::Atomic),
    f("nodeStageSecretRef", Ty::Atomic),
    f("nodePublishSecretRef", Ty::Atomic),
    f("controllerExpandSecretRef", Ty::Atomic),
    f("nodeExpandSecretRef", Ty::Atomic),
];

/// `conditions` keyed by type (most statuses).
const CONDITIONS_STATUS: &[Field] = &[keyed("conditions", TYPE, "")];

const POD: &[Field] = &[
    v("metadata", "ObjectMeta"),
    v("spec", "PodSpec"),
    v("status", "PodStatus"),
];

const POD_STATUS: &[Field] = &[
    keyed("conditions", TYPE, ""),
    keyed("podIPs", IP, ""),
    keyed("hostIPs", IP, ""),
    keyed("resourceClaimStatuses", NAME, ""),
];

const POD_TEMPLATE: &[Field] = &[
    v("metadata", "ObjectMeta"),
    v("template", "PodTemplateSpec"),
];

const DEPLOYMENT: &[Field] = &[
    v("metadata", "ObjectMeta"),
    v("spec", "DeploymentSpec"),
    v("status", "Conditions"),
];

const DEPLOYMENT_SPEC: &[Field] = &[
    f("selector", Ty::Atomic),
    v("template", "PodTemplateSpec"),
    v("strategy", ""),
];

const REPLICA_SET: &[Field] = &[
    v("metadata", "ObjectMeta"),
    v("spec", "ReplicaSetSpec"),
    v("status", "Conditions"),
];

const REPLICA_SET_SPEC: &[Field] = &[f("selector", Ty::Atomic), v("template", "PodTemplateSpec")];

const STATEFUL_SET: &[Field] = &[
    v("metadata", "ObjectMeta"),
    v("spec", "StatefulSetSpec"),
    v("status", "Conditions"),
];

const STATEFUL_SET_SPEC: &[Field] = &[
    f("selector", Ty::Atomic),
    v("template", "PodTemplateSpec"),
    f("volumeClaimTemplates", Ty::List),
    v("updateStrategy", ""),
];

const DAEMON_SET: &[Field] = &[
    v("metadata", "ObjectMeta"),
    v("spec", "DaemonSetSpec"),
    v("status", "Conditions"),
];

const DAEMON_SET_SPEC: &[Field] = &[
    f("selector", Ty::Atomic),
    v("template", "PodTemplateSpec"),
    v("updateStrategy", ""),
];

const CONTROLLER_REVISION: &[Field] = &[v("metadata", "ObjectMeta"), f("data", Ty::Atomic)];

const JOB: &[Field] = &[
    v("metadata", "ObjectMeta"),
    v("spec", "JobSpec"),
    v("status", "JobStatus"),
];

const JOB_SPEC: &[Field] = &[f("selector", Ty::Atomic), v("template", "PodTemplateSpec")];

const JOB_STATUS: &[Field] = &[smp(f("conditions", Ty::List), Smp::Merge("type"))];

const CRON_JOB: &[Field] = &[
    v("metadata", "ObjectMeta"),
    v("spec", "CronJobSpec"),
    v("status", ""),
];

const CRON_JOB_SPEC: &[Field] = &[v("jobTemplate", "JobTemplateSpec")];

const JOB_TEMPLATE_SPEC: &[Field] = &[v("metadata", "ObjectMeta"), v("spec", "JobSpec")];

const SERVICE: &[Field] = &[
    v("metadata", "ObjectMeta"),
    v("spec", "ServiceSpec"),
    v("status", "ServiceStatus"),
];

const SERVICE_SPEC: &[Field] = &[
    keyed("ports", &["port", "protocol"], ""),
    f("selector", Ty::Atomic),
    f("clusterIPs", Ty::List),
    f("ipFamilies", Ty::List),
    f("externalIPs", Ty::List),
    f("loadBalancerSourceRanges", Ty::List),
];

const SERVICE_STATUS: &[Field] = &[v("loadBalancer", ""), keyed("conditions", TYPE, "")];

const NAMESPACE: &[Field] = &[
    v("metadata", "ObjectMeta"),
    v("spec", ""),
    v("status", "Conditions"),
];

const CONFIG_MAP: &[Field] = &[
    v("metadata", "ObjectMeta"),
    f("data", Ty::Map),
    f("binaryData", Ty::Map),
];

const SECRET: &[Field] = &[
    v("metadata", "ObjectMeta"),
    f("data", Ty::Map),
    f("stringData", Ty::Map),
];

const SERVICE_ACCOUNT: &[Field] = &[
    v("metadata", "ObjectMeta"),
    keyed("secrets", NAME, "atomic"),
    f("imagePullSecrets", Ty::List),
];

const NODE: &[Field] = &[
    v("metadata", "ObjectMeta"),
    v("spec", "NodeSpec"),
    v("status", "NodeStatus"),
];

const NODE_SPEC: &[Field] = &[f("podCIDRs", Ty::Set), f("taints", Ty::List)];

const NODE_STATUS: &[Field] = &[
    keyed("addresses", TYPE, ""),
    keyed("conditions", TYPE, ""),
    f("capacity", Ty::Map),
    f("allocatable", Ty::Map),
];

const EVENT: &[Field] = &[
    v("metadata", "ObjectMeta"),
    f("involvedObject", Ty::Atomic),
    v("source", ""),
    f("related", Ty::Atomic),
];

const EVENTS_EVENT: &[Field] = &[
    v("metadata", "ObjectMeta"),
    f("regarding", Ty::Atomic),
    f("related", Ty::Atomic),
];

const INGRESS: &[Field] = &[
    v("metadata", "ObjectMeta"),
    v("spec", "IngressSpec"),
    v("status", "IngressStatus"),
];

const INGRESS_SPEC: &[Field] = &[f("rules", Ty::List), f("tls", Ty::List)];

const INGRESS_STATUS: &[Field] = &[v("loadBalancer", "")];

const NETWORK_POLICY: &[Field] = &[v("metadata", "ObjectMeta"), v("spec", "NetworkPolicySpec")];

const NETWORK_POLICY_SPEC: &[Field] = &[
    f("podSelector", Ty::Atomic),
    f("ingress", Ty::List),
    f("egress", Ty::List),
    f("policyTypes", Ty::List),
];

const ROLE: &[Field] = &[v("metadata", "ObjectMeta"), f("rules", Ty::List)];

const CLUSTER_ROLE: &[Field] = &[
    v("metadata", "ObjectMeta"),
    f("rules", Ty::List),
    p("aggregationRule", ""),
];

const ROLE_BINDING: &[Field] = &[
    v("metadata", "ObjectMeta"),
    f("subjects", Ty::List),
    f("roleRef", Ty::Atomic),
];

const HPA: &[Field] = &[
    v("metadata", "ObjectMeta"),
    v("spec", "HorizontalPodAutoscalerSpec"),
    v("status", "Conditions"),
];

const HPA_SPEC: &[Field] = &[f("scaleTargetRef", Ty::Atomic), f("metrics", Ty::List)];

const PDB: &[Field] = &[
    v("metadata", "ObjectMeta"),
    v("spec", "PodDisruptionBudgetSpec"),
    v("status", "PodDisruptionBudgetStatus"),
];

const PDB_SPEC: &[Field] = &[f("selector", Ty::Atomic)];

const PDB_STATUS: &[Field] = &[keyed("conditions", TYPE, ""), f("disruptedPods", Ty::Map)];

const CRD: &[Field] = &[
    v("metadata", "ObjectMeta"),
    v("spec", "CustomResourceDefinitionSpec"),
    v("status", "CustomResourceDefinitionStatus"),
];

const CRD_SPEC: &[Field] = &[
    v("names", "CustomResourceDefinitionNames"),
    f("versions", Ty::List),
];

const CRD_NAMES: &[Field] = &[f("shortNames", Ty::List), f("categories", Ty::List)];

const CRD_STATUS: &[Field] = &[
    keyed("conditions", TYPE, ""),
    v("acceptedNames", "CustomResourceDefinitionNames"),
    f("storedVersions", Ty::List),
];

const API_SERVICE: &[Field] = &[
    v("metadata", "ObjectMeta"),
    v("spec", ""),
    v("status", "Conditions"),
];

const WEBHOOK_CONFIGURATION: &[Field] = &[
    v("metadata", "ObjectMeta"),
    keyed("webhooks", NAME, "Webhook"),
];

const WEBHOOK: &[Field] = &[
    f("namespaceSelector", Ty::Atomic),
    f("objectSelector", Ty::Atomic),
    f("rules", Ty::List),
    f("admissionReviewVersions", Ty::List),
    keyed("matchConditions", NAME, ""),
];

const STORAGE_CLASS: &[Field] = &[
    v("metadata", "ObjectMeta"),
    f("parameters", Ty::Map),
    f("mountOptions", Ty::List),
    f("allowedTopologies", Ty::List),
];

const RESOURCE_QUOTA: &[Field] = &[
    v("metadata", "ObjectMeta"),
    v("spec", "ResourceQuotaSpec"),
    v("status", "ResourceQuotaStatus"),
];

const RESOURCE_QUOTA_SPEC: &[Field] = &[f("hard", Ty::Map), f("scopes", Ty::List)];

const RESOURCE_QUOTA_STATUS: &[Field] = &[f("hard", Ty::Map), f("used", Ty::Map)];

const REPLICATION_CONTROLLER: &[Field] = &[
    v("metadata", "ObjectMeta"),
    v("spec", "ReplicationControllerSpec"),
    v("status", "Conditions"),
];

const REPLICATION_CONTROLLER_SPEC: &[Field] =
    &[f("selector", Ty::Atomic), p("template", "PodTemplateSpec")];

const CSR: &[Field] = &[
    v("metadata", "ObjectMeta"),
    v("spec", "CertificateSigningRequestSpec"),
    v("status", "Conditions"),
];

const CSR_SPEC: &[Field] = &[
    f("usages", Ty::List),
    f("groups", Ty::List),
    f("extra", Ty::Map),
];

/// Every named struct of the table.
const TYPES: &[(&str, &[Field])] = &[
    ("Object", OBJECT),
    ("ObjectMeta", OBJECT_META),
    ("PodTemplateSpec", POD_TEMPLATE_SPEC),
    ("PodSpec", POD_SPEC),
    ("Container", CONTAINER),
    ("EnvVar", ENV_VAR),
    ("EnvVarSource", ENV_VAR_SOURCE),
    ("ResourceRequirements", RESOURCE_REQUIREMENTS),
    ("Affinity", AFFINITY),
    ("NodeAffinity", NODE_AFFINITY),
    ("TopologySpreadConstraint", TOPOLOGY_SPREAD_CONSTRAINT),
    ("Volume", VOLUME),
    ("SecretRefSource", SECRET_REF_SOURCE),
    ("CSIVolumeSource", CSI_VOLUME_SOURCE),
    ("FlexVolumeSource", FLEX_VOLUME_SOURCE),
    ("EphemeralVolumeSource", EPHEMERAL_VOLUME_SOURCE),
    ("PersistentVolumeClaimTemplate", PVC_TEMPLATE),
    ("PersistentVolumeClaim", PVC),
    ("PersistentVolumeClaimSpec", PVC_SPEC),
    ("VolumeResourceRequirements", VOLUME_RESOURCE_REQUIREMENTS),
    ("PersistentVolumeClaimStatus", PVC_STATUS),
    ("PersistentVolume", PV),
    ("PersistentVolumeSpec", PV_SPEC),
    ("VolumeNodeAffinity", VOLUME_NODE_AFFINITY),
    ("CSIPersistentVolumeSource", CSI_PV_SOURCE),
    ("Conditions", CONDITIONS_STATUS),
    ("Pod", POD),
    ("PodStatus", POD_STATUS),
    ("PodTemplate", POD_TEMPLATE),
    ("Deployment", DEPLOYMENT),
    ("DeploymentSpec", DEPLOYMENT_SPEC),
    ("ReplicaSet", REPLICA_SET),
    ("ReplicaSetSpec", REPLICA_SET_SPEC),
    ("StatefulSet", STATEFUL_SET),
    ("StatefulSetSpec", STATEFUL_SET_SPEC),
    ("DaemonSet", DAEMON_SET),
    ("DaemonSetSpec", DAEMON_SET_SPEC),
    ("ControllerRevision", CONTROLLER_REVISION),
    ("Job", JOB),
    ("JobSpec", JOB_SPEC),
    ("JobStatus", JOB_STATUS),
    ("CronJob", CRON_JOB),
    ("CronJobSpec", CRON_JOB_SPEC),
    ("JobTemplateSpec", JOB_TEMPLATE_SPEC),
    ("Service", SERVICE),
    ("ServiceSpec", SERVICE_SPEC),
    ("ServiceStatus", SERVICE_STATUS),
    ("Namespace", NAMESPACE),
    ("ConfigMap", CONFIG_MAP),
    ("Secret", SECRET),
    ("ServiceAccount", SERVICE_ACCOUNT),
    ("Node", NODE),
    ("NodeSpec", NODE_SPEC),
    ("NodeStatus", NODE_STATUS),
    ("Event", EVENT),
    ("EventsEvent", EVENTS_EVENT),
    ("Ingress", INGRESS),
    ("IngressSpec", INGRESS_SPEC),
    ("IngressStatus", INGRESS_STATUS),
    ("NetworkPolicy", NETWORK_POLICY),
    ("NetworkPolicySpec", NETWORK_POLICY_SPEC),
    ("Role", ROLE),
    ("ClusterRole", CLUSTER_ROLE),
    ("RoleBinding", ROLE_BINDING),
    ("HorizontalPodAutoscaler", HPA),
    ("HorizontalPodAutoscalerSpec", HPA_SPEC),
    ("PodDisruptionBudget", PDB),
    ("PodDisruptionBudgetSpec", PDB_SPEC),
    ("PodDisruptionBudgetStatus", PDB_STATUS),
    ("CustomResourceDefinition", CRD),
    ("CustomResourceDefinitionSpec", CRD_SPEC),
    ("CustomResourceDefinitionNames", CRD_NAMES),
    ("CustomResourceDefinitionStatus", CRD_STATUS),
    ("APIService", API_SERVICE),
    ("WebhookConfiguration", WEBHOOK_CONFIGURATION),
    ("Webhook", WEBHOOK),
    ("StorageClass", STORAGE_CLASS),
    ("ResourceQuota", RESOURCE_QUOTA),
    ("ResourceQuotaSpec", RESOURCE_QUOTA_SPEC),
    ("ResourceQuotaStatus", RESOURCE_QUOTA_STATUS),
    ("ReplicationController", REPLICATION_CONTROLLER),
    ("ReplicationControllerSpec", REPLICATION_CONTROLLER_SPEC),
    ("CertificateSigningRequest", CSR),
    ("CertificateSigningRequestSpec", CSR_SPEC),
];

/// The fields of a named struct (empty for unknown names).
pub fn fields_of(name: &str) -> &'static [Field] {
    TYPES
        .iter()
        .find(|(type_name, _)| *type_name == name)
        .map(|(_, fields)| *fields)
        .unwrap_or(&[])
}

/// The root type of a built-in kind (`Object` for kinds not in the table).
pub fn builtin_root(group: &str, kind: &str) -> Ty {
    let name = match (group, kind) {
        ("", "Event") => "Event",
        ("events.k8s.io", "Event") => "EventsEvent",
        ("admissionregistration.k8s.io", _) if kind.ends_with("WebhookConfiguration") => {
            "WebhookConfiguration"
        }
        ("rbac.authorization.k8s.io", "ClusterRoleBinding") => "RoleBinding",
        _ => TYPES
            .iter()
            .find(|(type_name, _)| *type_name == kind)
            .map(|(type_name, _)| *type_name)
            .unwrap_or("Object"),
    };
    Ty::Struct(name)
}

/// How a value is walked.
#[derive(Clone, Debug, PartialEq)]
pub enum Shape<'a> {
    /// Scalars and atomic maps and lists: owned and replaced whole.
    Leaf,
    /// Merged field by field.
    Map,
    /// A set of scalars.
    Set,
    /// An associative list keyed by these fields.
    Keyed(Vec<&'a str>),
}

/// A position in a schema.
#[derive(Clone, Copy, Debug)]
pub enum Node<'a> {
    Ty(Ty),
    /// A JSONSchemaProps of a CRD version.
    Crd(&'a Value),
    /// The root of a custom resource: metadata is ObjectMeta, the rest the schema's.
    CrdRoot(&'a Value),
}

/// A map field's node, whether the field is declared (a struct field, not
/// a map key) and how it merges under strategic merge patch.
#[derive(Clone, Copy, Debug)]
pub struct Child<'a> {
    pub node: Node<'a>,
    pub declared: bool,
    pub always: bool,
    pub smp: Smp,
}

impl<'a> Child<'a> {
    fn of(node: Node<'a>, declared: bool) -> Child<'a> {
        Child {
            node,
            declared,
            always: false,
            smp: Smp::Auto,
        }
    }
}

fn named(name: &'static str) -> Ty {
    match name {
        "atomic" => Ty::Atomic,
        name => Ty::Struct(name),
    }
}

impl<'a> Node<'a> {
    pub fn untyped() -> Node<'a> {
        Node::Ty(Ty::Untyped)
    }

    /// How `value` at this node is walked.
    pub fn shape(&self, value: &Value) -> Shape<'a> {
        match self {
            Node::Ty(ty) => match ty {
                Ty::Scalar | Ty::Atomic | Ty::List => Shape::Leaf,
                Ty::Struct(_) | Ty::Map | Ty::MapOf(_) | Ty::Untyped => {
                    if value.is_object() {
                        Shape::Map
                    } else {
                        Shape::Leaf
                    }
                }
                Ty::Keyed(keys, _) => {
                    if value.is_array() {
                        Shape::Keyed(keys.to_vec())
                    } else {
                        Shape::Leaf
                    }
                }
                Ty::Set => {
                    if value.is_array() {
                        Shape::Set
                    } else {
                        Shape::Leaf
                    }
                }
            },
            Node::Crd(schema) => crd_shape(schema, value),
            Node::CrdRoot(_) => Shape::Map,
        }
    }

    /// The node of map field `name`.
    pub fn field(&self, name: &str) -> Child<'a> {
        match self {
            Node::Ty(Ty::Struct(type_name)) => {
                match fields_of(type_name).iter().find(|field| field.name == name) {
                    Some(field) => Child {
                        node: Node::Ty(field.ty),
                        declared: true,
                        always: field.always,
                        smp: field.smp,
                    },
                    // Not in the table: a struct field of no special kind.
                    None => Child::of(Node::Ty(Ty::Struct("")), true),
                }
            }
            Node::Ty(Ty::Map) => Child::of(Node::Ty(Ty::Scalar), false),
            Node::Ty(Ty::MapOf(item)) => Child::of(Node::Ty(named(item)), false),
            Node::Ty(_) => Child::of(Node::untyped(), false),
            Node::Crd(schema) => crd_field(schema, name),
            Node::CrdRoot(schema) => match name {
                "metadata" => Child {
                    always: true,
                    ..Child::of(Node::Ty(Ty::Struct("ObjectMeta")), true)
                },
                "apiVersion" | "kind" => Child::of(Node::Ty(Ty::Scalar), true),
                _ => crd_field(schema, name),
            },
        }
    }

    /// The node of a list's items.
    pub fn item(&self) -> Node<'a> {
        match self {
            Node::Ty(Ty::Keyed(_, item)) => Node::Ty(named(item)),
            Node::Ty(Ty::Set) => Node::Ty(Ty::Scalar),
            Node::Crd(schema) => match schema.get("items") {
                Some(items) if items.is_object() => Node::Crd(items),
                _ => Node::untyped(),
            },
            _ => Node::untyped(),
        }
    }

    /// The default of a list-map key missing from an item (ports' `protocol`).
    pub fn key_default(&self, key: &str) -> Option<Value> {
        match self {
            Node::Ty(_) if key == "protocol" => Some(Value::String("TCP".into())),
            Node::Crd(schema) => schema
                .get("items")
                .and_then(|items| items.get("properties"))
                .and_then(|properties| properties.get(key))
                .and_then(|property| property.get("default"))
                .cloned(),
            _ => None,
        }
    }

    /// Strategic merge patch: the merge key of this list field, `Some("")`
    /// for lists of scalars that merge, `None` when the list is replaced.
    pub fn smp_merge_key(&self, smp: Smp) -> Option<&'a str> {
        match smp {
            Smp::Replace => None,
            Smp::Merge(key) => Some(key),
            Smp::Auto => match self {
                Node::Ty(Ty::Keyed(keys, _)) => keys.first().copied(),
                Node::Ty(Ty::Set) => Some(""),
                _ => None,
            },
        }
    }
}

fn crd_shape<'a>(schema: &'a Value, value: &Value) -> Shape<'a> {
    if schema["x-kubernetes-int-or-string"] == true {
        return Shape::Leaf;
    }
    match schema["type"].as_str() {
        Some("object") if value.is_object() => {
            if schema["x-kubernetes-map-type"] == "atomic" {
                Shape::Leaf
            } else {
                Shape::Map
            }
        }
        Some("array") if value.is_array() => match schema["x-kubernetes-list-type"].as_str() {
            Some("set") => Shape::Set,
            Some("map") => Shape::Keyed(
                schema["x-kubernetes-list-map-keys"]
                    .as_array()
                    .map(|keys| keys.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default(),
            ),
            _ => Shape::Leaf,
        },
        // No type: only `x-kubernetes-preserve-unknown-fields` allows it; deduce.
        None if value.is_object() => Shape::Map,
        _ => Shape::Leaf,
    }
}

fn crd_field<'a>(schema: &'a Value, name: &str) -> Child<'a> {
    if let Some(property) = schema.get("properties").and_then(|props| props.get(name)) {
        return Child::of(Node::Crd(property), true);
    }
    if schema["x-kubernetes-embedded-resource"] == true {
        match name {
            "metadata" => return Child::of(Node::Ty(Ty::Struct("ObjectMeta")), true),
            "apiVersion" | "kind" => return Child::of(Node::Ty(Ty::Scalar), true),
            _ => {}
        }
    }
    match schema.get("additionalProperties") {
        Some(additional) if additional.is_object() => Child::of(Node::Crd(additional), false),
        _ => Child::of(Node::untyped(), false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn container_ports_key_on_port_and_protocol_and_merge_on_the_port() {
        let spec = Node::Ty(Ty::Struct("PodSpec"));
        let containers = spec.field("containers");
        assert_eq!(
            containers.node.shape(&json!([])),
            Shape::Keyed(vec!["name"])
        );
        let ports = containers.node.item().field("ports");
        assert_eq!(
            ports.node.shape(&json!([])),
            Shape::Keyed(vec!["containerPort", "protocol"])
        );
        assert_eq!(ports.node.smp_merge_key(ports.smp), Some("containerPort"));
        assert_eq!(ports.node.key_default("protocol"), Some(json!("TCP")));
    }

    #[test]
    fn labels_are_undeclared_keys_and_selectors_atomic() {
        let meta = Node::Ty(Ty::Struct("ObjectMeta"));
        assert!(!meta.field("labels").node.field("app").declared);
        let spec = Node::Ty(builtin_root("apps", "Deployment")).field("spec");
        assert!(spec.always);
        assert_eq!(
            spec.node.field("selector").node.shape(&json!({})),
            Shape::Leaf
        );
    }

    #[test]
    fn crd_schemas_declare_properties_and_list_types() {
        let schema = json!({"type": "object", "properties": {
            "spec": {"type": "object", "properties": {
                "items": {"type": "array", "x-kubernetes-list-type": "map",
                          "x-kubernetes-list-map-keys": ["id"], "items": {"type": "object"}},
                "tags": {"type": "array", "items": {"type": "string"}},
            }},
        }});
        let root = Node::CrdRoot(&schema);
        let spec = root.field("spec");
        assert!(spec.declared);
        assert_eq!(
            spec.node.field("items").node.shape(&json!([])),
            Shape::Keyed(vec!["id"])
        );
        assert_eq!(spec.node.field("tags").node.shape(&json!([])), Shape::Leaf);
        assert!(
            !root.field("other").declared,
            "preserved unknown fields are deduced"
        );
    }
}
