//! The defaults a Kubernetes 1.32 API server fills in when it decodes an
//! object (`SetDefaults_*`): they are part of the object a non-apply write
//! records in its managedFields entry, and filled after the merge of an
//! apply (so no applier owns them).
//!
//! Values the server sets later, in its registry (allocated cluster IPs,
//! generated Job selectors, initial statuses), are in `strategy.rs`.

use serde_json::{json, Value};

use super::catalog::Resource;

/// Fills the defaults of `resource`'s kind into `object`.
pub fn apply(resource: &Resource, object: &mut Value) {
    if resource.custom {
        return;
    }
    match (resource.group.as_str(), resource.kind.as_str()) {
        ("apps", "Deployment") => deployment(object),
        ("apps", "ReplicaSet") => {
            let spec = ensure(object, "spec");
            absent(spec, "replicas", json!(1));
            template(spec);
        }
        ("apps", "StatefulSet") => stateful_set(object),
        ("apps", "DaemonSet") => daemon_set(object),
        ("batch", "Job") => {
            let spec = ensure(object, "spec");
            job_spec(spec);
            template(spec);
        }
        ("batch", "CronJob") => cron_job(object),
        ("", "Pod") => {
            if let Some(spec) = child(object, "spec") {
                pod_spec(spec);
            }
        }
        ("", "PodTemplate") => template(object),
        ("", "ReplicationController") => {
            let spec = ensure(object, "spec");
            absent(spec, "replicas", json!(1));
            template(spec);
        }
        ("", "Service") => service(object),
        ("", "Namespace") => {
            let name = object["metadata"]["name"].clone();
            let labels = ensure(ensure(object, "metadata"), "labels");
            labels["kubernetes.io/metadata.name"] = name;
        }
        ("", "Secret") => absent(object, "type", json!("Opaque")),
        ("", "PersistentVolumeClaim") => {
            if let Some(spec) = child(object, "spec") {
                absent(spec, "volumeMode", json!("Filesystem"));
            }
        }
        ("networking.k8s.io", "NetworkPolicy") => network_policy(object),
        ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding") => {
            for subject in list(object, "subjects") {
                let group = match subject["kind"].as_str() {
                    Some("User" | "Group") => "rbac.authorization.k8s.io",
                    _ => "",
                };
                absent(subject, "apiGroup", json!(group));
            }
        }
        ("apiextensions.k8s.io", "CustomResourceDefinition") => crd(object),
        _ => {}
    }
}

fn deployment(object: &mut Value) {
    let spec = ensure(object, "spec");
    absent(spec, "replicas", json!(1));
    absent(spec, "revisionHistoryLimit", json!(10));
    absent(spec, "progressDeadlineSeconds", json!(600));
    let strategy = ensure(spec, "strategy");
    absent(strategy, "type", json!("RollingUpdate"));
    if strategy["type"] == "RollingUpdate" {
        let rolling = ensure(strategy, "rollingUpdate");
        absent(rolling, "maxUnavailable", json!("25%"));
        absent(rolling, "maxSurge", json!("25%"));
    }
    template(spec);
}

fn stateful_set(object: &mut Value) {
    let spec = ensure(object, "spec");
    absent(spec, "replicas", json!(1));
    absent(spec, "podManagementPolicy", json!("OrderedReady"));
    absent(spec, "revisionHistoryLimit", json!(10));
    let strategy = ensure(spec, "updateStrategy");
    absent(strategy, "type", json!("RollingUpdate"));
    if strategy["type"] == "RollingUpdate" {
        absent(ensure(strategy, "rollingUpdate"), "partition", json!(0));
    }
    let retention = ensure(spec, "persistentVolumeClaimRetentionPolicy");
    absent(retention, "whenDeleted", json!("Retain"));
    absent(retention, "whenScaled", json!("Retain"));
    for claim in list(spec, "volumeClaimTemplates") {
        absent(claim, "apiVersion", json!("v1"));
        absent(claim, "kind", json!("PersistentVolumeClaim"));
        absent(ensure(claim, "spec"), "volumeMode", json!("Filesystem"));
        absent(claim, "status", json!({"phase": "Pending"}));
    }
    template(spec);
}

fn daemon_set(object: &mut Value) {
    let spec = ensure(object, "spec");
    absent(spec, "revisionHistoryLimit", json!(10));
    let strategy = ensure(spec, "updateStrategy");
    absent(strategy, "type", json!("RollingUpdate"));
    if strategy["type"] == "RollingUpdate" {
        let rolling = ensure(strategy, "rollingUpdate");
        absent(rolling, "maxUnavailable", json!(1));
        absent(rolling, "maxSurge", json!(0));
    }
    template(spec);
}

fn job_spec(spec: &mut Value) {
    if spec.get("completions").is_none() && spec.get("parallelism").is_none() {
        spec["completions"] = json!(1);
    }
    absent(spec, "parallelism", json!(1));
    absent(spec, "backoffLimit", json!(6));
    absent(spec, "completionMode", json!("NonIndexed"));
    absent(spec, "suspend", json!(false));
    let replacement = if spec.get("podFailurePolicy").is_some() {
        "Failed"
    } else {
        "TerminatingOrFailed"
    };
    absent(spec, "podReplacementPolicy", json!(replacement));
}

fn cron_job(object: &mut Value) {
    let spec = ensure(object, "spec");
    absent(spec, "concurrencyPolicy", json!("Allow"));
    absent(spec, "suspend", json!(false));
    absent(spec, "successfulJobsHistoryLimit", json!(3));
    absent(spec, "failedJobsHistoryLimit", json!(1));
    let job = ensure(ensure(spec, "jobTemplate"), "spec");
    template(job);
    let metadata = ensure(ensure(spec, "jobTemplate"), "metadata");
    absent(metadata, "creationTimestamp", Value::Null);
}

