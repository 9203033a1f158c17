//! Octet encodings, draft-irtf-cfrg-bbs-signatures § 4.2 (`serialize`, `signature_to_octets`,
//! `octets_to_signature`, `proof_to_octets`, `octets_to_proof`, `octets_to_pubkey`) and the
//! big-endian scalar convention of § 1.2.

use bls12_381::{G1Affine, G2Affine, Scalar};
use subtle::ConstantTimeEq;

use super::error::Error;

/// `octet_point_length` for G1 (compressed).
pub(crate) const POINT_G1_LEN: usize = 48;
/// `octet_point_length` for G2 (compressed), the public key size.
pub(crate) const POINT_G2_LEN: usize = 96;
/// `octet_scalar_length`.
pub(crate) const SCALAR_LEN: usize = 32;

/// `I2OSP(s, 32)`: big-endian scalar bytes.
pub(crate) fn scalar_to_be(s: &Scalar) -> [u8; SCALAR_LEN] {
    let mut b = s.to_bytes();
    b.reverse();
    b
}

/// `OS2IP` of 32 big-endian bytes, rejecting values >= r. Zero is accepted here; callers that must
/// reject it do so.
pub(crate) fn scalar_from_be(bytes: &[u8; SCALAR_LEN]) -> Option<Scalar> {
    let mut le = *bytes;
    le.reverse();
    Option::from(Scalar::from_bytes(&le))
}

/// `OS2IP(bytes) mod r` for the 48-byte output of `expand_message` (draft § 4.3.1 hash_to_scalar).
pub(crate) fn scalar_from_be_wide(bytes: &[u8]) -> Scalar {
    let mut wide = [0u8; 64];
    // `bytes` is at most 64 bytes (48 in practice): right-align, then flip to little endian.
    let n = bytes.len().min(64);
    wide[64 - n..].copy_from_slice(&bytes[bytes.len() - n..]);
    wide.reverse();
    Scalar::from_bytes_wide(&wide)
}

/// A non-zero scalar below r, as the draft requires for every scalar in a signature or proof.
pub(crate) fn nonzero_scalar(bytes: &[u8], what: &'static str) -> Result<Scalar, Error> {
    let arr: &[u8; SCALAR_LEN] = bytes.try_into().map_err(|_| Error::Malformed {
        what,
        why: "wrong scalar length",
    })?;
    let s = scalar_from_be(arr).ok_or(Error::Malformed {
        what,
        why: "scalar is not below the group order",
    })?;
    if bool::from(s.ct_eq(&Scalar::zero())) {
        return Err(Error::Malformed {
            what,
            why: "scalar is zero",
        });
    }
    Ok(s)
}

/// `octets_to_point_E1` plus the draft's identity check: the point must decode, lie on the curve,
/// be in the prime-order subgroup (checked by `from_compressed`), and not be the identity.
pub(crate) fn g1_point(bytes: &[u8], what: &'static str) -> Result<G1Affine, Error> {
    let arr: &[u8; POINT_G1_LEN] = bytes.try_into().map_err(|_| Error::Malformed {
        what,
        why: "wrong G1 point length",
    })?;
    let p: G1Affine = Option::from(G1Affine::from_compressed(arr)).ok_or(Error::Malformed {
        what,
        why: "not a compressed G1 point in the prime-order subgroup",
    })?;
    if bool::from(p.is_identity()) {
        return Err(Error::Malformed {
            what,
            why: "identity point",
        });
    }
    Ok(p)
}

/// `octets_to_pubkey` (draft § 4.2.4.6): a G2 point in the subgroup that is not the identity.
pub(crate) fn g2_point(bytes: &[u8], what: &'static str) -> Result<G2Affine, Error> {
    let arr: &[u8; POINT_G2_LEN] = bytes.try_into().map_err(|_| Error::Malformed {
        what,
        why: "wrong G2 point length",
    })?;
    let p: G2Affine = Option::from(G2Affine::from_compressed(arr)).ok_or(Error::Malformed {
        what,
        why: "not a compressed G2 point in the prime-order subgroup",
    })?;
    if bool::from(p.is_identity()) {
        return Err(Error::Malformed {
            what,
            why: "identity point",
        });
    }
    Ok(p)
}

/// The draft's `serialize` (§ 4.2.1): appends points compressed, scalars as 32 big-endian bytes
/// and non-negative integers as `I2OSP(n, 8)`.
#[derive(Default)]
pub(crate) struct Serializer {
    pub(crate) out: Vec<u8>,
}

impl Serializer {
    pub(crate) fn with_capacity(n: usize) -> Self {
        Self {
            out: Vec::with_capacity(n),
        }
    }
    pub(crate) fn point(&mut self, p: &G1Affine) -> &mut Self {
        self.out.extend_from_slice(&p.to_compressed());
        self
    }
    pub(crate) fn scalar(&mut self, s: &Scalar) -> &mut Self {
        self.out.extend_from_slice(&scalar_to_be(s));
        self
    }
    pub(crate) fn int(&mut self, n: usize) -> &mut Self {
        // usize is at most 64 bits on every supported target.
        self.out.extend_from_slice(&(n as u64).to_be_bytes());
        self
    }
    pub(crate) fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.out.extend_from_slice(b);
        self
    }
}
