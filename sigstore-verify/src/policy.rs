//! What the caller expects of a bundle's signer: identities, certificate extensions, managed
//! keys, predicate types, and combinations of them.

use std::fmt;

use regex::Regex;
use sigstore_crypto::PublicKey;

use crate::error::{AttestationProblem, PolicyProblem, VerifyError};
use crate::result::SignerIdentity;

/// Longest regular expression source accepted by a matcher.
pub const MAX_REGEX_LEN: usize = 4096;

/// Compiled-size limit for a matcher's regular expression (bytes), bounding the work a hostile
/// or careless pattern can cause.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Object identifiers of the Fulcio certificate extensions (`1.3.6.1.4.1.57264.1.*`), for
/// [`Policy::extension`].
pub mod oid {
    /// OIDC issuer, legacy raw-string form (`1.3.6.1.4.1.57264.1.1`).
    pub const ISSUER_V1: &str = "1.3.6.1.4.1.57264.1.1";
    /// GitHub workflow trigger (deprecated).
    pub const GITHUB_WORKFLOW_TRIGGER: &str = "1.3.6.1.4.1.57264.1.2";
    /// GitHub workflow SHA (deprecated).
    pub const GITHUB_WORKFLOW_SHA: &str = "1.3.6.1.4.1.57264.1.3";
    /// GitHub workflow name (deprecated).
    pub const GITHUB_WORKFLOW_NAME: &str = "1.3.6.1.4.1.57264.1.4";
    /// GitHub workflow repository (deprecated).
    pub const GITHUB_WORKFLOW_REPOSITORY: &str = "1.3.6.1.4.1.57264.1.5";
    /// GitHub workflow ref (deprecated).
    pub const GITHUB_WORKFLOW_REF: &str = "1.3.6.1.4.1.57264.1.6";
    /// OIDC issuer (DER UTF8String form).
    pub const ISSUER: &str = "1.3.6.1.4.1.57264.1.8";
    /// Build signer URI.
    pub const BUILD_SIGNER_URI: &str = "1.3.6.1.4.1.57264.1.9";
    /// Build signer digest.
    pub const BUILD_SIGNER_DIGEST: &str = "1.3.6.1.4.1.57264.1.10";
    /// Runner environment (`github-hosted`, `self-hosted`).
    pub const RUNNER_ENVIRONMENT: &str = "1.3.6.1.4.1.57264.1.11";
    /// Source repository URI.
    pub const SOURCE_REPOSITORY_URI: &str = "1.3.6.1.4.1.57264.1.12";
    /// Source repository digest.
    pub const SOURCE_REPOSITORY_DIGEST: &str = "1.3.6.1.4.1.57264.1.13";
    /// Source repository ref.
    pub const SOURCE_REPOSITORY_REF: &str = "1.3.6.1.4.1.57264.1.14";
    /// Source repository identifier.
    pub const SOURCE_REPOSITORY_IDENTIFIER: &str = "1.3.6.1.4.1.57264.1.15";
    /// Source repository owner URI.
    pub const SOURCE_REPOSITORY_OWNER_URI: &str = "1.3.6.1.4.1.57264.1.16";
    /// Source repository owner identifier.
    pub const SOURCE_REPOSITORY_OWNER_IDENTIFIER: &str = "1.3.6.1.4.1.57264.1.17";
    /// Build config URI.
    pub const BUILD_CONFIG_URI: &str = "1.3.6.1.4.1.57264.1.18";
    /// Build config digest.
    pub const BUILD_CONFIG_DIGEST: &str = "1.3.6.1.4.1.57264.1.19";
    /// Build trigger.
    pub const BUILD_TRIGGER: &str = "1.3.6.1.4.1.57264.1.20";
    /// Run invocation URI.
    pub const RUN_INVOCATION_URI: &str = "1.3.6.1.4.1.57264.1.21";
    /// Source repository visibility at signing.
    pub const SOURCE_REPOSITORY_VISIBILITY: &str = "1.3.6.1.4.1.57264.1.22";
}

/// A string matcher: an exact value or a fully anchored regular expression.
#[derive(Clone)]
pub struct Matcher(MatcherInner);

#[derive(Clone)]
enum MatcherInner {
    Exact(String),
    Regex { source: String, re: Regex },
}

impl Matcher {
    /// Match exactly `value` (byte-for-byte, case-sensitive).
    pub fn exact(value: impl Into<String>) -> Self {
        Matcher(MatcherInner::Exact(value.into()))
    }

