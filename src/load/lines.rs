//! The line of a field in a config file, for schema errors.
//!
//! Typed parsing works on an already-built value, which has no positions;
//! when it fails, the file is scanned again (errors only, so this costs a
//! build nothing) and the field path of the error (`images[0].newTag`) is
//! followed through the parser's events to the line that holds it.

use granit_parser::{Event, Parser};

/// One step of a field path.
#[derive(Debug, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

/// Splits `images[0].newTag` into steps; `None` for what is not a path.
fn steps(field: &str) -> Option<Vec<Step>> {
    let mut steps = Vec::new();
    for part in field.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(open) => part.split_at(open),
            None => (part, ""),
        };
        if !key.is_empty() {
            steps.push(Step::Key(key.to_string()));
        }
        while let Some(inner) = rest.strip_prefix('[') {
            let close = inner.find(']')?;
            steps.push(Step::Index(inner[..close].parse().ok()?));
            rest = &inner[close + 1..];
        }
        if !rest.is_empty() {
            return None;
        }
    }
    Some(steps)
}

/// Where the parser is inside the document.
enum Frame {
    Map {
        /// The key whose value comes next, once read; `None` while a key is expected.
        key: Option<String>,
    },
    Seq {
        next: usize,
    },
}

/// The line (1-based) of `field` in document `document` (0-based) of
/// `text`: of its key in a mapping, of the item in a list. When the path
/// goes further than the file (a missing field), the line of the deepest
/// part that is there; `None` when not even the first part is (in as much
/// of the file as parses). Keys compare case-insensitively when no exact
/// key matches, as kustomize reads some field names.
pub fn line_of(text: &str, document: usize, field: &str) -> Option<usize> {
    let wanted = steps(field)?;
    if wanted.is_empty() {
        return None;
    }
    let mut parser = Parser::new_from_str(text);
    let mut documents_seen = 0;
    let mut in_document = false;
    let mut stack: Vec<Frame> = Vec::new();
    // How many steps of `wanted` the current position matches.
    let mut matched_depth: Vec<bool> = Vec::new();
    let mut best: Option<(usize, usize)> = None;
    while let Some(next) = parser.next_event() {
        let (event, span) = next.ok()?;
        let line = span.start.line();
        match event {
            Event::DocumentStart(..) => {
                in_document = documents_seen == document;
                documents_seen += 1;
                stack.clear();
                matched_depth.clear();
                continue;
            }
            Event::DocumentEnd => {
                if in_document {
                    break;
                }
                continue;
            }
            Event::StreamStart | Event::StreamEnd => continue,
            _ if !in_document => continue,
            _ => {}
        }
        let ends = matches!(event, Event::SequenceEnd | Event::MappingEnd);
        if ends {
            stack.pop();
            matched_depth.pop();
            // The collection was a value: its key is done.
            if let Some(Frame::Map { key }) = stack.last_mut() {
                *key = None;
            }
            continue;
        }
        if !event.is_node() {
            continue;
        }
        // The step this node takes, and whether it is a key.
        let depth = stack.len();
        let parent_matches = matched_depth.iter().all(|m| *m);
        let mut this_matches = false;
        match stack.last_mut() {
            Some(Frame::Map { key: key @ None }) => {
                // A key: scalar keys only.
                let text = match &event {
                    Event::Scalar(text, ..) => text.to_string(),
                    _ => String::new(),
                };
                if parent_matches && depth > 0 {
                    if let Some(Step::Key(step)) = wanted.get(depth - 1) {
                        if *step == text || step.eq_ignore_ascii_case(&text) {
                            record(&mut best, depth, line);
                        }
                    }
                }
                *key = Some(text);
                if matches!(event, Event::Scalar(..) | Event::Alias(..)) {
                    continue;
                }
                // A complex key: skip its insides as a value that matches nothing.
            }
            Some(Frame::Map { key: Some(key) }) => {
                this_matches = parent_matches
                    && matches!(wanted.get(depth - 1), Some(Step::Key(step)) if step == key || step.eq_ignore_ascii_case(key));
            }
            Some(Frame::Seq { next }) => {
                this_matches = parent_matches
                    && matches!(wanted.get(depth - 1), Some(Step::Index(i)) if i == next);
                if this_matches {
                    record(&mut best, depth, line);
                }
                *next += 1;
            }
            None => this_matches = true,
        }
        match event {
            Event::MappingStart(..) => {
                stack.push(Frame::Map { key: None });
                matched_depth.push(this_matches);
            }
            Event::SequenceStart(..) => {
                stack.push(Frame::Seq { next: 0 });
                matched_depth.push(this_matches);
            }
            _ => {
                // A scalar or alias value: the key it belongs to is done.
                if let Some(Frame::Map { key }) = stack.last_mut() {
                    *key = None;
                }
            }
        }
        if best.is_some_and(|(depth, _)| depth == wanted.len()) {
            break;
        }
    }
    best.map(|(_, line)| line)
}

