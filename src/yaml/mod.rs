//! YAML input: resource streams and config files, read exactly as kustomize
//! v5.5.0 reads them, into `serde_json::Value`s.
//!
//! * [`parse_stream`] reads resource files as kyaml does: the stream is split
//!   at `---` lines by kustomize's own splitter, each piece is decoded with
//!   go-yaml v3 rules (see [`resolve`]), anchors and merge keys are expanded
//!   as kyaml's `DeAnchor` does, and empty or `null` documents are dropped.
//! * [`parse_config`] reads a kustomization (or another config file) as
//!   sigs.k8s.io/yaml does: go-yaml v2, YAML 1.1 booleans, keys converted to
//!   strings.
//!
//! Every error is an [`Error::yaml`] with the 1-based line and column of the
//! offending token in the whole file. This module must not panic on any input.

mod build;
mod resolve;
mod timestamp;

use std::borrow::Cow;
use std::path::Path;

use granit_parser::{Event, Options, Parser, ScanError};
use serde_json::Value;

use crate::error::{Error, Result};
use build::{AliasBudget, Builder, Failure};
use resolve::Schema;

/// Parses a stream of resources with go-yaml v3 semantics, as
/// `kio.FromBytes` does. Empty and `null` documents are dropped; any other
/// document must be a mapping.
pub fn parse_stream(text: &str, path: &Path) -> Result<Vec<Value>> {
    let text = normalize_line_ends(text);
    let mut resources = Vec::new();
    let mut budget = AliasBudget::default();
    for piece in split_documents(&text).map_err(|f| to_error(path, f))? {
        let document =
            parse_first_document(piece.text, Schema::Core, piece.line_offset, &mut budget)
                .map_err(|f| to_error(path, f))?;
        match document {
            None
            | Some(Document {
                value: Value::Null, ..
            }) => {}
            Some(Document {
                value: value @ Value::Object(_),
                ..
            }) => resources.push(value),
            Some(Document {
                value,
                line,
                column,
            }) => {
                let found = kind_name(&value);
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
    if text.contains("\r\n") {
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
    while let Some(found) = text[search..].find("\n---") {
        let newline = search + found;
        let Some(end) = text[newline + 1..].find('\n').map(|i| newline + 1 + i) else {
            break;
        };
        let lines_before = line_offset + text[start..=newline].matches('\n').count();
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
}

/// The first document of `text`, with the position of its root node. go-yaml
/// decodes one document per piece, so anything after a `...` is ignored.
fn parse_first_document(
    text: &str,
    schema: Schema,
    line_offset: usize,
    budget: &mut AliasBudget,
) -> std::result::Result<Option<Document>, Failure> {
    let mut options = Options::default();
    options.set_emit_comments(false);
    options.block_scalar_eof_without_line_feed = true;
    let mut parser = Parser::new_from_str_with_options(text, options);
    let mut builder = Builder::new(schema, line_offset, budget);
    let mut root_mark = None;
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| scan_failure(&e, line_offset))?;
        match event {
            Event::StreamStart | Event::DocumentStart(..) => {}
            Event::DocumentEnd | Event::StreamEnd => break,
            event => {
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
    Ok(builder.take_root().map(|value| Document {
        value,
        line,
        column,
    }))
}

fn scan_failure(error: &ScanError, line_offset: usize) -> Failure {
    let mark = error.marker();
    Failure {
        line: mark.line() + line_offset,
        column: mark.col() + 1,
        message: error.kind().to_string(),
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
