//! sigstore-verify (under construction).
#![forbid(unsafe_code)]
