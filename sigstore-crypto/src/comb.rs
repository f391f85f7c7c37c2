//! ECDSA verification for P-256 and P-384 with our own point arithmetic over the crate's own
//! field arithmetic (`field`): precomputed comb tables for keys that verify many signatures (the keys of a
//! trusted root: Fulcio intermediates, TSA signing certificates, transparency and CT logs), and
//! interleaved width-w NAF (Straus) for keys seen once or twice.
//!
//! The check is the one of SEC 1 §4.1.4 and of `ecdsa::hazmat::verify_prehashed`: with
//! `z = bits2field(digest) mod n`, `u1 = z/s`, `u2 = r/s`, the signature is valid when
//! `R = u1·G + u2·Q` is not the point at infinity and `x(R) mod n == r` (r and s are non-zero
//! scalars below n by construction of the parsed signature). Only the way `R` is computed
//! differs:
//!
//! - Points are kept in Jacobian coordinates `(X, Y, Z)` ↦ `(X/Z², Y/Z³)` (`Z = 0` is the
//!   point at infinity), with the `a = -3` doubling (3M + 5S) and mixed addition with an affine
//!   table point (8M + 3S), instead of the complete projective formulas of the curve crates
//!   (12M + 2 multiplications by b, and many more field additions). These formulas have
//!   exceptional cases (adding a point to itself or to its negation, the point at infinity);
//!   every addition tests for them and takes the doubling or returns infinity.
//! - Tables are normalized to affine with one field inversion (Montgomery's batch trick).
//! - Comb: Lim-Lee combs of [`TABLES`] tables with [`TEETH`] teeth each, for both `G` and `Q`,
//!   share one doubling chain: `bits/(TEETH·TABLES)` doublings and at most `2·bits/TEETH`
//!   additions per verification.
//! - The entries a comb evaluation will add depend only on the scalars, so they are all read
//!   once before the doubling chain starts (`preload`): in a cold process the tables are not in
//!   the CPU caches, and independent loads overlap their misses where the chain would otherwise
//!   stall on each one (a cold `cold_verify` of a public-good bundle is ~38 µs faster; warm
//!   figures do not change).
//! - No table: `u1` in width-[`G_WINDOW`] NAF over a static table of odd multiples of `G`, `u2`
//!   in width-[`Q_WINDOW`] NAF over odd multiples of `Q` computed per call, one doubling chain.
//! - The final comparison avoids the inversion to affine: `x(R) = X/Z²`, so `x(R) mod n == r`
//!   holds iff `X == r·Z²` or (when `r + n < p`) `X == (r + n)·Z²`.
//!
//! Every input is public (signature, digest, public key), so this variable-time evaluation
//! leaks nothing secret. The field arithmetic is the crate's own, variable time as well
//! (`field`), and so is the arithmetic modulo the group order (`field::Fn256`/`Fn384`) and the
//! reading of the DER signature ([`der_signature`], as strict as `ecdsa`'s `from_der`, which
//! a differential test compares it with).

/// Teeth of every comb table: tables have `2^TEETH` points.
pub(crate) const TEETH: usize = 8;
/// Tables per comb (each covers `TEETH·SPACING` consecutive bits of the scalar).
pub(crate) const TABLES: usize = 4;
/// NAF width for `u1·G` without a comb (a static table of `2^(G_WINDOW-2)` odd multiples).
pub(crate) const G_WINDOW: usize = 7;
/// NAF width for `u2·Q` without a comb (`2^(Q_WINDOW-2)` odd multiples computed per call).
pub(crate) const Q_WINDOW: usize = 5;

/// Width-`w` NAF digits of the big-endian scalar `bytes`, least significant first: every
/// non-zero digit is odd with `|d| < 2^(w-1)`, and at least `w-1` zeros follow each one.
/// `out` must have room for `8·bytes.len() + 1` digits.
fn wnaf(bytes: &[u8], w: usize, out: &mut [i32]) {
    let bits = bytes.len() * 8;
    let bit_at = |n: usize| -> i32 {
        if n >= bits {
            return 0;
        }
        bytes
            .get(bytes.len() - 1 - n / 8)
            .map_or(0, |b| i32::from((b >> (n % 8)) & 1))
    };
    for d in out.iter_mut() {
        *d = 0;
    }
    let mut carry = 0i32;
    let mut bit = 0usize;
    while bit < bits {
        if bit_at(bit) == carry {
            bit += 1;
            continue;
        }
        let now = w.min(bits - bit);
        let mut word = carry;
        for i in 0..now {
            word += bit_at(bit + i) << i;
        }
        carry = (word >> (w - 1)) & 1;
        word -= carry << w;
        if let Some(slot) = out.get_mut(bit) {
            *slot = word;
        }
        bit += now;
    }
    if let Some(slot) = out.get_mut(bits) {
        *slot = carry;
    }
}

/// `(r, s)` of a DER `ECDSA-Sig-Value` (`SEQUENCE { r INTEGER, s INTEGER }`, SEC 1 C.8) as
/// `L`-byte big-endian numbers, with the rules of `ecdsa` 0.16's `Signature::from_der`: exact
/// tags, definite minimal lengths (a valid P-256/P-384 signature never needs the long form, so
/// any long form is refused), minimal positive INTEGERs (no redundant leading zero, no sign
/// bit), at most `L` bytes each once the sign byte is removed, nothing after `s`. The range
/// `0 < r, s < n` is the caller's check.
fn der_signature<const L: usize>(der: &[u8]) -> Option<([u8; L], [u8; L])> {
    let [0x30, len, body @ ..] = der else {
        return None;
    };
    if *len >= 0x80 || usize::from(*len) != body.len() {
        return None;
    }
    let (r, rest) = der_uint::<L>(body)?;
    let (s, rest) = der_uint::<L>(rest)?;
    rest.is_empty().then_some((r, s))
}

/// One unsigned INTEGER at the start of `input`, left-padded to `L` bytes, and what follows.
fn der_uint<const L: usize>(input: &[u8]) -> Option<([u8; L], &[u8])> {
    let [0x02, len, rest @ ..] = input else {
        return None;
    };
    if *len >= 0x80 {
        return None;
    }
    let (content, rest) = rest.split_at_checked(usize::from(*len))?;
    let magnitude = match content {
        [] => return None,
        [first, ..] if first & 0x80 != 0 => return None,
        [0, next, ..] if next & 0x80 == 0 => return None,
        [0, tail @ ..] => tail,
        _ => content,
    };
    let mut out = [0u8; L];
    let start = L.checked_sub(magnitude.len())?;
    out.get_mut(start..)?.copy_from_slice(magnitude);
    Some((out, rest))
}

/// SEC 1 §4.1.4 step 5 as `ecdsa::hazmat::bits2field`: the digest's leftmost `L` bytes, a
/// shorter digest left-padded with zeros; shorter than `L/2` bytes is refused.
fn bits2field<const L: usize>(digest: &[u8]) -> Option<[u8; L]> {
    if digest.len() < L / 2 {
        return None;
    }
    let mut out = [0u8; L];
    let taken = digest.get(..L).unwrap_or(digest);
    out.get_mut(L - taken.len()..)?.copy_from_slice(taken);
    Some(out)
}

/// `a + b` for `L`-byte big-endian numbers, and whether it carried out.
fn add_be<const L: usize>(a: &[u8; L], b: &[u8; L]) -> ([u8; L], bool) {
    let mut out = [0u8; L];
    let mut carry = 0u16;
    for ((o, x), y) in out.iter_mut().zip(a).zip(b).rev() {
        let t = u16::from(*x) + u16::from(*y) + carry;
        *o = t as u8;
        carry = t >> 8;
    }
    (out, carry != 0)
}

/// `a - b` for `L`-byte big-endian numbers with `a >= b`.
fn sub_be<const L: usize>(a: &[u8; L], b: &[u8; L]) -> [u8; L] {
    let mut out = [0u8; L];
    let mut borrow = 0i16;
    for ((o, x), y) in out.iter_mut().zip(a).zip(b).rev() {
        let t = i16::from(*x) - i16::from(*y) - borrow;
        *o = t.rem_euclid(256) as u8;
        borrow = i16::from(t < 0);
    }
    out
}

