//! Running `git`: one command with a time limit, and a shallow checkout of
//! one ref (kustomize's `ClonerUsingGitExec`), with a full fetch as the
//! fallback for refs a shallow fetch cannot name (abbreviated commits,
//! servers that refuse unadvertised commits).

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::remote::url::RepoSpec;

/// What a failed git command printed, for deciding what to tell the user.
#[derive(Debug)]
pub(crate) struct GitFailure {
    pub command: String,
    pub output: String,
}

/// A `git` program run in one directory.
pub(crate) struct Git<'a> {
    pub program: &'a Path,
    pub dir: &'a Path,
    pub timeout: Duration,
}

impl Git<'_> {
    /// Runs `git args...`; `Err(Ok(failure))` when git ran and failed,
    /// `Err(Err(error))` when it could not run at all.
    pub fn run(&self, args: &[&str]) -> std::result::Result<String, Result<GitFailure>> {
        let command_line = format!("{} {}", self.program.display(), args.join(" "));
        let mut child = Command::new(self.program)
            .args(args)
            .current_dir(self.dir)
            // Never wait for a password on the terminal: fail instead.
            .env("GIT_TERMINAL_PROMPT", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| Err(spawn_error(self.program, e)))?;
        let stdout = read_in_background(child.stdout.take());
        let stderr = read_in_background(child.stderr.take());
        let started = Instant::now();
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if started.elapsed() > self.timeout => {
                    // Best effort: the child may have exited meanwhile.
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(Ok(GitFailure {
                        command: command_line,
                        output: format!("timed out after {:?}", self.timeout),
                    }));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(10)),
                Err(e) => return Err(Err(Error::msg(format!("`{command_line}`: {e}")))),
            }
        };
        let stdout = stdout.join().unwrap_or_default();
        let stderr = stderr.join().unwrap_or_default();
        if status.success() {
            Ok(stdout)
        } else {
            Err(Ok(GitFailure {
                command: command_line,
                output: format!("{stdout}{stderr}").trim().to_string(),
            }))
        }
    }
}

fn read_in_background<R: Read + Send + 'static>(
    pipe: Option<R>,
) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = pipe {
            let mut bytes = Vec::new();
            // A read error leaves what was read; the exit status tells the rest.
            let _ = pipe.read_to_end(&mut bytes);
            text = String::from_utf8_lossy(&bytes).into_owned();
        }
        text
    })
}

fn spawn_error(program: &Path, error: std::io::Error) -> Error {
    if error.kind() == std::io::ErrorKind::NotFound {
        Error::msg(format!(
            "no `{}` program found; remote resources are fetched with git",
            program.display()
        ))
        .with_hint("install git, or put it on PATH")
    } else {
        Error::msg(format!("cannot run `{}`: {error}", program.display()))
    }
}

/// Checks out `spec`'s ref into the empty directory `dir`.
pub(crate) fn checkout(program: &Path, dir: &Path, spec: &RepoSpec) -> Result<()> {
    let git = Git {
        program,
        dir,
        timeout: spec.timeout,
    };
    let url = spec.clone_spec();
    let fetch_ref = spec.fetch_ref();
    step(&git, &["init", "--quiet"], spec)?;
    // Relative submodule URLs resolve against `origin` (kustomize issue 5131).
    step(&git, &["remote", "add", "origin", &url], spec)?;
    match git.run(&["fetch", "--quiet", "--depth=1", "origin", fetch_ref]) {
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
        if let Ok(commit) = git.run(&["rev-parse", "--verify", "--quiet", candidate]) {
            return step(git, &["checkout", "--quiet", commit.trim()], spec);
        }
    }
    Err(Error::msg(format!(
        "remote `{}`: no branch, tag or commit `{wanted}` in {}",
        spec.raw,
        spec.clone_spec()
    ))
    .with_hint("check the `?ref=` of the URL"))
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
