//! Loading: from a kustomization's entries to documents.
//!
//! The load restrictor ([`loader`]), the `kustomization.yaml` format
//! ([`kustomization`]), and what entries name: manifest files and jsonnet
//! programs ([`documents`], [`jsonnet`]), patches ([`patches`]) and presets
//! ([`presets`]). Nothing here transforms a resource.

pub mod documents;
pub mod jsonnet;
pub mod kustomization;
pub mod lines;
pub mod loader;
pub mod patches;
pub mod presets;
