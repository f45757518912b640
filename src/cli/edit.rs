//! `strata edit` and `strata create`: kustomize's subcommands, flags and
//! arguments, mapped to [`strata::edit`]. They work on the kustomization
//! file in the current directory, as kustomize's do.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use strata::edit::create::CreateArgs;
use strata::edit::{AddMetadata, Edit, GeneratorFlags, PatchArgs};

#[derive(Debug, Subcommand)]
pub enum EditCommand {
    /// Set the value of a field (image, namespace, nameprefix, ...).
    #[command(subcommand)]
    Set(SetCommand),
    /// Add an item (resource, patch, configmap, label, ...).
    #[command(subcommand)]
    Add(AddCommand),
    /// Remove an item (resource, patch, configmap, label, ...).
    #[command(subcommand)]
    Remove(RemoveCommand),
    /// Replace deprecated fields with their successors (commonLabels,
    /// patchesStrategicMerge, patchesJson6902, bases, imageTags) and fill in
    /// apiVersion and kind.
    Fix {
        /// Also convert vars to replacements (only where that is exact;
        /// otherwise an error and no change).
        #[arg(long)]
        vars: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum SetCommand {
    /// Set images' new names, tags or digests: `name=newName:tag`,
    /// `name=newName@digest`, `name:tag`, `name@digest`, `name=newName`;
    /// `*` as the new name, tag or digest keeps the file's.
    Image(Positional),
    /// Set `namespace`.
    Namespace(Positional),
    /// Set `namePrefix`.
    Nameprefix(Positional),
    /// Set `nameSuffix`.
    Namesuffix(Positional),
    /// Set replica counts: `name=count`.
    Replicas(Positional),
    /// Set `commonLabels` entries: `key:value`.
    Label(Positional),
    /// Set `commonAnnotations` entries: `key:value`.
    Annotation(Positional),
    /// Replace `buildMetadata` with `option1,option2`.
    Buildmetadata(Positional),
    /// Change literal values or the namespace of a configMapGenerator entry.
    Configmap(SetGeneratorArgs),
    /// Change literal values or the namespace of a secretGenerator entry.
    Secret(SetGeneratorArgs),
}

#[derive(Debug, Subcommand)]
pub enum AddCommand {
    /// Add resource files, directories or URLs (globs expanded).
    Resource {
        #[arg(num_args = 0..)]
        paths: Vec<String>,
        /// Add the paths as given, without checking they exist.
        #[arg(long)]
        no_verify: bool,
    },
    /// Add components (globs expanded).
    Component(Positional),
    /// Add bases (`dir1,dir2`) to `resources`.
    Base(Positional),
    /// Add generator plugin configuration files (globs expanded).
    Generator(Positional),
    /// Add transformer plugin configuration files (globs expanded).
    Transformer(Positional),
    /// Add `buildMetadata` options (`option1,option2`).
    Buildmetadata(Positional),
    /// Add a `patches` entry.
    Patch(PatchFlags),
    /// Add `commonLabels` entries (`key:value`).
    Label {
        #[arg(num_args = 0..)]
        args: Vec<String>,
        /// Overwrite labels that exist.
        #[arg(short, long)]
        force: bool,
        /// Add a `labels` entry that leaves selectors alone.
        #[arg(long)]
        without_selector: bool,
        /// With --without-selector: also label pod templates.
        #[arg(long)]
        include_templates: bool,
    },
    /// Add `commonAnnotations` entries (`key:value`).
    Annotation {
        #[arg(num_args = 0..)]
        args: Vec<String>,
        /// Overwrite annotations that exist.
        #[arg(short, long)]
        force: bool,
    },
    /// Add (or extend) a configMapGenerator entry.
    Configmap(AddGeneratorArgs),
    /// Add (or extend) a secretGenerator entry.
    Secret {
        #[command(flatten)]
        common: AddGeneratorArgs,
        /// The secret type.
        #[arg(long = "type", default_value = "Opaque")]
        secret_type: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum RemoveCommand {
    /// Remove resources (globs match entries).
    Resource(Positional),
    /// Remove components (globs match entries).
    Component(Positional),
    /// Remove transformers (globs match entries).
    Transformer(Positional),
    /// Remove the `patches` entries equal to these flags.
    Patch(PatchFlags),
    /// Remove `commonLabels` keys (`key1,key2`).
    Label(RemoveMetadataArgs),
    /// Remove `commonAnnotations` keys (`key1,key2`).
    Annotation(RemoveMetadataArgs),
    /// Remove configMapGenerator entries (`name1,name2`).
    Configmap(RemoveGeneratorArgs),
    /// Remove secretGenerator entries (`name1,name2`).
    Secret(RemoveGeneratorArgs),
    /// Remove `buildMetadata` options (`option1,option2`).
    Buildmetadata(Positional),
}

#[derive(Debug, Args)]
pub struct Positional {
    #[arg(num_args = 0..)]
    pub args: Vec<String>,
}

#[derive(Debug, Args)]
pub struct PatchFlags {
    /// Path to the patch file.
    #[arg(long, default_value = "")]
    pub path: String,
    /// The patch itself, inline.
    #[arg(long, default_value = "", allow_hyphen_values = true)]
    pub patch: String,
    /// API group of the target.
    #[arg(long, default_value = "")]
    pub group: String,
    /// API version of the target.
    #[arg(long, default_value = "")]
    pub version: String,
    /// Kind of the target.
    #[arg(long, default_value = "")]
    pub kind: String,
    /// Name of the target.
    #[arg(long, default_value = "")]
    pub name: String,
    /// Namespace of the target.
    #[arg(long, default_value = "")]
    pub namespace: String,
    /// labelSelector of the target.
    #[arg(long, default_value = "")]
    pub label_selector: String,
    /// annotationSelector of the target.
    #[arg(long, default_value = "")]
    pub annotation_selector: String,
}

#[derive(Debug, Args)]
pub struct AddGeneratorArgs {
    /// The entry's name.
    #[arg(num_args = 0..)]
    pub args: Vec<String>,
    /// `[key=]file` (globs; comma-separated or repeated).
    #[arg(long = "from-file", value_delimiter = ',')]
    pub from_file: Vec<String>,
    /// `key=value` (repeatable).
    #[arg(long = "from-literal", allow_hyphen_values = true)]
    pub from_literal: Vec<String>,
    /// A file of `key=value` lines.
    #[arg(long = "from-env-file", default_value = "")]
    pub from_env_file: String,
    /// create, merge or replace.
    #[arg(long, default_value = "")]
    pub behavior: String,
    /// The entry's namespace.
    #[arg(long, default_value = "")]
    pub namespace: String,
    /// Do not append a content hash to the name.
    #[arg(long = "disableNameSuffixHash")]
    pub disable_name_suffix_hash: bool,
}

#[derive(Debug, Args)]
pub struct SetGeneratorArgs {
    /// The entry's name.
    #[arg(num_args = 0..)]
    pub args: Vec<String>,
    /// `key=value` for a key the entry has (repeatable).
    #[arg(long = "from-literal", allow_hyphen_values = true)]
    pub from_literal: Vec<String>,
    /// The entry's current namespace.
    #[arg(long, default_value = "")]
    pub namespace: String,
    /// Move the entry to this namespace.
    #[arg(long = "new-namespace", default_value = "")]
    pub new_namespace: String,
}

#[derive(Debug, Args)]
pub struct RemoveMetadataArgs {
    #[arg(num_args = 0..)]
    pub args: Vec<String>,
    /// Do not fail on keys that are not there.
    #[arg(short = 'i', long = "ignore-non-existence")]
    pub ignore_non_existence: bool,
}

#[derive(Debug, Args)]
pub struct RemoveGeneratorArgs {
    #[arg(num_args = 0..)]
    pub args: Vec<String>,
    /// The entries' namespace.
    #[arg(long, default_value = "")]
    pub namespace: String,
}

#[derive(Debug, Args)]
pub struct CreateCommand {
    /// Comma-separated resource files, directories or URLs (globs expanded).
    #[arg(long, default_value = "", allow_hyphen_values = true)]
    pub resources: String,
    /// `namespace`.
    #[arg(long, default_value = "", allow_hyphen_values = true)]
    pub namespace: String,
    /// `commonAnnotations`, as `k:v,k2:v2`.
    #[arg(long, default_value = "", allow_hyphen_values = true)]
    pub annotations: String,
    /// `commonLabels`, as `k:v,k2:v2`.
    #[arg(long, default_value = "", allow_hyphen_values = true)]
    pub labels: String,
    /// `namePrefix`.
    #[arg(long, default_value = "", allow_hyphen_values = true)]
    pub nameprefix: String,
    /// `nameSuffix`.
    #[arg(long, default_value = "", allow_hyphen_values = true)]
    pub namesuffix: String,
    /// Add the Kubernetes resource files found in the current directory.
    #[arg(long)]
    pub autodetect: bool,
    /// With --autodetect: search subdirectories too (a directory holding a
    /// kustomization is added as one entry).
    #[arg(long)]
    pub recursive: bool,
}

impl From<PatchFlags> for PatchArgs {
    fn from(f: PatchFlags) -> Self {
        PatchArgs {
            path: f.path,
            patch: f.patch,
            group: f.group,
            version: f.version,
            kind: f.kind,
            name: f.name,
            namespace: f.namespace,
            label_selector: f.label_selector,
            annotation_selector: f.annotation_selector,
        }
    }
}

impl AddGeneratorArgs {
    fn flags(self, secret_type: String) -> GeneratorFlags {
        GeneratorFlags {
            args: self.args,
            from_file: self.from_file,
            from_literal: self.from_literal,
            from_env_file: self.from_env_file,
            behavior: self.behavior,
            secret_type,
            namespace: self.namespace,
            disable_name_suffix_hash: self.disable_name_suffix_hash,
            new_namespace: String::new(),
        }
    }
}

impl SetGeneratorArgs {
    fn flags(self) -> GeneratorFlags {
        GeneratorFlags {
            args: self.args,
            from_literal: self.from_literal,
            namespace: self.namespace,
            new_namespace: self.new_namespace,
            ..GeneratorFlags::default()
        }
    }
}

impl EditCommand {
    fn into_edit(self) -> Edit {
        match self {
            EditCommand::Set(set) => match set {
                SetCommand::Image(p) => Edit::SetImage(p.args),
                SetCommand::Namespace(p) => Edit::SetNamespace(p.args),
                SetCommand::Nameprefix(p) => Edit::SetNamePrefix(p.args),
                SetCommand::Namesuffix(p) => Edit::SetNameSuffix(p.args),
                SetCommand::Replicas(p) => Edit::SetReplicas(p.args),
                SetCommand::Label(p) => Edit::SetLabel(p.args),
                SetCommand::Annotation(p) => Edit::SetAnnotation(p.args),
                SetCommand::Buildmetadata(p) => Edit::SetBuildMetadata(p.args),
                SetCommand::Configmap(g) => Edit::SetConfigMap(g.flags()),
                SetCommand::Secret(g) => Edit::SetSecret(g.flags()),
            },
            EditCommand::Add(add) => match add {
                AddCommand::Resource { paths, no_verify } => Edit::AddResource { paths, no_verify },
                AddCommand::Component(p) => Edit::AddComponent(p.args),
                AddCommand::Base(p) => Edit::AddBase(p.args),
                AddCommand::Generator(p) => Edit::AddGenerator(p.args),
                AddCommand::Transformer(p) => Edit::AddTransformer(p.args),
                AddCommand::Buildmetadata(p) => Edit::AddBuildMetadata(p.args),
                AddCommand::Patch(f) => Edit::AddPatch(f.into()),
                AddCommand::Label {
                    args,
                    force,
                    without_selector,
                    include_templates,
                } => Edit::AddLabel(AddMetadata {
                    args,
                    force,
                    without_selector,
                    include_templates,
                }),
                AddCommand::Annotation { args, force } => Edit::AddAnnotation(AddMetadata {
                    args,
                    force,
                    ..AddMetadata::default()
                }),
                AddCommand::Configmap(g) => Edit::AddConfigMap(g.flags(String::new())),
                AddCommand::Secret {
                    common,
                    secret_type,
                } => Edit::AddSecret(common.flags(secret_type)),
            },
            EditCommand::Remove(remove) => match remove {
                RemoveCommand::Resource(p) => Edit::RemoveResource(p.args),
                RemoveCommand::Component(p) => Edit::RemoveComponent(p.args),
                RemoveCommand::Transformer(p) => Edit::RemoveTransformer(p.args),
                RemoveCommand::Patch(f) => Edit::RemovePatch(f.into()),
                RemoveCommand::Label(m) => Edit::RemoveLabel {
                    args: m.args,
                    ignore_missing: m.ignore_non_existence,
                },
                RemoveCommand::Annotation(m) => Edit::RemoveAnnotation {
                    args: m.args,
                    ignore_missing: m.ignore_non_existence,
                },
                RemoveCommand::Configmap(g) => Edit::RemoveConfigMap {
                    args: g.args,
                    namespace: g.namespace,
                },
                RemoveCommand::Secret(g) => Edit::RemoveSecret {
                    args: g.args,
                    namespace: g.namespace,
                },
                RemoveCommand::Buildmetadata(p) => Edit::RemoveBuildMetadata(p.args),
            },
            EditCommand::Fix { vars } => Edit::Fix { vars },
        }
    }
}

/// Runs an edit on `./kustomization.yaml` (or `.yml`, `Kustomization`).
pub fn run(command: EditCommand) -> anyhow::Result<ExitCode> {
    let outcome = strata::edit::run(Path::new("."), &command.into_edit())?;
    let mut stderr = std::io::stderr().lock();
    for note in &outcome.notes {
        let _ = writeln!(stderr, "{note}");
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run_create(args: CreateCommand) -> anyhow::Result<ExitCode> {
    let args = CreateArgs {
        resources: args.resources,
        namespace: args.namespace,
        annotations: args.annotations,
        labels: args.labels,
        name_prefix: args.nameprefix,
        name_suffix: args.namesuffix,
        autodetect: args.autodetect,
        recursive: args.recursive,
    };
    strata::edit::create::create(Path::new("."), &args)?;
    Ok(ExitCode::SUCCESS)
}
