//! The `/` filter of a table: each row's text scored against the words typed (see
//! `query.rs` for what they mean: substrings, or fuzzy after `~`), in parts on several
//! threads over many rows, and the matches put in order (best first, or by a column).

use std::cmp::Reverse;

use nucleo_matcher::pattern::{Atom, AtomKind};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use super::data::{ColumnOrder, NOT_ASCII, TableData};
use super::query::{Query, Word};

pub(crate) use super::query::narrows;

/// A row the filter matched.
#[derive(Debug, Clone, Copy)]
pub(super) struct Match {
    pub(super) row: u32,
    /// The score of the filter's words before the last: while the last word is typed,
    /// they are not scored again.
    pub(super) settled: u32,
    pub(super) total: u32,
}

impl Match {
    pub(super) fn unscored(row: u32) -> Match {
        Match {
            row,
            settled: 0,
            total: 0,
        }
    }
}

/// What a longer filter text keeps of the scores of the shorter one it narrows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Kept {
    Nothing,
    /// Only the last word changed: the words before it keep their scores.
    Settled,
    /// Words were added: every word of the shorter text keeps its score.
    Total,
}

pub(super) fn kept_scores(longer: &str, shorter: &str) -> Kept {
    let (longer, shorter) = (Query::parse(longer).words, Query::parse(shorter).words);
    let (Some((_, before)), Some((_, shorter_before))) =
        (longer.split_last(), shorter.split_last())
    else {
        return Kept::Nothing;
    };
    if before == shorter_before {
        Kept::Settled
    } else if before == shorter.as_slice() {
        Kept::Total
    } else {
        Kept::Nothing
    }
}

/// Scores `candidates` against `filter`; the matches in the order given. With `kept`, the
/// candidates' scores for the words before the last are reused (see [`Kept`]). Large sets
/// are split across the machine's cores.
pub(super) fn score_rows(
    data: &TableData,
    candidates: &[Match],
    filter: &str,
    kept: Kept,
) -> Vec<Match> {
    let query = Query::parse(filter);
    let Some((last, before)) = query.words.split_last() else {
        return candidates.to_vec();
    };
    // The words to score before the last, and what the candidate already has for the rest.
    let (before, known): (&[Word], fn(&Match) -> u32) = match kept {
        Kept::Nothing => (before, |_| 0),
        Kept::Settled => (&[], |m| m.settled),
        Kept::Total => (&[], |m| m.total),
    };
    // Every letter and digit of a word that must match must be in the row.
    let needed = query.needed();
    let score = |part: &[Match]| -> Vec<Match> {
        let mut matcher = Matcher::new(Config::DEFAULT);
        let mut buffer = Vec::new();
        part.iter()
            .filter_map(|candidate| {
                let i = candidate.row as usize;
                if data.letters[i] & needed != needed {
                    return None;
                }
                let text = data.haystack(i);
                let ascii = data.letters[i] & NOT_ASCII == 0;
                let title_end = data.name_len(i);
                let mut word =
                    |w: &Word| w.score(text, ascii, title_end, &mut matcher, &mut buffer);
                let mut settled = known(candidate);
                for w in before {
                    settled += word(w)?;
                }
                let total = settled + word(last)?;
                Some(Match {
                    row: candidate.row,
                    settled,
                    total,
                })
            })
            .collect()
    };
    // Parts small enough to share out: whichever thread is free takes the next one, so a
    // core busy elsewhere (the sync, another program) slows the keystroke by a part, not
    // by half of the rows.
    const PART: usize = 4_096;
    let parts = candidates.len().div_ceil(PART);
    let helpers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(parts)
        .saturating_sub(1);
    if helpers == 0 {
        return score(candidates);
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let part = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if part >= parts {
                return done;
            }
            let rows = &candidates[part * PART..((part + 1) * PART).min(candidates.len())];
            done.push((part, score(rows)));
        }
    };
    let mut done = std::thread::scope(|scope| {
        let others: Vec<_> = (0..helpers).map(|_| scope.spawn(work)).collect();
        let mut done = work();
        for other in others {
            done.extend(other.join().expect("the filter does not panic"));
        }
        done
    });
    // Back in the candidates' order.
    done.sort_unstable_by_key(|(part, _)| *part);
    done.into_iter().flat_map(|(_, found)| found).collect()
}

/// One word of the filter against one row. Plain fuzzy words use nucleo's greedy match,
/// linear in the row's length (as fzf does for long inputs): the optimal match costs
/// several times more per row, and over 100,000 rows that is the keystroke's whole budget.
pub(crate) fn score_atom(
    atom: &Atom,
    haystack: Utf32Str<'_>,
    matcher: &mut Matcher,
) -> Option<u16> {
    let needle = atom.needle_text();
    if atom.kind == AtomKind::Fuzzy && !atom.negative && matches!(needle, Utf32Str::Ascii(_)) {
        // What `Atom::score` would set for an ASCII word parsed ignoring case, smartly
        // normalised.
        matcher.config.ignore_case = true;
        matcher.config.normalize = true;
        return matcher.fuzzy_match_greedy(haystack, needle);
    }
    atom.score(haystack, matcher)
}

/// The matched rows (in the store's order) by score, best first, equal scores in the
/// store's order: a counting sort, as scores are small numbers.
pub(super) fn best_first(matched: &[Match]) -> Vec<usize> {
    let top = matched.iter().map(|m| m.total).max().unwrap_or(0) as usize;
    if top > 1 << 20 {
        let mut best = matched.to_vec();
        best.sort_by_key(|m| Reverse(m.total));
        return best.into_iter().map(|m| m.row as usize).collect();
    }
    // starts[s]: where rows scoring `top - s` begin.
    let mut starts = vec![0usize; top + 2];
    for m in matched {
        starts[top - m.total as usize + 1] += 1;
    }
    for s in 1..starts.len() {
        starts[s] += starts[s - 1];
    }
    let mut best = vec![0usize; matched.len()];
    for m in matched {
        let slot = &mut starts[top - m.total as usize];
        best[*slot] = m.row as usize;
        *slot += 1;
    }
    best
}

/// The matched rows in a column's order: ascending, or descending with equal cells still
/// in the store's order.
pub(super) fn in_column_order(
    order: &ColumnOrder,
    matched: &[Match],
    descending: bool,
) -> Vec<usize> {
    let mut keep = vec![false; order.rank.len()];
    for m in matched {
        keep[m.row as usize] = true;
    }
    let kept = |i: &&u32| keep[**i as usize];
    if !descending {
        return order
            .ascending
            .iter()
            .filter(kept)
            .map(|&i| i as usize)
            .collect();
    }
    // Walk the groups of equal cells from the last, each group front to back.
    let mut visible = Vec::with_capacity(matched.len());
    let mut end = order.ascending.len();
    while end > 0 {
        let rank = order.rank[order.ascending[end - 1] as usize];
        let mut start = end - 1;
        while start > 0 && order.rank[order.ascending[start - 1] as usize] == rank {
            start -= 1;
        }
        visible.extend(
            order.ascending[start..end]
                .iter()
                .filter(kept)
                .map(|&i| i as usize),
        );
        end = start;
    }
    visible
}
