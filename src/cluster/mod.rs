//! The live cluster: what each built resource is now, and what a server-side
//! apply would make of it.
//!
//! [`live_state`] connects as kubectl does (kubeconfig from `--kubeconfig`,
//! else `KUBECONFIG`, else `~/.kube/config`; `--context`; namespace from
//! `--namespace`, else the context, else `default`; token, client
//! certificate and exec-plugin auth through kube-rs), finds each resource's
//! endpoint with discovery (one request per group/version), reads the live
//! object and asks for a server-side dry-run apply (field manager `strata`,
//! conflicts forced) to learn the object it would become.
//!
//! Only this module is async: [`live_state`] builds a current-thread tokio
//! runtime and blocks on it, so callers stay synchronous. Discovery runs
//! first; then up to eight objects are read at once. Every request is
//! bounded by [`ClusterOptions::request_timeout`] (zero: no bound, as
//! kubectl's `--request-timeout=0`).
//!
//! Left out to keep the build small (kube features off): `proxy-url` in a
//! kubeconfig (HTTP/SOCKS proxies), the OIDC refresh of `auth-provider`,
//! and OpenSSL TLS; the client uses rustls with ring and the system's
//! root certificates besides the kubeconfig's CA.
//!
//! Kinds the cluster does not serve are an error, unless the build itself
//! carries the CustomResourceDefinition that defines them: then the object
//! is reported as an addition with no dry-run result. The same holds for a
//! namespaced object whose namespace is missing on the cluster but created
//! by the build.

mod connect;
mod discover;

use std::collections::BTreeSet;
use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::diff::{LiveSource, LiveState};
use crate::error::{Error, Result};
use crate::progress::{Activity, Progress, Task};
use crate::resource::{Resource, ResourceMap};

use connect::Connection;
use discover::{Endpoint, Endpoints};

/// Objects read at once: enough to hide round trips, few enough not to
/// look like a flood to the API server's priority and fairness.
const PARALLEL_OBJECTS: usize = 8;

/// The field manager strata applies as.
pub const FIELD_MANAGER: &str = "strata";

pub use crate::diff::{ClusterOptions, LiveObject};

/// The live cluster as a [`LiveSource`] for `strata diff`.
#[derive(Clone, Debug, Default)]
pub struct ClusterSource {
    pub options: ClusterOptions,
    /// Told how many objects have been read so far.
    pub progress: Progress,
}

impl LiveSource for ClusterSource {
    fn live(&self, desired: &ResourceMap) -> Result<LiveState> {
        Ok(LiveState {
            objects: live_state_with(&self.options, desired, &self.progress)?,
        })
    }
}

/// Reads the live state of every resource in `desired`, in build order.
pub fn live_state(options: &ClusterOptions, desired: &ResourceMap) -> Result<Vec<LiveObject>> {
    live_state_with(options, desired, &Progress::none())
}

/// [`live_state`], reporting one [`Activity::ClusterRead`] task with a step
/// per object (connecting and discovery come before the first step).
pub fn live_state_with(
    options: &ClusterOptions,
    desired: &ResourceMap,
    progress: &Progress,
) -> Result<Vec<LiveObject>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| Error::msg(format!("cannot start the cluster client: {error}")))?;
    let subject = match desired.len() {
        1 => "1 object".to_string(),
        n => format!("{n} objects"),
    };
    let mut task = progress.start(Activity::ClusterRead, &subject, Some(desired.len() as u64));
    let result = runtime.block_on(live_state_async(options, desired, &mut task));
    task.finish_with(result)
}

async fn live_state_async(
    options: &ClusterOptions,
    desired: &ResourceMap,
    task: &mut Task,
) -> Result<Vec<LiveObject>> {
    let connection = Arc::new(Connection::open(options).await?);
    // Discovery first, one request per group/version, in build order.
    let mut endpoints = Endpoints::new(desired);
    let mut plans = Vec::with_capacity(desired.len());
    for resource in desired {
        plans.push(endpoints.resolve(&connection, resource).await?);
    }
    let build_namespaces: Arc<BTreeSet<String>> = Arc::new(
        desired
            .iter()
            .filter(|resource| resource.api_version() == "v1" && resource.kind() == "Namespace")
            .map(|resource| resource.name().to_string())
            .collect(),
    );
    let limit = Arc::new(Semaphore::new(PARALLEL_OBJECTS));
    let mut results: Vec<Option<Result<LiveObject>>> = Vec::new();
    let mut handles = Vec::new();
    let mut tasks = JoinSet::new();
    for (index, (resource, plan)) in desired.iter().zip(plans).enumerate() {
        results.push(None);
        let api = match plan {
            Endpoint::Served(api) => api,
            Endpoint::CreatedByBuild => {
                task.step();
                results[index] = Some(Ok(LiveObject {
                    id: resource.id(),
                    live: None,
                    would_be: None,
                }));
                continue;
            }
        };
        let connection = Arc::clone(&connection);
        let build_namespaces = Arc::clone(&build_namespaces);
        let limit = Arc::clone(&limit);
        let resource = resource.clone();
        let handle = tasks.spawn(async move {
            // The semaphore is never closed, so acquiring only waits.
            let _permit = limit.acquire_owned().await;
            let result = read_one(&connection, &api, &resource, &build_namespaces).await;
            (index, result)
        });
        handles.push((index, handle));
    }
    while let Some(joined) = tasks.join_next().await {
        let (index, result) = match joined {
            Ok(done) => done,
            Err(error) if error.is_cancelled() => continue,
            Err(error) => return Err(Error::msg(format!("reading the cluster failed: {error}"))),
        };
        if result.is_err() {
            // One failure fails the run: stop waiting on the reads after it
            // in build order, but let earlier ones finish, so the error
            // reported is the first in build order whatever the timing.
            for (later, handle) in &handles {
                if *later > index {
                    handle.abort();
                }
            }
        }
        task.step();
        results[index] = Some(result);
    }
    // The first error in build order: every read before it has finished.
    if let Some(index) = results
        .iter()
        .position(|result| matches!(result, Some(Err(_))))
    {
        if let Some(Err(error)) = results.swap_remove(index) {
            return Err(error);
        }
    }
    results
        .into_iter()
        .map(|result| result.unwrap_or_else(|| Err(Error::msg("a cluster read did not finish"))))
        .collect()
}

/// Reads the live object and the dry-run apply result for one resource.
async fn read_one(
    connection: &Connection,
    api: &discover::ApiEndpoint,
    resource: &Resource,
    build_namespaces: &BTreeSet<String>,
) -> Result<LiveObject> {
    let id = resource.id();
    if resource.name().is_empty() {
        return Err(Error::msg(format!(
            "{id}: has no metadata.name (from {})",
            resource.origin
        )));
    }
    let namespace = connection.namespace_for(resource, api.namespaced)?;
    let path = api.collection_path(namespace.as_deref());
    let live = connection.get(&path, resource.name(), &id).await?;
    let would_be = match connection
        .dry_run_apply(&path, resource.name(), resource.object(), &id)
        .await
    {
        Ok(object) => Some(object),
        Err(connect::ApplyError::NamespaceMissing(ns)) if build_namespaces.contains(&ns) => None,
        Err(connect::ApplyError::NamespaceMissing(ns)) => {
            return Err(Error::msg(format!(
            "{id}: namespace `{ns}` does not exist on the cluster and the build does not create it"
        )))
        }
        Err(connect::ApplyError::Other(error)) => return Err(error),
    };
    Ok(LiveObject { id, live, would_be })
}
