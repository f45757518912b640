//! Path patterns as kustomize's edit commands expand them: Go's
//! `filepath.Glob` (relative to the kustomization's directory) and
//! `filepath.Match`.

use std::path::Path;

use glob::{MatchOptions, Pattern};

use crate::error::{Error, Result};

const OPTIONS: MatchOptions = MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: false,
};

fn has_meta(s: &str) -> bool {
    s.contains(['*', '?', '[', '\\'])
}

fn pattern(text: &str) -> Result<Pattern> {
    Pattern::new(text).map_err(|e| Error::msg(format!("syntax error in pattern {text:?}: {e}")))
}

/// Whether `name` matches `pattern` (`filepath.Match`: `*` stops at `/`).
pub fn matches(pattern_text: &str, name: &str) -> Result<bool> {
    Ok(pattern(pattern_text)?.matches_with(name, OPTIONS))
}

/// The paths matching `pattern` under `root`, spelled as Go spells them: a
/// pattern without wildcards comes back as written if it exists; matches of
/// a wildcard are joined to their directory and cleaned (`./*.yaml` gives
/// `a.yaml`), sorted by name within each directory.
pub fn glob(root: &Path, pattern_text: &str) -> Result<Vec<String>> {
    pattern(pattern_text)?;
    if !has_meta(pattern_text) {
        let exists = std::fs::symlink_metadata(root.join(pattern_text)).is_ok();
        return Ok(if exists {
            vec![pattern_text.to_string()]
        } else {
            Vec::new()
        });
    }
    let (dir, file) = match pattern_text.rfind('/') {
        Some(0) => ("/", &pattern_text[1..]),
        Some(i) => (&pattern_text[..i], &pattern_text[i + 1..]),
        None => (".", pattern_text),
    };
    if !has_meta(dir) {
        return glob_dir(root, dir, file);
    }
    if dir == pattern_text {
        return Err(Error::msg(format!(
            "syntax error in pattern {pattern_text:?}"
        )));
    }
    let mut out = Vec::new();
    for d in glob(root, dir)? {
        out.extend(glob_dir(root, &d, file)?);
    }
    Ok(out)
}

fn glob_dir(root: &Path, dir: &str, file: &str) -> Result<Vec<String>> {
    let file_pattern = pattern(file)?;
    let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
        return Ok(Vec::new());
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| file_pattern.matches_with(n, OPTIONS))
        .collect();
    names.sort();
    Ok(names.into_iter().map(|n| join(dir, &n)).collect())
}

/// Go's `filepath.Join(dir, name)`: joined, then cleaned lexically.
fn join(dir: &str, name: &str) -> String {
    let joined = Path::new(dir).join(name);
    crate::fs::normalize(&joined).to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_like_go() {
        let dir = tempfile::tempdir().unwrap();
        for f in ["b.yaml", "a.yaml", "c.txt", "sub/d.yaml"] {
            let p = dir.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "").unwrap();
        }
        let root = dir.path();
        assert_eq!(glob(root, "*.yaml").unwrap(), ["a.yaml", "b.yaml"]);
        assert_eq!(glob(root, "./*.yaml").unwrap(), ["a.yaml", "b.yaml"]);
        assert_eq!(glob(root, "*/*.yaml").unwrap(), ["sub/d.yaml"]);
        assert_eq!(glob(root, "./c.txt").unwrap(), ["./c.txt"]);
        assert!(glob(root, "missing.yaml").unwrap().is_empty());
        assert!(glob(root, "[").is_err());
        assert!(matches("*.yaml", "a.yaml").unwrap());
        assert!(!matches("*.yaml", "sub/a.yaml").unwrap());
    }
}
