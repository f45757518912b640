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

fn layout(max_bytes: usize, max_parts: usize) -> Layout {
    Layout {
        max_bytes,
        max_parts,
        id: "prod".into(),
    }
}

/// What must hold for any comment: parts within the limit, numbered
/// markers, every `<details>` and code fence closed in the part it opens.
fn check_well_formed(parts: &[String], layout: &Layout) {
    let count = parts.len();
    for (index, part) in parts.iter().enumerate() {
        assert!(
            part.len() <= layout.max_bytes,
            "part {} has {} bytes",
            index + 1,
            part.len()
        );
        assert!(
            part.starts_with(&marker(&layout.id, index + 1, count)),
            "{part}"
        );
        assert!(part.starts_with(&marker_prefix(&layout.id)));
        assert_eq!(
            part.matches("<details>").count(),
            part.matches("</details>").count(),
            "part {}",
            index + 1
        );
        let fences = part.lines().filter(|l| l.starts_with("```")).count();
        assert_eq!(fences % 2, 0, "part {} leaves a fence open", index + 1);
    }
}

#[test]
fn has_a_table_and_collapsible_diffs() {
    let parts = render(&targets(2, 3), &labels(), &Layout::default()).unwrap();
    assert_eq!(parts.len(), 1);
    let text = &parts[0];
    assert!(text.starts_with(
        "<!-- strata diff id=\"default\" part=\"1/1\" -->\n### strata diff\n\n`main` → `working tree`: **0 created, 2 changed, 0 deleted, 1 unchanged**\n"
    ), "{text}");
    assert!(text.contains("| `overlays/prod` | 0 | 2 | 0 | 0 |\n"));
    assert!(text.contains("| `overlays/dev` | – | – | – | 1 (no input changed) |\n"));
    assert!(text.contains(
        "\n#### `overlays/prod`\n\n<details><summary>changed: v1 ConfigMap cm0</summary>"
    ));
    assert!(text.contains("<details><summary>changed: v1 ConfigMap cm1</summary>\n\n```diff\n@@ -1 +1 @@\n-xxx\n+b\n```\n\n</details>\n"));
    assert!(!text.contains("Cut to fit"));
    assert!(!text.contains("part 1 of"));
}

#[test]
fn nothing_changed_is_one_part_with_the_table() {
    let unchanged = vec![TargetDiff {
        target: "overlays/prod".into(),
        skipped: false,
        resources: vec![diff(Change::Unchanged, "a", "")],
    }];
    let parts = render(&unchanged, &labels(), &Layout::default()).unwrap();
    assert_eq!(parts.len(), 1);
    assert!(parts[0].contains("**0 created, 0 changed, 0 deleted, 1 unchanged**"));
    assert!(!parts[0].contains("<details>"));
}

#[test]
fn a_long_comment_is_split_into_parts_that_show_everything() {
    let layout = layout(GITHUB_COMMENT_LIMIT, 10);
    let parts = render(&targets(200, 1_000), &labels(), &layout).unwrap();
    check_well_formed(&parts, &layout);
    assert_eq!(parts.len(), 4, "200 diffs of about 1.1 kB in 64 kB parts");
    for (index, part) in parts.iter().enumerate() {
        assert!(part.contains(&format!("### strata diff (part {} of 4)\n", index + 1)));
        // Parts are filled: all but the last are close to the limit.
        if index < 3 {
            assert!(part.len() > GITHUB_COMMENT_LIMIT - 1_200, "{}", part.len());
        }
    }
    let shown: usize = parts.iter().map(|p| p.matches("<details>").count()).sum();
    assert_eq!(shown, 200);
    for i in 0..200 {
        let title = format!("<summary>changed: v1 ConfigMap cm{i}</summary>");
        let found: usize = parts.iter().map(|p| p.matches(&title).count()).sum();
        assert_eq!(found, 1, "cm{i}");
    }
    assert!(parts[1].contains("\n#### `overlays/prod` (continued)\n\n<details>"));
    assert!(!parts.iter().any(|p| p.contains("Cut to fit")));
    // The summary and table are only in the first part.
    assert_eq!(parts.iter().filter(|p| p.contains("| target |")).count(), 1);
}

