//! kyaml's value semantics: how kustomize's YAML library reads a scalar's
//! text, splits field paths and expands `List` documents.
//!
//! kustomize works on YAML nodes, strata on `serde_json::Value`s. The
//! rules here are the places where the difference shows, written once so
//! every transformer reads values the same way.

use std::borrow::Cow;
use std::collections::VecDeque;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::resource::value_kind;

/// A scalar's text as YAML wrote it (kyaml's `Node.Value`): strings as
/// they are, numbers and booleans as written. `None` for null, maps and
/// lists, whose text depends on the caller (see [`node_text`]).
pub fn scalar_text(value: &Value) -> Option<Cow<'_, str>> {
    match value {
        Value::String(text) => Some(Cow::Borrowed(text)),
        Value::Number(number) => Some(Cow::Owned(number.to_string())),
        Value::Bool(flag) => Some(Cow::Borrowed(if *flag { "true" } else { "false" })),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// How a null reads where kyaml takes a node's text. kyaml knows whether the
/// file wrote `key:` (empty text) or `key: null` (the word); the value model
/// does not, so each caller says which reading kustomize's code path sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Null {
    /// `key:`, or a field kustomize reads through Go's `encoding/json`.
    Empty,
    /// `key: null`, as kyaml's node walks see it.
    Word,
}

/// kyaml's `Node.Value` of any node: a scalar's text, a null as `null`
/// says, and empty for maps and lists (kyaml keeps their text elsewhere).
pub fn node_text(value: &Value, null: Null) -> Cow<'_, str> {
    match (value, null) {
        (Value::Null, Null::Word) => Cow::Borrowed("null"),
        _ => scalar_text(value).unwrap_or(Cow::Borrowed("")),
    }
}

/// kyaml's `PathSplitter`: splits at `separator`, where a backslash before
/// it keeps it inside the part (`a/b\/c` is `a`, `b/c`); a leading
/// separator is ignored.
pub fn split_escaped(path: &str, separator: char) -> Vec<String> {
    let mut pieces: Vec<&str> = path.split(separator).collect();
    if pieces.len() > 1 && pieces[0].is_empty() {
        pieces.remove(0);
    }
    let mut parts: Vec<String> = Vec::with_capacity(pieces.len());
    for piece in pieces {
        match parts.last_mut() {
            Some(last) if last.ends_with('\\') => {
                last.pop();
                last.push(separator);
                last.push_str(piece);
            }
            _ => parts.push(piece.to_string()),
        }
    }
    parts
}

/// kyaml's `SmarterPathSplitter` on `.`: [`split_escaped`], then a
/// bracketed part that held dots is joined again. A bracket with `=`
/// (`[name=a.b]`) keeps its brackets; one without (`[a.b]`, a key with
/// dots) loses them.
pub fn split_field_path(path: &str) -> Vec<String> {
    let pieces = split_escaped(path, '.');
    let mut parts = Vec::with_capacity(pieces.len());
    let mut i = 0;
    while i < pieces.len() {
        let piece = &pieces[i];
        if piece.starts_with('[') && !piece.ends_with(']') {
            let mut bracketed = vec![piece.as_str()];
            while i + 1 < pieces.len() {
                i += 1;
                bracketed.push(&pieces[i]);
                if pieces[i].ends_with(']') {
                    break;
                }
            }
            let joined = bracketed.join(".");
            if joined.contains('=') {
                parts.push(joined);
            } else {
                parts.push(joined.trim_matches(|c| c == '[' || c == ']').to_string());
            }
        } else {
            parts.push(piece.clone());
        }
        i += 1;
    }
    parts
}

/// Whether kustomize's resource factory inlines this document: a kind
/// ending in `List` with an `items` field.
fn is_list(document: &Value) -> bool {
    document
        .get("kind")
        .and_then(Value::as_str)
        .is_some_and(|kind| kind.ends_with("List"))
        && document.get("items").is_some()
}

