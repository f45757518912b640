//! strata turns a tree of kustomizations into the manifests to apply,
//! byte-identical to `kustomize build` v5.5.0, and shows what applying them
//! would change.
//!
//! A build is one pipeline:
//!
//! 1. **load** ([`loader`], [`kustomization`], [`yaml`]): read a kustomization
//!    and every file it names, under the load restrictor;
//! 2. **generate** ([`generate`]): ConfigMaps, Secrets and jsonnet sources;
//! 3. **transform** ([`transform`]): patches, namespaces, names, labels,
//!    images, replicas, presets, then name references and hash suffixes;
//! 4. **sort** ([`sort`]): kustomize's legacy order or input order;
//! 5. **emit** ([`emit`]): YAML written exactly as kustomize writes it.
//!
//! [`build()`] runs it over a [`fs::FileSystem`]; [`emit::stream`] prints
//! the result. The library does no I/O of its own beyond the file system
//! handed to it and never prints.

#[cfg(feature = "cluster")]
pub mod cluster;
pub mod diff;
pub mod edit;
pub mod emit;
pub mod engine;
pub mod error;
pub mod fs;
pub mod generate;
pub mod git;
pub mod id;
pub mod kyaml;
pub mod load;
pub mod output;
pub mod pipeline;
pub mod progress;
pub mod remote;
pub mod resource;
pub mod schema;
pub mod sort;
#[cfg(test)]
mod testing;
pub mod transform;
pub mod yaml;

/// The kustomize release whose `kustomize build` output strata reproduces.
pub const KUSTOMIZE_VERSION: &str = "v5.5.0";

pub use error::{Error, Result};
pub use id::{Gvk, ResId};
pub use pipeline::{build, Build, BuildOptions};
pub use resource::{Resource, ResourceMap};
