//! The go-yaml v2 (libyaml) block emitter, specialised to JSON-shaped values.
//!
//! Only what kustomize output can contain is here: block mappings and
//! sequences, `{}` / `[]` for empty ones, and scalars in plain, single-quoted,
//! double-quoted or literal style. The column, indent, `whitespace` and
//! `indention` bookkeeping follows libyaml exactly, because line folding at
//! 80 columns and the placement of line breaks depend on it.

use std::borrow::Cow;

use serde_json::Value;

use super::keys::sort_entries;
use super::number::write_number;
use super::resolve::needs_quotes;
use super::scalar::{analyze, is_break, is_printable, select, Style};

const BEST_INDENT: i32 = 2;
const BEST_WIDTH: usize = 80;
/// Longest key (in bytes) written as a simple `key:`.
const MAX_SIMPLE_KEY: usize = 128;

/// Where a node sits, as libyaml's emit_node flags.
#[derive(Clone, Copy, Default)]
struct Context {
    mapping: bool,
    simple_key: bool,
}

pub(crate) struct Emitter<'o> {
    out: &'o mut String,
    column: usize,
    indent: i32,
    whitespace: bool,
    indention: bool,
}

impl<'o> Emitter<'o> {
    pub(crate) fn new(out: &'o mut String) -> Self {
        Emitter {
            out,
            column: 0,
            indent: -1,
            whitespace: true,
            indention: true,
        }
    }

    /// One whole document: the root node, then the implicit document end.
    pub(crate) fn document(&mut self, root: &Value, skip_top_annotations: bool) {
        self.node(root, Context::default(), skip_top_annotations);
        self.write_indent();
    }

    fn node(&mut self, value: &Value, context: Context, skip_annotations: bool) {
        match value {
            Value::Object(map) if map.is_empty() => self.empty_flow("{}"),
            Value::Object(map) => self.mapping(map, skip_annotations),
            Value::Array(items) if items.is_empty() => self.empty_flow("[]"),
            Value::Array(items) => self.sequence(items, context),
            Value::String(text) => self.string(&normalize_string(text), context),
            Value::Null => self.plain_token("null"),
            Value::Bool(true) => self.plain_token("true"),
            Value::Bool(false) => self.plain_token("false"),
            Value::Number(number) => {
                let mut text = String::new();
                write_number(&mut text, number);
                self.plain_token(&text);
            }
        }
    }

    fn mapping(&mut self, map: &serde_json::Map<String, Value>, top_level: bool) {
        let keys: Vec<Cow<'_, str>> = map.keys().map(|k| normalize_string(k)).collect();
        let mut entries: Vec<(&str, &Value)> =
            keys.iter().map(Cow::as_ref).zip(map.values()).collect();
        sort_entries(&mut entries);

        let saved = self.indent;
        self.increase_indent(false, false);
        for &(key, value) in &entries {
            let child_top = top_level && key == "metadata";
            self.write_indent();
            let analysis = analyze(key);
            if !analysis.multiline && key.len() <= MAX_SIMPLE_KEY {
                self.string(
                    key,
                    Context {
                        mapping: true,
                        simple_key: true,
                    },
                );
                self.write_indicator(":", false, false, false);
            } else {
                self.write_indicator("?", true, false, true);
                self.string(
                    key,
                    Context {
                        mapping: true,
                        simple_key: false,
                    },
                );
                self.write_indent();
                self.write_indicator(":", true, false, true);
            }
            let context = Context {
                mapping: true,
                simple_key: false,
            };
            if child_top {
                self.metadata(value, context);
            } else {
                self.node(value, context, false);
            }
        }
        self.indent = saved;
    }

    /// `metadata` of the top-level object: kustomize drops `annotations`
    /// when it is empty or null.
    fn metadata(&mut self, value: &Value, context: Context) {
        if let Value::Object(map) = value {
            let drop = matches!(map.get("annotations"), Some(Value::Null))
                || matches!(map.get("annotations"), Some(Value::Object(a)) if a.is_empty());
            if drop {
                let mut trimmed = map.clone();
                trimmed.shift_remove("annotations");
                self.node(&Value::Object(trimmed), context, false);
                return;
            }
        }
        self.node(value, context, false);
    }

    fn sequence(&mut self, items: &[Value], context: Context) {
        let saved = self.indent;
        self.increase_indent(false, context.mapping && !self.indention);
        for item in items {
            self.write_indent();
            self.write_indicator("-", true, false, true);
            self.node(item, Context::default(), false);
        }
        self.indent = saved;
    }

    fn empty_flow(&mut self, pair: &str) {
        self.write_indicator(&pair[..1], true, true, false);
        self.write_indicator(&pair[1..], false, false, false);
    }

    /// A scalar that is always plain and has no spaces (null, bool, number).
    fn plain_token(&mut self, text: &str) {
        if !self.whitespace {
            self.put(' ');
        }
        self.out.push_str(text);
        self.column += text.chars().count();
        self.whitespace = false;
        self.indention = false;
    }

