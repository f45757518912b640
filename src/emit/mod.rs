//! YAML output, written byte for byte as `kustomize build` v5.5.0 writes it.
//!
//! kustomize marshals each resource to JSON (Go `encoding/json`), reads that
//! back with go-yaml v2 and writes it with go-yaml v2's emitter. This module
//! reproduces the whole trip without doing it: numbers are re-typed the way
//! the JSON text reads back (`number`), strings lose what the JSON reader
//! folds (U+0085), keys are ordered by go-yaml v2's natural sort (`keys`),
//! quoting follows go-yaml v2's YAML 1.1 resolver (`resolve`) and libyaml's
//! scalar analysis (`scalar`), and the layout, 80-column folding and block
//! scalars follow libyaml's emitter (`writer`).
//!
//! It must not change what the document means, only how it is spelled.
//! [`document`] never fails: values that make kustomize fail on output are
//! written anyway; [`check`] finds them first so a build can report them.

mod check;
mod keys;
mod number;
mod resolve;
mod scalar;
mod writer;

use serde_json::Value;

use crate::resource::ResourceMap;

pub use check::check;

/// One document, ending in exactly one newline. `metadata.annotations` of the
/// top-level object is left out when it is empty or null, as kustomize does.
pub fn document(value: &Value) -> String {
    let mut out = String::with_capacity(1024);
    write_document(&mut out, value);
    out
}

/// Appends one document to `out`.
pub fn write_document(out: &mut String, value: &Value) {
    writer::Emitter::new(out).document(value, true);
}

/// All resources, in map order, joined with `---` lines. Large builds
/// write their documents on every thread ([`crate::threads`]) and join
/// them in order: the bytes are the same whatever the thread count.
pub fn stream(resources: &ResourceMap) -> String {
    // Below this many documents per thread, starting one costs more than it saves.
    const MIN_PER_THREAD: usize = 32;
    stream_with_threads(resources, crate::threads::count(), MIN_PER_THREAD)
}

/// [`stream`] on at most `threads` threads, each given at least
/// `min_per_thread` documents (tests use 1 to split every build).
pub fn stream_with_threads(
    resources: &ResourceMap,
    threads: usize,
    min_per_thread: usize,
) -> String {
    let parts = crate::threads::map_chunks(
        resources.as_slice(),
        threads,
        min_per_thread,
        |start, chunk| {
            let mut out = String::with_capacity(chunk.len() * 1024);
            for (offset, resource) in chunk.iter().enumerate() {
                if start + offset > 0 {
                    out.push_str("---\n");
                }
                write_document(&mut out, resource.object());
            }
            out
        },
    );
    if parts.len() == 1 {
        return parts.into_iter().next().unwrap_or_default();
    }
    let mut out = String::with_capacity(parts.iter().map(String::len).sum());
    for part in &parts {
        out.push_str(part);
    }
    out
}

#[cfg(test)]
mod tests;
