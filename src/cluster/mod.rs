//! The live cluster: what each built resource is now, and what a server-side
//! apply would make of it.
//!
//! [`live_state`] connects as kubectl does (kubeconfig from `--kubeconfig`,
//! else `KUBECONFIG`, else `~/.kube/config`; `--context`; namespace from
//! `--namespace`, else the context, else `default`; token, client
//! certificate and exec-plugin auth through kube-rs), finds each resource's
//! endpoint with discovery (one request per group/version), reads the live
//! object and asks for a server-side dry-run apply (as the [`Identity`]:
//! field manager `strata`, conflicts not forced, unless asked) to learn the
//! object it would become. `strata apply` plans with the same reads
//! (`observe`), so its plan and `strata diff` agree.
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

pub(crate) mod connect;
pub(crate) mod discover;

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::diff::{LiveSource, LiveState};
use crate::error::{Error, Result};
use crate::id::ResId;
use crate::progress::{Activity, Progress, Task};
use crate::resource::{Resource, ResourceMap};

pub(crate) use connect::{ApplyError, Connection};
pub(crate) use discover::{ApiEndpoint, Endpoint, Endpoints};

/// Objects read at once: enough to hide round trips, few enough not to
/// look like a flood to the API server's priority and fairness.
pub(crate) const PARALLEL_OBJECTS: usize = 8;

/// The field manager strata applies as unless told otherwise.
pub const FIELD_MANAGER: &str = "strata";

pub use crate::diff::{ClusterOptions, Identity, LiveObject};

/// The live cluster as a [`LiveSource`] for `strata diff`.
#[derive(Clone, Debug, Default)]
pub struct ClusterSource {
    pub options: ClusterOptions,
    /// The manager and force setting of the dry-run applies.
    pub identity: Identity,
    /// Told how many objects have been read so far.
    pub progress: Progress,
}

impl LiveSource for ClusterSource {
    fn live(&self, desired: &ResourceMap) -> Result<LiveState> {
        Ok(LiveState {
            objects: live_state_reporting(&self.options, &self.identity, desired, &self.progress)?,
        })
    }
}

/// Reads the live state of every resource in `desired`, in build order,
/// dry-run applying as `strata` without force.
pub fn live_state(options: &ClusterOptions, desired: &ResourceMap) -> Result<Vec<LiveObject>> {
    live_state_as(options, &Identity::default(), desired)
}

/// [`live_state_as`], reporting one [`Activity::ClusterRead`] task with a
/// step per object (connecting and discovery come before the first step).
pub fn live_state_reporting(
    options: &ClusterOptions,
    identity: &Identity,
    desired: &ResourceMap,
    progress: &Progress,
) -> Result<Vec<LiveObject>> {
    let subject = match desired.len() {
        1 => "1 object".to_string(),
        n => format!("{n} objects"),
    };
    let mut task = progress.start(Activity::ClusterRead, &subject, Some(desired.len() as u64));
    let result = observe_live(options, identity, desired, &mut task);
    task.finish_with(result)
}

/// [`live_state`] with another field manager or force setting.
pub fn live_state_as(
    options: &ClusterOptions,
    identity: &Identity,
    desired: &ResourceMap,
) -> Result<Vec<LiveObject>> {
    live_state_reporting(options, identity, desired, &Progress::none())
}

fn observe_live(
    options: &ClusterOptions,
    identity: &Identity,
    desired: &ResourceMap,
    task: &mut Task,
) -> Result<Vec<LiveObject>> {
    let runtime = runtime()?;
    runtime.block_on(async {
        let connection = Arc::new(Connection::open(options).await?);
        let mut endpoints = Endpoints::new(desired);
        let observed = observe(&connection, &mut endpoints, desired, identity, task).await?;
        observed
            .into_iter()
            .map(Observed::into_live_object)
            .collect()
    })
}

