//! The control loop: the work the cluster's controllers would do, due
//! `--ready-after` after a change, written through the same write path as
//! any client (so their managedFields entries and events look real).
//!
//! - CRDs: NamesAccepted and Established, then their kinds are served.
//! - Namespaces: a `default` ServiceAccount and `kube-root-ca.crt`;
//!   deletion waits in `Terminating` while the contents go.
//! - Workloads (`workloads.rs`) and pods (`kubelet.rs`).
//! - PersistentVolumeClaims: Bound to a provisioned PersistentVolume.
//! - Services of type LoadBalancer: an ingress IP.
//! - APIServices: Available.
//!
//! `test.strata.dev/never-ready: "true"` on a workload (or pod) keeps it
//! from ever becoming ready; `test.strata.dev/fail: "true"` makes a Job fail.

use std::time::Duration;

use serde_json::{json, Value};

use super::catalog::Resource;
use super::clock;
use super::state::{storage_key, State, Target, Work};
use super::store::Key;
use super::writes::Op;

pub const NEVER_READY: &str = "test.strata.dev/never-ready";
pub const FAIL: &str = "test.strata.dev/fail";
pub const CONTROLLER_MANAGER: &str = "kube-controller-manager";
pub const NODE: &str = "strata-test-node";

/// Whether changes to objects of `resource` wake a controller.
pub fn watches(resource: &Resource) -> bool {
    if resource.custom {
        return false;
    }
    matches!(
        (resource.group.as_str(), resource.plural.as_str()),
        (
            "apps",
            "deployments" | "replicasets" | "statefulsets" | "daemonsets"
        ) | ("batch", "jobs")
            | ("", "pods" | "persistentvolumeclaims" | "services")
            | ("apiregistration.k8s.io", "apiservices")
    )
}

impl State {
    /// Runs the work that is due now, including what that work queues for now.
    pub fn run_due_now(&mut self) {
        // A bound, so a controller that kept requeueing itself cannot hang a request.
        for _ in 0..1_000_000 {
            let Some(work) = self.next_due() else {
                return;
            };
            run(self, work);
        }
    }
}

/// Runs one piece of due work.
pub fn run(state: &mut State, work: Work) {
    match work {
        Work::Establish(name) => establish(state, &name),
        Work::FillNamespace(name) => fill_namespace(state, &name),
        Work::FinishNamespace(name) => finish_namespace(state, &name),
        Work::Reconcile(key) => {
            let Some(object) = state.store.get(&key).cloned() else {
                return;
            };
            match (key.group.as_str(), key.plural.as_str()) {
                ("apps", "deployments") => super::workloads::deployment(state, &key, &object),
                ("apps", "replicasets") => super::workloads::replica_set(state, &key, &object),
                ("apps", "statefulsets") => super::workloads::stateful_set(state, &key, &object),
                ("apps", "daemonsets") => super::workloads::daemon_set(state, &key, &object),
                ("batch", "jobs") => super::workloads::job(state, &key, &object),
                ("", "pods") => super::kubelet::pod(state, &key, &object),
                ("", "persistentvolumeclaims") => claim(state, &key, &object),
                ("", "services") => load_balancer(state, &key, &object),
                ("apiregistration.k8s.io", "apiservices") => api_service(state, &key, &object),
                _ => {}
            }
        }
    }
}

/// After a removal: wake the owner (a deleted pod is replaced).
pub fn forget(state: &mut State, _resource: &Resource, key: &Key, removed: &Value) {
    state.ready_at.remove(key);
    wake_owners(state, removed);
}

