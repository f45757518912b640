//! Running an apply against a cluster: plan (read and dry-run every object),
//! then apply step by step, waiting for readiness after each step.
//!
//! The cluster client is async; [`Applier`] owns a current-thread runtime
//! and blocks on it, so callers stay synchronous. Inside a step up to
//! [`PARALLEL_OBJECTS`] requests are in flight; results are reported in
//! build order whatever order they finish in.

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kube::api::{DeleteParams, ListParams, Preconditions};
use kube::core::Request;
use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::event::{Event, EventKind};
use super::plan::{Action, Conflict, Plan, PlanItem};
use super::planfile::Deletion;
use super::prune::{self, ApplySetOptions, Deleted, PruneItem, PruneSet};
use super::ready::{readiness_with, Context, Readiness};
use super::{applyset, csa, order};
use crate::cluster::connect::refusal;
use crate::cluster::{
    observe, runtime, ApplyError, Connection, DryRun, Endpoint, Endpoints, PARALLEL_OBJECTS,
};
use crate::diff::{
    live::compare_live, ClusterOptions, DiffOptions, Identity, LiveObject, LiveState,
};
use crate::error::{Error, Result};
use crate::resource::{Origin, Resource, ResourceMap};

/// What `strata apply` is asked to do.
#[derive(Clone, Debug)]
pub struct ApplyOptions {
    pub cluster: ClusterOptions,
    pub identity: Identity,
    /// How the plan's diffs are made (Secret values masked unless asked).
    pub diff: DiffOptions,
    /// `--dry-run=server`: every request with `dryRun=All`, nothing written, no waiting.
    pub dry_run: bool,
    /// Wait for readiness after each step.
    pub wait: bool,
    /// How long all waiting together may take.
    pub timeout: Duration,
    /// Delete and create objects whose immutable fields change.
    pub replace_immutable: bool,
    /// `--prune --applyset`: keep the objects in an ApplySet and delete
    /// the members the build no longer produces.
    pub applyset: Option<ApplySetOptions>,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            cluster: ClusterOptions::default(),
            identity: Identity::default(),
            diff: DiffOptions::default(),
            dry_run: false,
            wait: true,
            timeout: Duration::from_secs(300),
            replace_immutable: false,
            applyset: None,
        }
    }
}

/// How an apply ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Everything applied (and ready, when waiting).
    Applied,
    /// An object was refused or failed its readiness rule; later steps did not run.
    Failed,
    /// Objects were still not ready when `--timeout` ran out.
    TimedOut,
}

/// Requests sent to the cluster so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub requests: usize,
    pub max_in_flight: usize,
}

/// A connected cluster and what was learned planning against it.
pub struct Applier {
    runtime: tokio::runtime::Runtime,
    connection: Arc<Connection>,
    endpoints: Option<Endpoints>,
    options: ApplyOptions,
}

/// The first poll interval while waiting; it doubles up to [`MAX_POLL`].
const FIRST_POLL: Duration = Duration::from_millis(100);
const MAX_POLL: Duration = Duration::from_secs(1);
/// How often a pending object's latest events are read while waiting.
const EVENTS_EVERY: Duration = Duration::from_secs(2);

impl Applier {
    pub fn connect(options: ApplyOptions) -> Result<Applier> {
        let runtime = runtime()?;
        let connection = Arc::new(runtime.block_on(Connection::open(&options.cluster))?);
        Ok(Applier {
            runtime,
            connection,
            endpoints: None,
            options,
        })
    }

    pub fn stats(&self) -> Stats {
        Stats {
            requests: self.connection.counters.sent.load(Ordering::Relaxed),
            max_in_flight: self
                .connection
                .counters
                .max_in_flight
                .load(Ordering::Relaxed),
        }
    }

    /// The cluster's address as the kubeconfig names it.
    pub fn server(&self) -> &str {
        self.connection.server()
    }

    /// The kubeconfig context in use.
    pub fn context(&self) -> &str {
        self.connection.context()
    }

