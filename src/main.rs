//! The `hsn` binary.

use clap::Parser;

use hsn::cli::{Cli, run};
use hsn::config::Settings;

fn main() -> std::process::ExitCode {
    if let Err(e) = color_eyre::install() {
        eprintln!("hsn: cannot install the error reporter: {e}");
    }
    let cli = Cli::parse();
    let result = tokio::runtime::Runtime::new()
        .map_err(color_eyre::eyre::Report::from)
        .and_then(|runtime| {
            runtime.block_on(async {
                let settings = Settings::load(&std::env::current_dir()?)?;
                run(cli, settings).await
            })
        });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // One line, with the causes: scripts read the first line of stderr.
            eprintln!("hsn: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
