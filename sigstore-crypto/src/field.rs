//! Arithmetic modulo the P-256 and P-384 field primes for ECDSA verification (`comb`), in
//! Montgomery form over 64-bit limbs, in variable time.
//!
//! Every value the verifier computes with is public (coordinates of public keys and of points
//! derived from a signature and a digest), so the arithmetic may branch on its data where that
//! is faster. It mostly is not: an addition reaches `p` and a subtraction borrows about half
//! the time, and a branch on that is mispredicted as often when the inputs vary, as they do
//! from one signature to the next (a benchmark that verifies one signature over and over
//! trains the branch predictor on it and hides this). Additions and subtractions therefore
//! reduce under a mask; the P-256 product does too, while the P-384 product (called out of
//! line, with more registers live) keeps a branch on its final subtraction, which measured
//! faster there. Verifying 500 different P-256 signatures, the branch-free forms took the
//! table-less verification from 78 to 70 µs and a comb one from 17.9 to 16.0 µs; P-384 comb
//! 59.5 -> 58.8 µs (`BENCHMARKS.md` item 27).
//!
//! With plain `u128` limb products the compiler schedules freely, a multiplication takes about
//! 0.8x (P-256) and 0.7x (P-384) the time of RustCrypto's constant-time one it replaces here,
//! an addition or subtraction under a tenth; a whole bundle verifies about a fifth faster
//! (`BENCHMARKS.md`). The signing path keeps RustCrypto's arithmetic.
//!
//! A field element `a` is stored as `a·R mod p` with `R = 2^(64·N)`, always reduced (`< p`),
//! so equality and zero tests compare limbs. Multiplication is the coarsely integrated operand
//! scanning (CIOS) Montgomery product: for each limb `b[i]`, `t += a·b[i]`, then
//! `t = (t + m·p) / 2^64` with `m = t[0]·(-p^-1) mod 2^64`; with `a, b < p` the result is below
//! `2p`, and one subtraction reduces it. The rounds are written out one per limb (a loop of six
//! rounds was left rolled by the compiler, and ran slower). `R mod p`, `R^2 mod p` and
//! `-p^-1 mod 2^64` are computed from `p` at compile time, so each curve is defined by its prime
//! alone.

/// The limb arithmetic, `const fn`s where constants need them (`R`, `R^2`, `-p^-1`, decoding the
/// compiled-in tables), which cannot use iterators. Every index below is a loop counter bounded
/// by the array length `N` (a const generic), so none can be out of range.
#[allow(clippy::indexing_slicing)]
mod limbs {
    /// `a + b·c + carry` as (low, high) words. Cannot overflow: `(2^64-1)^2 + 2·(2^64-1) < 2^128`.
    #[inline(always)]
    const fn mac(a: u64, b: u64, c: u64, carry: u64) -> (u64, u64) {
        let t = a as u128 + (b as u128) * (c as u128) + carry as u128;
        (t as u64, (t >> 64) as u64)
    }

    /// `a + b + carry` as (sum, carry out), `carry` in {0, 1}.
    #[inline(always)]
    const fn adc(a: u64, b: u64, carry: u64) -> (u64, u64) {
        let t = a as u128 + b as u128 + carry as u128;
        (t as u64, (t >> 64) as u64)
    }

    /// `a - b - borrow` as (difference, borrow out), `borrow` in {0, 1}.
    #[inline(always)]
    const fn sbb(a: u64, b: u64, borrow: u64) -> (u64, u64) {
        let t = (a as u128).wrapping_sub(b as u128 + borrow as u128);
        (t as u64, (t >> 127) as u64)
    }

    /// `a >= b` for little-endian limbs.
    #[inline(always)]
    pub(super) const fn geq<const N: usize>(a: &[u64; N], b: &[u64; N]) -> bool {
        let mut i = N;
        while i > 0 {
            i -= 1;
            if a[i] != b[i] {
                return a[i] > b[i];
            }
        }
        true
    }

