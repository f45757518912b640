//! managedFields: who owns which fields, as the API server's field manager
//! records them.
//!
//! - Updates (create, update, every non-apply patch): the fields the write
//!   added or changed go to the writer's `Update` entry (one per manager,
//!   API version and subresource), are taken from everyone else, and fields
//!   the write removed leave every entry. An entry's time changes only when
//!   the write gave it fields.
//! - Applies: the applied configuration's fields become the applier's
//!   `Apply` entry; fields it applied before and no longer applies are
//!   removed from the object unless someone else owns them; a field another
//!   manager owns with a different value is a conflict unless forced
//!   (then it changes hands). An apply that changes nothing keeps the time.
//! - `kubectl` applies to objects with a
//!   `kubectl.kubernetes.io/last-applied-configuration` annotation: fields
//!   whose live value still is the last-applied one do not conflict, and the
//!   annotation is rewritten with the new configuration.
//! - At most ten `Update` entries: the oldest merge into `ancient-changes`.
//! - Entries are sorted Apply first, then by time, manager, version.

use serde_json::{json, Map, Value};

use super::fieldpath::{describe, Element, Path, Set};
use super::gojson;
use super::schema::Node;
use super::typed;

pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";
const MAX_UPDATE_MANAGERS: usize = 10;

/// The identity of an entry: the same manager with another operation,
/// subresource or (for updates) API version is another entry.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Manager {
    pub name: String,
    pub apply: bool,
    pub subresource: String,
    /// Part of the identity for updates only.
    pub update_version: String,
}

impl Manager {
    pub fn update(name: &str, api_version: &str, subresource: &str) -> Manager {
        Manager {
            name: name.to_string(),
            apply: false,
            subresource: subresource.to_string(),
            update_version: api_version.to_string(),
        }
    }

    pub fn apply(name: &str, subresource: &str) -> Manager {
        Manager {
            name: name.to_string(),
            apply: true,
            subresource: subresource.to_string(),
            update_version: String::new(),
        }
    }

    /// As conflict messages name it: `"kubectl"`, `"kubectl-client-side-apply" using apps/v1`.
    pub fn printed(&self) -> String {
        let name = gojson::quote(&self.name);
        if !self.apply {
            return format!("{name} using {}", self.update_version);
        }
        if !self.subresource.is_empty() {
            return format!(
                "{name} with subresource {}",
                gojson::quote(&self.subresource)
            );
        }
        name
    }
}

/// One managedFields entry.
#[derive(Clone, Debug)]
pub struct Entry {
    pub manager: Manager,
    pub api_version: String,
    pub time: Option<String>,
    pub fields: Set,
}

/// All entries of an object.
#[derive(Clone, Debug, Default)]
pub struct Managed {
    pub entries: Vec<Entry>,
}

impl Managed {
    /// Reads `metadata.managedFields`; an entry that is not an object with a
    /// manager and an operation makes the whole list invalid.
    pub fn decode(object: &Value) -> Result<Managed, String> {
        let Some(entries) = object["metadata"]["managedFields"].as_array() else {
            return Ok(Managed::default());
        };
        let mut managed = Managed::default();
        for entry in entries {
            let text = |key: &str| entry[key].as_str().unwrap_or_default().to_string();
            let operation = text("operation");
            let apply = match operation.as_str() {
                "Apply" => true,
                "Update" => false,
                other => return Err(format!("invalid operation {other:?}")),
            };
            if entry.get("fieldsType").is_some() && text("fieldsType") != "FieldsV1" {
                return Err(format!("invalid fieldsType {:?}", text("fieldsType")));
            }
            let api_version = text("apiVersion");
            let manager = Manager {
                name: text("manager"),
                apply,
                subresource: text("subresource"),
                update_version: if apply {
                    String::new()
                } else {
                    api_version.clone()
                },
            };
            managed.upsert(Entry {
                manager,
                api_version,
                time: entry["time"].as_str().map(str::to_string),
                fields: Set::from_fields_v1(&entry["fieldsV1"]),
            });
        }
        Ok(managed)
    }

