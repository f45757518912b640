//! The build: load → generate → transform → sort, for one kustomization.
//!
//! [`build`] reads like kustomize's `MakeCustomizedResMap`: accumulate the
//! tree layer by layer (each layer: resources, generators, components,
//! transformers), then the whole-build steps that must come last (hash
//! suffixes, name references, vars), then order.

pub mod builtins;
mod deprecations;
mod finalize;
pub mod plugins;
mod target;
pub mod targets;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::fs::{normalize, FileSystem};
use crate::load::kustomization::Kustomization;
use crate::load::loader::LoadRestrictions;
use crate::resource::ResourceMap;
use crate::sort::{self, Order};

pub use target::Accumulated;

/// How resources are ordered in the output (kustomize's `--reorder`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Reorder {
    /// kustomize's legacy kind order.
    #[default]
    Legacy,
    /// The order resources were read in.
    None,
}

/// Options of one build, from the CLI or a library caller.
#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    pub load_restrictions: LoadRestrictions,
    /// kustomize's `--reorder`. `None`: the kustomization's `sortOptions`,
    /// else legacy. A kustomization's `sortOptions` win over this.
    pub reorder: Option<Reorder>,
    /// kustomize's `--enable-managedby-label`.
    pub enable_managed_by_label: bool,
    /// `--ext-str`/`--tla-str` values that win over the kustomization's `jsonnet:`.
    pub jsonnet: crate::load::jsonnet::JsonnetOverrides,
    /// Remote (Git) resources: the clone cache and the git program.
    pub remote: crate::remote::RemoteOptions,
    /// `helmCharts`: kustomize's `--enable-helm` and `--helm-*` flags.
    pub helm: crate::generate::helm::HelmOptions,
    /// Who hears about Git clones and helm runs while they happen (no one by default).
    pub progress: crate::progress::Progress,
    /// External plugins: kustomize's `--enable-alpha-plugins`,
    /// `--enable-exec` and function flags.
    pub plugins: plugins::PluginOptions,
}

/// The result of a build: the resources, in output order, and warnings.
#[derive(Debug, Default)]
pub struct Build {
    pub resources: ResourceMap,
    pub warnings: Vec<String>,
    /// kustomize's deprecation warnings, one per deprecated field of each
    /// kustomization read, in kustomize's words (`# Warning: ...`); a
    /// failed build carries them on its error ([`Error::warnings`]).
    pub deprecations: Vec<String>,
}

/// The value kustomize v5.5.0 as embedded in kubectl writes for the managed-by label.
pub const MANAGED_BY_VALUE: &str = "kustomize-(devel)";

/// Builds a target: the kustomization in directory `root`, a lone
/// `.jsonnet` file, or, as `kubectl kustomize URL` does, a Git URL that is
/// not a path on `fs` (fetched, then built inside its clone).
pub fn build(fs: &dyn FileSystem, root: &Path, options: &BuildOptions) -> Result<Build> {
    let text = root.to_string_lossy();
    if !fs.is_dir(root) && !fs.is_file(root) && crate::remote::is_remote(&text) {
        return build_remote(&text, options);
    }
    let root = normalize(root);
    if let Some((dir, top)) = lone_jsonnet_file(fs, &root) {
        return build_top(target::Context::new(fs, options), &dir, &top, options);
    }
    if !fs.is_dir(&root) {
        return Err(Error::file(
            &root,
            "not a directory holding a kustomization",
        ));
    }
    let mut context = target::Context::new(fs, options);
    let top = context
        .load_kustomization(&root)
        .map_err(|e| e.with_warnings(context.take_deprecations()))?;
    build_top(context, &root, &top, options)
}

