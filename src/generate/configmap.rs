//! `configMapGenerator` and `secretGenerator`: one ConfigMap or Secret from
//! literals, files and env files, as kustomize v5.5.0 makes it.
//!
//! Owns reading the key/value sources (through the layer's [`Loader`], so the
//! load restrictor applies), building the object, and merging generator
//! options. It does not add the hash suffix (see [`super::hash`]) nor combine
//! a generated resource with an existing one (see [`super::merge_generated`]).
//!
//! kustomize's field validator is a no-op, so keys are not checked against
//! Kubernetes' key syntax: `bad key!=x` is accepted, as `kubectl kustomize`
//! accepts it. Only duplicate keys are errors.

use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine;
use serde_json::{json, Map, Value};

use crate::error::{Error, Result};
use crate::load::kustomization::{GeneratorArgs, GeneratorOptions, StringMap};
use crate::load::loader::Loader;
use crate::resource::{Generated, Origin, Resource};

/// Which generator a set of arguments belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    ConfigMap,
    Secret,
}

impl Kind {
    /// The kustomization field listing these generators.
    pub fn field(self) -> &'static str {
        match self {
            Kind::ConfigMap => "configMapGenerator",
            Kind::Secret => "secretGenerator",
        }
    }

    /// The kind of resource generated.
    pub fn kind(self) -> &'static str {
        match self {
            Kind::ConfigMap => "ConfigMap",
            Kind::Secret => "Secret",
        }
    }
}

/// Makes the ConfigMap of one `configMapGenerator` entry.
///
/// `global` is the kustomization's `generatorOptions`; `origin_path` is the
/// kustomization file, named in errors and in the resource's origin.
pub fn config_map(
    args: &GeneratorArgs,
    global: Option<&GeneratorOptions>,
    loader: &Loader,
    origin_path: &Path,
) -> Result<Resource> {
    generate(Kind::ConfigMap, args, global, loader, origin_path)
}

/// Makes the Secret of one `secretGenerator` entry (values base64, `type`
/// `Opaque` unless set).
pub fn secret(
    args: &GeneratorArgs,
    global: Option<&GeneratorOptions>,
    loader: &Loader,
    origin_path: &Path,
) -> Result<Resource> {
    generate(Kind::Secret, args, global, loader, origin_path)
}

fn generate(
    kind: Kind,
    args: &GeneratorArgs,
    global: Option<&GeneratorOptions>,
    loader: &Loader,
    origin_path: &Path,
) -> Result<Resource> {
    let name = match args.name.as_deref() {
        Some(name) if !name.is_empty() => name,
        // kustomize says "a configmap must have a name" for both kinds.
        _ => {
            return Err(Error::field(
                origin_path,
                kind.field(),
                format!("a generated {} must have a `name`", kind.kind()),
            ))
        }
    };
    let context = Context {
        kind,
        name,
        origin_path,
    };
    // kustomize's ConfigMapArgs has no `type`: an unknown field there.
    if kind == Kind::ConfigMap && args.secret_type.is_some() {
        return Err(context.error("unknown field `type` (only a secretGenerator has a `type`)"));
    }
    let data = context.load_data(args, loader)?;
    let options = merge_options(args.options.as_ref(), global);
    let mut object = base_object(kind, name, args);
    match kind {
        Kind::ConfigMap => fill_config_map_data(&mut object, data),
        Kind::Secret => fill_secret_data(&mut object, data),
    }
    apply_options(&mut object, &options);
    let mut resource = Resource::new(
        object,
        Origin::Generator {
            kustomization: origin_path.to_path_buf(),
            generator: kind.field(),
        },
    )?;
    resource.generated = Some(Generated {
        behavior: args.behavior.unwrap_or_default(),
        append_hash: !options.disable_name_suffix_hash.unwrap_or(false),
    });
    Ok(resource)
}

/// Merges the kustomization's `generatorOptions` into a generator's own
/// `options`, as kustomize's `MergeGlobalOptionsIntoLocal`: local labels and
/// annotations win per key; a global `true` for `disableNameSuffixHash` or
/// `immutable` cannot be turned off locally.
pub fn merge_options(
    local: Option<&GeneratorOptions>,
    global: Option<&GeneratorOptions>,
) -> GeneratorOptions {
    let mut merged = local.cloned().unwrap_or_default();
    let Some(global) = global else {
        return merged;
    };
    merged.labels = override_map(merged.labels.take(), global.labels.as_ref());
    merged.annotations = override_map(merged.annotations.take(), global.annotations.as_ref());
    if global.disable_name_suffix_hash == Some(true) {
        merged.disable_name_suffix_hash = Some(true);
    }
    if global.immutable == Some(true) {
        merged.immutable = Some(true);
    }
    merged
}

