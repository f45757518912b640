//! What the registry does to a write after the field manager: server-set
//! metadata (uid, creationTimestamp, generation), the status a main-resource
//! write may not change (and the spec a `/status` write may not change),
//! allocations (cluster IPs, node ports), Job selectors and initial
//! statuses. None of it is owned by any manager, as on a real server.

use serde_json::{json, Map, Value};

use super::catalog::Resource;
use super::defaults::ensure;

/// Counters for what the server allocates.
#[derive(Default)]
pub struct Allocator {
    uids: u64,
    cluster_ips: u32,
    node_ports: u32,
}

impl Allocator {
    pub fn uid(&mut self) -> String {
        self.uids += 1;
        format!("6c1f3e2a-0000-4000-8000-{:012x}", self.uids)
    }

    fn cluster_ip(&mut self) -> String {
        let index = self.cluster_ips;
        self.cluster_ips += 1;
        format!("10.96.{}.{}", index / 250, index % 250 + 1)
    }

    fn node_port(&mut self) -> u32 {
        self.node_ports += 1;
        30000 + (self.node_ports * 7919) % 2768
    }
}

/// Top-level keys other than type and metadata, in `object`.
pub fn body_keys(object: &Value) -> Vec<String> {
    object
        .as_object()
        .map(|map| {
            map.keys()
                .filter(|key| !matches!(key.as_str(), "apiVersion" | "kind" | "metadata"))
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

/// Everything but metadata and status: what bumps `generation`.
fn spec_of(object: &Value) -> Map<String, Value> {
    object
        .as_object()
        .map(|map| {
            map.iter()
                .filter(|(key, _)| {
                    !matches!(key.as_str(), "metadata" | "status" | "apiVersion" | "kind")
                })
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// A new object: server metadata, initial status, allocations.
pub fn prepare_create(resource: &Resource, object: &mut Value, alloc: &mut Allocator, now: &str) {
    let uid = alloc.uid();
    let name = object["metadata"]["name"].clone();
    let metadata = ensure(object, "metadata");
    metadata["uid"] = json!(uid);
    metadata["creationTimestamp"] = json!(now);
    let metadata = metadata.as_object_mut().expect("metadata");
    for field in [
        "resourceVersion",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "selfLink",
    ] {
        metadata.remove(field);
    }
    if resource.has_generation() {
        metadata.insert("generation".into(), json!(1));
    } else {
        metadata.remove("generation");
    }
    if resource.has_status() {
        object["status"] = initial_status(resource, object);
    }
    match (resource.group.as_str(), resource.kind.as_str()) {
        ("", "Namespace") => {
            object["spec"] = json!({"finalizers": ["kubernetes"]});
        }
        ("", "Service") => allocate_service(object, None, alloc),
        // The StorageObjectInUseProtection admission plugin.
        ("", "PersistentVolumeClaim") => {
            let metadata = ensure(object, "metadata");
            let finalizers = metadata
                .as_object_mut()
                .expect("metadata")
                .entry("finalizers")
                .or_insert_with(|| json!([]));
            if let Some(list) = finalizers.as_array_mut() {
                if !list.iter().any(|f| f == "kubernetes.io/pvc-protection") {
                    list.push(json!("kubernetes.io/pvc-protection"));
                }
            }
        }
        ("batch", "Job") => {
            let spec = ensure(object, "spec");
            if spec["manualSelector"] != true {
                spec["selector"] =
                    json!({"matchLabels": {"batch.kubernetes.io/controller-uid": uid}});
                let labels = ensure(ensure(ensure(spec, "template"), "metadata"), "labels");
                labels["batch.kubernetes.io/controller-uid"] = json!(uid);
                labels["batch.kubernetes.io/job-name"] = name.clone();
                labels["controller-uid"] = json!(uid);
                labels["job-name"] = name;
            }
        }
        _ => {}
    }
}

fn initial_status(resource: &Resource, object: &Value) -> Value {
    match (resource.group.as_str(), resource.kind.as_str()) {
        ("", "Namespace") => json!({"phase": "Active"}),
        ("", "PersistentVolumeClaim") | ("", "PersistentVolume") => json!({"phase": "Pending"}),
        ("", "Service") => json!({"loadBalancer": {}}),
        ("", "Pod") => json!({"phase": "Pending", "qosClass": qos_class(&object["spec"])}),
        ("apiextensions.k8s.io", "CustomResourceDefinition") => {
            let stored: Vec<Value> = object["spec"]["versions"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|version| version["storage"] == true)
                .map(|version| version["name"].clone())
                .collect();
            json!({"acceptedNames": {"plural": "", "kind": ""}, "storedVersions": stored})
        }
        _ if resource.custom => Value::Null,
        _ => json!({}),
    }
}

/// A pod's QoS class from its containers' requests and limits.
pub fn qos_class(spec: &Value) -> &'static str {
    let containers: Vec<&Value> = spec["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .collect();
    let mut any = false;
    let mut guaranteed = !containers.is_empty();
    for container in containers {
        let resources = &container["resources"];
        let requests = resources["requests"].as_object();
        let limits = resources["limits"].as_object();
        any |= requests.is_some_and(|r| !r.is_empty()) || limits.is_some_and(|l| !l.is_empty());
        for name in ["cpu", "memory"] {
            let limit = limits.and_then(|l| l.get(name));
            let request = requests.and_then(|r| r.get(name)).or(limit);
            if limit.is_none() || request != limit {
                guaranteed = false;
            }
        }
    }
    if guaranteed {
        "Guaranteed"
    } else if any {
        "Burstable"
    } else {
        "BestEffort"
    }
}

/// A write to the main resource of an existing object.
pub fn prepare_update(resource: &Resource, old: &Value, new: &mut Value, alloc: &mut Allocator) {
    keep_server_metadata(old, new);
    if resource.has_status() {
        match old.get("status") {
            Some(status) => new["status"] = status.clone(),
            None => {
                if let Some(map) = new.as_object_mut() {
                    map.remove("status");
                }
            }
        }
    }
    if resource.group.is_empty() && resource.kind == "Namespace" {
        new["spec"] = old["spec"].clone();
    }
    if resource.group.is_empty() && resource.kind == "Service" {
        allocate_service(new, Some(old), alloc);
    }
    bump_generation(resource, old, new);
}

/// A write to `/status`: only the status (and, for built-in kinds, annotations) change.
pub fn prepare_status_update(resource: &Resource, old: &Value, new: &mut Value) {
    let status = new.get("status").cloned();
    let annotations = new["metadata"].get("annotations").cloned();
    *new = old.clone();
    match status {
        Some(status) => new["status"] = status,
        None => {
            if let Some(map) = new.as_object_mut() {
                map.remove("status");
            }
        }
    }
    if !resource.custom {
        match annotations {
            Some(annotations) => new["metadata"]["annotations"] = annotations,
            None => {
                if let Some(metadata) = new["metadata"].as_object_mut() {
                    metadata.remove("annotations");
                }
            }
        }
    }
}

fn keep_server_metadata(old: &Value, new: &mut Value) {
    let metadata = ensure(new, "metadata");
    for field in [
        "uid",
        "creationTimestamp",
        "generation",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
    ] {
        match old["metadata"].get(field) {
            Some(value) => metadata[field] = value.clone(),
            None => {
                if let Some(map) = metadata.as_object_mut() {
                    map.remove(field);
                }
            }
        }
    }
}

fn bump_generation(resource: &Resource, old: &Value, new: &mut Value) {
    if !resource.has_generation() {
        return;
    }
    let mut changed = spec_of(old) != spec_of(new);
    if resource.group == "apps" && resource.kind == "Deployment" {
        changed |= old["metadata"]["annotations"] != new["metadata"]["annotations"];
    }
    if changed {
        let generation = old["metadata"]["generation"].as_i64().unwrap_or(0) + 1;
        new["metadata"]["generation"] = json!(generation);
    }
}

/// Cluster IPs, IP families and node ports: allocated on create, kept on
/// update when the write leaves them out (the registry's `patchAllocatedValues`).
fn allocate_service(object: &mut Value, old: Option<&Value>, alloc: &mut Allocator) {
    let spec = ensure(object, "spec");
    let kind = spec["type"].as_str().unwrap_or("ClusterIP").to_string();
    if kind == "ExternalName" {
        return;
    }
    if let Some(old) = old {
        let old_spec = &old["spec"];
        for field in ["clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"] {
            if spec.get(field).is_none() || spec[field] == "" {
                if let Some(value) = old_spec.get(field) {
                    spec[field] = value.clone();
                }
            }
        }
        // A changed clusterIP with unchanged clusterIPs updates them (then validation refuses).
        if spec["clusterIP"] != old_spec["clusterIP"]
            && spec["clusterIPs"] == old_spec["clusterIPs"]
        {
            spec["clusterIPs"] = json!([spec["clusterIP"].clone()]);
        }
        let old_ports = old_spec["ports"].as_array().cloned().unwrap_or_default();
        for port in super::defaults::list(spec, "ports") {
            if port.get("nodePort").is_none() {
                if let Some(previous) = old_ports
                    .iter()
                    .find(|p| p["port"] == port["port"] && p["protocol"] == port["protocol"])
                {
                    if let Some(node_port) = previous.get("nodePort") {
                        port["nodePort"] = node_port.clone();
                    }
                }
            }
        }
    }
    if spec.get("clusterIP").is_none() {
        spec["clusterIP"] = json!(alloc.cluster_ip());
    }
    if spec.get("clusterIPs").is_none() {
        let ip = spec["clusterIP"].clone();
        spec["clusterIPs"] = json!([ip]);
    }
    if spec.get("ipFamilies").is_none() {
        spec["ipFamilies"] = json!(["IPv4"]);
    }
    if spec.get("ipFamilyPolicy").is_none() {
        spec["ipFamilyPolicy"] = json!("SingleStack");
    }
    if kind == "NodePort" || kind == "LoadBalancer" {
        for port in super::defaults::list(spec, "ports") {
            if port.get("nodePort").is_none() {
                port["nodePort"] = json!(alloc.node_port());
            }
        }
    }
}

/// Top-level and metadata keys in the order the API server writes them.
pub fn canonical_order(object: Value) -> Value {
    let Value::Object(mut map) = object else {
        return object;
    };
    let mut ordered = Map::new();
    for key in ["kind", "apiVersion"] {
        if let Some(value) = map.remove(key) {
            ordered.insert(key.to_string(), value);
        }
    }
    if let Some(Value::Object(mut metadata)) = map.remove("metadata") {
        let mut sorted = Map::new();
        for key in [
            "name",
            "generateName",
            "namespace",
            "uid",
            "resourceVersion",
            "generation",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "labels",
            "annotations",
            "ownerReferences",
            "finalizers",
            "managedFields",
        ] {
            if let Some(value) = metadata.remove(key) {
                sorted.insert(key.to_string(), value);
            }
        }
        sorted.extend(metadata);
        ordered.insert("metadata".into(), Value::Object(sorted));
    }
    let status = map.remove("status");
    ordered.extend(map);
    if let Some(status) = status {
        ordered.insert("status".into(), status);
    }
    Value::Object(ordered)
}

/// Whether the object waits for finalizers before it goes.
pub fn has_finalizers(object: &Value) -> bool {
    object["metadata"]["finalizers"]
        .as_array()
        .is_some_and(|finalizers| !finalizers.is_empty())
}

/// Marks an object as being deleted.
pub fn mark_deleting(object: &mut Value, now: &str) {
    let metadata = ensure(object, "metadata");
    if metadata.get("deletionTimestamp").is_none() {
        metadata["deletionTimestamp"] = json!(now);
        metadata["deletionGracePeriodSeconds"] = json!(0);
    }
    if let Some(generation) = metadata["generation"].as_i64() {
        metadata["generation"] = json!(generation + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::catalog::builtins;

    fn resource(kind: &str) -> Resource {
        builtins().into_iter().find(|r| r.kind == kind).unwrap()
    }

    #[test]
    fn jobs_get_a_generated_selector_and_services_an_ip() {
        let mut alloc = Allocator::default();
        let mut job = json!({"metadata": {"name": "pi"}, "spec": {"template": {"spec": {}}}});
        prepare_create(&resource("Job"), &mut job, &mut alloc, "now");
        let uid = job["metadata"]["uid"].clone();
        assert_eq!(
            job["spec"]["selector"]["matchLabels"]["batch.kubernetes.io/controller-uid"],
            uid
        );
        assert_eq!(
            job["spec"]["template"]["metadata"]["labels"]["job-name"],
            "pi"
        );
        assert_eq!(job["metadata"]["generation"], 1);
        let mut service = json!({"metadata": {"name": "s"}, "spec": {"type": "NodePort", "ports": [{"port": 80, "protocol": "TCP"}]}});
        prepare_create(&resource("Service"), &mut service, &mut alloc, "now");
        assert!(service["spec"]["clusterIP"]
            .as_str()
            .unwrap()
            .starts_with("10.96."));
        assert!(service["spec"]["ports"][0]["nodePort"].as_u64().unwrap() >= 30000);
        let mut update = json!({"metadata": {"name": "s"}, "spec": {"type": "NodePort", "ports": [{"port": 80, "protocol": "TCP"}]}});
        prepare_update(&resource("Service"), &service, &mut update, &mut alloc);
        assert_eq!(update["spec"]["clusterIP"], service["spec"]["clusterIP"]);
        assert_eq!(
            update["spec"]["ports"][0]["nodePort"],
            service["spec"]["ports"][0]["nodePort"]
        );
    }
}
