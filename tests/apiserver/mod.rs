//! A Kubernetes API server for tests, on 127.0.0.1 at a free port,
//! behaving as a Kubernetes 1.32 API server does for the clients strata and
//! kubectl are: discovery, reads, writes, server-side apply with real
//! managedFields, preconditions, validation of immutable fields, watches,
//! and controllers that make workloads ready after a delay.
//!
//! Use it in-process ([`ApiServer::start`], [`ApiServer::start_with`]) or
//! as a program: `cargo run --release --example test-apiserver --
//! --kubeconfig FILE [--ready-after SECONDS] [--request-log FILE]`.
//! Plain HTTP with an optional bearer token ([`TOKEN`]); kubectl sends no
//! token over plain HTTP, so by default requests without one are served.
//! [`ApiServer::start_tls`] serves HTTPS with a client certificate.
//!
//! # What it serves
//!
//! - `/version` (v1.32.0), legacy discovery (`/api`, `/api/v1`, `/apis`,
//!   `/apis/<group>[/<version>]`) listing every resource a default 1.32
//!   server serves (`catalog.rs`: scope, short names, verbs, categories,
//!   subresources), so `kubectl api-resources` prints the real list.
//!   Aggregated discovery is not served: kubectl falls back to legacy.
//! - `/openapi/v3` and `/openapi/v3/<api path>`: PATCH operations with
//!   their parameters, which is what kubectl's field-validation check reads
//!   (no schemas; kubectl then builds client-side strategic merge patches
//!   from its compiled-in types). `/openapi/v2` is 404.
//! - Per resource: get, list (one namespace or all; `labelSelector`,
//!   `fieldSelector` with the fields the real server allows per kind,
//!   `limit`/`continue`), watch (`?watch=true`, chunked events, resuming
//!   from a `resourceVersion`), create (`generateName` too), update,
//!   delete, deletecollection, JSON merge patch, strategic merge patch
//!   (built-in kinds; 415 for custom resources, as on a real server),
//!   RFC 6902 JSON patch and server-side apply (`application/apply-patch+yaml`,
//!   JSON or YAML, `fieldManager`, `force`); `dryRun=All` on every write.
//!   Subresources `status` (get, update, patch, apply) and `scale`.
//!   `Accept` with `as=Table` answers with the server's printer columns
//!   (`tables.rs`), with `as=PartialObjectMetadata[List]` with metadata only.
//! - Server-side apply as structured-merge-diff does it (`managed.rs`,
//!   `typed.rs`, `schema.rs`): managedFields (FieldsV1) per manager,
//!   operation, version and subresource; associative lists by their real
//!   keys, atomic and granular maps and lists as the 1.32 schema marks them,
//!   custom resources by their CRD schema; conflicts (409, `details.causes`
//!   of type FieldManagerConflict, worded as the server words them) unless
//!   forced; fields an applier stops applying are removed unless another
//!   manager owns them; a no-op apply changes nothing (same
//!   resourceVersion and times). Non-apply writes record `Update` entries,
//!   so client-side `kubectl apply` followed by `kubectl apply --server-side`
//!   migrates as on a real server (the last-applied annotation lets kubectl
//!   take over without conflicts; the JSON patch of managedFields with its
//!   resourceVersion works).
//! - Preconditions: `metadata.resourceVersion` and `metadata.uid` in
//!   update, patch and apply bodies and `DeleteOptions.preconditions` give
//!   409 Conflict when stale; `propagationPolicy` (Background, Foreground,
//!   Orphan) decides what happens to dependents (by `ownerReferences`).
//! - Validation (`validation.rs`): 422 Invalid with causes for names,
//!   required workload fields and immutable fields (workload selectors, Job
//!   template and selector, StatefulSet spec outside the updatable fields,
//!   Service cluster IPs — "may not change once set", as the real server
//!   words it — immutable ConfigMaps and Secrets, PVC spec, roleRef), on
//!   dry runs too.
//! - Server-set fields (`defaults.rs`, `strategy.rs`): uid,
//!   resourceVersion, generation (bumped by spec changes only; status and
//!   spec writes do not touch each other), creationTimestamp, the 1.32
//!   defaults of the common kinds, cluster IPs and node ports, Job
//!   selectors, initial statuses, finalizers (deletion waits for them),
//!   namespaces that terminate before they go.
//! - What a fresh cluster has (`seed.rs`): the four system namespaces,
//!   their `default` ServiceAccounts and `kube-root-ca.crt`, the
//!   `kubernetes` Service, one ready node (`strata-test-node`) and the
//!   built-in APIServices.
//!
//! # Readiness (`ready_after`, default 0.5 s, 0 = immediately)
//!
//! - CustomResourceDefinitions get `NamesAccepted` and `Established`
//!   `ready_after` after they are written; until then their kinds are
//!   unknown (404 on their paths, absent from discovery).
//! - The controllers (`controllers.rs`, `workloads.rs`, `kubelet.rs`)
//!   create ReplicaSets, pods, claims and ControllerRevisions as the real
//!   ones do, and `ready_after` after a change make Deployments,
//!   StatefulSets, DaemonSets and ReplicaSets ready (status and
//!   observedGeneration as the real controllers write them), Jobs
//!   `Complete` (SuccessCriteriaMet and Complete), PVCs `Bound`,
//!   LoadBalancer Services get `status.loadBalancer.ingress`, APIServices
//!   `Available`. They record core/v1 Events (`ScalingReplicaSet`,
//!   `SuccessfulCreate`, `Scheduled`, `Pulled`, `Started`, `Completed`,
//!   ...), also served as events.k8s.io/v1.
//! - The annotation `test.strata.dev/never-ready: "true"` on a workload
//!   keeps it from ever being ready: its pods crash-loop (Warning `BackOff`
//!   events), a Deployment stays Progressing with unavailable replicas
//!   (then `ProgressDeadlineExceeded` after `progressDeadlineSeconds`), a
//!   Job never completes. `test.strata.dev/fail: "true"` on a Job makes it
//!   fail (`FailureTarget` and `Failed`, reason BackoffLimitExceeded).
//! - With `ready_after` 0 all of this happens before the write that caused
//!   it is answered; otherwise a control loop runs it when due.
//!
//! # What it does not do
//!
//! Protobuf (such bodies get 415, so the typed `kubectl create namespace`,
//! `create secret` ... fail; `kubectl apply` and `create -f` send JSON),
//! aggregated discovery, OpenAPI schemas, schema validation of fields
//! (unknown fields are kept, not refused), admission webhooks,
//! authorization (everyone may do everything), version conversion beyond
//! relabelling (all versions of a type show the stored object),
//! CronJob schedules, rolling-update steps (new ReplicaSets take all
//! replicas at once), Endpoints/EndpointSlices for Services, pod logs and
//! exec, graceful pod termination (pods go at once), and a watch does not
//! announce objects that stop matching its selectors. Pod template hashes
//! and similar generated names are derived differently from a real
//! cluster's, and a Job's template in an Invalid message is shortened to
//! `core.PodTemplateSpec{...}`.
//!
//! # Cost
//!
//! Objects are stored per type and namespace (`store.rs`) with an index of
//! dependents by owner uid, so a request touches only its own type and a
//! controller only its object's dependents; nothing scans every object.
//! `tests/apiserver_behaviour/load.rs` applies objects one request each and
//! prints the time (`APISERVER_LOAD_OBJECTS=2000` to measure more).
//!
//! What kubectl 1.32 asks for (seen in [`ApiServer::requests`], checked by
//! `kubectl_requests_are_served` in tests/cluster.rs): `apply
//! --server-side` reads `/version`, `/openapi/v3` and the group/version
//! document of each kind (field validation), discovery, then PATCHes with
//! `fieldManager=kubectl&fieldValidation=Strict&force=false`; `diff
//! --server-side` GETs and dry-run PATCHes; `get` lists with `limit=500`
//! asking for a Table.