/// A remote kustomization, built on the disk seen only inside its clone,
/// under the root-only restrictor whatever the options say.
fn build_remote(url: &str, options: &BuildOptions) -> Result<Build> {
    let checkout = crate::remote::fetch(url, &options.remote, &options.progress)?;
    let options = BuildOptions {
        load_restrictions: LoadRestrictions::RootOnly,
        ..options.clone()
    };
    let fs = crate::remote::RepoFs::new(&checkout);
    let mut context = target::Context::new(&fs, &options);
    if let Some(warning) = checkout.unchecked.clone() {
        context.warn(warning);
    }
    let top = context
        .load_kustomization(&checkout.root)
        .map_err(|e| e.with_warnings(context.take_deprecations()))?;
    build_top(context, &checkout.root, &top, &options)
}

/// A `.jsonnet` file given instead of a directory builds as the only
/// resource of an otherwise empty kustomization in its directory.
fn lone_jsonnet_file(fs: &dyn FileSystem, path: &Path) -> Option<(PathBuf, Kustomization)> {
    if !(fs.is_file(path) && path.extension().is_some_and(|e| e == "jsonnet")) {
        return None;
    }
    let name = path.file_name()?.to_string_lossy().into_owned();
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let top = Kustomization {
        resources: vec![name],
        ..Kustomization::default()
    };
    Some((dir, top))
}

/// Builds the kustomization `top` found (or assumed) in directory `root`.
fn build_top(
    mut context: target::Context<'_>,
    root: &Path,
    top: &Kustomization,
    options: &BuildOptions,
) -> Result<Build> {
    let root = root.to_path_buf();
    let metadata = crate::transform::metadata::BuildMetadata::from_options(&top.build_metadata);
    context.metadata = metadata;
    let built = context
        .accumulate(&root, top, Accumulated::default())
        .and_then(|accumulated| finish(accumulated, &root, top, options, metadata));
    let deprecations = context.take_deprecations();
    let (resources, var_warnings) = built.map_err(|e| e.with_warnings(deprecations.clone()))?;
    let mut warnings = context.into_warnings();
    warnings.extend(var_warnings);
    Ok(Build {
        resources,
        warnings,
        deprecations,
    })
}

/// The whole-build steps after every layer is accumulated; the resources
/// in output order and the warnings of `vars`.
fn finish(
    mut accumulated: Accumulated,
    root: &Path,
    top: &Kustomization,
    options: &BuildOptions,
    metadata: crate::transform::metadata::BuildMetadata,
) -> Result<(ResourceMap, Vec<String>)> {
    // These steps act on the whole build and must follow every layer.
    finalize::add_hash_suffixes(&mut accumulated)?;
    finalize::fix_name_references(&mut accumulated)?;
    let var_warnings = finalize::resolve_vars(&mut accumulated)?;
    finalize::stringify_annotations(&mut accumulated.resources);
    finalize::drop_local_config(&mut accumulated.resources);
    finalize::remove_build_annotations(&mut accumulated.resources);

    let mut resources = accumulated.resources;
    sort::sort(&mut resources, &output_order(top, options)?);
    if options.enable_managed_by_label || top.build_metadata.iter().any(|m| m == "managedByLabel") {
        finalize::add_managed_by_label(&mut resources);
    }
    crate::transform::metadata::annotate(&mut resources, root, metadata)?;
    // kustomize fails to print some characters; so does the build.
    // On every thread for large builds; the first failing resource in
    // output order is reported, whatever the thread count.
    let checks = crate::threads::map_chunks(
        resources.as_slice(),
        crate::threads::count(),
        64,
        |_, chunk| {
            chunk.iter().try_for_each(|resource| {
                crate::emit::check(resource.object())
                    .map_err(|e| Error::resource(&resource.id(), e.to_string()))
            })
        },
    );
    checks.into_iter().collect::<Result<()>>()?;
    Ok((resources, var_warnings))
}

/// kustomize's rule: `sortOptions` in the top kustomization, else `--reorder`, else legacy.
fn output_order(top: &Kustomization, options: &BuildOptions) -> Result<Order> {
    if let Some(sort_options) = &top.sort_options {
        return Order::from_options(sort_options);
    }
    Ok(match options.reorder {
        Some(Reorder::None) => Order::Fifo,
        Some(Reorder::Legacy) | None => Order::legacy_default(),
    })
}
