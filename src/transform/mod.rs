//! Transformers: changes applied to every resource a layer has accumulated.
//!
//! Each submodule owns one transformer; the per-object functions are pure so
//! they can be tested alone. `pipeline::target` calls them in kustomize's order.

pub mod annotations;
pub mod images;
pub mod labels;
pub mod metadata;
pub mod nameref;
pub mod names;
pub mod namespace;
pub mod patch;
pub mod preset;
pub mod replacements;
pub mod replicas;
pub mod vars;
