//! `a^-1 mod m` for an odd modulus `m` (the P-256/P-384 group orders and field primes), in
//! variable time, by Bernstein–Yang "divsteps" ("Fast constant-time gcd computation and
//! modular inversion", 2019), 62 at a time on machine words. Every input here is public (the
//! `s` of a signature, coordinates of public points), so variable time leaks nothing secret.
//!
//! The state is `(δ, f, g, d, e)` with `f = m`, `g = a`, `d = 0`, `e = 1` at the start and the
//! invariants `d·a ≡ f` and `e·a ≡ g (mod m)`. One divstep maps `(δ, f, g)` to
//! `(1 - δ, g, (g - f)/2)` when `δ > 0` and `g` is odd, to `(1 + δ, f, (g + f)/2)` when only `g`
//! is odd, and to `(1 + δ, f, g/2)` otherwise; it keeps `gcd(f, g)` and `f` odd, and reaches
//! `g = 0` after at most ~`2.9·bits` steps, leaving `f = ±gcd = ±1`. Then `d·a ≡ ±1`.
//!
//! Which of the three cases applies depends only on `δ` and the low bits of `f` and `g`, so 62
//! divsteps run on the low 64-bit words alone and yield a 2x2 integer matrix `T` with
//! `2^62·(f', g') = T·(f, g)`; `T` is then applied once to the full-width `f` and `g` (an exact
//! division by `2^62`) and to `d` and `e` modulo `m` (adding the multiple of `m` that makes the
//! division exact). Wide values are signed, in limbs of 62 bits.

/// Bits per limb of the wide values.
const LIMB_BITS: u32 = 62;
/// `2^62 - 1`.
const MASK: i64 = (1 << LIMB_BITS) - 1;
/// Limbs of a wide value: 496 bits, room for a signed 2·384-bit range.
const LIMBS: usize = 8;
/// Divsteps per batch.
const BATCH: u32 = 62;
/// Batches before giving up: the divstep bound for 384-bit inputs is under 1,200 steps (about
/// 20 batches); a well-formed input never comes near this.
const MAX_BATCHES: usize = 48;
/// Largest modulus accepted, in bytes (P-384).
const MAX_BYTES: usize = 48;

/// A signed integer `Σ limb[i]·2^(62·i)`: every limb but the top one in `[0, 2^62)`, the top
/// one (index `len - 1`) carrying the sign.
type Wide = [i64; LIMBS];

/// The 2x2 transition matrix of a batch: `[[u, v], [q, r]]`.
struct Matrix {
    u: i64,
    v: i64,
    q: i64,
    r: i64,
}

/// Big-endian bytes to limbs (non-negative).
fn from_be(bytes: &[u8]) -> Wide {
    let mut out = [0i64; LIMBS];
    let mut acc: u128 = 0;
    let mut bits = 0u32;
    let mut slots = out.iter_mut();
    for &b in bytes.iter().rev() {
        acc |= u128::from(b) << bits;
        bits += 8;
        if bits >= LIMB_BITS {
            if let Some(slot) = slots.next() {
                // Masked to 62 bits, so the cast is exact.
                *slot = (acc as i64) & MASK;
            }
            acc >>= LIMB_BITS;
            bits -= LIMB_BITS;
        }
    }
    if let Some(slot) = slots.next() {
        // Fewer than 62 bits are left.
        *slot = acc as i64;
    }
    out
}

/// A non-negative value below `2^(8·out.len())` to big-endian bytes.
fn to_be(x: &Wide, out: &mut [u8]) {
    let mut acc: u128 = 0;
    let mut bits = 0u32;
    let mut limbs = x.iter();
    for byte in out.iter_mut().rev() {
        if bits < 8 {
            // Limbs of a normalised non-negative value are in [0, 2^62).
            acc |= u128::from(limbs.next().copied().unwrap_or(0) as u64) << bits;
            bits += LIMB_BITS;
        }
        // The low 8 bits.
        *byte = acc as u8;
        acc >>= 8;
        bits -= 8;
    }
}

/// The low 64 bits of `x` (two's complement).
fn low_word(x: &Wide) -> u64 {
    let [l0, l1, ..] = *x;
    (l0 as u64).wrapping_add((l1 as u64) << LIMB_BITS)
}

fn is_zero(x: &Wide) -> bool {
    x.iter().all(|&l| l == 0)
}

fn is_negative(x: &Wide, len: usize) -> bool {
    x.get(len - 1).is_some_and(|&top| top < 0)
}

/// `x += sign·y` (`sign` is 1 or -1), limbs renormalised.
fn add_signed(x: &mut Wide, y: &Wide, sign: i64, len: usize) {
    let mut carry = 0i64;
    for (i, (xi, &yi)) in x.iter_mut().zip(y.iter()).take(len).enumerate() {
        let s = *xi + sign * yi + carry;
        if i + 1 == len {
            *xi = s;
        } else {
            *xi = s & MASK;
            carry = s >> LIMB_BITS;
        }
    }
}

