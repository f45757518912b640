//! go-yaml v2's plain-scalar resolution (YAML 1.1), used only to decide
//! whether a string must be quoted on output: a string that would read back
//! as a bool, null, number or timestamp is written double-quoted.
//!
//! This is the *output* side. The input side (go-yaml v3, YAML 1.2-ish) lives
//! with the parser and resolves differently (`yes` is a string there).

/// True when go-yaml v2 would write `text` double-quoted rather than plain:
/// `resolve("", text)` is not `!!str`, or `text` looks like a base-60 float.
pub(crate) fn needs_quotes(text: &str) -> bool {
    resolves_to_non_string(text) || is_base60_float(text)
}

/// go-yaml v2 `resolve("", text) != !!str`.
fn resolves_to_non_string(text: &str) -> bool {
    let Some(&first) = text.as_bytes().first() else {
        return true; // "" is null
    };
    match first {
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => {
            in_resolve_map(text)
        }
        b'.' => in_resolve_map(text) || go_parse_float(text),
        b'+' | b'-' | b'0'..=b'9' => in_resolve_map(text) || resolves_as_number_or_time(text),
        _ => false,
    }
}

fn in_resolve_map(text: &str) -> bool {
    matches!(
        text,
        "y" | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "true"
            | "True"
            | "TRUE"
            | "on"
            | "On"
            | "ON"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "false"
            | "False"
            | "FALSE"
            | "off"
            | "Off"
            | "OFF"
            | "~"
            | "null"
            | "Null"
            | "NULL"
            | ".nan"
            | ".NaN"
            | ".NAN"
            | ".inf"
            | ".Inf"
            | ".INF"
            | "+.inf"
            | "+.Inf"
            | "+.INF"
            | "-.inf"
            | "-.Inf"
            | "-.INF"
    )
}

/// The `'D'`/`'S'` branch of v2 `resolve`: timestamp, int, uint, float, binary.
fn resolves_as_number_or_time(text: &str) -> bool {
    if is_timestamp(text) {
        return true;
    }
    let plain: String = text.chars().filter(|&c| c != '_').collect();
    if go_parse_int(&plain) {
        return true;
    }
    if is_yaml_style_float(&plain) && go_parse_float(&plain) {
        return true;
    }
    if let Some(rest) = plain.strip_prefix("0b") {
        return parses_binary(rest, false);
    }
    if let Some(rest) = plain.strip_prefix("-0b") {
        return parses_binary(rest, true);
    }
    false
}

/// Go `strconv.ParseInt(s, 0, 64)` or `ParseUint(s, 0, 64)` succeeds.
fn go_parse_int(text: &str) -> bool {
    let (negative, signed, body) = match text.as_bytes().first() {
        Some(b'-') => (true, true, &text[1..]),
        Some(b'+') => (false, true, &text[1..]),
        _ => (false, false, text),
    };
    let (radix, digits) = if let Some(rest) = strip_prefix_ci(body, "0x") {
        (16, rest)
    } else if let Some(rest) = strip_prefix_ci(body, "0o") {
        (8, rest)
    } else if let Some(rest) = strip_prefix_ci(body, "0b") {
        (2, rest)
    } else if body.len() > 1 && body.starts_with('0') {
        (8, &body[1..])
    } else {
        (10, body)
    };
    let Some(magnitude) = parse_magnitude(digits, radix) else {
        return false;
    };
    if negative {
        magnitude <= 1u128 << 63
    } else if signed {
        magnitude < 1u128 << 63
    } else {
        magnitude <= u128::from(u64::MAX)
    }
}

fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// Digits in `radix`, saturating above u64 range; `None` if empty or invalid.
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

