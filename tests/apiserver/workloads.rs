//! The workload controllers as kube-controller-manager runs them, far
//! enough for status to read as on a real cluster:
//!
//! - Deployment: one ReplicaSet per pod template (`<name>-<hash>`, with the
//!   `pod-template-hash` label and the revision annotations), scaled to the
//!   Deployment's replicas while older ones go to 0 at once (no surge
//!   steps); status with Available and Progressing conditions, their real
//!   reasons and messages, and `ProgressDeadlineExceeded` when pods never
//!   become ready within `progressDeadlineSeconds`.
//! - ReplicaSet and DaemonSet: pods (one per node for DaemonSets, there is one node).
//! - StatefulSet: pods `<name>-<ordinal>` (one at a time with
//!   `OrderedReady`), claims from `volumeClaimTemplates`, a ControllerRevision,
//!   `currentRevision`/`updateRevision`.
//! - Job: pods until `completions` succeed, then SuccessCriteriaMet and
//!   Complete; with `test.strata.dev/fail`, FailureTarget and Failed
//!   (BackoffLimitExceeded) as if every retry failed.

use std::time::Duration;

use serde_json::{json, Value};

use super::clock;
use super::controllers::{
    conditions_of, create, marked, never_ready, put_status, set_condition, update,
    CONTROLLER_MANAGER, FAIL, NODE,
};
use super::names;
use super::state::{State, Work};
use super::store::Key;

fn number(value: &Value) -> i64 {
    value.as_i64().unwrap_or(0)
}

fn owner_reference(owner: &Value) -> Value {
    json!({
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": true,
        "blockOwnerDeletion": true,
    })
}

/// Objects of `group`/`plural` that `owner` controls, by name.
fn owned(state: &State, owner: &Value, group: &str, plural: &str) -> Vec<Value> {
    let uid = owner["metadata"]["uid"].as_str().unwrap_or_default();
    let mut out: Vec<Value> = state
        .store
        .dependents_of(uid)
        .into_iter()
        .filter(|key| key.group == group && key.plural == plural)
        .filter_map(|key| state.store.get(&key).cloned())
        .collect();
    out.sort_by(|a, b| {
        a["metadata"]["name"]
            .as_str()
            .cmp(&b["metadata"]["name"].as_str())
    });
    out
}

