//! One kustomization directory and everything below it (kustomize's
//! `KustTarget.accumulateTarget`): resources (recursively), generators,
//! components, transformers, in that order.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::engine::fieldspec::{merge_shared, TransformerConfig};
use crate::engine::smp::openapi::SchemaState;
use crate::error::{Error, Result, ResultExt};
use crate::fs::FileSystem;
use crate::load::kustomization::{self, Kustomization};
use crate::load::loader::Loader;
use crate::load::{documents, presets};
use crate::pipeline::BuildOptions;
use crate::resource::{Resource, ResourceMap};
use crate::{generate, transform};

use super::plugins::Runner;

/// A `resources:` file parsed ahead of its turn, if it was.
type Parsed = Option<Result<Vec<Resource>>>;

/// What a layer hands to the layer above it.
#[derive(Debug)]
pub struct Accumulated {
    pub resources: ResourceMap,
    /// Field specs merged over this layer and the layers below it, shared
    /// with every layer that has the same.
    pub config: Arc<TransformerConfig>,
    /// The deprecated `vars` of this layer and the layers below it.
    pub vars: transform::vars::VarSet,
}

impl Default for Accumulated {
    fn default() -> Self {
        Accumulated {
            resources: ResourceMap::default(),
            config: TransformerConfig::empty(),
            vars: Default::default(),
        }
    }
}

/// State shared by every layer of one build.
pub(crate) struct Context<'a> {
    fs: &'a dyn FileSystem,
    options: &'a BuildOptions,
    /// The kustomization directories being accumulated, outermost first.
    stack: Vec<PathBuf>,
    warnings: Vec<String>,
    /// kustomize's deprecation warnings, in the order kustomizations were read.
    deprecations: Vec<String>,
    /// The top kustomization's `buildMetadata` annotations.
    pub metadata: transform::metadata::BuildMetadata,
    /// The OpenAPI schema strategic merges use (kustomizations' `openapi:`).
    openapi: SchemaState,
}

impl<'a> Context<'a> {
    pub fn new(fs: &'a dyn FileSystem, options: &'a BuildOptions) -> Self {
        Context {
            fs,
            options,
            stack: Vec::new(),
            warnings: Vec::new(),
            deprecations: Vec::new(),
            metadata: Default::default(),
            openapi: SchemaState::default(),
        }
    }

    /// Adds a warning of the build (reported with the others, in order).
    pub fn warn(&mut self, warning: String) {
        self.warnings.push(warning);
    }

    pub fn into_warnings(self) -> Vec<String> {
        self.warnings
    }

    /// The deprecation warnings so far (kustomize prints them as it reads
    /// each kustomization, so a failed build has them too).
    pub fn take_deprecations(&mut self) -> Vec<String> {
        std::mem::take(&mut self.deprecations)
    }

    /// Finds and parses the kustomization file in `dir`, noting the
    /// deprecated fields it uses.
    pub fn load_kustomization(&mut self, dir: &Path) -> Result<Kustomization> {
        // kustomize does not follow a kustomization file linked from outside
        // its directory (unless the restrictor is off); check before reading.
        if let Some(file) = kustomization::find_file(self.fs, dir) {
            Loader::new(self.fs, dir, self.options.load_restrictions).check_allowed(&file)?;
        }
        let (file, k) = kustomization::load_dir(self.fs, dir)?;
        let warnings = super::deprecations::of(&k, || self.fs.read_to_string(&file).ok());
        self.deprecations.extend(warnings);
        Ok(k)
    }

    /// Accumulates the kustomization `k` found in `dir` on top of `into`
    /// (empty for a kustomization, the parent's resources for a component).
    pub fn accumulate(
        &mut self,
        dir: &Path,
        k: &Kustomization,
        into: Accumulated,
    ) -> Result<Accumulated> {
        self.enter(dir)?;
        let result = self
            .configure_openapi(dir, k)
            .and_then(|()| self.accumulate_layer(dir, k, into));
        self.stack.pop();
        let file = kustomization_file(self.fs, dir);
        result.context_with(|| file.display().to_string())
    }

