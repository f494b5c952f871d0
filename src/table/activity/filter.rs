//! The Activity tab's fuzzy filter and its per-day histogram, in one pass over the rows.
//!
//! Each word typed is scored (nucleo) against each distinct string once, not against each
//! row: a row passes a word when one of its searched texts does (a `!word`: when none
//! holds it). The rows keep their order (newest first: the log's story), so nothing is
//! sorted. While a word grows, only the strings that matched its shorter form are scored
//! again; while the text grows, only the rows shown before are looked at again (the idea
//! of `table/fuzzy.rs`).

use nucleo_matcher::pattern::{Atom, AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use super::{ActivityIndex, Strings};
use crate::table::data::{NOT_ASCII, letters};
use crate::table::fuzzy::score_atom;

/// The per-day counts of the rows shown.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Histogram {
    /// The first day counted (days since 1970, UTC).
    pub first_day: i64,
    /// One count a day from `first_day`.
    pub counts: Vec<u32>,
}

impl Histogram {
    /// Days `first_day..=last_day`, every count 0.
    pub fn window(first_day: i64, last_day: i64) -> Histogram {
        Histogram {
            first_day,
            counts: vec![0; (last_day - first_day + 1).max(0) as usize],
        }
    }

    fn count(&mut self, day: i64) {
        let at = day - self.first_day;
        if at >= 0
            && let Some(count) = self.counts.get_mut(at as usize)
        {
            *count += 1;
        }
    }
}

/// What the filter shows of an index.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filtered {
    /// Indices into the index's rows, newest first.
    pub visible: Vec<u32>,
    pub histogram: Histogram,
}

/// The fuzzy filter of one index, remembering what it matched for the next keystroke.
#[derive(Debug, Clone, Default)]
pub struct ActivityMatcher {
    /// The text `shown` was filtered with.
    text: String,
    /// Each word of `text` and which strings hold it.
    words: Vec<(Atom, Vec<bool>)>,
    /// `shown` is of the index filtered last (not reset since).
    ready: bool,
    pub shown: Filtered,
}

impl ActivityMatcher {
    /// Forgets what was matched: the index changed.
    pub fn reset(&mut self) {
        self.text.clear();
        self.words.clear();
        self.ready = false;
        self.shown = Filtered::default();
    }

    /// Filters `index` with `text`, counting the rows shown per day of `window`.
    /// `narrow`: `index` is the one filtered before (its rows unchanged since), so a text
    /// that narrows the last one looks only at the rows shown now.
    pub fn filter(
        &mut self,
        index: &ActivityIndex,
        text: &str,
        window: (i64, i64),
        narrow: bool,
    ) -> &Filtered {
        let narrow = narrow && self.ready;
        let pattern = Pattern::parse(text, CaseMatching::Ignore, Normalization::Smart);
        let words = self.words_of(&index.strings, pattern.atoms, narrow);
        let narrowing = narrow && narrows(text, &self.text);
        let all: Vec<u32>;
        let candidates: &[u32] = if narrowing {
            &self.shown.visible
        } else {
            all = (0..index.rows.len() as u32).collect();
            &all
        };
        let pass = |part: &[u32]| {
            let mut histogram = Histogram::window(window.0, window.1);
            let mut visible = Vec::new();
            for &i in part {
                let row = &index.rows[i as usize];
                let passes = words.iter().all(|(atom, holds)| {
                    let held = |t: &u32| holds[*t as usize];
                    if atom.negative {
                        row.texts.iter().all(held)
                    } else {
                        row.texts.iter().any(held)
                    }
                });
                if passes {
                    visible.push(i);
                    histogram.count(row.day());
                }
            }
            (visible, histogram)
        };
        let mut parts = in_parts(candidates.len(), |range| pass(&candidates[range])).into_iter();
        let (mut visible, mut histogram) = parts.next().unwrap_or_default();
        for (more, counted) in parts {
            visible.extend(more);
            for (sum, n) in histogram.counts.iter_mut().zip(counted.counts) {
                *sum += n;
            }
        }
        self.words = words;
        self.text = text.to_string();
        self.ready = true;
        self.shown = Filtered { visible, histogram };
        &self.shown
    }

