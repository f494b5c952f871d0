//! hsn, the operations console of the HigherSelf Network.
//!
//! Layers (see DESIGN.md): `notion` is a general Notion API client; `cli` holds the
//! headless commands; `config` reads settings. The domain model, local store, sync engine
//! and dashboard arrive as their own modules.

pub mod cli;
pub mod config;
pub mod notion;
