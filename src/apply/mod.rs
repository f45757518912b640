//! `strata apply`: the pure parts (order, readiness, ApplySets).

pub mod order;
pub mod ready;
