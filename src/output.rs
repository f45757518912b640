//! `build -o`: one file, or one file per resource in a directory, named
//! as `kustomize build -o DIR` names them, written safely.
//!
//! A regular file is replaced atomically (a temporary with a random name,
//! created exclusively beside it, then renamed: see
//! [`crate::edit::file::write_atomic`]); a device or FIFO is written
//! through, never replaced; a symbolic link is refused, never followed.
//! Every write error (`ENOSPC` on `/dev/full`) is an error, and no
//! temporary is left behind. In a directory, a file name that would leave
//! it (an object named `x/../../escaped`) fails the whole write before any
//! file is written.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::resource::{Resource, ResourceMap};

/// Writes the build to `path`: one file per resource if it is an existing
/// directory, else the whole stream to the one file.
pub fn write(path: &Path, resources: &ResourceMap) -> Result<()> {
    if path.is_dir() {
        let files = file_names(resources);
        let mut planned = Vec::with_capacity(files.len());
        for (name, resource) in files {
            planned.push((checked_name(path, &name, resource)?, resource));
        }
        for (file, resource) in planned {
            write_file(&file, &crate::emit::document(resource.object()))?;
        }
        Ok(())
    } else {
        write_file(path, &crate::emit::stream(resources))
    }
}

/// `dir/name`, when `name` is one plain file name.
fn checked_name(dir: &Path, name: &str, resource: &Resource) -> Result<PathBuf> {
    let plain = !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\0']);
    if plain {
        Ok(dir.join(name))
    } else {
        Err(Error::resource(
            &resource.id(),
            format!(
                "its output file name `{name}` is not a plain file name in `{}`: refused (nothing written)",
                dir.display()
            ),
        ))
    }
}

/// Writes one output file: replaces a regular (or missing) file atomically,
/// writes through to a device or FIFO, refuses links and anything else.
pub fn write_file(path: &Path, text: &str) -> Result<()> {
    use std::os::unix::fs::FileTypeExt;
    let kind = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta.file_type(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return crate::edit::file::write_atomic(path, text);
        }
        Err(e) => return Err(Error::write(path, e)),
    };
    if kind.is_file() {
        crate::edit::file::write_atomic(path, text)
    } else if kind.is_char_device() || kind.is_fifo() || kind.is_block_device() {
        write_through(path, text)
    } else if kind.is_symlink() {
        Err(Error::file(
            path,
            "is a symbolic link: refused (strata never writes through a link; remove it or name its target)",
        ))
    } else {
        Err(Error::file(
            path,
            "is neither a regular file nor a device: refused",
        ))
    }
}

/// Opens an existing device or FIFO for writing (never creating it, never
/// following a link planted since) and writes everything, reporting errors.
fn write_through(path: &Path, text: &str) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .map_err(|e| Error::write(path, e))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.flush())
        .map_err(|e| Error::write(path, e))
}

/// `(file name, resource)` pairs: `<group_version_kind>_<name>.yaml`, lower
/// case, prefixed with `<namespace>_` when the build spans more than one
/// namespace. Cluster-scoped resources never get a namespace prefix.
pub fn file_names(resources: &ResourceMap) -> Vec<(String, &Resource)> {
    let mut namespaces: Vec<String> = resources
        .iter()
        .filter(|r| !r.gvk().is_cluster_scoped())
        .map(|r| r.id().effective_namespace().to_string())
        .collect();
    namespaces.sort();
    namespaces.dedup();
    let prefix_namespace = namespaces.len() > 1;
    resources
        .iter()
        .map(|resource| {
            let gvk = resource.gvk();
            let parts: Vec<&str> = [gvk.group.as_str(), gvk.version.as_str(), gvk.kind.as_str()]
                .into_iter()
                .filter(|part| !part.is_empty())
                .collect();
            let mut name = format!("{}_{}.yaml", parts.join("_"), resource.name()).to_lowercase();
            if prefix_namespace && !gvk.is_cluster_scoped() {
                name = format!(
                    "{}_{name}",
                    resource.id().effective_namespace().to_lowercase()
                );
            }
            (name, resource)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::Origin;
    use serde_json::json;

    fn res(api_version: &str, kind: &str, namespace: Option<&str>, name: &str) -> Resource {
        let mut object =
            json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": name}});
        if let Some(namespace) = namespace {
            object["metadata"]["namespace"] = json!(namespace);
        }
        Resource::new(object, Origin::Inline).unwrap()
    }

    #[test]
    fn names_files_like_kustomize() {
        let one: ResourceMap = [res("apps/v1", "Deployment", None, "Web")]
            .into_iter()
            .collect();
        assert_eq!(file_names(&one)[0].0, "apps_v1_deployment_web.yaml");

        let two: ResourceMap = [
            res("v1", "ConfigMap", Some("a"), "x"),
            res("v1", "ConfigMap", None, "y"),
            res("v1", "Namespace", None, "a"),
        ]
        .into_iter()
        .collect();
        let names: Vec<String> = file_names(&two).into_iter().map(|(n, _)| n).collect();
        assert_eq!(
            names,
            [
                "a_v1_configmap_x.yaml",
                "default_v1_configmap_y.yaml",
                "v1_namespace_a.yaml"
            ]
        );
    }
}
