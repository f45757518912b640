//! Scalar resolution: what type a YAML scalar has, given its text and tag.
//!
//! Two schemas, because kustomize reads two kinds of file with two libraries:
//! resources with go-yaml v3 ([`Schema::Core`]: only `true`/`false` are
//! booleans, `0o17` and `0777` are octal ints) and kustomization files with
//! go-yaml v2 through sigs.k8s.io/yaml ([`Schema::Yaml11`]: `yes`, `on`, `y`
//! are booleans too). Numbers follow Go's `strconv` exactly, because that is
//! what decides between int, uint, float and string in go-yaml.

use super::timestamp;

/// Which go-yaml resolver to copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Schema {
    /// go-yaml v3 (kyaml): resources, patches.
    Core,
    /// go-yaml v2 (sigs.k8s.io/yaml): kustomization and other config files.
    Yaml11,
}

/// The tag on a scalar, reduced to what resolution cares about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TagKind {
    /// No tag, or the non-specific `!`: resolve from the text.
    None,
    Str,
    Binary,
    Bool,
    Int,
    Float,
    Null,
    Timestamp,
    Merge,
    /// Any other tag (`!custom`, `!!map` on a scalar): the text, as a string.
    Other,
}

impl TagKind {
    fn name(self) -> &'static str {
        match self {
            TagKind::Str | TagKind::None | TagKind::Other => "!!str",
            TagKind::Binary => "!!binary",
            TagKind::Bool => "!!bool",
            TagKind::Int => "!!int",
            TagKind::Float => "!!float",
            TagKind::Null => "!!null",
            TagKind::Timestamp => "!!timestamp",
            TagKind::Merge => "!!merge",
        }
    }
}

/// A resolved scalar. Strings are not copied here: the caller owns the text.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Resolved {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    /// A timestamp, formatted as Go's `time.RFC3339Nano`, or the error Go's
    /// JSON encoder reports for it.
    Timestamp(Result<String, String>),
    /// The plain `<<` merge key.
    Merge,
    Str,
}

impl Resolved {
    fn tag(&self) -> TagKind {
        match self {
            Resolved::Null => TagKind::Null,
            Resolved::Bool(_) => TagKind::Bool,
            Resolved::Int(_) | Resolved::Uint(_) => TagKind::Int,
            Resolved::Float(_) => TagKind::Float,
            Resolved::Timestamp(_) => TagKind::Timestamp,
            Resolved::Merge => TagKind::Merge,
            Resolved::Str => TagKind::Str,
        }
    }
}

/// Resolves a plain scalar (or a tagged one of any style) as go-yaml's
/// `resolve(tag, in)` does, including its check that an explicit tag fits.
pub(crate) fn resolve(schema: Schema, tag: TagKind, text: &str) -> Result<Resolved, String> {
    let resolved = match tag {
        TagKind::Str | TagKind::Binary | TagKind::Other => return Ok(Resolved::Str),
        _ => resolve_untyped(schema, tag, text),
    };
    match (tag, &resolved) {
        (TagKind::None, _) => Ok(resolved),
        (TagKind::Float, Resolved::Int(v)) => Ok(Resolved::Float(*v as f64)),
        (expected, found) if expected == found.tag() => Ok(resolved),
        (expected, found) => Err(format!(
            "cannot decode {} `{}` as a {}",
            found.tag().name(),
            text,
            expected.name()
        )),
    }
}

/// Whether go-yaml v2 reads the plain scalar `text` as anything but a
/// string (`resolve("", text) != !!str`). The emitter quotes such strings.
pub(crate) fn is_non_string_yaml11(text: &str) -> bool {
    !matches!(
        resolve(Schema::Yaml11, TagKind::None, text),
        Ok(Resolved::Str)
    )
}

fn resolve_untyped(schema: Schema, tag: TagKind, text: &str) -> Resolved {
    if let Some(known) = resolve_word(schema, text) {
        return known;
    }
    match text.as_bytes().first() {
        Some(b'.') => parse_go_float(text).map_or(Resolved::Str, Resolved::Float),
        Some(b'0'..=b'9') | Some(b'+') | Some(b'-') => resolve_number(schema, tag, text),
        _ => Resolved::Str,
    }
}

