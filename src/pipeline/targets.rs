//! Many targets in one process (`strata build DIR1 DIR2 ... -o OUTDIR`):
//! what every target's output folder is called, and the builds themselves.
//!
//! Building in one process shares what a process keeps between builds:
//! kustomize's default field specs and merged configurations, the OpenAPI
//! schema, and the Git clone cache (on disk, found again by every target).

use std::path::{Component, Path, PathBuf};

use super::{build, Build, BuildOptions};
use crate::error::{Error, Result, ResultExt};
use crate::fs::FileSystem;

/// The output folder of each target, in order, relative to the output
/// directory: a local target's path relative to the current directory
/// (`overlays/prod` → `overlays/prod`, `./a/b/` → `a/b`, an absolute path
/// inside `cwd` loses that prefix), a remote target (Git URL) one folder
/// named by the URL with every character other than ASCII letters, digits,
/// `.`, `_` and `-` replaced by `_`. Refused before anything is built: a
/// path that would leave the output directory or name it (`..`, `.`, an
/// absolute path outside `cwd`), and two targets whose folders are the same
/// or one inside the other (one build's files would land in another's).
pub fn folder_names(targets: &[PathBuf], cwd: &Path) -> Result<Vec<PathBuf>> {
    let mut names: Vec<(PathBuf, &Path)> = Vec::with_capacity(targets.len());
    for target in targets {
        let name = folder_name(target, cwd)?;
        if let Some((other, other_target)) = names
            .iter()
            .find(|(other, _)| other.starts_with(&name) || name.starts_with(other))
        {
            let (how, shared) = if *other == name {
                ("both be written to", other)
            } else if other.starts_with(&name) {
                ("share", &name)
            } else {
                ("share", other)
            };
            return Err(Error::msg(format!(
                "targets `{}` and `{}` would {how} the folder `{}`",
                other_target.display(),
                target.display(),
                shared.display(),
            ))
            .with_hint("list each target once, and not a target together with one below it"));
        }
        names.push((name, target));
    }
    Ok(names.into_iter().map(|(name, _)| name).collect())
}

fn folder_name(target: &Path, cwd: &Path) -> Result<PathBuf> {
    let text = target.to_string_lossy();
    if crate::remote::is_remote(&text) {
        let name: String = text
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        return Ok(PathBuf::from(name));
    }
    let relative = if target.is_absolute() {
        target.strip_prefix(cwd).map_err(|_| {
            Error::msg(format!(
                "target `{}` is outside the current directory: its output folder cannot be named",
                target.display()
            ))
            .with_hint(
                "run strata from a directory that holds every target, and name them relative to it",
            )
        })?
    } else {
        target
    };
    let mut name = PathBuf::new();
    for component in relative.components() {
        match component {
            Component::Normal(part) => name.push(part),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => {
                return Err(Error::msg(format!(
                    "target `{}` has `..` in its path: its output folder would leave the output directory",
                    target.display()
                ))
                .with_hint("run strata from a directory that holds every target, and name them relative to it"));
            }
        }
    }
    if name.as_os_str().is_empty() {
        return Err(Error::msg(format!(
            "target `{}` is the current directory: with several targets each needs a folder of its own",
            target.display()
        ))
        .with_hint("run strata from the directory above, and name the target by its folder"));
    }
    Ok(name)
}

/// Builds every target in order with the same options, each to its own
/// result: a failing target does not stop the others. Errors name their target.
pub fn build_all(
    fs: &dyn FileSystem,
    targets: &[PathBuf],
    options: &BuildOptions,
) -> Vec<Result<Build>> {
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

    fn names(targets: &[&str]) -> Result<Vec<PathBuf>> {
        let targets: Vec<PathBuf> = targets.iter().map(PathBuf::from).collect();
        folder_names(&targets, Path::new("/work/repo"))
    }

    fn error(targets: &[&str]) -> String {
        names(targets).unwrap_err().to_string()
    }

    #[test]
    fn folders_are_the_target_paths_relative_to_the_current_directory() {
        let got = names(&["envs/prod", "./envs/dev/", "/work/repo/apps/x", "a b:c"]).unwrap();
        let want: Vec<PathBuf> = ["envs/prod", "envs/dev", "apps/x", "a b:c"]
            .iter()
            .map(PathBuf::from)
            .collect();
        assert_eq!(got, want);
        assert_eq!(
            names(&["https://github.com/org/repo//apps?ref=v1"]).unwrap(),
            [PathBuf::from("https___github.com_org_repo__apps_ref_v1")]
        );
    }

    #[test]
    fn folders_that_would_leave_or_be_the_output_directory_are_refused() {
        assert!(error(&["a", "../up"]).contains("`..`"));
        assert!(error(&["a", "x/../../up"]).contains("`..`"));
        assert!(error(&["a", "/elsewhere/x"]).contains("outside the current directory"));
        assert!(error(&["a", "."]).contains("current directory"));
    }

    #[test]
    fn colliding_or_nested_folders_are_an_error_naming_both_targets() {
        let err = error(&["x", "./x"]);
        assert!(
            err.contains("`x` and `./x`") && err.contains("both"),
            "{err}"
        );
        let err = error(&["apps/base/sub", "c", "apps/base"]);
        assert!(err.contains("`apps/base/sub` and `apps/base`"), "{err}");
        assert!(err.contains("folder `apps/base`"), "{err}");
        assert!(names(&["apps/base", "apps/basement"]).is_ok());
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
        let builds = build_all(&fs, &targets, &BuildOptions::default());
        let built: Vec<&str> = builds
            .iter()
            .map(|b| b.as_ref().unwrap().resources.as_slice()[0].name())
            .collect();
        assert_eq!(built, ["one", "two"]);
        let missing = [PathBuf::from("/t/none"), PathBuf::from("/t/b")];
        let builds = build_all(&fs, &missing, &BuildOptions::default());
        let err = builds[0].as_ref().unwrap_err();
        let text = format!("{err} {:?}", err.trail());
        assert!(text.contains("/t/none"), "{text}");
        assert_eq!(
            builds[1].as_ref().unwrap().resources.as_slice()[0].name(),
            "two"
        );
    }
}