#![allow(dead_code)]

mod catalog;
mod clock;
mod controllers;
mod defaults;
mod discovery;
mod events;
mod fieldpath;
mod gojson;
mod kubelet;
mod managed;
mod names;
mod patch;
mod resources;
mod schema;
mod seed;
mod selectors;
mod server;
mod state;
mod status;
mod store;
mod strategy;
mod tables;
mod tls;
mod typed;
mod validation;
mod watch;
mod workloads;
mod writes;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;

pub use state::Options;
// Used by tests/cluster.rs, not by the example program.
#[allow(unused_imports)]
pub use tls::{tls_kubeconfig_text, TlsFiles};

use server::Shared;
use state::{State, Target};
use writes::Op;

/// The bearer token the server accepts.
pub const TOKEN: &str = "strata-test-token";

/// A running server; stopped when dropped.
pub struct ApiServer {
    addr: SocketAddr,
    /// Serving HTTPS.
    secure: bool,
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

/// The answer to an in-process write.
#[derive(Debug)]
pub struct Written {
    pub status: u16,
    pub body: Value,
}

impl ApiServer {
    /// Starts a server with the default options (`ready_after` 0.5 s).
    /// Requests without an `Authorization` header are served; a wrong token is refused.
    pub fn start() -> ApiServer {
        Self::start_with(Options::default())
    }

