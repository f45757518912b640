//! Pairing the objects of two sets by id, so each pair is one line of the
//! report: exact ids first, then generated ConfigMaps and Secrets whose
//! kustomize hash suffix changed (one changed object, not delete + create).

use crate::id::ResId;

/// Positions in the before and after sets that describe the same object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pair {
    pub before: Option<usize>,
    pub after: Option<usize>,
}

/// Pairs `before` with `after`. The result lists the after set in its order
/// (paired or created), then the unpaired before entries (deleted) in theirs.
pub fn pair_up(before: &[ResId], after: &[ResId]) -> Vec<Pair> {
    let mut before_taken = vec![false; before.len()];
    let mut after_match: Vec<Option<usize>> = vec![None; after.len()];

    for (a, after_id) in after.iter().enumerate() {
        let found = (0..before.len()).find(|&b| !before_taken[b] && before[b].same_as(after_id));
        if let Some(b) = found {
            before_taken[b] = true;
            after_match[a] = Some(b);
        }
    }
    pair_renamed(before, after, &mut before_taken, &mut after_match);

    let mut pairs: Vec<Pair> = after_match
        .iter()
        .enumerate()
        .map(|(a, b)| Pair {
            before: *b,
            after: Some(a),
        })
        .collect();
    pairs.extend(
        (0..before.len())
            .filter(|&b| !before_taken[b])
            .map(|b| Pair {
                before: Some(b),
                after: None,
            }),
    );
    pairs
}

/// Pairs leftover ids that differ only in a hash suffix, when the match is
/// unambiguous: exactly one candidate on each side.
fn pair_renamed(
    before: &[ResId],
    after: &[ResId],
    before_taken: &mut [bool],
    after_match: &mut [Option<usize>],
) {
    for a in 0..after.len() {
        if after_match[a].is_some() {
            continue;
        }
        let Some(wanted) = key(&after[a]) else {
            continue;
        };
        let same_key = |id: &ResId| id.gvk == after[a].gvk && key(id) == Some(wanted);
        let rivals = (0..after.len())
            .filter(|&other| after_match[other].is_none() && same_key(&after[other]))
            .count();
        let candidates: Vec<usize> = (0..before.len())
            .filter(|&b| !before_taken[b] && same_key(&before[b]))
            .collect();
        if let ([b], 1) = (candidates.as_slice(), rivals) {
            before_taken[*b] = true;
            after_match[a] = Some(*b);
        }
    }
}

/// What a renamed generated object keeps: base name and effective namespace.
fn key(id: &ResId) -> Option<(&str, &str)> {
    hashed_base(id).map(|base| (base, id.effective_namespace()))
}

/// The name without its kustomize hash suffix, for a ConfigMap or Secret
/// whose name ends in one; `None` otherwise.
pub fn hashed_base(id: &ResId) -> Option<&str> {
    if !id.gvk.group.is_empty() || !matches!(id.gvk.kind.as_str(), "ConfigMap" | "Secret") {
        return None;
    }
    let (base, suffix) = id.name.rsplit_once('-')?;
    (!base.is_empty() && is_hash_suffix(suffix)).then_some(base)
}

/// kustomize's suffix: ten characters of hex with `0 1 3 a e` replaced by
/// `g h k m t`, so those five never occur.
fn is_hash_suffix(suffix: &str) -> bool {
    suffix.len() == 10
        && suffix.chars().all(|c| {
            matches!(
                c,
                '2' | '4'..='9' | 'b' | 'c' | 'd' | 'f' | 'g' | 'h' | 'k' | 'm' | 't'
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::Gvk;

    fn cm(namespace: &str, name: &str) -> ResId {
        ResId::new(Gvk::new("", "v1", "ConfigMap"), namespace, name)
    }

    fn deploy(name: &str) -> ResId {
        ResId::new(Gvk::new("apps", "v1", "Deployment"), "", name)
    }

    #[test]
    fn recognizes_hash_suffixes() {
        let cases = [
            // Names printed by `kubectl kustomize` for configMapGenerator entries.
            (cm("", "app-config-h29d89cmmt"), Some("app-config")),
            (cm("", "app-config-6gtghh96k8"), Some("app-config")),
            (cm("", "x-fmbk44khfc"), Some("x")),
            // Contains `a`, `e`, `0`, `1` or `3`: not a kustomize hash.
            (cm("", "app-config-abcdefghij"), None),
            (cm("", "app-config-0123456789"), None),
            (cm("", "short-h29d89cmm"), None),
            (cm("", "-h29d89cmmt"), None),
            (deploy("web-h29d89cmmt"), None),
        ];
        for (id, expected) in cases {
            assert_eq!(hashed_base(&id), expected, "{id}");
        }
    }

    #[test]
    fn pairs_exact_ids_then_renamed_generated_objects() {
        let before = [
            deploy("web"),
            cm("prod", "cfg-h29d89cmmt"),
            cm("prod", "old"),
        ];
        let after = [
            cm("prod", "cfg-6gtghh96k8"),
            deploy("web"),
            cm("prod", "new"),
        ];
        let pairs = pair_up(&before, &after);
        let expected = [
            Pair {
                before: Some(1),
                after: Some(0),
            },
            Pair {
                before: Some(0),
                after: Some(1),
            },
            Pair {
                before: None,
                after: Some(2),
            },
            Pair {
                before: Some(2),
                after: None,
            },
        ];
        assert_eq!(pairs, expected);
    }

    #[test]
    fn default_namespace_equals_unset() {
        let pairs = pair_up(&[cm("default", "a")], &[cm("", "a")]);
        assert_eq!(
            pairs,
            [Pair {
                before: Some(0),
                after: Some(0)
            }]
        );
    }

    #[test]
    fn ambiguous_renames_stay_apart() {
        // Two old versions of the same generated map: no guess.
        let before = [cm("", "cfg-h29d89cmmt"), cm("", "cfg-fmbk44khfc")];
        let after = [cm("", "cfg-6gtghh96k8")];
        let pairs = pair_up(&before, &after);
        assert_eq!(pairs.len(), 3);
        assert!(pairs
            .iter()
            .all(|p| p.before.is_none() || p.after.is_none()));
    }

    #[test]
    fn renames_need_the_same_namespace_and_kind() {
        let secret = ResId::new(Gvk::new("", "v1", "Secret"), "", "cfg-6gtghh96k8");
        let pairs = pair_up(
            &[cm("a", "cfg-h29d89cmmt"), cm("", "cfg-fmbk44khfc")],
            &[cm("b", "cfg-6gtghh96k8"), secret],
        );
        assert!(pairs
            .iter()
            .all(|p| p.before.is_none() || p.after.is_none()));
    }
}
