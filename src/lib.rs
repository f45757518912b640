//! strata turns a tree of kustomizations into the manifests to apply,
//! byte-identical to `kustomize build` v5.5.0, and shows what applying them
//! would change.
//!
//! A build is one pipeline:
//!
//! 1. **load** ([`load::loader`], [`load::kustomization`], [`yaml`]): read a kustomization
//!    and every file it names, under the load restrictor;
//! 2. **generate** ([`generate`]): ConfigMaps, Secrets and jsonnet sources;
//! 3. **transform** ([`transform`]): patches, namespaces, names, labels,
//!    images, replicas, presets, then name references and hash suffixes;
//! 4. **sort** ([`sort`]): kustomize's legacy order or input order;
//! 5. **emit** ([`emit`]): YAML written exactly as kustomize writes it.
//!
//! [`build()`] runs it over a [`fs::FileSystem`]; [`emit::stream`] prints
//! the result. The library does no I/O of its own beyond the file system
//! handed to it (and the programs a build is allowed to run: helm, git,
//! external plugins) and never prints: warnings come back in the [`Build`]
//! or on the [`Error`]. Work that takes time is reported to the observer
//! in [`BuildOptions::progress`] ([`progress`]).
//!
//! A tree held in memory ([`fs::MemFs`]), built and written out as
//! `kustomize build` writes it:
//!
//! ```
//! use std::path::Path;
//! use strata::fs::MemFs;
//!
//! let mut files = MemFs::new();
//! files
//!     .add("base/kustomization.yaml", "resources:\n- service.yaml\n")
//!     .add(
//!         "base/service.yaml",
//!         "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n",
//!     )
//!     .add(
//!         "prod/kustomization.yaml",
//!         "namespace: shop\nnamePrefix: prod-\nresources:\n- ../base\n",
//!     );
//!
//! let build = strata::build(&files, Path::new("prod"), &strata::BuildOptions::default())?;
//! assert!(build.warnings.is_empty());
//! assert_eq!(
//!     strata::emit::stream(&build.resources),
//!     "apiVersion: v1\nkind: Service\nmetadata:\n  name: prod-web\n  namespace: shop\nspec:\n  ports:\n  - port: 80\n",
//! );
//! # Ok::<(), strata::Error>(())
//! ```

pub mod apply;
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
pub mod threads;
pub mod transform;
pub mod yaml;

/// The kustomize release whose `kustomize build` output strata reproduces.
pub const KUSTOMIZE_VERSION: &str = "v5.5.0";

pub use error::{Error, Result};
pub use id::{Gvk, ResId};
pub use pipeline::{build, Build, BuildOptions};
pub use resource::{Resource, ResourceMap};
