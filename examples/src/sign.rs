//! `sigstore sign` / `sigstore attest` on the SDK's signer (`sigstore_verify::sign`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sigstore_bundle::{ClientTrustConfig, SigningConfig};
use sigstore_verify::sign::{SignedBundle, SigningContext, SigningContextBuilder};

use crate::{read_limited, Error, MAX_SMALL_FILE_BYTES};

/// How to log in interactively.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LoginFlow {
    /// Authorization code + PKCE in a browser, loopback redirect.
    #[default]
    Browser,
    /// Device authorization grant (RFC 8628): a code to enter on another device.
    Device,
    /// Never log in interactively.
    None,
}

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
    /// The OIDC issuer for interactive login when no token is found (default: the signing
    /// config's first OIDC URL, e.g. `https://oauth2.sigstore.dev/auth`).
    #[arg(long, value_name = "URL")]
    pub oidc_issuer: Option<String>,
    /// The OAuth client ID for interactive login.
    #[arg(long, value_name = "ID", default_value = "sigstore")]
    pub oidc_client_id: String,
    /// Interactive login when no token is found: `browser` (authorization code with PKCE and
    /// a loopback redirect; `BROWSER` picks the program), `device` (RFC 8628 device code), or
    /// `none`.
    #[arg(long, value_enum, default_value_t = LoginFlow::Browser)]
    pub oidc_flow: LoginFlow,
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
    /// The builder these flags select (before identity and key), with the signing config's
    /// first OIDC URL.
    fn builder(&self) -> Result<(SigningContextBuilder, Option<String>), Error> {
        let (config, root) = if let Some(p) = &self.trust_config {
            let bytes = read_limited(p, MAX_SMALL_FILE_BYTES)?;
            let c = ClientTrustConfig::from_json(&bytes).map_err(parse_err(p))?;
            (c.signing_config, c.trusted_root)
        } else if let (Some(r), Some(c)) = (&self.trusted_root, &self.signing_config) {
            let root =
                sigstore_bundle::TrustedRoot::from_json(&read_limited(r, MAX_SMALL_FILE_BYTES)?)
                    .map_err(parse_err(r))?;
            let config = SigningConfig::from_json(&read_limited(c, MAX_SMALL_FILE_BYTES)?)
                .map_err(parse_err(c))?;
            (config, root)
        } else {
            let what = Path::new(if self.staging {
                "embedded staging config"
            } else {
                "embedded production config"
            });
            let (c, r) = if self.staging {
                (
                    SigningConfig::staging(),
                    sigstore_bundle::TrustedRoot::staging(),
                )
            } else {
                (
                    SigningConfig::production(),
                    sigstore_bundle::TrustedRoot::production(),
                )
            };
            (c.map_err(parse_err(what))?, r.map_err(parse_err(what))?)
        };
        let oidc = config.oidc_urls.first().map(|s| s.url.clone());
        let b = SigningContext::builder(config, root);
        let b = match self.rekor_version {
            Some(v) => b.rekor_version(v),
            None => b,
        };
        Ok((b, oidc))
    }

    /// Log in interactively (browser or device flow) at the issuer.
    fn interactive(
        &self,
        default_issuer: Option<String>,
    ) -> Result<sigstore_oidc::IdentityToken, Error> {
        let token_err = |e| Error::Sign(sigstore_verify::sign::SignError::Token(e));
        let issuer = self
            .oidc_issuer
            .clone()
            .or(default_issuer)
            .ok_or(Error::Usage(
                "no identity token found and no OIDC issuer to log in at (--oidc-issuer)",
            ))?;
        let http = sigstore_oidc::HttpConfig::default();
        let metadata =
            sigstore_oidc::ProviderMetadata::discover(&issuer, &http).map_err(token_err)?;
        match self.oidc_flow {
            LoginFlow::Browser => sigstore_oidc::BrowserFlow::new(metadata, &self.oidc_client_id)
                .run()
                .map_err(token_err),
            LoginFlow::Device => sigstore_oidc::DeviceFlow::new(metadata, &self.oidc_client_id)
                .run()
                .map_err(token_err),
            LoginFlow::None => Err(token_err(sigstore_oidc::Error::NoToken)),
        }
    }

    /// A ready signing context: the key, or an identity token from the sources in order.
    pub fn context(&self) -> Result<SigningContext, Error> {
        let (mut b, default_issuer) = self.builder()?;
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
            let token = match sigstore_oidc::resolve(&cfg) {
                Ok(t) => t,
                Err(sigstore_oidc::Error::NoToken) if self.oidc_flow != LoginFlow::None => {
                    self.interactive(default_issuer)?
                }
                Err(e) => return Err(Error::Sign(sigstore_verify::sign::SignError::Token(e))),
            };
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
