//! A single-line text input: the filter, the command line, form fields and prompts.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineInput {
    text: String,
    /// In characters, not bytes.
    cursor: usize,
}

impl LineInput {
    pub fn with(text: &str) -> LineInput {
        LineInput {
            text: text.to_string(),
            cursor: text.chars().count(),
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn set(&mut self, text: &str) {
        *self = LineInput::with(text);
    }

    /// What a field `width` characters wide shows of the text, around the cursor: the text
    /// before it and after it, cut with `…` where they do not fit, so the cursor (drawn
    /// between the two, one character) is always on screen. A long note scrolls as it is
    /// typed instead of running into the border.
    pub fn window(&self, width: usize) -> (String, String) {
        let chars: Vec<char> = self.text.chars().collect();
        let (before, after) = chars.split_at(self.cursor.min(chars.len()));
        // One character for the cursor.
        let room = width.saturating_sub(1);
        if before.len() + after.len() <= room {
            return (before.iter().collect(), after.iter().collect());
        }
        // Typing at the end shows the end; in the middle, a third of the room stays for
        // what follows the cursor.
        let after_shown = after
            .len()
            .min(room.saturating_sub(before.len()).max(room / 3));
        let before_shown = room - after_shown;
        let before = if before.len() > before_shown {
            let kept = before_shown.saturating_sub(1);
            std::iter::once('…')
                .chain(before[before.len() - kept..].iter().copied())
                .take(before_shown)
                .collect()
        } else {
            before.iter().collect()
        };
        let after = if after.len() > after_shown {
            let kept = after_shown.saturating_sub(1);
            after[..kept]
                .iter()
                .copied()
                .chain((after_shown > 0).then_some('…'))
                .collect()
        } else {
            after.iter().collect()
        };
        (before, after)
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map_or(self.text.len(), |(i, _)| i)
    }

    /// Applies an editing key; returns whether it was one.
    pub fn handle(&mut self, key: KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('u') if ctrl => {
                self.text.drain(..self.byte_at(self.cursor));
                self.cursor = 0;
            }
            KeyCode::Char('w') if ctrl => {
                let before: Vec<char> = self.text.chars().take(self.cursor).collect();
                let mut start = before.len();
                while start > 0 && before[start - 1] == ' ' {
                    start -= 1;
                }
                while start > 0 && before[start - 1] != ' ' {
                    start -= 1;
                }
                let (from, to) = (self.byte_at(start), self.byte_at(self.cursor));
                self.text.drain(from..to);
                self.cursor = start;
            }
            KeyCode::Char('a') if ctrl => self.cursor = 0,
            KeyCode::Char('e') if ctrl => self.cursor = self.text.chars().count(),
            KeyCode::Char(c) if !ctrl => {
                let at = self.byte_at(self.cursor);
                self.text.insert(at, c);
                self.cursor += 1;
            }
            KeyCode::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                let at = self.byte_at(self.cursor);
                self.text.remove(at);
            }
            KeyCode::Delete if self.cursor < self.text.chars().count() => {
                let at = self.byte_at(self.cursor);
                self.text.remove(at);
            }
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(self.text.chars().count()),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = self.text.chars().count(),
            KeyCode::Backspace | KeyCode::Delete => {}
            _ => return false,
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn edits_in_the_middle_of_multibyte_text() {
        let mut input = LineInput::with("café");
        input.handle(key(KeyCode::Left));
        input.handle(key(KeyCode::Char('x')));
        assert_eq!(input.text(), "cafxé");
        input.handle(key(KeyCode::Backspace));
        input.handle(key(KeyCode::Backspace));
        assert_eq!(input.text(), "caé");
        input.handle(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
        assert_eq!(input.text(), "é");
    }

    #[test]
    fn a_long_text_scrolls_so_the_cursor_stays_in_the_field() {
        let text = "Intro call booked for Thursday at 10, confirm the room";
        let mut input = LineInput::with(text);
        // Typing at the end: the end shows, the start is marked cut.
        let (before, after) = input.window(20);
        assert_eq!(before.chars().count(), 19, "{before:?}");
        assert!(
            before.starts_with('…') && before.ends_with("the room"),
            "{before:?}"
        );
        assert_eq!(after, "");
        // At the start: the beginning shows, the rest marked cut.
        input.handle(KeyEvent::new(KeyCode::Home, KeyModifiers::NONE));
        let (before, after) = input.window(20);
        assert_eq!(before, "");
        assert!(
            after.starts_with("Intro") && after.ends_with('…'),
            "{after:?}"
        );
        assert_eq!(after.chars().count(), 19);
        // In the middle: both sides, and never wider than the field.
        for _ in 0..25 {
            input.handle(key(KeyCode::Right));
        }
        let (before, after) = input.window(20);
        assert!(before.ends_with("for Thu"), "{before:?}");
        assert!(after.starts_with("rsday"), "{after:?}");
        assert_eq!(before.chars().count() + after.chars().count(), 19);
        // A short text shows whole.
        assert_eq!(
            LineInput::with("ok").window(20),
            ("ok".to_string(), String::new())
        );
        // Even a field too narrow for anything keeps within its width.
        let (before, after) = input.window(3);
        assert!(before.chars().count() + after.chars().count() <= 2);
    }
}
