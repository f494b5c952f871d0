//! The demo workspace loaded into a store: what `hsn` opens without a Notion token.

use chrono::{DateTime, Utc};
use color_eyre::eyre::{Result, WrapErr, eyre};

use super::Store;
use crate::domain::demo::{demo_data_source_id, demo_pages};
use crate::notion::Page;

impl Store {
    /// Loads the demo seed, its times relative to `now`.
    pub fn seed_demo(&mut self, now: DateTime<Utc>) -> Result<()> {
        let seed = demo_pages(now).map_err(|e| eyre!("the demo seed is broken: {e}"))?;
        for (key, pages) in seed {
            let pages: Vec<Page> = pages
                .into_iter()
                .map(Page::from_json)
                .collect::<Result<_, _>>()
                .wrap_err("the demo seed is broken")?;
            self.upsert_pages(key, &demo_data_source_id(key), &pages)?;
        }
        Ok(())
    }
}
