//! Many targets in one process (`strata build DIR1 DIR2 ... -o OUTDIR`):
//! what every target's output folder is called, and the builds themselves.
//!
//! Building in one process shares what a process keeps between builds:
//! kustomize's default field specs and merged configurations, the OpenAPI
//! schema, and the Git clone cache (on disk, found again by every target).

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use super::{build, Build, BuildOptions};
use crate::error::{Error, Result, ResultExt};
use crate::fs::FileSystem;

/// The output folder of each target, in order: the target's path as
/// written, without `.` components, root or drive, its components joined
/// with `_` (`envs/prod` → `envs_prod`, `./a/../b` → `a_.._b`), every
/// character other than ASCII letters, digits, `.`, `_` and `-` replaced by
/// `_` (a Git URL makes a long but valid name). A name that would be empty,
/// `.` or `..` is prefixed with `_` (`.` → `_`). Two targets with the same
/// name are an error naming both, before anything is built.
pub fn folder_names(targets: &[PathBuf]) -> Result<Vec<String>> {
    let mut seen: HashMap<String, &Path> = HashMap::new();
    let mut names = Vec::with_capacity(targets.len());
    for target in targets {
        let name = folder_name(target);
        if let Some(other) = seen.insert(name.clone(), target) {
            return Err(Error::msg(format!(
                "targets `{}` and `{}` would both be written to the folder `{name}`",
                other.display(),
                target.display()
            ))
            .with_hint(
                "list each target once; rename one if two paths only differ by `/` and `_`",
            ));
        }
        names.push(name);
    }
    Ok(names)
}

fn folder_name(target: &Path) -> String {
    let parts: Vec<String> = target
        .components()
        .filter_map(|component| match component {
            Component::Normal(part) => Some(part.to_string_lossy().into_owned()),
            Component::ParentDir => Some("..".to_string()),
            Component::CurDir | Component::RootDir | Component::Prefix(_) => None,
        })
        .collect();
    let name: String = parts
        .join("_")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() || name == "." || name == ".." {
        format!("_{name}")
    } else {
        name
    }
}

/// Builds every target in order with the same options. The first failure
/// stops the run and names its target; the caller writes nothing then.
pub fn build_all(
    fs: &dyn FileSystem,
    targets: &[PathBuf],
    options: &BuildOptions,
) -> Result<Vec<Build>> {
    targets
        .iter()
        .map(|target| {
            build(fs, target, options).context_with(|| format!("target `{}`", target.display()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fs::MemFs;

    fn names(targets: &[&str]) -> Result<Vec<String>> {
        let targets: Vec<PathBuf> = targets.iter().map(PathBuf::from).collect();
        folder_names(&targets)
    }

    #[test]
    fn folders_are_named_by_target_path() {
        assert_eq!(
            names(&[
                "envs/prod",
                "./envs/dev/",
                ".",
                "/abs/x",
                "../up",
                "..",
                "a b:c"
            ])
            .unwrap(),
            [
                "envs_prod",
                "envs_dev",
                "_",
                "abs_x",
                ".._up",
                "_..",
                "a_b_c"
            ]
        );
        assert_eq!(
            names(&["https://github.com/org/repo//apps?ref=v1"]).unwrap(),
            ["https__github.com_org_repo_apps_ref_v1"]
        );
    }

    #[test]
    fn colliding_folders_are_an_error_naming_both_targets() {
        let err = names(&["a/b", "c", "a_b"]).unwrap_err().to_string();
        assert!(err.contains("`a/b` and `a_b`"), "{err}");
        let err = names(&["x", "./x"]).unwrap_err().to_string();
        assert!(err.contains("`x` and `./x`"), "{err}");
    }

    #[test]
    fn builds_every_target_and_names_the_failing_one() {
        let mut fs = MemFs::new();
        for (dir, name) in [("/t/a", "one"), ("/t/b", "two")] {
            fs.add(
                format!("{dir}/kustomization.yaml"),
                "resources: [cm.yaml]\n",
            );
            fs.add(
                format!("{dir}/cm.yaml"),
                format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n"),
            );
        }
        let targets = [PathBuf::from("/t/a"), PathBuf::from("/t/b")];
        let builds = build_all(&fs, &targets, &BuildOptions::default()).unwrap();
        let built: Vec<&str> = builds
            .iter()
            .map(|b| b.resources.as_slice()[0].name())
            .collect();
        assert_eq!(built, ["one", "two"]);
        let missing = [PathBuf::from("/t/a"), PathBuf::from("/t/none")];
        let err = build_all(&fs, &missing, &BuildOptions::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("/t/none"), "{err}");
    }
}
