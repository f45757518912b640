//! Readiness of a live object, by kstatus's rules (sigs.k8s.io/cli-utils
//! `pkg/kstatus/status`), with kstatus's wording.
//!
//! Generic rules first, for every kind: a `deletionTimestamp` means
//! terminating; a `metadata.generation` the controller has not observed yet
//! (`status.observedGeneration` differs) means in progress; a condition
//! `Reconciling=True` means in progress and `Stalled=True` failed. Then the
//! kind's own rule ([`RULES`]); then a `Ready` condition; then ready (nothing
//! to wait for).
//!
//! Where strata waits for more than kstatus, because `strata apply` waits
//! for the work to be done and not only for the controller to have seen it:
//! a Job is ready once `Complete` (kstatus: once started), a Service of type
//! LoadBalancer once it has an ingress (kstatus: a cluster IP), an
//! APIService once `Available` (kstatus: no rule). A paused Deployment is
//! ready, as Helm's `--wait` counts it (kstatus waits for a rollout that
//! cannot happen). A failed Pod and a `Lost` claim are failures (kstatus:
//! current and in progress). A claim of a WaitForFirstConsumer storage class
//! is ready while `Pending`: no volume is bound until a pod uses it
//! ([`Context`]).
//!
//! kstatus's one clock-dependent rule (an unschedulable Pod fails after 15
//! seconds) is left to the caller's timeout: here it stays in progress,
//! with the scheduler's message.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::id::Gvk;

/// kstatus's verdict on one live object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    /// Human text, e.g. `Updated: 2/3`, `Install in progress`.
    InProgress {
        reason: String,
    },
    /// E.g. a Job's `Failed` condition, `Stalled=True`.
    Failed {
        reason: String,
    },
    Terminating,
}

impl Readiness {
    fn in_progress(reason: impl Into<String>) -> Self {
        Readiness::InProgress {
            reason: reason.into(),
        }
    }

    fn failed(reason: impl Into<String>) -> Self {
        Readiness::Failed {
            reason: reason.into(),
        }
    }

    pub fn is_ready(&self) -> bool {
        *self == Readiness::Ready
    }
}

/// What readiness needs to know beyond the object itself, filled by the
/// caller from the cluster.
#[derive(Clone, Debug, Default)]
pub struct Context {
    /// StorageClasses whose `volumeBindingMode` is `WaitForFirstConsumer`.
    pub late_binding_classes: BTreeSet<String>,
    /// The default StorageClass, for claims that name none.
    pub default_class: Option<String>,
}

impl Context {
    /// The context from the cluster's StorageClasses (`storage.k8s.io/v1`,
    /// as listed): their binding modes and the one annotated
    /// `storageclass.kubernetes.io/is-default-class: "true"`.
    pub fn from_storage_classes(classes: &[Value]) -> Self {
        let mut context = Context::default();
        for class in classes {
            let name = text(class, &["metadata", "name"]);
            if name.is_empty() {
                continue;
            }
            if text(class, &["volumeBindingMode"]) == "WaitForFirstConsumer" {
                context.late_binding_classes.insert(name.to_string());
            }
            let default = text(
                class,
                &[
                    "metadata",
                    "annotations",
                    "storageclass.kubernetes.io/is-default-class",
                ],
            );
            if default == "true" {
                context.default_class = Some(name.to_string());
            }
        }
        context
    }
}

/// kstatus's verdict for a live object (as read back from the API server),
/// counting every claim that is not bound as in progress; see
/// [`readiness_with`].
pub fn readiness(live: &Value) -> Readiness {
    readiness_with(live, &Context::default())
}

/// [`readiness`], with what the cluster's StorageClasses say.
pub fn readiness_with(live: &Value, context: &Context) -> Readiness {
    if let Some(verdict) = generic(live) {
        return verdict;
    }
    let group = group_of(live);
    let kind = text(live, &["kind"]);
    if let Some(rule) = rule_of(group, kind) {
        return rule(live, context);
    }
    ready_condition(live).unwrap_or(Readiness::Ready)
}

type Rule = fn(&Value, &Context) -> Readiness;

/// The kinds with a rule of their own, as (group, kind).
pub const RULES: &[(&str, &str)] = &[
    ("apps", "Deployment"),
    ("extensions", "Deployment"),
    ("apps", "StatefulSet"),
    ("apps", "DaemonSet"),
    ("extensions", "DaemonSet"),
    ("apps", "ReplicaSet"),
    ("extensions", "ReplicaSet"),
    ("", "ReplicationController"),
    ("", "Pod"),
    ("batch", "Job"),
    ("", "PersistentVolumeClaim"),
    ("", "Service"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("apiregistration.k8s.io", "APIService"),
    ("policy", "PodDisruptionBudget"),
];

/// Whether a kind has a wait rule of its own (for the report: kinds that
/// fall back to a `Ready` condition or to "no wait"). ConfigMaps, Secrets
/// and CronJobs are ready as soon as they exist, as in kstatus.
pub fn has_rule(gvk: &Gvk) -> bool {
    rule_of(&gvk.group, &gvk.kind).is_some()
}

fn rule_of(group: &str, kind: &str) -> Option<Rule> {
    let rule: Rule = match (group, kind) {
        ("apps" | "extensions", "Deployment") => deployment,
        ("apps", "StatefulSet") => stateful_set,
        ("apps" | "extensions", "DaemonSet") => daemon_set,
        ("apps" | "extensions", "ReplicaSet") | ("", "ReplicationController") => replica_set,
        ("", "Pod") => pod,
        ("batch", "Job") => job,
        ("", "PersistentVolumeClaim") => claim,
        ("", "Service") => service,
        ("apiextensions.k8s.io", "CustomResourceDefinition") => crd,
        ("apiregistration.k8s.io", "APIService") => api_service,
        // The disruption controller sets no conditions: once the generic
        // rule has seen the generation observed, the budget is computed.
        ("policy", "PodDisruptionBudget") => |_, _| Readiness::Ready,
        _ => return None,
    };
    Some(rule)
}

fn group_of(live: &Value) -> &str {
    text(live, &["apiVersion"])
        .rsplit_once('/')
        .map_or("", |(group, _)| group)
}

/// The string at `path`, empty when missing or not a string.
fn text<'a>(value: &'a Value, path: &[&str]) -> &'a str {
    field(value, path).and_then(Value::as_str).unwrap_or("")
}

