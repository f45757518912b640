//! Transformers: changes applied to every resource a layer has accumulated.
//!
//! Each submodule owns one transformer; the per-object functions are pure so
//! they can be tested alone. `build::target` calls them in kustomize's order.

pub mod fieldpath;
pub mod fieldspec;
pub mod images;
pub mod json6902;
pub mod labels;
pub mod metadata;
pub mod nameref;
pub mod names;
pub mod namespace;
pub mod patch;
pub mod plugins;
pub mod preset;
pub mod replacements;
pub mod replicas;
pub mod smp;
pub mod vars;
