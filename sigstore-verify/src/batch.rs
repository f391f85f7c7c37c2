//! Verifying many bundles on all cores ([`Verifier::verify_batch`]).
//!
//! Each bundle is verified exactly as [`Verifier::verify`] does it, on one of a few scoped
//! threads (`std::thread::scope`) that share the verifier (it is `Sync`, and everything it
//! caches is immutable). Work is handed out one bundle at a time from a shared counter, so a
//! slow bundle does not hold up a whole chunk; results come back in input order.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::{Artifact, Bundle, Policy, VerificationResult, Verifier, VerifyError};

/// Most worker threads one batch call starts, whatever the machine reports.
pub const MAX_BATCH_THREADS: usize = 64;

/// One bundle of a batch: the bundle, the artifact it must be about, and the policy.
pub type BatchItem<'a> = (&'a Bundle, &'a Artifact, &'a Policy);

/// One serialized bundle of a batch: its JSON, the artifact and the policy.
pub type JsonBatchItem<'a> = (&'a [u8], &'a Artifact, &'a Policy);

/// The threads a batch uses by default: the available parallelism of this machine.
pub fn default_batch_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, NonZeroUsize::get)
        .min(MAX_BATCH_THREADS)
}

/// Map `f` over `items` on up to `threads` scoped threads, results in input order.
fn par_map<T: Sync, R: Send>(items: &[T], threads: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = threads.clamp(1, MAX_BATCH_THREADS).min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    // Each worker records which indices it took, so results can be put back in order.
    let next = AtomicUsize::new(0);
    let work = || {
        let mut out = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else { break };
            out.push((i, f(item)));
        }
        out
    };
    let mut indexed: Vec<(usize, R)> = Vec::with_capacity(items.len());
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads).map(|_| s.spawn(work)).collect();
        for h in handles {
            match h.join() {
                Ok(part) => indexed.extend(part),
                // A panic in a worker is re-raised on the caller's thread, unchanged.
                Err(payload) => std::panic::resume_unwind(payload),
            }
        }
    });
    indexed.sort_unstable_by_key(|(i, _)| *i);
    indexed.into_iter().map(|(_, r)| r).collect()
}

impl Verifier {
    /// Verify every `(bundle, artifact, policy)` of `items` on all cores
    /// ([`default_batch_threads`]); the results are in the order of `items`, each exactly
    /// what [`Verifier::verify`] returns for that item.
    pub fn verify_batch(
        &self,
        items: &[BatchItem<'_>],
    ) -> Vec<Result<VerificationResult, VerifyError>> {
        self.verify_batch_with_threads(items, default_batch_threads())
    }

    /// [`Verifier::verify_batch`] on at most `threads` threads (1 verifies on the calling
    /// thread; capped at [`MAX_BATCH_THREADS`] and at the number of items).
    pub fn verify_batch_with_threads(
        &self,
        items: &[BatchItem<'_>],
        threads: usize,
    ) -> Vec<Result<VerificationResult, VerifyError>> {
        par_map(items, threads, |(bundle, artifact, policy)| {
            self.verify(bundle, artifact, policy)
        })
    }

    /// Parse and verify every `(bundle_json, artifact, policy)` of `items` on all cores (the
    /// parsing runs on the worker threads too); results in the order of `items`, each exactly
    /// what [`Verifier::verify_json`] returns for that item.
    pub fn verify_json_batch(
        &self,
        items: &[JsonBatchItem<'_>],
    ) -> Vec<Result<VerificationResult, VerifyError>> {
        self.verify_json_batch_with_threads(items, default_batch_threads())
    }

    /// [`Verifier::verify_json_batch`] on at most `threads` threads.
    pub fn verify_json_batch_with_threads(
        &self,
        items: &[JsonBatchItem<'_>],
        threads: usize,
    ) -> Vec<Result<VerificationResult, VerifyError>> {
        par_map(items, threads, |(json, artifact, policy)| {
            self.verify_json(json, artifact, policy)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn par_map_keeps_order_and_uses_threads() {
        let items: Vec<usize> = (0..1000).collect();
        for threads in [0, 1, 2, 3, 8, 10_000] {
            let out = par_map(&items, threads, |x| x * 2);
            assert_eq!(out, items.iter().map(|x| x * 2).collect::<Vec<_>>());
        }
        assert!(par_map(&[] as &[u8], 4, |x| *x).is_empty());
    }

    #[test]
    fn default_threads_is_bounded() {
        let n = default_batch_threads();
        assert!((1..=MAX_BATCH_THREADS).contains(&n));
    }
}