    /// Match the regular expression `pattern` against the WHOLE value: it is compiled as
    /// `^(?:pattern)$`, so a pattern never matches a mere substring.
    pub fn regex(pattern: &str) -> Result<Self, VerifyError> {
        if pattern.len() > MAX_REGEX_LEN {
            return Err(VerifyError::Policy(PolicyProblem::Regex(
                regex::Error::CompiledTooBig(MAX_REGEX_LEN),
            )));
        }
        let re = regex::RegexBuilder::new(&format!("^(?:{pattern})$"))
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
            .map_err(|e| VerifyError::Policy(PolicyProblem::Regex(e)))?;
        Ok(Matcher(MatcherInner::Regex {
            source: pattern.to_owned(),
            re,
        }))
    }

    /// Whether `value` matches.
    pub fn is_match(&self, value: &str) -> bool {
        match &self.0 {
            MatcherInner::Exact(s) => s == value,
            MatcherInner::Regex { re, .. } => re.is_match(value),
        }
    }
}

impl fmt::Debug for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Matcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            MatcherInner::Exact(s) => write!(f, "{s:?}"),
            MatcherInner::Regex { source, .. } => write!(f, "regex {source:?}"),
        }
    }
}

/// The expected Subject Alternative Name of a Fulcio certificate (email, URI or other name).
#[derive(Debug, Clone)]
pub struct San(Matcher);

impl San {
    /// Exactly this SAN.
    pub fn exact(value: impl Into<String>) -> Self {
        San(Matcher::exact(value))
    }
    /// A SAN matching this fully anchored regular expression.
    pub fn regex(pattern: &str) -> Result<Self, VerifyError> {
        Matcher::regex(pattern).map(San)
    }
}

/// The expected OIDC issuer of a Fulcio certificate (extension `1.3.6.1.4.1.57264.1.8`, or the
/// legacy `1.3.6.1.4.1.57264.1.1` when only that one is present).
#[derive(Debug, Clone)]
pub struct Issuer(Matcher);

impl Issuer {
    /// Exactly this issuer URL.
    pub fn exact(value: impl Into<String>) -> Self {
        Issuer(Matcher::exact(value))
    }
    /// An issuer matching this fully anchored regular expression.
    pub fn regex(pattern: &str) -> Result<Self, VerifyError> {
        Matcher::regex(pattern).map(Issuer)
    }
}

/// A long-lived ("managed") public key, optionally valid only inside a time window: every
/// verified signature time must fall inside it (CVE-2026-54787).
#[derive(Debug, Clone)]
pub struct ManagedKey {
    key: PublicKey,
    not_before: Option<i64>,
    not_after: Option<i64>,
}

impl ManagedKey {
    /// A key with no validity window.
    pub fn new(key: PublicKey) -> Self {
        ManagedKey {
            key,
            not_before: None,
            not_after: None,
        }
    }

    /// A key valid from `not_before` to `not_after` inclusive (Unix seconds; `None` = unbounded
    /// on that side).
    pub fn with_validity(
        key: PublicKey,
        not_before: Option<i64>,
        not_after: Option<i64>,
    ) -> Result<Self, VerifyError> {
        if let (Some(a), Some(b)) = (not_before, not_after) {
            if a > b {
                return Err(VerifyError::Policy(PolicyProblem::Window));
            }
        }
        Ok(ManagedKey {
            key,
            not_before,
            not_after,
        })
    }

    /// A key with no validity window, from a PEM `PUBLIC KEY` block.
    pub fn from_pem(pem: &str) -> Result<Self, VerifyError> {
        PublicKey::from_pem(pem)
            .map(ManagedKey::new)
            .map_err(|e| VerifyError::Policy(PolicyProblem::Key(e)))
    }

    /// The key.
    pub fn key(&self) -> &PublicKey {
        &self.key
    }

    /// Whether `time` lies inside the validity window.
    pub fn valid_at(&self, time: i64) -> bool {
        self.not_before.is_none_or(|s| time >= s) && self.not_after.is_none_or(|e| time <= e)
    }
}

impl From<PublicKey> for ManagedKey {
    fn from(key: PublicKey) -> Self {
        ManagedKey::new(key)
    }
}

/// What the caller expects of a bundle. There is deliberately no default: a policy always says
/// who (or which key) must have signed, or spells out [`Policy::dangerous_any_identity`].
#[derive(Debug, Clone)]
pub struct Policy(Node);

#[derive(Debug, Clone)]
enum Node {
    Identity { san: San, issuer: Issuer },
    Extension { oid: String, matcher: Matcher },
    Key(ManagedKey),
    PredicateType(String),
    AllOf(Vec<Node>),
    AnyOf(Vec<Node>),
    AnyIdentity,
}

