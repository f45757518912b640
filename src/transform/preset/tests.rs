//! Expected values follow the rules and Kubernetes' PodPreset and
//! label selector semantics (see the module docs).

use std::path::Path;

use serde_json::{json, Value};

use super::*;
use crate::testing::resources;

fn preset(name: &str, spec: Value) -> Preset {
    let document = json!({
        "apiVersion": "strata.dev/v1alpha1",
        "kind": "PodPreset",
        "metadata": {"name": name},
        "spec": spec,
    });
    let mut presets = parse_presets(&document, Path::new("presets/p.yaml")).unwrap();
    presets.remove(0)
}

fn run(objects: &[Value], presets: &[Preset]) -> (Vec<Value>, Vec<String>) {
    let mut resources = resources(objects);
    let applied = apply(&mut resources, presets).unwrap();
    let out = resources.iter().map(|r| r.object().clone()).collect();
    (out, applied.warnings)
}

fn run_err(objects: &[Value], presets: &[Preset]) -> String {
    let mut resources = resources(objects);
    apply(&mut resources, presets).unwrap_err().to_string()
}

fn deployment(labels: Value, pod_spec: Value) -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {"template": {"metadata": {"labels": labels}, "spec": pod_spec}},
    })
}

fn app() -> Value {
    json!({"containers": [{"name": "app", "image": "nginx:1.27"}]})
}

fn template(object: &Value) -> &Value {
    &object["spec"]["template"]
}

#[test]
fn env_is_appended_in_preset_order_after_existing() {
    let p = preset(
        "db",
        json!({"env": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}]}),
    );
    let input = deployment(
        json!({"app": "web"}),
        json!({
            "initContainers": [{"name": "migrate", "image": "m"}],
            "containers": [
                {"name": "app", "image": "a", "env": [{"name": "Z", "value": "0"}]},
                {"name": "side", "image": "s"},
            ],
        }),
    );
    let (out, warnings) = run(&[input], &[p]);
    assert!(warnings.is_empty());
    let spec = &template(&out[0])["spec"];
    assert_eq!(
        spec["containers"][0]["env"],
        json!([{"name": "Z", "value": "0"}, {"name": "B", "value": "2"}, {"name": "A", "value": "1"}])
    );
    assert_eq!(
        spec["containers"][1]["env"],
        json!([{"name": "B", "value": "2"}, {"name": "A", "value": "1"}])
    );
    // Init containers get nothing unless named in `containers`.
    assert_eq!(
        spec["initContainers"][0],
        json!({"name": "migrate", "image": "m"})
    );
    assert_eq!(
        template(&out[0])["metadata"]["annotations"],
        json!({"presets.strata.dev/applied": "db"})
    );
}

#[test]
fn env_from_volumes_and_mounts() {
    let p = preset(
        "cache",
        json!({
            "envFrom": [{"configMapRef": {"name": "db-config"}}, {"secretRef": {"name": "db-credentials"}, "prefix": "DB_"}],
            "volumes": [{"name": "cache", "emptyDir": {"sizeLimit": "1Gi"}}],
            "volumeMounts": [{"name": "cache", "mountPath": "/var/cache/app"}],
        }),
    );
    let input = deployment(
        json!({}),
        json!({
            "volumes": [{"name": "config", "configMap": {"name": "web"}}],
            "containers": [{"name": "app", "image": "a", "volumeMounts": [{"name": "config", "mountPath": "/etc/web"}]}],
        }),
    );
    let (out, _) = run(&[input], &[p]);
    let spec = &template(&out[0])["spec"];
    assert_eq!(
        spec["volumes"],
        json!([{"name": "config", "configMap": {"name": "web"}}, {"name": "cache", "emptyDir": {"sizeLimit": "1Gi"}}])
    );
    assert_eq!(
        spec["containers"][0],
        json!({
            "name": "app",
            "image": "a",
            "volumeMounts": [{"name": "config", "mountPath": "/etc/web"}, {"name": "cache", "mountPath": "/var/cache/app"}],
            "envFrom": [{"configMapRef": {"name": "db-config"}}, {"secretRef": {"name": "db-credentials"}, "prefix": "DB_"}],
        })
    );
}

#[test]
fn containers_narrow_injection_and_may_name_init_containers() {
    let p = preset(
        "p",
        json!({"containers": ["app", "migrate"], "env": [{"name": "X", "value": "1"}]}),
    );
    let input = deployment(
        json!({}),
        json!({
            "initContainers": [{"name": "migrate", "image": "m"}, {"name": "wait", "image": "w"}],
            "containers": [{"name": "app", "image": "a"}, {"name": "other", "image": "o"}],
        }),
    );
    let (out, _) = run(&[input], &[p]);
    let spec = &template(&out[0])["spec"];
    let env = json!([{"name": "X", "value": "1"}]);
    assert_eq!(spec["containers"][0]["env"], env);
    assert_eq!(spec["containers"][1].get("env"), None);
    assert_eq!(spec["initContainers"][0]["env"], env);
    assert_eq!(spec["initContainers"][1].get("env"), None);
}