fn field<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |value, key| value.get(*key))
}

/// The integer at `path`, `default` when missing or not an integer.
fn int(value: &Value, path: &[&str], default: i64) -> i64 {
    field(value, path)
        .and_then(Value::as_i64)
        .unwrap_or(default)
}

/// One entry of `status.conditions`.
struct Condition<'a> {
    kind: &'a str,
    status: &'a str,
    reason: &'a str,
    message: &'a str,
}

impl Condition<'_> {
    fn is(&self, kind: &str, status: &str) -> bool {
        self.kind == kind && self.status == status
    }

    /// `Reason: message`, or whichever of them is set.
    fn describe(&self) -> String {
        match (self.reason.is_empty(), self.message.is_empty()) {
            (false, false) => format!("{}: {}", self.reason, self.message),
            (false, true) => self.reason.to_string(),
            (true, false) => self.message.to_string(),
            (true, true) => format!("condition {} is {}", self.kind, self.status),
        }
    }
}

fn conditions(live: &Value) -> impl Iterator<Item = Condition<'_>> {
    field(live, &["status", "conditions"])
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .map(|c| Condition {
            kind: text(c, &["type"]),
            status: text(c, &["status"]),
            reason: text(c, &["reason"]),
            message: text(c, &["message"]),
        })
}

fn condition<'a>(live: &'a Value, kind: &str) -> Option<Condition<'a>> {
    conditions(live).find(|c| c.kind == kind)
}

/// kstatus's `checkGenericProperties`.
fn generic(live: &Value) -> Option<Readiness> {
    if !text(live, &["metadata", "deletionTimestamp"]).is_empty() {
        return Some(Readiness::Terminating);
    }
    let generation = field(live, &["metadata", "generation"]).and_then(Value::as_i64);
    let observed = field(live, &["status", "observedGeneration"]).and_then(Value::as_i64);
    if let (Some(generation), Some(observed)) = (generation, observed) {
        if generation != observed {
            return Some(Readiness::in_progress(format!(
                "{} generation is {generation}, but latest observed generation is {observed}",
                text(live, &["kind"])
            )));
        }
    }
    for c in conditions(live) {
        if c.is("Reconciling", "True") {
            return Some(Readiness::in_progress(c.describe()));
        }
        if c.is("Stalled", "True") {
            return Some(Readiness::failed(c.describe()));
        }
    }
    None
}

/// The fallback for kinds without a rule: a `Ready` condition.
fn ready_condition(live: &Value) -> Option<Readiness> {
    let c = condition(live, "Ready")?;
    match c.status {
        "True" => Some(Readiness::Ready),
        "False" | "Unknown" => Some(Readiness::in_progress(c.describe())),
        _ => None,
    }
}

fn deployment(live: &Value, _: &Context) -> Readiness {
    // A paused Deployment rolls nothing out until resumed (Helm's `--wait`
    // counts it ready too): waiting for it would only time out.
    if field(live, &["spec", "paused"]) == Some(&Value::Bool(true)) {
        return Readiness::Ready;
    }
    // Without a progress deadline the controller never reports progress.
    let mut progressing = int(
        live,
        &["spec", "progressDeadlineSeconds"],
        i64::from(i32::MAX),
    ) == i64::from(i32::MAX);
    let mut available = false;
    for c in conditions(live) {
        match c.kind {
            "Progressing" if c.reason == "ProgressDeadlineExceeded" => {
                return Readiness::failed(with_message("Progress deadline exceeded", c.message));
            }
            "Progressing" if c.status == "True" && c.reason == "NewReplicaSetAvailable" => {
                progressing = true;
            }
            "Available" if c.status == "True" => available = true,
            _ => {}
        }
    }
    let spec = int(live, &["spec", "replicas"], 1);
    let replicas = int(live, &["status", "replicas"], 0);
    let updated = int(live, &["status", "updatedReplicas"], 0);
    let ready = int(live, &["status", "readyReplicas"], 0);
    let available_replicas = int(live, &["status", "availableReplicas"], 0);
    if spec > replicas {
        return Readiness::in_progress(format!("Replicas: {replicas}/{spec}"));
    }
    if spec > updated {
        return Readiness::in_progress(format!("Updated: {updated}/{spec}"));
    }
    if replicas > spec {
        return Readiness::in_progress(format!("Pending termination: {}", replicas - spec));
    }
    if updated > available_replicas {
        return Readiness::in_progress(format!("Available: {available_replicas}/{updated}"));
    }
    if spec > ready {
        return Readiness::in_progress(format!("Ready: {ready}/{spec}"));
    }
    if !progressing {
        return Readiness::in_progress("ReplicaSet not Available");
    }
    if !available {
        return Readiness::in_progress("Deployment not Available");
    }
    Readiness::Ready
}

