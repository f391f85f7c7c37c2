//! sigstore-timestamp (under construction).
#![forbid(unsafe_code)]
