//! The write path, in the order a real API server runs it: decode and check
//! the body, apply the patch, fill defaults (before the field manager for
//! updates, after the merge for applies), record managedFields, let the
//! strategy set what the server owns, check preconditions and validate,
//! then store unless it is a dry run or nothing changed.

use hyper::StatusCode;
use serde_json::{json, Value};

use super::defaults;
use super::managed::{self, Context, Managed};
use super::patch::{self, PatchFailure};
use super::schema::Node;
use super::state::{State, Target, Work};
use super::status::Answer;
use super::strategy;
use super::typed;
use super::validation;
use super::{clock, fieldpath::Element};

/// What a write does.
pub enum Op {
    Create(Value),
    Replace(Value),
    /// A non-apply patch: its media type and body.
    Patch(String, Vec<u8>),
    Apply {
        config: Value,
        force: bool,
    },
}

/// Kinds a PUT may create (`AllowCreateOnUpdate`).
fn create_on_update(target: &Target) -> bool {
    matches!(
        target.resource.plural.as_str(),
        "endpoints"
            | "events"
            | "leases"
            | "limitranges"
            | "roles"
            | "rolebindings"
            | "clusterroles"
            | "clusterrolebindings"
    )
}

impl State {
    /// Runs a write and answers as the API server does.
    pub fn write(&mut self, target: &Target, op: Op, manager: &str, dry_run: bool) -> Answer {
        match self.try_write(target, op, manager, dry_run) {
            Ok(answer) | Err(answer) => answer,
        }
    }

