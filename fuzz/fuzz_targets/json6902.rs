//! JSON 6902 patches: a target document, a line `%%`, then the operations
//! (YAML or JSON, as a kustomization's patch file holds them).
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use strata::engine::json6902;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some((target, ops)) = text.split_once("\n%%\n") else {
        return;
    };
    let path = Path::new("patch.yaml");
    let Ok(targets) = strata::yaml::parse_stream(target, path) else {
        return;
    };
    let Ok(ops) = json6902::parse_ops(ops, "fuzz", path) else {
        return;
    };
    for mut target in targets {
        let _ = json6902::apply(&mut target, &ops, "fuzz");
    }
});
