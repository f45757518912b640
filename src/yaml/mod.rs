//! YAML input: resource streams and config files, read exactly as kustomize
//! v5.5.0 reads them, into `serde_json::Value`s (parsing is granit-parser's;
//! the meaning given to its events is go-yaml's).
//!
//! * [`parse_stream`] reads resource files as kyaml does: the stream is split
//!   at `---` lines by kustomize's own splitter and only the first document
//!   of each piece is read; scalars follow go-yaml v3 (module `resolve`);
//!   anchors and merge keys are expanded as kyaml's `DeAnchor` does; what
//!   kyaml's write-and-reread changes is applied too (folded scalars, empty
//!   values in flow collections; module `scalar`); empty documents are dropped.
//! * [`parse_config`] reads a kustomization (or a JSON patch, a PodPreset
//!   file) as sigs.k8s.io/yaml does: go-yaml v2, YAML 1.1 booleans, keys
//!   converted to strings, later duplicates win, first document only.
//!
//! Every error is an [`Error::yaml`] with the 1-based line and column of the
//! offending token in the whole file. Alias expansion is capped. This module
//! must not panic on any input (a mutation test checks it).

mod build;
mod folded;
mod resolve;
mod scalar;
mod timestamp;

use std::borrow::Cow;
use std::path::Path;

use granit_parser::{Event, Marker, Options, Parser, ScalarStyle, ScanError};
use serde_json::Value;

use crate::error::{Error, Result};
use build::{AliasBudget, Builder, Failure};
pub(crate) use resolve::is_non_string_yaml11;
use resolve::Schema;

/// Parses a stream of resources with go-yaml v3 semantics, as
/// `kio.FromBytes` does. Empty, `null`, `{}` and `[]` documents are dropped;
/// any other document must be a mapping. `kind: List` is not expanded here.
pub fn parse_stream(text: &str, path: &Path) -> Result<Vec<Value>> {
    let documents = parse_stream_with_empty_nulls(text, path)?;
    Ok(documents.into_iter().map(|(value, _)| value).collect())
}

/// As [`parse_stream`], with each document's JSON pointers of mapping values
/// written as empty nulls (`key:` with nothing after it). kyaml's strategic
/// merge drops those from its target but keeps `null` and `~`.
pub fn parse_stream_with_empty_nulls(text: &str, path: &Path) -> Result<Vec<(Value, Vec<String>)>> {
    let text = normalize_line_ends(text);
    let mut resources = Vec::new();
    let mut budget = AliasBudget::default();
    for piece in split_documents(&text).map_err(|f| to_error(path, f))? {
        let document =
            parse_first_document(piece.text, Schema::Core, piece.line_offset, &mut budget)
                .map_err(|f| to_error(path, f))?;
        let Some(Document {
            value,
            line,
            column,
            empty_nulls,
        }) = document
        else {
            continue;
        };
        match value {
            // kyaml drops null documents, kustomize's factory empty ones.
            Value::Null => {}
            Value::Object(ref map) if map.is_empty() => {}
            Value::Array(ref items) if items.is_empty() => {}
            Value::Object(_) => resources.push((value, empty_nulls)),
            other => {
                let found = kind_name(&other);
                let message =
                    format!("missing Resource metadata: a resource document must be a mapping, found {found}");
                return Err(Error::yaml(path, line, column, message));
            }
        }
    }
    Ok(resources)
}

/// Parses a configuration file (kustomization) as sigs.k8s.io/yaml does:
/// YAML 1.1 scalars, only the first document, an empty file is `Null`.
pub fn parse_config(text: &str, path: &Path) -> Result<Value> {
    let mut budget = AliasBudget::default();
    let parsed = parse_first_document(text, Schema::Yaml11, 0, &mut budget)
        .map_err(|f| to_error(path, f))?;
    Ok(parsed.map_or(Value::Null, |document| document.value))
}

/// One piece of a stream, as kustomize's `splitDocuments` cuts it.
struct Piece<'a> {
    text: &'a str,
    /// Lines of the file before this piece.
    line_offset: usize,
}

/// kustomize replaces Windows line ends before splitting.
fn normalize_line_ends(text: &str) -> Cow<'_, str> {
    if memchr::memmem::find(text.as_bytes(), b"\r\n").is_some() {
        Cow::Owned(text.replace("\r\n", "\n"))
    } else {
        Cow::Borrowed(text)
    }
}

/// kyaml's `splitDocuments`: the separator is `\n---` up to the next `\n`
/// (regexp `\n---.*\n`), so a `---` on the first line or on the last line
/// without a newline is left to the YAML parser. Anything but a comment after
/// the dashes is an error.
fn split_documents(text: &str) -> std::result::Result<Vec<Piece<'_>>, Failure> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut search = 0;
    let mut line_offset = 0;
    // memmem: a SIMD search; the whole input passes through here.
    let separator = memchr::memmem::Finder::new(b"\n---");
    while let Some(found) = separator.find(&text.as_bytes()[search..]) {
        let newline = search + found;
        let Some(end) =
            memchr::memchr(b'\n', &text.as_bytes()[newline + 1..]).map(|i| newline + 1 + i)
        else {
            break;
        };
        let lines_before =
            line_offset + memchr::memchr_iter(b'\n', &text.as_bytes()[start..=newline]).count();
        let rest = text[newline + 4..end].trim();
        if !rest.is_empty() && !rest.starts_with('#') {
            return Err(Failure {
                line: lines_before + 1,
                column: 1,
                message: format!(
                    "invalid document separator: {}",
                    text[newline + 1..end].trim()
                ),
            });
        }
        pieces.push(Piece {
            text: &text[start..=newline],
            line_offset,
        });
        start = end + 1;
        search = end + 1;
        line_offset = lines_before + 1;
    }
    pieces.push(Piece {
        text: &text[start..],
        line_offset,
    });
    Ok(pieces)
}

