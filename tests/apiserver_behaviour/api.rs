//! Discovery, reads, preconditions, validation, deletion and watches.

use std::time::Duration;

use serde_json::{json, Value};

use super::client::manifest;
use super::Fixture;

fn deployment(selector: &str) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "selector": {"matchLabels": {"app": selector}},
            "template": {"metadata": {"labels": {"app": selector}},
                         "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}},
        },
    })
}

const WEB: &str = "/apis/apps/v1/namespaces/default/deployments/web";

/// `kubectl api-resources` of a Kubernetes 1.32 cluster with the default
/// API groups: name, short names, API version, namespaced.
const API_RESOURCES: &str = "\
bindings  v1 true
componentstatuses cs v1 false
configmaps cm v1 true
endpoints ep v1 true
events ev v1 true
limitranges limits v1 true
namespaces ns v1 false
nodes no v1 false
persistentvolumeclaims pvc v1 true
persistentvolumes pv v1 false
pods po v1 true
podtemplates  v1 true
replicationcontrollers rc v1 true
resourcequotas quota v1 true
secrets  v1 true
serviceaccounts sa v1 true
services svc v1 true
mutatingwebhookconfigurations  admissionregistration.k8s.io/v1 false
validatingadmissionpolicies  admissionregistration.k8s.io/v1 false
validatingadmissionpolicybindings  admissionregistration.k8s.io/v1 false
validatingwebhookconfigurations  admissionregistration.k8s.io/v1 false
customresourcedefinitions crd,crds apiextensions.k8s.io/v1 false
apiservices  apiregistration.k8s.io/v1 false
controllerrevisions  apps/v1 true
daemonsets ds apps/v1 true
deployments deploy apps/v1 true
replicasets rs apps/v1 true
statefulsets sts apps/v1 true
selfsubjectreviews  authentication.k8s.io/v1 false
tokenreviews  authentication.k8s.io/v1 false
localsubjectaccessreviews  authorization.k8s.io/v1 true
selfsubjectaccessreviews  authorization.k8s.io/v1 false
selfsubjectrulesreviews  authorization.k8s.io/v1 false
subjectaccessreviews  authorization.k8s.io/v1 false
horizontalpodautoscalers hpa autoscaling/v2 true
cronjobs cj batch/v1 true
jobs  batch/v1 true
certificatesigningrequests csr certificates.k8s.io/v1 false
leases  coordination.k8s.io/v1 true
endpointslices  discovery.k8s.io/v1 true
events ev events.k8s.io/v1 true
flowschemas  flowcontrol.apiserver.k8s.io/v1 false
prioritylevelconfigurations  flowcontrol.apiserver.k8s.io/v1 false
ingressclasses  networking.k8s.io/v1 false
ingresses ing networking.k8s.io/v1 true
networkpolicies netpol networking.k8s.io/v1 true
runtimeclasses  node.k8s.io/v1 false
poddisruptionbudgets pdb policy/v1 true
clusterrolebindings  rbac.authorization.k8s.io/v1 false
clusterroles  rbac.authorization.k8s.io/v1 false
rolebindings  rbac.authorization.k8s.io/v1 true
roles  rbac.authorization.k8s.io/v1 true
priorityclasses pc scheduling.k8s.io/v1 false
csidrivers  storage.k8s.io/v1 false
csinodes  storage.k8s.io/v1 false
csistoragecapacities  storage.k8s.io/v1 true
storageclasses sc storage.k8s.io/v1 false
volumeattachments  storage.k8s.io/v1 false
";

