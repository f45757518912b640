//! Pull-request comments: a summary table with a row per target, then per
//! target a collapsible `<details>` block per changed resource, split into
//! numbered parts that each fit one GitHub comment.
//!
//! Every part starts with a hidden marker line,
//! `<!-- strata diff id="ID" part="K/N" -->`, so that a bot can find the
//! comments it wrote for a pull request (the `id` tells several diffs of one
//! pull request apart) and update them in place. Parts are cut between
//! table rows and between resources; a continued table repeats its header,
//! and a resource diff too long for one part is split at line boundaries
//! into blocks titled `(1/3)`, `(2/3)`, ... When the parts allowed run out,
//! the last one ends with a notice of how many resource diffs are not shown.
//!
//! Sizes are counted in bytes: GitHub's limit is 65,536 characters, and a
//! text never has more characters than UTF-8 bytes.

use std::fmt::Write as _;

use super::text::title;
use super::{Change, Labels, ResourceDiff, Summary, TargetDiff};
use crate::error::{Error, Result};

/// GitHub's limit on a comment body (characters; used here as bytes).
pub const GITHUB_COMMENT_LIMIT: usize = 65_536;

/// The smallest part size accepted: room for the headers and some diff.
pub const MIN_PART_BYTES: usize = 1_024;

/// The most parts one diff may be split into.
pub const MAX_PARTS: usize = 99;

/// The marker id used when none is given.
pub const DEFAULT_ID: &str = "default";

/// How a comment is split.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// The most bytes in one part (at least [`MIN_PART_BYTES`]).
    pub max_bytes: usize,
    /// The most parts (1 to [`MAX_PARTS`]); what does not fit is left out.
    pub max_parts: usize,
    /// Written into every part's marker: letters, digits, `.`, `_`, `-`.
    pub id: String,
}

impl Default for Layout {
    fn default() -> Self {
        Layout {
            max_bytes: GITHUB_COMMENT_LIMIT,
            max_parts: 1,
            id: DEFAULT_ID.to_string(),
        }
    }
}

impl Layout {
    /// Checks the limits and the id; the error says what is allowed.
    pub fn validate(&self) -> Result<()> {
        if self.max_bytes < MIN_PART_BYTES {
            return Err(Error::msg(format!(
                "a comment part of {} bytes is too small: at least {MIN_PART_BYTES}",
                self.max_bytes
            )));
        }
        if !(1..=MAX_PARTS).contains(&self.max_parts) {
            return Err(Error::msg(format!(
                "{} parts: between 1 and {MAX_PARTS} are allowed",
                self.max_parts
            )));
        }
        valid_id(&self.id)
    }
}

/// Whether `id` can sit in the marker: 1 to 64 letters, digits, `.`, `_`
/// or `-`, without `--` (which would end an HTML comment early).
pub fn valid_id(id: &str) -> Result<()> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if id.is_empty() || id.len() > 64 || !id.chars().all(allowed) || id.contains("--") {
        return Err(Error::msg(format!(
            "`{id}` is not a comment id: use 1 to 64 letters, digits, `.`, `_` or `-` (no `--`)"
        )));
    }
    Ok(())
}

/// The marker line that starts part `part` of `parts`.
pub fn marker(id: &str, part: usize, parts: usize) -> String {
    format!("<!-- strata diff id=\"{id}\" part=\"{part}/{parts}\" -->\n")
}

/// What every part of comment `id` starts with, whatever its number: what
/// a bot searches comment bodies for.
pub fn marker_prefix(id: &str) -> String {
    format!("<!-- strata diff id=\"{id}\" ")
}

/// The comment for `targets`, as one or more parts in order.
pub fn render(targets: &[TargetDiff], labels: &Labels, layout: &Layout) -> Result<Vec<String>> {
    layout.validate()?;
    let summary = Summary::of_targets(targets);
    let intro = format!(
        "`{}` → `{}`: **{summary}**\n\n{TABLE_HEADER}",
        labels.before, labels.after
    );
    let names: Vec<String> = targets
        .iter()
        .map(|t| format!("`{}`", escape(&t.target)))
        .collect();
    let sizes = Sizes::new(layout, &intro, &names);
    let pieces = pieces(targets, &names, &sizes);
    let packed = pack(&pieces, &sizes, layout);
    Ok(write_parts(&pieces, &packed, &intro, &names, layout))
}

const TABLE_HEADER: &str =
    "| target | created | changed | deleted | unchanged |\n|---|---:|---:|---:|---:|\n";

/// One unit the comment is cut between.
#[derive(Debug)]
struct Piece {
    text: String,
    kind: Kind,
    /// The resource this piece shows (all of it, or one chunk).
    resource: Option<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A row of the summary table.
    Row,
    /// The heading of a target's diffs.
    Heading { target: usize },
    /// A resource's diff, or one chunk of it.
    Details { target: usize },
}

