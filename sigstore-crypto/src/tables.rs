//! Comb tables compiled into the binary (feature `precomputed-tables`): the generator of each
//! curve and the production Sigstore keys listed in `tables/keys.txt`. Each file holds affine
//! points, `x` then `y`, each in the Montgomery form the field arithmetic computes with, as
//! little-endian 64-bit words (`comb::affine_bytes`), so that they are decoded at compile time
//! without any arithmetic; the `precomputed` tests of `comb` recompute every table and fail on
//! any difference, and a coordinate not below `p` fails the build.

/// P-256 tables.
pub(crate) mod p256 {
    /// The comb of the generator.
    pub(crate) const G_COMB: &[u8] = include_bytes!("../tables/p256-generator-comb.bin");
    /// Odd multiples of the generator for the table-less path.
    pub(crate) const G_ODD: &[u8] = include_bytes!("../tables/p256-generator-odd.bin");
    /// Combs of the keys of `tables/keys.txt`, by name.
    pub(crate) const KEYS: &[(&str, &[u8])] = &[
        ("rekor-v1", include_bytes!("../tables/rekor-v1.bin")),
        ("ctfe-2022", include_bytes!("../tables/ctfe-2022.bin")),
    ];
}

/// P-384 tables.
pub(crate) mod p384 {
    /// The comb of the generator.
    pub(crate) const G_COMB: &[u8] = include_bytes!("../tables/p384-generator-comb.bin");
    /// Odd multiples of the generator for the table-less path.
    pub(crate) const G_ODD: &[u8] = include_bytes!("../tables/p384-generator-odd.bin");
    /// Combs of the keys of `tables/keys.txt`, by name.
    pub(crate) const KEYS: &[(&str, &[u8])] = &[
        (
            "fulcio-intermediate",
            include_bytes!("../tables/fulcio-intermediate.bin"),
        ),
        ("tsa-leaf", include_bytes!("../tables/tsa-leaf.bin")),
    ];
}