/// Brings `x`, known to lie in `(-2m, 2m)`, into `[0, m)`. `false` if it was not in that
/// range (impossible for the values this module produces).
fn normalise(x: &mut Wide, m: &Wide, len: usize) -> bool {
    let mut steps = 0;
    while is_negative(x, len) {
        add_signed(x, m, 1, len);
        steps += 1;
        if steps > 2 {
            return false;
        }
    }
    loop {
        let mut t = *x;
        add_signed(&mut t, m, -1, len);
        if is_negative(&t, len) {
            return true;
        }
        *x = t;
        steps += 1;
        if steps > 2 {
            return false;
        }
    }
}

/// [`BATCH`] divsteps on the low words `f` (odd) and `g`: the new `δ` and the matrix.
fn divsteps(mut delta: i64, mut f: u64, mut g: u64) -> (i64, Matrix) {
    // f_now·2^k = u·f + v·g and g_now·2^k = q·f + r·g after k steps; entries stay below 2^62
    // in magnitude (each step at most doubles a row's sum of magnitudes).
    let (mut u, mut v, mut q, mut r) = (1i64, 0i64, 0i64, 1i64);
    let mut left = BATCH;
    loop {
        // Even g: `z` halving steps at once.
        let z = g.trailing_zeros().min(left);
        g >>= z;
        u <<= z;
        v <<= z;
        delta += i64::from(z);
        left -= z;
        if left == 0 {
            break;
        }
        // g is odd: one step that subtracts or adds f, then halves.
        if delta > 0 {
            delta = 1 - delta;
            let (nf, ng) = (g, g.wrapping_sub(f) >> 1);
            (u, v, q, r) = (q << 1, r << 1, q - u, r - v);
            (f, g) = (nf, ng);
        } else {
            delta += 1;
            g = g.wrapping_add(f) >> 1;
            (u, v, q, r) = (u << 1, v << 1, q + u, r + v);
        }
        left -= 1;
        if left == 0 {
            break;
        }
    }
    (delta, Matrix { u, v, q, r })
}

/// `(x, y) ← (T·(x, y) + (kx, ky)·m) / 2^62`, where the caller's `kx`, `ky` make the low 62
/// bits vanish (zero for `f` and `g`, which divide exactly).
fn apply(x: &mut Wide, y: &mut Wide, t: &Matrix, kx: i128, ky: i128, m: &Wide, len: usize) {
    let (u, v, q, r) = (
        i128::from(t.u),
        i128::from(t.v),
        i128::from(t.q),
        i128::from(t.r),
    );
    let (old_x, old_y) = (*x, *y);
    let mut cx: i128 = 0;
    let mut cy: i128 = 0;
    for (i, ((&xi, &yi), &mi)) in old_x
        .iter()
        .zip(old_y.iter())
        .zip(m.iter())
        .take(len)
        .enumerate()
    {
        let (xi, yi, mi) = (i128::from(xi), i128::from(yi), i128::from(mi));
        // Each product is below 2^124 in magnitude: no overflow.
        cx += u * xi + v * yi + kx * mi;
        cy += q * xi + r * yi + ky * mi;
        if let Some(prev) = i.checked_sub(1) {
            if let (Some(xo), Some(yo)) = (x.get_mut(prev), y.get_mut(prev)) {
                *xo = (cx as i64) & MASK;
                *yo = (cy as i64) & MASK;
            }
        } else {
            debug_assert!(cx & i128::from(MASK) == 0 && cy & i128::from(MASK) == 0);
        }
        cx >>= LIMB_BITS;
        cy >>= LIMB_BITS;
    }
    if let (Some(xo), Some(yo)) = (x.get_mut(len - 1), y.get_mut(len - 1)) {
        // The results are below 2m in magnitude, so the top limb holds them.
        *xo = cx as i64;
        *yo = cy as i64;
    }
}

/// `(d, e) ← T·(d, e) / 2^62 (mod m)`, with `d`, `e` in `[0, m)` before and after.
/// `m_inv` is `m^-1 mod 2^64`.
fn update_de(d: &mut Wide, e: &mut Wide, t: &Matrix, m: &Wide, m_inv: u64, len: usize) -> bool {
    let [d0, ..] = *d;
    let [e0, ..] = *e;
    let (d0, e0) = (i128::from(d0), i128::from(e0));
    // The multiples of m that make the low 62 bits vanish: k ≡ -(u·d + v·e)/m (mod 2^62).
    let low_d = (i128::from(t.u) * d0 + i128::from(t.v) * e0) as u64;
    let low_e = (i128::from(t.q) * d0 + i128::from(t.r) * e0) as u64;
    let kd = i128::from((low_d.wrapping_neg().wrapping_mul(m_inv) as i64) & MASK);
    let ke = i128::from((low_e.wrapping_neg().wrapping_mul(m_inv) as i64) & MASK);
    apply(d, e, t, kd, ke, m, len);
    // |u|+|v| <= 2^62, d, e < m and kd, ke < 2^62: the results lie in (-2m, 2m).
    normalise(d, m, len) && normalise(e, m, len)
}

