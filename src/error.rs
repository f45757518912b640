//! The library's error type: what went wrong, plus a trail of where.
//!
//! Every error names the file (and line where known) or the resource it is
//! about; the trail records the kustomizations the build came through so the
//! CLI can print `in: overlays/prod/kustomization.yaml` lines.

use std::backtrace::Backtrace;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong. Variants carry what a user needs to fix it.
#[derive(Debug, thiserror::Error)]
pub enum ErrorKind {
    #[error("cannot read `{path}`: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Writing output failed (a full disk, a closed pipe, a refused path).
    #[error("cannot write `{path}`: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Yaml {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("{path}{}: field `{field}`: {message}", line_suffix(*.line))]
    Field {
        path: PathBuf,
        /// Where the field is in the file, when known.
        line: Option<usize>,
        field: String,
        message: String,
    },
    /// About one resource, named by its id (never by its content, which
    /// may hold Secret data).
    #[error("{id}: {message}")]
    Resource {
        id: crate::id::ResId,
        message: String,
    },
    #[error("{0}")]
    Message(String),
}

/// A message about one part of a value, for parsers that do not know where
/// the value sits in its file: `` at `objref.kind`: expected a string ``.
/// [`Error::field_relative`] joins it to the field's path.
pub fn at(part: &str, message: impl fmt::Display) -> String {
    if part.is_empty() {
        message.to_string()
    } else {
        format!("at `{part}`: {message}")
    }
}

/// Splits a message made by [`at`] into its part (empty when none) and the rest.
fn split_at_part(message: &str) -> (&str, &str) {
    message
        .strip_prefix("at `")
        .and_then(|rest| rest.split_once("`: "))
        .unwrap_or(("", message))
}

/// A boxed [`ErrorKind`] with a trail of context lines, outermost last.
pub struct Error(Box<Inner>);

struct Inner {
    kind: ErrorKind,
    trail: Vec<String>,
    hint: Option<String>,
    /// Warnings the work produced before it failed (kustomize prints its
    /// deprecation warnings before a build error).
    warnings: Vec<String>,
    /// Where the error was made, when stack traces are on.
    backtrace: Option<Backtrace>,
}

/// Whether new errors record the stack they were made on (`--stack-trace`).
static STACK_TRACES: AtomicBool = AtomicBool::new(false);

/// Turns stack traces on or off for errors made from now on, in the whole
/// process: kustomize's `--stack-trace`. Off by default (capturing costs).
pub fn record_stack_traces(on: bool) {
    STACK_TRACES.store(on, Ordering::Relaxed);
}

impl Error {
    pub fn new(kind: ErrorKind) -> Self {
        let backtrace = STACK_TRACES
            .load(Ordering::Relaxed)
            .then(Backtrace::force_capture);
        Error(Box::new(Inner {
            kind,
            trail: Vec::new(),
            hint: None,
            warnings: Vec::new(),
            backtrace,
        }))
    }

    /// An error with only a message; prefer a variant that names the file.
    pub fn msg(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Message(message.into()))
    }

    pub fn io(path: &Path, source: std::io::Error) -> Self {
        Error::new(ErrorKind::Io {
            path: path.to_path_buf(),
            source,
        })
    }

    pub fn write(path: &Path, source: std::io::Error) -> Self {
        Error::new(ErrorKind::Write {
            path: path.to_path_buf(),
            source,
        })
    }

    pub fn file(path: &Path, message: impl Into<String>) -> Self {
        Error::new(ErrorKind::File {
            path: path.to_path_buf(),
            message: message.into(),
        })
    }

    pub fn field(path: &Path, field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Field {
            path: path.to_path_buf(),
            line: None,
            field: field.into(),
            message: message.into(),
        })
    }

    /// An error in `field` of the file `path`, from a message that may name
    /// a part of the field ([`at`]): `field` `vars[0]` and message
    /// `` at `objref.kind`: ... `` make field `vars[0].objref.kind`.
    pub fn field_relative(path: &Path, field: &str, message: &str) -> Self {
        let (part, message) = split_at_part(message);
        let field = match (field.is_empty(), part.is_empty()) {
            (_, true) => field.to_string(),
            (true, false) => part.to_string(),
            (false, false) => format!("{field}.{part}"),
        };
        if field.is_empty() {
            Error::file(path, message)
        } else {
            Error::field(path, field, message)
        }
    }

    /// The file and field of an error about a field of a file.
    pub fn field_of(&self) -> Option<(&Path, &str)> {
        match &self.0.kind {
            ErrorKind::Field { path, field, .. } => Some((path, field)),
            _ => None,
        }
    }

    /// Places a field error on its line (`file:7: field ...`); other
    /// errors are returned as they are.
    pub fn at_line(mut self, at: Option<usize>) -> Self {
        if let ErrorKind::Field { line, .. } = &mut self.0.kind {
            *line = at.or(*line);
        }
        self
    }

    /// The message without the file, the field kept as a part ([`at`]): for
    /// a parser whose caller places the value in its file.
    pub fn relative_message(&self) -> String {
        match &self.0.kind {
            ErrorKind::Field { field, message, .. } => at(field, message),
            ErrorKind::File { message, .. } => message.clone(),
            other => other.to_string(),
        }
    }

    /// An error about the resource `id`.
    pub fn resource(id: &crate::id::ResId, message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Resource {
            id: id.clone(),
            message: message.into(),
        })
    }

    pub fn yaml(path: &Path, line: usize, column: usize, message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Yaml {
            path: path.to_path_buf(),
            line,
            column,
            message: message.into(),
        })
    }

    pub fn kind(&self) -> &ErrorKind {
        &self.0.kind
    }

    /// Context lines, innermost first (`in: bases/web/kustomization.yaml`).
    pub fn trail(&self) -> &[String] {
        &self.0.trail
    }

    pub fn hint(&self) -> Option<&str> {
        self.0.hint.as_deref()
    }

    /// Warnings to show before the error (see [`Error::with_warnings`]).
    pub fn warnings(&self) -> &[String] {
        &self.0.warnings
    }

    /// The stack the error was made on, if [`record_stack_traces`] was on.
    pub fn backtrace(&self) -> Option<&Backtrace> {
        self.0.backtrace.as_ref()
    }

    /// Puts warnings produced before the failure in front of any already carried.
    #[must_use]
    pub fn with_warnings(mut self, mut warnings: Vec<String>) -> Self {
        warnings.append(&mut self.0.warnings);
        self.0.warnings = warnings;
        self
    }

    /// Adds a context line; call sites add them as the error travels outward.
    #[must_use]
    pub fn context(mut self, line: impl Into<String>) -> Self {
        self.0.trail.push(line.into());
        self
    }

    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.0.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.kind)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.kind)?;
        for line in &self.0.trail {
            write!(f, "\n  in: {line}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.0.kind)
    }
}

impl From<ErrorKind> for Error {
    fn from(kind: ErrorKind) -> Self {
        Error::new(kind)
    }
}

/// Adds context to any `Result<_, Error>`.
pub trait ResultExt<T> {
    fn context_with(self, line: impl FnOnce() -> String) -> Result<T>;
}

impl<T> ResultExt<T> for Result<T> {
    fn context_with(self, line: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|error| error.context(line()))
    }
}

/// `:7` for a known line, else nothing.
fn line_suffix(line: Option<usize>) -> String {
    line.map(|line| format!(":{line}")).unwrap_or_default()
}
