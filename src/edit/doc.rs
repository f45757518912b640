//! The kustomization file as a lossless syntax tree (yaml-edit): edits touch
//! only the nodes they change, so comments, blank lines, quoting and key
//! order elsewhere survive byte for byte.
//!
//! Values are read from the current text with the library's YAML reader
//! ([`crate::yaml::parse_config`]), which resolves scalars as kustomize does;
//! the tree is only written to.

use std::path::{Path, PathBuf};

use serde_json::Value;
use yaml_edit::{Document, Mapping, ScalarStyle, ScalarValue, Sequence, YamlFile, YamlNode};

use crate::error::{Error, Result};

/// One kustomization file being edited.
pub struct Doc {
    path: PathBuf,
    /// Text kept in front of the tree when the file had no mapping yet
    /// (empty, or only comments): new keys follow it.
    prefix: String,
    /// The whole file (stream-level comments included), when it had a mapping.
    file: Option<YamlFile>,
    doc: Document,
}

impl Doc {
    /// Parses `text`; `path` names the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Doc> {
        // The reader decides what is valid YAML, as kustomize's reader would.
        let value = crate::yaml::parse_config(text, path)?;
        let path = path.to_path_buf();
        match value {
            Value::Null => Ok(Doc {
                path,
                prefix: with_final_newline(text),
                file: None,
                doc: Document::new_mapping(),
            }),
            Value::Object(_) => {
                let file: YamlFile = text
                    .parse()
                    .map_err(|e| Error::file(&path, format!("cannot edit this YAML: {e}")))?;
                let doc = file
                    .documents()
                    .next()
                    .filter(|d| d.as_mapping().is_some())
                    .ok_or_else(|| Error::file(&path, "cannot find the top-level mapping"))?;
                if file.documents().count() > 1 {
                    return Err(Error::file(
                        &path,
                        "a kustomization file holds one YAML document, found several",
                    ));
                }
                let doc = Doc {
                    path,
                    prefix: String::new(),
                    file: Some(file),
                    doc,
                };
                // Only edit what the editor reproduces exactly.
                if doc.render() != text {
                    return Err(Error::file(
                        &doc.path,
                        "the YAML editor cannot reproduce this file exactly; edit it by hand",
                    ));
                }
                Ok(doc)
            }
            other => Err(Error::file(
                &path,
                format!(
                    "invalid Kustomization: a kustomization must be a mapping, found {}",
                    crate::resource::value_kind(&other)
                ),
            )),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file's text as it is now.
    pub fn render(&self) -> String {
        match &self.file {
            Some(file) => file.to_string(),
            None => format!("{}{}", self.prefix, self.doc),
        }
    }

    /// The current contents as data (scalars resolved as kustomize does).
    pub fn value(&self) -> Result<serde_json::Map<String, Value>> {
        match crate::yaml::parse_config(&self.render(), &self.path)? {
            Value::Object(map) => Ok(map),
            _ => Ok(serde_json::Map::new()),
        }
    }

    /// The value of a top-level field, its name matched case-insensitively
    /// (kustomize reads the file through `encoding/json`).
    pub fn field(&self, name: &str) -> Result<Option<Value>> {
        let map = self.value()?;
        Ok(map
            .into_iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v))
    }

    pub fn root(&self) -> Mapping {
        self.doc.as_mapping().expect("parse checked the mapping")
    }

    /// The key as spelled in the file, for a canonical field name.
    pub fn key(&self, name: &str) -> Option<String> {
        key_in(&self.root(), name)
    }

    /// The sequence under a top-level field, if the field is a sequence.
    pub fn seq(&self, name: &str) -> Option<Sequence> {
        let key = self.key(name)?;
        self.root().get_sequence(key.as_str())
    }

    /// The mapping under a top-level field, if the field is a mapping.
    pub fn map(&self, name: &str) -> Option<Mapping> {
        let key = self.key(name)?;
        self.root().get_mapping(key.as_str())
    }

    /// Sets a top-level field; a new field goes at the end of the file, where
    /// kustomize appends fields the file did not have.
    pub fn set(&self, name: &str, value: impl yaml_edit::AsYaml) {
        let key = self.key(name).unwrap_or_else(|| name.to_string());
        self.root().set(key.as_str(), value);
    }

    /// Removes a top-level field (with the comment on its lines).
    pub fn remove(&self, name: &str) -> bool {
        match self.key(name) {
            Some(key) => self.root().remove(key.as_str()).is_some(),
            None => false,
        }
    }

    /// The sequence under a field unless it is absent, null or `[]`.
    pub fn live_seq(&self, name: &str) -> Option<Sequence> {
        self.seq(name)
            .filter(|s| !s.is_flow_style() || !s.is_empty())
    }

    /// The mapping under a field unless it is absent, null or `{}`.
    pub fn live_map(&self, name: &str) -> Option<Mapping> {
        self.map(name)
            .filter(|m| !m.is_flow_style() || !m.is_empty())
    }

