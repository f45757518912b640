//! Command-line arguments (clap derive; doc comments are `--help`) and the
//! glue from arguments to library calls.

#[cfg(feature = "cluster")]
pub mod apply;
pub mod argocd;
pub mod build;
pub mod completion;
pub mod diff;
pub mod edit;
pub mod man;
pub mod progress;
pub mod report;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit status for a failed build or bad input.
pub const EXIT_ERROR: u8 = 1;

/// `strata --version`: this crate's version and the kustomize it matches
/// (`strata::KUSTOMIZE_VERSION`; `concat!` needs the literal, a test keeps them equal).
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (kustomize v5.5.0)");

/// Build Kubernetes manifests from kustomization trees, byte-identical to
/// `kustomize build` v5.5.0, with presets and jsonnet sources.
#[derive(Debug, Parser)]
#[command(name = "strata", version = VERSION, about, long_about = None, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build a kustomization directory and print the manifests.
    ///
    /// Prints what `kustomize build` prints for the same tree, byte for byte:
    /// `strata build overlays/prod | kubectl apply -f -`.
    Build(build::BuildArgs),
    /// Show what applying a build would change, per resource.
    ///
    /// Compares the build with live objects from a cluster, with files
    /// (`--live`), or with the same targets built at a Git revision (`--base`).
    /// Exits 0 when nothing differs, 1 when something does, 2 on error.
    Diff(diff::DiffArgs),
    /// Apply a build to the cluster: plan, confirm, server-side apply in
    /// dependency order, wait for readiness.
    ///
    /// Every object is read and dry-run first; if any dry run is refused
    /// (a conflict, an invalid or immutable field) nothing is written. The
    /// plan is shown (the same diff as `strata diff`) and confirmed on a
    /// terminal (`--yes` skips the question; with no terminal, `--yes` is
    /// required). Objects are applied in steps (Namespaces and CRDs before
    /// what needs them), waiting for each step to be ready.
    /// Exits 0 applied or nothing to do, 1 failed, 2 usage/build error or
    /// not confirmed, 3 timed out waiting.
    #[cfg(feature = "cluster")]
    Apply(apply::ApplyArgs),
    /// Edit the kustomization file in the current directory, as `kustomize
    /// edit` does (comments and layout are kept).
    #[command(subcommand)]
    Edit(edit::EditCommand),
    /// Create a kustomization file in the current directory, as `kustomize
    /// create` does.
    #[command(visible_alias = "init")]
    Create(edit::CreateCommand),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completion(completion::CompletionArgs),
    /// Print a manual page (roff), or write them all with `--out-dir`.
    Man(man::ManArgs),
    /// Run as the Argo CD Config Management Plugin (integrations/argocd).
    Argocd(argocd::ArgocdArgs),
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Build(args) => build::run(args),
        Command::Diff(args) => diff::run(args),
        #[cfg(feature = "cluster")]
        Command::Apply(args) => apply::run(args),
        Command::Edit(command) => edit::run(command),
        Command::Create(args) => edit::run_create(args),
        Command::Completion(args) => completion::run(args),
        Command::Man(args) => man::run(args),
        Command::Argocd(args) => argocd::run(args),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn version_names_the_kustomize_it_matches() {
        assert!(super::VERSION.ends_with(&format!("(kustomize {})", strata::KUSTOMIZE_VERSION)));
    }
}
