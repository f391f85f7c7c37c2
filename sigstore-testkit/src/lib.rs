//! A virtual Sigstore on loopback, for tests: real HTTP servers on `127.0.0.1` with ephemeral
//! ports speaking the public APIs, so signing and verification code is tested end to end
//! without reaching any public service.
//!
//! Services (each on its own port, each with its own thread):
//! - **OIDC issuer** ([`TokenClaims`], [`VirtualSigstore::mint_token`]): OpenID Connect
//!   Discovery 1.0 §3, JWKS (RFC 7517), ES256 ID tokens (RFC 7519, RFC 7518 §3.4), the
//!   authorization-code flow with PKCE S256 (RFC 7636) and `state` (RFC 6749 §4.1), and the
//!   device authorization grant (RFC 8628) with a `/device/approve` hook.
//! - **Fulcio v2** `POST /api/v2/signingCert` (token in the body or an `Authorization: Bearer`
//!   header; proof of possession over the token's `email` or `sub`, or a PKCS#10 CSR, RFC 2986),
//!   issuing 10-minute leaves from an in-memory root and intermediate with the Fulcio issuer
//!   extensions (OIDs 1.3.6.1.4.1.57264.1.1 and .8) and an embedded SCT (RFC 6962 §3.2-3.3)
//!   signed by the testkit's own CT log key; `GET /api/v2/trustBundle`.
//! - **Rekor v1**: entries (`hashedrekord` 0.0.1, `dsse` 0.0.1), log info, consistency proofs,
//!   signed entry timestamps and checkpoints (`"<host> - <treeID>"`, ECDSA, key ID =
//!   `SHA-256(SPKI)[:4]`).
//! - **Rekor v2**: `POST /api/v2/log/entries`, Ed25519 C2SP signed-note checkpoints,
//!   C2SP tlog-tiles.
//! - **TSA**: RFC 3161 with its own root and leaf.
//!
//! Both logs run on sigstore-tlog's append-only [`sigstore_tlog::tree::MerkleTree`]; with a
//! state directory ([`Config::dir`]) keys, certificates and log entries persist across
//! restarts. [`VirtualSigstore::write_trust_material`] writes a `trusted_root.json`, a
//! `signing_config.json` (v0.2) and a ClientTrustConfig describing the running instance.
//!
//! Faults are injected on demand through [`Faults`] (shared with the servers) or, out of
//! process, with `POST /__faults` on any service (a JSON [`FaultRule`]); see [`Fault`].
//!
//! ```no_run
//! use sigstore_testkit::{Config, TokenClaims, VirtualSigstore};
//! let vs = VirtualSigstore::start(Config::default()).unwrap();
//! let token = vs.mint_token(&TokenClaims::email("alice@example.com")).unwrap();
//! println!("Fulcio at {}, token {token}", vs.urls().fulcio);
//! ```
#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod der;
mod error;
mod faults;
mod fulcio;
mod http;
mod log;
mod oidc;
mod pki;
mod rekor_v1;
mod rekor_v2;
mod trust;
mod tsa;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use crate::error::Error;
pub use crate::faults::{Fault, FaultRule, Faults, Service};
pub use crate::fulcio::{MAX_CSR_BYTES, OTHER_IDENTITY};
pub use crate::http::{read_and_discard_request, MAX_HEADER_BYTES, MAX_REQUEST_BYTES};
pub use crate::oidc::{
    TokenClaims, DEFAULT_TOKEN_TTL_SECS, DEVICE_CODE_TTL_SECS, DEVICE_POLL_INTERVAL_SECS,
    MAX_TOKEN_BYTES, SIGSTORE_AUDIENCE,
};
pub use crate::pki::{
    CA_VALIDITY_SECS, LEAF_VALIDITY_SECS, OID_FULCIO_ISSUER_V1, OID_FULCIO_ISSUER_V2, OID_SCT_LIST,
};
pub use crate::rekor_v1::MAX_ENVELOPE_BYTES;
pub use crate::rekor_v2::{TILE_HEIGHT, TILE_WIDTH};
pub use crate::trust::{SigningConfigOptions, TrustFiles};
pub use crate::tsa::{MAX_TSA_REQUEST_BYTES, TSA_POLICY_OID};

