//! Resource requests: dispatch by verb, reads (get, list as objects, as a
//! Table or as `PartialObjectMetadataList`), and deletes (preconditions,
//! finalizers, propagation to dependents, namespaces that terminate).

use std::path::Path;

use hyper::StatusCode;
use serde_json::{json, Value};

use super::catalog::Resource;
use super::clock;
use super::selectors::{FieldSelector, LabelSelector};
use super::server::{Call, Reply};
use super::state::{storage_key, State, Target, Work};
use super::status::Answer;
use super::store::Key;
use super::strategy;
use super::writes::{unsupported_media_type, Op};

pub fn dispatch(state: &mut State, target: &Target, call: &Call) -> Reply {
    let resource = &target.resource;
    let verb = match (call.method.as_str(), target.name.is_some()) {
        ("GET", true) => "get",
        ("GET", false)
            if call
                .query
                .get("watch")
                .is_some_and(|w| w == "true" || w == "1") =>
        {
            "watch"
        }
        ("GET", false) => "list",
        ("POST", false) => "create",
        ("PUT", true) => "update",
        ("PATCH", true) => "patch",
        ("DELETE", true) => "delete",
        ("DELETE", false) => "deletecollection",
        _ => return Answer::method_not_allowed().into(),
    };
    let allowed = if target.subresource.is_some() {
        matches!(verb, "get" | "update" | "patch")
    } else {
        resource.verbs.iter().any(|v| v == verb)
    };
    if !allowed {
        return Answer::method_not_allowed().into();
    }
    // events.k8s.io/v1 Events are stored as core Events.
    let core_events = resource.group == "events.k8s.io";
    let reply = match verb {
        "get" => Reply::Json(state.read(target, call)),
        "list" => Reply::Json(state.list(target, call)),
        "watch" => state.start_watch(target, call),
        "create" | "update" => match parse_body(call) {
            Ok(mut body) => {
                if core_events {
                    body = super::events::to_core(&body);
                }
                let core = core_target(state, target, core_events);
                let op = if verb == "create" {
                    Op::Create(body)
                } else {
                    Op::Replace(body)
                };
                let answer = state.write(&core, op, &call.manager(), call.dry_run());
                Reply::Json(present_answer(state, target, answer))
            }
            Err(answer) => Reply::Json(answer),
        },
        "patch" => {
            let media_type = call.media_type().to_string();
            let op = if media_type == "application/apply-patch+yaml" {
                if call.query.get("fieldManager").is_none_or(String::is_empty) {
                    return Answer::bad_request("fieldManager is required for apply requests")
                        .into();
                }
                match parse_body(call) {
                    Ok(config) => Op::Apply {
                        config,
                        force: call.force(),
                    },
                    Err(answer) => return answer.into(),
                }
            } else if matches!(
                media_type.as_str(),
                "application/json-patch+json"
                    | "application/merge-patch+json"
                    | "application/strategic-merge-patch+json"
            ) {
                Op::Patch(media_type, call.body.clone())
            } else {
                return unsupported_media_type(&media_type).into();
            };
            let answer = state.write(target, op, &call.manager(), call.dry_run());
            Reply::Json(answer)
        }
        "delete" => Reply::Json(state.delete(target, call)),
        _ => Reply::Json(state.delete_collection(target, call)),
    };
    // Controllers react before the answer goes out, so the next request sees their work.
    state.run_due_now();
    reply
}

fn core_target(state: &State, target: &Target, core_events: bool) -> Target {
    if !core_events {
        return target.clone();
    }
    let mut core = target.clone();
    if let Some(resource) = state.resource("", "v1", "events") {
        core.resource = resource.clone();
    }
    core
}

fn present_answer(state: &State, target: &Target, mut answer: Answer) -> Answer {
    if target.resource.group == "events.k8s.io"
        && answer.is_success()
        && answer.body["kind"] == "Event"
    {
        answer.body = state.present(target, &answer.body);
    }
    answer
}

