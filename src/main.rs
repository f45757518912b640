//! The `strata` command: parse arguments, run, print errors, exit.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(error) => {
            cli::report::print_error(&error);
            ExitCode::from(cli::EXIT_ERROR)
        }
    }
}
