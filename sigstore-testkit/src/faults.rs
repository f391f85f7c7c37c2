//! Faults on demand: a shared, thread-safe list of rules the servers consult on every request.
//!
//! Transport faults (status codes, delays, truncated or oversized bodies) are applied by the
//! HTTP layer to any service; semantic faults are applied by the service they concern.

use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};

/// The services of the virtual Sigstore.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    /// The OIDC issuer.
    Oidc,
    /// Fulcio v2.
    Fulcio,
    /// Rekor v1.
    RekorV1,
    /// Rekor v2.
    RekorV2,
    /// The RFC 3161 timestamp authority.
    Tsa,
}

impl Service {
    /// All services.
    pub const ALL: [Service; 5] = [
        Service::Oidc,
        Service::Fulcio,
        Service::RekorV1,
        Service::RekorV2,
        Service::Tsa,
    ];

    /// Short name (`oidc`, `fulcio`, `rekor_v1`, `rekor_v2`, `tsa`).
    pub fn name(self) -> &'static str {
        match self {
            Service::Oidc => "oidc",
            Service::Fulcio => "fulcio",
            Service::RekorV1 => "rekor_v1",
            Service::RekorV2 => "rekor_v2",
            Service::Tsa => "tsa",
        }
    }
}

/// One fault. Serialized as `{"kind": "...", ...}` for the `POST /__faults` admin endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Fault {
    /// Answer with this HTTP status (e.g. 503) and a JSON error body instead of serving.
    ServerError {
        /// The status code.
        status: u16,
    },
    /// Sleep this long before answering (to go past a client's deadline).
    Delay {
        /// Milliseconds.
        millis: u64,
    },
    /// Announce the full `Content-Length` but send only half of the body, then close.
    TruncatedBody,
    /// Pad the body (JSON whitespace after it) to at least this many bytes.
    OversizedBody {
        /// Total body size in bytes.
        bytes: usize,
    },
    /// Rekor: the inclusion proof in responses has one hash altered.
    WrongInclusionProof,
    /// Rekor: checkpoints come from a different tree of the same size (a fork), correctly
    /// signed.
    ForkedLog,
    /// Rekor: the logged entry differs from the submission (another signature), and the
    /// response (with a valid SET and proof) describes that entry.
    AlteredEntry,
    /// Fulcio: the certificate binds a freshly generated key, not the requester's.
    CertificateForOtherKey,
    /// Fulcio: the certificate names another identity (`other@testkit.invalid`).
    CertificateForOtherIdentity,
    /// OIDC: issued tokens are already expired.
    ExpiredToken,
    /// OIDC: issued tokens have audience `not-sigstore`.
    WrongAudience,
    /// OIDC: `/authorize` redirects with a `state` that differs from the request's.
    WrongState,
}

/// A fault bound to a service (or all, when `service` is `None`), optionally a number of times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultRule {
    /// The service it applies to; `None` for every service.
    #[serde(default)]
    pub service: Option<Service>,
    /// The fault.
    pub fault: Fault,
    /// How many requests it applies to; `None` for always.
    #[serde(default)]
    pub times: Option<u32>,
}

/// The shared fault control. Cloning shares the same rules.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    rules: Arc<Mutex<Vec<FaultRule>>>,
}

impl Faults {
    /// No faults.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Vec<FaultRule>> {
        match self.rules.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Add a fault for `service` that applies to every request until cleared.
    pub fn always(&self, service: Service, fault: Fault) {
        self.add(FaultRule {
            service: Some(service),
            fault,
            times: None,
        });
    }

    /// Add a fault for `service` that applies to the next `times` matching requests.
    pub fn times(&self, service: Service, fault: Fault, times: u32) {
        self.add(FaultRule {
            service: Some(service),
            fault,
            times: Some(times),
        });
    }

    /// Add a rule.
    pub fn add(&self, rule: FaultRule) {
        self.lock().push(rule);
    }

    /// Remove every rule.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// The current rules.
    pub fn rules(&self) -> Vec<FaultRule> {
        self.lock().clone()
    }

    /// Find the first rule for `service` whose fault `pick` selects, consume one use of it and
    /// return what `pick` returned.
    pub(crate) fn take<T>(
        &self,
        service: Service,
        pick: impl Fn(&Fault) -> Option<T>,
    ) -> Option<T> {
        let mut rules = self.lock();
        let pos = rules.iter().position(|r| {
            r.service.is_none_or(|s| s == service)
                && r.times.is_none_or(|t| t > 0)
                && pick(&r.fault).is_some()
        })?;
        let rule = rules.get_mut(pos)?;
        let out = pick(&rule.fault);
        if let Some(t) = rule.times.as_mut() {
            *t = t.saturating_sub(1);
            if *t == 0 {
                rules.remove(pos);
            }
        }
        out
    }

    /// Consume one use of a fault equal to `fault` for `service`; whether there was one.
    pub(crate) fn hit(&self, service: Service, fault: &Fault) -> bool {
        self.take(service, |f| (f == fault).then_some(())).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_rules_expire() {
        let f = Faults::new();
        f.times(Service::Fulcio, Fault::ServerError { status: 503 }, 2);
        let pick = |x: &Fault| match x {
            Fault::ServerError { status } => Some(*status),
            _ => None,
        };
        assert_eq!(f.take(Service::RekorV1, pick), None);
        assert_eq!(f.take(Service::Fulcio, pick), Some(503));
        assert_eq!(f.take(Service::Fulcio, pick), Some(503));
        assert_eq!(f.take(Service::Fulcio, pick), None);
        assert!(f.rules().is_empty());
    }

    #[test]
    fn rule_json_shape() {
        let rule: FaultRule = serde_json::from_str(
            r#"{"service":"rekor_v1","fault":{"kind":"server_error","status":500},"times":1}"#,
        )
        .unwrap();
        assert_eq!(rule.service, Some(Service::RekorV1));
        assert_eq!(rule.fault, Fault::ServerError { status: 500 });
    }
}
