//! The credential's on-chain status entry (`credentialStatus` of type `SiegelChainStatus`,
//! defined in the KYC context `https://contexts.siegel.example/kyc/v1`).
//!
//! It names the chain and the status contract as one CAIP-10 account id
//! (`eip155:<chain id>:0x<address>`), the issuer identity whose bits these are, and the index.
//! A verifier reads the revocation and suspension bits at that index straight from the chain,
//! so the issuer never learns that a verification happened.

use serde_json::{Map, Value, json};

use crate::did::Did;

/// The `credentialStatus` type.
pub const STATUS_TYPE: &str = "SiegelChainStatus";

/// The largest status index: JSON numbers above 2^53 are refused by safe mode.
pub const MAX_STATUS_INDEX: u64 = (1 << 53) - 1;

/// A contract on an EVM chain, written as a CAIP-10 account id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChainAccount {
    /// EIP-155 chain id.
    pub chain_id: u64,
    /// The 20-byte address.
    pub address: [u8; 20],
}

impl ChainAccount {
    /// Parses `eip155:<decimal chain id>:0x<40 hex digits>` (CAIP-10 / CAIP-2 `eip155`).
    ///
    /// # Errors
    /// [`StatusEntryError::Registry`].
    pub fn parse(s: &str) -> Result<Self, StatusEntryError> {
        let fail = || StatusEntryError::Registry(s.chars().take(100).collect());
        let rest = s.strip_prefix("eip155:").ok_or_else(fail)?;
        let (chain, addr) = rest.split_once(':').ok_or_else(fail)?;
        if chain.is_empty() || chain.len() > 19 || !chain.bytes().all(|c| c.is_ascii_digit()) {
            return Err(fail());
        }
        if chain.starts_with('0') {
            return Err(fail());
        }
        let chain_id = chain.parse().map_err(|_| fail())?;
        let hex_part = addr.strip_prefix("0x").ok_or_else(fail)?;
        if hex_part.len() != 40 {
            return Err(fail());
        }
        let mut address = [0u8; 20];
        hex::decode_to_slice(hex_part, &mut address).map_err(|_| fail())?;
        Ok(Self { chain_id, address })
    }
}

impl std::fmt::Display for ChainAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "eip155:{}:0x{}",
            self.chain_id,
            hex::encode(self.address)
        )
    }
}

/// Where a credential's status bits live.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StatusEntry {
    /// The status contract.
    pub registry: ChainAccount,
    /// The issuer identity the bits belong to.
    pub issuer: Did,
    /// The index within the issuer's bits.
    pub index: u64,
}

/// Why a `credentialStatus` member is not a usable status entry.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatusEntryError {
    /// The credential has no `credentialStatus`.
    #[error("the credential has no status entry")]
    Missing,
    /// Not an object with the `SiegelChainStatus` type.
    #[error("credentialStatus is not a {STATUS_TYPE} entry")]
    Type,
    /// `statusRegistry` is not `eip155:<chain>:0x<address>`.
    #[error("statusRegistry {0:?} is not a CAIP-10 eip155 account id")]
    Registry(String),
    /// `statusIssuer` is not a DID.
    #[error("statusIssuer is not a DID: {0}")]
    Issuer(String),
    /// `statusIndex` is not an integer in 0..=2^53-1.
    #[error("statusIndex is not an integer between 0 and 2^53-1")]
    Index,
}

impl StatusEntry {
    /// The JSON `credentialStatus` object.
    pub fn to_json(&self) -> Value {
        json!({
            "type": STATUS_TYPE,
            "statusRegistry": self.registry.to_string(),
            "statusIssuer": self.issuer.as_str(),
            "statusIndex": self.index,
        })
    }

    /// The status entry of a credential document (its `credentialStatus` member).
    ///
    /// # Errors
    /// [`StatusEntryError::Missing`], or why the member is not a usable entry.
    pub fn of_credential(credential: &Value) -> Result<Self, StatusEntryError> {
        Self::from_json(
            credential
                .get("credentialStatus")
                .ok_or(StatusEntryError::Missing)?,
        )
    }

