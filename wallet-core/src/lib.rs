//! Siegel's wallet core: the cryptography and data model of a self-sovereign identity wallet.
//!
//! - [`bbs`]: BBS signatures and selective-disclosure proofs (IETF draft-irtf-cfrg-bbs-signatures).
//! - [`di`]: W3C Data Integrity proofs (`eddsa-rdfc-2022`).
//! - [`keys`]: the key material a wallet holds (Ed25519, BBS, secp256k1).
//! - [`vault`]: the encrypted, crash-safe vault file.
//! - [`fs`]: atomic writes for every file that holds user data.
//! - [`jsonld`]: JSON-LD to RDF and RDFC-1.0 canonicalization with bundled contexts.
//! - [`schema`]: the bundled JSON Schemas of Siegel's credential types and their validator.
//! - [`text`]: names shown to people, and the characters that must never reach a screen raw.
#![forbid(unsafe_code)]

pub mod app;
pub mod bbs;
pub mod credential;
pub mod di;
pub mod did;
pub mod fs;
pub mod holder;
pub mod home;
pub mod issuer;
pub mod jsonld;
pub mod keys;
pub mod ledger;
pub mod request;
pub mod schema;
pub mod text;
pub mod vault;
pub mod verify;
