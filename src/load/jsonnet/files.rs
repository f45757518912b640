//! jrsonnet's import resolver on top of the kustomization's [`Loader`].
//!
//! jrsonnet keeps its resolver for the whole evaluation and requires it to
//! be `'static`, while the loader borrows the file system. So the file
//! system is served from a scoped thread ([`serve`]) and the resolver
//! ([`Imports`]) asks it over a channel: every read still goes through the
//! loader's [`FileSystem`], with no `unsafe` and no copy of the tree.
//!
//! Resolution follows jsonnet: next to the importing file first (the
//! kustomization root for the program's arguments and external code), then
//! each library path in order. Under the load restrictor the file found must
//! lie inside the kustomization root, wherever the library path points.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::mpsc::{channel, Receiver, Sender};

use jrsonnet_evaluator::{
    bail, AsPathLike, ImportCallbackError, ImportFileNotFound, ImportIo, ImportResolver,
    ResolvePath, SourcePath,
};
use jrsonnet_gcmodule::trace_acyclic;
use jrsonnet_ir::{SourceFifo, SourceFile};

use crate::fs::{normalize, FileSystem};
use crate::load::loader::{LoadRestrictions, Loader};

/// A question for the file server; each carries the channel for its answer.
pub(super) enum Request {
    /// The first of these paths that is a file, checked against the restrictor.
    Find(Vec<PathBuf>, Sender<Result<Option<PathBuf>, String>>),
    Read(PathBuf, Sender<Result<Vec<u8>, String>>),
    Stop,
}

/// Answers [`Request`]s until [`Request::Stop`] or until every sender is gone.
pub(super) fn serve(loader: &Loader, requests: &Receiver<Request>) {
    let policy = Policy::new(loader);
    for request in requests {
        // A send fails only when the asker is gone; nothing is left to answer then.
        match request {
            Request::Find(candidates, reply) => {
                let _ = reply.send(policy.find(&candidates));
            }
            Request::Read(path, reply) => {
                let _ = reply.send(loader.fs().read(&path).map_err(|e| e.to_string()));
            }
            Request::Stop => break,
        }
    }
}

/// Reads a file as text through the file server (for error positions).
pub(super) fn read_text(requests: &Sender<Request>, path: &Path) -> Option<String> {
    let (reply, answer) = channel();
    requests
        .send(Request::Read(path.to_path_buf(), reply))
        .ok()?;
    let bytes = answer.recv().ok()?.ok()?;
    String::from_utf8(bytes).ok()
}

/// Where imports may come from.
pub(super) struct Policy<'a> {
    fs: &'a dyn FileSystem,
    /// Canonical allowed directories; `None` when nothing is restricted.
    allowed: Option<Vec<PathBuf>>,
}

impl<'a> Policy<'a> {
    pub(super) fn new(loader: &Loader<'a>) -> Self {
        let fs = loader.fs();
        // Library paths are searched, but obey the restrictor like every
        // other file: `libraryPaths: [/etc]` must not reach /etc/passwd.
        let allowed = (loader.restrictions() == LoadRestrictions::RootOnly)
            .then(|| fs.canonicalize(loader.root()).ok().into_iter().collect());
        Policy { fs, allowed }
    }

    pub(super) fn find(&self, candidates: &[PathBuf]) -> Result<Option<PathBuf>, String> {
        let Some(path) = candidates.iter().find(|path| self.fs.is_file(path)) else {
            return Ok(None);
        };
        let Some(allowed) = &self.allowed else {
            return Ok(Some(path.clone()));
        };
        let real = self.fs.canonicalize(path).map_err(|e| e.to_string())?;
        if allowed.iter().any(|dir| real.starts_with(dir)) {
            Ok(Some(path.clone()))
        } else {
            // Named from the root, as every place in a jsonnet error.
            let shown = match allowed.first() {
                Some(root) => crate::transform::metadata::relative(&real, root),
                None => real.display().to_string(),
            };
            Err(format!(
                "security; file '{shown}' is not in or below the kustomization root (library paths obey the load restrictor too)"
            ))
        }
    }
}

