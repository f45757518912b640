//! kustomize's Git URL grammar (`api/internal/git/repospec.go`, v5.5.0):
//! which `resources:` entries name a Git repository, and how such an entry
//! splits into the URL handed to `git`, a ref, and a path inside the clone.

use std::path::{Component, Path};
use std::time::Duration;

/// A Git repository, a ref in it and a kustomization directory below it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepoSpec {
    /// The entry as written in the kustomization.
    pub raw: String,
    /// Scheme, user and host, e.g. `https://github.com/` or `git@github.com:`.
    pub host: String,
    /// The repository path on the host, e.g. `kubernetes-sigs/kustomize`.
    pub repo_path: String,
    /// The kustomization directory inside the repository (`""`: its root).
    pub kust_root_path: String,
    /// Branch, tag or commit (`?ref=` or `?version=`); `""` means `HEAD`.
    pub git_ref: String,
    /// How long one git command may run (`?timeout=`; 27 s by default).
    pub timeout: Duration,
    /// Whether submodules are cloned too (`?submodules=`; true by default).
    pub submodules: bool,
}

/// kustomize's limit for one git command when `?timeout=` is absent.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(27);

const FILE_SCHEME: &str = "file://";
const HTTP_SCHEME: &str = "http://";
const HTTPS_SCHEME: &str = "https://";
const SSH_SCHEME: &str = "ssh://";
const GIT_ROOT_DELIMITER: &str = "_git/";
const GIT_SUFFIX: &str = ".git";

impl RepoSpec {
    /// Parses a Git URL as kustomize does; the error says why `url` is not one.
    pub fn parse(url: &str) -> Result<RepoSpec, String> {
        if url.starts_with('/') {
            return Err(format!("uri looks like abs path: {url}"));
        }
        let (rest, query) = url.split_once('?').unwrap_or((url, ""));
        let (git_ref, timeout, submodules) = parse_query(query);
        let (host, rest) = extract_host(rest)?;
        let all_segments = host.starts_with(FILE_SCHEME);
        let (repo_path, kust_root_path) = parse_path_parts(&rest, all_segments)?;
        Ok(RepoSpec {
            raw: url.to_string(),
            host,
            repo_path,
            kust_root_path,
            git_ref,
            timeout,
            submodules,
        })
    }

    /// The URL given to `git fetch`.
    pub fn clone_spec(&self) -> String {
        format!("{}{}", self.host, self.repo_path)
    }

    /// The ref to fetch: the one asked for, else `HEAD`.
    pub fn fetch_ref(&self) -> &str {
        if self.git_ref.is_empty() {
            "HEAD"
        } else {
            &self.git_ref
        }
    }
}

/// Splits the repository path from the kustomization path: at `_git/<repo>`,
/// at `//`, after `.git`, or else after the first two segments (all of them
/// for `file://`).
fn parse_path_parts(path: &str, all_segments: bool) -> Result<(String, String), String> {
    let (repo, kust) = explicit_marker_split(path)
        .or_else(|| default_length_split(path, all_segments))
        .filter(|(repo, _)| !repo.is_empty())
        .ok_or_else(|| "failed to parse repo path segment".to_string())?;
    if exits_repo(&kust) {
        return Err(format!("url path exits repo: {path}"));
    }
    Ok((repo, kust.trim_start_matches('/').to_string()))
}

fn explicit_marker_split(path: &str) -> Option<(String, String)> {
    if let Some(index) = path.find(GIT_ROOT_DELIMITER) {
        let end = index + GIT_ROOT_DELIMITER.len();
        let (repo_name, kust) = path[end..].split_once('/').unwrap_or((&path[end..], ""));
        return Some((format!("{}{repo_name}", &path[..end]), kust.to_string()));
    }
    if let Some(index) = path.find("//") {
        return Some((path[..index].to_string(), path[index + 2..].to_string()));
    }
    path.find(GIT_SUFFIX).map(|index| {
        let end = index + GIT_SUFFIX.len();
        (path[..end].to_string(), path[end..].to_string())
    })
}

fn default_length_split(path: &str, all_segments: bool) -> Option<(String, String)> {
    if all_segments {
        return Some((path.to_string(), String::new()));
    }
    let segments: Vec<&str> = path.split('/').collect();
    (segments.len() >= 2).then(|| (segments[..2].join("/"), segments[2..].join("/")))
}

fn exits_repo(kust_root_path: &str) -> bool {
    let cleaned = crate::fs::normalize(Path::new(kust_root_path.trim_start_matches('/')));
    matches!(cleaned.components().next(), Some(Component::ParentDir))
}

