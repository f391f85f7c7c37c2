//! sigstore-oidc (under construction).
#![forbid(unsafe_code)]