/// Who signed a bundle, as the policy sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum SignerRef<'a> {
    /// A Fulcio certificate's identity.
    Certificate(&'a SignerIdentity),
    /// A managed key (one of the policy's keys), identified by its SPKI DER.
    Key(&'a PublicKey),
}

/// When a policy is evaluated: before the log entries (signer constraints only) or at the end
/// (everything, including the predicate type only known once the DSSE payload verified).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    Signer,
    Full,
}

/// What a policy is evaluated against.
pub(crate) struct Subject<'a> {
    pub signer: SignerRef<'a>,
    /// The in-toto predicate type, for DSSE bundles.
    pub predicate_type: Option<&'a str>,
    /// Every verified signature time.
    pub times: &'a [i64],
}

impl Policy {
    /// The signer's certificate must have this SAN and this OIDC issuer.
    pub fn identity(san: San, issuer: Issuer) -> Policy {
        Policy(Node::Identity { san, issuer })
    }

    /// The signer's certificate must carry the extension `oid` (dotted decimal, for example
    /// [`oid::SOURCE_REPOSITORY_URI`]) with a value matching `matcher`. Values are compared as
    /// the decoded strings Fulcio wrote. Combine with [`Policy::identity`] through
    /// [`Policy::all_of`].
    pub fn extension(oid: &str, matcher: Matcher) -> Result<Policy, VerifyError> {
        let valid = !oid.is_empty()
            && oid.split('.').count() >= 2
            && oid
                .split('.')
                .all(|arc| !arc.is_empty() && arc.bytes().all(|b| b.is_ascii_digit()));
        if !valid {
            return Err(VerifyError::Policy(PolicyProblem::Oid(oid.to_owned())));
        }
        Ok(Policy(Node::Extension {
            oid: oid.to_owned(),
            matcher,
        }))
    }

    /// The bundle must be signed with this managed key (and the signature times must fall in
    /// its validity window, if it has one). A public-key hint in the bundle is only a label: the
    /// key given here decides.
    pub fn public_key(key: impl Into<ManagedKey>) -> Policy {
        Policy(Node::Key(key.into()))
    }

    /// The bundle must be a DSSE attestation whose in-toto statement has exactly this
    /// `predicateType`. Constrains no signer by itself: combine it with an identity or key
    /// through [`Policy::all_of`].
    pub fn predicate_type(predicate_type: impl Into<String>) -> Policy {
        Policy(Node::PredicateType(predicate_type.into()))
    }

    /// Every member must hold. At least one member must constrain the signer.
    pub fn all_of(members: Vec<Policy>) -> Result<Policy, VerifyError> {
        if members.is_empty() {
            return Err(VerifyError::Policy(PolicyProblem::Empty));
        }
        let node = Node::AllOf(members.into_iter().map(|p| p.0).collect());
        if !node.constrains_signer() {
            return Err(VerifyError::Policy(PolicyProblem::ConstrainsNothing));
        }
        Ok(Policy(node))
    }

    /// At least one member must hold. Every member must constrain the signer (otherwise the
    /// combination would accept anyone).
    pub fn any_of(members: Vec<Policy>) -> Result<Policy, VerifyError> {
        if members.is_empty() {
            return Err(VerifyError::Policy(PolicyProblem::Empty));
        }
        let node = Node::AnyOf(members.into_iter().map(|p| p.0).collect());
        if !node.constrains_signer() {
            return Err(VerifyError::Policy(PolicyProblem::ConstrainsNothing));
        }
        Ok(Policy(node))
    }

    /// Accept any certificate signer that chains to the trusted root. DANGEROUS: anyone with
    /// an OIDC account can obtain such a certificate. Only useful when the identity is checked
    /// elsewhere (for example by inspecting the [`crate::VerificationResult`]).
    pub fn dangerous_any_identity() -> Policy {
        Policy(Node::AnyIdentity)
    }

    /// Whether this policy, on its own, constrains who signed.
    pub fn constrains_signer(&self) -> bool {
        self.0.constrains_signer()
    }

    /// The managed keys this policy names (candidates for key-signed bundles).
    pub(crate) fn keys(&self) -> Vec<&ManagedKey> {
        let mut out = Vec::new();
        self.0.collect_keys(&mut out);
        out
    }

    /// Evaluate the policy; `Err` says why it does not hold.
    pub(crate) fn evaluate(&self, subject: &Subject<'_>, phase: Phase) -> Result<(), VerifyError> {
        if !self.0.constrains_signer() {
            return Err(VerifyError::Policy(PolicyProblem::ConstrainsNothing));
        }
        self.0.evaluate(subject, phase)
    }
}

