//! A client for one cluster, built from a kubeconfig as kubectl builds it,
//! with every request bounded in time and errors worded for users.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use kube::api::{GetParams, Patch, PatchParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::core::Request;
use kube::{Client, Config};
use serde_json::Value;

use super::ClusterOptions;
use crate::apply::plan::Conflict;
use crate::diff::Identity;
use crate::error::{Error, Result};
use crate::id::ResId;
use crate::resource::Resource;

/// A connected client plus what kubectl would take from the flags.
pub(crate) struct Connection {
    client: Client,
    /// The cluster's address, for error messages (and plan files).
    server: String,
    /// The kubeconfig context in use (given, or the current one).
    context: String,
    namespace: String,
    /// True when `--namespace` was given: objects may not name another one.
    namespace_enforced: bool,
    timeout: Duration,
    /// Requests sent, and how many were in flight at most.
    pub(crate) counters: Counters,
}

/// Counts of requests, for the apply's report.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub sent: AtomicUsize,
    in_flight: AtomicUsize,
    pub max_in_flight: AtomicUsize,
}

/// Why an apply (or its dry run) failed.
#[derive(Debug)]
pub(crate) enum ApplyError {
    /// The object's namespace does not exist on the cluster.
    NamespaceMissing(String),
    /// Fields other managers own (409 with `FieldManagerConflict` causes).
    Conflict(Vec<Conflict>),
    /// A field that cannot change (422 "field is immutable"): what the server said.
    Immutable(String),
    Other(Error),
}

impl Connection {
    pub(crate) async fn open(options: &ClusterOptions) -> Result<Self> {
        let (config, context) = load_config(options).await?;
        let server = config.cluster_url.to_string();
        let namespace = options
            .namespace
            .clone()
            .unwrap_or_else(|| config.default_namespace.clone());
        let client = Client::try_from(config).map_err(|error| {
            Error::msg(format!("cannot connect to {server}: {}", chain(&error)))
        })?;
        Ok(Connection {
            client,
            server,
            context,
            namespace,
            namespace_enforced: options.namespace.is_some(),
            timeout: options.request_timeout,
            counters: Counters::default(),
        })
    }

    pub(crate) fn server(&self) -> &str {
        &self.server
    }

    pub(crate) fn context(&self) -> &str {
        &self.context
    }

    /// The namespace a resource is read and applied in; `None` for
    /// cluster-scoped kinds.
    pub(crate) fn namespace_for(
        &self,
        resource: &Resource,
        namespaced: bool,
    ) -> Result<Option<String>> {
        if !namespaced {
            return Ok(None);
        }
        let own = resource.namespace();
        if own.is_empty() {
            return Ok(Some(self.namespace.clone()));
        }
        if self.namespace_enforced && own != self.namespace {
            return Err(Error::msg(format!(
                "{}: the namespace from the object `{own}` does not match the namespace `{}` \
                 given with --namespace",
                resource.id(),
                self.namespace
            )));
        }
        Ok(Some(own.to_string()))
    }

    /// Sends one request under the timeout; `Ok(Err(status))` is the server's refusal.
    pub(crate) async fn send<T: serde::de::DeserializeOwned>(
        &self,
        request: http::Request<Vec<u8>>,
        what: &str,
    ) -> Result<std::result::Result<T, kube::core::Status>> {
        self.counters.sent.fetch_add(1, Ordering::Relaxed);
        let now = self.counters.in_flight.fetch_add(1, Ordering::Relaxed) + 1;
        self.counters
            .max_in_flight
            .fetch_max(now, Ordering::Relaxed);
        let answer = self.bounded(self.client.request::<T>(request), what).await;
        self.counters.in_flight.fetch_sub(1, Ordering::Relaxed);
        let answer = answer?;
        match answer {
            Ok(value) => Ok(Ok(value)),
            Err(kube::Error::Api(status)) => Ok(Err(*status)),
            Err(error) => Err(Error::msg(format!(
                "{what}: cannot reach the cluster at {}: {}",
                self.server,
                chain(&error)
            ))),
        }
    }

    async fn bounded<F: Future>(&self, future: F, what: &str) -> Result<F::Output> {
        if self.timeout.is_zero() {
            return Ok(future.await);
        }
        tokio::time::timeout(self.timeout, future)
            .await
            .map_err(|_| {
                Error::msg(format!(
                    "{what}: the cluster at {} did not answer within {:?} (--request-timeout)",
                    self.server, self.timeout
                ))
            })
    }

