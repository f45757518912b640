//! Watches (`?watch=true`): a chunked stream of `{"type":...,"object":...}`
//! lines, starting with the objects that exist (no `resourceVersion`, or
//! `0`) or with the changes after the given `resourceVersion`, then every
//! change as it is stored. `timeoutSeconds` ends the stream. An object that
//! stops matching the selectors is not announced as deleted (the real
//! server sends a DELETED event then).

use std::time::{Duration, Instant};

use hyper::body::Bytes;
use serde_json::{json, Value};
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};

use super::selectors::{FieldSelector, LabelSelector};
use super::server::{Call, Reply};
use super::state::{storage_key, State, Target};
use super::status::Answer;
use super::store::Key;

pub struct Watcher {
    target: Target,
    group: String,
    plural: String,
    labels: LabelSelector,
    fields: FieldSelector,
    sender: UnboundedSender<Bytes>,
    deadline: Instant,
}

fn line(kind: &str, object: &Value) -> Bytes {
    let mut text =
        serde_json::to_string(&json!({"type": kind, "object": object})).unwrap_or_default();
    text.push('\n');
    Bytes::from(text)
}

impl Watcher {
    fn wants(&self, key: &Key, object: &Value) -> bool {
        key.group == self.group
            && key.plural == self.plural
            && self
                .target
                .namespace
                .as_ref()
                .is_none_or(|namespace| *namespace == key.namespace)
            && self.labels.matches(object)
            && self.fields.matches(object)
    }
}

impl State {
    pub fn start_watch(&mut self, target: &Target, call: &Call) -> Reply {
        let labels = match LabelSelector::parse(
            call.query
                .get("labelSelector")
                .map(String::as_str)
                .unwrap_or_default(),
        ) {
            Ok(labels) => labels,
            Err(message) => return Answer::bad_request(&message).into(),
        };
        let (group, kind) = (
            target.resource.group.as_str(),
            target.resource.kind.as_str(),
        );
        let fields = match FieldSelector::parse(
            call.query
                .get("fieldSelector")
                .map(String::as_str)
                .unwrap_or_default(),
            group,
            kind,
        ) {
            Ok(fields) => fields,
            Err(message) => return Answer::bad_request(&message).into(),
        };
        let key = storage_key(&target.resource, "", "");
        let timeout = call
            .query
            .get("timeoutSeconds")
            .and_then(|seconds| seconds.parse().ok())
            .unwrap_or(1800);
        let (sender, receiver) = unbounded_channel();
        let watcher = Watcher {
            target: target.clone(),
            group: key.group.clone(),
            plural: key.plural.clone(),
            labels,
            fields,
            sender,
            deadline: Instant::now() + Duration::from_secs(timeout),
        };
        let since = call
            .query
            .get("resourceVersion")
            .filter(|version| !version.is_empty() && *version != "0")
            .map(|version| version.parse::<u64>().unwrap_or(0));
        match since {
            None => {
                for (namespace, object) in
                    self.store
                        .list(&key.group, &key.plural, target.namespace.as_deref())
                {
                    let name = object["metadata"]["name"].as_str().unwrap_or_default();
                    let object = self.present(target, object);
                    if watcher.wants(&Key::new(&key.group, &key.plural, namespace, name), &object) {
                        let _ = watcher.sender.send(line("ADDED", &object));
                    }
                }
            }
            Some(version) => match self.store.changes_since(&key.group, &key.plural, version) {
                Some(changes) => {
                    for change in changes {
                        let name = change.object["metadata"]["name"]
                            .as_str()
                            .unwrap_or_default();
                        let object = self.present(target, &change.object);
                        if watcher.wants(
                            &Key::new(&key.group, &key.plural, &change.namespace, name),
                            &object,
                        ) {
                            let _ = watcher.sender.send(line(change.kind, &object));
                        }
                    }
                }
                None => {
                    let status = json!({
                        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                        "message": format!("too old resource version: {version} ({})", self.store.resource_version),
                        "reason": "Expired", "code": 410,
                    });
                    let _ = watcher.sender.send(line("ERROR", &status));
                    return Reply::Stream(receiver);
                }
            },
        }
        self.watchers.push(watcher);
        Reply::Stream(receiver)
    }

    /// Tells watchers of `key`'s type about a stored change.
    pub fn notify(&mut self, key: &Key, kind: &str, object: &Value) {
        let mut dead = false;
        for watcher in &self.watchers {
            if watcher.group != key.group || watcher.plural != key.plural {
                continue;
            }
            let presented = self.present(&watcher.target, object);
            if watcher.wants(key, &presented)
                && watcher.sender.send(line(kind, &presented)).is_err()
            {
                dead = true;
            }
        }
        if dead {
            self.expire_watchers();
        }
    }

    /// Ends watches past their timeout and forgets closed ones.
    pub fn expire_watchers(&mut self) {
        let now = Instant::now();
        self.watchers
            .retain(|watcher| watcher.deadline > now && !watcher.sender.is_closed());
    }
}