    /// Reads every object a reviewed plan writes again and says, one line
    /// per object, what changed since the plan was made: an object changed,
    /// replaced or deleted, or one the plan creates that now exists.
    /// Writes nothing. Objects whose kind is not served yet (its CRD is in
    /// the plan) cannot be read; the CRD's own check covers them.
    /// Deletions are read too: one whose object changed or was replaced
    /// is stale; one whose object is gone already is not.
    pub fn stale(&mut self, plan: &Plan, deletions: &[Deletion]) -> Result<Vec<String>> {
        let mut touched: Vec<PlanItem> = plan
            .items
            .iter()
            .filter(|item| item.writes() && item.collection.is_some())
            .cloned()
            .collect();
        let planned = touched.len();
        // A deletion is read as an item planned against the object it names.
        touched.extend(deletions.iter().map(|deletion| PlanItem {
            id: deletion.id.clone(),
            namespace: deletion.namespace.clone(),
            action: Action::Updated,
            step: 0,
            diff: crate::diff::ResourceDiff {
                change: crate::diff::Change::Deleted,
                id: deletion.applied_id(),
                previous_id: None,
                hunks: String::new(),
            },
            desired: Value::Null,
            live: Some(serde_json::json!({"metadata": {
                "uid": deletion.uid, "resourceVersion": deletion.resource_version}})),
            migration: None,
            takes_over: Vec::new(),
            conflicts: Vec::new(),
            reason: None,
            deferred: false,
            collection: Some(deletion.collection.clone()),
        }));
        let run = Run {
            connection: Arc::clone(&self.connection),
            endpoints: self
                .endpoints
                .get_or_insert_with(|| Endpoints::new(&ResourceMap::new())),
            options: &self.options,
            deadline: Instant::now() + self.options.timeout,
            storage: None,
            pinned: false,
        };
        let reads = self.runtime.block_on(run.bounded(
            touched.clone(),
            |connection, item: PlanItem| async move {
                let collection = item.collection.clone().unwrap_or_default();
                connection
                    .get(&collection, &item.id.name, &item.applied_id())
                    .await
            },
        ));
        let mut stale = Vec::new();
        for (index, (item, read)) in touched.iter().zip(reads).enumerate() {
            let now = read.unwrap_or_else(|| Err(Error::msg("a read did not finish")))?;
            if index >= planned && now.is_none() {
                continue;
            }
            if let Some(line) = changed_since(item, now.as_ref()) {
                stale.push(line);
            }
        }
        Ok(stale)
    }

    /// Applies a reviewed plan as [`Applier::execute`] does, but every
    /// write carries the planned object's resourceVersion (an update's
    /// apply body, a replacement's delete), so an object changed between
    /// [`Applier::stale`] and the write is refused by the server.
    pub fn execute_reviewed(
        &mut self,
        plan: &Plan,
        emit: &mut dyn FnMut(Event),
    ) -> Result<Outcome> {
        self.execute_with(plan, emit, true)
    }

