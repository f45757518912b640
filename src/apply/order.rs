//! The order of an apply, from the objects' own dependencies.
//!
//! An object depends on what must exist (and be ready) before the API
//! server or its controllers can use it:
//!
//! - the Namespace it lives in;
//! - the CustomResourceDefinition of its kind (matched on `spec.group` and
//!   `spec.names.kind`);
//! - for workloads (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
//!   ReplicationController, Job, CronJob), what their pod template names:
//!   the ServiceAccount (`default` when unnamed) and the Role and
//!   ClusterRole bindings whose subjects include it, ConfigMaps, Secrets and
//!   PersistentVolumeClaims in volumes (projected ones too), `envFrom`,
//!   `env[].valueFrom` and `imagePullSecrets`;
//! - for a RoleBinding or ClusterRoleBinding, the Role or ClusterRole of its
//!   `roleRef`;
//! - for an APIService, its `spec.service`; for a Mutating or Validating
//!   WebhookConfiguration, every `webhooks[].clientConfig.service`; and the
//!   workloads (not Jobs) whose pod labels that Service selects, so that
//!   nothing calls a webhook before its pods are ready;
//! - whatever the annotation `apply.strata.dev/depends-on` lists.
//!
//! Only objects of the same build count: a reference to something the build
//! does not contain is the cluster's business, not an edge. The annotation is
//! a comma-separated list of `Kind/name` (the object's own namespace, or
//! cluster-scoped) or `Kind/namespace/name`; `Kind` may be written
//! `Kind.group` where two groups share a kind name.
//!
//! An object's step is one more than its deepest prerequisite's, so the steps
//! depend only on the set of objects, never on the build's order
//! (`sortOptions`). Within a step, Helm's install order of kinds breaks ties
//! (kinds it does not know come last, alphabetically), then the build order.
//! Everything is indexed by id: linear in objects plus references.

use std::borrow::Borrow;
use std::collections::{HashMap, VecDeque};

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::id::ResId;

/// The annotation that adds dependencies by hand.
pub const DEPENDS_ON: &str = "apply.strata.dev/depends-on";

/// Helm's install order (`pkg/release/v1/util/kind_sorter.go`, `InstallOrder`).
const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

const RBAC: &str = "rbac.authorization.k8s.io";

/// Steps of the apply: each step's objects can be applied together once
/// every earlier step is applied and ready. Indices into `objects`; within a
/// step, Helm's kind order, then the input (build) order.
pub fn steps(objects: &[Value]) -> Result<Vec<Vec<usize>>> {
    let objects: Vec<&Value> = objects.iter().collect();
    let prerequisites = Graph::new(&objects, Mode::Build)?.prerequisites;
    layers(&objects, &prerequisites)
}

/// Edges from objects to what they depend on, for the plan's display and
/// `--format json`: per object, its prerequisites (sorted indices).
pub fn dependencies(objects: &[Value]) -> Result<Vec<Vec<usize>>> {
    let objects: Vec<&Value> = objects.iter().collect();
    Ok(Graph::new(&objects, Mode::Build)?.prerequisites)
}

/// Steps for deleting `objects` (live objects, as read back): the reverse
/// of the apply steps, so that nothing is deleted before what depends on
/// it. A `depends-on` naming an object outside `objects` (one that stays)
/// or written wrongly is ignored here: it cannot hold up a deletion.
pub fn deletion_steps<V: Borrow<Value>>(objects: &[V]) -> Result<Vec<Vec<usize>>> {
    let objects: Vec<&Value> = objects.iter().map(Borrow::borrow).collect();
    let prerequisites = Graph::new(&objects, Mode::Deletion)?.prerequisites;
    let mut steps = layers(&objects, &prerequisites)?;
    steps.reverse();
    for step in &mut steps {
        step.reverse();
    }
    Ok(steps)
}

/// How an object is named in messages, the way `depends-on` names it:
/// `Kind/name` or `Kind/namespace/name`.
pub fn reference(object: &Value) -> String {
    let node = Node::of(object);
    written(node.kind, node.namespace, node.name)
}

/// [`reference()`] for an id.
pub fn reference_to(id: &ResId) -> String {
    written(&id.gvk.kind, &id.namespace, &id.name)
}

fn written(kind: &str, namespace: &str, name: &str) -> String {
    if namespace.is_empty() {
        format!("{kind}/{name}")
    } else {
        format!("{kind}/{namespace}/{name}")
    }
}

/// Whether unresolvable `depends-on` entries are errors.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Build,
    Deletion,
}

/// The parts of an object the rules look at.
struct Node<'a> {
    group: &'a str,
    kind: &'a str,
    namespace: &'a str,
    name: &'a str,
}

impl<'a> Node<'a> {
    fn of(object: &'a Value) -> Self {
        let api_version = text(object, &["apiVersion"]);
        let group = api_version.rsplit_once('/').map_or("", |(group, _)| group);
        Node {
            group,
            kind: text(object, &["kind"]),
            namespace: text(object, &["metadata", "namespace"]),
            name: text(object, &["metadata", "name"]),
        }
    }
}

