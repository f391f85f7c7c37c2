//! The signer identity Fulcio puts in a certificate: the subject alternative name, the OIDC
//! issuer and the `1.3.6.1.4.1.57264.1.*` extensions (Fulcio `docs/oid-info.md`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::cert::{OID_SUBJECT_ALT_NAME, OID_SUBJECT_ALT_NAME_DER};
use crate::der::{self, tag};
use crate::{Certificate, Error, VerifiedChain};

/// OID arc under which Fulcio defines its extensions.
pub const FULCIO_OID_PREFIX: &str = "1.3.6.1.4.1.57264.1.";
/// Issuer v1 (raw bytes, deprecated).
pub const OID_ISSUER_V1: &str = "1.3.6.1.4.1.57264.1.1";
/// Issuer v2 (DER UTF8String).
pub const OID_ISSUER_V2: &str = "1.3.6.1.4.1.57264.1.8";
/// otherName SAN type for usernames (`username!domain`-style identities).
pub const OID_OTHERNAME_SAN: &str = "1.3.6.1.4.1.57264.1.7";

/// The contents octets of the OID `1.3.6.1.4.1.57264.1` ([`FULCIO_OID_PREFIX`] without its
/// final dot).
const FULCIO_OID_PREFIX_DER: [u8; 9] = [0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xbf, 0x30, 0x01];

/// The `n` of an extension OID `1.3.6.1.4.1.57264.1.n` (contents octets, checked when the
/// certificate was parsed), if it has exactly that form and `n` fits a `u32`.
fn fulcio_arc(oid: &[u8]) -> Option<u32> {
    let arc = oid.strip_prefix(&FULCIO_OID_PREFIX_DER[..])?;
    let (last, leading) = arc.split_last()?;
    if last & 0x80 != 0 || leading.iter().any(|b| b & 0x80 == 0) {
        return None;
    }
    arc.iter().try_fold(0u32, |n, b| {
        n.checked_mul(128)?.checked_add(u32::from(b & 0x7f))
    })
}

/// Extensions 1.1-1.6 carry raw bytes (legacy form); 1.8 onwards carry a DER UTF8String.
fn is_raw_encoded(arc: u32) -> bool {
    matches!(arc, 1..=6)
}

/// A subject alternative name of a kind Fulcio issues.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "camelCase")]
pub enum SubjectAlternativeName {
    /// rfc822Name (email address).
    Email(String),
    /// uniformResourceIdentifier (e.g. a CI workflow URI or SPIFFE ID).
    Uri(String),
    /// otherName of type 1.3.6.1.4.1.57264.1.7 holding a UTF8String (username identities).
    OtherName(String),
}

impl SubjectAlternativeName {
    /// The name as text, whatever its kind.
    pub fn value(&self) -> &str {
        match self {
            SubjectAlternativeName::Email(s)
            | SubjectAlternativeName::Uri(s)
            | SubjectAlternativeName::OtherName(s) => s,
        }
    }
}

/// The Fulcio certificate extensions 1.3.6.1.4.1.57264.1.2 to .1.22, decoded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FulcioExtensions {
    /// .1.2 GitHub workflow trigger (deprecated, raw).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub github_workflow_trigger: Option<String>,
    /// .1.3 GitHub workflow SHA (deprecated, raw).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub github_workflow_sha: Option<String>,
    /// .1.4 GitHub workflow name (deprecated, raw).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub github_workflow_name: Option<String>,
    /// .1.5 GitHub workflow repository (deprecated, raw).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub github_workflow_repository: Option<String>,
    /// .1.6 GitHub workflow ref (deprecated, raw).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub github_workflow_ref: Option<String>,
    /// .1.9 build signer URI.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub build_signer_uri: Option<String>,
    /// .1.10 build signer digest.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub build_signer_digest: Option<String>,
    /// .1.11 runner environment.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub runner_environment: Option<String>,
    /// .1.12 source repository URI.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source_repository_uri: Option<String>,
    /// .1.13 source repository digest.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source_repository_digest: Option<String>,
    /// .1.14 source repository ref.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source_repository_ref: Option<String>,
    /// .1.15 source repository identifier.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source_repository_identifier: Option<String>,
    /// .1.16 source repository owner URI.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source_repository_owner_uri: Option<String>,
    /// .1.17 source repository owner identifier.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source_repository_owner_identifier: Option<String>,
    /// .1.18 build config URI.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub build_config_uri: Option<String>,
    /// .1.19 build config digest.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub build_config_digest: Option<String>,
    /// .1.20 build trigger.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub build_trigger: Option<String>,
    /// .1.21 run invocation URI.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub run_invocation_uri: Option<String>,
    /// .1.22 source repository visibility at signing.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source_repository_visibility_at_signing: Option<String>,
}

