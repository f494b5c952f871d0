//! Notion object ids: 32 hex digits, written with or without dashes.

use std::fmt;

/// A syntactically valid Notion id, held in Notion's dashed lowercase form.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NotionId(String);

/// Why a string is not a Notion id. The text is echoed back so the user sees what they typed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a Notion id (expected 32 hex digits, with or without dashes)")]
pub struct InvalidId(pub String);

impl NotionId {
    /// Accepts `0123abcd…` (32 hex digits), the dashed uuid form, and a Notion URL or
    /// slug ending in the id (`https://app.notion.com/p/Tasks-0123abcd…`), as users paste them.
    pub fn parse(text: &str) -> Result<Self, InvalidId> {
        let trimmed = text.trim();
        let last_segment = trimmed
            .split(['?', '#'])
            .next()
            .unwrap_or_default()
            .rsplit('/')
            .next()
            .unwrap_or_default();
        let hex: String = if last_segment.len() > 32 && !last_segment.contains('-') {
            String::new()
        } else if last_segment.len() == 36 || last_segment.len() == 32 {
            last_segment.chars().filter(|c| *c != '-').collect()
        } else {
            // A slug such as `Tasks-0123…`: the id is the last 32 characters.
            let tail_start = last_segment.len().saturating_sub(32);
            last_segment
                .get(tail_start..)
                .unwrap_or_default()
                .to_string()
        };
        let dashes_ok = last_segment.len() != 36 || is_dashed_uuid(last_segment);
        if hex.len() != 32 || !dashes_ok || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(InvalidId(text.to_string()));
        }
        let hex = hex.to_ascii_lowercase();
        Ok(NotionId(format!(
            "{}-{}-{}-{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        )))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first eight hex digits followed by an ellipsis, for messages that must stay short.
    pub fn short(&self) -> String {
        format!("{}…", &self.0[..8])
    }
}

fn is_dashed_uuid(text: &str) -> bool {
    text.char_indices().all(|(i, c)| {
        if [8, 13, 18, 23].contains(&i) {
            c == '-'
        } else {
            c.is_ascii_hexdigit()
        }
    })
}

impl fmt::Display for NotionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for NotionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NotionId({})", self.0)
    }
}

impl std::str::FromStr for NotionId {
    type Err = InvalidId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        NotionId::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_dashed_and_url_forms() {
        let dashed = "1a44be12-0953-4631-b498-9e5ea5af8e9a";
        for form in [
            "1a44be1209534631b4989e5ea5af8e9a",
            "1A44BE1209534631B4989E5EA5AF8E9A",
            dashed,
            "https://app.notion.com/p/Master-Tasks-1a44be1209534631b4989e5ea5af8e9a",
            "https://www.notion.so/1a44be1209534631b4989e5ea5af8e9a?v=abc",
        ] {
            assert_eq!(NotionId::parse(form).unwrap().as_str(), dashed, "{form}");
        }
    }

    #[test]
    fn refuses_what_is_not_an_id() {
        for bad in [
            "",
            "abc",
            "WF-WELL-BOOK",
            "1a44be12-0953-4631-b498-9e5ea5af8e9",
            "1a44be1209534631b4989e5ea5af8e9g",
            "1a44be1-20953-4631-b498-9e5ea5af8e9a",
            "11a44be1209534631b4989e5ea5af8e9a",
        ] {
            let err = NotionId::parse(bad).unwrap_err();
            assert!(err.to_string().contains("is not a Notion id"), "{bad}");
        }
    }

    #[test]
    fn short_form_keeps_eight_digits() {
        let id = NotionId::parse("1a44be1209534631b4989e5ea5af8e9a").unwrap();
        assert_eq!(id.short(), "1a44be12…");
    }
}
