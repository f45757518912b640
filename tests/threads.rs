//! The output does not depend on the thread count. Every golden case
//! (`tests/cases`, `tests/extensions`) without flags, failing ones too, is
//! written on 1, 2, 3 and 8 threads, split down to one document per
//! thread, and must give the same bytes as the default writer.

use std::path::{Path, PathBuf};

use strata::fs::DiskFs;
use strata::pipeline::BuildOptions;

fn case_inputs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut inputs = Vec::new();
    for kind in ["cases", "extensions"] {
        let mut cases: Vec<PathBuf> = std::fs::read_dir(root.join(kind))
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|case| {
                let expected = case.join("expected.yaml").is_file()
                    || case.join("expected-error.txt").is_file();
                expected && !case.join("flags").exists()
            })
            .collect();
        cases.sort();
        for case in cases {
            let target =
                std::fs::read_to_string(case.join("target")).unwrap_or_else(|_| ".".into());
            inputs.push(case.join("input").join(target.trim()));
        }
    }
    inputs
}

#[test]
fn every_thread_count_writes_the_same_bytes() {
    let inputs = case_inputs();
    assert!(inputs.len() > 20, "only {} cases found", inputs.len());
    let mut split = 0;
    for input in &inputs {
        let build = match strata::pipeline::build(&DiskFs, input, &BuildOptions::default()) {
            Ok(build) => build,
            // Some cases need options (helm, plugins) that flags files do not say.
            Err(_) => continue,
        };
        let expected = strata::emit::stream(&build.resources);
        if build.resources.len() > 1 {
            split += 1;
        }
        for threads in [1, 2, 3, 8] {
            let written = strata::emit::stream_with_threads(&build.resources, threads, 1);
            assert!(
                written == expected,
                "{}: {threads} threads wrote other bytes",
                input.display()
            );
        }
    }
    assert!(split > 20, "only {split} cases had documents to split");
}

/// The whole build (files parsed ahead on every thread, checks, writing)
/// gives the same bytes, and the same errors, on one thread and on four.
#[test]
fn the_binary_writes_the_same_bytes_on_one_and_four_threads() {
    let inputs = case_inputs();
    let run = |input: &Path, threads: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_strata"))
            .arg("build")
            .arg(input)
            .env("STRATA_THREADS", threads)
            .output()
            .unwrap()
    };
    let mut built = 0;
    for input in &inputs {
        let one = run(input, "1");
        let four = run(input, "4");
        assert_eq!(one.status.code(), four.status.code(), "{}", input.display());
        assert!(
            one.stdout == four.stdout,
            "{}: other bytes on 4 threads",
            input.display()
        );
        assert!(
            one.stderr == four.stderr,
            "{}: other messages on 4 threads",
            input.display()
        );
        built += usize::from(one.status.success() && !one.stdout.is_empty());
    }
    assert!(built > 20, "only {built} cases built");
}