#[test]
fn resource_defaults_fill_only_what_is_unset() {
    let p = preset(
        "defaults",
        json!({"resources": {
            "requests": {"cpu": "100m", "memory": "128Mi"},
            "limits": {"memory": "256Mi", "cpu": "1"},
        }}),
    );
    let input = deployment(
        json!({}),
        json!({"containers": [
            {"name": "a", "image": "a"},
            {"name": "b", "image": "b", "resources": {"requests": {"memory": "1Gi"}, "limits": {"cpu": "2"}}},
        ]}),
    );
    let (out, _) = run(&[input], &[p]);
    let containers = &template(&out[0])["spec"]["containers"];
    assert_eq!(
        containers[0]["resources"],
        json!({"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi", "cpu": "1"}})
    );
    // The cpu request is left to Kubernetes, which defaults it to the set limit.
    assert_eq!(
        containers[1]["resources"],
        json!({"requests": {"memory": "1Gi"}, "limits": {"cpu": "2", "memory": "256Mi"}})
    );
}

#[test]
fn sidecars_and_init_containers_are_appended_without_injections() {
    let p = preset(
        "logs",
        json!({
            "env": [{"name": "LOG_DIR", "value": "/var/log/app"}],
            "initContainers": [{"name": "init-logs", "image": "busybox:1.36"}],
            "sidecars": [{"name": "fluent-bit", "image": "fluent/fluent-bit:3.1"}],
        }),
    );
    let input = deployment(
        json!({}),
        json!({"initContainers": [{"name": "migrate", "image": "m"}], "containers": [{"name": "app", "image": "a"}]}),
    );
    let (out, _) = run(&[input], &[p]);
    let spec = &template(&out[0])["spec"];
    assert_eq!(
        spec["containers"],
        json!([
            {"name": "app", "image": "a", "env": [{"name": "LOG_DIR", "value": "/var/log/app"}]},
            {"name": "fluent-bit", "image": "fluent/fluent-bit:3.1"},
        ])
    );
    assert_eq!(
        spec["initContainers"],
        json!([{"name": "migrate", "image": "m"}, {"name": "init-logs", "image": "busybox:1.36"}])
    );
}

#[test]
fn native_sidecars_become_init_containers_that_always_restart() {
    let p = preset(
        "proxy",
        json!({
            "nativeSidecars": true,
            "initContainers": [{"name": "setup", "image": "busybox:1.36"}],
            "sidecars": [{"name": "proxy", "image": "envoyproxy/envoy:v1.31.0"}],
        }),
    );
    let (out, _) = run(&[deployment(json!({}), app())], &[p]);
    let spec = &template(&out[0])["spec"];
    assert_eq!(spec["containers"], app()["containers"]);
    assert_eq!(
        spec["initContainers"],
        json!([
            {"name": "setup", "image": "busybox:1.36"},
            {"name": "proxy", "image": "envoyproxy/envoy:v1.31.0", "restartPolicy": "Always"},
        ])
    );
}

#[test]
fn labels_annotations_and_tolerations() {
    let p = preset(
        "meta",
        json!({
            "labels": {"logging": "enabled"},
            "annotations": {"fluentbit.io/parser": "json"},
            "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "apps", "effect": "NoSchedule"}],
        }),
    );
    let input = deployment(
        json!({"app": "web"}),
        json!({"containers": [], "tolerations": [{"key": "a", "operator": "Exists"}]}),
    );
    let (out, _) = run(&[input], &[p]);
    let t = template(&out[0]);
    assert_eq!(
        t["metadata"]["labels"],
        json!({"app": "web", "logging": "enabled"})
    );
    assert_eq!(
        t["metadata"]["annotations"],
        json!({"fluentbit.io/parser": "json", "presets.strata.dev/applied": "meta"})
    );
    assert_eq!(
        t["spec"]["tolerations"],
        json!([
            {"key": "a", "operator": "Exists"},
            {"key": "dedicated", "operator": "Equal", "value": "apps", "effect": "NoSchedule"},
        ])
    );
}

