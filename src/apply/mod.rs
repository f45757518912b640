//! `strata apply`: the pure parts (order, readiness, ApplySets).

pub mod applyset;
pub mod order;
pub mod ready;
