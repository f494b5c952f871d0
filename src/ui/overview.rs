//! The Overview tab's state and keys: which panel has the focus, which line of each is
//! selected, and where `enter` goes. The figures come computed (off the loop) in
//! [`Overview`]; nothing here recomputes them.

use crossterm::event::{KeyCode, KeyEvent};

use super::app::{Action, App};
use crate::domain::overview::{Funnel, InstanceItem, Overview, RecentEntry, StateCount, TaskItem};
use crate::domain::schema::DatabaseKey;
use crate::table::QuickFilter;

/// The panels that have lines to choose, in focus order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Panel {
    #[default]
    Funnel,
    Exceptions,
    Tasks,
    Activity,
}

pub const PANELS: [Panel; 4] = [
    Panel::Funnel,
    Panel::Exceptions,
    Panel::Tasks,
    Panel::Activity,
];

impl Panel {
    fn index(self) -> usize {
        PANELS.iter().position(|p| *p == self).unwrap_or(0)
    }
}

#[derive(Debug, Clone, Default)]
pub struct OverviewView {
    pub data: Option<Overview>,
    pub focus: Panel,
    /// The selected item (not line) of each panel.
    pub selected: [usize; 4],
    /// The first line drawn of each panel.
    pub offset: [usize; 4],
}

/// Where `enter` on a line goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Page(String),
    /// The Instances tab, filtered to a workflow (its ID and page) and a state.
    Instances {
        workflow_id: String,
        workflow_page: Option<String>,
        state: String,
    },
}

/// The task groups of the Tasks panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskGroup {
    Overdue,
    Today,
    Week,
    Unassigned,
}