/// The string at `path`, empty when missing or not a string.
fn text<'a>(value: &'a Value, path: &[&str]) -> &'a str {
    path.iter()
        .try_fold(value, |value, key| value.get(*key))
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn items(value: Option<&Value>) -> &[Value] {
    value.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// Objects by what references resolve against.
struct Index<'a, 'n> {
    nodes: &'n [Node<'a>],
    /// (kind, namespace, name) → objects (several when groups differ).
    by_name: HashMap<(&'a str, &'a str, &'a str), Vec<usize>>,
    namespaces: HashMap<&'a str, usize>,
    /// (group, kind) a CRD defines → the CRD.
    crds: HashMap<(&'a str, &'a str), usize>,
    /// ServiceAccount (namespace, name) → the bindings naming it as subject.
    bindings_of: HashMap<(&'a str, &'a str), Vec<usize>>,
    /// (namespace, label, value) of a long-running workload's pods → the workloads.
    pods_labelled: HashMap<(&'a str, &'a str, &'a str), Vec<usize>>,
    /// The objects, to read Services' selectors and pods' labels.
    objects: &'n [&'a Value],
}

impl<'a, 'n> Index<'a, 'n> {
    fn new(objects: &'n [&'a Value], nodes: &'n [Node<'a>]) -> Self {
        let mut index = Index {
            nodes,
            by_name: HashMap::with_capacity(nodes.len()),
            namespaces: HashMap::new(),
            crds: HashMap::new(),
            bindings_of: HashMap::new(),
            pods_labelled: HashMap::new(),
            objects,
        };
        for (i, (object, node)) in objects.iter().zip(nodes).enumerate() {
            index
                .by_name
                .entry((node.kind, node.namespace, node.name))
                .or_default()
                .push(i);
            match (node.group, node.kind) {
                ("", "Namespace") => {
                    index.namespaces.entry(node.name).or_insert(i);
                }
                ("apiextensions.k8s.io", "CustomResourceDefinition") => {
                    let group = text(object, &["spec", "group"]);
                    let kind = text(object, &["spec", "names", "kind"]);
                    if !kind.is_empty() {
                        index.crds.entry((group, kind)).or_insert(i);
                    }
                }
                (RBAC, "RoleBinding" | "ClusterRoleBinding") => {
                    for subject in items(object.get("subjects")) {
                        if text(subject, &["kind"]) != "ServiceAccount" {
                            continue;
                        }
                        let namespace = match text(subject, &["namespace"]) {
                            "" => node.namespace,
                            namespace => namespace,
                        };
                        let bindings = index
                            .bindings_of
                            .entry((namespace, text(subject, &["name"])))
                            .or_default();
                        if bindings.last() != Some(&i) {
                            bindings.push(i);
                        }
                    }
                }
                _ => {}
            }
            if let Some(labels) = serving_pod_labels(object, node) {
                for (key, value) in labels {
                    if let Some(value) = value.as_str() {
                        index
                            .pods_labelled
                            .entry((node.namespace, key, value))
                            .or_default()
                            .push(i);
                    }
                }
            }
        }
        index
    }

    /// The long-running workloads whose pods a Service's selector picks.
    fn backends(&self, service: usize) -> Vec<usize> {
        let namespace = self.nodes[service].namespace;
        let Some(selector) = self.objects[service]
            .pointer("/spec/selector")
            .and_then(Value::as_object)
        else {
            return Vec::new();
        };
        let pairs: Vec<(&str, &str)> = selector
            .iter()
            .filter_map(|(key, value)| Some((key.as_str(), value.as_str()?)))
            .collect();
        let Some(&(key, value)) = pairs.first() else {
            return Vec::new();
        };
        // Candidates from the first pair, checked against the others.
        self.pods_labelled
            .get(&(namespace, key, value))
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .copied()
            .filter(|&i| {
                let labels = serving_pod_labels(self.objects[i], &self.nodes[i]);
                pairs.iter().all(|(key, value)| {
                    labels
                        .and_then(|labels| labels.get(*key))
                        .and_then(Value::as_str)
                        == Some(value)
                })
            })
            .collect()
    }

    /// Objects of `kind` named `name` in `namespace`, of `group` when given.
    fn find(&self, group: Option<&str>, kind: &str, namespace: &str, name: &str) -> Vec<usize> {
        self.by_name
            .get(&(kind, namespace, name))
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .copied()
            .filter(|&i| group.is_none_or(|group| self.nodes[i].group == group))
            .collect()
    }
}

/// Collects one object's prerequisites.
struct Edges<'i, 'a, 'n> {
    index: &'i Index<'a, 'n>,
    this: usize,
    list: Vec<usize>,
}

