//! The presets a kustomization lists under `presets:`: files, or
//! directories of preset files, parsed into [`Preset`]s (the format is
//! `transform::preset`'s).

use std::path::PathBuf;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::load::loader::Loader;
use crate::transform::preset::{parse_presets, Preset};

/// The presets a layer lists: files, or directories of `*.yaml`/`*.yml`
/// files (not recursive, in name order).
pub fn load(loader: &Loader<'_>, entries: &[String]) -> Result<Vec<Preset>> {
    let mut presets = Vec::new();
    for entry in entries {
        let path = loader.resolve(entry);
        // A directory is a preset library: like a base, it may lie outside
        // the kustomization's root, and its files are checked against it.
        let (files, library): (Vec<PathBuf>, Loader<'_>) = if loader.fs().is_dir(&path) {
            let files = loader
                .fs()
                .read_dir(&path)?
                .into_iter()
                .filter(|p| {
                    loader.fs().is_file(p)
                        && p.extension().is_some_and(|e| e == "yaml" || e == "yml")
                })
                .collect();
            (
                files,
                Loader::new(loader.fs(), &path, loader.restrictions()),
            )
        } else {
            (vec![path.clone()], *loader)
        };
        for file in files {
            if !loader.fs().is_file(&file) {
                return Err(Error::file(&file, "preset file not found"));
            }
            library.check_allowed(&file)?;
            let text = loader.fs().read_to_string(&file)?;
            let documents = crate::yaml::parse_stream(&text, &file)?;
            presets.extend(parse_presets(&Value::Array(documents), &file)?);
        }
    }
    Ok(presets)
}