/// The fixed sizes packing works with.
struct Sizes {
    /// A part's marker and title, at the most digits the numbers can have.
    header: usize,
    /// What the first part has before any piece.
    intro: usize,
    /// Per target: the heading a part continuing its diffs starts with.
    continued: Vec<usize>,
    /// The longest notice the comment could need.
    notice: usize,
    max_bytes: usize,
}

impl Sizes {
    fn new(layout: &Layout, intro: &str, names: &[String]) -> Sizes {
        let most = layout.max_parts;
        Sizes {
            header: header(&layout.id, most, most).len(),
            intro: intro.len(),
            continued: names.iter().map(|n| continued_heading(n).len()).collect(),
            notice: notice(usize::MAX / 2, usize::MAX / 2, most).len(),
            max_bytes: layout.max_bytes,
        }
    }

    /// Room for pieces in a part that continues with a piece of `kind`.
    fn room_after(&self, kind: Kind) -> usize {
        let prefix = match kind {
            Kind::Row => TABLE_HEADER.len(),
            Kind::Heading { .. } => 0,
            Kind::Details { target } => self.continued[target],
        };
        self.max_bytes.saturating_sub(self.header + prefix)
    }
}

fn header(id: &str, part: usize, parts: usize) -> String {
    let mut text = marker(id, part, parts);
    text.push_str("### strata diff");
    if parts > 1 {
        let _ = write!(text, " (part {part} of {parts})");
    }
    text.push_str("\n\n");
    text
}

fn continued_heading(name: &str) -> String {
    format!("#### {name} (continued)\n\n")
}

fn notice(omitted: usize, total: usize, parts: usize) -> String {
    let fit = if parts == 1 {
        "one comment".to_string()
    } else {
        format!("{parts} comments")
    };
    format!(
        "\n> [!NOTE]\n> Cut to fit {fit}: {omitted} of {total} resource diffs are not shown. Run `strata diff` locally for the rest.\n"
    )
}

/// The table rows, then per target with changes its heading and diffs.
fn pieces(targets: &[TargetDiff], names: &[String], sizes: &Sizes) -> Vec<Piece> {
    let mut pieces: Vec<Piece> = targets
        .iter()
        .zip(names)
        .map(|(target, name)| Piece {
            text: clip(table_row(target, name), sizes.room_after(Kind::Row)),
            kind: Kind::Row,
            resource: None,
        })
        .collect();
    let mut resource = 0;
    for (index, target) in targets.iter().enumerate() {
        if target.skipped {
            continue;
        }
        let changed: Vec<&ResourceDiff> = target
            .resources
            .iter()
            .filter(|r| r.change != Change::Unchanged)
            .collect();
        if changed.is_empty() {
            continue;
        }
        let heading = Kind::Heading { target: index };
        pieces.push(Piece {
            text: clip(
                format!("\n#### {}\n\n", names[index]),
                sizes.room_after(heading),
            ),
            kind: heading,
            resource: None,
        });
        let kind = Kind::Details { target: index };
        for diff in changed {
            for text in details(diff, sizes.room_after(kind)) {
                pieces.push(Piece {
                    text,
                    kind,
                    resource: Some(resource),
                });
            }
            resource += 1;
        }
    }
    pieces
}

fn table_row(target: &TargetDiff, name: &str) -> String {
    if target.skipped {
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
    }
}

/// A resource's diff as one `<details>` block, or as several numbered
/// blocks split between lines when one would not fit in `room` bytes.
fn details(resource: &ResourceDiff, room: usize) -> Vec<String> {
    let fence = fence_for(&resource.hunks);
    let summary = escape(&title(resource));
    let block = |summary: &str, body: &str| {
        let mut text = format!("<details><summary>{summary}</summary>\n\n{fence}diff\n{body}");
        if !body.is_empty() && !body.ends_with('\n') {
            text.push('\n');
        }
        let _ = write!(text, "{fence}\n\n</details>\n");
        text
    };
    let whole = block(&summary, &resource.hunks);
    if whole.len() <= room {
        return vec![whole];
    }
    // The wrapper of a numbered block, at the most digits its numbers can have.
    let most = resource.hunks.len();
    let wrapper = block(&format!("{summary} ({most}/{most})"), "").len() + 1;
    let Some(body_room) = room.checked_sub(wrapper).filter(|&r| r > 4) else {
        // Not even the title fits: the block is cut and still closed.
        return vec![clip(block(&summary, ""), room)];
    };
    let chunks = chunk_lines(&resource.hunks, body_room);
    let count = chunks.len();
    chunks
        .iter()
        .enumerate()
        .map(|(i, body)| block(&format!("{summary} ({}/{count})", i + 1), body))
        .collect()
}

