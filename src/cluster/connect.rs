//! A client for one cluster, built from a kubeconfig as kubectl builds it,
//! with every request bounded in time and errors worded for users.

use std::future::Future;
use std::time::Duration;

use kube::api::{GetParams, Patch, PatchParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::core::Request;
use kube::{Client, Config};
use serde_json::Value;

use super::{ClusterOptions, FIELD_MANAGER};
use crate::error::{Error, Result};
use crate::id::ResId;
use crate::resource::Resource;

/// A connected client plus what kubectl would take from the flags.
pub(super) struct Connection {
    client: Client,
    /// The cluster's address, for error messages.
    server: String,
    namespace: String,
    /// True when `--namespace` was given: objects may not name another one.
    namespace_enforced: bool,
    timeout: Duration,
}

/// Why a dry-run apply failed.
pub(super) enum ApplyError {
    /// The object's namespace does not exist on the cluster.
    NamespaceMissing(String),
    Other(Error),
}

impl Connection {
    pub(super) async fn open(options: &ClusterOptions) -> Result<Self> {
        let config = load_config(options).await?;
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
            namespace,
            namespace_enforced: options.namespace.is_some(),
            timeout: options.request_timeout,
        })
    }

    pub(super) fn server(&self) -> &str {
        &self.server
    }

    /// The namespace a resource is read and applied in; `None` for
    /// cluster-scoped kinds.
    pub(super) fn namespace_for(
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
    pub(super) async fn send<T: serde::de::DeserializeOwned>(
        &self,
        request: http::Request<Vec<u8>>,
        what: &str,
    ) -> Result<std::result::Result<T, kube::core::Status>> {
        let answer = self
            .bounded(self.client.request::<T>(request), what)
            .await?;
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
    pub(super) async fn get(&self, path: &str, name: &str, id: &ResId) -> Result<Option<Value>> {
        let request = Request::new(path)
            .get(name, &GetParams::default())
            .map_err(|error| Error::msg(format!("{id}: cannot build the request: {error}")))?;
        match self.send::<Value>(request, &format!("{id}")).await? {
            Ok(object) => Ok(Some(object)),
            Err(status) if status.code == 404 => Ok(None),
            Err(status) => Err(refusal(id, "reading", &status)),
        }
    }

    /// The object a server-side apply of `object` would produce.
    pub(super) async fn dry_run_apply(
        &self,
        path: &str,
        name: &str,
        object: &Value,
        id: &ResId,
    ) -> std::result::Result<Value, ApplyError> {
        let params = PatchParams::apply(FIELD_MANAGER).force().dry_run();
        let request = Request::new(path)
            .patch(name, &params, &Patch::Apply(object))
            .map_err(|error| {
                ApplyError::Other(Error::msg(format!(
                    "{id}: cannot build the request: {error}"
                )))
            })?;
        match self.send::<Value>(request, &format!("{id}")).await {
            Err(error) => Err(ApplyError::Other(error)),
            Ok(Ok(object)) => Ok(object),
            Ok(Err(status)) => match missing_namespace(&status) {
                Some(namespace) => Err(ApplyError::NamespaceMissing(namespace)),
                None => Err(ApplyError::Other(refusal(id, "dry-run applying", &status))),
            },
        }
    }
}

/// Reads the kubeconfig the way kubectl picks it and resolves the context.
async fn load_config(options: &ClusterOptions) -> Result<Config> {
    let kubeconfig = match &options.kubeconfig {
        Some(path) => Kubeconfig::read_from(path),
        None => Kubeconfig::read(),
    }
    .map_err(|error| Error::msg(format!("cannot load the kubeconfig: {}", chain(&error))))?;
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
    Ok(config)
}

/// The namespace named by a "namespaces \"x\" not found" refusal.
fn missing_namespace(status: &kube::core::Status) -> Option<String> {
    let details = status.details.as_ref()?;
    (status.code == 404 && details.kind == "namespaces").then(|| details.name.clone())
}

/// An error for a request the server refused.
pub(super) fn refusal(id: &ResId, doing: &str, status: &kube::core::Status) -> Error {
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
pub(super) fn chain(error: &dyn std::error::Error) -> String {
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