#[test]
fn selector_matches_pod_template_labels() {
    let spec = json!({
        "selector": {
            "matchLabels": {"tier": "backend"},
            "matchExpressions": [
                {"key": "app", "operator": "In", "values": ["api", "worker"]},
                {"key": "canary", "operator": "DoesNotExist"},
            ],
        },
        "env": [{"name": "X", "value": "1"}],
    });
    let p = preset("p", spec);
    // (workload labels, template labels, injected)
    let cases = [
        (json!({}), json!({"tier": "backend", "app": "api"}), true),
        (json!({"tier": "backend", "app": "api"}), json!({}), false),
        (json!({}), json!({"tier": "backend", "app": "web"}), false),
        (
            json!({}),
            json!({"tier": "backend", "app": "worker", "canary": "true"}),
            false,
        ),
    ];
    for (workload_labels, template_labels, injected) in cases {
        let mut input = deployment(template_labels.clone(), app());
        input["metadata"]["labels"] = workload_labels.clone();
        let (out, _) = run(&[input], std::slice::from_ref(&p));
        let got = template(&out[0])["spec"]["containers"][0]
            .get("env")
            .is_some();
        assert_eq!(got, injected, "{workload_labels} / {template_labels}");
    }
}

#[test]
fn kinds_names_and_namespace_narrow_the_workloads() {
    let objects = [
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "prod"},
               "spec": {"template": {"spec": app()}}}),
        json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "web", "namespace": "prod"},
               "spec": {"template": {"spec": app()}}}),
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": "prod"},
               "spec": {"template": {"spec": app()}}}),
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
               "spec": {"template": {"spec": app()}}}),
    ];
    let injected = |out: &[Value]| -> Vec<bool> {
        out.iter()
            .map(|o| {
                o["spec"]["template"]["spec"]["containers"][0]
                    .get("env")
                    .is_some()
            })
            .collect()
    };
    let env = json!([{"name": "X", "value": "1"}]);
    let (out, _) = run(
        &objects,
        &[preset("p", json!({"kinds": ["Deployment"], "env": env}))],
    );
    assert_eq!(injected(&out), [true, false, true, true]);
    let (out, _) = run(
        &objects,
        &[preset("p", json!({"names": ["web"], "env": env}))],
    );
    assert_eq!(injected(&out), [true, true, false, true]);
    let mut namespaced = preset("p", json!({"env": env}));
    namespaced.namespace = Some("prod".into());
    let (out, _) = run(&objects, std::slice::from_ref(&namespaced));
    assert_eq!(injected(&out), [true, true, true, false]);
    // An unset namespace is `default`.
    namespaced.namespace = Some("default".into());
    let (out, _) = run(&objects, &[namespaced]);
    assert_eq!(injected(&out), [false, false, false, true]);
}

#[test]
fn names_match_the_name_before_prefixes() {
    let mut resources = resources(&[deployment(json!({}), app())]);
    for resource in resources.edit().iter_mut() {
        resource.set_name("prod-web");
    }
    let p = preset(
        "p",
        json!({"names": ["web"], "env": [{"name": "X", "value": "1"}]}),
    );
    apply(&mut resources, &[p]).unwrap();
    let object = resources.iter().next().unwrap().object();
    assert!(template(object)["spec"]["containers"][0]
        .get("env")
        .is_some());
}

#[test]
fn every_builtin_pod_template_is_found() {
    let env = json!([{"name": "X", "value": "1"}]);
    let pod_template = json!({"spec": app()});
    let cases: Vec<(Value, &[&str])> = vec![
        (
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": app()}),
            &[],
        ),
        (
            json!({"apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": "p"}, "template": pod_template}),
            &["template"],
        ),
        (
            json!({"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "p"}, "spec": {"template": pod_template}}),
            &["spec", "template"],
        ),
        (
            json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "p"}, "spec": {"template": pod_template}}),
            &["spec", "template"],
        ),
        (
            json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "p"}, "spec": {"template": pod_template}}),
            &["spec", "template"],
        ),
        (
            json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "p"}, "spec": {"template": pod_template}}),
            &["spec", "template"],
        ),
        (
            json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "p"}, "spec": {"template": pod_template}}),
            &["spec", "template"],
        ),
        (
            json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "p"},
                   "spec": {"schedule": "0 * * * *", "jobTemplate": {"spec": {"template": pod_template}}}}),
            &["spec", "jobTemplate", "spec", "template"],
        ),
    ];
    for (object, path) in cases {
        let (out, _) = run(
            std::slice::from_ref(&object),
            &[preset("p", json!({"env": env}))],
        );
        let found = path.iter().fold(&out[0], |value, key| &value[*key]);
        assert_eq!(found["spec"]["containers"][0]["env"], env, "{object}");
        assert_eq!(
            found["metadata"]["annotations"][APPLIED_ANNOTATION], "p",
            "{object}"
        );
    }
}

