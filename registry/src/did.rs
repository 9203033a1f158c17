//! `did:ethr` identifiers: parsed once into a typed form (network and address), everything after
//! takes `&DidEthr`.

use std::fmt;
use std::str::FromStr;

use alloy::primitives::{Address, keccak256};

/// Why a string is not a usable `did:ethr`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid did:ethr {did:?}: {reason}")]
pub struct InvalidDid {
    /// The input.
    pub did: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// A `did:ethr` DID: `did:ethr:[network:]0x<address>` or `did:ethr:[network:]0x<public key>`
/// (a compressed secp256k1 key, 33 bytes; its identity is the key's Ethereum address). The
/// network is a hex chain id (`0x539`) or a known name (`mainnet`, `sepolia`); without one it is
/// mainnet (chain 1).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DidEthr {
    chain_id: u64,
    address: Address,
    // Invariant: when set, `address` is this key's Ethereum address.
    public_key: Option<[u8; 33]>,
}

const NAMED_NETWORKS: [(&str, u64); 3] =
    [("mainnet", 1), ("sepolia", 11_155_111), ("holesky", 17_000)];

impl DidEthr {
    /// The DID of `address` on chain `chain_id`.
    pub fn new(chain_id: u64, address: Address) -> Self {
        Self {
            chain_id,
            address,
            public_key: None,
        }
    }

    /// The public-key DID of the compressed secp256k1 key `key` on chain `chain_id` (did:ethr
    /// method spec § "Method Specific Identifier"), or `None` if `key` is not a valid compressed
    /// point.
    pub fn from_public_key(chain_id: u64, key: [u8; 33]) -> Option<Self> {
        if !matches!(key[0], 0x02 | 0x03) {
            return None;
        }
        let point = alloy::signers::k256::PublicKey::from_sec1_bytes(&key).ok()?;
        let uncompressed =
            alloy::signers::k256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(
                &point, false,
            );
        // The address is the last 20 bytes of keccak256(x ‖ y).
        let hash = keccak256(uncompressed.as_bytes().get(1..)?);
        Some(Self {
            chain_id,
            address: Address::from_slice(&hash[12..]),
            public_key: Some(key),
        })
    }

    /// The compressed secp256k1 key of a public-key DID.
    pub fn public_key(&self) -> Option<&[u8; 33]> {
        self.public_key.as_ref()
    }

    /// The chain the DID is anchored on.
    pub fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// The identity address.
    pub fn address(&self) -> Address {
        self.address
    }
}

impl fmt::Display for DidEthr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let addr = match &self.public_key {
            Some(key) => hex::encode(key),
            None => hex::encode(self.address),
        };
        if self.chain_id == 1 {
            write!(f, "did:ethr:0x{addr}")
        } else {
            write!(f, "did:ethr:0x{:x}:0x{addr}", self.chain_id)
        }
    }
}