/// As [`line_of`] for the `resource`th document of a stream as
/// [`crate::yaml::parse_stream`] returns them: empty documents (null, `{}`,
/// `[]`) are not counted.
pub fn line_in_stream(text: &str, resource: usize, field: &str) -> Option<usize> {
    let mut parser = Parser::new_from_str(text);
    let mut raw = 0;
    let mut resources = 0;
    // In a document before its root: `Some(false)`; just after a root
    // mapping started: `Some(true)`; otherwise `None`.
    let mut root: Option<bool> = None;
    while let Some(next) = parser.next_event() {
        let (event, _) = next.ok()?;
        match event {
            Event::DocumentStart(..) => root = Some(false),
            Event::DocumentEnd => {
                raw += 1;
                root = None;
            }
            Event::MappingStart(..) if root == Some(false) => root = Some(true),
            _ if root == Some(true) => {
                // The event after the root mapping starts: a key, unless it ends.
                if !matches!(event, Event::MappingEnd) {
                    if resources == resource {
                        return line_of(text, raw, field);
                    }
                    resources += 1;
                }
                root = None;
            }
            _ if event.is_node() && root == Some(false) => root = None,
            _ => {}
        }
    }
    None
}

/// Keeps the line of the deepest match (the first one at that depth).
fn record(best: &mut Option<(usize, usize)>, depth: usize, line: usize) {
    if best.is_none_or(|(deepest, _)| depth > deepest) {
        *best = Some((depth, line));
    }
}

/// serde's `invalid type: floating point `1.2`, expected a string` as
/// `expected a string, got the number 1.2 — quote it`; other messages as
/// they are.
pub fn explain_type_error(message: &str) -> String {
    let Some((found, wanted)) = message
        .strip_prefix("invalid type: ")
        .and_then(|rest| rest.split_once(", expected "))
    else {
        return message.to_string();
    };
    let quoted = |prefix: &str| {
        found
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix('`'))
            .and_then(|rest| rest.strip_suffix('`'))
    };
    let (got, scalar) =
        if let Some(number) = quoted("floating point ").or_else(|| quoted("integer ")) {
            (format!("the number {number}"), true)
        } else if let Some(flag) = quoted("boolean ") {
            (format!("the boolean {flag}"), true)
        } else if let Some(text) = found.strip_prefix("string ") {
            (format!("the string {text}"), false)
        } else {
            let got = match found {
                "map" => "a mapping".to_string(),
                "sequence" => "a list".to_string(),
                "null" | "unit value" => "null".to_string(),
                other => other.to_string(),
            };
            (got, false)
        };
    let fix = if scalar && wanted.contains("string") {
        " — quote it"
    } else {
        ""
    };
    let wanted = match wanted {
        "a sequence" => "a list",
        "a map" => "a mapping",
        other => other,
    };
    format!("expected {wanted}, got {got}{fix}")
}

#[cfg(test)]
mod tests {
    use super::{explain_type_error, line_of};

    #[test]
    fn type_errors_say_what_was_found_and_the_fix() {
        assert_eq!(
            explain_type_error("invalid type: floating point `1.2`, expected a string"),
            "expected a string, got the number 1.2 — quote it"
        );
        assert_eq!(
            explain_type_error("invalid type: boolean `true`, expected a string"),
            "expected a string, got the boolean true — quote it"
        );
        assert_eq!(
            explain_type_error("invalid type: map, expected a sequence"),
            "expected a list, got a mapping"
        );
        assert_eq!(
            explain_type_error("invalid type: string \"a.yaml\", expected a sequence"),
            "expected a list, got the string \"a.yaml\""
        );
        assert_eq!(explain_type_error("unknown field `x`"), "unknown field `x`");
    }

    const TEXT: &str = "\
# a comment
resources:
- a.yaml
- b.yaml
images:
- name: nginx
  newTag: 1.2
- name: redis
  newName: x
namePrefix: p-
labels:
- pairs: {app: web}
  includeSelectors: yes
";

    #[test]
    fn finds_keys_and_items_by_path() {
        assert_eq!(line_of(TEXT, 0, "resources"), Some(2));
        assert_eq!(line_of(TEXT, 0, "resources[1]"), Some(4));
        assert_eq!(line_of(TEXT, 0, "images[0].newTag"), Some(7));
        assert_eq!(line_of(TEXT, 0, "images[1].newName"), Some(9));
        assert_eq!(line_of(TEXT, 0, "namePrefix"), Some(10));
        assert_eq!(line_of(TEXT, 0, "labels[0].includeSelectors"), Some(13));
        assert_eq!(line_of(TEXT, 0, "labels[0].pairs.app"), Some(12));
        assert_eq!(line_of(TEXT, 0, "NAMEPREFIX"), Some(10));
    }

    #[test]
    fn a_missing_field_points_at_what_is_there() {
        assert_eq!(line_of(TEXT, 0, "images[1].newTag"), Some(8));
        assert_eq!(line_of(TEXT, 0, "images[5]"), Some(5));
        assert_eq!(line_of(TEXT, 0, "patches[0].path"), None);
        assert_eq!(line_of(TEXT, 0, ""), None);
        // As far as the file parses.
        assert_eq!(line_of("a: [", 0, "a"), Some(1));
        assert_eq!(line_of("a: [", 0, "b"), None);
    }

    #[test]
    fn counts_resources_as_the_stream_reader_does() {
        let text = "---\n---\n{}\n---\nkind: A\n---\n[]\n---\nkind: B\nspec:\n  env: 1\n";
        assert_eq!(super::line_in_stream(text, 1, "spec.env"), Some(11));
        assert_eq!(super::line_in_stream(text, 0, "kind"), Some(5));
        assert_eq!(super::line_in_stream(text, 2, "kind"), None);
    }

    #[test]
    fn counts_documents() {
        let text = "kind: A\nspec: {}\n---\nkind: B\nspec:\n  env: 1\n";
        assert_eq!(line_of(text, 1, "spec.env"), Some(6));
        assert_eq!(line_of(text, 0, "spec.env"), Some(2));
        assert_eq!(line_of(text, 2, "spec"), None);
    }
}
