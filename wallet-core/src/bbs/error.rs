//! Errors of the BBS operations.

use super::expand_message::ExpandError;

/// Why a BBS operation failed.
///
/// Verification failures are deliberately opaque ([`Error::InvalidSignature`],
/// [`Error::InvalidProof`]): a verifier learns nothing about which equation failed. Malformed
/// input, on the other hand, is described precisely, so a holder can tell what is wrong with data
/// it parsed itself.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Bytes that do not decode to the named object: wrong length, a point off the curve or outside
    /// the prime-order subgroup, an identity point, or a scalar that is zero or not below the group
    /// order.
    #[error("malformed {what}: {why}")]
    Malformed {
        /// What was being decoded ("public key", "signature", "proof", "secret key").
        what: &'static str,
        /// What is wrong with it.
        why: &'static str,
    },
    /// KeyGen needs at least 32 bytes of key material (draft § 3.4.1).
    #[error("key material must be at least 32 bytes, got {0}")]
    KeyMaterialTooShort(usize),
    /// KeyGen's `key_info` is length-prefixed with two bytes (draft § 3.4.1).
    #[error("key info must be at most 65535 bytes, got {0}")]
    KeyInfoTooLong(usize),
    /// A disclosed index does not name a signed message.
    #[error("disclosed index {index} is out of range for {count} messages")]
    IndexOutOfRange {
        /// The offending index.
        index: usize,
        /// The number of signed messages.
        count: usize,
    },
    /// The same index was disclosed twice.
    #[error("disclosed index {0} is listed more than once")]
    DuplicateIndex(usize),
    /// More messages were disclosed than were signed.
    #[error("{disclosed} messages disclosed but only {count} signed")]
    TooManyDisclosed {
        /// Number of disclosed messages.
        disclosed: usize,
        /// Number of signed messages.
        count: usize,
    },
    /// A disclosure built for one message count was used with another.
    #[error("the disclosure is for {expected} messages but {actual} were given")]
    MessageCountMismatch {
        /// The count the disclosure was built for.
        expected: usize,
        /// The count actually given.
        actual: usize,
    },
    /// More messages than [`MAX_MESSAGES`](super::MAX_MESSAGES).
    #[error("{0} messages exceed the supported maximum of {max}", max = super::MAX_MESSAGES)]
    TooManyMessages(usize),
    /// An input is too long to be length-prefixed or hashed as the draft requires.
    #[error("input too long: {0}")]
    InputTooLong(&'static str),
    /// The operating system's random number generator failed.
    #[error("the operating system random number generator failed")]
    Rng,
    /// A degenerate value arose that the draft says to reject (e.g. a zero secret key or an
    /// identity signature point); astronomically unlikely with honest inputs.
    #[error("the operation produced a degenerate value and was aborted")]
    Degenerate,
    /// The signature does not verify.
    #[error("invalid signature")]
    InvalidSignature,
    /// The proof does not verify.
    #[error("invalid proof")]
    InvalidProof,
}

impl From<ExpandError> for Error {
    fn from(e: ExpandError) -> Self {
        match e {
            ExpandError::OutputTooLong => Error::InputTooLong("expand_message output length"),
        }
    }
}
