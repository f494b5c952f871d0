//! The security rules of the HigherSelf integration guide, as checks on text: credentials
//! must not be stored in Notion (a secret scan in the style of gitleaks: each rule is data,
//! with an id, a description and its own examples of what it must and must not match),
//! and `API Keys Reference` holds references to a secret store only. A finding never
//! carries the value it found: only where it is and a masked excerpt (`sk_live_••••3kQ9`).

use std::sync::OnceLock;

use regex::{Regex, RegexSet};

mod rules;
#[cfg(test)]
mod tests;

pub use rules::{REFERENCE_FORMS, RULES};

/// One kind of credential and how to recognise it.
#[derive(Debug)]
pub struct Rule {
    /// Stable id, as `--json` and the config name it: `stripe-secret-key`.
    pub id: &'static str,
    /// What it found, for people: "Stripe secret key".
    pub description: &'static str,
    pub pattern: &'static str,
    /// How many leading characters of a match the mask keeps: the kind's prefix, which
    /// says what it is without helping anyone use it (`sk_live_`).
    pub keep_prefix: usize,
    /// Texts the rule must find a credential in (its tests run them).
    pub true_positives: &'static [&'static str],
    /// Look-alikes it must not match.
    pub false_positives: &'static [&'static str],
}

/// What one text holds that must not be in Notion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub rule: &'static str,
    pub description: &'static str,
    /// The match, masked: never the value itself.
    pub masked: String,
    /// Where it is in the text (bytes), for drawing the text masked.
    pub span: (usize, usize),
}

/// The rules compiled once.
struct Compiled {
    set: RegexSet,
    each: Vec<Regex>,
}

fn compiled() -> &'static Compiled {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    COMPILED.get_or_init(|| Compiled {
        set: RegexSet::new(RULES.iter().map(|r| r.pattern)).expect("the rules are valid"),
        each: RULES
            .iter()
            .map(|r| Regex::new(r.pattern).expect("the rules are valid"))
            .collect(),
    })
}

/// Property names that say their value is a credential: their long random-looking words
/// are findings even when no rule knows their shape. "Key" counts after another word
/// (`API Keys Reference`, `Stripe Key`), not as an adjective in front (`Key Insights`).
pub fn names_a_secret(property: &str) -> bool {
    let words: Vec<String> = property
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    words.iter().enumerate().any(|(i, word)| {
        matches!(
            word.as_str(),
            "secret"
                | "secrets"
                | "token"
                | "tokens"
                | "password"
                | "passwords"
                | "credential"
                | "credentials"
        ) || (i > 0 && matches!(word.as_str(), "key" | "keys"))
    })
}

/// The credentials in `text`, each once, in the order they appear. `property` is the
/// column's name: one that names a secret adds the entropy check (a long random word).
pub fn scan(text: &str, property: &str) -> Vec<Hit> {
    let rules = compiled();
    let mut hits: Vec<Hit> = Vec::new();
    // One pass says which rules match at all; only those run again for positions.
    for index in rules.set.matches(text).iter() {
        let rule = &RULES[index];
        for found in rules.each[index].find_iter(text) {
            let span = (found.start(), found.end());
            // Two rules on one stretch (a JWT inside a URL): the first found keeps it.
            if hits.iter().any(|h| h.span.0 < span.1 && span.0 < h.span.1) {
                continue;
            }
            hits.push(Hit {
                rule: rule.id,
                description: rule.description,
                masked: mask(found.as_str(), rule.keep_prefix),
                span,
            });
        }
    }
    if names_a_secret(property) {
        for (start, word) in words(text) {
            let span = (start, start + word.len());
            if hits.iter().any(|h| h.span.0 < span.1 && span.0 < h.span.1) {
                continue;
            }
            if looks_random(word) && !is_reference(word, REFERENCE_FORMS) {
                hits.push(Hit {
                    rule: "high-entropy-secret",
                    description: "long random string in a property named for a secret",
                    masked: mask(word, 0),
                    span,
                });
            }
        }
    }
    hits.sort_by_key(|h| h.span);
    hits
}

