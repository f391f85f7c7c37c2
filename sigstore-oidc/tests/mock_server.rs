//! Interop against the real npm package `oauth2-mock-server` (version pinned in
//! `tests/js/package.json`, locked in `tests/js/package-lock.json`).
//!
//! Install before running: `npm ci --prefix sigstore-oidc/tests/js` (from the workspace
//! root). Needs `node` (>= 20.19). Without `tests/js/node_modules` these tests print a notice
//! and return, except under `CI=true`, where they fail.
//!
//! What oauth2-mock-server supports, and so what is tested here: OIDC discovery, the
//! authorization code grant with PKCE (S256 verified at the token endpoint), `state` echoed
//! on the redirect, `nonce` copied into the ID token. It does NOT implement the device
//! authorization grant (no `device_authorization_endpoint` in its discovery document, no
//! device endpoint, the device-code grant type is refused); the tests check that the device
//! flow fails with a typed error against it.
#![cfg(feature = "client")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{require_or_skip, set_param};
use sigstore_oidc::{
    BrowserFlow, BrowserOpener, CodeReader, DeviceFlow, Error, HttpConfig, ProviderMetadata,
};

fn js_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/js")
}

/// A running oauth2-mock-server; killed on drop.
struct MockIssuer {
    child: Child,
    issuer: String,
}

