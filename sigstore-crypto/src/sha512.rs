//! SHA-384 and SHA-512 (FIPS 180-4, §6.4 and §6.5) in portable Rust.
//!
//! The `sha2` crate chooses its SHA-512 compression function at run time: the first SHA-384
//! or SHA-512 hash of a process runs `cpuid` to look for AVX2. On a virtual machine `cpuid`
//! exits to the hypervisor, and that one detection measured ~15-20 µs of a ~1.4 ms cold
//! verification (start, load the trusted root, verify one bundle), where SHA-384 hashes a
//! single ~1 KiB message: the signing certificate's TBS, signed by the P-384 Fulcio
//! intermediate. This implementation needs no detection. It runs at ~0.7x the AVX2 code's
//! throughput, so bulk input (an update of at least [`BULK_BLOCKS`] whole blocks, as streamed
//! artifacts bring) still goes to `sha2`'s compression function, whose detection then costs
//! nothing measurable. SHA-256, where SHA-NI is several times faster than portable code, stays
//! with `sha2` entirely.
//!
//! The round constants and initial values are the FIPS 180-4 ones; the tests compare every
//! output with `sha2` over lengths around each padding boundary and in random splits.

/// Bytes per block.
const BLOCK: usize = 128;

/// An update bringing at least this many whole blocks (8 KiB) is compressed by `sha2`'s
/// `compress512` instead, which uses AVX2 where the CPU has it (~1.4x this code's throughput;
/// its one-time `cpuid` is then negligible next to the hashing).
const BULK_BLOCKS: usize = 64;

/// Blocks handed to `compress512` per call (2 KiB copied on the stack).
const BULK_BATCH: usize = 16;

/// Round constants (FIPS 180-4 §4.2.3): the first 64 bits of the fractional parts of the cube
/// roots of the first 80 primes.
#[rustfmt::skip]
const K: [u64; 80] = [
    0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc,
    0x3956c25bf348b538, 0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118,
    0xd807aa98a3030242, 0x12835b0145706fbe, 0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2,
    0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235, 0xc19bf174cf692694,
    0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
    0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5,
    0x983e5152ee66dfab, 0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4,
    0xc6e00bf33da88fc2, 0xd5a79147930aa725, 0x06ca6351e003826f, 0x142929670a0e6e70,
    0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed, 0x53380d139d95b3df,
    0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
    0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30,
    0xd192e819d6ef5218, 0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8,
    0x19a4c116b8d2d0c8, 0x1e376c085141ab53, 0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8,
    0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373, 0x682e6ff3d6b2b8a3,
    0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
    0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b,
    0xca273eceea26619c, 0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178,
    0x06f067aa72176fba, 0x0a637dc5a2c898a6, 0x113f9804bef90dae, 0x1b710b35131c471b,
    0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc, 0x431d67c49c100d4c,
    0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817,
];

/// SHA-512 initial hash value (§5.3.5): square roots of the first eight primes.
#[rustfmt::skip]
const SHA512_IV: [u64; 8] = [
    0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
    0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179,
];

/// SHA-384 initial hash value (§5.3.4): square roots of the ninth through sixteenth primes.
#[rustfmt::skip]
const SHA384_IV: [u64; 8] = [
    0xcbbb9d5dc1059ed8, 0x629a292a367cd507, 0x9159015a3070dd17, 0x152fecd8f70e5939,
    0x67332667ffc00b31, 0x8eb44a8768581511, 0xdb0c2e0d64f98fa7, 0x47b5481dbefa4fa4,
];

/// A running SHA-384 or SHA-512 computation (they differ only in the initial value and in how
/// much of the final state is output).
#[derive(Clone)]
pub(crate) struct Sha512Family {
    state: [u64; 8],
    /// Input not yet compressed: `block[..filled]`.
    block: [u8; BLOCK],
    filled: usize,
    /// Message length in bytes so far (FIPS 180-4 allows up to 2^128 - 1 bits).
    length: u128,
    /// 48 (SHA-384) or 64 (SHA-512).
    output_len: usize,
}

impl Sha512Family {
    /// A new SHA-384 computation.
    pub(crate) const fn sha384() -> Self {
        Self::with(SHA384_IV, 48)
    }

    /// A new SHA-512 computation.
    pub(crate) const fn sha512() -> Self {
        Self::with(SHA512_IV, 64)
    }

    const fn with(state: [u64; 8], output_len: usize) -> Self {
        Sha512Family {
            state,
            block: [0; BLOCK],
            filled: 0,
            length: 0,
            output_len,
        }
    }

