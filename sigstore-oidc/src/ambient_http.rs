//! Ambient providers reached over HTTP: GitHub Actions and the Google Cloud metadata server.

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::http::{HttpClient, HttpConfig};
use crate::source::{parse_trimmed, Env, TokenSource};
use crate::token::IdentityToken;
use crate::url::{append_query, require_secure, strip_query};

/// GitHub Actions: applies when `ACTIONS_ID_TOKEN_REQUEST_URL` is set (or
/// `GITHUB_ACTIONS=true`). Sends `GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=<aud>` with
/// `Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN` and reads the token from the JSON
/// `{"value": ...}`. In a job without `permissions: id-token: write` the variables are
/// missing and the source reports [`Error::AmbientMisconfigured`].
pub struct GitHubActions {
    env: Arc<dyn Env>,
    audience: String,
    http: HttpConfig,
}

impl GitHubActions {
    /// A source reading `env`.
    pub fn new(env: Arc<dyn Env>, audience: &str, http: HttpConfig) -> Self {
        Self {
            env,
            audience: audience.to_owned(),
            http,
        }
    }
}

impl TokenSource for GitHubActions {
    fn name(&self) -> &'static str {
        "github-actions"
    }

    fn fetch(&self) -> Result<Option<IdentityToken>> {
        let url = self
            .env
            .var("ACTIONS_ID_TOKEN_REQUEST_URL")
            .filter(|v| !v.is_empty());
        let on_actions = self.env.var("GITHUB_ACTIONS").as_deref() == Some("true");
        let Some(url) = url else {
            if on_actions {
                return Err(Error::AmbientMisconfigured {
                    provider: "GitHub Actions",
                    missing: "ACTIONS_ID_TOKEN_REQUEST_URL (grant `permissions: id-token: write`)",
                });
            }
            return Ok(None);
        };
        let Some(bearer) = self
            .env
            .var("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
            .filter(|v| !v.is_empty())
        else {
            return Err(Error::AmbientMisconfigured {
                provider: "GitHub Actions",
                missing: "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
            });
        };
        require_secure(&url)?;
        let full = append_query(&url, &[("audience", &self.audience)]);
        let auth = format!("bearer {bearer}");
        let client = HttpClient::new(self.http.clone());
        let resp = client.get(
            &full,
            &[("Authorization", &auth), ("Accept", "application/json")],
        )?;
        if resp.status != 200 {
            return Err(Error::HttpStatus {
                url: strip_query(&url).to_owned(),
                status: resp.status,
            });
        }
        #[derive(serde::Deserialize)]
        struct Value {
            value: String,
        }
        let v: Value = serde_json::from_slice(&resp.body).map_err(|source| Error::Json {
            context: "GitHub Actions token response",
            source,
        })?;
        parse_trimmed(&v.value).map(Some)
    }
}

/// The Google Cloud metadata server's base URL.
pub const GCP_METADATA_BASE: &str = "http://metadata.google.internal";

/// The identity path below the metadata base URL.
pub const GCP_IDENTITY_PATH: &str =
    "/computeMetadata/v1/instance/service-accounts/default/identity";

/// Google Cloud metadata server: `GET <base>/computeMetadata/v1/instance/service-accounts/
/// default/identity?audience=<aud>&format=full` with `Metadata-Flavor: Google`; the body is
/// the token. The base URL is injectable (tests point it at a loopback stand-in).
pub struct GcpMetadata {
    base: String,
    audience: String,
    http: HttpConfig,
}

impl GcpMetadata {
    /// A source querying `base` (normally [`GCP_METADATA_BASE`]).
    pub fn new(base: &str, audience: &str, http: HttpConfig) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            audience: audience.to_owned(),
            http,
        }
    }

    /// The metadata base URL to use when running on Google Cloud, or `None` elsewhere:
    /// `http://$GCE_METADATA_HOST` when that variable is set, else [`GCP_METADATA_BASE`] when
    /// the DMI product name (`/sys/class/dmi/id/product_name`) starts with `Google`.
    pub fn detect(env: &dyn Env) -> Option<String> {
        if let Some(host) = env.var("GCE_METADATA_HOST").filter(|v| !v.is_empty()) {
            return Some(format!("http://{host}"));
        }
        std::fs::read_to_string("/sys/class/dmi/id/product_name")
            .ok()
            .filter(|s| s.trim_start().starts_with("Google"))
            .map(|_| GCP_METADATA_BASE.to_owned())
    }
}

impl TokenSource for GcpMetadata {
    fn name(&self) -> &'static str {
        "gcp-metadata"
    }

    fn fetch(&self) -> Result<Option<IdentityToken>> {
        let url = append_query(
            &format!("{}{}", self.base, GCP_IDENTITY_PATH),
            &[("audience", &self.audience), ("format", "full")],
        );
        let client = HttpClient::new(self.http.clone());
        let resp = client.get(&url, &[("Metadata-Flavor", "Google")])?;
        if resp.status != 200 {
            return Err(Error::HttpStatus {
                url: strip_query(&url).to_owned(),
                status: resp.status,
            });
        }
        let text = std::str::from_utf8(&resp.body).map_err(|_| Error::Malformed {
            why: "metadata server response is not UTF-8",
        })?;
        parse_trimmed(text).map(Some)
    }
}