impl Drop for MockIssuer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(flags: &[&str]) -> Option<MockIssuer> {
    let installed = js_dir()
        .join("node_modules/oauth2-mock-server/package.json")
        .is_file();
    if !require_or_skip(
        "oauth2-mock-server (run `npm ci --prefix sigstore-oidc/tests/js`)",
        installed,
    ) {
        return None;
    }
    let node_ok = Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !require_or_skip("node", node_ok) {
        return None;
    }
    let mut child = Command::new("node")
        .arg("mock-issuer.mjs")
        .args(flags)
        .current_dir(js_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let v: serde_json::Value = serde_json::from_str(&line)
        .unwrap_or_else(|e| panic!("mock-issuer.mjs printed {line:?}: {e}"));
    let issuer = v["issuer"].as_str().unwrap().to_owned();
    assert!(issuer.starts_with("http://127.0.0.1:"));
    Some(MockIssuer { child, issuer })
}

fn http() -> HttpConfig {
    HttpConfig {
        timeout: Duration::from_secs(10),
        max_retries: 1,
        backoff: Duration::from_millis(50),
        ..HttpConfig::default()
    }
}

fn location_of(url: &str) -> String {
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    let resp = agent.get(url).call().unwrap();
    assert_eq!(resp.status(), 302);
    resp.header("location").unwrap().to_owned()
}

struct FollowOpener {
    alter_request: fn(String) -> String,
    alter_callback: fn(String) -> String,
    seen: Arc<Mutex<Vec<String>>>,
}

impl BrowserOpener for FollowOpener {
    fn open(&self, url: &str) -> sigstore_oidc::Result<()> {
        self.seen.lock().unwrap().push(url.to_owned());
        let location = location_of(&(self.alter_request)(url.to_owned()));
        let _ = ureq::get(&(self.alter_callback)(location)).call();
        Ok(())
    }
}

fn opener(
    alter_request: fn(String) -> String,
    alter_callback: fn(String) -> String,
) -> Box<FollowOpener> {
    Box::new(FollowOpener {
        alter_request,
        alter_callback,
        seen: Arc::new(Mutex::new(Vec::new())),
    })
}

fn flow(m: &MockIssuer, o: Box<dyn BrowserOpener>) -> BrowserFlow {
    let meta = ProviderMetadata::discover(&m.issuer, &http()).unwrap();
    BrowserFlow::new(meta, "sigstore")
        .client_secret("")
        .opener(o)
        .http(http())
        .timeout(Duration::from_secs(20))
}

#[test]
fn mock_discovery() {
    let Some(m) = start(&[]) else { return };
    let meta = ProviderMetadata::discover(&m.issuer, &http()).unwrap();
    assert_eq!(meta.issuer, m.issuer);
    assert_eq!(meta.token_endpoint, format!("{}/token", m.issuer));
    assert_eq!(
        meta.authorization_endpoint.as_deref(),
        Some(format!("{}/authorize", m.issuer).as_str())
    );
    assert!(meta.jwks_uri.is_some());
    // No device grant in oauth2-mock-server.
    assert!(meta.device_authorization_endpoint.is_none());
    // The server calls itself by this exact issuer string; a different spelling is refused.
    let localhost = m.issuer.replace("127.0.0.1", "localhost");
    assert!(matches!(
        ProviderMetadata::discover(&localhost, &http()),
        Err(Error::IssuerMismatch { .. })
    ));
}

#[test]
fn mock_browser_flow_good() {
    let Some(m) = start(&[]) else { return };
    let t = flow(&m, opener(|u| u, |u| u)).run().unwrap();
    assert_eq!(t.issuer(), m.issuer);
    assert_eq!(t.identity(), "johndoe");
    assert_eq!(t.audience(), ["sigstore".to_owned()]);
    assert!(t.claims().nonce.is_some());
}

#[test]
fn mock_browser_flow_email_identity() {
    let Some(m) = start(&["--email"]) else { return };
    let t = flow(&m, opener(|u| u, |u| u)).run().unwrap();
    assert_eq!(t.identity(), "johndoe@example.com");
}

#[test]
fn mock_browser_flow_bad_state() {
    let Some(m) = start(&[]) else { return };
    let r = flow(
        &m,
        opener(|u| u, |u| set_param(&u, "state", Some("forged"))),
    )
    .run();
    assert!(
        matches!(r, Err(Error::StateMismatch { missing: false })),
        "{r:?}"
    );
}

#[test]
fn mock_browser_flow_missing_state() {
    let Some(m) = start(&[]) else { return };
    // Drop `state` from the authorization request: oauth2-mock-server then sends none back.
    let r = flow(&m, opener(|u| set_param(&u, "state", None), |u| u)).run();
    assert!(
        matches!(r, Err(Error::StateMismatch { missing: true })),
        "{r:?}"
    );
}

#[test]
fn mock_browser_flow_pkce_mismatch() {
    let Some(m) = start(&[]) else { return };
    let r = flow(
        &m,
        opener(
            |u| {
                set_param(
                    &u,
                    "code_challenge",
                    Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"),
                )
            },
            |u| u,
        ),
    )
    .run();
    match r {
        // oauth2-mock-server answers 400 invalid_request "code_verifier provided does not
        // match code_challenge".
        Err(Error::TokenEndpoint { error, description }) => {
            assert_eq!(error, "invalid_request");
            assert!(description.unwrap_or_default().contains("code_challenge"));
        }
        other => panic!("expected TokenEndpoint, got {other:?}"),
    }
}

#[test]
fn mock_browser_flow_expired_token() {
    let Some(m) = start(&["--expired"]) else {
        return;
    };
    let r = flow(&m, opener(|u| u, |u| u)).run();
    assert!(matches!(r, Err(Error::Expired { .. })), "{r:?}");
}

struct Paster;
impl CodeReader for Paster {
    fn read_code(&self, authorization_url: &str) -> sigstore_oidc::Result<String> {
        // The "user" follows the link and copies the whole redirect URL.
        Ok(location_of(authorization_url))
    }
}

#[test]
fn mock_browser_flow_out_of_band() {
    let Some(m) = start(&[]) else { return };
    struct Quiet;
    impl BrowserOpener for Quiet {
        fn open(&self, _url: &str) -> sigstore_oidc::Result<()> {
            Ok(())
        }
    }
    let t = flow(&m, Box::new(Quiet))
        .out_of_band(Box::new(Paster))
        .run()
        .unwrap();
    assert_eq!(t.identity(), "johndoe");
}

#[test]
fn mock_device_flow_unsupported() {
    let Some(m) = start(&[]) else { return };
    let meta = ProviderMetadata::discover(&m.issuer, &http()).unwrap();
    assert!(matches!(
        DeviceFlow::new(meta, "sigstore").http(http()).run(),
        Err(Error::MissingEndpoint {
            endpoint: "device_authorization_endpoint"
        })
    ));
    // Pointing the flow at a guessed endpoint: the server has none.
    let meta = ProviderMetadata::new(
        &m.issuer,
        None,
        &format!("{}/token", m.issuer),
        Some(&format!("{}/device/code", m.issuer)),
    )
    .unwrap();
    assert!(matches!(
        DeviceFlow::new(meta, "sigstore").http(http()).run(),
        Err(Error::HttpStatus { status: 404, .. })
    ));
}