    /// kustomize sets the schema as it enters each kustomization; the first one set stays.
    fn configure_openapi(&mut self, dir: &Path, k: &Kustomization) -> Result<()> {
        let loader = Loader::new(self.fs, dir, self.options.load_restrictions);
        self.openapi.configure(
            k.open_api.as_ref().and_then(|o| o.path.as_deref()),
            k.open_api.as_ref().and_then(|o| o.version.as_deref()),
            |path| loader.read_to_string(path),
        )
    }

    fn accumulate_layer(
        &mut self,
        dir: &Path,
        k: &Kustomization,
        mut acc: Accumulated,
    ) -> Result<Accumulated> {
        let loader = Loader::new(self.fs, dir, self.options.load_restrictions);
        let file = kustomization_file(self.fs, dir);
        let mut parsed = self.parse_files(&loader, k);
        for (entry, parsed) in k.resources.iter().zip(parsed.iter_mut()) {
            self.accumulate_resource(&loader, k, entry, parsed.take(), &mut acc)?;
        }
        self.merge_config(&loader, k, &mut acc.config)?;
        run_generators(&loader, k, &file, &mut acc.resources)?;
        generate::helm::inflate_all(
            &loader,
            k,
            &file,
            &self.options.helm,
            &self.options.progress,
            &mut acc.resources,
        )?;
        let generators = self.plugin_configs(&loader, &k.generators, &file)?;
        let mut runner = Runner {
            loader: &loader,
            schema: &mut self.openapi,
            record: false,
            plugins: &self.options.plugins,
            warnings: &mut self.warnings,
        };
        runner.generate(&generators, &mut acc.resources)?;
        for entry in &k.components {
            acc = self.accumulate_component(&loader, entry, acc)?;
        }
        self.run_transformers(&loader, k, &file, &mut acc)?;
        transform::vars::collect(&k.vars, &file, &mut acc.resources, &mut acc.vars)?;
        Ok(acc)
    }

    /// The layer's field specs merged into `config` as kustomize does:
    /// its defaults merged with the `configurations:` files (merged with
    /// each other first), then the `crds:` files.
    fn merge_config(
        &self,
        loader: &Loader<'_>,
        k: &Kustomization,
        config: &mut Arc<TransformerConfig>,
    ) -> Result<()> {
        let mut layer = TransformerConfig::builtin();
        if !k.configurations.is_empty() {
            let mut files = TransformerConfig::empty();
            for entry in &k.configurations {
                let (path, text) = loader.read_to_string(entry)?;
                let value = crate::yaml::parse_config(&text, &path)?;
                let file = Arc::new(TransformerConfig::from_value(&value, &path)?);
                files = merge_shared(&files, &file)?;
            }
            layer = merge_shared(&layer, &files)?;
        }
        *config = merge_shared(config, &layer)?;
        if !k.crds.is_empty() {
            let mut crds = TransformerConfig::empty();
            for entry in &k.crds {
                let (path, text) = loader.read_to_string(entry)?;
                for document in crate::yaml::parse_stream(&text, &path)? {
                    let file = TransformerConfig::from_crd_definitions(&document, &path)?;
                    crds = merge_shared(&crds, &Arc::new(file))?;
                }
            }
            *config = merge_shared(config, &crds)?;
        }
        Ok(())
    }

    /// The layer's transformers in kustomize's order: every builtin its
    /// fields configure, then its `transformers:` configs, all configured
    /// before the first runs; then presets.
    fn run_transformers(
        &mut self,
        loader: &Loader<'_>,
        k: &Kustomization,
        file: &Path,
        acc: &mut Accumulated,
    ) -> Result<()> {
        let mut plugins = super::builtins::transformers(k, file, &acc.config, loader)?;
        plugins.extend(self.plugin_configs(loader, &k.transformers, file)?);
        let mut runner = Runner {
            loader,
            schema: &mut self.openapi,
            record: self.metadata.transformations,
            plugins: &self.options.plugins,
            warnings: &mut self.warnings,
        };
        runner.transform(&plugins, &mut acc.resources)?;
        let listed = presets::load(loader, &k.presets)?;
        if !listed.presets.is_empty() {
            let applied = transform::preset::apply(&mut acc.resources, &listed.presets)?;
            self.warnings.extend(applied.warnings);
            self.warnings
                .extend(listed.unmatched_warnings(&applied.matched));
        }
        self.run_validators(loader, k, file, acc)
    }

