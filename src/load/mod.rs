//! Loading: from a kustomization's entries to documents.
//!
//! The load restrictor ([`loader`]), the `kustomization.yaml` format
//! ([`kustomization`]) and the sources that become resources: manifest
//! files and jsonnet programs ([`jsonnet`]).

pub mod jsonnet;
pub mod kustomization;
pub mod loader;
pub mod patches;