    /// Feed more data.
    pub(crate) fn update(&mut self, mut data: &[u8]) {
        self.length = self.length.wrapping_add(data.len() as u128);
        if self.filled > 0 {
            let take = data.len().min(BLOCK - self.filled);
            let (head, rest) = data.split_at(take);
            if let Some(dst) = self.block.get_mut(self.filled..self.filled + take) {
                dst.copy_from_slice(head);
            }
            self.filled += take;
            data = rest;
            if self.filled < BLOCK {
                return;
            }
            compress(&mut self.state, &self.block);
            self.filled = 0;
        }
        let mut blocks = data.chunks_exact(BLOCK);
        if blocks.len() >= BULK_BLOCKS {
            // `compress512` takes `GenericArray` blocks: copy them into a batch on the stack.
            let mut batch: [sha2::digest::core_api::Block<sha2::Sha512VarCore>; BULK_BATCH] =
                [Default::default(); BULK_BATCH];
            let mut in_batch = 0;
            for block in &mut blocks {
                if let Some(dst) = batch.get_mut(in_batch) {
                    for (d, s) in dst.iter_mut().zip(block) {
                        *d = *s;
                    }
                    in_batch += 1;
                }
                if in_batch == BULK_BATCH {
                    sha2::compress512(&mut self.state, &batch);
                    in_batch = 0;
                }
            }
            sha2::compress512(&mut self.state, batch.get(..in_batch).unwrap_or(&[]));
        } else {
            for block in &mut blocks {
                compress(&mut self.state, block);
            }
        }
        let rest = blocks.remainder();
        if let Some(dst) = self.block.get_mut(..rest.len()) {
            dst.copy_from_slice(rest);
        }
        self.filled = rest.len();
    }

    /// Finish: the digest is `out[..len]` for the returned `len` (48 or 64).
    pub(crate) fn finalize(mut self, out: &mut [u8; 64]) -> usize {
        // Padding (§5.1.2): one 1 bit, zeros up to 112 mod 128 bytes, then the length in bits
        // as a 128-bit big-endian number.
        let bits = self.length.wrapping_mul(8);
        let mut tail = [0u8; 2 * BLOCK];
        let tail_len = if self.filled < BLOCK - 16 {
            BLOCK
        } else {
            2 * BLOCK
        };
        if let Some(dst) = tail.get_mut(..self.filled) {
            dst.copy_from_slice(self.block.get(..self.filled).unwrap_or(&[]));
        }
        if let Some(b) = tail.get_mut(self.filled) {
            *b = 0x80;
        }
        if let Some(dst) = tail.get_mut(tail_len - 16..tail_len) {
            dst.copy_from_slice(&bits.to_be_bytes());
        }
        for block in tail.get(..tail_len).unwrap_or(&[]).chunks_exact(BLOCK) {
            compress(&mut self.state, block);
        }
        // SHA-384 outputs the first six words; the rest of `out` is left untouched (zero in
        // `Digest`, whose equality compares the whole buffer).
        let words = self.output_len / 8;
        for (dst, word) in out.chunks_exact_mut(8).zip(self.state).take(words) {
            dst.copy_from_slice(&word.to_be_bytes());
        }
        self.output_len
    }
}

