//! Name back-references (kustomize's `FixBackReferences`): after the whole
//! build has renamed resources (prefixes, suffixes, hash suffixes,
//! namespaces), rewrite the fields that name them in other resources, per
//! the `nameReference` table of the transformer configuration.
//!
//! Candidate selection follows kustomize's nameref filter: a target is a
//! resource that once had the referenced name and kind, in a namespace the
//! referrer can see; ties are broken by matching name prefixes/suffixes,
//! and a remaining tie between different names is an error.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Map, Value};

use crate::engine::fieldspec::{apply_at, FieldSpec, TransformerConfig};
use crate::error::{Error, Result};
use crate::id::{Gvk, ResId};
use crate::kyaml::{node_text, Null};
use crate::resource::{Resource, ResourceMap};

/// What name references need to know about a possible target; taken before
/// any referrer is edited (nameref never changes names or namespaces).
#[derive(Clone, Debug)]
struct Target {
    current: ResId,
    original: ResId,
    previous: Vec<ResId>,
    prefixes: Vec<String>,
    suffixes: Vec<String>,
    /// Cached: every candidate check asks.
    cluster_scoped: bool,
    effective_namespace: String,
}

impl Target {
    fn of(resource: &Resource) -> Self {
        let current = resource.id();
        Target {
            cluster_scoped: current.gvk.is_cluster_scoped(),
            effective_namespace: current.effective_namespace().to_string(),
            current,
            original: resource.original_id(),
            previous: resource.previous_ids.clone(),
            prefixes: resource.name_prefixes.clone(),
            suffixes: resource.name_suffixes.clone(),
        }
    }

    fn name(&self) -> &str {
        &self.current.name
    }

    fn namespace(&self) -> &str {
        &self.current.namespace
    }

    fn is_cluster_scoped(&self) -> bool {
        self.cluster_scoped
    }
}

/// The targets, with an index from every name a target ever had to the
/// targets (in build order) that had it: a reference names one name, so
/// only those targets need looking at.
struct Targets {
    all: Vec<Target>,
    by_name: HashMap<String, Vec<usize>>,
}

impl Targets {
    fn of(resources: &ResourceMap) -> Self {
        let all: Vec<Target> = resources.iter().map(Target::of).collect();
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (index, target) in all.iter().enumerate() {
            let mut names: Vec<&str> = target.previous.iter().map(|id| id.name.as_str()).collect();
            names.sort_unstable();
            names.dedup();
            for name in names {
                by_name.entry(name.to_string()).or_default().push(index);
            }
        }
        Targets { all, by_name }
    }

    /// The targets that once had this name, in build order.
    fn named(&self, name: &str) -> impl Iterator<Item = &Target> {
        self.by_name
            .get(name)
            .into_iter()
            .flatten()
            .map(|&index| &self.all[index])
    }
}

/// Which targets a referrer may name (kustomize's
/// `SubsetThatCouldBeReferencedByResource`): everything for cluster-scoped
/// referrers, else cluster-scoped targets, the same namespace, and the
/// namespaces of a RoleBinding's ServiceAccount subjects.
struct Visible {
    everything: bool,
    namespace: String,
    subject_namespaces: BTreeSet<String>,
}

impl Visible {
    fn admits(&self, target: &Target) -> bool {
        self.everything
            || target.is_cluster_scoped()
            || target.effective_namespace == self.namespace
            || self.subject_namespaces.contains(target.namespace())
    }
}

/// One field of a referrer that may name a target of kind `target`.
struct Reference<'a> {
    spec: &'a FieldSpec,
    target: &'a Gvk,
}

/// Rewrites references to renamed resources everywhere, as kustomize does
/// once at the end of a build.
pub fn fix_references(resources: &mut ResourceMap, config: &TransformerConfig) -> Result<()> {
    let targets = Targets::of(resources);
    let mut edit = resources.edit();
    for (index, referrer) in targets.all.iter().enumerate() {
        let references = references_of(referrer, config);
        if references.is_empty() {
            continue;
        }
        let resource = &mut edit[index];
        let visible = visible_to(resource, referrer)?;
        // roleRef's apiGroup and kind are never rewritten, so read them once.
        let role_ref = role_ref_gvk(resource.object());
        for reference in references {
            let fixer = Fixer {
                referrer,
                role_ref: if reference.spec.path_string().ends_with("roleRef/name") {
                    role_ref.clone()
                } else {
                    None
                },
                reference: &reference,
                targets: &targets,
                visible: &visible,
            };
            // The spec selected the referrer by its original id; the walk
            // must not filter again on the current kind.
            let spec = FieldSpec {
                gvk: Gvk::default(),
                ..reference.spec.clone()
            };
            apply_at(resource.object_mut(), &spec, &mut |node| fixer.set(node)).map_err(|e| {
                Error::msg(format!(
                    "updating name reference in '{}' field of '{}': {e}",
                    reference.spec.path_string(),
                    referrer.current
                ))
            })?;
        }
    }
    Ok(())
}