/// Defaults of the pod template under `spec.template`.
fn template(spec: &mut Value) {
    let Some(template) = child(spec, "template") else {
        return;
    };
    if !template.is_object() {
        return;
    }
    // The API server serializes the template's zero creationTimestamp as null.
    absent(
        ensure(template, "metadata"),
        "creationTimestamp",
        Value::Null,
    );
    if let Some(spec) = child(template, "spec") {
        pod_spec(spec);
    }
}

pub fn pod_spec(spec: &mut Value) {
    if !spec.is_object() {
        return;
    }
    absent(spec, "restartPolicy", json!("Always"));
    absent(spec, "terminationGracePeriodSeconds", json!(30));
    absent(spec, "dnsPolicy", json!("ClusterFirst"));
    absent(spec, "securityContext", json!({}));
    absent(spec, "schedulerName", json!("default-scheduler"));
    for list_name in ["containers", "initContainers"] {
        for container in list(spec, list_name) {
            self::container(container);
        }
    }
    for volume in list(spec, "volumes") {
        for source in ["configMap", "secret", "downwardAPI", "projected"] {
            if let Some(source) = child(volume, source) {
                absent(source, "defaultMode", json!(420));
                for item in list(source, "items") {
                    if let Some(field) = child(item, "fieldRef") {
                        absent(field, "apiVersion", json!("v1"));
                    }
                }
            }
        }
        if let Some(host_path) = child(volume, "hostPath") {
            absent(host_path, "type", json!(""));
        }
    }
}

fn container(container: &mut Value) {
    let image = container["image"].as_str().unwrap_or_default();
    let tag = image.rsplit('/').next().unwrap_or_default();
    let pull = if image.contains('@') || tag.contains(':') && !tag.ends_with(":latest") {
        "IfNotPresent"
    } else {
        "Always"
    };
    absent(container, "imagePullPolicy", json!(pull));
    absent(container, "resources", json!({}));
    absent(
        container,
        "terminationMessagePath",
        json!("/dev/termination-log"),
    );
    absent(container, "terminationMessagePolicy", json!("File"));
    for port in list(container, "ports") {
        absent(port, "protocol", json!("TCP"));
    }
    for env in list(container, "env") {
        if let Some(field) = child(env, "valueFrom").and_then(|from| child(from, "fieldRef")) {
            absent(field, "apiVersion", json!("v1"));
        }
    }
    for name in ["livenessProbe", "readinessProbe", "startupProbe"] {
        if let Some(probe) = child(container, name) {
            absent(probe, "timeoutSeconds", json!(1));
            absent(probe, "periodSeconds", json!(10));
            absent(probe, "successThreshold", json!(1));
            absent(probe, "failureThreshold", json!(3));
            if let Some(get) = child(probe, "httpGet") {
                absent(get, "scheme", json!("HTTP"));
            }
        }
    }
}

fn service(object: &mut Value) {
    let spec = ensure(object, "spec");
    absent(spec, "type", json!("ClusterIP"));
    absent(spec, "sessionAffinity", json!("None"));
    let kind = spec["type"].as_str().unwrap_or_default().to_string();
    if kind != "ExternalName" {
        absent(spec, "internalTrafficPolicy", json!("Cluster"));
    }
    if kind == "NodePort" || kind == "LoadBalancer" {
        absent(spec, "externalTrafficPolicy", json!("Cluster"));
    }
    if kind == "LoadBalancer" {
        absent(spec, "allocateLoadBalancerNodePorts", json!(true));
    }
    for port in list(spec, "ports") {
        absent(port, "protocol", json!("TCP"));
        if port.get("targetPort").is_none() {
            let target = port["port"].clone();
            port["targetPort"] = target;
        }
    }
}

fn network_policy(object: &mut Value) {
    let spec = ensure(object, "spec");
    if spec.get("policyTypes").is_none() {
        let mut types = vec![json!("Ingress")];
        if spec.get("egress").is_some() {
            types.push(json!("Egress"));
        }
        spec["policyTypes"] = Value::Array(types);
    }
}

fn crd(object: &mut Value) {
    let spec = ensure(object, "spec");
    absent(spec, "conversion", json!({"strategy": "None"}));
    let kind = spec["names"]["kind"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let names = ensure(spec, "names");
    absent(names, "singular", json!(kind.to_lowercase()));
    absent(names, "listKind", json!(format!("{kind}List")));
}

/// A field for editing; unlike `value[key]` it never inserts a null.
pub fn child<'a>(value: &'a mut Value, key: &str) -> Option<&'a mut Value> {
    value.as_object_mut()?.get_mut(key)
}

/// `value[key]`, made an object first when it is not one.
pub fn ensure<'a>(value: &'a mut Value, key: &str) -> &'a mut Value {
    if !value.is_object() {
        *value = json!({});
    }
    let slot = &mut value[key];
    if !slot.is_object() {
        *slot = json!({});
    }
    slot
}

pub fn absent(map: &mut Value, key: &str, value: Value) {
    if let Some(map) = map.as_object_mut() {
        map.entry(key.to_string()).or_insert(value);
    }
}

/// The items of list field `key`, if it is a list.
pub fn list<'a>(value: &'a mut Value, key: &str) -> impl Iterator<Item = &'a mut Value> {
    child(value, key)
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
}