#[test]
fn non_workloads_and_workloads_without_templates_are_left_alone() {
    let objects = [
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "b"}}),
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"replicas": 2}}),
    ];
    let (out, _) = run(
        &objects,
        &[preset("p", json!({"env": [{"name": "X", "value": "1"}]}))],
    );
    assert_eq!(out, objects);
}

#[test]
fn a_template_that_is_not_a_mapping_is_an_error() {
    let object = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": "x"}});
    let err = run_err(&[object], &[preset("p", json!({}))]);
    assert!(
        err.contains("pod template of apps/v1 Deployment d"),
        "{err}"
    );
}

#[test]
fn custom_kinds_through_workloads() {
    let rollout = json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": "web"},
        "spec": {"template": {"spec": app()}},
    });
    let env = json!([{"name": "X", "value": "1"}]);
    let spec = |api_version: Value| {
        let mut workload = json!({"kind": "Rollout", "templatePath": "spec/template"});
        if !api_version.is_null() {
            workload["apiVersion"] = api_version;
        }
        json!({"workloads": [workload], "env": env})
    };
    let (out, _) = run(
        std::slice::from_ref(&rollout),
        &[preset("p", json!({"env": env}))],
    );
    assert_eq!(out[0], rollout, "unknown kinds are not workloads");
    for api_version in [json!(null), json!("argoproj.io/v1alpha1")] {
        let (out, _) = run(
            std::slice::from_ref(&rollout),
            &[preset("p", spec(api_version))],
        );
        assert_eq!(template(&out[0])["spec"]["containers"][0]["env"], env);
    }
    let (out, _) = run(
        std::slice::from_ref(&rollout),
        &[preset("p", spec(json!("argoproj.io/v1")))],
    );
    assert_eq!(out[0], rollout, "apiVersion must match when given");
}

#[test]
fn exclusion_annotations() {
    let env = json!([{"name": "X", "value": "1"}]);
    let presets = [
        preset("a", json!({"env": env})),
        preset("b", json!({"labels": {"b": "yes"}})),
    ];
    // (where, value, a applied, b applied)
    let cases = [
        ("workload", json!("true"), false, false),
        ("template", json!("true"), false, false),
        ("template", json!("false"), true, true),
        ("workload", json!("b"), true, false),
        ("template", json!("a, c"), false, true),
    ];
    for (place, value, a, b) in cases {
        let mut input = deployment(json!({}), app());
        let annotations = json!({EXCLUDE_ANNOTATION: value});
        if place == "workload" {
            input["metadata"]["annotations"] = annotations;
        } else {
            input["spec"]["template"]["metadata"]["annotations"] = annotations;
        }
        let (out, _) = run(&[input], &presets);
        let t = template(&out[0]);
        assert_eq!(
            t["spec"]["containers"][0].get("env").is_some(),
            a,
            "{place} {value}"
        );
        assert_eq!(
            t["metadata"]["labels"].get("b").is_some(),
            b,
            "{place} {value}"
        );
    }
}

#[test]
fn trace_lists_presets_in_application_order() {
    let presets = [
        preset("zeta", json!({"labels": {"z": "1"}})),
        preset("alpha", json!({"labels": {"a": "1"}})),
    ];
    let (out, _) = run(&[deployment(json!({}), app())], &presets);
    assert_eq!(
        template(&out[0])["metadata"]["annotations"][APPLIED_ANNOTATION],
        "zeta,alpha"
    );
}

/// One preset of each conflict kind, with the workload field it hits.
fn conflict_cases() -> Vec<(Preset, &'static str, Value)> {
    vec![
        (
            preset("p", json!({"env": [{"name": "MODE", "value": "preset"}]})),
            "spec.env",
            json!({"containers": [{"name": "app", "image": "a", "env": [{"name": "MODE", "value": "mine"}]}]}),
        ),
        (
            preset("p", json!({"volumes": [{"name": "data", "emptyDir": {}}]})),
            "spec.volumes",
            json!({"containers": [{"name": "app", "image": "a"}], "volumes": [{"name": "data", "configMap": {"name": "d"}}]}),
        ),
        (
            preset(
                "p",
                json!({"volumeMounts": [{"name": "cache", "mountPath": "/data"}]}),
            ),
            "spec.volumeMounts",
            json!({"containers": [{"name": "app", "image": "a", "volumeMounts": [{"name": "data", "mountPath": "/data"}]}]}),
        ),
        (
            preset(
                "p",
                json!({"sidecars": [{"name": "app", "image": "envoy"}]}),
            ),
            "spec.sidecars",
            json!({"containers": [{"name": "app", "image": "a"}]}),
        ),
        (
            preset(
                "p",
                json!({"initContainers": [{"name": "init", "image": "busybox"}]}),
            ),
            "spec.initContainers",
            json!({"containers": [], "initContainers": [{"name": "init", "image": "alpine"}]}),
        ),
        (
            preset("p", json!({"labels": {"team": "platform"}})),
            "spec.labels",
            json!({"containers": []}),
        ),
    ]
}