use crate::http::Server;

/// Current Unix time in seconds.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Ports to bind (0 = ephemeral).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ports {
    /// OIDC issuer.
    pub oidc: u16,
    /// Fulcio.
    pub fulcio: u16,
    /// Rekor v1.
    pub rekor_v1: u16,
    /// Rekor v2.
    pub rekor_v2: u16,
    /// TSA.
    pub tsa: u16,
}

/// Configuration of a virtual Sigstore.
#[derive(Debug, Clone)]
pub struct Config {
    /// State directory: keys, certificates and logs persist there and trust material is
    /// written there. `None` keeps everything in memory.
    pub dir: Option<PathBuf>,
    /// Address to bind (default `127.0.0.1`).
    pub bind: String,
    /// Ports (default all ephemeral; with a state directory the previous ports are tried first).
    pub ports: Ports,
    /// Rekor v1 tree ID (checkpoint origin `"<host> - <tree_id>"`).
    pub tree_id: i64,
    /// Rekor v1 checkpoint host / note key name; default `<bind>:<port>` of the first start.
    pub rekor_v1_host: Option<String>,
    /// Rekor v2 checkpoint origin / note key name; default `<bind>:<port>` of the first start.
    pub rekor_v2_origin: Option<String>,
    /// Identity the issuer's interactive flows (authorization code, device) grant by default.
    pub default_identity: TokenClaims,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            dir: None,
            bind: "127.0.0.1".to_string(),
            ports: Ports::default(),
            tree_id: 1_193_050_959_916_656_506,
            rekor_v1_host: None,
            rekor_v2_origin: None,
            default_identity: TokenClaims::email("alice@example.com"),
        }
    }
}

impl Config {
    /// In-memory configuration with ephemeral ports.
    pub fn new() -> Self {
        Self::default()
    }

    /// Persist state under `dir`.
    pub fn with_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dir = Some(dir.into());
        self
    }
}

/// Base URLs of the running services (`http://127.0.0.1:<port>`, no trailing slash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Urls {
    /// OIDC issuer (also the `iss` of its tokens).
    pub oidc: String,
    /// Fulcio.
    pub fulcio: String,
    /// Rekor v1.
    pub rekor_v1: String,
    /// Rekor v2.
    pub rekor_v2: String,
    /// TSA base URL (`POST <tsa>/api/v1/timestamp` or `POST <tsa>/`).
    pub tsa: String,
}

/// A running virtual Sigstore. Dropping it (or [`VirtualSigstore::shutdown`]) stops the
/// servers.
pub struct VirtualSigstore {
    urls: Urls,
    faults: Faults,
    pki: Arc<pki::Pki>,
    oidc: Arc<oidc::Oidc>,
    rekor_v1: Arc<rekor_v1::RekorV1>,
    rekor_v2: Arc<rekor_v2::RekorV2>,
    dir: Option<PathBuf>,
    servers: Vec<Server>,
}

impl std::fmt::Debug for VirtualSigstore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VirtualSigstore")
            .field("urls", &self.urls)
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

fn bind(addr: &str, preferred: u16) -> Result<std::net::TcpListener, Error> {
    if preferred != 0 {
        if let Ok(l) = std::net::TcpListener::bind((addr, preferred)) {
            return Ok(l);
        }
    }
    Ok(std::net::TcpListener::bind((addr, 0))?)
}

fn persisted_string(dir: Option<&Path>, name: &str, default: String) -> Result<String, Error> {
    match dir.map(|d| d.join(name)) {
        Some(p) if p.exists() => Ok(std::fs::read_to_string(p)?.trim().to_string()),
        Some(p) => {
            std::fs::write(p, &default)?;
            Ok(default)
        }
        None => Ok(default),
    }
}

