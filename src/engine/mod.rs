//! The engines transformers are built on: where fields are (field specs
//! and kyaml field paths) and how documents merge (strategic merge with its
//! schema, RFC 6902 JSON patches).
//!
//! Engines work on one object at a time and know nothing of kustomizations,
//! files or the build; transformers (`crate::transform`) decide what to
//! change and call them.

pub mod fieldpath;
pub mod fieldspec;
pub mod json6902;
pub mod smp;