    /// The `metadata.managedFields` list, sorted as the server sorts it.
    pub fn encode(&self) -> Value {
        let mut entries: Vec<&Entry> = self
            .entries
            .iter()
            .filter(|entry| !entry.fields.is_empty())
            .collect();
        entries.sort_by(|a, b| {
            let seconds = |entry: &Entry| entry.time.clone().unwrap_or_default();
            (!a.manager.apply)
                .cmp(&!b.manager.apply)
                .then_with(|| seconds(a).cmp(&seconds(b)))
                .then_with(|| a.manager.name.cmp(&b.manager.name))
                .then_with(|| a.api_version.cmp(&b.api_version))
                .then_with(|| a.manager.subresource.cmp(&b.manager.subresource))
        });
        Value::Array(
            entries
                .into_iter()
                .map(|entry| {
                    let mut out = Map::new();
                    out.insert("manager".into(), json!(entry.manager.name));
                    let operation = if entry.manager.apply {
                        "Apply"
                    } else {
                        "Update"
                    };
                    out.insert("operation".into(), json!(operation));
                    out.insert("apiVersion".into(), json!(entry.api_version));
                    if let Some(time) = &entry.time {
                        out.insert("time".into(), json!(time));
                    }
                    out.insert("fieldsType".into(), json!("FieldsV1"));
                    out.insert("fieldsV1".into(), entry.fields.to_fields_v1());
                    if !entry.manager.subresource.is_empty() {
                        out.insert("subresource".into(), json!(entry.manager.subresource));
                    }
                    Value::Object(out)
                })
                .collect(),
        )
    }

    pub fn is_empty(&self) -> bool {
        self.entries.iter().all(|entry| entry.fields.is_empty())
    }

    pub fn get(&self, manager: &Manager) -> Option<&Entry> {
        self.entries.iter().find(|entry| entry.manager == *manager)
    }

    fn upsert(&mut self, entry: Entry) {
        match self.entries.iter_mut().find(|e| e.manager == entry.manager) {
            Some(existing) => *existing = entry,
            None => self.entries.push(entry),
        }
    }

    fn remove(&mut self, manager: &Manager) {
        self.entries.retain(|entry| entry.manager != *manager);
    }

    fn drop_empty(&mut self) {
        self.entries.retain(|entry| !entry.fields.is_empty());
    }

    /// Everything any entry owns.
    fn all_fields(&self) -> Set {
        let mut all = Set::new();
        for entry in &self.entries {
            all.union_in(&entry.fields);
        }
        all
    }
}

/// What a write is about.
pub struct Context<'a> {
    pub node: Node<'a>,
    pub api_version: String,
    pub subresource: String,
    /// Fields the strategy resets (`status` on the main resource, `spec`
    /// on `/status`): nobody owns them through this endpoint.
    pub ignored: Vec<Path>,
    pub now: String,
}

impl Context<'_> {
    fn filter(&self, mut set: Set) -> Set {
        for prefix in &self.ignored {
            set = set.without_prefix(prefix);
        }
        set
    }

    fn compare(&self, old: &Value, new: &Value) -> typed::Comparison {
        let mut comparison = typed::compare(old, new, self.node);
        for prefix in &self.ignored {
            comparison = comparison.without_prefix(prefix);
        }
        comparison
    }
}

/// Server-owned metadata no manager owns.
fn strip_meta(set: Set) -> Set {
    let mut strip = Set::new();
    for path in [
        &["apiVersion"][..],
        &["kind"],
        &["metadata"],
        &["metadata", "name"],
        &["metadata", "namespace"],
        &["metadata", "creationTimestamp"],
        &["metadata", "selfLink"],
        &["metadata", "uid"],
        &["metadata", "clusterName"],
        &["metadata", "generation"],
        &["metadata", "managedFields"],
        &["metadata", "resourceVersion"],
    ] {
        let path: Path = path.iter().map(|name| Element::field(name)).collect();
        strip.insert(&path);
    }
    set.difference(&strip)
}

/// An object without its managedFields, as compared and merged.
pub fn without_managed_fields(object: &Value) -> Value {
    let mut object = object.clone();
    if let Some(metadata) = object["metadata"].as_object_mut() {
        metadata.remove("managedFields");
    }
    object
}