macro_rules! comb_curve {
    ($module:ident, $krate:ident, $curve:ident, $uint:ident, $bits:expr, $tables:ident, $field:ident, $scalar:ident, $b:expr) => {
        pub(crate) mod $module {

            use $krate::elliptic_curve::sec1::ToEncodedPoint as _;
            use $krate::AffinePoint;

            use crate::field::$field as FieldElement;
            use crate::field::$scalar as ScalarElement;

            use super::{
                add_be, bits2field, der_signature, sub_be, wnaf, G_WINDOW, Q_WINDOW, TABLES, TEETH,
            };

            /// Bits of the scalars.
            const BITS: usize = $bits;
            /// Distance between two teeth.
            const SPACING: usize = BITS / (TEETH * TABLES);
            const _: () = assert!(SPACING * TEETH * TABLES == BITS);
            /// Bytes of a scalar.
            const LEN: usize = BITS / 8;
            /// Bytes of one stored table entry (`x` and `y`, see `affine_bytes`).
            #[cfg(any(test, feature = "precomputed-tables"))]
            const ENTRY: usize = 2 * LEN;
            /// Entries of a comb (`TABLES` tables of `2^TEETH` points).
            #[cfg(any(test, feature = "precomputed-tables"))]
            const COMB_ENTRIES: usize = TABLES << TEETH;
            /// Entries of the odd-multiples table of `G`.
            const ODD_ENTRIES: usize = 1 << (G_WINDOW - 2);

            /// An affine point (never the point at infinity).
            #[derive(Clone, Copy, PartialEq, Debug)]
            pub(crate) struct Affine {
                x: FieldElement,
                y: FieldElement,
            }

            /// The curve's `b`, big-endian.
            const B: [u8; LEN] = $b;

            impl Affine {
                /// The point of a SEC1 encoding, validated as RustCrypto's
                /// `PublicKey::from_sec1_bytes` validates it (a differential test compares
                /// them): an uncompressed point is checked here, both coordinates below `p`
                /// and `y² = x³ - 3x + b`; any other encoding (compressed, identity, unknown
                /// tag) goes through RustCrypto, which decompresses or refuses it.
                pub(crate) fn from_sec1(sec1: &[u8]) -> Option<Self> {
                    if let [0x04, xy @ ..] = sec1 {
                        if xy.len() != 2 * LEN {
                            return None;
                        }
                        let (x, y) = xy.split_at(LEN);
                        let x = FieldElement::from_be_slice(x)?;
                        let y = FieldElement::from_be_slice(y)?;
                        let b = FieldElement::from_be_slice(&B)?;
                        let x3 = x.square().multiply(&x);
                        let rhs = x3.sub(&x.double().add(&x)).add(&b);
                        return (y.square() == rhs).then_some(Affine { x, y });
                    }
                    let key = $krate::PublicKey::from_sec1_bytes(sec1).ok()?;
                    Self::from_point(key.as_affine())
                }

                fn from_point(p: &AffinePoint) -> Option<Self> {
                    let encoded = p.to_encoded_point(false);
                    Some(Affine {
                        x: FieldElement::from_be_slice(encoded.x()?)?,
                        y: FieldElement::from_be_slice(encoded.y()?)?,
                    })
                }

                fn neg(&self) -> Self {
                    Affine {
                        x: self.x,
                        y: self.y.neg(),
                    }
                }
            }

            /// Jacobian coordinates; `z == 0` is the point at infinity.
            #[derive(Clone, Copy)]
            pub(crate) struct Jacobian {
                x: FieldElement,
                y: FieldElement,
                z: FieldElement,
            }

            fn is_zero(f: &FieldElement) -> bool {
                f.is_zero()
            }

            impl Jacobian {
                const INFINITY: Jacobian = Jacobian {
                    x: FieldElement::ONE,
                    y: FieldElement::ONE,
                    z: FieldElement::ZERO,
                };

                fn from_affine(p: &Affine) -> Self {
                    Jacobian {
                        x: p.x,
                        y: p.y,
                        z: FieldElement::ONE,
                    }
                }

                fn is_infinity(&self) -> bool {
                    is_zero(&self.z)
                }

                fn neg(&self) -> Self {
                    Jacobian {
                        x: self.x,
                        y: self.y.neg(),
                        z: self.z,
                    }
                }

                /// `2·self` for `a = -3`: 3M + 5S (field products inlined here and in
                /// `add_affine`/`finish`, the operations every verification repeats).
                #[inline(never)]
                fn double(&self) -> Self {
                    if self.is_infinity() || is_zero(&self.y) {
                        return Self::INFINITY;
                    }
                    let delta = self.z.square_inline();
                    let gamma = self.y.square_inline();
                    let beta = self.x.multiply_inline(&gamma);
                    let t = self.x.sub(&delta).multiply_inline(&self.x.add(&delta));
                    let alpha = t.double().add(&t);
                    let beta4 = beta.double().double();
                    let x3 = alpha.square_inline().sub(&beta4.double());
                    let z3 = self.y.add(&self.z).square_inline().sub(&gamma).sub(&delta);
                    let gamma2_8 = gamma.square_inline().double().double().double();
                    let y3 = alpha.multiply_inline(&beta4.sub(&x3)).sub(&gamma2_8);
                    Jacobian {
                        x: x3,
                        y: y3,
                        z: z3,
                    }
                }

                /// `self + q` for an affine `q`: 8M + 3S, exceptional cases handled.
                #[inline(never)]
                fn add_affine(&self, q: &Affine) -> Self {
                    if self.is_infinity() {
                        return Self::from_affine(q);
                    }
                    let z1z1 = self.z.square_inline();
                    let u2 = q.x.multiply_inline(&z1z1);
                    let s2 = q.y.multiply_inline(&self.z).multiply_inline(&z1z1);
                    let h = u2.sub(&self.x);
                    let r = s2.sub(&self.y);
                    if is_zero(&h) {
                        return if is_zero(&r) {
                            self.double()
                        } else {
                            Self::INFINITY
                        };
                    }
                    self.finish(h, r, &self.x, &self.y, self.z.multiply_inline(&h))
                }

                /// `self + q` for a Jacobian `q`: 12M + 4S, exceptional cases handled.
                fn add(&self, q: &Jacobian) -> Self {
                    if self.is_infinity() {
                        return *q;
                    }
                    if q.is_infinity() {
                        return *self;
                    }
                    let z1z1 = self.z.square();
                    let z2z2 = q.z.square();
                    let u1 = self.x.multiply(&z2z2);
                    let u2 = q.x.multiply(&z1z1);
                    let s1 = self.y.multiply(&q.z).multiply(&z2z2);
                    let s2 = q.y.multiply(&self.z).multiply(&z1z1);
                    let h = u2.sub(&u1);
                    let r = s2.sub(&s1);
                    if is_zero(&h) {
                        return if is_zero(&r) {
                            self.double()
                        } else {
                            Self::INFINITY
                        };
                    }
                    let z3 = self.z.multiply(&q.z).multiply(&h);
                    self.finish(h, r, &u1, &s1, z3)
                }

                /// Shared tail of the additions: `X3 = r² - H³ - 2·U1·H²`,
                /// `Y3 = r·(U1·H² - X3) - S1·H³`.
                #[inline(never)]
                fn finish(
                    &self,
                    h: FieldElement,
                    r: FieldElement,
                    u1: &FieldElement,
                    s1: &FieldElement,
                    z3: FieldElement,
                ) -> Self {
                    let hh = h.square_inline();
                    let hhh = hh.multiply_inline(&h);
                    let v = u1.multiply_inline(&hh);
                    let x3 = r.square_inline().sub(&hhh).sub(&v.double());
                    let y3 = r
                        .multiply_inline(&v.sub(&x3))
                        .sub(&s1.multiply_inline(&hhh));
                    Jacobian {
                        x: x3,
                        y: y3,
                        z: z3,
                    }
                }
            }

            /// Affine forms of `points`, with one inversion; `None` if one is at infinity.
            fn normalize(points: &[Jacobian]) -> Option<Vec<Affine>> {
                let mut prefix = Vec::with_capacity(points.len());
                let mut acc = FieldElement::ONE;
                for p in points {
                    if p.is_infinity() {
                        return None;
                    }
                    prefix.push(acc);
                    acc = acc.multiply(&p.z);
                }
                let mut inv = acc.invert()?;
                let mut out = vec![
                    Affine {
                        x: FieldElement::ZERO,
                        y: FieldElement::ZERO,
                    };
                    points.len()
                ];
                for ((p, before), slot) in points.iter().zip(prefix).zip(out.iter_mut()).rev() {
                    let z_inv = inv.multiply(&before);
                    inv = inv.multiply(&p.z);
                    let z2 = z_inv.square();
                    *slot = Affine {
                        x: p.x.multiply(&z2),
                        y: p.y.multiply(&z2.multiply(&z_inv)),
                    };
                }
                Some(out)
            }

            /// A key's comb: `tables[t·2^TEETH + j]` = sum over set bits i of j of
            /// `2^(SPACING·(TEETH·t + i))·P` (entry 0 of each table, infinity, is unused).
            pub(crate) struct Comb {
                tables: Vec<Affine>,
            }

            impl std::fmt::Debug for Comb {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str(concat!(stringify!($curve), " comb table"))
                }
            }

            impl Comb {
                /// The comb of `p`; `None` if `p` is the identity (or, which cannot happen
                /// for a point of prime order, a table entry is).
                #[cfg(any(test, not(feature = "precomputed-tables")))]
                pub(crate) fn new(p: &AffinePoint) -> Option<Self> {
                    Self::from_affine(Affine::from_point(p)?)
                }

                /// The comb of a validated point.
                pub(crate) fn from_affine(point: Affine) -> Option<Self> {
                    let mut teeth = Vec::with_capacity(TEETH * TABLES);
                    let mut cur = Jacobian::from_affine(&point);
                    for _ in 0..TEETH * TABLES {
                        teeth.push(cur);
                        for _ in 0..SPACING {
                            cur = cur.double();
                        }
                    }
                    let size = 1usize << TEETH;
                    let mut all = Vec::with_capacity(TABLES * size);
                    for table_teeth in teeth.chunks(TEETH) {
                        let base = all.len();
                        all.push(Jacobian::INFINITY);
                        for j in 1..size {
                            let low = j.trailing_zeros() as usize;
                            let rest = all.get(base + (j & (j - 1)))?;
                            let tooth = table_teeth.get(low)?;
                            let sum = rest.add(tooth);
                            all.push(sum);
                        }
                    }
                    // Entry 0 of every table stays infinity and is never read: normalize the
                    // others and put a placeholder (the base point) there.
                    let live: Vec<Jacobian> = all
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| i % size != 0)
                        .map(|(_, p)| *p)
                        .collect();
                    let mut affine = normalize(&live)?.into_iter();
                    let mut tables = Vec::with_capacity(TABLES * size);
                    for i in 0..TABLES * size {
                        if i % size == 0 {
                            tables.push(point);
                        } else {
                            tables.push(affine.next()?);
                        }
                    }
                    Some(Comb { tables })
                }

                /// The table's entries (entry 0 of each table is the point itself).
                pub(crate) fn entries(&self) -> &[Affine] {
                    &self.tables
                }

                /// The stored form of the compiled-in tables (`affine_bytes`).
                #[cfg(test)]
                fn to_bytes(&self) -> Vec<u8> {
                    affine_bytes(&self.tables)
                }
            }

            /// Decode a stored table at compile time (per entry `x` then `y`, each in
            /// Montgomery form as little-endian words; see `affine_bytes`): the compiled-in
            /// tables cost nothing to read at run time.
            // Runs in constant evaluation (tests call it too): loops over fixed-size arrays by
            // counters below their length, and an input of the wrong length fails the build.
            #[allow(clippy::indexing_slicing)]
            #[cfg(any(test, feature = "precomputed-tables"))]
            const fn decode_table<const E: usize>(bytes: &[u8]) -> [Affine; E] {
                assert!(
                    bytes.len() == E * ENTRY,
                    "a compiled-in table has the wrong size"
                );
                let mut out = [Affine {
                    x: FieldElement::ZERO,
                    y: FieldElement::ZERO,
                }; E];
                let mut i = 0;
                while i < E {
                    out[i] = Affine {
                        x: FieldElement::from_montgomery_le_const(bytes, i * ENTRY),
                        y: FieldElement::from_montgomery_le_const(bytes, i * ENTRY + LEN),
                    };
                    i += 1;
                }
                out
            }

            /// The comb of the generator, compiled in.
            #[cfg(feature = "precomputed-tables")]
            static G_COMB: [Affine; COMB_ENTRIES] = decode_table(crate::tables::$tables::G_COMB);

            /// Odd multiples of the generator, compiled in.
            #[cfg(feature = "precomputed-tables")]
            static G_ODD: [Affine; ODD_ENTRIES] = decode_table(crate::tables::$tables::G_ODD);

            /// Number of listed production keys with a compiled-in comb.
            #[cfg(feature = "precomputed-tables")]
            const KEY_COUNT: usize = crate::tables::$tables::KEYS.len();

            /// The combs of the listed production keys, compiled in (same order as
            /// `tables::KEYS`).
            #[cfg(feature = "precomputed-tables")]
            #[allow(clippy::indexing_slicing)] // constant evaluation, counters below the length
            static KEY_COMBS: [[Affine; COMB_ENTRIES]; KEY_COUNT] = {
                let keys = crate::tables::$tables::KEYS;
                let mut out = [[Affine {
                    x: FieldElement::ZERO,
                    y: FieldElement::ZERO,
                }; COMB_ENTRIES]; KEY_COUNT];
                let mut k = 0;
                while k < KEY_COUNT {
                    out[k] = decode_table(keys[k].1);
                    k += 1;
                }
                out
            };

            /// The stored form of the compiled-in tables: for every point, `x` then `y` in
            /// Montgomery form (`a·2^BITS mod p`) as little-endian 64-bit words, least
            /// significant first.
            #[cfg(test)]
            fn affine_bytes(points: &[Affine]) -> Vec<u8> {
                let mut out = Vec::with_capacity(points.len() * ENTRY);
                for p in points {
                    out.extend_from_slice(&p.x.to_montgomery_le());
                    out.extend_from_slice(&p.y.to_montgomery_le());
                }
                out
            }

            /// The compiled-in comb of the key with affine coordinates `x_y` (`x || y`,
            /// big-endian), if it is one of the listed production keys.
            pub(crate) fn precomputed(x_y: &[u8]) -> Option<&'static [Affine]> {
                #[cfg(feature = "precomputed-tables")]
                {
                    let (x, y) = (x_y.get(..LEN)?, x_y.get(LEN..)?);
                    let point = Affine {
                        x: FieldElement::from_be_slice(x)?,
                        y: FieldElement::from_be_slice(y)?,
                    };
                    KEY_COMBS
                        .iter()
                        .find(|comb| comb.first() == Some(&point))
                        .map(|comb| &comb[..])
                }
                #[cfg(not(feature = "precomputed-tables"))]
                {
                    let _ = x_y;
                    None
                }
            }

            /// The entry indices a comb evaluation reads for `scalar`: for column `k` and table
            /// `t`, entry `t·2^TEETH + column(scalar, t, k)` (0 = nothing to add).
            ///
            /// One pass over the scalar's bits: bit `n = SPACING·(TEETH·t + i) + k` is tooth
            /// `i` of column `k` in table `t` (a loop, not [`column`] per entry: that unrolled
            /// into kilobytes of code run once per signature).
            fn comb_indices(scalar: &[u8]) -> [[usize; TABLES]; SPACING] {
                let mut out = [[0usize; TABLES]; SPACING];
                for (byte_index, byte) in scalar.iter().rev().enumerate() {
                    for bit in 0..8 {
                        // Every bit is or-ed in, zero or not: a branch on the scalar's bits
                        // would be mispredicted half the time.
                        let value = usize::from((byte >> bit) & 1);
                        let n = byte_index * 8 + bit;
                        let (k, rest) = (n % SPACING, n / SPACING);
                        let (t, i) = (rest / TEETH, rest % TEETH);
                        if let Some(slot) = out.get_mut(k).and_then(|column| column.get_mut(t)) {
                            *slot |= value << i;
                        }
                    }
                }
                for column in out.iter_mut() {
                    for (t, slot) in column.iter_mut().enumerate() {
                        if *slot != 0 {
                            *slot |= t << TEETH;
                        }
                    }
                }
                out
            }

            /// Reads every entry `indices` selects before the evaluation needs them. Which
            /// entries are needed depends only on the scalars, so these loads do not wait for
            /// each other; in a cold process, where the tables are not in the CPU caches yet,
            /// their misses then overlap instead of each one stalling a point addition.
            fn preload(table: &[Affine], indices: &[[usize; TABLES]; SPACING]) {
                let mut sum = 0u64;
                for &index in indices.iter().flatten() {
                    if let Some(entry) = table.get(index) {
                        sum ^= entry.x.ends() ^ entry.y.ends();
                    }
                }
                std::hint::black_box(sum);
            }

            /// Add the entries `indices` selects (index 0: nothing; `None` only if the table
            /// is too short).
            fn add_column(
                table: &[Affine],
                acc: &mut Jacobian,
                indices: &[usize; TABLES],
            ) -> Option<()> {
                for &index in indices {
                    if index != 0 {
                        *acc = acc.add_affine(table.get(index)?);
                    }
                }
                Some(())
            }

            /// The comb of the generator: compiled in (feature `precomputed-tables`) or built
            /// on first use.
            fn generator() -> Option<&'static [Affine]> {
                #[cfg(feature = "precomputed-tables")]
                {
                    Some(&G_COMB)
                }
                #[cfg(not(feature = "precomputed-tables"))]
                {
                    static G: std::sync::OnceLock<Option<Comb>> = std::sync::OnceLock::new();
                    G.get_or_init(build_generator_comb)
                        .as_ref()
                        .map(Comb::entries)
                }
            }

            /// The comb of the generator, computed.
            #[cfg(any(test, not(feature = "precomputed-tables")))]
            fn build_generator_comb() -> Option<Comb> {
                Comb::new(&AffinePoint::GENERATOR)
            }

            /// Odd multiples `G, 3G, ..., (2^(G_WINDOW-1) - 1)·G`, affine: compiled in
            /// (feature `precomputed-tables`) or built on first use.
            fn generator_odd_multiples() -> Option<&'static [Affine]> {
                #[cfg(feature = "precomputed-tables")]
                {
                    Some(&G_ODD)
                }
                #[cfg(not(feature = "precomputed-tables"))]
                {
                    static G: std::sync::OnceLock<Option<Vec<Affine>>> = std::sync::OnceLock::new();
                    G.get_or_init(build_generator_odd_multiples).as_deref()
                }
            }

            /// The odd multiples of the generator, computed.
            #[cfg(any(test, not(feature = "precomputed-tables")))]
            fn build_generator_odd_multiples() -> Option<Vec<Affine>> {
                let g = Affine::from_point(&AffinePoint::GENERATOR)?;
                normalize(&odd_multiples::<ODD_ENTRIES>(&g))
            }

            /// The `N` odd multiples `P, 3P, 5P, ...` in Jacobian coordinates (on the stack).
            fn odd_multiples<const N: usize>(p: &Affine) -> [Jacobian; N] {
                let twice = Jacobian::from_affine(p).double();
                let mut next = Jacobian::from_affine(p);
                std::array::from_fn(|_| {
                    let cur = next;
                    next = cur.add(&twice);
                    cur
                })
            }

            #[cfg(test)]
            /// Index into table `t` at column `k` (the definition [`comb_indices`] is tested
            /// against): bit `SPACING·(TEETH·t + i) + k` of the
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

            /// The group order `n`, big-endian.
            const ORDER: [u8; LEN] = ScalarElement::P_BE;

            /// `(r, s)` of a DER signature when both are in `[1, n-1]`.
            fn signature_scalars(signature_der: &[u8]) -> Option<([u8; LEN], [u8; LEN])> {
                let (r, s) = der_signature::<LEN>(signature_der)?;
                let zero = [0u8; LEN];
                (r != zero && s != zero && r < ORDER && s < ORDER).then_some((r, s))
            }

            /// `(r, u1, u2)` of SEC 1 §4.1.4 for a DER signature over `digest`, as big-endian
            /// bytes, or `None` when the signature does not parse or `r` or `s` is not in
            /// `[1, n-1]`: `z = bits2field(digest) mod n`, `u1 = z/s`, `u2 = r/s`.
            fn scalars(
                digest: &[u8],
                signature_der: &[u8],
            ) -> Option<([u8; LEN], [u8; LEN], [u8; LEN])> {
                let (r, s) = signature_scalars(signature_der)?;
                // bits2field gives fewer bits than n has, so one subtraction reduces it.
                let mut z = bits2field::<LEN>(digest)?;
                if z >= ORDER {
                    z = sub_be(&z, &ORDER);
                }
                let s_inv = ScalarElement::from_be_slice(&s)?.invert()?;
                let u1 = ScalarElement::from_be_slice(&z)?.multiply(&s_inv);
                let u2 = ScalarElement::from_be_slice(&r)?.multiply(&s_inv);
                Some((r, u1.to_be_bytes(), u2.to_be_bytes()))
            }

            /// The final comparison: `R` is not the point at infinity and `x(R) mod n == r`,
            /// i.e. `X == r·Z²`, or `X == (r + n)·Z²` when `r + n < p` (x(R) in [n, p)).
            fn accept(point: &Jacobian, r: &[u8; LEN]) -> bool {
                if point.is_infinity() {
                    return false;
                }
                let zz = point.z.square();
                // r < n < p.
                let Some(r_field) = FieldElement::from_be_slice(r) else {
                    return false;
                };
                if is_zero(&point.x.sub(&r_field.multiply(&zz))) {
                    return true;
                }
                let (r_plus_n, carry) = add_be(r, &ORDER);
                if carry {
                    return false;
                }
                // `from_be_slice` refuses values >= p.
                match FieldElement::from_be_slice(&r_plus_n) {
                    Some(candidate) => is_zero(&point.x.sub(&candidate.multiply(&zz))),
                    None => false,
                }
            }

            /// [`verify_affine`] for a RustCrypto point (the tests' reference keys).
            #[cfg(test)]
            pub(crate) fn verify_point(
                q: &AffinePoint,
                digest: &[u8],
                signature_der: &[u8],
            ) -> bool {
                match Affine::from_point(q) {
                    Some(q) => verify_affine(&q, digest, signature_der),
                    None => false,
                }
            }

            /// Verify a DER ECDSA signature over `digest` with the key `q`, which has no comb
            /// table: `u1·G + u2·Q` with both scalars in NAF form sharing one doubling chain.
            pub(crate) fn verify_affine(q: &Affine, digest: &[u8], signature_der: &[u8]) -> bool {
                let Some((r, u1, u2)) = scalars(digest, signature_der) else {
                    return false;
                };
                let Some(tg) = generator_odd_multiples() else {
                    return false;
                };
                let tq = odd_multiples::<{ 1 << (Q_WINDOW - 2) }>(q);
                let mut n1 = [0i32; BITS + 1];
                let mut n2 = [0i32; BITS + 1];
                wnaf(&u1, G_WINDOW, &mut n1);
                wnaf(&u2, Q_WINDOW, &mut n2);
                let mut acc = Jacobian::INFINITY;
                for (d1, d2) in n1.iter().zip(n2.iter()).rev() {
                    acc = acc.double();
                    if *d1 != 0 {
                        if let Some(p) = tg.get((d1.unsigned_abs() / 2) as usize) {
                            acc = acc.add_affine(&if *d1 < 0 { p.neg() } else { *p });
                        }
                    }
                    if *d2 != 0 {
                        if let Some(p) = tq.get((d2.unsigned_abs() / 2) as usize) {
                            acc = acc.add(&if *d2 < 0 { p.neg() } else { *p });
                        }
                    }
                }
                accept(&acc, &r)
            }

            /// Verify a DER ECDSA signature over `digest` with the key whose comb entries are
            /// `q` (a built [`Comb`] or a compiled-in one; entry 0 is the key).
            pub(crate) fn verify(q: &[Affine], digest: &[u8], signature_der: &[u8]) -> bool {
                match (generator(), q.first()) {
                    (Some(g), _) => verify_combs(g, q, digest, signature_der),
                    (None, Some(point)) => verify_affine(point, digest, signature_der),
                    (None, None) => false,
                }
            }

            /// `u1·G + u2·Q` over the combs of `G` and `Q`, one shared doubling chain.
            fn verify_combs(
                g: &[Affine],
                q: &[Affine],
                digest: &[u8],
                signature_der: &[u8],
            ) -> bool {
                let Some((r, u1, u2)) = scalars(digest, signature_der) else {
                    return false;
                };
                let (gi, qi) = (comb_indices(&u1), comb_indices(&u2));
                preload(g, &gi);
                preload(q, &qi);
                let mut acc = Jacobian::INFINITY;
                for (g_column, q_column) in gi.iter().zip(qi.iter()).rev() {
                    acc = acc.double();
                    if add_column(g, &mut acc, g_column).is_none()
                        || add_column(q, &mut acc, q_column).is_none()
                    {
                        return false;
                    }
                }
                accept(&acc, &r)
            }

            #[cfg(test)]
            #[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
            mod tests {
                use super::*;
                use rand_core::OsRng;
                use $krate::elliptic_curve::bigint::$uint;
                use $krate::elliptic_curve::group::Group as _;
                use $krate::elliptic_curve::sec1::FromEncodedPoint as _;
                use $krate::elliptic_curve::Curve as _;
                use $krate::elliptic_curve::Field as _;
                use $krate::elliptic_curve::PrimeField as _;
                use $krate::{EncodedPoint, FieldBytes, ProjectivePoint, Scalar};

                fn field_bytes(f: &FieldElement) -> FieldBytes {
                    let mut out = FieldBytes::default();
                    out.copy_from_slice(&f.to_be_bytes());
                    out
                }

                fn to_affine(p: &Jacobian) -> Option<AffinePoint> {
                    normalize(&[*p]).map(|v| {
                        let a = v[0];
                        let encoded = EncodedPoint::from_affine_coordinates(
                            &field_bytes(&a.x),
                            &field_bytes(&a.y),
                            false,
                        );
                        AffinePoint::from_encoded_point(&encoded).unwrap()
                    })
                }

                fn ours(p: &ProjectivePoint) -> Affine {
                    Affine::from_point(&p.to_affine()).unwrap()
                }

                fn same(j: &Jacobian, reference: &ProjectivePoint) {
                    if bool::from(reference.is_identity()) {
                        assert!(j.is_infinity());
                    } else {
                        assert_eq!(to_affine(j).unwrap(), reference.to_affine());
                    }
                }

                /// Doubling and both additions agree with the crate's complete formulas,
                /// including the exceptional cases (P + P, P + (-P), infinity).
                #[test]
                fn formulas_match_complete_arithmetic() {
                    for _ in 0..16 {
                        let p = ProjectivePoint::GENERATOR * Scalar::random(&mut OsRng);
                        let q = ProjectivePoint::GENERATOR * Scalar::random(&mut OsRng);
                        let (pa, qa) = (ours(&p), ours(&q));
                        let (pj, qj) = (Jacobian::from_affine(&pa), Jacobian::from_affine(&qa));
                        // Non-trivial Z: 2P + Q and 2Q.
                        let pjj = pj.double();
                        let qjj = qj.double();
                        same(&pjj, &p.double());
                        same(&pjj.add(&qj), &(p.double() + q));
                        same(&pjj.add_affine(&qa), &(p.double() + q));
                        same(&pjj.add(&qjj), &(p.double() + q.double()));
                        // P + P takes the doubling, P + (-P) gives infinity.
                        same(&pjj.add(&pjj), &p.double().double());
                        same(&pj.add_affine(&pa), &p.double());
                        same(&pjj.add(&pjj.neg()), &ProjectivePoint::IDENTITY);
                        same(&pj.add_affine(&pa.neg()), &ProjectivePoint::IDENTITY);
                        same(&Jacobian::INFINITY.add_affine(&qa), &q);
                        same(&Jacobian::INFINITY.add(&qjj), &q.double());
                        same(&qjj.add(&Jacobian::INFINITY), &q.double());
                        same(&Jacobian::INFINITY.double(), &ProjectivePoint::IDENTITY);
                    }
                }

                /// `(r, u1, u2)` are RustCrypto's: `r` and `s` as `Signature::from_der` reads
                /// them, `z` as `bits2field` and `Reduce` make it, `u1 = z/s`, `u2 = r/s` with
                /// its scalars, for random signatures and digests of every length from 0 to 80
                /// bytes (`None` exactly where `bits2field` refuses); s = n - 1 and r = 1 too.
                #[test]
                fn scalars_match_rustcrypto() {
                    use rand_core::RngCore as _;
                    use $krate::ecdsa::Signature;
                    use $krate::elliptic_curve::ops::Reduce;
                    let reference = |digest: &[u8], sig: &Signature| {
                        let field: FieldBytes =
                            ecdsa::hazmat::bits2field::<$krate::$curve>(digest).ok()?;
                        let z = <Scalar as Reduce<$uint>>::reduce_bytes(&field);
                        let (r, s) = sig.split_scalars();
                        let s_inv = Option::<Scalar>::from(s.invert())?;
                        Some((r.to_repr(), (z * s_inv).to_repr(), (*r * s_inv).to_repr()))
                    };
                    let mut sigs: Vec<Signature> = (0..24)
                        .map(|_| {
                            Signature::from_scalars(
                                Scalar::random(&mut OsRng),
                                Scalar::random(&mut OsRng),
                            )
                            .unwrap()
                        })
                        .collect();
                    sigs.push(Signature::from_scalars(Scalar::ONE, -Scalar::ONE).unwrap());
                    sigs.push(Signature::from_scalars(-Scalar::ONE, Scalar::ONE).unwrap());
                    for (k, sig) in sigs.iter().enumerate() {
                        let der = sig.to_der();
                        for len in (0..=80).filter(|l| k < 2 || l % 8 == 0 || *l < 4) {
                            let mut digest = vec![0u8; len];
                            OsRng.fill_bytes(&mut digest);
                            if k == 1 {
                                digest.fill(0xff);
                            }
                            let ours = scalars(&digest, der.as_bytes());
                            let expected = reference(&digest, sig);
                            assert_eq!(
                                ours.map(|(r, u1, u2)| (r.to_vec(), u1.to_vec(), u2.to_vec())),
                                expected.map(|(r, u1, u2)| (r.to_vec(), u1.to_vec(), u2.to_vec())),
                                "digest of {len} bytes"
                            );
                        }
                    }
                }

                /// `Affine::from_sec1` accepts exactly the encodings RustCrypto's
                /// `PublicKey::from_sec1_bytes` accepts, as the same point: random keys in both
                /// forms, every byte of an uncompressed key changed to a few values, every
                /// truncation, coordinates at and above `p`, `-G`, the identity, hybrid and
                /// unknown tags, wrong lengths.
                #[test]
                fn sec1_reading_matches_rustcrypto() {
                    let reference = |b: &[u8]| {
                        $krate::PublicKey::from_sec1_bytes(b)
                            .ok()
                            .map(|k| Affine::from_point(k.as_affine()).unwrap())
                    };
                    let mut inputs: Vec<Vec<u8>> = Vec::new();
                    for _ in 0..6 {
                        let sk = $krate::SecretKey::random(&mut OsRng);
                        let point = *sk.public_key().as_affine();
                        let plain = point.to_encoded_point(false).as_bytes().to_vec();
                        let packed = point.to_encoded_point(true).as_bytes().to_vec();
                        for pos in 0..plain.len() {
                            for v in [plain[pos] ^ 1, plain[pos] ^ 0x80, 0x00, 0xff] {
                                let mut m = plain.clone();
                                m[pos] = v;
                                inputs.push(m);
                            }
                        }
                        for cut in 0..plain.len() {
                            inputs.push(plain[..cut].to_vec());
                        }
                        let mut hybrid = plain.clone();
                        hybrid[0] = 0x06 | (plain[plain.len() - 1] & 1);
                        inputs.push(hybrid);
                        let mut longer = plain.clone();
                        longer.push(0);
                        inputs.push(longer);
                        inputs.push(plain);
                        inputs.push(packed);
                    }
                    let p: [u8; LEN] = FieldElement::P_BE;
                    let g = AffinePoint::GENERATOR.to_encoded_point(false);
                    let (gx, gy) = (g.x().unwrap().to_vec(), g.y().unwrap().to_vec());
                    // -G: y replaced by p - y (valid); y + p does not fit or is >= p.
                    let neg_gy = super::sub_be::<LEN>(&p, gy.as_slice().try_into().unwrap());
                    let (gy_plus_p, carry) =
                        super::add_be::<LEN>(gy.as_slice().try_into().unwrap(), &p);
                    inputs.push([&[4u8][..], &gx, &neg_gy].concat());
                    if !carry {
                        inputs.push([&[4u8][..], &gx, &gy_plus_p].concat());
                    }
                    inputs.push([&[4u8][..], &p, &gy].concat());
                    inputs.push([&[4u8][..], &gx, &p].concat());
                    inputs.push([&[4u8][..], &[0xffu8; LEN], &[0xffu8; LEN]].concat());
                    inputs.push([&[4u8][..], &[0u8; LEN], &[0u8; LEN]].concat());
                    inputs.push(vec![0x00]);
                    inputs.push(vec![]);
                    inputs.push(vec![0x04]);
                    inputs.push([&[5u8][..], &gx, &gy].concat());
                    let mut accepted = 0;
                    for input in &inputs {
                        let ours = Affine::from_sec1(input);
                        assert_eq!(ours, reference(input), "{input:02x?}");
                        accepted += usize::from(ours.is_some());
                    }
                    // The random keys (both forms), -G, the generator and hybrid encodings
                    // RustCrypto may accept.
                    assert!(accepted >= 13, "{accepted}");
                }

                /// The DER reading accepts exactly what `ecdsa`'s `Signature::from_der` accepts
                /// (and then `r` and `s` agree): valid signatures, every truncation, every byte
                /// changed to a few values, and hand-made encodings (long-form lengths, leading
                /// zeros, negative and zero integers, n, n - 1, trailing bytes, wrong tags).
                #[test]
                fn der_reading_matches_ecdsa() {
                    use $krate::ecdsa::Signature;
                    let ours = |der: &[u8]| -> Option<(Vec<u8>, Vec<u8>)> {
                        signature_scalars(der).map(|(r, s)| (r.to_vec(), s.to_vec()))
                    };
                    let theirs = |der: &[u8]| -> Option<(Vec<u8>, Vec<u8>)> {
                        let sig = Signature::from_der(der).ok()?;
                        let (r, s) = sig.split_scalars();
                        Some((r.to_repr().to_vec(), s.to_repr().to_vec()))
                    };
                    let mut inputs: Vec<Vec<u8>> = Vec::new();
                    for _ in 0..6 {
                        let sig = Signature::from_scalars(
                            Scalar::random(&mut OsRng),
                            Scalar::random(&mut OsRng),
                        )
                        .unwrap();
                        let der = sig.to_der().as_bytes().to_vec();
                        inputs.extend(crate::test_util::byte_variants(&der, |_| {
                            vec![0x00, 0x01, 0x02, 0x30, 0x7f, 0x80, 0x81, 0xff]
                        }));
                    }
                    let int = |v: &[u8]| -> Vec<u8> {
                        let mut out = vec![0x02, v.len() as u8];
                        out.extend_from_slice(v);
                        out
                    };
                    let seq = |body: &[u8]| -> Vec<u8> {
                        let mut out = vec![0x30, body.len() as u8];
                        out.extend_from_slice(body);
                        out
                    };
                    let n = ORDER.to_vec();
                    let mut n_minus_1 = n.clone();
                    *n_minus_1.last_mut().unwrap() -= 1;
                    let one = vec![1u8];
                    let cases: Vec<Vec<u8>> = vec![
                        seq(&[int(&one), int(&one)].concat()),
                        seq(&[int(&[0]), int(&one)].concat()),
                        seq(&[int(&[0, 1]), int(&one)].concat()),
                        seq(&[int(&[0x80]), int(&one)].concat()),
                        seq(&[int(&[0, 0x80]), int(&one)].concat()),
                        seq(&[int(&[]), int(&one)].concat()),
                        seq(&[int(&[[0].as_slice(), &n].concat()), int(&one)].concat()),
                        seq(&[int(&[[0].as_slice(), &n_minus_1].concat()), int(&one)].concat()),
                        seq(&[int(&n_minus_1), int(&one)].concat()),
                        seq(&[int(&[1u8; LEN + 1]), int(&one)].concat()),
                        seq(&[int(&[[0].as_slice(), &[0xffu8; LEN]].concat()), int(&one)].concat()),
                        [vec![0x30, 0x81, 6], int(&one), int(&one)].concat(),
                        [vec![0x30, 6, 0x02, 0x81, 1, 1], int(&one)].concat(),
                        [vec![0x31, 6], int(&one), int(&one)].concat(),
                        [vec![0x30, 6, 0x03, 1, 1], int(&one)].concat(),
                        seq(&[int(&one), int(&one), int(&one)].concat()),
                        seq(&int(&one)),
                        seq(&[]),
                        vec![],
                    ];
                    inputs.extend(cases);
                    let mut accepted = 0;
                    for input in &inputs {
                        let (a, b) = (ours(input), theirs(input));
                        assert_eq!(a, b, "{input:02x?}");
                        accepted += usize::from(a.is_some());
                    }
                    // Valid signatures, mutations that keep one valid, and the hand-made
                    // valid ones were all seen.
                    assert!(accepted > 12, "{accepted}");
                }

                /// The one-pass index computation agrees with the definition, bit by bit, on
                /// random scalars and on zero, all ones and single bits.
                #[test]
                fn comb_indices_match_the_definition() {
                    use rand_core::RngCore as _;
                    let mut scalars = vec![[0u8; LEN], [0xff; LEN]];
                    for n in 0..BITS {
                        let mut v = [0u8; LEN];
                        v[LEN - 1 - n / 8] = 1 << (n % 8);
                        scalars.push(v);
                    }
                    for _ in 0..200 {
                        let mut v = [0u8; LEN];
                        OsRng.fill_bytes(&mut v);
                        scalars.push(v);
                    }
                    for scalar in &scalars {
                        let indices = comb_indices(scalar);
                        for k in 0..SPACING {
                            for t in 0..TABLES {
                                let expected = match column(scalar, t, k) {
                                    0 => 0,
                                    index => (t << TEETH) | index,
                                };
                                assert_eq!(indices[k][t], expected, "k {k} t {t}");
                            }
                        }
                    }
                }

                /// NAF digits are odd, below `2^(w-1)` in magnitude, sparse, and sum to the
                /// scalar.
                #[test]
                fn wnaf_digits_reconstruct_the_scalar() {
                    for w in [G_WINDOW, Q_WINDOW] {
                        for _ in 0..32 {
                            let k = Scalar::random(&mut OsRng);
                            let mut digits = [0i32; BITS + 1];
                            wnaf(&k.to_repr(), w, &mut digits);
                            let mut acc = Scalar::ZERO;
                            let mut last: Option<usize> = None;
                            for (i, d) in digits.iter().enumerate().rev() {
                                acc = acc.double();
                                if *d != 0 {
                                    assert_eq!(d.rem_euclid(2), 1);
                                    assert!(d.unsigned_abs() < 1 << (w - 1));
                                    if let Some(l) = last {
                                        assert!(l - i >= w, "digits {l} and {i} too close");
                                    }
                                    last = Some(i);
                                    let m = Scalar::from(u64::from(d.unsigned_abs()));
                                    acc = if *d < 0 { acc - m } else { acc + m };
                                }
                            }
                            assert_eq!(acc, k);
                        }
                    }
                }

                /// `x(R)` in `[n, p)`: the signature carries `r = x(R) - n`, and only the
                /// second comparison of `accept` (`X == (r + n)·Z²`) recognizes it. Built with
                /// a zero digest (u1 = 0) and `Q = (s/r)·R`, so that `u2·Q = R`.
                #[test]
                fn x_coordinate_above_the_order_is_accepted() {
                    use $krate::ecdsa::signature::hazmat::PrehashVerifier as _;
                    // RustCrypto's field here (it has a square root), not ours.
                    type Rc = $krate::FieldElement;
                    let g = ProjectivePoint::GENERATOR
                        .to_affine()
                        .to_encoded_point(false);
                    let gx = Rc::from_slice(g.x().unwrap()).unwrap();
                    let gy = Rc::from_slice(g.y().unwrap()).unwrap();
                    let b = gy
                        .square()
                        .sub(&gx.square().multiply(&gx))
                        .add(&gx.double().add(&gx));
                    let order = $krate::$curve::ORDER;
                    let mut found = 0;
                    let mut t = 1u64;
                    while found < 3 {
                        t += 1;
                        let x_uint = order.wrapping_add(&$uint::from_u64(t));
                        let Some(x) = Option::<Rc>::from(Rc::from_uint(x_uint)) else {
                            panic!("n + {t} is not below p");
                        };
                        let rhs = x.square().multiply(&x).sub(&x.double().add(&x)).add(&b);
                        let Some(y) = Option::<Rc>::from(rhs.sqrt()) else {
                            continue;
                        };
                        found += 1;
                        let encoded = EncodedPoint::from_affine_coordinates(
                            &x.to_bytes(),
                            &y.to_bytes(),
                            false,
                        );
                        let big_r = ProjectivePoint::from(
                            AffinePoint::from_encoded_point(&encoded).unwrap(),
                        );
                        let r = Scalar::from(t);
                        let s = Scalar::random(&mut OsRng);
                        let q = big_r * (s * r.invert().unwrap());
                        let q_affine = q.to_affine();
                        let sig = $krate::ecdsa::Signature::from_scalars(r, s).unwrap();
                        let der = sig.to_der();
                        let digest = [0u8; LEN];
                        let reference = $krate::ecdsa::VerifyingKey::from_affine(q_affine).unwrap();
                        assert!(reference.verify_prehash(&digest, &sig).is_ok());
                        assert!(verify_point(&q_affine, &digest, der.as_bytes()));
                        let comb = Comb::new(&q_affine).unwrap();
                        assert!(verify(comb.entries(), &digest, der.as_bytes()));
                        // r + 1 is another point's x and must fail on both paths.
                        let wrong =
                            $krate::ecdsa::Signature::from_scalars(Scalar::from(t + 1), s).unwrap();
                        assert!(reference.verify_prehash(&digest, &wrong).is_err());
                        assert!(!verify_point(&q_affine, &digest, wrong.to_der().as_bytes()));
                        assert!(!verify(comb.entries(), &digest, wrong.to_der().as_bytes()));
                    }
                }

                /// Random keys and digests of 32, 48 and 64 bytes: valid signatures verify
                /// on the comb and the table-less path, as with RustCrypto; an altered digest,
                /// swapped (r, s), another key's table and truncated DER do not.
                #[test]
                fn matches_rustcrypto() {
                    use rand_core::RngCore as _;
                    use $krate::ecdsa::signature::hazmat::PrehashSigner as _;
                    use $krate::ecdsa::signature::hazmat::PrehashVerifier as _;
                    use $krate::ecdsa::{Signature, SigningKey};
                    for _ in 0..4 {
                        let sk = SigningKey::random(&mut OsRng);
                        let vk = *sk.verifying_key();
                        let comb = Comb::new(vk.as_affine()).unwrap();
                        let other = SigningKey::random(&mut OsRng);
                        let other_comb = Comb::new(other.verifying_key().as_affine()).unwrap();
                        let stored = decode_table::<COMB_ENTRIES>(&comb.to_bytes());
                        for len in [32usize, 48, 64] {
                            let mut digest = vec![0u8; len];
                            OsRng.fill_bytes(&mut digest);
                            let sig: Signature = sk.sign_prehash(&digest).unwrap();
                            let der = sig.to_der();
                            let der = der.as_bytes();
                            assert!(vk.verify_prehash(&digest, &sig).is_ok());
                            assert!(verify(comb.entries(), &digest, der));
                            assert!(verify_point(vk.as_affine(), &digest, der));
                            assert!(verify(&stored, &digest, der));
                            let mut bad = digest.clone();
                            bad[0] ^= 0x80;
                            assert!(vk.verify_prehash(&bad, &sig).is_err());
                            assert!(!verify(comb.entries(), &bad, der));
                            assert!(!verify_point(vk.as_affine(), &bad, der));
                            assert!(!verify(&stored, &bad, der));
                            let (r, s) = sig.split_scalars();
                            let swapped = Signature::from_scalars(*s, *r).unwrap().to_der();
                            assert!(!verify(comb.entries(), &digest, swapped.as_bytes()));
                            assert!(!verify(&stored, &digest, swapped.as_bytes()));
                            assert!(!verify_point(vk.as_affine(), &digest, swapped.as_bytes()));
                            assert!(!verify(other_comb.entries(), &digest, der));
                            assert!(!verify(comb.entries(), &digest, &der[1..]));
                            assert!(!verify(comb.entries(), &digest, &der[..der.len() - 1]));
                        }
                    }
                }

                /// The stored form decodes to the same table; a coordinate `>= p` or a wrong
                /// length is refused (at compile time for the compiled-in tables).
                #[test]
                fn stored_comb_round_trips() {
                    let sk = $krate::SecretKey::random(&mut OsRng);
                    let comb = Comb::new(&sk.public_key().as_affine()).unwrap();
                    let bytes = comb.to_bytes();
                    assert_eq!(bytes.len(), COMB_ENTRIES * ENTRY);
                    let decoded = decode_table::<COMB_ENTRIES>(&bytes);
                    assert_eq!(&decoded[..], comb.entries());
                    assert_eq!(affine_bytes(&decoded), bytes);
                    // At run time the refusals are panics; their messages say which one.
                    let refusal = |input: &[u8]| -> String {
                        let payload =
                            std::panic::catch_unwind(|| decode_table::<COMB_ENTRIES>(input))
                                .unwrap_err();
                        payload.downcast_ref::<&str>().unwrap().to_string()
                    };
                    let mut bad = bytes.clone();
                    bad[ENTRY..ENTRY + LEN].fill(0xff);
                    assert_eq!(refusal(&bad), "a table coordinate is not below p");
                    assert_eq!(
                        refusal(&bytes[..bytes.len() - 1]),
                        "a compiled-in table has the wrong size"
                    );
                }

                /// `tables/NAME` holds exactly `bytes`; with `SIGSTORE_WRITE_TABLES=1` it is
                /// written instead.
                fn check_or_write(name: &str, bytes: &[u8]) {
                    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                        .join("tables")
                        .join(name);
                    if std::env::var_os("SIGSTORE_WRITE_TABLES").is_some_and(|v| v == "1") {
                        std::fs::write(&path, bytes).unwrap();
                        return;
                    }
                    let stored = std::fs::read(&path).unwrap_or_else(|e| {
                        panic!("{}: {e} (regenerate: see tables/keys.txt)", path.display())
                    });
                    assert!(
                        stored == bytes,
                        "{} differs from the recomputed table (regenerate: see tables/keys.txt)",
                        path.display()
                    );
                }

                /// The generator tables on disk (compiled in by `precomputed-tables`) are the
                /// ones this code computes.
                #[test]
                fn precomputed_generator_tables_are_current() {
                    let comb = build_generator_comb().unwrap();
                    assert_eq!(comb.to_bytes().len(), COMB_ENTRIES * ENTRY);
                    check_or_write(
                        concat!(stringify!($tables), "-generator-comb.bin"),
                        &comb.to_bytes(),
                    );
                    let odd = build_generator_odd_multiples().unwrap();
                    assert_eq!(odd.len(), ODD_ENTRIES);
                    check_or_write(
                        concat!(stringify!($tables), "-generator-odd.bin"),
                        &affine_bytes(&odd),
                    );
                    // What the process uses is what is on disk.
                    assert_eq!(affine_bytes(generator().unwrap()), comb.to_bytes());
                    assert_eq!(
                        affine_bytes(generator_odd_multiples().unwrap()),
                        affine_bytes(&odd)
                    );
                }

                /// Every key of `tables/keys.txt` for this curve has its table on disk, equal
                /// to the recomputed one, and compiled in (found by its coordinates).
                #[test]
                fn precomputed_key_tables_are_current() {
                    let list = include_str!("../tables/keys.txt");
                    let mut names = Vec::new();
                    for line in list
                        .lines()
                        .filter(|l| !l.starts_with('#') && !l.is_empty())
                    {
                        let fields: Vec<&str> = line.split_whitespace().collect();
                        assert_eq!(fields.len(), 3, "{line}");
                        if fields[0] != stringify!($tables) {
                            continue;
                        }
                        let x_y = hex::decode(fields[2]).unwrap();
                        assert_eq!(x_y.len(), ENTRY, "{line}");
                        let encoded =
                            $krate::EncodedPoint::from_bytes([&[4u8][..], &x_y].concat()).unwrap();
                        let point = AffinePoint::from_encoded_point(&encoded).unwrap();
                        let comb = Comb::new(&point).unwrap();
                        check_or_write(&format!("{}.bin", fields[1]), &comb.to_bytes());
                        names.push(fields[1]);
                        #[cfg(feature = "precomputed-tables")]
                        {
                            let table = precomputed(&x_y).unwrap();
                            assert_eq!(affine_bytes(table), comb.to_bytes());
                        }
                    }
                    assert!(!names.is_empty());
                    #[cfg(feature = "precomputed-tables")]
                    {
                        let compiled: Vec<&str> = crate::tables::$tables::KEYS
                            .iter()
                            .map(|(n, _)| *n)
                            .collect();
                        assert_eq!(compiled, names);
                    }
                    assert!(precomputed(&[0u8; ENTRY]).is_none());
                }

                /// The key equal to the generator (private key 1) makes the comb of `Q` and the
                /// comb of `G` coincide, so additions meet equal points.
                #[test]
                fn generator_as_key() {
                    use $krate::ecdsa::signature::hazmat::PrehashSigner as _;
                    use $krate::ecdsa::signature::hazmat::PrehashVerifier as _;
                    let sk = $krate::ecdsa::SigningKey::from_bytes(&Scalar::ONE.to_repr()).unwrap();
                    let vk = *sk.verifying_key();
                    let comb = Comb::new(vk.as_affine()).unwrap();
                    for i in 0..16u8 {
                        let digest = [i; LEN];
                        let sig: $krate::ecdsa::Signature = sk.sign_prehash(&digest).unwrap();
                        assert!(vk.verify_prehash(&digest, &sig).is_ok());
                        assert!(verify(comb.entries(), &digest, sig.to_der().as_bytes()));
                        assert!(verify_point(
                            vk.as_affine(),
                            &digest,
                            sig.to_der().as_bytes()
                        ));
                        let other = [i ^ 0x55; LEN];
                        assert!(!verify(comb.entries(), &other, sig.to_der().as_bytes()));
                    }
                }
            }
        }
    };
}

