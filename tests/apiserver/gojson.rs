//! JSON and strings written the way Go writes them, where clients compare
//! bytes: `encoding/json` on unstructured objects (keys sorted, `<`, `>`
//! and `&` escaped, a trailing newline from `Encoder.Encode`) for the
//! `kubectl.kubernetes.io/last-applied-configuration` annotation, and
//! `strconv.Quote` for field paths in conflict messages.

use serde_json::Value;

/// `json.NewEncoder(w).Encode(object)` of an unstructured object.
pub fn encode_line(value: &Value) -> String {
    let mut out = String::new();
    write_value(value, &mut out);
    out.push('\n');
    out
}

fn write_value(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
        Value::Number(number) => out.push_str(&number.to_string()),
        Value::String(text) => write_string(text, out),
        Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_value(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (index, key) in keys.into_iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write_value(&map[key], out);
            }
            out.push('}');
        }
    }
}

fn write_string(text: &str, out: &mut String) {
    out.push('"');
    for character in text.chars() {
        match character {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", character as u32))
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Go's `strconv.Quote` (printable characters kept, others escaped).
pub fn quote(text: &str) -> String {
    let mut out = String::from("\"");
    for character in text.chars() {
        match character {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_sorted_html_escaped_and_a_newline() {
        let value = json!({"kind": "ConfigMap", "apiVersion": "v1", "data": {"b": "<&>", "a": 1}});
        assert_eq!(
            encode_line(&value),
            "{\"apiVersion\":\"v1\",\"data\":{\"a\":1,\"b\":\"\\u003c\\u0026\\u003e\"},\"kind\":\"ConfigMap\"}\n"
        );
        assert_eq!(quote("a\"b"), "\"a\\\"b\"");
    }
}