/// Writes `a^-1 mod m` to `out` (big-endian, `out.len() == m.len()`) for an odd modulus `m` of
/// at most 48 bytes and `0 < a < m` with `gcd(a, m) = 1`. `false`, with `out` unspecified, for
/// anything else.
pub(crate) fn invert_vartime(a: &[u8], m: &[u8], out: &mut [u8]) -> bool {
    if m.len() > MAX_BYTES || a.len() != m.len() || out.len() != m.len() {
        return false;
    }
    if m.last().is_none_or(|b| b & 1 == 0) {
        return false;
    }
    // Inputs compare as big-endian byte strings of equal length.
    if a.iter().all(|&b| b == 0) || a >= m {
        return false;
    }
    // Enough limbs for values up to 2m, plus the sign.
    let len = (m.len() * 8 + 1) / LIMB_BITS as usize + 1;
    let mw = from_be(m);
    let mut f = mw;
    let mut g = from_be(a);
    let mut d = [0i64; LIMBS];
    let mut e = [0i64; LIMBS];
    e[0] = 1;
    // m^-1 mod 2^64 by Newton's iteration (m·m ≡ 1 mod 8 for odd m; each step doubles the bits).
    let m0 = low_word(&mw);
    let mut m_inv = m0;
    for _ in 0..5 {
        m_inv = m_inv.wrapping_mul(2u64.wrapping_sub(m0.wrapping_mul(m_inv)));
    }
    let mut delta = 1i64;
    let mut batches = 0;
    while !is_zero(&g) {
        batches += 1;
        if batches > MAX_BATCHES {
            return false;
        }
        let (next, t) = divsteps(delta, low_word(&f), low_word(&g));
        delta = next;
        // f and g divide exactly (|f|, |g| <= m throughout).
        apply(&mut f, &mut g, &t, 0, 0, &mw, len);
        if !update_de(&mut d, &mut e, &t, &mw, m_inv, len) {
            return false;
        }
    }
    // g = 0, f = ±gcd(a, m), d·a ≡ f (mod m).
    if is_negative(&f, len) {
        let mut neg = [0i64; LIMBS];
        add_signed(&mut neg, &f, -1, len);
        f = neg;
        let mut neg_d = [0i64; LIMBS];
        add_signed(&mut neg_d, &d, -1, len);
        if !normalise(&mut neg_d, &mw, len) {
            return false;
        }
        d = neg_d;
    }
    let mut one = [0i64; LIMBS];
    one[0] = 1;
    if f != one {
        return false;
    }
    to_be(&d, out);
    true
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use p256::elliptic_curve::bigint::Encoding as _;
    use p256::elliptic_curve::{Curve as _, Field as _, PrimeField as _};
    use rand_core::{OsRng, RngCore as _};

    fn inv(a: &[u8], m: &[u8]) -> Option<Vec<u8>> {
        let mut out = vec![0u8; m.len()];
        invert_vartime(a, m, &mut out).then_some(out)
    }

    fn gcd(mut a: u128, mut b: u128) -> u128 {
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a
    }

    /// Every odd modulus below 2^9 and every residue: the inverse when gcd(a, m) = 1 (checked
    /// by multiplying back), `false` otherwise.
    #[test]
    fn exhaustive_small_moduli() {
        for m in (3u32..512).step_by(2) {
            let mb = (m as u16).to_be_bytes();
            for a in 1..m {
                let got = inv(&(a as u16).to_be_bytes(), &mb);
                match got {
                    Some(x) => {
                        let x = u32::from(u16::from_be_bytes([x[0], x[1]]));
                        assert!(x < m && a * x % m == 1, "{a}^-1 mod {m} = {x}");
                    }
                    None => assert_ne!(gcd(a.into(), m.into()), 1, "{a} mod {m} has an inverse"),
                }
            }
        }
    }

    /// Random odd 64-bit moduli (not prime in general) and residues, checked in u128.
    #[test]
    fn random_word_moduli() {
        for _ in 0..20_000 {
            let m = OsRng.next_u64() | 1 | (1 << 63);
            let a = OsRng.next_u64() % m;
            let got = inv(&a.to_be_bytes(), &m.to_be_bytes());
            let coprime = a != 0 && gcd(a.into(), m.into()) == 1;
            match got {
                Some(x) => {
                    let x = u64::from_be_bytes(x.try_into().unwrap());
                    assert!(coprime && x < m);
                    assert_eq!(u128::from(a) * u128::from(x) % u128::from(m), 1);
                }
                None => assert!(!coprime, "{a} mod {m}"),
            }
        }
    }

    /// Inputs outside the contract are refused.
    #[test]
    fn refuses_bad_inputs() {
        let n = p256::NistP256::ORDER.to_be_bytes();
        let zero = [0u8; 32];
        assert_eq!(inv(&zero, &n), None);
        assert_eq!(inv(&n, &n), None);
        assert_eq!(inv(&[0xff; 32], &n), None);
        let mut even = n;
        even[31] &= 0xfe;
        assert_eq!(inv(&[1u8; 32], &even), None);
        assert_eq!(inv(&[1u8; 31], &n), None);
        assert_eq!(inv(&[1u8; 49], &[0xffu8; 49]), None);
        let mut out = [0u8; 31];
        assert!(!invert_vartime(&[1u8; 32], &n, &mut out));
    }

    /// Random values and the edges 1, 2, m - 1, m - 2, powers of two, for the group orders
    /// and field primes of P-256 and P-384: equal to the crates' constant-time inversions.
    macro_rules! against_crate {
        ($name:ident, $krate:ident, $curve:ident) => {
            #[test]
            fn $name() {
                use $krate::{FieldBytes, FieldElement, Scalar};
                fn fb(v: &[u8]) -> FieldBytes {
                    let mut out = FieldBytes::default();
                    out.copy_from_slice(v);
                    out
                }
                let n = $krate::$curve::ORDER.to_be_bytes();
                let len = n.len();
                // p - 1 is even and p ends in 0xff: add one to the last byte.
                let mut p = (-FieldElement::ONE).to_bytes();
                p[len - 1] += 1;
                let mut edges: Vec<Vec<u8>> = Vec::new();
                for k in [1u64, 2, 3] {
                    let mut v = vec![0u8; len];
                    v[len - 8..].copy_from_slice(&k.to_be_bytes());
                    edges.push(v);
                }
                for bit in [1usize, 63, 64, 127, 200, 8 * len - 2] {
                    let mut v = vec![0u8; len];
                    v[len - 1 - bit / 8] = 1 << (bit % 8);
                    edges.push(v);
                }
                for s in [Scalar::ONE, -Scalar::ONE, -Scalar::ONE.double()] {
                    let s = inv(&s.to_repr(), &n).unwrap();
                    assert_eq!(s.len(), len);
                }
                // Scalars mod n.
                let mut scalars: Vec<Scalar> =
                    (0..2000).map(|_| Scalar::random(&mut OsRng)).collect();
                scalars.extend([
                    Scalar::ONE,
                    Scalar::ONE.double(),
                    -Scalar::ONE,
                    -Scalar::ONE.double(),
                ]);
                for e in &edges {
                    scalars.push(Option::from(Scalar::from_repr(fb(&e))).unwrap());
                }
                for s in scalars {
                    if bool::from(s.is_zero()) {
                        continue;
                    }
                    let got = inv(&s.to_repr(), &n).unwrap();
                    let got = Scalar::from_repr(fb(&got)).unwrap();
                    assert_eq!(got, s.invert().unwrap());
                    assert_eq!(got * s, Scalar::ONE);
                }
                // Field elements mod p.
                let mut fields: Vec<FieldElement> = (0..2000)
                    .map(|_| FieldElement::random(&mut OsRng))
                    .collect();
                fields.extend([
                    FieldElement::ONE,
                    -FieldElement::ONE,
                    -FieldElement::ONE.double(),
                ]);
                for e in &edges {
                    fields.push(Option::from(FieldElement::from_bytes(&fb(&e))).unwrap());
                }
                for x in fields {
                    if bool::from(x.is_zero()) {
                        continue;
                    }
                    let got = inv(&x.to_bytes(), &p).unwrap();
                    let got = FieldElement::from_bytes(&fb(&got)).unwrap();
                    assert_eq!(got, x.invert().unwrap());
                }
                // Random byte strings below m, including ones with long runs of zero bits.
                for _ in 0..2000 {
                    let mut a = vec![0u8; len];
                    OsRng.fill_bytes(&mut a);
                    let keep = (OsRng.next_u32() as usize) % len;
                    for b in a.iter_mut().take(keep) {
                        *b = 0;
                    }
                    if a.iter().all(|&b| b == 0) || a.as_slice() >= n.as_slice() {
                        continue;
                    }
                    let s = Scalar::from_repr(fb(&a)).unwrap();
                    let got = inv(&a, &n).unwrap();
                    assert_eq!(Scalar::from_repr(fb(&got)).unwrap() * s, Scalar::ONE);
                }
            }
        };
    }

    against_crate!(p256_order_and_prime, p256, NistP256);
    against_crate!(p384_order_and_prime, p384, NistP384);
}
