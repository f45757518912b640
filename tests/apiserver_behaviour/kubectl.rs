//! The real kubectl's `get -o yaml` and `delete` against the server, compared
//! with what a Kubernetes 1.32 cluster prints (defaults, status and
//! conditions of a ready Deployment; cascading and waiting deletes).

use serde_json::json;

use super::client::manifest;
use super::Fixture;

fn deployment() -> serde_json::Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}},
                         "spec": {"containers": [{"name": "web", "image": "nginx:1.27",
                                                  "ports": [{"containerPort": 80}]}]}},
        },
    })
}

/// `kubectl get deploy web -o yaml` on a 1.32 cluster once the Deployment
/// is ready, with the values that differ per cluster replaced by `<...>`.
const READY_DEPLOYMENT: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  annotations:
    deployment.kubernetes.io/revision: "1"
  creationTimestamp: "<time>"
  generation: 1
  name: web
  namespace: default
  resourceVersion: "<rv>"
  uid: <uid>
spec:
  progressDeadlineSeconds: 600
  replicas: 2
  revisionHistoryLimit: 10
  selector:
    matchLabels:
      app: web
  strategy:
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 25%
    type: RollingUpdate
  template:
    metadata:
      creationTimestamp: null
      labels:
        app: web
    spec:
      containers:
      - image: nginx:1.27
        imagePullPolicy: IfNotPresent
        name: web
        ports:
        - containerPort: 80
          protocol: TCP
        resources: {}
        terminationMessagePath: /dev/termination-log
        terminationMessagePolicy: File
      dnsPolicy: ClusterFirst
      restartPolicy: Always
      schedulerName: default-scheduler
      securityContext: {}
      terminationGracePeriodSeconds: 30
status:
  availableReplicas: 2
  conditions:
  - lastTransitionTime: "<time>"
    lastUpdateTime: "<time>"
    message: Deployment has minimum availability.
    reason: MinimumReplicasAvailable
    status: "True"
    type: Available
  - lastTransitionTime: "<time>"
    lastUpdateTime: "<time>"
    message: ReplicaSet "web-<hash>" has successfully progressed.
    reason: NewReplicaSetAvailable
    status: "True"
    type: Progressing
  observedGeneration: 1
  readyReplicas: 2
  replicas: 2
  updatedReplicas: 2
"#;

/// Replaces times, uids, resourceVersions and the pod-template hash.
fn mask(yaml: &str, hash: &str) -> String {
    yaml.lines()
        .map(|line| {
            let line = line.replace(hash, "<hash>");
            let Some((key, _)) = line.split_once(": ") else {
                return line;
            };
            let field = key.trim_start_matches([' ', '-']);
            match field {
                "creationTimestamp" if !line.ends_with("null") => format!("{key}: \"<time>\""),
                "lastTransitionTime" | "lastUpdateTime" => format!("{key}: \"<time>\""),
                "resourceVersion" => format!("{key}: \"<rv>\""),
                "uid" => format!("{key}: <uid>"),
                _ => line,
            }
        })
        .map(|line| line + "\n")
        .collect()
}

#[test]
fn kubectl_get_yaml_prints_what_a_real_cluster_prints() {
    let fx = Fixture::settled();
    let Some(kubectl) = fx.kubectl() else {
        return;
    };
    kubectl.expect(
        &["apply", "--server-side", "-f", "-"],
        Some(&manifest(&[deployment()])),
        0,
    );
    let sets = kubectl.json(&["get", "rs", "-l", "app=web"]);
    let hash = sets["items"][0]["metadata"]["labels"]["pod-template-hash"]
        .as_str()
        .expect("pod-template-hash")
        .to_string();
    let yaml = kubectl.expect(&["get", "deploy", "web", "-o", "yaml"], None, 0);
    assert_eq!(mask(&yaml.stdout, &hash), READY_DEPLOYMENT);
}

#[test]
fn kubectl_delete_cascades_and_waits_for_finalizers_and_namespaces() {
    let fx = Fixture::settled();
    let Some(kubectl) = fx.kubectl() else {
        return;
    };
    kubectl.expect(
        &["apply", "--server-side", "-f", "-"],
        Some(&manifest(&[deployment()])),
        0,
    );
    let owned = kubectl.expect(&["get", "rs,pods", "-l", "app=web", "-o", "name"], None, 0);
    assert_eq!(owned.stdout.lines().count(), 3, "{}", owned.stdout);
    // Background propagation (kubectl's default) takes the ReplicaSet and its pods.
    let deleted = kubectl.expect(&["delete", "deploy", "web"], None, 0);
    assert_eq!(deleted.stdout, "deployment.apps \"web\" deleted\n");
    let left = kubectl.expect(&["get", "rs,pods", "-o", "name"], None, 0);
    assert_eq!(left.stdout, "");

    // --cascade=orphan keeps the ReplicaSet, without its owner reference.
    kubectl.expect(
        &["apply", "--server-side", "-f", "-"],
        Some(&manifest(&[deployment()])),
        0,
    );
    kubectl.expect(&["delete", "deploy", "web", "--cascade=orphan"], None, 0);
    let orphans = kubectl.json(&["get", "rs", "-l", "app=web"]);
    let orphans = orphans["items"].as_array().expect("items");
    assert_eq!(orphans.len(), 1);
    assert!(orphans[0]["metadata"].get("ownerReferences").is_none());

    // A namespace terminates with its contents; kubectl waits until it is gone.
    let namespace = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}});
    let settings = json!({"apiVersion": "v1", "kind": "ConfigMap",
                          "metadata": {"name": "settings", "namespace": "shop"}, "data": {"a": "1"}});
    kubectl.expect(&["apply", "-f", "-"], Some(&manifest(&[namespace])), 0);
    kubectl.expect(&["apply", "-f", "-"], Some(&manifest(&[settings])), 0);
    let gone = kubectl.expect(&["delete", "namespace", "shop", "--timeout=10s"], None, 0);
    assert_eq!(gone.stdout, "namespace \"shop\" deleted\n");
    let missing = kubectl.expect(&["get", "ns", "shop"], None, 1);
    assert_eq!(
        missing.stderr,
        "Error from server (NotFound): namespaces \"shop\" not found\n"
    );

    // A finalizer holds the object: `--wait=false` returns, the object
    // stays with a deletionTimestamp until the finalizer is removed.
    let held = json!({"apiVersion": "v1", "kind": "ConfigMap",
                      "metadata": {"name": "held", "namespace": "default", "finalizers": ["example.com/hold"]}});
    kubectl.expect(&["apply", "-f", "-"], Some(&manifest(&[held])), 0);
    kubectl.expect(&["delete", "cm", "held", "--wait=false"], None, 0);
    let terminating = kubectl.json(&["get", "cm", "held"]);
    assert!(
        terminating["metadata"]["deletionTimestamp"].is_string(),
        "{}",
        terminating["metadata"]
    );
    kubectl.expect(
        &[
            "patch",
            "cm",
            "held",
            "--type=merge",
            "-p",
            r#"{"metadata":{"finalizers":null}}"#,
        ],
        None,
        0,
    );
    kubectl.expect(&["get", "cm", "held"], None, 1);
    let missing = kubectl.expect(&["delete", "cm", "held"], None, 1);
    assert_eq!(
        missing.stderr,
        "Error from server (NotFound): configmaps \"held\" not found\n"
    );
}