impl FulcioExtensions {
    fn slot(&mut self, arc: u32) -> Option<&mut Option<String>> {
        Some(match arc {
            2 => &mut self.github_workflow_trigger,
            3 => &mut self.github_workflow_sha,
            4 => &mut self.github_workflow_name,
            5 => &mut self.github_workflow_repository,
            6 => &mut self.github_workflow_ref,
            9 => &mut self.build_signer_uri,
            10 => &mut self.build_signer_digest,
            11 => &mut self.runner_environment,
            12 => &mut self.source_repository_uri,
            13 => &mut self.source_repository_digest,
            14 => &mut self.source_repository_ref,
            15 => &mut self.source_repository_identifier,
            16 => &mut self.source_repository_owner_uri,
            17 => &mut self.source_repository_owner_identifier,
            18 => &mut self.build_config_uri,
            19 => &mut self.build_config_digest,
            20 => &mut self.build_trigger,
            21 => &mut self.run_invocation_uri,
            22 => &mut self.source_repository_visibility_at_signing,
            _ => return None,
        })
    }
}

/// The identity of the signer as certified by Fulcio.
///
/// Exactly one subject alternative name is required (Fulcio issues one); a certificate with
/// two or more names is rejected with [`Error::MultipleSubjectAlternativeNames`] rather than
/// letting a policy match whichever name it likes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateIdentity {
    /// The single subject alternative name.
    pub san: SubjectAlternativeName,
    /// The OIDC issuer: extension .1.8 (UTF8String) when present, else legacy .1.1 (raw).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub issuer: Option<String>,
    /// The typed Fulcio extensions .1.2-.1.22.
    pub extensions: FulcioExtensions,
    /// Every Fulcio extension (1.3.6.1.4.1.57264.1.*) present, dotted OID -> decoded text
    /// (issuer .1.1/.1.8 included; unknown arcs included when they hold a UTF8String).
    pub extensions_by_oid: BTreeMap<String, String>,
}

impl CertificateIdentity {
    /// Reads the identity of a verified chain's leaf.
    pub fn from_verified_chain(chain: &VerifiedChain) -> Result<Self, Error> {
        Self::from_certificate(chain.leaf())
    }

    /// Reads the identity of `cert`. This does NOT validate the certificate; only trust
    /// identities read from a [`VerifiedChain`].
    pub fn from_certificate(cert: &Certificate) -> Result<Self, Error> {
        let san = single_san(cert)?;
        let mut extensions = FulcioExtensions::default();
        let mut by_oid = BTreeMap::new();
        for_each_extension(cert, |arc, oid, value| {
            if let Some(slot) = extensions.slot(arc) {
                *slot = Some(value.to_owned());
            }
            by_oid.insert(oid, value.to_owned());
        })?;
        let issuer = oidc_issuer(&by_oid).map(str::to_owned);
        Ok(CertificateIdentity {
            san,
            issuer,
            extensions,
            extensions_by_oid: by_oid,
        })
    }

    /// The decoded value of the Fulcio extension with this dotted OID, if present.
    pub fn extension(&self, oid: &str) -> Option<&str> {
        self.extensions_by_oid.get(oid).map(String::as_str)
    }
}

/// Every Fulcio extension (`1.3.6.1.4.1.57264.1.*`) of `cert`, dotted OID to decoded text:
/// the [`CertificateIdentity::extensions_by_oid`] of the certificate, without the typed copy
/// (for callers that only need the map). Extensions .1.1-.1.6 hold raw UTF-8; .1.8 onwards a
/// DER UTF8String, and one that does not is [`Error::MalformedExtension`] up to .1.22
/// (arcs past it that Fulcio does not define yet are skipped). This does NOT validate the
/// certificate; only trust extensions read from a [`VerifiedChain`]'s leaf.
pub fn extensions_by_oid(cert: &Certificate) -> Result<BTreeMap<String, String>, Error> {
    let mut by_oid = BTreeMap::new();
    for_each_extension(cert, |_, oid, value| {
        by_oid.insert(oid, value.to_owned());
    })?;
    Ok(by_oid)
}

/// Calls `f(arc, dotted OID, decoded text)` for every Fulcio extension of `cert` (see
/// [`extensions_by_oid`] for the encodings and what is refused).
fn for_each_extension(
    cert: &Certificate,
    mut f: impl FnMut(u32, String, &str),
) -> Result<(), Error> {
    for ext in cert.extension_refs() {
        let Some(arc) = fulcio_arc(ext.oid) else {
            continue;
        };
        let decoded = if is_raw_encoded(arc) {
            std::str::from_utf8(ext.value).map_err(|_| ())
        } else {
            utf8_string(ext.value)
        };
        let mut oid = String::with_capacity(FULCIO_OID_PREFIX.len() + 10);
        oid.push_str(FULCIO_OID_PREFIX);
        der::push_decimal(&mut oid, u64::from(arc));
        match decoded {
            Ok(v) => f(arc, oid, v),
            Err(()) if arc > 22 => {}
            Err(()) => return Err(Error::MalformedExtension { oid }),
        }
    }
    Ok(())
}

/// The OIDC issuer among `extensions_by_oid` (as [`extensions_by_oid`] gives them): extension
/// .1.8 when present, else the legacy .1.1.
pub fn oidc_issuer(extensions_by_oid: &BTreeMap<String, String>) -> Option<&str> {
    extensions_by_oid
        .get(OID_ISSUER_V2)
        .or_else(|| extensions_by_oid.get(OID_ISSUER_V1))
        .map(String::as_str)
}