/// Queues the controllers owning `object`.
pub fn wake_owners(state: &mut State, object: &Value) {
    let namespace = object["metadata"]["namespace"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    for owner in object["metadata"]["ownerReferences"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        if owner["controller"] != true {
            continue;
        }
        let (Some(api_version), Some(kind), Some(name)) = (
            owner["apiVersion"].as_str(),
            owner["kind"].as_str(),
            owner["name"].as_str(),
        ) else {
            continue;
        };
        if let Some(resource) = state.resource_for(api_version, kind).cloned() {
            if watches(&resource) {
                let key = storage_key(&resource, &namespace, name);
                state.schedule(Work::Reconcile(key), Duration::ZERO);
            }
        }
    }
}

/// Whether an object (or what owns it) is marked never to become ready.
pub fn never_ready(state: &State, object: &Value) -> bool {
    marked(state, object, NEVER_READY, 3)
}

pub fn marked(state: &State, object: &Value, annotation: &str, depth: usize) -> bool {
    if object["metadata"]["annotations"][annotation] == "true" {
        return true;
    }
    if depth == 0 {
        return false;
    }
    let namespace = object["metadata"]["namespace"].as_str().unwrap_or_default();
    object["metadata"]["ownerReferences"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|owner| {
            let resource =
                state.resource_for(owner["apiVersion"].as_str()?, owner["kind"].as_str()?)?;
            state
                .store
                .get(&storage_key(resource, namespace, owner["name"].as_str()?))
        })
        .any(|owner| marked(state, owner, annotation, depth - 1))
}

/// A served type by group and plural (its preferred version).
pub fn resource(state: &State, group: &str, plural: &str) -> Option<Resource> {
    state
        .resources
        .iter()
        .find(|r| r.group == group && r.plural == plural)
        .cloned()
}

/// Writes `object`'s status as `manager` (PUT `/status`).
pub fn put_status(state: &mut State, group: &str, plural: &str, object: Value, manager: &str) {
    write(
        state,
        group,
        plural,
        Some("status"),
        Op::Replace(object),
        manager,
    );
}

/// Creates an object as `manager`.
pub fn create(state: &mut State, group: &str, plural: &str, object: Value, manager: &str) -> bool {
    write(state, group, plural, None, Op::Create(object), manager)
}

/// Replaces an object as `manager`.
pub fn update(state: &mut State, group: &str, plural: &str, object: Value, manager: &str) -> bool {
    write(state, group, plural, None, Op::Replace(object), manager)
}

fn write(
    state: &mut State,
    group: &str,
    plural: &str,
    subresource: Option<&str>,
    op: Op,
    manager: &str,
) -> bool {
    let Some(resource) = resource(state, group, plural) else {
        return false;
    };
    let object = match &op {
        Op::Create(object) | Op::Replace(object) => object,
        _ => return false,
    };
    let namespace = object["metadata"]["namespace"].as_str().map(str::to_string);
    let name = object["metadata"]["name"].as_str().map(str::to_string);
    let mut target = Target::new(&resource, namespace.as_deref(), name.as_deref());
    if matches!(op, Op::Create(_)) {
        target.name = None;
    }
    target.subresource = subresource.map(str::to_string);
    let mut op = op;
    if let Op::Create(object) | Op::Replace(object) = &mut op {
        object["apiVersion"] = json!(resource.api_version());
        object["kind"] = json!(resource.kind);
    }
    state.write(&target, op, manager, false).is_success()
}

/// Sets a condition as the controllers' helpers do: unchanged when status
/// and reason are the same, otherwise moved to the end, keeping its
/// transition time while the status stays.
pub fn set_condition(conditions: &mut Vec<Value>, mut condition: Value) {
    if let Some(current) = conditions.iter().find(|c| c["type"] == condition["type"]) {
        if current["status"] == condition["status"] && current["reason"] == condition["reason"] {
            return;
        }
        if current["status"] == condition["status"] {
            condition["lastTransitionTime"] = current["lastTransitionTime"].clone();
        }
    }
    conditions.retain(|c| c["type"] != condition["type"]);
    conditions.push(condition);
}

pub fn conditions_of(object: &Value) -> Vec<Value> {
    object["status"]["conditions"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The CRD's names accepted and its kinds served.
pub fn establish(state: &mut State, name: &str) {
    let key = Key::new(
        "apiextensions.k8s.io",
        "customresourcedefinitions",
        "",
        name,
    );
    let Some(mut crd) = state.store.get(&key).cloned() else {
        return;
    };
    let now = clock::now();
    let names = &crd["spec"]["names"];
    let mut accepted = serde_json::Map::new();
    for field in [
        "plural",
        "singular",
        "shortNames",
        "kind",
        "listKind",
        "categories",
    ] {
        if let Some(value) = names.get(field) {
            accepted.insert(field.into(), value.clone());
        }
    }
    let mut conditions = conditions_of(&crd);
    for (kind, reason, message) in [
        ("NamesAccepted", "NoConflicts", "no conflicts found"),
        (
            "Established",
            "InitialNamesAccepted",
            "the initial names have been accepted",
        ),
    ] {
        set_condition(
            &mut conditions,
            json!({"type": kind, "status": "True", "lastTransitionTime": now, "reason": reason, "message": message}),
        );
    }
    crd["status"]["acceptedNames"] = Value::Object(accepted);
    crd["status"]["conditions"] = json!(conditions);
    put_status(
        state,
        "apiextensions.k8s.io",
        "customresourcedefinitions",
        crd,
        "kube-apiserver",
    );
}

const ROOT_CA: &str = "-----BEGIN CERTIFICATE-----\nMIIBdzCCAR2gAwIBAgIBADAKBggqhkjOPQQDAjAjMSEwHwYDVQQDDBhrM3Mtc2Vy\ndmVyLWNhQDE3MDAwMDAwMDAwHhcNMjQwMTAxMDAwMDAwWhcNMzQwMTAxMDAwMDAw\nWjAjMSEwHwYDVQQDDBhzdHJhdGEtdGVzdC1hcGlzZXJ2ZXItY2EwWTATBgcqhkjO\n-----END CERTIFICATE-----\n";

/// What the service-account and root-CA controllers put in a new namespace.
fn fill_namespace(state: &mut State, namespace: &str) {
    let Some(object) = state.store.get(&Key::new("", "namespaces", "", namespace)) else {
        return;
    };
    if object["metadata"].get("deletionTimestamp").is_some() {
        return;
    }
    if state
        .store
        .get(&Key::new("", "serviceaccounts", namespace, "default"))
        .is_none()
    {
        create(
            state,
            "",
            "serviceaccounts",
            json!({"metadata": {"name": "default", "namespace": namespace}}),
            CONTROLLER_MANAGER,
        );
    }
    if state
        .store
        .get(&Key::new("", "configmaps", namespace, "kube-root-ca.crt"))
        .is_none()
    {
        create(
            state,
            "",
            "configmaps",
            json!({"metadata": {"name": "kube-root-ca.crt", "namespace": namespace, "annotations": {
                "kubernetes.io/description": "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."}},
                   "data": {"ca.crt": ROOT_CA}}),
            CONTROLLER_MANAGER,
        );
    }
}

/// Deletes a terminating namespace's contents, then the namespace.
fn finish_namespace(state: &mut State, namespace: &str) {
    for (group, plural) in state.store.types_in(namespace) {
        let Some(resource) = state.stored_resource(&Key::new(&group, &plural, namespace, ""))
        else {
            continue;
        };
        for key in state.store.keys_in(&group, &plural, namespace) {
            state.remove_now(&resource, &key, "Background");
        }
    }
    let key = Key::new("", "namespaces", "", namespace);
    if let Some(resource) = resource(state, "", "namespaces") {
        state.remove_now(&resource, &key, "Background");
    }
}

/// The PersistentVolume controller: provisions a volume and binds the claim.
fn claim(state: &mut State, key: &Key, claim: &Value) {
    if claim["metadata"].get("deletionTimestamp").is_some() {
        // pvc-protection: nothing uses the claim here, so the finalizer goes.
        let mut released = claim.clone();
        if let Some(finalizers) = released["metadata"]["finalizers"].as_array_mut() {
            finalizers.retain(|f| f != "kubernetes.io/pvc-protection");
        }
        update(
            state,
            "",
            "persistentvolumeclaims",
            released,
            CONTROLLER_MANAGER,
        );
        return;
    }
    if claim["status"]["phase"] == "Bound" || never_ready(state, claim) {
        return;
    }
    let uid = claim["metadata"]["uid"].as_str().unwrap_or_default();
    let volume = format!("pvc-{uid}");
    let storage = claim["spec"]["resources"]["requests"]["storage"].clone();
    let modes = claim["spec"]["accessModes"].clone();
    let class = claim["spec"]["storageClassName"]
        .as_str()
        .unwrap_or("standard")
        .to_string();
    if state
        .store
        .get(&Key::new("", "persistentvolumes", "", &volume))
        .is_none()
    {
        create(
            state,
            "",
            "persistentvolumes",
            json!({"metadata": {"name": volume, "annotations": {"pv.kubernetes.io/provisioned-by": "rancher.io/local-path"},
                                "finalizers": ["kubernetes.io/pv-protection"]},
                   "spec": {"accessModes": modes, "capacity": {"storage": storage}, "persistentVolumeReclaimPolicy": "Delete",
                            "storageClassName": class, "volumeMode": claim["spec"]["volumeMode"].clone(),
                            "hostPath": {"path": format!("/var/local-path-provisioner/{volume}"), "type": "DirectoryOrCreate"},
                            "claimRef": {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "name": key.name,
                                         "namespace": key.namespace, "uid": uid, "resourceVersion": claim["metadata"]["resourceVersion"].clone()}}}),
            "local-path-provisioner",
        );
        if let Some(mut pv) = state
            .store
            .get(&Key::new("", "persistentvolumes", "", &volume))
            .cloned()
        {
            pv["status"] = json!({"phase": "Bound", "lastPhaseTransitionTime": clock::now()});
            put_status(state, "", "persistentvolumes", pv, CONTROLLER_MANAGER);
        }
    }
    let mut bound = claim.clone();
    bound["spec"]["volumeName"] = json!(volume);
    let annotations = super::defaults::ensure(&mut bound["metadata"], "annotations");
    annotations["pv.kubernetes.io/bind-completed"] = json!("yes");
    annotations["pv.kubernetes.io/bound-by-controller"] = json!("yes");
    if !update(
        state,
        "",
        "persistentvolumeclaims",
        bound,
        CONTROLLER_MANAGER,
    ) {
        return;
    }
    let Some(mut bound) = state.store.get(key).cloned() else {
        return;
    };
    bound["status"] =
        json!({"phase": "Bound", "accessModes": modes, "capacity": {"storage": storage}});
    put_status(
        state,
        "",
        "persistentvolumeclaims",
        bound.clone(),
        CONTROLLER_MANAGER,
    );
}

/// The service controller: LoadBalancer Services get an ingress address.
fn load_balancer(state: &mut State, key: &Key, service: &Value) {
    if service["spec"]["type"] != "LoadBalancer"
        || service["status"]["loadBalancer"]["ingress"].is_array()
        || never_ready(state, service)
    {
        return;
    }
    let index = service["spec"]["clusterIP"]
        .as_str()
        .and_then(|ip| ip.rsplit('.').next())
        .unwrap_or("1")
        .to_string();
    state.record_event(
        service,
        "Normal",
        "EnsuringLoadBalancer",
        "Ensuring load balancer",
        "service-controller",
        CONTROLLER_MANAGER,
    );
    let mut ready = service.clone();
    ready["status"]["loadBalancer"] =
        json!({"ingress": [{"ip": format!("172.18.255.{index}"), "ipMode": "VIP"}]});
    put_status(state, "", "services", ready, CONTROLLER_MANAGER);
    if let Some(service) = state.store.get(key).cloned() {
        state.record_event(
            &service,
            "Normal",
            "EnsuredLoadBalancer",
            "Ensured load balancer",
            "service-controller",
            CONTROLLER_MANAGER,
        );
    }
}

/// The aggregator: APIServices become Available.
fn api_service(state: &mut State, _key: &Key, service: &Value) {
    let available = conditions_of(service)
        .iter()
        .any(|c| c["type"] == "Available" && c["status"] == "True");
    if available || never_ready(state, service) {
        return;
    }
    let local = service["spec"].get("service").is_none_or(Value::is_null);
    let (reason, message) = if local {
        ("Local", "Local APIServices are always available")
    } else {
        ("Passed", "all checks passed")
    };
    let mut ready = service.clone();
    let mut conditions = conditions_of(service);
    set_condition(
        &mut conditions,
        json!({"type": "Available", "status": "True", "lastTransitionTime": clock::now(), "reason": reason, "message": message}),
    );
    ready["status"]["conditions"] = json!(conditions);
    put_status(
        state,
        "apiregistration.k8s.io",
        "apiservices",
        ready,
        "kube-apiserver",
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_move_to_the_end_when_they_change() {
        let mut conditions = vec![
            json!({"type": "Progressing", "status": "True", "reason": "NewReplicaSetCreated", "lastTransitionTime": "t0"}),
            json!({"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable", "lastTransitionTime": "t0"}),
        ];
        set_condition(
            &mut conditions,
            json!({"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable", "lastTransitionTime": "t1"}),
        );
        assert_eq!(conditions[1]["lastTransitionTime"], "t0", "unchanged");
        set_condition(
            &mut conditions,
            json!({"type": "Progressing", "status": "True", "reason": "ReplicaSetUpdated", "lastTransitionTime": "t2"}),
        );
        assert_eq!(conditions[1]["type"], "Progressing");
        assert_eq!(
            conditions[1]["lastTransitionTime"], "t0",
            "status stayed True"
        );
    }
}