    /// Reads and dry-runs every object; writes nothing. An error means no
    /// plan could be made (the cluster unreachable, a cycle in the order);
    /// refused dry runs are [`Action::Failed`] items.
    pub fn plan(&mut self, desired: &ResourceMap) -> Result<Plan> {
        let labelled;
        let desired = match &self.options.applyset {
            Some(set) => {
                let id = set
                    .parent
                    .parent()
                    .map(|parent| parent.id())
                    .unwrap_or_default();
                labelled = members(desired, &id)?;
                &labelled
            }
            None => desired,
        };
        let objects: Vec<Value> = desired.iter().map(|r| r.object().clone()).collect();
        let steps = order::steps(&objects)?;
        let dependencies = order::dependencies(&objects)?;
        let mut endpoints = Endpoints::new(desired);
        // Apply draws its own progress (the plan, then one line per pending object).
        let mut reading = crate::progress::Progress::none().start(
            crate::progress::Activity::ClusterRead,
            "plan",
            Some(desired.len() as u64),
        );
        let observed = self.runtime.block_on(observe(
            &self.connection,
            &mut endpoints,
            desired,
            &self.options.identity,
            &mut reading,
        ))?;
        self.endpoints = Some(endpoints);

        let state = LiveState {
            objects: observed
                .iter()
                .map(|o| LiveObject {
                    id: o.id.clone(),
                    live: o.live.clone(),
                    would_be: match &o.dry_run {
                        DryRun::WouldBe(object) => Some(object.clone()),
                        _ => None,
                    },
                })
                .collect(),
        };
        let diffs = compare_live(desired, &state, &self.options.diff)?;
        if diffs.len() != observed.len() {
            return Err(Error::msg(
                "the live diff does not pair every built object with one live object",
            ));
        }
        let mut step_of = vec![0; objects.len()];
        for (number, step) in steps.iter().enumerate() {
            for &index in step {
                step_of[index] = number;
            }
        }
        let manager = &self.options.identity.field_manager;
        let mut items = observed
            .into_iter()
            .zip(diffs)
            .zip(objects)
            .enumerate()
            .map(|(index, ((observed, diff), desired))| {
                let id = observed.id;
                let mut item = PlanItem {
                    namespace: observed.namespace.clone(),
                    action: Action::Created,
                    step: step_of[index],
                    diff,
                    desired,
                    migration: None,
                    takes_over: Vec::new(),
                    conflicts: Vec::new(),
                    reason: None,
                    deferred: false,
                    collection: observed
                        .endpoint
                        .as_ref()
                        .map(|e| e.collection_path(observed.namespace.as_deref())),
                    live: observed.live,
                    id,
                };
                match observed.dry_run {
                    DryRun::WouldBe(_) => {
                        item.action = match (&item.live, item.diff.change) {
                            (None, _) => Action::Created,
                            (Some(_), crate::diff::Change::Unchanged) => Action::Unchanged,
                            (Some(_), _) => Action::Updated,
                        };
                    }
                    DryRun::Deferred(why) => {
                        item.deferred = true;
                        item.reason = Some(why);
                    }
                    DryRun::Refused(ApplyError::Conflict(conflicts)) => {
                        item.action = Action::Failed;
                        item.conflicts = conflicts;
                        item.reason = Some("conflicts with other field managers".into());
                    }
                    DryRun::Refused(ApplyError::Immutable(message)) => {
                        item.action = Action::Replace;
                        item.reason = Some(message);
                    }
                    DryRun::Refused(ApplyError::NamespaceMissing(namespace)) => {
                        item.action = Action::Failed;
                        item.reason = Some(format!("namespace `{namespace}` does not exist"));
                    }
                    DryRun::Refused(ApplyError::Other(error)) => {
                        item.action = Action::Failed;
                        item.reason = Some(without_id(&error.to_string(), &item.id));
                    }
                }
                if matches!(item.action, Action::Updated | Action::Unchanged) {
                    if let Some(live) = &item.live {
                        item.migration = csa::upgrade_patch(live, manager);
                        if item.migration.is_some() {
                            item.takes_over = csa::csa_managers(live);
                        }
                    }
                }
                item
            })
            .collect::<Vec<PlanItem>>();
        let mut prune = None;
        if let Some(options) = &self.options.applyset {
            let id = options
                .parent
                .parent()
                .map(|parent| parent.id())
                .unwrap_or_default();
            // Never take an object from another set.
            for item in &mut items {
                let taken = item
                    .live
                    .as_ref()
                    .map(|l| applyset::check_not_taken(l, &id));
                if let Some(Err(error)) = taken {
                    item.action = Action::Failed;
                    item.reason = Some(without_id(&error.to_string(), &item.id));
                }
            }
            let applied: Vec<_> = items.iter().map(PlanItem::applied_id).collect();
            prune = Some(self.runtime.block_on(prune::plan_set(
                &self.connection,
                options,
                &applied,
            ))?);
        }
        Ok(Plan {
            items,
            steps,
            dependencies,
            prune,
        })
    }

    /// Applies a plan made by [`Applier::plan`], reporting each event to
    /// `emit`. Refuses (changing nothing) a plan with failed items, or with
    /// replacements unless they are allowed.
    pub fn execute(&mut self, plan: &Plan, emit: &mut dyn FnMut(Event)) -> Result<Outcome> {
        self.execute_with(plan, emit, false)
    }

    fn execute_with(
        &mut self,
        plan: &Plan,
        emit: &mut dyn FnMut(Event),
        pinned: bool,
    ) -> Result<Outcome> {
        if let Some(refusal) = plan.prune_refusal() {
            return Err(Error::msg(format!(
                "the plan cannot be applied; nothing was written: {refusal}"
            )));
        }
        let blockers = plan.blockers(self.options.replace_immutable);
        if !blockers.is_empty() {
            return Err(Error::msg(format!(
                "the plan cannot be applied; nothing was written:\n  {}",
                blockers.join("\n  ")
            )));
        }
        let mut run = Run {
            connection: Arc::clone(&self.connection),
            endpoints: self
                .endpoints
                .get_or_insert_with(|| Endpoints::new(&ResourceMap::new())),
            options: &self.options,
            deadline: Instant::now() + self.options.timeout,
            storage: None,
            pinned,
        };
        self.runtime.block_on(async {
            let Some(set) = &plan.prune else {
                return run.all(plan, emit).await;
            };
            // kubectl's protocol: the union first, so that a failed run
            // still leaves the parent naming where members may be.
            let union = set.old.union(&set.new);
            if set.parent_changes() || union != set.old {
                prune::write_parent(&run.connection, set, &union, run.options.dry_run).await?;
            }
            match run.all(plan, emit).await? {
                Outcome::Applied => {}
                other => return Ok(other),
            }
            match run.prune(set, emit).await? {
                Outcome::Applied => {}
                other => return Ok(other),
            }
            if union != set.new || set.parent_changes() {
                prune::write_parent(&run.connection, set, &set.new, run.options.dry_run).await?;
            }
            Ok(Outcome::Applied)
        })
    }
}