/// Sends [`Request::Stop`] when dropped, so the server ends even if the
/// evaluation keeps a resolver alive (jrsonnet's values are reference
/// counted and may outlive it) or panics.
pub(super) struct StopOnDrop(pub(super) Sender<Request>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        let _ = self.0.send(Request::Stop);
    }
}

/// The last import that could not be resolved: the importing file and the
/// path as written. jrsonnet gives these failures no position, so the error
/// is placed by finding the import in that file.
pub(super) type FailedImport = Rc<RefCell<Option<(PathBuf, String)>>>;

/// jrsonnet's view of the file server.
pub(super) struct Imports {
    requests: Sender<Request>,
    root: PathBuf,
    library_paths: Vec<PathBuf>,
    failed: FailedImport,
}

trace_acyclic!(Imports);

impl Imports {
    pub(super) fn new(requests: Sender<Request>, root: &Path, library_paths: &[PathBuf]) -> Self {
        Imports {
            requests,
            root: root.to_path_buf(),
            library_paths: library_paths.to_vec(),
            failed: FailedImport::default(),
        }
    }

    pub(super) fn failed(&self) -> FailedImport {
        Rc::clone(&self.failed)
    }

    fn record_failure(&self, from: &SourcePath, import: &Path) {
        if let Some(file) = from.path() {
            let import = import.to_string_lossy().into_owned();
            *self.failed.borrow_mut() = Some((file.to_path_buf(), import));
        }
    }

    /// The source path for a file the caller has already checked.
    pub(super) fn source(path: &Path) -> SourcePath {
        SourcePath::new(SourceFile::new(path.to_path_buf()))
    }

    fn ask<T>(&self, request: impl FnOnce(Sender<T>) -> Request) -> Result<T, String> {
        let (reply, answer) = channel();
        self.requests
            .send(request(reply))
            .map_err(|_| "the file reader stopped".to_string())?;
        answer
            .recv()
            .map_err(|_| "the file reader stopped".to_string())
    }

    fn candidates(&self, from: &SourcePath, import: &Path) -> Vec<PathBuf> {
        if import.is_absolute() {
            return vec![normalize(import)];
        }
        // Code without a file (arguments, external code) imports from the root.
        let base = from.path().and_then(Path::parent).unwrap_or(&self.root);
        std::iter::once(base)
            .chain(self.library_paths.iter().map(PathBuf::as_path))
            .map(|dir| normalize(&dir.join(import)))
            .collect()
    }
}

impl ImportResolver for Imports {
    fn resolve_from(
        &self,
        from: &SourcePath,
        path: &dyn AsPathLike,
    ) -> jrsonnet_evaluator::Result<SourcePath> {
        let import: &Path = match path.as_path() {
            ResolvePath::Str(text) => Path::new(text),
            ResolvePath::Path(path) => path,
        };
        let candidates = self.candidates(from, import);
        let found = self
            .ask(|reply| Request::Find(candidates, reply))
            .map_err(ImportIo)?;
        match found {
            Ok(Some(path)) => Ok(Imports::source(&path)),
            Ok(None) => {
                self.record_failure(from, import);
                bail!(ImportFileNotFound(from.clone(), path.as_path().to_owned()))
            }
            Err(reason) => {
                self.record_failure(from, import);
                let import = import.display();
                let from = from.path().map_or_else(
                    || from.to_string(),
                    |file| crate::transform::metadata::relative(file, &self.root),
                );
                bail!(ImportCallbackError(format!(
                    "cannot import `{import}` from `{from}`: {reason}"
                )))
            }
        }
    }

    fn load_file_contents(&self, resolved: &SourcePath) -> jrsonnet_evaluator::Result<Vec<u8>> {
        if let Some(fifo) = resolved.downcast_ref::<SourceFifo>() {
            return Ok(fifo.1.to_vec());
        }
        let Some(path) = resolved.path() else {
            bail!(ImportIo(format!("cannot read `{resolved}`")));
        };
        let path = path.to_path_buf();
        let bytes = self
            .ask(|reply| Request::Read(path, reply))
            .and_then(|answer| answer)
            .map_err(ImportIo)?;
        Ok(bytes)
    }
}