    /// `a - b` (wrapping), little-endian limbs.
    #[inline(always)]
    pub(super) const fn sub_limbs<const N: usize>(a: &[u64; N], b: &[u64; N]) -> ([u64; N], u64) {
        let mut out = [0u64; N];
        let mut borrow = 0;
        let mut i = 0;
        while i < N {
            let (d, br) = sbb(a[i], b[i], borrow);
            out[i] = d;
            borrow = br;
            i += 1;
        }
        (out, borrow)
    }

    /// `a + b` (wrapping), little-endian limbs.
    #[inline(always)]
    pub(super) const fn add_limbs<const N: usize>(a: &[u64; N], b: &[u64; N]) -> ([u64; N], u64) {
        let mut out = [0u64; N];
        let mut carry = 0;
        let mut i = 0;
        while i < N {
            let (s, c) = adc(a[i], b[i], carry);
            out[i] = s;
            carry = c;
            i += 1;
        }
        (out, carry)
    }

    /// `a` where `mask` is all ones, `b` where it is zero, without a branch.
    #[inline(always)]
    const fn select<const N: usize>(mask: u64, a: &[u64; N], b: &[u64; N]) -> [u64; N] {
        let mut out = [0u64; N];
        let mut i = 0;
        while i < N {
            out[i] = (a[i] & mask) | (b[i] & !mask);
            i += 1;
        }
        out
    }

    /// `t + top·2^(64·N)`, known to be below `2p`, reduced modulo `p` (`top` in {0, 1}): the
    /// end of a Montgomery product, with a branch on whether `p` is subtracted.
    #[inline(always)]
    pub(super) const fn reduce_below_2p<const N: usize>(
        t: [u64; N],
        top: u64,
        p: &[u64; N],
    ) -> [u64; N] {
        if top != 0 || geq(&t, p) {
            sub_limbs(&t, p).0
        } else {
            t
        }
    }

    /// [`reduce_below_2p`] without a branch: `p` is subtracted, and the difference taken
    /// under a mask when there was no borrow or a top word.
    #[inline(always)]
    pub(super) const fn reduce_below_2p_masked<const N: usize>(
        t: [u64; N],
        top: u64,
        p: &[u64; N],
    ) -> [u64; N] {
        let (reduced, borrow) = sub_limbs(&t, p);
        let keep = borrow & !top & 1;
        select(0u64.wrapping_sub(keep), &t, &reduced)
    }

    /// `(a + b) mod p` for `a, b < p`, without a branch: the sum reaches `p` about half the
    /// time, and a branch on it would be mispredicted as often when the inputs vary.
    #[inline(always)]
    pub(super) const fn add_mod<const N: usize>(
        a: &[u64; N],
        b: &[u64; N],
        p: &[u64; N],
    ) -> [u64; N] {
        let (sum, carry) = add_limbs(a, b);
        reduce_below_2p_masked(sum, carry, p)
    }

    /// `(a - b) mod p` for `a, b < p`: `p` is added back under a mask, not a branch (the
    /// subtraction borrows about half the time).
    #[inline(always)]
    pub(super) const fn sub_mod<const N: usize>(
        a: &[u64; N],
        b: &[u64; N],
        p: &[u64; N],
    ) -> [u64; N] {
        let (diff, borrow) = sub_limbs(a, b);
        let add_back = select(0u64.wrapping_sub(borrow), p, &[0u64; N]);
        add_limbs(&diff, &add_back).0
    }