    /// The layer's `validators:`: each runs as a transformer over a copy of
    /// the resources and may change nothing but add the `validated-by`
    /// label, which stays (kustomize's `runValidators`).
    fn run_validators(
        &mut self,
        loader: &Loader<'_>,
        k: &Kustomization,
        file: &Path,
        acc: &mut Accumulated,
    ) -> Result<()> {
        if k.validators.is_empty() {
            return Ok(());
        }
        let validators = self.plugin_configs(loader, &k.validators, file)?;
        for validator in &validators {
            let mut validated = acc.resources.clone();
            let mut runner = Runner {
                loader,
                schema: &mut self.openapi,
                record: false,
                plugins: &self.options.plugins,
                warnings: &mut self.warnings,
            };
            runner.transform(std::slice::from_ref(validator), &mut validated)?;
            unchanged_but_validated_by(&acc.resources, &validated).map_err(|e| {
                Error::file(
                    &validator.configured.file,
                    format!("validator shouldn't modify the resource map: {e}"),
                )
            })?;
            acc.resources = validated;
        }
        Ok(())
    }

    /// The plugin configs of `generators:` or `transformers:`; directory
    /// entries are built as kustomizations.
    fn plugin_configs(
        &mut self,
        loader: &Loader<'_>,
        entries: &[String],
        file: &Path,
    ) -> Result<Vec<super::plugins::PluginConfig>> {
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        let options = self.options;
        let mut accumulate = |dir: &Path| -> Result<ResourceMap> {
            let k = self.load_kustomization(dir)?;
            Ok(self.accumulate(dir, &k, Accumulated::default())?.resources)
        };
        super::plugins::load_configs_with(entries, loader, file, &options.plugins, &mut accumulate)
    }

    /// Refuses a directory already being accumulated, or one that contains one.
    fn enter(&mut self, dir: &Path) -> Result<()> {
        let real = self.fs.canonicalize(dir)?;
        if let Some(visited) = self.stack.iter().find(|v| v.starts_with(&real)) {
            let chain: Vec<String> = self
                .stack
                .iter()
                .chain(std::iter::once(&real))
                .map(|p| p.display().to_string())
                .collect();
            return Err(Error::file(
                dir,
                format!(
                    "cycle detected: candidate root '{}' contains visited root '{}' ({})",
                    real.display(),
                    visited.display(),
                    chain.join(" -> ")
                ),
            ));
        }
        self.stack.push(real);
        Ok(())
    }

    /// One `resources:` entry: a kustomization directory or a manifest file.
    /// The YAML files among `k.resources` read and parsed on every thread,
    /// one slot per entry (`None`: not parsed ahead, so read in turn).
    /// Errors wait in their slot until the entry's turn, so the build fails
    /// where it would have failed reading them one by one.
    fn parse_files(
        &self,
        loader: &Loader<'_>,
        k: &Kustomization,
    ) -> Vec<Option<Result<Vec<Resource>>>> {
        let mut slots: Vec<Option<Result<Vec<Resource>>>> =
            k.resources.iter().map(|_| None).collect();
        let threads = crate::threads::count();
        if threads == 1 || k.resources.len() < 2 {
            return slots;
        }
        let files: Vec<(usize, &str)> = k
            .resources
            .iter()
            .enumerate()
            .filter(|(_, entry)| {
                let path = loader.resolve(entry);
                path.extension().is_none_or(|e| e != "jsonnet") && self.fs.is_file(&path)
            })
            .map(|(i, entry)| (i, entry.as_str()))
            .collect();
        if files.len() < 2 {
            return slots;
        }
        let overrides = &self.options.jsonnet;
        let parts = crate::threads::map_chunks(&files, threads, 1, |_, chunk| {
            chunk
                .iter()
                .map(|&(i, entry)| (i, documents::read_resources(loader, entry, k, overrides)))
                .collect::<Vec<_>>()
        });
        for (i, result) in parts.into_iter().flatten() {
            slots[i] = Some(result);
        }
        slots
    }

