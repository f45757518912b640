//! Numbers as kustomize prints them.
//!
//! A number leaves kustomize through Go `encoding/json` and is then re-read by
//! go-yaml v2: a float that JSON writes without a fraction or exponent and
//! that fits an int64 or uint64 comes back as an integer; every other float is
//! printed with Go's `strconv.FormatFloat(f, 'g', -1, 64)`. This module owns
//! both steps; Rust's own float formatting differs from Go's, so the shortest
//! round-trip digits are taken from `{:e}` and laid out Go's way.

use serde_json::Number;

/// Appends `number` as kustomize prints it.
pub(crate) fn write_number(out: &mut String, number: &Number) {
    if let Some(int) = number.as_i64() {
        out.push_str(itoa(int).as_str());
    } else if let Some(uint) = number.as_u64() {
        out.push_str(uint.to_string().as_str());
    } else if let Some(float) = number.as_f64() {
        write_float(out, float);
    }
}

fn itoa(int: i64) -> String {
    int.to_string()
}

/// The shortest decimal digits of a finite, non-zero `|f|` and the position of
/// the decimal point (Go's `decimalSlice`: value = 0.digits × 10^point).
struct Digits {
    digits: String,
    point: i32,
}

fn shortest_digits(float: f64) -> Digits {
    // `{:e}` prints the shortest round-trip digits, e.g. `1.2345675e6`.
    let text = format!("{:e}", float.abs());
    let (mantissa, exponent) = text.split_once('e').unwrap_or((text.as_str(), "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    Digits {
        digits: digits.to_string(),
        point: exponent + 1,
    }
}

/// Appends a float the way it comes out of Go JSON + go-yaml v2.
pub(crate) fn write_float(out: &mut String, float: f64) {
    if !float.is_finite() {
        // JSON cannot carry these; kustomize fails before printing. Keep
        // go-yaml's spelling so the output is at least readable.
        out.push_str(if float.is_nan() {
            ".nan"
        } else if float > 0.0 {
            ".inf"
        } else {
            "-.inf"
        });
        return;
    }
    if float == 0.0 {
        // JSON writes `0` or `-0`, both re-read as the integer 0.
        out.push('0');
        return;
    }
    let digits = shortest_digits(float);
    if let Some(int) = json_integer(float, &digits) {
        out.push_str(&int);
        return;
    }
    format_g(out, float < 0.0, &digits);
}

/// The integer go-yaml v2 reads back when Go JSON writes `float` without a
/// fraction or exponent and the text fits an int64 or uint64.
fn json_integer(float: f64, digits: &Digits) -> Option<String> {
    let abs = float.abs();
    // Go JSON switches to exponent format outside [1e-6, 1e21).
    if !(1e-6..1e21).contains(&abs) {
        return None;
    }
    let nd = digits.digits.len() as i32;
    if digits.point < nd {
        return None; // has a fraction
    }
    let mut text = digits.digits.clone();
    for _ in nd..digits.point {
        text.push('0');
    }
    let magnitude: u128 = text.parse().ok()?;
    let fits = if float < 0.0 {
        magnitude <= 1u128 << 63
    } else {
        magnitude <= u128::from(u64::MAX)
    };
    if !fits {
        return None;
    }
    if float < 0.0 {
        text.insert(0, '-');
    }
    Some(text)
}

/// Go `strconv.FormatFloat(f, 'g', -1, 64)` from the shortest digits.
fn format_g(out: &mut String, negative: bool, digits: &Digits) {
    if negative {
        out.push('-');
    }
    let exponent = digits.point - 1;
    let bytes = digits.digits.as_str();
    if !(-4..6).contains(&exponent) {
        out.push_str(&bytes[..1]);
        if bytes.len() > 1 {
            out.push('.');
            out.push_str(&bytes[1..]);
        }
        out.push('e');
        out.push(if exponent < 0 { '-' } else { '+' });
        let magnitude = exponent.unsigned_abs();
        if magnitude < 10 {
            out.push('0');
        }
        out.push_str(&magnitude.to_string());
    } else if digits.point <= 0 {
        out.push_str("0.");
        for _ in digits.point..0 {
            out.push('0');
        }
        out.push_str(bytes);
    } else {
        let point = digits.point as usize;
        if point >= bytes.len() {
            out.push_str(bytes);
            for _ in bytes.len()..point {
                out.push('0');
            }
        } else {
            out.push_str(&bytes[..point]);
            out.push('.');
            out.push_str(&bytes[point..]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn float(value: f64) -> String {
        let mut out = String::new();
        write_float(&mut out, value);
        out
    }

    /// Expected strings are `kubectl kustomize` output (notes §3.2 and §3.8,
    /// re-checked in /tmp/emit-corpus).
    #[test]
    fn floats_match_kustomize() {
        let cases: &[(f64, &str)] = &[
            (1.0, "1"),
            (1e3, "1000"),
            (-0.0, "0"),
            (1e19, "10000000000000000000"),
            (-1e19, "-1e+19"),
            (1e20, "1e+20"),
            (-9223372036854775809.0, "-9.223372036854776e+18"),
            (1234567.5, "1.2345675e+06"),
            (123456.7, "123456.7"),
            (0.000001, "1e-06"),
            (0.0001, "0.0001"),
            (2.5e-5, "2.5e-05"),
            (6.02e23, "6.02e+23"),
            (5e-324, "5e-324"),
            (1.5, "1.5"),
            (-2.25, "-2.25"),
            (1e21, "1e+21"),
            (1.5e300, "1.5e+300"),
            (0.1, "0.1"),
            (123456789012345678.0, "123456789012345680"),
            (18446744073709551615.0, "1.8446744073709552e+19"),
            (1.2345678901234568e29, "1.2345678901234568e+29"),
        ];
        for (value, expected) in cases {
            assert_eq!(float(*value), *expected, "{value:e}");
        }
    }
}
