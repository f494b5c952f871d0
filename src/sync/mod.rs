//! The sync engine: the one place that moves data between the local store and Notion.
//!
//! It refreshes data sources incrementally into the store (what changed first, as
//! background work that leaves room in Notion's request budget for writes), reconciles now and then to catch
//! pages trashed or deleted, and drains the outbox of writes in order. The headless
//! commands call it directly; the dashboard runs it as one background task (`run`) and
//! talks to it through [`Command`]s and [`Event`]s. Without Notion (the demo workspace) it
//! settles writes locally.

mod drain;
mod engine;
mod execute;
mod runner;
mod schedule;
mod store_queue;

pub use crate::notion::RateStatus;
pub use drain::DrainReport;
pub use engine::{Backend, Engine, ReadOnly, Refreshed};
pub use runner::{Command, Event, run};
pub use schedule::{STALE_ROUNDS, Schedule, VISIBLE_ROUNDS};
pub use store_queue::StoreQueue;
