//! How much a jsonnet program may make (`--jsonnet-max-elements`).
//!
//! A few lines of jsonnet can ask for more memory than the machine has:
//! `std.makeArray(1e9, f)` allocates a billion slots before calling `f`
//! once. The `std` functions that build an array or a string of a size the
//! program chooses are wrapped here so that an oversized request is an
//! error before anything is allocated, and [`Budget`] bounds the value the
//! program outputs while it is converted. The wrappers check and then call
//! jrsonnet's own builtin, so results are unchanged below the limit.

use std::any::Any;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use jrsonnet_evaluator::error::ErrorKind as JsErrorKind;
use jrsonnet_evaluator::function::builtin::Builtin;
use jrsonnet_evaluator::function::{CallLocation, FunctionSignature};
use jrsonnet_evaluator::trace::PathResolver;
use jrsonnet_evaluator::{
    Error as JsError, IStr, InitialContextBuilder, ObjValue, ObjValueBuilder, Source, Thunk, Val,
};
use jrsonnet_gcmodule::{trace_acyclic, Cc, Trace};
use jrsonnet_stdlib::{
    builtin_join, builtin_make_array, builtin_range, builtin_repeat, stdlib_uncached, Settings,
    TracePrinter,
};

/// The output may hold this many times the limit in string bytes (strings
/// of CRD descriptions and dashboards add up to more than their count).
const OUTPUT_BYTES_PER_ELEMENT: usize = 10;

/// The `std` object of every file: jrsonnet's standard library with the
/// size-checked functions on top and `std.thisFile`.
#[derive(Trace)]
pub(super) struct Stdlib {
    std: ObjValue,
}

impl Stdlib {
    // jrsonnet's API takes this map; its interned keys hash by identity, safely.
    #[allow(clippy::mutable_key_type)]
    pub(super) fn new(
        ext_vars: HashMap<IStr, jrsonnet_evaluator::tla::TlaArg>,
        limit: usize,
    ) -> Self {
        let settings = Settings {
            ext_vars,
            ext_natives: HashMap::new(),
            trace_printer: Rc::new(Silent),
            path_resolver: PathResolver::Absolute,
        };
        let base = stdlib_uncached(Cc::new(RefCell::new(settings)));
        let mut std = ObjValueBuilder::new();
        std.with_super(base);
        for function in [Grows::MakeArray, Grows::Range, Grows::Repeat, Grows::Join] {
            std.method(function.name(), Bounded { function, limit });
        }
        Stdlib { std: std.build() }
    }
}

