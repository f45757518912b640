//! The scheduler and the kubelet, for pods: scheduled onto the one node at
//! once, then `--ready-after` later running and ready (containers started,
//! with the kubelet's events), succeeded for Job pods, failed for pods of a
//! Job marked `test.strata.dev/fail`, or crash-looping (`BackOff`) for pods
//! of objects marked `test.strata.dev/never-ready`.

use std::time::Instant;

use serde_json::{json, Value};

use super::clock;
use super::controllers::{marked, never_ready, put_status, FAIL, NODE};
use super::state::{State, Work};
use super::store::Key;

const KUBELET: &str = "kubelet";

fn names(pod: &Value) -> Vec<String> {
    pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str().map(str::to_string))
        .collect()
}

fn condition(
    kind: &str,
    ready: bool,
    now: &str,
    reason: Option<&str>,
    message: Option<String>,
) -> Value {
    let mut condition = json!({"type": kind, "status": if ready { "True" } else { "False" }, "lastProbeTime": null, "lastTransitionTime": now});
    if let Some(reason) = reason {
        condition["reason"] = json!(reason);
    }
    if let Some(message) = message {
        condition["message"] = json!(message);
    }
    condition
}

fn pod_ip(pod: &Value) -> String {
    let uid = pod["metadata"]["uid"].as_str().unwrap_or_default();
    let number = u32::from_str_radix(&uid[uid.len().saturating_sub(4)..], 16).unwrap_or(1);
    format!("10.244.{}.{}", number / 250 % 250, number % 250 + 2)
}

fn image_id(image: &str) -> String {
    let name = if image.contains('/') {
        image.to_string()
    } else {
        format!("docker.io/library/{image}")
    };
    let repository = name
        .split([':', '@'])
        .next()
        .unwrap_or_default()
        .to_string();
    let digest = super::names::template_hash(&json!(image));
    format!(
        "{repository}@sha256:{}",
        format!("{digest:0<64}").replace(|c: char| !c.is_ascii_hexdigit(), "a")
    )
}

