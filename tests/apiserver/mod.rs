//! A small Kubernetes API server for tests, on 127.0.0.1 at a random port.
//!
//! It is faithful enough for `strata::cluster` and for the real `kubectl`
//! (1.32): `kubectl get`, `kubectl apply --server-side` and
//! `kubectl diff --server-side` work against it. Plain HTTP with a bearer
//! token ([`TOKEN`]); [`ApiServer::write_kubeconfig`] writes a kubeconfig.
//! kubectl sends no token over plain HTTP, so by default requests without
//! one are served; [`ApiServer::start_requiring_token`] refuses them.
//!
//! What it serves:
//! - `/version`; legacy discovery: `/api`, `/api/v1`, `/apis`,
//!   `/apis/<group>`, `/apis/<group>/<version>` (kubectl asks for aggregated
//!   discovery first and falls back to these when the answer is plain JSON);
//! - `/openapi/v3` and `/openapi/v3/<api path>`: one PATCH operation per kind
//!   with its `x-kubernetes-group-version-kind` and the `fieldValidation`,
//!   `dryRun`, `fieldManager` and `force` parameters, which is all kubectl's
//!   field-validation check reads (no schemas); `/openapi/v2` is 404;
//! - per resource: get, list (all namespaces too; `labelSelector` with
//!   `=`, `==`, `!=`, `in`, `notin`, `key`, `!key`), create (POST), update
//!   (PUT), delete, JSON merge patch (strategic merge patches are taken as
//!   merge patches) and server-side apply (`application/apply-patch+yaml`
//!   with a JSON or YAML body, `fieldManager`, `force`); `dryRun=All` on
//!   every write; `as=Table` answers with Name and Age columns;
//! - server-populated metadata: uid, resourceVersion, generation (workloads,
//!   CRDs, custom resources), creationTimestamp, managedFields (FieldsV1);
//! - real defaults: Deployment `replicas`, `strategy`,
//!   `revisionHistoryLimit`, `progressDeadlineSeconds`, pod template and
//!   container defaults; Service `clusterIP`/`clusterIPs` (allocated from
//!   10.96.0.0/16), `type`, `sessionAffinity`, IP families, port
//!   `protocol`/`targetPort`; Namespace finalizer, phase and name label;
//!   Secret `type`;
//! - namespaced writes need the namespace to exist (`default`,
//!   `kube-system`, `kube-public` and `kube-node-lease` do from the start);
//! - CustomResourceDefinitions register their kinds when created (no schema
//!   validation, no conversion: every served version shows the stored object).
//!
//! What kubectl 1.32 asks for (seen in [`ApiServer::requests`], checked by
//! `kubectl_requests_are_served` in tests/cluster.rs):
//! - `apply --server-side`: `GET /version`, `GET /openapi/v3`, then
//!   `GET /openapi/v3/apis/<group>/<version>?hash=…` per kind it applies
//!   (the field-validation check), `GET /api`, `GET /apis`, every
//!   `/api/v1` and `/apis/<group>/<version>` list, then
//!   `PATCH …?fieldManager=kubectl&fieldValidation=Strict&force=false`;
//! - `diff --server-side`: discovery as above, then per object `GET` and
//!   `PATCH …?dryRun=All&fieldManager=kubectl&force=false`;
//! - `get`: discovery, then `GET` (a list with `limit=500`) asking for a
//!   `meta.k8s.io/v1` Table unless `-o` names another format.
//!
//! [`ApiServer::start_tls`] serves HTTPS instead (certificates made with the
//! `openssl` command; a verified client certificate authenticates like the
//! token does).
//!
//! What it does not: watch, subresources (`/status`, `/scale`), protobuf,
//! RFC 6902 JSON patches, field and schema validation, finalizers and
//! garbage collection, resourceVersion preconditions, and SSA's full
//! structured merge (see `apply.rs` for the simplification).

#![allow(dead_code)]

mod apply;
mod kinds;

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{SystemTime, UNIX_EPOCH};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use serde_json::{json, Map, Value};

use kinds::Kind;

/// The bearer token the server accepts.
pub const TOKEN: &str = "strata-test-token";

