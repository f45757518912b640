//! The file system seam: the library reads files only through [`FileSystem`].
//!
//! [`DiskFs`] is the one user of `std::fs`; [`MemFs`] serves tests and
//! callers that build trees in memory.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};

/// Read-only access to a tree of files.
pub trait FileSystem: Sync {
    fn read(&self, path: &Path) -> Result<Vec<u8>>;
    fn is_dir(&self, path: &Path) -> bool;
    fn is_file(&self, path: &Path) -> bool;
    /// Entries of a directory, sorted by name so walks are deterministic.
    fn read_dir(&self, path: &Path) -> Result<Vec<PathBuf>>;
    /// The canonical form of an existing path (symlinks resolved on disk).
    fn canonicalize(&self, path: &Path) -> Result<PathBuf>;

    /// What `path` is when it is neither a regular file nor a directory
    /// (`a FIFO`, `a symbolic link loop`, ...), for errors; `None` when it
    /// does not exist (or the file system cannot tell).
    fn special_kind(&self, _path: &Path) -> Option<&'static str> {
        None
    }

    fn read_to_string(&self, path: &Path) -> Result<String> {
        let bytes = self.read(path)?;
        String::from_utf8(bytes).map_err(|_| Error::file(path, "file is not valid UTF-8"))
    }
}

/// The real file system.
#[derive(Clone, Copy, Debug, Default)]
pub struct DiskFs;

impl FileSystem for DiskFs {
    fn read(&self, path: &Path) -> Result<Vec<u8>> {
        std::fs::read(path).map_err(|e| Error::io(path, e))
    }

    fn is_dir(&self, path: &Path) -> bool {
        path.is_dir()
    }

    fn is_file(&self, path: &Path) -> bool {
        path.is_file()
    }

    fn read_dir(&self, path: &Path) -> Result<Vec<PathBuf>> {
        let mut entries = Vec::new();
        for entry in std::fs::read_dir(path).map_err(|e| Error::io(path, e))? {
            entries.push(entry.map_err(|e| Error::io(path, e))?.path());
        }
        entries.sort();
        Ok(entries)
    }

    fn canonicalize(&self, path: &Path) -> Result<PathBuf> {
        std::fs::canonicalize(path).map_err(|e| Error::io(path, e))
    }

    fn special_kind(&self, path: &Path) -> Option<&'static str> {
        use std::os::unix::fs::FileTypeExt;
        let link = std::fs::symlink_metadata(path).ok()?;
        let kind = match std::fs::metadata(path) {
            Ok(target) => target.file_type(),
            // ELOOP: the link resolves to itself, however indirectly.
            Err(e) if e.raw_os_error() == Some(40) => return Some("a symbolic link loop"),
            Err(_) if link.file_type().is_symlink() => return Some("a dangling symbolic link"),
            Err(_) => return None,
        };
        if kind.is_fifo() {
            Some("a FIFO (named pipe)")
        } else if kind.is_char_device() {
            Some("a character device")
        } else if kind.is_block_device() {
            Some("a block device")
        } else if kind.is_socket() {
            Some("a socket")
        } else {
            None
        }
    }
}

/// An in-memory tree of files, keyed by normalized absolute-or-relative path.
#[derive(Clone, Debug, Default)]
pub struct MemFs {
    files: BTreeMap<PathBuf, Vec<u8>>,
}

impl MemFs {
    pub fn new() -> Self {
        MemFs::default()
    }

    /// Adds (or replaces) a file.
    pub fn add(&mut self, path: impl AsRef<Path>, content: impl Into<Vec<u8>>) -> &mut Self {
        self.files.insert(normalize(path.as_ref()), content.into());
        self
    }
}

impl FileSystem for MemFs {
    fn read(&self, path: &Path) -> Result<Vec<u8>> {
        self.files.get(&normalize(path)).cloned().ok_or_else(|| {
            Error::io(
                path,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
            )
        })
    }

    fn is_dir(&self, path: &Path) -> bool {
        let dir = normalize(path);
        self.files.keys().any(|p| p.starts_with(&dir) && *p != dir)
    }

    fn is_file(&self, path: &Path) -> bool {
        self.files.contains_key(&normalize(path))
    }

    fn read_dir(&self, path: &Path) -> Result<Vec<PathBuf>> {
        let dir = normalize(path);
        let mut entries: Vec<PathBuf> = self
            .files
            .keys()
            .filter_map(|p| p.strip_prefix(&dir).ok())
            .filter_map(|rest| rest.components().next())
            .map(|first| dir.join(first))
            .collect();
        entries.dedup();
        Ok(entries)
    }

    fn canonicalize(&self, path: &Path) -> Result<PathBuf> {
        let path = normalize(path);
        if self.is_file(&path) || self.is_dir(&path) {
            Ok(path)
        } else {
            Err(Error::io(
                &path,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory"),
            ))
        }
    }
}

/// Lexically normalizes a path: removes `.` and folds `..` where possible.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            // `..` folds into a name before it; above the root it stays `/`;
            // after another `..` (or at the start of a relative path) it is kept.
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memfs_lists_directories_sorted() {
        let mut fs = MemFs::new();
        fs.add("/a/b.yaml", "x")
            .add("/a/c/d.yaml", "y")
            .add("/a/a.yaml", "z");
        let entries = fs.read_dir(Path::new("/a")).unwrap();
        assert_eq!(
            entries,
            vec![
                PathBuf::from("/a/a.yaml"),
                PathBuf::from("/a/b.yaml"),
                PathBuf::from("/a/c")
            ]
        );
        assert!(fs.is_dir(Path::new("/a/c")));
        assert!(!fs.is_dir(Path::new("/a/b.yaml")));
    }

    #[test]
    fn normalizes_paths() {
        let cases = [
            ("/a/./b/../c", "/a/c"),
            ("./../../base", "../../base"),
            ("../a/../../b", "../../b"),
            ("a/../..", ".."),
            ("/..", "/"),
            ("a/..", "."),
        ];
        for (input, expected) in cases {
            assert_eq!(
                normalize(Path::new(input)),
                PathBuf::from(expected),
                "{input}"
            );
        }
    }
}