fn with_message(text: &str, message: &str) -> String {
    if message.is_empty() {
        text.to_string()
    } else {
        format!("{text}: {message}")
    }
}

fn stateful_set(live: &Value, _: &Context) -> Readiness {
    // With OnDelete the user rolls pods by hand: nothing to wait for.
    if text(live, &["spec", "updateStrategy", "type"]) == "OnDelete" {
        return Readiness::Ready;
    }
    let spec = int(live, &["spec", "replicas"], 1);
    let ready = int(live, &["status", "readyReplicas"], 0);
    let current = int(live, &["status", "currentReplicas"], 0);
    let updated = int(live, &["status", "updatedReplicas"], 0);
    let replicas = int(live, &["status", "replicas"], 0);
    let partition = int(
        live,
        &["spec", "updateStrategy", "rollingUpdate", "partition"],
        -1,
    );
    if spec > replicas {
        return Readiness::in_progress(format!("Replicas: {replicas}/{spec}"));
    }
    if spec > ready {
        return Readiness::in_progress(format!("Ready: {ready}/{spec}"));
    }
    if replicas > spec {
        return Readiness::in_progress(format!("Pending termination: {}", replicas - spec));
    }
    if partition != -1 {
        // Pods below the partition keep the old revision by design.
        if updated < spec - partition {
            return Readiness::in_progress(format!("updated: {updated}/{}", spec - partition));
        }
        return Readiness::Ready;
    }
    if spec > current {
        return Readiness::in_progress(format!("current: {current}/{spec}"));
    }
    if text(live, &["status", "currentRevision"]) != text(live, &["status", "updateRevision"]) {
        return Readiness::in_progress("Waiting for updated revision to match current");
    }
    Readiness::Ready
}

fn daemon_set(live: &Value, _: &Context) -> Readiness {
    // The controller always writes these once it has acted.
    let kind = text(live, &["kind"]);
    if field(live, &["metadata", "generation"]).is_none() {
        return Readiness::in_progress(format!("{kind} metadata.generation not found"));
    }
    if field(live, &["status", "observedGeneration"]).is_none() {
        return Readiness::in_progress(format!("{kind} status.observedGeneration not found"));
    }
    let desired = int(live, &["status", "desiredNumberScheduled"], -1);
    if desired == -1 {
        return Readiness::in_progress("Missing .status.desiredNumberScheduled");
    }
    for (field, label) in [
        ("currentNumberScheduled", "Current"),
        ("updatedNumberScheduled", "Updated"),
        ("numberAvailable", "Available"),
        ("numberReady", "Ready"),
    ] {
        let count = int(live, &["status", field], 0);
        if desired > count {
            return Readiness::in_progress(format!("{label}: {count}/{desired}"));
        }
    }
    Readiness::Ready
}

/// ReplicaSets, and ReplicationControllers (same status fields).
fn replica_set(live: &Value, _: &Context) -> Readiness {
    if conditions(live).any(|c| c.is("ReplicaFailure", "True")) {
        return Readiness::in_progress("Replica Failure condition. Check Pods");
    }
    let spec = int(live, &["spec", "replicas"], 1);
    let replicas = int(live, &["status", "replicas"], 0);
    let labelled = int(live, &["status", "fullyLabeledReplicas"], 0);
    let available = int(live, &["status", "availableReplicas"], 0);
    let ready = int(live, &["status", "readyReplicas"], 0);
    if spec > labelled {
        return Readiness::in_progress(format!("Labelled: {labelled}/{spec}"));
    }
    if spec > available {
        return Readiness::in_progress(format!("Available: {available}/{spec}"));
    }
    if spec > ready {
        return Readiness::in_progress(format!("Ready: {ready}/{spec}"));
    }
    if replicas > spec {
        return Readiness::in_progress(format!("Pending termination: {}", replicas - spec));
    }
    Readiness::Ready
}

fn pod(live: &Value, _: &Context) -> Readiness {
    match text(live, &["status", "phase"]) {
        "Succeeded" => Readiness::Ready,
        "Failed" => Readiness::failed(with_message(
            "Pod has completed, but not successfully",
            text(live, &["status", "message"]),
        )),
        "Running" => {
            if conditions(live).any(|c| c.is("Ready", "True")) {
                return Readiness::Ready;
            }
            let crashing = crash_looping(live);
            if !crashing.is_empty() {
                return Readiness::failed(format!(
                    "Containers in CrashLoop state: {}",
                    crashing.join(",")
                ));
            }
            Readiness::in_progress("Pod is running but is not Ready")
        }
        "Pending" => match condition(live, "PodScheduled") {
            Some(c) if c.status == "False" && c.reason == "Unschedulable" => {
                Readiness::in_progress(with_message("Pod has not been scheduled", c.message))
            }
            _ => Readiness::in_progress("Pod is in the Pending phase"),
        },
        "" => Readiness::in_progress("Pod phase not available"),
        other => Readiness::in_progress(format!("unknown phase {other}")),
    }
}

fn crash_looping(live: &Value) -> Vec<&str> {
    field(live, &["status", "containerStatuses"])
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .filter(|status| text(status, &["state", "waiting", "reason"]) == "CrashLoopBackOff")
        .map(|status| text(status, &["name"]))
        .collect()
}