/// The words of `text` (runs without whitespace or quotes) with where each starts.
fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | ';'))
        .filter(|w| !w.is_empty())
        .map(move |w| (w.as_ptr() as usize - text.as_ptr() as usize, w))
}

/// Whether a word is long and random enough to be a generated credential: a run of 20 or
/// more letters and digits, lower and upper case and digits mixed, with the entropy of
/// random text. Ids split by dashes (UUIDs), Notion's lower-case hex page ids and file
/// names made of short parts stay below the bar.
fn looks_random(word: &str) -> bool {
    word.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|run| run.len() >= 20)
        .any(|run| {
            let has = |test: fn(&u8) -> bool| run.as_bytes().iter().any(test);
            has(u8::is_ascii_lowercase)
                && has(u8::is_ascii_uppercase)
                && has(u8::is_ascii_digit)
                && entropy(run) >= 3.5
        })
}

/// Shannon entropy of the text, in bits per character.
fn entropy(text: &str) -> f64 {
    let mut counts = [0usize; 256];
    for b in text.bytes() {
        counts[b as usize] += 1;
    }
    let n = text.len() as f64;
    counts
        .iter()
        .filter(|c| **c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// The match masked: its kind's prefix, bullets, and its last four characters when it is
/// long enough that four say nothing (`sk_live_••••••••3kQ9`).
pub fn mask(secret: &str, keep_prefix: usize) -> String {
    let chars: Vec<char> = secret.chars().collect();
    let prefix: String = chars
        .iter()
        .take(keep_prefix.min(chars.len() / 2))
        .collect();
    let tail: String = if chars.len() >= 16 {
        chars[chars.len() - 4..].iter().collect()
    } else {
        String::new()
    };
    format!("{prefix}{MASKED}{tail}")
}

/// Whether `text` can hold a credential at all: every rule needs a word of 15 characters
/// or more (a Slack token's least; a password in a URL with its scheme and host) or a PEM
/// header. Most cells are names and states, skipped at the cost of one look at their bytes.
pub fn might_hold_secret(text: &str) -> bool {
    text.len() >= 15
        && (text.contains("-----BEGIN")
            || text
                .split(|c: char| c.is_whitespace())
                .any(|word| word.len() >= 15))
}

/// What every mask holds: a shown text holding it was masked (a title may hold a `⚠` of
/// its own; it does not hold eight bullets).
pub const MASKED: &str = "••••••••";

/// What every rule needs somewhere in a text, literally: the scan of a whole database
/// first looks for these in each record's stored JSON and reads the record's values only
/// where one is (most records hold none, and reading them is most of the cost). Kept in
/// step with [`RULES`] by a test over their examples, JSON-escaped as the store holds them.
const ANCHORS: &str = r#"\b(?:ntn_|secret_|AKIA|ASIA|ABIA|ACCA|sk_|rk_|gh[pousr]_|github_pat_|xox[baprs]-|AIza|sk-|eyJ)|(?i:aws)|PRIVATE KEY|://[^/\s:@]{1,64}:[^/\s@]{3,128}@"#;

/// Whether a record's stored JSON may hold a credential a rule finds (see [`ANCHORS`]).
/// The entropy check has no anchor: a database with a column named for a secret is read
/// whole.
pub fn may_hold_credential(stored: &[u8]) -> bool {
    static ANCHORED: OnceLock<regex::bytes::Regex> = OnceLock::new();
    ANCHORED
        .get_or_init(|| regex::bytes::Regex::new(ANCHORS).expect("the anchors are valid"))
        .is_match(stored)
}

/// The marker before a masked credential on screen and in text output.
pub const MARK: &str = "⚠ ";

/// `text` as people may see it, under the column `column` ("" when not known): every
/// credential masked and marked (`⚠ sk_live_••••••••3kQ9`), with what the first one
/// looks like. `None` when there is nothing to mask.
pub fn shown(text: &str, column: &str) -> Option<(String, &'static str)> {
    if !might_hold_secret(text) {
        return None;
    }
    let hits = scan(text, column);
    let first = hits.first()?.description;
    let mut marked = hits.clone();
    for hit in &mut marked {
        hit.masked = format!("{MARK}{}", hit.masked);
    }
    Some((masked_text(text, &marked), first))
}

/// The hint beside a masked value.
pub fn hint(description: &str) -> String {
    format!("{MARK}looks like a {description} — move it to your secret store")
}

/// `text` with every credential in it masked: what screens and text output show.
pub fn masked_text(text: &str, hits: &[Hit]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for hit in hits {
        out.push_str(&text[at..hit.span.0]);
        out.push_str(&hit.masked);
        at = hit.span.1;
    }
    out.push_str(&text[at..]);
    out
}

/// One accepted shape of a reference to a secret store, as a glob: `*` is any text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceForm(pub String);

/// Whether `value` is a reference to a secret store in one of `forms` (globs, `*` any
/// text, matched against the whole value without case).
pub fn is_reference<S: AsRef<str>>(value: &str, forms: &[S]) -> bool {
    let value = value.trim();
    !value.is_empty()
        && forms.iter().any(|form| {
            glob_matches(
                &form.as_ref().to_ascii_lowercase(),
                &value.to_ascii_lowercase(),
            )
        })
}

/// `*` matches any run of characters (none included); everything else itself.
fn glob_matches(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, rest) = parts.split_first().expect("split gives one part at least");
    let Some(mut remaining) = text.strip_prefix(first) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return remaining.is_empty();
    };
    for part in middle {
        match remaining.find(part) {
            Some(at) => remaining = &remaining[at + part.len()..],
            None => return false,
        }
    }
    remaining.len() >= last.len() && remaining.ends_with(last)
}