#[test]
fn discovery_lists_the_resources_of_a_1_32_server() {
    let fx = Fixture::settled();
    let http = fx.client();
    let core = http.get("/api/v1").json();
    let names: Vec<&str> = core["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert!(
        names.contains(&"pods/log") && names.contains(&"bindings"),
        "{names:?}"
    );
    assert!(!names.contains(&"deployments"), "apps are in their group");
    let deployments = http.get("/apis/apps/v1").json();
    let entry = deployments["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "deployments")
        .unwrap()
        .clone();
    assert_eq!(entry["categories"], json!(["all"]));
    assert_eq!(
        entry["verbs"],
        json!([
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch"
        ])
    );
    let autoscaling = http.get("/apis/autoscaling").json();
    assert_eq!(autoscaling["preferredVersion"]["version"], "v2");
    let Some(kubectl) = fx.kubectl() else {
        return;
    };
    let listed = kubectl.expect(&["api-resources", "--no-headers"], None, 0);
    let rows: Vec<String> = listed
        .stdout
        .lines()
        .map(|line| {
            // NAME [SHORTNAMES] APIVERSION NAMESPACED KIND
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                [name, short, version, namespaced, _kind] => {
                    format!("{name} {short} {version} {namespaced}")
                }
                [name, version, namespaced, _kind] => format!("{name}  {version} {namespaced}"),
                _ => line.to_string(),
            }
        })
        .collect();
    assert_eq!(rows.join("\n") + "\n", API_RESOURCES);
    let everything = kubectl.expect(&["get", "all", "-A", "-o", "name"], None, 0);
    assert_eq!(everything.stdout, "service/kubernetes\n");
}