impl Edges<'_, '_, '_> {
    fn add(&mut self, prerequisite: usize) {
        if prerequisite != self.this {
            self.list.push(prerequisite);
        }
    }

    /// An object of `group`/`kind` named `name` in `namespace`, if the build has one.
    fn to(&mut self, group: &str, kind: &str, namespace: &str, name: &str) {
        if name.is_empty() {
            return;
        }
        for prerequisite in self.index.find(Some(group), kind, namespace, name) {
            self.add(prerequisite);
        }
    }

    /// The rules every object follows, then the rules of its kind.
    fn implicit(&mut self, object: &Value, node: &Node) {
        let index = self.index;
        if !node.namespace.is_empty() {
            if let Some(&namespace) = index.namespaces.get(node.namespace) {
                self.add(namespace);
            }
        }
        if let Some(&crd) = index.crds.get(&(node.group, node.kind)) {
            self.add(crd);
        }
        match (node.group, node.kind) {
            (RBAC, "RoleBinding") => {
                let role = text(object, &["roleRef", "name"]);
                match text(object, &["roleRef", "kind"]) {
                    "Role" => self.to(RBAC, "Role", node.namespace, role),
                    "ClusterRole" => self.to(RBAC, "ClusterRole", "", role),
                    _ => {}
                }
            }
            (RBAC, "ClusterRoleBinding") => {
                if text(object, &["roleRef", "kind"]) == "ClusterRole" {
                    self.to(RBAC, "ClusterRole", "", text(object, &["roleRef", "name"]));
                }
            }
            ("apiregistration.k8s.io", "APIService") => {
                self.service(object.pointer("/spec/service"));
            }
            (
                "admissionregistration.k8s.io",
                "MutatingWebhookConfiguration" | "ValidatingWebhookConfiguration",
            ) => {
                for webhook in items(object.get("webhooks")) {
                    self.service(webhook.pointer("/clientConfig/service"));
                }
            }
            _ => {
                if let Some(pod) = pod_spec(object, node) {
                    self.pod(pod, node.namespace);
                }
            }
        }
    }

    /// The Service an APIService or webhook calls, and the workloads
    /// serving it: calls fail until their pods are ready.
    fn service(&mut self, service: Option<&Value>) {
        let Some(service) = service else {
            return;
        };
        let (namespace, name) = (text(service, &["namespace"]), text(service, &["name"]));
        for found in self.index.find(Some(""), "Service", namespace, name) {
            self.add(found);
            for backend in self.index.backends(found) {
                self.add(backend);
            }
        }
    }

    /// What a pod spec in `namespace` names.
    fn pod(&mut self, pod: &Value, namespace: &str) {
        let account = match text(pod, &["serviceAccountName"]) {
            "" => match text(pod, &["serviceAccount"]) {
                "" => "default",
                account => account,
            },
            account => account,
        };
        self.to("", "ServiceAccount", namespace, account);
        if let Some(bindings) = self.index.bindings_of.get(&(namespace, account)) {
            for &binding in bindings {
                self.add(binding);
            }
        }
        for secret in items(pod.get("imagePullSecrets")) {
            self.to("", "Secret", namespace, text(secret, &["name"]));
        }
        for volume in items(pod.get("volumes")) {
            self.volume_source(volume, namespace);
            let claim = text(volume, &["persistentVolumeClaim", "claimName"]);
            self.to("", "PersistentVolumeClaim", namespace, claim);
            for source in items(volume.pointer("/projected/sources")) {
                self.to(
                    "",
                    "ConfigMap",
                    namespace,
                    text(source, &["configMap", "name"]),
                );
                self.to("", "Secret", namespace, text(source, &["secret", "name"]));
            }
        }
        for field in ["initContainers", "containers", "ephemeralContainers"] {
            for container in items(pod.get(field)) {
                for from in items(container.get("envFrom")) {
                    self.to(
                        "",
                        "ConfigMap",
                        namespace,
                        text(from, &["configMapRef", "name"]),
                    );
                    self.to("", "Secret", namespace, text(from, &["secretRef", "name"]));
                }
                for env in items(container.get("env")) {
                    let Some(from) = env.get("valueFrom") else {
                        continue;
                    };
                    self.to(
                        "",
                        "ConfigMap",
                        namespace,
                        text(from, &["configMapKeyRef", "name"]),
                    );
                    self.to(
                        "",
                        "Secret",
                        namespace,
                        text(from, &["secretKeyRef", "name"]),
                    );
                }
            }
        }
    }

    fn volume_source(&mut self, volume: &Value, namespace: &str) {
        self.to(
            "",
            "ConfigMap",
            namespace,
            text(volume, &["configMap", "name"]),
        );
        self.to(
            "",
            "Secret",
            namespace,
            text(volume, &["secret", "secretName"]),
        );
    }
}

/// The pod labels of a workload that serves (not a Job or CronJob).
fn serving_pod_labels<'v>(object: &'v Value, node: &Node) -> Option<&'v Map<String, Value>> {
    let path = match (node.group, node.kind) {
        ("", "Pod") => "/metadata/labels",
        ("", "ReplicationController")
        | ("apps" | "extensions", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet") => {
            "/spec/template/metadata/labels"
        }
        _ => return None,
    };
    object.pointer(path).and_then(Value::as_object)
}

/// The pod spec of a workload, `None` for other kinds.
fn pod_spec<'v>(object: &'v Value, node: &Node) -> Option<&'v Value> {
    let path = match (node.group, node.kind) {
        ("", "Pod") => "/spec",
        ("", "ReplicationController")
        | ("apps" | "extensions", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet")
        | ("batch", "Job") => "/spec/template/spec",
        ("batch", "CronJob") => "/spec/jobTemplate/spec/template/spec",
        _ => return None,
    };
    object.pointer(path)
}

