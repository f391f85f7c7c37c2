//! sigstore-fulcio (under construction).
#![forbid(unsafe_code)]
