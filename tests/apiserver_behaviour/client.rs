//! A minimal HTTP/1.1 client for talking to the test server byte for byte
//! (one connection per request, chunked bodies decoded), and kubectl.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

pub struct Client {
    address: String,
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub text: String,
}

impl Response {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|error| panic!("not JSON ({error}): {}", self.text))
    }
}

impl Client {
    pub fn new(url: &str) -> Client {
        Client {
            address: url.trim_start_matches("http://").to_string(),
        }
    }

    pub fn request(
        &self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: &str,
        accept: Option<&str>,
    ) -> Response {
        let mut stream = TcpStream::connect(&self.address).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .expect("timeout");
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nUser-Agent: behaviour-test/1.0\r\nContent-Length: {}\r\n",
            self.address,
            body.len()
        );
        if let Some(content_type) = content_type {
            head.push_str(&format!("Content-Type: {content_type}\r\n"));
        }
        if let Some(accept) = accept {
            head.push_str(&format!("Accept: {accept}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).expect("write");
        stream.write_all(body.as_bytes()).expect("write body");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("read");
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (headers, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = headers
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or(0);
        let chunked = headers
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked");
        let text = if chunked {
            dechunk(body)
        } else {
            body.to_string()
        };
        Response { status, text }
    }

    pub fn get(&self, path: &str) -> Response {
        self.request("GET", path, None, "", None)
    }

    pub fn get_as(&self, path: &str, accept: &str) -> Response {
        self.request("GET", path, None, "", Some(accept))
    }

    pub fn post(&self, path: &str, body: &Value) -> Response {
        self.request(
            "POST",
            path,
            Some("application/json"),
            &body.to_string(),
            None,
        )
    }

    pub fn put(&self, path: &str, body: &Value) -> Response {
        self.request(
            "PUT",
            path,
            Some("application/json"),
            &body.to_string(),
            None,
        )
    }

    pub fn patch(&self, path: &str, content_type: &str, body: &str) -> Response {
        self.request("PATCH", path, Some(content_type), body, None)
    }

    /// A server-side apply as `manager`.
    pub fn apply(&self, path: &str, manager: &str, force: bool, body: &Value) -> Response {
        let separator = if path.contains('?') { '&' } else { '?' };
        let path = format!("{path}{separator}fieldManager={manager}&force={force}");
        self.patch(&path, "application/apply-patch+yaml", &body.to_string())
    }

    pub fn delete(&self, path: &str, body: Option<&Value>) -> Response {
        let body = body.map(Value::to_string).unwrap_or_default();
        self.request("DELETE", path, Some("application/json"), &body, None)
    }
}

fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 || after.len() < size {
            break;
        }
        out.push_str(&after[..size]);
        rest = after[size..].trim_start_matches("\r\n");
    }
    out
}

/// kubectl against a kubeconfig; `None` (with a notice) when kubectl is not on PATH.
pub struct Kubectl {
    kubeconfig: PathBuf,
    cache: PathBuf,
    env: Vec<(String, String)>,
}

pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Kubectl {
    pub fn new(kubeconfig: PathBuf, dir: &std::path::Path) -> Option<Kubectl> {
        let found = std::process::Command::new("kubectl")
            .args(["version", "--client"])
            .output()
            .is_ok_and(|output| output.status.success());
        if !found {
            eprintln!("notice: kubectl is not on PATH; skipping the kubectl checks");
            return None;
        }
        Some(Kubectl {
            kubeconfig,
            cache: dir.join("kube-cache"),
            env: Vec::new(),
        })
    }

    pub fn with_env(mut self, key: &str, value: &str) -> Kubectl {
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn run(&self, args: &[&str], stdin: Option<&str>) -> Run {
        let mut child = std::process::Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .arg("--cache-dir")
            .arg(&self.cache)
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start kubectl");
        let mut input = child.stdin.take().expect("stdin");
        input
            .write_all(stdin.unwrap_or_default().as_bytes())
            .expect("write stdin");
        drop(input);
        let output = child.wait_with_output().expect("kubectl output");
        Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Runs and expects exit code `code`.
    pub fn expect(&self, args: &[&str], stdin: Option<&str>, code: i32) -> Run {
        let run = self.run(args, stdin);
        assert_eq!(
            run.code,
            Some(code),
            "kubectl {}\nstdout:\n{}\nstderr:\n{}",
            args.join(" "),
            run.stdout,
            run.stderr
        );
        run
    }

    /// `kubectl get ... -o json`, parsed.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.extend(["-o", "json"]);
        let run = self.expect(&all, None, 0);
        serde_json::from_str(&run.stdout).expect("kubectl JSON")
    }
}

/// Objects as one YAML stream of JSON documents; the leading `---` makes
/// kubectl read it as YAML (a stream starting with `{` is read as JSON only).
pub fn manifest(objects: &[Value]) -> String {
    objects
        .iter()
        .map(|object| {
            format!(
                "---\n{}\n",
                serde_json::to_string_pretty(object).expect("json")
            )
        })
        .collect()
}
