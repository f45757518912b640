//! A [`FileSystem`] wrapper that records every path a build looks at, so a
//! revision diff can tell whether a target's inputs changed.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use crate::error::Result;
use crate::fs::{normalize, FileSystem};

/// Passes every call to `inner` and remembers the paths asked about.
pub struct RecordingFs<'a> {
    inner: &'a dyn FileSystem,
    seen: Mutex<Recorded>,
}

/// The paths one build touched.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recorded {
    /// Files read and paths probed (`is_file`, `is_dir`, `canonicalize`):
    /// a probe that found nothing matters too, since the file may appear.
    pub paths: BTreeSet<PathBuf>,
    /// Directories listed: a file added to or removed from one matters.
    pub listed: BTreeSet<PathBuf>,
}

impl Recorded {
    /// Whether any of `changed` (paths relative to `root`) is something the
    /// build touched, or sits directly in a directory it listed.
    pub fn touches(&self, root: &Path, changed: &BTreeSet<PathBuf>) -> bool {
        let relative = |path: &PathBuf| path.strip_prefix(root).ok().map(Path::to_path_buf);
        let paths: BTreeSet<PathBuf> = self.paths.iter().filter_map(relative).collect();
        let listed: BTreeSet<PathBuf> = self.listed.iter().filter_map(relative).collect();
        changed.iter().any(|path| {
            paths.contains(path) || path.parent().is_some_and(|dir| listed.contains(dir))
        })
    }
}

impl<'a> RecordingFs<'a> {
    pub fn new(inner: &'a dyn FileSystem) -> Self {
        RecordingFs {
            inner,
            seen: Mutex::new(Recorded::default()),
        }
    }

    /// What was touched so far.
    pub fn recorded(&self) -> Recorded {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn note(&self, path: &Path) {
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        seen.paths.insert(normalize(path));
    }
}

impl FileSystem for RecordingFs<'_> {
    fn read(&self, path: &Path) -> Result<Vec<u8>> {
        self.note(path);
        self.inner.read(path)
    }

    fn is_dir(&self, path: &Path) -> bool {
        self.note(path);
        self.inner.is_dir(path)
    }

    fn is_file(&self, path: &Path) -> bool {
        self.note(path);
        self.inner.is_file(path)
    }

    fn read_dir(&self, path: &Path) -> Result<Vec<PathBuf>> {
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        seen.listed.insert(normalize(path));
        drop(seen);
        self.inner.read_dir(path)
    }

    fn canonicalize(&self, path: &Path) -> Result<PathBuf> {
        self.note(path);
        self.inner.canonicalize(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::MemFs;

    fn set(paths: &[&str]) -> BTreeSet<PathBuf> {
        paths.iter().map(PathBuf::from).collect()
    }

    #[test]
    fn records_reads_probes_and_listings() {
        let mut mem = MemFs::new();
        mem.add("/r/a/kustomization.yaml", "x")
            .add("/r/a/cm.yaml", "y");
        let fs = RecordingFs::new(&mem);
        fs.read(Path::new("/r/a/./cm.yaml")).unwrap();
        assert!(!fs.is_file(Path::new("/r/a/kustomization.yml")));
        fs.read_dir(Path::new("/r/a/")).unwrap();
        let recorded = fs.recorded();
        assert_eq!(
            recorded.paths,
            set(&["/r/a/cm.yaml", "/r/a/kustomization.yml"])
        );
        assert_eq!(recorded.listed, set(&["/r/a"]));
    }

    #[test]
    fn touches_compares_relative_to_the_root() {
        let recorded = Recorded {
            paths: set(&["/r/a/cm.yaml", "/r/a/kustomization.yml"]),
            listed: set(&["/r/gen"]),
        };
        let root = Path::new("/r");
        let cases = [
            (&["a/cm.yaml"][..], true),
            // A probe that found nothing: the file was deleted or added.
            (&["a/kustomization.yml"][..], true),
            (&["gen/new.yaml"][..], true),
            (&["gen/sub/deep.yaml"][..], false),
            (&["b/cm.yaml", "README.md"][..], false),
            (&[][..], false),
        ];
        for (changed, expected) in cases {
            assert_eq!(
                recorded.touches(root, &set(changed)),
                expected,
                "{changed:?}"
            );
        }
    }
}
