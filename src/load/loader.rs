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
            return Err(Error::file(&path, "no such file"));
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
}
