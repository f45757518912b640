//! A shallow checkout of one ref (kustomize's `ClonerUsingGitExec`), with
//! a full fetch as the fallback for refs a shallow fetch cannot name
//! (abbreviated commits, servers that refuse unadvertised commits).

use std::path::Path;

use crate::error::{Error, Result};
use crate::git::{Git, GitFailure};
use crate::remote::url::RepoSpec;

/// Checks out `spec`'s ref into the empty directory `dir`.
pub(crate) fn checkout(program: &Path, dir: &Path, spec: &RepoSpec) -> Result<()> {
    let git = Git {
        program,
        dir,
        timeout: spec.timeout,
        env: &[],
    };
    let url = spec.clone_spec();
    let fetch_ref = spec.fetch_ref();
    refuse_option_like(spec, "URL", &url)?;
    refuse_option_like(spec, "ref", fetch_ref)?;
    step(&git, &["init", "--quiet"], spec)?;
    // Relative submodule URLs resolve against `origin` (kustomize issue 5131).
    // User values always follow `--end-of-options`: git must never read
    // them as options (`--upload-pack=...` would run a command).
    step(
        &git,
        &["remote", "add", "--end-of-options", "origin", &url],
        spec,
    )?;
    let fetch = [
        "fetch",
        "--quiet",
        "--depth=1",
        "--end-of-options",
        "origin",
        fetch_ref,
    ];
    match git.run(&fetch) {
        Ok(_) => step(&git, &["checkout", "--quiet", "FETCH_HEAD"], spec)?,
        Err(Err(error)) => return Err(error),
        Err(Ok(_shallow)) => full_checkout(&git, spec)?,
    }
    if spec.submodules {
        step(
            &git,
            &["submodule", "--quiet", "update", "--init", "--recursive"],
            spec,
        )?;
    }
    Ok(())
}

/// Fetches every branch and tag, then checks out the ref by any name git knows.
fn full_checkout(git: &Git<'_>, spec: &RepoSpec) -> Result<()> {
    let fetched = git.run(&[
        "fetch",
        "--quiet",
        "--tags",
        "origin",
        "+refs/heads/*:refs/remotes/origin/*",
    ]);
    match fetched {
        Ok(_) => {}
        Err(Err(error)) => return Err(error),
        Err(Ok(failure)) => return Err(unreachable_repo(spec, &failure)),
    }
    let wanted = spec.fetch_ref();
    let candidates = [
        format!("{wanted}^{{commit}}"),
        format!("origin/{wanted}^{{commit}}"),
    ];
    for candidate in &candidates {
        let args = [
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            candidate,
        ];
        if let Ok(commit) = git.run(&args) {
            let args = ["checkout", "--quiet", "--end-of-options", commit.trim()];
            return step(git, &args, spec);
        }
    }
    Err(Error::msg(format!(
        "remote `{}`: no branch, tag or commit `{wanted}` in {}",
        spec.raw,
        spec.clone_spec()
    ))
    .with_hint("check the `?ref=` of the URL"))
}

/// A URL or ref that git could take for an option is refused before git
/// runs at all (kustomize passes it on; `--end-of-options` is the second line
/// of defence).
fn refuse_option_like(spec: &RepoSpec, what: &str, value: &str) -> Result<()> {
    if value.starts_with('-') {
        return Err(Error::msg(format!(
            "remote `{}`: the {what} `{value}` starts with `-`: refused, git would read it as an option",
            spec.raw
        )));
    }
    Ok(())
}

fn step(git: &Git<'_>, args: &[&str], spec: &RepoSpec) -> Result<()> {
    match git.run(args) {
        Ok(_) => Ok(()),
        Err(Err(error)) => Err(error),
        Err(Ok(failure)) => Err(Error::msg(format!(
            "remote `{}`: `{}` failed: {}",
            spec.raw, failure.command, failure.output
        ))),
    }
}

fn unreachable_repo(spec: &RepoSpec, failure: &GitFailure) -> Error {
    Error::msg(format!(
        "remote `{}`: cannot fetch {}: {}",
        spec.raw,
        spec.clone_spec(),
        failure.output
    ))
    .with_hint("check the URL, the network and your git credentials (git's own config, such as `url.<base>.insteadOf`, applies)")
}

/// The commit `spec`'s ref names on the remote now (`git ls-remote`, run in
/// `dir`), or `None` when no branch or tag has that name.
pub(crate) fn remote_commit(program: &Path, dir: &Path, spec: &RepoSpec) -> Result<Option<String>> {
    let url = spec.clone_spec();
    let wanted = spec.fetch_ref();
    refuse_option_like(spec, "URL", &url)?;
    refuse_option_like(spec, "ref", wanted)?;
    let git = Git {
        program,
        dir,
        timeout: spec.timeout,
        env: &[],
    };
    let listing = match git.run(&["ls-remote", "--end-of-options", &url, wanted]) {
        Ok(listing) => listing,
        Err(Err(error)) => return Err(error),
        Err(Ok(failure)) => return Err(unreachable_repo(spec, &failure)),
    };
    // A peeled annotated tag names the commit; then the exact name, a branch, a tag.
    let names = [
        format!("refs/tags/{wanted}^{{}}"),
        wanted.to_string(),
        format!("refs/heads/{wanted}"),
        format!("refs/tags/{wanted}"),
    ];
    let lines: Vec<(&str, &str)> = listing
        .lines()
        .filter_map(|line| line.split_once('\t'))
        .collect();
    Ok(names.iter().find_map(|name| {
        lines
            .iter()
            .find(|(_, r)| r == name)
            .map(|(commit, _)| commit.to_string())
    }))
}

/// The commit checked out in the clone `dir`.
pub(crate) fn head_commit(program: &Path, dir: &Path, spec: &RepoSpec) -> Result<String> {
    let git = Git {
        program,
        dir,
        timeout: crate::git::LOCAL_TIMEOUT,
        env: &[],
    };
    match git.run(&["rev-parse", "--verify", "HEAD"]) {
        Ok(commit) => Ok(commit.trim().to_string()),
        Err(Err(error)) => Err(error),
        Err(Ok(failure)) => Err(Error::msg(format!(
            "remote `{}`: the cached clone `{}` is broken: {}",
            spec.raw,
            dir.display(),
            failure.output
        ))
        .with_hint("delete it; the next build clones afresh")),
    }
}
