//! Network sources and flows (feature `client`) against loopback stand-ins started inside
//! the tests: GitHub Actions and GCP metadata endpoints, OIDC discovery, the browser flow
//! (authorization code + PKCE, `state`, `nonce`) and the device flow (RFC 8628).
#![cfg(feature = "client")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{claims, jwt, set_param, Issuer, IssuerConfig, Poll, Response, Server};
use serde_json::json;
use sigstore_oidc::{
    resolve, BrowserFlow, BrowserOpener, CodeReader, DeviceAuthorization, DeviceFlow, Error,
    GcpMetadata, GcpMode, GitHubActions, HttpConfig, MapEnv, ProviderMetadata, ResolveConfig,
    TokenSource, MAX_RESPONSE_BYTES,
};

fn fast_http() -> HttpConfig {
    HttpConfig {
        timeout: Duration::from_secs(5),
        max_retries: 2,
        backoff: Duration::from_millis(10),
        ..HttpConfig::default()
    }
}

fn sigstore_token(sub: &str) -> String {
    let mut c = claims("https://token.actions.githubusercontent.com", "sigstore");
    c["sub"] = json!(sub);
    c["email"] = serde_json::Value::Null;
    jwt(&c)
}

// ---------------------------------------------------------------- GitHub Actions

fn github_server(token: String) -> Server {
    Server::start(Arc::new(move |req| {
        if req.path != "/idtoken"
            || req.q("api-version").as_deref() != Some("2.0")
            || req.q("audience").as_deref() != Some("sigstore")
            || req.header("authorization") != Some("bearer request-token-xyz")
        {
            return Response::text(403, "forbidden");
        }
        Response::json(200, &json!({ "count": 1, "value": token }))
    }))
}

