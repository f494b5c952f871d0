//! What the `/` filter's text asks, for every table and the Activity tab alike.
//!
//! The syntax:
//! - Words separated by spaces. A row matches when it holds every word, in any order, as
//!   a substring of its text, without case: `nyra high` keeps the rows holding both
//!   "nyra" and "high" (as k9s does).
//! - `!word`: the row must not hold the word.
//! - A leading `~`: the rest is matched fuzzily (nucleo, with fzf's syntax: `'exact`,
//!   `^start`, `end$`, `!not`), the letters of a word in order with anything between.
//!
//! A row's score (for the best-first order while filtering) is the sum of its words':
//! a substring found in the cells naming the record (the title; `Task ID` and `Task
//! Name`) scores higher than one elsewhere, one starting a word higher than one inside a
//! word.

use memchr::memmem;
use nucleo_matcher::pattern::{Atom, AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Matcher, Utf32Str};

use super::data::letters;
use super::fuzzy::score_atom;

/// The filter text's words, and whether they are matched fuzzily.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub words: Vec<Word>,
}

/// One word of a filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Word {
    /// Text the row must hold (`negative`: must not), lowercase.
    Substring { needle: String, negative: bool },
    /// A fuzzy word (after a leading `~`).
    Fuzzy(Atom),
}

/// What a substring match is worth: found at all, at the start of a word, in the name.
const FOUND: u32 = 1;
const WORD_START: u32 = 2;
const IN_NAME: u32 = 4;

/// Whether `text` asks for fuzzy matching (a leading `~`).
pub fn is_fuzzy(text: &str) -> bool {
    text.trim_start().starts_with('~')
}

impl Query {
    pub fn parse(text: &str) -> Query {
        let text = text.trim_start();
        if let Some(fuzzy) = text.strip_prefix('~') {
            let pattern = Pattern::parse(fuzzy, CaseMatching::Ignore, Normalization::Smart);
            return Query {
                words: pattern.atoms.into_iter().map(Word::Fuzzy).collect(),
            };
        }
        let words = text
            .split_whitespace()
            .filter_map(|word| {
                let (word, negative) = match word.strip_prefix('!') {
                    Some(rest) => (rest, true),
                    None => (word, false),
                };
                (!word.is_empty()).then(|| Word::Substring {
                    needle: word.to_lowercase(),
                    negative,
                })
            })
            .collect();
        Query { words }
    }

    /// The letters and digits (see [`letters`]) a row must hold to match every word.
    pub fn needed(&self) -> u64 {
        self.words.iter().fold(0, |set, word| set | word.needed())
    }
}

impl Word {
    pub fn is_negative(&self) -> bool {
        match self {
            Word::Substring { negative, .. } => *negative,
            Word::Fuzzy(atom) => atom.negative,
        }
    }

    /// The letters and digits a text must hold to match (none for a negative word).
    pub fn needed(&self) -> u64 {
        match self {
            _ if self.is_negative() => 0,
            Word::Substring { needle, .. } => letters(needle),
            Word::Fuzzy(atom) => letters(&atom.needle_text().to_string()),
        }
    }

    /// Whether every text holding `self` holds `shorter`: a positive word typed on.
    pub fn grows(&self, shorter: &Word) -> bool {
        match (self, shorter) {
            (
                Word::Substring {
                    needle: long,
                    negative: false,
                },
                Word::Substring {
                    needle: short,
                    negative: false,
                },
            ) => long.starts_with(short.as_str()),
            (Word::Fuzzy(long), Word::Fuzzy(short)) => {
                let plain = |atom: &Atom| atom.kind == AtomKind::Fuzzy && !atom.negative;
                let (long_text, short_text) = (
                    long.needle_text().to_string(),
                    short.needle_text().to_string(),
                );
                plain(long)
                    && plain(short)
                    && short_text.is_ascii()
                    && long_text.starts_with(&short_text)
            }
            _ => false,
        }
    }

    /// The word's score in `text` (`None`: no match; a negative word scores 0 where it
    /// is absent). `name_end`: where the cells naming the record end in `text` (a match
    /// before it scores more). `ascii`: `text` is all ASCII (compared byte for byte, without case).
    pub fn score(
        &self,
        text: &str,
        ascii: bool,
        name_end: usize,
        matcher: &mut Matcher,
        buffer: &mut Vec<char>,
    ) -> Option<u32> {
        match self {
            Word::Substring { needle, negative } => {
                let found = if ascii {
                    best_ascii(text.as_bytes(), needle.as_bytes(), name_end)
                } else {
                    let lower = text.to_lowercase();
                    let name_end = text[..name_end.min(text.len())].to_lowercase().len();
                    best_exact(lower.as_bytes(), needle.as_bytes(), name_end)
                };
                match (found, negative) {
                    (Some(score), false) => Some(score),
                    (None, true) => Some(0),
                    _ => None,
                }
            }
            Word::Fuzzy(atom) => {
                let haystack = if ascii {
                    Utf32Str::Ascii(text.as_bytes())
                } else {
                    Utf32Str::new(text, buffer)
                };
                score_atom(atom, haystack, matcher).map(u32::from)
            }
        }
    }
}

