//! ECDSA verification with precomputed comb tables, for P-256 and P-384 keys that verify many
//! signatures (the keys of a trusted root: Fulcio intermediates, TSA signing certificates,
//! transparency and CT logs).
//!
//! The check is the one of SEC 1 §4.1.4 and of `ecdsa::hazmat::verify_prehashed`: with
//! `z = bits2field(digest) mod n`, `u1 = z/s`, `u2 = r/s`, the signature is valid when
//! `R = u1·G + u2·Q` is not the point at infinity and `x(R) mod n == r` (r and s are non-zero
//! scalars below n by construction of the parsed signature). Only the way `R` is computed
//! differs: Lim-Lee combs of [`TABLES`] tables with [`TEETH`] teeth each, for both `G` and
//! `Q`, share one doubling chain, so a verification costs `bits/(TEETH·TABLES)` doublings and
//! at most `2·bits/TEETH` additions instead of two full scalar multiplications. Every input is public (signature, digest,
//! public key), so this variable-time evaluation leaks nothing secret. The curve arithmetic
//! itself (complete addition formulas, field and scalar arithmetic) is RustCrypto's.

/// Teeth of every comb table: tables have `2^TEETH` points.
pub(crate) const TEETH: usize = 8;
/// Tables per comb (each covers `TEETH·SPACING` consecutive bits of the scalar).
pub(crate) const TABLES: usize = 4;

