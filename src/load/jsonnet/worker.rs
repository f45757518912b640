//! Jsonnet in a worker process with a memory limit, so a program that
//! exhausts memory kills only the worker (an allocation failure aborts the
//! process) and the build reports it as an error.
//!
//! The worker is the strata binary re-executed as `strata __jsonnet-worker`
//! (see [`super::use_worker`]). It reads every file from the parent over
//! its stdin/stdout: frames of a 4-byte big-endian length, a tag byte and
//! the payload. The parent answers with the loader (restrictor, library
//! paths, files from Git objects), exactly as in-process evaluation does.

use std::io::{Read, Write};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::channel;

use serde_json::Value;

use super::engine::{evaluate_served, EVALUATION_STACK};
use super::files::{Policy, Request};
use super::Settings;
use crate::error::{Error, Result};
use crate::load::loader::Loader;

/// The hidden subcommand that runs a worker.
pub const WORKER_COMMAND: &str = "__jsonnet-worker";

/// Address space the worker needs besides the program's memory: the
/// evaluation thread's reserved stack, code and libraries.
const OVERHEAD: u64 = EVALUATION_STACK as u64 + (256 << 20);

/// The largest frame accepted (the output is bounded far below this).
const MAX_FRAME: u32 = 1 << 31;

// Frame tags. Parent to worker:
const JOB: u8 = b'J';
const FOUND: u8 = b'F';
const NOT_FOUND: u8 = b'N';
const CONTENT: u8 = b'C';
const REFUSED: u8 = b'X';
// Worker to parent:
const FIND: u8 = b'f';
const READ: u8 = b'r';
const VALUE: u8 = b'v';
const FAILED: u8 = b'e';

fn write_frame(out: &mut impl Write, tag: u8, payload: &[u8]) -> std::io::Result<()> {
    let length = u32::try_from(payload.len() + 1)
        .ok()
        .filter(|length| *length <= MAX_FRAME)
        .ok_or_else(|| std::io::Error::other("message too large"))?;
    out.write_all(&length.to_be_bytes())?;
    out.write_all(&[tag])?;
    out.write_all(payload)?;
    out.flush()
}

