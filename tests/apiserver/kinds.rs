//! The kinds the test server serves, and the defaults it fills in.
//!
//! Defaults are the ones a real API server (v1.32) adds to the objects the
//! cluster tests use, so that live objects carry real noise.

use serde_json::{json, Map, Value};

/// One served resource type.
#[derive(Clone, Debug, PartialEq)]
pub struct Kind {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub plural: String,
    pub singular: String,
    pub namespaced: bool,
    pub short_names: Vec<String>,
    /// Whether objects carry `metadata.generation` (workloads, CRDs, custom resources).
    pub has_generation: bool,
    /// Added by a CustomResourceDefinition rather than built in.
    pub custom: bool,
}

impl Kind {
    fn builtin(
        api_version: &str,
        kind: &str,
        plural: &str,
        namespaced: bool,
        short: &[&str],
    ) -> Kind {
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        Kind {
            group: group.to_string(),
            version: version.to_string(),
            kind: kind.to_string(),
            plural: plural.to_string(),
            singular: kind.to_lowercase(),
            namespaced,
            short_names: short.iter().map(|name| name.to_string()).collect(),
            has_generation: matches!(
                group,
                "apps" | "batch" | "apiextensions.k8s.io" | "networking.k8s.io"
            ),
            custom: false,
        }
    }

    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// The entry in an `APIResourceList`.
    pub fn api_resource(&self) -> Value {
        let mut resource = json!({
            "name": self.plural,
            "singularName": self.singular,
            "namespaced": self.namespaced,
            "kind": self.kind,
            "verbs": ["create", "delete", "get", "list", "patch", "update"],
        });
        if !self.short_names.is_empty() {
            resource["shortNames"] = json!(self.short_names);
        }
        resource
    }
}

/// The built-in kinds served from the start.
pub fn builtin_kinds() -> Vec<Kind> {
    vec![
        Kind::builtin("v1", "Namespace", "namespaces", false, &["ns"]),
        Kind::builtin("v1", "ConfigMap", "configmaps", true, &["cm"]),
        Kind::builtin("v1", "Secret", "secrets", true, &[]),
        Kind::builtin("v1", "Service", "services", true, &["svc"]),
        Kind::builtin("v1", "ServiceAccount", "serviceaccounts", true, &["sa"]),
        Kind::builtin("v1", "Pod", "pods", true, &["po"]),
        Kind::builtin(
            "v1",
            "PersistentVolumeClaim",
            "persistentvolumeclaims",
            true,
            &["pvc"],
        ),
        Kind::builtin("apps/v1", "Deployment", "deployments", true, &["deploy"]),
        Kind::builtin("apps/v1", "StatefulSet", "statefulsets", true, &["sts"]),
        Kind::builtin("apps/v1", "DaemonSet", "daemonsets", true, &["ds"]),
        Kind::builtin("batch/v1", "Job", "jobs", true, &[]),
        Kind::builtin("batch/v1", "CronJob", "cronjobs", true, &["cj"]),
        Kind::builtin(
            "networking.k8s.io/v1",
            "Ingress",
            "ingresses",
            true,
            &["ing"],
        ),
        Kind::builtin("rbac.authorization.k8s.io/v1", "Role", "roles", true, &[]),
        Kind::builtin(
            "rbac.authorization.k8s.io/v1",
            "RoleBinding",
            "rolebindings",
            true,
            &[],
        ),
        Kind::builtin(
            "rbac.authorization.k8s.io/v1",
            "ClusterRole",
            "clusterroles",
            false,
            &[],
        ),
        Kind::builtin(
            "rbac.authorization.k8s.io/v1",
            "ClusterRoleBinding",
            "clusterrolebindings",
            false,
            &[],
        ),
        Kind::builtin(
            "apiextensions.k8s.io/v1",
            "CustomResourceDefinition",
            "customresourcedefinitions",
            false,
            &["crd", "crds"],
        ),
    ]
}

