//! Finding the kustomization file of a directory and writing it back
//! atomically.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::load::kustomization::FILE_NAMES;

/// The kustomization file of `dir`, with kustomize's errors: none, several,
/// or a directory under that name.
pub fn locate(dir: &Path) -> Result<PathBuf> {
    let found: Vec<&str> = FILE_NAMES
        .iter()
        .copied()
        .filter(|name| std::fs::symlink_metadata(dir.join(name)).is_ok())
        .collect();
    match found.as_slice() {
        [] => Err(Error::msg(format!(
            "Missing kustomization file '{}'.",
            FILE_NAMES[0]
        ))),
        [one] => {
            let path = dir.join(one);
            if path.is_dir() {
                return Err(Error::msg(format!("{one} should be a file")));
            }
            Ok(path)
        }
        several => Err(Error::msg(format!(
            "Found multiple kustomization file: [{}]",
            several.join(" ")
        ))),
    }
}

/// Replaces `path` with `text`: written to a temporary file with a random
/// name in the same directory (created exclusively, so a planted symlink is
/// never followed), then renamed over the target. The original's permissions
/// are kept. On any error the target is unchanged.
pub fn write_atomic(path: &Path, text: &str) -> Result<()> {
    let (mut temp, dir) = temp_beside(path)?;
    if let Ok(meta) = std::fs::metadata(path) {
        temp.as_file()
            .set_permissions(meta.permissions())
            .map_err(|e| Error::io(&dir, e))?;
    }
    temp.write_all(text.as_bytes())
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| Error::io(temp.path(), e))?;
    temp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// Creates `path` with `text`, failing if it exists (written as
/// [`write_atomic`] writes, but never replacing a file).
pub fn create_atomic(path: &Path, text: &str) -> Result<()> {
    let (mut temp, _) = temp_beside(path)?;
    temp.write_all(text.as_bytes())
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| Error::io(temp.path(), e))?;
    temp.persist_noclobber(path)
        .map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

fn temp_beside(path: &Path) -> Result<(tempfile::NamedTempFile, PathBuf)> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let temp = tempfile::Builder::new()
        .prefix(".strata-edit-")
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(|e| Error::io(&dir, e))?;
    Ok((temp, dir))
}
