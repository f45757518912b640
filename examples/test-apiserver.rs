//! The test API server of `tests/apiserver` as a program, for trying
//! strata (or kubectl) against a cluster that behaves like a real one:
//!
//! ```sh
//! cargo run --release --example test-apiserver -- --kubeconfig /tmp/kubeconfig \
//!     [--ready-after 0.5] [--request-log /tmp/requests.log]
//! kubectl --kubeconfig /tmp/kubeconfig get ns
//! ```
//!
//! It listens on a free loopback port, writes the kubeconfig once it does
//! (whole, through a temporary file), logs one `METHOD URL` line per request
//! when asked, and serves until it is killed.

#[path = "../tests/apiserver/mod.rs"]
mod apiserver;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

#[derive(Parser)]
#[command(about = "A Kubernetes API server for tests, on 127.0.0.1")]
struct Args {
    /// Where to write a kubeconfig for the server.
    #[arg(long)]
    kubeconfig: PathBuf,
    /// Seconds before CRDs are established and workloads become ready (0: at once).
    #[arg(long, default_value_t = 0.5)]
    ready_after: f64,
    /// Append one `METHOD URL` line per request to this file.
    #[arg(long)]
    request_log: Option<PathBuf>,
    /// Refuse requests without the bearer token the kubeconfig carries.
    #[arg(long)]
    require_token: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let ready_after = match Duration::try_from_secs_f64(args.ready_after) {
        Ok(duration) => duration,
        Err(_) => {
            eprintln!(
                "error: --ready-after must be a number of seconds, 0 or more (got {})",
                args.ready_after
            );
            return ExitCode::from(2);
        }
    };
    let options = apiserver::Options {
        ready_after,
        require_token: args.require_token,
    };
    let server = match &args.request_log {
        Some(log) => match apiserver::ApiServer::start_logging(options, log) {
            Ok(server) => server,
            Err(error) => {
                eprintln!(
                    "error: cannot open the request log {}: {error}",
                    log.display()
                );
                return ExitCode::from(2);
            }
        },
        None => apiserver::ApiServer::start_with(options),
    };
    let temporary = args.kubeconfig.with_extension("partial");
    let written = server
        .write_kubeconfig_to(&temporary)
        .and_then(|()| std::fs::rename(&temporary, &args.kubeconfig));
    if let Err(error) = written {
        let _ = std::fs::remove_file(&temporary);
        eprintln!(
            "error: cannot write the kubeconfig {}: {error}",
            args.kubeconfig.display()
        );
        return ExitCode::from(2);
    }
    eprintln!(
        "serving on {} (kubeconfig {})",
        server.url(),
        args.kubeconfig.display()
    );
    loop {
        std::thread::park();
    }
}