impl VirtualSigstore {
    /// Start all services. With [`Config::dir`], state is loaded from (or created in) that
    /// directory and the trust material is written there.
    pub fn start(config: Config) -> Result<VirtualSigstore, Error> {
        let dir = config.dir.clone();
        if let Some(d) = &dir {
            std::fs::create_dir_all(d)?;
        }
        let mut ports = config.ports;
        if let Some(p) = dir
            .as_ref()
            .map(|d| d.join("ports.json"))
            .filter(|p| p.exists())
        {
            let old: Ports = serde_json::from_slice(&std::fs::read(p)?)?;
            let pick = |cur: u16, old: u16| if cur == 0 { old } else { cur };
            ports = Ports {
                oidc: pick(ports.oidc, old.oidc),
                fulcio: pick(ports.fulcio, old.fulcio),
                rekor_v1: pick(ports.rekor_v1, old.rekor_v1),
                rekor_v2: pick(ports.rekor_v2, old.rekor_v2),
                tsa: pick(ports.tsa, old.tsa),
            };
        }
        let listeners = [
            bind(&config.bind, ports.oidc)?,
            bind(&config.bind, ports.fulcio)?,
            bind(&config.bind, ports.rekor_v1)?,
            bind(&config.bind, ports.rekor_v2)?,
            bind(&config.bind, ports.tsa)?,
        ];
        let mut addrs = Vec::new();
        for l in &listeners {
            addrs.push(l.local_addr()?);
        }
        let port_of = |i: usize| addrs.get(i).map(|a| a.port()).unwrap_or(0);
        let bound = Ports {
            oidc: port_of(0),
            fulcio: port_of(1),
            rekor_v1: port_of(2),
            rekor_v2: port_of(3),
            tsa: port_of(4),
        };
        if let Some(d) = &dir {
            std::fs::write(d.join("ports.json"), serde_json::to_vec(&bound)?)?;
        }
        let url = |port: u16| format!("http://{}:{port}", config.bind);
        let urls = Urls {
            oidc: url(bound.oidc),
            fulcio: url(bound.fulcio),
            rekor_v1: url(bound.rekor_v1),
            rekor_v2: url(bound.rekor_v2),
            tsa: url(bound.tsa),
        };
        let faults = Faults::new();
        let pki = Arc::new(pki::Pki::load_or_create(dir.as_deref(), now())?);
        let oidc = Arc::new(oidc::Oidc::new(
            urls.oidc.clone(),
            pki.oidc_key.clone(),
            faults.clone(),
        ));
        oidc.set_default_claims(config.default_identity.clone());
        let fulcio = Arc::new(fulcio::Fulcio {
            pki: pki.clone(),
            oidc: oidc.clone(),
            faults: faults.clone(),
        });
        let v1_host = match config.rekor_v1_host.clone() {
            Some(h) => h,
            None => persisted_string(
                dir.as_deref(),
                "rekor_v1_host",
                format!("{}:{}", config.bind, bound.rekor_v1),
            )?,
        };
        let v2_origin = match config.rekor_v2_origin.clone() {
            Some(h) => h,
            None => persisted_string(
                dir.as_deref(),
                "rekor_v2_origin",
                format!("{}:{}", config.bind, bound.rekor_v2),
            )?,
        };
        let rekor_v1 = Arc::new(rekor_v1::RekorV1 {
            log: Arc::new(log::Log::open(
                dir.as_ref().map(|d| d.join("rekor_v1")).as_deref(),
            )?),
            key: pki.rekor_v1_key.clone(),
            host: v1_host,
            tree_id: config.tree_id,
            faults: faults.clone(),
        });
        let rekor_v2 = Arc::new(rekor_v2::RekorV2 {
            log: Arc::new(log::Log::open(
                dir.as_ref().map(|d| d.join("rekor_v2")).as_deref(),
            )?),
            key: pki.rekor_v2_key.clone(),
            origin: v2_origin,
            faults: faults.clone(),
        });
        let tsa = Arc::new(tsa::Tsa {
            pki: pki.clone(),
            serial: AtomicU64::new(0),
        });
        let handlers: [(Service, Arc<dyn http::Handler>); 5] = [
            (Service::Oidc, oidc.clone()),
            (Service::Fulcio, fulcio),
            (Service::RekorV1, rekor_v1.clone()),
            (Service::RekorV2, rekor_v2.clone()),
            (Service::Tsa, tsa),
        ];
        let mut servers = Vec::new();
        for (listener, (service, handler)) in listeners.into_iter().zip(handlers) {
            servers.push(Server::start(listener, service, faults.clone(), handler)?);
        }
        let vs = VirtualSigstore {
            urls,
            faults,
            pki,
            oidc,
            rekor_v1,
            rekor_v2,
            dir,
            servers,
        };
        if let Some(d) = vs.dir.clone() {
            vs.write_trust_material(&d)?;
        }
        Ok(vs)
    }

