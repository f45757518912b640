//! Server-side apply and managedFields, over HTTP and with kubectl.

use serde_json::{json, Value};

use super::client::manifest;
use super::{entry, managers, Fixture};

fn config_map(data: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "default"}, "data": data})
}

const SETTINGS: &str = "/api/v1/namespaces/default/configmaps/settings";

fn deployment(labels: Value, env: Value) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "labels": labels},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}},
                         "spec": {"containers": [{"name": "web", "image": "nginx:1.27", "env": env,
                                                  "ports": [{"containerPort": 80}, {"containerPort": 53, "protocol": "UDP"}]}]}},
        },
    })
}

const WEB: &str = "/apis/apps/v1/namespaces/default/deployments/web";

#[test]
fn a_conflict_names_the_manager_and_field_as_the_server_does() {
    let fx = Fixture::settled();
    let http = fx.client();
    assert_eq!(
        http.apply(
            SETTINGS,
            "alice",
            false,
            &config_map(json!({"a": "1", "b": "1"}))
        )
        .status,
        201
    );
    let refused = http.apply(SETTINGS, "bob", false, &config_map(json!({"a": "2"})));
    assert_eq!(refused.status, 409);
    let body = refused.json();
    assert_eq!(body["reason"], "Conflict");
    assert_eq!(
        body["message"],
        "Apply failed with 1 conflict: conflict with \"alice\": .data.a"
    );
    assert_eq!(
        body["details"]["causes"],
        json!([{"reason": "FieldManagerConflict", "message": "conflict with \"alice\"", "field": ".data.a"}])
    );
    // Two conflicts list the paths under the manager.
    let both = http
        .apply(
            SETTINGS,
            "bob",
            false,
            &config_map(json!({"a": "2", "b": "2"})),
        )
        .json();
    assert_eq!(
        both["message"],
        "Apply failed with 2 conflicts: conflicts with \"alice\":\n- .data.a\n- .data.b"
    );
    // The same value is shared, not a conflict.
    assert_eq!(
        http.apply(SETTINGS, "carol", false, &config_map(json!({"b": "1"})))
            .status,
        200
    );
    // Forced, bob takes `a`; alice keeps `b`, shared with carol.
    let forced = http
        .apply(SETTINGS, "bob", true, &config_map(json!({"a": "2"})))
        .json();
    assert_eq!(forced["data"], json!({"a": "2", "b": "1"}));
    assert_eq!(
        entry(&forced, "alice", "Apply")["fieldsV1"],
        json!({"f:data": {"f:b": {}}})
    );
    assert_eq!(
        entry(&forced, "bob", "Apply")["fieldsV1"],
        json!({"f:data": {"f:a": {}}})
    );
    assert_eq!(
        entry(&forced, "carol", "Apply")["fieldsV1"],
        json!({"f:data": {"f:b": {}}})
    );
}

#[test]
fn a_conflict_with_an_update_names_its_api_version() {
    let fx = Fixture::settled();
    let http = fx.client();
    let created = http.request(
        "POST",
        "/api/v1/namespaces/default/configmaps?fieldManager=editor",
        Some("application/json"),
        &config_map(json!({"a": "1"})).to_string(),
        None,
    );
    assert_eq!(created.status, 201, "{}", created.text);
    let refused = http
        .apply(SETTINGS, "kubectl", false, &config_map(json!({"a": "2"})))
        .json();
    assert_eq!(
        refused["message"],
        "Apply failed with 1 conflict: conflict with \"editor\" using v1: .data.a"
    );
}

#[test]
fn fields_an_applier_stops_applying_go_unless_another_manager_owns_them() {
    let fx = Fixture::settled();
    let http = fx.client();
    let first = deployment(
        json!({"app": "web", "tier": "front", "team": "a"}),
        json!([{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]),
    );
    assert_eq!(http.apply(WEB, "ci", false, &first).status, 201);
    // Another applier shares `team` with the same value.
    let mut other = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"team": "a"}}});
    assert_eq!(http.apply(WEB, "ops", false, &other).status, 200);
    let second = deployment(json!({"app": "web"}), json!([{"name": "A", "value": "1"}]));
    let applied = http.apply(WEB, "ci", false, &second).json();
    assert_eq!(
        applied["metadata"]["labels"],
        json!({"app": "web", "team": "a"}),
        "tier went, team stayed"
    );
    let container = &applied["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(container["env"], json!([{"name": "A", "value": "1"}]));
    assert_eq!(
        container["ports"],
        json!([{"containerPort": 80, "protocol": "TCP"}, {"containerPort": 53, "protocol": "UDP"}])
    );
    let fields = &entry(&applied, "ci", "Apply")["fieldsV1"];
    let ports = &fields["f:spec"]["f:template"]["f:spec"]["f:containers"]["k:{\"name\":\"web\"}"]
        ["f:ports"];
    assert!(
        ports
            .get("k:{\"containerPort\":53,\"protocol\":\"UDP\"}")
            .is_some(),
        "{ports}"
    );
    assert!(
        ports
            .get("k:{\"containerPort\":80,\"protocol\":\"TCP\"}")
            .is_some(),
        "{ports}"
    );
    // When ops stops applying `team` too, nobody owns it and it goes.
    // (Applying `labels: {}` would keep ops owning the labels map itself.)
    other["metadata"].as_object_mut().unwrap().remove("labels");
    let dropped = http.apply(WEB, "ops", false, &other).json();
    assert_eq!(dropped["metadata"]["labels"], json!({"app": "web"}));
    assert!(
        managers(&dropped)
            .iter()
            .all(|(manager, _)| manager != "ops"),
        "ops owns nothing now: {}",
        dropped["metadata"]["managedFields"]
    );
}

