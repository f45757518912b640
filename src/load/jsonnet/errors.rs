//! jrsonnet errors written as go-jsonnet writes them, with file paths
//! relative to the kustomization root:
//!
//! ```text
//! RUNTIME ERROR: field does not exist: missing
//! <TAB>main.jsonnet:2:65-74<TAB>field <missing> access
//! <TAB>while evaluating `.x` of the program's value
//! ```
//!
//! A frame is a tab, the place (`file:line:column-endColumn` on one line,
//! `file:(line:column)-(line:column)` across lines) and a tab before what
//! was being done; frames without a place are the description alone. Parse
//! errors are static, as in go-jsonnet: `main.jsonnet:1:5-6 message`.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use jrsonnet_evaluator::error::ErrorKind as JsErrorKind;
use jrsonnet_evaluator::{Error as JsError, Span};
use jrsonnet_ir::{SourceFifo, SourceVirtual};

use crate::error::Error;
use crate::transform::metadata::relative;

/// Reads a file the error names (through the build's file system).
pub(super) type ReadText<'r> = &'r dyn Fn(&Path) -> Option<String>;

/// The library's error for a failed evaluation. `failed_import` is the last
/// import that could not be resolved: the importing file and what it named.
pub(super) fn report(
    error: &JsError,
    root: &Path,
    read: ReadText,
    program: &Path,
    failed_import: Option<&(PathBuf, String)>,
) -> Error {
    let places = Places { root, read };
    let mut text = String::new();
    // jrsonnet repeats the place of a syntax error as a frame of its own.
    let frames: Vec<_> = error
        .trace()
        .0
        .iter()
        .filter(|frame| frame.desc != "parse imported")
        .collect();
    match error.error() {
        JsErrorKind::ImportSyntaxError { error: syntax, .. } if frames.is_empty() => {
            // The program itself does not parse.
            let _ = write!(
                text,
                "{} {}",
                places.range(&syntax.location),
                syntax.message
            );
        }
        JsErrorKind::ImportSyntaxError { error: syntax, .. } => {
            let where_ = places.range(&syntax.location);
            let _ = write!(text, "RUNTIME ERROR: {where_} {}", syntax.message);
        }
        JsErrorKind::StaticAnalysisError(diagnostics) => {
            let lines: Vec<String> = diagnostics
                .iter()
                .map(|d| match &d.span {
                    Some(span) => format!("{} {}", places.range(span), d.message),
                    None => d.message.clone(),
                })
                .collect();
            text.push_str(&lines.join("\n"));
        }
        other => {
            let _ = write!(text, "RUNTIME ERROR: {}", message(other));
        }
    }
    let first = first_frame(error, &places, program, failed_import);
    let placed_in_message = matches!(
        error.error(),
        JsErrorKind::ImportSyntaxError { .. } | JsErrorKind::StaticAnalysisError(_)
    );
    let located =
        placed_in_message || first.is_some() || frames.iter().any(|frame| frame.location.is_some());
    if let Some(frame) = first {
        text.push_str("\n\t");
        text.push_str(&frame);
    }
    for frame in frames {
        text.push_str("\n\t");
        if let Some(span) = &frame.location {
            let _ = write!(text, "{}\t", places.range(span));
        }
        text.push_str(&frame.desc);
    }
    if !located {
        // Nothing places the error: name the program at least.
        let _ = write!(text, "\n\t{}", places.file(program));
    }
    Error::msg(text)
}

/// go-jsonnet's wording where it differs from jrsonnet's.
fn message(error: &JsErrorKind) -> String {
    match error {
        JsErrorKind::RuntimeError(text) => text.to_string(),
        JsErrorKind::NoSuchField(field, _) => format!("field does not exist: {field}"),
        JsErrorKind::ImportFileNotFound(_, import) => format!(
            "couldn't open import {:?}: no match locally or in the Jsonnet library paths",
            import.to_string()
        ),
        other => other.to_string(),
    }
}

