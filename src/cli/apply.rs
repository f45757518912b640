//! `strata apply`: build, plan, confirm, apply, wait; the output and exit
//! status. The work is in [`strata::apply`]; this file turns flags into
//! options, asks the question and renders events.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{ArgAction, Args, ValueEnum};
use indexmap::IndexMap;
use strata::apply::applyset::{Allow, ParentRef};
use strata::apply::planfile::{self, ClusterRef, PlanFile, Settings};
use strata::apply::{
    plan::conflict_table, Applier, ApplyOptions, ApplySetOptions, Event, EventKind, Outcome, Plan,
};
use strata::diff::DiffOptions;

use super::build::BuildFlags;
use super::diff::{build_all, parse_duration, ClusterFlags, ColorArg};

/// Something failed: the plan (nothing written) or the apply (later steps not run).
const EXIT_FAILED: u8 = 1;
/// Bad usage, a failed build, or no confirmation: nothing written.
const EXIT_REFUSED: u8 = 2;
/// Objects were not ready when `--timeout` ran out.
const EXIT_TIMEOUT: u8 = 3;

#[derive(Debug, Args)]
#[command(after_long_help = "\
Reviewed plans: `strata apply PATH --plan-out plan.json` writes the plan and \
changes nothing; `strata diff --plan plan.json` shows it (Secrets masked); \
`strata apply --plan plan.json` applies exactly it, refusing (exit 2, nothing \
changed) when the cluster is another one or any object it writes changed since.

Exit status: 0 applied (or nothing to do, or the plan written), 1 the plan or \
the apply failed (a refused dry run writes nothing), 2 usage or build error, \
a prune refusal (a guard, another tool's ApplySet), not confirmed, or a plan \
file refused (nothing written), 3 timed out waiting for readiness.")]
pub struct ApplyArgs {
    /// Kustomization directories (or `.jsonnet` files, or Git URLs) to
    /// build and apply together.
    #[arg(default_value = ".", value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Make the plan, write it to FILE and change nothing (nothing asked).
    /// The file (created mode 0600, replaced atomically) holds every
    /// object's body, Secrets' data in the clear: keep it as a Secret.
    /// With --prune, the deletions and the ApplySet are in the plan too.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["dry_run", "plan", "show_secrets"])]
    pub plan_out: Option<PathBuf>,

    /// Apply the plan FILE written by `--plan-out` instead of building:
    /// exactly its objects, in its steps, as its field manager. Refused
    /// (exit 2, nothing changed) if the file was edited, the cluster is
    /// another one, or any object it writes changed since it was made.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["paths", "show_secrets", "prune"])]
    pub plan: Option<PathBuf>,

    /// Apply without asking. Without a terminal to ask on, apply refuses
    /// to run unless this is given.
    #[arg(short = 'y', long)]
    pub yes: bool,

    /// `server`: run the whole apply, in order, with `dryRun=All`; nothing
    /// is written and nothing asked.
    #[arg(long, value_enum, value_name = "MODE")]
    pub dry_run: Option<DryRunArg>,

    /// Objects whose immutable fields change (a Job's template, a
    /// selector) are deleted (only the object planned: UID precondition)
    /// and created again. Without it, the plan fails on them.
    #[arg(long)]
    pub replace_immutable: bool,

    /// Wait for each step's objects to be ready before the next step.
    #[arg(long, default_value_t = true, action = ArgAction::Set, num_args = 0..=1,
          default_missing_value = "true", value_name = "BOOL")]
    pub wait: bool,

    /// How long waiting may take in all (`30s`, `5m`).
    #[arg(long, default_value = "5m", value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Duration,

    /// `text`: plan and progress on stderr. `json`: one JSON event per
    /// line on stdout (planned, applied, unchanged, waiting, ready, failed).
    #[arg(long, value_enum, default_value = "text", value_name = "FORMAT")]
    pub format: FormatArg,

    /// When to color the output on stderr (`auto`: on a terminal, unless `NO_COLOR` is set).
    #[arg(long, value_enum, default_value = "auto", value_name = "WHEN")]
    pub color: ColorArg,

    /// Print Secret values in the plan instead of placeholders.
    #[arg(long)]
    pub show_secrets: bool,

    /// Delete the objects of the ApplySet (`--applyset`) that the build no
    /// longer produces, after everything else is applied and ready, in
    /// reverse dependency order, each only as planned (UID and
    /// resourceVersion preconditions). Every applied object is labelled a
    /// member of the set. Refused (exit 2, nothing written) when it would
    /// delete Namespaces, CRDs, PersistentVolumeClaims or more than a
    /// quarter of the set, unless the matching --prune-allow-* flag is
    /// given; objects annotated `apply.strata.dev/prune: disabled` stay.
    #[arg(long, requires = "applyset")]
    pub prune: bool,

    /// The ApplySet's parent, as kubectl names it: `NAME` (a Secret),
    /// `secrets/NAME` or `configmaps/NAME`, in the namespace given with
    /// -n. Its label and annotations are kubectl's (KEP-3659).
    #[arg(long, value_name = "PARENT", requires = "prune")]
    pub applyset: Option<String>,

    /// Take over an ApplySet written by `kubectl apply --prune --applyset`.
    #[arg(long, requires = "applyset")]
    pub adopt: bool,

    /// Let prune delete Namespaces (and so everything in them).
    #[arg(long, requires = "prune")]
    pub prune_allow_namespaces: bool,

    /// Let prune delete CustomResourceDefinitions (and so all their objects).
    #[arg(long, requires = "prune")]
    pub prune_allow_crds: bool,

    /// Let prune delete PersistentVolumeClaims (and so, often, their data).
    #[arg(long, requires = "prune")]
    pub prune_allow_pvcs: bool,

    /// Let prune delete more than a quarter of the set's objects.
    #[arg(long, requires = "prune")]
    pub prune_allow_many: bool,

    #[command(flatten)]
    pub cluster: ClusterFlags,

    #[command(flatten)]
    pub build: BuildFlags,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DryRunArg {
    /// Not a dry run.
    None,
    /// Every request a server-side dry run.
    Server,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Text,
    Json,
}

