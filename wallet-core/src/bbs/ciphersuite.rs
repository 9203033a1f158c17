//! The two ciphersuites of draft-irtf-cfrg-bbs-signatures § 7 (BLS12-381-SHA-256 and
//! BLS12-381-SHAKE-256) and the per-suite constants they fix.
//!
//! A suite is a zero-sized type implementing the sealed [`Ciphersuite`] trait. Signatures and proofs
//! carry their suite in their type, so a SHA-256 signature can never be verified as a SHAKE-256 one.

use std::sync::OnceLock;

use bls12_381::{
    G1Affine, G1Projective,
    hash_to_curve::{ExpandMsgXmd, ExpandMsgXof, HashToCurve},
};

use super::expand_message::{ExpandError, expand_message_xmd_sha256, expand_message_xof_shake256};
use super::generators::GeneratorCache;

/// `expand_len` of the draft: ceil((ceil(log2(r)) + k) / 8) = 48 for both suites.
pub(crate) const EXPAND_LEN: usize = 48;

/// A BBS ciphersuite (draft-irtf-cfrg-bbs-signatures § 7). Sealed: only the two suites the draft
/// defines implement it.
pub trait Ciphersuite:
    sealed::Suite + Copy + Default + Eq + std::hash::Hash + std::fmt::Debug + Send + Sync + 'static
{
    /// The `ciphersuite_id` string.
    const ID: &'static str;
}

/// `BBS_BLS12381G1_XMD:SHA-256_SSWU_RO_` (draft § 7.2.1): `expand_message_xmd` with SHA-256.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Bls12381Sha256;

/// `BBS_BLS12381G1_XOF:SHAKE-256_SSWU_RO_` (draft § 7.2.2): `expand_message_xof` with SHAKE-256.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Bls12381Shake256;

impl Ciphersuite for Bls12381Sha256 {
    const ID: &'static str = "BBS_BLS12381G1_XMD:SHA-256_SSWU_RO_";
}

impl Ciphersuite for Bls12381Shake256 {
    const ID: &'static str = "BBS_BLS12381G1_XOF:SHAKE-256_SSWU_RO_";
}

pub(crate) mod sealed {
    use super::*;

    /// Suite internals. Public only so the sealed pattern type-checks; not nameable outside.
    pub trait Suite {
        /// `api_id = ciphersuite_id || "H2G_HM2S_"` (draft § 4.1, the "hash to scalar" messages mode).
        const API_ID: &'static [u8];
        /// The fixed base point P1 (draft § 7.2), compressed.
        const P1: [u8; 48];
        /// The suite's `expand_message`.
        fn expand_message(
            msg: &[&[u8]],
            dst: &[u8],
            len_in_bytes: usize,
        ) -> Result<Vec<u8>, ExpandError>;
        /// The suite's `hash_to_curve_g1` (RFC 9380 BLS12381G1_XMD:SHA-256_SSWU_RO_ or _XOF:SHAKE-256_).
        fn hash_to_curve_g1(msg: &[u8], dst: &[u8]) -> G1Projective;
        /// The process-wide cache of this suite's generators.
        fn generator_cache() -> &'static GeneratorCache;
        /// P1 decoded once.
        fn p1() -> &'static G1Affine;
    }
}

/// Decodes a compile-time base point; the constant is checked by the conformance tests, and a
/// failure here would be a build defect, so it falls back to the identity only to stay panic-free.
fn decode_const_point(bytes: &[u8; 48]) -> G1Affine {
    Option::from(G1Affine::from_compressed(bytes)).unwrap_or_else(G1Affine::identity)
}

impl sealed::Suite for Bls12381Sha256 {
    const API_ID: &'static [u8] = b"BBS_BLS12381G1_XMD:SHA-256_SSWU_RO_H2G_HM2S_";
    // draft § 7.2.1, P1 (also in the fixtures' generators.json).
    const P1: [u8; 48] = hex48(
        "a8ce256102840821a3e94ea9025e4662b205762f9776b3a766c872b948f1fd225e7c59698588e70d11406d161b4e28c9",
    );

    fn expand_message(
        msg: &[&[u8]],
        dst: &[u8],
        len_in_bytes: usize,
    ) -> Result<Vec<u8>, ExpandError> {
        expand_message_xmd_sha256(msg, dst, len_in_bytes)
    }

    fn hash_to_curve_g1(msg: &[u8], dst: &[u8]) -> G1Projective {
        <G1Projective as HashToCurve<ExpandMsgXmd<sha2::Sha256>>>::hash_to_curve([msg], dst)
    }

    fn generator_cache() -> &'static GeneratorCache {
        static CACHE: OnceLock<GeneratorCache> = OnceLock::new();
        CACHE.get_or_init(GeneratorCache::new::<Self>)
    }

    fn p1() -> &'static G1Affine {
        static P1: OnceLock<G1Affine> = OnceLock::new();
        P1.get_or_init(|| decode_const_point(&Self::P1))
    }
}

impl sealed::Suite for Bls12381Shake256 {
    const API_ID: &'static [u8] = b"BBS_BLS12381G1_XOF:SHAKE-256_SSWU_RO_H2G_HM2S_";
    // draft § 7.2.2, P1.
    const P1: [u8; 48] = hex48(
        "8929dfbc7e6642c4ed9cba0856e493f8b9d7d5fcb0c31ef8fdcd34d50648a56c795e106e9eada6e0bda386b414150755",
    );

    fn expand_message(
        msg: &[&[u8]],
        dst: &[u8],
        len_in_bytes: usize,
    ) -> Result<Vec<u8>, ExpandError> {
        expand_message_xof_shake256(msg, dst, len_in_bytes)
    }

    fn hash_to_curve_g1(msg: &[u8], dst: &[u8]) -> G1Projective {
        <G1Projective as HashToCurve<ExpandMsgXof<sha3::Shake256>>>::hash_to_curve([msg], dst)
    }

    fn generator_cache() -> &'static GeneratorCache {
        static CACHE: OnceLock<GeneratorCache> = OnceLock::new();
        CACHE.get_or_init(GeneratorCache::new::<Self>)
    }

    fn p1() -> &'static G1Affine {
        static P1: OnceLock<G1Affine> = OnceLock::new();
        P1.get_or_init(|| decode_const_point(&Self::P1))
    }
}

/// Compile-time hex decoding of a 48-byte constant.
#[allow(
    clippy::panic,
    reason = "const evaluation only: a bad literal fails the build"
)]
const fn hex48(s: &str) -> [u8; 48] {
    const fn nibble(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => panic!("bad hex constant"),
        }
    }
    let b = s.as_bytes();
    assert!(b.len() == 96, "hex constant must be 48 bytes");
    let mut out = [0u8; 48];
    let mut i = 0;
    while i < 48 {
        out[i] = (nibble(b[2 * i]) << 4) | nibble(b[2 * i + 1]);
        i += 1;
    }
    out
}
