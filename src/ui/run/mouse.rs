//! The mouse: the wheel scrolls what is on screen, a click chooses a tab, an Overview line
//! or a table row (a second click on the selection opens it).

use std::io::Write as _;

use crossterm::event::{MouseButton, MouseEventKind};

use crate::ui::app::App;

pub(super) fn on_mouse(app: &mut App, mouse: crossterm::event::MouseEvent) {
    let inside = |r: ratatui::layout::Rect| {
        mouse.column >= r.x
            && mouse.column < r.right()
            && mouse.row >= r.y
            && mouse.row < r.bottom()
    };
    match mouse.kind {
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let step = if mouse.kind == MouseEventKind::ScrollDown {
                3
            } else {
                -3
            };
            if let crate::ui::app::Mode::Outbox(view) = &mut app.mode {
                view.move_by(if step > 0 { 1 } else { -1 });
                return;
            }
            match app.details.last_mut() {
                Some(view) => view.scroll = (view.scroll as isize + step).max(0) as usize,
                None if app.on_overview => app.overview.move_by(step),
                None if app.on_activity => app.activity.move_by(step),
                None => app.table_mut().move_by(step),
            }
        }
        MouseEventKind::Down(MouseButton::Left) => {
            if let Some((_, screen)) = app.hits.tabs.iter().find(|(r, _)| inside(*r)).cloned() {
                app.show(screen);
            } else if let Some((_, panel, item)) = app
                .hits
                .overview
                .iter()
                .find(|(r, _, _)| inside(*r))
                .cloned()
                && app.on_overview
                && app.detail().is_none()
            {
                // Like a table row: the first click selects, a click on the selection opens.
                let view = &mut app.overview;
                if view.focus == panel && view.selected(panel) == item {
                    if let Some(target) = view.target() {
                        crate::ui::overview::follow(app, target);
                    }
                } else {
                    view.focus = panel;
                    view.select(panel, item);
                }
            } else if app.detail().is_none() && !app.on_activity && inside(app.hits.rows) {
                let index = app.hits.offset + (mouse.row - app.hits.rows.y) as usize;
                let table = app.table_mut();
                if index < table.visible.len() {
                    if table.selected == index {
                        if let Some(page) = table.selected_row().map(|r| r.page_id.clone()) {
                            app.open_detail(page);
                        }
                    } else {
                        table.selected = index;
                    }
                }
            }
        }
        _ => {}
    }
    let _ = std::io::stdout().flush();
}
