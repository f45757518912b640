//! The resource-stream reader and the config reader: any bytes give a value or an error.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("fuzz.yaml");
    let _ = strata::yaml::parse_stream(text, path);
    let _ = strata::yaml::parse_config(text, path);
});
