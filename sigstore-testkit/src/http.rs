//! A small synchronous HTTP/1.1 server: one accept thread per service, one thread per
//! connection, `Connection: close` after every response. Written by hand (instead of using a
//! server crate) so faults can corrupt the wire format exactly: truncated bodies, delays.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::faults::{Fault, FaultRule, Faults, Service};
use crate::Error;

/// Largest request body the servers accept (bytes).
pub const MAX_REQUEST_BYTES: usize = 8 * 1024 * 1024;
/// Largest request header block accepted (bytes).
pub const MAX_HEADER_BYTES: usize = 64 * 1024;
/// Read timeout on client connections.
const READ_TIMEOUT: Duration = Duration::from_secs(30);

/// A parsed request.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// `application/x-www-form-urlencoded` body, or a flat JSON object body.
    pub fn form(&self) -> Vec<(String, String)> {
        let is_json = self
            .header("content-type")
            .is_some_and(|c| c.contains("json"));
        if is_json {
            if let Ok(serde_json::Value::Object(m)) = serde_json::from_slice(&self.body) {
                return m
                    .into_iter()
                    .map(|(k, v)| match v {
                        serde_json::Value::String(s) => (k, s),
                        other => (k, other.to_string()),
                    })
                    .collect();
            }
        }
        parse_urlencoded(&String::from_utf8_lossy(&self.body))
    }
}

/// A response to write.
#[derive(Debug, Clone)]
pub(crate) struct Response {
    pub status: u16,
    pub content_type: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn bytes(status: u16, content_type: &str, body: Vec<u8>) -> Self {
        Response {
            status,
            content_type: content_type.to_string(),
            headers: Vec::new(),
            body,
        }
    }

    pub fn json(status: u16, value: &serde_json::Value) -> Self {
        Self::bytes(status, "application/json", value.to_string().into_bytes())
    }

    pub fn error(status: u16, message: &str) -> Self {
        Self::json(
            status,
            &serde_json::json!({ "code": status, "message": message }),
        )
    }

    pub fn redirect(location: &str) -> Self {
        let mut r = Self::bytes(302, "text/plain", Vec::new());
        r.headers.push(("Location".into(), location.into()));
        r
    }

    pub fn with_header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }
}

/// A request handler for one service.
pub(crate) trait Handler: Send + Sync {
    fn handle(&self, req: &Request) -> Response;
}

/// A running server.
#[derive(Debug)]
pub(crate) struct Server {
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    pub fn start(
        listener: TcpListener,
        service: Service,
        faults: Faults,
        handler: Arc<dyn Handler>,
    ) -> Result<Server, Error> {
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        let thread = std::thread::Builder::new()
            .name(format!("testkit-{}", service.name()))
            .spawn(move || {
                for conn in listener.incoming() {
                    if stop2.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = conn else { continue };
                    let handler = handler.clone();
                    let faults = faults.clone();
                    let _ = std::thread::Builder::new()
                        .name(format!("testkit-{}-conn", service.name()))
                        .spawn(move || {
                            serve_connection(stream, service, &faults, handler.as_ref())
                        });
                }
            })?;
        Ok(Server {
            addr,
            stop,
            thread: Some(thread),
        })
    }

