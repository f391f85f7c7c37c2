//! sigstore-tuf (under construction).
#![forbid(unsafe_code)]