/// The single subject alternative name of `cert` (see [`CertificateIdentity`]: two or more
/// are refused). This does NOT validate the certificate.
pub fn subject_alternative_name(cert: &Certificate) -> Result<SubjectAlternativeName, Error> {
    single_san(cert)
}

fn utf8_string(value: &[u8]) -> Result<&str, ()> {
    let s = der::expect_only(value, tag::UTF8_STRING).map_err(|_| ())?;
    std::str::from_utf8(s.value).map_err(|_| ())
}

fn ia5(value: &[u8]) -> Option<String> {
    if value.is_ascii() {
        String::from_utf8(value.to_vec()).ok()
    } else {
        None
    }
}

/// Reads every name of the subjectAltName extension and requires exactly one.
pub(crate) fn single_san(cert: &Certificate) -> Result<SubjectAlternativeName, Error> {
    let ext = cert
        .extension_ref(&OID_SUBJECT_ALT_NAME_DER)
        .ok_or(Error::MissingSubjectAlternativeName)?;
    let malformed = || Error::MalformedExtension {
        oid: OID_SUBJECT_ALT_NAME.to_owned(),
    };
    let seq = der::expect_only(ext.value, tag::SEQUENCE).map_err(|_| malformed())?;
    let mut rest = seq.value;
    let mut names: Vec<Result<SubjectAlternativeName, &'static str>> = Vec::new();
    while !rest.is_empty() {
        let (name, after) = der::read_tlv(rest).map_err(|_| malformed())?;
        rest = after;
        let parsed = match name.tag {
            0x81 => Ok(SubjectAlternativeName::Email(
                ia5(name.value).ok_or_else(malformed)?,
            )),
            0x86 => Ok(SubjectAlternativeName::Uri(
                ia5(name.value).ok_or_else(malformed)?,
            )),
            0xa0 => {
                let (oid, inner) = der::expect(name.value, tag::OID).map_err(|_| malformed())?;
                let oid = der::decode_oid(oid.value).map_err(|_| malformed())?;
                if oid == OID_OTHERNAME_SAN {
                    let wrapped =
                        der::expect_only(inner, tag::CONTEXT_0).map_err(|_| malformed())?;
                    let text = utf8_string(wrapped.value).map_err(|_| malformed())?;
                    Ok(SubjectAlternativeName::OtherName(text.to_owned()))
                } else {
                    Err("otherName")
                }
            }
            0x82 => Err("dNSName"),
            0x87 => Err("iPAddress"),
            0xa4 => Err("directoryName"),
            0x88 => Err("registeredID"),
            0xa3 => Err("x400Address"),
            0xa5 => Err("ediPartyName"),
            _ => return Err(malformed()),
        };
        names.push(parsed);
    }
    match names.len() {
        0 => Err(Error::MissingSubjectAlternativeName),
        1 => match names.pop() {
            Some(Ok(san)) => Ok(san),
            Some(Err(kind)) => Err(Error::UnsupportedSubjectAlternativeName(kind)),
            None => Err(Error::MissingSubjectAlternativeName),
        },
        count => Err(Error::MultipleSubjectAlternativeNames { count }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fulcio_prefix_encoding_is_the_dotted_prefix() {
        assert_eq!(
            der::decode_oid(&FULCIO_OID_PREFIX_DER).unwrap() + ".",
            FULCIO_OID_PREFIX
        );
    }

    /// `fulcio_arc` on the encoding agrees with reading the dotted text: the text after
    /// [`FULCIO_OID_PREFIX`], as a `u32`.
    #[test]
    fn fulcio_arcs_agree_with_the_dotted_text() {
        let cases = [
            ("1.3.6.1.4.1.57264.1.1", Some(1)),
            ("1.3.6.1.4.1.57264.1.8", Some(8)),
            ("1.3.6.1.4.1.57264.1.22", Some(22)),
            ("1.3.6.1.4.1.57264.1.0", Some(0)),
            ("1.3.6.1.4.1.57264.1.127", Some(127)),
            ("1.3.6.1.4.1.57264.1.128", Some(128)),
            ("1.3.6.1.4.1.57264.1.4294967295", Some(u32::MAX)),
            ("1.3.6.1.4.1.57264.1.4294967296", None),
            ("1.3.6.1.4.1.57264.1.99999999999", None),
            ("1.3.6.1.4.1.57264.1.8.1", None),
            ("1.3.6.1.4.1.57264.1.300.5", None),
            ("1.3.6.1.4.1.57264.1", None),
            ("1.3.6.1.4.1.57264.2.8", None),
            ("1.3.6.1.4.1.57264.11.8", None),
            ("1.3.6.1.4.1.57265.1.8", None),
            ("2.5.29.17", None),
        ];
        for (dotted, arc) in cases {
            let text = dotted
                .strip_prefix(FULCIO_OID_PREFIX)
                .and_then(|a| a.parse::<u32>().ok());
            assert_eq!(text, arc, "{dotted}");
            assert_eq!(
                fulcio_arc(&der::encode_oid(dotted).unwrap()),
                arc,
                "{dotted}"
            );
        }
    }
}
