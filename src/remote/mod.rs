//! Remote kustomizations: `resources:` entries that name a Git repository
//! in kustomize's URL forms ([`RepoSpec`]), fetched with the `git` program
//! into a cache directory and built from there.
//!
//! This module owns the clone cache on disk (the one place besides
//! [`crate::fs`] that writes files) and the rule that a clone is its own
//! restricted root: [`RepoFs`] hides everything outside the clone. It reads
//! no environment variables: the CLI picks the cache directory and passes it
//! in [`RemoteOptions`]. Plain HTTP(S) files are not downloaded.

mod git;
mod url;

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::fs::{DiskFs, FileSystem};
use crate::progress::{Activity, Progress};

pub use url::{RepoSpec, DEFAULT_TIMEOUT};

/// Where clones are kept and which git to run.
#[derive(Clone, Debug)]
pub struct RemoteOptions {
    /// The clone cache; `None` makes remote resources an error. The CLI
    /// sets it (see [`default_cache_dir`]).
    pub cache_dir: Option<PathBuf>,
    /// The git program; a bare name is looked up on `PATH`.
    pub git_command: PathBuf,
    /// Serve clones from the cache without asking the remote whether a
    /// branch or tag moved; an uncached remote is then an error.
    pub offline: bool,
}

impl Default for RemoteOptions {
    fn default() -> Self {
        RemoteOptions {
            cache_dir: None,
            git_command: PathBuf::from("git"),
            offline: false,
        }
    }
}

/// `$XDG_CACHE_HOME/strata/git`, else `$HOME/.cache/strata/git`, from the
/// values the caller read from the environment (empty values are unset).
pub fn default_cache_dir(xdg_cache_home: Option<&Path>, home: Option<&Path>) -> Option<PathBuf> {
    let usable = |p: &&Path| !p.as_os_str().is_empty() && p.is_absolute();
    xdg_cache_home
        .filter(usable)
        .map(Path::to_path_buf)
        .or_else(|| home.filter(usable).map(|h| h.join(".cache")))
        .map(|base| base.join("strata").join("git"))
}

/// Whether a `resources:` entry is remote: a Git URL, or an HTTP(S) URL.
pub fn is_remote(entry: &str) -> bool {
    RepoSpec::parse(entry).is_ok() || is_http_url(entry)
}