comb_curve!(
    p256c,
    p256,
    NistP256,
    U256,
    256,
    p256,
    Fp256,
    Fn256,
    // b of y² = x³ - 3x + b (SEC 2 §2.4.2).
    [
        0x5a, 0xc6, 0x35, 0xd8, 0xaa, 0x3a, 0x93, 0xe7, 0xb3, 0xeb, 0xbd, 0x55, 0x76, 0x98, 0x86,
        0xbc, 0x65, 0x1d, 0x06, 0xb0, 0xcc, 0x53, 0xb0, 0xf6, 0x3b, 0xce, 0x3c, 0x3e, 0x27, 0xd2,
        0x60, 0x4b,
    ]
);
comb_curve!(
    p384c,
    p384,
    NistP384,
    U384,
    384,
    p384,
    Fp384,
    Fn384,
    // b of y² = x³ - 3x + b (SEC 2 §2.5.1).
    [
        0xb3, 0x31, 0x2f, 0xa7, 0xe2, 0x3e, 0xe7, 0xe4, 0x98, 0x8e, 0x05, 0x6b, 0xe3, 0xf8, 0x2d,
        0x19, 0x18, 0x1d, 0x9c, 0x6e, 0xfe, 0x81, 0x41, 0x12, 0x03, 0x14, 0x08, 0x8f, 0x50, 0x13,
        0x87, 0x5a, 0xc6, 0x56, 0x39, 0x8d, 0x8a, 0x2e, 0xd1, 0x9d, 0x2a, 0x85, 0xc8, 0xed, 0xd3,
        0xec, 0x2a, 0xef,
    ]
);