/// Records a non-apply write by `manager`: `live` is the object before
/// (`None` on create) and `new` the object written (defaults filled),
/// both without managedFields.
pub fn update(
    ctx: &Context,
    live: Option<&Value>,
    new: &Value,
    mut managed: Managed,
    manager: &str,
) -> Managed {
    let empty = json!({});
    let live = live.unwrap_or(&empty);
    let comparison = ctx.compare(live, new);
    let me = Manager::update(manager, &ctx.api_version, &ctx.subresource);
    // Updates force: whatever they change leaves its previous owners.
    let changed = comparison.changed();
    for entry in &mut managed.entries {
        entry.fields = entry
            .fields
            .difference(&changed)
            .difference(&comparison.removed);
    }
    let mine = strip_meta(ctx.filter(changed));
    if !mine.is_empty() {
        let previous = managed
            .get(&me)
            .map(|entry| entry.fields.clone())
            .unwrap_or_default();
        managed.upsert(Entry {
            manager: me,
            api_version: ctx.api_version.clone(),
            time: Some(ctx.now.clone()),
            fields: mine.union(&previous),
        });
    }
    managed.drop_empty();
    cap_update_managers(&mut managed);
    managed
}

/// Fields owned by others that an apply would change.
#[derive(Debug, Clone)]
pub struct Conflicts(pub Vec<(Manager, Path)>);

impl Conflicts {
    /// The 409 message, worded as the API server words it.
    pub fn message(&self) -> String {
        if let [(manager, path)] = self.0.as_slice() {
            return format!(
                "Apply failed with 1 conflict: conflict with {}: {}",
                manager.printed(),
                describe(path)
            );
        }
        let mut lines = Vec::new();
        let mut managers: Vec<&Manager> = self.0.iter().map(|(manager, _)| manager).collect();
        managers.sort_by_key(|manager| manager.printed());
        managers.dedup();
        for manager in managers {
            lines.push(format!("conflicts with {}:", manager.printed()));
            for (_, path) in self.0.iter().filter(|(owner, _)| owner == manager) {
                lines.push(format!("- {}", describe(path)));
            }
        }
        format!(
            "Apply failed with {} conflicts: {}",
            self.0.len(),
            lines.join("\n")
        )
    }

    /// `details.causes` of the 409.
    pub fn causes(&self) -> Vec<Value> {
        self.0
            .iter()
            .map(|(manager, path)| {
                json!({
                    "reason": "FieldManagerConflict",
                    "message": format!("conflict with {}", manager.printed()),
                    "field": describe(path),
                })
            })
            .collect()
    }
}

/// The result of an apply: the object to write (before defaulting) and its managers.
pub struct Applied {
    pub object: Value,
    pub managed: Managed,
}

/// A server-side apply of `config` by `manager` onto `live` (`None`: the
/// object does not exist yet; else without managedFields).
pub fn apply(
    ctx: &Context,
    live: Option<&Value>,
    config: &Value,
    managed: Managed,
    manager: &str,
    force: bool,
) -> Result<Applied, Conflicts> {
    match apply_once(ctx, live, config, managed.clone(), manager, force) {
        Err(conflicts) if manager == "kubectl" && !force => {
            // Client-side-applied fields still at their last-applied value do not conflict.
            let Some(allowed) = live.and_then(|live| last_applied_fields(ctx, live)) else {
                return Err(conflicts);
            };
            let remaining: Vec<(Manager, Path)> = conflicts
                .0
                .iter()
                .filter(|(_, path)| !allowed.has(path))
                .cloned()
                .collect();
            if !remaining.is_empty() {
                return Err(Conflicts(remaining));
            }
            apply_once(ctx, live, config, managed, manager, true)
        }
        other => other,
    }
    .map(|mut applied| {
        if manager == "kubectl" {
            if let Some(live) = live {
                if live["metadata"]["annotations"].get(LAST_APPLIED).is_some() {
                    applied.object["metadata"]["annotations"][LAST_APPLIED] =
                        json!(build_last_applied(config));
                }
            }
        }
        applied
    })
}