/// The fixed words: nulls, booleans, infinities, NaN and the merge key.
fn resolve_word(schema: Schema, text: &str) -> Option<Resolved> {
    let resolved = match text {
        "" | "~" | "null" | "Null" | "NULL" => Resolved::Null,
        "true" | "True" | "TRUE" => Resolved::Bool(true),
        "false" | "False" | "FALSE" => Resolved::Bool(false),
        ".nan" | ".NaN" | ".NAN" => Resolved::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Resolved::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Resolved::Float(f64::NEG_INFINITY),
        "<<" => Resolved::Merge,
        _ if schema == Schema::Yaml11 => match text {
            "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Resolved::Bool(true),
            "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Resolved::Bool(false),
            _ => return None,
        },
        _ => return None,
    };
    Some(resolved)
}

/// Ints, floats and timestamps: the `'D'`/`'S'` branch of go-yaml's resolver.
fn resolve_number(schema: Schema, tag: TagKind, text: &str) -> Resolved {
    if matches!(tag, TagKind::None | TagKind::Timestamp) {
        if let Some(stamp) = timestamp::parse(text) {
            return Resolved::Timestamp(stamp);
        }
    }
    let plain = text.replace('_', "");
    if let Some(int) = parse_go_int(&plain) {
        return int;
    }
    if is_yaml_float(&plain) {
        if let Some(float) = parse_decimal_float(&plain) {
            return Resolved::Float(float);
        }
    }
    // go-yaml's own binary (and, in v3, `0o`) prefixes: after the above only
    // odd spellings such as `0b-101` reach these.
    let explicit = [
        ("0b", 2, false),
        ("-0b", 2, true),
        ("0o", 8, false),
        ("-0o", 8, true),
    ];
    for (prefix, radix, negative) in explicit {
        if radix == 8 && schema == Schema::Yaml11 {
            continue;
        }
        if let Some(rest) = plain.strip_prefix(prefix) {
            let digits = if negative {
                format!("-{rest}")
            } else {
                rest.to_string()
            };
            return parse_radix(&digits, radix).unwrap_or(Resolved::Str);
        }
    }
    Resolved::Str
}

/// Go `strconv.ParseInt(s, 0, 64)`, then `ParseUint(s, 0, 64)`.
fn parse_go_int(s: &str) -> Option<Resolved> {
    let (negative, unsigned) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) = split_base_prefix(unsigned);
    let magnitude = parse_magnitude(digits, radix)?;
    if let Some(value) = signed(negative, magnitude) {
        return Some(Resolved::Int(value));
    }
    // ParseUint takes no sign at all, not even `+`.
    let has_sign = s.len() != unsigned.len();
    let unsigned_value = u64::try_from(magnitude).ok().filter(|_| !has_sign)?;
    Some(Resolved::Uint(unsigned_value))
}

/// Go `ParseInt(s, radix, 64)` then `ParseUint`, for go-yaml's explicit prefixes.
fn parse_radix(s: &str, radix: u32) -> Option<Resolved> {
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let magnitude = parse_magnitude(digits, radix)?;
    if let Some(value) = signed(negative, magnitude) {
        return Some(Resolved::Int(value));
    }
    let has_sign = s.len() != digits.len();
    u64::try_from(magnitude)
        .ok()
        .filter(|_| !has_sign)
        .map(Resolved::Uint)
}

fn signed(negative: bool, magnitude: u128) -> Option<i64> {
    let value = i128::try_from(magnitude).ok()?;
    i64::try_from(if negative { -value } else { value }).ok()
}

