//! Scalars from bytes: `hash_to_scalar` (draft-irtf-cfrg-bbs-signatures § 4.3.1),
//! `messages_to_scalars` (§ 4.1.2), `calculate_random_scalars` (§ 4.1.3) and the fixtures' mocked
//! variant (appendix A.1).

use bls12_381::Scalar;
use zeroize::Zeroizing;

use super::ciphersuite::{EXPAND_LEN, sealed::Suite};
use super::error::Error;
use super::octets::scalar_from_be_wide;

/// `hash_to_scalar(msg_octets, dst)`: `OS2IP(expand_message(msg, dst, 48)) mod r`. The message is
/// given in parts that are hashed as if concatenated.
pub(crate) fn hash_to_scalar<C: Suite>(msg: &[&[u8]], dst: &[u8]) -> Result<Scalar, Error> {
    let uniform = Zeroizing::new(C::expand_message(msg, dst, EXPAND_LEN)?);
    Ok(scalar_from_be_wide(&uniform))
}

/// `map_dst = api_id || "MAP_MSG_TO_SCALAR_AS_HASH_"`.
pub(crate) fn map_dst<C: Suite>() -> Vec<u8> {
    [C::API_ID, b"MAP_MSG_TO_SCALAR_AS_HASH_"].concat()
}

/// `messages_to_scalars(messages, api_id)`: each message hashed with the map DST.
pub(crate) fn messages_to_scalars<C: Suite, M: AsRef<[u8]>>(
    messages: &[M],
) -> Result<Vec<Scalar>, Error> {
    let dst = map_dst::<C>();
    messages
        .iter()
        .map(|m| hash_to_scalar::<C>(&[m.as_ref()], &dst))
        .collect()
}

/// `calculate_random_scalars(count)` with the operating system's CSPRNG: 48 random bytes reduced
/// mod r per scalar, as the draft specifies (bias below 2^-128).
pub(crate) fn random_scalars(count: usize) -> Result<Zeroizing<Vec<Scalar>>, Error> {
    let mut out = Zeroizing::new(Vec::with_capacity(count));
    let mut buf = Zeroizing::new([0u8; EXPAND_LEN]);
    for _ in 0..count {
        getrandom::fill(&mut buf[..]).map_err(|_| Error::Rng)?;
        out.push(scalar_from_be_wide(&buf[..]));
    }
    Ok(out)
}

/// `mocked_calculate_random_scalars(count)` of the draft's test appendix: one
/// `expand_message(seed, dst, 48 * count)` cut into 48-byte pieces. Deterministic — tests only.
#[cfg_attr(not(any(test, feature = "hazmat")), allow(dead_code))]
pub(crate) fn mocked_random_scalars<C: Suite>(
    seed: &[u8],
    dst: &[u8],
    count: usize,
) -> Result<Vec<Scalar>, Error> {
    let len = count
        .checked_mul(EXPAND_LEN)
        .ok_or(Error::InputTooLong("mocked random scalar count"))?;
    let v = C::expand_message(&[seed], dst, len)?;
    Ok(v.chunks_exact(EXPAND_LEN)
        .map(scalar_from_be_wide)
        .collect())
}
