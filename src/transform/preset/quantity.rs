//! Kubernetes resource quantities (`100m`, `1.5Gi`, `2e3`): the grammar
//! of apimachinery's `resource.Quantity`, checked so that a preset cannot
//! inject a value the API server rejects.
//!
//! ```text
//! quantity ::= sign? number suffix
//! number   ::= digits | digits "." digits? | "." digits
//! suffix   ::= "" | binary | decimal | ("e" | "E") sign? digits
//! binary   ::= Ki | Mi | Gi | Ti | Pi | Ei
//! decimal  ::= n | u | m | k | M | G | T | P | E
//! ```

/// Why a text is not a quantity a container's requests or limits may hold.
pub fn check(text: &str) -> Result<(), String> {
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        Some(_) => (false, text),
        None => return Err("an empty quantity".into()),
    };
    let number_end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    let (number, suffix) = rest.split_at(number_end);
    let (whole, fraction) = match number.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (number, None),
    };
    let valid_number = match fraction {
        // `1.`, `.5` and `1.5` are numbers; `.`, `1.2.3` are not.
        Some(fraction) => {
            !(whole.is_empty() && fraction.is_empty())
                && fraction.bytes().all(|b| b.is_ascii_digit())
        }
        None => !whole.is_empty(),
    };
    if !valid_number {
        return Err(format!("`{number}` is not a number"));
    }
    if !valid_suffix(suffix) {
        return Err(format!(
            "unknown suffix `{suffix}` (binary: Ki Mi Gi Ti Pi Ei; decimal: m k M G T P E; or an exponent like e3)"
        ));
    }
    let zero = number.bytes().all(|b| b == b'0' || b == b'.');
    if negative && !zero {
        return Err("requests and limits may not be negative".into());
    }
    Ok(())
}

fn valid_suffix(suffix: &str) -> bool {
    match suffix {
        "" | "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei" => true,
        "n" | "u" | "m" | "k" | "M" | "G" | "T" | "P" | "E" => true,
        _ => {
            let Some(exponent) = suffix.strip_prefix(['e', 'E']) else {
                return false;
            };
            let digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
            !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn accepts_what_kubernetes_accepts() {
        for text in [
            "1", "0", "100m", "0.5", "1.", ".5", "+2", "1.5Gi", "256Mi", "2e3", "1E-2", "4k", "-0",
            "10n", "3u",
        ] {
            assert_eq!(check(text), Ok(()), "{text}");
        }
    }

    #[test]
    fn refuses_the_rest_with_a_reason() {
        for (text, reason) in [
            ("100mi", "unknown suffix `mi`"),
            ("1.5.3", "`1.5.3` is not a number"),
            ("-1", "may not be negative"),
            ("-0.5Gi", "may not be negative"),
            ("", "empty"),
            ("Gi", "`` is not a number"),
            (".", "`.` is not a number"),
            ("1 Gi", "unknown suffix ` Gi`"),
            ("1e", "unknown suffix `e`"),
            ("1KB", "unknown suffix `KB`"),
        ] {
            let error = check(text).expect_err(text);
            assert!(error.contains(reason), "{text}: {error}");
        }
    }
}
