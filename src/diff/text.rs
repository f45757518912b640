//! The terminal format: per changed resource a header naming it and its
//! unified diff, then one summary line. Colors are plain ANSI codes, used
//! only when the caller asks (the CLI decides from `--color` and `NO_COLOR`).

use std::fmt::Write as _;

use super::{Change, Labels, ResourceDiff, Summary, TargetDiff};

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const CYAN: &str = "\x1b[36m";
const DIM: &str = "\x1b[2m";

/// Renders the diff of every target as text.
pub fn render(targets: &[TargetDiff], labels: &Labels, color: bool) -> String {
    let paint = Paint(color);
    let mut out = String::new();
    let name_targets = targets.len() > 1;
    for target in targets {
        if target.skipped {
            if name_targets {
                let _ = writeln!(
                    out,
                    "{}",
                    paint.wrap(
                        DIM,
                        &format!("{}: no input changed, skipped", target.target)
                    )
                );
            }
            continue;
        }
        for resource in target
            .resources
            .iter()
            .filter(|r| r.change != Change::Unchanged)
        {
            let prefix = if name_targets {
                format!("{}: ", target.target)
            } else {
                String::new()
            };
            resource_block(&mut out, &prefix, resource, labels, paint);
        }
    }
    let _ = writeln!(out, "{}", Summary::of_targets(targets));
    out
}

/// A one-line title: `changed: apps/v1 Deployment prod/web`, with the old name after a rename.
pub fn title(resource: &ResourceDiff) -> String {
    let mut title = format!("{}: {}", resource.change, resource.id);
    if let Some(previous) = &resource.previous_id {
        let _ = write!(title, " (was {})", previous.name);
    }
    title
}

fn resource_block(
    out: &mut String,
    prefix: &str,
    resource: &ResourceDiff,
    labels: &Labels,
    paint: Paint,
) {
    let _ = writeln!(
        out,
        "{}",
        paint.wrap(BOLD, &format!("{prefix}{}", title(resource)))
    );
    let before = match resource.change {
        Change::Created => "/dev/null".to_string(),
        _ => format!(
            "{} {}",
            labels.before,
            resource.previous_id.as_ref().unwrap_or(&resource.id)
        ),
    };
    let after = match resource.change {
        Change::Deleted => "/dev/null".to_string(),
        _ => format!("{} {}", labels.after, resource.id),
    };
    let _ = writeln!(out, "{}", paint.wrap(RED, &format!("--- {before}")));
    let _ = writeln!(out, "{}", paint.wrap(GREEN, &format!("+++ {after}")));
    for line in resource.hunks.lines() {
        let style = match line.as_bytes().first() {
            Some(b'-') => Some(RED),
            Some(b'+') => Some(GREEN),
            Some(b'@') => Some(CYAN),
            _ => None,
        };
        let _ = match style {
            Some(style) => writeln!(out, "{}", paint.wrap(style, line)),
            None => writeln!(out, "{line}"),
        };
    }
}

#[derive(Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn wrap(self, style: &str, text: &str) -> String {
        if self.0 {
            format!("{style}{text}{RESET}")
        } else {
            text.to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::{Gvk, ResId};

    fn diff(change: Change, name: &str, hunks: &str) -> ResourceDiff {
        ResourceDiff {
            change,
            id: ResId::new(Gvk::new("apps", "v1", "Deployment"), "prod", name),
            previous_id: None,
            hunks: hunks.into(),
        }
    }

    fn labels() -> Labels {
        Labels {
            before: "live".into(),
            after: "desired".into(),
        }
    }

    #[test]
    fn prints_headers_hunks_and_summary() {
        let targets = [TargetDiff {
            target: "overlays/prod".into(),
            skipped: false,
            resources: vec![
                diff(Change::Changed, "web", "@@ -1 +1 @@\n-a\n+b\n"),
                diff(Change::Unchanged, "db", ""),
            ],
        }];
        let text = render(&targets, &labels(), false);
        assert_eq!(
            text,
            "changed: apps/v1 Deployment prod/web\n\
             --- live apps/v1 Deployment prod/web\n\
             +++ desired apps/v1 Deployment prod/web\n\
             @@ -1 +1 @@\n-a\n+b\n\
             0 created, 1 changed, 0 deleted, 1 unchanged\n"
        );
    }

    #[test]
    fn colors_only_when_asked() {
        let targets = [TargetDiff {
            target: "t".into(),
            skipped: false,
            resources: vec![diff(Change::Created, "web", "@@ -0,0 +1 @@\n+a\n")],
        }];
        let plain = render(&targets, &labels(), false);
        assert!(!plain.contains('\x1b'));
        assert!(plain.contains("--- /dev/null\n"));
        let colored = render(&targets, &labels(), true);
        assert!(colored.contains(&format!("{GREEN}+a{RESET}")));
    }

    #[test]
    fn names_targets_and_renames() {
        let mut renamed = diff(Change::Changed, "cfg-6gtghh96k8", "");
        renamed.previous_id = Some(ResId::new(
            Gvk::new("apps", "v1", "Deployment"),
            "prod",
            "cfg-h29d89cmmt",
        ));
        let targets = [
            TargetDiff {
                target: "a".into(),
                skipped: false,
                resources: vec![renamed],
            },
            TargetDiff {
                target: "b".into(),
                skipped: true,
                resources: vec![diff(Change::Unchanged, "x", "")],
            },
        ];
        let text = render(&targets, &labels(), false);
        assert!(text.starts_with(
            "a: changed: apps/v1 Deployment prod/cfg-6gtghh96k8 (was cfg-h29d89cmmt)\n"
        ));
        assert!(text.contains("--- live apps/v1 Deployment prod/cfg-h29d89cmmt\n"));
        assert!(text.contains("b: no input changed, skipped\n"));
        assert!(text.ends_with("0 created, 1 changed, 0 deleted, 1 unchanged\n"));
    }
}