/// The body as JSON, or as YAML (first document) when it is not JSON.
pub fn parse_body(call: &Call) -> Result<Value, Answer> {
    // Typed clients (`kubectl create namespace`, client-go) may send
    // protobuf; a real server reads it, this one says so plainly.
    if call.media_type() == "application/vnd.kubernetes.protobuf" {
        return Err(Answer::failure(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaType",
            "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (the test API server does not read protobuf)",
            None,
        ));
    }
    if let Ok(value) = serde_json::from_slice::<Value>(&call.body) {
        return Ok(value);
    }
    let text = String::from_utf8_lossy(&call.body);
    match strata::yaml::parse_stream(&text, Path::new("request body")) {
        Ok(mut documents) if !documents.is_empty() => Ok(documents.remove(0)),
        Ok(_) => Err(Answer::bad_request("empty body")),
        Err(error) => Err(Answer::bad_request(&format!(
            "error decoding YAML: {error}"
        ))),
    }
}

/// The autoscaling/v1 Scale of an object.
pub fn scale_of(resource: &Resource, object: &Value) -> Value {
    let metadata = &object["metadata"];
    let selector = match &object["spec"]["selector"] {
        Value::Object(selector) => {
            let mut parts: Vec<String> = selector
                .get("matchLabels")
                .and_then(Value::as_object)
                .map(|labels| {
                    labels
                        .iter()
                        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                        .collect()
                })
                .unwrap_or_default();
            parts.sort();
            parts.join(",")
        }
        _ => String::new(),
    };
    let _ = resource;
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": metadata["name"],
            "namespace": metadata["namespace"],
            "uid": metadata["uid"],
            "resourceVersion": metadata["resourceVersion"],
            "creationTimestamp": metadata["creationTimestamp"],
        },
        "spec": {"replicas": object["spec"]["replicas"]},
        "status": {"replicas": object["status"]["replicas"].as_i64().unwrap_or(0), "selector": selector},
    })
}

/// Which view of objects the client asked for in `Accept`.
#[derive(PartialEq)]
enum View {
    Object,
    Table,
    Metadata,
}

fn view(call: &Call) -> View {
    // The first acceptable media type wins.
    for media in call.accept.split(',') {
        let media = media.trim();
        if media.contains("as=Table") {
            return View::Table;
        }
        if media.contains("as=PartialObjectMetadata") && media.starts_with("application/json") {
            return View::Metadata;
        }
        if media.starts_with("application/json") || media.starts_with("*/*") || media.is_empty() {
            return View::Object;
        }
    }
    View::Object
}

fn partial_metadata(object: &Value) -> Value {
    json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": object["metadata"]})
}

impl State {
    /// A stored object as the requested version shows it.
    pub fn present(&self, target: &Target, object: &Value) -> Value {
        self.present_stored(&target.resource, object)
    }

    pub fn present_stored(&self, resource: &Resource, object: &Value) -> Value {
        if resource.group == "events.k8s.io" {
            return super::events::to_events_v1(object);
        }
        let mut object = object.clone();
        object["apiVersion"] = json!(resource.api_version());
        strategy::canonical_order(object)
    }

    fn read(&self, target: &Target, call: &Call) -> Answer {
        let name = target.name();
        let Some(object) = self.store.get(&target.key(name)) else {
            return Answer::not_found(&target.resource, name);
        };
        let object = self.present(target, object);
        if target.subresource() == "scale" {
            return Answer::ok(scale_of(&target.resource, &object));
        }
        match view(call) {
            View::Table => Answer::ok(super::tables::table(
                self,
                &target.resource,
                vec![object],
                call,
            )),
            View::Metadata => Answer::ok(partial_metadata(&object)),
            View::Object => Answer::ok(object),
        }
    }

    /// The objects a list or watch selects.
    pub fn selected(&self, target: &Target, call: &Call) -> Result<Vec<Value>, Answer> {
        let labels = LabelSelector::parse(
            call.query
                .get("labelSelector")
                .map(String::as_str)
                .unwrap_or_default(),
        )
        .map_err(|message| Answer::bad_request(&message))?;
        let (group, kind) = (
            target.resource.group.as_str(),
            target.resource.kind.as_str(),
        );
        let fields = FieldSelector::parse(
            call.query
                .get("fieldSelector")
                .map(String::as_str)
                .unwrap_or_default(),
            group,
            kind,
        )
        .map_err(|message| Answer::bad_request(&message))?;
        let key = storage_key(&target.resource, "", "");
        Ok(self
            .store
            .list(&key.group, &key.plural, target.namespace.as_deref())
            .map(|(_, object)| self.present(target, object))
            .filter(|object| labels.matches(object) && fields.matches(object))
            .collect())
    }