fn is_http_url(entry: &str) -> bool {
    let lower = entry.get(..8).unwrap_or(entry).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// An HTTP(S) URL that names a single file rather than a repository: no
/// `ref`, no repository marker, and a manifest's file extension.
fn is_remote_file(entry: &str) -> bool {
    if !is_http_url(entry) {
        return false;
    }
    let Ok(spec) = RepoSpec::parse(entry) else {
        return true;
    };
    let path = entry.split('?').next().unwrap_or(entry);
    let after_scheme = path.split_once("://").map_or(path, |(_, rest)| rest);
    let marked = after_scheme.contains("//") || path.contains("_git/") || path.contains(".git");
    let manifest = [".yaml", ".yml", ".json"]
        .iter()
        .any(|ext| path.to_ascii_lowercase().ends_with(ext));
    spec.git_ref.is_empty() && !marked && manifest
}

/// A checked-out remote kustomization.
#[derive(Clone, Debug)]
pub struct Checkout {
    /// The clone's top directory (real path).
    pub repo: PathBuf,
    /// The kustomization directory inside it (real path).
    pub root: PathBuf,
    pub spec: RepoSpec,
    /// Set when the clone came from the cache without asking the remote
    /// whether its branch or tag moved (`offline`): says what was not
    /// checked, for the build's warnings.
    pub unchecked: Option<String>,
}

/// Fetches `entry` (or finds it in the cache) and returns where its
/// kustomization lies. The cache is keyed by URL, ref and submodule choice;
/// a second build with the same key does not run git.
pub fn fetch(entry: &str, options: &RemoteOptions, progress: &Progress) -> Result<Checkout> {
    if is_remote_file(entry) {
        return Err(Error::msg(format!(
            "remote file `{entry}`: strata does not download files over HTTP(S)"
        ))
        .with_hint("vendor the file into the kustomization, or refer to a Git repository (`https://host/org/repo//path?ref=v1`)"));
    }
    let spec = RepoSpec::parse(entry)
        .map_err(|e| Error::msg(format!("remote `{entry}` is not a Git URL: {e}")))?;
    let cache = options.cache_dir.as_deref().ok_or_else(|| {
        Error::msg(format!(
            "remote `{entry}`: no cache directory for Git clones is set"
        ))
        .with_hint("set `BuildOptions::remote.cache_dir`")
    })?;
    let repo = cached_clone(cache, &spec, options, progress)?;
    let root = kustomization_root(&repo, &spec)?;
    let unchecked = (options.offline && !is_full_commit(spec.fetch_ref())).then(|| {
        // The commit is named when git can tell it; the warning must not
        // fail an offline build that runs without git.
        let commit = git::head_commit(&options.git_command, &repo, &spec)
            .map(|commit| format!(" (commit {})", &commit[..commit.len().min(12)]))
            .unwrap_or_default();
        format!(
            "remote `{}`: offline, the ref `{}` of {} was not checked against the remote; built from the cached clone{commit}",
            spec.raw,
            spec.fetch_ref(),
            without_password(&spec.clone_spec())
        )
    });
    Ok(Checkout {
        repo,
        root,
        spec,
        unchecked,
    })
}

/// The clone for `spec` in `cache`, made now if absent. A clone is made in
/// a scratch directory and renamed into place, so a half-made clone is
/// never used and concurrent builds do not collide. Only a real clone is
/// reported to `progress`.
///
/// A cached clone of a full commit SHA is used as is. For a branch or tag
/// the remote is asked (`git ls-remote`) which commit it names now, and a
/// clone of another commit is replaced, as kustomize clones afresh on every
/// build. `options.offline` skips that question.
fn cached_clone(
    cache: &Path,
    spec: &RepoSpec,
    options: &RemoteOptions,
    progress: &Progress,
) -> Result<PathBuf> {
    let git = options.git_command.as_path();
    let target = cache.join(cache_key(spec));
    let stale = if !target.is_dir() {
        if options.offline {
            return Err(Error::msg(format!(
                "remote `{}`: {} is not in the Git cache, and `--offline` forbids fetching it",
                spec.raw,
                without_password(&spec.clone_spec())
            ))
            .with_hint("build once without `--offline` (or STRATA_OFFLINE=1) to fill the cache"));
        }
        false
    } else if options.offline || is_full_commit(spec.fetch_ref()) {
        return canonical(&target);
    } else {
        match git::remote_commit(git, cache, spec)? {
            // A ref ls-remote cannot name (an abbreviated commit) is fixed.
            None => return canonical(&target),
            Some(commit) => {
                if git::head_commit(git, &target, spec)? == commit {
                    return canonical(&target);
                }
                true
            }
        }
    };
    std::fs::create_dir_all(cache).map_err(|e| Error::io(cache, e))?;
    // One scratch directory per clone, not per process: threads of one
    // build may clone at the same time. Dropping it removes what is left.
    let scratch_dir = tempfile::Builder::new()
        .prefix(&format!(".{}.tmp-", cache_key(spec)))
        .tempdir_in(cache)
        .map_err(|e| Error::io(cache, e))?;
    let scratch = scratch_dir.path();
    let subject = format!(
        "{} at {}",
        without_password(&spec.clone_spec()),
        spec.fetch_ref()
    );
    let task = progress.start(Activity::GitFetch, &subject, None);
    // On failure the scratch copy goes when `scratch_dir` drops.
    task.finish_with(git::checkout(git, scratch, spec))?;
    let aside = stale.then(|| move_aside(cache, spec, &target)).flatten();
    if std::fs::rename(scratch, &target).is_err() {
        // Another build put the same clone in place first: use that one.
        if !target.is_dir() {
            // Nothing took the place: the old clone goes back.
            if let Some(old) = &aside {
                let _ = std::fs::rename(old, &target);
            }
            return Err(Error::file(
                &target,
                "cannot move the new clone into the cache",
            ));
        }
    }
    // The old clone goes only once the new one is in place, so there is
    // always a complete clone at `target` for a concurrent build to use.
    if let Some(old) = aside {
        let _ = std::fs::remove_dir_all(old);
    }
    canonical(&target)
}

/// Renames a stale clone out of the way (a rename, so the new clone can
/// take its place at once); where it went, or `None` if it is gone already.
fn move_aside(cache: &Path, spec: &RepoSpec, target: &Path) -> Option<PathBuf> {
    let aside = cache.join(format!(".{}.old-{}", cache_key(spec), std::process::id()));
    let _ = std::fs::remove_dir_all(&aside);
    std::fs::rename(target, &aside).ok().map(|()| aside)
}

/// A ref that is a whole SHA-1 or SHA-256 commit id, which never moves.
fn is_full_commit(git_ref: &str) -> bool {
    matches!(git_ref.len(), 40 | 64) && git_ref.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `url` with the password of `scheme://user:password@host` hidden, for displays.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority = rest.split('/').next().unwrap_or(rest);
    match authority.rsplit_once('@') {
        Some((user_info, _)) if user_info.contains(':') => {
            let user = user_info.split(':').next().unwrap_or("");
            format!("{scheme}://{user}:***@{}", &rest[user_info.len() + 1..])
        }
        _ => url.to_string(),
    }
}

/// A readable name plus a hash of what identifies the checkout.
fn cache_key(spec: &RepoSpec) -> String {
    let mut hasher = Sha256::new();
    for part in [
        spec.clone_spec().as_str(),
        spec.fetch_ref(),
        if spec.submodules { "1" } else { "0" },
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    let digest = hasher.finalize();
    let hex: String = digest[..10].iter().map(|b| format!("{b:02x}")).collect();
    let name: String = spec
        .repo_path
        .rsplit('/')
        .find(|s| !s.is_empty())
        .unwrap_or("repo")
        .trim_end_matches(".git")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    format!("{name}-{hex}")
}

/// The kustomization directory at the URL's path, which must stay inside
/// the clone even through symlinks.
fn kustomization_root(repo: &Path, spec: &RepoSpec) -> Result<PathBuf> {
    let wanted = repo.join(&spec.kust_root_path);
    if !wanted.exists() {
        return Err(Error::msg(format!(
            "remote `{}`: no directory `{}` in {} at `{}`",
            spec.raw,
            spec.kust_root_path,
            spec.clone_spec(),
            spec.fetch_ref()
        )));
    }
    let root = canonical(&wanted)?;
    if !root.starts_with(repo) {
        return Err(Error::msg(format!(
            "remote `{}`: `{}` refers to a directory outside the repository",
            spec.raw, spec.kust_root_path
        )));
    }
    if !root.is_dir() {
        return Err(Error::msg(format!(
            "remote `{}`: `{}` is a file; expecting a directory holding a kustomization",
            spec.raw, spec.kust_root_path
        )));
    }
    Ok(root)
}

fn canonical(path: &Path) -> Result<PathBuf> {
    std::fs::canonicalize(path).map_err(|e| Error::io(path, e))
}

/// The disk, seen only inside one clone: a remote kustomization and its
/// bases cannot read files outside their repository (kustomize: "clones
/// never allowed to escape root").
pub struct RepoFs {
    repo: PathBuf,
}

impl RepoFs {
    pub fn new(checkout: &Checkout) -> Self {
        RepoFs {
            repo: checkout.repo.clone(),
        }
    }

    fn inside(&self, path: &Path) -> bool {
        DiskFs
            .canonicalize(path)
            .is_ok_and(|real| real.starts_with(&self.repo))
    }

    fn check(&self, path: &Path) -> Result<()> {
        if self.inside(path) {
            Ok(())
        } else {
            Err(Error::file(
                path,
                format!(
                    "security; files of a remote kustomization must be within its repository `{}`",
                    self.repo.display()
                ),
            ))
        }
    }
}

impl FileSystem for RepoFs {
    fn read(&self, path: &Path) -> Result<Vec<u8>> {
        self.check(path)?;
        DiskFs.read(path)
    }

    // Existence is not hidden, so a path outside gets the security error
    // when it is read rather than a misleading "no such file".
    fn is_dir(&self, path: &Path) -> bool {
        DiskFs.is_dir(path)
    }

    fn is_file(&self, path: &Path) -> bool {
        DiskFs.is_file(path)
    }

    fn read_dir(&self, path: &Path) -> Result<Vec<PathBuf>> {
        self.check(path)?;
        DiskFs.read_dir(path)
    }

    fn canonicalize(&self, path: &Path) -> Result<PathBuf> {
        self.check(path)?;
        DiskFs.canonicalize(path)
    }
}

#[cfg(test)]
mod tests;