/// Inlines `...List` documents, as kustomize's resource factory does: a
/// list's items join the end of the queue (so they follow the documents
/// after the list) and are expanded in turn; `items: null` inlines nothing.
/// Each document carries a tag; `item_tag(tag, index)` gives the tag of the
/// list's item `index`. `source` names the file in errors.
pub fn expand_lists_tagged<T>(
    documents: Vec<(Value, T)>,
    source: &str,
    item_tag: impl Fn(&T, usize) -> T,
) -> Result<Vec<(Value, T)>> {
    let mut queue: VecDeque<(Value, T)> = documents.into();
    let mut out = Vec::with_capacity(queue.len());
    while let Some((mut document, tag)) = queue.pop_front() {
        if !is_list(&document) {
            out.push((document, tag));
            continue;
        }
        let items = document
            .as_object_mut()
            .and_then(|map| map.get_mut("items"))
            .map(std::mem::take);
        match items {
            Some(Value::Array(items)) => queue.extend(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(index, item)| (item, item_tag(&tag, index))),
            ),
            Some(Value::Null) | None => {}
            Some(other) => {
                let kind = document.get("kind").and_then(Value::as_str).unwrap_or("");
                return Err(Error::msg(format!(
                    "{source}: expected array in {kind}/items, but found {}",
                    value_kind(&other)
                )));
            }
        }
    }
    Ok(out)
}

/// [`expand_lists_tagged`] for documents without tags.
pub fn expand_lists(documents: Vec<Value>, source: &str) -> Result<Vec<Value>> {
    let tagged = documents
        .into_iter()
        .map(|document| (document, ()))
        .collect();
    let expanded = expand_lists_tagged(tagged, source, |(), _| ())?;
    Ok(expanded
        .into_iter()
        .map(|(document, ())| document)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalars_read_as_written() {
        assert_eq!(scalar_text(&json!("a")).as_deref(), Some("a"));
        assert_eq!(scalar_text(&json!(8080)).as_deref(), Some("8080"));
        assert_eq!(scalar_text(&json!(1.5)).as_deref(), Some("1.5"));
        assert_eq!(scalar_text(&json!(true)).as_deref(), Some("true"));
        assert_eq!(scalar_text(&json!(null)), None);
        assert_eq!(scalar_text(&json!({"a": 1})), None);
        assert_eq!(node_text(&json!(null), Null::Word), "null");
        assert_eq!(node_text(&json!(null), Null::Empty), "");
        assert_eq!(node_text(&json!([1]), Null::Word), "");
    }

    #[test]
    fn splits_with_escapes() {
        assert_eq!(split_escaped("a/b\\/c/d", '/'), ["a", "b/c", "d"]);
        assert_eq!(split_escaped("/a/b", '/'), ["a", "b"]);
        assert_eq!(split_escaped("", '/'), [""]);
        assert_eq!(split_escaped("a\\.b.c", '.'), ["a.b", "c"]);
    }

    #[test]
    fn splits_field_paths_as_smarter_path_splitter() {
        assert_eq!(
            split_field_path("spec.containers.[name=a.b].image"),
            ["spec", "containers", "[name=a.b]", "image"]
        );
        assert_eq!(
            split_field_path("metadata.annotations.[a.b/c]"),
            ["metadata", "annotations", "a.b/c"]
        );
        // Rules of kyaml's SmarterPathSplitter (see its doc comment).
        let cases: Vec<(&str, Vec<&str>)> = vec![
            ("a.[k.=.v.].b", vec!["a", "[k.=.v.]", "b"]),
            ("a.[k=x.y.z.].b", vec!["a", "[k=x.y.z.]", "b"]),
            (r"a\.b.c", vec!["a.b", "c"]),
            ("a.[k=x.[y..b", vec!["a", "[k=x.[y..b"]),
            ("m.[x.y/z.w-v.]", vec!["m", "x.y/z.w-v."]),
            ("a.[b].c", vec!["a", "[b]", "c"]),
        ];
        for (text, expected) in cases {
            assert_eq!(split_field_path(text), expected, "{text}");
        }
    }

    #[test]
    fn list_items_follow_the_other_documents() {
        let docs = vec![
            json!({"kind": "List", "items": [
                {"kind": "A"},
                {"kind": "ConfigMapList", "items": [{"kind": "B"}]},
            ]}),
            json!({"kind": "C"}),
            json!({"kind": "List", "items": null}),
        ];
        let kinds: Vec<String> = expand_lists(docs, "f.yaml")
            .unwrap()
            .iter()
            .map(|d| d["kind"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(kinds, ["C", "A", "B"]);
    }

    #[test]
    fn list_items_that_are_not_a_list_are_errors() {
        let err = expand_lists(vec![json!({"kind": "List", "items": {"a": 1}})], "f.yaml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("expected array in List/items"), "{err}");
    }
}
