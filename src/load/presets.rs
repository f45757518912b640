//! The presets a kustomization lists under `presets:`: files, or
//! directories of preset files, parsed into [`Preset`]s (the format is
//! `transform::preset`'s).

use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::load::lines;
use crate::load::loader::Loader;
use crate::transform::preset::{parse_presets, unmatched_warning, Preset};

/// The presets a layer lists: files, or directories of `*.yaml`/`*.yml`
/// files (not recursive, in name order).
///
/// Presets follow the rule of components: a directory is a preset library
/// that may lie outside the kustomization's root, its files checked against
/// the library; a single file may lie outside too, checked against its own
/// directory (so a symlink cannot lead out of where it is listed from).
pub fn load(loader: &Loader<'_>, entries: &[String]) -> Result<Listed> {
    let mut listed = Listed::default();
    for (index, entry) in entries.iter().enumerate() {
        let path = loader.resolve(entry);
        let fs = loader.fs();
        let library = fs.is_dir(&path).then(|| (index, path.clone()));
        let files: Vec<PathBuf> = if library.is_some() {
            let library = Loader::new(fs, &path, loader.restrictions());
            let files: Vec<PathBuf> = fs
                .read_dir(&path)?
                .into_iter()
                .filter(|p| {
                    fs.is_file(p) && p.extension().is_some_and(|e| e == "yaml" || e == "yml")
                })
                .collect();
            for file in &files {
                library.check_allowed(file)?;
            }
            files
        } else {
            if !fs.is_file(&path) {
                return Err(crate::load::loader::not_found(
                    fs,
                    &path,
                    "no such preset file or directory",
                    "regular files and directories",
                ));
            }
            if loader.check_allowed(&path).is_err() {
                let dir = path.parent().unwrap_or(Path::new("."));
                Loader::new(fs, dir, loader.restrictions()).check_allowed(&path)?;
            }
            vec![path]
        };
        for file in files {
            let text = fs.read_to_string(&file)?;
            let documents = crate::yaml::parse_stream(&text, &file)?;
            for (index, document) in documents.iter().enumerate() {
                let parsed = parse_presets(document, &file).map_err(|error| {
                    let line = error
                        .field_of()
                        .and_then(|(_, field)| lines::line_in_stream(&text, index, field));
                    error.at_line(line)
                })?;
                for preset in parsed {
                    listed.presets.push(preset);
                    listed.libraries.push(library.clone());
                }
            }
        }
    }
    Ok(listed)
}

/// The presets of a layer, and where each was listed.
#[derive(Debug, Default)]
pub struct Listed {
    pub presets: Vec<Preset>,
    /// Per preset: the `presets:` entry index and path of the directory it
    /// came from; `None` for a file listed on its own.
    libraries: Vec<Option<(usize, PathBuf)>>,
}

impl Listed {
    /// Warnings for what matched no workload (`matched` from
    /// [`crate::transform::preset::apply`]): each preset listed as a file,
    /// and each library none of whose presets matched (a library is a menu:
    /// most layers use only some of it).
    pub fn unmatched_warnings(&self, matched: &[bool]) -> Vec<String> {
        let mut warnings = Vec::new();
        // Libraries in the order listed: (entry, directory, any preset matched).
        let mut libraries: Vec<(usize, &Path, bool)> = Vec::new();
        for ((preset, library), matched) in self.presets.iter().zip(&self.libraries).zip(matched) {
            match library {
                None if !matched => warnings.push(unmatched_warning(preset)),
                None => {}
                Some((entry, dir)) => match libraries.last_mut() {
                    Some((last, _, any)) if last == entry => *any |= matched,
                    _ => libraries.push((*entry, dir, *matched)),
                },
            }
        }
        for (_, dir, _) in libraries.iter().filter(|(_, _, any)| !any) {
            warnings.push(format!(
                "{}: no preset of this library matches a workload of the layer; nothing injected",
                dir.display()
            ));
        }
        warnings
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::load;
    use crate::fs::{normalize, DiskFs};
    use crate::load::loader::{LoadRestrictions, Loader};

    const PRESET: &str =
        "apiVersion: strata.dev/v1alpha1\nkind: PodPreset\nmetadata:\n  name: NAME\nspec: {}\n";

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn a_file_from_a_library_outside_the_root_but_no_link_out_of_its_directory() {
        let dir = tempfile::tempdir().unwrap();
        let top = normalize(&std::fs::canonicalize(dir.path()).unwrap());
        write(
            &top.join("lib/logging.yaml"),
            &PRESET.replace("NAME", "logging"),
        );
        write(
            &top.join("secret/other.yaml"),
            &PRESET.replace("NAME", "other"),
        );
        std::os::unix::fs::symlink(top.join("secret/other.yaml"), top.join("lib/link.yaml"))
            .unwrap();
        std::fs::create_dir(top.join("app")).unwrap();
        std::os::unix::fs::symlink(top.join("lib/logging.yaml"), top.join("app/local.yaml"))
            .unwrap();
        let root = top.join("app");
        let loader = Loader::new(&DiskFs, &root, LoadRestrictions::RootOnly);

        let listed = load(&loader, &["../lib/logging.yaml".into()]).unwrap();
        assert_eq!(listed.presets[0].name, "logging");
        // Links that lead out of the directory they are listed in are refused.
        for entry in ["../lib/link.yaml", "local.yaml"] {
            let err = load(&loader, &[entry.into()]).unwrap_err().to_string();
            assert!(err.contains("is not in or below"), "{entry}: {err}");
        }
        let open = Loader::new(&DiskFs, &root, LoadRestrictions::None);
        assert_eq!(
            load(&open, &["../lib/link.yaml".into()]).unwrap().presets[0].name,
            "other"
        );
    }
}
