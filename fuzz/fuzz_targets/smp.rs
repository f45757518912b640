//! Strategic merge: two YAML documents (split at a line `%%`), the first
//! the target, the second the patch; a merge gives a value or an error.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use strata::engine::smp::{self, OpenApi};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some((target, patch)) = text.split_once("\n%%\n") else {
        return;
    };
    let path = Path::new("fuzz.yaml");
    let (Ok(targets), Ok(patches)) = (
        strata::yaml::parse_stream(target, path),
        strata::yaml::parse_stream(patch, path),
    ) else {
        return;
    };
    for mut target in targets {
        for patch in &patches {
            let _ = smp::merge(&mut target, patch, OpenApi::builtin());
        }
    }
});
