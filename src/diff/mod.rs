//! What applying a build would change: the diff engine and its outputs.
//!
//! Two sets of objects are compared per resource id: a *before* set (live
//! objects, or a build at another Git revision) and an *after* set (the
//! desired build, or what the server says applying it would store). Both
//! sides are [normalized](normalize) (server-owned fields removed), paired
//! by id ([`matching`]: a generated ConfigMap or Secret whose hash suffix
//! changed is one changed object), compared, and Secret values are
//! [masked](secret) before any text is made. Each pair becomes a
//! [`ResourceDiff`]: created, changed, deleted or unchanged, with a unified
//! diff (context 3) of the YAML [`crate::emit::document`] writes.
//!
//! Where the before side comes from is a seam: [`LiveSource`] (files with
//! [`FileSource`], a cluster elsewhere) or two trees of files
//! ([`revision`]). Output formats are [`text`], [`markdown`] and [`json`].
//! Like the rest of the library this module never prints, runs no process
//! and reads files only through [`crate::fs::FileSystem`].

pub mod json;
pub mod live;
pub mod markdown;
pub mod matching;
pub mod normalize;
pub mod recording;
pub mod revision;
pub mod secret;
pub mod targets;
pub mod text;

use std::fmt;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::id::ResId;
use crate::resource::ResourceMap;

pub use live::{ClusterOptions, FileSource, Identity, LiveObject, LiveSource, LiveState};
pub use recording::RecordingFs;
pub use revision::{RevisionDiff, Tree};

/// How objects are compared and shown.
#[derive(Clone, Debug)]
pub struct DiffOptions {
    /// Print Secret values instead of placeholders.
    pub show_secrets: bool,
    /// Lines of context around each change in the unified diff.
    pub context: usize,
}

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions {
            show_secrets: false,
            context: 3,
        }
    }
}

/// What happens to one object.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Created,
    Changed,
    Deleted,
    Unchanged,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Created => "created",
            Change::Changed => "changed",
            Change::Deleted => "deleted",
            Change::Unchanged => "unchanged",
        }
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The comparison of one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceDiff {
    pub change: Change,
    /// The id on the after side, or on the before side for a deleted object.
    pub id: ResId,
    /// The before side's id when it differs from `id` (a hash-suffix rename).
    pub previous_id: Option<ResId>,
    /// Unified diff hunks of the emitted YAML (no `---`/`+++` lines),
    /// Secret values masked unless asked otherwise; empty when unchanged.
    pub hunks: String,
}

/// The comparison of one target (a kustomization, or everything diffed against live objects).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetDiff {
    /// The target's name as the user knows it (a directory path).
    pub target: String,
    /// True when nothing the target reads changed, so it was not rebuilt at
    /// the base revision; its resources are all listed as unchanged.
    pub skipped: bool,
    pub resources: Vec<ResourceDiff>,
}

/// Counts of each [`Change`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub created: usize,
    pub changed: usize,
    pub deleted: usize,
    pub unchanged: usize,
}

impl Summary {
    pub fn of_resources(resources: &[ResourceDiff]) -> Summary {
        let mut summary = Summary::default();
        for resource in resources {
            match resource.change {
                Change::Created => summary.created += 1,
                Change::Changed => summary.changed += 1,
                Change::Deleted => summary.deleted += 1,
                Change::Unchanged => summary.unchanged += 1,
            }
        }
        summary
    }

    pub fn of_targets(targets: &[TargetDiff]) -> Summary {
        let mut total = Summary::default();
        for target in targets {
            let one = Summary::of_resources(&target.resources);
            total.created += one.created;
            total.changed += one.changed;
            total.deleted += one.deleted;
            total.unchanged += one.unchanged;
        }
        total
    }

    /// Whether anything would be created, changed or deleted.
    pub fn has_differences(&self) -> bool {
        self.created + self.changed + self.deleted > 0
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} created, {} changed, {} deleted, {} unchanged",
            self.created, self.changed, self.deleted, self.unchanged
        )
    }
}