#[test]
fn stale_resource_versions_and_uids_are_conflicts() {
    let fx = Fixture::settled();
    let http = fx.client();
    let created = http.apply(WEB, "ci", false, &deployment("web")).json();
    let version = created["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_string();
    // The controllers have written the status since: start from what is stored.
    let mut body = http.get(WEB).json();
    assert_ne!(body["metadata"]["resourceVersion"], json!(version));
    body["spec"]["replicas"] = json!(2);
    assert_eq!(http.put(WEB, &body).status, 200, "the current version");
    let stale = http.put(WEB, &body);
    assert_eq!(stale.status, 409);
    assert_eq!(
        stale.json()["message"],
        "Operation cannot be fulfilled on deployments.apps \"web\": the object has been modified; please apply your changes to the latest version and try again"
    );
    assert_eq!(
        stale.json()["details"],
        json!({"name": "web", "group": "apps", "kind": "deployments"})
    );
    let mut other_uid = http.get(WEB).json();
    other_uid["metadata"]["uid"] = json!("00000000-0000-0000-0000-000000000000");
    let refused = http.put(WEB, &other_uid).json();
    assert!(
        refused["message"].as_str().unwrap().contains(
            "Precondition failed: UID in precondition: 00000000-0000-0000-0000-000000000000"
        ),
        "{refused}"
    );
    // A JSON patch that sets an old resourceVersion fails the same way.
    let patch =
        format!(r#"[{{"op":"replace","path":"/metadata/resourceVersion","value":"{version}"}}]"#);
    assert_eq!(
        http.patch(WEB, "application/json-patch+json", &patch)
            .status,
        409
    );
    // Delete preconditions.
    let uid = created["metadata"]["uid"].as_str().unwrap();
    let wrong = http.delete(
        WEB,
        Some(
            &json!({"kind": "DeleteOptions", "apiVersion": "v1", "preconditions": {"uid": "nope"}}),
        ),
    );
    assert_eq!(wrong.status, 409);
    assert_eq!(
        wrong.json()["message"],
        format!("Operation cannot be fulfilled on deployments.apps \"web\": Precondition failed: UID in precondition: nope, UID in object meta: {uid}")
    );
    let stale = http.delete(
        WEB,
        Some(&json!({"preconditions": {"resourceVersion": version}})),
    );
    assert!(
        stale.json()["message"]
            .as_str()
            .unwrap()
            .contains("Precondition failed: ResourceVersion in precondition"),
        "{}",
        stale.text
    );
    let gone = http.delete(
        WEB,
        Some(&json!({"preconditions": {"uid": uid}, "propagationPolicy": "Foreground"})),
    );
    assert_eq!(gone.status, 200, "{}", gone.text);
    assert_eq!(gone.json()["status"], "Success");
    assert_eq!(http.get(WEB).status, 404);
}

#[test]
fn propagation_decides_what_happens_to_dependents() {
    let fx = Fixture::settled();
    let http = fx.client();
    http.apply(WEB, "ci", false, &deployment("web"));
    let sets = |http: &super::client::Client| {
        http.get("/apis/apps/v1/namespaces/default/replicasets")
            .json()["items"]
            .as_array()
            .unwrap()
            .clone()
    };
    assert_eq!(sets(&http).len(), 1);
    let orphaned = http.delete(&format!("{WEB}?propagationPolicy=Orphan"), None);
    assert_eq!(orphaned.status, 200);
    let left = sets(&http);
    assert_eq!(left.len(), 1, "the ReplicaSet stays");
    assert!(left[0]["metadata"].get("ownerReferences").is_none());
    http.apply(WEB, "ci", false, &deployment("other"));
    http.delete(WEB, None);
    assert_eq!(
        sets(&http).len(),
        1,
        "background deletion took the new ReplicaSet"
    );
    let pods = http.get("/api/v1/namespaces/default/pods").json();
    assert_eq!(pods["items"].as_array().unwrap().len(), 1, "and its pod");
}

fn invalid(response: &super::client::Response) -> (String, Vec<Value>) {
    assert_eq!(response.status, 422, "{}", response.text);
    let body = response.json();
    assert_eq!(body["reason"], "Invalid");
    (
        body["message"].as_str().unwrap().to_string(),
        body["details"]["causes"].as_array().unwrap().clone(),
    )
}

#[test]
fn immutable_fields_are_invalid_as_the_server_words_them() {
    let fx = Fixture::settled();
    let http = fx.client();
    http.apply(WEB, "ci", false, &deployment("web"));
    let (message, causes) = invalid(&http.apply(
        &format!("{WEB}?dryRun=All"),
        "ci",
        true,
        &deployment("changed"),
    ));
    assert!(
        message.starts_with(
            "Deployment.apps \"web\" is invalid: spec.selector: Invalid value: v1.LabelSelector{"
        ),
        "{message}"
    );
    assert!(
        causes.iter().any(|c| c["field"] == "spec.selector"
            && c["reason"] == "FieldValueInvalid"
            && c["message"]
                .as_str()
                .unwrap()
                .ends_with("field is immutable")),
        "{causes:?}"
    );

    let job = |image: &str| {
        json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "pi", "namespace": "default"},
        "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "pi", "image": image}]}}}})
    };
    let job_path = "/apis/batch/v1/namespaces/default/jobs/pi";
    assert_eq!(
        http.apply(job_path, "ci", false, &job("perl:5.34")).status,
        201
    );
    assert_eq!(
        http.apply(job_path, "ci", false, &job("perl:5.34")).status,
        200,
        "re-applying is no change"
    );
    let (message, causes) = invalid(&http.apply(job_path, "ci", false, &job("perl:5.36")));
    assert!(
        message.starts_with("Job.batch \"pi\" is invalid: spec.template: Invalid value:"),
        "{message}"
    );
    assert_eq!(causes[0]["field"], "spec.template");
    assert!(causes[0]["message"]
        .as_str()
        .unwrap()
        .ends_with(": field is immutable"));

    let service = |ip: &str| {
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "db", "namespace": "default"},
        "spec": {"clusterIP": ip, "ports": [{"port": 5432}]}})
    };
    let service_path = "/api/v1/namespaces/default/services/db";
    assert_eq!(
        http.apply(service_path, "ci", false, &service("10.96.10.10"))
            .status,
        201
    );
    let (message, causes) = invalid(&http.apply(service_path, "ci", true, &service("10.96.10.11")));
    assert_eq!(message, "Service \"db\" is invalid: spec.clusterIPs[0]: Invalid value: []string{\"10.96.10.11\"}: may not change once set");
    assert_eq!(causes[0]["field"], "spec.clusterIPs[0]");
    assert!(causes[0].get("group").is_none());

    let frozen = |value: &str| {
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "frozen", "namespace": "default"},
        "immutable": true, "data": {"k": value}})
    };
    let frozen_path = "/api/v1/namespaces/default/configmaps/frozen";
    http.apply(frozen_path, "ci", false, &frozen("1"));
    let (message, _) = invalid(&http.apply(frozen_path, "ci", false, &frozen("2")));
    assert_eq!(message, "ConfigMap \"frozen\" is invalid: data: Forbidden: field is immutable when `immutable` is set");

    let claim = |size: &str, mode: &str| {
        json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data", "namespace": "default"},
        "spec": {"accessModes": [mode], "resources": {"requests": {"storage": size}}}})
    };
    let claim_path = "/api/v1/namespaces/default/persistentvolumeclaims/data";
    http.apply(claim_path, "ci", false, &claim("1Gi", "ReadWriteOnce"));
    assert_eq!(
        http.apply(claim_path, "ci", false, &claim("2Gi", "ReadWriteOnce"))
            .status,
        200,
        "requests may grow"
    );
    let (message, _) =
        invalid(&http.apply(claim_path, "ci", false, &claim("2Gi", "ReadWriteMany")));
    assert!(
        message.contains(
            "spec: Forbidden: spec is immutable after creation except resources.requests"
        ),
        "{message}"
    );

    let set = |service: &str| {
        json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db", "namespace": "default"},
        "spec": {"serviceName": service, "selector": {"matchLabels": {"app": "db"}},
                 "template": {"metadata": {"labels": {"app": "db"}}, "spec": {"containers": [{"name": "db", "image": "postgres:16"}]}}}})
    };
    let set_path = "/apis/apps/v1/namespaces/default/statefulsets/db";
    http.apply(set_path, "ci", false, &set("db"));
    let (message, causes) = invalid(&http.apply(set_path, "ci", false, &set("other")));
    assert!(message.contains("spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"), "{message}");
    assert_eq!(causes[0]["reason"], "FieldValueForbidden");

    let Some(kubectl) = fx.kubectl() else {
        return;
    };
    // Forced past the conflicts with `ci`, the selector is still immutable.
    let refused = kubectl.expect(
        &["apply", "--server-side", "--force-conflicts", "-f", "-"],
        Some(&manifest(&[deployment("changed")])),
        1,
    );
    assert!(
        refused.stderr.contains("field is immutable"),
        "{}",
        refused.stderr
    );
}

