//! A pull-request comment: a summary table with a row per target, then per
//! target a collapsible `<details>` block per changed resource. The text is
//! cut, with a notice, before GitHub's comment limit.

use std::fmt::Write as _;

use super::text::title;
use super::{Change, Labels, ResourceDiff, Summary, TargetDiff};

/// GitHub's limit on a comment body, in characters.
pub const GITHUB_COMMENT_LIMIT: usize = 65_536;

/// Renders the comment, at most `limit` characters long.
pub fn render(targets: &[TargetDiff], labels: &Labels, limit: usize) -> String {
    let summary = Summary::of_targets(targets);
    let mut head = String::from("### strata diff\n\n");
    let _ = writeln!(
        head,
        "`{}` → `{}`: **{summary}**\n",
        labels.before, labels.after
    );
    head.push_str(
        "| target | created | changed | deleted | unchanged |\n|---|---:|---:|---:|---:|\n",
    );

    let mut pieces: Vec<Piece> = targets.iter().map(table_row).collect();
    for target in targets.iter().filter(|t| !t.skipped) {
        let changed: Vec<&ResourceDiff> = target
            .resources
            .iter()
            .filter(|r| r.change != Change::Unchanged)
            .collect();
        if changed.is_empty() {
            continue;
        }
        pieces.push(Piece::plain(format!(
            "\n#### `{}`\n\n",
            escape(&target.target)
        )));
        pieces.extend(changed.into_iter().map(details));
    }
    fit(head, &pieces, limit)
}

/// One part of the comment; `resource` marks a per-resource diff (counted in the notice).
struct Piece {
    text: String,
    resource: bool,
}

impl Piece {
    fn plain(text: String) -> Piece {
        Piece {
            text,
            resource: false,
        }
    }
}

fn table_row(target: &TargetDiff) -> Piece {
    let name = format!("`{}`", escape(&target.target));
    let text = if target.skipped {
        format!(
            "| {name} | – | – | – | {} (no input changed) |\n",
            target.resources.len()
        )
    } else {
        let s = Summary::of_resources(&target.resources);
        format!(
            "| {name} | {} | {} | {} | {} |\n",
            s.created, s.changed, s.deleted, s.unchanged
        )
    };
    Piece::plain(text)
}

fn details(resource: &ResourceDiff) -> Piece {
    let fence = fence_for(&resource.hunks);
    let mut text = format!(
        "<details><summary>{}</summary>\n\n{fence}diff\n",
        escape(&title(resource))
    );
    text.push_str(&resource.hunks);
    if !resource.hunks.is_empty() && !resource.hunks.ends_with('\n') {
        text.push('\n');
    }
    let _ = write!(text, "{fence}\n\n</details>\n");
    Piece {
        text,
        resource: true,
    }
}

/// A code fence longer than any run of backticks in `body`.
fn fence_for(body: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in body.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    "`".repeat(longest.max(2) + 1)
}

/// `head` plus as many pieces as fit under `limit`, then a notice if cut.
fn fit(head: String, pieces: &[Piece], limit: usize) -> String {
    let total = pieces.iter().filter(|p| p.resource).count();
    // The longest notice this comment could need.
    let reserve = notice(total, total).chars().count();
    let mut out = head;
    let mut used = out.chars().count();
    let mut shown = 0;
    for (index, piece) in pieces.iter().enumerate() {
        let size = piece.text.chars().count();
        let last = index + 1 == pieces.len();
        if used + size + if last { 0 } else { reserve } > limit {
            out.push_str(&notice(total - shown, total));
            return truncate(out, limit);
        }
        out.push_str(&piece.text);
        used += size;
        shown += usize::from(piece.resource);
    }
    truncate(out, limit)
}

fn notice(omitted: usize, total: usize) -> String {
    format!(
        "\n> [!NOTE]\n> Cut to fit GitHub's comment limit: {omitted} of {total} resource diffs are not shown. Run `strata diff` locally for the rest.\n"
    )
}

/// Last resort when even the head is too long: cut at a character boundary.
fn truncate(text: String, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        Some((end, _)) => text[..end].to_string(),
        None => text,
    }
}

/// Escapes what HTML or a table cell would read as markup.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::{Gvk, ResId};

    fn diff(change: Change, name: &str, hunks: &str) -> ResourceDiff {
        ResourceDiff {
            change,
            id: ResId::new(Gvk::new("", "v1", "ConfigMap"), "", name),
            previous_id: None,
            hunks: hunks.into(),
        }
    }

    fn labels() -> Labels {
        Labels {
            before: "main".into(),
            after: "working tree".into(),
        }
    }

    fn targets(count: usize, hunk_size: usize) -> Vec<TargetDiff> {
        let hunks = format!("@@ -1 +1 @@\n-{}\n+b\n", "x".repeat(hunk_size));
        vec![
            TargetDiff {
                target: "overlays/prod".into(),
                skipped: false,
                resources: (0..count)
                    .map(|i| diff(Change::Changed, &format!("cm{i}"), &hunks))
                    .collect(),
            },
            TargetDiff {
                target: "overlays/dev".into(),
                skipped: true,
                resources: vec![diff(Change::Unchanged, "a", "")],
            },
        ]
    }

    #[test]
    fn has_a_table_and_collapsible_diffs() {
        let text = render(&targets(2, 3), &labels(), GITHUB_COMMENT_LIMIT);
        assert!(text
            .contains("`main` → `working tree`: **0 created, 2 changed, 0 deleted, 1 unchanged**"));
        assert!(text.contains("| `overlays/prod` | 0 | 2 | 0 | 0 |\n"));
        assert!(text.contains("| `overlays/dev` | – | – | – | 1 (no input changed) |\n"));
        assert!(text.contains("<details><summary>changed: v1 ConfigMap cm1</summary>\n\n```diff\n@@ -1 +1 @@\n-xxx\n+b\n```\n\n</details>\n"));
        assert!(!text.contains("Cut to fit"));
    }

    #[test]
    fn cuts_before_the_limit_with_a_notice() {
        let all = targets(200, 1_000);
        let text = render(&all, &labels(), GITHUB_COMMENT_LIMIT);
        let length = text.chars().count();
        assert!(length <= GITHUB_COMMENT_LIMIT, "{length}");
        assert!(length > GITHUB_COMMENT_LIMIT - 2_000, "{length}");
        let shown = text.matches("<details>").count();
        assert!(shown < 200);
        assert!(text.contains(&format!(
            "{} of 200 resource diffs are not shown",
            200 - shown
        )));
        // Every opened block is closed: the cut falls between pieces.
        assert_eq!(shown, text.matches("</details>").count());
    }

    #[test]
    fn tiny_limits_still_hold() {
        let text = render(&targets(3, 10), &labels(), 50);
        assert!(text.chars().count() <= 50);
    }

    #[test]
    fn fences_outgrow_backticks_and_markup_is_escaped() {
        assert_eq!(fence_for("a ``` b"), "````");
        assert_eq!(fence_for("plain"), "```");
        assert_eq!(escape("a<b>|&"), "a&lt;b&gt;\\|&amp;");
    }
}