#[test]
fn conflicts_are_errors_by_default() {
    for (p, field, pod_spec) in conflict_cases() {
        let err = run_err(&[deployment(json!({"team": "web"}), pod_spec)], &[p]);
        assert!(err.contains("presets/p.yaml"), "{err}");
        assert!(err.contains(&format!("field `{field}`")), "{err}");
        assert!(err.contains("preset `p`"), "{err}");
        assert!(err.contains("apps/v1 Deployment web"), "{err}");
    }
    let (p, _, pod_spec) = conflict_cases().remove(0);
    let err = run_err(&[deployment(json!({}), pod_spec)], &[p]);
    assert!(err.contains("container `app`"), "{err}");
    assert!(err.contains("`MODE`"), "{err}");
}

#[test]
fn skip_leaves_the_workload_untouched_and_warns() {
    for (mut p, field, pod_spec) in conflict_cases() {
        p.on_conflict = OnConflict::Skip;
        // A second item that would apply cleanly is skipped too.
        p.tolerations
            .push(json!({"key": "k", "operator": "Exists"}));
        let input = deployment(json!({"team": "web"}), pod_spec);
        let (out, warnings) = run(std::slice::from_ref(&input), &[p]);
        assert_eq!(out[0], input, "{field}");
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].contains(field) && warnings[0].contains("skipped"),
            "{}",
            warnings[0]
        );
    }
}

#[test]
fn skip_keeps_earlier_presets() {
    let first = preset("first", json!({"labels": {"a": "1"}}));
    let second = preset(
        "second",
        json!({"onConflict": "skip", "labels": {"a": "2"}}),
    );
    let (out, warnings) = run(&[deployment(json!({}), app())], &[first, second]);
    assert_eq!(warnings.len(), 1);
    let t = template(&out[0]);
    assert_eq!(t["metadata"]["labels"], json!({"a": "1"}));
    assert_eq!(t["metadata"]["annotations"][APPLIED_ANNOTATION], "first");
}

#[test]
fn override_lets_the_preset_win_in_place() {
    let p = preset(
        "p",
        json!({
            "onConflict": "override",
            "env": [{"name": "MODE", "value": "preset"}],
            "volumes": [{"name": "data", "emptyDir": {}}],
            "volumeMounts": [{"name": "data", "mountPath": "/data"}],
            "sidecars": [{"name": "proxy", "image": "envoy"}],
            "labels": {"team": "platform"},
        }),
    );
    let input = deployment(
        json!({"team": "web"}),
        json!({
            "volumes": [{"name": "data", "configMap": {"name": "d"}}, {"name": "other", "emptyDir": {}}],
            "containers": [
                {"name": "app", "image": "a",
                 "env": [{"name": "MODE", "value": "mine"}, {"name": "Y", "value": "y"}],
                 "volumeMounts": [{"name": "other", "mountPath": "/data"}]},
                {"name": "proxy", "image": "old"},
            ],
        }),
    );
    let (out, _) = run(&[input], &[p]);
    let t = template(&out[0]);
    assert_eq!(t["metadata"]["labels"], json!({"team": "platform"}));
    assert_eq!(
        t["spec"],
        json!({
            "volumes": [{"name": "data", "emptyDir": {}}, {"name": "other", "emptyDir": {}}],
            "containers": [
                {"name": "app", "image": "a",
                 "env": [{"name": "MODE", "value": "preset"}, {"name": "Y", "value": "y"}],
                 "volumeMounts": [{"name": "data", "mountPath": "/data"}]},
                {"name": "proxy", "image": "envoy"},
            ],
        })
    );
}

#[test]
fn override_moves_a_container_to_the_native_sidecar_list() {
    let p = preset(
        "p",
        json!({"onConflict": "override", "nativeSidecars": true, "sidecars": [{"name": "proxy", "image": "envoy"}]}),
    );
    let input = deployment(
        json!({}),
        json!({"containers": [{"name": "app", "image": "a"}, {"name": "proxy", "image": "old"}]}),
    );
    let (out, _) = run(&[input], &[p]);
    let spec = &template(&out[0])["spec"];
    assert_eq!(spec["containers"], json!([{"name": "app", "image": "a"}]));
    assert_eq!(
        spec["initContainers"],
        json!([{"name": "proxy", "image": "envoy", "restartPolicy": "Always"}])
    );
}