/// Adds the edges `depends-on` lists.
fn depends_on(object: &Value, node: &Node, edges: &mut Edges, mode: Mode) -> Result<()> {
    let Some(annotation) = object
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(DEPENDS_ON))
    else {
        return Ok(());
    };
    let fail = |message: String| -> Result<()> {
        match mode {
            Mode::Build => Err(Error::resource(
                &ResId::of(object),
                format!("annotation `{DEPENDS_ON}`: {message}"),
            )),
            Mode::Deletion => Ok(()),
        }
    };
    let Some(list) = annotation.as_str() else {
        return fail("expected a string of `Kind/name` entries separated by commas".into());
    };
    for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let parts: Vec<&str> = entry.split('/').collect();
        let (kind, namespace, name) = match parts[..] {
            [kind, name] => (kind, None, name),
            [kind, namespace, name] => (kind, Some(namespace), name),
            _ => {
                fail(format!(
                    "`{entry}` is neither `Kind/name` nor `Kind/namespace/name`"
                ))?;
                continue;
            }
        };
        if kind.is_empty() || name.is_empty() || namespace == Some("") {
            fail(format!("`{entry}` has an empty part"))?;
            continue;
        }
        let (kind, group) = match kind.split_once('.') {
            Some((kind, group)) => (kind, Some(group)),
            None => (kind, None),
        };
        let index = edges.index;
        let found: Vec<usize> = match namespace {
            Some(namespace) => index.find(group, kind, namespace, name),
            None => {
                let here = index.find(group, kind, node.namespace, name);
                if here.is_empty() {
                    index.find(group, kind, "", name)
                } else {
                    here
                }
            }
        };
        match found[..] {
            [] => fail(format!("`{entry}` names no object in the build"))?,
            [one] if one == edges.this => fail(format!("`{entry}` names the object itself"))?,
            [one] => edges.add(one),
            _ => {
                let groups: Vec<String> = found
                    .iter()
                    .map(|&i| format!("`{kind}.{}`", index.nodes[i].group))
                    .collect();
                fail(format!(
                    "`{entry}` names objects of several groups: write {}",
                    groups.join(" or ")
                ))?
            }
        }
    }
    Ok(())
}

/// Each object's prerequisites, sorted and without duplicates.
struct Graph {
    prerequisites: Vec<Vec<usize>>,
}

impl Graph {
    fn new(objects: &[&Value], mode: Mode) -> Result<Self> {
        let nodes: Vec<Node> = objects.iter().map(|object| Node::of(object)).collect();
        let index = Index::new(objects, &nodes);
        let mut prerequisites = Vec::with_capacity(objects.len());
        for (i, (object, node)) in objects.iter().zip(&nodes).enumerate() {
            let mut edges = Edges {
                index: &index,
                this: i,
                list: Vec::new(),
            };
            edges.implicit(object, node);
            depends_on(object, node, &mut edges, mode)?;
            let mut list = edges.list;
            list.sort_unstable();
            list.dedup();
            prerequisites.push(list);
        }
        Ok(Graph { prerequisites })
    }
}

/// Groups objects by depth (Kahn's algorithm), each group in tie-break order.
fn layers(objects: &[&Value], prerequisites: &[Vec<usize>]) -> Result<Vec<Vec<usize>>> {
    let count = objects.len();
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); count];
    let mut waiting: Vec<usize> = Vec::with_capacity(count);
    for (i, list) in prerequisites.iter().enumerate() {
        waiting.push(list.len());
        for &p in list {
            dependents[p].push(i);
        }
    }
    let mut depth = vec![0usize; count];
    let mut queue: VecDeque<usize> = (0..count).filter(|&i| waiting[i] == 0).collect();
    let mut done = 0;
    while let Some(i) = queue.pop_front() {
        done += 1;
        for &d in &dependents[i] {
            depth[d] = depth[d].max(depth[i] + 1);
            waiting[d] -= 1;
            if waiting[d] == 0 {
                queue.push_back(d);
            }
        }
    }
    if done < count {
        return Err(cycle_error(objects, prerequisites, &waiting));
    }
    let mut steps: Vec<Vec<usize>> = vec![Vec::new(); depth.iter().max().map_or(0, |d| d + 1)];
    for (i, &d) in depth.iter().enumerate() {
        steps[d].push(i);
    }
    let kinds: Vec<&str> = objects.iter().map(|o| text(o, &["kind"])).collect();
    let ranks: HashMap<&str, usize> = INSTALL_ORDER
        .iter()
        .enumerate()
        .map(|(rank, kind)| (*kind, rank))
        .collect();
    for step in &mut steps {
        step.sort_by_key(|&i| match ranks.get(kinds[i]) {
            Some(&rank) => (rank, "", i),
            None => (INSTALL_ORDER.len(), kinds[i], i),
        });
    }
    Ok(steps)
}

