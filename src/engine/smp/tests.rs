//! Strategic merge cases. Every expected object is what `kubectl kustomize`
//! (kustomize v5.5.0) printed for the target with the patch listed under
//! `patchesStrategicMerge` (`null`: the resource was deleted).

use super::*;

/// (name, target, patch, expected)
const CASES: &[(&str, &str, &str, &str)] = &[
    (
        "containers_merge_by_name_patch_first",
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:1"},{"name":"c","image":"c:1","args":["x","y"]}]}}}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"c","image":"c:2","args":["z"]},{"name":"new","image":"n:1"},{"name":"a","command":["run"]}]}}}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"args":["z"],"image":"c:2","name":"c"},{"image":"n:1","name":"new"},{"command":["run"],"image":"a:1","name":"a"},{"image":"b:1","name":"b"}]}}}}"#,
    ),
    (
        "env_merge_and_delete_element",
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"a","env":[{"name":"X","value":"1"},{"name":"Y","value":"2"},{"name":"W","value":"0"}]}]}}}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"a","env":[{"name":"Z","value":"3"},{"name":"X","$patch":"delete"},{"name":"W","value":"9"}]}]}}}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"env":[{"name":"Z","value":"3"},{"name":"W","value":"9"},{"name":"Y","value":"2"}],"name":"a"}]}}}}"#,
    ),
    (
        "ports_merge_on_port_and_protocol",
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"a","ports":[{"containerPort":80},{"containerPort":81,"protocol":"UDP"},{"containerPort":53,"protocol":"TCP"},{"containerPort":53,"protocol":"UDP"}]}]}}}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"name":"http"},{"containerPort":81,"name":"u"},{"containerPort":53,"protocol":"UDP","name":"dns"}]}]}}}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"name":"http"},{"containerPort":81,"protocol":"UDP"},{"containerPort":53,"protocol":"TCP"},{"containerPort":53,"name":"dns","protocol":"UDP"}]}]}}}}"#,
    ),
    (
        "delete_container",
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:1"}]}}}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"b","$patch":"delete"}]}}}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"image":"a:1","name":"a"}]}}}}"#,
    ),
    (
        "delete_whole_resource",
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":1}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"$patch":"delete"}"#,
        r#"null"#,
    ),
    (
        "replace_map",
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":1,"selector":{"matchLabels":{"a":"1","b":"2"}}}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"selector":{"$patch":"replace","matchLabels":{"c":"3"}}}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":1,"selector":{"matchLabels":{"c":"3"}}}}"#,
    ),
    (
        "replace_list_directive",
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:1"}]}}}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"$patch":"replace"},{"name":"z","image":"z:1"}]}}}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"image":"z:1","name":"z"}]}}}}"#,
    ),
    (
        "delete_list_directive",
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"a"}],"volumes":[{"name":"v","emptyDir":{}}]}}}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"volumes":[{"$patch":"delete"}]}}}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"a"}]}}}}"#,
    ),
    (
        "element_replace_is_ignored",
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"a","image":"a:1","args":["x"]}]}}}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"a","image":"a:2","$patch":"replace"}]}}}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"args":["x"],"image":"a:1","name":"a"}]}}}}"#,
    ),
    (
        "null_deletes",
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"x":"1"}},"spec":{"replicas":1,"paused":true,"template":{"metadata":{"labels":{"a":"1","b":"2"}}}}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"paused":null,"template":{"metadata":{"labels":{"a":null}}}}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"labels":{"x":"1"},"name":"web"},"spec":{"replicas":1,"template":{"metadata":{"labels":{"b":"2"}}}}}"#,
    ),
    (
        "nulls_in_target_are_kept",
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","creationTimestamp":null},"spec":{"replicas":1}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":2}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"creationTimestamp":null,"name":"web"},"spec":{"replicas":2}}"#,
    ),
    (
        "directive_keys_are_copied",
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","finalizers":["x","y"]},"spec":{"template":{"spec":{"containers":[{"name":"a"},{"name":"b"}],"volumes":[{"name":"v","configMap":{"name":"cm"}}]}}}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","$deleteFromPrimitiveList/finalizers":["x"]},"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}],"volumes":[{"name":"v","$retainKeys":["name","secret"],"secret":{"secretName":"s"}}]}}}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"$deleteFromPrimitiveList/finalizers":["x"],"finalizers":["x","y"],"name":"web"},"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}],"containers":[{"name":"a"},{"name":"b"}],"volumes":[{"$retainKeys":["name","secret"],"configMap":{"name":"cm"},"name":"v","secret":{"secretName":"s"}}]}}}}"#,
    ),
    (
        "finalizers_merge_patch_first",
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","finalizers":["a","b"]}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","finalizers":["c","a"]}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"finalizers":["c","a","b"],"name":"web"}}"#,
    ),
    (
        "new_list_drops_deleted_elements",
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"a"}]}}}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"a"}],"initContainers":[{"name":"i","image":"i:1"},{"name":"gone","$patch":"delete"}]}}}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"a"}],"initContainers":[{"image":"i:1","name":"i"}]}}}}"#,
    ),
    (
        "service_ports_by_port",
        r#"{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"ports":[{"port":80,"targetPort":8080},{"port":443}]}}"#,
        r#"{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"ports":[{"port":443,"name":"https"},{"port":9090}]}}"#,
        r#"{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"ports":[{"name":"https","port":443},{"port":9090},{"port":80,"targetPort":8080}]}}"#,
    ),
    (
        "custom_resource_lists_replaced_maps_merged",
        r#"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"items":[{"name":"a","v":1},{"name":"b"}],"m":{"a":1,"b":2}}}"#,
        r#"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"items":[{"name":"a","v":2}],"m":{"b":3,"c":4}}}"#,
        r#"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"items":[{"name":"a","v":2}],"m":{"a":1,"b":3,"c":4}}}"#,
    ),
    (
        "embedded_object_uses_its_own_schema",
        r#"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"deploy":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"a","image":"a:1"},{"name":"b"}]}}}}}}"#,
        r#"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"deploy":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"a","image":"a:2"}]}}}}}}"#,
        r#"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"deploy":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"image":"a:2","name":"a"},{"name":"b"}]}}}}}}"#,
    ),
    (
        "volumes_merge_with_retain_keys_strategy",
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"volumes":[{"name":"v","configMap":{"name":"cm"}},{"name":"w","emptyDir":{}}]}}}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"volumes":[{"name":"v","secret":{"secretName":"s"}}]}}}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"volumes":[{"configMap":{"name":"cm"},"name":"v","secret":{"secretName":"s"}},{"emptyDir":{},"name":"w"}]}}}}"#,
    ),
    (
        "tolerations_are_replaced",
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"tolerations":[{"key":"a","operator":"Exists"},{"key":"b","operator":"Exists"}]}}}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"tolerations":[{"key":"c","operator":"Exists"}]}}}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"tolerations":[{"key":"c","operator":"Exists"}]}}}}"#,
    ),
    (
        "cronjob_containers",
        r#"{"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"c"},"spec":{"schedule":"* * * * *","jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:1"}]}}}}}}"#,
        r#"{"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"c"},"spec":{"jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"b","image":"b:2"}]}}}}}}"#,
        r#"{"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"c"},"spec":{"jobTemplate":{"spec":{"template":{"spec":{"containers":[{"image":"b:2","name":"b"},{"image":"a:1","name":"a"}]}}}},"schedule":"* * * * *"}}"#,
    ),
    (
        "quoted_target_scalars_keep_quotes",
        r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{"a":"true","b":1,"c":"1.5","e":"null"}}"#,
        r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{"a":false,"b":"2","c":7,"e":9}}"#,
        r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{"a":"false","b":"2","c":"7","e":"9"}}"#,
    ),
    (
        "top_level_replace",
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"a":"1"}},"spec":{"replicas":1,"paused":true}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":2},"$patch":"replace"}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"labels":{"a":"1"},"name":"web"},"spec":{"paused":true,"replicas":1}}"#,
    ),
    (
        "merge_directive_is_a_no_op",
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"a","image":"a:1"}]}}}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"$patch":"merge"},{"name":"b","image":"b:1"}]}}}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"image":"b:1","name":"b"},{"image":"a:1","name":"a"}]}}}}"#,
    ),
    (
        "finalizers_replace_directive",
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","finalizers":["a","b"]}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","finalizers":[{"$patch":"replace"},"c"]}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"finalizers":["c"],"name":"web"}}"#,
    ),
    (
        "new_map_keeps_no_nulls",
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":1}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"strategy":{"type":"Recreate","rollingUpdate":null}}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":1,"strategy":{"type":"Recreate"}}}"#,
    ),
    (
        "list_null_deletes_merge_list",
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"a"}],"volumes":[{"name":"v","emptyDir":{}}]}}}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"volumes":null}}}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"a"}]}}}}"#,
    ),
    (
        "element_without_key_is_appended",
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"a","env":[{"name":"X","value":"1"}]}]}}}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"a","env":[{"value":"nokey"}]}]}}}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"env":[],"name":"a"}]}}}}"#,
    ),
    (
        "delete_missing_element_is_fine",
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"a"}]}}}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"zz","$patch":"delete"}]}}}}"#,
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[{"name":"a"}]}}}}"#,
    ),
    (
        "kinds_missing_from_the_1_21_schema_replace_lists",
        r#"{"apiVersion":"extensions/v1beta1","kind":"Deployment","metadata":{"name":"a"},"spec":{"template":{"spec":{"containers":[{"name":"a","image":"a"},{"name":"b","image":"b"}]}}}}"#,
        r#"{"apiVersion":"extensions/v1beta1","kind":"Deployment","metadata":{"name":"a"},"spec":{"template":{"spec":{"containers":[{"name":"b","image":"b2"}]}}}}"#,
        r#"{"apiVersion":"extensions/v1beta1","kind":"Deployment","metadata":{"name":"a"},"spec":{"template":{"spec":{"containers":[{"name":"b","image":"b2"}]}}}}"#,
    ),
];

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

#[test]
fn merges_as_kubectl_kustomize() {
    let mut failures = Vec::new();
    for (name, target, patch, expected) in CASES {
        let mut object = parse(target);
        let result = merge(&mut object, &parse(patch), OpenApi::builtin()).map(|()| object);
        match result {
            Ok(object) if object == parse(expected) => {}
            Ok(object) => failures.push(format!("{name}:\n  got  {object}\n  want {expected}")),
            Err(e) => failures.push(format!("{name}: error {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn unknown_directive_is_an_error() {
    let mut object =
        parse(r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{"x":"1"}}"#);
    let patch = parse(
        r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{"$patch":"bogus"}}"#,
    );
    let err = merge(&mut object, &patch, OpenApi::builtin())
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown patch strategy 'bogus'"), "{err}");
}

#[test]
fn kind_mismatch_is_an_error_naming_the_field() {
    let mut object =
        parse(r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{"x":"1"}}"#);
    let patch =
        parse(r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":"text"}"#);
    let err = merge(&mut object, &patch, OpenApi::builtin())
        .unwrap_err()
        .to_string();
    assert!(err.contains("`data`"), "{err}");
}
