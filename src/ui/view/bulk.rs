//! The bulk dialogs: the question before many changes (or an undo), and the list of the
//! records a batch did not change.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::super::app::App;
use super::super::bulk::{Confirm, Progress};
use super::{boxed, fit};
use crate::present::for_people;

/// "Assign 30 tasks to Nyra? y/N" with a sample of what changes.
pub fn confirm(frame: &mut Frame, app: &App, confirm: &Confirm, area: Rect) {
    let theme = app.theme;
    let room = usize::from(area.width.min(80).saturating_sub(4));
    let mut lines = vec![Line::raw(for_people(&confirm.question, "")), Line::raw("")];
    for sample in &confirm.sample {
        lines.push(Line::raw(format!(
            "  {}",
            fit(&for_people(sample, ""), room)
        )));
    }
    if confirm.more > 0 {
        lines.push(Line::styled(
            format!("  … and {} more", confirm.more),
            theme.dim(),
        ));
    }
    lines.push(Line::raw(""));
    lines.push(Line::raw(
        "Each record is its own change: one refused leaves the others.",
    ));
    lines.push(Line::from(vec![
        Span::styled("y", theme.key()),
        Span::raw(" goes on · "),
        Span::styled("n", theme.key()),
        Span::raw(", esc or any other key changes nothing"),
    ]));
    boxed(frame, area, 80, " Are you sure? [y/N] ".into(), lines);
}

/// The records a batch did not change, each with Notion's reason.
pub fn report(frame: &mut Frame, app: &App, progress: &Progress, area: Rect) {
    let theme = app.theme;
    let mut lines = vec![Line::raw(for_people(&progress.line(), "")), Line::raw("")];
    for (title, why) in &progress.failures {
        lines.push(Line::from(vec![
            Span::styled(format!("{}: ", for_people(title, "")), theme.error()),
            Span::raw(for_people(why, "")),
        ]));
    }
    boxed(frame, area, 100, " Not changed (esc closes) ".into(), lines);
}