macro_rules! comb_curve {
    ($module:ident, $krate:ident, $curve:ident, $uint:ident, $bits:expr) => {
        pub(crate) mod $module {
            use std::sync::OnceLock;

            use $krate::elliptic_curve::bigint::$uint;
            use $krate::elliptic_curve::group::Group as _;
            use $krate::elliptic_curve::ops::{Invert as _, Reduce};
            use $krate::elliptic_curve::point::AffineCoordinates as _;
            use $krate::elliptic_curve::PrimeField as _;
            use $krate::{FieldBytes, ProjectivePoint, Scalar};

            use super::{TABLES, TEETH};

            /// Bits of the scalars.
            const BITS: usize = $bits;
            /// Distance between two teeth.
            const SPACING: usize = BITS / (TEETH * TABLES);
            const _: () = assert!(SPACING * TEETH * TABLES == BITS);
            /// Bytes of a scalar.
            const LEN: usize = BITS / 8;

            /// `tables[t][j] = sum over set bits i of j of 2^(SPACING·(TEETH·t + i))·P`
            /// (projective: the curve crates offer no batch inversion to normalize them, and
            /// complete projective additions cost about as much as mixed ones).
            pub(crate) struct Comb {
                tables: Vec<Vec<ProjectivePoint>>,
            }

            impl std::fmt::Debug for Comb {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str(concat!(stringify!($curve), " comb table"))
                }
            }

            impl Comb {
                pub(crate) fn new(p: &ProjectivePoint) -> Self {
                    let mut all_teeth = Vec::with_capacity(TEETH * TABLES);
                    let mut cur = *p;
                    for _ in 0..TEETH * TABLES {
                        all_teeth.push(cur);
                        for _ in 0..SPACING {
                            cur = cur.double();
                        }
                    }
                    let tables = all_teeth
                        .chunks(TEETH)
                        .map(|teeth| {
                            let mut proj = vec![ProjectivePoint::IDENTITY; 1 << TEETH];
                            for j in 1..(1usize << TEETH) {
                                let low = j.trailing_zeros() as usize;
                                let rest = proj
                                    .get(j & (j - 1))
                                    .copied()
                                    .unwrap_or(ProjectivePoint::IDENTITY);
                                let tooth =
                                    teeth.get(low).copied().unwrap_or(ProjectivePoint::IDENTITY);
                                if let Some(slot) = proj.get_mut(j) {
                                    *slot = rest + tooth;
                                }
                            }
                            proj
                        })
                        .collect();
                    Comb { tables }
                }

                /// Add the entries of every table selected by column `k` of `scalar`.
                fn add_column(&self, acc: &mut ProjectivePoint, scalar: &[u8], k: usize) {
                    for (t, table) in self.tables.iter().enumerate() {
                        let index = column(scalar, t, k);
                        if index != 0 {
                            if let Some(p) = table.get(index) {
                                *acc += p;
                            }
                        }
                    }
                }
            }

            /// The comb of the generator, built on first use.
            pub(crate) fn generator() -> &'static Comb {
                static G: OnceLock<Comb> = OnceLock::new();
                G.get_or_init(|| Comb::new(&ProjectivePoint::GENERATOR))
            }

            /// Index into table `t` at column `k`: bit `SPACING·(TEETH·t + i) + k` of the
            /// big-endian scalar, for every tooth `i`.
            fn column(bytes: &[u8], t: usize, k: usize) -> usize {
                let mut index = 0usize;
                for i in 0..TEETH {
                    let n = SPACING * (TEETH * t + i) + k;
                    let bit = bytes
                        .get(LEN - 1 - n / 8)
                        .map_or(0, |b| usize::from((b >> (n % 8)) & 1));
                    index |= bit << i;
                }
                index
            }

            /// `(r, u1, u2)` of SEC 1 §4.1.4 for a DER signature over `digest`, or `None` when
            /// the signature does not parse (r and s must be in [1, n-1]).
            fn scalars(
                digest: &[u8],
                signature_der: &[u8],
            ) -> Option<(Scalar, FieldBytes, FieldBytes)> {
                let sig = $krate::ecdsa::Signature::from_der(signature_der).ok()?;
                let field: FieldBytes = ecdsa::hazmat::bits2field::<$krate::$curve>(digest).ok()?;
                let z = <Scalar as Reduce<$uint>>::reduce_bytes(&field);
                let (r, s) = sig.split_scalars();
                let s_inv = *s.invert_vartime();
                Some((*r, (z * s_inv).to_repr(), (*r * s_inv).to_repr()))
            }

            /// The final comparison: `R` is not the point at infinity and `x(R) mod n == r`.
            fn accept(point: ProjectivePoint, r: &Scalar) -> bool {
                if bool::from(point.is_identity()) {
                    return false;
                }
                let x = point.to_affine().x();
                *r == <Scalar as Reduce<$uint>>::reduce_bytes(&x)
            }

            /// Verify a DER ECDSA signature over `digest` with a key that has no comb table:
            /// `u1·G + u2·Q` by Shamir's trick over 4-bit windows (one doubling chain, at most
            /// two additions per window, 14 additions per point to tabulate 1..15 multiples).
            pub(crate) fn verify_point(
                q: &ProjectivePoint,
                digest: &[u8],
                signature_der: &[u8],
            ) -> bool {
                let Some((r, u1, u2)) = scalars(digest, signature_der) else {
                    return false;
                };
                let multiples = |p: ProjectivePoint| {
                    let mut t = [ProjectivePoint::IDENTITY; 16];
                    let mut acc = ProjectivePoint::IDENTITY;
                    for slot in t.iter_mut().skip(1) {
                        acc += p;
                        *slot = acc;
                    }
                    t
                };
                let tg = multiples(ProjectivePoint::GENERATOR);
                let tq = multiples(*q);
                let mut acc = ProjectivePoint::IDENTITY;
                for (b1, b2) in u1.iter().zip(u2.iter()) {
                    for shift in [4u8, 0] {
                        acc = acc.double().double().double().double();
                        let (n1, n2) = (
                            usize::from((b1 >> shift) & 15),
                            usize::from((b2 >> shift) & 15),
                        );
                        if n1 != 0 {
                            if let Some(p) = tg.get(n1) {
                                acc += p;
                            }
                        }
                        if n2 != 0 {
                            if let Some(p) = tq.get(n2) {
                                acc += p;
                            }
                        }
                    }
                }
                accept(acc, &r)
            }

            /// Verify a DER ECDSA signature over `digest` with the key whose comb is `q`.
            pub(crate) fn verify(q: &Comb, digest: &[u8], signature_der: &[u8]) -> bool {
                let Some((r, u1, u2)) = scalars(digest, signature_der) else {
                    return false;
                };
                let g = generator();
                let mut acc = ProjectivePoint::IDENTITY;
                for k in (0..SPACING).rev() {
                    acc = acc.double();
                    g.add_column(&mut acc, &u1, k);
                    q.add_column(&mut acc, &u2, k);
                }
                accept(acc, &r)
            }
        }
    };
}