/// The column that may only hold references (the integration guide's rule).
pub const REFERENCE_COLUMN: &str = "API Keys Reference";

/// What is wrong with one property's value, if anything: the credentials in it, and for
/// [`REFERENCE_COLUMN`] a value that is not a reference to a secret store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub hits: Vec<Hit>,
    /// For [`REFERENCE_COLUMN`]: the value is not one of the accepted reference forms.
    pub not_a_reference: bool,
}

impl Problem {
    /// The worst rule, as a finding names it: a credential before a bad reference.
    pub fn rule(&self) -> &'static str {
        self.hits.first().map_or("not-a-reference", |h| h.rule)
    }

    pub fn description(&self) -> String {
        match (self.hits.first(), self.not_a_reference) {
            (Some(hit), true) => format!(
                "{} (and not a reference to a secret store)",
                hit.description
            ),
            (Some(hit), false) => hit.description.to_string(),
            (None, _) => "not a reference to a secret store".to_string(),
        }
    }

    /// The value as it may be shown: credentials masked; a bad reference with no known
    /// credential shape masked whole (it may still be one).
    pub fn masked(&self, value: &str) -> String {
        if self.hits.is_empty() {
            return mask(value.trim(), 0);
        }
        self.hits
            .iter()
            .map(|h| h.masked.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Checks one property's value against the rules (`forms`: the accepted reference forms).
pub fn check_value<S: AsRef<str>>(property: &str, value: &str, forms: &[S]) -> Option<Problem> {
    if value.trim().is_empty() {
        return None;
    }
    let hits = scan(value, property);
    let not_a_reference = property == REFERENCE_COLUMN && !is_reference(value, forms);
    (!hits.is_empty() || not_a_reference).then_some(Problem {
        hits,
        not_a_reference,
    })
}

/// A property of a record that breaks a rule, as `hsn doctor` reports it: where it is
/// and a masked excerpt, never the value.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    pub database: &'static str,
    #[serde(skip)]
    pub page_id: String,
    /// The record's title, itself masked if it holds a credential.
    pub record: String,
    pub property: &'static str,
    pub rule: &'static str,
    pub description: String,
    pub masked: String,
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} · {} · {}: {} ({}) {}",
            self.database, self.record, self.property, self.description, self.rule, self.masked
        )
    }
}

/// A title as a finding may show it: credentials in it masked.
pub fn safe_title(title: &str, property: &str) -> String {
    masked_text(title, &scan(title, property))
}