    /// The live object, or `None` when the server has none of that name.
    pub(crate) async fn get(&self, path: &str, name: &str, id: &ResId) -> Result<Option<Value>> {
        let request = Request::new(path)
            .get(name, &GetParams::default())
            .map_err(|error| Error::msg(format!("{id}: cannot build the request: {error}")))?;
        match self.send::<Value>(request, &format!("{id}")).await? {
            Ok(object) => Ok(Some(object)),
            Err(status) if status.code == 404 => Ok(None),
            Err(status) => Err(refusal(id, "reading", &status)),
        }
    }

    /// A server-side apply of `object` as `identity` (a dry run when
    /// `dry_run`): the object the server stores (or would), or why it refused.
    pub(crate) async fn apply(
        &self,
        path: &str,
        name: &str,
        object: &Value,
        id: &ResId,
        identity: &Identity,
        dry_run: bool,
    ) -> std::result::Result<Value, ApplyError> {
        let mut params = PatchParams::apply(&identity.field_manager).validation_strict();
        params.force = identity.force_conflicts;
        params.dry_run = dry_run;
        let request = Request::new(path)
            .patch(name, &params, &Patch::Apply(object))
            .map_err(|error| {
                ApplyError::Other(Error::msg(format!(
                    "{id}: cannot build the request: {error}"
                )))
            })?;
        let doing = if dry_run {
            "dry-run applying"
        } else {
            "applying"
        };
        match self.send::<Value>(request, &format!("{id}")).await {
            Err(error) => Err(ApplyError::Other(error)),
            Ok(Ok(object)) => Ok(object),
            Ok(Err(status)) => Err(classify(id, doing, &status)),
        }
    }
}

/// Why an apply was refused, in the terms the plan uses.
fn classify(id: &ResId, doing: &str, status: &kube::core::Status) -> ApplyError {
    if let Some(namespace) = missing_namespace(status) {
        return ApplyError::NamespaceMissing(namespace);
    }
    let conflicts = conflicts(status);
    if !conflicts.is_empty() {
        return ApplyError::Conflict(conflicts);
    }
    if let Some(message) = immutable(status) {
        return ApplyError::Immutable(message);
    }
    ApplyError::Other(refusal(id, doing, status))
}

/// The `FieldManagerConflict` causes of a 409: field and current manager.
fn conflicts(status: &kube::core::Status) -> Vec<Conflict> {
    if status.code != 409 {
        return Vec::new();
    }
    let causes = status.details.as_ref().map_or(&[][..], |d| &d.causes[..]);
    causes
        .iter()
        .filter(|cause| cause.reason == "FieldManagerConflict")
        .map(|cause| Conflict {
            field: cause.field.clone(),
            manager: quoted(&cause.message).unwrap_or_default().to_string(),
        })
        .collect()
}

/// The first `"..."` in a message: `conflict with "kubectl" using apps/v1`.
fn quoted(message: &str) -> Option<&str> {
    let start = message.find('"')? + 1;
    let length = message[start..].find('"')?;
    Some(&message[start..start + length])
}

/// The message of a 422 that refuses changing an immutable field (worded
/// "field is immutable", or "may not change once set" for cluster IPs).
fn immutable(status: &kube::core::Status) -> Option<String> {
    const WORDINGS: [&str; 2] = ["field is immutable", "may not change once set"];
    if status.code != 422 {
        return None;
    }
    let causes = status.details.as_ref().map_or(&[][..], |d| &d.causes[..]);
    let mut found: Vec<String> = causes
        .iter()
        .filter(|cause| WORDINGS.iter().any(|w| cause.message.contains(w)))
        .map(|cause| format!("{}: {}", cause.field, cause.message))
        .collect();
    if found.is_empty() && WORDINGS.iter().any(|w| status.message.contains(w)) {
        found.push(status.message.clone());
    }
    (!found.is_empty()).then(|| found.join("; "))
}

/// Reads the kubeconfig the way kubectl picks it and resolves the context
/// (returned with its name).
async fn load_config(options: &ClusterOptions) -> Result<(Config, String)> {
    let kubeconfig = match &options.kubeconfig {
        Some(path) => Kubeconfig::read_from(path),
        None => Kubeconfig::read(),
    }
    .map_err(|error| Error::msg(format!("cannot load the kubeconfig: {}", chain(&error))))?;
    let context = options
        .context
        .clone()
        .or_else(|| kubeconfig.current_context.clone())
        .unwrap_or_default();
    let pick = KubeConfigOptions {
        context: options.context.clone(),
        cluster: None,
        user: None,
    };
    let mut config = Config::from_custom_kubeconfig(kubeconfig, &pick)
        .await
        .map_err(|error| Error::msg(format!("cannot use the kubeconfig: {}", chain(&error))))?;
    // Zero means no bound, as kubectl's `--request-timeout=0`.
    if !options.request_timeout.is_zero() {
        config.connect_timeout = Some(options.request_timeout);
        config.read_timeout = Some(options.request_timeout);
        config.write_timeout = Some(options.request_timeout);
    }
    // Retries would stretch an outage past the timeout the user asked for.
    config.default_retry = false;
    Ok((config, context))
}