#[test]
fn parts_running_out_end_with_a_notice() {
    let layout = layout(GITHUB_COMMENT_LIMIT, 2);
    let parts = render(&targets(200, 1_000), &labels(), &layout).unwrap();
    check_well_formed(&parts, &layout);
    assert_eq!(parts.len(), 2);
    let shown: usize = parts.iter().map(|p| p.matches("<details>").count()).sum();
    assert!(shown < 200 && shown > 100, "{shown}");
    let notice = format!(
        "Cut to fit 2 comments: {} of 200 resource diffs are not shown",
        200 - shown
    );
    assert!(
        parts[1].contains(&notice),
        "{}",
        &parts[1][parts[1].len() - 300..]
    );
    assert!(!parts[0].contains("Cut to fit"));

    let one = render(&targets(200, 1_000), &labels(), &layout_one()).unwrap();
    assert_eq!(one.len(), 1);
    assert!(one[0].contains("Cut to fit one comment: "));
    assert!(one[0].len() <= GITHUB_COMMENT_LIMIT);
    assert!(
        one[0].len() > GITHUB_COMMENT_LIMIT - 2_000,
        "{}",
        one[0].len()
    );
}

fn layout_one() -> Layout {
    layout(GITHUB_COMMENT_LIMIT, 1)
}

#[test]
fn a_resource_too_long_for_a_part_is_split_between_lines() {
    let hunks: String = (0..5_000)
        .map(|i| format!("+  key{i}: value number {i}\n"))
        .collect();
    let big = vec![TargetDiff {
        target: "overlays/prod".into(),
        skipped: false,
        resources: vec![
            diff(Change::Created, "small", "+a\n"),
            diff(Change::Created, "big", &hunks),
            diff(Change::Created, "after", "+b\n"),
        ],
    }];
    let layout = layout(GITHUB_COMMENT_LIMIT, 10);
    let parts = render(&big, &labels(), &layout).unwrap();
    check_well_formed(&parts, &layout);
    assert!(parts.len() >= 3, "{}", parts.len());
    let chunks: Vec<&str> = parts
        .iter()
        // What precedes a part's first block is not a chunk.
        .flat_map(|p| {
            p.split("<details><summary>created: v1 ConfigMap big (")
                .skip(1)
        })
        .collect();
    assert!(chunks.len() >= 3, "{}", chunks.len());
    // The chunks, numbered 1/N..N/N, hold the whole diff in order.
    let count = chunks.len();
    let mut joined = String::new();
    for (i, chunk) in chunks.iter().enumerate() {
        assert!(
            chunk.starts_with(&format!("{}/{count})</summary>\n\n```diff\n", i + 1)),
            "{}",
            &chunk[..60]
        );
        let body =
            &chunk[chunk.find("```diff\n").unwrap() + 8..chunk.find("```\n\n</details>").unwrap()];
        joined.push_str(body);
    }
    assert_eq!(joined, hunks);
    assert!(parts
        .iter()
        .any(|p| p.contains("ConfigMap small</summary>")));
    assert!(parts
        .iter()
        .any(|p| p.contains("ConfigMap after</summary>")));
}

#[test]
fn a_long_table_continues_with_its_header() {
    let many: Vec<TargetDiff> = (0..300)
        .map(|i| TargetDiff {
            target: format!("apps/app-{i:03}"),
            skipped: true,
            resources: vec![],
        })
        .collect();
    let layout = layout(2_048, 20);
    let parts = render(&many, &labels(), &layout).unwrap();
    check_well_formed(&parts, &layout);
    assert!(parts.len() > 5, "{}", parts.len());
    for part in &parts {
        assert_eq!(part.matches("| target | created |").count(), 1, "{part}");
    }
    for i in 0..300 {
        let row = format!("| `apps/app-{i:03}` |");
        assert_eq!(
            parts.iter().map(|p| p.matches(&row).count()).sum::<usize>(),
            1
        );
    }
}

