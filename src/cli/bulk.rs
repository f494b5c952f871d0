//! What the commands that change several records at once share (`hsn task set ID...`,
//! `hsn advance ID... --to STATE`): the ids (arguments, or `-` for stdin), the plan of each
//! record, the question before many are queued (`--yes` skips it, `--dry-run` only shows
//! what would change), the sending, and the report per record with its exit status.
//!
//! Each record's change is its own write in the outbox: one Notion refuses is rolled back
//! alone, the others stand.
#![deny(clippy::print_stdout, clippy::print_stderr)] // print through `say`: see table.rs

mod targets;

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write as _};

use color_eyre::eyre::{Result, bail};

pub use targets::{STDIN, targets};

use super::session::{Session, Settled};
use super::table::say;
use crate::domain::record::Record;
use crate::domain::schema::DatabaseSchema;
use crate::domain::write::Write;
use crate::present::{Titles, cell, for_people};

/// How many records the question shows before "… and N more".
pub const SAMPLE: usize = 5;

/// The exit statuses of a bulk change, for its `--help` (2, read-only, is every command's).
pub const EXIT_STATUSES: &str = "Exit status with several records: 0 every record applied \
    (or --dry-run); 3 some applied, some not (each listed with the reason); 4 none applied; \
    2 refused because hsn is read-only; 1 bad input, or the question not answered y \
    (nothing changed). A record still queued (Notion unreachable) counts as not applied: \
    `hsn sync` sends it later.";

/// The ids a command's arguments name ([`targets`]), `-` read from this process's stdin.
pub fn ids_named(args: &[String], database: &DatabaseSchema) -> Result<Vec<String>> {
    use std::io::IsTerminal;
    let stdin = std::io::stdin();
    if args.iter().any(|a| a == STDIN) && stdin.is_terminal() {
        bail!(
            "`-` reads the ids from stdin, and stdin is the terminal: pipe them in (`hsn list {} --json | …`)",
            database.alias
        );
    }
    targets(args, stdin.lock(), database)
}

/// A bulk change that did not apply to every record: the exit status says how far it got
/// (3 some, 4 none). The records and their reasons were printed already.
#[derive(Debug, thiserror::Error)]
#[error("{} of {total} {noun} not applied (listed above)", total - applied)]
pub struct NotAllApplied {
    pub applied: usize,
    pub total: usize,
    pub noun: &'static str,
}

impl NotAllApplied {
    /// 3 when some records were applied, 4 when none was.
    pub fn exit_code(&self) -> u8 {
        if self.applied > 0 { 3 } else { 4 }
    }
}

/// What the operator asked of a bulk change besides the change itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Do not ask before changing several records.
    pub yes: bool,
    /// Only say what would change.
    pub dry_run: bool,
}

/// What a bulk command changes: what its records are called, how one is named in a list,
/// and the columns its change shows.
pub struct Kind {
    /// "task" and "tasks".
    pub one: &'static str,
    pub many: &'static str,
    /// `TASK-0001 Follow up with Jane`: the record's title and, when it has one, its name.
    pub describe: fn(&Record) -> String,
    /// The columns whose change a line shows (`Grace → Nyra`).
    pub columns: &'static [&'static str],
}

/// One record's change, planned: the write, the record as it will look, and what changes
/// for people.
struct Planned {
    title: String,
    write: Write,
    after: Record,
    change: String,
}

/// Each record named, in order: planned, or why it cannot be.
enum Entry {
    Planned(Box<Planned>),
    Unplanned { title: String, reason: String },
}

/// The records of a bulk change, as they are planned one by one.
pub struct Batch {
    kind: Kind,
    entries: Vec<Entry>,
    /// The pages named so far: a second id naming the same record is acted on once.
    pages: HashSet<String>,
}

impl Batch {
    pub fn new(kind: Kind) -> Batch {
        Batch {
            kind,
            entries: Vec::new(),
            pages: HashSet::new(),
        }
    }