    /// The services' base URLs.
    pub fn urls(&self) -> &Urls {
        &self.urls
    }

    /// The shared fault control.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// The state directory, if any.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// Mint an ID token from the issuer (`iss` = [`Urls::oidc`]); the `ExpiredToken` and
    /// `WrongAudience` faults apply.
    pub fn mint_token(&self, claims: &TokenClaims) -> Result<String, Error> {
        self.oidc.mint(claims, None)
    }

    /// Identity granted by the interactive flows from now on.
    pub fn set_default_identity(&self, claims: TokenClaims) {
        self.oidc.set_default_claims(claims);
    }

    /// Approve a pending device authorization (RFC 8628) by its user code, granting `claims`
    /// (or the default identity). Returns whether the code was found.
    pub fn approve_device(&self, user_code: &str, claims: Option<TokenClaims>) -> bool {
        self.oidc.approve_device(user_code, claims)
    }

    /// Size of the Rekor v1 log.
    pub fn rekor_v1_size(&self) -> u64 {
        self.rekor_v1.log.size()
    }

    /// Size of the Rekor v2 log.
    pub fn rekor_v2_size(&self) -> u64 {
        self.rekor_v2.log.size()
    }

    /// The Rekor v1 checkpoint origin (`"<host> - <treeID>"`).
    pub fn rekor_v1_origin(&self) -> String {
        format!("{} - {}", self.rekor_v1.host, self.rekor_v1.tree_id)
    }

    /// The Rekor v1 note key name (the host part of the origin).
    pub fn rekor_v1_key_name(&self) -> &str {
        &self.rekor_v1.host
    }

    /// The Rekor v2 checkpoint origin (also its note key name).
    pub fn rekor_v2_origin(&self) -> &str {
        &self.rekor_v2.origin
    }

    /// Public keys: Rekor v1 (ECDSA P-256).
    pub fn rekor_v1_public_key(&self) -> &sigstore_crypto::PublicKey {
        use sigstore_crypto::Signer as _;
        self.pki.rekor_v1_key.public_key()
    }

    /// Public keys: Rekor v2 (Ed25519).
    pub fn rekor_v2_public_key(&self) -> &sigstore_crypto::PublicKey {
        use sigstore_crypto::Signer as _;
        self.pki.rekor_v2_key.public_key()
    }

    /// The CT log key that signs SCTs (ECDSA P-256).
    pub fn ct_public_key(&self) -> &sigstore_crypto::PublicKey {
        use sigstore_crypto::Signer as _;
        self.pki.ct_key.public_key()
    }

    /// The OIDC issuer's token signing key (ES256).
    pub fn oidc_public_key(&self) -> &sigstore_crypto::PublicKey {
        self.oidc.public_key()
    }

    /// DER of the Fulcio CA chain: `[intermediate, root]`.
    pub fn fulcio_chain_der(&self) -> Vec<Vec<u8>> {
        vec![
            self.pki.fulcio_intermediate.der.clone(),
            self.pki.fulcio_root.der.clone(),
        ]
    }

    /// DER of the TSA chain: `[leaf, root]`.
    pub fn tsa_chain_der(&self) -> Vec<Vec<u8>> {
        vec![self.pki.tsa_leaf.der.clone(), self.pki.tsa_root.der.clone()]
    }

    /// Creation time of the instance's keys (start of every `validFor`).
    pub fn created(&self) -> i64 {
        self.pki.created
    }

    /// Stop all servers.
    pub fn shutdown(mut self) {
        for s in &mut self.servers {
            s.shutdown();
        }
    }
}