/// Runs `strata apply`; errors are printed here so each gets its exit status.
pub fn run(args: ApplyArgs) -> anyhow::Result<ExitCode> {
    if let Some(path) = &args.plan {
        return run_reviewed(&args, path);
    }
    let started = Instant::now();
    let color = use_color(args.color);
    let desired = match build_all(&args.paths, &args.build.options()) {
        Ok(desired) => desired,
        Err(error) => return Ok(fail(&error, EXIT_REFUSED)),
    };
    let dry_run = args.dry_run == Some(DryRunArg::Server);
    let applyset = match applyset_options(&args) {
        Ok(applyset) => applyset,
        Err(error) => return Ok(fail(&error.into(), EXIT_REFUSED)),
    };
    let options = ApplyOptions {
        cluster: args.cluster.options(),
        identity: args.cluster.identity(),
        diff: DiffOptions {
            show_secrets: args.show_secrets,
            ..DiffOptions::default()
        },
        dry_run,
        wait: args.wait,
        timeout: args.timeout,
        replace_immutable: args.replace_immutable,
        applyset,
    };
    let mut applier = match Applier::connect(options) {
        Ok(applier) => applier,
        Err(error) => return Ok(fail(&error.into(), EXIT_FAILED)),
    };
    let plan = match applier.plan(&desired) {
        Ok(plan) => plan,
        Err(error) => return Ok(fail(&error.into(), EXIT_FAILED)),
    };
    let mut out = Output::new(args.format, color);
    out.plan(&plan, &target_name(&args.paths))?;
    if let Some(refusal) = plan.prune_refusal() {
        eprintln!("error: {refusal}; nothing was applied or deleted");
        return Ok(ExitCode::from(EXIT_REFUSED));
    }
    let blockers = plan.blockers(args.replace_immutable);
    if !blockers.is_empty() {
        let mut stderr = std::io::stderr().lock();
        writeln!(
            stderr,
            "error: the plan failed for {} object{}; nothing was applied:",
            blockers.len(),
            if blockers.len() == 1 { "" } else { "s" }
        )?;
        for line in &blockers {
            writeln!(stderr, "  {line}")?;
        }
        return Ok(ExitCode::from(EXIT_FAILED));
    }
    if let Some(path) = &args.plan_out {
        return write_plan(&args, &applier, plan, path);
    }
    confirm_and_apply(&args, &mut applier, &plan, out, started, false)
}

