//! Signing configuration (`dev.sigstore.trustroot.v1.SigningConfig`, media type v0.2) and the
//! client trust configuration that pairs it with a trusted root.

use serde_json::Value;

use crate::error::{Error, Result};
use crate::json::{self, DocKind, Json, JsonNulls, Nulls, Obj, ObjOut, Out, Path};
use crate::limits::MAX_TRUST_ROOT_BYTES;
use crate::trust_root::{TimeRange, TrustedRoot};

/// The accepted signing-config media type.
pub const SIGNING_CONFIG_MEDIA_TYPE: &str = "application/vnd.dev.sigstore.signingconfig.v0.2+json";
/// The accepted client-trust-config media type.
pub const CLIENT_TRUST_CONFIG_MEDIA_TYPE: &str =
    "application/vnd.dev.sigstore.clienttrustconfig.v0.1+json";

/// One service endpoint (`dev.sigstore.trustroot.v1.Service`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// `url`.
    pub url: String,
    /// `majorApiVersion` (a JSON number; for Rekor, 1 or 2).
    pub major_api_version: u32,
    /// `validFor`, if present.
    pub valid_for: Option<TimeRange>,
    /// `operator`, if present.
    pub operator: Option<String>,
    /// Keys written as explicit `null` in the parsed input (see [`JsonNulls`]).
    pub json_nulls: JsonNulls,
}

/// `selector` of a [`ServiceConfiguration`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServiceSelector {
    /// `ALL`: use every service.
    All,
    /// `ANY`: use one service.
    Any,
    /// `EXACT`: use exactly `count` services.
    Exact,
}

impl ServiceSelector {
    /// The protobuf enum name.
    pub fn name(self) -> &'static str {
        match self {
            ServiceSelector::All => "ALL",
            ServiceSelector::Any => "ANY",
            ServiceSelector::Exact => "EXACT",
        }
    }
}

/// `rekorTlogConfig` / `tsaConfig` (`dev.sigstore.trustroot.v1.ServiceConfiguration`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceConfiguration {
    /// `selector`.
    pub selector: ServiceSelector,
    /// `count`, if present (meaningful for `EXACT`).
    pub count: Option<u32>,
}

/// A signing configuration: which services a signer uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningConfig {
    /// `mediaType` ([`SIGNING_CONFIG_MEDIA_TYPE`]).
    pub media_type: String,
    /// `caUrls`: Fulcio instances.
    pub ca_urls: Vec<Service>,
    /// `oidcUrls`: OIDC providers.
    pub oidc_urls: Vec<Service>,
    /// `rekorTlogUrls`: Rekor instances.
    pub rekor_tlog_urls: Vec<Service>,
    /// `tsaUrls`: timestamp authorities.
    pub tsa_urls: Vec<Service>,
    /// `rekorTlogConfig`, if present.
    pub rekor_tlog_config: Option<ServiceConfiguration>,
    /// `tsaConfig`, if present.
    pub tsa_config: Option<ServiceConfiguration>,
}

fn read_u32(v: Json<'_>, at: Path<'_>) -> Result<u32> {
    v.as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| Error::Type {
            field: at.render(),
            expected: "a JSON number in the uint32 range",
        })
}

impl Service {
    fn read(v: Json<'_>, at: Path<'_>) -> Result<Self> {
        let mut o = Obj::new(
            v,
            at,
            &["url", "majorApiVersion", "validFor", "operator"],
            Nulls::Remember,
        )?;
        let url = o.str("url")?;
        let major_api_version = read_u32(o.req("majorApiVersion")?, at.key("majorApiVersion"))?;
        let valid_for = match o.opt("validFor")? {
            Some(v) => Some(TimeRange::read(v, at.key("validFor"))?),
            None => None,
        };
        let operator = o.opt_str("operator")?;
        Ok(Self {
            url,
            major_api_version,
            valid_for,
            operator,
            json_nulls: o.nulls(),
        })
    }

    fn to_out(&self) -> Out {
        ObjOut::new()
            .str("url", &self.url)
            .put(
                "majorApiVersion",
                Out::U64(u64::from(self.major_api_version)),
            )
            .opt(
                "validFor",
                self.valid_for.as_ref().map(TimeRange::to_out),
                &self.json_nulls,
            )
            .opt(
                "operator",
                self.operator.as_ref().map(|s| Out::Str(s.clone())),
                &self.json_nulls,
            )
            .done()
    }

    /// Whether `time` (Unix seconds) lies in `validFor` (closed interval). A service without
    /// `validFor` or without `start` is never current.
    pub fn is_valid_at(&self, time: i64) -> bool {
        let Some(range) = &self.valid_for else {
            return false;
        };
        let Some(start) = range.start_unix() else {
            return false;
        };
        start <= time && range.end_unix().is_none_or(|end| time <= end)
    }
}

impl ServiceConfiguration {
    fn read(v: Json<'_>, at: Path<'_>) -> Result<Self> {
        let mut o = Obj::new(v, at, &["selector", "count"], Nulls::Reject)?;
        let selector = match json::enum_name(
            o.req("selector")?,
            at.key("selector"),
            &["ALL", "ANY", "EXACT"],
        )? {
            "ALL" => ServiceSelector::All,
            "ANY" => ServiceSelector::Any,
            _ => ServiceSelector::Exact,
        };
        let count = o
            .opt("count")?
            .map(|v| read_u32(v, at.key("count")))
            .transpose()?;
        Ok(Self { selector, count })
    }