#[test]
fn identical_items_are_not_conflicts() {
    let p = preset(
        "p",
        json!({
            "env": [{"name": "MODE", "value": "x"}],
            "volumes": [{"name": "data", "emptyDir": {}}],
            "volumeMounts": [{"name": "data", "mountPath": "/data"}],
            "envFrom": [{"configMapRef": {"name": "c"}}],
        }),
    );
    let pod_spec = json!({
        "volumes": [{"name": "data", "emptyDir": {}}],
        "containers": [{"name": "app", "image": "a",
            "env": [{"name": "MODE", "value": "x"}],
            "envFrom": [{"configMapRef": {"name": "c"}}],
            "volumeMounts": [{"name": "data", "mountPath": "/data"}]}],
    });
    let (out, _) = run(&[deployment(json!({}), pod_spec.clone())], &[p]);
    assert_eq!(template(&out[0])["spec"], pod_spec);
}

#[test]
fn applying_twice_equals_applying_once() {
    let specs = [
        json!({
            "env": [{"name": "A", "value": "1"}],
            "envFrom": [{"secretRef": {"name": "s"}}],
            "volumes": [{"name": "logs", "emptyDir": {}}],
            "volumeMounts": [{"name": "logs", "mountPath": "/var/log/app"}],
            "resources": {"requests": {"cpu": "50m"}},
            "sidecars": [{"name": "fluent-bit", "image": "fluent/fluent-bit:3.1"}],
            "initContainers": [{"name": "init", "image": "busybox:1.36"}],
            "tolerations": [{"key": "k", "operator": "Exists"}],
            "labels": {"l": "v"},
            "annotations": {"a": "v"},
        }),
        json!({"nativeSidecars": true, "sidecars": [{"name": "proxy", "image": "envoy"}]}),
    ];
    for spec in specs {
        let p = preset("p", spec);
        let (once, _) = run(&[deployment(json!({}), app())], std::slice::from_ref(&p));
        let (twice, _) = run(&once, std::slice::from_ref(&p));
        assert_eq!(once, twice);
        let (same_call, _) = run(&[deployment(json!({}), app())], &[p.clone(), p]);
        assert_eq!(once, same_call);
    }
}

#[test]
fn a_sidecar_changed_by_a_later_preset_is_not_a_conflict_on_reapplication() {
    let logs = preset(
        "logs",
        json!({"sidecars": [{"name": "fluent-bit", "image": "fluent/fluent-bit:3.1"}]}),
    );
    let defaults = preset(
        "defaults",
        json!({"resources": {"requests": {"memory": "64Mi"}}}),
    );
    let (first, _) = run(&[deployment(json!({}), app())], &[logs.clone(), defaults]);
    let (again, warnings) = run(&first, &[logs]);
    assert!(warnings.is_empty());
    assert_eq!(first, again);
    assert_eq!(
        template(&again[0])["spec"]["containers"][1]["resources"],
        json!({"requests": {"memory": "64Mi"}})
    );
}

#[test]
fn differing_presets_of_one_name_are_an_error() {
    let a = preset("p", json!({"labels": {"a": "1"}}));
    let b = preset("p", json!({"labels": {"a": "2"}}));
    let err = run_err(&[deployment(json!({}), app())], &[a, b]);
    assert!(err.contains("preset `p` is also defined"), "{err}");
}

#[test]
fn parses_documents_streams_and_lists() {
    let doc = |name: &str| {
        json!({"apiVersion": "strata.dev/v1alpha1", "kind": "PodPreset",
               "metadata": {"name": name, "namespace": "prod"}, "spec": {}})
    };
    let path = Path::new("p.yaml");
    let names = |value: Value| -> Vec<String> {
        parse_presets(&value, path)
            .unwrap()
            .into_iter()
            .map(|p| p.name)
            .collect()
    };
    assert_eq!(names(doc("a")), ["a"]);
    assert_eq!(names(json!([doc("a"), null, doc("b")])), ["a", "b"]);
    assert_eq!(
        names(json!({"apiVersion": "v1", "kind": "List", "items": [doc("c")]})),
        ["c"]
    );
    assert!(names(Value::Null).is_empty());
    let p = &parse_presets(&doc("a"), path).unwrap()[0];
    assert_eq!(p.namespace.as_deref(), Some("prod"));
    assert_eq!(p.source, path);
    assert!(p.selector.is_empty());
}