#[cfg(test)]
mod key_tests {
    use crate::{KeySigner, PublicKey, SignatureScheme, Signer, COMB_AFTER_USES};

    /// Each verification counts once: with every backend and through `verify` and
    /// `verify_prehashed` alike, a key has no table after [`COMB_AFTER_USES`] verifications and
    /// has one after the next.
    #[test]
    fn table_is_built_after_exactly_the_documented_uses() {
        let signer = KeySigner::generate_p256().unwrap();
        let scheme = SignatureScheme::Ecdsa(crate::HashAlgorithm::Sha256);
        let sig = signer.sign(b"message").unwrap();
        let digest = crate::HashAlgorithm::Sha256.hash(b"message");
        type Use<'a> = Box<dyn Fn(&PublicKey) + 'a>;
        let mut uses: Vec<Use> = crate::Backend::available()
            .iter()
            .map(|&backend| -> Use {
                let sig = sig.clone();
                Box::new(move |k: &PublicKey| {
                    k.verify_with_backend(backend, scheme, b"message", &sig)
                        .unwrap()
                })
            })
            .collect();
        uses.push(Box::new(|k: &PublicKey| {
            k.verify_prehashed(scheme, digest.as_bytes(), &sig).unwrap()
        }));
        for verify in &uses {
            let key = PublicKey::from_spki_der(signer.public_key().spki_der()).unwrap();
            for _ in 0..COMB_AFTER_USES {
                verify(&key);
            }
            assert!(key.cache.comb.get().is_none());
            verify(&key);
            assert!(key.cache.comb.get().is_some_and(Option::is_some));
        }
    }