fn github_env(base: &str) -> MapEnv {
    MapEnv::new()
        .with("GITHUB_ACTIONS", "true")
        .with(
            "ACTIONS_ID_TOKEN_REQUEST_URL",
            &format!("{base}/idtoken?api-version=2.0"),
        )
        .with("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "request-token-xyz")
}

#[test]
fn github_actions_token() {
    let server = github_server(sigstore_token("repo:org/app:ref:refs/heads/main"));
    let mut c = ResolveConfig::new();
    c.env = Arc::new(github_env(&server.base));
    c.http = fast_http();
    c.gcp = GcpMode::Disabled;
    let t = resolve(&c).unwrap();
    assert_eq!(t.identity(), "repo:org/app:ref:refs/heads/main");
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn github_actions_errors() {
    // On Actions without `id-token: write`.
    let gh = GitHubActions::new(
        Arc::new(MapEnv::new().with("GITHUB_ACTIONS", "true")),
        "sigstore",
        fast_http(),
    );
    assert!(matches!(
        gh.fetch(),
        Err(Error::AmbientMisconfigured {
            provider: "GitHub Actions",
            ..
        })
    ));
    // Not on Actions at all.
    let gh = GitHubActions::new(Arc::new(MapEnv::new()), "sigstore", fast_http());
    assert!(gh.fetch().unwrap().is_none());
    // Wrong bearer -> 403.
    let server = github_server(sigstore_token("x"));
    let env = github_env(&server.base).with("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "wrong");
    let gh = GitHubActions::new(Arc::new(env), "sigstore", fast_http());
    assert!(matches!(
        gh.fetch(),
        Err(Error::HttpStatus { status: 403, .. })
    ));
    // Body without `value`.
    let bad = Server::start(Arc::new(|_| Response::json(200, &json!({"nope": 1}))));
    let gh = GitHubActions::new(Arc::new(github_env(&bad.base)), "sigstore", fast_http());
    assert!(matches!(gh.fetch(), Err(Error::Json { .. })));
    // Plain http to a non-loopback host is refused before any request.
    let env = github_env("http://example.invalid");
    let gh = GitHubActions::new(Arc::new(env), "sigstore", fast_http());
    assert!(matches!(gh.fetch(), Err(Error::InvalidUrl { .. })));
}

#[test]
fn retries_on_5xx_then_succeeds() {
    let hits = Arc::new(AtomicU32::new(0));
    let h = hits.clone();
    let token = sigstore_token("retried");
    let server = Server::start(Arc::new(move |_| {
        if h.fetch_add(1, Ordering::SeqCst) < 2 {
            Response::text(503, "busy")
        } else {
            Response::json(200, &json!({ "value": token }))
        }
    }));
    let gh = GitHubActions::new(Arc::new(github_env(&server.base)), "sigstore", fast_http());
    assert_eq!(gh.fetch().unwrap().unwrap().identity(), "retried");
    assert_eq!(hits.load(Ordering::SeqCst), 3);
}

#[test]
fn retries_are_bounded() {
    let hits = Arc::new(AtomicU32::new(0));
    let h = hits.clone();
    let server = Server::start(Arc::new(move |_| {
        h.fetch_add(1, Ordering::SeqCst);
        Response::text(500, "down")
    }));
    let gh = GitHubActions::new(Arc::new(github_env(&server.base)), "sigstore", fast_http());
    assert!(matches!(
        gh.fetch(),
        Err(Error::HttpStatus { status: 500, .. })
    ));
    assert_eq!(hits.load(Ordering::SeqCst), 3); // 1 + max_retries
}

#[test]
fn connection_refused_is_transport_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let gh = GitHubActions::new(
        Arc::new(github_env(&format!("http://127.0.0.1:{port}"))),
        "sigstore",
        fast_http(),
    );
    assert!(matches!(gh.fetch(), Err(Error::Transport { .. })));
}

#[test]
fn oversized_response_rejected() {
    let server = Server::start(Arc::new(|_| {
        Response::text(
            200,
            &"x".repeat(usize::try_from(MAX_RESPONSE_BYTES).unwrap() + 10),
        )
    }));
    let gcp = GcpMetadata::new(&server.base, "sigstore", fast_http());
    assert!(matches!(gcp.fetch(), Err(Error::ResponseTooLarge { .. })));
}

// ---------------------------------------------------------------- GCP metadata server

#[test]
fn gcp_metadata_token() {
    let token = sigstore_token("gcp-sa@project.iam.gserviceaccount.com");
    let server = Server::start(Arc::new(move |req| {
        if req.path != "/computeMetadata/v1/instance/service-accounts/default/identity"
            || req.header("metadata-flavor") != Some("Google")
            || req.q("audience").as_deref() != Some("sigstore")
            || req.q("format").as_deref() != Some("full")
        {
            return Response::text(403, "no");
        }
        Response::text(200, &token)
    }));
    let mut c = ResolveConfig::new();
    c.env = Arc::new(MapEnv::new());
    c.http = fast_http();
    c.gcp = GcpMode::Base(server.base.clone());
    assert_eq!(
        resolve(&c).unwrap().identity(),
        "gcp-sa@project.iam.gserviceaccount.com"
    );
    // Detection through GCE_METADATA_HOST.
    let host = server.base.trim_start_matches("http://");
    assert_eq!(
        GcpMetadata::detect(&MapEnv::new().with("GCE_METADATA_HOST", host)),
        Some(server.base.clone())
    );
    let mut c = ResolveConfig::new();
    c.env = Arc::new(MapEnv::new().with("GCE_METADATA_HOST", host));
    c.http = fast_http();
    assert_eq!(
        resolve(&c).unwrap().identity(),
        "gcp-sa@project.iam.gserviceaccount.com"
    );
}

// ---------------------------------------------------------------- discovery

#[test]
fn discovery_good_and_bad() {
    let issuer = Issuer::start(IssuerConfig::default());
    let m = ProviderMetadata::discover(&issuer.issuer(), &fast_http()).unwrap();
    assert_eq!(m.issuer, issuer.issuer());
    assert_eq!(m.token_endpoint, format!("{}/token", issuer.issuer()));
    assert!(m.device_authorization_endpoint.is_some());
    assert!(m.jwks_uri.is_some());
    // Trailing slash differs from the document's issuer: exact match required.
    let with_slash = format!("{}/", issuer.issuer());
    assert!(matches!(
        ProviderMetadata::discover(&with_slash, &fast_http()),
        Err(Error::IssuerMismatch { .. })
    ));
}

#[test]
fn discovery_document_rules() {
    let doc = |v: serde_json::Value| v.to_string().into_bytes();
    let iss = "https://issuer.example";
    assert!(matches!(
        ProviderMetadata::from_json(
            &doc(
                json!({"issuer": "https://evil.example", "token_endpoint": "https://issuer.example/t"})
            ),
            iss
        ),
        Err(Error::IssuerMismatch { .. })
    ));
    assert!(matches!(
        ProviderMetadata::from_json(&doc(json!({"issuer": iss})), iss),
        Err(Error::MissingEndpoint {
            endpoint: "token_endpoint"
        })
    ));
    assert!(matches!(
        ProviderMetadata::from_json(
            &doc(json!({"issuer": iss, "token_endpoint": "http://issuer.example/t"})),
            iss
        ),
        Err(Error::InvalidUrl { .. })
    ));
    assert!(matches!(
        ProviderMetadata::from_json(b"not json", iss),
        Err(Error::Json { .. })
    ));
    let m = ProviderMetadata::from_json(
        &doc(json!({"issuer": iss, "token_endpoint": "https://issuer.example/t", "extra": [1]})),
        iss,
    )
    .unwrap();
    assert!(m.authorization_endpoint.is_none());
}

#[test]
fn discovery_refuses_cross_host_redirect() {
    let issuer = Issuer::start(IssuerConfig::default());
    let target = issuer.issuer();
    // Same host, other port: a different origin.
    let redirector = Server::start(Arc::new(move |req| {
        Response::redirect(&format!("{target}{}", req.path))
    }));
    assert!(matches!(
        ProviderMetadata::discover(&redirector.base, &fast_http()),
        Err(Error::CrossHostRedirect { .. })
    ));
    // A same-origin redirect is followed.
    let base = Arc::new(Mutex::new(String::new()));
    let b2 = base.clone();
    let same = Server::start(Arc::new(move |req| {
        let b = b2.lock().unwrap().clone();
        if req.path == "/.well-known/openid-configuration" {
            Response::redirect("/moved")
        } else {
            Response::json(
                200,
                &json!({"issuer": b, "token_endpoint": format!("{b}/token")}),
            )
        }
    }));
    *base.lock().unwrap() = same.base.clone();
    let m = ProviderMetadata::discover(&same.base, &fast_http()).unwrap();
    assert_eq!(m.issuer, same.base);
    // Redirect loops end.
    let looping = Server::start(Arc::new(|_| Response::redirect("/again")));
    assert!(matches!(
        ProviderMetadata::discover(&looping.base, &fast_http()),
        Err(Error::TooManyRedirects { .. })
    ));
}

// ---------------------------------------------------------------- browser flow

/// Acts as the user's browser: GETs the authorization URL (optionally altered), reads the
/// redirect, optionally alters it, and delivers it to the loopback listener.
struct FollowOpener {
    alter_request: fn(String) -> String,
    alter_callback: fn(String) -> String,
}

impl FollowOpener {
    fn honest() -> Box<Self> {
        Box::new(Self {
            alter_request: |u| u,
            alter_callback: |u| u,
        })
    }
}

fn fetch_location(url: &str) -> String {
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    let resp = agent.get(url).call().unwrap();
    assert_eq!(
        resp.status(),
        302,
        "authorization endpoint did not redirect"
    );
    resp.header("location").unwrap().to_owned()
}

impl BrowserOpener for FollowOpener {
    fn open(&self, url: &str) -> sigstore_oidc::Result<()> {
        let location = fetch_location(&(self.alter_request)(url.to_owned()));
        let callback = (self.alter_callback)(location);
        // The listener answers 400 for a rejected callback; that is not our concern here.
        let _ = ureq::get(&callback).call();
        Ok(())
    }
}

fn browser(issuer: &Issuer, opener: Box<dyn BrowserOpener>) -> BrowserFlow {
    let m = ProviderMetadata::discover(&issuer.issuer(), &fast_http()).unwrap();
    BrowserFlow::new(m, "sigstore")
        .client_secret("")
        .opener(opener)
        .http(fast_http())
        .timeout(Duration::from_secs(10))
}

#[test]
fn browser_flow_good() {
    let issuer = Issuer::start(IssuerConfig::default());
    let t = browser(&issuer, FollowOpener::honest()).run().unwrap();
    assert_eq!(t.identity(), "ci@example.com");
    assert_eq!(t.issuer(), issuer.issuer());
    assert_eq!(issuer.token_exchanges(), 1);
    // The authorization request carried PKCE S256, state, nonce and a loopback redirect.
    let reqs = issuer.server.requests();
    let auth = reqs.iter().find(|r| r.path == "/authorize").unwrap();
    assert_eq!(auth.q("code_challenge_method").as_deref(), Some("S256"));
    assert_eq!(auth.q("code_challenge").unwrap().len(), 43);
    assert!(auth.q("state").unwrap().len() >= 43);
    assert!(auth.q("nonce").unwrap().len() >= 43);
    let redirect = auth.q("redirect_uri").unwrap();
    assert!(redirect.starts_with("http://127.0.0.1:") && redirect.ends_with("/auth/callback"));
    let tok = reqs.iter().find(|r| r.path == "/token").unwrap().form();
    assert_eq!(tok["code_verifier"].len(), 43);
    assert_eq!(tok["client_secret"], "");
}

#[test]
fn browser_flow_wrong_state_is_rejected_before_exchange() {
    let issuer = Issuer::start(IssuerConfig::default());
    let opener = Box::new(FollowOpener {
        alter_request: |u| u,
        alter_callback: |u| set_param(&u, "state", Some("attacker-state")),
    });
    assert!(matches!(
        browser(&issuer, opener).run(),
        Err(Error::StateMismatch { missing: false })
    ));
    assert_eq!(issuer.token_exchanges(), 0);
}

#[test]
fn browser_flow_missing_state_is_rejected_before_exchange() {
    let issuer = Issuer::start(IssuerConfig::default());
    let opener = Box::new(FollowOpener {
        alter_request: |u| u,
        alter_callback: |u| set_param(&u, "state", None),
    });
    assert!(matches!(
        browser(&issuer, opener).run(),
        Err(Error::StateMismatch { missing: true })
    ));
    assert_eq!(issuer.token_exchanges(), 0);
}

#[test]
fn browser_flow_pkce_mismatch_rejected_by_server() {
    let issuer = Issuer::start(IssuerConfig::default());
    let opener = Box::new(FollowOpener {
        // An attacker-chosen challenge: our verifier will not match it.
        alter_request: |u| {
            set_param(
                &u,
                "code_challenge",
                Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"),
            )
        },
        alter_callback: |u| u,
    });
    match browser(&issuer, opener).run() {
        Err(Error::TokenEndpoint { error, .. }) => assert_eq!(error, "invalid_grant"),
        other => panic!("expected TokenEndpoint(invalid_grant), got {other:?}"),
    }
    assert_eq!(issuer.token_exchanges(), 1);
}

#[test]
fn browser_flow_expired_token() {
    let issuer = Issuer::start(IssuerConfig {
        expired_token: true,
        ..IssuerConfig::default()
    });
    assert!(matches!(
        browser(&issuer, FollowOpener::honest()).run(),
        Err(Error::Expired { .. })
    ));
}

#[test]
fn browser_flow_wrong_nonce() {
    let issuer = Issuer::start(IssuerConfig {
        wrong_nonce: true,
        ..IssuerConfig::default()
    });
    assert!(matches!(
        browser(&issuer, FollowOpener::honest()).run(),
        Err(Error::NonceMismatch)
    ));
}

#[test]
fn browser_flow_error_redirect() {
    let issuer = Issuer::start(IssuerConfig::default());
    let opener = Box::new(FollowOpener {
        alter_request: |u| u,
        alter_callback: |u| {
            let u = set_param(&u, "code", None);
            set_param(&u, "error", Some("access_denied"))
        },
    });
    match browser(&issuer, opener).run() {
        Err(Error::AuthorizationFailed { error, .. }) => assert_eq!(error, "access_denied"),
        other => panic!("expected AuthorizationFailed, got {other:?}"),
    }
}

#[test]
fn browser_flow_ignores_other_paths_then_times_out() {
    struct Prober;
    impl BrowserOpener for Prober {
        fn open(&self, url: &str) -> sigstore_oidc::Result<()> {
            // Hit the listener on another path (like a favicon request); it must keep waiting.
            let q = url.split_once('?').unwrap().1;
            let redirect = common::decode_query(q)
                .into_iter()
                .find(|(k, _)| k == "redirect_uri")
                .unwrap()
                .1;
            let other = redirect.replace("/auth/callback", "/favicon.ico");
            let status = match ureq::get(&other).call() {
                Err(ureq::Error::Status(s, _)) => s,
                Ok(r) => r.status(),
                Err(e) => panic!("{e}"),
            };
            assert_eq!(status, 404);
            Ok(())
        }
    }
    let issuer = Issuer::start(IssuerConfig::default());
    let start = std::time::Instant::now();
    let r = browser(&issuer, Box::new(Prober))
        .timeout(Duration::from_millis(500))
        .run();
    assert!(matches!(r, Err(Error::CallbackTimeout { .. })), "{r:?}");
    assert!(start.elapsed() < Duration::from_secs(5));
    assert_eq!(issuer.token_exchanges(), 0);
}

/// Paste-the-code fallback: the "user" reads the code off the issuer's page (here: the
/// out-of-band redirect) and types it in.
struct PastingUser {
    paste_full_url: bool,
}

struct QuietOpener;
impl BrowserOpener for QuietOpener {
    fn open(&self, _url: &str) -> sigstore_oidc::Result<()> {
        Ok(())
    }
}

impl CodeReader for PastingUser {
    fn read_code(&self, authorization_url: &str) -> sigstore_oidc::Result<String> {
        let location = fetch_location(authorization_url);
        assert!(location.starts_with("urn:ietf:wg:oauth:2.0:oob"));
        if self.paste_full_url {
            return Ok(format!("{location}\n"));
        }
        let q = location.split_once('?').unwrap().1;
        let code = common::decode_query(q)
            .into_iter()
            .find(|(k, _)| k == "code")
            .unwrap()
            .1;
        Ok(format!("{code}\n"))
    }
}

#[test]
fn browser_flow_out_of_band_paste() {
    for paste_full_url in [false, true] {
        let issuer = Issuer::start(IssuerConfig::default());
        let t = browser(&issuer, Box::new(QuietOpener))
            .out_of_band(Box::new(PastingUser { paste_full_url }))
            .run()
            .unwrap();
        assert_eq!(t.identity(), "ci@example.com");
        let tok = issuer
            .server
            .requests()
            .into_iter()
            .find(|r| r.path == "/token")
            .unwrap()
            .form();
        assert_eq!(tok["redirect_uri"], "urn:ietf:wg:oauth:2.0:oob");
    }
}

#[test]
fn browser_flow_as_interactive_source() {
    let issuer = Issuer::start(IssuerConfig::default());
    let mut c = ResolveConfig::new();
    c.env = Arc::new(MapEnv::new());
    c.gcp = GcpMode::Disabled;
    c.audience = "sigstore".into();
    c.interactive
        .push(Box::new(browser(&issuer, FollowOpener::honest())));
    assert_eq!(resolve(&c).unwrap().identity(), "ci@example.com");
}

// ---------------------------------------------------------------- device flow

fn device(issuer: &Issuer, shown: Arc<Mutex<Vec<DeviceAuthorization>>>) -> DeviceFlow {
    let m = ProviderMetadata::discover(&issuer.issuer(), &fast_http()).unwrap();
    DeviceFlow::new(m, "sigstore")
        .http(fast_http())
        .poll_unit(Duration::from_millis(20))
        .prompt(Box::new(move |d| shown.lock().unwrap().push(d.clone())))
}

fn device_issuer(script: Vec<Poll>) -> Issuer {
    Issuer::start(IssuerConfig {
        device_script: script,
        device_interval: 2,
        ..IssuerConfig::default()
    })
}

#[test]
fn device_flow_pending_then_success() {
    let issuer = device_issuer(vec![
        Poll::Error("authorization_pending"),
        Poll::Error("authorization_pending"),
        Poll::Success,
    ]);
    let shown = Arc::new(Mutex::new(Vec::new()));
    let t = device(&issuer, shown.clone()).run().unwrap();
    assert_eq!(t.identity(), "ci@example.com");
    let shown = shown.lock().unwrap();
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0].user_code, "ABCD-EFGH");
    assert!(shown[0].verification_uri_complete.is_some());
    let polls = issuer.poll_times();
    assert_eq!(polls.len(), 3);
    // interval 2 * 20 ms
    assert!(polls[1] - polls[0] >= Duration::from_millis(35));
}

