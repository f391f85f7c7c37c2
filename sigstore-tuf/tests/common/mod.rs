//! Shared helpers for the integration tests: python-tuf repository
//! generation, a loopback HTTP server and a minimal HTTP fetcher.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    dead_code
)]

use sigstore_tuf::{Error, Fetcher};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh temporary directory (removed on drop).
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let p = std::env::temp_dir().join(format!(
            "sigstore-tuf-test-{}-{tag}-{n}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn ci() -> bool {
    std::env::var("CI").map(|v| v == "true").unwrap_or(false)
}

/// A generated repository scenario.
pub struct Scenario {
    pub dir: TempDir,
}

impl Scenario {
    pub fn initial_root(&self) -> Vec<u8> {
        std::fs::read(self.dir.path().join("initial_root.json")).unwrap()
    }
    pub fn stage(&self, n: u32) -> PathBuf {
        self.dir.path().join(format!("stage{n}"))
    }
    /// Target bytes published in stage 1.
    pub fn expected(&self, target: &str) -> Vec<u8> {
        self.expected_in(1, target)
    }
    /// Target bytes published in stage `n`.
    pub fn expected_in(&self, n: u32, target: &str) -> Vec<u8> {
        std::fs::read(
            self.dir
                .path()
                .join("expected")
                .join(format!("stage{n}"))
                .join(target),
        )
        .unwrap()
    }
}

/// Runs `python3 tests/make_repos.py <tmp> <scenario>`. Returns `None` (with
/// a notice) when python3 or python-tuf is unavailable, except under
/// `CI=true` where that is a failure.
pub fn make_scenario(name: &str) -> Option<Scenario> {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let probe = Command::new(&python)
        .args(["-c", "import tuf.api.metadata, securesystemslib.signer"])
        .output();
    let available = matches!(&probe, Ok(o) if o.status.success());
    if !available {
        let msg = format!(
            "python3 with python-tuf 7 is required for scenario {name}: \
             python3 -m pip install -r sigstore-tuf/tests/requirements.txt"
        );
        if ci() {
            panic!("{msg}");
        }
        eprintln!("NOTICE: skipping: {msg}");
        return None;
    }
    let dir = TempDir::new(name);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/make_repos.py");
    let out = Command::new(&python)
        .arg(script)
        .arg(dir.path())
        .arg(name)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "make_repos.py {name} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(Scenario { dir })
}

/// Loopback HTTP/1.1 server serving files from a switchable directory.
pub struct Server {
    pub port: u16,
    root: Arc<Mutex<PathBuf>>,
    pub requests: Arc<Mutex<Vec<String>>>,
    /// When set, every response uses this status with an empty body.
    pub fail_status: Arc<Mutex<Option<u16>>>,
}

impl Server {
    pub fn start(root: &Path) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let root = Arc::new(Mutex::new(root.to_path_buf()));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let fail_status = Arc::new(Mutex::new(None));
        let (r, q, f) = (root.clone(), requests.clone(), fail_status.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (r, q, f) = (r.clone(), q.clone(), f.clone());
                std::thread::spawn(move || handle(stream, &r, &q, &f));
            }
        });
        Server {
            port,
            root,
            requests,
            fail_status,
        }
    }

    pub fn set_root(&self, root: &Path) {
        *self.root.lock().unwrap() = root.to_path_buf();
    }

    pub fn metadata_url(&self) -> String {
        format!("http://127.0.0.1:{}/metadata", self.port)
    }

    pub fn targets_url(&self) -> String {
        format!("http://127.0.0.1:{}/targets", self.port)
    }

    pub fn request_count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}

fn handle(
    stream: TcpStream,
    root: &Mutex<PathBuf>,
    requests: &Mutex<Vec<String>>,
    fail: &Mutex<Option<u16>>,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    loop {
        let mut h = String::new();
        match reader.read_line(&mut h) {
            Ok(0) | Err(_) => break,
            Ok(_) if h == "\r\n" || h == "\n" => break,
            Ok(_) => {}
        }
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    requests.lock().unwrap().push(path.clone());
    let mut stream = stream;
    if let Some(status) = *fail.lock().unwrap() {
        let _ = write!(
            stream,
            "HTTP/1.1 {status} Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        return;
    }
    let rel = path.trim_start_matches('/');
    let file = if rel.split('/').any(|s| s == "..") {
        None
    } else {
        std::fs::read(root.lock().unwrap().join(rel)).ok()
    };
    match file {
        Some(body) => {
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(&body);
        }
        None => {
            let _ = write!(
                stream,
                "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    }
}

/// A minimal HTTP/1.1 GET fetcher over std::net, used when the crate's
/// `client` feature (ureq) is off. Enforces `max_len` while reading.
pub struct TinyHttpFetcher;

impl Fetcher for TinyHttpFetcher {
    fn fetch(&self, url: &str, max_len: u64) -> Result<Vec<u8>, Error> {
        let net = |m: String| Error::Network {
            url: url.into(),
            status: None,
            message: m,
        };
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| net("scheme".into()))?;
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        let mut s = TcpStream::connect(host).map_err(|e| net(e.to_string()))?;
        write!(
            s,
            "GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .map_err(|e| net(e.to_string()))?;
        let mut reader = BufReader::new(s);
        let mut status_line = String::new();
        reader
            .read_line(&mut status_line)
            .map_err(|e| net(e.to_string()))?;
        let status: u16 = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| net("bad status".into()))?;
        loop {
            let mut h = String::new();
            let n = reader.read_line(&mut h).map_err(|e| net(e.to_string()))?;
            if n == 0 || h == "\r\n" {
                break;
            }
        }
        if status == 404 || status == 403 {
            return Err(Error::NotFound { url: url.into() });
        }
        if status != 200 {
            return Err(Error::Network {
                url: url.into(),
                status: Some(status),
                message: "status".into(),
            });
        }
        let mut body = Vec::new();
        reader
            .take(max_len + 1)
            .read_to_end(&mut body)
            .map_err(|e| net(e.to_string()))?;
        if body.len() as u64 > max_len {
            return Err(Error::TooLarge {
                url: url.into(),
                limit: max_len,
            });
        }
        Ok(body)
    }
}

/// The fetcher used by the tests: ureq's HttpFetcher with feature `client`,
/// the tiny std fetcher otherwise.
pub fn http_fetcher() -> Box<dyn Fetcher> {
    #[cfg(feature = "client")]
    {
        Box::new(
            sigstore_tuf::HttpFetcher::new().with_retry(3, std::time::Duration::from_millis(10)),
        )
    }
    #[cfg(not(feature = "client"))]
    {
        Box::new(TinyHttpFetcher)
    }
}

/// Counts calls and delegates to an inner fetcher.
pub struct CountingFetcher {
    pub calls: Arc<AtomicUsize>,
    pub inner: Box<dyn Fetcher>,
}

impl Fetcher for CountingFetcher {
    fn fetch(&self, url: &str, max_len: u64) -> Result<Vec<u8>, Error> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.fetch(url, max_len)
    }
}

/// Recursively copies a directory.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}