    fn try_write(
        &mut self,
        target: &Target,
        op: Op,
        manager: &str,
        dry_run: bool,
    ) -> Result<Answer, Answer> {
        let subresource = target.subresource().to_string();
        if subresource == "scale" {
            return self.write_scale(target, op, manager, dry_run);
        }
        let (object, apply) = match op {
            Op::Create(body) => return self.create(target, body, manager, dry_run),
            Op::Replace(body) => (self.checked(target, body)?, None),
            Op::Patch(media_type, body) => (self.patched(target, &media_type, &body)?, None),
            Op::Apply { config, force } => {
                let config = self.checked(target, config)?;
                if config["metadata"]
                    .get("managedFields")
                    .is_some_and(|fields| !fields.is_null())
                {
                    return Err(Answer::bad_request("metadata.managedFields must be nil"));
                }
                (config.clone(), Some(force))
            }
        };
        let name = object["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let key = target.key(&name);
        let Some(old) = self.store.get(&key).cloned() else {
            return match apply {
                Some(force) if subresource.is_empty() => {
                    self.apply_create(target, object, manager, force, dry_run)
                }
                None if subresource.is_empty() && create_on_update(target) => {
                    self.create(target, object, manager, dry_run)
                }
                _ => Err(Answer::not_found(&target.resource, &name)),
            };
        };
        preconditions(target, &old, &object)?;
        let resource = &target.resource;
        let now = clock::now();
        let ignored = ignored(target, &old, &object);
        let live = managed::without_managed_fields(&old);
        let live_managed = Managed::decode(&old).unwrap_or_default();
        let mut new;
        let managed;
        if let Some(force) = apply {
            let outcome = self.with_node(resource, |node| {
                let ctx = context(target, node, ignored, &now);
                managed::apply(&ctx, Some(&live), &object, live_managed, manager, force)
            });
            let applied = outcome.map_err(|conflicts| conflict_answer(&conflicts))?;
            new = applied.object;
            managed = applied.managed;
            if subresource.is_empty() {
                defaults::apply(resource, &mut new);
            }
        } else {
            new = object;
            let body_managed = match Managed::decode(&new) {
                Ok(decoded) if !decoded.is_empty() && subresource.is_empty() => decoded,
                _ => live_managed,
            };
            if subresource == "status" {
                strategy::prepare_status_update(resource, &old, &mut new);
            } else {
                defaults::apply(resource, &mut new);
            }
            let written = managed::without_managed_fields(&new);
            managed = self.with_node(resource, |node| {
                let ctx = context(target, node, ignored, &now);
                managed::update(&ctx, Some(&live), &written, body_managed, manager)
            });
        }
        if subresource == "status" {
            strategy::prepare_status_update(resource, &old, &mut new);
        } else {
            strategy::prepare_update(resource, &old, &mut new, &mut self.alloc);
        }
        self.finish(target, Some(old), new, managed, dry_run)
    }

    /// The body, checked against the URL, with name and namespace filled from it.
    fn checked(&self, target: &Target, mut object: Value) -> Result<Value, Answer> {
        if !object.is_object() {
            return Err(Answer::bad_request("the body must be an object"));
        }
        let resource = &target.resource;
        let expected_kind = if target.subresource() == "scale" {
            "Scale"
        } else {
            resource.kind.as_str()
        };
        let expected_version = if target.subresource() == "scale" {
            "autoscaling/v1".to_string()
        } else {
            resource.api_version()
        };
        if object["apiVersion"].as_str() != Some(expected_version.as_str())
            || object["kind"].as_str() != Some(expected_kind)
        {
            return Err(Answer::bad_request(&format!(
                "the API version in the data ({}) does not match the expected API version ({expected_version})",
                object["apiVersion"].as_str().unwrap_or_default(),
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
        match &target.namespace {
            Some(namespace) => match object["metadata"]["namespace"].as_str() {
                Some(own) if own != namespace => {
                    return Err(Answer::bad_request(
                        "the namespace of the provided object does not match the namespace sent on the request",
                    ))
                }
                _ => object["metadata"]["namespace"] = json!(namespace),
            },
            None => {
                if let Some(metadata) = object["metadata"].as_object_mut() {
                    metadata.remove("namespace");
                }
            }
        }
        Ok(object)
    }

    /// The current object with a non-apply patch applied.
    fn patched(&self, target: &Target, media_type: &str, body: &[u8]) -> Result<Value, Answer> {
        let name = target.name();
        let old = self
            .store
            .get(&target.key(name))
            .cloned()
            .ok_or_else(|| Answer::not_found(&target.resource, name))?;
        let mut object = self.present_stored(&target.resource, &old);
        match media_type {
            "application/json-patch+json" => {
                patch::json_patch(&mut object, body).map_err(|failure| match failure {
                    PatchFailure::Decode(message) => Answer::bad_request(&message),
                    PatchFailure::Apply(message) => {
                        Answer::failure(StatusCode::UNPROCESSABLE_ENTITY, "Invalid", &message, None)
                    }
                })?
            }
            "application/merge-patch+json" => {
                let patch: Value = serde_json::from_slice(body)
                    .map_err(|error| Answer::bad_request(&error.to_string()))?;
                patch::merge_patch(&mut object, &patch);
            }
            "application/strategic-merge-patch+json" if !target.resource.custom => {
                let patch: Value = serde_json::from_slice(body)
                    .map_err(|error| Answer::bad_request(&error.to_string()))?;
                object = self
                    .with_node(&target.resource, |node| {
                        patch::strategic_merge(&object, &patch, node)
                    })
                    .map_err(|message| Answer::bad_request(&message))?;
            }
            other => return Err(unsupported_media_type(other)),
        }
        if !object.is_object() {
            return Err(Answer::bad_request("the patch must leave an object"));
        }
        // The patch cannot move the object.
        object["metadata"]["name"] = json!(name);
        match &target.namespace {
            Some(namespace) => object["metadata"]["namespace"] = json!(namespace),
            None => {
                if let Some(metadata) = object["metadata"].as_object_mut() {
                    metadata.remove("namespace");
                }
            }
        }
        Ok(object)
    }

    fn create(
        &mut self,
        target: &Target,
        body: Value,
        manager: &str,
        dry_run: bool,
    ) -> Result<Answer, Answer> {
        let mut object = self.checked(target, body)?;
        self.name_object(&mut object)?;
        let resource = &target.resource;
        let name = object["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        self.namespace_ready(target)?;
        if self.store.get(&target.key(&name)).is_some() {
            return Err(Answer::already_exists(resource, &name));
        }
        let now = clock::now();
        let body_managed = Managed::decode(&object).unwrap_or_default();
        defaults::apply(resource, &mut object);
        let written = managed::without_managed_fields(&object);
        let managed = self.with_node(resource, |node| {
            let ctx = context(target, node, ignored_on_create(target), &now);
            managed::update(&ctx, None, &written, body_managed, manager)
        });
        strategy::prepare_create(resource, &mut object, &mut self.alloc, &now);
        self.finish(target, None, object, managed, dry_run)
    }

    fn apply_create(
        &mut self,
        target: &Target,
        config: Value,
        manager: &str,
        force: bool,
        dry_run: bool,
    ) -> Result<Answer, Answer> {
        self.namespace_ready(target)?;
        let resource = &target.resource;
        let now = clock::now();
        let applied = self
            .with_node(resource, |node| {
                let ctx = context(target, node, ignored_on_create(target), &now);
                managed::apply(&ctx, None, &config, Managed::default(), manager, force)
            })
            .map_err(|conflicts| conflict_answer(&conflicts))?;
        let mut object = applied.object;
        defaults::apply(resource, &mut object);
        strategy::prepare_create(resource, &mut object, &mut self.alloc, &now);
        self.finish(target, None, object, applied.managed, dry_run)
    }

    /// `generateName`: the name plus five random characters.
    fn name_object(&mut self, object: &mut Value) -> Result<(), Answer> {
        let has_name = object["metadata"]["name"]
            .as_str()
            .is_some_and(|name| !name.is_empty());
        if !has_name {
            if let Some(prefix) = object["metadata"]["generateName"]
                .as_str()
                .map(str::to_string)
            {
                let suffix = super::names::random_suffix(&self.alloc.uid());
                object["metadata"]["name"] = json!(format!("{prefix}{suffix}"));
            }
        }
        Ok(())
    }

    fn namespace_ready(&self, target: &Target) -> Result<(), Answer> {
        let Some(namespace) = &target.namespace else {
            return Ok(());
        };
        let key = super::store::Key::new("", "namespaces", "", namespace);
        match self.store.get(&key) {
            None => Err(Answer::namespace_not_found(namespace)),
            Some(object) if object["metadata"].get("deletionTimestamp").is_some() => Err(Answer::failure(
                StatusCode::FORBIDDEN,
                "Forbidden",
                &format!(
                    "{} \"{}\" is forbidden: unable to create new content in namespace {namespace} because it is being terminated",
                    target.resource.qualified(),
                    target.name()
                ),
                Some(json!({"name": target.name(), "group": target.resource.group, "kind": target.resource.plural})),
            )),
            Some(_) => Ok(()),
        }
    }

    /// Validates, then stores (or not) and answers.
    fn finish(
        &mut self,
        target: &Target,
        old: Option<Value>,
        mut new: Value,
        managed: Managed,
        dry_run: bool,
    ) -> Result<Answer, Answer> {
        let resource = &target.resource;
        typed::drop_nulls(&mut new);
        // Nulls the server writes itself (a template's creationTimestamp) come back.
        defaults::apply(resource, &mut new);
        let name = new["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let mut errors = validation::create(resource, &new);
        if let Some(old) = &old {
            errors.extend(validation::update(resource, old, &new));
        }
        if !errors.is_empty() {
            return Err(Answer::invalid(resource, &name, &errors));
        }
        let entries = managed.encode();
        match entries
            .as_array()
            .is_some_and(|entries| !entries.is_empty())
        {
            true => new["metadata"]["managedFields"] = entries,
            false => {
                if let Some(metadata) = new["metadata"].as_object_mut() {
                    metadata.remove("managedFields");
                }
            }
        }
        match &old {
            Some(old) => {
                new["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"].clone()
            }
            None => {
                if let Some(metadata) = new["metadata"].as_object_mut() {
                    metadata.remove("resourceVersion");
                }
            }
        }
        let new = strategy::canonical_order(new);
        let status = if old.is_some() {
            StatusCode::OK
        } else {
            StatusCode::CREATED
        };
        if old.as_ref() == Some(&new) {
            return Ok(Answer::ok(self.present(target, &new)));
        }
        if dry_run {
            return Ok(Answer {
                status,
                body: self.present(target, &new),
            });
        }
        let key = target.key(&name);
        let stored = self.store.put(&key, new);
        self.after_write(target, &key, old.as_ref(), &stored);
        let stored = self.store.get(&key).cloned().unwrap_or(stored);
        Ok(Answer {
            status,
            body: self.present(target, &stored),
        })
    }

    /// Hooks after a stored write: watchers, controllers, CRDs, finalizers.
    pub fn after_write(
        &mut self,
        target: &Target,
        key: &super::store::Key,
        old: Option<&Value>,
        stored: &Value,
    ) {
        self.notify(
            key,
            if old.is_some() { "MODIFIED" } else { "ADDED" },
            stored,
        );
        super::controllers::wake_owners(self, stored);
        let resource = &target.resource;
        if stored["metadata"].get("deletionTimestamp").is_some()
            && !strategy::has_finalizers(stored)
            && resource.kind != "Namespace"
        {
            self.remove_now(resource, key, "Background");
            return;
        }
        let delay = self.options.ready_after;
        match (resource.group.as_str(), resource.kind.as_str()) {
            ("apiextensions.k8s.io", "CustomResourceDefinition") => {
                let name = key.name.clone();
                let established = stored["status"]["conditions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|condition| {
                        condition["type"] == "Established" && condition["status"] == "True"
                    });
                if established {
                    self.serve_crd(stored);
                } else if delay.is_zero() {
                    super::controllers::establish(self, &name);
                } else {
                    self.schedule(Work::Establish(name), delay);
                }
            }
            ("", "Namespace") if old.is_none() => self.schedule(
                Work::FillNamespace(key.name.clone()),
                std::time::Duration::ZERO,
            ),
            _ => {
                if super::controllers::watches(resource) {
                    self.schedule(Work::Reconcile(key.clone()), std::time::Duration::ZERO);
                }
            }
        }
    }

    /// Registers the kinds of an established CRD (and forgets versions no longer served).
    pub fn serve_crd(&mut self, crd: &Value) {
        let kinds = super::catalog::of_crd(crd);
        let group = crd["spec"]["group"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let plural = crd["spec"]["names"]["plural"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        self.resources
            .retain(|r| !(r.custom && r.group == group && r.plural == plural));
        self.resources.extend(kinds);
    }

    /// `/scale`: reads and writes `spec.replicas` through an autoscaling/v1 Scale.
    fn write_scale(
        &mut self,
        target: &Target,
        op: Op,
        manager: &str,
        dry_run: bool,
    ) -> Result<Answer, Answer> {
        let resource = &target.resource;
        let name = target.name().to_string();
        let key = target.key(&name);
        let old = self
            .store
            .get(&key)
            .cloned()
            .ok_or_else(|| Answer::not_found(resource, &name))?;
        let current = super::resources::scale_of(resource, &old);
        let (scale, apply) = match op {
            Op::Replace(body) => (self.checked(target, body)?, None),
            Op::Apply { config, force } => (self.checked(target, config)?, Some(force)),
            Op::Patch(media_type, body) => {
                let mut scale = current.clone();
                match media_type.as_str() {
                    "application/json-patch+json" => patch::json_patch(&mut scale, &body)
                        .map_err(|_| Answer::bad_request("the JSON patch does not apply"))?,
                    _ => {
                        let patch: Value = serde_json::from_slice(&body)
                            .map_err(|error| Answer::bad_request(&error.to_string()))?;
                        patch::merge_patch(&mut scale, &patch);
                    }
                }
                (scale, None)
            }
            Op::Create(_) => return Err(Answer::method_not_allowed()),
        };
        if let Some(version) = scale["metadata"]["resourceVersion"]
            .as_str()
            .filter(|v| !v.is_empty())
        {
            if Some(version) != old["metadata"]["resourceVersion"].as_str() {
                return Err(Answer::stale(resource, &name));
            }
        }
        let replicas = scale["spec"]["replicas"].clone();
        let mut new = old.clone();
        new["spec"]["replicas"] = if replicas.is_null() {
            json!(0)
        } else {
            replicas.clone()
        };
        let now = clock::now();
        let live = managed::without_managed_fields(&old);
        let live_managed = Managed::decode(&old).unwrap_or_default();
        let ignored: Vec<Vec<Element>> = strategy::body_keys(&old)
            .into_iter()
            .filter(|key| key != "spec")
            .map(|key| vec![Element::Field(key)])
            .collect();
        let managed = self.with_node(resource, |node| {
            let ctx = context(target, node, ignored, &now);
            match apply {
                Some(force) => {
                    let config = json!({"apiVersion": resource.api_version(), "kind": resource.kind,
                                        "metadata": {"name": name}, "spec": {"replicas": replicas}});
                    managed::apply(&ctx, Some(&live), &config, live_managed, manager, force).map(|applied| applied.managed)
                }
                None => Ok(managed::update(&ctx, Some(&live), &managed::without_managed_fields(&new), live_managed, manager)),
            }
        });
        let managed = managed.map_err(|conflicts| conflict_answer(&conflicts))?;
        let mut parent = target.clone();
        parent.subresource = None;
        strategy::prepare_update(resource, &old, &mut new, &mut self.alloc);
        let answer = self.finish(&parent, Some(old), new, managed, dry_run)?;
        let object = self.store.get(&key).cloned().unwrap_or_default();
        let body = if dry_run {
            super::resources::scale_of(resource, &answer.body)
        } else {
            super::resources::scale_of(resource, &object)
        };
        Ok(Answer::ok(body))
    }
}

/// resourceVersion and uid in the body must match the stored object.
fn preconditions(target: &Target, old: &Value, object: &Value) -> Result<(), Answer> {
    let name = target.name();
    if let Some(version) = object["metadata"]["resourceVersion"]
        .as_str()
        .filter(|v| !v.is_empty())
    {
        if Some(version) != old["metadata"]["resourceVersion"].as_str() {
            return Err(Answer::stale(&target.resource, name));
        }
    }
    if let Some(uid) = object["metadata"]["uid"].as_str().filter(|v| !v.is_empty()) {
        let stored = old["metadata"]["uid"].as_str().unwrap_or_default();
        if uid != stored {
            return Err(Answer::conflict(
                &target.resource,
                name,
                &format!(
                    "Precondition failed: UID in precondition: {uid}, UID in object meta: {stored}"
                ),
            ));
        }
    }
    Ok(())
}

/// Fields the endpoint may not change: `status` on the main resource of
/// kinds with a status subresource, everything but `status` on `/status`.
fn ignored(target: &Target, old: &Value, new: &Value) -> Vec<Vec<Element>> {
    let field = |name: &str| vec![Element::field(name)];
    match target.subresource() {
        "status" => {
            let mut keys = strategy::body_keys(old);
            keys.extend(strategy::body_keys(new));
            keys.sort();
            keys.dedup();
            let mut out: Vec<Vec<Element>> = keys
                .iter()
                .filter(|key| *key != "status")
                .map(|key| field(key))
                .collect();
            out.push(vec![Element::field("metadata"), Element::field("labels")]);
            out
        }
        _ if target.resource.has_status() => vec![field("status")],
        _ => Vec::new(),
    }
}

fn ignored_on_create(target: &Target) -> Vec<Vec<Element>> {
    if target.resource.has_status() {
        vec![vec![Element::field("status")]]
    } else {
        Vec::new()
    }
}

fn context<'a>(
    target: &Target,
    node: Node<'a>,
    ignored: Vec<Vec<Element>>,
    now: &str,
) -> Context<'a> {
    Context {
        node,
        api_version: target.resource.api_version(),
        subresource: target.subresource().to_string(),
        ignored,
        now: now.to_string(),
    }
}

fn conflict_answer(conflicts: &managed::Conflicts) -> Answer {
    Answer::failure(
        StatusCode::CONFLICT,
        "Conflict",
        &conflicts.message(),
        Some(json!({"causes": conflicts.causes()})),
    )
}

pub fn unsupported_media_type(media_type: &str) -> Answer {
    Answer::failure(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "UnsupportedMediaType",
        &format!("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml; got {media_type}"),
        None,
    )
}
