//! Multikey ([Controlled Identifiers § 2.2.2]): `z` + base58btc(multicodec varint ‖ key bytes).
//!
//! [Controlled Identifiers § 2.2.2]: https://www.w3.org/TR/cid-1.0/#Multikey

use super::PublicKeyMaterial;

/// Multicodec `ed25519-pub` (0xed) as an unsigned varint.
pub const ED25519_PUB: [u8; 2] = [0xed, 0x01];
/// Multicodec `ed25519-priv` (0x1300) as an unsigned varint.
pub const ED25519_PRIV: [u8; 2] = [0x80, 0x26];
/// Multicodec `bls12_381-g2-pub` (0xeb) as an unsigned varint.
pub const BLS12_381_G2_PUB: [u8; 2] = [0xeb, 0x01];

/// The longest Multikey string [`Multikey::decode`] reads. The longest key it knows is a
/// BLS12-381 G2 public key, 2 + 96 bytes, whose base58btc form has at most
/// ⌈98 · log₅₈ 256⌉ = 134 characters, plus the `z`; a few to spare. Base58 decoding takes time
/// quadratic in the length (a 200 k-character did:key cost 14.7 s), so longer strings are refused
/// before decoding.
pub const MAX_MULTIKEY_LEN: usize = 140;

/// Why a Multikey string was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MultikeyError {
    /// Not `z` + base58btc.
    #[error("not a base58btc multibase string")]
    Encoding,
    /// An unknown multicodec header.
    #[error("unsupported multicodec key type")]
    UnknownCodec,
    /// The key bytes have the wrong length or are not a valid key.
    #[error("invalid key bytes for its type")]
    InvalidKey,
    /// A secret key where a public key was needed.
    #[error("a secret key where a public key was expected")]
    NotPublic,
    /// Longer than any Multikey of a known type; refused before decoding.
    #[error("a Multikey of {length} characters; at most {limit} are accepted")]
    TooLong {
        /// The string's length in bytes.
        length: usize,
        /// [`MAX_MULTIKEY_LEN`].
        limit: usize,
    },
}

/// A decoded Multikey.
#[derive(Clone, PartialEq, Eq)]
pub enum Multikey {
    /// Ed25519 public key.
    Ed25519Public([u8; 32]),
    /// Ed25519 secret seed (zeroized on drop).
    Ed25519Secret(zeroize::Zeroizing<[u8; 32]>),
    /// BLS12-381 G2 public key (a BBS key).
    Bls12381G2Public(Box<crate::bbs::PublicKey>),
}

impl std::fmt::Debug for Multikey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Multikey::Ed25519Public(k) => {
                write!(f, "Ed25519Public({})", Self::encode_ed25519_public(k))
            }
            Multikey::Ed25519Secret(_) => f.write_str("Ed25519Secret(<redacted>)"),
            Multikey::Bls12381G2Public(k) => write!(f, "Bls12381G2Public({k:?})"),
        }
    }
}

impl Multikey {
    /// Decodes `z…`.
    ///
    /// # Errors
    /// [`MultikeyError`]; [`MultikeyError::TooLong`] beyond [`MAX_MULTIKEY_LEN`], before any
    /// decoding.
    pub fn decode(s: &str) -> Result<Self, MultikeyError> {
        if s.len() > MAX_MULTIKEY_LEN {
            return Err(MultikeyError::TooLong {
                length: s.len(),
                limit: MAX_MULTIKEY_LEN,
            });
        }
        let body = s.strip_prefix('z').ok_or(MultikeyError::Encoding)?;
        let bytes = zeroize::Zeroizing::new(
            bs58::decode(body)
                .into_vec()
                .map_err(|_| MultikeyError::Encoding)?,
        );
        let (head, key) = bytes.split_at(bytes.len().min(2));
        match <[u8; 2]>::try_from(head).map_err(|_| MultikeyError::UnknownCodec)? {
            ED25519_PUB => Ok(Multikey::Ed25519Public(
                key.try_into().map_err(|_| MultikeyError::InvalidKey)?,
            )),
            ED25519_PRIV => Ok(Multikey::Ed25519Secret(zeroize::Zeroizing::new(
                key.try_into().map_err(|_| MultikeyError::InvalidKey)?,
            ))),
            BLS12_381_G2_PUB => Ok(Multikey::Bls12381G2Public(Box::new(
                crate::bbs::PublicKey::from_bytes(key).map_err(|_| MultikeyError::InvalidKey)?,
            ))),
            _ => Err(MultikeyError::UnknownCodec),
        }
    }

