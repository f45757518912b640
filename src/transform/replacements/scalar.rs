//! YAML scalar typing as kustomize's output pass sees it: a scalar's type
//! tag, go-yaml v3's resolution of plain text, and decoding text under an
//! explicit tag.

use serde_json::{Number, Value};

use crate::error::{Error, Result};

/// The YAML core types a JSON scalar can have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Tag {
    Str,
    Int,
    Float,
    Bool,
    Null,
    /// Only ever resolved from text, never a JSON value's own type.
    Timestamp,
}

impl Tag {
    pub(super) fn name(self) -> &'static str {
        match self {
            Tag::Str => "!!str",
            Tag::Int => "!!int",
            Tag::Float => "!!float",
            Tag::Bool => "!!bool",
            Tag::Null => "!!null",
            Tag::Timestamp => "!!timestamp",
        }
    }

    pub(super) fn of(value: &Value) -> Option<Tag> {
        match value {
            Value::String(_) => Some(Tag::Str),
            Value::Number(n) if n.is_f64() => Some(Tag::Float),
            Value::Number(_) => Some(Tag::Int),
            Value::Bool(_) => Some(Tag::Bool),
            Value::Null => Some(Tag::Null),
            _ => None,
        }
    }
}

/// The value YAML gives `text` under an explicit `tag`, as go-yaml v3
/// decodes what kustomize writes: an error when the text is not of that type.
pub(super) fn decode(tag: Tag, text: &str) -> Result<Value> {
    if tag == Tag::Str {
        return Ok(Value::String(text.to_string()));
    }
    let (resolved, value) = resolve_plain(text)?;
    match (tag, resolved) {
        _ if tag == resolved => Ok(value),
        // go-yaml widens to float64, which kustomize's JSON pass prints
        // without a fraction; the integer prints the same.
        (Tag::Float, Tag::Int) => Ok(value),
        _ => Err(Error::msg(format!(
            "cannot decode {} `{text}` as a {}",
            resolved.name(),
            tag.name()
        ))),
    }
}

/// What an unquoted YAML scalar means under go-yaml v3's resolver, as
/// kustomize's JSON pass then sees it: dates become RFC 3339 strings, and
/// infinities and NaN are errors (JSON has no such numbers).
pub(super) fn resolve_plain(text: &str) -> Result<(Tag, Value)> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Ok((Tag::Null, Value::Null)),
        "true" | "True" | "TRUE" => return Ok((Tag::Bool, Value::Bool(true))),
        "false" | "False" | "FALSE" => return Ok((Tag::Bool, Value::Bool(false))),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Err(Error::msg("json: unsupported value: +Inf"))
        }
        "-.inf" | "-.Inf" | "-.INF" => return Err(Error::msg("json: unsupported value: -Inf")),
        ".nan" | ".NaN" | ".NAN" => return Err(Error::msg("json: unsupported value: NaN")),
        _ => {}
    }
    // Numbers and dates are only tried for text that starts like one.
    if !text.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '+' | '-' | '.')) {
        return Ok((Tag::Str, Value::String(text.to_string())));
    }
    if let Some(date) = yaml_date(text) {
        return Ok((Tag::Timestamp, Value::String(date)));
    }
    let plain = text.replace('_', "");
    if let Some(n) = parse_go_int(&plain) {
        return Ok((Tag::Int, Value::Number(n)));
    }
    if is_yaml_float(&plain) {
        if let Some(n) = plain.parse::<f64>().ok().and_then(Number::from_f64) {
            return Ok((Tag::Float, Value::Number(n)));
        }
    }
    Ok((Tag::Str, Value::String(text.to_string())))
}

/// A date-only YAML timestamp (`2001-12-14`, `2001-1-2`) as Go's JSON
/// prints the time it decodes to (`2001-12-14T00:00:00Z`). Timestamps with
/// a time of day are left as strings.
fn yaml_date(text: &str) -> Option<String> {
    let mut parts = text.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |s: &str, min: usize, max: usize| {
        (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    if parts.next().is_some() || !digits(year, 4, 4) || !digits(month, 1, 2) || !digits(day, 1, 2) {
        return None;
    }
    let (y, m, d): (u32, u32, u32) = (year.parse().ok()?, month.parse().ok()?, day.parse().ok()?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days)
        .contains(&d)
        .then(|| format!("{y:04}-{m:02}-{d:02}T00:00:00Z"))
}

/// Go's `strconv.ParseInt(s, 0, 64)` then `ParseUint`: sign, then `0x`,
/// `0o`, `0b` or a leading `0` (octal) prefix.
fn parse_go_int(text: &str) -> Option<Number> {
    let (negative, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    if negative {
        let value = i64::try_from(magnitude)
            .ok()
            .map(|m| -m)
            .or((magnitude == 1u64 << 63).then_some(i64::MIN))?;
        Some(Number::from(value))
    } else {
        Some(Number::from(magnitude))
    }
}

/// go-yaml's `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => digits(frac),
        Some((int, frac)) => digits(int) && (frac.is_empty() || digits(frac)),
        None => digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn created_fields_read_text_as_plain_yaml() {
        // kubectl: strings copied into created fields, as its JSON pass saw them.
        let cases: Vec<(&str, Value)> = vec![
            ("010", json!(8)),
            ("1_000", json!(1000)),
            ("0x1F", json!(31)),
            ("0o17", json!(15)),
            ("+5", json!(5)),
            ("1e3", json!(1000.0)),
            (".5", json!(0.5)),
            ("2001-12-14", json!("2001-12-14T00:00:00Z")),
            ("0b101", json!(5)),
            ("-0", json!(0)),
            ("yes", json!("yes")),
            ("~", Value::Null),
            ("1.", json!(1.0)),
            ("9223372036854775808", json!(9223372036854775808u64)),
            ("-9223372036854775808", json!(i64::MIN)),
            ("0.0", json!(0.0)),
            ("1e400", json!("1e400")),
        ];
        for (text, expected) in cases {
            assert_eq!(resolve_plain(text).unwrap().1, expected, "{text}");
        }
        // kubectl: "json: unsupported value: +Inf".
        assert!(resolve_plain(".inf").is_err());
    }
}
