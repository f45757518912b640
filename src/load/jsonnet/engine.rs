//! Running jrsonnet: one `State` per evaluation, the standard library, the
//! external variables and top-level arguments, then the value as JSON.
//!
//! jrsonnet values are not `Send`; everything here stays on the one thread
//! that evaluates (with a large stack) and only `serde_json` values leave it. Errors are
//! written as go-jsonnet writes them ([`report`]).

use std::collections::HashMap;
use std::path::Path;
use std::sync::mpsc::{channel, Sender};

use jrsonnet_evaluator::error::ErrorKind as JsErrorKind;
use jrsonnet_evaluator::tla::TlaArg;
use jrsonnet_evaluator::val::MemoizedClosureThunk;
use jrsonnet_evaluator::{
    apply_tla, with_state, Error as JsError, IStr, StackTraceElement, State, Thunk, Val,
};
use serde_json::{Map, Number, Value};

use super::errors::report;
use super::extract::{render, Step};
use super::files::{read_text, serve, Imports, Request, StopOnDrop};
use super::limits::{Budget, Stdlib};
use super::{Arg, Settings};
use crate::error::{Error, Result};
use crate::load::loader::Loader;

/// Evaluates the program at `path` (already checked against the restrictor).
pub(super) fn evaluate(loader: &Loader, path: &Path, settings: &Settings) -> Result<Value> {
    let (requests, inbox) = channel();
    std::thread::scope(|scope| {
        scope.spawn(move || serve(loader, &inbox));
        let _stop = StopOnDrop(requests.clone());
        evaluate_served(requests, loader.root(), path, settings)
    })
}

/// Evaluates with every file read asked of `requests` (a server thread
/// over the loader, or the worker's pipe to its parent); errors are the
/// text go-jsonnet prints.
pub(super) fn evaluate_served(
    requests: Sender<Request>,
    root: &Path,
    path: &Path,
    settings: &Settings,
) -> Result<Value> {
    std::thread::scope(|scope| {
        // The evaluation and the conversion recurse once per level of the
        // value; a thread of its own with a large stack (reserved, touched
        // only as used) lets [`MAX_DEPTH`] levels through without overflow.
        let evaluation = std::thread::Builder::new()
            .name("jsonnet".into())
            .stack_size(EVALUATION_STACK)
            .spawn_scoped(scope, move || {
                let imports = Imports::new(requests.clone(), root, &settings.library_paths);
                let failed = imports.failed();
                evaluate_with(imports, path, settings).map_err(|error| {
                    let failed = failed.borrow();
                    let read = |file: &Path| read_text(&requests, file);
                    report(&error, root, &read, path, failed.as_ref())
                })
            })
            .map_err(|e| Error::msg(format!("cannot start the jsonnet evaluation: {e}")))?;
        evaluation
            .join()
            .unwrap_or_else(|_| Err(Error::msg("the jsonnet evaluation panicked")))
    })
}

/// The deepest value a program may output (as the YAML reader's limit).
pub const MAX_DEPTH: usize = crate::yaml::MAX_DEPTH;

/// Stack reserved for one evaluation.
pub(super) const EVALUATION_STACK: usize = 1 << 30;

fn evaluate_with(
    imports: Imports,
    path: &Path,
    settings: &Settings,
) -> std::result::Result<Value, JsError> {
    // jrsonnet's API takes this map; its interned keys hash by identity, safely.
    #[allow(clippy::mutable_key_type)]
    let ext_vars = settings
        .ext_vars
        .iter()
        .map(|(name, arg)| (name.as_str().into(), tla_arg("extCode", name, arg)))
        .collect();
    let mut builder = State::builder();
    builder
        .import_resolver(imports)
        .context_initializer(Stdlib::new(ext_vars, settings.max_elements));
    let state = builder.build();
    let Some(_entered) = state.try_enter() else {
        let message = "a jsonnet evaluation is already running on this thread";
        return Err(JsErrorKind::RuntimeError(message.into()).into());
    };
    // go-jsonnet's `--max-stack`: nested calls beyond it are an error.
    let _limit = jrsonnet_evaluator::stack::limit_stack_depth(settings.max_stack);
    let value = run(&state, path, settings)?;
    to_json(
        &value,
        &mut Vec::new(),
        &mut Budget::new(settings.max_elements),
    )
}

