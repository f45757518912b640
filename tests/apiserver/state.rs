//! Everything the server holds, and the routing of a request to discovery,
//! OpenAPI or a resource handler.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::catalog::{self, Resource};
use super::schema::Node;
use super::server::{Call, Reply};
use super::status::Answer;
use super::store::{Key, Store};
use super::strategy::Allocator;
use super::watch::Watcher;

/// How the server behaves.
#[derive(Clone, Debug)]
pub struct Options {
    /// Delay before CRDs are established and controllers make objects ready.
    pub ready_after: Duration,
    /// Refuse requests without the bearer token (or a client certificate).
    pub require_token: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            ready_after: Duration::from_millis(500),
            require_token: false,
        }
    }
}

/// Work for the controllers, due at a time.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Work {
    /// Bring an object's status (and its dependents) to what its controller writes.
    Reconcile(Key),
    /// Set a CRD's NamesAccepted and Established conditions and serve its kinds.
    Establish(String),
    /// Delete a terminating namespace's contents, then the namespace.
    FinishNamespace(String),
    /// Create a new namespace's `default` ServiceAccount and `kube-root-ca.crt`.
    FillNamespace(String),
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Task {
    pub due: Instant,
    pub seq: u64,
    pub work: Work,
}

/// The object a resource request is about.
#[derive(Clone, Debug)]
pub struct Target {
    pub resource: Resource,
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub subresource: Option<String>,
}

impl Target {
    pub fn new(resource: &Resource, namespace: Option<&str>, name: Option<&str>) -> Target {
        Target {
            resource: resource.clone(),
            namespace: if resource.namespaced {
                Some(namespace.unwrap_or("default").to_string())
            } else {
                None
            },
            name: name.map(str::to_string),
            subresource: None,
        }
    }

    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or_default()
    }

    pub fn subresource(&self) -> &str {
        self.subresource.as_deref().unwrap_or_default()
    }

    pub fn key(&self, name: &str) -> Key {
        storage_key(
            &self.resource,
            self.namespace.as_deref().unwrap_or_default(),
            name,
        )
    }
}

/// Where objects of `resource` are stored: events.k8s.io Events are core Events.
pub fn storage_key(resource: &Resource, namespace: &str, name: &str) -> Key {
    let group = storage_group(resource);
    let namespace = if resource.namespaced { namespace } else { "" };
    Key::new(group, &resource.plural, namespace, name)
}

pub fn storage_group(resource: &Resource) -> &str {
    if resource.group == "events.k8s.io" {
        ""
    } else {
        &resource.group
    }
}

pub struct State {
    pub options: Options,
    /// Served resource types: the built-ins, then established custom kinds.
    pub resources: Vec<Resource>,
    pub store: Store,
    pub alloc: Allocator,
    pub log: Vec<String>,
    pub watchers: Vec<Watcher>,
    pub work: BinaryHeap<Reverse<Task>>,
    /// The earliest due time of each queued work (later duplicates are dropped).
    pending: HashMap<Work, Instant>,
    seq: u64,
    /// Events by (uid, reason, message, component): repeats count on the first.
    pub event_index: HashMap<String, Key>,
    /// When a pod the controllers created turns ready (or completes).
    pub ready_at: HashMap<Key, Instant>,
}

impl State {
    pub fn new(options: Options) -> State {
        let mut state = State {
            options,
            resources: catalog::builtins(),
            store: Store::new(),
            alloc: Allocator::default(),
            log: Vec::new(),
            watchers: Vec::new(),
            work: BinaryHeap::new(),
            pending: HashMap::new(),
            seq: 0,
            event_index: HashMap::new(),
            ready_at: HashMap::new(),
        };
        super::seed::seed(&mut state);
        state
    }

    /// Queues `work` after `delay`.
    pub fn schedule(&mut self, work: Work, delay: Duration) {
        self.schedule_at(work, Instant::now() + delay);
    }

    pub fn schedule_at(&mut self, work: Work, due: Instant) {
        if self.pending.get(&work).is_some_and(|queued| *queued <= due) {
            return;
        }
        self.pending.insert(work.clone(), due);
        self.seq += 1;
        self.work.push(Reverse(Task {
            due,
            seq: self.seq,
            work,
        }));
    }

    /// The next work that is due, if any; stale duplicates are skipped.
    pub fn next_due(&mut self) -> Option<Work> {
        let now = Instant::now();
        while let Some(Reverse(task)) = self.work.peek() {
            if task.due > now {
                return None;
            }
            let Reverse(task) = self.work.pop().expect("peeked");
            if self.pending.get(&task.work) == Some(&task.due) {
                self.pending.remove(&task.work);
                return Some(task.work);
            }
        }
        None
    }

    /// When the next work is due.
    pub fn next_due_time(&self) -> Option<Instant> {
        self.work.peek().map(|Reverse(task)| task.due)
    }

    /// The served type by group, version and plural.
    pub fn resource(&self, group: &str, version: &str, plural: &str) -> Option<&Resource> {
        self.resources
            .iter()
            .find(|r| r.group == group && r.version == version && r.plural == plural)
    }

    /// The served type of an object's apiVersion and kind.
    pub fn resource_for(&self, api_version: &str, kind: &str) -> Option<&Resource> {
        self.resources
            .iter()
            .find(|r| r.api_version() == api_version && r.kind == kind)
    }

