//! Siegel's wallet core: the cryptography and data model of a self-sovereign identity wallet.
//!
//! - [`bbs`]: BBS signatures and selective-disclosure proofs (IETF draft-irtf-cfrg-bbs-signatures).
//!
//! Keys, the encrypted vault, credentials, presentations and verification build on these.
#![forbid(unsafe_code)]

pub mod bbs;
