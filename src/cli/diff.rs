//! `strata diff`: build, find the before side, compare, print, exit as
//! `kubectl diff` does (0 no differences, 1 differences, 2 error).
//!
//! The before side is chosen here: `--live PATH` reads files, `--base REV`
//! builds the same targets at a Git revision (materialized in a temporary
//! directory through a temporary index, so the user's work tree and index
//! are never touched), and neither asks the cluster through
//! [`cluster_source`].

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, ValueEnum};
use strata::diff::{
    self, live::compare_live, ClusterOptions, DiffOptions, FileSource, Identity, Labels,
    LiveSource, RevisionDiff, Summary, TargetDiff, Tree,
};
use strata::fs::DiskFs;
use strata::pipeline::BuildOptions;
use strata::ResourceMap;

use super::build::BuildFlags;

/// Exit status when differences were found.
const EXIT_DIFFERENCES: u8 = 1;
/// Exit status for an error (kubectl diff uses 2 and up; 1 means differences).
const EXIT_DIFF_ERROR: u8 = 2;

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Kustomization directories to diff. With `--base`, folders: every
    /// kustomization in them that no other one includes is a target.
    #[arg(default_value = ".", value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Compare with live objects read from this file or directory (what
    /// `kubectl get -o yaml` prints) instead of a cluster. Repeatable.
    /// Objects in them that the build does not produce are shown as deleted.
    #[arg(long, value_name = "PATH", conflicts_with = "base")]
    pub live: Vec<PathBuf>,

    /// Compare with the same targets built at this Git revision, rebuilding
    /// only targets whose input files changed since.
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,

    /// Show what the plan file (`strata apply --plan-out`) will change,
    /// instead of building: no cluster is read, Secret values stay masked.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["paths", "live", "base", "show_secrets"])]
    pub plan: Option<PathBuf>,

    /// Print Secret values instead of placeholders.
    #[arg(long)]
    pub show_secrets: bool,

    /// Output format.
    #[arg(long, value_enum, default_value = "text", value_name = "FORMAT")]
    pub format: FormatArg,

    /// When to color text output (`auto`: on a terminal, unless `NO_COLOR` is set).
    #[arg(long, value_enum, default_value = "auto", value_name = "WHEN")]
    pub color: ColorArg,

    #[command(flatten)]
    pub cluster: ClusterFlags,

    #[command(flatten)]
    pub comment: CommentArgs,

    #[command(flatten)]
    pub build: BuildFlags,
}

/// How `--format markdown` cuts a pull-request comment into parts.
#[derive(Debug, Args)]
pub struct CommentArgs {
    /// Markdown: the id in every part's hidden marker
    /// (`<!-- strata diff id="ID" part="K/N" -->`), telling apart several
    /// diffs posted to one pull request.
    #[arg(long, value_name = "ID", default_value = diff::markdown::DEFAULT_ID)]
    pub comment_id: String,

    /// Markdown: the most bytes in one part (GitHub's comment limit is 65536).
    #[arg(long, value_name = "N", default_value_t = diff::markdown::GITHUB_COMMENT_LIMIT)]
    pub max_bytes: usize,

    /// Markdown: the most parts (1 to 99); what does not fit is left out,
    /// with a notice at the end of the last part.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub max_parts: usize,

    /// Markdown: write part K of N to `DIR/part-KK.md` (made if missing;
    /// older `part-*.md` files there are removed) and list the files on
    /// stdout, instead of printing the parts one after another.
    #[arg(long, value_name = "DIR")]
    pub parts_dir: Option<PathBuf>,
}