/// What changed about a planned object since the plan, if anything: its
/// resourceVersion or UID, its deletion, or, for a create, its appearance.
pub(crate) fn changed_since(item: &PlanItem, now: Option<&Value>) -> Option<String> {
    let field = |object: &Value, name: &str| {
        object["metadata"][name]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let id = item.applied_id();
    match (&item.live, now) {
        (None, None) => None,
        (None, Some(now)) => Some(format!(
            "{id} was absent when planned (a create) but exists now (resourceVersion {})",
            field(now, "resourceVersion")
        )),
        (Some(_), None) => Some(format!("{id} was deleted since the plan")),
        (Some(then), Some(now)) => {
            if field(then, "uid") != field(now, "uid") {
                Some(format!(
                    "{id} was deleted and created again since the plan (uid {} → {})",
                    field(then, "uid"),
                    field(now, "uid")
                ))
            } else if field(then, "resourceVersion") != field(now, "resourceVersion") {
                Some(format!(
                    "{id} changed since the plan (resourceVersion {} → {})",
                    field(then, "resourceVersion"),
                    field(now, "resourceVersion")
                ))
            } else {
                None
            }
        }
    }
}

/// The build with every object labelled a member of set `id`.
fn members(desired: &ResourceMap, id: &str) -> Result<ResourceMap> {
    let mut labelled = desired.clone();
    for resource in labelled.edit().iter_mut() {
        applyset::label_member(resource.object_mut(), id)?;
    }
    Ok(labelled)
}

/// `"<id>: rest"` → `"rest"`, since events and plan lines name the object already.
fn without_id(message: &str, id: &crate::id::ResId) -> String {
    let prefix = format!("{id}: ");
    message.strip_prefix(&prefix).unwrap_or(message).to_string()
}

/// Why applying one object failed.
struct Failure {
    reason: String,
    conflicts: Vec<Conflict>,
}

impl Failure {
    fn new(reason: impl Into<String>) -> Failure {
        Failure {
            reason: reason.into(),
            conflicts: Vec::new(),
        }
    }
}

struct Run<'a> {
    connection: Arc<Connection>,
    endpoints: &'a mut Endpoints,
    options: &'a ApplyOptions,
    /// When waiting (deletions, CRDs, readiness) gives up.
    deadline: Instant,
    /// The cluster's StorageClasses, read once when a claim is waited for.
    storage: Option<Context>,
    /// Writes carry the planned resourceVersion (a reviewed plan).
    pinned: bool,
}

