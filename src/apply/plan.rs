//! The plan of an apply: for every built object, what applying it does
//! (the live diff and an [`Action`]), and the steps it runs in.
//!
//! A plan is made before anything is written, from a live read and a
//! server-side dry run of every object (the same reads as `strata diff`,
//! compared by the same engine, Secrets masked). It carries what the apply
//! needs to run without asking again (the collection URL, the live UID and
//! resourceVersion, a client-side-apply migration patch), so a later step
//! can add objects to delete or write it to a file.

use std::fmt::{self, Write as _};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::prune::PruneSet;
use crate::diff::{self, Labels, ResourceDiff, TargetDiff};
use crate::id::ResId;

/// A field another manager owns: what a 409 conflict names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Conflict {
    /// The field path as the server writes it (`.spec.replicas`).
    pub field: String,
    /// Its current manager (`kubectl`, `helm`).
    pub manager: String,
}

/// What applying one object does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Created,
    Updated,
    Unchanged,
    /// A field that cannot change differs: delete and create again
    /// (only with `--replace-immutable`).
    Replace,
    /// The dry run was refused: nothing is applied.
    Failed,
    /// Pruned: a member of the ApplySet the build no longer produces.
    Delete,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Created => "created",
            Action::Updated => "updated",
            Action::Unchanged => "unchanged",
            Action::Replace => "replace",
            Action::Failed => "failed",
            Action::Delete => "delete",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One object of the plan.
#[derive(Clone, Debug)]
pub struct PlanItem {
    /// The build's id.
    pub id: ResId,
    /// The namespace it is applied in; `None` for cluster-scoped kinds (or
    /// a custom resource whose CRD the apply creates: decided then).
    pub namespace: Option<String>,
    pub action: Action,
    /// Index into [`Plan::steps`].
    pub step: usize,
    /// The live diff (live → would-be, or → desired when not dry-run).
    pub diff: ResourceDiff,
    /// What is applied.
    pub desired: Value,
    /// The object when planned (its UID and resourceVersion guard deletes
    /// and the migration).
    pub live: Option<Value>,
    /// The JSON patch moving client-side-apply ownership to the field
    /// manager ([`super::csa`]), sent before the apply.
    pub migration: Option<Value>,
    /// The client-side-apply managers the migration takes fields from.
    pub takes_over: Vec<String>,
    /// For [`Action::Failed`]: the fields other managers own.
    pub conflicts: Vec<Conflict>,
    /// Why it failed, why it must be replaced, or why it was not dry-run.
    pub reason: Option<String>,
    /// Not dry-run: its namespace or CRD is created by this apply first.
    pub deferred: bool,
    /// The collection URL (`/apis/apps/v1/namespaces/web/deployments`);
    /// `None` while the kind's CRD, in the same apply, is not served yet.
    pub collection: Option<String>,
}

impl PlanItem {
    /// The id with the namespace it is applied in.
    pub fn applied_id(&self) -> ResId {
        let mut id = self.id.clone();
        if let Some(namespace) = &self.namespace {
            id.namespace = namespace.clone();
        }
        id
    }

    /// Whether applying it writes anything.
    pub fn writes(&self) -> bool {
        self.action != Action::Unchanged || self.migration.is_some()
    }
}

/// Everything an apply does, in build order, and the order it does it in.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub items: Vec<PlanItem>,
    /// Indices into `items`; a step starts when every earlier one is applied and ready.
    pub steps: Vec<Vec<usize>>,
    /// Per item, the items it waits for ([`super::order::dependencies`]).
    pub dependencies: Vec<Vec<usize>>,
    /// With `--prune --applyset`: the set's parent and what prune deletes.
    pub prune: Option<PruneSet>,
}

/// Counts of each [`Action`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PlanSummary {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub replace: usize,
    pub failed: usize,
    /// Objects prune deletes.
    pub delete: usize,
}