    /// One `resources:` entry; `parsed` is its file's resources when
    /// [`Self::parse_files`] read it already.
    fn accumulate_resource(
        &mut self,
        loader: &Loader<'_>,
        k: &Kustomization,
        entry: &str,
        parsed: Parsed,
        acc: &mut Accumulated,
    ) -> Result<()> {
        let path = loader.resolve(entry);
        // kustomize tries a local file first, then a Git URL, then a directory.
        if crate::remote::is_remote(entry) && !self.fs.is_file(&path) {
            let sub = self.accumulate_remote(entry, Accumulated::default(), false)?;
            acc.resources.absorb(sub.resources)?;
            acc.config = merge_shared(&acc.config, &sub.config)?;
            return Ok(());
        }
        if self.fs.is_dir(&path) {
            let k = self.load_kustomization(&path)?;
            if k.is_component() {
                return Err(Error::file(
                    &path,
                    "expected kind != 'Component' for a resource; list components under `components:`",
                ));
            }
            let sub = self.accumulate(&path, &k, Accumulated::default())?;
            acc.resources.absorb(sub.resources)?;
            acc.config = merge_shared(&acc.config, &sub.config)?;
            acc.vars.merge(sub.vars)?;
            return Ok(());
        }
        if !self.fs.is_file(&path) {
            let what = match self.fs.special_kind(&path) {
                Some(kind) => format!("it is {kind}; only regular files and directories are read"),
                None => "no such file or directory".to_string(),
            };
            let error = Error::file(
                &path,
                format!("accumulating resources from '{entry}': {what}"),
            );
            return Err(match self.nearest_sibling(&path) {
                Some(near) => error.with_hint(format!("did you mean `{near}`?")),
                None => error,
            });
        }
        let resources = match parsed {
            Some(resources) => resources?,
            None => documents::read_resources(loader, entry, k, &self.options.jsonnet)?,
        };
        for resource in resources {
            self.openapi
                .note_type(resource.api_version(), resource.kind())?;
            acc.resources.append(resource)?;
        }
        Ok(())
    }

    /// The entry of `path`'s directory whose name is nearest to its own
    /// (at most 3 edits), for a missing resource.
    fn nearest_sibling(&self, path: &Path) -> Option<String> {
        crate::load::loader::nearest_sibling(self.fs, path)
    }

    /// A remote kustomization: fetched (or found in the cache), then built
    /// on the disk seen only inside its clone, as its own restricted root.
    fn accumulate_remote(
        &mut self,
        entry: &str,
        into: Accumulated,
        component: bool,
    ) -> Result<Accumulated> {
        let checkout = crate::remote::fetch(entry, &self.options.remote, &self.options.progress)?;
        // One warning per clone, however many layers list it.
        if let Some(warning) = &checkout.unchecked {
            if !self.warnings.contains(warning) {
                self.warnings.push(warning.clone());
            }
        }
        let fs = crate::remote::RepoFs::new(&checkout);
        let options = BuildOptions {
            load_restrictions: crate::load::loader::LoadRestrictions::RootOnly,
            ..self.options.clone()
        };
        let mut remote = Context {
            fs: &fs,
            options: &options,
            stack: self.stack.clone(),
            warnings: Vec::new(),
            deprecations: Vec::new(),
            metadata: self.metadata,
            openapi: SchemaState::default(),
        };
        let k = remote.load_kustomization(&checkout.root)?;
        if k.is_component() != component {
            let expected = if component {
                "'Component'"
            } else {
                "!= 'Component'"
            };
            return Err(Error::msg(format!(
                "remote `{entry}`: expected kind {expected} for an entry of `{}`",
                if component { "components" } else { "resources" }
            )));
        }
        let result = remote
            .accumulate(&checkout.root, &k, into)
            .context_with(|| format!("remote `{entry}`"));
        self.warnings.append(&mut remote.warnings);
        self.deprecations.append(&mut remote.deprecations);
        result
    }