/// `--plan-out`: the plan to a file, nothing applied.
fn write_plan(
    args: &ApplyArgs,
    applier: &Applier,
    plan: Plan,
    path: &std::path::Path,
) -> anyhow::Result<ExitCode> {
    let summary = plan.summary();
    let file = PlanFile {
        tool: planfile::tool(),
        target: target_name(&args.paths),
        cluster: ClusterRef {
            server: applier.server().to_string(),
            context: applier.context().to_string(),
        },
        settings: Settings {
            field_manager: args.cluster.field_manager.clone(),
            force_conflicts: args.cluster.force_conflicts,
            replace_immutable: args.replace_immutable,
        },
        prune: planfile::deletions_of(&plan),
        plan,
    };
    if let Err(error) = file.write(path) {
        return Ok(fail(&error.into(), EXIT_FAILED));
    }
    eprintln!(
        "plan written to {} ({summary}); nothing was applied\n\
         apply it with: strata apply --plan {}",
        path.display(),
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `--plan FILE`: read and check the plan, check the cluster and every
/// object it writes, then confirm and apply exactly it.
fn run_reviewed(args: &ApplyArgs, path: &std::path::Path) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let color = use_color(args.color);
    let file = match PlanFile::read(path) {
        Ok(file) => file,
        Err(error) => return Ok(fail(&error.into(), EXIT_REFUSED)),
    };
    let settings = &file.settings;
    let mismatch = [
        (
            args.cluster.field_manager != "strata"
                && args.cluster.field_manager != settings.field_manager,
            format!(
                "--field-manager (the plan's is `{}`)",
                settings.field_manager
            ),
        ),
        (
            args.cluster.force_conflicts && !settings.force_conflicts,
            "--force-conflicts (the plan was made without it)".to_string(),
        ),
        (
            args.replace_immutable && !settings.replace_immutable,
            "--replace-immutable (the plan was made without it)".to_string(),
        ),
    ];
    if let Some((_, flag)) = mismatch.iter().find(|(differs, _)| *differs) {
        eprintln!(
            "error: {flag} cannot change a reviewed plan; make a new plan with it. \
             Nothing was changed"
        );
        return Ok(ExitCode::from(EXIT_REFUSED));
    }
    let dry_run = args.dry_run == Some(DryRunArg::Server);
    let mut cluster = args.cluster.options();
    // Objects are applied where they were planned; `-n` does not move them.
    cluster.namespace = None;
    let options = ApplyOptions {
        cluster,
        identity: strata::diff::Identity {
            field_manager: settings.field_manager.clone(),
            force_conflicts: settings.force_conflicts,
        },
        diff: DiffOptions::default(),
        dry_run,
        wait: args.wait,
        timeout: args.timeout,
        replace_immutable: settings.replace_immutable,
        // A `--prune` plan carries its ApplySet in the plan itself.
        applyset: None,
    };
    let mut applier = match Applier::connect(options) {
        Ok(applier) => applier,
        Err(error) => return Ok(fail(&error.into(), EXIT_FAILED)),
    };
    if let Some(refusal) = file.other_cluster(applier.server(), applier.context()) {
        eprintln!("error: {}: {refusal}", path.display());
        return Ok(ExitCode::from(EXIT_REFUSED));
    }
    let stale = match applier.stale(&file.plan, &file.prune) {
        Ok(stale) => stale,
        Err(error) => return Ok(fail(&error.into(), EXIT_FAILED)),
    };
    if !stale.is_empty() {
        let mut stderr = std::io::stderr().lock();
        writeln!(
            stderr,
            "error: {} object{} changed on the cluster since the plan {} was made; \
             nothing was changed:",
            stale.len(),
            if stale.len() == 1 { "" } else { "s" },
            path.display()
        )?;
        for line in &stale {
            writeln!(stderr, "  {line}")?;
        }
        writeln!(
            stderr,
            "\nhint: make and review a new plan (strata apply PATH --plan-out FILE)"
        )?;
        return Ok(ExitCode::from(EXIT_REFUSED));
    }
    let mut out = Output::new(args.format, color);
    out.plan(&file.plan, &file.target)?;
    let blockers = file.plan.blockers(settings.replace_immutable);
    if !blockers.is_empty() {
        eprintln!(
            "error: the plan cannot be applied; nothing was changed:\n  {}",
            blockers.join("\n  ")
        );
        return Ok(ExitCode::from(EXIT_REFUSED));
    }
    confirm_and_apply(args, &mut applier, &file.plan, out, started, true)
}

/// Asks (unless `--yes` or a dry run), applies, reports; `reviewed`: the
/// plan came from a file and its writes carry the planned resourceVersions.
fn confirm_and_apply(
    args: &ApplyArgs,
    applier: &mut Applier,
    plan: &Plan,
    mut out: Output,
    started: Instant,
    reviewed: bool,
) -> anyhow::Result<ExitCode> {
    let dry_run = args.dry_run == Some(DryRunArg::Server);
    if !plan.writes() {
        eprintln!("nothing to apply: every object is unchanged");
        return Ok(ExitCode::SUCCESS);
    }
    if !dry_run && !args.yes {
        match confirm()? {
            Confirmation::Yes => {}
            Confirmation::No => {
                eprintln!("not applied: nothing was written");
                return Ok(ExitCode::from(EXIT_REFUSED));
            }
            Confirmation::NoTerminal => {
                eprintln!(
                    "error: refusing to apply without confirmation: there is no terminal to \
                     ask on; nothing was written\n\nhint: pass --yes to apply without asking, or \
                     --dry-run=server to try the apply"
                );
                return Ok(ExitCode::from(EXIT_REFUSED));
            }
        }
    }
    let outcome = if reviewed {
        applier.execute_reviewed(plan, &mut |event| out.event(&event))
    } else {
        applier.execute(plan, &mut |event| out.event(&event))
    };
    out.finish();
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(error) => return Ok(fail(&error.into(), EXIT_FAILED)),
    };
    let stats = applier.stats();
    let summary = plan.summary();
    let verb = if dry_run { "dry run" } else { "apply" };
    let status = match outcome {
        Outcome::Applied => "done",
        Outcome::Failed => "failed",
        Outcome::TimedOut => "timed out waiting (--timeout)",
    };
    let deleted = if plan.prune.is_some() {
        format!(", {} deleted", summary.delete)
    } else {
        String::new()
    };
    eprintln!(
        "{verb} {status}: {} created, {} updated, {} replaced, {} unchanged{deleted} in {} step{}; \
         {} requests (at most {} in flight) in {:.2} s",
        summary.created,
        summary.updated,
        summary.replace,
        summary.unchanged,
        plan.steps.len(),
        if plan.steps.len() == 1 { "" } else { "s" },
        stats.requests,
        stats.max_in_flight,
        started.elapsed().as_secs_f64()
    );
    Ok(match outcome {
        Outcome::Applied => ExitCode::SUCCESS,
        Outcome::Failed => ExitCode::from(EXIT_FAILED),
        Outcome::TimedOut => ExitCode::from(EXIT_TIMEOUT),
    })
}