#[test]
fn a_no_op_apply_changes_nothing() {
    let fx = Fixture::settled();
    let http = fx.client();
    let object = config_map(json!({"a": "1"}));
    let first = http.apply(SETTINGS, "ci", false, &object).json();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let second = http.apply(SETTINGS, "ci", false, &object).json();
    assert_eq!(
        second["metadata"]["resourceVersion"],
        first["metadata"]["resourceVersion"]
    );
    assert_eq!(
        second["metadata"]["managedFields"], first["metadata"]["managedFields"],
        "same times"
    );
    // A dry run of a change returns it and stores nothing.
    let dry = http.patch(
        &format!("{SETTINGS}?fieldManager=ci&dryRun=All"),
        "application/apply-patch+yaml",
        &config_map(json!({"a": "2"})).to_string(),
    );
    assert_eq!(dry.json()["data"]["a"], "2");
    assert_eq!(http.get(SETTINGS).json()["data"]["a"], "1");
}

#[test]
fn writes_record_update_entries_with_defaults_and_take_what_they_change() {
    let fx = Fixture::settled();
    let http = fx.client();
    let mut body = deployment(json!({"app": "web"}), json!([]));
    body["spec"]["template"]["spec"]["containers"][0]
        .as_object_mut()
        .unwrap()
        .remove("env");
    let created = http.request(
        "POST",
        "/apis/apps/v1/namespaces/default/deployments?fieldManager=creator",
        Some("application/json"),
        &body.to_string(),
        None,
    );
    assert_eq!(created.status, 201, "{}", created.text);
    let created = created.json();
    let fields = &entry(&created, "creator", "Update")["fieldsV1"];
    assert_eq!(
        entry(&created, "creator", "Update")["apiVersion"],
        "apps/v1"
    );
    // Defaults belong to the writer; a new pointer struct and new maps carry ".".
    assert_eq!(fields["f:spec"]["f:progressDeadlineSeconds"], json!({}));
    assert_eq!(
        fields["f:spec"]["f:strategy"]["f:rollingUpdate"][".".to_string()],
        json!({})
    );
    assert!(
        fields["f:spec"]["f:strategy"].get(".").is_none(),
        "a Go struct value is not added"
    );
    assert_eq!(
        fields["f:metadata"]["f:labels"],
        json!({".": {}, "f:app": {}})
    );
    assert!(
        fields.get("f:status").is_none(),
        "status is the controllers'"
    );
    // A merge patch by someone else takes the image.
    let patched = http.patch(
        &format!("{WEB}?fieldManager=patcher"),
        "application/merge-patch+json",
        r#"{"spec":{"replicas":3}}"#,
    );
    assert_eq!(patched.status, 200, "{}", patched.text);
    let patched = patched.json();
    assert_eq!(
        entry(&patched, "patcher", "Update")["fieldsV1"],
        json!({"f:spec": {"f:replicas": {}}})
    );
    assert!(entry(&patched, "creator", "Update")["fieldsV1"]["f:spec"]
        .get("f:replicas")
        .is_none());
    assert_eq!(patched["metadata"]["generation"], 2);
}

