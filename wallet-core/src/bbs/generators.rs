//! Generator creation, draft-irtf-cfrg-bbs-signatures § 4.1.1 (`create_generators`), and the
//! per-suite cache that makes it cost nothing after first use.
//!
//! Each generator is one `hash_to_curve_g1` (about 0.17 ms), and generators depend only on the
//! suite and their index, so every process computes each of them once and keeps them.

use std::sync::RwLock;

use bls12_381::{G1Affine, G1Projective};

use super::ciphersuite::{EXPAND_LEN, sealed::Suite};
use super::error::Error;

/// The most messages one signature may carry. The draft sets no limit; without one, a hostile
/// proof of a few megabytes would make a verifier hash tens of thousands of generators.
pub const MAX_MESSAGES: usize = 4096;

/// The draft's `create_generators` as a stream: yields generator_1, generator_2, ...
///
/// ```text
/// seed_dst = api_id || "SIG_GENERATOR_SEED_"; generator_dst = api_id || "SIG_GENERATOR_DST_"
/// v = expand_message(generator_seed, seed_dst, expand_len)
/// for i in 1..=count: v = expand_message(v || I2OSP(i, 8), seed_dst, expand_len)
///                     generator_i = hash_to_curve_g1(v, generator_dst)
/// ```
/// A suite's `expand_message`.
type ExpandFn = fn(&[&[u8]], &[u8], usize) -> Result<Vec<u8>, super::expand_message::ExpandError>;

pub(crate) struct GeneratorStream {
    seed_dst: Vec<u8>,
    generator_dst: Vec<u8>,
    v: Vec<u8>,
    i: u64,
    expand: ExpandFn,
    hash_to_curve: fn(&[u8], &[u8]) -> G1Projective,
}

impl GeneratorStream {
    /// Starts the stream for `generator_seed` (the message generators use
    /// `api_id || "MESSAGE_GENERATOR_SEED"`, P1 uses `api_id || "BP_MESSAGE_GENERATOR_SEED"`).
    pub(crate) fn new<C: Suite>(generator_seed: &[u8]) -> Result<Self, Error> {
        let seed_dst = [C::API_ID, b"SIG_GENERATOR_SEED_"].concat();
        let generator_dst = [C::API_ID, b"SIG_GENERATOR_DST_"].concat();
        let v = C::expand_message(&[generator_seed], &seed_dst, EXPAND_LEN)?;
        Ok(Self {
            seed_dst,
            generator_dst,
            v,
            i: 0,
            expand: C::expand_message,
            hash_to_curve: C::hash_to_curve_g1,
        })
    }

    /// The next generator.
    pub(crate) fn next_generator(&mut self) -> Result<G1Projective, Error> {
        self.i += 1;
        self.v = (self.expand)(
            &[&self.v, &self.i.to_be_bytes()],
            &self.seed_dst,
            EXPAND_LEN,
        )?;
        Ok((self.hash_to_curve)(&self.v, &self.generator_dst))
    }
}

/// `create_generators(count, generator_seed)` uncached, returning affine points.
#[cfg_attr(not(any(test, feature = "hazmat")), allow(dead_code))]
pub(crate) fn create_generators<C: Suite>(
    count: usize,
    generator_seed: &[u8],
) -> Result<Vec<G1Affine>, Error> {
    let mut stream = GeneratorStream::new::<C>(generator_seed)?;
    let projective = (0..count)
        .map(|_| stream.next_generator())
        .collect::<Result<Vec<_>, _>>()?;
    let mut affine = vec![G1Affine::identity(); count];
    G1Projective::batch_normalize(&projective, &mut affine);
    Ok(affine)
}

struct CacheState {
    stream: Option<GeneratorStream>,
    points: Vec<G1Affine>,
}

/// The message generators `(Q_1, H_1, H_2, ...)` of one suite, grown on demand.
pub struct GeneratorCache {
    state: RwLock<CacheState>,
    init: fn() -> Result<GeneratorStream, Error>,
}

impl std::fmt::Debug for GeneratorCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeneratorCache").finish_non_exhaustive()
    }
}

impl GeneratorCache {
    pub(crate) fn new<C: Suite>() -> Self {
        Self {
            state: RwLock::new(CacheState {
                stream: None,
                points: Vec::new(),
            }),
            init: || GeneratorStream::new::<C>(&[C::API_ID, b"MESSAGE_GENERATOR_SEED"].concat()),
        }
    }

    /// Runs `f` on the first `count` generators (`count` = messages + 1: `Q_1` then `H_1..H_L`).
    pub(crate) fn with<R>(
        &self,
        count: usize,
        f: impl FnOnce(&[G1Affine]) -> R,
    ) -> Result<R, Error> {
        if count > MAX_MESSAGES + 1 {
            return Err(Error::TooManyMessages(count.saturating_sub(1)));
        }
        {
            let state = self.state.read().unwrap_or_else(|e| e.into_inner());
            if state.points.len() >= count {
                return Ok(f(&state.points[..count]));
            }
        }
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        let missing = count.saturating_sub(state.points.len());
        if missing > 0 {
            let mut stream = match state.stream.take() {
                Some(s) => s,
                None => (self.init)()?,
            };
            let fresh = (0..missing)
                .map(|_| stream.next_generator())
                .collect::<Result<Vec<_>, _>>();
            let fresh = match fresh {
                Ok(points) => points,
                Err(e) => {
                    // The stream has moved past points we did not keep: start over next time.
                    state.points.clear();
                    return Err(e);
                }
            };
            state.stream = Some(stream);
            let mut affine = vec![G1Affine::identity(); fresh.len()];
            G1Projective::batch_normalize(&fresh, &mut affine);
            state.points.extend_from_slice(&affine);
        }
        Ok(f(&state.points[..count]))
    }
}
