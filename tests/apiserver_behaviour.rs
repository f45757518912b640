//! The test API server (`tests/apiserver`) checked against what a real
//! Kubernetes 1.32 API server answers: server-side apply and managedFields,
//! preconditions, validation, discovery, watches, the readiness loop and
//! events, and the example program. Where kubectl is on PATH the checks
//! also run the real kubectl against it.

mod apiserver;

#[path = "apiserver_behaviour/client.rs"]
mod client;

#[path = "apiserver_behaviour/api.rs"]
mod api;
#[path = "apiserver_behaviour/apply.rs"]
mod apply;
#[path = "apiserver_behaviour/controllers.rs"]
mod controllers;
#[path = "apiserver_behaviour/kubectl.rs"]
mod kubectl;
#[path = "apiserver_behaviour/load.rs"]
mod load;
#[path = "apiserver_behaviour/program.rs"]
mod program;

use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

use apiserver::{ApiServer, Options};
use client::{Client, Kubectl};

/// A server, a directory and a kubeconfig for it.
pub struct Fixture {
    pub server: ApiServer,
    pub dir: tempfile::TempDir,
    pub kubeconfig: PathBuf,
}

impl Fixture {
    /// Everything settles before a write is answered (`ready_after` 0).
    pub fn settled() -> Fixture {
        Fixture::with_ready_after(Duration::ZERO)
    }

    pub fn with_ready_after(ready_after: Duration) -> Fixture {
        let server = ApiServer::start_with(Options {
            ready_after,
            require_token: false,
        });
        let dir = tempfile::tempdir().expect("temp dir");
        let kubeconfig = server.write_kubeconfig(dir.path());
        Fixture {
            server,
            dir,
            kubeconfig,
        }
    }

    pub fn client(&self) -> Client {
        Client::new(&self.server.url())
    }

    pub fn kubectl(&self) -> Option<Kubectl> {
        Kubectl::new(self.kubeconfig.clone(), self.dir.path())
    }
}

/// (manager, operation) of each managedFields entry, in order.
pub fn managers(object: &Value) -> Vec<(String, String)> {
    object["metadata"]["managedFields"]
        .as_array()
        .map(|entries| {
            entries
                .iter()
                .map(|entry| {
                    (
                        entry["manager"].as_str().unwrap_or_default().to_string(),
                        entry["operation"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The managedFields entry of `manager` and `operation`.
pub fn entry<'a>(object: &'a Value, manager: &str, operation: &str) -> &'a Value {
    object["metadata"]["managedFields"]
        .as_array()
        .and_then(|entries| {
            entries
                .iter()
                .find(|entry| entry["manager"] == manager && entry["operation"] == operation)
        })
        .unwrap_or_else(|| panic!("no {manager} {operation} entry in {}", object["metadata"]))
}