/// A running server; stopped when dropped.
pub struct ApiServer {
    addr: SocketAddr,
    /// Serving HTTPS.
    secure: bool,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl ApiServer {
    /// Starts a server on 127.0.0.1 at a free port. Requests without an
    /// `Authorization` header are served: kubectl sends no bearer token over
    /// plain HTTP. A wrong token is refused.
    pub fn start() -> ApiServer {
        Self::start_with(false)
    }

    /// Like [`ApiServer::start`], but every request must carry [`TOKEN`].
    pub fn start_requiring_token() -> ApiServer {
        Self::start_with(true)
    }

    /// Starts a server speaking HTTPS with certificates made by the
    /// `openssl` command in `dir`; clients authenticate with the client
    /// certificate or [`TOKEN`]. `None` (with a notice) without `openssl`.
    pub fn start_tls(dir: &Path) -> Option<(ApiServer, TlsFiles)> {
        let files = TlsFiles::generate(dir)?;
        let acceptor = tls_acceptor(&files);
        Some((Self::launch(true, Some(acceptor)), files))
    }

    fn start_with(require_token: bool) -> ApiServer {
        Self::launch(require_token, None)
    }

    fn launch(require_token: bool, tls: Option<tokio_rustls::TlsAcceptor>) -> ApiServer {
        let secure = tls.is_some();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        listener
            .set_nonblocking(true)
            .expect("nonblocking listener");
        let addr = listener.local_addr().expect("local address");
        let mut state = State::new();
        state.require_token = require_token;
        let state = Arc::new(Mutex::new(state));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let state = Arc::clone(&state);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || serve(listener, state, stop, tls))
        };
        ApiServer {
            addr,
            secure,
            state,
            stop,
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        let scheme = if self.secure { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// Writes a kubeconfig for this server (context `test`, token auth) into `dir`.
    pub fn write_kubeconfig(&self, dir: &Path) -> PathBuf {
        let path = dir.join("kubeconfig");
        std::fs::write(&path, kubeconfig_text(&self.url(), "default")).expect("write kubeconfig");
        path
    }

    /// Creates an object as a client would (manager `seed`, operation Update).
    pub fn create(&self, object: Value) -> Value {
        let mut state = self.state.lock().expect("server state");
        let kind = state
            .kind_for_object(&object)
            .unwrap_or_else(|| panic!("test server does not serve {object}"));
        let namespace = kind.namespaced.then(|| {
            object["metadata"]["namespace"]
                .as_str()
                .unwrap_or("default")
                .to_string()
        });
        let target = Target {
            kind,
            namespace,
            name: None,
        };
        let answer = state.create(&target, object, "seed", false);
        assert!(
            answer.status.is_success(),
            "seeding failed: {}",
            answer.body
        );
        answer.body
    }

    /// Server-side applies an object as `manager`, as `kubectl apply --server-side` would.
    pub fn apply(&self, object: Value, manager: &str) -> Value {
        let mut state = self.state.lock().expect("server state");
        let kind = state
            .kind_for_object(&object)
            .unwrap_or_else(|| panic!("test server does not serve {object}"));
        let namespace = kind.namespaced.then(|| {
            object["metadata"]["namespace"]
                .as_str()
                .unwrap_or("default")
                .to_string()
        });
        let name = object["metadata"]["name"].as_str().map(str::to_string);
        let target = Target {
            kind,
            namespace,
            name,
        };
        let answer = state.apply(&target, object, manager, true, false);
        assert!(answer.status.is_success(), "apply failed: {}", answer.body);
        answer.body
    }

    /// The stored object, if any.
    pub fn get(&self, api_version: &str, kind: &str, namespace: &str, name: &str) -> Option<Value> {
        let state = self.state.lock().expect("server state");
        let kind = state
            .kinds
            .iter()
            .find(|served| served.api_version() == api_version && served.kind == kind)?
            .clone();
        state
            .objects
            .get(&state.key(&kind, namespace, name))
            .cloned()
    }

    /// Every request so far, as `METHOD path?query`.
    pub fn requests(&self) -> Vec<String> {
        self.state.lock().expect("server state").log.clone()
    }
}

impl Drop for ApiServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Certificates for an HTTPS server and a client, all signed by one CA.
pub struct TlsFiles {
    pub ca: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
    pub client_cert: PathBuf,
    pub client_key: PathBuf,
}

impl TlsFiles {
    /// Makes a CA, a server certificate for 127.0.0.1 and a client certificate.
    fn generate(dir: &Path) -> Option<TlsFiles> {
        let file = |name: &str| dir.join(name).to_string_lossy().into_owned();
        let openssl = |args: &[&str]| {
            std::process::Command::new("openssl")
                .args(args)
                .output()
                .is_ok_and(|output| output.status.success())
        };
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        let made_ca = openssl(
            &[
                &["req", "-x509"][..],
                &ec,
                &[
                    "-keyout",
                    &file("ca.key"),
                    "-out",
                    &file("ca.crt"),
                    "-days",
                    "2",
                ],
                &["-subj", "/CN=strata-test-ca"],
                &["-addext", "basicConstraints=critical,CA:TRUE"],
                &["-addext", "keyUsage=critical,keyCertSign,cRLSign"],
            ]
            .concat(),
        );
        if !made_ca {
            eprintln!(
                "notice: the openssl command is missing or failed; skipping the HTTPS checks"
            );
            return None;
        }
        for (name, subject, extensions) in [
            (
                "server",
                "/CN=127.0.0.1",
                "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
            ),
            (
                "client",
                "/CN=strata-test/O=system:masters",
                "extendedKeyUsage=clientAuth\n",
            ),
        ] {
            std::fs::write(dir.join(format!("{name}.ext")), extensions).ok()?;
            let made = openssl(
                &[
                    &["req"][..],
                    &ec,
                    &[
                        "-keyout",
                        &file(&format!("{name}.key")),
                        "-out",
                        &file(&format!("{name}.csr")),
                    ],
                    &["-subj", subject],
                ]
                .concat(),
            ) && openssl(&[
                "x509",
                "-req",
                "-in",
                &file(&format!("{name}.csr")),
                "-CA",
                &file("ca.crt"),
                "-CAkey",
                &file("ca.key"),
                "-CAcreateserial",
                "-days",
                "2",
                "-out",
                &file(&format!("{name}.crt")),
                "-extfile",
                &file(&format!("{name}.ext")),
            ]);
            if !made {
                eprintln!("notice: openssl could not sign the {name} certificate; skipping the HTTPS checks");
                return None;
            }
        }
        Some(TlsFiles {
            ca: dir.join("ca.crt"),
            server_cert: dir.join("server.crt"),
            server_key: dir.join("server.key"),
            client_cert: dir.join("client.crt"),
            client_key: dir.join("client.key"),
        })
    }
}

/// A TLS acceptor that asks for (but does not require) a client certificate signed by the CA.
fn tls_acceptor(files: &TlsFiles) -> tokio_rustls::TlsAcceptor {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(&files.ca).expect("CA file") {
        roots.add(cert.expect("CA certificate")).expect("add CA");
    }
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        Arc::clone(&provider),
    )
    .allow_unauthenticated()
    .build()
    .expect("client verifier");
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&files.server_cert)
        .expect("server certificate file")
        .map(|cert| cert.expect("server certificate"))
        .collect();
    let key = PrivateKeyDer::from_pem_file(&files.server_key).expect("server key");
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)
        .expect("server config");
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

/// A kubeconfig for an HTTPS server: CA file and client certificate, no token.
pub fn tls_kubeconfig_text(url: &str, files: &TlsFiles) -> String {
    format!(
        "apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: {url}
    certificate-authority: {}
contexts:
- name: test
  context:
    cluster: test
    user: test
current-context: test
users:
- name: test
  user:
    client-certificate: {}
    client-key: {}
",
        files.ca.display(),
        files.client_cert.display(),
        files.client_key.display()
    )
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

fn serve(
    listener: std::net::TcpListener,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    tls: Option<tokio_rustls::TlsAcceptor>,
) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("server runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
        while !stop.load(Ordering::SeqCst) {
            // Poll for connections so a stop request is noticed within 50 ms.
            let accepted =
                tokio::time::timeout(std::time::Duration::from_millis(50), listener.accept()).await;
            let Ok(Ok((stream, _))) = accepted else {
                continue;
            };
            let state = Arc::clone(&state);
            let tls = tls.clone();
            tokio::task::spawn(async move {
                match tls {
                    None => serve_connection(stream, state, false).await,
                    Some(acceptor) => {
                        let Ok(stream) = acceptor.accept(stream).await else {
                            return;
                        };
                        // The verifier only lets through certificates the CA signed.
                        let client_cert = stream.get_ref().1.peer_certificates().is_some();
                        serve_connection(stream, state, client_cert).await;
                    }
                }
            });
        }
    });
}

