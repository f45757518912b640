//! `strata apply`: plan, confirm, server-side apply in dependency order,
//! wait for readiness.
//!
//! - [`plan`]: the plan, made from a live read and a server-side dry run
//!   of every object before anything is written (the same reads and diff
//!   engine as `strata diff`); an object whose dry run is refused fails the
//!   plan, and nothing is applied.
//! - [`order`]: the steps objects are applied in; [`ready`]: when a step
//!   is done (kstatus's rules).
//! - [`planfile`]: reviewed plans, written with `--plan-out`, applied
//!   with `--plan` only while every object is as planned.
//! - [`applyset`]: ApplySets (the parent, membership, what to prune and
//!   its guards); [`prune`]: reading and writing them on a cluster.
//! - [`csa`]: taking over fields client-side `kubectl apply` wrote.
//! - [`event`]: what is reported as the apply runs (`--format json` lines).
//! - `Applier` (feature `cluster`): runs all of it against a cluster.
//!
//! Like the rest of the library, nothing here prints or asks: the CLI
//! shows the plan, asks for confirmation and renders the events.

pub mod applyset;
pub mod csa;
#[cfg(feature = "cluster")]
mod engine;
pub mod event;
pub mod order;
pub mod plan;
pub mod planfile;
pub mod prune;
pub mod ready;

#[cfg(feature = "cluster")]
pub use engine::{Applier, ApplyOptions, Outcome, Stats};
pub use event::{Event, EventKind};
pub use plan::{Action, Conflict, Plan, PlanItem, PlanSummary};
pub use planfile::PlanFile;
pub use prune::{ApplySetOptions, PruneItem, PruneSet};