    fn list(&self, target: &Target, call: &Call) -> Answer {
        let mut items = match self.selected(target, call) {
            Ok(items) => items,
            Err(answer) => return answer,
        };
        // `limit` and `continue`: the continue token is where the next page starts.
        let start: usize = call
            .query
            .get("continue")
            .and_then(|token| token.parse().ok())
            .unwrap_or(0);
        let limit: usize = call
            .query
            .get("limit")
            .and_then(|l| l.parse().ok())
            .filter(|l| *l > 0)
            .unwrap_or(usize::MAX);
        let total = items.len();
        items = items.into_iter().skip(start).take(limit).collect();
        let mut list_meta = json!({"resourceVersion": self.store.resource_version.to_string()});
        if start + items.len() < total {
            list_meta["continue"] = json!((start + items.len()).to_string());
            list_meta["remainingItemCount"] = json!(total - start - items.len());
        }
        match view(call) {
            View::Table => {
                let mut table = super::tables::table(self, &target.resource, items, call);
                table["metadata"] = list_meta;
                Answer::ok(table)
            }
            View::Metadata => Answer::ok(json!({
                "kind": "PartialObjectMetadataList",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": list_meta,
                "items": items.iter().map(partial_metadata).collect::<Vec<_>>(),
            })),
            View::Object => {
                let items: Vec<Value> = items
                    .into_iter()
                    .map(|mut object| {
                        // Lists of built-in kinds carry no kind/apiVersion per item.
                        if !target.resource.custom {
                            if let Some(map) = object.as_object_mut() {
                                map.remove("kind");
                                map.remove("apiVersion");
                            }
                        }
                        object
                    })
                    .collect();
                Answer::ok(json!({
                    "kind": format!("{}List", target.resource.kind),
                    "apiVersion": target.resource.api_version(),
                    "metadata": list_meta,
                    "items": items,
                }))
            }
        }
    }

    fn delete(&mut self, target: &Target, call: &Call) -> Answer {
        let options: Value = if call.body.is_empty() {
            json!({})
        } else {
            match serde_json::from_slice(&call.body) {
                Ok(options) => options,
                Err(error) => return Answer::bad_request(&error.to_string()),
            }
        };
        let dry_run = call.dry_run()
            || options["dryRun"]
                .as_array()
                .is_some_and(|d| d.iter().any(|v| v == "All"));
        let policy = options["propagationPolicy"]
            .as_str()
            .or(call.query.get("propagationPolicy").map(String::as_str))
            .unwrap_or("Background")
            .to_string();
        if !matches!(policy.as_str(), "Background" | "Foreground" | "Orphan") {
            return Answer::invalid(
                &target.resource,
                target.name(),
                &[super::status::FieldError {
                    reason: "FieldValueNotSupported",
                    field: "propagationPolicy".into(),
                    value: Some(super::gojson::quote(&policy)),
                    detail: "supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\""
                        .into(),
                }],
            );
        }
        let name = target.name().to_string();
        let key = target.key(&name);
        let Some(object) = self.store.get(&key).cloned() else {
            return Answer::not_found(&target.resource, &name);
        };
        let meta = &object["metadata"];
        for (field, label) in [("uid", "UID"), ("resourceVersion", "ResourceVersion")] {
            if let Some(wanted) = options["preconditions"][field].as_str() {
                let actual = meta[field].as_str().unwrap_or_default();
                if wanted != actual {
                    return Answer::conflict(
                        &target.resource,
                        &name,
                        &format!("Precondition failed: {label} in precondition: {wanted}, {label} in object meta: {actual}"),
                    );
                }
            }
        }
        let details = json!({"name": name, "group": target.resource.group, "kind": target.resource.plural, "uid": meta["uid"]});
        let now = clock::now();
        let is_namespace = target.resource.group.is_empty() && target.resource.kind == "Namespace";
        if is_namespace || strategy::has_finalizers(&object) {
            let mut deleting = object.clone();
            strategy::mark_deleting(&mut deleting, &now);
            if is_namespace {
                deleting["status"]["phase"] = json!("Terminating");
            }
            if dry_run {
                return Answer::ok(self.present(target, &deleting));
            }
            if deleting == object {
                return Answer::ok(self.present(target, &object));
            }
            let stored = self.store.put(&key, deleting);
            self.notify(&key, "MODIFIED", &stored);
            // Controllers see the deletion (pvc-protection lets an unused claim go).
            if super::controllers::watches(&target.resource) {
                self.schedule(Work::Reconcile(key.clone()), std::time::Duration::ZERO);
            }
            if is_namespace {
                let delay = self.options.ready_after;
                self.schedule(Work::FinishNamespace(name.clone()), delay);
            }
            return Answer::ok(self.present(target, &stored));
        }
        if dry_run {
            return Answer::success(details);
        }
        self.remove_now(&target.resource, &key, &policy);
        Answer::success(details)
    }