async fn serve_connection<S>(stream: S, state: Arc<Mutex<State>>, client_cert: bool)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |request| {
        let state = Arc::clone(&state);
        async move { Ok::<_, Infallible>(respond(request, &state, client_cert).await) }
    });
    let io = hyper_util::rt::TokioIo::new(stream);
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(io, service)
        .await;
}

async fn respond(
    request: Request<Incoming>,
    state: &Mutex<State>,
    client_cert: bool,
) -> Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(_) => Vec::new(),
    };
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let call = Call {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: parse_query(parts.uri.query().unwrap_or_default()),
        accept: header("accept"),
        content_type: header("content-type"),
        user_agent: header("user-agent"),
        body,
    };
    let mut state = state.lock().expect("server state");
    state.log.push(match parts.uri.query() {
        Some(query) => format!("{} {}?{query}", call.method, call.path),
        None => format!("{} {}", call.method, call.path),
    });
    let authorization = header("authorization");
    let refused = if authorization.is_empty() {
        state.require_token && !client_cert
    } else {
        authorization != format!("Bearer {TOKEN}")
    };
    let answer = if refused {
        Answer::status(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "Unauthorized",
            None,
        )
    } else {
        state.handle(&call)
    };
    let bytes = serde_json::to_vec(&answer.body).unwrap_or_default();
    Response::builder()
        .status(answer.status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(bytes)))
        .expect("response")
}

fn parse_query(query: &str) -> BTreeMap<String, String> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key), percent_decode(value))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'%' if index + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[index + 1..index + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(byte) => out.push(byte),
                    Err(_) => out.extend_from_slice(&bytes[index..index + 3]),
                }
                index += 3;
            }
            b'+' => {
                out.push(b' ');
                index += 1;
            }
            byte => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One request, read.
struct Call {
    method: String,
    path: String,
    query: BTreeMap<String, String>,
    accept: String,
    content_type: String,
    user_agent: String,
    body: Vec<u8>,
}

impl Call {
    fn dry_run(&self) -> bool {
        self.query.get("dryRun").is_some_and(|value| value == "All")
    }

    /// The field manager: `fieldManager`, else the user agent's program name as the API server does.
    fn manager(&self) -> String {
        match self.query.get("fieldManager") {
            Some(manager) if !manager.is_empty() => manager.clone(),
            _ => self
                .user_agent
                .split('/')
                .next()
                .filter(|name| !name.is_empty())
                .unwrap_or("unknown")
                .to_string(),
        }
    }
}

/// A response: status and JSON body.
struct Answer {
    status: StatusCode,
    body: Value,
}

impl Answer {
    fn ok(body: Value) -> Answer {
        Answer {
            status: StatusCode::OK,
            body,
        }
    }

    /// A `Status` failure as the API server writes it.
    fn status(status: StatusCode, reason: &str, message: &str, details: Option<Value>) -> Answer {
        let mut body = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": message,
            "reason": reason,
        });
        if let Some(details) = details {
            body["details"] = details;
        }
        body["code"] = json!(status.as_u16());
        Answer { status, body }
    }

    fn not_found_path() -> Answer {
        Answer::status(
            StatusCode::NOT_FOUND,
            "NotFound",
            "the server could not find the requested resource",
            Some(json!({})),
        )
    }

    fn not_found(kind: &Kind, name: &str) -> Answer {
        Answer::status(
            StatusCode::NOT_FOUND,
            "NotFound",
            &format!("{} \"{name}\" not found", qualified(kind)),
            Some(json!({"name": name, "group": kind.group, "kind": kind.plural})),
        )
    }

    fn bad_request(message: &str) -> Answer {
        Answer::status(StatusCode::BAD_REQUEST, "BadRequest", message, None)
    }
}

/// `deployments.apps`, or `services` for the core group.
fn qualified(kind: &Kind) -> String {
    if kind.group.is_empty() {
        kind.plural.clone()
    } else {
        format!("{}.{}", kind.plural, kind.group)
    }
}

/// The object a resource request is about.
struct Target {
    kind: Kind,
    namespace: Option<String>,
    name: Option<String>,
}

/// Everything the server holds.
struct State {
    kinds: Vec<Kind>,
    /// Keyed by (group, plural, namespace, name); versions share storage.
    objects: BTreeMap<(String, String, String, String), Value>,
    resource_version: u64,
    uids: u64,
    cluster_ips: u32,
    log: Vec<String>,
    require_token: bool,
}

