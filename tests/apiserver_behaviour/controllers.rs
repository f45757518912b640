//! The readiness loop: CRDs established after `ready_after`, workloads
//! made ready as their controllers would, the never-ready and fail
//! annotations, and the events the controllers write.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::client::{manifest, Client};
use super::Fixture;

const READY_AFTER: Duration = Duration::from_millis(300);
const PATIENCE: Duration = Duration::from_secs(10);

fn condition<'a>(object: &'a Value, kind: &str) -> Option<&'a Value> {
    object["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|condition| condition["type"] == kind)
}

fn is(object: &Value, kind: &str, status: &str) -> bool {
    condition(object, kind).is_some_and(|condition| condition["status"] == status)
}

fn deployment(name: &str, replicas: u32, annotations: Value) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default", "annotations": annotations},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                         "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}},
        },
    })
}

fn crd() -> Value {
    json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
                 "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"]},
                 "versions": [{"name": "v1", "served": true, "storage": true,
                               "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]},
    })
}

#[test]
fn crds_are_unknown_until_established() {
    let fx = Fixture::with_ready_after(READY_AFTER);
    let http = fx.client();
    let started = Instant::now();
    let created = http.post(
        "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
        &crd(),
    );
    assert_eq!(created.status, 201, "{}", created.text);
    let status = &created.json()["status"];
    assert_eq!(
        *status,
        json!({"acceptedNames": {"plural": "", "kind": ""}, "storedVersions": ["v1"]})
    );
    let widgets = "/apis/example.com/v1/namespaces/default/widgets";
    if started.elapsed() < READY_AFTER {
        assert_eq!(http.get(widgets).status, 404, "not served yet");
        let groups = http.get("/apis").json();
        assert!(!groups["groups"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["name"] == "example.com"));
    }
    let established = fx
        .server
        .wait_for(
            "apiextensions.k8s.io/v1",
            "CustomResourceDefinition",
            "",
            "widgets.example.com",
            PATIENCE,
            |crd| is(crd, "Established", "True"),
        )
        .expect("established");
    assert!(started.elapsed() >= READY_AFTER);
    assert!(is(&established, "NamesAccepted", "True"));
    assert_eq!(
        condition(&established, "Established").unwrap()["reason"],
        "InitialNamesAccepted"
    );
    assert_eq!(
        condition(&established, "NamesAccepted").unwrap()["message"],
        "no conflicts found"
    );
    assert_eq!(
        established["status"]["acceptedNames"]["listKind"],
        "WidgetList"
    );
    let entry = super::entry(&established, "kube-apiserver", "Update");
    assert_eq!(entry["subresource"], "status");
    assert_eq!(http.get(widgets).status, 200);
    let resources = http.get("/apis/example.com/v1").json();
    assert_eq!(resources["resources"][0]["shortNames"], json!(["wd"]));
    let Some(kubectl) = fx.kubectl() else {
        return;
    };
    let widget = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"size": 1}});
    kubectl.expect(
        &["apply", "--server-side", "-f", "-"],
        Some(&manifest(&[widget])),
        0,
    );
    let listed = kubectl.expect(&["get", "wd"], None, 0);
    assert!(
        listed.stdout.starts_with("NAME   AGE\nw      "),
        "{}",
        listed.stdout
    );
}

#[test]
fn kubectl_waits_for_a_crd_and_its_kind() {
    let fx = Fixture::with_ready_after(READY_AFTER);
    let Some(kubectl) = fx.kubectl() else {
        return;
    };
    kubectl.expect(
        &["apply", "--server-side", "-f", "-"],
        Some(&manifest(&[crd()])),
        0,
    );
    let waited = kubectl.expect(
        &[
            "wait",
            "--for",
            "condition=Established",
            "crd/widgets.example.com",
            "--timeout=10s",
        ],
        None,
        0,
    );
    assert_eq!(
        waited.stdout,
        "customresourcedefinition.apiextensions.k8s.io/widgets.example.com condition met\n"
    );
}

