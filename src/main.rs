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
    #[cfg(unix)]
    if std::env::args_os().nth(1).as_deref()
        == Some(std::ffi::OsStr::new(
            strata::load::jsonnet::worker::WORKER_COMMAND,
        ))
    {
        return ExitCode::from(u8::try_from(strata::load::jsonnet::worker::main()).unwrap_or(2));
    }
    let args = cli::Cli::parse();
    // jsonnet runs in a worker process (this binary again), under a memory limit.
    if let Ok(exe) = std::env::current_exe() {
        strata::load::jsonnet::use_worker(exe);
    }
    // Deep input (10,000 levels of YAML) is walked recursively by the
    // library: run on a thread whose large stack is reserved, not committed.
    let outcome = std::thread::Builder::new()
        .name("strata".into())
        .stack_size(1 << 30)
        .spawn(move || cli::run(args))
        .map_err(anyhow::Error::from)
        .and_then(|worker| {
            worker
                .join()
                .unwrap_or_else(|_| Err(anyhow::anyhow!("internal error: the build panicked")))
        });
    match outcome {
        Ok(code) => code,
        Err(error) => {
            cli::report::print_error(&error);
            ExitCode::from(cli::EXIT_ERROR)
        }
    }
}
