//! Patch and replacement targets: which resources a selector picks.
