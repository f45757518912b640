//! Events: what the controllers report about the objects they touch,
//! written as core/v1 Events the way client-go's recorder writes them
//! (`<object>.<hex nanoseconds>`, repeats counted on the first event), and
//! the events.k8s.io/v1 view of the same storage.

use serde_json::{json, Map, Value};

use super::clock;
use super::state::{storage_key, State, Target};
use super::writes::Op;

impl State {
    /// Records that `component` (run by process `manager`) saw `reason` on `object`.
    pub fn record_event(
        &mut self,
        object: &Value,
        event_type: &str,
        reason: &str,
        message: &str,
        component: &str,
        manager: &str,
    ) {
        let Some(resource) = self.resource("", "v1", "events").cloned() else {
            return;
        };
        let metadata = &object["metadata"];
        let namespace = metadata["namespace"]
            .as_str()
            .unwrap_or("default")
            .to_string();
        let uid = metadata["uid"].as_str().unwrap_or_default().to_string();
        let now = clock::now();
        let identity = format!("{uid}\u{0}{reason}\u{0}{message}\u{0}{component}");
        if let Some(key) = self.event_index.get(&identity).cloned() {
            if let Some(mut event) = self.store.get(&key).cloned() {
                event["count"] = json!(event["count"].as_i64().unwrap_or(1) + 1);
                event["lastTimestamp"] = json!(now);
                let target = Target::new(&resource, Some(&namespace), Some(&key.name));
                self.write(&target, Op::Replace(event), manager, false);
                return;
            }
        }
        let name = format!(
            "{}.{:x}",
            metadata["name"].as_str().unwrap_or_default(),
            clock::now_nanos()
        );
        let mut involved = Map::new();
        for (field, value) in [
            ("kind", object["kind"].clone()),
            ("namespace", metadata["namespace"].clone()),
            ("name", metadata["name"].clone()),
            ("uid", metadata["uid"].clone()),
            ("apiVersion", object["apiVersion"].clone()),
            ("resourceVersion", metadata["resourceVersion"].clone()),
        ] {
            if !value.is_null() {
                involved.insert(field.into(), value);
            }
        }
        let event = json!({
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": name, "namespace": namespace},
            "involvedObject": involved,
            "reason": reason,
            "message": message,
            "source": {"component": component},
            "firstTimestamp": now,
            "lastTimestamp": now,
            "count": 1,
            "type": event_type,
            "eventTime": null,
            "reportingComponent": component,
            "reportingInstance": "",
        });
        let target = Target::new(&resource, Some(&namespace), None);
        let answer = self.write(&target, Op::Create(event), manager, false);
        if answer.is_success() {
            self.event_index
                .insert(identity, storage_key(&resource, &namespace, &name));
        }
    }
}

/// A core/v1 Event as events.k8s.io/v1 shows it.
pub fn to_events_v1(core: &Value) -> Value {
    let mut out = Map::new();
    out.insert("kind".into(), json!("Event"));
    out.insert("apiVersion".into(), json!("events.k8s.io/v1"));
    out.insert("metadata".into(), core["metadata"].clone());
    for (to, from) in [
        ("eventTime", "eventTime"),
        ("series", "series"),
        ("reportingController", "reportingComponent"),
        ("reportingInstance", "reportingInstance"),
        ("action", "action"),
        ("reason", "reason"),
        ("regarding", "involvedObject"),
        ("related", "related"),
        ("note", "message"),
        ("type", "type"),
        ("deprecatedSource", "source"),
        ("deprecatedFirstTimestamp", "firstTimestamp"),
        ("deprecatedLastTimestamp", "lastTimestamp"),
        ("deprecatedCount", "count"),
    ] {
        if let Some(value) = core.get(from) {
            out.insert(to.into(), value.clone());
        }
    }
    Value::Object(out)
}

/// An events.k8s.io/v1 Event as stored (core/v1).
pub fn to_core(event: &Value) -> Value {
    let mut out = Map::new();
    out.insert("kind".into(), json!("Event"));
    out.insert("apiVersion".into(), json!("v1"));
    out.insert("metadata".into(), event["metadata"].clone());
    for (from, to) in [
        ("eventTime", "eventTime"),
        ("series", "series"),
        ("reportingController", "reportingComponent"),
        ("reportingInstance", "reportingInstance"),
        ("action", "action"),
        ("reason", "reason"),
        ("regarding", "involvedObject"),
        ("related", "related"),
        ("note", "message"),
        ("type", "type"),
        ("deprecatedSource", "source"),
        ("deprecatedFirstTimestamp", "firstTimestamp"),
        ("deprecatedLastTimestamp", "lastTimestamp"),
        ("deprecatedCount", "count"),
    ] {
        if let Some(value) = event.get(from) {
            out.insert(to.into(), value.clone());
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_event_apis_show_one_object() {
        let core = json!({"kind": "Event", "apiVersion": "v1", "metadata": {"name": "e"},
                          "involvedObject": {"name": "web"}, "message": "hi", "reason": "R", "count": 1});
        let v1 = to_events_v1(&core);
        assert_eq!(v1["regarding"]["name"], "web");
        assert_eq!(v1["note"], "hi");
        assert_eq!(to_core(&v1), core);
    }
}