    /// One round of the Montgomery product (CIOS): `t = (t + a·bi + m·p) / 2^64` with
    /// `m = (t + a·bi)[0]·m0 mod 2^64`, so that the division is exact. `t` (with its top word
    /// `t_hi`) stays below `2p` when `a < p`.
    #[inline(always)]
    pub(super) fn mont_round<const N: usize>(
        t: &mut [u64; N],
        t_hi: &mut u64,
        a: &[u64; N],
        bi: u64,
        p: &[u64; N],
        m0: u64,
    ) {
        let mut carry = 0;
        for j in 0..N {
            let (lo, hi) = mac(t[j], a[j], bi, carry);
            t[j] = lo;
            carry = hi;
        }
        let (top, top_carry) = adc(*t_hi, carry, 0);
        // The low word becomes zero and is dropped.
        let m = t[0].wrapping_mul(m0);
        let (_, mut carry) = mac(t[0], m, p[0], 0);
        for j in 1..N {
            let (lo, hi) = mac(t[j], m, p[j], carry);
            t[j - 1] = lo;
            carry = hi;
        }
        let (lo, c) = adc(top, carry, 0);
        t[N - 1] = lo;
        *t_hi = top_carry + c;
    }

    /// The `N` little-endian 64-bit words at `bytes[offset..]`, for constant evaluation only
    /// (`from_montgomery_le_const`): out-of-range bytes stop the build there.
    #[cfg(any(test, feature = "precomputed-tables"))]
    pub(super) const fn limbs_from_le_at<const N: usize>(bytes: &[u8], offset: usize) -> [u64; N] {
        let mut out = [0u64; N];
        let mut i = 0;
        while i < N {
            let start = offset + i * 8;
            out[i] = u64::from_le_bytes([
                bytes[start],
                bytes[start + 1],
                bytes[start + 2],
                bytes[start + 3],
                bytes[start + 4],
                bytes[start + 5],
                bytes[start + 6],
                bytes[start + 7],
            ]);
            i += 1;
        }
        out
    }

    /// `-p^-1 mod 2^64` for an odd `p0` (Newton's iteration doubles the correct low bits).
    pub(super) const fn neg_inv(p0: u64) -> u64 {
        let mut x: u64 = 1;
        let mut i = 0;
        while i < 6 {
            x = x.wrapping_mul(2u64.wrapping_sub(p0.wrapping_mul(x)));
            i += 1;
        }
        x.wrapping_neg()
    }

    /// `2^k mod p`, by doubling 1 modulo `p` (`R = 2^(64·N)` and `R^2`).
    pub(super) const fn pow2_mod<const N: usize>(p: &[u64; N], k: usize) -> [u64; N] {
        let mut x = [0u64; N];
        x[0] = 1;
        let mut i = 0;
        while i < k {
            x = add_mod(&x, &x, p);
            i += 1;
        }
        x
    }
}

#[cfg(any(test, feature = "precomputed-tables"))]
use limbs::limbs_from_le_at;
#[cfg(test)]
use limbs::{add_limbs, sub_limbs};
use limbs::{
    add_mod, geq, mont_round, neg_inv, pow2_mod, reduce_below_2p, reduce_below_2p_masked, sub_mod,
};

/// Little-endian limbs to big-endian bytes (`B = 8·N`); a `const fn`, so that the primes'
/// and orders' encodings are constants rather than recomputed per signature.
#[allow(clippy::indexing_slicing)] // `i < B = 8·N`, so `i / 8 < N`
pub(crate) const fn limbs_to_be<const N: usize, const B: usize>(limbs: &[u64; N]) -> [u8; B] {
    let mut out = [0u8; B];
    let mut i = 0;
    while i < B && i / 8 < N {
        // Byte i from the end is byte i % 8 (little-endian) of limb i / 8.
        out[B - 1 - i] = (limbs[i / 8] >> (8 * (i % 8))) as u8;
        i += 1;
    }
    out
}

/// Big-endian bytes (exactly `8·N`) to little-endian limbs.
fn limbs_from_be<const N: usize>(bytes: &[u8]) -> Option<[u64; N]> {
    if bytes.len() != 8 * N {
        return None;
    }
    let mut out = [0u64; N];
    for (limb, chunk) in out.iter_mut().zip(bytes.rchunks_exact(8)) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        *limb = u64::from_be_bytes(word);
    }
    Some(out)
}