fn apply_once(
    ctx: &Context,
    live: Option<&Value>,
    config: &Value,
    mut managed: Managed,
    manager: &str,
    force: bool,
) -> Result<Applied, Conflicts> {
    let empty = json!({});
    let exists = live.is_some();
    let live = live.unwrap_or(&empty);
    if exists && managed.is_empty() {
        // Fields set before the first apply belong to `before-first-apply`.
        managed = update(ctx, None, live, managed, "before-first-apply");
    }
    let me = Manager::apply(manager, &ctx.subresource);
    let set = ctx.filter(typed::field_set(config, ctx.node));
    let last = managed.get(&me).map(|entry| entry.fields.clone());
    let previous_time = managed.get(&me).and_then(|entry| entry.time.clone());
    managed.upsert(Entry {
        manager: me.clone(),
        api_version: ctx.api_version.clone(),
        time: previous_time,
        fields: set.clone(),
    });
    let mut object = typed::merge(live, config, ctx.node);
    if let Some(last) = last.filter(|last| !last.is_empty()) {
        // Fields applied last time, not this time, and owned by nobody go.
        let owned = typed::with_named_fields(&managed.all_fields(), ctx.node);
        let dropped = typed::with_named_fields(&last, ctx.node).difference(&owned);
        if !dropped.is_empty() {
            object = typed::remove_items(&object, &dropped, ctx.node).unwrap_or_else(|| json!({}));
        }
    }
    let comparison = ctx.compare(live, &object);
    let changed = comparison.changed();
    let mut conflicts = Vec::new();
    for entry in managed.entries.iter().filter(|entry| entry.manager != me) {
        for path in entry.fields.intersection(&changed).paths() {
            conflicts.push((entry.manager.clone(), path));
        }
    }
    if !force && !conflicts.is_empty() {
        conflicts.sort_by(|a, b| a.0.printed().cmp(&b.0.printed()).then(a.1.cmp(&b.1)));
        return Err(Conflicts(conflicts));
    }
    for entry in managed
        .entries
        .iter_mut()
        .filter(|entry| entry.manager != me)
    {
        entry.fields = entry
            .fields
            .difference(&changed)
            .difference(&comparison.removed);
    }
    let unchanged = *live == object;
    for entry in managed
        .entries
        .iter_mut()
        .filter(|entry| entry.manager == me)
    {
        entry.fields = strip_meta(std::mem::take(&mut entry.fields));
        if !unchanged {
            entry.time = Some(ctx.now.clone());
        }
    }
    managed.drop_empty();
    cap_update_managers(&mut managed);
    Ok(Applied { object, managed })
}

/// The fields of the last-applied annotation whose live value is still the
/// last-applied one (the server's `lastAppliedManager`).
fn last_applied_fields(ctx: &Context, live: &Value) -> Option<Set> {
    let text = live["metadata"]["annotations"][LAST_APPLIED].as_str()?;
    let last: Value = serde_json::from_str(text).ok()?;
    if last["apiVersion"].as_str() != Some(ctx.api_version.as_str()) {
        return None;
    }
    let fields = typed::field_set(&last, ctx.node);
    let comparison = typed::compare(&last, &without_managed_fields(live), ctx.node);
    Some(
        fields
            .difference(&comparison.modified)
            .difference(&comparison.added)
            .difference(&comparison.removed),
    )
}

/// The annotation the server writes for `kubectl` applies: the applied
/// object without the annotation, encoded as Go encodes it.
pub fn build_last_applied(config: &Value) -> String {
    let mut config = config.clone();
    if let Some(annotations) = config["metadata"]
        .get_mut("annotations")
        .and_then(Value::as_object_mut)
    {
        annotations.remove(LAST_APPLIED);
    }
    gojson::encode_line(&config)
}