/// The current-thread runtime every blocking entry point runs on.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| Error::msg(format!("cannot start the cluster client: {error}")))
}

/// One built resource as the cluster sees it.
#[derive(Debug)]
pub(crate) struct Observed {
    /// The build's id.
    pub id: ResId,
    /// Where the kind is served; `None` while its CRD (in the build) is not.
    pub endpoint: Option<ApiEndpoint>,
    /// The namespace it is read and applied in (`None`: cluster-scoped or not yet known).
    pub namespace: Option<String>,
    /// The object as it is now; `None` when it does not exist.
    pub live: Option<Value>,
    pub dry_run: DryRun,
}

/// What the dry-run apply of one resource said.
#[derive(Debug)]
pub(crate) enum DryRun {
    /// The object the apply would store.
    WouldBe(Value),
    /// Not asked: what it needs first (its namespace, its CRD) is created
    /// by the same build, so the server could only refuse (kubernetes#114141).
    Deferred(String),
    Refused(ApplyError),
}

impl Observed {
    /// What `strata diff` shows: a refused dry run is an error.
    fn into_live_object(self) -> Result<LiveObject> {
        let would_be = match self.dry_run {
            DryRun::WouldBe(object) => Some(object),
            DryRun::Deferred(_) => None,
            DryRun::Refused(ApplyError::Other(error)) => return Err(error),
            DryRun::Refused(ApplyError::NamespaceMissing(ns)) => {
                return Err(namespace_missing(&self.id, &ns))
            }
            DryRun::Refused(ApplyError::Conflict(conflicts)) => {
                let fields = conflicts
                    .iter()
                    .map(|c| format!("{} (owned by {})", c.field, c.manager))
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(Error::msg(format!(
                    "{}: applying would conflict with other field managers: {fields}",
                    self.id
                ))
                .with_hint("`--force-conflicts` takes the fields, as `strata apply --force-conflicts` would"));
            }
            DryRun::Refused(ApplyError::Immutable(message)) => {
                return Err(Error::msg(format!(
                    "{}: applying would change an immutable field: {message}",
                    self.id
                ))
                .with_hint(
                    "`strata apply --replace-immutable` deletes and recreates such objects",
                ))
            }
        };
        Ok(LiveObject {
            id: self.id,
            live: self.live,
            would_be,
        })
    }
}

fn namespace_missing(id: &ResId, namespace: &str) -> Error {
    Error::msg(format!(
        "{id}: namespace `{namespace}` does not exist on the cluster and the build does not create it"
    ))
}