pub fn pod(state: &mut State, key: &Key, pod: &Value) {
    if pod["metadata"].get("deletionTimestamp").is_some() {
        return;
    }
    let phase = pod["status"]["phase"]
        .as_str()
        .unwrap_or("Pending")
        .to_string();
    if matches!(phase.as_str(), "Succeeded" | "Failed") {
        return;
    }
    let ready_after = state.options.ready_after;
    let due = *state
        .ready_at
        .entry(key.clone())
        .or_insert_with(|| Instant::now() + ready_after);
    let now = clock::now();
    let containers = names(pod);
    let scheduled = pod["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["type"] == "PodScheduled");
    if !scheduled {
        let message = format!(
            "Successfully assigned {}/{} to {NODE}",
            key.namespace, key.name
        );
        state.record_event(
            pod,
            "Normal",
            "Scheduled",
            &message,
            "default-scheduler",
            "kube-scheduler",
        );
        let waiting: Vec<Value> = containers
            .iter()
            .map(|name| {
                json!({"name": name, "image": container_image(pod, name), "imageID": "", "ready": false, "restartCount": 0,
                       "started": false, "lastState": {}, "state": {"waiting": {"reason": "ContainerCreating"}}})
            })
            .collect();
        let unready = format!("containers with unready status: [{}]", containers.join(" "));
        let mut next = pod.clone();
        next["status"] = json!({
            "phase": "Pending",
            "conditions": [
                condition("PodReadyToStartContainers", false, &now, None, None),
                condition("Initialized", true, &now, None, None),
                condition("Ready", false, &now, Some("ContainersNotReady"), Some(unready.clone())),
                condition("ContainersReady", false, &now, Some("ContainersNotReady"), Some(unready)),
                condition("PodScheduled", true, &now, None, None),
            ],
            "containerStatuses": waiting,
            "hostIP": "172.18.0.2",
            "hostIPs": [{"ip": "172.18.0.2"}],
            "qosClass": pod["status"]["qosClass"].as_str().unwrap_or("BestEffort"),
            "startTime": now,
        });
        put_status(state, "", "pods", next, KUBELET);
    }
    if Instant::now() < due {
        state.schedule_at(Work::Reconcile(key.clone()), due);
        return;
    }
    let Some(pod) = state.store.get(key).cloned() else {
        return;
    };
    let crash_looping =
        pod["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == "CrashLoopBackOff";
    if crash_looping {
        return;
    }
    let job_pod = pod["metadata"]["ownerReferences"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|o| o["kind"] == "Job");
    let failing = job_pod && marked(state, &pod, FAIL, 1);
    let stuck = never_ready(state, &pod);
    let started_at = now.clone();
    let mut statuses = Vec::new();
    for name in &containers {
        let image = container_image(&pod, name);
        if !stuck {
            let pulled = format!("Container image \"{image}\" already present on machine");
            state.record_event(&pod, "Normal", "Pulled", &pulled, KUBELET, KUBELET);
            state.record_event(
                &pod,
                "Normal",
                "Created",
                &format!("Created container: {name}"),
                KUBELET,
                KUBELET,
            );
            state.record_event(
                &pod,
                "Normal",
                "Started",
                &format!("Started container {name}"),
                KUBELET,
                KUBELET,
            );
        } else {
            let message = format!(
                "Back-off restarting failed container {name} in pod {}_{}({})",
                key.name,
                key.namespace,
                pod["metadata"]["uid"].as_str().unwrap_or_default()
            );
            state.record_event(&pod, "Warning", "BackOff", &message, KUBELET, KUBELET);
        }
        let container_id = format!(
            "containerd://{}",
            super::names::template_hash(&json!([key.name, name]))
        );
        let terminated = |code: i64, reason: &str| json!({"terminated": {"containerID": container_id, "exitCode": code, "reason": reason, "startedAt": started_at, "finishedAt": now}});
        let (state_value, ready, started, restarts, last) = if stuck {
            (
                json!({"waiting": {"reason": "CrashLoopBackOff", "message": format!("back-off 10s restarting failed container={name} pod={}_{}({})", key.name, key.namespace, pod["metadata"]["uid"].as_str().unwrap_or_default())}}),
                false,
                false,
                1,
                terminated(1, "Error"),
            )
        } else if failing {
            (terminated(1, "Error"), false, false, 0, json!({}))
        } else if job_pod {
            (terminated(0, "Completed"), false, false, 0, json!({}))
        } else {
            (
                json!({"running": {"startedAt": started_at}}),
                true,
                true,
                0,
                json!({}),
            )
        };
        let mut status = json!({"containerID": container_id, "image": image, "imageID": image_id(&image), "lastState": last, "name": name,
                                "ready": ready, "restartCount": restarts, "started": started, "state": state_value});
        if stuck {
            status
                .as_object_mut()
                .expect("status")
                .remove("containerID");
        }
        statuses.push(status);
    }
    let running = !failing && !job_pod;
    let phase = if failing {
        "Failed"
    } else if job_pod && !stuck {
        "Succeeded"
    } else {
        "Running"
    };
    let ready = running && !stuck;
    let unready = format!("containers with unready status: [{}]", containers.join(" "));
    let reason = |ok: bool| {
        if ok {
            None
        } else {
            Some(if job_pod && !stuck {
                "PodCompleted"
            } else {
                "ContainersNotReady"
            })
        }
    };
    let message = |ok: bool| {
        if ok || (job_pod && !stuck) {
            None
        } else {
            Some(unready.clone())
        }
    };
    let first = pod["status"]["conditions"].clone();
    let transition = |kind: &str| {
        first
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["type"] == kind)
            .map(|c| c["lastTransitionTime"].clone())
            .unwrap_or(json!(now))
    };
    let mut next = pod.clone();
    next["status"]["phase"] = json!(phase);
    let mut initialized = condition("Initialized", true, &now, reason(true), None);
    initialized["lastTransitionTime"] = transition("Initialized");
    let mut scheduled = condition("PodScheduled", true, &now, None, None);
    scheduled["lastTransitionTime"] = transition("PodScheduled");
    next["status"]["conditions"] = json!([
        condition(
            "PodReadyToStartContainers",
            !job_pod || stuck,
            &now,
            None,
            None
        ),
        initialized,
        condition("Ready", ready, &now, reason(ready), message(ready)),
        condition(
            "ContainersReady",
            ready,
            &now,
            reason(ready),
            message(ready)
        ),
        scheduled,
    ]);
    next["status"]["containerStatuses"] = json!(statuses);
    next["status"]["podIP"] = json!(pod_ip(&pod));
    next["status"]["podIPs"] = json!([{"ip": pod_ip(&pod)}]);
    put_status(state, "", "pods", next, KUBELET);
}

fn container_image(pod: &Value, name: &str) -> String {
    pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["name"] == name)
        .and_then(|c| c["image"].as_str())
        .unwrap_or_default()
        .to_string()
}