/// The referrer field specs that select this resource (by original id), in
/// table order.
fn references_of<'a>(referrer: &Target, config: &'a TransformerConfig) -> Vec<Reference<'a>> {
    let mut result = Vec::new();
    for back_reference in &config.name_reference {
        for spec in &back_reference.referrers {
            if referrer.original.gvk.is_selected_by(&spec.gvk) {
                result.push(Reference {
                    spec,
                    target: &back_reference.gvk,
                });
            }
        }
    }
    result
}

fn visible_to(resource: &Resource, referrer: &Target) -> Result<Visible> {
    Ok(Visible {
        everything: referrer.is_cluster_scoped(),
        namespace: referrer.effective_namespace.clone(),
        subject_namespaces: if referrer.is_cluster_scoped() {
            BTreeSet::new()
        } else {
            role_binding_namespaces(resource)?
        },
    })
}

/// Namespaces of the ServiceAccount subjects of a RoleBinding.
fn role_binding_namespaces(resource: &Resource) -> Result<BTreeSet<String>> {
    let mut result = BTreeSet::new();
    if resource.kind() != "RoleBinding" {
        return Ok(result);
    }
    let Some(Value::Array(subjects)) = resource.at(&["subjects"]) else {
        return Ok(result);
    };
    for subject in subjects.iter().filter_map(Value::as_object) {
        let (Some(namespace), Some(kind)) = (subject.get("namespace"), subject.get("kind")) else {
            continue;
        };
        if kind.as_str() != Some("ServiceAccount") {
            continue;
        }
        match namespace.as_str() {
            Some(namespace) => {
                result.insert(namespace.to_string());
            }
            None => {
                return Err(Error::resource(
                    &resource.id(),
                    "Invalid Input: namespace is blank",
                ))
            }
        }
    }
    Ok(result)
}

/// Rewrites one referrer field.
struct Fixer<'a> {
    referrer: &'a Target,
    /// For `roleRef/name` fields, the kind the roleRef names.
    role_ref: Option<Gvk>,
    reference: &'a Reference<'a>,
    targets: &'a Targets,
    visible: &'a Visible,
}

impl<'a> Fixer<'a> {
    fn set(&self, node: &mut Value) -> Result<()> {
        match node {
            Value::Null => Ok(()),
            Value::Object(map) => self.set_mapping(map),
            Value::Array(items) => items.iter_mut().try_for_each(|item| match item {
                Value::Null => Ok(()),
                Value::Object(map) => self.set_mapping(map),
                Value::Array(_) => Err(Error::msg(format!(
                    "{item} is expected to be either a string or a map of string"
                ))),
                scalar => self.set_scalar(scalar),
            }),
            scalar => self.set_scalar(scalar),
        }
    }

    /// A field holding just the name.
    fn set_scalar(&self, node: &mut Value) -> Result<()> {
        let old = node_text(node, Null::Empty);
        let candidates = self.candidates_named(&old);
        let referral = self.select(&old, &candidates, |a, b| a.name() == b.name())?;
        if let Some(referral) = referral {
            if referral.name() != old {
                *node = Value::String(referral.name().to_string());
            }
        }
        Ok(())
    }

    /// A map with `name` and maybe `namespace` (RoleBinding subjects,
    /// webhook services): both are taken from the target.
    fn set_mapping(&self, map: &mut Map<String, Value>) -> Result<()> {
        let Some(name) = map.get("name") else {
            return Err(Error::msg("path config error; no 'name' field in node"));
        };
        let old = node_text(name, Null::Empty);
        let candidates = self.candidates_in_namespace(map, &old);
        let referral = self.select(&old, &candidates, |a, b| {
            a.name() == b.name() && a.namespace() == b.namespace()
        })?;
        let Some(referral) = referral else {
            return Ok(());
        };
        if referral.name() == old && referral.namespace().is_empty() {
            return Ok(());
        }
        map.insert("name".into(), Value::String(referral.name().to_string()));
        // An empty namespace is a wild card, not `default`: never written.
        if !referral.namespace().is_empty() {
            map.insert(
                "namespace".into(),
                Value::String(referral.namespace().to_string()),
            );
        }
        Ok(())
    }