/// Reads every resource of `desired` and dry-run applies it as `identity`,
/// up to [`PARALLEL_OBJECTS`] at once; the answers come back in build
/// order. An error (the cluster cannot be reached, a read is refused) is
/// the first in build order; refused dry runs are answers.
pub(crate) async fn observe(
    connection: &Arc<Connection>,
    endpoints: &mut Endpoints,
    desired: &ResourceMap,
    identity: &Identity,
    task: &mut Task,
) -> Result<Vec<Observed>> {
    // Discovery first, one request per group/version, in build order.
    let mut plans = Vec::with_capacity(desired.len());
    for resource in desired {
        plans.push(endpoints.resolve(connection, resource).await?);
    }
    let build_namespaces: Arc<BTreeSet<String>> = Arc::new(
        desired
            .iter()
            .filter(|resource| resource.api_version() == "v1" && resource.kind() == "Namespace")
            .map(|resource| resource.name().to_string())
            .collect(),
    );
    let identity = Arc::new(identity.clone());
    let limit = Arc::new(Semaphore::new(PARALLEL_OBJECTS));
    let mut results: Vec<Option<Result<Observed>>> = Vec::new();
    let mut handles = Vec::new();
    let mut tasks = JoinSet::new();
    for (index, (resource, plan)) in desired.iter().zip(plans).enumerate() {
        results.push(None);
        let api = match plan {
            Endpoint::Served(api) => api,
            Endpoint::CreatedByBuild => {
                task.step();
                results[index] = Some(Ok(Observed {
                    id: resource.id(),
                    endpoint: None,
                    namespace: None,
                    live: None,
                    dry_run: DryRun::Deferred(
                        "its CustomResourceDefinition is created by this apply".into(),
                    ),
                }));
                continue;
            }
        };
        let connection = Arc::clone(connection);
        let build_namespaces = Arc::clone(&build_namespaces);
        let identity = Arc::clone(&identity);
        let limit = Arc::clone(&limit);
        let resource = resource.clone();
        let handle = tasks.spawn(async move {
            // The semaphore is never closed, so acquiring only waits.
            let _permit = limit.acquire_owned().await;
            let result =
                observe_one(&connection, api, &resource, &build_namespaces, &identity).await;
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
async fn observe_one(
    connection: &Connection,
    api: ApiEndpoint,
    resource: &Resource,
    build_namespaces: &BTreeSet<String>,
    identity: &Identity,
) -> Result<Observed> {
    let id = resource.id();
    let refused = |error: Error, api: ApiEndpoint| Observed {
        id: resource.id(),
        endpoint: Some(api),
        namespace: None,
        live: None,
        dry_run: DryRun::Refused(ApplyError::Other(error)),
    };
    if resource.name().is_empty() {
        let error = Error::msg(format!(
            "{id}: has no metadata.name (from {})",
            resource.origin
        ));
        return Ok(refused(error, api));
    }
    let namespace = match connection.namespace_for(resource, api.namespaced) {
        Ok(namespace) => namespace,
        Err(error) => return Ok(refused(error, api)),
    };
    // Names become URL path segments: one that is not a single plain segment
    // could address another object, so the server is never asked.
    for (what, segment) in [
        ("name", Some(resource.name())),
        ("namespace", namespace.as_deref()),
    ] {
        if let Some(segment) = segment.filter(|s| !is_path_segment(s)) {
            let error = Error::msg(format!(
                "{id}: the {what} `{segment}` is not a valid Kubernetes name (from {})",
                resource.origin
            ));
            return Ok(refused(error, api));
        }
    }
    let path = api.collection_path(namespace.as_deref());
    let live = connection.get(&path, resource.name(), &id).await?;
    let dry_run = match connection
        .apply(
            &path,
            resource.name(),
            resource.object(),
            &id,
            identity,
            true,
        )
        .await
    {
        Ok(object) => DryRun::WouldBe(object),
        Err(ApplyError::NamespaceMissing(ns)) if build_namespaces.contains(&ns) => {
            DryRun::Deferred(format!("its namespace `{ns}` is created by this apply"))
        }
        Err(ApplyError::NamespaceMissing(ns)) => {
            DryRun::Refused(ApplyError::Other(namespace_missing(&id, &ns)))
        }
        Err(error) => DryRun::Refused(error),
    };
    Ok(Observed {
        id,
        endpoint: Some(api),
        namespace,
        live,
        dry_run,
    })
}

/// Whether `text` can be used as one URL path segment as it is: not `.` or
/// `..`, and none of `/ ? # %` or control characters (which no valid
/// Kubernetes name has either).
fn is_path_segment(text: &str) -> bool {
    !text.is_empty()
        && text != "."
        && text != ".."
        && !text
            .chars()
            .any(|c| matches!(c, '/' | '?' | '#' | '%' | ' ') || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::is_path_segment;

    #[test]
    fn names_that_would_change_the_url_are_not_path_segments() {
        for good in ["web", "web.example.com", "a:b", "system:controller"] {
            assert!(is_path_segment(good), "{good}");
        }
        for bad in [
            "",
            ".",
            "..",
            "a/b",
            "a?dryRun=None",
            "a#b",
            "a%2Fb",
            "a b",
            "a\nb",
        ] {
            assert!(!is_path_segment(bad), "{bad:?}");
        }
    }
}