    fn to_out(&self) -> Out {
        let o = ObjOut::new().str("selector", self.selector.name());
        match self.count {
            Some(c) => o.put("count", Out::U64(u64::from(c))),
            None => o,
        }
        .done()
    }
}

impl SigningConfig {
    /// Parses a signing config's JSON text (at most [`MAX_TRUST_ROOT_BYTES`]). Only the v0.2
    /// media type is accepted; anything else is [`Error::UnknownMediaType`].
    pub fn from_json(input: &[u8]) -> Result<Self> {
        let v = json::parse_document(input, DocKind::SigningConfig, MAX_TRUST_ROOT_BYTES)?;
        Self::from_tree(v, Path::Root)
    }

    /// Reads a signing config from a file.
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Self> {
        let bytes = crate::read_file_limited(path.as_ref(), MAX_TRUST_ROOT_BYTES)?;
        Self::from_json(&bytes)
    }

    pub(crate) fn from_tree(v: Json<'_>, at: Path<'_>) -> Result<Self> {
        let mut o = Obj::new(
            v,
            at,
            &[
                "mediaType",
                "caUrls",
                "oidcUrls",
                "rekorTlogUrls",
                "tsaUrls",
                "rekorTlogConfig",
                "tsaConfig",
            ],
            Nulls::Reject,
        )?;
        let media_type = o.str("mediaType")?;
        if media_type != SIGNING_CONFIG_MEDIA_TYPE {
            return Err(Error::UnknownMediaType { found: media_type });
        }
        let ca_urls = o.opt_list("caUrls", Service::read)?;
        let oidc_urls = o.opt_list("oidcUrls", Service::read)?;
        let rekor_tlog_urls = o.opt_list("rekorTlogUrls", Service::read)?;
        let tsa_urls = o.opt_list("tsaUrls", Service::read)?;
        let rekor_tlog_config = o
            .opt("rekorTlogConfig")?
            .map(|v| ServiceConfiguration::read(v, at.key("rekorTlogConfig")))
            .transpose()?;
        let tsa_config = o
            .opt("tsaConfig")?
            .map(|v| ServiceConfiguration::read(v, at.key("tsaConfig")))
            .transpose()?;
        Ok(Self {
            media_type,
            ca_urls,
            oidc_urls,
            rekor_tlog_urls,
            tsa_urls,
            rekor_tlog_config,
            tsa_config,
        })
    }

    pub(crate) fn to_out(&self) -> Out {
        let list = |l: &[Service]| Out::Arr(l.iter().map(Service::to_out).collect());
        let mut o = ObjOut::new()
            .str("mediaType", &self.media_type)
            .put("caUrls", list(&self.ca_urls))
            .put("oidcUrls", list(&self.oidc_urls))
            .put("rekorTlogUrls", list(&self.rekor_tlog_urls))
            .put("tsaUrls", list(&self.tsa_urls));
        if let Some(c) = &self.rekor_tlog_config {
            o = o.put("rekorTlogConfig", c.to_out());
        }
        if let Some(c) = &self.tsa_config {
            o = o.put("tsaConfig", c.to_out());
        }
        o.done()
    }

    /// Serializes to compact JSON.
    pub fn to_json(&self) -> Vec<u8> {
        json::to_vec(&self.to_out())
    }

    /// Serializes to a `serde_json::Value`.
    pub fn to_value(&self) -> Value {
        json::to_value(&self.to_out())
    }
}

/// A client trust configuration: a trusted root plus a signing config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientTrustConfig {
    /// `mediaType` ([`CLIENT_TRUST_CONFIG_MEDIA_TYPE`]).
    pub media_type: String,
    /// `trustedRoot`.
    pub trusted_root: TrustedRoot,
    /// `signingConfig`.
    pub signing_config: SigningConfig,
}

impl ClientTrustConfig {
    /// Parses a client trust config's JSON text (at most [`MAX_TRUST_ROOT_BYTES`]).
    pub fn from_json(input: &[u8]) -> Result<Self> {
        let v = json::parse_document(input, DocKind::ClientTrustConfig, MAX_TRUST_ROOT_BYTES)?;
        let mut o = Obj::new(
            v,
            Path::Root,
            &["mediaType", "trustedRoot", "signingConfig"],
            Nulls::Reject,
        )?;
        let media_type = o.str("mediaType")?;
        if media_type != CLIENT_TRUST_CONFIG_MEDIA_TYPE {
            return Err(Error::UnknownMediaType { found: media_type });
        }
        let at = o.at();
        let trusted_root = TrustedRoot::from_tree(o.req("trustedRoot")?, at.key("trustedRoot"))?;
        let signing_config =
            SigningConfig::from_tree(o.req("signingConfig")?, at.key("signingConfig"))?;
        Ok(Self {
            media_type,
            trusted_root,
            signing_config,
        })
    }

    /// Reads a client trust config from a file.
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Self> {
        let bytes = crate::read_file_limited(path.as_ref(), MAX_TRUST_ROOT_BYTES)?;
        Self::from_json(&bytes)
    }

    pub(crate) fn to_out(&self) -> Out {
        ObjOut::new()
            .str("mediaType", &self.media_type)
            .put("trustedRoot", self.trusted_root.to_out())
            .put("signingConfig", self.signing_config.to_out())
            .done()
    }

    /// Serializes to compact JSON.
    pub fn to_json(&self) -> Vec<u8> {
        json::to_vec(&self.to_out())
    }

    /// Serializes to a `serde_json::Value`.
    pub fn to_value(&self) -> Value {
        json::to_value(&self.to_out())
    }
}
