//! How errors look on stderr: `error: ...`, the trail of `in:` lines, then a hint.

use std::io::Write;

/// Prints an error chain to stderr, after the warnings the failed work
/// produced; with `--stack-trace`, the stack the error was made on too.
pub fn print_error(error: &anyhow::Error) {
    let mut stderr = std::io::stderr().lock();
    let strata_error = error.downcast_ref::<strata::Error>();
    for warning in strata_error.map_or(&[][..], |e| e.warnings()) {
        let _ = writeln!(stderr, "{warning}");
    }
    let _ = writeln!(stderr, "error: {error}");
    if let Some(error) = strata_error {
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
    if let Some(backtrace) = strata_error.and_then(strata::Error::backtrace) {
        let _ = writeln!(stderr, "\nstack trace:\n{backtrace}");
    }
}