impl CommentArgs {
    fn layout(&self) -> diff::markdown::Layout {
        diff::markdown::Layout {
            max_bytes: self.max_bytes,
            max_parts: self.max_parts,
            id: self.comment_id.clone(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Unified diffs with a header per resource, then a summary line.
    Text,
    /// A pull-request comment: summary table and collapsible diffs.
    Markdown,
    /// One JSON document for machines.
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

/// Runs `strata diff`; errors are printed here so they can exit with 2.
pub fn run(args: DiffArgs) -> anyhow::Result<ExitCode> {
    match diff(&args) {
        Ok(summary) if summary.has_differences() => Ok(ExitCode::from(EXIT_DIFFERENCES)),
        Ok(_) => Ok(ExitCode::SUCCESS),
        Err(error) => {
            super::report::print_error(&error);
            Ok(ExitCode::from(EXIT_DIFF_ERROR))
        }
    }
}

fn diff(args: &DiffArgs) -> anyhow::Result<Summary> {
    args.build.print_flag_deprecations()?;
    // Bad comment limits fail before any build.
    if args.format == FormatArg::Markdown {
        args.comment.layout().validate()?;
    } else if args.comment.parts_dir.is_some() {
        anyhow::bail!("`--parts-dir` writes markdown parts: use it with `--format markdown`");
    }
    let build_options = args.build.options();
    let diff_options = DiffOptions {
        show_secrets: args.show_secrets,
        ..DiffOptions::default()
    };
    let (targets, labels) = if let Some(path) = &args.plan {
        let file = strata::apply::PlanFile::read(path)?;
        let labels = Labels {
            before: "live".into(),
            after: "merged".into(),
        };
        (vec![file.diff()], labels)
    } else if let Some(base) = &args.base {
        revision_diff(args, base, &build_options, &diff_options)?
    } else {
        // The source first: a cluster that cannot be reached fails before a long build.
        let (source, labels) = live_source(args)?;
        let desired = build_all(&args.paths, &build_options)?;
        let state = source.live(&desired)?;
        let resources = compare_live(&desired, &state, &diff_options)?;
        let target = args
            .paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let targets = vec![TargetDiff {
            target,
            skipped: false,
            resources,
        }];
        (targets, labels)
    };
    print(args, &targets, &labels)?;
    Ok(Summary::of_targets(&targets))
}

/// Every path built and put into one set (live modes compare one set).
pub(super) fn build_all(paths: &[PathBuf], options: &BuildOptions) -> anyhow::Result<ResourceMap> {
    let mut desired = ResourceMap::new();
    for path in paths {
        let build = strata::build(&DiskFs, path, options)?;
        super::build::print_warnings(&build)?;
        desired.absorb(build.resources)?;
    }
    Ok(desired)
}

/// How `diff` and `apply` reach the cluster and whom they apply as: one set
/// of flags, flattened into both.
#[derive(Debug, Args)]
pub struct ClusterFlags {
    /// The kubeconfig file.
    #[arg(long, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,

    /// The kubeconfig context to use.
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,

    /// The namespace of resources that name none.
    #[arg(short = 'n', long, value_name = "NAMESPACE")]
    pub namespace: Option<String>,

    /// How long one request to the cluster may take (`30s`, `1m`, `0` for no limit).
    #[arg(long, default_value = "30s", value_name = "DURATION", value_parser = parse_duration)]
    pub request_timeout: Duration,

    /// The field manager server-side applies (and their dry runs) use:
    /// diff as the tool that will apply.
    #[arg(long, default_value = "strata", value_name = "NAME")]
    pub field_manager: String,

    /// Take fields other field managers own instead of failing on them (a
    /// diff then shows what `apply --force-conflicts` would do).
    #[arg(long)]
    pub force_conflicts: bool,
}

impl ClusterFlags {
    pub fn options(&self) -> ClusterOptions {
        ClusterOptions {
            kubeconfig: self.kubeconfig.clone(),
            context: self.context.clone(),
            namespace: self.namespace.clone(),
            request_timeout: self.request_timeout,
        }
    }

    pub fn identity(&self) -> Identity {
        Identity {
            field_manager: self.field_manager.clone(),
            force_conflicts: self.force_conflicts,
        }
    }
}

/// The source of live objects the arguments ask for, and what to call the sides.
fn live_source(args: &DiffArgs) -> anyhow::Result<(Box<dyn LiveSource + '_>, Labels)> {
    if args.live.is_empty() {
        let options = args.cluster.options();
        let labels = Labels {
            before: "live".into(),
            after: "merged".into(),
        };
        return Ok((cluster_source(&options, &args.cluster.identity())?, labels));
    }
    let source = FileSource {
        fs: &DiskFs,
        paths: args.live.clone(),
        namespace: args.cluster.namespace.clone(),
    };
    let labels = Labels {
        before: "live".into(),
        after: "desired".into(),
    };
    Ok((Box::new(source), labels))
}

/// The cluster behind the [`LiveSource`] seam: kube-rs, with the user's kubeconfig.
#[cfg(feature = "cluster")]
fn cluster_source(
    options: &ClusterOptions,
    identity: &Identity,
) -> anyhow::Result<Box<dyn LiveSource>> {
    Ok(Box::new(strata::cluster::ClusterSource {
        options: options.clone(),
        identity: identity.clone(),
        progress: super::progress::for_stderr(),
    }))
}

/// Built without the `cluster` feature: only files and revisions.
#[cfg(not(feature = "cluster"))]
fn cluster_source(
    options: &ClusterOptions,
    identity: &Identity,
) -> anyhow::Result<Box<dyn LiveSource>> {
    let _ = (options, identity);
    Err(strata::Error::msg(
        "live cluster diff is not available in this build (built without the `cluster` feature)",
    )
    .with_hint("compare with files (`--live objects.yaml`) or a Git revision (`--base main`)")
    .into())
}

/// `--base REV`: the targets under the paths, built at REV and in the work tree.
fn revision_diff(
    args: &DiffArgs,
    base: &str,
    build_options: &BuildOptions,
    diff_options: &DiffOptions,
) -> anyhow::Result<(Vec<TargetDiff>, Labels)> {
    let first = args.paths.first().map_or(Path::new("."), PathBuf::as_path);
    let work_tree = strata::git::WorkTree::containing(first)?;
    let top = work_tree.top.clone();
    let commit = work_tree.commit(base)?;
    let relative = args
        .paths
        .iter()
        .map(|path| work_tree.relative(path))
        .collect::<strata::Result<Vec<_>>>()?;

    let scratch = tempfile::Builder::new().prefix("strata-diff-").tempdir()?;
    let base_root = scratch.path().join("tree");
    work_tree.materialize(&commit, scratch.path(), &base_root)?;
    let changed = work_tree.changed_files(&commit)?;

    let revision = RevisionDiff {
        before: Tree {
            fs: &DiskFs,
            root: &base_root,
        },
        after: Tree {
            fs: &DiskFs,
            root: &top,
        },
        changed: &changed,
        build: build_options,
        diff: diff_options,
    };
    let targets = revision.targets(&relative)?;
    if targets.is_empty() {
        anyhow::bail!(
            "no kustomization found under {}",
            args.paths
                .iter()
                .map(|p| format!("`{}`", p.display()))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let diffs = revision.run(&targets)?;
    let labels = Labels {
        before: base.to_string(),
        after: "working tree".into(),
    };
    Ok((diffs, labels))
}

fn print(args: &DiffArgs, targets: &[TargetDiff], labels: &Labels) -> anyhow::Result<()> {
    let text = match args.format {
        FormatArg::Text => diff::text::render(targets, labels, use_color(args.color)),
        FormatArg::Markdown => {
            let parts = diff::markdown::render(targets, labels, &args.comment.layout())?;
            match &args.comment.parts_dir {
                Some(dir) => list(&write_parts(dir, &parts)?),
                None => parts.join("\n"),
            }
        }
        FormatArg::Json => diff::json::render(targets),
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(())
}

/// Writes `part-01.md`, `part-02.md`, ... into `dir`, each file whole, and
/// removes `part-*.md` files left from a longer comment before.
fn write_parts(dir: &Path, parts: &[String]) -> anyhow::Result<Vec<PathBuf>> {
    use anyhow::Context as _;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    let names: Vec<String> = (1..=parts.len()).map(part_file_name).collect();
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot read `{}`", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot read `{}`", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let stale = name.starts_with("part-") && name.ends_with(".md") && !names.contains(&name);
        if stale && entry.file_type()?.is_file() {
            std::fs::remove_file(entry.path())
                .with_context(|| format!("cannot remove `{}`", entry.path().display()))?;
        }
    }
    let mut written = Vec::with_capacity(parts.len());
    for (name, part) in names.iter().zip(parts) {
        let path = dir.join(name);
        strata::output::write_file(&path, part)?;
        written.push(path);
    }
    Ok(written)
}

/// `part-07.md`: two digits, so that the names sort in part order.
fn part_file_name(number: usize) -> String {
    format!("part-{number:02}.md")
}

fn list(paths: &[PathBuf]) -> String {
    paths.iter().map(|p| format!("{}\n", p.display())).collect()
}

/// `auto`: a terminal, `NO_COLOR` unset or empty, and not `TERM=dumb`.
fn use_color(choice: ColorArg) -> bool {
    match choice {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            let dumb = std::env::var_os("TERM").is_some_and(|v| v == "dumb");
            !no_color && !dumb && std::io::stdout().is_terminal()
        }
    }
}

/// Durations as kubectl writes them: `30s`, `1m`, `2h`, `500ms`; a bare number is seconds.
pub(super) fn parse_duration(text: &str) -> Result<Duration, String> {
    let split = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration such as `30s` or `1m`"))?;
    let seconds = match unit {
        "" | "s" => number,
        "ms" => number / 1000.0,
        "m" => number * 60.0,
        "h" => number * 3600.0,
        _ => {
            return Err(format!(
                "unknown unit `{unit}` in `{text}`: use ms, s, m or h"
            ))
        }
    };
    Duration::try_from_secs_f64(seconds).map_err(|e| format!("`{text}`: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_files_sort_in_part_order() {
        let names: Vec<String> = (1..=diff::markdown::MAX_PARTS)
            .map(part_file_name)
            .collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        assert_eq!(names[0], "part-01.md");
    }

    #[test]
    fn parses_durations() {
        let cases = [
            ("30s", Some(30_000_u64)),
            ("0", Some(0)),
            ("1m", Some(60_000)),
            ("500ms", Some(500)),
            ("1.5h", Some(5_400_000)),
            ("10", Some(10_000)),
            ("s", None),
            ("5d", None),
        ];
        for (text, millis) in cases {
            let parsed = parse_duration(text).ok().map(|d| d.as_millis());
            assert_eq!(parsed, millis.map(u128::from), "{text}");
        }
    }
}
