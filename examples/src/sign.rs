//! `sigstore sign` / `sigstore attest` on the SDK's signer (`sigstore_verify::sign`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sigstore_bundle::{ClientTrustConfig, SigningConfig};
use sigstore_verify::sign::{SignedBundle, SigningContext, SigningContextBuilder};

use crate::{read_limited, Error, MAX_SMALL_FILE_BYTES};

/// Where the signer's services, trust and identity come from.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SignArgs {
    /// Write the bundle here (default: `<INPUT>.sigstore.json`).
    #[arg(long, value_name = "FILE")]
    pub bundle: Option<PathBuf>,
    /// Replace an existing bundle file.
    #[arg(long)]
    pub overwrite: bool,
    /// An OIDC identity token (otherwise: `SIGSTORE_ID_TOKEN`, --identity-token-file, then
    /// ambient CI credentials: GitHub Actions, GitLab, Buildkite, CircleCI, Google Cloud).
    #[arg(long, value_name = "JWT")]
    pub identity_token: Option<String>,
    /// A file holding the identity token.
    #[arg(long, value_name = "FILE")]
    pub identity_token_file: Option<PathBuf>,
    /// Sign with this PKCS#8 PEM private key instead of a keyless certificate (the bundle
    /// then verifies with `--key PUB.pem`).
    #[arg(long, value_name = "KEY.pem")]
    pub key: Option<PathBuf>,
    /// A ClientTrustConfig (trusted root + signing config), e.g. from `sigstore-testkit serve`.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["staging", "trusted_root"])]
    pub trust_config: Option<PathBuf>,
    /// A trusted root (with --signing-config) instead of the embedded production one.
    #[arg(
        long,
        value_name = "FILE",
        requires = "signing_config",
        conflicts_with = "staging"
    )]
    pub trusted_root: Option<PathBuf>,
    /// A signing config v0.2 (with --trusted-root).
    #[arg(long, value_name = "FILE", requires = "trusted_root")]
    pub signing_config: Option<PathBuf>,
    /// Use the embedded staging instance.
    #[arg(long)]
    pub staging: bool,
    /// Use only Rekor services of this major API version (1 or 2).
    #[arg(long, value_name = "1|2")]
    pub rekor_version: Option<u32>,
    /// Print the bundle path and the verify-after-sign result as JSON.
    #[arg(long)]
    pub json: bool,
}

fn parse_err(what: &Path) -> impl FnOnce(sigstore_bundle::Error) -> Error + '_ {
    move |source| Error::Parse {
        what: what.display().to_string(),
        source,
    }
}

impl SignArgs {
    /// The builder these flags select, before identity and key.
    fn builder(&self) -> Result<SigningContextBuilder, Error> {
        let b = if let Some(p) = &self.trust_config {
            let bytes = read_limited(p, MAX_SMALL_FILE_BYTES)?;
            SigningContext::from_trust_config(
                ClientTrustConfig::from_json(&bytes).map_err(parse_err(p))?,
            )
        } else if let (Some(r), Some(c)) = (&self.trusted_root, &self.signing_config) {
            let root =
                sigstore_bundle::TrustedRoot::from_json(&read_limited(r, MAX_SMALL_FILE_BYTES)?)
                    .map_err(parse_err(r))?;
            let config = SigningConfig::from_json(&read_limited(c, MAX_SMALL_FILE_BYTES)?)
                .map_err(parse_err(c))?;
            SigningContext::builder(config, root)
        } else if self.staging {
            SigningContext::staging().map_err(Error::Sign)?
        } else {
            SigningContext::production().map_err(Error::Sign)?
        };
        Ok(match self.rekor_version {
            Some(v) => b.rekor_version(v),
            None => b,
        })
    }

    /// A ready signing context: the key, or an identity token from the sources in order.
    pub fn context(&self) -> Result<SigningContext, Error> {
        let mut b = self.builder()?;
        if let Some(k) = &self.key {
            let pem = read_limited(k, MAX_SMALL_FILE_BYTES)?;
            let signer = std::str::from_utf8(&pem)
                .ok()
                .and_then(|s| sigstore_crypto::KeySigner::from_pkcs8_pem(s).ok())
                .ok_or_else(|| Error::BadValue {
                    flag: "--key",
                    value: k.display().to_string(),
                    reason: "not a PKCS#8 PEM private key",
                })?;
            b = b.key(Arc::new(signer));
        } else {
            let mut cfg = sigstore_oidc::ResolveConfig::new();
            cfg.token = self.identity_token.clone();
            cfg.token_file = self.identity_token_file.clone();
            let token = sigstore_oidc::resolve(&cfg)
                .map_err(|e| Error::Sign(sigstore_verify::sign::SignError::Token(e)))?;
            b = b.identity_token(token);
        }
        b.build().map_err(Error::Sign)
    }

    /// The bundle path for `input`, refusing to replace a file without --overwrite.
    pub fn output_for(&self, input: &Path) -> Result<PathBuf, Error> {
        let out = self
            .bundle
            .clone()
            .unwrap_or_else(|| PathBuf::from(format!("{}.sigstore.json", input.display())));
        if out.exists() && !self.overwrite {
            return Err(Error::Usage(
                "the bundle file exists; pass --overwrite to replace it",
            ));
        }
        Ok(out)
    }

    /// Write `signed` to `out` atomically and report.
    pub fn finish(&self, signed: &SignedBundle, out: &Path) -> Result<(), Error> {
        signed.write_to(out).map_err(Error::Sign)?;
        if self.json {
            crate::print_json(&serde_json::json!({
                "ok": true, "bundle": out, "result": signed.verification
            }))?;
        } else {
            eprintln!("signed and verified: {}", signed.verification.summary());
            println!("{}", out.display());
        }
        Ok(())
    }
}

/// Build an in-toto v1 statement for `artifact` with `predicate_type` and `predicate` JSON.
pub fn statement_for(
    artifact: &Path,
    predicate_type: &str,
    predicate: &[u8],
) -> Result<Vec<u8>, Error> {
    let predicate: serde_json::Value =
        serde_json::from_slice(predicate).map_err(|source| Error::Json {
            what: "predicate".to_owned(),
            source,
        })?;
    let f = std::fs::File::open(artifact).map_err(|e| Error::io(artifact, e))?;
    let digest = sigstore_crypto::digest_reader(
        sigstore_crypto::HashAlgorithm::Sha256,
        std::io::BufReader::new(f),
    )
    .map_err(|_| Error::io(artifact, std::io::Error::other("read failed")))?;
    let name = artifact
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let st = serde_json::json!({
        "_type": sigstore_bundle::STATEMENT_V1,
        "subject": [{"name": name, "digest": {"sha256": digest.to_hex()}}],
        "predicateType": predicate_type,
        "predicate": predicate,
    });
    serde_json::to_vec(&st).map_err(|source| Error::Json {
        what: "statement".to_owned(),
        source,
    })
}
