//! OpenID Connect Discovery 1.0 (§3, §4): the issuer's `/.well-known/openid-configuration`.

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::url::require_secure;

/// The discovery path appended to the issuer URL (OIDC Discovery §4).
pub const WELL_KNOWN_PATH: &str = "/.well-known/openid-configuration";

/// The endpoints this crate uses from an issuer's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProviderMetadata {
    /// `issuer`; equal to the configured issuer (checked, OIDC Discovery §4.3).
    pub issuer: String,
    /// `authorization_endpoint` (needed by the browser flow).
    pub authorization_endpoint: Option<String>,
    /// `token_endpoint`.
    pub token_endpoint: String,
    /// `device_authorization_endpoint` (RFC 8628 §4; needed by the device flow).
    pub device_authorization_endpoint: Option<String>,
    /// `jwks_uri`.
    pub jwks_uri: Option<String>,
}

#[derive(Deserialize)]
struct Raw {
    issuer: Option<String>,
    authorization_endpoint: Option<String>,
    token_endpoint: Option<String>,
    device_authorization_endpoint: Option<String>,
    jwks_uri: Option<String>,
}

impl ProviderMetadata {
    /// Builds metadata by hand (for issuers without discovery, and tests). Every endpoint
    /// must be `https` (or `http` to a loopback host).
    pub fn new(
        issuer: &str,
        authorization_endpoint: Option<&str>,
        token_endpoint: &str,
        device_authorization_endpoint: Option<&str>,
    ) -> Result<Self> {
        let m = Self {
            issuer: issuer.to_owned(),
            authorization_endpoint: authorization_endpoint.map(str::to_owned),
            token_endpoint: token_endpoint.to_owned(),
            device_authorization_endpoint: device_authorization_endpoint.map(str::to_owned),
            jwks_uri: None,
        };
        m.check_urls()?;
        Ok(m)
    }

    fn check_urls(&self) -> Result<()> {
        require_secure(&self.issuer)?;
        require_secure(&self.token_endpoint)?;
        for u in [
            &self.authorization_endpoint,
            &self.device_authorization_endpoint,
            &self.jwks_uri,
        ]
        .into_iter()
        .flatten()
        {
            require_secure(u)?;
        }
        Ok(())
    }

    /// Parses a discovery document. Its `issuer` must equal `expected_issuer` exactly
    /// (byte for byte, so a trailing-slash difference is a mismatch); `token_endpoint` is
    /// required; all URLs must be `https` (or `http` to loopback).
    pub fn from_json(json: &[u8], expected_issuer: &str) -> Result<Self> {
        let raw: Raw = serde_json::from_slice(json).map_err(|source| Error::Json {
            context: "OIDC discovery document",
            source,
        })?;
        let issuer = raw.issuer.unwrap_or_default();
        if issuer != expected_issuer {
            return Err(Error::IssuerMismatch {
                expected: expected_issuer.to_owned(),
                found: issuer,
            });
        }
        let token_endpoint = raw.token_endpoint.ok_or(Error::MissingEndpoint {
            endpoint: "token_endpoint",
        })?;
        let m = Self {
            issuer,
            authorization_endpoint: raw.authorization_endpoint,
            token_endpoint,
            device_authorization_endpoint: raw.device_authorization_endpoint,
            jwks_uri: raw.jwks_uri,
        };
        m.check_urls()?;
        Ok(m)
    }

    /// Fetches and checks `<issuer>/.well-known/openid-configuration` (a trailing `/` on
    /// the issuer is not doubled). Redirects to another host are refused.
    #[cfg(feature = "client")]
    pub fn discover(issuer: &str, http: &crate::http::HttpConfig) -> Result<Self> {
        require_secure(issuer)?;
        let url = format!("{}{}", issuer.trim_end_matches('/'), WELL_KNOWN_PATH);
        let client = crate::http::HttpClient::new(http.clone());
        let resp = client.get(&url, &[("Accept", "application/json")])?;
        if resp.status != 200 {
            return Err(Error::HttpStatus {
                url,
                status: resp.status,
            });
        }
        Self::from_json(&resp.body, issuer)
    }
}