impl fmt::Display for PlanSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} created, {} updated, {} to replace, {} unchanged, {} failed",
            self.created, self.updated, self.replace, self.unchanged, self.failed
        )?;
        if self.delete > 0 {
            write!(f, ", {} to delete", self.delete)?;
        }
        Ok(())
    }
}

impl Plan {
    pub fn summary(&self) -> PlanSummary {
        let mut summary = PlanSummary::default();
        for item in &self.items {
            match item.action {
                Action::Created => summary.created += 1,
                Action::Updated => summary.updated += 1,
                Action::Unchanged => summary.unchanged += 1,
                Action::Replace => summary.replace += 1,
                Action::Failed => summary.failed += 1,
                Action::Delete => summary.delete += 1,
            }
        }
        if let Some(set) = &self.prune {
            summary.delete += set.deletions().count();
        }
        summary
    }

    /// The items whose dry run was refused.
    pub fn failures(&self) -> impl Iterator<Item = &PlanItem> {
        self.items.iter().filter(|i| i.action == Action::Failed)
    }

    /// Whether applying writes anything at all.
    pub fn writes(&self) -> bool {
        self.items.iter().any(PlanItem::writes) || self.prune.as_ref().is_some_and(PruneSet::writes)
    }

    /// Why the ApplySet refuses the plan (a prune guard, a parent of another
    /// tool): nothing may be written.
    pub fn prune_refusal(&self) -> Option<&str> {
        self.prune.as_ref().and_then(|set| set.refusal.as_deref())
    }

    /// Why the plan cannot run, naming every object that stops it: refused
    /// dry runs, and replacements unless they are allowed.
    pub fn blockers(&self, replace_immutable: bool) -> Vec<String> {
        self.items
            .iter()
            .filter(|item| {
                item.action == Action::Failed
                    || (item.action == Action::Replace && !replace_immutable)
            })
            .map(|item| {
                let mut line = format!("{}: ", item.applied_id());
                match item.action {
                    Action::Replace => {
                        let _ =
                            write!(
                            line,
                            "must be replaced ({}); --replace-immutable deletes and recreates it",
                            item.reason.as_deref().unwrap_or("an immutable field changes")
                        );
                    }
                    _ if !item.conflicts.is_empty() => {
                        let fields = item
                            .conflicts
                            .iter()
                            .map(|c| format!("{} ({})", c.field, c.manager))
                            .collect::<Vec<_>>()
                            .join(", ");
                        let _ = write!(line, "conflicts with other field managers on {fields}");
                    }
                    _ => line.push_str(item.reason.as_deref().unwrap_or("refused")),
                }
                line
            })
            .collect()
    }

    /// The plan as `strata diff` shows it: one target, live against merged.
    pub fn diff(&self, target: &str) -> TargetDiff {
        TargetDiff {
            target: target.to_string(),
            skipped: false,
            resources: self.items.iter().map(|item| item.diff.clone()).collect(),
        }
    }

    /// The diff text (as `strata diff` prints it), then every object that
    /// changes by step, with conflict tables and reasons.
    pub fn render(&self, target: &str, color: bool) -> String {
        let labels = Labels {
            before: "live".into(),
            after: "merged".into(),
        };
        let mut out = diff::text::render(&[self.diff(target)], &labels, color);
        let paint = |style: &str, text: &str| {
            if color {
                format!("{style}{text}\x1b[0m")
            } else {
                text.to_string()
            }
        };
        let _ = writeln!(
            out,
            "\n{}",
            paint(
                "\x1b[1m",
                &format!(
                    "Plan: {} in {} step{}",
                    self.summary(),
                    self.steps.len(),
                    if self.steps.len() == 1 { "" } else { "s" }
                )
            )
        );
        for (number, step) in self.steps.iter().enumerate() {
            let changing: Vec<&PlanItem> = step
                .iter()
                .map(|&index| &self.items[index])
                .filter(|item| item.writes() || item.action != Action::Unchanged)
                .collect();
            if changing.is_empty() {
                continue;
            }
            let _ = writeln!(out, "step {}:", number + 1);
            for item in changing {
                let style = match item.action {
                    Action::Created => "\x1b[32m",
                    Action::Updated | Action::Unchanged => "\x1b[33m",
                    Action::Replace | Action::Failed | Action::Delete => "\x1b[31m",
                };
                let action = if item.action == Action::Unchanged {
                    "migrate"
                } else {
                    item.action.as_str()
                };
                let _ = write!(
                    out,
                    "  {} {}",
                    paint(style, &format!("{action:<9}")),
                    item.applied_id()
                );
                if let Some(reason) = &item.reason {
                    let _ = write!(out, ": {reason}");
                }
                if !item.takes_over.is_empty() {
                    let _ = write!(
                        out,
                        " (takes over the fields of {} from client-side apply)",
                        item.takes_over.join(", ")
                    );
                }
                out.push('\n');
                if !item.conflicts.is_empty() {
                    out.push_str(&conflict_table(&item.conflicts, "      "));
                }
            }
        }
        if let Some(set) = &self.prune {
            out.push_str(&set.render());
        }
        out
    }
}