impl State {
    fn new() -> State {
        let mut state = State {
            kinds: kinds::builtin_kinds(),
            objects: BTreeMap::new(),
            resource_version: 100,
            uids: 0,
            cluster_ips: 0,
            log: Vec::new(),
            require_token: false,
        };
        for name in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            let kind = state
                .kind("", "v1", "namespaces")
                .expect("namespaces are built in");
            let target = Target {
                kind,
                namespace: None,
                name: None,
            };
            let object =
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}});
            state.create(&target, object, "kube-apiserver", false);
        }
        state
    }

    fn kind(&self, group: &str, version: &str, plural: &str) -> Option<Kind> {
        self.kinds
            .iter()
            .find(|kind| kind.group == group && kind.version == version && kind.plural == plural)
            .cloned()
    }

    fn kind_for_object(&self, object: &Value) -> Option<Kind> {
        let api_version = object["apiVersion"].as_str()?;
        let kind = object["kind"].as_str()?;
        self.kinds
            .iter()
            .find(|served| served.api_version() == api_version && served.kind == kind)
            .cloned()
    }

    fn key(&self, kind: &Kind, namespace: &str, name: &str) -> (String, String, String, String) {
        let namespace = if kind.namespaced { namespace } else { "" };
        (
            kind.group.clone(),
            kind.plural.clone(),
            namespace.to_string(),
            name.to_string(),
        )
    }

    fn handle(&mut self, call: &Call) -> Answer {
        let segments: Vec<&str> = call
            .path
            .split('/')
            .filter(|part| !part.is_empty())
            .collect();
        match segments.as_slice() {
            ["version"] => Answer::ok(version()),
            ["api"] => Answer::ok(json!({
                "kind": "APIVersions",
                "versions": ["v1"],
                "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}],
            })),
            ["apis"] => Answer::ok(self.group_list()),
            ["api", "v1"] => Answer::ok(self.resource_list("", "v1")),
            ["apis", group] => match self.group(group) {
                Some(group) => Answer::ok(group),
                None => Answer::not_found_path(),
            },
            ["apis", group, version] if self.serves(group, version) => {
                Answer::ok(self.resource_list(group, version))
            }
            ["openapi", "v3"] => Answer::ok(self.openapi_root()),
            ["openapi", "v3", rest @ ..] => self.openapi_document(&rest.join("/")),
            ["api", "v1", rest @ ..] => self.resource_call("", "v1", rest, call),
            ["apis", group, version, rest @ ..] if self.serves(group, version) => {
                self.resource_call(group, version, rest, call)
            }
            _ => Answer::not_found_path(),
        }
    }

    fn serves(&self, group: &str, version: &str) -> bool {
        self.kinds
            .iter()
            .any(|kind| kind.group == group && kind.version == version)
    }

    /// Group names in first-served order, each with its versions.
    fn groups(&self) -> Vec<(String, Vec<String>)> {
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        for kind in self.kinds.iter().filter(|kind| !kind.group.is_empty()) {
            match groups.iter_mut().find(|(name, _)| *name == kind.group) {
                Some((_, versions)) if versions.contains(&kind.version) => {}
                Some((_, versions)) => versions.push(kind.version.clone()),
                None => groups.push((kind.group.clone(), vec![kind.version.clone()])),
            }
        }
        groups
    }

    fn group_json(name: &str, versions: &[String]) -> Value {
        let versions: Vec<Value> = versions
            .iter()
            .map(|version| json!({"groupVersion": format!("{name}/{version}"), "version": version}))
            .collect();
        json!({
            "name": name,
            "versions": versions,
            "preferredVersion": versions[0].clone(),
        })
    }

    fn group_list(&self) -> Value {
        let groups: Vec<Value> = self
            .groups()
            .iter()
            .map(|(name, versions)| Self::group_json(name, versions))
            .collect();
        json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
    }

    fn group(&self, name: &str) -> Option<Value> {
        let (name, versions) = self.groups().into_iter().find(|(group, _)| group == name)?;
        let mut group = Self::group_json(&name, &versions);
        group["kind"] = json!("APIGroup");
        group["apiVersion"] = json!("v1");
        Some(group)
    }

    fn resource_list(&self, group: &str, version: &str) -> Value {
        let resources: Vec<Value> = self
            .kinds
            .iter()
            .filter(|kind| kind.group == group && kind.version == version)
            .map(Kind::api_resource)
            .collect();
        let group_version = if group.is_empty() {
            version.to_string()
        } else {
            format!("{group}/{version}")
        };
        json!({
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": group_version,
            "resources": resources,
        })
    }

    /// `/openapi/v3`: one entry per served group/version.
    fn openapi_root(&self) -> Value {
        let mut paths = Map::new();
        let mut api_paths = vec!["api/v1".to_string()];
        for (group, versions) in self.groups() {
            for version in versions {
                api_paths.push(format!("apis/{group}/{version}"));
            }
        }
        for path in api_paths {
            let hash = self.openapi_hash(&path);
            paths.insert(
                path.clone(),
                json!({"serverRelativeURL": format!("/openapi/v3/{path}?hash={hash}")}),
            );
        }
        json!({"paths": paths})
    }

    /// A hash that changes when a group/version's kinds change (kubectl caches by it).
    fn openapi_hash(&self, path: &str) -> String {
        let text = self.openapi_document(path).body.to_string();
        let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3)
        });
        format!("{hash:016X}")
    }

    /// `/openapi/v3/<api path>`: PATCH operations only, enough for kubectl's parameter checks.
    fn openapi_document(&self, path: &str) -> Answer {
        let (group, version) = match path.split('/').collect::<Vec<_>>().as_slice() {
            ["api", version] => (String::new(), version.to_string()),
            ["apis", group, version] => (group.to_string(), version.to_string()),
            _ => return Answer::not_found_path(),
        };
        let core = group.is_empty() && version == "v1";
        if !core && !self.serves(&group, &version) {
            return Answer::not_found_path();
        }
        let parameters: Vec<Value> = ["dryRun", "fieldManager", "fieldValidation", "force"]
            .iter()
            .map(|name| json!({"name": name, "in": "query", "schema": {"type": "string", "uniqueItems": true}}))
            .collect();
        let mut paths = Map::new();
        for kind in self
            .kinds
            .iter()
            .filter(|kind| kind.group == group && kind.version == version)
        {
            let scope = if kind.namespaced {
                "/namespaces/{namespace}"
            } else {
                ""
            };
            let url = format!("/{path}{scope}/{}/{{name}}", kind.plural);
            paths.insert(
                url,
                json!({"patch": {
                    "operationId": format!("patch{}", kind.kind),
                    "parameters": parameters,
                    "responses": {"200": {"description": "OK"}},
                    "x-kubernetes-action": "patch",
                    "x-kubernetes-group-version-kind": {"group": kind.group, "version": kind.version, "kind": kind.kind},
                }}),
            );
        }
        Answer::ok(json!({
            "openapi": "3.0.0",
            "info": {"title": "Kubernetes", "version": "v1.32.0"},
            "paths": paths,
            "components": {"schemas": {}},
        }))
    }

    fn resource_call(&mut self, group: &str, version: &str, rest: &[&str], call: &Call) -> Answer {
        let (namespace, plural, name, subresource) = match rest {
            ["namespaces", namespace, plural, more @ ..] => (
                Some(namespace.to_string()),
                *plural,
                more.first(),
                more.get(1),
            ),
            [plural, more @ ..] => (None, *plural, more.first(), more.get(1)),
            [] => return Answer::not_found_path(),
        };
        let Some(kind) = self.kind(group, version, plural) else {
            return Answer::not_found_path();
        };
        if subresource.is_some() || (!kind.namespaced && namespace.is_some()) {
            return Answer::not_found_path();
        }
        if kind.namespaced && namespace.is_none() && (name.is_some() || call.method != "GET") {
            return Answer::not_found_path();
        }
        let target = Target {
            kind,
            namespace,
            name: name.map(|name| name.to_string()),
        };
        match (call.method.as_str(), target.name.is_some()) {
            ("GET", true) => self.read(&target, call),
            ("GET", false) => self.list(&target, call),
            ("POST", false) => match parse_body(call) {
                Ok(object) => self.create(&target, object, &call.manager(), call.dry_run()),
                Err(answer) => answer,
            },
            ("PUT", true) => match parse_body(call) {
                Ok(object) => self.update(&target, object, &call.manager(), call.dry_run()),
                Err(answer) => answer,
            },
            ("PATCH", true) => self.patch(&target, call),
            ("DELETE", true) => self.delete(&target, call.dry_run()),
            _ => Answer::status(
                StatusCode::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                "the server does not allow this method on the requested resource",
                None,
            ),
        }
    }

    fn stored(&self, target: &Target) -> Option<&Value> {
        let name = target.name.as_deref()?;
        let namespace = target.namespace.as_deref().unwrap_or_default();
        self.objects.get(&self.key(&target.kind, namespace, name))
    }

    /// The stored object as seen through `kind`'s version.
    fn present(kind: &Kind, object: &Value) -> Value {
        let mut object = object.clone();
        object["apiVersion"] = json!(kind.api_version());
        object
    }

    fn read(&self, target: &Target, call: &Call) -> Answer {
        let name = target.name.as_deref().unwrap_or_default();
        match self.stored(target) {
            Some(object) => {
                let object = Self::present(&target.kind, object);
                if wants_table(call) {
                    Answer::ok(self.table(vec![object]))
                } else {
                    Answer::ok(object)
                }
            }
            None => Answer::not_found(&target.kind, name),
        }
    }

    fn list(&self, target: &Target, call: &Call) -> Answer {
        let selector = match call.query.get("labelSelector") {
            Some(text) => match parse_selector(text) {
                Ok(selector) => selector,
                Err(message) => return Answer::bad_request(&message),
            },
            None => Vec::new(),
        };
        let items: Vec<Value> = self
            .objects
            .iter()
            .filter(|((group, plural, namespace, _), _)| {
                *group == target.kind.group
                    && *plural == target.kind.plural
                    && target
                        .namespace
                        .as_ref()
                        .is_none_or(|wanted| wanted == namespace)
            })
            .map(|(_, object)| Self::present(&target.kind, object))
            .filter(|object| {
                selector
                    .iter()
                    .all(|requirement| requirement.matches(&object["metadata"]["labels"]))
            })
            .collect();
        if wants_table(call) {
            return Answer::ok(self.table(items));
        }
        let items: Vec<Value> = items
            .into_iter()
            .map(|mut object| {
                // Lists of built-in kinds carry no kind/apiVersion per item.
                if !target.kind.custom {
                    if let Some(map) = object.as_object_mut() {
                        map.remove("kind");
                        map.remove("apiVersion");
                    }
                }
                object
            })
            .collect();
        Answer::ok(json!({
            "kind": format!("{}List", target.kind.kind),
            "apiVersion": target.kind.api_version(),
            "metadata": {"resourceVersion": self.resource_version.to_string()},
            "items": items,
        }))
    }

    /// A `meta.k8s.io/v1` Table with Name and Age columns, as for a CRD without printer columns.
    fn table(&self, objects: Vec<Value>) -> Value {
        let now = now_seconds();
        let rows: Vec<Value> = objects
            .into_iter()
            .map(|object| {
                let metadata = object["metadata"].clone();
                let created = metadata["creationTimestamp"].as_str().and_then(parse_timestamp).unwrap_or(now);
                json!({
                    "cells": [metadata["name"].clone(), age(now.saturating_sub(created))],
                    "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": metadata},
                })
            })
            .collect();
        json!({
            "kind": "Table",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": {"resourceVersion": self.resource_version.to_string()},
            "columnDefinitions": [
                {"name": "Name", "type": "string", "format": "name", "description": "Name must be unique within a namespace.", "priority": 0},
                {"name": "Age", "type": "string", "format": "", "description": "CreationTimestamp is a timestamp representing the server time when this object was created.", "priority": 0},
            ],
            "rows": rows,
        })
    }

    /// Checks the body against the URL and fills name and namespace from it.
    fn check_body(&self, target: &Target, object: &mut Value) -> Result<(), Answer> {
        if !object.is_object() {
            return Err(Answer::bad_request("the body must be an object"));
        }
        let kind = &target.kind;
        if object["apiVersion"].as_str() != Some(kind.api_version().as_str())
            || object["kind"].as_str() != Some(kind.kind.as_str())
        {
            return Err(Answer::bad_request(&format!(
                "the API version in the data ({}) does not match the expected API version ({})",
                object["apiVersion"].as_str().unwrap_or_default(),
                kind.api_version()
            )));
        }
        if !object["metadata"].is_object() {
            object["metadata"] = json!({});
        }
        if let Some(name) = &target.name {
            match object["metadata"]["name"].as_str() {
                Some(own) if own != name => {
                    return Err(Answer::bad_request(
                        "the name of the object does not match the name on the URL",
                    ))
                }
                _ => object["metadata"]["name"] = json!(name),
            }
        }
        if object["metadata"]["name"]
            .as_str()
            .is_none_or(str::is_empty)
        {
            return Err(Answer::status(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Invalid",
                &format!(
                    "{} \"\" is invalid: metadata.name: Required value: name is required",
                    kind.kind
                ),
                None,
            ));
        }
        match &target.namespace {
            Some(namespace) => {
                match object["metadata"]["namespace"].as_str() {
                    Some(own) if own != namespace => {
                        return Err(Answer::bad_request(
                            "the namespace of the provided object does not match the namespace sent on the request",
                        ))
                    }
                    _ => object["metadata"]["namespace"] = json!(namespace),
                }
                if !self.objects.contains_key(&(
                    String::new(),
                    "namespaces".into(),
                    String::new(),
                    namespace.clone(),
                )) {
                    return Err(Answer::status(
                        StatusCode::NOT_FOUND,
                        "NotFound",
                        &format!("namespaces \"{namespace}\" not found"),
                        Some(json!({"name": namespace, "kind": "namespaces"})),
                    ));
                }
            }
            None => {
                if let Some(metadata) = object["metadata"].as_object_mut() {
                    metadata.remove("namespace");
                }
            }
        }
        Ok(())
    }

    fn create(
        &mut self,
        target: &Target,
        mut object: Value,
        manager: &str,
        dry_run: bool,
    ) -> Answer {
        if let Err(answer) = self.check_body(target, &mut object) {
            return answer;
        }
        let name = object["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let target = Target {
            kind: target.kind.clone(),
            namespace: target.namespace.clone(),
            name: Some(name.clone()),
        };
        if self.stored(&target).is_some() {
            return Answer::status(
                StatusCode::CONFLICT,
                "AlreadyExists",
                &format!("{} \"{name}\" already exists", qualified(&target.kind)),
                Some(json!({"name": name, "group": target.kind.group, "kind": target.kind.plural})),
            );
        }
        let fields = apply::field_set(&object);
        let entry = managed_entry(manager, "Update", &target.kind, &fields);
        let mut answer = self.write(&target, object, None, vec![entry], dry_run);
        if answer.status == StatusCode::OK {
            answer.status = StatusCode::CREATED;
        }
        answer
    }

    fn update(
        &mut self,
        target: &Target,
        mut object: Value,
        manager: &str,
        dry_run: bool,
    ) -> Answer {
        if let Err(answer) = self.check_body(target, &mut object) {
            return answer;
        }
        let Some(old) = self.stored(target).cloned() else {
            return self.create(target, object, manager, dry_run);
        };
        // Whatever the update changed now belongs to `manager`.
        let changed: apply::FieldSet = apply::field_set(&object)
            .into_iter()
            .filter(|path| apply::value_at(&old, path) != apply::value_at(&object, path))
            .collect();
        let managers = take_fields(managed_sets(&old), manager, "Update", &changed, &changed);
        let entries = entries_of(&managers, &target.kind);
        self.write(target, object, Some(&old), entries, dry_run)
    }

    fn patch(&mut self, target: &Target, call: &Call) -> Answer {
        let content_type = call
            .content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_string();
        match content_type.as_str() {
            "application/apply-patch+yaml" | "application/apply-patch+cbor" => match parse_body(call) {
                Ok(object) => {
                    let force = call.query.get("force").is_some_and(|value| value == "true");
                    if !call.query.contains_key("fieldManager") {
                        return Answer::bad_request(
                            "PATCH request with apply-patch content type must specify fieldManager",
                        );
                    }
                    self.apply(target, object, &call.manager(), force, call.dry_run())
                }
                Err(answer) => answer,
            },
            "application/merge-patch+json" | "application/strategic-merge-patch+json" => {
                let Some(old) = self.stored(target).cloned() else {
                    return Answer::not_found(&target.kind, target.name.as_deref().unwrap_or_default());
                };
                let patch: Value = match serde_json::from_slice(&call.body) {
                    Ok(patch) => patch,
                    Err(error) => return Answer::bad_request(&error.to_string()),
                };
                let mut object = old.clone();
                merge_patch(&mut object, &patch);
                self.update(target, object, &call.manager(), call.dry_run())
            }
            _ => Answer::status(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UnsupportedMediaType",
                &format!("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml; got {content_type}"),
                None,
            ),
        }
    }

    fn apply(
        &mut self,
        target: &Target,
        mut applied: Value,
        manager: &str,
        force: bool,
        dry_run: bool,
    ) -> Answer {
        if let Err(answer) = self.check_body(target, &mut applied) {
            return answer;
        }
        let new_fields = apply::field_set(&applied);
        let Some(old) = self.stored(target).cloned() else {
            let entry = managed_entry(manager, "Apply", &target.kind, &new_fields);
            let mut answer = self.write(target, applied, None, vec![entry], dry_run);
            if answer.status == StatusCode::OK {
                answer.status = StatusCode::CREATED;
            }
            return answer;
        };
        let mut managers = managed_sets(&old);
        let conflicts = conflicts(&managers, manager, &new_fields, &old, &applied);
        if !conflicts.is_empty() && !force {
            return conflict_answer(
                &target.kind,
                target.name.as_deref().unwrap_or_default(),
                &conflicts,
            );
        }
        let previous = managers
            .iter()
            .find(|set| set.manager == manager && set.operation == "Apply")
            .map(|set| set.fields.clone())
            .unwrap_or_default();
        // Equal values are shared with other appliers; forced conflicts are taken from them.
        let taken: apply::FieldSet = conflicts.iter().map(|(_, path)| path.clone()).collect();
        managers = take_fields(managers, manager, "Apply", &new_fields, &taken);
        let others: apply::FieldSet = managers
            .iter()
            .filter(|set| !(set.manager == manager && set.operation == "Apply"))
            .flat_map(|set| set.fields.iter().cloned())
            .collect();
        let mut object = old.clone();
        // Fields this manager applied before, no longer applies and nobody else owns go away.
        for path in previous.difference(&new_fields) {
            if !others.contains(path) {
                apply::remove_at(&mut object, path);
            }
        }
        strip_server_fields(&mut object);
        apply::merge(&mut object, &applied, "");
        let entries = entries_of(&managers, &target.kind);
        self.write(target, object, Some(&old), entries, dry_run)
    }

    fn delete(&mut self, target: &Target, dry_run: bool) -> Answer {
        let name = target.name.clone().unwrap_or_default();
        let namespace = target.namespace.clone().unwrap_or_default();
        let key = self.key(&target.kind, &namespace, &name);
        let Some(object) = self.objects.get(&key).cloned() else {
            return Answer::not_found(&target.kind, &name);
        };
        if !dry_run {
            self.objects.remove(&key);
            self.resource_version += 1;
            if target.kind.kind == "CustomResourceDefinition" {
                let removed = kinds::kinds_of_crd(&object);
                self.kinds.retain(|kind| !removed.contains(kind));
            }
        }
        Answer::ok(json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Success",
            "details": {"name": name, "group": target.kind.group, "kind": target.kind.plural, "uid": object["metadata"]["uid"]},
        }))
    }

    /// Fills server fields and defaults, then stores unless `dry_run`.
    fn write(
        &mut self,
        target: &Target,
        mut object: Value,
        old: Option<&Value>,
        managed: Vec<Value>,
        dry_run: bool,
    ) -> Answer {
        let kind = &target.kind;
        let mut ips = self.cluster_ips;
        let mut next_ip = || {
            ips += 1;
            format!("10.96.{}.{}", ips / 250, ips % 250 + 1)
        };
        kinds::apply_defaults(kind, &mut object, &mut next_ip);
        if !dry_run {
            self.cluster_ips = ips;
        }
        let metadata = object["metadata"]
            .as_object_mut()
            .expect("checked body has metadata");
        metadata.remove("managedFields");
        let now = timestamp(now_seconds());
        match old {
            Some(old) => {
                for field in ["uid", "creationTimestamp", "resourceVersion", "generation"] {
                    match old["metadata"].get(field) {
                        Some(value) => metadata.insert(field.to_string(), value.clone()),
                        None => metadata.remove(field),
                    };
                }
            }
            None => {
                self.uids += 1;
                metadata.insert(
                    "uid".into(),
                    json!(format!("6c1f3e2a-0000-4000-8000-{:012x}", self.uids)),
                );
                metadata.insert("creationTimestamp".into(), json!(now));
                metadata.remove("resourceVersion");
                if kind.has_generation {
                    metadata.insert("generation".into(), json!(1));
                } else {
                    metadata.remove("generation");
                }
            }
        }
        let managed = keep_times(managed, old, &now);
        object["metadata"]["managedFields"] = json!(managed);
        if let Some(old) = old {
            if kind.has_generation && spec_of(old) != spec_of(&object) {
                let generation = old["metadata"]["generation"].as_i64().unwrap_or(0) + 1;
                object["metadata"]["generation"] = json!(generation);
            }
        }
        let object = canonical_order(object);
        if old == Some(&object) {
            return Answer::ok(object);
        }
        if dry_run {
            return Answer::ok(object);
        }
        let mut object = object;
        self.resource_version += 1;
        object["metadata"]["resourceVersion"] = json!(self.resource_version.to_string());
        let object = canonical_order(object);
        let name = object["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let namespace = target.namespace.clone().unwrap_or_default();
        let key = self.key(kind, &namespace, &name);
        self.objects.insert(key, object.clone());
        if kind.kind == "CustomResourceDefinition" {
            for added in kinds::kinds_of_crd(&object) {
                if !self.kinds.iter().any(|kind| {
                    kind.group == added.group
                        && kind.version == added.version
                        && kind.plural == added.plural
                }) {
                    self.kinds.push(added);
                }
            }
        }
        Answer::ok(object)
    }
}