impl Run<'_> {
    async fn all(&mut self, plan: &Plan, emit: &mut dyn FnMut(Event)) -> Result<Outcome> {
        let dry_run = self.options.dry_run;
        for step in &plan.steps {
            let mut items: Vec<PlanItem> = step.iter().map(|&i| plan.items[i].clone()).collect();
            let mut results: Vec<Option<std::result::Result<Option<Value>, Failure>>> =
                (0..items.len()).map(|_| None).collect();
            // Kinds whose CRD an earlier step created: find where they are served now.
            let mut refreshed = BTreeSet::new();
            for (slot, item) in items.iter_mut().enumerate() {
                if item.writes() && item.collection.is_none() && !dry_run {
                    if let Err(failure) = self.locate(item, &mut refreshed).await {
                        results[slot] = Some(Err(failure));
                    }
                }
            }
            let limit = Arc::new(Semaphore::new(PARALLEL_OBJECTS));
            let mut tasks = JoinSet::new();
            for (slot, item) in items.iter().enumerate() {
                if results[slot].is_some() || !item.writes() || (dry_run && item.deferred) {
                    continue;
                }
                let connection = Arc::clone(&self.connection);
                let identity = self.options.identity.clone();
                let limit = Arc::clone(&limit);
                let item = item.clone();
                let deadline = self.deadline;
                let pinned = self.pinned;
                tasks.spawn(async move {
                    let _permit = limit.acquire_owned().await;
                    let result =
                        apply_one(&connection, &item, &identity, dry_run, deadline, pinned).await;
                    (slot, result)
                });
            }
            while let Some(joined) = tasks.join_next().await {
                let (slot, result) =
                    joined.map_err(|error| Error::msg(format!("an apply task failed: {error}")))?;
                results[slot] = Some(result);
            }
            // Reported in build order.
            let mut failed = false;
            let mut written = Vec::new();
            for (slot, item) in items.iter().enumerate() {
                let mut event = Event::about(EventKind::Applied, item);
                event.dry_run = dry_run;
                match results[slot].take() {
                    None if !item.writes() => event.event = EventKind::Unchanged,
                    None => {
                        // A dry run of an object whose namespace or CRD it would create first.
                        event.reason = item.reason.clone();
                    }
                    Some(Ok(applied)) => written.push((slot, applied)),
                    Some(Err(failure)) => {
                        failed = true;
                        event.event = EventKind::Failed;
                        event.reason = Some(failure.reason);
                        event.conflicts = failure.conflicts;
                    }
                }
                emit(event);
            }
            if failed {
                return Ok(Outcome::Failed);
            }
            if self.options.wait && !dry_run && !written.is_empty() {
                let pending = written
                    .into_iter()
                    .map(|(s, applied)| (items[s].clone(), applied))
                    .collect();
                match self.wait(pending, emit).await? {
                    Outcome::Applied => {}
                    other => return Ok(other),
                }
            }
        }
        Ok(Outcome::Applied)
    }

    /// Deletes the set's members the build dropped, step by step (each
    /// once the previous one is gone). A member that changed since the
    /// plan (a precondition refused) stops the prune: the parent keeps the
    /// union, and the outcome is a failure.
    async fn prune(&mut self, set: &PruneSet, emit: &mut dyn FnMut(Event)) -> Result<Outcome> {
        let dry_run = self.options.dry_run;
        for step in &set.steps {
            let answers = self
                .bounded(step.clone(), |connection, item| async move {
                    prune::delete(&connection, &item, dry_run).await
                })
                .await;
            let mut failed = false;
            for (item, answer) in step.iter().zip(answers) {
                let answer =
                    answer.unwrap_or_else(|| Err(Error::msg("a delete task did not finish")))?;
                let mut event = Event::new(EventKind::Deleted, &item.id);
                event.action = Some(Action::Delete);
                event.dry_run = dry_run;
                match answer {
                    Deleted::Accepted => {}
                    Deleted::Changed(reason) | Deleted::Refused(reason) => {
                        failed = true;
                        event.event = EventKind::Failed;
                        event.reason = Some(reason);
                    }
                }
                emit(event);
            }
            if failed {
                return Ok(Outcome::Failed);
            }
            if dry_run {
                continue;
            }
            let mut pending: Vec<PruneItem> = step.clone();
            let mut interval = FIRST_POLL;
            loop {
                let collections = pending.iter().map(|i| i.collection.as_str()).collect();
                let remaining =
                    prune::remaining(&self.connection, &collections, &set.parent.id()).await?;
                let mut still = Vec::new();
                for item in pending {
                    if !remaining.contains(&item.uid) {
                        let mut event = Event::new(EventKind::Gone, &item.id);
                        event.action = Some(Action::Delete);
                        emit(event);
                    } else {
                        still.push(item);
                    }
                }
                if still.is_empty() {
                    break;
                }
                if Instant::now() >= self.deadline {
                    for item in &still {
                        let mut event = Event::new(EventKind::Failed, &item.id);
                        event.action = Some(Action::Delete);
                        event.timed_out = true;
                        event.reason =
                            Some("deleted, but still there when --timeout ran out".into());
                        emit(event);
                    }
                    return Ok(Outcome::TimedOut);
                }
                let left = self.deadline.saturating_duration_since(Instant::now());
                tokio::time::sleep(interval.min(left)).await;
                interval = (interval * 2).min(MAX_POLL);
                pending = still;
            }
        }
        Ok(Outcome::Applied)
    }

    /// Finds the collection URL of a custom resource whose CRD was applied
    /// in an earlier step, asking discovery again until the kind is served.
    async fn locate(
        &mut self,
        item: &mut PlanItem,
        refreshed: &mut BTreeSet<String>,
    ) -> std::result::Result<(), Failure> {
        let resource = Resource::new(item.desired.clone(), Origin::Inline)
            .map_err(|error| Failure::new(error.to_string()))?;
        let api_version = resource.api_version().to_string();
        if refreshed.insert(api_version.clone()) {
            self.endpoints.forget(&api_version);
        }
        loop {
            let endpoint = self
                .endpoints
                .resolve(&self.connection, &resource)
                .await
                .map_err(|error| Failure::new(without_id(&error.to_string(), &item.id)))?;
            if let Endpoint::Served(api) = endpoint {
                let namespace = self
                    .connection
                    .namespace_for(&resource, api.namespaced)
                    .map_err(|error| Failure::new(without_id(&error.to_string(), &item.id)))?;
                item.collection = Some(api.collection_path(namespace.as_deref()));
                item.namespace = namespace;
                return Ok(());
            }
            if Instant::now() >= self.deadline {
                return Err(Failure::new(format!(
                    "the cluster still does not serve kind `{}` in `{api_version}` (its \
                     CustomResourceDefinition was applied) within --timeout",
                    item.id.gvk.kind
                )));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
            self.endpoints.forget(&api_version);
        }
    }

    /// Polls the written objects of a step until all are ready, one fails,
    /// or the deadline passes.
    async fn wait(
        &mut self,
        items: Vec<(PlanItem, Option<Value>)>,
        emit: &mut dyn FnMut(Event),
    ) -> Result<Outcome> {
        struct Pending {
            item: PlanItem,
            reason: String,
            events: Vec<String>,
            /// What the last waiting event said: only changes are reported.
            shown: Option<(String, Vec<String>)>,
            /// The object as the apply answered: the first look needs no read.
            known: Option<Value>,
        }
        let mut pending: Vec<Pending> = items
            .into_iter()
            .map(|(item, known)| Pending {
                item,
                reason: String::new(),
                events: Vec::new(),
                shown: None,
                known,
            })
            .collect();
        let claims = pending.iter().any(|p| {
            p.item.id.gvk.kind == "PersistentVolumeClaim" && p.item.id.gvk.group.is_empty()
        });
        if claims && self.storage.is_none() {
            self.storage = Some(storage_context(&self.connection).await);
        }
        let context = self.storage.clone().unwrap_or_default();
        let mut interval = FIRST_POLL;
        let mut events_read = Instant::now();
        loop {
            let reads = self
                .bounded(
                    pending
                        .iter_mut()
                        .map(|p| (p.item.clone(), p.known.take()))
                        .collect(),
                    |connection, (item, known): (PlanItem, Option<Value>)| async move {
                        if known.is_some() {
                            return Ok(known);
                        }
                        let collection = item.collection.clone().unwrap_or_default();
                        connection
                            .get(&collection, &item.id.name, &item.applied_id())
                            .await
                    },
                )
                .await;
            let with_events = events_read.elapsed() >= EVENTS_EVERY;
            let mut failed = false;
            let mut still = Vec::new();
            for (mut waiting, read) in pending.into_iter().zip(reads) {
                let read =
                    read.unwrap_or_else(|| Err(Error::msg("a readiness read did not finish")));
                let verdict = match read? {
                    Some(live) => readiness_with(&live, &context),
                    None => Readiness::InProgress {
                        reason: "not found on the cluster".into(),
                    },
                };
                match verdict {
                    Readiness::Ready => emit(Event::about(EventKind::Ready, &waiting.item)),
                    Readiness::Failed { reason } => {
                        failed = true;
                        let mut event = Event::about(EventKind::Failed, &waiting.item);
                        event.reason = Some(reason);
                        event.events = latest_events(&self.connection, &waiting.item).await;
                        emit(event);
                    }
                    Readiness::InProgress { reason } => {
                        waiting.reason = reason;
                        still.push(waiting);
                    }
                    Readiness::Terminating => {
                        waiting.reason = "terminating".into();
                        still.push(waiting);
                    }
                }
            }
            if failed {
                return Ok(Outcome::Failed);
            }
            if still.is_empty() {
                return Ok(Outcome::Applied);
            }
            let timed_out = Instant::now() >= self.deadline;
            if with_events || timed_out {
                let items = still.iter().map(|w| w.item.clone()).collect();
                let events = self
                    .bounded(items, |connection, item| async move {
                        latest_events(&connection, &item).await
                    })
                    .await;
                for (waiting, events) in still.iter_mut().zip(events) {
                    waiting.events = events.unwrap_or_default();
                }
            }
            for waiting in &mut still {
                let now = (waiting.reason.clone(), waiting.events.clone());
                if !timed_out && waiting.shown.as_ref() == Some(&now) {
                    continue;
                }
                let mut event = Event::about(EventKind::Waiting, &waiting.item);
                event.reason = Some(now.0.clone());
                event.events = now.1.clone();
                if timed_out {
                    event.event = EventKind::Failed;
                    event.timed_out = true;
                }
                emit(event);
                waiting.shown = Some(now);
            }
            if with_events {
                events_read = Instant::now();
            }
            if timed_out {
                return Ok(Outcome::TimedOut);
            }
            let left = self.deadline.saturating_duration_since(Instant::now());
            tokio::time::sleep(interval.min(left)).await;
            interval = (interval * 2).min(MAX_POLL);
            pending = still;
        }
    }

    /// Runs `work` for every item, at most [`PARALLEL_OBJECTS`] at once;
    /// the answers in the items' order (`None` for a task that panicked).
    async fn bounded<I, F, Fut, T>(&self, items: Vec<I>, work: F) -> Vec<Option<T>>
    where
        F: Fn(Arc<Connection>, I) -> Fut,
        Fut: std::future::Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        let limit = Arc::new(Semaphore::new(PARALLEL_OBJECTS));
        let mut tasks = JoinSet::new();
        let count = items.len();
        for (slot, item) in items.into_iter().enumerate() {
            let limit = Arc::clone(&limit);
            let future = work(Arc::clone(&self.connection), item);
            tasks.spawn(async move {
                let _permit = limit.acquire_owned().await;
                (slot, future.await)
            });
        }
        let mut answers: Vec<Option<T>> = (0..count).map(|_| None).collect();
        while let Some(joined) = tasks.join_next().await {
            if let Ok((slot, answer)) = joined {
                answers[slot] = Some(answer);
            }
        }
        answers
    }
}