/// `text` in consecutive chunks of whole lines of at most `room` (> 4)
/// bytes; a line longer than that is cut at a character boundary.
fn chunk_lines(text: &str, room: usize) -> Vec<String> {
    let mut chunks = Vec::new();
    let mut current = String::new();
    for line in text.split_inclusive('\n') {
        let mut line = line;
        while !line.is_empty() {
            if current.len() + line.len() <= room {
                current.push_str(line);
                break;
            }
            if current.is_empty() {
                // Room for the newline that ends the cut piece (room > 4,
                // so at least one character fits).
                let end = floor_char_boundary(line, room - 1);
                let mut head = line[..end].to_string();
                head.push('\n');
                chunks.push(head);
                line = &line[end..];
            } else {
                chunks.push(std::mem::take(&mut current));
            }
        }
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}

/// Where each part's pieces are, as ranges of piece indices, and whether
/// pieces were left out at the end.
struct Packed {
    parts: Vec<std::ops::Range<usize>>,
    cut: bool,
}

/// Fills parts in order. A part continuing a table or a target's diffs
/// gets room for the header it repeats; a target heading goes where its
/// first diff fits after it, if it can; the last part allowed keeps room
/// for the notice unless everything left fits. Pieces are made to fit an
/// empty continuing part, so no part grows past the limit.
fn pack(pieces: &[Piece], sizes: &Sizes, layout: &Layout) -> Packed {
    // suffix[i]: the bytes of pieces i.. together.
    let mut suffix = vec![0; pieces.len() + 1];
    for (i, piece) in pieces.iter().enumerate().rev() {
        suffix[i] = suffix[i + 1] + piece.text.len();
    }
    let mut parts = Vec::new();
    let mut start = 0;
    let mut used = sizes.header + sizes.intro;
    let mut index = 0;
    while index < pieces.len() {
        let piece = &pieces[index];
        let size = piece.text.len();
        let glued = match piece.kind {
            Kind::Heading { .. } => size + pieces.get(index + 1).map_or(0, |n| n.text.len()),
            _ => size,
        };
        let last_part = parts.len() + 1 == layout.max_parts;
        let reserve = if last_part && used + suffix[index] > sizes.max_bytes {
            sizes.notice
        } else {
            0
        };
        let empty = index == start;
        let fits = |bytes: usize| used + bytes + reserve <= sizes.max_bytes;
        if fits(glued) || (empty && fits(size)) {
            used += size;
            index += 1;
            continue;
        }
        parts.push(start..index);
        if last_part {
            return Packed { parts, cut: true };
        }
        start = index;
        used = sizes.header + prefix_size(pieces, index, sizes);
    }
    parts.push(start..pieces.len());
    Packed { parts, cut: false }
}

/// What a part starting at piece `index` repeats before it.
fn prefix_size(pieces: &[Piece], index: usize, sizes: &Sizes) -> usize {
    match pieces[index].kind {
        Kind::Row => TABLE_HEADER.len(),
        Kind::Heading { .. } => 0,
        Kind::Details { target } => sizes.continued[target],
    }
}

fn write_parts(
    pieces: &[Piece],
    packed: &Packed,
    intro: &str,
    names: &[String],
    layout: &Layout,
) -> Vec<String> {
    let count = packed.parts.len();
    let total = pieces
        .iter()
        .filter_map(|p| p.resource)
        .max()
        .map_or(0, |last| last + 1);
    let mut out = Vec::with_capacity(count);
    for (number, range) in packed.parts.iter().enumerate() {
        let mut text = header(&layout.id, number + 1, count);
        if number == 0 {
            text.push_str(intro);
        } else if let Some(first) = pieces.get(range.start) {
            match first.kind {
                Kind::Row => text.push_str(TABLE_HEADER),
                Kind::Heading { .. } => {}
                Kind::Details { target } => text.push_str(&continued_heading(&names[target])),
            }
        }
        for piece in &pieces[range.clone()] {
            text.push_str(&piece.text);
        }
        out.push(text);
    }
    if packed.cut {
        let end = packed.parts.last().map_or(0, |r| r.end);
        // A resource counts as shown only if every chunk of it is.
        let shown = match pieces.get(end).and_then(|p| p.resource) {
            Some(partial) => partial,
            None => pieces[..end]
                .iter()
                .filter_map(|p| p.resource)
                .max()
                .map_or(0, |last| last + 1),
        };
        if let Some(last) = out.last_mut() {
            last.push_str(&notice(total - shown, total, count));
        }
    }
    out
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

/// `text` cut to at most `max` bytes at a character boundary.
fn clip(mut text: String, max: usize) -> String {
    text.truncate(floor_char_boundary(&text, max));
    text
}

fn floor_char_boundary(text: &str, max: usize) -> usize {
    if max >= text.len() {
        return text.len();
    }
    (0..=max)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0)
}

/// Escapes what HTML or a table cell would read as markup.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
}

#[cfg(test)]
mod tests;
