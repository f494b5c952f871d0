//! The Activity tab's `/` filter and its per-day histogram, in one pass over the rows.
//!
//! The words mean what they mean in every table (`table/query.rs`: substrings without
//! case; fuzzy after a leading `~`). Each word is tried against each distinct string
//! once, not against each row: a row passes a word when one of its searched texts does
//! (a `!word`: when none holds it). The rows keep their order (newest first: the log's story), so nothing is
//! sorted. While a word grows, only the strings that matched its shorter form are scored
//! again; while the text grows, only the rows shown before are looked at again (the idea
//! of `table/fuzzy.rs`).

use nucleo_matcher::pattern::AtomKind;
use nucleo_matcher::{Config, Matcher};

use super::{ActivityIndex, Strings};
use crate::table::data::NOT_ASCII;
use crate::table::query::{Query, Word};

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

/// The `/` filter of one index, remembering what it matched for the next keystroke.
#[derive(Debug, Clone, Default)]
pub struct ActivityMatcher {
    /// The text `shown` was filtered with.
    text: String,
    /// Each word of `text` and which strings hold it.
    words: Vec<(Word, Vec<bool>)>,
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
        let words = self.words_of(&index.strings, Query::parse(text).words, narrow);
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
                let passes = words.iter().all(|(word, holds)| {
                    let held = |t: &u32| holds[*t as usize];
                    if word.is_negative() {
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
        words: Vec<Word>,
        narrow: bool,
    ) -> Vec<(Word, Vec<bool>)> {
        let mut before = if narrow {
            std::mem::take(&mut self.words)
        } else {
            Vec::new()
        };
        // Each thread scores with a matcher of its own.
        let holds = |word: &Word, needed: u64, plain: Option<&[u8]>, id: usize| {
            thread_local! {
                static MATCHER: std::cell::RefCell<(Matcher, Vec<char>)> =
                    std::cell::RefCell::new((Matcher::new(Config::DEFAULT), Vec::new()));
            }
            let held = strings.letters(id as u32);
            if held & needed != needed {
                return false;
            }
            let text = strings.get(id as u32);
            let ascii = held & NOT_ASCII == 0;
            if let Some(needle) = plain
                && ascii
            {
                return in_order(needle, text.as_bytes());
            }
            MATCHER.with_borrow_mut(|(matcher, buffer)| {
                word.score(text, ascii, 0, matcher, buffer).is_some()
            })
        };
        words
            .into_iter()
            .map(|word| {
                // A word's letters must all be in a string it matches (a `!word`: always
                // tried).
                let needed = word.needed();
                // A plain fuzzy word of ASCII: a subsequence test answers for ASCII
                // strings, without scoring.
                let needle = match &word {
                    Word::Fuzzy(atom) if atom.kind == AtomKind::Fuzzy && !atom.negative => {
                        atom.needle_text().to_string()
                    }
                    _ => String::new(),
                };
                let plain = (!needle.is_empty()
                    && needle.is_ascii()
                    && needle.bytes().all(|b| !b.is_ascii_uppercase()))
                .then_some(needle.as_bytes());
                if let Some(at) = before.iter().position(|(known, _)| *known == word) {
                    return before.swap_remove(at);
                }
                let shorter = before
                    .iter()
                    .position(|(known, _)| word.grows(known))
                    .map(|at| before.swap_remove(at).1);
                let found = match shorter {
                    Some(mut found) => {
                        for (id, held) in found.iter_mut().enumerate() {
                            if *held {
                                *held = holds(&word, needed, plain, id);
                            }
                        }
                        found
                    }
                    None => in_parts(strings.len(), |range| {
                        range
                            .map(|id| holds(&word, needed, plain, id))
                            .collect::<Vec<_>>()
                    })
                    .concat(),
                };
                (word, found)
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

/// Whether every row matching `longer` also matches `shorter` (see `table/query.rs`).
fn narrows(longer: &str, shorter: &str) -> bool {
    crate::table::query::narrows(longer, shorter)
}
