//! What an apply reports as it goes: one [`Event`] per object and moment,
//! in a deterministic order (build order within a step). `--format json`
//! prints each as one line; the terminal output is made from the same
//! events. Events name objects by id and never carry their content.

use serde::Serialize;

use super::plan::{Action, Conflict, PlanItem};
use crate::id::ResId;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    /// In the plan, with its action (before anything is written).
    Planned,
    /// Written (or, with `--dry-run=server`, accepted by a dry run).
    Applied,
    /// Nothing to write.
    Unchanged,
    /// Written but not ready yet; `reason` says why.
    Waiting,
    Ready,
    /// Refused, failed its readiness rule, or timed out.
    Failed,
    /// Pruned: the DELETE was accepted.
    Deleted,
    /// A pruned object is gone from the cluster.
    Gone,
}

/// One event about one object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub event: EventKind,
    pub api_version: String,
    pub kind: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
    /// The step (from 1) the object is applied in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<usize>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub dry_run: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Conflict>,
    /// The object's latest Kubernetes events (`Warning BackOff: ...`), when waiting failed.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<String>,
    /// Set on the one timeout event of each stalled object.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub timed_out: bool,
}

impl Event {
    pub fn new(event: EventKind, id: &ResId) -> Event {
        Event {
            event,
            api_version: id.gvk.api_version(),
            kind: id.gvk.kind.clone(),
            namespace: id.namespace.clone(),
            name: id.name.clone(),
            action: None,
            step: None,
            dry_run: false,
            reason: None,
            conflicts: Vec::new(),
            events: Vec::new(),
            timed_out: false,
        }
    }

    /// An event about a plan item, with its action and step.
    pub fn about(event: EventKind, item: &PlanItem) -> Event {
        Event {
            action: Some(item.action),
            step: Some(item.step + 1),
            ..Event::new(event, &item.applied_id())
        }
    }

    /// The object's id as the text output names it.
    pub fn id(&self) -> ResId {
        ResId::new(
            crate::id::Gvk::from_api_version(&self.api_version, &self.kind),
            &self.namespace,
            &self.name,
        )
    }

    /// One JSON line (no newline).
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::Gvk;

    #[test]
    fn events_are_one_line_without_empty_fields() {
        let id = ResId::new(Gvk::new("apps", "v1", "Deployment"), "shop", "web");
        let mut event = Event::new(EventKind::Waiting, &id);
        event.reason = Some("1 of 3 replicas updated".into());
        assert_eq!(
            event.to_json_line(),
            r#"{"event":"waiting","apiVersion":"apps/v1","kind":"Deployment","namespace":"shop","name":"web","reason":"1 of 3 replicas updated"}"#
        );
        assert_eq!(event.id(), id);
    }
}