fn parses_binary(digits: &str, negative: bool) -> bool {
    match parse_magnitude(digits, 2) {
        Some(magnitude) if negative => magnitude <= 1u128 << 63,
        Some(magnitude) => magnitude <= u128::from(u64::MAX),
        None => false,
    }
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_style_float(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    if matches!(bytes.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < bytes.len() && bytes[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if bytes.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == bytes.len()
}

/// Go `strconv.ParseFloat(text, 64)` succeeds, for the decimal forms that
/// can reach it here (the callers only pass text starting with `.`, a sign
/// or a digit): syntax valid and no overflow to infinity.
fn go_parse_float(text: &str) -> bool {
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    let lower = body.to_ascii_lowercase();
    if lower == "inf" || lower == "infinity" || lower == "nan" {
        return true;
    }
    if lower.starts_with("0x") {
        return false; // hex floats need a `p` exponent; never reaches here in practice
    }
    if !is_yaml_style_float(body) || body.starts_with(['+', '-']) {
        return false;
    }
    body.parse::<f64>().is_ok_and(f64::is_finite)
}

/// `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`
fn is_base60_float(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    if matches!(bytes.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    if !bytes.get(i).is_some_and(u8::is_ascii_digit) {
        return false;
    }
    while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while bytes.get(i) == Some(&b':') {
        i += 1;
        // `[0-5]?[0-9]`: one digit, or two with the first in 0-5.
        match (bytes.get(i), bytes.get(i + 1)) {
            (Some(b'0'..=b'5'), Some(b'0'..=b'9')) => i += 2,
            (Some(b'0'..=b'9'), _) => i += 1,
            _ => return false,
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'_') {
            i += 1;
        }
    }
    i == bytes.len()
}

/// go-yaml v2 `parseTimestamp`: Go `time.Parse` with the layouts
/// `2006-1-2T15:4:5.999999999Z07:00`, the same with `t`,
/// `2006-1-2 15:4:5.999999999` and `2006-1-2`.
fn is_timestamp(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.len() < 5 || !bytes[..4].iter().all(u8::is_ascii_digit) || bytes[4] != b'-' {
        return false;
    }
    let year = bytes[..4]
        .iter()
        .fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0'));
    let mut rest = &bytes[5..];
    let Some(month) = go_getnum(&mut rest) else {
        return false;
    };
    if !(1..=12).contains(&month) {
        return false;
    }
    let Some(b'-') = rest.first() else {
        return false;
    };
    rest = &rest[1..];
    let Some(day) = go_getnum(&mut rest) else {
        return false;
    };
    let time_ok = match rest.first() {
        None => true,
        Some(b'T' | b't') => parse_clock(&rest[1..], true),
        Some(b' ') => parse_clock(&rest[1..], false),
        Some(_) => false,
    };
    time_ok && day >= 1 && day <= days_in(month, year)
}

/// `15:4:5` with optional fraction, then (`with_zone`) `Z` or `±hh:mm`, then the end.
fn parse_clock(mut rest: &[u8], with_zone: bool) -> bool {
    let limits = [24, 60, 60];
    for (index, limit) in limits.iter().enumerate() {
        if index > 0 {
            let Some(b':') = rest.first() else {
                return false;
            };
            rest = &rest[1..];
        }
        match go_getnum(&mut rest) {
            Some(value) if value < *limit => {}
            _ => return false,
        }
    }
    // Fractional seconds: `.` or `,` and at least one digit, any number of them.
    if rest.len() >= 2 && matches!(rest[0], b'.' | b',') && rest[1].is_ascii_digit() {
        let digits = rest[1..].iter().take_while(|b| b.is_ascii_digit()).count();
        rest = &rest[1 + digits..];
    }
    if !with_zone {
        return rest.is_empty();
    }
    if rest == b"Z" {
        return true;
    }
    if rest.len() != 6 || !matches!(rest[0], b'+' | b'-') || rest[3] != b':' {
        return false;
    }
    let two = |b: &[u8]| {
        (b[0].is_ascii_digit() && b[1].is_ascii_digit())
            .then(|| u32::from(b[0] - b'0') * 10 + u32::from(b[1] - b'0'))
    };
    matches!((two(&rest[1..3]), two(&rest[4..6])), (Some(h), Some(m)) if h <= 24 && m <= 60)
}

/// Go `getnum(s, false)`: one or two digits.
fn go_getnum(rest: &mut &[u8]) -> Option<u32> {
    let first = *rest.first().filter(|b| b.is_ascii_digit())?;
    let mut value = u32::from(first - b'0');
    let mut used = 1;
    if let Some(second) = rest.get(1).filter(|b| b.is_ascii_digit()) {
        value = value * 10 + u32::from(second - b'0');
        used = 2;
    }
    *rest = &rest[used..];
    Some(value)
}

fn days_in(month: u32, year: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows of notes §3.5 (kubectl output): double-quoted vs plain.
    #[test]
    fn quoting_decision_matches_kustomize() {
        let quoted = [
            "yes",
            "no",
            "on",
            "off",
            "y",
            "Y",
            "n",
            "true",
            "True",
            "TRUE",
            "null",
            "Null",
            "~",
            "",
            "1.0",
            "0777",
            "0o777",
            "1e3",
            "1E3",
            "0x1F",
            "123",
            "-1",
            "+1",
            "1_000",
            "1__0",
            ".5",
            "+.5",
            "0b101",
            "-0b1",
            ".inf",
            ".nan",
            "08",
            "2021-01-01",
            "2021-1-1",
            "2021-01-01 10:00:00",
            "1:20",
            "09:00",
            "12:30:45",
        ];
        for text in quoted {
            assert!(needs_quotes(text), "{text:?} should be quoted");
        }
        let plain = [
            "1.2.3",
            "a:b",
            "a,b",
            "-x",
            "?x",
            ".",
            "=",
            "<<",
            "+",
            "0x",
            "1e",
            "1:60",
            "0o8",
            "0b12",
            "inf",
            "NaN",
            "nULL",
            "tRUE",
            "oN",
            "_1",
            "2021-02-30",
            "http://x.y/z?q=1#frag",
            "a#b",
            "a]b",
            "a{b",
            "\\",
            "a'b",
        ];
        for text in plain {
            assert!(!needs_quotes(text), "{text:?} should be plain");
        }
    }
}