#[test]
fn legacy_podpresets_are_accepted_as_written() {
    let legacy = json!({
        "apiVersion": "settings.k8s.io/v1alpha1",
        "kind": "PodPreset",
        "metadata": {"name": "allow-database"},
        "spec": {
            "selector": {"matchLabels": {"role": "frontend"}},
            "env": [{"name": "DB_PORT", "value": "6379"}],
            "envFrom": [{"configMapRef": {"name": "etcd-env-config"}}],
            "volumeMounts": [{"mountPath": "/cache", "name": "cache-volume"}],
            "volumes": [{"name": "cache-volume", "emptyDir": {}}],
        },
    });
    let presets = parse_presets(&legacy, Path::new("legacy.yaml")).unwrap();
    assert!(presets[0].legacy);
    let (out, _) = run(&[deployment(json!({"role": "frontend"}), app())], &presets);
    let spec = &template(&out[0])["spec"];
    assert_eq!(
        spec["volumes"],
        json!([{"name": "cache-volume", "emptyDir": {}}])
    );
    assert_eq!(
        spec["containers"][0],
        json!({"name": "app", "image": "nginx:1.27",
               "env": [{"name": "DB_PORT", "value": "6379"}],
               "envFrom": [{"configMapRef": {"name": "etcd-env-config"}}],
               "volumeMounts": [{"mountPath": "/cache", "name": "cache-volume"}]})
    );

    let mut with_sidecar = legacy;
    with_sidecar["spec"]["sidecars"] = json!([{"name": "s", "image": "i"}]);
    let err = parse_presets(&with_sidecar, Path::new("legacy.yaml")).unwrap_err();
    assert!(err.to_string().contains("field `spec.sidecars`"), "{err}");
    assert!(err.hint().unwrap_or("").contains("strata.dev/v1alpha1"));
}