/// `--prune --applyset`: the parent (namespace from -n) and what prune may delete.
fn applyset_options(args: &ApplyArgs) -> strata::Result<Option<ApplySetOptions>> {
    let Some(flag) = args.applyset.as_deref().filter(|_| args.prune) else {
        return Ok(None);
    };
    let namespace = args.cluster.namespace.as_deref().unwrap_or_default();
    let parent = ParentRef::parse(flag, namespace)?;
    strata::apply::prune::check_parent(&parent)?;
    Ok(Some(ApplySetOptions {
        parent,
        adopt: args.adopt,
        allow: Allow {
            namespaces: args.prune_allow_namespaces,
            crds: args.prune_allow_crds,
            claims: args.prune_allow_pvcs,
            many: args.prune_allow_many,
        },
    }))
}

fn fail(error: &anyhow::Error, code: u8) -> ExitCode {
    super::report::print_error(error);
    ExitCode::from(code)
}

fn target_name(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

enum Confirmation {
    Yes,
    No,
    NoTerminal,
}

/// Asks on the terminal; only `y` or `yes` applies.
fn confirm() -> anyhow::Result<Confirmation> {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Ok(Confirmation::NoTerminal);
    }
    eprint!("Apply these changes? [y/N] ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    let answer = answer.trim().to_ascii_lowercase();
    Ok(if answer == "y" || answer == "yes" {
        Confirmation::Yes
    } else {
        Confirmation::No
    })
}

/// `auto`: stderr a terminal, `NO_COLOR` unset or empty, and not `TERM=dumb`.
fn use_color(choice: ColorArg) -> bool {
    match choice {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            let dumb = std::env::var_os("TERM").is_some_and(|v| v == "dumb");
            !no_color && !dumb && std::io::stderr().is_terminal()
        }
    }
}

/// Renders the plan and events: JSON lines on stdout, or text on stderr
/// with, on a terminal, a block of live lines for the objects waited for.
struct Output {
    format: FormatArg,
    color: bool,
    /// Redraw the waiting block in place (stderr is a terminal).
    live: bool,
    /// Objects waited for, with their current line.
    waiting: IndexMap<String, String>,
    /// Lines of the waiting block on screen.
    drawn: usize,
}