#[test]
fn multibyte_text_is_cut_at_character_boundaries() {
    // One line longer than a part, of 4-byte characters: cut inside the line.
    let line = format!("+{}\n", "🦀".repeat(2_000));
    let wide = vec![TargetDiff {
        target: "überlays/prod".into(),
        skipped: false,
        resources: vec![diff(Change::Changed, "ünïcode", &line.repeat(3))],
    }];
    for max_bytes in [1_024, 1_500, 4_099, 10_007] {
        let layout = layout(max_bytes, MAX_PARTS);
        let parts = render(&wide, &labels(), &layout).unwrap();
        check_well_formed(&parts, &layout);
        let crabs: usize = parts.iter().map(|p| p.matches('🦀').count()).sum();
        assert_eq!(crabs, 6_000, "max {max_bytes}: every character shown once");
    }
}

#[test]
fn every_limit_gives_well_formed_parts() {
    let mixed = {
        let mut all = targets(40, 300);
        all[0]
            .resources
            .push(diff(Change::Deleted, "gone", &"-x\n".repeat(3_000)));
        all.push(TargetDiff {
            target: "overlays/<staging>|eu".into(),
            skipped: false,
            resources: vec![diff(Change::Created, "new", "+`````\n+y\n")],
        });
        all
    };
    for max_bytes in [1_024, 1_100, 2_000, 3_333, 8_192, 65_536] {
        for max_parts in [1, 2, 7, MAX_PARTS] {
            let layout = layout(max_bytes, max_parts);
            let parts = render(&mixed, &labels(), &layout).unwrap();
            assert!(parts.len() <= max_parts);
            check_well_formed(&parts, &layout);
            let cut = parts.last().unwrap().contains("Cut to fit");
            let all_shown = parts.iter().any(|p| p.contains("ConfigMap new</summary>"));
            assert!(
                cut || all_shown,
                "{max_bytes}/{max_parts}: neither shown nor noticed"
            );
        }
    }
}

#[test]
fn limits_and_ids_are_checked() {
    let bad = [
        layout(1_023, 1),
        layout(GITHUB_COMMENT_LIMIT, 0),
        layout(GITHUB_COMMENT_LIMIT, MAX_PARTS + 1),
        Layout {
            id: "a--b".into(),
            ..Layout::default()
        },
        Layout {
            id: "x -->".into(),
            ..Layout::default()
        },
        Layout {
            id: String::new(),
            ..Layout::default()
        },
    ];
    for layout in bad {
        assert!(
            render(&targets(1, 1), &labels(), &layout).is_err(),
            "{layout:?}"
        );
    }
    for id in ["prod", "eu-west.1", "a_b-c"] {
        assert!(valid_id(id).is_ok(), "{id}");
    }
}

#[test]
fn fences_outgrow_backticks_and_markup_is_escaped() {
    assert_eq!(fence_for("a ``` b"), "````");
    assert_eq!(fence_for("plain"), "```");
    assert_eq!(escape("a<b>|&"), "a&lt;b&gt;\\|&amp;");
}

#[test]
fn lines_are_chunked_whole_unless_one_is_too_long() {
    assert_eq!(chunk_lines("ab\ncd\nef\n", 6), vec!["ab\ncd\n", "ef\n"]);
    // A cut line ends each chunk with a newline of its own, within the room.
    assert_eq!(chunk_lines("abcdefgh\n", 4), vec!["abc\n", "def\n", "gh\n"]);
    assert_eq!(chunk_lines("", 4), Vec::<String>::new());
}