/// What a reviewed plan's write is refused with when the object changed
/// after the check (the server's resourceVersion precondition).
const CHANGED_SINCE_CHECK: &str = "changed on the cluster since the plan was checked (the \
     server refused the planned resourceVersion); make a new plan";

/// Writes one object: replace (delete, wait until gone), migrate, apply.
/// `pinned`: the apply body carries the planned resourceVersion.
async fn apply_one(
    connection: &Connection,
    item: &PlanItem,
    identity: &Identity,
    dry_run: bool,
    deadline: Instant,
    pinned: bool,
) -> std::result::Result<Option<Value>, Failure> {
    let id = item.applied_id();
    let collection = item.collection.as_deref().unwrap_or_default();
    let name = item.id.name.as_str();
    if item.action == Action::Replace {
        delete_and_wait(connection, item, collection, dry_run, deadline, pinned).await?;
        if dry_run {
            // The dry-run apply would meet the old object and refuse again.
            return Ok(None);
        }
    }
    // The version the object has just before the apply: the planned one,
    // or the one the migration patch left.
    let mut version = item
        .live
        .as_ref()
        .and_then(|live| live["metadata"]["resourceVersion"].as_str())
        .map(str::to_string);
    if let Some(patch) = &item.migration {
        let migrated = migrate(connection, item, collection, patch, dry_run).await?;
        if !dry_run {
            version = migrated;
        }
    }
    let pinned_body;
    let body = match (&version, pinned && item.action != Action::Replace) {
        (Some(version), true) => {
            let mut desired = item.desired.clone();
            desired["metadata"]["resourceVersion"] = Value::String(version.clone());
            pinned_body = desired;
            &pinned_body
        }
        _ => &item.desired,
    };
    let answer = connection
        .apply(collection, name, body, &id, identity, dry_run)
        .await;
    if pinned && version.is_some() && matches!(answer, Err(ApplyError::Other(_))) {
        // Refused for another reason than field conflicts: if the object's
        // version moved, the precondition was what failed.
        if let Ok(Some(live)) = connection.get(collection, name, &id).await {
            if live["metadata"]["resourceVersion"].as_str() != version.as_deref() {
                return Err(Failure::new(CHANGED_SINCE_CHECK));
            }
        }
    }
    match answer {
        Ok(applied) => Ok(Some(applied)),
        Err(ApplyError::Conflict(conflicts)) => Err(Failure {
            reason: "conflicts with other field managers".into(),
            conflicts,
        }),
        Err(ApplyError::Immutable(message)) => Err(Failure::new(format!(
            "an immutable field changes: {message}"
        ))),
        Err(ApplyError::NamespaceMissing(namespace)) => Err(Failure::new(format!(
            "namespace `{namespace}` does not exist"
        ))),
        Err(ApplyError::Other(error)) => Err(Failure::new(without_id(&error.to_string(), &id))),
    }
}