impl Output {
    fn new(format: FormatArg, color: bool) -> Output {
        Output {
            format,
            color,
            live: std::io::stderr().is_terminal(),
            waiting: IndexMap::new(),
            drawn: 0,
        }
    }

    fn plan(&mut self, plan: &Plan, target: &str) -> anyhow::Result<()> {
        match self.format {
            FormatArg::Json => {
                let mut stdout = std::io::stdout().lock();
                for item in &plan.items {
                    let mut event = Event::about(EventKind::Planned, item);
                    event.reason = item.reason.clone();
                    event.conflicts = item.conflicts.clone();
                    writeln!(stdout, "{}", event.to_json_line())?;
                }
                for deletion in plan.prune.iter().flat_map(|set| set.deletions()) {
                    let mut event = Event::new(EventKind::Planned, &deletion.id);
                    event.action = Some(strata::apply::Action::Delete);
                    writeln!(stdout, "{}", event.to_json_line())?;
                }
                stdout.flush()?;
            }
            FormatArg::Text => {
                let mut stderr = std::io::stderr().lock();
                stderr.write_all(plan.render(target, self.color).as_bytes())?;
            }
        }
        Ok(())
    }

    fn paint(&self, style: &str, text: &str) -> String {
        if self.color {
            format!("{style}{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn event(&mut self, event: &Event) {
        if self.format == FormatArg::Json {
            let mut stdout = std::io::stdout().lock();
            let _ = writeln!(stdout, "{}", event.to_json_line());
            let _ = stdout.flush();
            return;
        }
        let id = event.id().to_string();
        let lines = match event.event {
            EventKind::Planned | EventKind::Unchanged => return,
            EventKind::Applied => {
                let action = event.action.map_or("applied", |a| match a {
                    strata::apply::Action::Created => "created",
                    strata::apply::Action::Updated | strata::apply::Action::Unchanged => "updated",
                    strata::apply::Action::Replace => "replaced",
                    strata::apply::Action::Failed => "failed",
                    strata::apply::Action::Delete => "deleted",
                });
                let mut line = format!("{} {id}", self.paint("\x1b[32m", &format!("{action:<9}")));
                if event.dry_run {
                    line.push_str(" (dry run)");
                }
                if let Some(reason) = &event.reason {
                    line.push_str(&format!(": not dry-run: {reason}"));
                }
                line + "\n"
            }
            EventKind::Deleted => {
                let mut line = format!("{} {id}", self.paint("\x1b[31m", "deleted  "));
                if event.dry_run {
                    line.push_str(" (dry run)");
                }
                line + "\n"
            }
            EventKind::Gone => return,
            EventKind::Waiting => {
                let mut line = format!(
                    "{} {id}: {}",
                    self.paint("\x1b[33m", "waiting  "),
                    event.reason.as_deref().unwrap_or_default()
                );
                if let Some(last) = event.events.last() {
                    line.push_str(&format!(" ({last})"));
                }
                let changed = self.waiting.get(&id) != Some(&line);
                self.waiting.insert(id, line.clone());
                if self.live {
                    self.redraw();
                } else if changed {
                    eprintln!("{line}");
                }
                return;
            }
            EventKind::Ready => {
                if self.waiting.shift_remove(&id).is_none() {
                    return;
                }
                format!("{} {id}\n", self.paint("\x1b[32m", "ready    "))
            }
            EventKind::Failed => {
                self.waiting.shift_remove(&id);
                let what = if event.timed_out {
                    "timed out waiting"
                } else {
                    "failed"
                };
                let mut lines = format!(
                    "{} {id}: {}\n",
                    self.paint("\x1b[31m", &format!("{what:<9}")),
                    event.reason.as_deref().unwrap_or_default()
                );
                if !event.conflicts.is_empty() {
                    lines.push_str(&conflict_table(&event.conflicts, "      "));
                }
                for line in &event.events {
                    lines.push_str(&format!("      {line}\n"));
                }
                lines
            }
        };
        self.clear();
        eprint!("{lines}");
        self.redraw();
    }

    /// Removes the waiting block from the screen.
    fn clear(&mut self) {
        if self.live {
            for _ in 0..self.drawn {
                eprint!("\x1b[1A\x1b[2K");
            }
        }
        self.drawn = 0;
    }

    fn redraw(&mut self) {
        if !self.live {
            return;
        }
        self.clear();
        for line in self.waiting.values() {
            eprintln!("{line}");
        }
        self.drawn = self.waiting.len();
    }

    fn finish(&mut self) {
        self.clear();
        self.waiting.clear();
    }
}