#[test]
fn lists_select_by_label_and_field_in_a_namespace_or_everywhere() {
    let fx = Fixture::settled();
    let http = fx.client();
    http.post(
        "/api/v1/namespaces",
        &json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}),
    );
    for (namespace, name, tier) in [
        ("default", "a", "front"),
        ("shop", "b", "front"),
        ("shop", "c", "back"),
    ] {
        let object = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": namespace, "labels": {"tier": tier}}});
        let created = http.post(
            &format!("/api/v1/namespaces/{namespace}/configmaps"),
            &object,
        );
        assert_eq!(created.status, 201, "{}", created.text);
    }
    let names = |path: &str| -> Vec<String> {
        http.get(path).json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["metadata"]["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        names("/api/v1/configmaps?labelSelector=tier%3Dfront"),
        ["a", "b"]
    );
    assert_eq!(
        names("/api/v1/namespaces/shop/configmaps?labelSelector=tier"),
        ["b", "c"]
    );
    assert_eq!(
        names("/api/v1/namespaces/shop/configmaps?fieldSelector=metadata.name%3Dc"),
        ["c"]
    );
    // `notin` also selects objects without the label, as on a real server.
    assert_eq!(
        names("/api/v1/configmaps?labelSelector=tier%20notin%20(front)"),
        [
            "kube-root-ca.crt",
            "kube-root-ca.crt",
            "kube-root-ca.crt",
            "kube-root-ca.crt",
            "c",
            "kube-root-ca.crt"
        ]
    );
    assert_eq!(
        names("/api/v1/configmaps?labelSelector=tier,tier%20notin%20(front)"),
        ["c"]
    );
    let refused = http.get("/api/v1/configmaps?fieldSelector=data.x%3D1");
    assert_eq!(refused.status, 400);
    assert_eq!(
        refused.json()["message"],
        "field label not supported: data.x"
    );
    let page = http
        .get("/api/v1/configmaps?labelSelector=tier&limit=2")
        .json();
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let token = page["metadata"]["continue"].as_str().unwrap().to_string();
    let rest = http
        .get(&format!(
            "/api/v1/configmaps?labelSelector=tier&limit=2&continue={token}"
        ))
        .json();
    assert_eq!(rest["items"][0]["metadata"]["name"], "c");
    assert!(rest["metadata"].get("continue").is_none());
}

