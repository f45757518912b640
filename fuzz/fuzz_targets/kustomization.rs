//! Kustomization parsing (fields, list entries, patches, generators) never panics.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use strata::load::kustomization::Kustomization;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Kustomization::parse(text, Path::new("kustomization.yaml"));
});
