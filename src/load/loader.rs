//! File access for one kustomization root, under the load restrictor.
//!
//! Every file a kustomization names is read through its [`Loader`]. With
//! the default restrictor (`LoadRestrictionsRootOnly`, as `kubectl
//! kustomize`), a file must lie inside the kustomization's directory;
//! other kustomization directories (bases) may lie anywhere.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::fs::{normalize, FileSystem};

/// kustomize's `--load-restrictor` values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LoadRestrictions {
    /// Files must be under the kustomization root (kustomize's default).
    #[default]
    RootOnly,
    /// Files may be anywhere.
    None,
}

/// Reads files relative to one kustomization directory.
#[derive(Clone, Copy)]
pub struct Loader<'a> {
    fs: &'a dyn FileSystem,
    root: &'a Path,
    restrictions: LoadRestrictions,
}

impl<'a> Loader<'a> {
    /// `root` must be a normalized directory path (see [`crate::fs::normalize`]).
    pub fn new(fs: &'a dyn FileSystem, root: &'a Path, restrictions: LoadRestrictions) -> Self {
        Loader {
            fs,
            root,
            restrictions,
        }
    }

    pub fn fs(&self) -> &'a dyn FileSystem {
        self.fs
    }

    /// The kustomization directory this loader reads from.
    pub fn root(&self) -> &'a Path {
        self.root
    }

    pub fn restrictions(&self) -> LoadRestrictions {
        self.restrictions
    }

    /// The path of `relative` (as written in the kustomization) from the root.
    pub fn resolve(&self, relative: &str) -> PathBuf {
        normalize(&self.root.join(relative))
    }

    /// Checks that `path` may be read under the restrictor.
    pub fn check_allowed(&self, path: &Path) -> Result<()> {
        if self.restrictions == LoadRestrictions::None {
            return Ok(());
        }
        // Compare real paths so symlinks cannot escape the root.
        let real = self.fs.canonicalize(path)?;
        let root = self.fs.canonicalize(self.root)?;
        if real.starts_with(&root) {
            Ok(())
        } else {
            Err(Error::file(
                path,
                format!(
                    "security; file '{}' is not in or below '{}'",
                    real.display(),
                    root.display()
                ),
            )
            .with_hint("pass `--load-restrictor LoadRestrictionsNone` to allow files outside a kustomization's directory"))
        }
    }

    /// Reads a file named in the kustomization, under the restrictor.
    pub fn read(&self, relative: &str) -> Result<(PathBuf, Vec<u8>)> {
        let path = self.resolve(relative);
        if !self.fs.is_file(&path) {
            return Err(not_found(self.fs, &path, "no such file", "regular files"));
        }
        self.check_allowed(&path)?;
        let bytes = self.fs.read(&path)?;
        Ok((path, bytes))
    }

    /// Like [`Loader::read`], as UTF-8 text.
    pub fn read_to_string(&self, relative: &str) -> Result<(PathBuf, String)> {
        let (path, bytes) = self.read(relative)?;
        let text =
            String::from_utf8(bytes).map_err(|_| Error::file(&path, "file is not valid UTF-8"))?;
        Ok((path, text))
    }
}

/// The error for a path that is not what was expected: `missing` when
/// nothing is there, what it is when it is a FIFO, device or symlink loop
/// (only `readable` are read); for a missing path, the nearest existing
/// name as a hint.
pub fn not_found(fs: &dyn FileSystem, path: &Path, missing: &str, readable: &str) -> Error {
    if let Some(kind) = fs.special_kind(path) {
        return Error::file(path, format!("it is {kind}; only {readable} are read"));
    }
    let error = Error::file(path, missing);
    match nearest_sibling(fs, path) {
        Some(near) => error.with_hint(format!("did you mean `{near}`?")),
        None => error,
    }
}

/// The entry of `path`'s directory whose name is nearest to its own (at
/// most 3 edits, and not the name itself), for a missing file.
pub fn nearest_sibling(fs: &dyn FileSystem, path: &Path) -> Option<String> {
    let name = path.file_name()?.to_string_lossy().into_owned();
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    fs.read_dir(parent)
        .ok()?
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .filter(|candidate| *candidate != name)
        .map(|candidate| {
            (
                crate::load::kustomization::edit_distance(&candidate, &name),
                candidate,
            )
        })
        .filter(|(distance, _)| *distance <= 3)
        .min()
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::MemFs;

    #[test]
    fn refuses_files_outside_the_root_by_default() {
        let mut fs = MemFs::new();
        fs.add("/r/app/kustomization.yaml", "")
            .add("/r/secret.yaml", "x");
        let root = PathBuf::from("/r/app");
        let loader = Loader::new(&fs, &root, LoadRestrictions::RootOnly);
        let err = loader.read("../secret.yaml").unwrap_err();
        assert!(err.to_string().contains("is not in or below"), "{err}");
        let open = Loader::new(&fs, &root, LoadRestrictions::None);
        assert_eq!(open.read("../secret.yaml").unwrap().1, b"x");
    }

    #[test]
    fn a_missing_file_suggests_the_nearest_name() {
        let mut fs = MemFs::new();
        fs.add("/r/kustomization.yaml", "")
            .add("/r/patch.yaml", "x");
        let root = PathBuf::from("/r");
        let loader = Loader::new(&fs, &root, LoadRestrictions::RootOnly);
        let err = loader.read("pach.yaml").unwrap_err();
        assert!(err.to_string().contains("no such file"), "{err}");
        assert_eq!(err.hint(), Some("did you mean `patch.yaml`?"));
        let err = loader.read("unrelated-name.yaml").unwrap_err();
        assert_eq!(err.hint(), None);
    }
}