/// Base-0 prefixes as Go reads them: `0x`, `0b`, `0o`, and a bare leading `0` (octal).
fn split_base_prefix(s: &str) -> (u32, &str) {
    let bytes = s.as_bytes();
    if bytes.len() >= 2 && bytes[0] == b'0' {
        match bytes[1].to_ascii_lowercase() {
            b'x' => return (16, &s[2..]),
            b'b' => return (2, &s[2..]),
            b'o' => return (8, &s[2..]),
            _ => return (8, &s[1..]),
        }
    }
    (10, s)
}

/// Digits in `radix`, saturating well above `u64::MAX` (overflow is a range error either way).
fn parse_magnitude(digits: &str, radix: u32) -> Option<u128> {
    if digits.is_empty() {
        return None;
    }
    let mut value: u128 = 0;
    for c in digits.chars() {
        let digit = c.to_digit(radix)?;
        value = (value * u128::from(radix) + u128::from(digit)).min(u128::from(u64::MAX) + 1);
    }
    Some(value)
}

/// go-yaml's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(s: &str) -> bool {
    let bytes = s.as_bytes();
    let mut i = usize::from(matches!(bytes.first(), Some(b'+' | b'-')));
    let digits_from = |i: usize| bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    if bytes.get(i) == Some(&b'.') {
        let n = digits_from(i + 1);
        if n == 0 {
            return false;
        }
        i += 1 + n;
    } else {
        let n = digits_from(i);
        if n == 0 {
            return false;
        }
        i += n;
        if bytes.get(i) == Some(&b'.') {
            i += 1 + digits_from(i + 1);
        }
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let n = digits_from(i);
        if n == 0 {
            return false;
        }
        i += n;
    }
    i == bytes.len()
}

/// A decimal float already known to be well formed; `None` when Go would
/// report a range error (the value overflows to infinity).
fn parse_decimal_float(s: &str) -> Option<f64> {
    let value: f64 = s.parse().ok()?;
    value.is_finite().then_some(value)
}

/// Go `strconv.ParseFloat(s, 64)` for text starting with `.`: decimal digits,
/// an optional exponent, and `_` only between digits.
fn parse_go_float(s: &str) -> Option<f64> {
    let bytes = s.as_bytes();
    let mut previous_digit = false;
    let mut seen_underscore = false;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'_' {
            let next_digit = bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
            if !previous_digit || !next_digit {
                return None;
            }
            seen_underscore = true;
        }
        previous_digit = b.is_ascii_digit();
    }
    let plain = if seen_underscore {
        s.replace('_', "")
    } else {
        s.to_string()
    };
    if !is_yaml_float(&plain) {
        return None;
    }
    parse_decimal_float(&plain)
}

/// Go `strconv.FormatFloat(f, 'g', -1, 32)`: how sigs.k8s.io/yaml turns a
/// float map key into a string.
pub(crate) fn format_float32_key(value: f64) -> String {
    #[allow(clippy::cast_possible_truncation)] // Go converts to float32 here too.
    let single = value as f32;
    if single.is_nan() {
        return ".nan".into();
    }
    if single.is_infinite() {
        return if single > 0.0 { ".inf" } else { "-.inf" }.into();
    }
    // Rust's `{:e}` gives the shortest round-trip digits, like Go's shortest mode.
    let scientific = format!("{single:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if negative { "-" } else { "" };
    if single == 0.0 {
        return format!("{sign}0");
    }
    if !(-4..6).contains(&exponent) {
        let rest = if digits.len() > 1 {
            format!(".{}", &digits[1..])
        } else {
            String::new()
        };
        let exp_sign = if exponent < 0 { '-' } else { '+' };
        return format!(
            "{sign}{}{rest}e{exp_sign}{:02}",
            &digits[..1],
            exponent.abs()
        );
    }
    let point = exponent + 1;
    if point <= 0 {
        let zeros = "0".repeat(usize::try_from(-point).unwrap_or(0));
        return format!("{sign}0.{zeros}{digits}");
    }
    let point = usize::try_from(point).unwrap_or(0);
    if digits.len() <= point {
        format!("{sign}{digits}{}", "0".repeat(point - digits.len()))
    } else {
        format!("{sign}{}.{}", &digits[..point], &digits[point..])
    }
}