/// One managedFields entry, parsed.
#[derive(Clone, Debug)]
struct ManagedSet {
    manager: String,
    operation: String,
    fields: apply::FieldSet,
    time: Option<Value>,
}

fn managed_sets(object: &Value) -> Vec<ManagedSet> {
    object["metadata"]["managedFields"]
        .as_array()
        .map(|entries| {
            entries
                .iter()
                .map(|entry| ManagedSet {
                    manager: entry["manager"].as_str().unwrap_or_default().to_string(),
                    operation: entry["operation"].as_str().unwrap_or_default().to_string(),
                    fields: apply::from_fields_v1(&entry["fieldsV1"]),
                    time: entry.get("time").cloned(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Gives `fields` to (`manager`, `operation`), taking `taken` from everyone else.
fn take_fields(
    mut sets: Vec<ManagedSet>,
    manager: &str,
    operation: &str,
    fields: &apply::FieldSet,
    taken: &apply::FieldSet,
) -> Vec<ManagedSet> {
    for set in &mut sets {
        if !(set.manager == manager && set.operation == operation) {
            set.fields.retain(|path| !taken.contains(path));
        }
    }
    match sets
        .iter_mut()
        .find(|set| set.manager == manager && set.operation == operation)
    {
        Some(set) if operation == "Apply" => set.fields = fields.clone(),
        Some(set) => set.fields.extend(fields.iter().cloned()),
        None => sets.push(ManagedSet {
            manager: manager.to_string(),
            operation: operation.to_string(),
            fields: fields.clone(),
            time: None,
        }),
    }
    sets.retain(|set| !set.fields.is_empty());
    sets
}

fn entries_of(sets: &[ManagedSet], kind: &Kind) -> Vec<Value> {
    sets.iter()
        .map(|set| {
            let mut entry = managed_entry(&set.manager, &set.operation, kind, &set.fields);
            if let Some(time) = &set.time {
                entry["time"] = time.clone();
            }
            entry
        })
        .collect()
}

fn managed_entry(manager: &str, operation: &str, kind: &Kind, fields: &apply::FieldSet) -> Value {
    json!({
        "manager": manager,
        "operation": operation,
        "apiVersion": kind.api_version(),
        "time": Value::Null,
        "fieldsType": "FieldsV1",
        "fieldsV1": apply::to_fields_v1(fields),
    })
}

/// Stamps entries whose fields changed with `now`; unchanged ones keep their time.
fn keep_times(entries: Vec<Value>, old: Option<&Value>, now: &str) -> Vec<Value> {
    let old_entries = old
        .and_then(|old| old["metadata"]["managedFields"].as_array().cloned())
        .unwrap_or_default();
    entries
        .into_iter()
        .map(|mut entry| {
            let same = old_entries.iter().find(|previous| {
                previous["manager"] == entry["manager"]
                    && previous["operation"] == entry["operation"]
                    && previous["fieldsV1"] == entry["fieldsV1"]
            });
            entry["time"] = match same {
                Some(previous) => previous["time"].clone(),
                None => json!(now),
            };
            entry
        })
        .collect()
}

/// Fields owned by another manager that the apply would set to a different value.
fn conflicts(
    sets: &[ManagedSet],
    manager: &str,
    fields: &apply::FieldSet,
    live: &Value,
    applied: &Value,
) -> Vec<(String, apply::Path)> {
    let mut found = Vec::new();
    for set in sets
        .iter()
        .filter(|set| !(set.manager == manager && set.operation == "Apply"))
    {
        for path in set.fields.intersection(fields) {
            let (Some(live_value), Some(applied_value)) =
                (apply::value_at(live, path), apply::value_at(applied, path))
            else {
                continue;
            };
            if live_value != applied_value && !live_value.is_object() {
                found.push((set.manager.clone(), path.clone()));
            }
        }
    }
    found
}

fn conflict_answer(kind: &Kind, name: &str, conflicts: &[(String, apply::Path)]) -> Answer {
    let causes: Vec<Value> = conflicts
        .iter()
        .map(|(manager, path)| {
            let field = apply::describe(path);
            json!({"type": "FieldManagerConflict", "message": format!("conflict with \"{manager}\""), "field": field})
        })
        .collect();
    let listed: Vec<String> = conflicts
        .iter()
        .map(|(manager, path)| format!("- conflict with \"{manager}\": {}", apply::describe(path)))
        .collect();
    let noun = if conflicts.len() == 1 {
        "conflict"
    } else {
        "conflicts"
    };
    Answer::status(
        StatusCode::CONFLICT,
        "Conflict",
        &format!(
            "Apply failed with {} {noun}: {}",
            conflicts.len(),
            listed.join("\n")
        ),
        Some(json!({"name": name, "group": kind.group, "kind": kind.plural, "causes": causes})),
    )
}

/// Server-owned metadata a client may have sent back; the server sets it itself.
fn strip_server_fields(object: &mut Value) {
    if let Some(metadata) = object["metadata"].as_object_mut() {
        metadata.remove("managedFields");
    }
}

/// Everything but metadata and status: what bumps `generation`.
fn spec_of(object: &Value) -> Value {
    let mut object = object.clone();
    if let Some(map) = object.as_object_mut() {
        map.remove("metadata");
        map.remove("status");
    }
    object
}

/// Top-level and metadata keys in the order the API server writes them.
fn canonical_order(object: Value) -> Value {
    let Value::Object(mut map) = object else {
        return object;
    };
    let mut ordered = Map::new();
    for key in ["kind", "apiVersion", "metadata"] {
        if let Some(value) = map.remove(key) {
            ordered.insert(key.to_string(), value);
        }
    }
    let status = map.remove("status");
    ordered.extend(map);
    if let Some(status) = status {
        ordered.insert("status".into(), status);
    }
    if let Some(Value::Object(mut metadata)) = ordered.remove("metadata") {
        let mut sorted = Map::new();
        for key in [
            "name",
            "generateName",
            "namespace",
            "uid",
            "resourceVersion",
            "generation",
            "creationTimestamp",
            "deletionTimestamp",
            "labels",
            "annotations",
            "ownerReferences",
            "finalizers",
            "managedFields",
        ] {
            if let Some(value) = metadata.remove(key) {
                sorted.insert(key.to_string(), value);
            }
        }
        sorted.extend(metadata);
        let mut with_metadata = Map::new();
        for (key, value) in ordered {
            if key == "apiVersion" {
                with_metadata.insert(key, value);
                with_metadata.insert("metadata".into(), Value::Object(sorted.clone()));
            } else {
                with_metadata.insert(key, value);
            }
        }
        return Value::Object(with_metadata);
    }
    Value::Object(ordered)
}

/// RFC 7386 JSON merge patch.
fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = json!({});
    }
    let map = target.as_object_mut().expect("just made an object");
    for (key, value) in patch {
        if value.is_null() {
            map.remove(key);
        } else {
            merge_patch(map.entry(key.clone()).or_insert(Value::Null), value);
        }
    }
}

/// The body as JSON, or as YAML (first document) when it is not JSON.
fn parse_body(call: &Call) -> Result<Value, Answer> {
    if let Ok(value) = serde_json::from_slice::<Value>(&call.body) {
        return Ok(value);
    }
    let text = String::from_utf8_lossy(&call.body);
    match strata::yaml::parse_stream(&text, Path::new("request body")) {
        Ok(mut documents) if !documents.is_empty() => Ok(documents.remove(0)),
        Ok(_) => Err(Answer::bad_request("empty body")),
        Err(error) => Err(Answer::bad_request(&format!(
            "cannot parse the body: {error}"
        ))),
    }
}

fn wants_table(call: &Call) -> bool {
    call.accept.contains("as=Table")
}

fn version() -> Value {
    json!({
        "major": "1",
        "minor": "32",
        "gitVersion": "v1.32.0",
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2024-12-11T00:00:00Z",
        "goVersion": "go1.23.3",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}

/// One label requirement of a selector.
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

impl Requirement {
    fn matches(&self, labels: &Value) -> bool {
        let value = |key: &str| labels.get(key).and_then(Value::as_str);
        match self {
            Requirement::Equals(key, wanted) => value(key) == Some(wanted.as_str()),
            Requirement::NotEquals(key, unwanted) => value(key) != Some(unwanted.as_str()),
            Requirement::In(key, set) => {
                value(key).is_some_and(|value| set.iter().any(|item| item == value))
            }
            Requirement::NotIn(key, set) => {
                !value(key).is_some_and(|value| set.iter().any(|item| item == value))
            }
            Requirement::Exists(key) => value(key).is_some(),
            Requirement::NotExists(key) => value(key).is_none(),
        }
    }
}

/// Parses a label selector (`app=web,tier in (a,b),!canary`).
fn parse_selector(text: &str) -> Result<Vec<Requirement>, String> {
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    for character in text.chars() {
        match character {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(character);
    }
    parts.push(current);
    parts
        .iter()
        .map(|part| part.trim())
        .filter(|part| !part.is_empty())
        .map(parse_requirement)
        .collect()
}

fn parse_requirement(part: &str) -> Result<Requirement, String> {
    let set = |rest: &str| -> Result<Vec<String>, String> {
        let inner = rest
            .trim()
            .strip_prefix('(')
            .and_then(|rest| rest.strip_suffix(')'))
            .ok_or_else(|| format!("unable to parse requirement: {part}"))?;
        Ok(inner
            .split(',')
            .map(|item| item.trim().to_string())
            .filter(|item| !item.is_empty())
            .collect())
    };
    if let Some(key) = part.strip_prefix('!') {
        return Ok(Requirement::NotExists(key.trim().to_string()));
    }
    if let Some((key, value)) = part.split_once("!=") {
        return Ok(Requirement::NotEquals(
            key.trim().into(),
            value.trim().into(),
        ));
    }
    if let Some((key, value)) = part.split_once("==").or_else(|| part.split_once('=')) {
        return Ok(Requirement::Equals(key.trim().into(), value.trim().into()));
    }
    if let Some((key, rest)) = part.split_once(" notin ") {
        return Ok(Requirement::NotIn(key.trim().into(), set(rest)?));
    }
    if let Some((key, rest)) = part.split_once(" in ") {
        return Ok(Requirement::In(key.trim().into(), set(rest)?));
    }
    if part.contains(' ') || part.contains('(') {
        return Err(format!("unable to parse requirement: {part}"));
    }
    Ok(Requirement::Exists(part.to_string()))
}

fn now_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or(0)
}

/// RFC 3339 UTC with seconds, as the API server writes timestamps.
fn timestamp(seconds: u64) -> String {
    let days = seconds / 86_400;
    let rest = seconds % 86_400;
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

fn parse_timestamp(text: &str) -> Option<u64> {
    let number = |range: std::ops::Range<usize>| text.get(range)?.parse::<i64>().ok();
    let days = days_from_civil(number(0..4)?, number(5..7)?, number(8..10)?);
    let seconds = days * 86_400 + number(11..13)? * 3600 + number(14..16)? * 60 + number(17..19)?;
    u64::try_from(seconds).ok()
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// An age as kubectl prints it (`5s`, `3m`, `2h`, `4d`).
fn age(seconds: u64) -> String {
    match seconds {
        0..=119 => format!("{seconds}s"),
        120..=7199 => format!("{}m", seconds / 60),
        7200..=172_799 => format!("{}h", seconds / 3600),
        _ => format!("{}d", seconds / 86_400),
    }
}
