//! Provisioning and checking a Notion workspace against the HigherSelf schema: `hsn setup`
//! and `hsn doctor`. This layer talks to Notion directly (not through the sync engine):
//! it works on schemas, not on the records the dashboard shows.

pub mod compare;
pub mod doctor;
pub mod env_file;
pub mod locate;
pub mod setup;
pub mod sources;
pub mod token_place;