    /// Adds the record `reference` names (`found`, or why not), its change planned by
    /// `plan` (the write, and the record as it will look). A record that is not found or
    /// whose plan fails is kept with the reason: listed, and the others go on.
    pub fn add(
        &mut self,
        reference: &str,
        found: Result<Record>,
        plan: impl FnOnce(&Record) -> Result<(Write, Record)>,
    ) {
        let record = match found {
            Ok(record) => record,
            Err(e) => {
                return self.entries.push(Entry::Unplanned {
                    title: reference.to_string(),
                    reason: format!("{e:#}"),
                });
            }
        };
        if !self
            .pages
            .insert(record.page_id.clone().unwrap_or_default())
        {
            return;
        }
        let title = (self.kind.describe)(&record);
        self.entries.push(match plan(&record) {
            Ok((write, after)) => Entry::Planned(Box::new(Planned {
                change: change_text(&record, &after, self.kind.columns),
                title,
                write,
                after,
            })),
            Err(e) => Entry::Unplanned {
                title,
                reason: format!("{e:#}"),
            },
        });
    }

    fn planned(&self) -> impl Iterator<Item = &Planned> {
        self.entries.iter().filter_map(|e| match e {
            Entry::Planned(p) => Some(p.as_ref()),
            Entry::Unplanned { .. } => None,
        })
    }

    /// "30 tasks", "1 task".
    fn count(&self, n: usize) -> String {
        if n == 1 {
            format!("1 {}", self.kind.one)
        } else {
            format!("{n} {}", self.kind.many)
        }
    }

    /// Asks (unless `--yes`, or one record), queues each planned record's write, sends them,
    /// and prints how each ended; with `--dry-run` only prints what would change. `label`
    /// says what the change does to a count of records: "Assign 30 tasks to Nyra".
    /// `Err(NotAllApplied)` when some record was not applied.
    pub async fn run(
        self,
        session: &Session,
        options: Options,
        label: impl Fn(&str) -> String,
    ) -> Result<()> {
        let planned = self.planned().count();
        let label = label(&self.count(planned));
        if options.dry_run {
            return self.show_dry_run(&mut std::io::stdout().lock(), &label);
        }
        if planned > 1 && !options.yes {
            self.confirm(&label, planned)?;
        }
        let total = self.entries.len();
        let mut results = Vec::with_capacity(total);
        for entry in self.entries {
            results.push(match entry {
                Entry::Planned(planned) => {
                    let Planned {
                        title,
                        write,
                        after,
                        change,
                    } = *planned;
                    match session.engine.submit(&write, vec![after]) {
                        Ok(seq) => (title, Ok((seq, change))),
                        Err(e) => (title, Err(format!("not queued: {e:#}"))),
                    }
                }
                Entry::Unplanned { title, reason } => (title, Err(reason)),
            });
        }
        let stopped_by = if results.iter().any(|(_, r)| r.is_ok()) {
            session.engine.drain().await?.stopped_by
        } else {
            None
        };
        let mut out = std::io::stdout().lock();
        let mut applied = 0;
        for (title, result) in results {
            let line = match result {
                Err(reason) => format!("{title}: not changed: {reason}"),
                Ok((seq, change)) => match session.settled(seq, stopped_by.as_deref())? {
                    Some(Settled::Applied(note)) => {
                        applied += 1;
                        let how = note.map(|n| format!(" ({n})")).unwrap_or_default();
                        format!("{title}: applied: {change}{how}")
                    }
                    Some(Settled::Refused(why)) => format!("{title}: refused: {why}"),
                    Some(Settled::Held(why)) => format!("{title}: queued, held: {why}"),
                    Some(Settled::Queued(why)) => format!("{title}: queued, not sent yet ({why})"),
                    None => format!("{title}: not in the outbox any more"),
                },
            };
            say(&mut out, &line)?;
        }
        let summary = if applied == total {
            format!("{label}: all {total} applied")
        } else {
            format!(
                "{label}: {applied} of {total} applied, {} not",
                total - applied
            )
        };
        say(&mut out, &summary)?;
        if applied < total {
            return Err(NotAllApplied {
                applied,
                total,
                noun: if total == 1 {
                    self.kind.one
                } else {
                    self.kind.many
                },
            }
            .into());
        }
        Ok(())
    }