/// The kinds a CustomResourceDefinition adds, one per served version.
pub fn kinds_of_crd(crd: &Value) -> Vec<Kind> {
    let spec = &crd["spec"];
    let names = &spec["names"];
    let text = |value: &Value| value.as_str().unwrap_or_default().to_string();
    let plural = text(&names["plural"]);
    let kind = text(&names["kind"]);
    let singular = match names["singular"].as_str() {
        Some(singular) if !singular.is_empty() => singular.to_string(),
        _ => kind.to_lowercase(),
    };
    let short_names: Vec<String> = names["shortNames"]
        .as_array()
        .map(|names| {
            names
                .iter()
                .filter_map(|name| name.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let versions = spec["versions"].as_array().cloned().unwrap_or_default();
    versions
        .iter()
        .filter(|version| version["served"].as_bool().unwrap_or(true))
        .map(|version| Kind {
            group: text(&spec["group"]),
            version: text(&version["name"]),
            kind: kind.clone(),
            plural: plural.clone(),
            singular: singular.clone(),
            namespaced: spec["scope"].as_str() != Some("Cluster"),
            short_names: short_names.clone(),
            has_generation: true,
            custom: true,
        })
        .collect()
}

/// Fills the defaults a real API server adds for `kind`.
pub fn apply_defaults(
    kind: &Kind,
    object: &mut Value,
    next_cluster_ip: &mut impl FnMut() -> String,
) {
    match (kind.group.as_str(), kind.kind.as_str()) {
        ("apps", "Deployment") => default_deployment(object),
        ("apps", "StatefulSet" | "DaemonSet") | ("batch", "Job") => {
            if let Some(template) = child(object, "spec").and_then(|spec| child(spec, "template")) {
                default_pod_template(template);
            }
            ensure_object(object, "status");
        }
        ("", "Service") => default_service(object, next_cluster_ip),
        ("", "Namespace") => default_namespace(object),
        ("", "Secret") => set_if_absent(object, "type", json!("Opaque")),
        ("", "Pod") => {
            if let Some(spec) = child(object, "spec") {
                default_pod_spec(spec);
            }
        }
        _ => {}
    }
}

fn default_deployment(object: &mut Value) {
    let spec = &mut object["spec"];
    if !spec.is_object() {
        *spec = json!({});
    }
    set_if_absent(spec, "replicas", json!(1));
    set_if_absent(spec, "revisionHistoryLimit", json!(10));
    set_if_absent(spec, "progressDeadlineSeconds", json!(600));
    let strategy = &mut spec["strategy"];
    if !strategy.is_object() {
        *strategy = json!({});
    }
    set_if_absent(strategy, "type", json!("RollingUpdate"));
    if strategy["type"] == "RollingUpdate" {
        let rolling = &mut strategy["rollingUpdate"];
        if !rolling.is_object() {
            *rolling = json!({});
        }
        set_if_absent(rolling, "maxUnavailable", json!("25%"));
        set_if_absent(rolling, "maxSurge", json!("25%"));
    }
    if let Some(template) = child(spec, "template") {
        default_pod_template(template);
    }
    ensure_object(object, "status");
}

fn default_pod_template(template: &mut Value) {
    if !template.is_object() {
        return;
    }
    // The API server serializes the template's zero creationTimestamp as null.
    let metadata = &mut template["metadata"];
    if !metadata.is_object() {
        *metadata = json!({});
    }
    set_if_absent(metadata, "creationTimestamp", Value::Null);
    if let Some(spec) = child(template, "spec") {
        default_pod_spec(spec);
    }
}

fn default_pod_spec(spec: &mut Value) {
    if !spec.is_object() {
        return;
    }
    set_if_absent(spec, "restartPolicy", json!("Always"));
    set_if_absent(spec, "terminationGracePeriodSeconds", json!(30));
    set_if_absent(spec, "dnsPolicy", json!("ClusterFirst"));
    set_if_absent(spec, "securityContext", json!({}));
    set_if_absent(spec, "schedulerName", json!("default-scheduler"));
    for list in ["containers", "initContainers"] {
        if let Some(containers) = child(spec, list).and_then(Value::as_array_mut) {
            containers.iter_mut().for_each(default_container);
        }
    }
}

fn default_container(container: &mut Value) {
    let image = container["image"].as_str().unwrap_or_default();
    let tag = image.rsplit('/').next().unwrap_or_default();
    let pull = if image.contains('@') || tag.contains(':') && !tag.ends_with(":latest") {
        "IfNotPresent"
    } else {
        "Always"
    };
    set_if_absent(container, "imagePullPolicy", json!(pull));
    set_if_absent(container, "resources", json!({}));
    set_if_absent(
        container,
        "terminationMessagePath",
        json!("/dev/termination-log"),
    );
    set_if_absent(container, "terminationMessagePolicy", json!("File"));
    if let Some(ports) = child(container, "ports").and_then(Value::as_array_mut) {
        for port in ports {
            set_if_absent(port, "protocol", json!("TCP"));
        }
    }
}

fn default_service(object: &mut Value, next_cluster_ip: &mut impl FnMut() -> String) {
    let spec = &mut object["spec"];
    if !spec.is_object() {
        *spec = json!({});
    }
    set_if_absent(spec, "type", json!("ClusterIP"));
    set_if_absent(spec, "sessionAffinity", json!("None"));
    if spec["type"] != "ExternalName" {
        if spec.get("clusterIP").is_none() {
            spec["clusterIP"] = json!(next_cluster_ip());
        }
        if spec.get("clusterIPs").is_none() {
            let ip = spec["clusterIP"].clone();
            spec["clusterIPs"] = json!([ip]);
        }
        set_if_absent(spec, "ipFamilies", json!(["IPv4"]));
        set_if_absent(spec, "ipFamilyPolicy", json!("SingleStack"));
        set_if_absent(spec, "internalTrafficPolicy", json!("Cluster"));
    }
    if let Some(ports) = child(spec, "ports").and_then(Value::as_array_mut) {
        for port in ports {
            set_if_absent(port, "protocol", json!("TCP"));
            if port.get("targetPort").is_none() {
                let target = port["port"].clone();
                port["targetPort"] = target;
            }
        }
    }
    object["status"] = json!({"loadBalancer": {}});
}

fn default_namespace(object: &mut Value) {
    let name = object["metadata"]["name"].clone();
    let labels = &mut object["metadata"]["labels"];
    if !labels.is_object() {
        *labels = json!({});
    }
    labels["kubernetes.io/metadata.name"] = name;
    object["spec"] = json!({"finalizers": ["kubernetes"]});
    object["status"] = json!({"phase": "Active"});
}

/// A field for editing; unlike `value[key]` it never inserts a null.
fn child<'a>(value: &'a mut Value, key: &str) -> Option<&'a mut Value> {
    value.as_object_mut()?.get_mut(key)
}

fn set_if_absent(map: &mut Value, key: &str, value: Value) {
    if let Some(map) = map.as_object_mut() {
        map.entry(key.to_string()).or_insert(value);
    }
}

fn ensure_object(map: &mut Value, key: &str) {
    if let Some(map) = map.as_object_mut() {
        map.entry(key.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
}
