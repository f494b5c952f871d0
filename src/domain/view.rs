//! Saved views: a tab with its filter text, quick filters and sort, under a name
//! (`hsn list --view NAME`, the dashboard's `:view NAME`). Five are built in; the config
//! file's `[views.NAME]` add more or replace a built-in one of the same name.
//!
//! Pure: what a quick filter lets through is decided on [`RowFacts`], which the caller
//! reads from a record (or a table row) and the clock.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;

use super::record::{FieldType, Record};
use super::schema::DatabaseKey;
use super::timeline::start_time;
use crate::notion::DateValue;

/// A quick filter: one condition a row must meet. Several in a view must all hold.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Quick {
    /// Not finished: a task not Done or Cancelled, an instance not Completed.
    Open,
    /// Assigned to the operator (`HSN_OPERATOR`, else the login name). Works on the
    /// Tasks and the Instances tab alike: both have Assigned To.
    Mine,
    /// Due before today, and open.
    Overdue,
    /// Nobody in Assigned To.
    Unassigned,
    /// An instance in its state longer than its stuck threshold (`HSN_STUCK_DAYS`, the
    /// config file's `[stuck]`): as the dashboard's `x` decides it.
    Stuck,
    /// The status is this one (without case).
    Status(String),
}

/// The statuses that end a record's life: a task's Done and Cancelled, an instance's
/// Completed. Anything else (no status included) is open.
pub const CLOSED_STATUSES: [&str; 3] = ["Done", "Cancelled", "Completed"];

/// Whether a record with this status is still open (see [`CLOSED_STATUSES`]).
pub fn is_open(status: Option<&str>) -> bool {
    status.is_none_or(|s| !CLOSED_STATUSES.contains(&s))
}

/// Whether Assigned To as written (names separated by `,` or `;`) names `operator`
/// (without case): what `mine` goes by.
pub fn is_assigned_to(assignee: &str, operator: &str) -> bool {
    let operator = operator.trim();
    !operator.is_empty()
        && assignee
            .split([',', ';'])
            .any(|name| name.trim().eq_ignore_ascii_case(operator))
}

/// What the quick filters look at in one row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowFacts {
    pub status: Option<String>,
    /// Assigned To as written: empty when nobody is.
    pub assignee: String,
    pub due: Option<NaiveDate>,
    /// Whether the row is a stuck instance (the caller knows the rule and the clock).
    pub stuck: bool,
}

impl RowFacts {
    /// The facts of a record of any database: the columns it lacks are empty. `stuck` is
    /// the caller's (see `table::is_stuck`).
    pub fn of(record: &Record, stuck: bool) -> RowFacts {
        // Read by shape, not `Record::get`: a database without the column (or with it of
        // another kind) has no such fact rather than a panic.
        let read = |column: &str| record.value(column);
        RowFacts {
            status: read("Status")
                .and_then(Option::<String>::from_field)
                .flatten(),
            assignee: read("Assigned To")
                .and_then(String::from_field)
                .unwrap_or_default(),
            due: read("Due Date")
                .and_then(Option::<DateValue>::from_field)
                .flatten()
                .and_then(|due| start_time(Some(&due)))
                .map(|t| t.date_naive()),
            stuck,
        }
    }

    fn is_assigned_to(&self, operator: &str) -> bool {
        is_assigned_to(&self.assignee, operator)
    }
}

impl Quick {
    /// Whether a row with these facts passes, for `operator` on `today`.
    pub fn admits(&self, facts: &RowFacts, operator: &str, today: NaiveDate) -> bool {
        let open = || is_open(facts.status.as_deref());
        match self {
            Quick::Open => open(),
            Quick::Mine => facts.is_assigned_to(operator),
            Quick::Overdue => facts.due.is_some_and(|due| due < today) && open(),
            Quick::Unassigned => facts.assignee.trim().is_empty(),
            Quick::Stuck => facts.stuck,
            Quick::Status(status) => facts
                .status
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case(status)),
        }
    }

    /// The names a quick filter is written with, for errors.
    pub const NAMES: &'static str = "open, mine, overdue, unassigned, stuck, status:NAME";
}

/// `open`, `mine`, …, `status:Error`: how the config file and `--view` errors write them.
impl fmt::Display for Quick {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Quick::Open => f.write_str("open"),
            Quick::Mine => f.write_str("mine"),
            Quick::Overdue => f.write_str("overdue"),
            Quick::Unassigned => f.write_str("unassigned"),
            Quick::Stuck => f.write_str("stuck"),
            Quick::Status(status) => write!(f, "status:{status}"),
        }
    }
}