fn job(live: &Value, _: &Context) -> Readiness {
    let parallelism = int(live, &["spec", "parallelism"], 1);
    let completions = int(live, &["spec", "completions"], parallelism);
    let succeeded = int(live, &["status", "succeeded"], 0);
    let active = int(live, &["status", "active"], 0);
    let failed = int(live, &["status", "failed"], 0);
    let suspended = field(live, &["spec", "suspend"]) == Some(&Value::Bool(true));
    for c in conditions(live) {
        if c.is("Complete", "True") {
            return Readiness::Ready;
        }
        if c.is("Failed", "True") {
            return Readiness::failed(with_message(
                &format!("Job Failed. failed: {failed}/{completions}"),
                c.message,
            ));
        }
        // A suspended Job runs nothing until resumed: nothing to wait for.
        if c.is("Suspended", "True") && suspended {
            return Readiness::Ready;
        }
    }
    if text(live, &["status", "startTime"]).is_empty() {
        return Readiness::in_progress("Job not started");
    }
    Readiness::in_progress(format!(
        "Job in progress. success:{succeeded}, active: {active}, failed: {failed}"
    ))
}

fn claim(live: &Value, context: &Context) -> Readiness {
    let phase = match text(live, &["status", "phase"]) {
        "" => "unknown",
        phase => phase,
    };
    match phase {
        "Bound" => return Readiness::Ready,
        "Lost" => return Readiness::failed("PVC is Lost: its volume no longer exists"),
        _ => {}
    }
    let class = match field(live, &["spec", "storageClassName"]).and_then(Value::as_str) {
        Some(class) => Some(class),
        None => context.default_class.as_deref(),
    };
    if phase == "Pending" && class.is_some_and(|c| context.late_binding_classes.contains(c)) {
        return Readiness::Ready;
    }
    Readiness::in_progress(format!("PVC is not Bound. phase: {phase}"))
}

fn service(live: &Value, _: &Context) -> Readiness {
    if text(live, &["spec", "type"]) != "LoadBalancer" {
        return Readiness::Ready;
    }
    if text(live, &["spec", "clusterIP"]).is_empty() {
        return Readiness::in_progress("ClusterIP not set. Service type: LoadBalancer");
    }
    let ingress = field(live, &["status", "loadBalancer", "ingress"])
        .and_then(Value::as_array)
        .is_some_and(|ingress| !ingress.is_empty());
    if !ingress {
        return Readiness::in_progress("LoadBalancer ingress not set. Service type: LoadBalancer");
    }
    Readiness::Ready
}

fn crd(live: &Value, _: &Context) -> Readiness {
    if let Some(c) = conditions(live).find(|c| c.is("NamesAccepted", "False")) {
        return Readiness::failed(c.describe());
    }
    match condition(live, "Established") {
        Some(c) if c.status == "True" => Readiness::Ready,
        Some(c) if c.status == "False" && c.reason != "Installing" => {
            Readiness::failed(c.describe())
        }
        _ => Readiness::in_progress("Install in progress"),
    }
}

