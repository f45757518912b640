//! emit ∘ parse: a document strata can read and print must read back as
//! one document, and printing that again must give the same bytes. (The
//! values may differ where kustomize's printing normalizes, as it drops an
//! empty `metadata.annotations`.)
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("fuzz.yaml");
    let Ok(documents) = strata::yaml::parse_stream(text, path) else {
        return;
    };
    for value in documents {
        // Values kustomize itself cannot print are refused before emitting.
        if strata::emit::check(&value).is_err() {
            continue;
        }
        let printed = strata::emit::document(&value);
        let reread = strata::yaml::parse_stream(&printed, path)
            .unwrap_or_else(|e| panic!("emitted YAML does not parse: {e}\n{printed}"));
        assert_eq!(reread.len(), 1, "one document printed, read back as {}:\n{printed}", reread.len());
        assert_eq!(strata::emit::document(&reread[0]), printed, "second print differs");
    }
});