#[test]
fn device_flow_slow_down_increases_interval() {
    let issuer = device_issuer(vec![
        Poll::Error("slow_down"),
        Poll::Error("authorization_pending"),
        Poll::Success,
    ]);
    device(&issuer, Arc::new(Mutex::new(Vec::new())))
        .run()
        .unwrap();
    let polls = issuer.poll_times();
    assert_eq!(polls.len(), 3);
    // After slow_down the interval is 2 + 5 = 7 units = 140 ms.
    assert!(polls[1] - polls[0] >= Duration::from_millis(130));
}

#[test]
fn device_flow_denied() {
    let issuer = device_issuer(vec![
        Poll::Error("authorization_pending"),
        Poll::Error("access_denied"),
    ]);
    assert!(matches!(
        device(&issuer, Arc::new(Mutex::new(Vec::new()))).run(),
        Err(Error::AccessDenied)
    ));
}

#[test]
fn device_flow_expired() {
    let issuer = device_issuer(vec![Poll::Error("expired_token")]);
    assert!(matches!(
        device(&issuer, Arc::new(Mutex::new(Vec::new()))).run(),
        Err(Error::DeviceCodeExpired)
    ));
}

#[test]
fn device_flow_deadline() {
    let issuer = device_issuer(vec![Poll::Error("authorization_pending"); 1000]);
    let start = std::time::Instant::now();
    let r = device(&issuer, Arc::new(Mutex::new(Vec::new())))
        .deadline(Duration::from_millis(300))
        .run();
    assert!(matches!(r, Err(Error::DeadlineExceeded { .. })), "{r:?}");
    assert!(start.elapsed() < Duration::from_secs(3));
}

