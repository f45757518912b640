//! Generators: resources made from data in a kustomization.

pub mod configmap;
pub mod hash;
pub mod jsonnet;
