//! The `:outbox` list: the writes queued for Notion, the one chosen, the drop asked about.

use super::{Action, App, Mode};
use crate::ui::data::OutboxRow;

/// The `:outbox` list.
#[derive(Debug, Clone, Default)]
pub struct OutboxView {
    /// `None` until the first load answers.
    pub rows: Option<Vec<OutboxRow>>,
    pub selected: usize,
    /// The write `d` asks about dropping: `y` drops it, any other key keeps it.
    pub confirm_drop: Option<i64>,
}

impl OutboxView {
    pub fn selected_row(&self) -> Option<&OutboxRow> {
        self.rows.as_ref()?.get(self.selected)
    }

    pub fn move_by(&mut self, step: isize) {
        let len = self.rows.as_ref().map_or(0, Vec::len);
        self.selected = self
            .selected
            .saturating_add_signed(step)
            .min(len.saturating_sub(1));
    }

    /// A new list: the selection stays on the same write while it is listed.
    pub fn replace(&mut self, rows: Vec<OutboxRow>) {
        let seq = self.selected_row().map(|r| r.seq);
        self.selected = seq
            .and_then(|seq| rows.iter().position(|r| r.seq == seq))
            .unwrap_or(self.selected)
            .min(rows.len().saturating_sub(1));
        if self
            .confirm_drop
            .is_some_and(|seq| !rows.iter().any(|r| r.seq == seq))
        {
            // Settled meanwhile: nothing left to drop.
            self.confirm_drop = None;
        }
        self.rows = Some(rows);
    }
}

impl App {
    /// `:outbox`: lists the queued writes (loaded off the loop).
    pub fn open_outbox(&mut self) {
        self.mode = Mode::Outbox(OutboxView::default());
        self.actions.push(Action::LoadOutbox);
    }

    /// The outbox changed: the open `:outbox` list reads it again.
    pub(super) fn outbox_changed(&mut self) {
        if matches!(self.mode, Mode::Outbox(_)) {
            self.actions.push(Action::LoadOutbox);
        }
    }
}