    fn string(&mut self, text: &str, context: Context) {
        let requested = if text.contains('\n') {
            Style::Literal
        } else if needs_quotes(text) {
            Style::Double
        } else {
            Style::Plain
        };
        let analysis = analyze(text);
        let style = select(requested, &analysis, context.simple_key, text.is_empty());
        let saved = self.indent;
        self.increase_indent(true, false);
        let allow_breaks = !context.simple_key;
        match style {
            Style::Plain => self.plain(text, allow_breaks),
            Style::Single => self.single_quoted(text, allow_breaks),
            Style::Double => self.double_quoted(text, allow_breaks),
            Style::Literal => self.literal(text),
        }
        self.indent = saved;
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    /// libyaml `write_break`: LF becomes a newline, other breaks are copied.
    fn write_break(&mut self, c: char) {
        if c == '\n' {
            self.put_break();
        } else {
            self.out.push(c);
            self.column = 0;
        }
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(
        &mut self,
        indicator: &str,
        need_whitespace: bool,
        is_whitespace: bool,
        is_indention: bool,
    ) {
        if need_whitespace && !self.whitespace {
            self.put(' ');
        }
        self.out.push_str(indicator);
        self.column += indicator.chars().count();
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
    }

    fn plain(&mut self, text: &str, allow_breaks: bool) {
        if !self.whitespace {
            self.put(' ');
        }
        let (mut spaces, mut breaks) = (false, false);
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == ' ' {
                let next_space = chars.peek() == Some(&' ');
                if allow_breaks && !spaces && self.column > BEST_WIDTH && !next_space {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn single_quoted(&mut self, text: &str, allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        let (mut spaces, mut breaks) = (false, false);
        let last = text.len().saturating_sub(1);
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == ' ' {
                let next_space = chars.peek().map(|&(_, n)| n) == Some(' ');
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i > 0
                    && i < last
                    && !next_space
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn double_quoted(&mut self, text: &str, allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        // go-yaml's `is_bom` looks at the start of the string, not at the
        // current character: a leading BOM escapes every character.
        let bom = text.starts_with('\u{FEFF}');
        let last = text.len().saturating_sub(1);
        let mut spaces = false;
        let mut chars = text.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if bom || !is_printable(c) || is_break(c) || c == '"' || c == '\\' {
                self.escape(c);
                spaces = false;
            } else if c == ' ' {
                if allow_breaks && !spaces && self.column > BEST_WIDTH && i != 0 && i != last {
                    self.write_indent();
                    if chars.peek().map(|&(_, n)| n) == Some(' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn escape(&mut self, c: char) {
        self.put('\\');
        let short = match c {
            '\0' => Some('0'),
            '\u{07}' => Some('a'),
            '\u{08}' => Some('b'),
            '\t' => Some('t'),
            '\n' => Some('n'),
            '\u{0B}' => Some('v'),
            '\u{0C}' => Some('f'),
            '\r' => Some('r'),
            '\u{1B}' => Some('e'),
            '"' => Some('"'),
            '\\' => Some('\\'),
            '\u{85}' => Some('N'),
            '\u{A0}' => Some('_'),
            '\u{2028}' => Some('L'),
            '\u{2029}' => Some('P'),
            _ => None,
        };
        if let Some(short) = short {
            self.put(short);
            return;
        }
        let code = u32::from(c);
        let (marker, width) = if code <= 0xFF {
            ('x', 2)
        } else if code <= 0xFFFF {
            ('u', 4)
        } else {
            ('U', 8)
        };
        self.put(marker);
        for k in (0..width).rev() {
            let digit = (code >> (k * 4)) & 0xF;
            self.put(char::from_digit(digit, 16).map_or('0', |d| d.to_ascii_uppercase()));
        }
    }

    fn literal(&mut self, text: &str) {
        self.write_indicator("|", true, false, false);
        self.block_scalar_hints(text);
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for c in text.chars() {
            if is_break(c) {
                self.write_break(c);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }

    fn block_scalar_hints(&mut self, text: &str) {
        let mut chars = text.chars();
        if text.starts_with(' ') || text.chars().next().is_some_and(is_break) {
            let hint = char::from(b'0' + BEST_INDENT as u8);
            self.write_indicator(hint.encode_utf8(&mut [0; 4]), false, false, false);
        }
        let chomp = match (chars.next_back(), chars.next_back()) {
            (None, _) => Some('-'),
            (Some(last), _) if !is_break(last) => Some('-'),
            (Some(_), None) => Some('+'),
            (Some(_), Some(before)) if is_break(before) => Some('+'),
            _ => None,
        };
        if let Some(chomp) = chomp {
            self.write_indicator(chomp.encode_utf8(&mut [0; 4]), false, false, false);
        }
    }
}

/// The string go-yaml v2 reads back from Go JSON: U+0085 (NEL) is written
/// raw inside a JSON string and the YAML reader folds it like a line break
/// in a double-quoted scalar.
fn normalize_string(text: &str) -> Cow<'_, str> {
    if !text.contains('\u{85}') {
        return Cow::Borrowed(text);
    }
    Cow::Owned(fold_nel(text))
}

/// libyaml's double-quoted scalar folding, where NEL is the only raw break:
/// blanks before a break are dropped, blanks after one are skipped, a single
/// break becomes a space and each further break a newline.
fn fold_nel(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != ' ' && c != '\t' && c != '\u{85}' {
            out.push(c);
            continue;
        }
        // A run of blanks and breaks.
        let mut whitespace = String::new();
        let mut breaks = 0usize;
        let mut current = Some(c);
        while let Some(w) = current {
            if w == '\u{85}' {
                breaks += 1;
            } else if breaks == 0 {
                whitespace.push(w);
            }
            current = chars.next_if(|&n| n == ' ' || n == '\t' || n == '\u{85}');
        }
        match breaks {
            0 => out.push_str(&whitespace),
            1 => out.push(' '),
            n => (1..n).for_each(|_| out.push('\n')),
        }
    }
    out
}