/// What the two sides are called in headers (`live`/`desired`, `main`/`working tree`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Labels {
    pub before: String,
    pub after: String,
}

/// Compares two sets of objects. The result follows the after set's order,
/// then the deleted objects in the before set's order.
pub fn compare(
    before: &[Value],
    after: &[Value],
    options: &DiffOptions,
) -> Result<Vec<ResourceDiff>> {
    let before_ids = before.iter().map(object_id).collect::<Result<Vec<_>>>()?;
    let after_ids = after.iter().map(object_id).collect::<Result<Vec<_>>>()?;
    let pairs = matching::pair_up(&before_ids, &after_ids);
    Ok(pairs
        .into_iter()
        .map(|pair| {
            let old = pair.before.map(|i| (&before_ids[i], &before[i]));
            let new = pair.after.map(|i| (&after_ids[i], &after[i]));
            compare_one(old, new, options)
        })
        .collect())
}

/// [`compare`] over two resource maps (two builds).
pub fn compare_maps(
    before: &ResourceMap,
    after: &ResourceMap,
    options: &DiffOptions,
) -> Result<Vec<ResourceDiff>> {
    let objects = |map: &ResourceMap| map.iter().map(|r| r.object().clone()).collect::<Vec<_>>();
    compare(&objects(before), &objects(after), options)
}

/// One pair; at least one side is present.
fn compare_one(
    before: Option<(&ResId, &Value)>,
    after: Option<(&ResId, &Value)>,
    options: &DiffOptions,
) -> ResourceDiff {
    let mut old = before.map(|(_, object)| normalize::normalize(object));
    let mut new = after.map(|(_, object)| normalize::normalize(object));
    let change = match (&old, &new) {
        (None, _) => Change::Created,
        (_, None) => Change::Deleted,
        (Some(a), Some(b)) if a == b => Change::Unchanged,
        _ => Change::Changed,
    };
    let (id, previous_id) = match (before, after) {
        (Some((old_id, _)), Some((new_id, _))) => (
            new_id.clone(),
            (old_id.name != new_id.name).then(|| old_id.clone()),
        ),
        (None, Some((id, _))) | (Some((id, _)), None) => (id.clone(), None),
        (None, None) => (ResId::default(), None),
    };
    let hunks = if change == Change::Unchanged {
        String::new()
    } else {
        if !options.show_secrets {
            secret::mask_pair(old.as_mut(), new.as_mut());
        }
        unified(old.as_ref(), new.as_ref(), options.context)
    };
    ResourceDiff {
        change,
        id,
        previous_id,
        hunks,
    }
}

/// Unified diff hunks of the two sides' YAML; an absent side is empty text.
fn unified(before: Option<&Value>, after: Option<&Value>, context: usize) -> String {
    let old = before.map(crate::emit::document).unwrap_or_default();
    let new = after.map(crate::emit::document).unwrap_or_default();
    similar::TextDiff::from_lines(&old, &new)
        .unified_diff()
        .context_radius(context)
        .to_string()
}

/// The id of an object read from anywhere (a live file, a dry-run result).
pub fn object_id(object: &Value) -> Result<ResId> {
    let id = ResId::of(object);
    if id.gvk.kind.is_empty() {
        // Named by what identifies it, never by content (it may be a Secret).
        let name = if id.name.is_empty() {
            "(no name)"
        } else {
            id.name.as_str()
        };
        let keys: Vec<&str> = object
            .as_object()
            .map(|map| map.keys().map(String::as_str).collect())
            .unwrap_or_default();
        return Err(Error::msg(format!(
            "missing `kind` in the object named `{name}` (its top-level fields: {})",
            keys.join(", ")
        )));
    }
    Ok(id)
}

#[cfg(test)]
mod tests;