fn api_service(live: &Value, _: &Context) -> Readiness {
    match condition(live, "Available") {
        Some(c) if c.status == "True" => Readiness::Ready,
        Some(c) => Readiness::in_progress(c.describe()),
        None => Readiness::in_progress("waiting for condition Available"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A live object: `generation` 1 unless `metadata` says otherwise.
    fn live(api_version: &str, kind: &str, spec: Value, status: Value) -> Value {
        json!({
            "apiVersion": api_version,
            "kind": kind,
            "metadata": {"name": "x", "namespace": "ns", "generation": 1, "uid": "0d2b"},
            "spec": spec,
            "status": status,
        })
    }

    fn in_progress(reason: &str) -> Readiness {
        Readiness::in_progress(reason)
    }

    fn failed(reason: &str) -> Readiness {
        Readiness::failed(reason)
    }

    /// Conditions as the controllers write them (times elided).
    fn cond(kind: &str, status: &str, reason: &str, message: &str) -> Value {
        json!({"type": kind, "status": status, "lastTransitionTime": "2026-12-03T12:00:00Z", "reason": reason, "message": message})
    }

    #[test]
    fn generic_rules_come_first() {
        let mut object = live(
            "example.com/v1",
            "Widget",
            json!({}),
            json!({"observedGeneration": 1}),
        );
        assert_eq!(
            readiness(&object),
            Readiness::Ready,
            "no conditions: nothing to wait for"
        );
        object["metadata"]["generation"] = json!(2);
        assert_eq!(
            readiness(&object),
            in_progress("Widget generation is 2, but latest observed generation is 1")
        );
        object["metadata"]["generation"] = json!(1);
        object["status"]["conditions"] =
            json!([cond("Reconciling", "True", "Progressing", "3 of 5 done")]);
        assert_eq!(readiness(&object), in_progress("Progressing: 3 of 5 done"));
        object["status"]["conditions"] =
            json!([cond("Stalled", "True", "BadConfig", "no such image")]);
        assert_eq!(readiness(&object), failed("BadConfig: no such image"));
        object["metadata"]["deletionTimestamp"] = json!("2026-12-03T12:00:00Z");
        assert_eq!(readiness(&object), Readiness::Terminating);
    }

    #[test]
    fn kinds_without_a_rule_use_a_ready_condition() {
        let mut object = live("cert-manager.io/v1", "Certificate", json!({}), json!({}));
        object["status"]["conditions"] = json!([cond(
            "Ready",
            "False",
            "DoesNotExist",
            "Issuing certificate as Secret does not exist"
        )]);
        assert_eq!(
            readiness(&object),
            in_progress("DoesNotExist: Issuing certificate as Secret does not exist")
        );
        object["status"]["conditions"] = json!([cond("Ready", "Unknown", "", "")]);
        assert_eq!(
            readiness(&object),
            in_progress("condition Ready is Unknown")
        );
        object["status"]["conditions"] =
            json!([cond("Ready", "True", "Ready", "Certificate is up to date")]);
        assert_eq!(readiness(&object), Readiness::Ready);
        // Objects without status at all: ConfigMaps, Secrets, CronJobs.
        for (api_version, kind) in [
            ("v1", "ConfigMap"),
            ("v1", "Secret"),
            ("batch/v1", "CronJob"),
        ] {
            let object =
                json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}});
            assert_eq!(readiness(&object), Readiness::Ready, "{kind}");
        }
    }

    /// A Deployment's status as the deployment controller writes it.
    fn deployment(spec_replicas: i64, counts: [i64; 4], conditions: Value) -> Value {
        let [replicas, updated, ready, available] = counts;
        let mut status = json!({"observedGeneration": 1, "conditions": conditions});
        for (field, value) in [
            ("replicas", replicas),
            ("updatedReplicas", updated),
            ("readyReplicas", ready),
            ("availableReplicas", available),
        ] {
            // The controller omits zero counts.
            if value != 0 {
                status[field] = json!(value);
            }
        }
        live(
            "apps/v1",
            "Deployment",
            json!({"replicas": spec_replicas, "progressDeadlineSeconds": 600}),
            status,
        )
    }

    #[test]
    fn deployments_wait_for_the_rollout() {
        let progressing = cond(
            "Progressing",
            "True",
            "NewReplicaSetAvailable",
            "ReplicaSet \"web-5d\" has successfully progressed.",
        );
        let available = cond(
            "Available",
            "True",
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.",
        );
        let done = deployment(3, [3, 3, 3, 3], json!([available, progressing]));
        assert_eq!(readiness(&done), Readiness::Ready);

        let fresh = live("apps/v1", "Deployment", json!({"replicas": 3}), json!({}));
        assert_eq!(readiness(&fresh), in_progress("Replicas: 0/3"));
        let rolling = cond(
            "Progressing",
            "True",
            "ReplicaSetUpdated",
            "ReplicaSet \"web-7f\" is progressing.",
        );
        let unavailable = cond(
            "Available",
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
        );
        for (counts, conditions, expected) in [
            ([3, 2, 3, 3], json!([available, rolling]), "Updated: 2/3"),
            (
                [4, 3, 4, 4],
                json!([available, rolling]),
                "Pending termination: 1",
            ),
            (
                [3, 3, 2, 2],
                json!([unavailable, rolling]),
                "Available: 2/3",
            ),
            (
                [3, 3, 3, 3],
                json!([available, rolling]),
                "ReplicaSet not Available",
            ),
            (
                [3, 3, 3, 3],
                json!([unavailable, progressing]),
                "Deployment not Available",
            ),
        ] {
            assert_eq!(
                readiness(&deployment(3, counts, conditions)),
                in_progress(expected)
            );
        }
        let stuck = cond(
            "Progressing",
            "False",
            "ProgressDeadlineExceeded",
            "ReplicaSet \"web-7f\" has timed out progressing.",
        );
        assert_eq!(
            readiness(&deployment(3, [3, 1, 2, 2], json!([unavailable, stuck]))),
            failed("Progress deadline exceeded: ReplicaSet \"web-7f\" has timed out progressing.")
        );
        // No spec.replicas: the controller's default of 1.
        let mut one = deployment(1, [1, 1, 1, 1], json!([available, progressing]));
        one["spec"].as_object_mut().unwrap().remove("replicas");
        assert_eq!(readiness(&one), Readiness::Ready);
        let mut paused = deployment(3, [3, 1, 3, 3], json!([available, rolling]));
        assert_eq!(readiness(&paused), in_progress("Updated: 1/3"));
        paused["spec"]["paused"] = json!(true);
        assert_eq!(readiness(&paused), Readiness::Ready);
        // Scaled to zero and complete.
        assert_eq!(
            readiness(&deployment(
                0,
                [0, 0, 0, 0],
                json!([available, progressing])
            )),
            Readiness::Ready
        );
    }

    fn stateful_set(spec: Value, status: Value) -> Value {
        let mut full = json!({
            "availableReplicas": 3, "currentReplicas": 3, "currentRevision": "db-6c9f", "observedGeneration": 1,
            "readyReplicas": 3, "replicas": 3, "updateRevision": "db-6c9f", "updatedReplicas": 3,
        });
        for (key, value) in status.as_object().unwrap() {
            full[key] = value.clone();
        }
        let mut object_spec = json!({"replicas": 3});
        for (key, value) in spec.as_object().unwrap() {
            object_spec[key] = value.clone();
        }
        live("apps/v1", "StatefulSet", object_spec, full)
    }

    #[test]
    fn stateful_sets_wait_for_counts_and_revisions() {
        assert_eq!(
            readiness(&stateful_set(json!({}), json!({}))),
            Readiness::Ready
        );
        assert_eq!(
            readiness(&stateful_set(json!({}), json!({"replicas": 2}))),
            in_progress("Replicas: 2/3")
        );
        assert_eq!(
            readiness(&stateful_set(json!({}), json!({"readyReplicas": 1}))),
            in_progress("Ready: 1/3")
        );
        assert_eq!(
            readiness(&stateful_set(json!({}), json!({"currentReplicas": 2}))),
            in_progress("current: 2/3")
        );
        let rolling =
            json!({"updateRevision": "db-77b4", "updatedReplicas": 1, "currentReplicas": 3});
        assert_eq!(
            readiness(&stateful_set(json!({}), rolling.clone())),
            in_progress("Waiting for updated revision to match current")
        );
        // A partition keeps the pods below it on the old revision.
        let partitioned =
            json!({"updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 2}}});
        assert_eq!(
            readiness(&stateful_set(partitioned.clone(), rolling)),
            Readiness::Ready
        );
        assert_eq!(
            readiness(&stateful_set(partitioned, json!({"updatedReplicas": 0}))),
            in_progress("updated: 0/1")
        );
        let on_delete = json!({"updateStrategy": {"type": "OnDelete"}});
        assert_eq!(
            readiness(&stateful_set(on_delete, json!({"readyReplicas": 0}))),
            Readiness::Ready
        );
    }

    #[test]
    fn daemon_sets_need_the_controller_to_have_seen_them() {
        let unseen = live("apps/v1", "DaemonSet", json!({}), json!({}));
        assert_eq!(
            readiness(&unseen),
            in_progress("DaemonSet status.observedGeneration not found")
        );
        // Zero counts omitted, as the controller writes them.
        let starting = live(
            "apps/v1",
            "DaemonSet",
            json!({}),
            json!({"currentNumberScheduled": 1, "desiredNumberScheduled": 1, "numberMisscheduled": 0,
                   "numberUnavailable": 1, "observedGeneration": 1, "updatedNumberScheduled": 1}),
        );
        assert_eq!(readiness(&starting), in_progress("Available: 0/1"));
        let mut running = starting.clone();
        running["status"]["numberAvailable"] = json!(1);
        assert_eq!(readiness(&running), in_progress("Ready: 0/1"));
        running["status"]["numberReady"] = json!(1);
        assert_eq!(readiness(&running), Readiness::Ready);
        let mut no_desired = running;
        no_desired["status"]
            .as_object_mut()
            .unwrap()
            .remove("desiredNumberScheduled");
        assert_eq!(
            readiness(&no_desired),
            in_progress("Missing .status.desiredNumberScheduled")
        );
    }

    #[test]
    fn replica_sets_and_replication_controllers_count_pods() {
        for (api_version, kind) in [("apps/v1", "ReplicaSet"), ("v1", "ReplicationController")] {
            let status = json!({"replicas": 2, "fullyLabeledReplicas": 2, "readyReplicas": 2, "availableReplicas": 2, "observedGeneration": 1});
            let mut set = live(api_version, kind, json!({"replicas": 2}), status);
            assert_eq!(readiness(&set), Readiness::Ready, "{kind}");
            set["status"]["availableReplicas"] = json!(1);
            assert_eq!(readiness(&set), in_progress("Available: 1/2"), "{kind}");
            set["status"]["conditions"] = json!([cond(
                "ReplicaFailure",
                "True",
                "FailedCreate",
                "pods \"x\" is forbidden: exceeded quota"
            )]);
            assert_eq!(
                readiness(&set),
                in_progress("Replica Failure condition. Check Pods"),
                "{kind}"
            );
        }
    }

    fn pod(status: Value) -> Value {
        let mut pod = live(
            "v1",
            "Pod",
            json!({"containers": [{"name": "app"}]}),
            status,
        );
        pod["metadata"]
            .as_object_mut()
            .unwrap()
            .remove("generation");
        pod
    }

    #[test]
    fn pods_by_phase_and_ready_condition() {
        let ready = pod(json!({"phase": "Running", "conditions": [
            cond("PodReadyToStartContainers", "True", "", ""), cond("Initialized", "True", "", ""),
            cond("Ready", "True", "", ""), cond("ContainersReady", "True", "", ""), cond("PodScheduled", "True", "", "")
        ]}));
        assert_eq!(readiness(&ready), Readiness::Ready);
        let crashing = pod(json!({"phase": "Running",
            "conditions": [cond("Ready", "False", "ContainersNotReady", "containers with unready status: [app]")],
            "containerStatuses": [{"name": "app", "ready": false, "restartCount": 4,
                "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 1m20s restarting failed container"}}}]}));
        assert_eq!(
            readiness(&crashing),
            failed("Containers in CrashLoop state: app")
        );
        let starting = pod(
            json!({"phase": "Running", "conditions": [cond("Ready", "False", "ContainersNotReady", "")]}),
        );
        assert_eq!(
            readiness(&starting),
            in_progress("Pod is running but is not Ready")
        );
        let unschedulable = pod(json!({"phase": "Pending", "conditions": [
            cond("PodScheduled", "False", "Unschedulable", "0/3 nodes are available: 3 Insufficient cpu.")]}));
        assert_eq!(
            readiness(&unschedulable),
            in_progress("Pod has not been scheduled: 0/3 nodes are available: 3 Insufficient cpu.")
        );
        assert_eq!(
            readiness(&pod(json!({"phase": "Pending"}))),
            in_progress("Pod is in the Pending phase")
        );
        assert_eq!(
            readiness(&pod(json!({}))),
            in_progress("Pod phase not available")
        );
        assert_eq!(
            readiness(&pod(json!({"phase": "Succeeded"}))),
            Readiness::Ready
        );
        assert_eq!(
            readiness(&pod(json!({"phase": "Failed", "message": "Pod was active on the node longer than the specified deadline"}))),
            failed("Pod has completed, but not successfully: Pod was active on the node longer than the specified deadline")
        );
    }

    fn job(spec: Value, status: Value) -> Value {
        live("batch/v1", "Job", spec, status)
    }

    #[test]
    fn jobs_wait_for_complete_and_fail_on_failed() {
        let spec = json!({"completions": 1, "parallelism": 1, "backoffLimit": 6});
        assert_eq!(
            readiness(&job(spec.clone(), json!({}))),
            in_progress("Job not started")
        );
        let running = json!({"startTime": "2026-12-03T12:00:00Z", "active": 1, "ready": 0, "terminating": 0, "uncountedTerminatedPods": {}});
        assert_eq!(
            readiness(&job(spec.clone(), running)),
            in_progress("Job in progress. success:0, active: 1, failed: 0")
        );
        // Kubernetes 1.31+ writes SuccessCriteriaMet before Complete.
        let met = cond(
            "SuccessCriteriaMet",
            "True",
            "CompletionsReached",
            "Reached expected number of succeeded pods",
        );
        let complete = cond(
            "Complete",
            "True",
            "CompletionsReached",
            "Reached expected number of succeeded pods",
        );
        let succeeded =
            json!({"startTime": "t", "succeeded": 1, "ready": 0, "conditions": [met.clone()]});
        assert_eq!(
            readiness(&job(spec.clone(), succeeded.clone())),
            in_progress("Job in progress. success:1, active: 0, failed: 0")
        );
        let mut completed = succeeded;
        completed["conditions"] = json!([met, complete]);
        assert_eq!(readiness(&job(spec.clone(), completed)), Readiness::Ready);
        let target = cond(
            "FailureTarget",
            "True",
            "BackoffLimitExceeded",
            "Job has reached the specified backoff limit",
        );
        let failed_condition = cond(
            "Failed",
            "True",
            "BackoffLimitExceeded",
            "Job has reached the specified backoff limit",
        );
        let status = json!({"startTime": "t", "failed": 7, "ready": 0, "conditions": [target, failed_condition]});
        assert_eq!(
            readiness(&job(spec.clone(), status)),
            failed("Job Failed. failed: 7/1: Job has reached the specified backoff limit")
        );
        let suspended =
            json!({"conditions": [cond("Suspended", "True", "JobSuspended", "Job suspended")]});
        let mut suspended_spec = spec;
        suspended_spec["suspend"] = json!(true);
        assert_eq!(readiness(&job(suspended_spec, suspended)), Readiness::Ready);
    }

    fn claim(class: Option<&str>, phase: &str) -> Value {
        let mut spec = json!({"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}});
        if let Some(class) = class {
            spec["storageClassName"] = json!(class);
        }
        let mut claim = live("v1", "PersistentVolumeClaim", spec, json!({"phase": phase}));
        claim["metadata"]
            .as_object_mut()
            .unwrap()
            .remove("generation");
        claim
    }

    #[test]
    fn claims_are_ready_bound_or_waiting_for_their_first_consumer() {
        let classes = [
            json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "local-path",
                "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
                "provisioner": "rancher.io/local-path", "volumeBindingMode": "WaitForFirstConsumer"}),
            json!({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "fast"},
                "provisioner": "pd.csi.storage.gke.io", "volumeBindingMode": "Immediate"}),
        ];
        let context = Context::from_storage_classes(&classes);
        assert_eq!(context.default_class.as_deref(), Some("local-path"));
        assert_eq!(readiness(&claim(Some("fast"), "Bound")), Readiness::Ready);
        assert_eq!(
            readiness(&claim(Some("fast"), "Pending")),
            in_progress("PVC is not Bound. phase: Pending")
        );
        assert_eq!(
            readiness_with(&claim(Some("fast"), "Pending"), &context),
            in_progress("PVC is not Bound. phase: Pending")
        );
        assert_eq!(
            readiness_with(&claim(Some("local-path"), "Pending"), &context),
            Readiness::Ready
        );
        assert_eq!(
            readiness_with(&claim(None, "Pending"), &context),
            Readiness::Ready,
            "the default class"
        );
        // Without the context nothing is known of the class.
        assert_eq!(
            readiness(&claim(Some("local-path"), "Pending")),
            in_progress("PVC is not Bound. phase: Pending")
        );
        assert_eq!(
            readiness(&claim(Some("fast"), "")),
            in_progress("PVC is not Bound. phase: unknown")
        );
        assert!(matches!(
            readiness(&claim(Some("fast"), "Lost")),
            Readiness::Failed { .. }
        ));
    }

    #[test]
    fn load_balancers_wait_for_an_ingress() {
        let service = |kind: &str, status: Value| {
            let mut service = live(
                "v1",
                "Service",
                json!({"type": kind, "clusterIP": "10.96.0.12", "ports": [{"port": 80}]}),
                status,
            );
            service["metadata"]
                .as_object_mut()
                .unwrap()
                .remove("generation");
            service
        };
        assert_eq!(
            readiness(&service("ClusterIP", json!({"loadBalancer": {}}))),
            Readiness::Ready
        );
        assert_eq!(
            readiness(&service("LoadBalancer", json!({"loadBalancer": {}}))),
            in_progress("LoadBalancer ingress not set. Service type: LoadBalancer")
        );
        let ingress =
            json!({"loadBalancer": {"ingress": [{"ip": "172.18.255.12", "ipMode": "VIP"}]}});
        assert_eq!(
            readiness(&service("LoadBalancer", ingress)),
            Readiness::Ready
        );
        let mut no_ip = service("LoadBalancer", json!({}));
        no_ip["spec"].as_object_mut().unwrap().remove("clusterIP");
        assert_eq!(
            readiness(&no_ip),
            in_progress("ClusterIP not set. Service type: LoadBalancer")
        );
    }

    fn crd(conditions: Value) -> Value {
        live(
            "apiextensions.k8s.io/v1",
            "CustomResourceDefinition",
            json!({"group": "example.com", "names": {"kind": "Widget", "plural": "widgets"}, "scope": "Namespaced"}),
            json!({"conditions": conditions, "acceptedNames": {"kind": "Widget", "plural": "widgets"}, "storedVersions": ["v1"]}),
        )
    }

    #[test]
    fn crds_wait_for_established() {
        assert_eq!(
            readiness(&crd(json!([]))),
            in_progress("Install in progress")
        );
        let accepted = cond("NamesAccepted", "True", "NoConflicts", "no conflicts found");
        let installing = cond(
            "Established",
            "False",
            "Installing",
            "the initial names have been accepted",
        );
        assert_eq!(
            readiness(&crd(json!([accepted.clone(), installing]))),
            in_progress("Install in progress")
        );
        let established = cond(
            "Established",
            "True",
            "InitialNamesAccepted",
            "the initial names have been accepted",
        );
        assert_eq!(
            readiness(&crd(json!([accepted, established]))),
            Readiness::Ready
        );
        let conflict = cond(
            "NamesAccepted",
            "False",
            "PluralConflict",
            "\"widgets\" is already in use",
        );
        let not_accepted = cond(
            "Established",
            "False",
            "NotAccepted",
            "not all names are accepted",
        );
        assert_eq!(
            readiness(&crd(json!([not_accepted, conflict]))),
            failed("PluralConflict: \"widgets\" is already in use")
        );
    }

    #[test]
    fn api_services_wait_for_available() {
        let service = |conditions: Value| {
            live(
                "apiregistration.k8s.io/v1",
                "APIService",
                json!({"group": "metrics.k8s.io", "version": "v1beta1", "service": {"namespace": "kube-system", "name": "metrics-server"}}),
                json!({"conditions": conditions}),
            )
        };
        assert_eq!(
            readiness(&service(json!([]))),
            in_progress("waiting for condition Available")
        );
        let down = cond(
            "Available",
            "False",
            "FailedDiscoveryCheck",
            "failing or missing response from https://10.96.0.5:443/apis/metrics.k8s.io/v1beta1",
        );
        assert_eq!(
            readiness(&service(json!([down]))),
            in_progress("FailedDiscoveryCheck: failing or missing response from https://10.96.0.5:443/apis/metrics.k8s.io/v1beta1")
        );
        assert_eq!(
            readiness(&service(json!([cond(
                "Available",
                "True",
                "Passed",
                "all checks passed"
            )]))),
            Readiness::Ready
        );
    }

    #[test]
    fn disruption_budgets_once_observed() {
        let mut budget = live(
            "policy/v1",
            "PodDisruptionBudget",
            json!({"minAvailable": 1}),
            json!({"observedGeneration": 1, "currentHealthy": 0, "desiredHealthy": 1, "disruptionsAllowed": 0, "expectedPods": 1,
                   "conditions": [cond("DisruptionAllowed", "False", "InsufficientPods", "")]}),
        );
        assert_eq!(readiness(&budget), Readiness::Ready);
        budget["metadata"]["generation"] = json!(2);
        assert!(matches!(readiness(&budget), Readiness::InProgress { .. }));
    }

    #[test]
    fn rules_by_kind() {
        for (group, kind) in RULES {
            assert!(has_rule(&Gvk::new(group, "v1", kind)), "{group}/{kind}");
        }
        for (group, kind) in [
            ("", "ConfigMap"),
            ("batch", "CronJob"),
            ("example.com", "Deployment"),
            ("", "Namespace"),
        ] {
            assert!(!has_rule(&Gvk::new(group, "v1", kind)), "{group}/{kind}");
        }
    }

    #[test]
    fn odd_values_are_not_panics_and_never_ready_where_status_is_needed() {
        let needs_status = [
            "Deployment",
            "StatefulSet",
            "DaemonSet",
            "ReplicaSet",
            "ReplicationController",
            "Pod",
            "Job",
            "PersistentVolumeClaim",
            "CustomResourceDefinition",
            "APIService",
        ];
        for status in [
            json!(null),
            json!("x"),
            json!({"conditions": "x", "replicas": "3"}),
            json!({"conditions": [1, null, {"type": 3}]}),
        ] {
            for (group, kind) in RULES {
                let api_version = if group.is_empty() {
                    "v1".to_string()
                } else {
                    format!("{group}/v1")
                };
                let object = json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": 1, "generation": "one"}, "spec": "x", "status": status});
                let verdict = readiness(&object);
                assert_eq!(
                    verdict.is_ready(),
                    !needs_status.contains(kind),
                    "{kind} with status {status}: {verdict:?}"
                );
            }
        }
    }
}