fn describe_signer(signer: SignerRef<'_>) -> String {
    match signer {
        SignerRef::Certificate(id) => format!(
            "certificate for {:?} issued by {}",
            id.san,
            id.issuer
                .as_deref()
                .map_or_else(|| "no issuer extension".to_owned(), |i| format!("{i:?}"))
        ),
        SignerRef::Key(_) => "a public key".to_owned(),
    }
}

impl Node {
    fn constrains_signer(&self) -> bool {
        match self {
            Node::Identity { .. } | Node::Extension { .. } | Node::Key(_) | Node::AnyIdentity => {
                true
            }
            Node::PredicateType(_) => false,
            Node::AllOf(v) => v.iter().any(Node::constrains_signer),
            Node::AnyOf(v) => !v.is_empty() && v.iter().all(Node::constrains_signer),
        }
    }

    fn collect_keys<'a>(&'a self, out: &mut Vec<&'a ManagedKey>) {
        match self {
            Node::Key(k) => out.push(k),
            Node::AllOf(v) | Node::AnyOf(v) => v.iter().for_each(|n| n.collect_keys(out)),
            _ => {}
        }
    }

    fn evaluate(&self, s: &Subject<'_>, phase: Phase) -> Result<(), VerifyError> {
        match self {
            Node::AnyIdentity => match s.signer {
                SignerRef::Certificate(_) => Ok(()),
                SignerRef::Key(_) => Err(VerifyError::IdentityMismatch {
                    expected: "any certificate identity".to_owned(),
                    found: describe_signer(s.signer),
                }),
            },
            Node::Identity { san, issuer } => {
                // Only a mismatch needs the description (formatting it costs ~1 µs a bundle).
                let expected = || format!("SAN {} with issuer {}", san.0, issuer.0);
                match s.signer {
                    SignerRef::Certificate(id) => {
                        let issuer_ok = id.issuer.as_deref().is_some_and(|i| issuer.0.is_match(i));
                        if san.0.is_match(&id.san) && issuer_ok {
                            Ok(())
                        } else {
                            Err(VerifyError::IdentityMismatch {
                                expected: expected(),
                                found: describe_signer(s.signer),
                            })
                        }
                    }
                    SignerRef::Key(_) => Err(VerifyError::IdentityMismatch {
                        expected: expected(),
                        found: describe_signer(s.signer),
                    }),
                }
            }
            Node::Extension { oid, matcher } => {
                let expected = || format!("extension {oid} = {matcher}");
                match s.signer {
                    SignerRef::Certificate(id) => match id.extensions.get(oid.as_str()) {
                        Some(v) if matcher.is_match(v) => Ok(()),
                        Some(v) => Err(VerifyError::IdentityMismatch {
                            expected: expected(),
                            found: format!("extension {oid} = {v:?}"),
                        }),
                        None => Err(VerifyError::IdentityMismatch {
                            expected: expected(),
                            found: format!("no extension {oid}"),
                        }),
                    },
                    SignerRef::Key(_) => Err(VerifyError::IdentityMismatch {
                        expected: expected(),
                        found: describe_signer(s.signer),
                    }),
                }
            }
            Node::Key(mk) => match s.signer {
                SignerRef::Key(k) if k == mk.key() => {
                    if let Some(t) = s.times.iter().find(|t| !mk.valid_at(**t)) {
                        return Err(VerifyError::KeyNotValidAt { time: *t });
                    }
                    Ok(())
                }
                _ => Err(VerifyError::IdentityMismatch {
                    expected: "the policy's public key".to_owned(),
                    found: describe_signer(s.signer),
                }),
            },
            Node::PredicateType(_) if phase == Phase::Signer => Ok(()),
            Node::PredicateType(want) => match s.predicate_type {
                Some(found) if found == want => Ok(()),
                found => Err(VerifyError::Attestation(
                    AttestationProblem::PredicateType {
                        expected: want.clone(),
                        found: found.unwrap_or("(not an attestation)").to_owned(),
                    },
                )),
            },
            Node::AllOf(v) => v.iter().try_for_each(|n| n.evaluate(s, phase)),
            Node::AnyOf(v) => {
                let mut first = None;
                for n in v {
                    match n.evaluate(s, phase) {
                        Ok(()) => return Ok(()),
                        Err(e) => {
                            if first.is_none() {
                                first = Some(e);
                            }
                        }
                    }
                }
                Err(first.unwrap_or(VerifyError::Policy(PolicyProblem::Empty)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    const SAN: &str = "https://github.com/org/repo/.github/workflows/rel.yml@refs/tags/v1";
    const ISS: &str = "https://token.actions.githubusercontent.com";

    fn id() -> SignerIdentity {
        let mut ext = BTreeMap::new();
        ext.insert(oid::ISSUER.to_owned(), ISS.to_owned());
        ext.insert(
            oid::RUNNER_ENVIRONMENT.to_owned(),
            "github-hosted".to_owned(),
        );
        SignerIdentity::new(SAN, Some(ISS.to_owned()), ext)
    }

    fn eval(p: &Policy, predicate: Option<&str>) -> Result<(), VerifyError> {
        let identity = id();
        p.evaluate(
            &Subject {
                signer: SignerRef::Certificate(&identity),
                predicate_type: predicate,
                times: &[100],
            },
            Phase::Full,
        )
    }

    #[test]
    fn regexes_are_fully_anchored() {
        let m = Matcher::regex("https://github.com/org/.*").unwrap();
        assert!(m.is_match(SAN));
        assert!(!m.is_match(&format!("x{SAN}")));
        let sub = Matcher::regex("org/repo").unwrap();
        assert!(!sub.is_match(SAN));
        // Alternation cannot escape the anchors.
        let alt = Matcher::regex("nothing|https").unwrap();
        assert!(!alt.is_match(SAN));
    }

    #[test]
    fn regex_limits() {
        assert!(matches!(
            Matcher::regex(&"a".repeat(MAX_REGEX_LEN + 1)),
            Err(VerifyError::Policy(PolicyProblem::Regex(_)))
        ));
        assert!(matches!(
            Matcher::regex("(a{1000}){1000}"),
            Err(VerifyError::Policy(PolicyProblem::Regex(_)))
        ));
    }

    #[test]
    fn identity_and_extensions() {
        eval(&Policy::identity(San::exact(SAN), Issuer::exact(ISS)), None).unwrap();
        assert!(matches!(
            eval(
                &Policy::identity(San::exact(SAN), Issuer::exact("https://x")),
                None
            ),
            Err(VerifyError::IdentityMismatch { .. })
        ));
        let env = |v: &str| Policy::extension(oid::RUNNER_ENVIRONMENT, Matcher::exact(v)).unwrap();
        eval(&env("github-hosted"), None).unwrap();
        assert!(matches!(
            eval(&env("self-hosted"), None),
            Err(VerifyError::IdentityMismatch { .. })
        ));
    }

    #[test]
    fn predicate_type_needs_an_attestation() {
        let p = Policy::all_of(vec![
            Policy::dangerous_any_identity(),
            Policy::predicate_type("https://slsa.dev/provenance/v1"),
        ])
        .unwrap();
        eval(&p, Some("https://slsa.dev/provenance/v1")).unwrap();
        assert!(matches!(
            eval(&p, None),
            Err(VerifyError::Attestation(
                AttestationProblem::PredicateType { .. }
            ))
        ));
        assert!(matches!(
            eval(&p, Some("https://other")),
            Err(VerifyError::Attestation(_))
        ));
    }

    #[test]
    fn key_policies_do_not_accept_certificates() {
        let signer = sigstore_crypto::KeySigner::generate_p256().unwrap();
        use sigstore_crypto::Signer as _;
        let key = signer.public_key().clone();
        let p = Policy::public_key(key.clone());
        assert!(matches!(
            eval(&p, None),
            Err(VerifyError::IdentityMismatch { .. })
        ));
        assert_eq!(p.keys().len(), 1);
        let windowed = ManagedKey::with_validity(key.clone(), Some(0), Some(50)).unwrap();
        let pw = Policy::public_key(windowed);
        let r = pw.evaluate(
            &Subject {
                signer: SignerRef::Key(&key),
                predicate_type: None,
                times: &[10, 100],
            },
            Phase::Full,
        );
        assert!(matches!(r, Err(VerifyError::KeyNotValidAt { time: 100 })));
    }

    #[test]
    fn construction_rules() {
        assert!(Policy::dangerous_any_identity().constrains_signer());
        assert!(!Policy::predicate_type("x").constrains_signer());
        for r in [
            Policy::all_of(vec![Policy::predicate_type("x")]),
            Policy::extension("", Matcher::exact("x")),
            Policy::extension("1.2.x", Matcher::exact("x")),
        ] {
            assert_eq!(r.unwrap_err().kind(), crate::VerifyErrorKind::Policy);
        }
        assert!(Policy::extension(oid::BUILD_TRIGGER, Matcher::exact("push")).is_ok());
    }
}
