//! Rule ids as users type them: every place that takes one (`--only`, `--skip`, `explain`,
//! the config file, exemption annotations, `test --run`) checks it against the pack, so a typo
//! is an error with a suggestion rather than a rule silently not run or not exempted.

/// Why `id` is not a rule of `known`, with the closest known id when one is near; `None` when
/// `id` is known.
pub fn unknown_rule_message<'a>(
    id: &str,
    known: impl IntoIterator<Item = &'a str> + Clone,
) -> Option<String> {
    if known.clone().into_iter().any(|k| k == id) {
        return None;
    }
    if id.trim().is_empty() {
        return Some("an empty rule id".to_string());
    }
    Some(match suggestion(id, known) {
        Some(near) => format!("no rule `{id}` (did you mean `{near}`?)"),
        None => format!("no rule `{id}` (`k8s-constitution rules` lists them)"),
    })
}

/// The known id closest to `id` by edit distance, if it is close enough to be a typo: at most
/// a third of the id's length (and at least 2) edits away. Ties go to the first in `known`.
pub fn suggestion<'a>(id: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (id.chars().count() / 3).max(2);
    known
        .into_iter()
        .map(|k| (edit_distance(id, k), k))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: [&str; 4] = [
        "run-as-non-root",
        "no-latest-tag",
        "min-replicas",
        "pdb-coverage",
    ];

    #[test]
    fn typos_get_the_nearest_rule() {
        assert_eq!(suggestion("run-as-nonroot", KNOWN), Some("run-as-non-root"));
        assert_eq!(suggestion("latest-tag", KNOWN), Some("no-latest-tag"));
        assert_eq!(suggestion("min_replicas", KNOWN), Some("min-replicas"));
        assert_eq!(suggestion("something-else-entirely", KNOWN), None);
    }

    #[test]
    fn known_ids_pass_and_unknown_ones_say_why() {
        assert_eq!(unknown_rule_message("pdb-coverage", KNOWN), None);
        assert_eq!(
            unknown_rule_message("no-latest-tags", KNOWN).as_deref(),
            Some("no rule `no-latest-tags` (did you mean `no-latest-tag`?)")
        );
        assert_eq!(
            unknown_rule_message("", KNOWN).as_deref(),
            Some("an empty rule id")
        );
        assert!(
            unknown_rule_message("zzz", KNOWN)
                .is_some_and(|m| m.contains("k8s-constitution rules"))
        );
    }

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }
}

/// Tests written against mutants of this file (`scripts/mutants.sh --file src/rule_ids.rs`).
#[cfg(test)]
mod mutants_tests {
    use super::*;

    /// The typo limit is a third of the id's length, at least 2: exactly at the limit is a
    /// suggestion, one more edit is not (catches `<=` turned into `<`, `/ 3` into `* 3` or
    /// `% 3`, and `max` into `min`).
    #[test]
    fn suggestions_stop_at_a_third_of_the_length() {
        // 12 characters: limit 4.
        assert_eq!(
            suggestion("abcdefghijkl", ["abcdefghwxyz"]),
            Some("abcdefghwxyz")
        );
        assert_eq!(suggestion("abcdefghijkl", ["abcdefgvwxyz"]), None);
        // 3 characters: a third is 1, the floor of 2 applies.
        assert_eq!(suggestion("abc", ["axy"]), Some("axy"));
        assert_eq!(suggestion("abc", ["xyz"]), None);
    }

    /// The closest wins whatever the order; among equals, the first.
    #[test]
    fn the_nearest_id_wins_and_ties_go_to_the_first() {
        assert_eq!(
            suggestion("min-replica", ["max-replicas", "min-replicas"]),
            Some("min-replicas")
        );
        assert_eq!(
            suggestion("min-replica", ["min-replicas", "max-replicas"]),
            Some("min-replicas")
        );
        assert_eq!(suggestion("ab-cd", ["ab-cx", "ab-cy"]), Some("ab-cx"));
    }

    #[test]
    fn a_blank_id_is_an_empty_rule_id() {
        assert_eq!(
            unknown_rule_message("   ", ["a"]).as_deref(),
            Some("an empty rule id")
        );
    }

    /// Insertions, deletions and substitutions cost one each, counted in characters.
    #[test]
    fn edit_distance_is_levenshtein() {
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("abc", "abcd"), 1);
        assert_eq!(edit_distance("abcd", "abc"), 1);
        assert_eq!(edit_distance("abc", "axc"), 1);
        assert_eq!(edit_distance("flaw", "lawn"), 2);
        assert_eq!(edit_distance("été", "ete"), 2);
        assert_eq!(edit_distance("intention", "execution"), 5);
    }
}