#[test]
fn json_patches_and_strategic_merge_patches_apply_as_on_a_real_server() {
    let fx = Fixture::settled();
    let http = fx.client();
    http.apply(
        WEB,
        "ci",
        false,
        &deployment(json!({"app": "web"}), json!([{"name": "A", "value": "1"}])),
    );
    let strategic = http.patch(
        &format!("{WEB}?fieldManager=tool"),
        "application/strategic-merge-patch+json",
        r#"{"spec":{"template":{"spec":{"containers":[{"name":"web","env":[{"name":"B","value":"2"}]}]}}}}"#,
    );
    assert_eq!(strategic.status, 200, "{}", strategic.text);
    let env = &strategic.json()["spec"]["template"]["spec"]["containers"][0]["env"];
    assert_eq!(
        *env,
        json!([{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]),
        "merged by name"
    );
    let json_patch = http.patch(
        WEB,
        "application/json-patch+json",
        r#"[{"op":"test","path":"/spec/replicas","value":1},{"op":"replace","path":"/spec/replicas","value":2}]"#,
    );
    assert_eq!(json_patch.json()["spec"]["replicas"], 2);
    let failed = http.patch(
        WEB,
        "application/json-patch+json",
        r#"[{"op":"test","path":"/spec/replicas","value":7}]"#,
    );
    assert_eq!(failed.status, 422, "{}", failed.text);
    // An unknown patch type is refused.
    assert_eq!(http.patch(WEB, "application/yaml", "{}").status, 415);
}

#[test]
fn kubectl_client_side_apply_then_server_side_migrates_ownership() {
    let fx = Fixture::settled();
    let Some(kubectl) = fx.kubectl() else {
        return;
    };
    let mut settings = config_map(json!({"a": "1", "b": "2"}));
    settings["metadata"]["labels"] = json!({"team": "a"});
    kubectl.expect(
        &["apply", "-f", "-"],
        Some(&manifest(&[settings.clone()])),
        0,
    );
    let live = kubectl.json(&["get", "cm", "settings", "--show-managed-fields"]);
    assert_eq!(
        managers(&live),
        [(
            "kubectl-client-side-apply".to_string(),
            "Update".to_string()
        )]
    );
    let last_applied = live["metadata"]["annotations"]
        ["kubectl.kubernetes.io/last-applied-configuration"]
        .as_str()
        .expect("last-applied");
    assert!(
        last_applied.ends_with('\n') && last_applied.contains(r#""annotations":{}"#),
        "{last_applied}"
    );

    // A changed value would conflict with the client-side applier but for the annotation.
    settings["data"]["a"] = json!("changed");
    kubectl.expect(
        &["apply", "--server-side", "-f", "-"],
        Some(&manifest(&[settings.clone()])),
        0,
    );
    let live = kubectl.json(&["get", "cm", "settings", "--show-managed-fields"]);
    assert_eq!(live["data"]["a"], "changed");
    // kubectl 1.32 keeps the annotation in step as `kubectl-last-applied`
    // (the server rewrote it for manager `kubectl`), merges the client-side
    // entry into its own with a JSON patch of managedFields, then applies
    // again so that what it no longer applies leaves its set.
    assert_eq!(
        managers(&live),
        [
            ("kubectl-last-applied".to_string(), "Apply".to_string()),
            ("kubectl".to_string(), "Apply".to_string())
        ],
        "kubectl's migration merged the client-side entry into its own"
    );
    assert_eq!(
        entry(&live, "kubectl-last-applied", "Apply")["fieldsV1"],
        json!({"f:metadata": {"f:annotations": {"f:kubectl.kubernetes.io/last-applied-configuration": {}}}})
    );
    assert_eq!(
        entry(&live, "kubectl", "Apply")["fieldsV1"],
        json!({"f:data": {"f:a": {}, "f:b": {}}, "f:metadata": {"f:labels": {"f:team": {}}}})
    );
    let annotation = live["metadata"]["annotations"]
        ["kubectl.kubernetes.io/last-applied-configuration"]
        .as_str()
        .unwrap();
    assert!(annotation.contains(r#""a":"changed""#), "{annotation}");
    let requests = fx.server.requests();
    assert!(
        requests.iter().any(|r| r
            .starts_with("PATCH /api/v1/namespaces/default/configmaps/settings")
            && !r.contains("force=")),
        "the managedFields JSON patch: {requests:#?}"
    );
    // Now kubectl owns everything: what it stops applying goes.
    settings["data"] = json!({"a": "changed"});
    settings["metadata"]["labels"] = json!({});
    kubectl.expect(
        &["apply", "--server-side", "-f", "-"],
        Some(&manifest(&[settings])),
        0,
    );
    let live = kubectl.json(&["get", "cm", "settings"]);
    assert_eq!(live["data"], json!({"a": "changed"}));
    assert!(
        live["metadata"].get("labels").is_none(),
        "{}",
        live["metadata"]
    );
}

#[test]
fn kubectl_client_side_apply_patches_and_conflicts_are_refused_and_forced() {
    let fx = Fixture::settled();
    let Some(kubectl) = fx.kubectl() else {
        return;
    };
    let v1 = deployment(json!({"app": "web"}), json!([{"name": "A", "value": "1"}]));
    kubectl.expect(
        &["apply", "-f", "-"],
        Some(&manifest(std::slice::from_ref(&v1))),
        0,
    );
    let mut v2 = v1.clone();
    v2["spec"]["template"]["spec"]["containers"][0]["env"] = json!([{"name": "B", "value": "2"}]);
    let patched = kubectl.expect(&["apply", "-f", "-"], Some(&manifest(&[v2])), 0);
    assert_eq!(patched.stdout, "deployment.apps/web configured\n");
    let live = kubectl.json(&["get", "deploy", "web"]);
    assert_eq!(
        live["spec"]["template"]["spec"]["containers"][0]["env"],
        json!([{"name": "B", "value": "2"}]),
        "the strategic merge patch deleted A ($patch: delete) and added B"
    );
    // Another manager's apply of a different image conflicts, then forces.
    let mut image = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                           "spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.28"}]}}}});
    image["metadata"]["namespace"] = json!("default");
    let refused = kubectl.expect(
        &[
            "apply",
            "--server-side",
            "--field-manager",
            "ops",
            "-f",
            "-",
        ],
        Some(&manifest(&[image.clone()])),
        1,
    );
    assert!(
        refused.stderr.contains(r#"conflict with "kubectl-client-side-apply" using apps/v1: .spec.template.spec.containers[name="web"].image"#),
        "{}",
        refused.stderr
    );
    kubectl.expect(
        &[
            "apply",
            "--server-side",
            "--field-manager",
            "ops",
            "--force-conflicts",
            "-f",
            "-",
        ],
        Some(&manifest(&[image])),
        0,
    );
    let live = kubectl.json(&["get", "deploy", "web", "--show-managed-fields"]);
    assert_eq!(
        live["spec"]["template"]["spec"]["containers"][0]["image"],
        "nginx:1.28"
    );
    assert!(managers(&live).contains(&("ops".to_string(), "Apply".to_string())));
}

