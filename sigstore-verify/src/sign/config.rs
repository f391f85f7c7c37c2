//! Service selection from a signing configuration v0.2.
//!
//! For each kind of service: keep the services valid at the signing time whose
//! `majorApiVersion` this signer speaks, keep only the highest such version (Rekor: 2 before
//! 1), keep one service per operator (the first listed; services without an operator are
//! each their own), then apply the selector: `ALL` takes every remaining service, `ANY` the
//! first one, `EXACT` the first `count` (fewer is an error).

use sigstore_bundle::{Service, ServiceConfiguration, ServiceSelector};

use super::error::{ConfigProblem, ServiceKind, SignError};

/// Fulcio's signingCert API as named in signing configs (`majorApiVersion` 1 = `/api/v2`).
pub const SUPPORTED_CA_VERSIONS: &[u32] = &[1];
/// Rekor major API versions this signer writes entries to.
pub const SUPPORTED_REKOR_VERSIONS: &[u32] = &[1, 2];
/// Timestamp authority API versions this signer speaks.
pub const SUPPORTED_TSA_VERSIONS: &[u32] = &[1];

/// Selects the services of one kind, as described in the module docs. `forced_version`
/// restricts the choice to one API version. With `required == false` an empty list is
/// returned when nothing is usable (the TSA is optional for Rekor v1).
pub(crate) fn select(
    services: &[Service],
    config: Option<&ServiceConfiguration>,
    supported: &[u32],
    forced_version: Option<u32>,
    now: i64,
    kind: ServiceKind,
    required: bool,
) -> Result<Vec<Service>, SignError> {
    let usable: Vec<&Service> = services
        .iter()
        .filter(|s| s.is_valid_at(now))
        .filter(|s| supported.contains(&s.major_api_version))
        .filter(|s| forced_version.is_none_or(|v| v == s.major_api_version))
        .collect();
    let Some(best) = usable.iter().map(|s| s.major_api_version).max() else {
        return if required {
            Err(SignError::Config(ConfigProblem::NoService {
                service: kind,
            }))
        } else {
            Ok(Vec::new())
        };
    };
    let mut seen_operators: Vec<&str> = Vec::new();
    let mut distinct: Vec<Service> = Vec::new();
    for s in usable.into_iter().filter(|s| s.major_api_version == best) {
        if let Some(op) = s.operator.as_deref().filter(|o| !o.is_empty()) {
            if seen_operators.contains(&op) {
                continue;
            }
            seen_operators.push(op);
        }
        distinct.push(s.clone());
    }
    let (selector, count) = match config {
        Some(c) => (c.selector, c.count),
        // Without a configuration, one service is enough.
        None => (ServiceSelector::Any, None),
    };
    let need = match selector {
        ServiceSelector::All => distinct.len(),
        ServiceSelector::Any => 1,
        ServiceSelector::Exact => match count {
            Some(c) if c > 0 => usize::try_from(c).unwrap_or(usize::MAX),
            _ => {
                return Err(SignError::Config(ConfigProblem::MissingCount {
                    service: kind,
                }))
            }
        },
    };
    if distinct.len() < need {
        return Err(SignError::Config(ConfigProblem::NotEnoughServices {
            service: kind,
            need,
            have: distinct.len(),
        }));
    }
    distinct.truncate(need);
    Ok(distinct)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sigstore_bundle::SigningConfig;

    fn svc(url: &str, v: u32, op: Option<&str>, start: &str, end: Option<&str>) -> String {
        let end = end.map_or(String::new(), |e| format!(r#","end":"{e}""#));
        let op = op.map_or(String::new(), |o| format!(r#","operator":"{o}""#));
        format!(
            r#"{{"url":"{url}","majorApiVersion":{v},"validFor":{{"start":"{start}"{end}}}{op}}}"#
        )
    }

    fn config(rekor: &[String], selector: &str) -> SigningConfig {
        let json = format!(
            r#"{{"mediaType":"application/vnd.dev.sigstore.signingconfig.v0.2+json","caUrls":[],"oidcUrls":[],"rekorTlogUrls":[{}],"tsaUrls":[],"rekorTlogConfig":{selector}}}"#,
            rekor.join(",")
        );
        SigningConfig::from_json(json.as_bytes()).unwrap()
    }

    const NOW: i64 = 1_800_000_000; // 2027-01-15

    fn pick(c: &SigningConfig, forced: Option<u32>) -> Result<Vec<String>, SignError> {
        select(
            &c.rekor_tlog_urls,
            c.rekor_tlog_config.as_ref(),
            SUPPORTED_REKOR_VERSIONS,
            forced,
            NOW,
            ServiceKind::TransparencyLog,
            true,
        )
        .map(|v| v.into_iter().map(|s| s.url).collect())
    }

    #[test]
    fn prefers_rekor_v2_then_v1() {
        let c = config(
            &[
                svc("http://v1", 1, Some("a"), "2020-01-01T00:00:00Z", None),
                svc("http://v2", 2, Some("a"), "2020-01-01T00:00:00Z", None),
            ],
            r#"{"selector":"ANY"}"#,
        );
        assert_eq!(pick(&c, None).unwrap(), ["http://v2"]);
        assert_eq!(pick(&c, Some(1)).unwrap(), ["http://v1"]);
    }

    #[test]
    fn validity_and_unknown_versions_filter() {
        let c = config(
            &[
                svc("http://v3", 3, None, "2020-01-01T00:00:00Z", None),
                svc(
                    "http://old",
                    2,
                    None,
                    "2020-01-01T00:00:00Z",
                    Some("2021-01-01T00:00:00Z"),
                ),
                svc("http://future", 2, None, "2030-01-01T00:00:00Z", None),
                svc("http://v1", 1, None, "2020-01-01T00:00:00Z", None),
            ],
            r#"{"selector":"ANY"}"#,
        );
        assert_eq!(pick(&c, None).unwrap(), ["http://v1"]);
        assert!(matches!(
            pick(&c, Some(2)),
            Err(SignError::Config(ConfigProblem::NoService {
                service: ServiceKind::TransparencyLog
            }))
        ));
    }

    #[test]
    fn selectors_and_operators() {
        let logs = [
            svc("http://a1", 2, Some("a"), "2020-01-01T00:00:00Z", None),
            svc("http://a2", 2, Some("a"), "2020-01-01T00:00:00Z", None),
            svc("http://b", 2, Some("b"), "2020-01-01T00:00:00Z", None),
        ];
        let all = config(&logs, r#"{"selector":"ALL"}"#);
        assert_eq!(pick(&all, None).unwrap(), ["http://a1", "http://b"]);
        let exact2 = config(&logs, r#"{"selector":"EXACT","count":2}"#);
        assert_eq!(pick(&exact2, None).unwrap(), ["http://a1", "http://b"]);
        let exact3 = config(&logs, r#"{"selector":"EXACT","count":3}"#);
        assert!(matches!(
            pick(&exact3, None),
            Err(SignError::Config(ConfigProblem::NotEnoughServices {
                need: 3,
                have: 2,
                ..
            }))
        ));
        let exact0 = config(&logs, r#"{"selector":"EXACT"}"#);
        assert!(matches!(
            pick(&exact0, None),
            Err(SignError::Config(ConfigProblem::MissingCount { .. }))
        ));
        let any = config(&logs, r#"{"selector":"ANY"}"#);
        assert_eq!(pick(&any, None).unwrap(), ["http://a1"]);
    }

    #[test]
    fn optional_kind_may_be_empty() {
        let got = select(
            &[],
            None,
            SUPPORTED_TSA_VERSIONS,
            None,
            NOW,
            ServiceKind::TimestampAuthority,
            false,
        )
        .unwrap();
        assert!(got.is_empty());
    }
}
