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
//! APIService once `Available` (kstatus: no rule). A failed Pod and a `Lost`
//! claim are failures (kstatus: current and in progress). A claim of a
//! WaitForFirstConsumer storage class is ready while `Pending`: no volume is
//! bound until a pod uses it ([`Context`]).
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
