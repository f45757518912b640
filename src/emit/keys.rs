//! Mapping key order: go-yaml v2's "natural" `keyList.Less`.
//!
//! Letters sort by code point, non-letters sort before letters, and runs of
//! digits compare by value (`f2 < f10`). The relation is not transitive for
//! some pathological key sets (`0a- < 1aB < 091 < 0a-`); for those, kustomize
//! itself is not deterministic, because go-yaml sorts the keys of a Go map
//! whose iteration order is random. We start from byte order (what Go JSON
//! hands over, and independent of input order), then run Go's small-input
//! algorithm (insertion sort, as pdqsort does for n ≤ 12) or, for larger maps,
//! a stable merge sort. Both are panic-free for any comparator, unlike
//! `slice::sort_by`, which may panic on a non-total order.

use std::sync::OnceLock;

use regex::Regex;

/// Sorts `entries` by key the way go-yaml v2 orders mapping keys.
pub(crate) fn sort_entries<T>(entries: &mut Vec<(&str, T)>) {
    entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
    if entries.len() <= 12 {
        insertion_sort(entries);
    } else {
        merge_sort(entries);
    }
}

fn insertion_sort<T>(entries: &mut [(&str, T)]) {
    for i in 1..entries.len() {
        let mut j = i;
        while j > 0 && less(entries[j].0, entries[j - 1].0) {
            entries.swap(j, j - 1);
            j -= 1;
        }
    }
}

fn merge_sort<T>(entries: &mut Vec<(&str, T)>) {
    if entries.len() <= 1 {
        return;
    }
    let mut right = entries.split_off(entries.len() / 2);
    merge_sort(entries);
    merge_sort(&mut right);
    let left = std::mem::take(entries);
    let mut left = left.into_iter().peekable();
    let mut right = right.into_iter().peekable();
    while let (Some(l), Some(r)) = (left.peek(), right.peek()) {
        // Take from the right only when strictly less: stable.
        let next = if less(r.0, l.0) {
            right.next()
        } else {
            left.next()
        };
        entries.extend(next);
    }
    entries.extend(left);
    entries.extend(right);
}

/// go-yaml v2 `keyList.Less` for two string keys.
pub(crate) fn less(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return less_runes(a.as_bytes(), b.as_bytes(), |&c| char::from(c));
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    less_runes(&a, &b, |&c| c)
}

fn less_runes<T: Copy + PartialEq + Ord>(a: &[T], b: &[T], to_char: impl Fn(&T) -> char) -> bool {
    for i in 0..a.len().min(b.len()) {
        if a[i] == b[i] {
            continue;
        }
        let (ac, bc) = (to_char(&a[i]), to_char(&b[i]));
        let (al, bl) = (is_letter(ac), is_letter(bc));
        if al && bl {
            return ac < bc;
        }
        if al || bl {
            return bl;
        }
        let (mut an, mut bn) = (0i64, 0i64);
        if ac == '0' || bc == '0' {
            // A zero inside a number that already started non-zero counts as
            // a digit of that number, not as a leading zero.
            for j in (0..i).rev() {
                let c = to_char(&a[j]);
                if !is_digit(c) {
                    break;
                }
                if c != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let ai = digit_run(a, i, &to_char, &mut an);
        let bi = digit_run(b, i, &to_char, &mut bn);
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ac < bc;
    }
    a.len() < b.len()
}

/// Accumulates the digit run starting at `start` like Go's int64 arithmetic
/// (wrapping, and `rune - '0'` even for non-ASCII digits); returns its end.
fn digit_run<T>(
    runes: &[T],
    start: usize,
    to_char: &impl Fn(&T) -> char,
    value: &mut i64,
) -> usize {
    let mut end = start;
    while end < runes.len() && is_digit(to_char(&runes[end])) {
        let digit = i64::from(u32::from(to_char(&runes[end]))) - i64::from(u32::from('0'));
        *value = value.wrapping_mul(10).wrapping_add(digit);
        end += 1;
    }
    end
}

/// Go `unicode.IsLetter` (categories L*).
fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    static LETTER: OnceLock<Option<Regex>> = OnceLock::new();
    matches_class(&LETTER, r"^\p{L}$", c)
}

/// Go `unicode.IsDigit` (category Nd).
fn is_digit(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    static DIGIT: OnceLock<Option<Regex>> = OnceLock::new();
    matches_class(&DIGIT, r"^\p{Nd}$", c)
}

fn matches_class(cell: &OnceLock<Option<Regex>>, pattern: &str, c: char) -> bool {
    let regex = cell.get_or_init(|| Regex::new(pattern).ok());
    let mut buffer = [0u8; 4];
    regex
        .as_ref()
        .is_some_and(|regex| regex.is_match(c.encode_utf8(&mut buffer)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(keys: &[&str]) -> Vec<String> {
        let mut entries: Vec<(&str, ())> = keys.iter().map(|k| (*k, ())).collect();
        sort_entries(&mut entries);
        entries.into_iter().map(|(k, ())| k.to_string()).collect()
    }

    /// Orders observed in `kubectl kustomize` output.
    #[test]
    fn natural_order_matches_kustomize() {
        let cases: &[&[&str]] = &[
            &["_under", "Zeta", "aaa", "apiVersion"],
            &["f1", "f2", "f3", "f4", "f5", "f6", "f10", "f11"],
            &["", "- x", "1", "a: b", "apiVersion"],
            &["s_2021", "s_True", "s_Y", "s_amp"],
            &["a1", "a01"],
            &["apiVersion", "data", "kind", "metadata"],
        ];
        for expected in cases {
            let mut shuffled: Vec<&str> = expected.to_vec();
            shuffled.reverse();
            let got = sorted(&shuffled);
            assert_eq!(
                got,
                expected.iter().map(|s| s.to_string()).collect::<Vec<_>>()
            );
        }
    }
}