/// Deletes the planned object (only that one: its UID is a precondition)
/// and waits until it is gone.
async fn delete_and_wait(
    connection: &Connection,
    item: &PlanItem,
    collection: &str,
    dry_run: bool,
    deadline: Instant,
    pinned: bool,
) -> std::result::Result<(), Failure> {
    let id = item.applied_id();
    let name = item.id.name.as_str();
    let uid = item
        .live
        .as_ref()
        .and_then(|live| live["metadata"]["uid"].as_str())
        .map(str::to_string);
    let version = item
        .live
        .as_ref()
        .and_then(|live| live["metadata"]["resourceVersion"].as_str())
        .filter(|_| pinned)
        .map(str::to_string);
    let mut params = DeleteParams::background().preconditions(Preconditions {
        uid: uid.clone(),
        resource_version: version,
    });
    params.dry_run = dry_run;
    let request = Request::new(collection)
        .delete(name, &params)
        .map_err(|error| Failure::new(format!("cannot build the request: {error}")))?;
    match connection.send::<Value>(request, &id.to_string()).await {
        Ok(Ok(_)) => {}
        Ok(Err(status)) if status.code == 404 => {}
        Ok(Err(status)) if status.code == 409 && pinned => {
            return Err(Failure::new(CHANGED_SINCE_CHECK))
        }
        Ok(Err(status)) => {
            return Err(Failure::new(without_id(
                &refusal(&id, "deleting", &status).to_string(),
                &id,
            )))
        }
        Err(error) => return Err(Failure::new(without_id(&error.to_string(), &id))),
    }
    if dry_run {
        return Ok(());
    }
    let mut interval = FIRST_POLL;
    loop {
        match connection.get(collection, name, &id).await {
            Ok(None) => return Ok(()),
            Ok(Some(live)) if live["metadata"]["uid"].as_str() != uid.as_deref() => return Ok(()),
            Ok(Some(_)) => {}
            Err(error) => return Err(Failure::new(without_id(&error.to_string(), &id))),
        }
        if Instant::now() >= deadline {
            return Err(Failure::new(
                "deleted to be replaced, but still there when --timeout ran out",
            ));
        }
        tokio::time::sleep(interval).await;
        interval = (interval * 2).min(MAX_POLL);
    }
}

