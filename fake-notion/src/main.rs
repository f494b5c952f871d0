//! The fake as a standalone server, for end-to-end runs of the `hsn` binary.

use std::time::Duration;

use clap::Parser;
use fake_notion::FakeNotion;

#[derive(Parser)]
#[command(about = "A stateful in-memory fake of the Notion REST API")]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 7777)]
    port: u16,
    /// The bearer token accepted (see also --extra-token).
    #[arg(
        long,
        env = "FAKE_NOTION_TOKEN",
        default_value = "fake-token",
        hide_env_values = true
    )]
    token: String,
    /// More accepted bearer tokens (other connections to the same workspace), repeated or
    /// comma-separated.
    #[arg(
        long = "extra-token",
        env = "FAKE_NOTION_EXTRA_TOKENS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    extra_tokens: Vec<String>,
    /// Server-side rate limit in requests per second (429 beyond it).
    #[arg(long)]
    rate_limit: Option<f64>,
    /// Requests per window for each token (Notion's per-connection budget: 180, or 600 on
    /// Business and Enterprise plans).
    #[arg(long)]
    budget: Option<u32>,
    /// Requests per window for all tokens together (Notion's per-workspace limit).
    #[arg(long)]
    workspace_budget: Option<u32>,
    /// The length of a budget window, in seconds.
    #[arg(long, default_value_t = 60)]
    window_secs: u64,
    /// The Retry-After of workspace-limit 429s, in seconds (default: until its window resets).
    #[arg(long)]
    workspace_retry_after: Option<u64>,
    /// Seed the "Every Type" data source and print its ids.
    #[arg(long)]
    seed_every_type: bool,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let fake = FakeNotion::new(&args.token);
    for token in &args.extra_tokens {
        fake.add_token(token);
    }
    fake.set_rate_limit(args.rate_limit);
    fake.set_window_length(Duration::from_secs(args.window_secs.max(1)));
    fake.set_window_budget(args.budget);
    fake.set_workspace_budget(args.workspace_budget);
    fake.set_workspace_retry_after(args.workspace_retry_after.map(Duration::from_secs));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port)).await?;
    println!("listening on http://{}", listener.local_addr()?);
    // A page to build under, as every real workspace has (`hsn setup --parent`).
    println!(
        "workspace page: {}",
        fake.create_workspace_page("HigherSelf Network")
    );
    if args.seed_every_type {
        let (ds, page) = fake.seed_every_type();
        println!("every-type data source: {ds}");
        println!("every-type page: {page}");
    }
    fake.serve(listener).await
}
