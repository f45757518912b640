//! HTTP: the accept loop (plain or TLS), reading a request into a [`Call`],
//! authentication, the request log, and writing answers, including the
//! chunked stream of a watch.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::io::Write;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use http_body_util::BodyExt;
use hyper::body::{Bytes, Frame, Incoming};
use hyper::{Request, Response};
use tokio::sync::mpsc::UnboundedReceiver;

use super::state::State;
use super::status::Answer;
use super::TOKEN;

/// What the server threads share.
pub struct Shared {
    pub state: Mutex<State>,
    /// `--request-log`: one `METHOD URL` line per request, flushed per line.
    pub log_file: Mutex<Option<std::fs::File>>,
    pub stop: AtomicBool,
}

/// One request, read.
pub struct Call {
    pub method: String,
    pub path: String,
    pub query: BTreeMap<String, String>,
    pub accept: String,
    pub content_type: String,
    pub user_agent: String,
    pub body: Vec<u8>,
}

impl Call {
    pub fn dry_run(&self) -> bool {
        self.query.get("dryRun").is_some_and(|value| value == "All")
    }

    pub fn force(&self) -> bool {
        self.query.get("force").is_some_and(|value| value == "true")
    }

    /// The field manager: `fieldManager`, else the user agent's program name as the API server does.
    pub fn manager(&self) -> String {
        match self.query.get("fieldManager") {
            Some(manager) if !manager.is_empty() => manager.clone(),
            _ => self
                .user_agent
                .split('/')
                .next()
                .filter(|name| !name.is_empty())
                .unwrap_or("unknown")
                .to_string(),
        }
    }

    /// The media type of the body, without parameters.
    pub fn media_type(&self) -> &str {
        self.content_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
    }
}

/// An answer: a JSON document or a stream of watch events.
pub enum Reply {
    Json(Answer),
    Stream(UnboundedReceiver<Bytes>),
}

impl From<Answer> for Reply {
    fn from(answer: Answer) -> Reply {
        Reply::Json(answer)
    }
}

/// A response body: whole, or chunks as they come.
pub enum Body {
    Full(Option<Bytes>),
    Stream(UnboundedReceiver<Bytes>),
}

impl hyper::body::Body for Body {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.get_mut() {
            Body::Full(data) => Poll::Ready(data.take().map(|data| Ok(Frame::data(data)))),
            Body::Stream(receiver) => receiver
                .poll_recv(cx)
                .map(|chunk| chunk.map(|data| Ok(Frame::data(data)))),
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, Body::Full(None))
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        match self {
            Body::Full(Some(data)) => hyper::body::SizeHint::with_exact(data.len() as u64),
            Body::Full(None) => hyper::body::SizeHint::with_exact(0),
            Body::Stream(_) => hyper::body::SizeHint::default(),
        }
    }
}

pub fn serve(
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
    tls: Option<tokio_rustls::TlsAcceptor>,
) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("server runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
        while !shared.stop.load(Ordering::SeqCst) {
            // Poll for connections so a stop request is noticed within 50 ms.
            let accepted =
                tokio::time::timeout(std::time::Duration::from_millis(50), listener.accept()).await;
            let Ok(Ok((stream, _))) = accepted else {
                continue;
            };
            let shared = Arc::clone(&shared);
            let tls = tls.clone();
            tokio::task::spawn(async move {
                match tls {
                    None => serve_connection(stream, shared, false).await,
                    Some(acceptor) => {
                        let Ok(stream) = acceptor.accept(stream).await else {
                            return;
                        };
                        // The verifier only lets through certificates the CA signed.
                        let client_cert = stream.get_ref().1.peer_certificates().is_some();
                        serve_connection(stream, shared, client_cert).await;
                    }
                }
            });
        }
    });
}

async fn serve_connection<S>(stream: S, shared: Arc<Shared>, client_cert: bool)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |request| {
        let shared = Arc::clone(&shared);
        async move { Ok::<_, Infallible>(respond(request, &shared, client_cert).await) }
    });
    let io = hyper_util::rt::TokioIo::new(stream);
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(io, service)
        .await;
}

async fn respond(request: Request<Incoming>, shared: &Shared, client_cert: bool) -> Response<Body> {
    let (parts, body) = request.into_parts();
    let body = match body.collect().await {
        Ok(collected) => collected.to_bytes().to_vec(),
        Err(_) => Vec::new(),
    };
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let call = Call {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: parse_query(parts.uri.query().unwrap_or_default()),
        accept: header("accept"),
        content_type: header("content-type"),
        user_agent: header("user-agent"),
        body,
    };
    let line = match parts.uri.query() {
        Some(query) => format!("{} {}?{query}", call.method, call.path),
        None => format!("{} {}", call.method, call.path),
    };
    if let Some(file) = shared.log_file.lock().expect("log file").as_mut() {
        let _ = writeln!(file, "{line}").and_then(|()| file.flush());
    }
    let authorization = header("authorization");
    let reply = {
        let mut state = shared.state.lock().expect("server state");
        state.log.push(line);
        let refused = if authorization.is_empty() {
            state.options.require_token && !client_cert
        } else {
            authorization != format!("Bearer {TOKEN}")
        };
        if refused {
            Reply::Json(Answer::unauthorized())
        } else {
            state.handle(&call)
        }
    };
    match reply {
        Reply::Json(answer) => {
            let bytes = serde_json::to_vec(&answer.body).unwrap_or_default();
            Response::builder()
                .status(answer.status)
                .header("content-type", "application/json")
                .body(Body::Full(Some(Bytes::from(bytes))))
                .expect("response")
        }
        Reply::Stream(receiver) => Response::builder()
            .header("content-type", "application/json")
            .header("transfer-encoding", "chunked")
            .body(Body::Stream(receiver))
            .expect("response"),
    }
}

fn parse_query(query: &str) -> BTreeMap<String, String> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key), percent_decode(value))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'%' if index + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[index + 1..index + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(byte) => out.push(byte),
                    Err(_) => out.extend_from_slice(&bytes[index..index + 3]),
                }
                index += 3;
            }
            b'+' => {
                out.push(b' ');
                index += 1;
            }
            byte => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_percent_decoded() {
        let query = parse_query("labelSelector=app%3Dweb%2Ctier+in+(a)&x=%zz&end=%41");
        assert_eq!(query["labelSelector"], "app=web,tier in (a)");
        assert_eq!(query["x"], "%zz");
        assert_eq!(query["end"], "A");
    }
}