fn wait_for(
    fx: &Fixture,
    api_version: &str,
    kind: &str,
    name: &str,
    check: impl Fn(&Value) -> bool,
) -> Value {
    fx.server
        .wait_for(api_version, kind, "default", name, PATIENCE, check)
        .unwrap_or_else(|| {
            panic!(
                "{kind} {name}: {:#}",
                fx.server
                    .get(api_version, kind, "default", name)
                    .unwrap_or_default()
            )
        })
}

#[test]
fn deployments_become_available_as_the_controllers_report_it() {
    let fx = Fixture::with_ready_after(READY_AFTER);
    let http = fx.client();
    let started = Instant::now();
    let applied = http.apply(
        "/apis/apps/v1/namespaces/default/deployments/web",
        "ci",
        false,
        &deployment("web", 2, json!({})),
    );
    assert_eq!(applied.status, 201);
    let progressing = wait_for(&fx, "apps/v1", "Deployment", "web", |d| {
        d["status"]["observedGeneration"] == 1
    });
    if started.elapsed() < READY_AFTER {
        assert!(
            is(&progressing, "Available", "False"),
            "{}",
            progressing["status"]
        );
        assert_eq!(progressing["status"]["unavailableReplicas"], 2);
        assert_eq!(
            condition(&progressing, "Progressing").unwrap()["reason"],
            "ReplicaSetUpdated"
        );
    }
    let ready = wait_for(&fx, "apps/v1", "Deployment", "web", |d| {
        is(d, "Available", "True") && d["status"]["readyReplicas"] == 2
    });
    assert!(started.elapsed() >= READY_AFTER);
    let status = &ready["status"];
    assert_eq!(
        (
            status["replicas"].clone(),
            status["updatedReplicas"].clone(),
            status["availableReplicas"].clone()
        ),
        (json!(2), json!(2), json!(2))
    );
    assert!(status.get("unavailableReplicas").is_none());
    let kinds: Vec<&str> = status["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["Available", "Progressing"]);
    let progressed = condition(&ready, "Progressing").unwrap();
    assert_eq!(progressed["reason"], "NewReplicaSetAvailable");
    assert_eq!(
        ready["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "1"
    );
    let sets = http
        .get("/apis/apps/v1/namespaces/default/replicasets")
        .json();
    let set = &sets["items"][0];
    let hash = set["metadata"]["labels"]["pod-template-hash"]
        .as_str()
        .unwrap();
    assert_eq!(set["metadata"]["name"], format!("web-{hash}"));
    assert_eq!(
        progressed["message"],
        format!("ReplicaSet \"web-{hash}\" has successfully progressed.")
    );
    assert_eq!(set["status"]["readyReplicas"], 2);
    let pods = http
        .get("/api/v1/namespaces/default/pods?labelSelector=app%3Dweb")
        .json();
    assert_eq!(pods["items"].as_array().unwrap().len(), 2);
    assert!(pods["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["status"]["phase"] == "Running"));
    // A new template rolls out to a new ReplicaSet, the old one goes to zero.
    let mut v2 = deployment("web", 2, json!({}));
    v2["spec"]["template"]["spec"]["containers"][0]["image"] = json!("nginx:1.28");
    http.apply(
        "/apis/apps/v1/namespaces/default/deployments/web",
        "ci",
        false,
        &v2,
    );
    let rolled = wait_for(&fx, "apps/v1", "Deployment", "web", |d| {
        d["status"]["observedGeneration"] == 2
            && condition(d, "Progressing").is_some_and(|c| c["reason"] == "NewReplicaSetAvailable")
    });
    assert_eq!(
        rolled["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "2"
    );
    let Some(kubectl) = fx.kubectl() else {
        return;
    };
    kubectl.expect(
        &[
            "wait",
            "--for=condition=Available",
            "deploy/web",
            "--timeout=10s",
        ],
        None,
        0,
    );
    let rollout = kubectl.expect(
        &["rollout", "status", "deploy/web", "--timeout=10s"],
        None,
        0,
    );
    assert_eq!(
        rollout.stdout,
        "deployment \"web\" successfully rolled out\n"
    );
    let table = kubectl.expect(&["get", "deploy", "web", "--no-headers"], None, 0);
    assert!(
        table.stdout.starts_with("web   2/2   2     2     "),
        "{}",
        table.stdout
    );
}

#[test]
fn stateful_sets_daemon_sets_jobs_claims_and_load_balancers_get_ready() {
    let fx = Fixture::with_ready_after(READY_AFTER);
    let http = fx.client();
    let template = |app: &str| {
        json!({"metadata": {"labels": {"app": app}}, "spec": {"restartPolicy": if app == "pi" { "Never" } else { "Always" },
                                      "containers": [{"name": app, "image": "busybox:1.36"}]}})
    };
    let set = json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db", "namespace": "default"},
        "spec": {"replicas": 2, "serviceName": "db", "selector": {"matchLabels": {"app": "db"}}, "template": template("db"),
                 "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]}});
    let daemons = json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent", "namespace": "default"},
        "spec": {"selector": {"matchLabels": {"app": "agent"}}, "template": template("agent")}});
    let job = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "pi", "namespace": "default"}, "spec": {"template": template("pi")}});
    let balancer = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "front", "namespace": "default"},
        "spec": {"type": "LoadBalancer", "selector": {"app": "db"}, "ports": [{"port": 80}]}});
    for (path, object) in [
        ("/apis/apps/v1/namespaces/default/statefulsets/db", &set),
        (
            "/apis/apps/v1/namespaces/default/daemonsets/agent",
            &daemons,
        ),
        ("/apis/batch/v1/namespaces/default/jobs/pi", &job),
        ("/api/v1/namespaces/default/services/front", &balancer),
    ] {
        let applied = http.apply(path, "ci", false, object);
        assert_eq!(applied.status, 201, "{}", applied.text);
    }
    let set = wait_for(&fx, "apps/v1", "StatefulSet", "db", |s| {
        s["status"]["readyReplicas"] == 2
    });
    let status = &set["status"];
    assert_eq!(status["currentRevision"], status["updateRevision"]);
    assert!(status["currentRevision"]
        .as_str()
        .unwrap()
        .starts_with("db-"));
    assert_eq!(status["availableReplicas"], 2);
    for ordinal in 0..2 {
        let claim = wait_for(
            &fx,
            "v1",
            "PersistentVolumeClaim",
            &format!("data-db-{ordinal}"),
            |c| c["status"]["phase"] == "Bound",
        );
        assert_eq!(claim["status"]["capacity"]["storage"], "1Gi");
        assert!(claim["spec"]["volumeName"]
            .as_str()
            .unwrap()
            .starts_with("pvc-"));
        let pod = fx
            .server
            .get("v1", "Pod", "default", &format!("db-{ordinal}"))
            .expect("pod");
        assert_eq!(
            pod["metadata"]["labels"]["apps.kubernetes.io/pod-index"],
            ordinal.to_string()
        );
    }
    let daemons = wait_for(&fx, "apps/v1", "DaemonSet", "agent", |d| {
        d["status"]["numberReady"] == 1
    });
    assert_eq!(daemons["status"]["desiredNumberScheduled"], 1);
    let job = wait_for(&fx, "batch/v1", "Job", "pi", |j| is(j, "Complete", "True"));
    let kinds: Vec<&str> = job["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["SuccessCriteriaMet", "Complete"]);
    assert_eq!(
        condition(&job, "Complete").unwrap()["reason"],
        "CompletionsReached"
    );
    assert_eq!(job["status"]["succeeded"], 1);
    assert!(job["status"]["startTime"].is_string() && job["status"]["completionTime"].is_string());
    let balancer = wait_for(&fx, "v1", "Service", "front", |s| {
        s["status"]["loadBalancer"]["ingress"].is_array()
    });
    assert!(balancer["status"]["loadBalancer"]["ingress"][0]["ip"].is_string());
    assert!(balancer["spec"]["ports"][0]["nodePort"].as_u64().unwrap() >= 30000);
    let Some(kubectl) = fx.kubectl() else {
        return;
    };
    kubectl.expect(
        &[
            "wait",
            "--for=condition=Complete",
            "job/pi",
            "--timeout=10s",
        ],
        None,
        0,
    );
    kubectl.expect(&["rollout", "status", "sts/db", "--timeout=10s"], None, 0);
    let apiservice = json!({"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService", "metadata": {"name": "v1beta1.metrics.k8s.io"},
        "spec": {"group": "metrics.k8s.io", "version": "v1beta1", "groupPriorityMinimum": 100, "versionPriority": 100,
                 "service": {"name": "metrics-server", "namespace": "kube-system"}}});
    kubectl.expect(
        &["apply", "--server-side", "-f", "-"],
        Some(&manifest(&[apiservice])),
        0,
    );
    kubectl.expect(
        &[
            "wait",
            "--for=condition=Available",
            "apiservice/v1beta1.metrics.k8s.io",
            "--timeout=10s",
        ],
        None,
        0,
    );
}

