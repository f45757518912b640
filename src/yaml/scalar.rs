//! One scalar into a `Value` or a mapping key, for either schema, including
//! what kyaml's round trip through text does to it (see [`super::folded`]).

use std::borrow::Cow;

use base64::Engine as _;
use granit_parser::{ScalarStyle, Tag};
use serde_json::{Number, Value};

use super::folded;
use super::resolve::{self, Resolved, Schema, TagKind};

/// What a scalar is when it is used as a mapping key.
#[derive(Clone, Debug)]
pub(crate) enum KeyForm {
    /// A string key (after the schema's conversion of ints, bools, ...).
    Text(String),
    /// `<<`: the value is merged into the mapping.
    Merge,
    /// Not usable as a key; the message says why.
    Invalid(String),
}

/// Where the scalar sits: what its conversion depends on besides its text.
pub(crate) struct Place {
    pub schema: Schema,
    /// Inside a flow collection (`[...]`, `{...}`).
    pub in_flow: bool,
    /// A key of the document's root mapping.
    pub top_level: bool,
}

impl Place {
    /// The value of a non-key scalar, after kyaml's round trip through text.
    pub(crate) fn value(
        &self,
        text: &str,
        style: ScalarStyle,
        tag: TagKind,
    ) -> Result<Value, String> {
        let untagged = matches!(tag, TagKind::None | TagKind::Str);
        if self.schema == Schema::Core && untagged {
            if style == ScalarStyle::Folded {
                if let Some(refolded) = folded::round_trip(text) {
                    return Ok(Value::String(refolded));
                }
            }
            // go-yaml writes an empty plain scalar inside a flow collection as
            // `''`, so it comes back as an empty string, not null (kubectl).
            if self.in_flow
                && text.is_empty()
                && style == ScalarStyle::Plain
                && tag == TagKind::None
            {
                return Ok(Value::String(String::new()));
            }
        }
        self.resolve(text, tag, style != ScalarStyle::Plain)
    }

    fn resolve(&self, text: &str, tag: TagKind, quoted: bool) -> Result<Value, String> {
        if tag == TagKind::Binary {
            return decode_binary(text).map(Value::String);
        }
        if quoted && tag == TagKind::None {
            return Ok(Value::String(text.to_string()));
        }
        let value = match resolve::resolve(self.schema, tag, text)? {
            Resolved::Null => Value::Null,
            Resolved::Bool(b) => Value::Bool(b),
            Resolved::Int(i) => Value::Number(i.into()),
            Resolved::Uint(u) => Value::Number(u.into()),
            Resolved::Float(f) => Value::Number(finite(f)?),
            Resolved::Timestamp(stamp) if self.schema == Schema::Core => Value::String(stamp?),
            Resolved::Timestamp(_) | Resolved::Merge | Resolved::Str => {
                Value::String(text.to_string())
            }
        };
        Ok(value)
    }

    /// A scalar used as a key. kustomize keeps non-string scalar keys only at
    /// the top level of a resource (as their text); sigs.k8s.io/yaml converts
    /// ints, floats and bools to strings everywhere.
    pub(crate) fn key(&self, text: &str, tag: TagKind, quoted: bool) -> Result<KeyForm, String> {
        let top = self.top_level;
        let core = self.schema == Schema::Core;
        // kyaml writes an empty (null) key back out as `''`: the key "".
        if core && text.is_empty() && !quoted && tag == TagKind::None {
            return Ok(KeyForm::Text(String::new()));
        }
        let string_key = match tag {
            TagKind::None if quoted => return Ok(KeyForm::Text(text.to_string())),
            TagKind::Str => return Ok(KeyForm::Text(text.to_string())),
            TagKind::Binary if core && !top => None,
            TagKind::Binary => return decode_binary(text).map(KeyForm::Text),
            TagKind::Other if core && !top => None,
            TagKind::Other => return Ok(KeyForm::Text(text.to_string())),
            _ => Some(resolve::resolve(self.schema, tag, text)?),
        };
        let form = match string_key {
            Some(Resolved::Str) => KeyForm::Text(text.to_string()),
            Some(Resolved::Merge) => KeyForm::Merge,
            Some(Resolved::Null) => KeyForm::Invalid(format!(
                "mapping key `{text}` is null; keys must be strings"
            )),
            _ if core && top => KeyForm::Text(text.to_string()),
            None | Some(_) if core => KeyForm::Invalid(format!(
                "mapping key `{text}` is not a string; kustomize cannot encode it (quote it)"
            )),
            Some(Resolved::Bool(b)) => KeyForm::Text(b.to_string()),
            Some(Resolved::Int(i)) => KeyForm::Text(i.to_string()),
            Some(Resolved::Float(f)) => KeyForm::Text(resolve::format_float32_key(f)),
            Some(Resolved::Timestamp(_)) => KeyForm::Text(text.to_string()),
            Some(Resolved::Uint(_)) | None => KeyForm::Invalid(format!(
                "unsupported map key `{text}`: integer out of range"
            )),
        };
        Ok(form)
    }
}

fn finite(value: f64) -> Result<Number, String> {
    Number::from_f64(value).ok_or_else(|| {
        let shown = if value.is_nan() {
            "NaN"
        } else if value > 0.0 {
            "+Inf"
        } else {
            "-Inf"
        };
        format!("unsupported value: {shown} (JSON has no infinity or NaN; quote it to keep it a string)")
    })
}

/// Go `base64.StdEncoding.DecodeString`, which skips `\r` and `\n`.
fn decode_binary(text: &str) -> Result<String, String> {
    let compact: Cow<'_, str> = if text.contains(['\r', '\n']) {
        Cow::Owned(text.chars().filter(|c| !matches!(c, '\r' | '\n')).collect())
    } else {
        Cow::Borrowed(text)
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|_| "!!binary value contains invalid base64 data".to_string())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Reduces a parsed tag to what resolution needs.
pub(crate) fn tag_kind(tag: Option<&Tag>) -> TagKind {
    let Some(tag) = tag else {
        return TagKind::None;
    };
    if let Some(core) = tag.core_suffix() {
        return match core {
            "str" => TagKind::Str,
            "bool" => TagKind::Bool,
            "int" => TagKind::Int,
            "float" => TagKind::Float,
            "null" => TagKind::Null,
            _ => TagKind::Other,
        };
    }
    match tag.suffix_in_namespace("tag:yaml.org,2002:").as_deref() {
        Some("binary") => TagKind::Binary,
        Some("timestamp") => TagKind::Timestamp,
        Some("merge") => TagKind::Merge,
        Some(_) => TagKind::Other,
        // The non-specific tag `!` resolves like no tag at all (kubectl: `! 123` is 123).
        None if tag.handle().is_empty() && tag.suffix() == "!" => TagKind::None,
        None => TagKind::Other,
    }
}