impl FromStr for Quick {
    type Err = String;

    /// Without case; `status:NAME` (or `status=NAME`) keeps NAME as written.
    fn from_str(text: &str) -> Result<Quick, String> {
        let text = text.trim();
        if let Some((word, status)) = text.split_once([':', '='])
            && word.trim().eq_ignore_ascii_case("status")
            && !status.trim().is_empty()
        {
            return Ok(Quick::Status(status.trim().to_string()));
        }
        Ok(match text.to_ascii_lowercase().as_str() {
            "open" => Quick::Open,
            "mine" => Quick::Mine,
            "overdue" => Quick::Overdue,
            "unassigned" => Quick::Unassigned,
            "stuck" => Quick::Stuck,
            _ => {
                return Err(format!("no quick filter \"{text}\": use {}", Quick::NAMES));
            }
        })
    }
}

/// A named way to look at one tab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    pub name: String,
    /// The database whose tab (or `hsn list`) the view shows.
    pub tab: DatabaseKey,
    /// The `/` filter text, matched as the dashboard matches it.
    pub filter: String,
    /// Every one must admit a row.
    pub quick: Vec<Quick>,
    /// A column by its label (as `:sort` takes it) and whether descending.
    pub sort: Option<(String, bool)>,
    /// One of [`builtin_views`], not from the config file.
    pub builtin: bool,
}

impl View {
    /// Whether every quick filter of the view admits the row.
    pub fn admits(&self, facts: &RowFacts, operator: &str, today: NaiveDate) -> bool {
        self.quick.iter().all(|q| q.admits(facts, operator, today))
    }

    /// Whether any quick filter needs [`RowFacts::stuck`] (it costs the caller a rule and
    /// the workflows' state machines).
    pub fn needs_stuck(&self) -> bool {
        self.quick.contains(&Quick::Stuck)
    }
}

/// Whether `name` can name a view: letters, digits, `-` and `_` (a bare key in the config
/// file, one word after `--view` and `:view`).
pub fn check_view_name(name: &str) -> Result<(), String> {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
    {
        Ok(())
    } else {
        Err(format!(
            "\"{name}\" cannot name a view: use letters, digits, - and _"
        ))
    }
}

/// The views every operator has. `mine` opens the Tasks tab (`Mine` and `Open`); the same
/// quick filter works on the Instances tab.
pub fn builtin_views() -> Vec<View> {
    let view = |name: &str, tab, quick: Vec<Quick>, sort: Option<&str>| View {
        name: name.to_string(),
        tab,
        filter: String::new(),
        quick,
        sort: sort.map(|column| (column.to_string(), false)),
        builtin: true,
    };
    use DatabaseKey::{ActiveWorkflowInstances as Instances, Tasks};
    vec![
        view("mine", Tasks, vec![Quick::Mine, Quick::Open], None),
        view("overdue", Tasks, vec![Quick::Overdue], Some("Due Date")),
        view(
            "errors",
            Instances,
            vec![Quick::Status("Error".into())],
            None,
        ),
        view("stuck", Instances, vec![Quick::Stuck], None),
        view(
            "unassigned",
            Tasks,
            vec![Quick::Unassigned, Quick::Open],
            None,
        ),
    ]
}

/// The built-in views with the config file's: one of the same name replaces a built-in
/// one where it stands; the others follow by name.
pub fn views_with(config_views: Vec<View>) -> Vec<View> {
    let mut views = builtin_views();
    let mut added: Vec<View> = Vec::new();
    for view in config_views {
        match views.iter_mut().find(|v| v.name == view.name) {
            Some(builtin) => *builtin = view,
            None => added.push(view),
        }
    }
    added.sort_by(|a, b| a.name.cmp(&b.name));
    views.extend(added);
    views
}

/// The view called `name`, or an error listing the views there are.
pub fn find_view<'a>(views: &'a [View], name: &str) -> Result<&'a View, String> {
    views.iter().find(|v| v.name == name.trim()).ok_or_else(|| {
        let names: Vec<&str> = views.iter().map(|v| v.name.as_str()).collect();
        format!("no view called \"{name}\": use one of {}", names.join(", "))
    })
}

#[cfg(test)]
mod tests;