/// Keeps at most ten update entries, merging the oldest into
/// `ancient-changes` (one per API version).
fn cap_update_managers(managed: &mut Managed) {
    let mut updaters: Vec<Manager> = managed
        .entries
        .iter()
        .filter(|entry| !entry.manager.apply)
        .map(|entry| entry.manager.clone())
        .collect();
    if updaters.len() <= MAX_UPDATE_MANAGERS {
        return;
    }
    let time = |managed: &Managed, manager: &Manager| {
        managed
            .get(manager)
            .and_then(|entry| entry.time.clone())
            .unwrap_or_default()
    };
    updaters.sort_by(|a, b| time(managed, a).cmp(&time(managed, b)).then(a.cmp(b)));
    let mut count = updaters.len();
    let mut first_of_version: Vec<(String, Manager)> = Vec::new();
    for manager in updaters {
        if count <= MAX_UPDATE_MANAGERS {
            break;
        }
        let Some(entry) = managed.get(&manager).cloned() else {
            continue;
        };
        let bucket = Manager::update("ancient-changes", &entry.api_version, "");
        match first_of_version
            .iter()
            .find(|(version, _)| *version == entry.api_version)
        {
            Some((_, first)) => {
                if managed.get(&bucket).is_none() {
                    let mut moved = managed.get(first).cloned().expect("first updater");
                    managed.remove(first);
                    moved.manager = bucket.clone();
                    managed.upsert(moved);
                }
                let mut merged = managed.get(&bucket).cloned().expect("bucket");
                merged.fields.union_in(&entry.fields);
                merged.time = entry.time.clone();
                managed.upsert(merged);
                managed.remove(&manager);
                count -= 1;
            }
            None => first_of_version.push((entry.api_version.clone(), manager)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apiserver::schema::builtin_root;

    fn ctx() -> Context<'static> {
        Context {
            node: Node::Ty(builtin_root("", "ConfigMap")),
            api_version: "v1".into(),
            subresource: String::new(),
            ignored: vec![],
            now: "2025-01-01T00:00:00Z".into(),
        }
    }

    fn config(data: Value) -> Value {
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": data})
    }

    #[test]
    fn apply_owns_what_it_sets_and_drops_what_it_stops_setting() {
        let first = apply(
            &ctx(),
            None,
            &config(json!({"a": "1", "b": "2"})),
            Managed::default(),
            "x",
            false,
        )
        .expect("no conflicts");
        assert_eq!(
            first.managed.encode()[0]["fieldsV1"],
            json!({"f:data": {"f:a": {}, "f:b": {}}})
        );
        let second = apply(
            &ctx(),
            Some(&first.object),
            &config(json!({"a": "1"})),
            first.managed,
            "x",
            false,
        )
        .expect("no conflicts");
        assert_eq!(second.object["data"], json!({"a": "1"}));
    }

    #[test]
    fn another_managers_field_conflicts_unless_forced() {
        let first = apply(
            &ctx(),
            None,
            &config(json!({"a": "1"})),
            Managed::default(),
            "x",
            false,
        )
        .unwrap();
        let error = apply(
            &ctx(),
            Some(&first.object),
            &config(json!({"a": "2"})),
            first.managed.clone(),
            "y",
            false,
        )
        .err()
        .expect("conflict");
        assert_eq!(
            error.message(),
            "Apply failed with 1 conflict: conflict with \"x\": .data.a"
        );
        let forced = apply(
            &ctx(),
            Some(&first.object),
            &config(json!({"a": "2"})),
            first.managed,
            "y",
            true,
        )
        .unwrap();
        let managers: Vec<&str> = forced
            .managed
            .entries
            .iter()
            .map(|entry| entry.manager.name.as_str())
            .collect();
        assert_eq!(managers, ["y"], "x lost its only field");
    }

    #[test]
    fn updates_take_changed_fields_and_name_the_version() {
        let created = update(
            &ctx(),
            None,
            &config(json!({"a": "1"})),
            Managed::default(),
            "w",
        );
        let encoded = created.encode();
        assert_eq!(encoded[0]["operation"], "Update");
        assert_eq!(
            encoded[0]["fieldsV1"],
            json!({"f:data": {".": {}, "f:a": {}}})
        );
        let conflict = Conflicts(vec![(
            Manager::update("w", "v1", ""),
            vec![Element::field("data")],
        )]);
        assert_eq!(
            conflict.causes()[0]["message"],
            "conflict with \"w\" using v1"
        );
    }
}
