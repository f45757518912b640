//! Running one plugin program: input on stdin, stdout collected, stderr
//! passed through to the user, and a deadline after which it is killed.

use std::io::{Read, Write};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// What a finished program left: its exit status and its stdout.
#[derive(Debug)]
pub struct Finished {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
}

/// Runs `command` with `input` on stdin. `what` names the program in
/// errors (its path, or its image). A program that outlives `timeout` is
/// killed and the run is an error; a non-zero exit is not (callers say
/// what failed, as kustomize words it).
pub fn run(
    mut command: Command,
    input: Vec<u8>,
    timeout: Duration,
    what: &str,
) -> Result<Finished> {
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut child = command
        .spawn()
        .map_err(|e| Error::msg(format!("cannot run plugin {what}: {e}")))?;
    let (Some(mut stdin), Some(mut stdout)) = (child.stdin.take(), child.stdout.take()) else {
        let _ = child.kill();
        return Err(Error::msg(format!(
            "plugin {what}: no pipes to the program"
        )));
    };
    // A program may exit without reading its input: a broken pipe is not an error.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        stdout.read_to_end(&mut out).map(|_| out)
    });
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(1);
    let status = loop {
        let exited = child
            .try_wait()
            .map_err(|e| Error::msg(format!("plugin {what}: {e}")))?;
        match exited {
            // stdout closes when the program (and anything it started) is done.
            Some(status) if reader.is_finished() => break status,
            _ if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Error::msg(format!(
                    "plugin {what} did not finish within {}s and was stopped",
                    timeout.as_secs_f64()
                )));
            }
            _ => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(20));
            }
        }
    };
    let _ = writer.join();
    let stdout = reader
        .join()
        .map_err(|_| Error::msg(format!("plugin {what}: reading its output failed")))?
        .map_err(|e| Error::msg(format!("plugin {what}: reading its output: {e}")))?;
    Ok(Finished { status, stdout })
}

/// `exit status 1` or `signal 9`, as Go's exec reports a failed program.
pub fn describe(status: ExitStatus) -> String {
    if let Some(code) = status.code() {
        return format!("exit status {code}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return format!("signal {signal}");
        }
    }
    status.to_string()
}
