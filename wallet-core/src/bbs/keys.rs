//! Key generation and encoding, draft-irtf-cfrg-bbs-signatures § 3.4 (KeyGen, SkToPk) and
//! § 4.2.4 (public key octets).

use std::fmt;

use bls12_381::{G2Affine, G2Projective, Scalar};
use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::ciphersuite::Ciphersuite;
use super::error::Error;
use super::hash_to_scalar::hash_to_scalar;
use super::octets::{POINT_G2_LEN, SCALAR_LEN, g2_point, scalar_from_be, scalar_to_be};

/// Minimum length of KeyGen's `key_material` (draft § 3.4.1).
pub const MIN_KEY_MATERIAL_LEN: usize = 32;

/// A BBS secret key: a scalar `0 < SK < r`, with its public key alongside.
///
/// Invariant: `public == SkToPk(scalar)` and `scalar != 0`.
///
/// Zeroized on drop; `Debug` shows only the public key; there is no `Serialize`. Export goes
/// through [`SecretKey::to_bytes`], which returns a self-zeroizing buffer.
pub struct SecretKey {
    pub(crate) scalar: Scalar,
    pub(crate) public: PublicKey,
}

impl SecretKey {
    /// A fresh key from 32 bytes of the operating system's CSPRNG, through KeyGen with an empty
    /// `key_info` and the suite's default `key_dst`.
    ///
    /// # Errors
    /// [`Error::Rng`] if the OS random number generator fails.
    pub fn generate<C: Ciphersuite>() -> Result<Self, Error> {
        let mut ikm = Zeroizing::new([0u8; MIN_KEY_MATERIAL_LEN]);
        getrandom::fill(&mut ikm[..]).map_err(|_| Error::Rng)?;
        Self::from_key_material::<C>(&ikm[..], &[], None)
    }

    /// KeyGen(key_material, key_info, key_dst), draft § 3.4.1:
    ///
    /// ```text
    /// derive_input = key_material || I2OSP(length(key_info), 2) || key_info
    /// SK = hash_to_scalar(derive_input, key_dst)   // key_dst defaults to api_id || "KEYGEN_DST_"
    /// ```
    ///
    /// # Errors
    /// [`Error::KeyMaterialTooShort`], [`Error::KeyInfoTooLong`], or [`Error::Degenerate`] if the
    /// hash lands on zero.
    pub fn from_key_material<C: Ciphersuite>(
        key_material: &[u8],
        key_info: &[u8],
        key_dst: Option<&[u8]>,
    ) -> Result<Self, Error> {
        if key_material.len() < MIN_KEY_MATERIAL_LEN {
            return Err(Error::KeyMaterialTooShort(key_material.len()));
        }
        let info_len = u16::try_from(key_info.len())
            .map_err(|_| Error::KeyInfoTooLong(key_info.len()))?
            .to_be_bytes();
        let default_dst;
        let dst = match key_dst {
            Some(d) => d,
            None => {
                default_dst = [C::API_ID, b"KEYGEN_DST_"].concat();
                &default_dst
            }
        };
        let sk = hash_to_scalar::<C>(&[key_material, &info_len, key_info], dst)?;
        Self::from_scalar(sk)
    }

    /// Decodes a 32-byte big-endian secret key; rejects zero and values not below r.
    ///
    /// # Errors
    /// [`Error::Malformed`] for a wrong length, zero, or a value >= r.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        const WHAT: &str = "secret key";
        let arr: &[u8; SCALAR_LEN] = bytes.try_into().map_err(|_| Error::Malformed {
            what: WHAT,
            why: "secret keys are 32 bytes",
        })?;
        let s = scalar_from_be(arr).ok_or(Error::Malformed {
            what: WHAT,
            why: "not below the group order",
        })?;
        Self::from_scalar(s).map_err(|_| Error::Malformed {
            what: WHAT,
            why: "zero",
        })
    }

    fn from_scalar(mut scalar: Scalar) -> Result<Self, Error> {
        if bool::from(scalar.ct_eq(&Scalar::zero())) {
            scalar.zeroize();
            return Err(Error::Degenerate);
        }
        let public = PublicKey::from_point(G2Affine::from(G2Projective::generator() * scalar));
        Ok(Self { scalar, public })
    }

    /// Exports the key as 32 big-endian bytes in a buffer that zeroizes itself on drop.
    pub fn to_bytes(&self) -> Zeroizing<[u8; SCALAR_LEN]> {
        Zeroizing::new(scalar_to_be(&self.scalar))
    }

    /// SkToPk (draft § 3.4.2): the matching public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }
}

impl Drop for SecretKey {
    fn drop(&mut self) {
        self.scalar.zeroize();
    }
}

impl ZeroizeOnDrop for SecretKey {}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the scalar.
        f.debug_struct("SecretKey")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl ConstantTimeEq for SecretKey {
    fn ct_eq(&self, other: &Self) -> Choice {
        self.scalar.ct_eq(&other.scalar)
    }
}

impl PartialEq for SecretKey {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for SecretKey {}

/// A BBS public key: a non-identity point of G2's prime-order subgroup, 96 bytes compressed.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    pub(crate) point: G2Affine,
    pub(crate) bytes: [u8; POINT_G2_LEN],
}

impl PublicKey {
    fn from_point(point: G2Affine) -> Self {
        Self {
            bytes: point.to_compressed(),
            point,
        }
    }

    /// `octets_to_pubkey` (draft § 4.2.4.6): decodes and validates a 96-byte compressed G2 point.
    ///
    /// # Errors
    /// [`Error::Malformed`] for a wrong length, a point off the curve or outside the subgroup, or
    /// the identity.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Error> {
        Ok(Self::from_point(g2_point(bytes, "public key")?))
    }

    /// `point_to_octets_E2`: the 96-byte compressed encoding.
    pub fn to_bytes(&self) -> [u8; POINT_G2_LEN] {
        self.bytes
    }

    /// The encoding by reference.
    pub fn as_bytes(&self) -> &[u8; POINT_G2_LEN] {
        &self.bytes
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey(")?;
        for b in &self.bytes[..8] {
            write!(f, "{b:02x}")?;
        }
        write!(f, "…)")
    }
}