comb_curve!(p256c, p256, NistP256, U256, 256);
comb_curve!(p384c, p384, NistP384, U384, 384);

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::{OsRng, RngCore};
    use signature::hazmat::PrehashSigner;

    #[test]
    fn p256_matches_rustcrypto() {
        use p256::ecdsa::{signature::hazmat::PrehashVerifier, Signature, SigningKey};
        for _ in 0..8 {
            let sk = SigningKey::random(&mut OsRng);
            let vk = *sk.verifying_key();
            let comb = p256c::Comb::new(&vk.as_affine().into());
            for len in [32usize, 48, 64] {
                let mut digest = vec![0u8; len];
                OsRng.fill_bytes(&mut digest);
                let sig: Signature = sk.sign_prehash(&digest).unwrap();
                let der = sig.to_der();
                assert!(vk.verify_prehash(&digest, &sig).is_ok());
                assert!(p256c::verify(&comb, &digest, der.as_bytes()));
                let point: p256::ProjectivePoint = vk.as_affine().into();
                assert!(p256c::verify_point(&point, &digest, der.as_bytes()));
                let mut wrong = digest.clone();
                wrong[1] ^= 4;
                assert!(!p256c::verify_point(&point, &wrong, der.as_bytes()));
                // Any change to the digest or the signature must fail, as with RustCrypto.
                let mut bad = digest.clone();
                bad[0] ^= 1;
                assert!(!p256c::verify(&comb, &bad, der.as_bytes()));
                let (r, s) = sig.split_scalars();
                let swapped = Signature::from_scalars(*s, *r).unwrap();
                assert!(!p256c::verify(&comb, &digest, swapped.to_der().as_bytes()));
                assert!(!p256c::verify_point(
                    &point,
                    &digest,
                    swapped.to_der().as_bytes()
                ));
                let other = SigningKey::random(&mut OsRng);
                let other_comb = p256c::Comb::new(&other.verifying_key().as_affine().into());
                assert!(!p256c::verify(&other_comb, &digest, der.as_bytes()));
                assert!(!p256c::verify(&comb, &digest, &der.as_bytes()[1..]));
            }
        }
    }

    #[test]
    fn p384_matches_rustcrypto() {
        use p384::ecdsa::{signature::hazmat::PrehashVerifier, Signature, SigningKey};
        for _ in 0..4 {
            let sk = SigningKey::random(&mut OsRng);
            let vk = *sk.verifying_key();
            let comb = p384c::Comb::new(&vk.as_affine().into());
            for len in [32usize, 48, 64] {
                let mut digest = vec![0u8; len];
                OsRng.fill_bytes(&mut digest);
                let sig: Signature = sk.sign_prehash(&digest).unwrap();
                let der = sig.to_der();
                assert!(vk.verify_prehash(&digest, &sig).is_ok());
                assert!(p384c::verify(&comb, &digest, der.as_bytes()));
                let point: p384::ProjectivePoint = vk.as_affine().into();
                assert!(p384c::verify_point(&point, &digest, der.as_bytes()));
                let mut bad = digest.clone();
                bad[0] ^= 0x80;
                assert!(!p384c::verify(&comb, &bad, der.as_bytes()));
                assert!(!p384c::verify_point(&point, &bad, der.as_bytes()));
                let (r, s) = sig.split_scalars();
                let swapped = Signature::from_scalars(*s, *r).unwrap();
                assert!(!p384c::verify(&comb, &digest, swapped.to_der().as_bytes()));
                assert!(!p384c::verify_point(
                    &point,
                    &digest,
                    swapped.to_der().as_bytes()
                ));
            }
        }
    }
}

#[cfg(test)]
mod key_tests {
    use crate::{KeySigner, PublicKey, SignatureScheme, Signer, COMB_AFTER_USES};

    /// Through the public API: before and after the comb table exists, valid signatures
    /// verify and altered ones do not, with every backend.
    #[test]
    fn repeated_key_keeps_verdicts() {
        let signer = KeySigner::generate_p256().unwrap();
        let key = PublicKey::from_spki_der(signer.public_key().spki_der()).unwrap();
        let clone = key.clone();
        let scheme = SignatureScheme::Ecdsa(crate::HashAlgorithm::Sha256);
        for round in 0..(COMB_AFTER_USES + 4) {
            let msg = format!("message {round}");
            let sig = signer.sign(msg.as_bytes()).unwrap();
            for backend in crate::Backend::available() {
                assert!(clone
                    .verify_with_backend(*backend, scheme, msg.as_bytes(), &sig)
                    .is_ok());
                assert!(key
                    .verify_with_backend(*backend, scheme, b"other message", &sig)
                    .is_err());
            }
            let digest = crate::HashAlgorithm::Sha256.hash(msg.as_bytes());
            assert!(key
                .verify_prehashed(scheme, digest.as_bytes(), &sig)
                .is_ok());
            let mut bad = sig.clone();
            if let Some(last) = bad.last_mut() {
                *last ^= 1;
            }
            assert!(key.verify(scheme, msg.as_bytes(), &bad).is_err());
        }
        assert!(key.cache.comb.get().is_some_and(Option::is_some));
    }
}