    /// `--dry-run`: each record and what would change; nothing is queued.
    fn show_dry_run(&self, out: &mut impl std::io::Write, label: &str) -> Result<()> {
        say(out, &format!("{label} (dry run: nothing is changed)"))?;
        for entry in &self.entries {
            let line = match entry {
                Entry::Planned(p) => format!("{}: {}", p.title, p.change),
                Entry::Unplanned { title, reason } => {
                    format!("{title}: would not change: {reason}")
                }
            };
            say(out, &line)?;
        }
        Ok(())
    }

    /// Asks on the terminal before `planned` records are queued; only `y` goes on. The
    /// terminal is `/dev/tty`, not stdin, which may be the pipe the ids came from. Without
    /// one there is nobody to ask: refused, nothing changed.
    fn confirm(&self, label: &str, planned: usize) -> Result<()> {
        let tty = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty");
        let Ok(mut tty) = tty else {
            bail!(
                "no terminal to ask on: add --yes to change {planned} records without a question; nothing was changed"
            );
        };
        let mut question = vec![format!("{label}?")];
        let sample = self.planned().take(SAMPLE);
        question.extend(sample.map(|p| format!("  {}: {}", p.title, p.change)));
        if planned > SAMPLE {
            question.push(format!("  … and {} more", planned - SAMPLE));
        }
        let unplanned = self.entries.len() - planned;
        if unplanned > 0 {
            question.push(format!(
                "  ({} cannot be changed; listed once the others are sent)",
                self.count(unplanned)
            ));
        }
        for line in &question {
            writeln!(tty, "{}", for_people(line, ""))?;
        }
        write!(tty, "[y/N] ")?;
        tty.flush()?;
        let mut answer = String::new();
        BufReader::new(&tty).read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            bail!("nothing was changed (answer y to go on, or give --yes)");
        }
        Ok(())
    }
}

/// What changes between `before` and `after` in `columns`, for people: `Grace → Nyra`, or
/// `Status: To Do → Done; Assigned To: Grace → Nyra` when several change.
fn change_text(before: &Record, after: &Record, columns: &[&str]) -> String {
    let titles = Titles::default();
    let shown = |record: &Record, column: &str| {
        let text = cell(column, record.value(column), &titles);
        if text.is_empty() {
            "(none)".to_string()
        } else {
            text
        }
    };
    let changed: Vec<&str> = columns
        .iter()
        .copied()
        .filter(|c| after.value(c) != before.value(c))
        .collect();
    match changed.as_slice() {
        [] => "no change (already so)".to_string(),
        [one] => format!("{} → {}", shown(before, one), shown(after, one)),
        several => several
            .iter()
            .map(|c| format!("{c}: {} → {}", shown(before, c), shown(after, c)))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::schema::DatabaseKey;

    #[test]
    fn a_change_shows_old_and_new_values_and_names_columns_when_several_change() {
        let mut before = Record::new(DatabaseKey::Tasks);
        before.set("Status", Some("To Do".to_string()));
        before.set("Assigned To", String::new());
        let columns = ["Status", "Assigned To"];
        let mut after = before.clone();
        after.set("Assigned To", "Nyra".to_string());
        assert_eq!(change_text(&before, &after, &columns), "(none) → Nyra");
        after.set("Status", Some("Done".to_string()));
        assert_eq!(
            change_text(&before, &after, &columns),
            "Status: To Do → Done; Assigned To: (none) → Nyra"
        );
        assert_eq!(
            change_text(&before, &before, &columns),
            "no change (already so)"
        );
    }

    #[test]
    fn the_exit_status_says_whether_any_record_was_applied() {
        let some = NotAllApplied {
            applied: 28,
            total: 30,
            noun: "tasks",
        };
        assert_eq!(some.exit_code(), 3);
        assert_eq!(some.to_string(), "2 of 30 tasks not applied (listed above)");
        let none = NotAllApplied { applied: 0, ..some };
        assert_eq!(none.exit_code(), 4);
    }
}