    fn delete_collection(&mut self, target: &Target, call: &Call) -> Answer {
        let items = match self.selected(target, call) {
            Ok(items) => items,
            Err(answer) => return answer,
        };
        if !call.dry_run() {
            for object in &items {
                let namespace = object["metadata"]["namespace"].as_str().unwrap_or_default();
                let name = object["metadata"]["name"].as_str().unwrap_or_default();
                let key = storage_key(&target.resource, namespace, name);
                if strategy::has_finalizers(object) {
                    let mut deleting = object.clone();
                    strategy::mark_deleting(&mut deleting, &clock::now());
                    let stored = self.store.put(&key, deleting);
                    self.notify(&key, "MODIFIED", &stored);
                    if super::controllers::watches(&target.resource) {
                        self.schedule(Work::Reconcile(key.clone()), std::time::Duration::ZERO);
                    }
                } else {
                    self.remove_now(&target.resource, &key, "Background");
                }
            }
        }
        Answer::success(json!({"group": target.resource.group, "kind": target.resource.plural}))
    }

    /// Removes an object now, and its dependents as `policy` says
    /// (`Orphan` keeps them without the owner reference; `Background` and
    /// `Foreground` delete them, here at once).
    pub fn remove_now(&mut self, resource: &Resource, key: &Key, policy: &str) {
        let Some(removed) = self.store.remove(key) else {
            return;
        };
        self.notify(key, "DELETED", &removed);
        let uid = removed["metadata"]["uid"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        for dependent in self.store.dependents_of(&uid) {
            let Some(dependent_resource) = self.stored_resource(&dependent) else {
                continue;
            };
            if policy == "Orphan" {
                if let Some(mut object) = self.store.get(&dependent).cloned() {
                    if let Some(owners) = object["metadata"]["ownerReferences"].as_array_mut() {
                        owners.retain(|owner| owner["uid"] != uid.as_str());
                        // An empty list is omitted, as Go's ObjectMeta serializes it.
                        if owners.is_empty() {
                            if let Some(metadata) = object["metadata"].as_object_mut() {
                                metadata.remove("ownerReferences");
                            }
                        }
                    }
                    let stored = self.store.put(&dependent, object);
                    self.notify(&dependent, "MODIFIED", &stored);
                }
            } else {
                self.remove_now(&dependent_resource, &dependent, "Background");
            }
        }
        if resource.group == "apiextensions.k8s.io" && resource.kind == "CustomResourceDefinition" {
            let group = removed["spec"]["group"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let plural = removed["spec"]["names"]["plural"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let custom: Vec<(String, String)> = self
                .store
                .list(&group, &plural, None)
                .map(|(namespace, object)| {
                    (
                        namespace.to_string(),
                        object["metadata"]["name"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string(),
                    )
                })
                .collect();
            let served = self
                .resources
                .iter()
                .find(|r| r.custom && r.group == group && r.plural == plural)
                .cloned();
            for (namespace, name) in custom {
                if let Some(served) = &served {
                    self.remove_now(
                        served,
                        &Key::new(&group, &plural, &namespace, &name),
                        "Background",
                    );
                }
            }
            self.resources
                .retain(|r| !(r.custom && r.group == group && r.plural == plural));
        }
        super::controllers::forget(self, resource, key, &removed);
    }

    /// The served type objects under `key` belong to.
    pub fn stored_resource(&self, key: &Key) -> Option<Resource> {
        self.resources
            .iter()
            .find(|r| {
                storage_key(r, "", "").group == key.group
                    && r.plural == key.plural
                    && r.group != "events.k8s.io"
            })
            .cloned()
    }
}

/// A non-JSON Accept (protobuf only) is refused as the server would not be.
pub fn not_acceptable() -> Answer {
    Answer::failure(
        StatusCode::NOT_ACCEPTABLE,
        "NotAcceptable",
        "only application/json is served",
        None,
    )
}