    /// A listed production key (Rekor's) finds its compiled-in table when parsed and verifies
    /// through it from the first signature on, never building one. A random key has none.
    #[cfg(feature = "precomputed-tables")]
    #[test]
    fn listed_key_uses_its_compiled_in_table() {
        use p256::pkcs8::EncodePublicKey as _;
        let line = include_str!("../tables/keys.txt")
            .lines()
            .find(|l| l.starts_with("p256 rekor-v1 "))
            .unwrap();
        let x_y = hex::decode(line.split_whitespace().nth(2).unwrap()).unwrap();
        let point = [&[4u8][..], &x_y].concat();
        let vk = p256::ecdsa::VerifyingKey::from_sec1_bytes(&point).unwrap();
        let spki = vk.to_public_key_der().unwrap();
        let key = PublicKey::from_spki_der(spki.as_bytes()).unwrap();
        assert!(key.has_precomputed_table());
        let other = KeySigner::generate_p256().unwrap();
        let sig = other.sign(b"message").unwrap();
        let scheme = SignatureScheme::Ecdsa(crate::HashAlgorithm::Sha256);
        for _ in 0..2 * COMB_AFTER_USES {
            assert!(matches!(
                key.comb(),
                Some(crate::keys::CombRef::Precomputed(_))
            ));
            // A signature by another key fails through the table.
            assert!(matches!(
                key.verify(scheme, b"message", &sig),
                Err(crate::Error::InvalidSignature)
            ));
        }
        assert!(key.cache.comb.get().is_none());
        let fresh = PublicKey::from_spki_der(other.public_key().spki_der()).unwrap();
        assert!(!fresh.has_precomputed_table());
        assert!(fresh.verify(scheme, b"message", &sig).is_ok());
    }

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
