//! `configMapGenerator` and `secretGenerator`.