/// What an occurrence of a needle at `at..at + len` in `hay` is worth.
fn worth(hay: &[u8], at: usize, len: usize, name_end: usize) -> u32 {
    let word_start = at == 0 || !hay[at - 1].is_ascii_alphanumeric();
    FOUND + if word_start { WORD_START } else { 0 } + if at + len <= name_end { IN_NAME } else { 0 }
}

const BEST: u32 = FOUND + WORD_START + IN_NAME;

/// The best occurrence of `needle` (lowercase ASCII) in ASCII `hay`, any case: candidates
/// found by the first byte in either case (memchr), then compared.
fn best_ascii(hay: &[u8], needle: &[u8], name_end: usize) -> Option<u32> {
    let Some((&first, rest)) = needle.split_first() else {
        return Some(FOUND);
    };
    if !needle.is_ascii() {
        return None;
    }
    let mut best = None;
    for at in memchr::memchr2_iter(first, first.to_ascii_uppercase(), hay) {
        let after = at + 1;
        if hay.len() - after < rest.len() {
            break;
        }
        if hay[after..after + rest.len()].eq_ignore_ascii_case(rest) {
            best = best.max(Some(worth(hay, at, needle.len(), name_end)));
            // Past the name nothing beats a word start.
            if best == Some(BEST) || (at >= name_end && best >= Some(FOUND + WORD_START)) {
                break;
            }
        }
    }
    best
}

/// The best occurrence of `needle` in `hay`, both lowercase already.
fn best_exact(hay: &[u8], needle: &[u8], name_end: usize) -> Option<u32> {
    memmem::find_iter(hay, needle)
        .map(|at| worth(hay, at, needle.len(), name_end))
        .max()
}

/// Whether every row matching `longer` also matches `shorter`, so a search for `longer`
/// may start from `shorter`'s matches: `longer` extends `shorter` (in the same mode) and
/// `shorter` holds nothing that breaks this: no `!` (a longer negative word excludes
/// less), and for fuzzy text no `$` (anchors the end) nor `\` (escapes); nor text that
/// changes how letters are lowercased or normalised.
pub fn narrows(longer: &str, shorter: &str) -> bool {
    let shorter_ok = if is_fuzzy(shorter) {
        !shorter.contains(['!', '$', '\\'])
    } else {
        !shorter.contains('!') && !is_fuzzy(longer)
    };
    longer.starts_with(shorter) && shorter.is_ascii() && shorter_ok
}

#[cfg(test)]
mod tests {
    use nucleo_matcher::Config;

    use super::*;

    fn score(filter: &str, text: &str, name_end: usize) -> Option<u32> {
        let (mut matcher, mut buffer) = (Matcher::new(Config::DEFAULT), Vec::new());
        Query::parse(filter).words.iter().try_fold(0, |sum, word| {
            let ascii = text.is_ascii();
            Some(sum + word.score(text, ascii, name_end, &mut matcher, &mut buffer)?)
        })
    }

    #[test]
    fn words_are_substrings_in_any_order_and_any_case() {
        let row = "TASK-09 Call Ana Ruiz about the Sedona retreat High Nyra";
        assert!(score("sedona", row, 0).is_some());
        assert!(score("SEDONA ret", row, 0).is_some());
        assert!(score("nyra high", row, 0).is_some());
        assert!(score("high nyra", row, 0).is_some());
        assert_eq!(score("nyra low", row, 0), None);
        // Letters in order are fuzzy's, not a substring's.
        assert_eq!(score("sdna", row, 0), None);
        assert!(score("~sdna", row, 0).is_some());
        // `!word`: absent.
        assert_eq!(score("!sedona", row, 0), None);
        assert!(score("!denver nyra", row, 0).is_some());
        // Not ASCII: lowercased, then compared.
        assert!(score("zoë", "Ask ZOË Park", 0).is_some());
        assert_eq!(score("zoe", "Ask ZOË Park", 0), None);
    }

    #[test]
    fn a_match_in_the_name_or_at_a_word_start_scores_more() {
        let row = "Sedona trip — sedonas";
        let name_end = "Sedona trip".len();
        assert_eq!(
            score("sedona", row, name_end),
            Some(FOUND + WORD_START + IN_NAME)
        );
        assert_eq!(score("sedona", row, 0), Some(FOUND + WORD_START));
        assert_eq!(score("dona", row, name_end), Some(FOUND + IN_NAME));
        assert_eq!(score("donas", row, name_end), Some(FOUND));
        // Each word scores: two words in the name are worth twice one.
        assert_eq!(
            score("sedona trip", row, name_end),
            Some(2 * (FOUND + WORD_START + IN_NAME))
        );
    }

    #[test]
    fn a_longer_text_narrows_a_shorter_one_only_when_its_matches_are_a_subset() {
        assert!(narrows("sedona", "sed"));
        assert!(narrows("sed ret", "sed"));
        assert!(narrows("~sdn", "~sd"));
        // A negative word growing excludes less; `$` anchors.
        assert!(!narrows("sed !ab", "sed !a"));
        assert!(!narrows("~pay$x", "~pay$"));
        // Another mode.
        assert!(!narrows("sedona", "sex"));
    }
}
