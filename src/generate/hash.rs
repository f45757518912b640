//! kustomize-compatible content-hash name suffixes.
