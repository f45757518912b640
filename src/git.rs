//! Running `git`: one command at a time, with a time limit, never asking
//! on the terminal. Remote resources ([`crate::remote`]) and revision
//! diffs ([`WorkTree`]) go through it.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// How long one local git command (rev-parse, read-tree, ...) may take.
pub const LOCAL_TIMEOUT: Duration = Duration::from_secs(300);

/// What a failed git command printed, for deciding what to tell the user.
#[derive(Debug)]
pub struct GitFailure {
    pub command: String,
    pub output: String,
}

/// A `git` program run in one directory.
pub struct Git<'a> {
    pub program: &'a Path,
    pub dir: &'a Path,
    pub timeout: Duration,
    /// Extra environment variables (e.g. `GIT_INDEX_FILE`).
    pub env: &'a [(&'a str, &'a OsStr)],
}

impl Git<'_> {
    /// Runs `git args...`; `Err(Ok(failure))` when git ran and failed,
    /// `Err(Err(error))` when it could not run at all.
    pub fn run(&self, args: &[&str]) -> std::result::Result<String, Result<GitFailure>> {
        let command_line = format!("{} {}", self.program.display(), args.join(" "));
        let mut child = Command::new(self.program)
            .args(args)
            .current_dir(self.dir)
            .envs(self.env.iter().copied())
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
            "no `{}` program found; remote resources and `diff --base` need git",
            program.display()
        ))
        .with_hint("install git, or put it on PATH")
    } else {
        Error::msg(format!("cannot run `{}`: {error}", program.display()))
    }
}

/// A Git work tree, for building and comparing the tree of another revision
/// without touching the user's work tree or index.
pub struct WorkTree {
    /// The work tree's top directory, canonical.
    pub top: PathBuf,
    program: PathBuf,
}

impl WorkTree {
    /// The work tree `path` (which need not exist) is in.
    pub fn containing(path: &Path) -> Result<WorkTree> {
        let real = real_path(path)?;
        let dir = real
            .ancestors()
            .find(|dir| dir.is_dir())
            .unwrap_or(&real)
            .to_path_buf();
        let program = PathBuf::from("git");
        let top = run(&program, &dir, &["rev-parse", "--show-toplevel"], &[])
            .map_err(|e| e.context(format!("`{}` is not in a Git work tree", path.display())))?;
        let top = std::fs::canonicalize(top.trim_end_matches('\n'))
            .map_err(|e| Error::io(Path::new(top.trim_end_matches('\n')), e))?;
        Ok(WorkTree { top, program })
    }

    /// The commit `revision` names.
    pub fn commit(&self, revision: &str) -> Result<String> {
        let spec = format!("{revision}^{{commit}}");
        let commit = self
            .git(&[
                "rev-parse",
                "--verify",
                "--quiet",
                "--end-of-options",
                &spec,
            ])
            .map_err(|e| {
                e.context(format!(
                    "`{revision}` is not a commit in `{}`",
                    self.top.display()
                ))
            })?;
        Ok(commit.trim().to_string())
    }

    /// `path` relative to the top. The path need not exist (a target
    /// deleted since the base revision).
    pub fn relative(&self, path: &Path) -> Result<PathBuf> {
        let real = real_path(path)?;
        real.strip_prefix(&self.top)
            .map(Path::to_path_buf)
            .map_err(|_| {
                Error::msg(format!(
                    "`{}` is outside the Git work tree `{}`",
                    path.display(),
                    self.top.display()
                ))
            })
    }

    /// Writes the tree of `commit` to `dest` through a temporary index file
    /// in `scratch`, so the repository's own index and work tree are left alone.
    pub fn materialize(&self, commit: &str, scratch: &Path, dest: &Path) -> Result<()> {
        let index = scratch.join("index");
        let env = [("GIT_INDEX_FILE", index.as_os_str())];
        run(&self.program, &self.top, &["read-tree", commit], &env)?;
        let prefix = format!("--prefix={}/", dest.display());
        let args = ["checkout-index", "--all", "--force", &prefix];
        run(&self.program, &self.top, &args, &env)?;
        std::fs::create_dir_all(dest).map_err(|e| Error::io(dest, e))
    }

    /// Repository paths that differ between `commit` and the work tree:
    /// tracked changes (staged or not, both sides of renames) and untracked files.
    pub fn changed_files(&self, commit: &str) -> Result<BTreeSet<PathBuf>> {
        let tracked = self.git(&["diff", "--name-only", "--no-renames", "-z", commit, "--"])?;
        let untracked = self.git(&["ls-files", "--others", "--exclude-standard", "-z"])?;
        Ok(tracked
            .split('\0')
            .chain(untracked.split('\0'))
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
            .collect())
    }

    fn git(&self, args: &[&str]) -> Result<String> {
        run(&self.program, &self.top, args, &[])
    }
}

/// Runs one local git command; a failure is an error quoting git.
fn run(program: &Path, dir: &Path, args: &[&str], env: &[(&str, &OsStr)]) -> Result<String> {
    let git = Git {
        program,
        dir,
        timeout: LOCAL_TIMEOUT,
        env,
    };
    git.run(args).map_err(|failure| match failure {
        Ok(failure) => Error::msg(format!("`{}` failed: {}", failure.command, failure.output)),
        Err(error) => error,
    })
}

/// The canonical form of the longest existing ancestor of `path`, joined
/// with the rest of it.
fn real_path(path: &Path) -> Result<PathBuf> {
    let cwd = std::env::current_dir().map_err(|e| Error::io(Path::new("."), e))?;
    let absolute = crate::fs::normalize(&cwd.join(path));
    for ancestor in absolute.ancestors() {
        if let Ok(real) = std::fs::canonicalize(ancestor) {
            let rest = absolute.strip_prefix(ancestor).unwrap_or(Path::new(""));
            return Ok(real.join(rest));
        }
    }
    Ok(absolute)
}
