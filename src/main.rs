//! The `strata` command: parse arguments, run, print errors, exit.

mod cli;

use std::process::ExitCode;

use clap::Parser;

/// A build makes and drops many small values; mimalloc does that in fewer
/// instructions than the system allocator (the library leaves the choice
/// to its users).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