/// `FIELD → CURRENT MANAGER`, one conflict a line, columns aligned.
pub fn conflict_table(conflicts: &[Conflict], indent: &str) -> String {
    let width = conflicts
        .iter()
        .map(|c| c.field.len())
        .max()
        .unwrap_or(0)
        .max("FIELD".len());
    let mut out = format!("{indent}{:<width$}  CURRENT MANAGER\n", "FIELD");
    for conflict in conflicts {
        let _ = writeln!(
            out,
            "{indent}{:<width$}  {}",
            conflict.field, conflict.manager
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::Change;
    use crate::id::Gvk;
    use serde_json::json;

    fn item(name: &str, action: Action) -> PlanItem {
        let id = ResId::new(Gvk::new("apps", "v1", "Deployment"), "", name);
        PlanItem {
            id: id.clone(),
            namespace: Some("shop".into()),
            action,
            step: 0,
            diff: ResourceDiff {
                change: Change::Unchanged,
                id,
                previous_id: None,
                hunks: String::new(),
            },
            desired: json!({}),
            live: None,
            migration: None,
            takes_over: Vec::new(),
            conflicts: Vec::new(),
            reason: None,
            deferred: false,
            collection: None,
        }
    }

    #[test]
    fn conflicts_and_replacements_block_the_plan() {
        let mut conflicting = item("api", Action::Failed);
        conflicting.conflicts = vec![Conflict {
            field: ".spec.replicas".into(),
            manager: "kubectl".into(),
        }];
        let mut replaced = item("job", Action::Replace);
        replaced.reason = Some("spec.selector: field is immutable".into());
        let plan = Plan {
            items: vec![item("web", Action::Unchanged), conflicting, replaced],
            steps: vec![vec![0, 1, 2]],
            dependencies: vec![vec![]; 3],
            prune: None,
        };
        assert_eq!(
            plan.blockers(false),
            [
                "apps/v1 Deployment shop/api: conflicts with other field managers on .spec.replicas (kubectl)",
                "apps/v1 Deployment shop/job: must be replaced (spec.selector: field is immutable); \
                 --replace-immutable deletes and recreates it",
            ]
        );
        assert_eq!(plan.blockers(true).len(), 1);
        let text = plan.render("overlays/prod", false);
        assert!(
            text.contains("      FIELD           CURRENT MANAGER\n      .spec.replicas  kubectl\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "Plan: 0 created, 0 updated, 1 to replace, 1 unchanged, 1 failed in 1 step\n"
            ),
            "{text}"
        );
        assert!(
            !text.contains("shop/web"),
            "unchanged objects are not listed: {text}"
        );
    }

    #[test]
    fn a_migration_is_a_write_even_when_nothing_else_changes() {
        let mut migrated = item("web", Action::Unchanged);
        assert!(!migrated.writes());
        migrated.migration = Some(json!([]));
        assert!(migrated.writes());
    }
}