macro_rules! prime_field {
    ($name:ident, $limbs:expr, $bytes:expr, [$($i:literal)*], $p:expr, inline_products: $inline:literal, masked_product_reduction: $masked:literal) => {
        /// An element of the prime field, in Montgomery form (see the module docs).
        #[derive(Clone, Copy, PartialEq, Eq, Debug)]
        pub(crate) struct $name([u64; $limbs]);

        impl $name {
            /// The prime, little-endian limbs.
            pub(crate) const P: [u64; $limbs] = $p;
            /// The prime, big-endian.
            pub(crate) const P_BE: [u8; $bytes] = limbs_to_be(&Self::P);
            /// `-p^-1 mod 2^64`.
            const M0: u64 = neg_inv(Self::P[0]);
            /// `R^2 mod p`.
            const R2: [u64; $limbs] = pow2_mod(&Self::P, 128 * $limbs);
            /// Zero.
            pub(crate) const ZERO: Self = Self([0; $limbs]);
            /// One (`R mod p`).
            pub(crate) const ONE: Self = Self(pow2_mod(&Self::P, 64 * $limbs));
            /// The Montgomery product `a·b·R^-1 mod p`: one round per limb of `b`, written
            /// out (a loop over six rounds was not unrolled, and ran slower).
            #[inline(always)]
            fn mont_mul(a: &[u64; $limbs], b: &[u64; $limbs]) -> [u64; $limbs] {
                let mut t = [0u64; $limbs];
                let mut t_hi = 0u64;
                $(mont_round(&mut t, &mut t_hi, a, b[$i], &Self::P, Self::M0);)*
                if $masked {
                    reduce_below_2p_masked(t, t_hi, &Self::P)
                } else {
                    reduce_below_2p(t, t_hi, &Self::P)
                }
            }

            /// The element with the canonical big-endian encoding `bytes` (exactly
            /// `8·limbs` bytes long); `None` for any other length or a value `>= p`.
            pub(crate) fn from_be_slice(bytes: &[u8]) -> Option<Self> {
                let limbs = limbs_from_be::<$limbs>(bytes)?;
                if geq(&limbs, &Self::P) {
                    return None;
                }
                // The out-of-line product: this runs a few times per signature, and another
                // inlined copy of the product is only more code to load in a cold process.
                Some(Self(limbs).multiply(&Self(Self::R2)))
            }

            /// The element whose Montgomery form `a·R mod p` is stored at `bytes[offset..]`
            /// as little-endian 64-bit words, least significant first: the stored form of the
            /// compiled-in tables, which thus cost nothing to read. Called only to initialise
            /// statics, where a short input or a value `>= p` fails the build.
            #[cfg(any(test, feature = "precomputed-tables"))]
            pub(crate) const fn from_montgomery_le_const(bytes: &[u8], offset: usize) -> Self {
                let limbs = limbs_from_le_at::<$limbs>(bytes, offset);
                assert!(!geq(&limbs, &Self::P), "a table coordinate is not below p");
                Self(limbs)
            }

            /// The stored form [`Self::from_montgomery_le_const`] reads.
            #[cfg(test)]
            pub(crate) fn to_montgomery_le(self) -> [u8; $bytes] {
                let mut out = [0u8; $bytes];
                for (chunk, limb) in out.chunks_exact_mut(8).zip(self.0.iter()) {
                    chunk.copy_from_slice(&limb.to_le_bytes());
                }
                out
            }

            /// The lowest and the highest word of the stored form, xored: reading an element
            /// with this loads the cache lines holding both ends of it (see `comb::preload`).
            pub(crate) fn ends(&self) -> u64 {
                self.0[0] ^ self.0[$limbs - 1]
            }

            /// The canonical big-endian encoding.
            pub(crate) fn to_be_bytes(self) -> [u8; $bytes] {
                let mut one = [0u64; $limbs];
                one[0] = 1;
                limbs_to_be(&self.multiply(&Self(one)).0)
            }

            /// `self·rhs` (one out-of-line copy per field: inlining it into every point
            /// operation made the code larger and a cold process slower).
            #[inline(never)]
            pub(crate) fn multiply(&self, rhs: &Self) -> Self {
                Self(Self::mont_mul(&self.0, &rhs.0))
            }

            /// `self²`.
            #[inline(never)]
            pub(crate) fn square(&self) -> Self {
                Self(Self::mont_mul(&self.0, &self.0))
            }

            /// `self·rhs` for the point doubling and additions every verification runs
            /// hundreds of times. With `inline_products` (P-256) the product is inlined there:
            /// a call's arguments and result go through memory, about a third of a P-256
            /// product in a dependent chain (24 vs 15 ns), and case-a bundles verify ~4 %
            /// faster. P-384 keeps the call: its inlined product is ~3 KiB of code, the
            /// gain was under 1 µs per bundle and the point functions would grow by ~45 KiB.
            #[inline(always)]
            pub(crate) fn multiply_inline(&self, rhs: &Self) -> Self {
                if $inline {
                    Self(Self::mont_mul(&self.0, &rhs.0))
                } else {
                    self.multiply(rhs)
                }
            }

            /// `self²`, inlined (see [`Self::multiply_inline`]).
            #[inline(always)]
            pub(crate) fn square_inline(&self) -> Self {
                if $inline {
                    Self(Self::mont_mul(&self.0, &self.0))
                } else {
                    self.square()
                }
            }

            /// `self + rhs`.
            #[inline]
            pub(crate) fn add(&self, rhs: &Self) -> Self {
                Self(add_mod(&self.0, &rhs.0, &Self::P))
            }

            /// `self - rhs`.
            #[inline]
            pub(crate) fn sub(&self, rhs: &Self) -> Self {
                Self(sub_mod(&self.0, &rhs.0, &Self::P))
            }

            /// `2·self`.
            #[inline]
            pub(crate) fn double(&self) -> Self {
                self.add(self)
            }

            /// `-self`.
            #[inline]
            pub(crate) fn neg(&self) -> Self {
                Self::ZERO.sub(self)
            }

            /// Whether `self == 0`.
            #[inline]
            pub(crate) fn is_zero(&self) -> bool {
                self.0 == [0; $limbs]
            }

            /// `self^-1`, or `None` for zero ([`crate::modinv`], variable time).
            pub(crate) fn invert(&self) -> Option<Self> {
                let mut out = [0u8; $bytes];
                if !crate::modinv::invert_vartime(&self.to_be_bytes(), &Self::P_BE, &mut out) {
                    return None;
                }
                let inv = Self::from_be_slice(&out)?;
                // One multiplication: an inverse that does not check out fails closed.
                (inv.multiply(self) == Self::ONE).then_some(inv)
            }
        }
    };
}