/// The namespace named by a "namespaces \"x\" not found" refusal.
fn missing_namespace(status: &kube::core::Status) -> Option<String> {
    let details = status.details.as_ref()?;
    (status.code == 404 && details.kind == "namespaces").then(|| details.name.clone())
}

/// An error for a request the server refused.
pub(crate) fn refusal(id: &ResId, doing: &str, status: &kube::core::Status) -> Error {
    let reason = if status.reason.is_empty() {
        String::new()
    } else {
        format!(" ({})", status.reason)
    };
    Error::msg(format!(
        "{id}: the cluster refused {doing} it: {} {}{reason}",
        status.code, status.message
    ))
}

/// An error and its sources on one line, since kube's top-level messages
/// ("ServiceError: client error (Connect)") hide the cause.
pub(crate) fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let line = cause.to_string();
        if !text.contains(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);

    impl std::fmt::Display for Layer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }

    impl std::error::Error for Layer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|layer| layer as _)
        }
    }

    #[test]
    fn chain_joins_causes_without_repeats() {
        let error = Layer(
            "client error (Connect)",
            Some(Box::new(Layer(
                "tcp connect error",
                Some(Box::new(Layer("Connection refused", None))),
            ))),
        );
        assert_eq!(
            chain(&error),
            "client error (Connect): tcp connect error: Connection refused"
        );
        let repeated = Layer(
            "read: Connection reset",
            Some(Box::new(Layer("Connection reset", None))),
        );
        assert_eq!(chain(&repeated), "read: Connection reset");
    }

    fn status(value: serde_json::Value) -> kube::core::Status {
        serde_json::from_value(value).expect("a status")
    }

    #[test]
    fn conflicts_name_field_and_manager() {
        let refused = status(serde_json::json!({
            "status": "Failure", "code": 409, "reason": "Conflict",
            "message": "Apply failed with 1 conflict: conflict with \"kubectl\" using apps/v1: .spec.replicas",
            "details": {"name": "web", "group": "apps", "kind": "deployments", "causes": [
                {"reason": "FieldManagerConflict", "message": "conflict with \"kubectl\" using apps/v1", "field": ".spec.replicas"},
            ]},
        }));
        let id = ResId::default();
        match classify(&id, "applying", &refused) {
            ApplyError::Conflict(found) => assert_eq!(
                found,
                [Conflict {
                    field: ".spec.replicas".into(),
                    manager: "kubectl".into()
                }]
            ),
            other => panic!("not a conflict: {other:?}"),
        }
        // A precondition conflict has no causes: a plain refusal.
        let stale = status(
            serde_json::json!({"status": "Failure", "code": 409, "reason": "Conflict",
            "message": "the object has been modified"}),
        );
        assert!(matches!(
            classify(&id, "applying", &stale),
            ApplyError::Other(_)
        ));
    }

    #[test]
    fn immutable_fields_are_recognised_in_causes() {
        let refused = status(serde_json::json!({
            "status": "Failure", "code": 422, "reason": "Invalid",
            "message": "Job.batch \"migrate\" is invalid: spec.template: Invalid value: ...: field is immutable",
            "details": {"name": "migrate", "group": "batch", "kind": "Job", "causes": [
                {"reason": "FieldValueInvalid", "message": "Invalid value: ...: field is immutable", "field": "spec.template"},
            ]},
        }));
        match classify(&ResId::default(), "applying", &refused) {
            ApplyError::Immutable(message) => {
                assert_eq!(
                    message,
                    "spec.template: Invalid value: ...: field is immutable"
                )
            }
            other => panic!("not immutable: {other:?}"),
        }
        let invalid = status(
            serde_json::json!({"status": "Failure", "code": 422, "reason": "Invalid",
            "message": "name: Invalid value"}),
        );
        assert!(matches!(
            classify(&ResId::default(), "applying", &invalid),
            ApplyError::Other(_)
        ));
    }

    #[test]
    fn missing_namespace_reads_the_status_details() {
        let status: kube::core::Status = serde_json::from_value(serde_json::json!({
            "status": "Failure", "code": 404, "reason": "NotFound",
            "message": "namespaces \"shop\" not found",
            "details": {"name": "shop", "kind": "namespaces"},
        }))
        .expect("a status");
        assert_eq!(missing_namespace(&status).as_deref(), Some("shop"));
        let other: kube::core::Status = serde_json::from_value(serde_json::json!({
            "status": "Failure", "code": 404, "reason": "NotFound",
            "details": {"name": "web", "group": "apps", "kind": "deployments"},
        }))
        .expect("a status");
        assert_eq!(missing_namespace(&other), None);
    }
}