impl jrsonnet_evaluator::ContextInitializer for Stdlib {
    fn populate(&self, source: Source, builder: &mut InitialContextBuilder) {
        let mut std = ObjValueBuilder::new();
        std.with_super(self.std.clone());
        let path = source.source_path();
        let this_file = path
            .path()
            .map_or_else(|| path.to_string(), |p| PathResolver::Absolute.resolve(p));
        std.field("thisFile").hide().value(this_file);
        builder.bind("std", Thunk::evaluated(Val::Obj(std.build())));
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The library never prints; `std.trace` messages are dropped.
struct Silent;

trace_acyclic!(Silent);

impl TracePrinter for Silent {
    fn print_trace(&self, _location: CallLocation, _value: IStr) {}
}

/// The `std` functions whose result size the caller chooses.
#[derive(Clone, Copy)]
enum Grows {
    MakeArray,
    Range,
    Repeat,
    Join,
}

impl Grows {
    fn name(self) -> &'static str {
        match self {
            Grows::MakeArray => "makeArray",
            Grows::Range => "range",
            Grows::Repeat => "repeat",
            Grows::Join => "join",
        }
    }

    fn inner(self) -> Box<dyn Builtin> {
        match self {
            Grows::MakeArray => Box::new(builtin_make_array {}),
            Grows::Range => Box::new(builtin_range {}),
            Grows::Repeat => Box::new(builtin_repeat {}),
            Grows::Join => Box::new(builtin_join {}),
        }
    }

    /// The size of the result (elements, or bytes for strings), when the
    /// arguments are what the function takes; otherwise `None`, and
    /// jrsonnet's builtin reports the wrong arguments itself.
    fn result_size(self, args: &[Option<Thunk<Val>>]) -> Option<(f64, &'static str)> {
        let arg = |index: usize| -> Option<Val> { args.get(index)?.as_ref()?.evaluate().ok() };
        match self {
            Grows::MakeArray => Some((number(&arg(0)?)?, "elements")),
            Grows::Range => {
                let (from, to) = (number(&arg(0)?)?, number(&arg(1)?)?);
                Some(((to - from + 1.0).max(0.0), "elements"))
            }
            Grows::Repeat => {
                let count = number(&arg(1)?)?;
                match arg(0)? {
                    Val::Str(text) => Some((text.len() as f64 * count, "bytes")),
                    Val::Arr(items) => Some((f64::from(items.len()) * count, "elements")),
                    _ => None,
                }
            }
            Grows::Join => join_size(&arg(0)?, &arg(1)?),
        }
    }
}

/// `std.join(sep, items)`: the items' lengths and a separator between each
/// two non-null items (the items are evaluated anyway by the join).
fn join_size(separator: &Val, items: &Val) -> Option<(f64, &'static str)> {
    let Val::Arr(items) = items else { return None };
    let (separator, unit) = match separator {
        Val::Str(text) => (text.len() as f64, "bytes"),
        Val::Arr(parts) => (f64::from(parts.len()), "elements"),
        _ => return None,
    };
    let (mut total, mut joined) = (0.0_f64, 0.0_f64);
    for item in items.iter() {
        let length = match item.ok()? {
            Val::Null => continue,
            Val::Str(text) => text.len() as f64,
            Val::Arr(parts) => f64::from(parts.len()),
            _ => return None,
        };
        total += length;
        joined += 1.0;
    }
    Some((total + separator * (joined - 1.0).max(0.0), unit))
}

fn number(value: &Val) -> Option<f64> {
    match value {
        Val::Num(number) => Some(number.get()),
        _ => None,
    }
}

/// A `std` function that refuses results larger than `limit`.
struct Bounded {
    function: Grows,
    limit: usize,
}

trace_acyclic!(Bounded);

impl Builtin for Bounded {
    fn name(&self) -> &str {
        self.function.name()
    }

    fn params(&self) -> FunctionSignature {
        self.function.inner().params()
    }

    fn call(
        &self,
        location: CallLocation<'_>,
        args: &[Option<Thunk<Val>>],
    ) -> Result<Val, JsError> {
        if let Some((size, unit)) = self.function.result_size(args) {
            #[allow(clippy::cast_precision_loss)]
            if size > self.limit as f64 {
                let message = format!(
                    "std.{}: the result would have {size:.0} {unit}, more than the limit of {} \
                     (--jsonnet-max-elements)",
                    self.function.name(),
                    self.limit
                );
                return Err(JsErrorKind::RuntimeError(message.into()).into());
            }
        }
        self.function.inner().call(location, args)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// What the rest of the output may still hold: values (each scalar, array
/// item and object field) and bytes of strings.
pub(super) struct Budget {
    limit: usize,
    values: usize,
    bytes: usize,
}

impl Budget {
    pub(super) fn new(limit: usize) -> Self {
        Budget {
            limit,
            values: limit,
            bytes: limit.saturating_mul(OUTPUT_BYTES_PER_ELEMENT),
        }
    }

    /// Fails when fewer than `count` values are left.
    pub(super) fn check_values(&self, count: usize) -> Result<(), JsError> {
        if count > self.values {
            return Err(self.exceeded(format!("more than {} values", self.limit)));
        }
        Ok(())
    }

    /// Takes `count` values.
    pub(super) fn take_values(&mut self, count: usize) -> Result<(), JsError> {
        match self.values.checked_sub(count) {
            Some(left) => {
                self.values = left;
                Ok(())
            }
            None => Err(self.exceeded(format!("more than {} values", self.limit))),
        }
    }

    /// Takes `count` bytes of strings, before they are copied.
    pub(super) fn take_bytes(&mut self, count: usize) -> Result<(), JsError> {
        match self.bytes.checked_sub(count) {
            Some(left) => {
                self.bytes = left;
                Ok(())
            }
            None => {
                let total = self.limit.saturating_mul(OUTPUT_BYTES_PER_ELEMENT);
                Err(self.exceeded(format!("more than {total} bytes of strings")))
            }
        }
    }

    fn exceeded(&self, what: String) -> JsError {
        let message = format!(
            "the program's value holds {what}, beyond --jsonnet-max-elements {} \
             ({OUTPUT_BYTES_PER_ELEMENT} bytes of strings per element)",
            self.limit
        );
        JsErrorKind::RuntimeError(message.into()).into()
    }
}