#[test]
fn device_flow_other_error_and_expired_id_token() {
    let issuer = device_issuer(vec![Poll::Error("invalid_client")]);
    match device(&issuer, Arc::new(Mutex::new(Vec::new()))).run() {
        Err(Error::TokenEndpoint { error, .. }) => assert_eq!(error, "invalid_client"),
        other => panic!("{other:?}"),
    }
    let issuer = Issuer::start(IssuerConfig {
        device_interval: 1,
        expired_token: true,
        ..IssuerConfig::default()
    });
    assert!(matches!(
        device(&issuer, Arc::new(Mutex::new(Vec::new()))).run(),
        Err(Error::Expired { .. })
    ));
}

#[test]
fn device_flow_needs_endpoint() {
    let issuer = Issuer::start(IssuerConfig {
        no_device_endpoint: true,
        ..IssuerConfig::default()
    });
    assert!(matches!(
        device(&issuer, Arc::new(Mutex::new(Vec::new()))).run(),
        Err(Error::MissingEndpoint {
            endpoint: "device_authorization_endpoint"
        })
    ));
}

#[test]
fn callback_listener_bounds_requests() {
    struct Flooder;
    impl BrowserOpener for Flooder {
        fn open(&self, url: &str) -> sigstore_oidc::Result<()> {
            use std::io::{Read, Write};
            let q = url.split_once('?').unwrap().1;
            let redirect = common::decode_query(q)
                .into_iter()
                .find(|(k, _)| k == "redirect_uri")
                .unwrap()
                .1;
            let addr = redirect
                .trim_start_matches("http://")
                .split('/')
                .next()
                .unwrap()
                .to_owned();
            // An endless request head larger than MAX_CALLBACK_REQUEST_BYTES, then a POST.
            let big = format!(
                "GET /auth/callback?code=x&state={} HTTP/1.1\r\n",
                "a".repeat(sigstore_oidc::MAX_CALLBACK_REQUEST_BYTES + 100)
            );
            for request in [big, "POST /auth/callback HTTP/1.1\r\n\r\n".to_owned()] {
                let mut s = std::net::TcpStream::connect(&addr).unwrap();
                let _ = s.write_all(request.as_bytes());
                let mut resp = String::new();
                let _ = s.read_to_string(&mut resp);
                assert!(resp.starts_with("HTTP/1.1 400"), "{resp:?}");
            }
            Ok(())
        }
    }
    let issuer = Issuer::start(IssuerConfig::default());
    let r = browser(&issuer, Box::new(Flooder))
        .timeout(Duration::from_millis(700))
        .run();
    assert!(matches!(r, Err(Error::CallbackTimeout { .. })), "{r:?}");
    assert_eq!(issuer.token_exchanges(), 0);
}

#[test]
fn device_flow_caps_huge_interval() {
    let issuer = Issuer::start(IssuerConfig {
        device_interval: u64::MAX,
        ..IssuerConfig::default()
    });
    let m = ProviderMetadata::discover(&issuer.issuer(), &fast_http()).unwrap();
    let start = std::time::Instant::now();
    // MAX_INTERVAL_SECONDS (60) units of 2 ms.
    DeviceFlow::new(m, "sigstore")
        .http(fast_http())
        .poll_unit(Duration::from_millis(2))
        .prompt(Box::new(|_| {}))
        .run()
        .unwrap();
    assert!(start.elapsed() < Duration::from_secs(2));
    assert_eq!(sigstore_oidc::MAX_INTERVAL_SECONDS, 60);
}