    /// The preferred served version of a type (its first version).
    pub fn preferred(&self, group: &str, kind: &str) -> Option<&Resource> {
        self.resources
            .iter()
            .find(|r| r.group == group && r.kind == kind)
    }

    pub fn namespace_exists(&self, namespace: &str) -> bool {
        self.store
            .get(&Key::new("", "namespaces", "", namespace))
            .is_some()
    }

    /// The schema of a custom resource version (`openAPIV3Schema`), cloned.
    pub fn crd_schema(&self, resource: &Resource) -> Option<Value> {
        if !resource.custom {
            return None;
        }
        let name = format!("{}.{}", resource.plural, resource.group);
        let crd = self.store.get(&Key::new(
            "apiextensions.k8s.io",
            "customresourcedefinitions",
            "",
            &name,
        ))?;
        crd["spec"]["versions"]
            .as_array()?
            .iter()
            .find(|version| version["name"] == resource.version.as_str())
            .map(|version| version["schema"]["openAPIV3Schema"].clone())
            .filter(Value::is_object)
    }

    pub fn handle(&mut self, call: &Call) -> Reply {
        let segments: Vec<&str> = call
            .path
            .split('/')
            .filter(|part| !part.is_empty())
            .collect();
        let answer = match segments.as_slice() {
            ["version"] => Answer::ok(version()),
            ["api"] => Answer::ok(json!({
                "kind": "APIVersions",
                "versions": ["v1"],
                "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}],
            })),
            ["apis"] => Answer::ok(super::discovery::group_list(self)),
            ["api", "v1"] => Answer::ok(super::discovery::resource_list(self, "", "v1")),
            ["apis", group] => match super::discovery::group(self, group) {
                Some(group) => Answer::ok(group),
                None => Answer::not_found_path(),
            },
            ["apis", group, version] if self.serves(group, version) => {
                Answer::ok(super::discovery::resource_list(self, group, version))
            }
            ["openapi", "v3"] => Answer::ok(super::discovery::openapi_root(self)),
            ["openapi", "v3", rest @ ..] => {
                super::discovery::openapi_document(self, &rest.join("/"))
            }
            ["api", "v1", rest @ ..] => return self.resource_call("", "v1", rest, call),
            ["apis", group, version, rest @ ..] if self.serves(group, version) => {
                return self.resource_call(group, version, rest, call)
            }
            _ => Answer::not_found_path(),
        };
        Reply::Json(answer)
    }

    pub fn serves(&self, group: &str, version: &str) -> bool {
        self.resources
            .iter()
            .any(|r| r.group == group && r.version == version)
    }

    fn resource_call(&mut self, group: &str, version: &str, rest: &[&str], call: &Call) -> Reply {
        let (namespace, plural, name, subresource) = match rest {
            // `/api/v1/namespaces/NAME[/status|/finalize]` is the namespace itself.
            ["namespaces", name] if group.is_empty() => (None, "namespaces", Some(*name), None),
            ["namespaces", name, sub @ ("status" | "finalize")] if group.is_empty() => {
                (None, "namespaces", Some(*name), Some(*sub))
            }
            ["namespaces", namespace, plural, more @ ..] => (
                Some(*namespace),
                *plural,
                more.first().copied(),
                more.get(1).copied(),
            ),
            [plural, more @ ..] => (None, *plural, more.first().copied(), more.get(1).copied()),
            [] => return Answer::not_found_path().into(),
        };
        if rest.len() > 5 {
            return Answer::not_found_path().into();
        }
        let Some(resource) = self.resource(group, version, plural).cloned() else {
            return Answer::not_found_path().into();
        };
        if !resource.namespaced && namespace.is_some() {
            return Answer::not_found_path().into();
        }
        if let Some(subresource) = subresource {
            if !resource.subresources.iter().any(|s| s == subresource) {
                return Answer::not_found_path().into();
            }
        }
        let target = Target {
            namespace: namespace.map(str::to_string),
            name: name.map(str::to_string),
            subresource: subresource.map(str::to_string),
            resource,
        };
        if target.resource.namespaced
            && target.namespace.is_none()
            && (target.name.is_some() || !matches!(call.method.as_str(), "GET"))
        {
            return Answer::not_found_path().into();
        }
        super::resources::dispatch(self, &target, call)
    }

    /// The schema node of a type (built-in table or CRD schema).
    pub fn with_node<T>(&self, resource: &Resource, run: impl FnOnce(Node) -> T) -> T {
        match self.crd_schema(resource) {
            Some(schema) => run(Node::CrdRoot(&schema)),
            None if resource.custom => {
                let untyped = json!({"x-kubernetes-preserve-unknown-fields": true});
                run(Node::CrdRoot(&untyped))
            }
            None => run(resource.builtin_node()),
        }
    }
}

pub fn version() -> Value {
    json!({
        "major": "1",
        "minor": "32",
        "gitVersion": "v1.32.0",
        "gitCommit": "70d3cc986aa8221cd1dfb1121852688902d3bf53",
        "gitTreeState": "clean",
        "buildDate": "2024-12-11T17:59:15Z",
        "goVersion": "go1.23.3",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}