    /// The visible targets that once had this name, in build order.
    fn candidates_named(&self, name: &str) -> Vec<&'a Target> {
        self.targets
            .named(name)
            .filter(|t| self.visible.admits(t))
            .collect()
    }

    /// With a `namespace` field: the candidates originally in it, else those
    /// now in it (cluster-scoped ones never). Which of the two applies
    /// depends on every visible target, whatever its name.
    fn candidates_in_namespace(&self, map: &Map<String, Value>, name: &str) -> Vec<&'a Target> {
        let Some(namespace) = map.get("namespace") else {
            return self.candidates_named(name);
        };
        let namespace = node_text(namespace, Null::Empty);
        let any_originally_there = self.targets.all.iter().any(|t| {
            self.visible.admits(t)
                && !t.is_cluster_scoped()
                && t.original.effective_namespace() == namespace
        });
        self.candidates_named(name)
            .into_iter()
            .filter(|t| !t.is_cluster_scoped())
            .filter(|t| {
                if any_originally_there {
                    t.original.effective_namespace() == namespace
                } else {
                    t.effective_namespace == namespace
                }
            })
            .collect()
    }

    /// kustomize's `selectReferral`.
    fn select<'t>(
        &self,
        old: &str,
        candidates: &[&'t Target],
        identical: impl Fn(&Target, &Target) -> bool,
    ) -> Result<Option<&'t Target>> {
        let mut list: Vec<&Target> = candidates
            .iter()
            .copied()
            .filter(|t| t.previous.iter().any(|id| id.name == old))
            .filter(|t| previous_selected_by(t, self.reference.target))
            .filter(|t| {
                self.role_ref
                    .as_ref()
                    .is_none_or(|gvk| previous_selected_by(t, gvk))
            })
            .filter(|t| self.same_namespace_as_referrer(t))
            .collect();
        if list.len() == 1 {
            return Ok(list.pop());
        }
        list.retain(|t| affixes_match(t, self.referrer, true));
        if list.len() > 1 {
            list.retain(|t| affixes_match(t, self.referrer, false));
        }
        match list.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(*one)),
            [first, rest @ ..] if rest.iter().all(|t| identical(first, t)) => Ok(Some(*first)),
            _ => {
                let ids: Vec<String> = list.iter().map(|t| t.current.to_string()).collect();
                Err(Error::msg(format!(
                    "found multiple possible referrals: {}",
                    ids.join(", ")
                )))
            }
        }
    }

    /// Targets in another namespace than a namespaced referrer are dropped,
    /// except cluster-scoped ones and ServiceAccounts.
    fn same_namespace_as_referrer(&self, target: &Target) -> bool {
        self.referrer.is_cluster_scoped()
            || target.is_cluster_scoped()
            || target.current.gvk.kind == "ServiceAccount"
            || target.effective_namespace == self.referrer.effective_namespace
    }
}

/// The kind a `roleRef` names; `None` (accept all) when it is incomplete.
fn role_ref_gvk(object: &Value) -> Option<Gvk> {
    let role_ref = object.get("roleRef")?;
    let group = role_ref.get("apiGroup")?;
    let kind = role_ref.get("kind")?;
    Some(Gvk::new(
        &node_text(group, Null::Empty),
        "",
        &node_text(kind, Null::Empty),
    ))
}

fn previous_selected_by(target: &Target, gvk: &Gvk) -> bool {
    target.previous.iter().any(|id| id.gvk.is_selected_by(gvk))
}

/// kustomize's `PrefixesSuffixesEquals`: the shorter list of prefixes (and
/// of suffixes) ends the longer one; with `allow_empty`, an empty list on
/// either side matches anything.
fn affixes_match(target: &Target, referrer: &Target, allow_empty: bool) -> bool {
    let check = |a: &[String], b: &[String]| {
        (allow_empty && (a.is_empty() || b.is_empty())) || same_ending(a, b)
    };
    check(&target.prefixes, &referrer.prefixes) && check(&target.suffixes, &referrer.suffixes)
}