fn run(state: &State, path: &Path, settings: &Settings) -> jrsonnet_evaluator::Result<Val> {
    let value = state.import_resolved(Imports::source(path))?;
    // jrsonnet's API takes this map; its interned keys hash by identity, safely.
    #[allow(clippy::mutable_key_type)]
    let tlas: HashMap<IStr, TlaArg> = settings
        .tlas
        .iter()
        .map(|(name, arg)| (name.as_str().into(), tla_arg("tlaCode", name, arg)))
        .collect();
    // jsonnet ignores arguments when the program is not a function.
    apply_tla(&tlas, value)
}

/// A string, or code evaluated lazily (as the jsonnet CLI does) under a
/// name like `<extCode replicas>` that errors show.
fn tla_arg(kind: &str, name: &str, arg: &Arg) -> TlaArg {
    match arg {
        Arg::Str(text) => TlaArg::String(text.as_str().into()),
        Arg::Code(code) => {
            let source: IStr = format!("<{kind} {name}>").into();
            let thunk =
                MemoizedClosureThunk::new((source, IStr::from(code.as_str())), |(source, code)| {
                    with_state(|state| state.evaluate_snippet(source, code))
                });
            TlaArg::Lazy(Thunk::new(thunk))
        }
    }
}

/// The value as JSON: hidden fields left out, object assertions run, whole
/// numbers as integers (so `replicas: 3` prints `3`, not `3.0`).
fn to_json(
    value: &Val,
    path: &mut Vec<Step>,
    budget: &mut Budget,
) -> jrsonnet_evaluator::Result<Value> {
    if path.len() > MAX_DEPTH {
        let start = render(&path[..8]);
        let message =
            format!("the value is nested deeper than {MAX_DEPTH} levels (at `{start}...`)");
        return Err(JsErrorKind::RuntimeError(message.into()).into());
    }
    budget
        .take_values(1)
        .map_err(|error| at_path(error, path))?;
    Ok(match value {
        Val::Null => Value::Null,
        Val::Bool(b) => Value::Bool(*b),
        Val::Str(text) => {
            // Counted before copying: a rope of repeated halves is small
            // in jrsonnet and huge once flattened.
            budget
                .take_bytes(text.len())
                .map_err(|error| at_path(error, path))?;
            let mut out = String::with_capacity(text.len());
            text.chunks(&mut |chunk| out.push_str(chunk));
            Value::String(out)
        }
        Val::Num(number) => number_to_json(number.get()),
        Val::Arr(items) => {
            // Each item takes its share below; refuse before allocating.
            budget
                .check_values(items.len() as usize)
                .map_err(|error| at_path(error, path))?;
            let mut out = Vec::with_capacity(items.len() as usize);
            for (index, item) in items.iter().enumerate() {
                path.push(Step::Index(index));
                let item = item.map_err(|error| at_path(error, path))?;
                out.push(to_json(&item, path, budget)?);
                path.pop();
            }
            Value::Array(out)
        }
        Val::Obj(object) => {
            object
                .run_assertions()
                .map_err(|error| at_path(error, path))?;
            let mut out = Map::new();
            for field in object.fields() {
                path.push(Step::Key(field.to_string()));
                let item = object
                    .get(field.clone())
                    .map_err(|error| at_path(error, path))?
                    .unwrap_or(Val::Null);
                out.insert(field.to_string(), to_json(&item, path, budget)?);
                path.pop();
            }
            Value::Object(out)
        }
        Val::Func(_) => {
            let message = format!(
                "`{}` is a function; functions cannot be output",
                render(path)
            );
            return Err(JsErrorKind::RuntimeError(message.into()).into());
        }
    })
}

/// Records which part of the value was being output when evaluation failed.
fn at_path(mut error: JsError, path: &[Step]) -> JsError {
    error.trace_mut().0.push(StackTraceElement {
        location: None,
        desc: format!("while evaluating `{}` of the program's value", render(path)),
    });
    error
}

fn number_to_json(number: f64) -> Value {
    // i64 covers every whole f64 below 2^63 exactly.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if number.fract() == 0.0 && number.abs() < LIMIT {
        #[allow(clippy::cast_possible_truncation)]
        return Value::from(number as i64);
    }
    Number::from_f64(number).map_or(Value::Null, Value::Number)
}