    /// Appends an item to a top-level list, making the list (at the end of
    /// the file) when there is none. A new list is filled before it is
    /// attached, so it is laid out as kustomize writes lists (`- ` at the
    /// key's column).
    pub fn append(&self, name: &str, item: impl yaml_edit::AsYaml) {
        self.insert_item(name, None, item);
    }

    /// Inserts an item at `index` (or the end) of a top-level list.
    pub fn insert_item(&self, name: &str, index: Option<usize>, item: impl yaml_edit::AsYaml) {
        match (self.live_seq(name), index) {
            (Some(seq), Some(index)) => seq.insert(index, item),
            (Some(seq), None) => seq.push(item),
            (None, _) => {
                let seq = Sequence::new();
                seq.push(item);
                self.set(name, seq);
            }
        }
    }

    /// Removes a field whose sequence or mapping became empty, as kustomize
    /// omits empty fields when it writes the file.
    pub fn drop_if_empty(&self, name: &str) {
        let empty = self.seq(name).is_some_and(|s| s.is_empty())
            || self.map(name).is_some_and(|m| m.is_empty());
        if empty {
            self.remove(name);
        }
    }
}

/// The key of `map` matching `name` case-insensitively, as spelled there.
pub fn key_in(map: &Mapping, name: &str) -> Option<String> {
    map.entries().find_map(|entry| {
        let key = entry.key_node()?;
        let text = key.as_scalar()?.as_string();
        text.eq_ignore_ascii_case(name).then_some(text)
    })
}

/// The mapping at `index` of a sequence.
pub fn item_map(seq: &Sequence, index: usize) -> Option<Mapping> {
    seq.get(index).and_then(|n| n.as_mapping().cloned())
}

/// Sets `key` of `map` to a string, keeping the old value's quotes when
/// they can hold the new one; a new key is inserted at `position` when given.
pub fn set_string(map: &Mapping, key: &str, text: &str) {
    let old_style = map
        .get(key)
        .as_ref()
        .and_then(YamlNode::as_scalar)
        .map(|s| {
            let raw = s.value();
            if raw.starts_with('"') {
                ScalarStyle::DoubleQuoted
            } else if raw.starts_with('\'') {
                ScalarStyle::SingleQuoted
            } else {
                ScalarStyle::Plain
            }
        });
    let fresh = scalar(text);
    let value = match old_style {
        Some(style @ (ScalarStyle::DoubleQuoted | ScalarStyle::SingleQuoted))
            if fresh.style() != ScalarStyle::Literal =>
        {
            ScalarValue::with_style(text, style)
        }
        _ => fresh,
    };
    map.set(key, value);
}

/// A new string scalar, styled as kustomize's writer styles it: plain where
/// the text reads back as the same string, quoted where it would read as a
/// number, boolean or null or not parse, a literal block for several lines.
pub fn scalar(text: &str) -> ScalarValue {
    let mut object = serde_json::Map::new();
    object.insert("k".to_string(), Value::String(text.to_string()));
    let rendered = crate::emit::document(&Value::Object(object));
    let style = match rendered.strip_prefix("k: ").and_then(|r| r.chars().next()) {
        Some('"') => ScalarStyle::DoubleQuoted,
        Some('\'') => ScalarStyle::SingleQuoted,
        Some('|') | Some('>') => ScalarStyle::Literal,
        _ => ScalarStyle::Plain,
    };
    ScalarValue::with_style(text, style)
}

/// A new mapping of string pairs, in the given order.
pub fn string_map<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Mapping {
    let map = Mapping::new();
    for (k, v) in pairs {
        map.set(scalar(k), scalar(v));
    }
    map
}

/// Inserts `key: value` into a mapping of strings: where it sorts when the
/// keys are sorted (kustomize writes maps sorted), else at the end; an
/// existing key's value is replaced in place.
pub fn put_sorted(map: &Mapping, key: &str, value: &str) {
    if map.contains_key(key) {
        set_string(map, key, value);
    } else {
        insert_sorted(map, key, scalar(value));
    }
}

/// Inserts a new key where it sorts if the mapping's keys are sorted, else
/// at the end.
pub fn insert_sorted(map: &Mapping, key: &str, value: impl yaml_edit::AsYaml) {
    let keys: Vec<String> = map
        .keys()
        .filter_map(|k| k.as_scalar().map(|s| s.as_string()))
        .collect();
    let sorted = keys.windows(2).all(|w| w[0] <= w[1]);
    match keys.iter().position(|k| k.as_str() > key) {
        Some(index) if sorted => map.insert_at_index(index, scalar(key), value),
        _ => map.set(scalar(key), value),
    }
}

/// Where a new name goes in a list: its sorted place if the names are
/// sorted, else `None` (the end).
pub fn sorted_position(names: &[String], name: &str) -> Option<usize> {
    let sorted = names.windows(2).all(|w| w[0] <= w[1]);
    if !sorted {
        return None;
    }
    names.iter().position(|n| n.as_str() > name)
}

fn with_final_newline(text: &str) -> String {
    let mut out = text.to_string();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// The strings of a sequence value (non-strings are skipped).
pub fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}