fn same_ending(a: &[String], b: &[String]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() {
        return long.is_empty();
    }
    long.ends_with(short)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::Origin;
    use crate::testing::resources;
    use crate::transform::{names, namespace};
    use serde_json::json;

    fn objects(map: ResourceMap) -> Vec<Value> {
        map.into_vec()
            .into_iter()
            .map(Resource::into_object)
            .collect()
    }

    /// `namePrefix: p-`, `nameSuffix: -s`; expected from kubectl (/tmp/tx/ps).
    #[test]
    fn config_maps_and_secrets_in_pod_templates() {
        let config = TransformerConfig::builtin();
        let env = |name: &str, kind: &str, target: &str| json!({"name": name, "valueFrom": {kind: {"name": target, "key": "k"}}});
        let deployment = |cm: &str, sec: &str| {
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                "spec": {"template": {"spec": {
                    "containers": [{"name": "c",
                        "env": [env("A", "configMapKeyRef", cm), env("B", "secretKeyRef", sec),
                            env("C", "configMapKeyRef", "unknown")],
                        "envFrom": [{"configMapRef": {"name": cm}}, {"secretRef": {"name": sec}}]}],
                    "volumes": [
                        {"name": "v1", "configMap": {"name": cm}},
                        {"name": "v2", "secret": {"secretName": sec}},
                        {"name": "v3", "projected": {"sources": [
                            {"configMap": {"name": cm}}, {"secret": {"name": sec}}]}}]}}}})
        };
        let mut map = resources(&[
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}}),
            json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "sec"}}),
            deployment("cm", "sec"),
        ]);
        names::apply_prefix(&mut map, "p-", &config.name_prefix).unwrap();
        names::apply_suffix(&mut map, "-s", &config.name_suffix).unwrap();
        fix_references(&mut map, &config).unwrap();
        let mut expected = deployment("p-cm-s", "p-sec-s");
        expected["metadata"]["name"] = json!("p-d-s");
        assert_eq!(objects(map)[2], expected);
    }

    /// `namePrefix: p-` and `namespace: prod`; expected from kubectl (/tmp/tx/sa).
    #[test]
    fn service_accounts_roles_and_bindings() {
        let config = TransformerConfig::builtin();
        let rbac = "rbac.authorization.k8s.io/v1";
        let sa = |name: &str, ns: Option<&str>, kind: &str| {
            let mut s = json!({"kind": kind, "name": name});
            if let Some(ns) = ns {
                s["namespace"] = json!(ns);
            }
            s
        };
        let mut map = resources(&[
            json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "sa"}}),
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                "spec": {"template": {"spec": {"serviceAccountName": "sa", "containers": [{"name": "c"}]}}}}),
            json!({"apiVersion": rbac, "kind": "Role", "metadata": {"name": "role"}}),
            json!({"apiVersion": rbac, "kind": "ClusterRole", "metadata": {"name": "cr"}}),
            json!({"apiVersion": rbac, "kind": "RoleBinding", "metadata": {"name": "rb"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "role"},
                "subjects": [sa("sa", None, "ServiceAccount"), sa("sa", Some("other"), "ServiceAccount"),
                    sa("sa", Some("default"), "ServiceAccount"), sa("unknown", None, "ServiceAccount"),
                    sa("sa", None, "User")]}),
            json!({"apiVersion": rbac, "kind": "RoleBinding", "metadata": {"name": "rb2"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cr"},
                "subjects": [sa("sa", Some("prod"), "ServiceAccount")]}),
            json!({"apiVersion": rbac, "kind": "ClusterRoleBinding", "metadata": {"name": "crb"},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cr"},
                "subjects": [sa("sa", Some("default"), "ServiceAccount"), sa("role", Some("default"), "ServiceAccount")]}),
        ]);
        names::apply_prefix(&mut map, "p-", &config.name_prefix).unwrap();
        namespace::apply(
            &mut map,
            "prod",
            &config.namespace,
            namespace::Options::default(),
        )
        .unwrap();
        fix_references(&mut map, &config).unwrap();
        let out = objects(map);
        assert_eq!(
            out[1]["spec"]["template"]["spec"]["serviceAccountName"],
            "p-sa"
        );
        assert_eq!(out[4]["roleRef"]["name"], "p-role");
        assert_eq!(
            out[4]["subjects"],
            json!([
                sa("p-sa", Some("prod"), "ServiceAccount"),
                sa("sa", Some("other"), "ServiceAccount"),
                sa("p-sa", Some("prod"), "ServiceAccount"),
                sa("unknown", None, "ServiceAccount"),
                sa("p-sa", Some("prod"), "User")
            ])
        );
        assert_eq!(out[5]["roleRef"]["name"], "p-cr");
        assert_eq!(
            out[5]["subjects"],
            json!([sa("p-sa", Some("prod"), "ServiceAccount")])
        );
        assert_eq!(out[6]["roleRef"]["name"], "p-cr");
        assert_eq!(
            out[6]["subjects"],
            json!([
                sa("p-sa", Some("prod"), "ServiceAccount"),
                sa("role", Some("default"), "ServiceAccount")
            ])
        );
    }

    /// Two generated ConfigMaps `cm` in namespaces a and b with different
    /// hashes; expected from kubectl (/tmp/tx/amb).
    #[test]
    fn namespaces_pick_and_ties_fail() {
        let config = TransformerConfig::builtin();
        let cm = |ns: &str, hash: &str| {
            let mut r = Resource::new(
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "namespace": ns}}),
                Origin::Inline,
            )
            .unwrap();
            r.set_name(&format!("cm-{hash}"));
            r
        };
        let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "d", "namespace": "b"},
            "spec": {"template": {"spec": {"volumes": [{"configMap": {"name": "cm"}}]}}}});
        let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": "cr"}, "rules": [{"resourceNames": ["cm"]}]});
        let build = |extra: Value| {
            let mut map: ResourceMap = [cm("a", "hmg6f82fh6"), cm("b", "d5gm26dhhd")]
                .into_iter()
                .collect();
            map.append(Resource::new(extra, Origin::Inline).unwrap())
                .unwrap();
            map
        };
        let mut map = build(deployment);
        fix_references(&mut map, &config).unwrap();
        assert_eq!(
            objects(map)[2]["spec"]["template"]["spec"]["volumes"][0]["configMap"]["name"],
            "cm-d5gm26dhhd"
        );
        let mut map = build(role);
        let err = fix_references(&mut map, &config).unwrap_err().to_string();
        assert!(err.contains("found multiple possible referrals"), "{err}");
        assert!(err.contains("rules/resourceNames"), "{err}");
    }

    /// `namePrefix: p-` over objects in namespace `web`; expected from
    /// kubectl (/tmp/tx/more).
    #[test]
    fn services_claims_and_scale_targets() {
        let config = TransformerConfig::builtin();
        let backend = |name: &str| json!({"service": {"name": name}});
        let ingress = |name: &str, ns: &str, svc: &str| {
            json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                "metadata": {"name": name, "namespace": ns},
                "spec": {"defaultBackend": backend(svc), "rules": [{"http": {"paths": [{"backend": backend(svc)}]}}]}})
        };
        let webhook = |name: &str, ns: Option<&str>| {
            let mut service = json!({"name": name});
            if let Some(ns) = ns {
                service["namespace"] = json!(ns);
            }
            json!({"name": "w", "clientConfig": {"service": service}})
        };
        let mut map = resources(&[
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc", "namespace": "web"}}),
            json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "ss", "namespace": "web"},
                "spec": {"serviceName": "svc", "template": {"spec": {"volumes": [
                    {"name": "data", "persistentVolumeClaim": {"claimName": "pvc"}}]}}}}),
            json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "pvc", "namespace": "web"}}),
            json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                "metadata": {"name": "hpa", "namespace": "web"},
                "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "ss"}}}),
            ingress("ing", "web", "svc"),
            json!({"apiVersion": "admissionregistration.k8s.io/v1", "kind": "MutatingWebhookConfiguration",
                "metadata": {"name": "mw"}, "webhooks": [webhook("svc", Some("web")), webhook("svc", None)]}),
            ingress("other", "elsewhere", "svc"),
        ]);
        names::apply_prefix(&mut map, "p-", &config.name_prefix).unwrap();
        fix_references(&mut map, &config).unwrap();
        let out = objects(map);
        assert_eq!(out[1]["spec"]["serviceName"], "p-svc");
        assert_eq!(
            out[1]["spec"]["template"]["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"],
            "p-pvc"
        );
        assert_eq!(out[3]["spec"]["scaleTargetRef"]["name"], "p-ss");
        assert_eq!(out[4], ingress("p-ing", "web", "p-svc"));
        assert_eq!(
            out[5]["webhooks"],
            json!([webhook("p-svc", Some("web")), webhook("p-svc", Some("web"))])
        );
        assert_eq!(out[6], ingress("p-other", "elsewhere", "svc"));
    }

    /// Bases a (`namePrefix: a-`) and b (`b-`) each with ConfigMap `cm` and
    /// a Pod using it, under `namePrefix: t-`; kubectl (/tmp/tx/tie) pairs
    /// each Pod with its own base's ConfigMap.
    #[test]
    fn prefixes_break_ties() {
        let config = TransformerConfig::builtin();
        let base = |prefix: &str| {
            let mut map = resources(&[
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}}),
                json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "pod"},
                    "spec": {"volumes": [{"configMap": {"name": "cm"}}]}}),
            ]);
            names::apply_prefix(&mut map, prefix, &config.name_prefix).unwrap();
            map
        };
        let mut map = base("a-");
        map.absorb(base("b-")).unwrap();
        names::apply_prefix(&mut map, "t-", &config.name_prefix).unwrap();
        fix_references(&mut map, &config).unwrap();
        let out = objects(map);
        assert_eq!(out[1]["spec"]["volumes"][0]["configMap"]["name"], "t-a-cm");
        assert_eq!(out[3]["spec"]["volumes"][0]["configMap"]["name"], "t-b-cm");
    }

    /// `namespace: prod` alone still moves ServiceAccount subjects: every
    /// resource the namespace transformer visits counts as renamed
    /// (kubectl, /tmp/tx/nsref).
    #[test]
    fn namespace_alone_moves_subjects() {
        let config = TransformerConfig::builtin();
        let subject = |ns: Option<&str>| {
            let mut s = json!({"kind": "ServiceAccount", "name": "sa"});
            if let Some(ns) = ns {
                s["namespace"] = json!(ns);
            }
            s
        };
        let mut map = resources(&[
            json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "sa", "namespace": "old"}}),
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                "metadata": {"name": "crb"}, "subjects": [subject(Some("old")), subject(None)]}),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}}),
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                "metadata": {"name": "cr"}, "rules": [{"resourceNames": ["cm", "sa"]}]}),
        ]);
        namespace::apply(
            &mut map,
            "prod",
            &config.namespace,
            namespace::Options::default(),
        )
        .unwrap();
        fix_references(&mut map, &config).unwrap();
        let out = objects(map);
        assert_eq!(
            out[1]["subjects"],
            json!([subject(Some("prod")), subject(Some("prod"))])
        );
        assert_eq!(out[3]["rules"], json!([{"resourceNames": ["cm", "sa"]}]));
    }

    /// kustomize's TestCrdBase with `namePrefix: x-` (conformance oracle):
    /// references declared by `crds:` definitions are fixed too.
    #[test]
    fn references_declared_by_crds() {
        let p = "github.com/example/pkg/apis/jingfang/v1beta1";
        let definitions = json!({
            format!("{p}.MyKind"): {"Schema": {"properties": {
                "apiVersion": {}, "kind": {}, "metadata": {}, "spec": {"$ref": format!("{p}.MyKindSpec")}}}},
            format!("{p}.MyKindSpec"): {"Schema": {"properties": {
                "beeRef": {"x-kubernetes-object-ref-api-version": "v1beta1", "x-kubernetes-object-ref-kind": "Bee"},
                "secretRef": {"x-kubernetes-object-ref-api-version": "v1", "x-kubernetes-object-ref-kind": "Secret"}}}},
        });
        let crds = TransformerConfig::from_crd_definitions(
            &definitions,
            std::path::Path::new("mycrd.json"),
        )
        .unwrap();
        let mut config = TransformerConfig::default();
        config.merge(&TransformerConfig::builtin()).unwrap();
        config.merge(&crds).unwrap();
        let mut map = resources(&[
            json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "crdsecret"}, "data": {"PATH": "yellowBrickRoad"}}),
            json!({"apiVersion": "jingfang.example.com/v1", "kind": "MyKind", "metadata": {"name": "mykind"},
                "spec": {"secretRef": {"name": "crdsecret"}, "beeRef": {"name": "bee"}}}),
            json!({"apiVersion": "v1beta1", "kind": "Bee", "metadata": {"name": "bee"}, "spec": {"action": "fly"}}),
        ]);
        names::apply_prefix(&mut map, "x-", &config.name_prefix).unwrap();
        fix_references(&mut map, &config).unwrap();
        assert_eq!(
            objects(map)[1],
            json!({"apiVersion": "jingfang.example.com/v1", "kind": "MyKind", "metadata": {"name": "x-mykind"},
                "spec": {"beeRef": {"name": "x-bee"}, "secretRef": {"name": "x-crdsecret"}}})
        );
    }
}