/// `ref` (or else `version`), `timeout` and `submodules`; malformed values
/// fall back to the defaults, as in kustomize.
fn parse_query(query: &str) -> (String, Duration, bool) {
    let Some(pairs) = query_pairs(query) else {
        return (String::new(), DEFAULT_TIMEOUT, true);
    };
    let get = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let git_ref = if get("ref").is_empty() {
        get("version")
    } else {
        get("ref")
    };
    let timeout = parse_timeout(get("timeout")).unwrap_or(DEFAULT_TIMEOUT);
    let submodules = parse_bool(get("submodules")).unwrap_or(true);
    (git_ref.to_string(), timeout, submodules)
}

/// Go's `url.ParseQuery`: `&`-separated, `+` and `%XX` decoded; `None` on a
/// malformed pair (a `;` or a bad escape).
fn query_pairs(query: &str) -> Option<Vec<(String, String)>> {
    let mut pairs = Vec::new();
    for part in query.split('&').filter(|p| !p.is_empty()) {
        if part.contains(';') {
            return None;
        }
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        pairs.push((unescape(key)?, unescape(value)?));
    }
    Some(pairs)
}

fn unescape(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = text.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Whole seconds (`61`) or a Go duration (`1m1s`); zero or negative is unset.
fn parse_timeout(text: &str) -> Option<Duration> {
    if let Ok(seconds) = text.parse::<i64>() {
        return (seconds > 0).then(|| Duration::from_secs(seconds.unsigned_abs()));
    }
    parse_go_duration(text).filter(|d| !d.is_zero())
}

/// Go's `time.ParseDuration` for non-negative values.
fn parse_go_duration(text: &str) -> Option<Duration> {
    let mut rest = text.strip_prefix('+').unwrap_or(text);
    if rest.is_empty() || rest.starts_with('-') {
        return None;
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let number_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..number_end].parse().ok()?;
        rest = &rest[number_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_end] {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        rest = &rest[unit_end..];
        total += number * scale;
    }
    Some(Duration::from_secs_f64(total))
}

/// Go's `strconv.ParseBool`.
fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Splits the scheme, user and host from the rest of the URL.
fn extract_host(url: &str) -> Result<(String, String), String> {
    let url = strip_prefix_ignore_case(url, "git::").unwrap_or(url);
    let (scheme, url) = extract_scheme(url);
    let (username, url) = extract_username(url);
    let github = is_standard_github_host(url);
    let accept_scp = scheme.is_empty() && (!username.is_empty() || github);
    if scheme.is_empty() && !accept_scp {
        return Err("failed to parse scheme".to_string());
    }
    if scheme == FILE_SCHEME {
        return Ok((scheme.to_string(), format!("{username}{url}")));
    }
    let (mut host, rest) = match find_path_separator(url, accept_scp) {
        Some(index) => (&url[..=index], &url[index + 1..]),
        None => (url, ""),
    };
    let (mut scheme, mut username) = (scheme, username);
    if github {
        // kustomize normalizes GitHub to https, or to scp-style ssh with a user.
        if scheme.starts_with(SSH_SCHEME) || !username.is_empty() {
            (scheme, host) = ("", "github.com:");
        } else {
            (scheme, username, host) = (HTTPS_SCHEME, "", "github.com/");
        }
    }
    if host.is_empty() {
        return Err("failed to parse host segment".to_string());
    }
    Ok((format!("{scheme}{username}{host}"), rest.to_string()))
}

fn extract_scheme(url: &str) -> (&'static str, &str) {
    for scheme in [SSH_SCHEME, HTTPS_SCHEME, HTTP_SCHEME, FILE_SCHEME] {
        if let Some(rest) = strip_prefix_ignore_case(url, scheme) {
            return (scheme, rest);
        }
    }
    ("", url)
}

/// A leading `user@` where the user is a letter then letters, digits and `-`.
fn extract_username(url: &str) -> (&str, &str) {
    let Some(at) = url.find('@') else {
        return ("", url);
    };
    let user = &url[..at];
    let valid = user.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && user.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if valid {
        url.split_at(at + 1)
    } else {
        ("", url)
    }
}

fn is_standard_github_host(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    lower.starts_with("github.com/") || lower.starts_with("github.com:")
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// The index of the `/` (or, scp-style, a `:` before any `/`) ending the host.
fn find_path_separator(url: &str, accept_scp: bool) -> Option<usize> {
    let slash = url.find('/');
    if !accept_scp {
        return slash;
    }
    let colon = url.find(':');
    match (slash, colon) {
        (None, _) => colon,
        (Some(slash), Some(colon)) if colon > 0 && colon < slash => Some(colon),
        (slash, _) => slash,
    }
}

#[cfg(test)]
mod tests;
