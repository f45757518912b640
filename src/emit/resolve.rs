//! go-yaml v2's plain-scalar resolution (YAML 1.1), used only to decide
//! whether a string must be quoted on output: a string that would read back
//! as a bool, null, number or timestamp is written double-quoted.
//!
//! The resolution itself is the parser's go-yaml v2 resolver
//! ([`crate::yaml::is_non_string_yaml11`]); only what the encoder adds
//! (base-60 floats, the plain `<<`) lives here.

/// True when kubectl writes `text` double-quoted rather than plain:
/// go-yaml v2 does not read it as `!!str`, or it looks like a base-60 float.
/// `<<` resolves to the merge key but kubectl prints it plain.
pub(crate) fn needs_quotes(text: &str) -> bool {
    (text != "<<" && crate::yaml::is_non_string_yaml11(text)) || is_base60_float(text)
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
            // kubectl quotes these too; the old copy of the resolver did not.
            "2001-1-1  1:2:3",
            ".5_5",
            "0b-101",
            "0b+1",
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