#[test]
fn finalizers_hold_deletion_and_namespaces_terminate() {
    let fx = Fixture::with_ready_after(Duration::from_millis(300));
    let http = fx.client();
    let path = "/api/v1/namespaces/default/configmaps/held";
    let held = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "held", "namespace": "default", "finalizers": ["example.com/keep"]}});
    http.apply(path, "ci", false, &held);
    let deleting = http.delete(path, None).json();
    assert!(
        deleting["metadata"]["deletionTimestamp"].is_string(),
        "{deleting}"
    );
    assert_eq!(http.get(path).status, 200, "held by its finalizer");
    http.patch(
        path,
        "application/merge-patch+json",
        r#"{"metadata":{"finalizers":null}}"#,
    );
    assert_eq!(http.get(path).status, 404, "gone once the finalizer is");

    http.post(
        "/api/v1/namespaces",
        &json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "temp"}}),
    );
    let secret = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"a": "b"}});
    assert_eq!(
        http.post("/api/v1/namespaces/temp/secrets", &secret).status,
        201
    );
    let terminating = http.delete("/api/v1/namespaces/temp", None).json();
    assert_eq!(terminating["status"]["phase"], "Terminating");
    let refused = http.post(
        "/api/v1/namespaces/temp/configmaps",
        &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "late"}}),
    );
    assert_eq!(refused.status, 403);
    assert!(refused.json()["message"]
        .as_str()
        .unwrap()
        .contains("because it is being terminated"));
    let gone = fx.server.wait_for(
        "v1",
        "Namespace",
        "",
        "temp",
        Duration::from_secs(5),
        |_| false,
    );
    assert!(gone.is_none());
    assert_eq!(http.get("/api/v1/namespaces/temp").status, 404);
    assert_eq!(http.get("/api/v1/namespaces/temp/secrets/s").status, 404);
}

#[test]
fn a_watch_streams_the_changes_after_its_resource_version() {
    let fx = Fixture::settled();
    let http = fx.client();
    let listed = http.get("/api/v1/namespaces/default/configmaps").json();
    let version = listed["metadata"]["resourceVersion"]
        .as_str()
        .unwrap()
        .to_string();
    let url = fx.server.url();
    let watcher = std::thread::spawn(move || {
        let http = super::client::Client::new(&url);
        http.get(&format!(
            "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={version}&timeoutSeconds=1&fieldSelector=metadata.name%3Dw"
        ))
    });
    std::thread::sleep(Duration::from_millis(200));
    let object = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "w", "namespace": "default"}, "data": {"a": "1"}});
    http.apply(
        "/api/v1/namespaces/default/configmaps/w",
        "ci",
        false,
        &object,
    );
    http.patch(
        "/api/v1/namespaces/default/configmaps/w",
        "application/merge-patch+json",
        r#"{"data":{"a":"2"}}"#,
    );
    http.delete("/api/v1/namespaces/default/configmaps/w", None);
    let stream = watcher.join().expect("watch");
    let events: Vec<Value> = stream
        .text
        .lines()
        .map(|line| serde_json::from_str(line).expect("event"))
        .collect();
    let kinds: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["ADDED", "MODIFIED", "DELETED"], "{}", stream.text);
    assert_eq!(events[1]["object"]["data"]["a"], "2");
    assert_eq!(events[0]["object"]["kind"], "ConfigMap");
}

