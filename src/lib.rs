//! hsn, the operations console of the HigherSelf Network.
//!
//! Layers (see DESIGN.md): `notion` is a general Notion API client; `domain` is the pure
//! HigherSelf model (the 16 database schemas, typed records); `workspace` provisions and
//! checks a Notion workspace against that model (`hsn setup`, `hsn doctor`); `cli` holds
//! the headless commands; `config` reads settings. The local store, sync engine and
//! dashboard arrive as their own modules.

pub mod cli;
pub mod config;
pub mod domain;
pub mod notion;
pub mod operations;
pub mod present;
pub mod store;
pub mod sync;
pub mod table;
pub mod ui;
pub mod workspace;
