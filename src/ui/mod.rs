//! The dashboard (`hsn` with no command): tabs over the databases, tables from the local
//! store, a record's detail and an instance's history, and the writes an operator makes,
//! all through the sync engine.
//!
//! Shape (DESIGN.md §1): [`app::App`] is the state and never does I/O; `keys.rs` turns
//! keys into state changes and [`app::Action`]s; `run.rs` is the event loop: it draws
//! only when something changed and performs actions on tokio tasks and blocking threads
//! (the store is disk), answering with [`app::Msg`]s. `data.rs` builds the snapshots the
//! views draw from; `view/` draws.

pub mod activity;
pub mod app;
pub mod bulk;
mod commands;
pub mod data;
mod edits;
pub mod forms;
mod input;
pub mod keys;
pub mod overview;
mod run;
pub mod submit;
pub mod theme;
pub mod view;
pub mod workflow;

pub use run::run;