prime_field!(
    Fp256,
    4,
    32,
    [0 1 2 3],
    [
        0xffff_ffff_ffff_ffff,
        0x0000_0000_ffff_ffff,
        0x0000_0000_0000_0000,
        0xffff_ffff_0000_0001,
    ],
    inline_products: true,
    masked_product_reduction: true
);

prime_field!(
    Fp384,
    6,
    48,
    [0 1 2 3 4 5],
    [
        0x0000_0000_ffff_ffff,
        0xffff_ffff_0000_0000,
        0xffff_ffff_ffff_fffe,
        0xffff_ffff_ffff_ffff,
        0xffff_ffff_ffff_ffff,
        0xffff_ffff_ffff_ffff,
    ],
    inline_products: false,
    masked_product_reduction: false
);

/// Arithmetic modulo the group orders `n` of P-256 and P-384: the same Montgomery code over a
/// different prime. ECDSA verification needs only `u1 = z/s` and `u2 = r/s` from it (an
/// inversion and two products per signature), so the operations it does not use stay unused.
#[allow(dead_code)]
mod scalar_fields {
    use super::*;

    prime_field!(
        Fn256,
        4,
        32,
        [0 1 2 3],
        [
            0xf3b9_cac2_fc63_2551,
            0xbce6_faad_a717_9e84,
            0xffff_ffff_ffff_ffff,
            0xffff_ffff_0000_0000,
        ],
        inline_products: false,
        masked_product_reduction: false
    );

