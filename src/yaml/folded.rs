//! What kyaml's round trip does to folded (`>`) scalars.
//!
//! kustomize keeps a resource as a yaml.Node and turns it into JSON by
//! writing it out with go-yaml v3 (style kept) and decoding that text again.
//! go-yaml's folded-scalar writer decides whether a line break needs doubling
//! by looking at the *first* line of the value instead of the next one
//! (`k := 0` in `yaml_emitter_write_folded_scalar`), so:
//!
//! * if the value's first line starts with a non-blank, a line that is
//!   followed by a more-indented line gains a newline (`a\n b` → `a\n\n b`),
//!   and so does a kept (`>+`) tail;
//! * if it starts with a blank, two normal lines lose one (`b\nc` → `b c`).
//!
//! Values that go-yaml writes double-quoted instead (trailing space, a space
//! before a line break, characters it cannot print in a block) are unchanged.
//! Not modelled: the writer's line wrapping at column 80 inside
//! more-indented lines, which depends on the output indentation.

/// The value after kyaml's round trip, or `None` when it is unchanged.
pub(crate) fn round_trip(value: &str) -> Option<String> {
    if value.is_empty()
        || value.ends_with(' ')
        || value.contains(" \n")
        || !value.chars().all(printable)
    {
        return None;
    }
    let body = value.trim_start_matches('\n');
    let first_is_text = body.chars().next().is_some_and(|c| c != ' ');
    let parts: Vec<&str> = body.split('\n').collect();
    let mut out = String::with_capacity(value.len() + 8);
    out.push_str(&value[..value.len() - body.len()]);
    let mut index = 0;
    while index < parts.len() {
        let line = parts[index];
        out.push_str(line);
        let next = (index + 1..parts.len()).find(|&j| !parts[j].is_empty());
        let end = next.unwrap_or(parts.len() - 1);
        let run = end - index;
        let text_line = !line.is_empty() && !line.starts_with(' ');
        let breaks = match next.map(|j| parts[j].starts_with(' ')) {
            Some(true) if first_is_text && text_line => run + 1,
            Some(false) if !first_is_text && text_line && run == 1 => {
                out.push(' ');
                0
            }
            Some(false) if !first_is_text && text_line => run - 1,
            None if first_is_text && text_line && run >= 2 => run + 1,
            _ => run,
        };
        out.extend(std::iter::repeat_n('\n', breaks));
        index = if next.is_some() { end } else { parts.len() };
    }
    (out != value).then_some(out)
}

/// go-yaml's `is_printable`, plus the line separators it treats as breaks
/// (not modelled, so such values are left alone).
fn printable(c: char) -> bool {
    matches!(c, '\n' | ' '..='~' | '\u{A0}'..='\u{2027}' | '\u{202A}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
        && c != '\u{FEFF}'
}

#[cfg(test)]
mod tests {
    use super::round_trip;

    /// Expected values from kubectl (a resource with these folded scalars).
    #[test]
    fn kubectl_folded_scalars() {
        let table = [
            ("folded\n more\nback\n", "folded\n\n more\nback\n"),
            ("x\n\n", "x\n\n\n"),
            (" lead\nb\nc\n", " lead\nb c\n"),
            ("p\n q\nr\n\n s\nt\n", "p\n\n q\nr\n\n\n s\nt\n"),
            ("one\n\n  two", "one\n\n\n  two"),
            ("x \n y\n", "x \n y\n"),
            ("x\n\n y\n", "x\n\n\n y\n"),
            ("a b\nc\n", "a b\nc\n"),
            ("a\n", "a\n"),
        ];
        for (value, expected) in table {
            assert_eq!(
                round_trip(value).as_deref().unwrap_or(value),
                expected,
                "{value:?}"
            );
        }
    }
}
