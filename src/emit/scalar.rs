//! What a string allows: libyaml's `analyze_scalar` as go-yaml v2 has it,
//! and the style selection that follows from it.

/// How a scalar is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

/// The result of analysing a scalar's text.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Analysis {
    pub multiline: bool,
    pub block_plain_allowed: bool,
    pub single_quoted_allowed: bool,
    pub block_allowed: bool,
}

/// libyaml `is_printable`: what may appear raw; everything else (C0/C1
/// controls, DEL, BOM, U+FFFE/F, surrogates, all of U+10000 and up) is special.
pub(crate) fn is_printable(c: char) -> bool {
    matches!(c, '\n' | '\u{20}'..='\u{7E}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
        && c != '\u{FEFF}'
}

/// libyaml `is_break`: CR, LF, NEL, LS, PS.
pub(crate) fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn is_blankz(c: char) -> bool {
    is_blank(c) || is_break(c) || c == '\0'
}

/// libyaml `yaml_emitter_analyze_scalar` (block context only: kustomize
/// output never has non-empty flow collections).
pub(crate) fn analyze(text: &str) -> Analysis {
    if text.is_empty() {
        return Analysis {
            multiline: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    if is_boring(text) {
        return Analysis {
            multiline: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: true,
        };
    }
    let mut flags = if text.is_ascii() {
        scan(text.as_bytes(), |&b| char::from(b))
    } else {
        let chars: Vec<char> = text.chars().collect();
        scan(&chars, |&c| c)
    };
    flags.block_indicators |= text.starts_with("---") || text.starts_with("...");
    let Flags {
        block_indicators,
        line_breaks,
        special,
        leading_space,
        leading_break,
        trailing_space,
        trailing_break,
        break_space,
        space_break,
    } = flags;

    let mut analysis = Analysis {
        multiline: line_breaks,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        analysis.block_plain_allowed = false;
    }
    if trailing_space {
        analysis.block_allowed = false;
    }
    if break_space {
        analysis.block_plain_allowed = false;
        analysis.single_quoted_allowed = false;
    }
    if space_break || special {
        analysis.block_plain_allowed = false;
        analysis.single_quoted_allowed = false;
        analysis.block_allowed = false;
    }
    if line_breaks || block_indicators {
        analysis.block_plain_allowed = false;
    }
    analysis
}

/// Fast path for the common case (names, labels, images, paths): ASCII
/// letters, digits and `._/-:=+` only, so no indicator, blank, break or
/// special character can occur except a trailing `:` or a lone `-`.
fn is_boring(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().all(|&b| {
        b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'/' | b'-' | b':' | b'=' | b'+')
    }) && !text.ends_with(':')
        && text != "-"
        && !text.starts_with("---")
        && !text.starts_with("...")
}

/// What one pass over the characters finds (libyaml's local flags).
#[derive(Default)]
struct Flags {
    block_indicators: bool,
    line_breaks: bool,
    special: bool,
    leading_space: bool,
    leading_break: bool,
    trailing_space: bool,
    trailing_break: bool,
    break_space: bool,
    space_break: bool,
}

/// The character loop of `analyze_scalar`, over bytes (ASCII text) or chars.
fn scan<T>(units: &[T], to_char: impl Fn(&T) -> char) -> Flags {
    let mut flags = Flags::default();
    let (mut previous_space, mut previous_break) = (false, false);
    let mut preceded_by_whitespace = true;
    for (i, unit) in units.iter().enumerate() {
        let c = to_char(unit);
        let next = units.get(i + 1).map(&to_char);
        let followed_by_whitespace = next.is_none_or(is_blank);
        let last = next.is_none();
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => flags.block_indicators = true,
                '?' | ':' | '-' if followed_by_whitespace => flags.block_indicators = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_whitespace => flags.block_indicators = true,
                '#' if preceded_by_whitespace => flags.block_indicators = true,
                _ => {}
            }
        }
        if !is_printable(c) {
            flags.special = true;
        }
        if c == ' ' {
            flags.leading_space |= i == 0;
            flags.trailing_space |= last;
            flags.break_space |= previous_break;
            previous_space = true;
            previous_break = false;
        } else if is_break(c) {
            flags.line_breaks = true;
            flags.leading_break |= i == 0;
            flags.trailing_break |= last;
            flags.space_break |= previous_space;
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = is_blankz(c);
    }
    flags
}

/// libyaml `select_scalar_style` for an implicit, untagged scalar in block
/// context.
pub(crate) fn select(
    requested: Style,
    analysis: &Analysis,
    simple_key: bool,
    empty: bool,
) -> Style {
    let mut style = requested;
    if simple_key && analysis.multiline {
        style = Style::Double;
    }
    if style == Style::Plain && (!analysis.block_plain_allowed || (empty && simple_key)) {
        style = Style::Single;
    }
    if style == Style::Single && !analysis.single_quoted_allowed {
        style = Style::Double;
    }
    if style == Style::Literal && (!analysis.block_allowed || simple_key) {
        style = Style::Double;
    }
    style
}