/// Sends the client-side-apply migration patch ([`csa::upgrade_patch`]);
/// the resourceVersion it leaves.
async fn migrate(
    connection: &Connection,
    item: &PlanItem,
    collection: &str,
    patch: &Value,
    dry_run: bool,
) -> std::result::Result<Option<String>, Failure> {
    let id = item.applied_id();
    let mut url = format!("{collection}/{}", item.id.name);
    if dry_run {
        url.push_str("?dryRun=All");
    }
    let body = serde_json::to_vec(patch).unwrap_or_default();
    let request = http::Request::patch(url)
        .header(http::header::CONTENT_TYPE, "application/json-patch+json")
        .header(http::header::ACCEPT, "application/json")
        .body(body)
        .map_err(|error| Failure::new(format!("cannot build the request: {error}")))?;
    match connection.send::<Value>(request, &id.to_string()).await {
        Ok(Ok(patched)) => Ok(patched["metadata"]["resourceVersion"]
            .as_str()
            .map(str::to_string)),
        Ok(Err(status)) if status.code == 409 => Err(Failure::new(
            "changed on the cluster since the plan was made (moving client-side-apply \
             fields was refused); run the apply again",
        )),
        Ok(Err(status)) => Err(Failure::new(without_id(
            &refusal(&id, "taking over client-side-apply fields of", &status).to_string(),
            &id,
        ))),
        Err(error) => Err(Failure::new(without_id(&error.to_string(), &id))),
    }
}

/// What readiness needs from the StorageClasses (which bind late, which is
/// the default); empty when they cannot be read.
async fn storage_context(connection: &Connection) -> Context {
    let Ok(request) =
        Request::new("/apis/storage.k8s.io/v1/storageclasses").list(&ListParams::default())
    else {
        return Context::default();
    };
    match connection
        .send::<Value>(request, "reading StorageClasses")
        .await
    {
        Ok(Ok(list)) => {
            let classes = list["items"].as_array().map_or(&[][..], Vec::as_slice);
            Context::from_storage_classes(classes)
        }
        _ => Context::default(),
    }
}

/// The object's latest three events (`Warning BackOff: ...`), oldest first;
/// none when they cannot be read.
async fn latest_events(connection: &Connection, item: &PlanItem) -> Vec<String> {
    let id = item.applied_id();
    let namespace = if id.namespace.is_empty() {
        "default"
    } else {
        &id.namespace
    };
    let mut selector = format!(
        "involvedObject.kind={},involvedObject.name={}",
        id.gvk.kind, id.name
    );
    if !id.namespace.is_empty() {
        selector.push_str(&format!(",involvedObject.namespace={}", id.namespace));
    }
    let Ok(request) = Request::new(format!("/api/v1/namespaces/{namespace}/events"))
        .list(&ListParams::default().fields(&selector))
    else {
        return Vec::new();
    };
    let Ok(Ok(list)) = connection.send::<Value>(request, "reading events").await else {
        return Vec::new();
    };
    let mut events: Vec<&Value> = list["items"].as_array().into_iter().flatten().collect();
    let when = |event: &Value| -> String {
        ["lastTimestamp", "eventTime"]
            .iter()
            .find_map(|field| event[*field].as_str())
            .or_else(|| event["metadata"]["creationTimestamp"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    events.sort_by_key(|event| when(event));
    let skip = events.len().saturating_sub(3);
    events[skip..]
        .iter()
        .map(|event| {
            format!(
                "{} {}: {}",
                event["type"].as_str().unwrap_or("Normal"),
                event["reason"].as_str().unwrap_or_default(),
                event["message"].as_str().unwrap_or_default()
            )
        })
        .collect()
}
