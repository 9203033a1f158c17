//! # ⚠️ Hazmat
//!
//! Raw steps of draft-irtf-cfrg-bbs-signatures with caller-chosen inputs, exposed only with the
//! `hazmat` feature so the conformance tests can check each step against the draft's fixtures.
//! [`prove_mocked`] makes proofs with the draft's *deterministic* test randomness: such proofs are
//! linkable and leak the hidden messages to anyone who knows the seed. Never use this module in a
//! wallet.

use bls12_381::G1Projective;

use super::ciphersuite::Ciphersuite;
use super::disclosure::DisclosedIndexes;
use super::error::Error;
use super::keys::PublicKey;
use super::octets::scalar_to_be;
use super::proof::Proof;
use super::signature::Signature;

/// `hash_to_scalar(msg, dst)` as 32 big-endian bytes (draft § 4.3.1).
///
/// # Errors
/// Only for a DST the expander refuses.
pub fn hash_to_scalar<C: Ciphersuite>(msg: &[u8], dst: &[u8]) -> Result<[u8; 32], Error> {
    Ok(scalar_to_be(&super::hash_to_scalar::hash_to_scalar::<C>(
        &[msg],
        dst,
    )?))
}

/// The DST that `messages_to_scalars` uses (draft § 4.1.2).
pub fn map_message_dst<C: Ciphersuite>() -> Vec<u8> {
    super::hash_to_scalar::map_dst::<C>()
}

/// `messages_to_scalars(messages)` as big-endian bytes (draft § 4.1.2).
///
/// # Errors
/// Never in practice; kept for symmetry with the expander's abort conditions.
pub fn messages_to_scalars<C: Ciphersuite, M: AsRef<[u8]>>(
    messages: &[M],
) -> Result<Vec<[u8; 32]>, Error> {
    Ok(
        super::hash_to_scalar::messages_to_scalars::<C, M>(messages)?
            .iter()
            .map(scalar_to_be)
            .collect(),
    )
}

/// `create_generators(count, api_id)` (draft § 4.1.1), compressed: `(Q_1, H_1, ..., H_{count-1})`,
/// computed afresh (not from the cache).
///
/// # Errors
/// Never in practice.
pub fn create_generators<C: Ciphersuite>(count: usize) -> Result<Vec<[u8; 48]>, Error> {
    let seed = [C::API_ID, b"MESSAGE_GENERATOR_SEED"].concat();
    Ok(super::generators::create_generators::<C>(count, &seed)?
        .iter()
        .map(|p| p.to_compressed())
        .collect())
}

/// The suite's P1 constant as derived in the draft (§ 7.2):
/// `create_generators(1, api_id)` with generator seed `api_id || "BP_MESSAGE_GENERATOR_SEED"`.
///
/// # Errors
/// Never in practice.
pub fn derive_p1<C: Ciphersuite>() -> Result<[u8; 48], Error> {
    let seed = [C::API_ID, b"BP_MESSAGE_GENERATOR_SEED"].concat();
    let points = super::generators::create_generators::<C>(1, &seed)?;
    Ok(points
        .first()
        .copied()
        .unwrap_or_else(|| G1Projective::identity().into())
        .to_compressed())
}

/// The P1 constant the implementation uses.
pub fn p1<C: Ciphersuite>() -> [u8; 48] {
    C::P1
}

/// `calculate_domain(PK, Q_1, (H_1..H_L), header)` for L messages (draft § 4.2.3).
///
/// # Errors
/// [`Error::TooManyMessages`].
pub fn calculate_domain<C: Ciphersuite>(
    pk: &PublicKey,
    message_count: usize,
    header: &[u8],
) -> Result<[u8; 32], Error> {
    let d = C::generator_cache().with(message_count + 1, |g| {
        super::domain::calculate_domain::<C>(pk.as_bytes(), g, header)
    })??;
    Ok(scalar_to_be(&d))
}

/// `mocked_calculate_random_scalars(count)` of the draft's test appendix, big-endian.
///
/// # Errors
/// If `48 * count` exceeds what the suite's expander can produce.
pub fn mocked_random_scalars<C: Ciphersuite>(
    seed: &[u8],
    dst: &[u8],
    count: usize,
) -> Result<Vec<[u8; 32]>, Error> {
    Ok(
        super::hash_to_scalar::mocked_random_scalars::<C>(seed, dst, count)?
            .iter()
            .map(scalar_to_be)
            .collect(),
    )
}

/// The seed and DST of the draft's mocked random scalars (`mockedRng.json` in the fixtures).
#[derive(Clone, Copy, Debug)]
pub struct MockedRng<'a> {
    /// `SEED`.
    pub seed: &'a [u8],
    /// `DST`.
    pub dst: &'a [u8],
}

/// ProofGen with the draft's mocked randomness `mocked_calculate_random_scalars(5 + U)` from
/// `rng.seed` and `rng.dst`. Reproduces the fixtures' proofs byte for byte. **Deterministic: insecure.**
///
/// # Errors
/// As [`Signature::prove`].
pub fn prove_mocked<C: Ciphersuite, M: AsRef<[u8]>>(
    signature: &Signature<C>,
    pk: &PublicKey,
    header: &[u8],
    ph: &[u8],
    messages: &[M],
    disclosed: &DisclosedIndexes,
    rng: MockedRng<'_>,
) -> Result<Proof<C>, Error> {
    let u = messages.len().saturating_sub(disclosed.indexes().len());
    let random = super::hash_to_scalar::mocked_random_scalars::<C>(rng.seed, rng.dst, 5 + u)?;
    signature.prove_with_randomness(pk, header, ph, messages, disclosed, &random)
}