    /// One `components:` entry: a `kind: Component` applied to what the layer has so far.
    fn accumulate_component(
        &mut self,
        loader: &Loader<'_>,
        entry: &str,
        acc: Accumulated,
    ) -> Result<Accumulated> {
        let path = loader.resolve(entry);
        if crate::remote::is_remote(entry) && !self.fs.is_dir(&path) {
            return self.accumulate_remote(entry, acc, true);
        }
        if !self.fs.is_dir(&path) {
            return Err(crate::load::loader::not_found(
                self.fs,
                &path,
                "a component must be a directory holding a kustomization",
                "directories",
            ));
        }
        let k = self.load_kustomization(&path)?;
        if !k.is_component() {
            return Err(Error::file(
                &path,
                "expected kind 'Component' for a path listed under `components:`",
            ));
        }
        self.accumulate(&path, &k, acc)
    }
}

/// `configMapGenerator` entries, then `secretGenerator` entries, as kustomize orders them.
fn run_generators(
    loader: &Loader<'_>,
    k: &Kustomization,
    file: &Path,
    resources: &mut ResourceMap,
) -> Result<()> {
    let options = k.generator_options.as_ref();
    for args in &k.config_map_generator {
        let config_map = generate::configmap::config_map(args, options, loader, file)?;
        generate::absorb_generated(resources, config_map)?;
    }
    for args in &k.secret_generator {
        let secret = generate::configmap::secret(args, options, loader, file)?;
        generate::absorb_generated(resources, secret)?;
    }
    Ok(())
}

/// Whether `after` holds the resources of `before`, unchanged except for
/// kustomize's `validated-by` label; what differs, if not.
fn unchanged_but_validated_by(before: &ResourceMap, after: &ResourceMap) -> Result<(), String> {
    if before.len() != after.len() {
        return Err(format!(
            "lists have different number of entries: {} before, {} after",
            before.len(),
            after.len()
        ));
    }
    for resource in before {
        let id = resource.id();
        let found = match after.positions(&id) {
            [] => return Err(format!("id in self missing from other; id: {id}")),
            [position] => &after.as_slice()[*position],
            many => {
                return Err(format!(
                    "id in self matches {} in other; id: {id}",
                    many.len()
                ))
            }
        };
        let has_label = found
            .labels()
            .is_some_and(|labels| labels.contains_key(VALIDATED_BY));
        let same = if has_label {
            let mut object = found.object().clone();
            remove_validated_by(&mut object);
            &object == resource.object()
        } else {
            found.object() == resource.object()
        };
        if !same {
            return Err(format!("{id} was changed"));
        }
    }
    Ok(())
}

/// The label a validator may add (kustomize's `konfig.ValidatedByLabelKey`).
const VALIDATED_BY: &str = "validated-by";

fn remove_validated_by(object: &mut serde_json::Value) {
    let Some(metadata) = object.get_mut("metadata").and_then(|m| m.as_object_mut()) else {
        return;
    };
    let emptied = match metadata.get_mut("labels").and_then(|l| l.as_object_mut()) {
        Some(labels) => {
            labels.remove(VALIDATED_BY);
            labels.is_empty()
        }
        None => false,
    };
    if emptied {
        metadata.remove("labels");
    }
}

/// The kustomization file of `dir` for messages (the directory when none).
fn kustomization_file(fs: &dyn FileSystem, dir: &Path) -> PathBuf {
    kustomization::find_file(fs, dir).unwrap_or_else(|| dir.to_path_buf())
}