fn override_map(local: Option<StringMap>, global: Option<&StringMap>) -> Option<StringMap> {
    let Some(mut local) = local else {
        return global.cloned();
    };
    for (key, value) in global.into_iter().flatten() {
        local.entry(key.clone()).or_insert_with(|| value.clone());
    }
    Some(local)
}

/// `apiVersion`, `kind`, `metadata` (name, namespace) and, for Secrets, `type`.
fn base_object(kind: Kind, name: &str, args: &GeneratorArgs) -> Value {
    let mut metadata = Map::new();
    metadata.insert("name".into(), Value::String(name.into()));
    if let Some(namespace) = args.namespace.as_deref().filter(|ns| !ns.is_empty()) {
        metadata.insert("namespace".into(), Value::String(namespace.into()));
    }
    let mut object = json!({"apiVersion": "v1", "kind": kind.kind(), "metadata": metadata});
    if kind == Kind::Secret {
        let secret_type = args
            .secret_type
            .as_deref()
            .filter(|t| !t.is_empty())
            .unwrap_or("Opaque");
        object["type"] = Value::String(secret_type.into());
    }
    object
}

/// UTF-8 values go to `data`, others to `binaryData` (base64). Neither key
/// is written when it would be empty.
fn fill_config_map_data(object: &mut Value, data: BTreeMap<String, Vec<u8>>) {
    let mut text = Map::new();
    let mut binary = Map::new();
    for (key, bytes) in data {
        match String::from_utf8(bytes) {
            Ok(value) => text.insert(key, Value::String(value)),
            Err(err) => binary.insert(key, Value::String(encode_base64(err.as_bytes()))),
        };
    }
    if !text.is_empty() {
        object["data"] = Value::Object(text);
    }
    if !binary.is_empty() {
        object["binaryData"] = Value::Object(binary);
    }
}

/// Every value base64; `data` is written even when empty (`data: {}`).
fn fill_secret_data(object: &mut Value, data: BTreeMap<String, Vec<u8>>) {
    let encoded = data
        .into_iter()
        .map(|(key, bytes)| (key, Value::String(encode_base64(&bytes))))
        .collect();
    object["data"] = Value::Object(encoded);
}

/// Labels, annotations and `immutable: true` from the merged options.
fn apply_options(object: &mut Value, options: &GeneratorOptions) {
    for (field, map) in [
        ("labels", &options.labels),
        ("annotations", &options.annotations),
    ] {
        let Some(map) = map.as_ref().filter(|m| !m.is_empty()) else {
            continue;
        };
        let mut sorted: Vec<_> = map.iter().collect();
        sorted.sort();
        let values = sorted
            .into_iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        object["metadata"][field] = Value::Object(values);
    }
    if options.immutable == Some(true) {
        object["immutable"] = Value::Bool(true);
    }
}

/// Base64 as kustomize writes it: lines of 70 characters, each followed by
/// a newline once the text is 70 characters or longer.
pub fn encode_base64(bytes: &[u8]) -> String {
    const LINE: usize = 70;
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    if encoded.len() < LINE {
        return encoded;
    }
    let mut out = String::with_capacity(encoded.len() + encoded.len() / LINE + 1);
    for chunk in encoded.as_bytes().chunks(LINE) {
        // base64 output is ASCII, so byte chunks are valid strings.
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out
}

/// One generator being built, for error messages.
struct Context<'a> {
    kind: Kind,
    name: &'a str,
    origin_path: &'a Path,
}