/// Process one 128-byte block (§6.4.2). Every index is a constant or a loop counter bounded by
/// the fixed array lengths (16 input words, 80 schedule words), so none can be out of range;
/// `block` is always exactly `BLOCK` bytes (from `chunks_exact` or the buffer).
#[allow(clippy::indexing_slicing)]
fn compress(state: &mut [u64; 8], block: &[u8]) {
    let mut w = [0u64; 80];
    for (word, bytes) in w.iter_mut().zip(block.chunks_exact(8)) {
        let mut b = [0u8; 8];
        b.copy_from_slice(bytes);
        *word = u64::from_be_bytes(b);
    }
    for t in 16..80 {
        let s0 = w[t - 15].rotate_right(1) ^ w[t - 15].rotate_right(8) ^ (w[t - 15] >> 7);
        let s1 = w[t - 2].rotate_right(19) ^ w[t - 2].rotate_right(61) ^ (w[t - 2] >> 6);
        w[t] = w[t - 16]
            .wrapping_add(s0)
            .wrapping_add(w[t - 7])
            .wrapping_add(s1);
    }
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *state;
    for (k, w) in K.iter().zip(w.iter()) {
        let big_s1 = e.rotate_right(14) ^ e.rotate_right(18) ^ e.rotate_right(41);
        let ch = (e & f) ^ (!e & g);
        let t1 = h
            .wrapping_add(big_s1)
            .wrapping_add(ch)
            .wrapping_add(*k)
            .wrapping_add(*w);
        let big_s0 = a.rotate_right(28) ^ a.rotate_right(34) ^ a.rotate_right(39);
        let maj = (a & b) ^ (a & c) ^ (b & c);
        let t2 = big_s0.wrapping_add(maj);
        h = g;
        g = f;
        f = e;
        e = d.wrapping_add(t1);
        d = c;
        c = b;
        b = a;
        a = t1.wrapping_add(t2);
    }
    for (s, v) in state.iter_mut().zip([a, b, c, d, e, f, g, h]) {
        *s = s.wrapping_add(v);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use sha2::Digest as _;

    use super::*;

    fn ours(sha384: bool, parts: &[&[u8]]) -> Vec<u8> {
        let mut h = if sha384 {
            Sha512Family::sha384()
        } else {
            Sha512Family::sha512()
        };
        for p in parts {
            h.update(p);
        }
        let mut out = [0u8; 64];
        let n = h.finalize(&mut out);
        out[..n].to_vec()
    }

    fn reference(sha384: bool, data: &[u8]) -> Vec<u8> {
        if sha384 {
            sha2::Sha384::digest(data).to_vec()
        } else {
            sha2::Sha512::digest(data).to_vec()
        }
    }

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    /// FIPS 180-4 examples (NIST CSRC "SHA2 additional examples"): "abc" and the two-block
    /// 112-character message.
    #[test]
    fn fips_examples() {
        assert_eq!(
            hex(&ours(true, &[b"abc"])),
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed\
             8086072ba1e7cc2358baeca134c825a7"
        );
        assert_eq!(
            hex(&ours(false, &[b"abc"])),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a\
             2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        );
        let two_blocks: &[u8] = b"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn\
hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
        assert_eq!(two_blocks.len(), 112);
        assert_eq!(
            hex(&ours(true, &[two_blocks])),
            "09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712\
             fcc7c71a557e2db966c3e9fa91746039"
        );
        assert_eq!(
            hex(&ours(false, &[two_blocks])),
            "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018\
             501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909"
        );
        assert_eq!(
            hex(&ours(false, &[])),
            "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce\
             47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"
        );
    }

    /// Every length from 0 to 3 blocks (each padding case: the length field fitting in the last
    /// block or spilling into one more), whole and split at every third position, against sha2.
    #[test]
    fn matches_sha2_at_every_length() {
        let data: Vec<u8> = (0..3 * BLOCK + 1)
            .map(|i| (i as u8).wrapping_mul(167).wrapping_add(13))
            .collect();
        for sha384 in [true, false] {
            for len in 0..data.len() {
                let msg = &data[..len];
                let expected = reference(sha384, msg);
                assert_eq!(ours(sha384, &[msg]), expected, "len {len}");
                for split in (0..=len).step_by(3) {
                    let (a, b) = msg.split_at(split);
                    assert_eq!(ours(sha384, &[a, b]), expected, "len {len} split {split}");
                }
            }
        }
    }

    /// Updates large enough for `sha2::compress512` (`BULK_BLOCKS` and more, with a partial
    /// batch at the end) mixed with small ones compressed here: one state passes between the
    /// two, and the digest is sha2's.
    #[test]
    fn bulk_updates_match_sha2() {
        let data: Vec<u8> = (0..400 * BLOCK + 77).map(|i| (i % 251) as u8).collect();
        let cuts = [
            5,
            5 + (BULK_BLOCKS + 3) * BLOCK + 9,
            5 + (BULK_BLOCKS + 20) * BLOCK,
            5 + (2 * BULK_BLOCKS + 20) * BLOCK + 1,
            5 + (2 * BULK_BLOCKS + 20) * BLOCK + (BULK_BLOCKS - 1) * BLOCK + 1,
        ];
        for sha384 in [true, false] {
            let mut pieces = Vec::new();
            let mut from = 0;
            for &cut in &cuts {
                pieces.push(&data[from..cut]);
                from = cut;
            }
            pieces.push(&data[from..]);
            assert_eq!(ours(sha384, &pieces), reference(sha384, &data));
            assert_eq!(ours(sha384, &[&data]), reference(sha384, &data));
        }
    }

    /// Many small updates of random sizes over a larger input, against sha2.
    #[test]
    fn matches_sha2_in_random_pieces() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let data: Vec<u8> = (0..20_000).map(|_| next() as u8).collect();
        for sha384 in [true, false] {
            let mut h = if sha384 {
                Sha512Family::sha384()
            } else {
                Sha512Family::sha512()
            };
            let mut rest = &data[..];
            while !rest.is_empty() {
                let n = (next() as usize % 300).min(rest.len());
                let (a, b) = rest.split_at(n);
                h.update(a);
                rest = b;
            }
            let mut out = [0u8; 64];
            let n = h.finalize(&mut out);
            assert_eq!(out[..n].to_vec(), reference(sha384, &data));
        }
    }
}
