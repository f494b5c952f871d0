//! The `hsn` binary.

use clap::Parser;

use hsn::cli::{Cli, run};
use hsn::config::Settings;
use hsn::present::for_people;

fn main() -> std::process::ExitCode {
    if let Err(e) = color_eyre::install() {
        eprintln!("hsn: cannot install the error reporter: {e}");
    }
    let cli = Cli::parse();
    let result = tokio::runtime::Runtime::new()
        .map_err(color_eyre::eyre::Report::from)
        .and_then(|runtime| {
            let result = runtime.block_on(async {
                let settings = Settings::load(&std::env::current_dir()?)?;
                run(cli, settings).await
            });
            // The command is done: what it changed is committed. Work still running (the
            // dashboard's loaders, a refresh waiting for Notion) is not waited for: dropping
            // the runtime would wait for its blocking threads.
            runtime.shutdown_background();
            result
        });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // One line, with the causes: scripts read the first line of stderr. Notion's
            // messages and titles can be in it, so it is made inert (which also turns a
            // newline in them into a space).
            eprintln!("hsn: {}", for_people(&format!("{e:#}"), ""));
            // A change refused because hsn is read-only: 2, as for a usage error.
            if e.downcast_ref::<hsn::sync::ReadOnly>().is_some()
                || e.downcast_ref::<hsn::cli::Usage>().is_some()
            {
                return std::process::ExitCode::from(2);
            }
            // A change of several records that some did not take: 3 (some applied) or 4.
            if let Some(partly) = e.downcast_ref::<hsn::cli::NotAllApplied>() {
                return std::process::ExitCode::from(partly.exit_code());
            }
            std::process::ExitCode::FAILURE
        }
    }
}