    /// Reads a `credentialStatus` object.
    ///
    /// # Errors
    /// [`StatusEntryError`] naming the member.
    pub fn from_json(v: &Value) -> Result<Self, StatusEntryError> {
        let o: &Map<String, Value> = v.as_object().ok_or(StatusEntryError::Type)?;
        let typed = match o.get("type") {
            Some(Value::String(t)) => t == STATUS_TYPE,
            Some(Value::Array(ts)) => ts.iter().any(|t| t.as_str() == Some(STATUS_TYPE)),
            _ => false,
        };
        if !typed {
            return Err(StatusEntryError::Type);
        }
        let registry = ChainAccount::parse(
            o.get("statusRegistry")
                .and_then(Value::as_str)
                .ok_or_else(|| StatusEntryError::Registry(String::new()))?,
        )?;
        let issuer = Did::parse(
            o.get("statusIssuer")
                .and_then(Value::as_str)
                .ok_or_else(|| StatusEntryError::Issuer("missing".into()))?,
        )
        .map_err(|e| StatusEntryError::Issuer(e.to_string()))?;
        let index = o
            .get("statusIndex")
            .and_then(Value::as_u64)
            .filter(|&i| i <= MAX_STATUS_INDEX)
            .ok_or(StatusEntryError::Index)?;
        Ok(Self {
            registry,
            issuer,
            index,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn chain_accounts() {
        let a =
            ChainAccount::parse("eip155:1337:0x00000000000000000000000000000000000000ff").unwrap();
        assert_eq!(a.chain_id, 1337);
        assert_eq!(a.address[19], 0xff);
        for bad in [
            "eip155:01:0x00000000000000000000000000000000000000ff",
            "eip155::0x00000000000000000000000000000000000000ff",
            "eip155:1:00000000000000000000000000000000000000ff",
            "eip155:1:0x00ff",
            "cosmos:1:0x00000000000000000000000000000000000000ff",
            "eip155:99999999999999999999:0x00000000000000000000000000000000000000ff",
        ] {
            assert!(
                matches!(ChainAccount::parse(bad), Err(StatusEntryError::Registry(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn refuses_bad_entries() {
        let good = StatusEntry {
            registry: ChainAccount {
                chain_id: 1337,
                address: [7; 20],
            },
            issuer: Did::parse("did:ethr:0x539:0x0707070707070707070707070707070707070707")
                .unwrap(),
            index: 42,
        };
        let mut v = good.to_json();
        assert_eq!(StatusEntry::from_json(&v).unwrap(), good);
        v["statusIndex"] = json!(-1);
        assert_eq!(StatusEntry::from_json(&v), Err(StatusEntryError::Index));
        v["statusIndex"] = json!(1u64 << 53);
        assert_eq!(StatusEntry::from_json(&v), Err(StatusEntryError::Index));
        v["statusIndex"] = json!(1.5);
        assert_eq!(StatusEntry::from_json(&v), Err(StatusEntryError::Index));
        let mut v = good.to_json();
        v["type"] = json!("BitstringStatusListEntry");
        assert_eq!(StatusEntry::from_json(&v), Err(StatusEntryError::Type));
        let mut v = good.to_json();
        v["statusIssuer"] = json!("bank");
        assert!(matches!(
            StatusEntry::from_json(&v),
            Err(StatusEntryError::Issuer(_))
        ));
    }

    proptest! {
        #[test]
        fn round_trips(chain_id in 1u64..u64::MAX / 2, address in any::<[u8; 20]>(), index in 0..=MAX_STATUS_INDEX) {
            let e = StatusEntry {
                registry: ChainAccount { chain_id, address },
                issuer: Did::parse("did:ethr:0x1:0x0707070707070707070707070707070707070707").unwrap(),
                index,
            };
            prop_assert_eq!(StatusEntry::from_json(&e.to_json()).unwrap(), e);
        }
    }
}