    /// The public key, for public Multikeys.
    ///
    /// # Errors
    /// [`MultikeyError::NotPublic`] for secret keys.
    pub fn into_public(self) -> Result<PublicKeyMaterial, MultikeyError> {
        match self {
            Multikey::Ed25519Public(k) => Ok(PublicKeyMaterial::Ed25519(k)),
            Multikey::Bls12381G2Public(k) => Ok(PublicKeyMaterial::Bls12381G2(k)),
            Multikey::Ed25519Secret(_) => Err(MultikeyError::NotPublic),
        }
    }

    /// `z` + base58btc of already multicodec-prefixed bytes.
    pub fn encode_prefixed(prefixed: &[u8]) -> String {
        format!("z{}", bs58::encode(prefixed).into_string())
    }

    /// `z…` of an Ed25519 public key.
    pub fn encode_ed25519_public(key: &[u8; 32]) -> String {
        Self::encode_prefixed(&[&ED25519_PUB[..], key].concat())
    }

    /// `z…` of a BBS public key.
    pub fn encode_bls12_381_g2_public(key: &crate::bbs::PublicKey) -> String {
        Self::encode_prefixed(&[&BLS12_381_G2_PUB[..], key.as_bytes()].concat())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rejects_malformed() {
        assert_eq!(Multikey::decode("6Mk"), Err(MultikeyError::Encoding));
        assert_eq!(Multikey::decode("z0OIl"), Err(MultikeyError::Encoding));
        assert_eq!(Multikey::decode("z"), Err(MultikeyError::UnknownCodec));
        let short = format!("z{}", bs58::encode([0xed, 0x01, 1, 2]).into_string());
        assert_eq!(Multikey::decode(&short), Err(MultikeyError::InvalidKey));
        let bad_g2 = format!(
            "z{}",
            bs58::encode([&[0xeb, 0x01][..], &[0u8; 96]].concat()).into_string()
        );
        assert_eq!(Multikey::decode(&bad_g2), Err(MultikeyError::InvalidKey));
    }

    #[test]
    fn every_known_key_fits_the_bound() {
        // The longest base58 form of n bytes is that of n 0xff bytes.
        for len in [ED25519_PUB.len() + 32, BLS12_381_G2_PUB.len() + 96] {
            let longest = Multikey::encode_prefixed(&vec![0xff; len]);
            assert!(longest.len() <= MAX_MULTIKEY_LEN, "{len} bytes: {longest}");
        }
        let sk = crate::bbs::SecretKey::from_bytes(&[7u8; 32]).unwrap();
        let bbs = Multikey::encode_bls12_381_g2_public(sk.public_key());
        assert!(matches!(
            Multikey::decode(&bbs),
            Ok(Multikey::Bls12381G2Public(_))
        ));
    }

    #[test]
    fn hostile_lengths_are_refused_before_decoding() {
        // 200 k characters cost 14.7 s to base58-decode before the bound.
        let long = format!("z6Mk{}", "1".repeat(200_000));
        assert_eq!(
            Multikey::decode(&long),
            Err(MultikeyError::TooLong {
                length: 200_004,
                limit: MAX_MULTIKEY_LEN
            })
        );
        let just_over = format!("z{}", "2".repeat(MAX_MULTIKEY_LEN));
        assert_eq!(
            Multikey::decode(&just_over),
            Err(MultikeyError::TooLong {
                length: MAX_MULTIKEY_LEN + 1,
                limit: MAX_MULTIKEY_LEN
            })
        );
        // At the bound the string is decoded (and is no key).
        let at_bound = format!("z{}", "2".repeat(MAX_MULTIKEY_LEN - 1));
        assert_eq!(
            Multikey::decode(&at_bound),
            Err(MultikeyError::UnknownCodec)
        );
    }

    proptest! {
        #[test]
        fn ed25519_round_trip(k in any::<[u8; 32]>()) {
            let s = Multikey::encode_ed25519_public(&k);
            prop_assert!(s.starts_with("z6Mk"));
            prop_assert_eq!(Multikey::decode(&s).unwrap(), Multikey::Ed25519Public(k));
        }

        #[test]
        fn arbitrary_strings_never_panic(s in "\\PC{0,120}") {
            let _ = Multikey::decode(&s);
            let _ = Multikey::decode(&format!("z{s}"));
        }
    }
}
