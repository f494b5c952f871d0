//! The HigherSelf domain: the 16 databases, their typed models, and (as they land) the
//! workflow engine and history codec. Pure: no network, no disk, no terminal.

pub mod activity;
pub mod alerts;
pub mod dates;
pub mod demo;
pub mod history;
pub mod models;
pub mod overview;
pub mod record;
pub mod schema;
pub mod secrets;
pub mod since;
pub mod timeline;
pub mod view;
pub mod workflow;
pub mod write;
