//! The library's base64 codec (`base64-simd`, chosen for speed: BENCHMARKS.md item 37) against
//! an independent one (the `base64` crate), on the two alphabets the workspace uses: strict
//! standard base64 with canonical padding (bundles, trusted roots, Rekor bodies, checkpoints,
//! Fulcio responses) and unpadded base64url (JWTs, PKCE).
//!
//! Decoding must accept and refuse exactly the same texts, and give the same bytes: the
//! SIMD decoder handles long inputs in blocks, so defects are planted at every position of
//! encodings long enough to take that path, and short texts are tried exhaustively over an
//! alphabet of edge characters.

use base64::Engine as _;
use sigstore_test_support::Rng;

type Oracle = base64::engine::GeneralPurpose;

const PAIRS: [(&str, &base64_simd::Base64, &Oracle); 2] = [
    (
        "standard",
        &base64_simd::STANDARD,
        &base64::engine::general_purpose::STANDARD,
    ),
    (
        "url-safe, no padding",
        &base64_simd::URL_SAFE_NO_PAD,
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ),
];

/// Characters from both alphabets, padding, whitespace, and bytes that belong to neither.
const EDGE: &[u8] = b"AQgw+/-_=\n \r\t.\0\x80\xffz9";

fn agree(name: &str, ours: &base64_simd::Base64, oracle: &Oracle, text: &[u8]) -> bool {
    let a = ours.decode_to_vec(text).ok();
    let b = oracle.decode(text).ok();
    assert_eq!(
        a,
        b,
        "{name}: the codecs disagree on {:?}",
        String::from_utf8_lossy(text)
    );
    a.is_some()
}

#[test]
fn short_texts_decode_alike_exhaustively() {
    for (name, ours, oracle) in PAIRS {
        let mut accepted = 0usize;
        let mut total = 0usize;
        let mut text = Vec::new();
        // Every text of up to 5 characters over EDGE (19^5 = 2.5 million at the longest).
        for len in 0..=5u32 {
            for mut n in 0..EDGE.len().pow(len) {
                text.clear();
                for _ in 0..len {
                    text.push(EDGE[n % EDGE.len()]);
                    n /= EDGE.len();
                }
                total += 1;
                accepted += usize::from(agree(name, ours, oracle, &text));
            }
        }
        // Both sides accepting nothing (or everything) would also "agree", so the count is
        // pinned, worked out by hand. EDGE holds 8 characters of each alphabet (A Q g w z 9
        // and + / or - _), 4 of them with their low four bits zero (A Q g w, which also have
        // their low two bits zero). Standard: the empty text, 8^4 unpadded quads, 8 x 4
        // "xx==" and 8 x 8 x 4 "xxx=" (canonical trailing bits); no other length is valid.
        // Unpadded url-safe: the empty text, 8 x 4 pairs, 8 x 8 x 4 triples, 8^4 quads.
        assert_eq!(total, (0..=5).map(|k| EDGE.len().pow(k)).sum::<usize>());
        assert_eq!(accepted, 1 + 4096 + 32 + 256, "{name}");
    }
}

#[test]
fn long_encodings_with_planted_defects_decode_alike() {
    let mut rng = Rng(0x5157_0a7e_b64c_0dec);
    for (name, ours, oracle) in PAIRS {
        let mut accepted = 0usize;
        let mut refused = 0usize;
        for len in (0..200usize).chain([767, 768, 769, 1900, 4300]) {
            let raw: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
            let encoded = oracle.encode(&raw).into_bytes();
            assert_eq!(
                ours.encode_to_string(&raw).as_bytes(),
                encoded.as_slice(),
                "{name}: encodings of {len} bytes differ"
            );
            assert!(agree(name, ours, oracle, &encoded), "{name}: {len} bytes");
            if encoded.is_empty() {
                continue;
            }
            // One defect at every position of the text.
            for pos in 0..encoded.len() {
                let mut text = encoded.clone();
                text[pos] = EDGE[rng.below(EDGE.len())];
                if agree(name, ours, oracle, &text) {
                    accepted += 1;
                } else {
                    refused += 1;
                }
            }
            // A few defects at random positions, sometimes truncated.
            for _ in 0..50 {
                let mut text = encoded.clone();
                for _ in 0..=rng.below(3) {
                    let pos = rng.below(text.len());
                    text[pos] = EDGE[rng.below(EDGE.len())];
                }
                if rng.below(4) == 0 {
                    text.truncate(rng.below(text.len() + 1));
                }
                if agree(name, ours, oracle, &text) {
                    accepted += 1;
                } else {
                    refused += 1;
                }
            }
        }
        // Both outcomes occur many times over (a substitution by a character of the alphabet
        // mostly stays valid; padding, whitespace and foreign bytes never do).
        assert!(accepted > 10_000, "{name}: {accepted} accepted");
        assert!(refused > 10_000, "{name}: {refused} refused");
    }
}

#[test]
fn canonical_forms_only() {
    let std = &base64_simd::STANDARD;
    assert_eq!(std.decode_to_vec("QUI=").ok(), Some(b"AB".to_vec()));
    // Non-zero trailing bits, missing or extra padding, whitespace, the url-safe alphabet.
    for text in [
        "QUJ=", "QR==", "QUI", "QQ", "QQ=", "QQ===", "QUI=\n", "QU I=", "-_-_",
    ] {
        assert!(std.decode_to_vec(text).is_err(), "{text:?}");
    }
    let url = &base64_simd::URL_SAFE_NO_PAD;
    assert_eq!(url.decode_to_vec("-_8").ok(), Some(vec![0xfb, 0xff]));
    for text in ["-_8=", "+/8", "-_9", "Q"] {
        assert!(url.decode_to_vec(text).is_err(), "{text:?}");
    }
}