fn events(http: &Client, object: &Value) -> Vec<Value> {
    let metadata = &object["metadata"];
    let selector = format!(
        "involvedObject.name%3D{},involvedObject.namespace%3D{},involvedObject.uid%3D{}",
        metadata["name"].as_str().unwrap(),
        metadata["namespace"].as_str().unwrap(),
        metadata["uid"].as_str().unwrap()
    );
    http.get(&format!(
        "/api/v1/namespaces/default/events?fieldSelector={selector}"
    ))
    .json()["items"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn never_ready_workloads_stay_progressing_and_fail_jobs_fail() {
    let fx = Fixture::with_ready_after(READY_AFTER);
    let http = fx.client();
    let mut stuck = deployment("stuck", 1, json!({"test.strata.dev/never-ready": "true"}));
    stuck["spec"]["progressDeadlineSeconds"] = json!(2);
    http.apply(
        "/apis/apps/v1/namespaces/default/deployments/stuck",
        "ci",
        false,
        &stuck,
    );
    let pods = |http: &Client| {
        http.get("/api/v1/namespaces/default/pods?labelSelector=app%3Dstuck")
            .json()["items"]
            .as_array()
            .unwrap()
            .clone()
    };
    let started = Instant::now();
    while started.elapsed() < PATIENCE
        && !pods(&http).iter().any(|p| {
            p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == "CrashLoopBackOff"
        })
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    let pod = pods(&http)[0].clone();
    assert_eq!(pod["status"]["phase"], "Running");
    let warnings: Vec<Value> = events(&http, &pod)
        .into_iter()
        .filter(|e| e["type"] == "Warning")
        .collect();
    assert_eq!(warnings[0]["reason"], "BackOff");
    assert!(warnings[0]["message"]
        .as_str()
        .unwrap()
        .starts_with("Back-off restarting failed container web in pod stuck-"));
    let live = fx
        .server
        .get("apps/v1", "Deployment", "default", "stuck")
        .unwrap();
    assert!(is(&live, "Available", "False"), "{}", live["status"]);
    assert_eq!(live["status"]["unavailableReplicas"], 1);
    let timed_out = wait_for(&fx, "apps/v1", "Deployment", "stuck", |d| {
        condition(d, "Progressing").is_some_and(|c| c["reason"] == "ProgressDeadlineExceeded")
    });
    assert!(is(&timed_out, "Progressing", "False"));
    assert!(condition(&timed_out, "Progressing").unwrap()["message"]
        .as_str()
        .unwrap()
        .ends_with("has timed out progressing."));

    let job = |name: &str, annotation: &str| {
        json!({"apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": name, "namespace": "default", "annotations": {annotation: "true"}},
        "spec": {"backoffLimit": 2, "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}}})
    };
    http.apply(
        "/apis/batch/v1/namespaces/default/jobs/broken",
        "ci",
        false,
        &job("broken", "test.strata.dev/fail"),
    );
    http.apply(
        "/apis/batch/v1/namespaces/default/jobs/endless",
        "ci",
        false,
        &job("endless", "test.strata.dev/never-ready"),
    );
    let failed = wait_for(&fx, "batch/v1", "Job", "broken", |j| {
        is(j, "Failed", "True")
    });
    assert_eq!(
        condition(&failed, "Failed").unwrap()["reason"],
        "BackoffLimitExceeded"
    );
    assert!(is(&failed, "FailureTarget", "True"));
    assert_eq!(failed["status"]["failed"], 3);
    assert!(events(&http, &failed)
        .iter()
        .any(|e| e["reason"] == "BackoffLimitExceeded" && e["type"] == "Warning"));
    std::thread::sleep(READY_AFTER * 3);
    let endless = fx
        .server
        .get("batch/v1", "Job", "default", "endless")
        .unwrap();
    assert!(
        condition(&endless, "Complete").is_none(),
        "{}",
        endless["status"]
    );
    assert_eq!(endless["status"]["active"], 1);
}

#[test]
fn controllers_record_events_kubectl_reads() {
    let fx = Fixture::settled();
    let http = fx.client();
    http.apply(
        "/apis/apps/v1/namespaces/default/deployments/web",
        "ci",
        false,
        &deployment("web", 1, json!({})),
    );
    let live = fx
        .server
        .get("apps/v1", "Deployment", "default", "web")
        .unwrap();
    let recorded = events(&http, &live);
    assert_eq!(recorded.len(), 1, "{recorded:#?}");
    let event = &recorded[0];
    assert_eq!(event["reason"], "ScalingReplicaSet");
    assert!(event["message"]
        .as_str()
        .unwrap()
        .starts_with("Scaled up replica set web-"));
    assert!(event["message"].as_str().unwrap().ends_with(" from 0 to 1"));
    assert_eq!(
        event["source"],
        json!({"component": "deployment-controller"})
    );
    assert_eq!(event["involvedObject"]["kind"], "Deployment");
    assert_eq!(event["count"], 1);
    assert!(event["metadata"]["name"]
        .as_str()
        .unwrap()
        .starts_with("web."));
    let set = &http
        .get("/apis/apps/v1/namespaces/default/replicasets")
        .json()["items"][0];
    let created: Vec<String> = events(&http, set)
        .iter()
        .map(|e| e["reason"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(created, ["SuccessfulCreate"]);
    let v1 = http
        .get("/apis/events.k8s.io/v1/namespaces/default/events?fieldSelector=regarding.name%3Dweb")
        .json();
    assert_eq!(v1["items"][0]["note"], event["message"]);
    assert_eq!(v1["items"][0]["regarding"]["uid"], live["metadata"]["uid"]);
    let Some(kubectl) = fx.kubectl() else {
        return;
    };
    let described = kubectl.expect(&["describe", "deploy", "web"], None, 0);
    assert!(
        described.stdout.contains("Normal  ScalingReplicaSet"),
        "{}",
        described.stdout
    );
    assert!(
        described.stdout.contains("deployment-controller"),
        "{}",
        described.stdout
    );
    let listed = kubectl.expect(
        &[
            "get",
            "events",
            "--field-selector",
            "involvedObject.kind=Deployment",
        ],
        None,
        0,
    );
    assert!(
        listed
            .stdout
            .starts_with("LAST SEEN   TYPE     REASON              OBJECT           MESSAGE\n"),
        "{}",
        listed.stdout
    );
    assert!(
        listed
            .stdout
            .contains("deployment/web   Scaled up replica set web-"),
        "{}",
        listed.stdout
    );
}
