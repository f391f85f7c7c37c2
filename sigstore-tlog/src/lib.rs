//! sigstore-tlog (under construction).
#![forbid(unsafe_code)]
