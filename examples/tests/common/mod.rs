//! Helpers for the end-to-end tests: scratch directories, a virtual Sigstore with its trust
//! material on disk, signing through the real `sigstore` binary, and the shared data folder.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    dead_code
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

use sigstore_testkit::{Config, TokenClaims, VirtualSigstore};

pub const SIGSTORE: &str = env!("CARGO_BIN_EXE_sigstore");
pub const SGET: &str = env!("CARGO_BIN_EXE_sget");
pub const CONSENSUS: &str = env!("CARGO_BIN_EXE_consensus");
pub const MONITOR: &str = env!("CARGO_BIN_EXE_monitor");

/// A scratch directory removed on drop.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        static N: AtomicU32 = AtomicU32::new(0);
        let p = std::env::temp_dir().join(format!(
            "sigstore-examples-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Scratch(p)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
    pub fn join(&self, p: &str) -> PathBuf {
        self.0.join(p)
    }
    /// A new empty subdirectory.
    pub fn dir(&self, name: &str) -> PathBuf {
        let d = self.0.join(name);
        std::fs::create_dir_all(&d).unwrap();
        d
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The entries of a directory (names).
pub fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// A running virtual Sigstore with its trust material in `dir/state`.
pub struct Vs {
    pub vs: VirtualSigstore,
    pub state: PathBuf,
}

impl Vs {
    pub fn start(scratch: &Scratch) -> Vs {
        let state = scratch.join("state");
        let vs = VirtualSigstore::start(Config::default().with_dir(&state)).unwrap();
        Vs { vs, state }
    }
    pub fn trusted_root(&self) -> PathBuf {
        self.state.join("trusted_root.json")
    }
    pub fn trust_config(&self) -> PathBuf {
        self.state.join("client_trust_config.json")
    }
    pub fn issuer(&self) -> String {
        self.vs.urls().oidc.clone()
    }
    pub fn token(&self, email: &str) -> String {
        self.vs.mint_token(&TokenClaims::email(email)).unwrap()
    }

    /// Sign `file` as `email` with the `sigstore` binary (Rekor `version`); returns the bundle.
    pub fn sign(&self, file: &Path, email: &str, version: u32) -> PathBuf {
        let bundle = PathBuf::from(format!(
            "{}.{email}.v{version}.sigstore.json",
            file.display()
        ));
        let out = run(
            SIGSTORE,
            &[
                "sign",
                file.to_str().unwrap(),
                "--bundle",
                bundle.to_str().unwrap(),
                "--trust-config",
                self.trust_config().to_str().unwrap(),
                "--identity-token",
                &self.token(email),
                "--rekor-version",
                &version.to_string(),
                "--overwrite",
            ],
        );
        assert_eq!(code(&out), 0, "sign failed: {}", stderr(&out));
        bundle
    }
}

pub fn run(program: &str, args: &[&str]) -> Output {
    Command::new(program).args(args).output().unwrap()
}

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The shared data folder (`sigstore_test_support::shared_dir`: a failure under `CI=true`,
/// `None` after a notice elsewhere).
pub fn shared_dir() -> Option<PathBuf> {
    sigstore_test_support::shared_dir("")
}

/// A minimal HTTP/1.1 file server on 127.0.0.1 serving `root` (GET only), for `sget`.
pub fn serve_dir(root: PathBuf) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let root = root.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    return;
                }
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).is_err() || h == "\r\n" || h.is_empty() {
                        break;
                    }
                }
                let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let name = path.trim_start_matches('/');
                let file = root.join(name);
                // Redirect routes: `/redirect/<name>` -> `/<name>`, `/loop` -> itself,
                // `/offsite` -> plain http off loopback.
                let redirect = |to: &str| {
                    format!(
                        "HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    )
                    .into_bytes()
                };
                let resp = if let Some(rest) = name.strip_prefix("redirect/") {
                    redirect(&format!("/{rest}"))
                } else if name == "loop" || name == "loop.sigstore.json" {
                    redirect("/loop")
                } else if name.starts_with("offsite") {
                    redirect("http://example.com/tool.sh")
                } else if !name.contains("..") && file.is_file() {
                    let body = std::fs::read(&file).unwrap();
                    let mut r = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    )
                    .into_bytes();
                    r.extend_from_slice(&body);
                    r
                } else {
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .to_vec()
                };
                let _ = stream.write_all(&resp);
            });
        }
    });
    format!("http://{addr}")
}
