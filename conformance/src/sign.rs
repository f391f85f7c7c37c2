//! `conformance sign-bundle [--staging] [--in-toto] --identity-token TOKEN --bundle OUT
//! [--trusted-root TR.json] [--signing-config SC.json] FILE`

use sigstore_verify::sign::{IdentityToken, SigningConfig, SigningContext};
use sigstore_verify::TrustedRoot;

/// Parsed `sign-bundle` arguments.
#[derive(Debug, Default)]
pub(crate) struct SignArgs {
    staging: bool,
    in_toto: bool,
    token: Option<String>,
    bundle: Option<String>,
    trusted_root: Option<String>,
    signing_config: Option<String>,
    input: Option<String>,
}

pub(crate) const USAGE: &str = "usage: conformance sign-bundle [--staging] [--in-toto] \
    --identity-token TOKEN --bundle OUT [--trusted-root TR.json] [--signing-config SC.json] FILE";

pub(crate) fn parse_sign_args(args: &[String]) -> Result<SignArgs, String> {
    let mut out = SignArgs::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match arg.as_str() {
            "--staging" => out.staging = true,
            "--in-toto" => out.in_toto = true,
            "--identity-token" => out.token = Some(value("--identity-token")?),
            "--bundle" => out.bundle = Some(value("--bundle")?),
            "--trusted-root" => out.trusted_root = Some(value("--trusted-root")?),
            "--signing-config" => out.signing_config = Some(value("--signing-config")?),
            s if s.starts_with("--") => return Err(format!("unknown option {s}")),
            s => {
                if out.input.is_some() {
                    return Err(format!("unexpected argument {s}"));
                }
                out.input = Some(s.to_owned());
            }
        }
    }
    if out.token.is_none() || out.bundle.is_none() || out.input.is_none() {
        return Err("--identity-token, --bundle and FILE are required".to_owned());
    }
    Ok(out)
}

/// Run `sign-bundle`; `Err` is the message to print. The bundle file is written only after
/// the bundle verified, atomically.
pub(crate) fn sign_bundle(args: &SignArgs) -> Result<String, String> {
    let (Some(token), Some(out), Some(input)) = (&args.token, &args.bundle, &args.input) else {
        return Err("--identity-token, --bundle and FILE are required".to_owned());
    };
    let token = IdentityToken::parse(token.trim()).map_err(|e| format!("Token: {e}"))?;
    let root = match &args.trusted_root {
        Some(p) => TrustedRoot::from_file(p).map_err(|e| format!("TrustRoot: {p}: {e}"))?,
        None if args.staging => TrustedRoot::staging().map_err(|e| format!("TrustRoot: {e}"))?,
        None => TrustedRoot::production().map_err(|e| format!("TrustRoot: {e}"))?,
    };
    let config = match &args.signing_config {
        Some(p) => SigningConfig::from_file(p).map_err(|e| format!("SigningConfig: {p}: {e}"))?,
        None if args.staging => {
            SigningConfig::staging().map_err(|e| format!("SigningConfig: {e}"))?
        }
        None => SigningConfig::production().map_err(|e| format!("SigningConfig: {e}"))?,
    };
    let ctx = SigningContext::builder(config, root)
        .identity_token(token)
        .build()
        .map_err(|e| e.to_string())?;
    let signed = if args.in_toto {
        let statement =
            std::fs::read(input).map_err(|e| format!("reading statement {input}: {e}"))?;
        ctx.sign_statement(&statement)
    } else {
        ctx.sign_file(input)
    }
    .map_err(|e| e.to_string())?;
    signed.write_to(out).map_err(|e| e.to_string())?;
    Ok(signed.verification.summary())
}
