//! The key material a holder or issuer keeps in the vault: Ed25519 (presentation signatures,
//! `eddsa-rdfc-2022`), BLS12-381 BBS (credential signatures, `bbs-2023`) and secp256k1 (the
//! Ethereum account that owns a `did:ethr` identity).
//!
//! [`KeySecret`] holds the secret bytes; it zeroizes on drop, never prints them, and has no serde
//! implementation — the vault stores it through its own, private encoding inside the ciphertext.

use std::fmt;

use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::bbs::{self, Bls12381Sha256, Bls12381Shake256};

/// Which algorithm a key is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum KeyKind {
    /// Ed25519 (RFC 8032), 32-byte seed.
    Ed25519,
    /// BBS over BLS12-381, KeyGen of the SHA-256 ciphersuite.
    BbsBls12381Sha256,
    /// BBS over BLS12-381, KeyGen of the SHAKE-256 ciphersuite.
    BbsBls12381Shake256,
    /// secp256k1, the curve of Ethereum accounts (`did:ethr` controllers).
    Secp256k1,
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyKind::Ed25519 => "Ed25519",
            KeyKind::BbsBls12381Sha256 => "BBS BLS12-381 (SHA-256)",
            KeyKind::BbsBls12381Shake256 => "BBS BLS12-381 (SHAKE-256)",
            KeyKind::Secp256k1 => "secp256k1",
        })
    }
}

/// Why key bytes were rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The secret has the wrong length for its kind.
    #[error("a {kind} secret key is {expected} bytes, got {actual}")]
    Length {
        /// The key kind.
        kind: KeyKind,
        /// Required length.
        expected: usize,
        /// Given length.
        actual: usize,
    },
    /// The secret is not a valid scalar for its curve (zero, or not below the group order).
    #[error("not a valid {0} secret key")]
    OutOfRange(KeyKind),
    /// The operating system random number generator failed.
    #[error("the operating system random number generator failed")]
    Rng,
}

/// The secp256k1 group order n, big-endian (SEC 2 § 2.4.1).
const SECP256K1_ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
];

/// Constant-time `a < b` for equal-length big-endian integers.
fn ct_less_than(a: &[u8; 32], b: &[u8; 32]) -> bool {
    // Scan from the least significant byte; the most significant differing byte decides.
    let mut less = 0u8;
    for (x, y) in a.iter().zip(b.iter()).rev() {
        let (x, y) = (u16::from(*x), u16::from(*y));
        let lt = ((x.wrapping_sub(y)) >> 8) as u8 & 1; // x < y
        let eq = u8::from(x == y);
        less = lt | (eq & less);
    }
    less == 1
}

/// Secret key bytes of one [`KeyKind`], validated for that kind.
///
/// Invariant: `bytes` is a valid secret for `kind` (length and range).
pub struct KeySecret {
    kind: KeyKind,
    bytes: Zeroizing<Vec<u8>>,
}

impl KeySecret {
    /// A fresh random key of `kind`, from the operating system's CSPRNG.
    ///
    /// # Errors
    /// [`KeyError::Rng`] if the random number generator fails.
    pub fn generate(kind: KeyKind) -> Result<Self, KeyError> {
        match kind {
            KeyKind::BbsBls12381Sha256 => {
                bbs_export(bbs::SecretKey::generate::<Bls12381Sha256>(), kind)
            }
            KeyKind::BbsBls12381Shake256 => {
                bbs_export(bbs::SecretKey::generate::<Bls12381Shake256>(), kind)
            }
            KeyKind::Ed25519 | KeyKind::Secp256k1 => loop {
                let mut bytes = Zeroizing::new(vec![0u8; 32]);
                getrandom::fill(&mut bytes).map_err(|_| KeyError::Rng)?;
                match Self::from_bytes(kind, &bytes) {
                    Ok(k) => return Ok(k),
                    // Only secp256k1 can reject (probability ~2^-128); draw again.
                    Err(KeyError::OutOfRange(_)) => continue,
                    Err(e) => return Err(e),
                }
            },
        }
    }

    /// Validates secret bytes for `kind`.
    ///
    /// # Errors
    /// [`KeyError::Length`] or [`KeyError::OutOfRange`].
    pub fn from_bytes(kind: KeyKind, bytes: &[u8]) -> Result<Self, KeyError> {
        let arr: &[u8; 32] = bytes.try_into().map_err(|_| KeyError::Length {
            kind,
            expected: 32,
            actual: bytes.len(),
        })?;
        let valid = match kind {
            KeyKind::Ed25519 => true,
            KeyKind::BbsBls12381Sha256 | KeyKind::BbsBls12381Shake256 => {
                bbs::SecretKey::from_bytes(arr).is_ok()
            }
            KeyKind::Secp256k1 => {
                let zero = bool::from(arr.ct_eq(&[0u8; 32]));
                !zero && ct_less_than(arr, &SECP256K1_ORDER)
            }
        };
        if !valid {
            return Err(KeyError::OutOfRange(kind));
        }
        Ok(Self {
            kind,
            bytes: Zeroizing::new(arr.to_vec()),
        })
    }

