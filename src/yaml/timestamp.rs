//! Timestamps as go-yaml v3 reads them: Go `time.Parse` with four layouts,
//! then Go's `time.RFC3339Nano` (that is how the value reaches the output,
//! through `encoding/json`).
//!
//! Layouts tried, in order: `2006-1-2T15:4:5.999999999Z07:00`, the same with
//! a lower-case `t`, `2006-1-2 15:4:5.999999999` and `2006-1-2`.

/// A parsed timestamp; the zone offset is in seconds east of UTC.
struct Stamp {
    year: u32,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    nanos: u32,
    offset: i32,
}

/// Returns the RFC3339Nano form of `text` if it is a go-yaml timestamp, or
/// the error Go's `Time.MarshalJSON` gives for a zone offset of 24 hours or more.
pub(crate) fn parse(text: &str) -> Option<Result<String, String>> {
    // go-yaml's quick check: exactly four digits, then `-`.
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    if digits != 4 || text.as_bytes().get(4) != Some(&b'-') {
        return None;
    }
    let stamp = parse_with(text, Some(b'T'))
        .or_else(|| parse_with(text, Some(b't')))
        .or_else(|| parse_with(text, Some(b' ')))
        .or_else(|| parse_with(text, None))?;
    if stamp.offset.abs() >= 24 * 3600 {
        return Some(Err(format!(
            "timestamp `{text}`: Time.MarshalJSON: timezone hour outside of range [0,23]"
        )));
    }
    Some(Ok(format_rfc3339_nano(&stamp)))
}

/// One layout: `separator` is `T`, `t` (with a zone), ` ` (no zone) or none (date only).
fn parse_with(text: &str, separator: Option<u8>) -> Option<Stamp> {
    let mut rest = text.as_bytes();
    let year = u32::from(rest[0] - b'0') * 1000
        + u32::from(rest[1] - b'0') * 100
        + u32::from(rest[2] - b'0') * 10
        + u32::from(rest[3] - b'0');
    rest = &rest[4..];
    rest = literal(rest, b'-')?;
    let month = number(&mut rest)?;
    rest = literal(rest, b'-')?;
    let day = number(&mut rest)?;
    let mut stamp = Stamp {
        year,
        month,
        day,
        hour: 0,
        minute: 0,
        second: 0,
        nanos: 0,
        offset: 0,
    };
    if let Some(separator) = separator {
        rest = if separator == b' ' {
            spaces(rest)?
        } else {
            literal(rest, separator)?
        };
        rest = clock(rest, &mut stamp)?;
        if separator != b' ' {
            rest = zone(rest, &mut stamp.offset)?;
        }
    }
    let valid = rest.is_empty()
        && (1..=12).contains(&stamp.month)
        && stamp.day >= 1
        && stamp.day <= days_in(stamp.month, stamp.year)
        && stamp.hour < 24
        && stamp.minute < 60
        && stamp.second < 60;
    valid.then_some(stamp)
}

/// `15:4:5` and an optional fraction (Go accepts `.` or `,` and any number of digits).
fn clock<'a>(mut rest: &'a [u8], stamp: &mut Stamp) -> Option<&'a [u8]> {
    stamp.hour = number(&mut rest)?;
    rest = literal(rest, b':')?;
    stamp.minute = number(&mut rest)?;
    rest = literal(rest, b':')?;
    stamp.second = number(&mut rest)?;
    if rest.len() >= 2 && matches!(rest[0], b'.' | b',') && rest[1].is_ascii_digit() {
        let count = rest[1..].iter().take_while(|b| b.is_ascii_digit()).count();
        let mut nanos = 0;
        // Go keeps nine digits and drops the rest (no rounding).
        for position in 0..9 {
            let digit = rest.get(1 + position).filter(|_| position < count);
            nanos = nanos * 10 + digit.map_or(0, |d| u32::from(d - b'0'));
        }
        stamp.nanos = nanos;
        rest = &rest[1 + count..];
    }
    Some(rest)
}

/// `Z07:00`: `Z`, or a sign, two hour digits, `:`, two minute digits.
fn zone<'a>(rest: &'a [u8], offset: &mut i32) -> Option<&'a [u8]> {
    if rest.first() == Some(&b'Z') {
        return Some(&rest[1..]);
    }
    if rest.len() < 6 || rest[3] != b':' {
        return None;
    }
    let two = |a: u8, b: u8| {
        (a.is_ascii_digit() && b.is_ascii_digit())
            .then(|| i32::from(a - b'0') * 10 + i32::from(b - b'0'))
    };
    let hours = two(rest[1], rest[2])?;
    let minutes = two(rest[4], rest[5])?;
    if hours > 24 || minutes > 60 {
        return None;
    }
    let seconds = (hours * 60 + minutes) * 60;
    *offset = match rest[0] {
        b'+' => seconds,
        b'-' => -seconds,
        _ => return None,
    };
    Some(&rest[6..])
}

/// Go's `getnum(s, false)`: one or two digits.
fn number(rest: &mut &[u8]) -> Option<u32> {
    let first = rest.first().filter(|b| b.is_ascii_digit())?;
    let mut value = u32::from(first - b'0');
    let mut used = 1;
    if let Some(second) = rest.get(1).filter(|b| b.is_ascii_digit()) {
        value = value * 10 + u32::from(second - b'0');
        used = 2;
    }
    *rest = &rest[used..];
    Some(value)
}

fn literal(rest: &[u8], expected: u8) -> Option<&[u8]> {
    (rest.first() == Some(&expected)).then(|| &rest[1..])
}

/// A space in a Go layout matches one or more spaces.
fn spaces(rest: &[u8]) -> Option<&[u8]> {
    let count = rest.iter().take_while(|&&b| b == b' ').count();
    (count > 0).then(|| &rest[count..])
}

fn days_in(month: u32, year: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Go `time.RFC3339Nano`: trailing zeros of the fraction dropped, `Z` for a zero offset.
fn format_rfc3339_nano(stamp: &Stamp) -> String {
    let mut out = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second
    );
    if stamp.nanos != 0 {
        let fraction = format!("{:09}", stamp.nanos);
        out.push('.');
        out.push_str(fraction.trim_end_matches('0'));
    }
    if stamp.offset == 0 {
        out.push('Z');
    } else {
        let minutes = stamp.offset.abs() / 60;
        let sign = if stamp.offset < 0 { '-' } else { '+' };
        out.push_str(&format!("{sign}{:02}:{:02}", minutes / 60, minutes % 60));
    }
    out
}
