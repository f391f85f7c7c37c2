//! Helpers shared by the crate's differential tests.

/// Malformed neighbours of a valid encoding, for differential tests of its readers: every
/// truncation, every byte replaced in turn by each value `replacements` gives for it, the
/// input with one trailing zero byte, and finally the input itself.
#[allow(clippy::indexing_slicing)] // positions below the input's length
pub(crate) fn byte_variants(input: &[u8], replacements: impl Fn(u8) -> Vec<u8>) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = (0..input.len()).map(|cut| input[..cut].to_vec()).collect();
    for pos in 0..input.len() {
        for v in replacements(input[pos]) {
            let mut m = input.to_vec();
            m[pos] = v;
            out.push(m);
        }
    }
    let mut longer = input.to_vec();
    longer.push(0);
    out.push(longer);
    out.push(input.to_vec());
    out
}