impl Context<'_> {
    fn error(&self, message: impl std::fmt::Display) -> Error {
        Error::file(
            self.origin_path,
            format!("{} `{}`: {message}", self.kind.field(), self.name),
        )
    }

    /// Re-labels an error from the loader so it names the generator, keeping its hint.
    fn wrap(&self, what: &str, error: Error) -> Error {
        let wrapped = self.error(format_args!("{what}: {error}"));
        match error.hint() {
            Some(hint) => wrapped.with_hint(hint),
            None => wrapped,
        }
    }

    /// Every key/value pair, in kustomize's order (env files, literals,
    /// files); a repeated key is an error.
    fn load_data(
        &self,
        args: &GeneratorArgs,
        loader: &Loader,
    ) -> Result<BTreeMap<String, Vec<u8>>> {
        let mut pairs = Vec::new();
        for env in &args.envs {
            pairs.extend(self.env_file_pairs(env, loader)?);
        }
        for literal in &args.literals {
            let (key, value) = parse_literal(literal).ok_or_else(|| {
                self.error(format_args!(
                    "invalid literal `{literal}`, expected KEY=VALUE"
                ))
            })?;
            pairs.push((key, value.into_bytes()));
        }
        for source in &args.files {
            pairs.push(self.file_pair(source, loader)?);
        }
        let mut data = BTreeMap::new();
        for (key, value) in pairs {
            if data.insert(key.clone(), value).is_some() {
                return Err(self.error(format_args!("the key `{key}` is repeated")));
            }
        }
        Ok(data)
    }

    fn read(&self, what: &str, path: &str, loader: &Loader) -> Result<Vec<u8>> {
        let resolved = loader.resolve(path);
        if loader.fs().is_dir(&resolved) {
            return Err(self.error(format_args!("{what} `{path}` is a directory; name a file")));
        }
        loader
            .read(path)
            .map(|(_, bytes)| bytes)
            .map_err(|error| self.wrap(&format!("{what} `{path}`"), error))
    }

    fn file_pair(&self, source: &str, loader: &Loader) -> Result<(String, Vec<u8>)> {
        let (key, path) = parse_file_source(source).map_err(|message| self.error(message))?;
        let bytes = self.read("file", &path, loader)?;
        Ok((key, bytes))
    }

    fn env_file_pairs(&self, path: &str, loader: &Loader) -> Result<Vec<(String, Vec<u8>)>> {
        let bytes = self.read("env file", path, loader)?;
        parse_env(&bytes)
            .map_err(|message| self.error(format_args!("env file `{path}`: {message}")))
            .map(|pairs| {
                pairs
                    .into_iter()
                    .map(|(k, v)| (k, v.into_bytes()))
                    .collect()
            })
    }
}

/// `KEY=VALUE`, split at the first `=`; one pair of matching surrounding
/// quotes (`"` or `'`) is removed from the value. `None` when the key is
/// empty or there is no `=`.
fn parse_literal(source: &str) -> Option<(String, String)> {
    let (key, value) = source.split_once('=')?;
    if key.is_empty() {
        return None;
    }
    Some((key.to_string(), remove_quotes(value).to_string()))
}

fn remove_quotes(value: &str) -> &str {
    let bytes = value.as_bytes();
    if bytes.len() >= 2 && bytes[0] == bytes[bytes.len() - 1] && matches!(bytes[0], b'"' | b'\'') {
        &value[1..value.len() - 1]
    } else {
        value
    }
}

/// `path` (key = the file's base name) or `key=path`, as kustomize's `ParseFileSource`.
fn parse_file_source(source: &str) -> Result<(String, String), String> {
    match source.matches('=').count() {
        0 => Ok((base_name(source), source.to_string())),
        1 if source.starts_with('=') => Err(format!(
            "missing key name for file path `{}` in source `{source}`",
            &source[1..]
        )),
        1 if source.ends_with('=') => Err(format!(
            "missing file path for key name `{}` in source `{source}`",
            &source[..source.len() - 1]
        )),
        1 => {
            let (key, path) = source.split_once('=').unwrap_or_default();
            Ok((key.to_string(), path.to_string()))
        }
        _ => Err(format!(
            "source `{source}`: the key name or file path contains `=`"
        )),
    }
}

/// Go's `path.Base`: the last `/`-separated element, trailing slashes ignored.
fn base_name(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".into();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()
}

/// Parses an env file as kustomize does: lines split like Go's
/// `bufio.ScanLines` (a trailing `\r` dropped), a UTF-8 BOM removed from the
/// first line only, leading whitespace trimmed, blank lines and `#` comments
/// skipped, `KEY=VALUE` split at the first `=` with the value kept verbatim
/// (no quote removal), and a line without `=` giving `KEY` an empty value.
fn parse_env(content: &[u8]) -> Result<Vec<(String, String)>, String> {
    let mut pairs = Vec::new();
    for (number, line) in scan_lines(content).enumerate() {
        let line = std::str::from_utf8(line)
            .map_err(|_| format!("line {} has invalid UTF-8 bytes", number + 1))?;
        let line = if number == 0 {
            line.strip_prefix('\u{feff}').unwrap_or(line)
        } else {
            line
        };
        let line = line.trim_start();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line.split_once('=').unwrap_or((line, ""));
        // `=value` has an empty key, which kustomize skips like a blank line.
        if key.is_empty() {
            continue;
        }
        pairs.push((key.to_string(), value.to_string()));
    }
    Ok(pairs)
}

/// Lines as Go's `bufio.ScanLines` yields them.
fn scan_lines(content: &[u8]) -> impl Iterator<Item = &[u8]> {
    let body = content.strip_suffix(b"\n").unwrap_or(content);
    let lines = if content.is_empty() {
        None
    } else {
        Some(body.split(|b| *b == b'\n'))
    };
    lines
        .into_iter()
        .flatten()
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
}

#[cfg(test)]
mod tests;