    pub fn shutdown(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn serve_connection(stream: TcpStream, service: Service, faults: &Faults, handler: &dyn Handler) {
    let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut writer = stream;
    let req = match read_request(&mut reader, &mut writer) {
        Ok(r) => r,
        Err(status) => {
            let _ = write_response(&mut writer, &Response::error(status, "bad request"), None);
            return;
        }
    };
    if req.path == "/__faults" {
        let resp = admin(&req, faults);
        let _ = write_response(&mut writer, &resp, None);
        return;
    }
    if let Some(millis) = faults.take(service, |f| match f {
        Fault::Delay { millis } => Some(*millis),
        _ => None,
    }) {
        std::thread::sleep(Duration::from_millis(millis));
    }
    let status = faults.take(service, |f| match f {
        Fault::ServerError { status } => Some(*status),
        _ => None,
    });
    let mut resp = match status {
        Some(s) => Response::error(s, "injected server error"),
        None => handler.handle(&req),
    };
    if let Some(bytes) = faults.take(service, |f| match f {
        Fault::OversizedBody { bytes } => Some(*bytes),
        _ => None,
    }) {
        if resp.body.len() < bytes {
            resp.body.resize(bytes, b' ');
        }
    }
    let truncate = faults.hit(service, &Fault::TruncatedBody);
    let _ = write_response(&mut writer, &resp, truncate.then_some(resp.body.len() / 2));
}

fn admin(req: &Request, faults: &Faults) -> Response {
    match req.method.as_str() {
        "GET" => Response::json(
            200,
            &serde_json::to_value(faults.rules()).unwrap_or_default(),
        ),
        "DELETE" => {
            faults.clear();
            Response::json(200, &serde_json::json!({"cleared": true}))
        }
        "POST" => {
            if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&req.body) {
                if v.get("clear").and_then(|c| c.as_bool()) == Some(true) {
                    faults.clear();
                    return Response::json(200, &serde_json::json!({"cleared": true}));
                }
            }
            match serde_json::from_slice::<FaultRule>(&req.body) {
                Ok(rule) => {
                    faults.add(rule);
                    Response::json(200, &serde_json::json!({"added": true}))
                }
                Err(e) => Response::error(400, &format!("bad fault rule: {e}")),
            }
        }
        _ => Response::error(405, "method not allowed"),
    }
}

/// Reads one whole HTTP/1.1 request from `stream` (its headers and the body its
/// `Content-Length` or chunked encoding announces, with this server's limits) and discards it.
///
/// For raw test servers that answer every request the same way: a server that answers after
/// one `read` and closes may close with part of the request still unread, and the kernel then
/// resets the connection, which a client rightly treats as a transport failure and retries.
/// `Err` carries the HTTP status this server would have answered with (400, 413, 431).
pub fn read_and_discard_request(stream: &TcpStream) -> Result<(), u16> {
    let mut writer = stream.try_clone().map_err(|_| 400u16)?;
    let mut reader = BufReader::new(stream.try_clone().map_err(|_| 400u16)?);
    read_request(&mut reader, &mut writer).map(drop)
}

fn read_request(reader: &mut BufReader<TcpStream>, writer: &mut TcpStream) -> Result<Request, u16> {
    let mut header_bytes = 0usize;
    let mut line = String::new();
    reader.read_line(&mut line).map_err(|_| 400u16)?;
    header_bytes += line.len();
    let mut parts = line.split_whitespace();
    let method = parts.next().ok_or(400u16)?.to_string();
    let target = parts.next().ok_or(400u16)?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        let n = reader.read_line(&mut h).map_err(|_| 400u16)?;
        header_bytes += n;
        if header_bytes > MAX_HEADER_BYTES {
            return Err(431);
        }
        let h = h.trim_end_matches(['\r', '\n']);
        if n == 0 || h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let get = |name: &str| {
        headers
            .iter()
            .find(|(k, _): &&(String, String)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    if get("expect").is_some_and(|e| e.eq_ignore_ascii_case("100-continue")) {
        let _ = writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
    }
    let mut body = Vec::new();
    if get("transfer-encoding").is_some_and(|t| t.to_ascii_lowercase().contains("chunked")) {
        loop {
            let mut size_line = String::new();
            reader.read_line(&mut size_line).map_err(|_| 400u16)?;
            let size_hex = size_line.trim().split(';').next().unwrap_or("");
            let size = usize::from_str_radix(size_hex, 16).map_err(|_| 400u16)?;
            if size == 0 {
                let mut trailer = String::new();
                let _ = reader.read_line(&mut trailer);
                break;
            }
            if body.len() + size > MAX_REQUEST_BYTES {
                return Err(413);
            }
            let mut chunk = vec![0u8; size];
            reader.read_exact(&mut chunk).map_err(|_| 400u16)?;
            body.extend_from_slice(&chunk);
            let mut crlf = String::new();
            reader.read_line(&mut crlf).map_err(|_| 400u16)?;
        }
    } else if let Some(len) = get("content-length") {
        let len: usize = len.parse().map_err(|_| 400u16)?;
        if len > MAX_REQUEST_BYTES {
            return Err(413);
        }
        body = vec![0u8; len];
        reader.read_exact(&mut body).map_err(|_| 400u16)?;
    }
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), parse_urlencoded(q)),
        None => (target, Vec::new()),
    };
    Ok(Request {
        method,
        path,
        query,
        headers,
        body,
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        302 => "Found",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Payload Too Large",
        422 => "Unprocessable Entity",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

fn write_response(
    w: &mut TcpStream,
    resp: &Response,
    truncate_to: Option<usize>,
) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        resp.status,
        reason(resp.status),
        resp.content_type,
        resp.body.len()
    );
    for (k, v) in &resp.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    w.write_all(head.as_bytes())?;
    let body = match truncate_to {
        Some(n) => resp.body.get(..n).unwrap_or(&resp.body),
        None => &resp.body,
    };
    w.write_all(body)?;
    w.flush()?;
    let _ = w.shutdown(std::net::Shutdown::Both);
    Ok(())
}

/// Percent-decode (with `+` as space).
pub(crate) fn url_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            _ => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encode a query component.
pub(crate) fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub(crate) fn parse_urlencoded(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (url_decode(k), url_decode(v)),
            None => (url_decode(p), String::new()),
        })
        .collect()
}