#[test]
fn scale_and_status_subresources() {
    let fx = Fixture::settled();
    let http = fx.client();
    http.apply(WEB, "ci", false, &deployment("web"));
    let scale = http.get(&format!("{WEB}/scale")).json();
    assert_eq!(scale["kind"], "Scale");
    assert_eq!(scale["spec"]["replicas"], 1);
    assert_eq!(scale["status"]["selector"], "app=web");
    let scaled = http.patch(
        &format!("{WEB}/scale?fieldManager=scaler"),
        "application/merge-patch+json",
        r#"{"spec":{"replicas":3}}"#,
    );
    assert_eq!(scaled.json()["spec"]["replicas"], 3, "{}", scaled.text);
    let live = http.get(WEB).json();
    assert_eq!(live["spec"]["replicas"], 3);
    let entry = super::entry(&live, "scaler", "Update");
    assert_eq!(entry["subresource"], "scale");
    assert_eq!(entry["fieldsV1"], json!({"f:spec": {"f:replicas": {}}}));
    // Status writes leave the spec alone, spec writes the status.
    let mut status = live.clone();
    status["status"]["replicas"] = json!(42);
    status["spec"]["replicas"] = json!(9);
    let written = http.put(&format!("{WEB}/status"), &status).json();
    assert_eq!(written["spec"]["replicas"], 3);
    assert_eq!(written["status"]["replicas"], 42);
    assert_eq!(
        written["metadata"]["generation"],
        live["metadata"]["generation"]
    );
}

#[test]
fn custom_resources_follow_their_crd_schema() {
    let fx = Fixture::settled();
    let http = fx.client();
    let crd = json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
                 "names": {"plural": "widgets", "kind": "Widget", "shortNames": ["wd"]},
                 "versions": [{"name": "v1", "served": true, "storage": true,
                               "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                                   "spec": {"type": "object", "properties": {
                                       "parts": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["id"],
                                                 "items": {"type": "object", "properties": {"id": {"type": "string"}, "size": {"type": "integer"}}}},
                                       "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}}}}}]},
    });
    assert_eq!(
        http.apply(
            "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com",
            "ci",
            false,
            &crd
        )
        .status,
        201
    );
    let widget = |parts: Value| {
        json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "default"},
                                      "spec": {"parts": parts, "extra": {"a": {"b": 1}}}})
    };
    let path = "/apis/example.com/v1/namespaces/default/widgets/w";
    assert_eq!(
        http.apply(
            path,
            "alice",
            false,
            &widget(json!([{"id": "x", "size": 1}]))
        )
        .status,
        201
    );
    let merged = http.apply(path, "bob", false, &json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
                                                         "spec": {"parts": [{"id": "y", "size": 2}]}})).json();
    assert_eq!(
        merged["spec"]["parts"],
        json!([{"id": "x", "size": 1}, {"id": "y", "size": 2}]),
        "a list map merges by id"
    );
    let fields = &super::entry(&merged, "alice", "Apply")["fieldsV1"];
    // `extra` is a declared field (no `.` of its own when set); what it
    // preserves is deduced, and a map key that is no declared field is a
    // member itself, as structured-merge-diff's ToFieldSet records it.
    assert_eq!(
        fields["f:spec"]["f:extra"],
        json!({"f:a": {".": {}, "f:b": {}}}),
        "preserved fields are deduced maps"
    );
    assert_eq!(
        fields["f:spec"]["f:parts"],
        json!({"k:{\"id\":\"x\"}": {".": {}, "f:id": {}, "f:size": {}}})
    );
    assert_eq!(
        http.patch(path, "application/strategic-merge-patch+json", "{}")
            .status,
        415
    );
    assert_eq!(
        http.patch(
            path,
            "application/merge-patch+json",
            r#"{"spec":{"extra":null}}"#
        )
        .status,
        200
    );
}
