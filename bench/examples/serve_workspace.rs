//! A generated HigherSelf workspace served by the fake Notion, for trying hsn by hand
//! against a big workspace and Notion's request budget:
//!
//! `cargo run --release -p hsn-bench --example serve_workspace -- INSTANCES PORT [BUDGET]`
//!
//! writes `.env.notion` lines (the token, the address, each database's data source) to
//! stdout, then serves until killed. BUDGET is requests per 60 s window per token (none: no
//! limit).
use std::io::Write;

use fake_notion::FakeNotion;
use hsn::domain::schema::DATABASES;

const TOKEN: &str = "ntn_fake_workspace_token_for_trying_hsn";

#[tokio::main]
async fn main() -> color_eyre::Result<()> {
    color_eyre::install()?;
    let mut args = std::env::args().skip(1);
    let instances: usize = args.next().unwrap_or("10000".into()).parse()?;
    let port: u16 = args.next().unwrap_or("7777".into()).parse()?;
    let budget: Option<u32> = args.next().map(|b| b.parse()).transpose()?;
    let fake = FakeNotion::new(TOKEN);
    let sources = hsn_bench::seed_workspace(&fake, instances, 1, chrono::Utc::now());
    fake.set_window_budget(budget);
    let mut out = std::io::stdout().lock();
    writeln!(out, "NOTION_API_TOKEN={TOKEN}")?;
    writeln!(out, "NOTION_API_BASE=http://127.0.0.1:{port}")?;
    for definition in &DATABASES {
        if let Ok(id) = sources.get(definition.key) {
            writeln!(out, "{}={id}", definition.env_data_source_key())?;
        }
    }
    out.flush()?;
    drop(out);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    fake.serve(listener).await?;
    Ok(())
}