    /// Which strings hold each word: a word filtered before keeps its answer, a word that
    /// grew is tried only on the strings its shorter form matched.
    fn words_of(
        &mut self,
        strings: &Strings,
        atoms: Vec<Atom>,
        narrow: bool,
    ) -> Vec<(Atom, Vec<bool>)> {
        let mut before = if narrow {
            std::mem::take(&mut self.words)
        } else {
            Vec::new()
        };
        // A word's letters must all be in a string it matches (a `!word`: always scored).
        let needed = |atom: &Atom| {
            if atom.negative {
                0
            } else {
                letters(&atom.needle_text().to_string())
            }
        };
        // Each thread scores with a matcher of its own.
        let holds = |atom: &Atom, needed: u64, plain: Option<&[u8]>, id: usize| {
            thread_local! {
                static MATCHER: std::cell::RefCell<(Matcher, Vec<char>)> =
                    std::cell::RefCell::new((Matcher::new(Config::DEFAULT), Vec::new()));
            }
            let held = strings.letters(id as u32);
            if held & needed != needed {
                return false;
            }
            let text = strings.get(id as u32);
            if let Some(needle) = plain
                && held & NOT_ASCII == 0
            {
                return in_order(needle, text.as_bytes());
            }
            MATCHER.with_borrow_mut(|(matcher, buffer)| {
                let haystack = if held & NOT_ASCII == 0 {
                    Utf32Str::Ascii(text.as_bytes())
                } else {
                    Utf32Str::new(text, buffer)
                };
                score_atom(atom, haystack, matcher).is_some()
            })
        };
        atoms
            .into_iter()
            .map(|atom| {
                let needed = needed(&atom);
                // A plain fuzzy word of ASCII: a subsequence test answers for ASCII strings.
                let needle = atom.needle_text().to_string();
                let plain = (atom.kind == AtomKind::Fuzzy
                    && !atom.negative
                    && needle.is_ascii()
                    && needle.bytes().all(|b| !b.is_ascii_uppercase()))
                .then_some(needle.as_bytes());
                if let Some(at) = before.iter().position(|(known, _)| *known == atom) {
                    return before.swap_remove(at);
                }
                let shorter = before
                    .iter()
                    .position(|(known, _)| grows(&atom, known))
                    .map(|at| before.swap_remove(at).1);
                let found = match shorter {
                    Some(mut found) => {
                        for (id, held) in found.iter_mut().enumerate() {
                            if *held {
                                *held = holds(&atom, needed, plain, id);
                            }
                        }
                        found
                    }
                    None => in_parts(strings.len(), |range| {
                        range
                            .map(|id| holds(&atom, needed, plain, id))
                            .collect::<Vec<_>>()
                    })
                    .concat(),
                };
                (atom, found)
            })
            .collect()
    }
}

/// `work` over `0..len` in parts of [`PART`], shared out on the machine's cores: whichever
/// thread is free takes the next part, so a core busy elsewhere slows the keystroke by a
/// part, not by half of the rows (as `table/fuzzy.rs` does). The parts' answers in order.
fn in_parts<T: Send>(len: usize, work: impl Fn(std::ops::Range<usize>) -> T + Sync) -> Vec<T> {
    const PART: usize = 16_384;
    let parts = len.div_ceil(PART).max(1);
    let helpers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(parts)
        .saturating_sub(1);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let take = || {
        let mut done = Vec::new();
        loop {
            let part = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if part >= parts {
                return done;
            }
            done.push((part, work(part * PART..((part + 1) * PART).min(len))));
        }
    };
    let mut done = if helpers == 0 {
        take()
    } else {
        std::thread::scope(|scope| {
            let others: Vec<_> = (0..helpers).map(|_| scope.spawn(take)).collect();
            let mut done = take();
            for other in others {
                done.extend(other.join().expect("the filter does not panic"));
            }
            done
        })
    };
    done.sort_unstable_by_key(|(part, _)| *part);
    done.into_iter().map(|(_, answer)| answer).collect()
}

/// Whether `needle` (lowercase ASCII) is a subsequence of `text`, any case: what a plain
/// fuzzy word's match says of an ASCII string, without scoring it.
pub(super) fn in_order(needle: &[u8], text: &[u8]) -> bool {
    let mut wanted = needle.iter().peekable();
    for b in text {
        match wanted.peek() {
            Some(&&c) if c == b.to_ascii_lowercase() => {
                wanted.next();
            }
            Some(_) => {}
            None => return true,
        }
    }
    wanted.peek().is_none()
}

/// Whether every string holding `longer` holds `shorter`: a plain fuzzy word typed on.
fn grows(longer: &Atom, shorter: &Atom) -> bool {
    let plain = |atom: &Atom| atom.kind == AtomKind::Fuzzy && !atom.negative;
    let (long, short) = (
        longer.needle_text().to_string(),
        shorter.needle_text().to_string(),
    );
    plain(longer) && plain(shorter) && short.is_ascii() && long.starts_with(&short)
}

/// Whether every row matching `longer` also matches `shorter` (see `table/fuzzy.rs`).
fn narrows(longer: &str, shorter: &str) -> bool {
    super::super::fuzzy::narrows(longer, shorter)
}
