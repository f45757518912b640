//! How errors look on stderr: `error: ...`, the trail of `in:` lines, then a hint.

use std::io::Write;

/// Prints an error chain to stderr.
pub fn print_error(error: &anyhow::Error) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "error: {error}");
    if let Some(error) = error.downcast_ref::<strata::Error>() {
        for line in error.trail() {
            let _ = writeln!(stderr, "  in: {line}");
        }
        if let Some(hint) = error.hint() {
            let _ = writeln!(stderr, "\nhint: {hint}");
        }
    }
    for cause in error.chain().skip(1) {
        let _ = writeln!(stderr, "  caused by: {cause}");
    }
}
