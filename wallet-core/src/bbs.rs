//! BBS signatures as specified by [draft-irtf-cfrg-bbs-signatures] (drafts -06 to -10; the
//! fixtures in `tests/data/bbs` pin the exact behaviour), for both ciphersuites:
//! [`Bls12381Sha256`] and [`Bls12381Shake256`].
//!
//! An issuer signs a list of messages once; a holder later proves knowledge of that signature while
//! disclosing only some of the messages, and each proof is unlinkable to the signature and to other
//! proofs.
//!
//! ```
//! use wallet_core::bbs::{Bls12381Sha256, DisclosedIndexes, SecretKey};
//!
//! # fn main() -> Result<(), wallet_core::bbs::Error> {
//! let sk = SecretKey::generate::<Bls12381Sha256>()?;
//! let pk = sk.public_key().clone();
//! let messages = [&b"name: Ada"[..], b"over 18: yes", b"income band: B"];
//! let signature = sk.sign::<Bls12381Sha256, _>(b"kyc-v1", &messages)?;
//! pk.verify(&signature, b"kyc-v1", &messages)?;
//!
//! // Show "over 18" and the income band, not the name.
//! let disclosed = DisclosedIndexes::new([1, 2], messages.len())?;
//! let proof = signature.prove(&pk, b"kyc-v1", b"verifier nonce", &messages, &disclosed)?;
//! proof.verify(&pk, b"kyc-v1", b"verifier nonce", &[(1, messages[1]), (2, messages[2])])?;
//! assert!(proof.verify(&pk, b"kyc-v1", b"another nonce", &[(1, messages[1]), (2, messages[2])]).is_err());
//! # Ok(()) }
//! ```
//!
//! Module layout follows the draft: [`ciphersuite`](Ciphersuite) (§ 7), key generation (§ 3.4),
//! signatures (§ 3.5.1–3.5.2, 3.6.1–3.6.2), proofs (§ 3.5.3–3.5.4, 3.6.3–3.6.4, 3.7), generators
//! (§ 4.1.1), `hash_to_scalar` and `messages_to_scalars` (§ 4.1.2, 4.3.1), domain (§ 4.2.3), octet
//! encodings (§ 4.2), and RFC 9380 § 5.3 `expand_message`.
//!
//! [draft-irtf-cfrg-bbs-signatures]: https://datatracker.ietf.org/doc/draft-irtf-cfrg-bbs-signatures/

mod ciphersuite;
mod disclosure;
mod domain;
mod error;
mod expand_message;
mod generators;
mod hash_to_scalar;
mod keys;
mod msm;
mod octets;
mod proof;
mod signature;

#[cfg(feature = "hazmat")]
pub mod hazmat;

pub use ciphersuite::{Bls12381Sha256, Bls12381Shake256, Ciphersuite};
pub use disclosure::DisclosedIndexes;
pub use error::Error;
pub use generators::MAX_MESSAGES;
pub use keys::{MIN_KEY_MATERIAL_LEN, PublicKey, SecretKey};
pub use proof::{PROOF_BASE_LEN, Proof};
pub use signature::{SIGNATURE_LEN, Signature};