#[test]
fn kubectl_applyset_prunes_what_left_the_set() {
    let fx = Fixture::settled();
    let Some(kubectl) = fx.kubectl() else {
        return;
    };
    let kubectl = kubectl.with_env("KUBECTL_APPLYSET", "true");
    // Typed `kubectl create` sends protobuf, which this server refuses plainly.
    let refused = kubectl.expect(&["create", "namespace", "shop"], None, 1);
    assert!(
        refused.stderr.contains("does not read protobuf"),
        "{}",
        refused.stderr
    );
    let namespace = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}});
    kubectl.expect(&["apply", "-f", "-"], Some(&manifest(&[namespace])), 0);
    let cm = |name: &str| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": name}});
    let args = [
        "apply",
        "--server-side",
        "--prune",
        "--applyset=secrets/shop-set",
        "-n",
        "shop",
        "-f",
        "-",
    ];
    let first = kubectl.expect(&args, Some(&manifest(&[cm("one"), cm("two")])), 0);
    assert!(
        first.stdout.contains("configmap/one serverside-applied"),
        "{}",
        first.stdout
    );
    let parent = kubectl.json(&["get", "secret", "shop-set", "-n", "shop"]);
    assert!(
        parent["metadata"]["labels"]["applyset.kubernetes.io/id"]
            .as_str()
            .is_some_and(|id| id.starts_with("applyset-")),
        "{}",
        parent["metadata"]
    );
    let second = kubectl.expect(&args, Some(&manifest(&[cm("one")])), 0);
    assert!(
        second.stdout.contains("configmap/two pruned"),
        "{}",
        second.stdout
    );
    let names = kubectl.expect(
        &[
            "get",
            "cm",
            "-n",
            "shop",
            "-o",
            "name",
            "-l",
            "applyset.kubernetes.io/part-of",
        ],
        None,
        0,
    );
    assert_eq!(names.stdout, "configmap/one\n");
}

#[test]
fn list_metadata_as_kube_rs_asks_for_it() {
    let fx = Fixture::settled();
    let http = fx.client();
    http.apply(SETTINGS, "ci", false, &config_map(json!({"a": "1"})));
    let list = http
        .get_as(
            "/api/v1/namespaces/default/configmaps?labelSelector=",
            "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1",
        )
        .json();
    assert_eq!(list["kind"], "PartialObjectMetadataList");
    assert_eq!(list["apiVersion"], "meta.k8s.io/v1");
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["metadata"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["kube-root-ca.crt", "settings"]);
    assert_eq!(list["items"][1]["kind"], "PartialObjectMetadata");
    assert!(list["items"][1].get("data").is_none());
}
