//! What a fresh cluster holds: the system namespaces (each with its
//! `default` ServiceAccount and `kube-root-ca.crt`), the `kubernetes`
//! Service, one ready node and the APIServices of the built-in groups.

use serde_json::json;

use super::catalog::builtin_group_order;
use super::clock;
use super::controllers::{create, put_status, NODE};
use super::state::{State, Work};
use super::store::Key;

pub fn seed(state: &mut State) {
    for name in ["default", "kube-node-lease", "kube-public", "kube-system"] {
        create(
            state,
            "",
            "namespaces",
            json!({"metadata": {"name": name}}),
            "kube-apiserver",
        );
    }
    create(
        state,
        "",
        "services",
        json!({"metadata": {"name": "kubernetes", "namespace": "default",
                            "labels": {"component": "apiserver", "provider": "kubernetes"}},
               "spec": {"ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]}}),
        "kube-apiserver",
    );
    seed_node(state);
    let mut versions: Vec<(String, String)> = vec![(String::new(), "v1".into())];
    for group in builtin_group_order() {
        for resource in state.resources.iter().filter(|r| r.group == group) {
            let pair = (group.to_string(), resource.version.clone());
            if !versions.contains(&pair) {
                versions.push(pair);
            }
        }
    }
    for (index, (group, version)) in versions.into_iter().enumerate() {
        let name = format!("{version}.{group}");
        let spec = json!({"group": group, "version": version, "groupPriorityMinimum": 18000 - 100 * index as i64,
                          "versionPriority": 15});
        create(
            state,
            "apiregistration.k8s.io",
            "apiservices",
            json!({"metadata": {"name": name, "labels": {"kube-aggregator.kubernetes.io/automanaged": "onstart"}}, "spec": spec}),
            "kube-apiserver",
        );
    }
    // The controllers fill the namespaces now rather than after a delay.
    while let Some(work) = state.next_due() {
        if matches!(work, Work::FillNamespace(_) | Work::Reconcile(_)) {
            super::controllers::run(state, work);
        }
    }
}

fn seed_node(state: &mut State) {
    let labels = json!({
        "beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": NODE, "kubernetes.io/os": "linux",
        "node-role.kubernetes.io/control-plane": "",
    });
    create(
        state,
        "",
        "nodes",
        json!({"metadata": {"name": NODE, "labels": labels,
                            "annotations": {"node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true"}},
               "spec": {"podCIDR": "10.244.0.0/24", "podCIDRs": ["10.244.0.0/24"], "providerID": format!("kind://docker/strata/{NODE}")}}),
        "kubelet",
    );
    let Some(mut node) = state.store.get(&Key::new("", "nodes", "", NODE)).cloned() else {
        return;
    };
    let now = clock::now();
    let condition = |kind: &str, status: &str, reason: &str, message: &str| json!({"type": kind, "status": status, "lastHeartbeatTime": now, "lastTransitionTime": now, "reason": reason, "message": message});
    let capacity = json!({"cpu": "8", "ephemeral-storage": "102626232Ki", "hugepages-1Gi": "0", "hugepages-2Mi": "0", "memory": "32827348Ki", "pods": "110"});
    node["status"] = json!({
        "addresses": [{"address": "172.18.0.2", "type": "InternalIP"}, {"address": NODE, "type": "Hostname"}],
        "allocatable": capacity,
        "capacity": capacity,
        "conditions": [
            condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
            condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
            condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
            condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
        ],
        "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
        "nodeInfo": {"architecture": "amd64", "bootID": "00000000-0000-4000-8000-000000000001", "containerRuntimeVersion": "containerd://1.7.24",
                     "kernelVersion": "6.8.0", "kubeProxyVersion": "v1.32.0", "kubeletVersion": "v1.32.0",
                     "machineID": "strata", "operatingSystem": "linux", "osImage": "Debian GNU/Linux 12 (bookworm)", "systemUUID": "strata"},
    });
    put_status(state, "", "nodes", node, "kubelet");
}
