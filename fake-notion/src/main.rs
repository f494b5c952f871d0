//! The fake as a standalone server, for end-to-end runs of the `hsn` binary.

use clap::Parser;
use fake_notion::FakeNotion;

#[derive(Parser)]
#[command(about = "A stateful in-memory fake of the Notion REST API")]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 7777)]
    port: u16,
    /// The only bearer token accepted.
    #[arg(
        long,
        env = "FAKE_NOTION_TOKEN",
        default_value = "fake-token",
        hide_env_values = true
    )]
    token: String,
    /// Server-side rate limit in requests per second (429 beyond it).
    #[arg(long)]
    rate_limit: Option<f64>,
    /// Seed the "Every Type" data source and print its ids.
    #[arg(long)]
    seed_every_type: bool,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let fake = FakeNotion::new(&args.token);
    fake.set_rate_limit(args.rate_limit);
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