#[test]
fn malformed_presets_are_errors_naming_file_and_field() {
    let base = json!({"apiVersion": "strata.dev/v1alpha1", "kind": "PodPreset", "metadata": {"name": "p"}, "spec": {}});
    let with = |pointer: &str, value: Value| {
        let mut document = base.clone();
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        document.pointer_mut(parent).unwrap()[key] = value;
        document
    };
    let cases = [
        (with("/spec/envs", json!([])), "spec.envs"),
        (with("/status", json!({})), "field `status`"),
        (with("/kind", json!("Deployment")), "field `kind`"),
        (with("/apiVersion", json!("v1")), "field `apiVersion`"),
        (with("/metadata", json!({})), "metadata.name"),
        (with("/metadata/name", json!("Bad,Name")), "metadata.name"),
        (with("/spec", json!([])), "field `spec`"),
        (
            with(
                "/spec/selector",
                json!({"matchExpressions": [{"key": "a", "operator": "Equal", "values": ["b"]}]}),
            ),
            "unknown operator `Equal`",
        ),
        (
            with(
                "/spec/selector",
                json!({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["b"]}]}),
            ),
            "must be empty",
        ),
        (with("/spec/onConflict", json!("ignore")), "spec.onConflict"),
        (
            with("/spec/env", json!([{"name": "A", "value": 1}])),
            "spec.env[0].value",
        ),
        (
            with("/spec/env", json!([{"name": "A", "valu": "1"}])),
            "spec.env[0].valu",
        ),
        (
            with("/spec/env", json!([{"value": "1"}])),
            "spec.env[0].name",
        ),
        (
            with(
                "/spec/env",
                json!([{"name": "A", "value": "1"}, {"name": "A", "value": "2"}]),
            ),
            "spec.env[1].name",
        ),
        (with("/spec/env", json!({"A": "1"})), "spec.env"),
        (
            with(
                "/spec/envFrom",
                json!([{"configMapRef": {"name": "a"}, "secretRef": {"name": "b"}}]),
            ),
            "spec.envFrom[0]",
        ),
        (
            with("/spec/envFrom", json!([{"prefix": "X_"}])),
            "spec.envFrom[0]",
        ),
        (
            with("/spec/volumeMounts", json!([{"name": "a"}])),
            "spec.volumeMounts[0].mountPath",
        ),
        (
            with("/spec/volumes", json!([{"name": "a"}])),
            "spec.volumes[0]",
        ),
        (
            with(
                "/spec/volumes",
                json!([{"name": "a", "emptyDir": {}, "configMap": {}}]),
            ),
            "spec.volumes[0]",
        ),
        (
            with("/spec/sidecars", json!([{"name": "s"}])),
            "spec.sidecars[0].image",
        ),
        (
            with(
                "/spec/sidecars",
                json!([{"name": "s", "image": "i", "restartPolicy": "Always"}]),
            ),
            "spec.sidecars[0].restartPolicy",
        ),
        (
            with(
                "/spec",
                json!({"initContainers": [{"name": "s", "image": "i"}], "sidecars": [{"name": "s", "image": "j"}]}),
            ),
            "duplicate name s",
        ),
        (
            with("/spec/nativeSidecars", json!("yes")),
            "spec.nativeSidecars",
        ),
        (
            with("/spec/resources", json!({"request": {}})),
            "spec.resources.request",
        ),
        (
            with("/spec/resources", json!({"limits": {"cpu": true}})),
            "spec.resources.limits.cpu",
        ),
        (with("/spec/labels", json!({"a": 1})), "spec.labels.a"),
        (
            with(
                "/spec/tolerations",
                json!([{"key": "a", "effects": "NoSchedule"}]),
            ),
            "spec.tolerations[0].effects",
        ),
        (with("/spec/kinds", json!("Deployment")), "spec.kinds"),
        (
            with("/spec/workloads", json!([{"kind": "Rollout"}])),
            "spec.workloads[0].templatePath",
        ),
        (
            with(
                "/spec/workloads",
                json!([{"kind": "Rollout", "templatePath": "spec/template", "group": "x"}]),
            ),
            "spec.workloads[0].group",
        ),
        (json!("text"), "found a string"),
    ];
    for (document, want) in cases {
        let err = parse_presets(&document, Path::new("presets/bad.yaml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("presets/bad.yaml"), "{err}");
        assert!(err.contains(want), "{document}: {err}");
    }
}

#[test]
fn presets_that_target_no_workload_are_reported() {
    let matching = preset("web", json!({"selector": {"matchLabels": {"app": "web"}}}));
    let typo = preset("typo", json!({"selector": {"matchLabels": {"app": "wbe"}}}));
    let other_kind = preset("kinds", json!({"kinds": ["StatefulSet"]}));
    let mut workloads = resources(&[deployment(json!({"app": "web"}), app())]);
    let applied = apply(&mut workloads, &[matching, typo.clone(), other_kind]).unwrap();
    assert_eq!(applied.matched, [true, false, false]);
    assert!(applied.warnings.is_empty(), "{:?}", applied.warnings);
    let warning = unmatched_warning(&typo);
    assert!(
        warning.contains("preset `typo` (presets/p.yaml)"),
        "{warning}"
    );
    assert!(warning.contains("matches no workload"), "{warning}");
    // A workload that opts out was still targeted.
    let mut opted_out = deployment(json!({"app": "web"}), app());
    opted_out["metadata"]["annotations"] = json!({EXCLUDE_ANNOTATION: "true"});
    let mut workloads = resources(&[opted_out]);
    let applied = apply(&mut workloads, &[preset("p", json!({}))]).unwrap();
    assert_eq!(applied.matched, [true]);
}

fn parse_error(spec: Value) -> String {
    let document = json!({
        "apiVersion": "strata.dev/v1alpha1",
        "kind": "PodPreset",
        "metadata": {"name": "p"},
        "spec": spec,
    });
    parse_presets(&document, Path::new("presets/p.yaml"))
        .unwrap_err()
        .to_string()
}

#[test]
fn malformed_template_paths_are_errors() {
    for (template_path, phrase) in [
        (
            "spec.template",
            "separate field names with `/`: `spec/template`",
        ),
        ("/spec/template", "is not a field path"),
        ("spec//template", "is not a field path"),
        ("spec/template/", "is not a field path"),
        ("spec/tem plate", "is not a field path"),
    ] {
        let err =
            parse_error(json!({"workloads": [{"kind": "Runner", "templatePath": template_path}]}));
        assert!(err.contains("presets/p.yaml"), "{err}");
        assert!(err.contains("spec.workloads[0].templatePath"), "{err}");
        assert!(err.contains(phrase), "{template_path}: {err}");
    }
    // The empty path is the object itself.
    let p = preset(
        "p",
        json!({"workloads": [{"kind": "Runner", "templatePath": ""}]}),
    );
    assert!(p.workloads[0].template_path.is_empty());
}

#[test]
fn invalid_quantities_are_errors() {
    for (key, quantity, phrase) in [
        ("requests", json!("100mi"), "unknown suffix `mi`"),
        ("limits", json!("1.5.3"), "`1.5.3` is not a number"),
        ("requests", json!(-1), "may not be negative"),
        ("limits", json!(true), "expected a quantity"),
    ] {
        let err = parse_error(json!({"resources": {key: {"memory": quantity}}}));
        assert!(err.contains("presets/p.yaml"), "{err}");
        assert!(
            err.contains(&format!("spec.resources.{key}.memory")),
            "{err}"
        );
        assert!(err.contains(phrase), "{quantity}: {err}");
    }
    let p = preset(
        "p",
        json!({"resources": {"requests": {"cpu": 0.5, "memory": "1.5Gi"}, "limits": {"cpu": 2}}}),
    );
    assert_eq!(p.resources.requests["cpu"], json!(0.5));
}
