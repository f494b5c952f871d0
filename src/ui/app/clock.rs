//! The clock: what the passing of time changes on screen (the flash expiring, the spinner,
//! the day's figures at midnight, the stuck filter each minute).

use chrono::{DateTime, Utc};

use super::App;

impl App {
    /// Advances the clock: expires the flash, moves the spinner, and recomputes what the
    /// day or the minute changes. Returns whether the screen shows anything that changed.
    pub fn tick(&mut self, now: DateTime<Utc>) -> bool {
        let second_changed = now.timestamp() != self.now.timestamp();
        let minute_changed = now.timestamp() / 60 != self.now.timestamp() / 60;
        // "Today" is the UTC day for the Overview's figures and the local one for due
        // dates in the tables: either turning over changes what is late or due.
        let day_changed = now.date_naive() != self.now.date_naive()
            || now.with_timezone(&chrono::Local).date_naive()
                != self.now.with_timezone(&chrono::Local).date_naive();
        self.now = now;
        if day_changed {
            self.new_day();
        } else if minute_changed {
            self.recompute_clocked_tables();
        }
        let mut changed = second_changed;
        if self.flash.as_ref().is_some_and(|f| f.until <= now) {
            self.flash = None;
            changed = true;
        }
        if self.sync.values().any(|s| s.fetching.is_some()) {
            self.spinner = self.spinner.wrapping_add(1);
            changed = true;
        }
        changed
    }

    /// The day turned over: the figures counted against today (overdue, due today, this
    /// week, the activity's days) are computed again, without `r`.
    fn new_day(&mut self) {
        self.overview_changed();
        self.activity_changed();
        let now = self.now;
        for table in self.tables.values_mut() {
            table.recompute(now);
        }
    }

    /// A minute passed: tables filtered by the clock (only stuck instances) are filtered
    /// again, so an instance shows once it has been in its state long enough.
    fn recompute_clocked_tables(&mut self) {
        let now = self.now;
        for table in self.tables.values_mut() {
            if table.quick.has(&crate::domain::view::Quick::Stuck) {
                table.recompute(now);
            }
        }
    }
}