fn is_ready(pod: &Value) -> bool {
    pod["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["type"] == "Ready" && c["status"] == "True")
}

fn deleting(object: &Value) -> bool {
    object["metadata"].get("deletionTimestamp").is_some()
}

/// `maxUnavailable` of a rolling Deployment, resolved against `replicas` (rounded down).
fn max_unavailable(deployment: &Value, replicas: i64) -> i64 {
    let strategy = &deployment["spec"]["strategy"];
    if strategy["type"] != "RollingUpdate" {
        return 0;
    }
    let value = &strategy["rollingUpdate"]["maxUnavailable"];
    let resolved = match value {
        Value::String(text) if text.ends_with('%') => {
            let percent: i64 = text.trim_end_matches('%').parse().unwrap_or(25);
            replicas * percent / 100
        }
        Value::String(text) => text.parse().unwrap_or(0),
        other => number(other),
    };
    resolved.min(replicas)
}

fn max_surge(deployment: &Value, replicas: i64) -> i64 {
    let value = &deployment["spec"]["strategy"]["rollingUpdate"]["maxSurge"];
    match value {
        Value::String(text) if text.ends_with('%') => {
            let percent: i64 = text.trim_end_matches('%').parse().unwrap_or(25);
            (replicas * percent + 99) / 100
        }
        Value::String(text) => text.parse().unwrap_or(0),
        Value::Null => 0,
        other => number(other),
    }
}

pub fn deployment(state: &mut State, key: &Key, deployment: &Value) {
    if deleting(deployment) || deployment["spec"]["paused"] == true {
        return;
    }
    let desired = number(&deployment["spec"]["replicas"]);
    let template = deployment["spec"]["template"].clone();
    let hash = names::template_hash(&template);
    let name = key.name.clone();
    let sets = owned(state, deployment, "apps", "replicasets");
    let revision = |set: &Value| {
        set["metadata"]["annotations"]["deployment.kubernetes.io/revision"]
            .as_str()
            .and_then(|r| r.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let current = sets
        .iter()
        .find(|set| set["metadata"]["labels"]["pod-template-hash"] == hash.as_str())
        .cloned();
    let max_revision = sets.iter().map(revision).max().unwrap_or(0);
    let annotations = |revision: i64| {
        let mut annotations = deployment["metadata"]["annotations"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        annotations.remove(super::managed::LAST_APPLIED);
        annotations.insert(
            "deployment.kubernetes.io/desired-replicas".into(),
            json!(desired.to_string()),
        );
        annotations.insert(
            "deployment.kubernetes.io/max-replicas".into(),
            json!((desired + max_surge(deployment, desired)).to_string()),
        );
        annotations.insert(
            "deployment.kubernetes.io/revision".into(),
            json!(revision.to_string()),
        );
        Value::Object(annotations)
    };
    let mut created_set = None;
    let new_set = match current {
        Some(set) => {
            let revision = revision(&set);
            let replicas = number(&set["spec"]["replicas"]);
            if replicas != desired {
                let mut scaled = set.clone();
                scaled["spec"]["replicas"] = json!(desired);
                scaled["metadata"]["annotations"] = annotations(revision.max(1));
                if update(state, "apps", "replicasets", scaled, CONTROLLER_MANAGER) {
                    let direction = if desired > replicas { "up" } else { "down" };
                    let message = format!(
                        "Scaled {direction} replica set {} from {replicas} to {desired}",
                        set["metadata"]["name"].as_str().unwrap_or_default()
                    );
                    state.record_event(
                        deployment,
                        "Normal",
                        "ScalingReplicaSet",
                        &message,
                        "deployment-controller",
                        CONTROLLER_MANAGER,
                    );
                }
            }
            set
        }
        None => {
            let set_name = format!("{name}-{hash}");
            let mut labels = template["metadata"]["labels"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            labels.insert("pod-template-hash".into(), json!(hash));
            let mut set_template = template.clone();
            set_template["metadata"]["labels"] = Value::Object(labels.clone());
            let mut selector = deployment["spec"]["selector"].clone();
            super::defaults::ensure(&mut selector, "matchLabels")["pod-template-hash"] =
                json!(hash);
            let set = json!({
                "metadata": {"name": set_name, "namespace": key.namespace, "labels": labels,
                             "annotations": annotations(max_revision + 1),
                             "ownerReferences": [owner_reference(deployment)]},
                "spec": {"replicas": desired, "minReadySeconds": deployment["spec"]["minReadySeconds"].as_i64().unwrap_or(0),
                         "selector": selector, "template": set_template},
            });
            if !create(state, "apps", "replicasets", set, CONTROLLER_MANAGER) {
                return;
            }
            if desired > 0 {
                let message = format!("Scaled up replica set {set_name} from 0 to {desired}");
                state.record_event(
                    deployment,
                    "Normal",
                    "ScalingReplicaSet",
                    &message,
                    "deployment-controller",
                    CONTROLLER_MANAGER,
                );
            }
            created_set = Some(set_name.clone());
            match state
                .store
                .get(&Key::new("apps", "replicasets", &key.namespace, &set_name))
                .cloned()
            {
                Some(set) => set,
                None => return,
            }
        }
    };
    let new_name = new_set["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    // Older ReplicaSets go to zero (no surge steps here).
    for old in sets
        .iter()
        .filter(|set| set["metadata"]["name"] != new_name.as_str())
    {
        let replicas = number(&old["spec"]["replicas"]);
        if replicas > 0 {
            let mut scaled = old.clone();
            scaled["spec"]["replicas"] = json!(0);
            if update(state, "apps", "replicasets", scaled, CONTROLLER_MANAGER) {
                let message = format!(
                    "Scaled down replica set {} from {replicas} to 0",
                    old["metadata"]["name"].as_str().unwrap_or_default()
                );
                state.record_event(
                    deployment,
                    "Normal",
                    "ScalingReplicaSet",
                    &message,
                    "deployment-controller",
                    CONTROLLER_MANAGER,
                );
            }
        }
    }
    // Status from the ReplicaSets as they are now.
    let Some(deployment) = state.store.get(key).cloned() else {
        return;
    };
    let sets = owned(state, &deployment, "apps", "replicasets");
    let sum = |field: &str| {
        sets.iter()
            .map(|set| number(&set["status"][field]))
            .sum::<i64>()
    };
    let (replicas, ready, available) = (
        sum("replicas"),
        sum("readyReplicas"),
        sum("availableReplicas"),
    );
    let updated = sets
        .iter()
        .find(|set| set["metadata"]["name"] == new_name.as_str())
        .map(|set| number(&set["status"]["replicas"]))
        .unwrap_or(0);
    let now = clock::now();
    let old_status = deployment["status"].clone();
    let mut conditions = conditions_of(&deployment);
    let condition = |kind: &str, status: &str, reason: &str, message: String| json!({"type": kind, "status": status, "lastUpdateTime": now, "lastTransitionTime": now, "reason": reason, "message": message});
    if let Some(set_name) = &created_set {
        set_condition(
            &mut conditions,
            condition(
                "Progressing",
                "True",
                "NewReplicaSetCreated",
                format!("Created new replica set \"{set_name}\""),
            ),
        );
    }
    if available >= desired - max_unavailable(&deployment, desired) {
        set_condition(
            &mut conditions,
            condition(
                "Available",
                "True",
                "MinimumReplicasAvailable",
                "Deployment has minimum availability.".into(),
            ),
        );
    } else {
        set_condition(
            &mut conditions,
            condition(
                "Available",
                "False",
                "MinimumReplicasUnavailable",
                "Deployment does not have minimum availability.".into(),
            ),
        );
    }
    let progressing = conditions
        .iter()
        .find(|c| c["type"] == "Progressing")
        .cloned();
    let complete_already = replicas == updated
        && progressing
            .as_ref()
            .is_some_and(|c| c["reason"] == "NewReplicaSetAvailable");
    let deadline = deployment["spec"]["progressDeadlineSeconds"].as_i64();
    if deadline.is_some() && !complete_already {
        let complete = updated == desired && replicas == desired && available == desired;
        let progressed = number(&old_status["updatedReplicas"]) != updated
            || number(&old_status["readyReplicas"]) != ready
            || number(&old_status["availableReplicas"]) != available
            || number(&old_status["replicas"]) != replicas
            || progressing.is_none()
            || created_set.is_some();
        let since_update = progressing
            .as_ref()
            .and_then(|c| {
                c["lastUpdateTime"]
                    .as_str()
                    .and_then(clock::parse_timestamp)
            })
            .unwrap_or_else(clock::now_seconds);
        let deadline = deadline.unwrap_or(600).max(0) as u64;
        if complete {
            set_condition(
                &mut conditions,
                condition(
                    "Progressing",
                    "True",
                    "NewReplicaSetAvailable",
                    format!("ReplicaSet \"{new_name}\" has successfully progressed."),
                ),
            );
        } else if progressed {
            let mut updated_condition = condition(
                "Progressing",
                "True",
                "ReplicaSetUpdated",
                format!("ReplicaSet \"{new_name}\" is progressing."),
            );
            if let Some(current) = &progressing {
                if current["status"] == "True" {
                    updated_condition["lastTransitionTime"] = current["lastTransitionTime"].clone();
                }
            }
            conditions.retain(|c| c["type"] != "Progressing");
            conditions.push(updated_condition);
            // Come back when the deadline passes without progress.
            state.schedule(
                Work::Reconcile(key.clone()),
                Duration::from_secs(deadline) + Duration::from_millis(50),
            );
        } else if clock::now_seconds().saturating_sub(since_update) >= deadline {
            set_condition(
                &mut conditions,
                condition(
                    "Progressing",
                    "False",
                    "ProgressDeadlineExceeded",
                    format!("ReplicaSet \"{new_name}\" has timed out progressing."),
                ),
            );
        } else {
            let left = deadline - clock::now_seconds().saturating_sub(since_update);
            state.schedule(
                Work::Reconcile(key.clone()),
                Duration::from_secs(left) + Duration::from_millis(50),
            );
        }
    }
    let mut status = json!({
        "observedGeneration": deployment["metadata"]["generation"],
        "replicas": replicas,
        "updatedReplicas": updated,
        "readyReplicas": ready,
        "availableReplicas": available,
        "unavailableReplicas": (replicas.max(desired) - available).max(0),
        "conditions": conditions,
    });
    drop_zero(
        &mut status,
        &[
            "replicas",
            "updatedReplicas",
            "readyReplicas",
            "availableReplicas",
            "unavailableReplicas",
        ],
    );
    let mut next = deployment.clone();
    next["status"] = status;
    let revision = new_set["metadata"]["annotations"]["deployment.kubernetes.io/revision"].clone();
    super::defaults::ensure(&mut next["metadata"], "annotations")
        ["deployment.kubernetes.io/revision"] = revision;
    put_status(state, "apps", "deployments", next, CONTROLLER_MANAGER);
}

/// Status integers the API omits when zero (`omitempty`).
fn drop_zero(status: &mut Value, fields: &[&str]) {
    if let Some(map) = status.as_object_mut() {
        for field in fields {
            if map.get(*field).is_some_and(|value| value == 0) {
                map.remove(*field);
            }
        }
    }
}

/// A pod from `owner`'s template.
fn pod_from(owner: &Value, template: &Value, name: &str, extra_labels: &[(&str, String)]) -> Value {
    let mut metadata = template["metadata"].clone();
    if !metadata.is_object() {
        metadata = json!({});
    }
    if let Some(map) = metadata.as_object_mut() {
        map.remove("creationTimestamp");
    }
    metadata["name"] = json!(name);
    metadata["namespace"] = owner["metadata"]["namespace"].clone();
    metadata["ownerReferences"] = json!([owner_reference(owner)]);
    let labels = super::defaults::ensure(&mut metadata, "labels");
    for (key, value) in extra_labels {
        labels[*key] = json!(value);
    }
    let mut spec = template["spec"].clone();
    spec["nodeName"] = json!(NODE);
    super::defaults::absent(&mut spec, "serviceAccountName", json!("default"));
    super::defaults::absent(&mut spec, "serviceAccount", json!("default"));
    super::defaults::absent(&mut spec, "enableServiceLinks", json!(true));
    super::defaults::absent(&mut spec, "preemptionPolicy", json!("PreemptLowerPriority"));
    super::defaults::absent(&mut spec, "priority", json!(0));
    super::defaults::absent(
        &mut spec,
        "tolerations",
        json!([
            {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300},
            {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists", "tolerationSeconds": 300},
        ]),
    );
    json!({"metadata": metadata, "spec": spec})
}

/// Creates pods until `owner` has `desired` (named by `name_of`) and deletes extras.
fn scale_pods(state: &mut State, owner: &Value, pods: &[Value], desired: usize, component: &str) {
    let live: Vec<&Value> = pods.iter().filter(|pod| !deleting(pod)).collect();
    let owner_name = owner["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    for index in live.len()..desired {
        let seed = format!(
            "{}-{}-{index}",
            owner["metadata"]["uid"].as_str().unwrap_or_default(),
            clock::now_nanos()
        );
        let name = format!("{owner_name}-{}", names::random_suffix(&seed));
        let pod = pod_from(owner, &owner["spec"]["template"], &name, &[]);
        if create(state, "", "pods", pod, CONTROLLER_MANAGER) {
            state.record_event(
                owner,
                "Normal",
                "SuccessfulCreate",
                &format!("Created pod: {name}"),
                component,
                CONTROLLER_MANAGER,
            );
        }
    }
    for pod in live.iter().skip(desired) {
        let name = pod["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if let Some(resource) = super::controllers::resource(state, "", "pods") {
            let key = Key::new(
                "",
                "pods",
                pod["metadata"]["namespace"].as_str().unwrap_or_default(),
                &name,
            );
            state.remove_now(&resource, &key, "Background");
            state.record_event(
                owner,
                "Normal",
                "SuccessfulDelete",
                &format!("Deleted pod: {name}"),
                component,
                CONTROLLER_MANAGER,
            );
        }
    }
}

pub fn replica_set(state: &mut State, key: &Key, set: &Value) {
    if deleting(set) {
        return;
    }
    let desired = number(&set["spec"]["replicas"]).max(0) as usize;
    let pods = owned(state, set, "", "pods");
    scale_pods(state, set, &pods, desired, "replicaset-controller");
    let Some(set) = state.store.get(key).cloned() else {
        return;
    };
    let pods: Vec<Value> = owned(state, &set, "", "pods")
        .into_iter()
        .filter(|pod| !deleting(pod))
        .collect();
    let ready = pods.iter().filter(|pod| is_ready(pod)).count();
    let mut status = json!({
        "replicas": pods.len(),
        "fullyLabeledReplicas": pods.len(),
        "readyReplicas": ready,
        "availableReplicas": ready,
        "observedGeneration": set["metadata"]["generation"],
    });
    drop_zero(
        &mut status,
        &["fullyLabeledReplicas", "readyReplicas", "availableReplicas"],
    );
    let mut next = set.clone();
    next["status"] = status;
    put_status(state, "apps", "replicasets", next, CONTROLLER_MANAGER);
}

pub fn daemon_set(state: &mut State, key: &Key, set: &Value) {
    if deleting(set) {
        return;
    }
    let pods = owned(state, set, "", "pods");
    let hash = names::template_hash(&set["spec"]["template"]);
    if pods.iter().all(deleting) {
        let name = format!(
            "{}-{}",
            key.name,
            names::random_suffix(&format!("{hash}{}", clock::now_nanos()))
        );
        let pod = pod_from(
            set,
            &set["spec"]["template"],
            &name,
            &[
                ("controller-revision-hash", hash.clone()),
                (
                    "pod-template-generation",
                    set["metadata"]["generation"].to_string(),
                ),
            ],
        );
        if create(state, "", "pods", pod, CONTROLLER_MANAGER) {
            state.record_event(
                set,
                "Normal",
                "SuccessfulCreate",
                &format!("Created pod: {name}"),
                "daemonset-controller",
                CONTROLLER_MANAGER,
            );
        }
    }
    let Some(set) = state.store.get(key).cloned() else {
        return;
    };
    let pods: Vec<Value> = owned(state, &set, "", "pods")
        .into_iter()
        .filter(|pod| !deleting(pod))
        .collect();
    let ready = pods.iter().filter(|pod| is_ready(pod)).count() as i64;
    let scheduled = pods.len() as i64;
    let mut status = json!({
        "currentNumberScheduled": scheduled,
        "desiredNumberScheduled": 1,
        "numberAvailable": ready,
        "numberMisscheduled": 0,
        "numberReady": ready,
        "numberUnavailable": 1 - ready,
        "observedGeneration": set["metadata"]["generation"],
        "updatedNumberScheduled": scheduled,
    });
    drop_zero(
        &mut status,
        &[
            "numberAvailable",
            "numberUnavailable",
            "updatedNumberScheduled",
        ],
    );
    let mut next = set.clone();
    next["status"] = status;
    put_status(state, "apps", "daemonsets", next, CONTROLLER_MANAGER);
}

pub fn stateful_set(state: &mut State, key: &Key, set: &Value) {
    if deleting(set) {
        return;
    }
    let desired = number(&set["spec"]["replicas"]).max(0) as usize;
    let hash = names::template_hash(&set["spec"]["template"]);
    let revision = format!("{}-{hash}", key.name);
    if state
        .store
        .get(&Key::new(
            "apps",
            "controllerrevisions",
            &key.namespace,
            &revision,
        ))
        .is_none()
    {
        let mut labels = set["spec"]["template"]["metadata"]["labels"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        labels.insert("controller.kubernetes.io/hash".into(), json!(hash));
        let number_of_revisions = owned(state, set, "apps", "controllerrevisions").len() as i64;
        create(
            state,
            "apps",
            "controllerrevisions",
            json!({"metadata": {"name": revision, "namespace": key.namespace, "labels": labels, "ownerReferences": [owner_reference(set)]},
                   "data": {"spec": {"template": set["spec"]["template"], "$patch": "replace"}}, "revision": number_of_revisions + 1}),
            CONTROLLER_MANAGER,
        );
    }
    let pods = owned(state, set, "", "pods");
    let parallel = set["spec"]["podManagementPolicy"] == "Parallel";
    for ordinal in 0..desired {
        let name = format!("{}-{ordinal}", key.name);
        if pods
            .iter()
            .any(|pod| pod["metadata"]["name"] == name.as_str())
        {
            continue;
        }
        // OrderedReady: the next pod waits until the ones before it are ready.
        if !parallel && ordinal > 0 {
            let previous = format!("{}-{}", key.name, ordinal - 1);
            let ready = state
                .store
                .get(&Key::new("", "pods", &key.namespace, &previous))
                .is_some_and(is_ready);
            if !ready {
                break;
            }
        }
        for template in set["spec"]["volumeClaimTemplates"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            let claim_name = format!(
                "{}-{name}",
                template["metadata"]["name"].as_str().unwrap_or_default()
            );
            if state
                .store
                .get(&Key::new(
                    "",
                    "persistentvolumeclaims",
                    &key.namespace,
                    &claim_name,
                ))
                .is_some()
            {
                continue;
            }
            let mut claim = template.clone();
            claim["metadata"]["name"] = json!(claim_name);
            claim["metadata"]["namespace"] = json!(key.namespace);
            let labels = super::defaults::ensure(&mut claim["metadata"], "labels");
            for (label, value) in set["spec"]["selector"]["matchLabels"]
                .as_object()
                .cloned()
                .unwrap_or_default()
            {
                labels[&label] = value;
            }
            if let Some(map) = claim.as_object_mut() {
                map.remove("status");
            }
            if create(
                state,
                "",
                "persistentvolumeclaims",
                claim,
                CONTROLLER_MANAGER,
            ) {
                let message = format!(
                    "create Claim {claim_name} Pod {name} in StatefulSet {} success",
                    key.name
                );
                state.record_event(
                    set,
                    "Normal",
                    "SuccessfulCreate",
                    &message,
                    "statefulset-controller",
                    CONTROLLER_MANAGER,
                );
            }
        }
        let mut pod = pod_from(
            set,
            &set["spec"]["template"],
            &name,
            &[
                ("controller-revision-hash", revision.clone()),
                ("statefulset.kubernetes.io/pod-name", name.clone()),
                ("apps.kubernetes.io/pod-index", ordinal.to_string()),
            ],
        );
        pod["spec"]["hostname"] = json!(name);
        if let Some(service) = set["spec"]["serviceName"]
            .as_str()
            .filter(|s| !s.is_empty())
        {
            pod["spec"]["subdomain"] = json!(service);
        }
        for template in set["spec"]["volumeClaimTemplates"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            let volume = template["metadata"]["name"].clone();
            let claim = format!("{}-{name}", volume.as_str().unwrap_or_default());
            let volumes = super::defaults::ensure(&mut pod, "spec");
            let list = volumes
                .as_object_mut()
                .expect("spec")
                .entry("volumes")
                .or_insert_with(|| json!([]));
            if let Some(items) = list.as_array_mut() {
                items.insert(
                    0,
                    json!({"name": volume, "persistentVolumeClaim": {"claimName": claim}}),
                );
            }
        }
        if create(state, "", "pods", pod, CONTROLLER_MANAGER) {
            let message = format!("create Pod {name} in StatefulSet {} successful", key.name);
            state.record_event(
                set,
                "Normal",
                "SuccessfulCreate",
                &message,
                "statefulset-controller",
                CONTROLLER_MANAGER,
            );
        }
        if !parallel {
            break;
        }
    }
    // Scale down from the highest ordinal.
    let ordinal_of = |pod: &Value| {
        pod["metadata"]["name"]
            .as_str()
            .and_then(|n| n.rsplit('-').next())
            .and_then(|o| o.parse::<usize>().ok())
            .unwrap_or(0)
    };
    if let Some(pod) = pods
        .iter()
        .filter(|pod| !deleting(pod))
        .filter(|pod| ordinal_of(pod) >= desired)
        .max_by_key(|pod| ordinal_of(pod))
    {
        let name = pod["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if let Some(resource) = super::controllers::resource(state, "", "pods") {
            state.remove_now(
                &resource,
                &Key::new("", "pods", &key.namespace, &name),
                "Background",
            );
            let message = format!("delete Pod {name} in StatefulSet {} successful", key.name);
            state.record_event(
                set,
                "Normal",
                "SuccessfulDelete",
                &message,
                "statefulset-controller",
                CONTROLLER_MANAGER,
            );
        }
    }
    let Some(set) = state.store.get(key).cloned() else {
        return;
    };
    let pods: Vec<Value> = owned(state, &set, "", "pods")
        .into_iter()
        .filter(|pod| !deleting(pod))
        .collect();
    let ready = pods.iter().filter(|pod| is_ready(pod)).count();
    let mut status = json!({
        "availableReplicas": ready,
        "collisionCount": 0,
        "currentReplicas": pods.len(),
        "currentRevision": revision,
        "observedGeneration": set["metadata"]["generation"],
        "readyReplicas": ready,
        "replicas": pods.len(),
        "updateRevision": revision,
        "updatedReplicas": pods.len(),
    });
    drop_zero(
        &mut status,
        &["readyReplicas", "currentReplicas", "updatedReplicas"],
    );
    let mut next = set.clone();
    next["status"] = status;
    put_status(state, "apps", "statefulsets", next, CONTROLLER_MANAGER);
}

pub fn job(state: &mut State, key: &Key, job: &Value) {
    if deleting(job) || job["spec"]["suspend"] == true {
        return;
    }
    let conditions = conditions_of(job);
    if conditions
        .iter()
        .any(|c| (c["type"] == "Complete" || c["type"] == "Failed") && c["status"] == "True")
    {
        return;
    }
    let completions = number(&job["spec"]["completions"]).max(1);
    let parallelism = number(&job["spec"]["parallelism"]).max(0);
    let pods = owned(state, job, "", "pods");
    let phase = |pod: &Value| {
        pod["status"]["phase"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let succeeded = pods.iter().filter(|pod| phase(pod) == "Succeeded").count() as i64;
    let failed = pods.iter().filter(|pod| phase(pod) == "Failed").count() as i64;
    let active: Vec<&Value> = pods
        .iter()
        .filter(|pod| !matches!(phase(pod).as_str(), "Succeeded" | "Failed") && !deleting(pod))
        .collect();
    let now = clock::now();
    let start = job["status"]["startTime"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| now.clone());
    let mut status = json!({"startTime": start, "terminating": 0, "uncountedTerminatedPods": {}});
    let mut next_conditions = conditions.clone();
    let condition = |kind: &str, reason: &str, message: &str| json!({"type": kind, "status": "True", "lastProbeTime": now, "lastTransitionTime": now, "reason": reason, "message": message});
    if failed > 0 && marked(state, job, FAIL, 0) {
        let message = "Job has reached the specified backoff limit";
        set_condition(
            &mut next_conditions,
            condition("FailureTarget", "BackoffLimitExceeded", message),
        );
        set_condition(
            &mut next_conditions,
            condition("Failed", "BackoffLimitExceeded", message),
        );
        status["failed"] = json!(number(&job["spec"]["backoffLimit"]) + 1);
        status["ready"] = json!(0);
        state.record_event(
            job,
            "Warning",
            "BackoffLimitExceeded",
            message,
            "job-controller",
            CONTROLLER_MANAGER,
        );
    } else if succeeded >= completions {
        let message = "Reached expected number of succeeded pods";
        set_condition(
            &mut next_conditions,
            condition("SuccessCriteriaMet", "CompletionsReached", message),
        );
        set_condition(
            &mut next_conditions,
            condition("Complete", "CompletionsReached", message),
        );
        status["succeeded"] = json!(succeeded);
        status["ready"] = json!(0);
        status["completionTime"] = json!(now);
        state.record_event(
            job,
            "Normal",
            "Completed",
            "Job completed",
            "job-controller",
            CONTROLLER_MANAGER,
        );
    } else {
        let wanted = parallelism.min(completions - succeeded).max(0) as usize;
        for index in active.len()..wanted {
            let seed = format!("{}-{index}-{}", key.name, clock::now_nanos());
            let name = format!("{}-{}", key.name, names::random_suffix(&seed));
            let uid = job["metadata"]["uid"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let pod = pod_from(
                job,
                &job["spec"]["template"],
                &name,
                &[
                    ("batch.kubernetes.io/controller-uid", uid.clone()),
                    ("controller-uid", uid),
                    ("batch.kubernetes.io/job-name", key.name.clone()),
                    ("job-name", key.name.clone()),
                ],
            );
            if create(state, "", "pods", pod, CONTROLLER_MANAGER) {
                state.record_event(
                    job,
                    "Normal",
                    "SuccessfulCreate",
                    &format!("Created pod: {name}"),
                    "job-controller",
                    CONTROLLER_MANAGER,
                );
            }
        }
        let pods = owned(state, job, "", "pods");
        let active = pods
            .iter()
            .filter(|pod| !matches!(phase(pod).as_str(), "Succeeded" | "Failed"))
            .count();
        let ready = pods.iter().filter(|pod| is_ready(pod)).count();
        status["active"] = json!(active);
        status["ready"] = json!(ready);
        if succeeded > 0 {
            status["succeeded"] = json!(succeeded);
        }
        if never_ready(state, job) && failed > 0 {
            status["failed"] = json!(failed);
        }
    }
    if !next_conditions.is_empty() {
        status["conditions"] = json!(next_conditions);
    }
    drop_zero(&mut status, &["active"]);
    let Some(mut next) = state.store.get(key).cloned() else {
        return;
    };
    next["status"] = status;
    put_status(state, "batch", "jobs", next, CONTROLLER_MANAGER);
}