/// One line of a panel.
#[derive(Debug, Clone, Copy)]
pub enum Line<'a> {
    Heading(&'a str, usize),
    Workflow(&'a Funnel),
    State(&'a Funnel, &'a StateCount),
    Error(&'a InstanceItem),
    Stuck(&'a InstanceItem),
    Task(&'a TaskItem, TaskGroup),
    Recent(&'a RecentEntry),
}

impl Line<'_> {
    pub fn target(&self) -> Option<Target> {
        match self {
            Line::Heading(..) | Line::Workflow(_) => None,
            Line::State(funnel, state) => Some(Target::Instances {
                workflow_id: funnel.workflow_id.clone(),
                workflow_page: funnel.page_id.clone(),
                state: state.state.clone(),
            }),
            Line::Error(item) | Line::Stuck(item) => Some(Target::Page(item.page_id.clone())),
            Line::Task(task, _) => Some(Target::Page(task.page_id.clone())),
            Line::Recent(entry) => Some(Target::Page(entry.page_id.clone())),
        }
    }
}

/// The lines of a panel, headings included, in drawing order.
pub fn lines(panel: Panel, o: &Overview) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    match panel {
        Panel::Funnel => {
            for funnel in &o.funnels {
                out.push(Line::Workflow(funnel));
                out.extend(funnel.states.iter().map(|s| Line::State(funnel, s)));
            }
        }
        Panel::Exceptions => {
            out.push(Line::Heading("In error", o.error_count));
            out.extend(o.errors.iter().map(Line::Error));
            out.push(Line::Heading("Stuck", o.stuck_count));
            out.extend(o.stuck.iter().map(Line::Stuck));
        }
        Panel::Tasks => {
            let t = &o.tasks;
            for (label, list, group) in [
                ("Overdue", &t.overdue, TaskGroup::Overdue),
                ("Due today", &t.due_today, TaskGroup::Today),
                ("Due in the next 6 days", &t.due_this_week, TaskGroup::Week),
                (
                    "Unassigned, high priority",
                    &t.unassigned_high,
                    TaskGroup::Unassigned,
                ),
            ] {
                out.push(Line::Heading(label, list.len()));
                out.extend(list.iter().map(|task| Line::Task(task, group)));
            }
        }
        Panel::Activity => out.extend(o.recent.iter().map(Line::Recent)),
    }
    out
}

impl OverviewView {
    pub fn selected(&self, panel: Panel) -> usize {
        self.selected[panel.index()]
    }

    /// The target of the focused panel's selected line.
    pub fn target(&self) -> Option<Target> {
        let data = self.data.as_ref()?;
        lines(self.focus, data)
            .iter()
            .filter_map(Line::target)
            .nth(self.selected(self.focus))
    }

    fn items(&self, panel: Panel) -> usize {
        self.data.as_ref().map_or(0, |d| {
            lines(panel, d)
                .iter()
                .filter(|l| l.target().is_some())
                .count()
        })
    }

    pub fn select(&mut self, panel: Panel, item: usize) {
        self.selected[panel.index()] = item;
    }

    pub fn move_by(&mut self, delta: isize) {
        let last = self.items(self.focus).saturating_sub(1) as isize;
        let at = &mut self.selected[self.focus.index()];
        *at = (*at as isize + delta).clamp(0, last.max(0)) as usize;
    }

    /// Keeps every selection inside its panel after new figures arrive.
    pub fn replace(&mut self, data: Overview) {
        self.data = Some(data);
        for panel in PANELS {
            let last = self.items(panel).saturating_sub(1);
            let at = &mut self.selected[panel.index()];
            *at = (*at).min(last);
        }
    }

    pub fn focus_next(&mut self, forward: bool) {
        let i = self.focus.index();
        let n = PANELS.len();
        self.focus = PANELS[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }];
    }
}

/// Goes where a line points: opens the record, or the Instances tab filtered.
pub fn follow(app: &mut App, target: Target) {
    match target {
        Target::Page(page) => {
            // `m` on an instance plans the move from the Instances table's workflows.
            let key = DatabaseKey::ActiveWorkflowInstances;
            if !app.tables.contains_key(&key) {
                app.table_of(key);
                app.actions.push(Action::LoadTable(key));
            }
            app.open_detail(page)
        }
        Target::Instances {
            workflow_id,
            workflow_page,
            state,
        } => {
            app.switch_tab(DatabaseKey::ActiveWorkflowInstances);
            let now = app.now;
            let table = app.table_mut();
            table.filter.clear();
            table.column_filters.clear();
            table.quick = QuickFilter {
                workflow: Some((workflow_id, workflow_page)),
                state: Some(state),
                ..QuickFilter::default_for(DatabaseKey::ActiveWorkflowInstances)
            };
            table.selected = 0;
            table.recompute(now);
        }
    }
}

/// A key on the Overview (the keys every view shares are handled before).
pub fn key(app: &mut App, key: KeyEvent) {
    let view = &mut app.overview;
    match key.code {
        KeyCode::Char('j') | KeyCode::Down => view.move_by(1),
        KeyCode::Char('k') | KeyCode::Up => view.move_by(-1),
        KeyCode::PageDown => view.move_by(10),
        KeyCode::PageUp => view.move_by(-10),
        KeyCode::Char('g') | KeyCode::Home => view.selected[view.focus.index()] = 0,
        KeyCode::Char('G') | KeyCode::End => view.move_by(isize::MAX / 2),
        KeyCode::Char('l') | KeyCode::Right => view.focus_next(true),
        KeyCode::Char('h') | KeyCode::Left => view.focus_next(false),
        KeyCode::Char('f') => view.focus = Panel::Funnel,
        KeyCode::Char('s') | KeyCode::Char('e') => view.focus = Panel::Exceptions,
        KeyCode::Char('t') => view.focus = Panel::Tasks,
        KeyCode::Char('a') => view.focus = Panel::Activity,
        KeyCode::Enter if view.focus == Panel::Activity => {
            // The Activity tab, on the chosen entry (every entry of the log is there).
            let want = view.data.as_ref().and_then(|data| {
                let entry = data.recent.get(view.selected(Panel::Activity))?;
                Some((entry.page_id.clone(), entry.at.timestamp_millis()))
            });
            app.activity.want = want;
            app.show_activity();
        }
        KeyCode::Enter => match view.target() {
            Some(target) => follow(app, target),
            None if view.data.is_none() => app.flash("the overview is still loading"),
            None => {}
        },
        _ => {}
    }
}

/// Asks for fresh figures (after a change to what they are computed from).
pub fn reload(app: &mut App) {
    app.actions.push(Action::LoadOverview);
}
