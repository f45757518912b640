//! Values that make kustomize fail while writing its output.
//!
//! go-yaml v2 re-reads the JSON that kustomize produced, and its reader
//! rejects some characters that Go JSON leaves raw; a raw U+0085 in a key or
//! before a document marker breaks its parse. kustomize then fails the whole
//! build, so strata reports these instead of printing something kustomize
//! never would.

use serde_json::Value;

use crate::error::{Error, Result};

/// Fails, naming the field, when kustomize could not print `value`:
/// DEL, C1 controls other than U+0085, U+FFFE and U+FFFF anywhere
/// ("yaml: control characters are not allowed"), U+0085 in a key, or U+0085
/// followed by `---` or `...` and a space or another U+0085 in a string (the
/// closing JSON quote follows a marker at the very end, which is fine).
pub fn check(value: &Value) -> Result<()> {
    let mut path = String::new();
    walk(value, &mut path)
}

/// `path` is the field path so far, e.g. `spec.containers[0].args[2]`.
fn walk(value: &Value, path: &mut String) -> Result<()> {
    let length = path.len();
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                if let Some(problem) = problem(key, true) {
                    return Err(fail(path, problem));
                }
                walk(item, path)?;
                path.truncate(length);
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                path.push_str(&format!("[{index}]"));
                walk(item, path)?;
                path.truncate(length);
            }
        }
        Value::String(text) => {
            if let Some(problem) = problem(text, false) {
                return Err(fail(path, problem));
            }
        }
        _ => {}
    }
    Ok(())
}

fn fail(path: &str, problem: &str) -> Error {
    Error::msg(format!(
        "field `{path}`: {problem} (kustomize cannot print this value)"
    ))
}

fn problem(text: &str, key: bool) -> Option<&'static str> {
    let rejected =
        |c: char| matches!(c, '\u{7F}'..='\u{84}' | '\u{86}'..='\u{9F}' | '\u{FFFE}' | '\u{FFFF}');
    if text.chars().any(rejected) {
        return Some("yaml: control characters are not allowed");
    }
    if !text.contains('\u{85}') {
        return None;
    }
    if key {
        return Some("U+0085 (NEL) in a key is a line break to go-yaml");
    }
    let marker = text.match_indices('\u{85}').any(|(at, nel)| {
        let line = &text[at + nel.len()..];
        (line.starts_with("---") || line.starts_with("..."))
            && matches!(line[3..].chars().next(), Some(' ' | '\u{85}'))
    });
    marker.then_some("yaml: found unexpected document indicator after U+0085 (NEL)")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Each value made `kubectl kustomize` fail; the last ones did not.
    #[test]
    fn rejects_what_kustomize_rejects() {
        let rejected = [
            json!({"v": "a\u{7f}b"}),
            json!({"v": "a\u{fffe}b"}),
            json!({"v": "a\u{ffff}b"}),
            json!({"v": "a\u{80}b"}),
            json!({"v": "a\u{9f}b"}),
            json!({"v": {"a\u{85}b": "x"}}),
            json!({"v": ["a\u{85}--- b"]}),
        ];
        for value in rejected {
            assert!(check(&value).is_err(), "{value}");
        }
        let error = check(&json!({"spec": {"args": ["ok", "a\u{7f}"]}})).unwrap_err();
        assert!(
            error.to_string().contains("field `spec.args[1]`"),
            "{error}"
        );
        let accepted = [
            json!({"v": "a\u{85}b"}),
            json!({"v": "a\u{85}..."}),
            json!({"v": "a\u{85}---"}),
            json!({"v": "\u{85}---"}),
            json!({"v": "a\u{2028}b\u{feff}"}),
        ];
        for value in accepted {
            assert!(check(&value).is_ok(), "{value}");
        }
    }
}
