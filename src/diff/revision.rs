//! Diffs between two trees of files: the same targets built at a base
//! revision and in the work tree, compared per resource.
//!
//! The caller materializes the base revision somewhere (the CLI uses Git)
//! and says which repository paths differ; a target whose build touched
//! none of them is not rebuilt at the base and is listed as unchanged.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::build::{build, BuildOptions};
use crate::error::{Result, ResultExt};
use crate::fs::FileSystem;
use crate::resource::{Resource, ResourceMap};

use super::recording::RecordingFs;
use super::targets::{find_targets, kustomization_file};
use super::{compare_maps, Change, DiffOptions, ResourceDiff, TargetDiff};

/// A tree of files: a file system and the repository root within it.
#[derive(Clone, Copy)]
pub struct Tree<'a> {
    pub fs: &'a dyn FileSystem,
    pub root: &'a Path,
}

impl Tree<'_> {
    fn path(&self, relative: &Path) -> PathBuf {
        self.root.join(relative)
    }

    fn has_kustomization(&self, relative: &Path) -> bool {
        kustomization_file(self.fs, &self.path(relative)).is_some()
    }
}

/// One revision diff: two trees, the paths that differ, and the options.
pub struct RevisionDiff<'a> {
    /// The base revision's tree.
    pub before: Tree<'a>,
    /// The work tree.
    pub after: Tree<'a>,
    /// Paths, relative to the roots, that differ between the trees.
    pub changed: &'a BTreeSet<PathBuf>,
    pub build: &'a BuildOptions,
    pub diff: &'a DiffOptions,
}

impl RevisionDiff<'_> {
    /// The targets under each of `paths` (relative to the roots) in either
    /// tree, relative to the roots, sorted and without repeats.
    pub fn targets(&self, paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
        let mut targets = BTreeSet::new();
        for tree in [self.after, self.before] {
            for path in paths {
                let dir = tree.path(path);
                if !tree.fs.is_dir(&dir) {
                    continue;
                }
                for target in find_targets(tree.fs, &dir)? {
                    if let Ok(relative) = target.strip_prefix(tree.root) {
                        targets.insert(relative.to_path_buf());
                    }
                }
            }
        }
        Ok(targets.into_iter().collect())
    }

    /// Diffs every target.
    pub fn run(&self, targets: &[PathBuf]) -> Result<Vec<TargetDiff>> {
        targets.iter().map(|target| self.target(target)).collect()
    }

    /// Diffs one target (a path relative to the roots).
    pub fn target(&self, target: &Path) -> Result<TargetDiff> {
        let name = target.display().to_string();
        let name = if name.is_empty() {
            ".".to_string()
        } else {
            name
        };
        let after = if self.after.has_kustomization(target) {
            let recording = RecordingFs::new(self.after.fs);
            let resources = build(&recording, &self.after.path(target), self.build)?.resources;
            if !recording.recorded().touches(self.after.root, self.changed) {
                return Ok(TargetDiff {
                    target: name,
                    skipped: true,
                    resources: resources.iter().map(unchanged).collect(),
                });
            }
            resources
        } else {
            ResourceMap::new()
        };
        let before = if self.before.has_kustomization(target) {
            build(self.before.fs, &self.before.path(target), self.build)
                .context_with(|| format!("building `{name}` at the base revision"))?
                .resources
        } else {
            ResourceMap::new()
        };
        Ok(TargetDiff {
            target: name,
            skipped: false,
            resources: compare_maps(&before, &after, self.diff)?,
        })
    }
}

/// A resource known unchanged without comparing.
fn unchanged(resource: &Resource) -> ResourceDiff {
    ResourceDiff {
        change: Change::Unchanged,
        id: resource.id(),
        previous_id: None,
        hunks: String::new(),
    }
}
