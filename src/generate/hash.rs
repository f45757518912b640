//! kustomize's content-hash name suffix for generated ConfigMaps and Secrets.
//!
//! The suffix is computed from the object as it is when suffixes are added
//! (the end of the whole build, after merges and transformers), exactly as
//! kustomize's `api/hasher`: a small map of selected fields, encoded as Go's
//! `encoding/json` would, then sha256, hex, the first ten characters with
//! `0 1 3 a e` replaced by `g h k m t`. This module only computes and
//! appends suffixes; references to the old names are fixed elsewhere
//! through [`Resource::previous_ids`](crate::resource::Resource).

use std::fmt::Write as _;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::resource::ResourceMap;

/// The 10-character suffix kustomize gives this ConfigMap or Secret.
///
/// kustomize looks the name up with a path it never finds, so the name is
/// always hashed as `""` and renames do not change the suffix.
pub fn content_hash(object: &Value) -> Result<String> {
    let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
    let mut fields = Map::new();
    fields.insert("kind".into(), Value::String(kind.into()));
    fields.insert("name".into(), Value::String(String::new()));
    fields.insert("data".into(), hashed_field(object.get("data")));
    let extra = match kind {
        "ConfigMap" => "binaryData",
        "Secret" => {
            fields.insert("type".into(), hashed_field(object.get("type")));
            "stringData"
        }
        other => {
            return Err(Error::msg(format!(
                "cannot compute a name-suffix hash for kind `{other}`: only ConfigMaps and Secrets get one"
            )))
        }
    };
    // Included only when it is a mapping, as kustomize does.
    if let Some(value @ Value::Object(_)) = object.get(extra) {
        fields.insert(extra.into(), value.clone());
    }
    let mut encoded = String::new();
    write_go_json(&Value::Object(fields), &mut encoded);
    Ok(encode(&Sha256::digest(encoded.as_bytes())))
}

/// A field as kustomize's `getNodeValues` reads it: missing → `""`, a
/// scalar → its text, a mapping → itself, anything else → `null`.
fn hashed_field(value: Option<&Value>) -> Value {
    match value {
        None => Value::String(String::new()),
        Some(Value::String(text)) => Value::String(text.clone()),
        Some(Value::Number(number)) => Value::String(number.to_string()),
        Some(Value::Bool(flag)) => Value::String(flag.to_string()),
        // A YAML `~` is a scalar whose text kustomize would read; the
        // YAML layer gives us null, spelled as go-yaml reads it.
        Some(Value::Null) => Value::String("null".into()),
        Some(map @ Value::Object(_)) => map.clone(),
        Some(Value::Array(_)) => Value::Null,
    }
}

/// Hex of the digest, first ten characters, with kustomize's substitutions.
fn encode(digest: &[u8]) -> String {
    let mut hex = String::with_capacity(10);
    for byte in digest.iter().take(5) {
        let _ = write!(hex, "{byte:02x}");
    }
    hex.chars()
        .map(|c| match c {
            '0' => 'g',
            '1' => 'h',
            '3' => 'k',
            'a' => 'm',
            'e' => 't',
            other => other,
        })
        .collect()
}

/// Writes `value` as Go's `json.Marshal` does: compact, mapping keys sorted
/// by bytes, and `<`, `>`, `&`, U+2028, U+2029 escaped.
fn write_go_json(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_go_string(key, out);
                out.push(':');
                write_go_json(item, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_go_json(item, out);
            }
            out.push(']');
        }
        Value::String(text) => write_go_string(text, out),
        other => out.push_str(&other.to_string()),
    }
}

fn write_go_string(text: &str, out: &mut String) {
    // serde_json already escapes quotes, backslashes and control characters
    // the way Go does (`\n`, `\t`, lowercase `\u00XX`); add Go's HTML-safe escapes.
    let plain = Value::String(text.to_string()).to_string();
    for c in plain.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            other => out.push(other),
        }
    }
}

/// Appends `-<hash>` to the name of every resource whose generator asked
/// for it, remembering the old id. Run once, at the end of the build.
pub fn add_hash_suffixes(resources: &mut ResourceMap) -> Result<()> {
    let mut edit = resources.edit();
    for resource in edit.iter_mut() {
        if !resource.generated.as_ref().is_some_and(|g| g.append_hash) {
            continue;
        }
        let hash = content_hash(resource.object()).map_err(|error| {
            Error::resource(
                &resource.id(),
                format!("(from {}): {error}", resource.origin),
            )
        })?;
        let name = format!("{}-{hash}", resource.name());
        resource.set_name(&name);
    }
    Ok(())
}

#[cfg(test)]
mod tests;
