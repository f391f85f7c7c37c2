//! sigstore-bundle (under construction).
#![forbid(unsafe_code)]