    /// Like [`ApiServer::start`], but every request must carry [`TOKEN`].
    pub fn start_requiring_token() -> ApiServer {
        Self::start_with(Options {
            require_token: true,
            ..Options::default()
        })
    }

    pub fn start_with(options: Options) -> ApiServer {
        Self::launch(options, None, None)
    }

    /// Like [`ApiServer::start_with`], also logging `METHOD URL` lines to `log`.
    pub fn start_logging(options: Options, log: &Path) -> std::io::Result<ApiServer> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)?;
        Ok(Self::launch(options, None, Some(file)))
    }

    /// Starts a server speaking HTTPS with certificates made by the
    /// `openssl` command in `dir`; clients authenticate with the client
    /// certificate or [`TOKEN`]. `None` (with a notice) without `openssl`.
    pub fn start_tls(dir: &Path) -> Option<(ApiServer, TlsFiles)> {
        let files = TlsFiles::generate(dir)?;
        let acceptor = tls::tls_acceptor(&files);
        let options = Options {
            require_token: true,
            ..Options::default()
        };
        Some((Self::launch(options, Some(acceptor), None), files))
    }

    fn launch(
        options: Options,
        tls: Option<tokio_rustls::TlsAcceptor>,
        log_file: Option<std::fs::File>,
    ) -> ApiServer {
        let secure = tls.is_some();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        listener
            .set_nonblocking(true)
            .expect("nonblocking listener");
        let addr = listener.local_addr().expect("local address");
        let shared = Arc::new(Shared {
            state: Mutex::new(State::new(options)),
            log_file: Mutex::new(log_file),
            stop: AtomicBool::new(false),
        });
        let serving = {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || server::serve(listener, shared, tls))
        };
        let controlling = {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || control_loop(&shared))
        };
        ApiServer {
            addr,
            secure,
            shared,
            threads: vec![serving, controlling],
        }
    }

    pub fn url(&self) -> String {
        let scheme = if self.secure { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// Writes a kubeconfig for this server (context `test`, token auth) into `dir`.
    pub fn write_kubeconfig(&self, dir: &Path) -> PathBuf {
        let path = dir.join("kubeconfig");
        self.write_kubeconfig_to(&path).expect("write kubeconfig");
        path
    }

    /// Writes a kubeconfig for this server to `path`.
    pub fn write_kubeconfig_to(&self, path: &Path) -> std::io::Result<()> {
        std::fs::write(path, kubeconfig_text(&self.url(), "default"))
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.shared.state.lock().expect("server state")
    }

    fn target_of(state: &State, object: &Value) -> Target {
        let api_version = object["apiVersion"].as_str().unwrap_or_default();
        let kind = object["kind"].as_str().unwrap_or_default();
        let resource = state
            .resource_for(api_version, kind)
            .unwrap_or_else(|| panic!("test server does not serve {api_version} {kind}"))
            .clone();
        let namespace = object["metadata"]["namespace"].as_str();
        let name = object["metadata"]["name"].as_str();
        Target::new(&resource, namespace, name)
    }

    /// Creates an object as a client would (manager `seed`, operation Update).
    pub fn create(&self, object: Value) -> Value {
        let mut state = self.state();
        let mut target = Self::target_of(&state, &object);
        target.name = None;
        let answer = state.write(&target, Op::Create(object), "seed", false);
        state.run_due_now();
        assert!(answer.is_success(), "seeding failed: {}", answer.body);
        answer.body
    }

    /// Server-side applies an object as `manager` with force, as
    /// `kubectl apply --server-side --force-conflicts` would.
    pub fn apply(&self, object: Value, manager: &str) -> Value {
        let written = self.try_apply(object, manager, true);
        assert!(written.status < 300, "apply failed: {}", written.body);
        written.body
    }

    /// Server-side applies an object; the answer whatever it is.
    pub fn try_apply(&self, config: Value, manager: &str, force: bool) -> Written {
        let mut state = self.state();
        let target = Self::target_of(&state, &config);
        let answer = state.write(&target, Op::Apply { config, force }, manager, false);
        state.run_due_now();
        Written {
            status: answer.status.as_u16(),
            body: answer.body,
        }
    }

    /// The stored object, if any (as `api_version` shows it).
    pub fn get(&self, api_version: &str, kind: &str, namespace: &str, name: &str) -> Option<Value> {
        let state = self.state();
        let resource = state.resource_for(api_version, kind)?.clone();
        let target = Target::new(&resource, Some(namespace), Some(name));
        let object = state.store.get(&target.key(name))?;
        Some(state.present(&target, object))
    }

    /// Polls until `check` holds for the stored object, up to `timeout`.
    pub fn wait_for(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
        timeout: Duration,
        check: impl Fn(&Value) -> bool,
    ) -> Option<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(object) = self.get(api_version, kind, namespace, name) {
                if check(&object) {
                    return Some(object);
                }
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Every request so far, as `METHOD path?query`.
    pub fn requests(&self) -> Vec<String> {
        self.state().log.clone()
    }
}

/// Runs controller work when it is due, one piece at a time, so requests interleave.
fn control_loop(shared: &Shared) {
    while !shared.stop.load(Ordering::SeqCst) {
        let wait = {
            let mut state = shared.state.lock().expect("server state");
            state.expire_watchers();
            if let Some(work) = state.next_due() {
                controllers::run(&mut state, work);
                continue;
            }
            state
                .next_due_time()
                .map(|due| due.saturating_duration_since(Instant::now()))
                .unwrap_or(Duration::from_millis(50))
                .min(Duration::from_millis(50))
        };
        std::thread::sleep(wait.max(Duration::from_millis(1)));
    }
}

impl Drop for ApiServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Watch streams end when their senders go.
        if let Ok(mut state) = self.shared.state.lock() {
            state.watchers.clear();
        }
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

/// A kubeconfig pointing at `url` with the test token.
pub fn kubeconfig_text(url: &str, namespace: &str) -> String {
    format!(
        "apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: {url}
contexts:
- name: test
  context:
    cluster: test
    user: test
    namespace: {namespace}
current-context: test
users:
- name: test
  user:
    token: {TOKEN}
"
    )
}