    prime_field!(
        Fn384,
        6,
        48,
        [0 1 2 3 4 5],
        [
            0xecec_196a_ccc5_2973,
            0x581a_0db2_48b0_a77a,
            0xc763_4d81_f437_2ddf,
            0xffff_ffff_ffff_ffff,
            0xffff_ffff_ffff_ffff,
            0xffff_ffff_ffff_ffff,
        ],
        inline_products: false,
        masked_product_reduction: false
    );
}

pub(crate) use scalar_fields::{Fn256, Fn384};

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use rand_core::{OsRng, RngCore as _};

    macro_rules! against_rustcrypto {
        ($name:ident, $ours:ident, $krate:ident, $len:expr) => {
            /// Every operation agrees with RustCrypto's constant-time field on random values
            /// and on the edges (0, 1, 2, p - 1, p - 2, powers of two, long runs of ones and
            /// zeros); encodings round-trip; `p` itself and other values `>= p` are refused.
            #[test]
            fn $name() {
                type Rc = $krate::FieldElement;
                let p: [u8; $len] = limbs_to_be(&$ours::P);
                // p is RustCrypto's modulus: it refuses p and accepts p - 1.
                assert!(Rc::from_slice(&p).is_err());
                assert!($ours::from_be_slice(&p).is_none());
                let minus = |k: u8| {
                    let mut v = p;
                    let mut borrow = k;
                    for b in v.iter_mut().rev() {
                        let (d, o) = b.overflowing_sub(borrow);
                        *b = d;
                        borrow = u8::from(o);
                    }
                    v
                };
                assert!(Rc::from_slice(&minus(1)).is_ok());
                let mut values: Vec<[u8; $len]> = vec![[0u8; $len], minus(1), minus(2)];
                for k in 0..($len * 8 - 1) {
                    let mut v = [0u8; $len];
                    v[$len - 1 - k / 8] = 1 << (k % 8);
                    values.push(v);
                }
                for run in [8usize, 64, 100, 200] {
                    let mut v = [0u8; $len];
                    for bit in 0..run.min($len * 8 - 1) {
                        v[$len - 1 - bit / 8] |= 1 << (bit % 8);
                    }
                    values.push(v);
                    let mut w = minus(1);
                    for bit in 8..run.min($len * 8 - 8) {
                        w[$len - 1 - bit / 8] &= !(1 << (bit % 8));
                    }
                    values.push(w);
                }
                while values.len() < 400 {
                    let mut v = [0u8; $len];
                    OsRng.fill_bytes(&mut v);
                    if Rc::from_slice(&v).is_ok() {
                        values.push(v);
                    }
                }
                let enc = |f: &Rc| -> [u8; $len] { f.to_bytes().into() };
                for (i, a) in values.iter().enumerate() {
                    let (ra, oa) = (Rc::from_slice(a).unwrap(), $ours::from_be_slice(a).unwrap());
                    assert_eq!(oa.to_be_bytes(), *a);
                    assert_eq!(oa.is_zero(), bool::from(ra.is_zero()));
                    assert_eq!(oa.neg().to_be_bytes(), enc(&ra.neg()));
                    assert_eq!(oa.double().to_be_bytes(), enc(&ra.double()));
                    assert_eq!(oa.square().to_be_bytes(), enc(&ra.square()));
                    match oa.invert() {
                        Some(inv) => {
                            assert_eq!(inv.to_be_bytes(), enc(&ra.invert().unwrap()));
                            assert_eq!(inv.multiply(&oa), $ours::ONE);
                        }
                        None => assert!(oa.is_zero()),
                    }
                    for b in values.iter().skip(i).step_by(7).take(24) {
                        let (rb, ob) =
                            (Rc::from_slice(b).unwrap(), $ours::from_be_slice(b).unwrap());
                        assert_eq!(oa.multiply(&ob).to_be_bytes(), enc(&ra.multiply(&rb)));
                        assert_eq!(oa.add(&ob).to_be_bytes(), enc(&ra.add(&rb)));
                        assert_eq!(oa.sub(&ob).to_be_bytes(), enc(&ra.sub(&rb)));
                        assert_eq!(ob.sub(&oa).to_be_bytes(), enc(&rb.sub(&ra)));
                    }
                }
                assert_eq!($ours::ONE.to_be_bytes(), enc(&Rc::ONE));
                assert_eq!($ours::ZERO.to_be_bytes(), [0u8; $len]);
                // Values >= p and wrong lengths are refused, not reduced.
                assert!($ours::from_be_slice(&[0xff; $len]).is_none());
                assert!($ours::from_be_slice(&[0u8; $len - 1]).is_none());
                assert!($ours::from_be_slice(&[0u8; $len + 1]).is_none());
                assert!($ours::ZERO.invert().is_none());
            }
        };
    }

    against_rustcrypto!(p256_matches_rustcrypto, Fp256, p256, 32);
    against_rustcrypto!(p384_matches_rustcrypto, Fp384, p384, 48);

    macro_rules! scalars_against_rustcrypto {
        ($name:ident, $ours:ident, $krate:ident, $curve:ident, $len:expr) => {
            /// The group-order arithmetic agrees with RustCrypto's scalars: the modulus is the
            /// curve's order, products and inverses match on random values and on 0, 1, 2,
            /// n - 1 and n - 2, and `n` itself is refused.
            #[test]
            fn $name() {
                use $krate::elliptic_curve::bigint::Encoding as _;
                use $krate::elliptic_curve::ff::{Field as _, PrimeField as _};
                use $krate::elliptic_curve::Curve as _;
                type Sc = $krate::Scalar;
                let n: [u8; $len] = limbs_to_be(&$ours::P);
                assert_eq!(&n[..], &$krate::$curve::ORDER.to_be_bytes()[..]);
                assert!($ours::from_be_slice(&n).is_none());
                let mut values: Vec<Sc> = vec![
                    Sc::ZERO,
                    Sc::ONE,
                    Sc::ONE.double(),
                    -Sc::ONE,
                    -Sc::ONE.double(),
                ];
                while values.len() < 200 {
                    values.push(Sc::random(&mut OsRng));
                }
                for (i, a) in values.iter().enumerate() {
                    let oa = $ours::from_be_slice(&a.to_repr()).unwrap();
                    assert_eq!(&oa.to_be_bytes()[..], &a.to_repr()[..]);
                    match oa.invert() {
                        Some(inv) => {
                            assert_eq!(&inv.to_be_bytes()[..], &a.invert().unwrap().to_repr()[..])
                        }
                        None => assert!(bool::from(a.is_zero())),
                    }
                    for b in values.iter().skip(i).step_by(5).take(20) {
                        let ob = $ours::from_be_slice(&b.to_repr()).unwrap();
                        assert_eq!(&oa.multiply(&ob).to_be_bytes()[..], &(*a * b).to_repr()[..]);
                    }
                }
            }
        };
    }

    scalars_against_rustcrypto!(n256_matches_rustcrypto, Fn256, p256, NistP256, 32);
    scalars_against_rustcrypto!(n384_matches_rustcrypto, Fn384, p384, NistP384, 48);

    /// The constants derived from `p` at compile time.
    #[test]
    fn derived_constants() {
        assert_eq!(Fp256::M0, 1);
        assert_eq!(Fp384::M0, 0x1_0000_0001);
        assert_eq!(Fp256::P[0].wrapping_mul(Fp256::M0), u64::MAX);
        assert_eq!(Fp384::P[0].wrapping_mul(Fp384::M0), u64::MAX);
        // R^2 for P-256 as RustCrypto writes it.
        assert_eq!(
            Fp256::R2,
            [
                0x0000_0000_0000_0003,
                0xffff_fffb_ffff_ffff,
                0xffff_ffff_ffff_fffe,
                0x0000_0004_ffff_fffd
            ]
        );
    }

    macro_rules! masked_edges {
        ($name:ident, $field:ident, $n:expr, $bytes:expr) => {
            /// The branch-free reductions give what the branching ones give, at the limb values
            /// where the choice flips: sums of exactly `p` and one either side, differences of
            /// zero and one either side, reduction inputs just below and above `p` and with a
            /// top word. The values are set as limbs directly (the Montgomery form of the
            /// canonical edges is not an edge itself).
            #[test]
            fn $name() {
                const N: usize = $n;
                let p = $field::P;
                let from_small = |k: u64| -> [u64; N] {
                    let mut v = [0u64; N];
                    v[0] = k;
                    v
                };
                let p_minus = |k: u64| sub_limbs(&p, &from_small(k)).0;
                let mut values: Vec<[u64; N]> = vec![
                    from_small(0),
                    from_small(1),
                    from_small(2),
                    p_minus(1),
                    p_minus(2),
                ];
                for k in 0..(64 * N - 1) {
                    let mut v = [0u64; N];
                    v[k / 64] = 1 << (k % 64);
                    if !geq(&v, &p) {
                        values.push(v);
                        values.push(sub_limbs(&p, &v).0);
                    }
                }
                while values.len() < 600 {
                    let mut v = [0u64; N];
                    for limb in v.iter_mut() {
                        *limb = OsRng.next_u64();
                    }
                    if !geq(&v, &p) {
                        values.push(v);
                    }
                }
                let branching_sub = |a: &[u64; N], b: &[u64; N]| {
                    let (d, borrow) = sub_limbs(a, b);
                    if borrow != 0 {
                        add_limbs(&d, &p).0
                    } else {
                        d
                    }
                };
                let (mut sums_at_p, mut carries) = (0, 0);
                for a in &values {
                    for b in &values {
                        let (sum, carry) = add_limbs(a, b);
                        let expected = reduce_below_2p(sum, carry, &p);
                        assert_eq!(add_mod(a, b, &p), expected);
                        assert!(!geq(&expected, &p));
                        assert_eq!(reduce_below_2p_masked(sum, carry, &p), expected);
                        assert_eq!(sub_mod(a, b, &p), branching_sub(a, b));
                        sums_at_p += usize::from(carry == 0 && sum == p);
                        carries += usize::from(carry != 0);
                    }
                }
                // The edges were reached: sums of exactly p, and sums past 2^(64·N).
                assert!(sums_at_p >= 5, "{sums_at_p}");
                assert!(carries > 1000, "{carries}");
                // Reduction inputs around p and with a top word (value below 2p).
                let two_p_low = add_limbs(&p, &p).0; // 2p - 2^(64·N)
                for t in [
                    p_minus(1),
                    p,
                    add_limbs(&p, &from_small(1)).0,
                    [u64::MAX; N],
                ] {
                    assert_eq!(reduce_below_2p_masked(t, 0, &p), reduce_below_2p(t, 0, &p));
                }
                for t in [from_small(0), sub_limbs(&two_p_low, &from_small(1)).0] {
                    assert_eq!(reduce_below_2p_masked(t, 1, &p), reduce_below_2p(t, 1, &p));
                }
                // Through the element API (each value read as a canonical encoding):
                // a + (-a) = 0 and a - a = 0.
                for a in &values {
                    let x = $field::from_be_slice(&limbs_to_be::<N, $bytes>(a)).unwrap();
                    assert!(x.add(&x.neg()).is_zero());
                    assert!(x.sub(&x).is_zero());
                }
            }
        };
    }

    masked_edges!(p256_masked_reductions_match_branching, Fp256, 4, 32);
    masked_edges!(p384_masked_reductions_match_branching, Fp384, 6, 48);
    masked_edges!(n256_masked_reductions_match_branching, Fn256, 4, 32);
    masked_edges!(n384_masked_reductions_match_branching, Fn384, 6, 48);
}