/// The next frame, `None` at the end of the stream.
fn read_frame(input: &mut impl Read) -> std::io::Result<Option<(u8, Vec<u8>)>> {
    let mut length = [0u8; 4];
    match input.read_exact(&mut length) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let length = u32::from_be_bytes(length);
    if length == 0 || length > MAX_FRAME {
        return Err(std::io::Error::other(format!(
            "bad message length {length}"
        )));
    }
    // Read as it arrives: a garbled length must not allocate gigabytes up front.
    let mut body = Vec::new();
    input.take(u64::from(length)).read_to_end(&mut body)?;
    if body.len() != length as usize {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    let tag = body.remove(0);
    Ok(Some((tag, body)))
}

fn path_bytes(path: &Path) -> &[u8] {
    path.as_os_str().as_bytes()
}

fn bytes_path(bytes: &[u8]) -> PathBuf {
    PathBuf::from(std::ffi::OsString::from_vec(bytes.to_vec()))
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Job {
    root: PathBuf,
    program: PathBuf,
    settings: Settings,
}

/// Evaluates `path` in a worker started from `exe`, serving its reads
/// with `loader`; `max_memory` bounds the program's memory.
pub(super) fn evaluate(
    exe: &Path,
    loader: &Loader,
    path: &Path,
    settings: &Settings,
    max_memory: u64,
) -> Result<Value> {
    let job = Job {
        root: loader.root().to_path_buf(),
        program: path.to_path_buf(),
        settings: settings.clone(),
    };
    let job = serde_json::to_vec(&job).map_err(|e| {
        Error::file(
            path,
            format!("cannot pass the program to the jsonnet worker: {e}"),
        )
    })?;
    let limit = max_memory.saturating_add(OVERHEAD);
    let mut command = Command::new(exe);
    command
        .arg(WORKER_COMMAND)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    // SAFETY: only setrlimit, which is async-signal-safe, runs between fork and exec.
    unsafe {
        command.pre_exec(move || {
            let limit = libc::rlimit {
                rlim_cur: limit as libc::rlim_t,
                rlim_max: limit as libc::rlim_t,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let cannot = |e: std::io::Error| {
        Error::file(
            path,
            format!("cannot start the jsonnet worker `{}`: {e}", exe.display()),
        )
    };
    let mut child = command.spawn().map_err(cannot)?;
    let outcome = {
        let (Some(mut input), Some(mut output)) = (child.stdin.take(), child.stdout.take()) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(Error::file(path, "cannot talk to the jsonnet worker"));
        };
        converse(loader, &job, &mut input, &mut output)
    };
    match outcome {
        Ok(Some(result)) => {
            let _ = child.wait();
            result
        }
        // No result: the worker died or spoke nonsense; say which.
        Ok(None) | Err(_) => {
            let _ = child.kill();
            let status = child.wait().map_err(cannot)?;
            let file = path.display();
            let message = match status.signal() {
                Some(libc::SIGABRT | libc::SIGKILL | libc::SIGSEGV | libc::SIGBUS) => format!(
                    "jsonnet program {file} ran out of memory (limit {}, --jsonnet-max-memory)",
                    super::format_size(max_memory)
                ),
                Some(signal) => {
                    format!("jsonnet program {file}: the worker was killed by signal {signal}")
                }
                None => match outcome {
                    Err(reason) => {
                        format!("jsonnet program {file}: the worker broke the protocol: {reason}")
                    }
                    _ => format!(
                        "jsonnet program {file}: the worker ended without a result ({status})"
                    ),
                },
            };
            Err(Error::msg(message))
        }
    }
}

/// Sends the job and answers the worker until its result; `None` when the
/// stream ends first.
fn converse(
    loader: &Loader,
    job: &[u8],
    input: &mut impl Write,
    output: &mut impl Read,
) -> std::result::Result<Option<Result<Value>>, String> {
    let policy = Policy::new(loader);
    let io = |e: std::io::Error| e.to_string();
    // A write fails when the worker is gone; its status tells why.
    if write_frame(input, JOB, job).is_err() {
        return Ok(None);
    }
    loop {
        let Some((tag, body)) = read_frame(output).map_err(io)? else {
            return Ok(None);
        };
        let sent = match tag {
            FIND => {
                let candidates: Vec<PathBuf> = body.split(|b| *b == 0).map(bytes_path).collect();
                match policy.find(&candidates) {
                    Ok(Some(found)) => write_frame(input, FOUND, path_bytes(&found)),
                    Ok(None) => write_frame(input, NOT_FOUND, &[]),
                    Err(reason) => write_frame(input, REFUSED, reason.as_bytes()),
                }
            }
            READ => match loader.fs().read(&bytes_path(&body)) {
                Ok(bytes) => write_frame(input, CONTENT, &bytes),
                Err(e) => write_frame(input, REFUSED, e.to_string().as_bytes()),
            },
            VALUE => {
                let value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
                return Ok(Some(Ok(value)));
            }
            FAILED => {
                let text = String::from_utf8(body).map_err(|e| e.to_string())?;
                return Ok(Some(Err(Error::msg(text))));
            }
            other => return Err(format!("unknown message {other}")),
        };
        if sent.is_err() {
            return Ok(None);
        }
    }
}

/// The worker: one job from stdin, files asked of the parent, the value
/// (or the error text) to stdout. Returns the exit code.
#[must_use]
pub fn main() -> i32 {
    let Ok(Some((JOB, body))) = read_frame(&mut std::io::stdin().lock()) else {
        return 2;
    };
    let Ok(job) = serde_json::from_slice::<Job>(&body) else {
        return 2;
    };
    let (requests, inbox) = channel::<Request>();
    let result = std::thread::scope(|scope| {
        let io = scope.spawn(|| {
            let input = &mut std::io::stdin().lock();
            let output = &mut std::io::stdout().lock();
            // Each request is forwarded and its answer awaited, one at a time.
            for request in inbox {
                match request {
                    Request::Find(candidates, reply) => {
                        let list: Vec<&[u8]> = candidates.iter().map(|p| path_bytes(p)).collect();
                        let answer = ask(input, output, FIND, &list.join(&0u8)).map(
                            |(tag, body)| match tag {
                                FOUND => Ok(Some(bytes_path(&body))),
                                NOT_FOUND => Ok(None),
                                _ => Err(String::from_utf8_lossy(&body).into_owned()),
                            },
                        );
                        let _ = reply.send(answer.unwrap_or_else(Err));
                    }
                    Request::Read(path, reply) => {
                        let answer = ask(input, output, READ, path_bytes(&path)).map(
                            |(tag, body)| match tag {
                                CONTENT => Ok(body),
                                _ => Err(String::from_utf8_lossy(&body).into_owned()),
                            },
                        );
                        let _ = reply.send(answer.unwrap_or_else(Err));
                    }
                    Request::Stop => break,
                }
            }
        });
        let result = evaluate_served(requests.clone(), &job.root, &job.program, &job.settings);
        let _ = requests.send(Request::Stop);
        (result, io.join())
    });
    let (result, Ok(())) = result else {
        return 2;
    };
    let output = &mut std::io::stdout().lock();
    let sent = match result {
        Ok(value) => match serde_json::to_vec(&value) {
            Ok(bytes) => write_frame(output, VALUE, &bytes),
            Err(e) => write_frame(output, FAILED, e.to_string().as_bytes()),
        },
        Err(error) => write_frame(output, FAILED, error.to_string().as_bytes()),
    };
    i32::from(sent.is_err())
}

fn ask(
    input: &mut impl Read,
    output: &mut impl Write,
    tag: u8,
    payload: &[u8],
) -> std::result::Result<(u8, Vec<u8>), String> {
    write_frame(output, tag, payload).map_err(|e| e.to_string())?;
    read_frame(input)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| "the build stopped".to_string())
}