    /// The key's kind.
    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// The raw secret bytes, for explicit export only (the vault's encryption, a backup).
    pub fn expose_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The public key: Ed25519 32 bytes, BBS 96 bytes (compressed G2), secp256k1 — not derived
    /// here (`None`; the registry crate's signer computes addresses).
    pub fn public_bytes(&self) -> Option<Vec<u8>> {
        match self.kind {
            KeyKind::Ed25519 => self
                .ed25519()
                .map(|k| k.verifying_key().to_bytes().to_vec()),
            KeyKind::BbsBls12381Sha256 | KeyKind::BbsBls12381Shake256 => {
                self.bbs().map(|k| k.public_key().to_bytes().to_vec())
            }
            KeyKind::Secp256k1 => None,
        }
    }

    /// This key as a BBS secret key, if it is one.
    pub fn bbs(&self) -> Option<bbs::SecretKey> {
        match self.kind {
            KeyKind::BbsBls12381Sha256 | KeyKind::BbsBls12381Shake256 => {
                bbs::SecretKey::from_bytes(&self.bytes).ok()
            }
            _ => None,
        }
    }

    /// This key as an Ed25519 signing key, if it is one.
    pub fn ed25519(&self) -> Option<ed25519_dalek::SigningKey> {
        match self.kind {
            KeyKind::Ed25519 => {
                let arr: &[u8; 32] = self.bytes.as_slice().try_into().ok()?;
                Some(ed25519_dalek::SigningKey::from_bytes(arr))
            }
            _ => None,
        }
    }
}

fn bbs_export(
    key: Result<bbs::SecretKey, bbs::Error>,
    kind: KeyKind,
) -> Result<KeySecret, KeyError> {
    let key = key.map_err(|_| KeyError::Rng)?;
    Ok(KeySecret {
        kind,
        bytes: Zeroizing::new(key.to_bytes().to_vec()),
    })
}

impl Clone for KeySecret {
    fn clone(&self) -> Self {
        Self {
            kind: self.kind,
            bytes: self.bytes.clone(),
        }
    }
}

impl PartialEq for KeySecret {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind && bool::from(self.bytes.as_slice().ct_eq(other.bytes.as_slice()))
    }
}

impl Eq for KeySecret {}

impl Drop for KeySecret {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

impl ZeroizeOnDrop for KeySecret {}

impl fmt::Debug for KeySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySecret")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn generate_and_reload_every_kind() {
        for kind in [
            KeyKind::Ed25519,
            KeyKind::BbsBls12381Sha256,
            KeyKind::BbsBls12381Shake256,
            KeyKind::Secp256k1,
        ] {
            let k = KeySecret::generate(kind).unwrap();
            let again = KeySecret::from_bytes(kind, k.expose_bytes()).unwrap();
            assert_eq!(k, again);
            assert!(!format!("{k:?}").contains(&hex::encode(k.expose_bytes())[..12]));
        }
    }

    #[test]
    fn secp256k1_range() {
        let kind = KeyKind::Secp256k1;
        assert_eq!(
            KeySecret::from_bytes(kind, &[0; 32]),
            Err(KeyError::OutOfRange(kind))
        );
        assert_eq!(
            KeySecret::from_bytes(kind, &SECP256K1_ORDER),
            Err(KeyError::OutOfRange(kind))
        );
        let mut below = SECP256K1_ORDER;
        below[31] -= 1;
        assert!(KeySecret::from_bytes(kind, &below).is_ok());
        assert!(KeySecret::from_bytes(kind, &[0xff; 32]).is_err());
        assert!(KeySecret::from_bytes(kind, &[1; 31]).is_err());
    }

    #[test]
    fn ct_less_than_matches_ordering() {
        let cases: [([u8; 32], [u8; 32]); 4] = [
            ([0; 32], [0; 32]),
            ([1; 32], [2; 32]),
            (
                {
                    let mut a = [0; 32];
                    a[0] = 1;
                    a
                },
                {
                    let mut b = [0xff; 32];
                    b[0] = 0;
                    b
                },
            ),
            (
                {
                    let mut a = [5; 32];
                    a[31] = 4;
                    a
                },
                [5; 32],
            ),
        ];
        for (a, b) in cases {
            assert_eq!(ct_less_than(&a, &b), a < b, "{a:?} < {b:?}");
            assert_eq!(ct_less_than(&b, &a), b < a);
        }
    }
}