/// A frame jrsonnet does not record: where a failed import or a missing
/// field is written, found in the source text when it is unambiguous.
fn first_frame(
    error: &JsError,
    places: &Places,
    program: &Path,
    failed_import: Option<&(PathBuf, String)>,
) -> Option<String> {
    match error.error() {
        JsErrorKind::ImportFileNotFound(..) | JsErrorKind::ImportCallbackError(_) => {
            let (file, import) = failed_import?;
            let text = (places.read)(file)?;
            let (start, end) = find_import(&text, import)?;
            Some(places.text_range(file, &text, start, end))
        }
        JsErrorKind::NoSuchField(field, _) => {
            // The files the trace names and the program.
            let mut files: Vec<PathBuf> = error
                .trace()
                .0
                .iter()
                .filter_map(|frame| frame.location.as_ref().map(source_file))
                .chain([program.to_path_buf()])
                .collect();
            files.sort_unstable();
            files.dedup();
            let mut found = None;
            for file in &files {
                let Some(text) = (places.read)(file) else {
                    continue;
                };
                for (start, end) in field_accesses(&text, field) {
                    if found.is_some() {
                        return None;
                    }
                    found = Some(places.text_range(file, &text, start, end));
                }
            }
            found.map(|place| format!("{place}\tfield <{field}> access"))
        }
        _ => None,
    }
}

/// The `import 'x'` expression (or `importstr`, `importbin`) naming `import`.
fn find_import(text: &str, import: &str) -> Option<(usize, usize)> {
    ['\'', '"'].iter().find_map(|quote| {
        let literal = format!("{quote}{import}{quote}");
        let at = text.find(&literal)?;
        let before = text[..at].trim_end();
        let keyword = ["importstr", "importbin", "import"]
            .iter()
            .find(|keyword| before.ends_with(*keyword))
            .map_or(at, |keyword| before.len() - keyword.len());
        Some((keyword, at + literal.len()))
    })
}

/// Byte ranges of `x.field`, `x['field']` and `x["field"]` in `text`, from
/// the identifier before the dot where there is one (`o.missing`).
fn field_accesses(text: &str, field: &str) -> Vec<(usize, usize)> {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    let mut found = Vec::new();
    let patterns = [
        format!(".{field}"),
        format!("['{field}']"),
        format!("[\"{field}\"]"),
    ];
    for (index, pattern) in patterns.iter().enumerate() {
        for (at, _) in text.match_indices(pattern.as_str()) {
            let end = at + pattern.len();
            // `.missing` must not continue as a longer name (`.missingx`).
            if index == 0 && text[end..].starts_with(is_ident) {
                continue;
            }
            let start = text[..at]
                .char_indices()
                .rev()
                .take_while(|(_, c)| is_ident(*c))
                .last()
                .map_or(at, |(i, _)| i);
            found.push((start, end));
        }
    }
    found
}

/// Writes places relative to the kustomization root.
struct Places<'p> {
    root: &'p Path,
    read: ReadText<'p>,
}

impl Places<'_> {
    fn file(&self, path: &Path) -> String {
        if path.is_absolute() == self.root.is_absolute() {
            relative(path, self.root)
        } else {
            path.display().to_string()
        }
    }

    /// A span as go-jsonnet writes a location range (end column exclusive).
    fn range(&self, span: &Span) -> String {
        let [start, end] = span.0.map_source_locations(&[span.1, span.2]);
        let file = self.file(&source_file(span));
        let start = (start.line, start.column);
        // An end past the text (a parse error at its end) is not mapped.
        let end = if end.line == 0 {
            start
        } else {
            (end.line, end.column)
        };
        format_range(&file, start, end)
    }

    /// Byte offsets `start..end` of `text`, the content of `file`.
    fn text_range(&self, file: &Path, text: &str, start: usize, end: usize) -> String {
        let position = |offset: usize| {
            let before = &text[..offset];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            (line, column)
        };
        format_range(&self.file(file), position(start), position(end))
    }
}

fn format_range(file: &str, start: (usize, usize), end: (usize, usize)) -> String {
    if start.0 != end.0 {
        return format!("{file}:({}:{})-({}:{})", start.0, start.1, end.0, end.1);
    }
    if start.1 == end.1 {
        return format!("{file}:{}:{}", start.0, start.1);
    }
    format!("{file}:{}:{}-{}", start.0, start.1, end.1)
}

/// The file a span is in (`<extCode name>` for code arguments).
fn source_file(span: &Span) -> PathBuf {
    let source_path = span.0.source_path();
    match source_path.path() {
        Some(path) => path.to_path_buf(),
        None => match source_path.downcast_ref::<SourceVirtual>() {
            Some(name) => PathBuf::from(name.0.to_string()),
            None if source_path.downcast_ref::<SourceFifo>().is_some() => PathBuf::from("<code>"),
            None => PathBuf::from(source_path.to_string()),
        },
    }
}
