//! `commonLabels:` and `labels:` (kustomize's LabelTransformer, configured
//! as `kusttarget_configplugin.go` does).
//!
//! - `commonLabels` go everywhere the `commonLabels` field specs say:
//!   metadata, selectors and pod templates.
//! - each `labels:` entry goes to `metadata/labels` plus its own `fields`,
//!   plus pod templates with `includeTemplates`, or everything `commonLabels`
//!   touches with `includeSelectors` ([`entry_specs`]).

use std::path::Path;

use serde_json::Value;

use crate::engine::fieldspec::{
    apply_at_creating, merge_one, merge_specs, FieldSpec, FsSlice, Leaf, TransformerConfig,
};
use crate::error::{Error, Result};
use crate::id::Gvk;
use crate::load::kustomization::{Label, StringMap};
use crate::resource::{value_kind, ResourceMap};

/// Sets `labels` wherever `specs` say, on every resource.
pub fn apply(resources: &mut ResourceMap, labels: &StringMap, specs: &[FieldSpec]) -> Result<()> {
    set_everywhere(resources, labels, specs, "labels")
}

/// The field specs of one `labels:` entry (`index` in the list of the
/// kustomization `file`), merged in kustomize's order.
pub fn entry_specs(
    entry: &Label,
    config: &TransformerConfig,
    file: &Path,
    index: usize,
) -> Result<FsSlice> {
    let mut specs = entry.fields.clone();
    let merged = (|| {
        merge_specs(&mut specs, &config.labels)?;
        if entry.include_selectors {
            merge_specs(&mut specs, &config.common_labels)
        } else {
            if entry.include_templates {
                merge_specs(&mut specs, &config.template_labels)?;
            }
            merge_one(
                &mut specs,
                FieldSpec::new(Gvk::default(), "metadata/labels", true),
            )
        }
    })();
    merged.map_err(|e| {
        Error::field(
            file,
            format!("labels[{index}]"),
            format!("failed to merge labels: {e}"),
        )
    })?;
    Ok(specs)
}

/// Sets `pairs` in the maps `specs` name in every resource; `what` names
/// the maps in errors.
pub(crate) fn set_everywhere(
    resources: &mut ResourceMap,
    pairs: &StringMap,
    specs: &[FieldSpec],
    what: &str,
) -> Result<()> {
    if pairs.is_empty() {
        return Ok(());
    }
    for resource in resources.edit().iter_mut() {
        let id = resource.id();
        set_pairs(resource.object_mut(), pairs, specs)
            .map_err(|e| Error::resource(&id, format!("adding {what}: {e}")))?;
    }
    Ok(())
}

/// Sets every pair in the maps the specs name in one object, creating
/// them where a spec says `create`.
pub fn set_pairs(object: &mut Value, pairs: &StringMap, specs: &[FieldSpec]) -> Result<()> {
    for spec in specs {
        apply_at_creating(object, spec, Leaf::Map, &mut |node| {
            set_entries(node, pairs)
        })?;
    }
    Ok(())
}