/// Names one cycle among the objects Kahn's algorithm could not place:
/// each of them waits on another of them, so following prerequisites
/// from any of them comes back to one already seen.
fn cycle_error(objects: &[&Value], prerequisites: &[Vec<usize>], waiting: &[usize]) -> Error {
    let stuck = |i: usize| waiting[i] > 0;
    let start = (0..objects.len()).find(|&i| stuck(i)).unwrap_or(0);
    let mut seen_at: HashMap<usize, usize> = HashMap::new();
    let mut path = Vec::new();
    let mut at = start;
    while let std::collections::hash_map::Entry::Vacant(entry) = seen_at.entry(at) {
        entry.insert(path.len());
        path.push(at);
        match prerequisites[at].iter().copied().find(|&p| stuck(p)) {
            Some(next) => at = next,
            None => break,
        }
    }
    let from = seen_at.get(&at).copied().unwrap_or(0);
    let mut members: Vec<String> = path[from..]
        .iter()
        .map(|&i| reference(objects[i]))
        .collect();
    members.push(reference(objects[at]));
    Error::msg(format!(
        "dependency cycle: {} (each needs the next applied first; see annotation `{DEPENDS_ON}`)",
        members.join(" -> ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(api_version: &str, kind: &str, namespace: &str, name: &str) -> Value {
        let mut object =
            json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": name}});
        if !namespace.is_empty() {
            object["metadata"]["namespace"] = json!(namespace);
        }
        object
    }

    fn with(mut object: Value, field: &str, value: Value) -> Value {
        object[field] = value;
        object
    }

    fn annotated(mut object: Value, depends_on: &str) -> Value {
        object["metadata"]["annotations"] = json!({DEPENDS_ON: depends_on});
        object
    }

    fn deployment(namespace: &str, name: &str, pod: Value) -> Value {
        with(
            object("apps/v1", "Deployment", namespace, name),
            "spec",
            json!({"template": {"spec": pod}}),
        )
    }

    /// Steps as `depends-on` references, to compare without indices.
    fn named(objects: &[Value], steps: &[Vec<usize>]) -> Vec<Vec<String>> {
        steps
            .iter()
            .map(|step| step.iter().map(|&i| reference(&objects[i])).collect())
            .collect()
    }

    fn named_steps(objects: &[Value]) -> Vec<Vec<String>> {
        named(objects, &steps(objects).unwrap())
    }

    fn prerequisites_of(objects: &[Value], i: usize) -> Vec<String> {
        dependencies(objects).unwrap()[i]
            .iter()
            .map(|&p| reference(&objects[p]))
            .collect()
    }

    /// Every object appears once, after all its prerequisites.
    fn assert_consistent(objects: &[Value], steps: &[Vec<usize>]) {
        let mut step_of = vec![usize::MAX; objects.len()];
        for (n, step) in steps.iter().enumerate() {
            for &i in step {
                assert_eq!(step_of[i], usize::MAX, "object {i} placed twice");
                step_of[i] = n;
            }
        }
        assert!(
            step_of.iter().all(|&s| s != usize::MAX),
            "an object is missing"
        );
        for (i, list) in dependencies(objects).unwrap().iter().enumerate() {
            for &p in list {
                assert!(
                    step_of[p] < step_of[i],
                    "{i} placed before its prerequisite {p}"
                );
            }
        }
    }

    #[test]
    fn namespaces_come_before_what_they_contain() {
        let objects = [
            object("v1", "ConfigMap", "shop", "settings"),
            object("v1", "ConfigMap", "other", "settings"),
            object("v1", "Namespace", "", "shop"),
        ];
        assert_eq!(
            named_steps(&objects),
            [
                vec!["Namespace/shop", "ConfigMap/other/settings"],
                vec!["ConfigMap/shop/settings"]
            ]
        );
    }

    #[test]
    fn custom_resources_come_after_their_definition() {
        let crd = with(
            object(
                "apiextensions.k8s.io/v1",
                "CustomResourceDefinition",
                "",
                "certificates.cert-manager.io",
            ),
            "spec",
            json!({"group": "cert-manager.io", "names": {"kind": "Certificate", "plural": "certificates"}}),
        );
        let objects = [
            object("cert-manager.io/v1", "Certificate", "web", "tls"),
            // Same kind, another group: not defined by this CRD.
            object("example.com/v1", "Certificate", "web", "other"),
            crd,
        ];
        assert_eq!(
            named_steps(&objects),
            [
                vec![
                    "CustomResourceDefinition/certificates.cert-manager.io",
                    "Certificate/web/other"
                ],
                vec!["Certificate/web/tls"]
            ]
        );
    }

    #[test]
    fn workloads_come_after_what_their_pods_use() {
        let pod = json!({
            "serviceAccountName": "runner",
            "imagePullSecrets": [{"name": "registry"}],
            "volumes": [
                {"name": "a", "configMap": {"name": "files"}},
                {"name": "b", "secret": {"secretName": "tls"}},
                {"name": "c", "persistentVolumeClaim": {"claimName": "data"}},
                {"name": "d", "projected": {"sources": [{"configMap": {"name": "projected"}}]}}
            ],
            "initContainers": [{"name": "init", "envFrom": [{"secretRef": {"name": "init-env"}}]}],
            "containers": [{
                "name": "app",
                "envFrom": [{"configMapRef": {"name": "env"}}],
                "env": [{"name": "P", "valueFrom": {"secretKeyRef": {"name": "password", "key": "p"}}}]
            }]
        });
        let mut objects = vec![deployment("ns", "web", pod)];
        for (kind, name) in [
            ("ServiceAccount", "runner"),
            ("Secret", "registry"),
            ("ConfigMap", "files"),
            ("Secret", "tls"),
            ("PersistentVolumeClaim", "data"),
            ("ConfigMap", "projected"),
            ("Secret", "init-env"),
            ("ConfigMap", "env"),
            ("Secret", "password"),
            ("ConfigMap", "unused"),
            ("ServiceAccount", "default"),
        ] {
            objects.push(object("v1", kind, "ns", name));
        }
        // The same names in another namespace are other objects.
        objects.push(object("v1", "ConfigMap", "elsewhere", "files"));
        let mut expected: Vec<String> = objects[1..10].iter().map(reference).collect();
        expected.sort();
        let mut found = prerequisites_of(&objects, 0);
        found.sort();
        assert_eq!(found, expected);
        assert_consistent(&objects, &steps(&objects).unwrap());
    }

    #[test]
    fn every_workload_kind_is_read_where_its_pod_template_is() {
        let pod =
            json!({"containers": [{"name": "c", "envFrom": [{"configMapRef": {"name": "env"}}]}]});
        let templated = json!({"template": {"spec": pod}});
        let objects = [
            object("v1", "ConfigMap", "ns", "env"),
            with(object("v1", "Pod", "ns", "p"), "spec", pod.clone()),
            with(
                object("apps/v1", "StatefulSet", "ns", "s"),
                "spec",
                templated.clone(),
            ),
            with(
                object("apps/v1", "DaemonSet", "ns", "d"),
                "spec",
                templated.clone(),
            ),
            with(
                object("apps/v1", "ReplicaSet", "ns", "r"),
                "spec",
                templated.clone(),
            ),
            with(
                object("v1", "ReplicationController", "ns", "rc"),
                "spec",
                templated.clone(),
            ),
            with(
                object("batch/v1", "Job", "ns", "j"),
                "spec",
                templated.clone(),
            ),
            with(
                object("batch/v1", "CronJob", "ns", "c"),
                "spec",
                json!({"jobTemplate": {"spec": templated}}),
            ),
        ];
        let dependencies = dependencies(&objects).unwrap();
        for (i, list) in dependencies.iter().enumerate().skip(1) {
            assert_eq!(list, &[0], "{}", reference(&objects[i]));
        }
    }

    #[test]
    fn a_service_account_without_name_is_default_and_bindings_come_first() {
        let role = object("rbac.authorization.k8s.io/v1", "Role", "ns", "reader");
        let binding = with(
            with(
                object("rbac.authorization.k8s.io/v1", "RoleBinding", "ns", "read"),
                "roleRef",
                json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"}),
            ),
            "subjects",
            json!([{"kind": "ServiceAccount", "name": "default"}]),
        );
        let cluster_role = object("rbac.authorization.k8s.io/v1", "ClusterRole", "", "admin");
        let cluster_binding = with(
            with(
                object(
                    "rbac.authorization.k8s.io/v1",
                    "ClusterRoleBinding",
                    "",
                    "admin",
                ),
                "roleRef",
                json!({"kind": "ClusterRole", "name": "admin"}),
            ),
            "subjects",
            json!([{"kind": "ServiceAccount", "name": "default", "namespace": "ns"}]),
        );
        let objects = [
            deployment("ns", "web", json!({"containers": [{"name": "c"}]})),
            cluster_binding,
            binding,
            object("v1", "ServiceAccount", "ns", "default"),
            role,
            cluster_role,
        ];
        assert_eq!(
            named_steps(&objects),
            [
                vec![
                    "ServiceAccount/ns/default",
                    "ClusterRole/admin",
                    "Role/ns/reader"
                ],
                vec!["ClusterRoleBinding/admin", "RoleBinding/ns/read"],
                vec!["Deployment/ns/web"]
            ]
        );
    }

    #[test]
    fn services_come_before_api_services_and_webhooks_that_call_them() {
        let api_service = with(
            object(
                "apiregistration.k8s.io/v1",
                "APIService",
                "",
                "v1beta1.metrics.k8s.io",
            ),
            "spec",
            json!({"service": {"namespace": "kube-system", "name": "metrics"}}),
        );
        let webhook = with(
            object(
                "admissionregistration.k8s.io/v1",
                "ValidatingWebhookConfiguration",
                "",
                "check",
            ),
            "webhooks",
            json!([
                {"name": "a", "clientConfig": {"url": "https://example.com"}},
                {"name": "b", "clientConfig": {"service": {"namespace": "hooks", "name": "webhook"}}}
            ]),
        );
        let mutating = with(
            object(
                "admissionregistration.k8s.io/v1",
                "MutatingWebhookConfiguration",
                "",
                "mutate",
            ),
            "webhooks",
            json!([{"name": "c", "clientConfig": {"service": {"namespace": "hooks", "name": "webhook"}}}]),
        );
        let objects = [
            api_service,
            webhook,
            mutating,
            object("v1", "Service", "kube-system", "metrics"),
            object("v1", "Service", "hooks", "webhook"),
        ];
        assert_eq!(
            prerequisites_of(&objects, 0),
            ["Service/kube-system/metrics"]
        );
        assert_eq!(prerequisites_of(&objects, 1), ["Service/hooks/webhook"]);
        assert_eq!(prerequisites_of(&objects, 2), ["Service/hooks/webhook"]);
        assert_eq!(named_steps(&objects).len(), 2);
    }

    #[test]
    fn webhooks_wait_for_the_workloads_behind_their_service() {
        let templated = |labels: Value| json!({"selector": {"matchLabels": labels}, "template": {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "c"}]}}});
        let objects = [
            with(
                object(
                    "admissionregistration.k8s.io/v1",
                    "ValidatingWebhookConfiguration",
                    "",
                    "check",
                ),
                "webhooks",
                json!([{"name": "a", "clientConfig": {"service": {"namespace": "hooks", "name": "webhook"}}}]),
            ),
            with(
                object("v1", "Service", "hooks", "webhook"),
                "spec",
                json!({"selector": {"app": "webhook", "tier": "api"}, "ports": [{"port": 443}]}),
            ),
            with(
                object("apps/v1", "Deployment", "hooks", "server"),
                "spec",
                templated(json!({"app": "webhook", "tier": "api", "extra": "x"})),
            ),
            // One label differs; another namespace; a Job.
            with(
                object("apps/v1", "Deployment", "hooks", "other"),
                "spec",
                templated(json!({"app": "webhook", "tier": "db"})),
            ),
            with(
                object("apps/v1", "Deployment", "elsewhere", "server"),
                "spec",
                templated(json!({"app": "webhook", "tier": "api"})),
            ),
            with(
                object("batch/v1", "Job", "hooks", "migrate"),
                "spec",
                templated(json!({"app": "webhook", "tier": "api"})),
            ),
            with(
                object("v1", "Pod", "hooks", "single"),
                "metadata",
                json!({"name": "single", "namespace": "hooks", "labels": {"app": "webhook", "tier": "api"}}),
            ),
        ];
        let mut found = prerequisites_of(&objects, 0);
        found.sort();
        assert_eq!(
            found,
            [
                "Deployment/hooks/server",
                "Pod/hooks/single",
                "Service/hooks/webhook"
            ]
        );
        let steps = steps(&objects).unwrap();
        assert_consistent(&objects, &steps);
        assert_eq!(steps.last().unwrap(), &[0]);
    }

    #[test]
    fn depends_on_resolves_in_the_own_namespace_then_cluster_wide() {
        let objects = [
            annotated(
                object("v1", "ConfigMap", "ns", "a"),
                "Secret/s, ClusterRole/admin ,ConfigMap/other/b,Widget.example.com/w",
            ),
            object("v1", "Secret", "ns", "s"),
            object("v1", "Secret", "other", "s"),
            object("rbac.authorization.k8s.io/v1", "ClusterRole", "", "admin"),
            object("v1", "ConfigMap", "other", "b"),
            object("example.com/v1", "Widget", "ns", "w"),
            object("example.org/v1", "Widget", "ns", "w"),
        ];
        assert_eq!(
            prerequisites_of(&objects, 0),
            [
                "Secret/ns/s",
                "ClusterRole/admin",
                "ConfigMap/other/b",
                "Widget/ns/w"
            ]
        );
    }

    #[test]
    fn depends_on_errors_name_the_annotation_and_the_object() {
        let base = [
            object("example.com/v1", "Widget", "ns", "w"),
            object("example.org/v1", "Widget", "ns", "w"),
        ];
        for (value, expected) in [
            (
                "Secret/missing",
                "`Secret/missing` names no object in the build",
            ),
            (
                "Secret",
                "`Secret` is neither `Kind/name` nor `Kind/namespace/name`",
            ),
            ("Secret//x", "`Secret//x` has an empty part"),
            ("ConfigMap/a", "`ConfigMap/a` names the object itself"),
            (
                "Widget/w",
                "write `Widget.example.com` or `Widget.example.org`",
            ),
        ] {
            let mut objects = base.to_vec();
            objects.push(annotated(object("v1", "ConfigMap", "ns", "a"), value));
            let error = steps(&objects).unwrap_err().to_string();
            assert!(
                error.starts_with("v1 ConfigMap ns/a: annotation `apply.strata.dev/depends-on`"),
                "{error}"
            );
            assert!(error.contains(expected), "{error}");
        }
    }

    #[test]
    fn a_cycle_is_an_error_naming_it() {
        let objects = [
            object("v1", "Namespace", "", "ns"),
            annotated(object("v1", "ConfigMap", "ns", "waits"), "ConfigMap/a"),
            annotated(object("v1", "ConfigMap", "ns", "a"), "Secret/b"),
            annotated(object("v1", "Secret", "ns", "b"), "ConfigMap/a"),
        ];
        let error = steps(&objects).unwrap_err().to_string();
        // The object waiting on the cycle is not part of it.
        assert!(
            error.starts_with(
                "dependency cycle: ConfigMap/ns/a -> Secret/ns/b -> ConfigMap/ns/a (each needs"
            ),
            "{error}"
        );
        // A cycle among objects being deleted still has no order.
        assert!(deletion_steps(&objects).is_err());
    }

    #[test]
    fn helm_kind_order_breaks_ties_then_the_build_order() {
        let objects = [
            object("example.com/v1", "Zebra", "", "z"),
            object("apps/v1", "Deployment", "", "d2"),
            object("example.com/v1", "Aardvark", "", "a"),
            object("v1", "Service", "", "s"),
            object("apps/v1", "Deployment", "", "d1"),
            object("v1", "ConfigMap", "", "c"),
            object("v1", "Namespace", "", "n"),
        ];
        assert_eq!(
            named_steps(&objects),
            [vec![
                "Namespace/n",
                "ConfigMap/c",
                "Service/s",
                "Deployment/d2",
                "Deployment/d1",
                "Aardvark/a",
                "Zebra/z"
            ]]
        );
    }

    #[test]
    fn steps_do_not_depend_on_the_input_order() {
        let mut objects = kubeflow_like(3);
        let forward = named_steps(&objects);
        objects.reverse();
        let mut backward = named_steps(&objects);
        // Only objects of one kind may swap (the build order's tie-break).
        for (a, b) in forward.iter().zip(&mut backward) {
            let mut a = a.clone();
            a.sort();
            b.sort();
            assert_eq!(&a, b);
        }
        assert_eq!(forward.len(), backward.len());
    }

    #[test]
    fn deletion_is_the_reverse_and_ignores_objects_that_stay() {
        let objects = [
            object("v1", "Namespace", "", "ns"),
            annotated(
                object("v1", "ConfigMap", "ns", "a"),
                "Secret/kept-in-the-cluster",
            ),
            deployment(
                "ns",
                "web",
                json!({"containers": [{"name": "c", "envFrom": [{"configMapRef": {"name": "a"}}]}]}),
            ),
        ];
        assert!(steps(&objects).is_err());
        assert_eq!(
            named(&objects, &deletion_steps(&objects).unwrap()),
            [
                vec!["Deployment/ns/web"],
                vec!["ConfigMap/ns/a"],
                vec!["Namespace/ns"]
            ]
        );
    }

    /// A build shaped like kubeflow's: namespaces, CRDs and their custom
    /// resources, RBAC, configuration and workloads using it.
    fn kubeflow_like(namespaces: usize) -> Vec<Value> {
        let mut objects = Vec::new();
        for n in 0..namespaces {
            let ns = format!("team-{n}");
            let group = format!("g{n}.example.com");
            objects.push(object("v1", "Namespace", "", &ns));
            objects.push(with(
                object(
                    "apiextensions.k8s.io/v1",
                    "CustomResourceDefinition",
                    "",
                    &format!("widgets.{group}"),
                ),
                "spec",
                json!({"group": group, "names": {"kind": "Widget"}}),
            ));
            for i in 0..4 {
                objects.push(object(
                    &format!("{group}/v1"),
                    "Widget",
                    &ns,
                    &format!("w{i}"),
                ));
                objects.push(object("v1", "ConfigMap", &ns, &format!("config-{i}")));
                objects.push(object("v1", "Secret", &ns, &format!("secret-{i}")));
                objects.push(object("v1", "Service", &ns, &format!("svc-{i}")));
                objects.push(object("v1", "ServiceAccount", &ns, &format!("sa-{i}")));
                objects.push(with(
                    with(
                        object(
                            "rbac.authorization.k8s.io/v1",
                            "RoleBinding",
                            &ns,
                            &format!("rb-{i}"),
                        ),
                        "roleRef",
                        json!({"kind": "ClusterRole", "name": "edit"}),
                    ),
                    "subjects",
                    json!([{"kind": "ServiceAccount", "name": format!("sa-{i}")}]),
                ));
                objects.push(deployment(
                    &ns,
                    &format!("app-{i}"),
                    json!({
                        "serviceAccountName": format!("sa-{i}"),
                        "volumes": [{"name": "c", "configMap": {"name": format!("config-{i}")}}],
                        "containers": [{"name": "c", "envFrom": [{"secretRef": {"name": format!("secret-{i}")}}]}]
                    }),
                ));
            }
        }
        objects.push(object(
            "rbac.authorization.k8s.io/v1",
            "ClusterRole",
            "",
            "edit",
        ));
        objects
    }

    #[test]
    fn two_thousand_objects() {
        let objects = kubeflow_like(67);
        assert_eq!(objects.len(), 67 * 30 + 1);
        let steps = steps(&objects).unwrap();
        assert_consistent(&objects, &steps);
        // Namespaces, CRDs and the ClusterRole; then what lives in the
        // namespaces (bindings too: their role is cluster-wide); then workloads.
        assert_eq!(steps.len(), 3);
        assert_eq!(steps[0].len(), 67 * 2 + 1);
        assert_eq!(steps[1].len(), 67 * 4 * 6);
        assert_eq!(steps[2].len(), 67 * 4);
        assert!(steps[2].iter().all(|&i| objects[i]["kind"] == "Deployment"));
    }
}