/// A document's root value and where its root node starts.
struct Document {
    value: Value,
    line: usize,
    column: usize,
    /// JSON pointers of mapping values written as empty nulls (`key:`).
    empty_nulls: Vec<String>,
}

/// The first document of `text`, with the position of its root node. go-yaml
/// decodes one document per piece, so anything after a `...` is ignored.
fn parse_first_document(
    text: &str,
    schema: Schema,
    line_offset: usize,
    budget: &mut AliasBudget,
) -> std::result::Result<Option<Document>, Failure> {
    if let Some(line) = leading_document_end(text) {
        return Err(Failure {
            line: line + line_offset,
            column: 1,
            message: "did not find expected node content (a `...` before any document)".into(),
        });
    }
    let text_source = text;
    let mut options = Options::default();
    options.set_emit_comments(false);
    options.emit_anchor_events = true;
    options.block_scalar_eof_without_line_feed = true;
    // go-yaml v3 reads up to 10,000 levels; granit stops at 255 by default.
    options.flow_nesting_limit = MAX_DEPTH;
    options.block_nesting_limit = MAX_DEPTH;
    let mut parser = Parser::new_from_str_with_options(text, options);
    let mut builder = Builder::new(schema, line_offset, budget);
    let mut root_mark = None;
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| scan_failure(&e, line_offset))?;
        match event {
            Event::StreamStart | Event::DocumentStart(..) => {}
            Event::DocumentEnd | Event::StreamEnd => break,
            Event::Anchor(_, name) => check_anchor_name(&name, &span.start, line_offset)?,
            mut event => {
                // granit reports an empty node as a plain `~`; go-yaml (and
                // kyaml's round trip) tell the two apart.
                if let Event::Scalar(text, ScalarStyle::Plain, _, None) = &mut event {
                    if span.is_empty() && text == "~" {
                        *text = Cow::Borrowed("");
                        if builder.expects_key()
                            && !after_question_mark(text_before(text_source, &span.start))
                        {
                            return Err(Failure {
                                line: span.start.line() + line_offset,
                                column: span.start.col() + 1,
                                message: "did not find expected key (an empty key needs `?`)"
                                    .into(),
                            });
                        }
                    }
                }
                if root_mark.is_none() && event.is_node() {
                    root_mark = Some((span.start.line() + line_offset, span.start.col() + 1));
                }
                // Point at a node's tag when it has one: it starts the node.
                let start = span
                    .tag_start
                    .filter(|tag| tag.index() < span.start.index());
                builder.event(event, &start.unwrap_or(span.start))?;
            }
        }
    }
    let (line, column) = root_mark.unwrap_or((line_offset + 1, 1));
    let empty_nulls = builder.take_empty_nulls();
    Ok(builder.take_root().map(|value| Document {
        value,
        line,
        column,
        empty_nulls,
    }))
}

/// go-yaml only takes `[0-9A-Za-z_-]` in anchor names; granit takes more.
fn check_anchor_name(
    name: &str,
    mark: &Marker,
    line_offset: usize,
) -> std::result::Result<(), Failure> {
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if valid {
        return Ok(());
    }
    Err(Failure {
        line: mark.line() + line_offset,
        column: mark.col() + 1,
        message: format!("anchor name `{name}` is not supported: use letters, digits, `_` and `-`"),
    })
}

fn text_before<'a>(text: &'a str, mark: &Marker) -> &'a str {
    mark.byte_offset()
        .and_then(|offset| text.get(..offset))
        .unwrap_or("")
}

/// An empty mapping key is only accepted by go-yaml after an explicit `?`
/// (comments between the two are skipped).
fn after_question_mark(before: &str) -> bool {
    let mut rest = before;
    loop {
        rest = rest.trim_end_matches([' ', '\t', '\n', '\r']);
        let line_start = rest.rfind('\n').map_or(0, |i| i + 1);
        let line = &rest[line_start..];
        let comment = line
            .char_indices()
            .find(|&(i, c)| c == '#' && (i == 0 || line[..i].ends_with([' ', '\t'])));
        match comment {
            Some((i, _)) => rest = &rest[..line_start + i],
            None => return rest.ends_with('?'),
        }
    }
}

/// go-yaml (unlike libyaml and the YAML spec) rejects a stream whose first
/// token is the document end marker `...`: it then expects the node of an
/// implicit document. kustomize parses each piece as a stream, so a piece
/// that starts with `...` fails. Returns that marker's 1-based line.
fn leading_document_end(text: &str) -> Option<usize> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    for (index, line) in text.split('\n').enumerate() {
        let content = line.trim_start_matches([' ', '\t', '\r']);
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let rest = line.strip_prefix("...")?;
        let ends = rest.is_empty() || rest.starts_with([' ', '\t', '\r']);
        return ends.then_some(index + 1);
    }
    None
}

/// The deepest nesting of collections read, as go-yaml v3's limit.
pub const MAX_DEPTH: usize = 10_000;

fn scan_failure(error: &ScanError, line_offset: usize) -> Failure {
    let mark = error.marker();
    let message = match error.kind() {
        granit_parser::ErrorKind::RecursionLimitExceeded => {
            format!("collections nested deeper than {MAX_DEPTH} levels")
        }
        kind => kind.to_string(),
    };
    Failure {
        line: mark.line() + line_offset,
        column: mark.col() + 1,
        message,
    }
}

fn to_error(path: &Path, failure: Failure) -> Error {
    Error::yaml(path, failure.line, failure.column, failure.message)
}

fn kind_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a sequence",
        Value::Object(_) => "a mapping",
    }
}

#[cfg(test)]
mod tests;