impl FromStr for DidEthr {
    type Err = InvalidDid;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |reason| InvalidDid {
            did: s.to_owned(),
            reason,
        };
        let rest = s
            .strip_prefix("did:ethr:")
            .ok_or_else(|| bad("does not start with did:ethr:"))?;
        // Drop a DID URL's path, query or fragment.
        let rest = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let mut parts: Vec<&str> = rest.split(':').collect();
        let id = parts.pop().ok_or_else(|| bad("no identifier"))?;
        let chain_id = match parts.as_slice() {
            [] => 1,
            [net] => {
                if let Some(hex) = net.strip_prefix("0x") {
                    if hex.is_empty()
                        || hex.len() > 16
                        || !hex.bytes().all(|b| b.is_ascii_hexdigit())
                    {
                        return Err(bad("network is not a hex chain id"));
                    }
                    u64::from_str_radix(hex, 16)
                        .map_err(|_| bad("network is not a hex chain id"))?
                } else {
                    NAMED_NETWORKS
                        .iter()
                        .find(|(name, _)| name == net)
                        .map(|(_, id)| *id)
                        .ok_or_else(|| bad("unknown network name"))?
                }
            }
            _ => return Err(bad("too many colon-separated parts")),
        };
        let hex = id
            .strip_prefix("0x")
            .ok_or_else(|| bad("identifier must start with 0x"))?;
        if hex.len() == 66 {
            let mut key = [0u8; 33];
            hex::decode_to_slice(hex, &mut key)
                .map_err(|_| bad("identifier is not a 33-byte hex public key"))?;
            return Self::from_public_key(chain_id, key)
                .ok_or_else(|| bad("identifier is not a compressed secp256k1 public key"));
        }
        if hex.len() != 40 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad("identifier is not a 20-byte hex address"));
        }
        let mixed = hex.bytes().any(|b| b.is_ascii_lowercase())
            && hex.bytes().any(|b| b.is_ascii_uppercase());
        let address = if mixed {
            Address::parse_checksummed(id, None).map_err(|_| bad("bad EIP-55 checksum"))?
        } else {
            Address::from_str(id).map_err(|_| bad("identifier is not a 20-byte hex address"))?
        };
        Ok(Self::new(chain_id, address))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_networks_and_checksums() {
        let a = "did:ethr:0x539:0xb9c5714089478a327f09197987f16f9e5d936e8a";
        let d: DidEthr = a.parse().unwrap();
        assert_eq!(d.chain_id(), 1337);
        assert_eq!(d.to_string(), a);
        let main: DidEthr = "did:ethr:0xb9c5714089478a327f09197987f16f9e5d936e8a"
            .parse()
            .unwrap();
        assert_eq!(main.chain_id(), 1);
        let named: DidEthr = "did:ethr:sepolia:0xB9C5714089478A327F09197987F16F9E5D936E8A"
            .parse()
            .unwrap();
        assert_eq!(named.chain_id(), 11_155_111);
        // Correct EIP-55 checksum accepted, a wrong one refused.
        let checksummed = main.address().to_checksum(None);
        let good = format!("did:ethr:{checksummed}");
        assert_eq!(good.parse::<DidEthr>().unwrap(), main);
        // Flip the case of one letter: the checksum no longer matches.
        let pos = checksummed
            .rfind(|c: char| c.is_ascii_alphabetic() && c != 'x')
            .unwrap();
        let mut flipped: Vec<char> = checksummed.chars().collect();
        flipped[pos] = if flipped[pos].is_ascii_uppercase() {
            flipped[pos].to_ascii_lowercase()
        } else {
            flipped[pos].to_ascii_uppercase()
        };
        let bad = format!("did:ethr:{}", flipped.into_iter().collect::<String>());
        assert_eq!(
            bad.parse::<DidEthr>().unwrap_err().reason,
            "bad EIP-55 checksum"
        );
        assert_eq!(
            "did:ethr:0x539:0xb9c5714089478a327f09197987f16f9e5d936e8a#controller"
                .parse::<DidEthr>()
                .unwrap(),
            d
        );
    }

    #[test]
    fn rejects_malformed() {
        for (s, reason) in [
            ("did:web:example.com", "does not start with did:ethr:"),
            ("did:ethr:", "identifier must start with 0x"),
            ("did:ethr:0x1234", "identifier is not a 20-byte hex address"),
            (
                "did:ethr:0xzz9c5714089478a327f09197987f16f9e5d936e8",
                "identifier is not a 20-byte hex address",
            ),
            (
                "did:ethr:0x:0xb9c5714089478a327f09197987f16f9e5d936e8a",
                "network is not a hex chain id",
            ),
            (
                "did:ethr:0xg1:0xb9c5714089478a327f09197987f16f9e5d936e8a",
                "network is not a hex chain id",
            ),
            (
                "did:ethr:narnia:0xb9c5714089478a327f09197987f16f9e5d936e8a",
                "unknown network name",
            ),
            (
                "did:ethr:a:b:0xb9c5714089478a327f09197987f16f9e5d936e8a",
                "too many colon-separated parts",
            ),
            (
                "did:ethr:0x04fdd57adec3d438ea237fe46b33ee1e016eda6b585c3e27ea66686c2ea5358479",
                "identifier is not a compressed secp256k1 public key",
            ),
            (
                // x = 5 is not on secp256k1.
                "did:ethr:0x020000000000000000000000000000000000000000000000000000000000000005",
                "identifier is not a compressed secp256k1 public key",
            ),
            (
                "did:ethr:0x03fdd57adec3d438ea237fe46b33ee1e016eda6b585c3e27ea66686c2ea53584zz",
                "identifier is not a 33-byte hex public key",
            ),
        ] {
            assert_eq!(s.parse::<DidEthr>().unwrap_err().reason, reason, "{s}");
        }
    }

    #[test]
    fn public_key_identifiers() {
        // The method spec's example: the generator point G and its address.
        let s = "did:ethr:0x0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";
        let d: DidEthr = s.parse().unwrap();
        assert_eq!(
            d.address(),
            "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"
                .parse::<Address>()
                .unwrap()
        );
        assert_eq!(d.chain_id(), 1);
        assert_eq!(d.public_key().map(hex::encode).as_deref(), Some(&s[11..]));
        assert_eq!(d.to_string(), s);
        let upper = format!("did:ethr:0x539:0x{}", s[11..].to_uppercase());
        assert_eq!(
            upper.parse::<DidEthr>().unwrap().to_string(),
            format!("did:ethr:0x539:{}", &s[9..])
        );
    }

    proptest! {
        #[test]
        fn display_parse_round_trip(chain in any::<u64>(), bytes in any::<[u8; 20]>()) {
            let d = DidEthr::new(chain, Address::from(bytes));
            prop_assert_eq!(d.to_string().parse::<DidEthr>().unwrap(), d);
        }

        #[test]
        fn arbitrary_strings_never_panic(s in "\\PC{0,80}") {
            let _ = s.parse::<DidEthr>();
            let _ = format!("did:ethr:{s}").parse::<DidEthr>();
        }
    }
}