/// kyaml's `SetEntry` on the field found: a null one stays null.
fn set_entries(node: &mut Value, pairs: &StringMap) -> Result<()> {
    match node {
        Value::Object(map) => {
            for (key, value) in pairs {
                map.insert(key.clone(), Value::String(value.clone()));
            }
            Ok(())
        }
        Value::Null => Ok(()),
        other => Err(Error::msg(format!(
            "wrong node kind: expected a mapping but got {}",
            value_kind(other)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::{Origin, Resource};
    use serde_json::json;

    fn pairs(items: &[(&str, &str)]) -> StringMap {
        items
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn inputs() -> Vec<Value> {
        vec![
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "d", "labels": {"old": "o"}},
                "spec": {"selector": {"matchLabels": {"old": "o"}},
                    "template": {"metadata": {"labels": {"old": "o"}}, "spec": {
                        "affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
                            {"labelSelector": {"matchLabels": {"old": "o"}}}]}},
                        "containers": [{"name": "c"}]}}}}),
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
                "spec": {"ports": [{"port": 80}]}}),
            json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "cj"},
                "spec": {"jobTemplate": {"spec": {"template": {"spec": {}}}}}}),
            json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "ss"},
                "spec": {"volumeClaimTemplates": [{"metadata": {"name": "v"}}]}}),
            json!({"apiVersion": "example.com/v1", "kind": "Foo", "metadata": {"name": "f"},
                "spec": {"template": {"metadata": {}}}}),
        ]
    }

    fn run(f: impl FnOnce(&mut ResourceMap, &TransformerConfig) -> Result<()>) -> Vec<Value> {
        let mut map: ResourceMap = inputs()
            .into_iter()
            .map(|o| Resource::new(o, Origin::Inline).unwrap())
            .collect();
        f(&mut map, &TransformerConfig::builtin()).unwrap();
        map.into_vec()
            .into_iter()
            .map(Resource::into_object)
            .collect()
    }

    fn apply_entry(m: &mut ResourceMap, label: &Label, c: &TransformerConfig) -> Result<()> {
        let specs = entry_specs(label, c, Path::new("kustomization.yaml"), 0)?;
        apply(m, &label.pairs, &specs)
    }

    fn entry(include_selectors: bool, include_templates: bool, fields: Vec<Value>) -> Label {
        Label {
            pairs: pairs(&[("app", "web")]),
            include_selectors,
            include_templates,
            fields: serde_json::from_value(Value::Array(fields)).unwrap(),
        }
    }

    // Expected values: `kubectl kustomize` on /tmp/tx/lb/{common,plain,templates,selectors,fields}.

    #[test]
    fn common_labels_and_annotations() {
        let out = run(|m, c| {
            apply(
                m,
                &pairs(&[("app", "web"), ("tier", "1")]),
                &c.common_labels,
            )?;
            let notes = pairs(&[("note", "hi"), ("n2", "true")]);
            crate::transform::annotations::apply(m, &notes, &c.common_annotations)
        });
        let labels = json!({"app": "web", "tier": "1"});
        let labels_old = json!({"app": "web", "old": "o", "tier": "1"});
        let notes = json!({"note": "hi", "n2": "true"});
        let expected = vec![
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": "d", "labels": labels_old, "annotations": notes},
                "spec": {"selector": {"matchLabels": labels_old},
                    "template": {"metadata": {"labels": labels_old, "annotations": notes}, "spec": {
                        "affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
                            {"labelSelector": {"matchLabels": labels_old}}]}},
                        "containers": [{"name": "c"}]}}}}),
            json!({"apiVersion": "v1", "kind": "Service",
                "metadata": {"name": "s", "labels": labels, "annotations": notes},
                "spec": {"ports": [{"port": 80}], "selector": labels}}),
            json!({"apiVersion": "batch/v1", "kind": "CronJob",
                "metadata": {"name": "cj", "labels": labels, "annotations": notes},
                "spec": {"jobTemplate": {"metadata": {"labels": labels, "annotations": notes},
                    "spec": {"template": {"metadata": {"labels": labels, "annotations": notes}, "spec": {}}}}}}),
            json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
                "metadata": {"name": "ss", "labels": labels, "annotations": notes},
                "spec": {"selector": {"matchLabels": labels},
                    "template": {"metadata": {"labels": labels, "annotations": notes}},
                    "volumeClaimTemplates": [{"metadata": {"name": "v", "labels": labels}}]}}),
            json!({"apiVersion": "example.com/v1", "kind": "Foo",
                "metadata": {"name": "f", "labels": labels, "annotations": notes},
                "spec": {"template": {"metadata": {}}}}),
        ];
        assert_eq!(out, expected);
    }

    #[test]
    fn label_entries() {
        let web = json!({"app": "web"});
        let web_old = json!({"app": "web", "old": "o"});
        let old = json!({"old": "o"});
        // (entry, deployment selector, deployment template, affinity selector,
        //  service selector, statefulset spec, cronjob jobTemplate)
        let cases = [
            // metadata only
            (
                entry(false, false, vec![]),
                &old,
                &old,
                &old,
                None,
                json!({"volumeClaimTemplates": [{"metadata": {"name": "v"}}]}),
                json!({"spec": {"template": {"spec": {}}}}),
            ),
            // includeTemplates: templates, not selectors
            (
                entry(false, true, vec![]),
                &old,
                &web_old,
                &old,
                None,
                json!({"template": {"metadata": {"labels": web}},
                    "volumeClaimTemplates": [{"metadata": {"name": "v", "labels": web}}]}),
                json!({"metadata": {"labels": web}, "spec": {"template": {"metadata": {"labels": web}, "spec": {}}}}),
            ),
            // includeSelectors: all of commonLabels' fields
            (
                entry(true, false, vec![]),
                &web_old,
                &web_old,
                &web_old,
                Some(&web),
                json!({"selector": {"matchLabels": web}, "template": {"metadata": {"labels": web}},
                    "volumeClaimTemplates": [{"metadata": {"name": "v", "labels": web}}]}),
                json!({"metadata": {"labels": web}, "spec": {"template": {"metadata": {"labels": web}, "spec": {}}}}),
            ),
        ];
        for (label, selector, template, affinity, service, statefulset, cronjob) in cases {
            let out = run(|m, c| apply_entry(m, &label, c));
            let d = &out[0];
            assert_eq!(d["metadata"]["labels"], web_old);
            assert_eq!(&d["spec"]["selector"]["matchLabels"], selector);
            assert_eq!(&d["spec"]["template"]["metadata"]["labels"], template);
            let aff = &d["spec"]["template"]["spec"]["affinity"]["podAntiAffinity"]
                ["requiredDuringSchedulingIgnoredDuringExecution"][0]["labelSelector"]
                ["matchLabels"];
            assert_eq!(aff, affinity);
            assert_eq!(out[1]["spec"].get("selector"), service);
            assert_eq!(out[1]["metadata"]["labels"], web);
            assert_eq!(out[3]["spec"], statefulset);
            assert_eq!(out[2]["spec"]["jobTemplate"], cronjob);
            assert_eq!(out[4]["metadata"]["labels"], web);
            assert_eq!(out[4]["spec"], json!({"template": {"metadata": {}}}));
        }
    }

    #[test]
    fn label_entry_fields() {
        let fields = vec![
            json!({"path": "spec/extra/labels", "kind": "Foo", "create": true}),
            json!({"path": "spec/template/metadata/labels", "kind": "Foo"}),
        ];
        let out = run(|m, c| apply_entry(m, &entry(false, false, fields), c));
        assert_eq!(
            out[4],
            json!({"apiVersion": "example.com/v1", "kind": "Foo",
                "metadata": {"name": "f", "labels": {"app": "web"}},
                "spec": {"extra": {"labels": {"app": "web"}}, "template": {"metadata": {}}}})
        );
    }

    #[test]
    fn null_and_wrong_kinds() {
        // kubectl: Job `matchLabels: null` stays null; Deployment `labels: null` filled.
        let mut job = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"},
            "spec": {"selector": {"matchLabels": null}}});
        let config = TransformerConfig::builtin();
        set_pairs(&mut job, &pairs(&[("app", "x")]), &config.common_labels).unwrap();
        assert_eq!(job["spec"]["selector"]["matchLabels"], Value::Null);
        assert_eq!(
            job["spec"]["template"]["metadata"]["labels"],
            json!({"app": "x"})
        );
        // kubectl: "wrong node kind: expected MappingNode but got ScalarNode"
        let mut svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
            "spec": {"selector": "foo"}});
        let err = set_pairs(&mut svc, &pairs(&[("app", "x")]), &config.common_labels).unwrap_err();
        assert!(
            err.to_string()
                .contains("considering field 'spec/selector'"),
            "{err}"
        );
    }
}
