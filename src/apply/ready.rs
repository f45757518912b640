//! Whether a live object is ready, by kstatus's rules.
//!
//! Stand-in until the readiness rules of branch `applylogic` land (same
//! signatures, see /work/coord/applylogic-interface.md): CRDs wait for
//! `Established`, everything else is ready at once.

use serde_json::Value;

use crate::id::Gvk;

/// kstatus's verdict for one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    /// Human text: "2 of 3 replicas updated", "waiting for condition Established".
    InProgress { reason: String },
    /// E.g. Job condition Failed, Stalled=True.
    Failed { reason: String },
    Terminating,
}

/// kstatus's verdict for a live object (as read back from the API server).
pub fn readiness(live: &Value) -> Readiness {
    if live["metadata"]["deletionTimestamp"].is_string() {
        return Readiness::Terminating;
    }
    if live["kind"] == "CustomResourceDefinition" {
        let established = live["status"]["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| c["type"] == "Established" && c["status"] == "True");
        if !established {
            return Readiness::InProgress {
                reason: "waiting for condition Established".into(),
            };
        }
    }
    Readiness::Ready
}

/// Whether a kind has a wait rule of its own (for the report: kinds that fall back to "no wait").
pub fn has_rule(gvk: &Gvk) -> bool {
    gvk.kind == "CustomResourceDefinition"
}
