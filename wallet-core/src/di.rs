//! W3C Data Integrity proofs ([VC Data Integrity 1.0]): the `DataIntegrityProof` options, the
//! Multikey encoding of public keys, the resolver that turns a `verificationMethod` into a key, and
//! the cryptosuites — [`eddsa_rdfc_2022`] (holders' presentations, credentials) and
//! [`bbs_2023`] (selectively disclosable credentials).
//!
//! # Issue, disclose, present, verify
//!
//! ```
//! use ed25519_dalek::SigningKey;
//! use serde_json::json;
//! use wallet_core::bbs::{Bls12381Sha256, SecretKey};
//! use wallet_core::di::eddsa_rdfc_2022::ProofOptions;
//! use wallet_core::di::{
//!     Multikey, PresentationBinding, ProofPurpose, StaticResolver, derive, issue_bbs,
//!     sign_presentation, verify_derived, verify_presentation,
//! };
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // Issuer: a BBS key, here as a did:key (production: a did:ethr key on the chain).
//! let bank = SecretKey::generate::<Bls12381Sha256>()?;
//! let mk = Multikey::encode_bls12_381_g2_public(bank.public_key());
//! let issuer = format!("did:key:{mk}");
//! let credential = json!({
//!     "@context": ["https://www.w3.org/ns/credentials/v2",
//!                  "https://www.w3.org/ns/credentials/examples/v2"],
//!     "type": ["VerifiableCredential"],
//!     "issuer": issuer,
//!     "credentialSubject": {"name": "Ada", "ageOver18": true, "incomeBand": "B"}
//! });
//! let options = ProofOptions {
//!     verification_method: format!("{issuer}#{mk}"),
//!     proof_purpose: ProofPurpose::AssertionMethod,
//!     created: None,
//!     challenge: None,
//!     domain: None,
//! };
//! // The issuer always reveals who issued it; everything else is the holder's choice.
//! let signed = issue_bbs(&credential, &bank, &["/issuer".into()], &options)?;
//!
//! // Holder: disclose two claims, bound to the verifier's nonce, inside a presentation.
//! let shown = derive(
//!     &signed,
//!     &["/credentialSubject/ageOver18".into(), "/credentialSubject/incomeBand".into()],
//!     b"nonce-1",
//! )?;
//! assert!(shown["credentialSubject"].get("name").is_none());
//! let holder = SigningKey::from_bytes(&[1; 32]);
//! let hk = Multikey::encode_ed25519_public(&holder.verifying_key().to_bytes());
//! let vp = json!({
//!     "@context": ["https://www.w3.org/ns/credentials/v2"],
//!     "type": ["VerifiablePresentation"],
//!     "holder": format!("did:key:{hk}"),
//!     "verifiableCredential": [shown],
//! });
//! let binding = PresentationBinding {
//!     challenge: "nonce-1".into(),
//!     domain: "lender.example".into(),
//! };
//! let vp = sign_presentation(
//!     &vp, &holder, &format!("did:key:{hk}#{hk}"), "2026-11-25T12:00:00Z".parse()?, &binding,
//! )?;
//!
//! // Verifier: the presentation for its own challenge and domain, then the credential.
//! let keys = StaticResolver::new();
//! verify_presentation(&vp, &keys, &binding)?;
//! let verified = verify_derived(&vp["verifiableCredential"][0], &keys)?;
//! assert!(verified.signed_by_issuer());
//! assert_eq!(verified.presentation_header, b"nonce-1");
//! # Ok(())
//! # }
//! ```
//!
//! [VC Data Integrity 1.0]: https://www.w3.org/TR/vc-data-integrity/

pub mod bbs_2023;
mod cbor;
pub mod claims;
pub mod eddsa_rdfc_2022;
pub mod json_pointer;
mod multikey;
mod time;

use std::collections::HashMap;

pub use claims::{ClaimValue, Node, VerifiedClaims};
pub use multikey::{
    BLS12_381_G2_PUB, ED25519_PRIV, ED25519_PUB, MAX_MULTIKEY_LEN, Multikey, MultikeyError,
};
pub use time::{Clock, DateTime, DateTimeError, MAX_CLOCK_SKEW_SECONDS, SystemClock};

/// The small API most callers need: issuers sign with [`issue_bbs`], holders [`derive()`] a
/// selective disclosure and wrap it in a [`sign_presentation`], verifiers use [`verify_derived`]
/// and [`verify_presentation`]; keys come from a [`KeyResolver`].
pub use bbs_2023::{
    derive, issue as issue_bbs, verify_base_proof, verify_derived, verify_derived_at,
};
pub use eddsa_rdfc_2022::{sign_presentation, verify_presentation, verify_presentation_at};

use serde_json::{Map, Value};

use crate::jsonld::{JsonLdError, canonicalize};

/// The proof `type` of every Data Integrity proof.
pub const PROOF_TYPE: &str = "DataIntegrityProof";

/// Why a proof could not be created or did not verify. Each variant names the step that failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProofError {
    /// The document is not a JSON object, or a required member is missing or of the wrong type.
    #[error("malformed document: {0}")]
    Malformed(String),
    /// Canonicalization (JSON-LD to RDF, RDFC-1.0) failed.
    #[error("canonicalization failed: {0}")]
    Canonicalization(#[from] JsonLdError),
    /// The proof is for another proof type or cryptosuite.
    #[error("unsupported proof: type {proof_type:?}, cryptosuite {cryptosuite:?}")]
    Unsupported {
        /// The proof's `type`.
        proof_type: String,
        /// The proof's `cryptosuite`.
        cryptosuite: String,
    },
    /// The verification method could not be resolved to a usable key.
    #[error("verification method {id}: {reason}")]
    VerificationMethod {
        /// The `verificationMethod` value.
        id: String,
        /// Why it failed.
        reason: String,
    },
    /// The proof value is not a valid encoding.
    #[error("malformed proofValue: {0}")]
    ProofValue(String),
    /// The verifier asked for a challenge or domain that the proof does not carry.
    #[error("the proof's {what} does not match the expected value")]
    ContextMismatch {
        /// "challenge", "domain", "proofPurpose" or "holder".
        what: &'static str,
    },
    /// The signature does not verify.
    #[error("invalid signature")]
    InvalidSignature,
    /// An encoded value is longer than any valid one, refused before decoding: base58 decoding
    /// takes time quadratic in the length, so a 100 k-character value would cost seconds.
    #[error("{what} is {length} characters long; at most {limit} are accepted")]
    TooLong {
        /// What was too long: "proofValue", "Multikey".
        what: &'static str,
        /// Its length in characters (bytes of UTF-8).
        length: usize,
        /// The most accepted.
        limit: usize,
    },
    /// A `bbs-2023` credential or derived proof over more BBS messages than
    /// [`bbs_2023::MAX_MESSAGES`], refused before any generator is computed.
    #[error("the proof covers {count} messages; at most {limit} are accepted")]
    TooManyMessages {
        /// The messages signed, or claimed by the derived proof (disclosed plus hidden).
        count: usize,
        /// The most accepted.
        limit: usize,
    },
    /// The proof's `expires` is not after the verification time (VC Data Integrity § 2.1).
    #[error("the proof expired at {expires} (verification time {now})")]
    Expired {
        /// The proof's `expires`.
        expires: DateTime,
        /// The verification time.
        now: DateTime,
    },
    /// The proof's `created` lies more than [`MAX_CLOCK_SKEW_SECONDS`] after the verification
    /// time.
    #[error("the proof was created at {created}, after the verification time {now}")]
    NotYetValid {
        /// The proof's `created`.
        created: DateTime,
        /// The verification time.
        now: DateTime,
    },
    /// A derived `bbs-2023` proof's label map is not one-to-one: two canonical blank-node labels
    /// map to the same signed label, or one is listed twice. The verifier would merge distinct
    /// nodes of the revealed document into one signed node (vc-di-bbs § 3.3.11: the map is a
    /// relabelling, so it must be a bijection).
    #[error("the derived proof's label map is not one-to-one: {label} is used twice")]
    LabelMapNotInjective {
        /// The label that appears twice (`c14nN` or `bN`).
        label: String,
    },
}

/// What a presentation proof is bound to: the verifier's `challenge` (its nonce) and `domain`.
/// Named fields, so the two cannot be swapped by position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresentationBinding {
    /// The verifier's nonce.
    pub challenge: String,
    /// The verifier's domain.
    pub domain: String,
}

/// A public key a verification method resolves to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublicKeyMaterial {
    /// Ed25519 (32 bytes).
    Ed25519([u8; 32]),
    /// A BBS public key (BLS12-381 G2).
    Bls12381G2(Box<crate::bbs::PublicKey>),
}

/// What a proof is for (VC Data Integrity § 2.1 `proofPurpose`): the verification relationship
/// of the controller document that must list the key. An issuer's credential proof is an
/// `assertionMethod`; a holder's presentation proof an `authentication`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProofPurpose {
    /// `assertionMethod`: statements such as credentials.
    AssertionMethod,
    /// `authentication`: proving control of a DID, e.g. presentations.
    Authentication,
    /// `capabilityInvocation`.
    CapabilityInvocation,
    /// `capabilityDelegation`.
    CapabilityDelegation,
}

impl ProofPurpose {
    /// The term as it appears in proofs and DID documents.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AssertionMethod => "assertionMethod",
            Self::Authentication => "authentication",
            Self::CapabilityInvocation => "capabilityInvocation",
            Self::CapabilityDelegation => "capabilityDelegation",
        }
    }
}

impl std::str::FromStr for ProofPurpose {
    type Err = ProofError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            Self::AssertionMethod,
            Self::Authentication,
            Self::CapabilityInvocation,
            Self::CapabilityDelegation,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
        .ok_or_else(|| ProofError::Malformed(format!("unknown proofPurpose {s:?}")))
    }
}

impl std::fmt::Display for ProofPurpose {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Finds the public key of a `verificationMethod` (a DID URL) *for a purpose*: the controller
/// document must list the method under that verification relationship (VC Data Integrity § 4.6,
/// step "proof purpose validation"), so a key a DID published for one use cannot sign for
/// another. Production verifiers resolve `did:ethr` through the registry crate;
/// [`StaticResolver`] serves tests and pinned keys.
pub trait KeyResolver {
    /// The key of `verification_method`, if its controller authorises it for `purpose`.
    ///
    /// # Errors
    /// [`ProofError::VerificationMethod`].
    fn resolve(
        &self,
        verification_method: &str,
        purpose: ProofPurpose,
    ) -> Result<PublicKeyMaterial, ProofError>;
}

/// Resolves `did:key` verification methods (the key is in the DID itself; the did:key method
/// lists it under `authentication`, `assertionMethod`, `capabilityInvocation` and
/// `capabilityDelegation`, so every [`ProofPurpose`]) and a fixed table of pinned keys (also for
/// every purpose: pinning is the caller's decision).
#[derive(Clone, Debug, Default)]
pub struct StaticResolver {
    keys: HashMap<String, PublicKeyMaterial>,
}

impl StaticResolver {
    /// An empty table (still resolves `did:key`).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a fixed mapping.
    pub fn with(mut self, verification_method: &str, key: PublicKeyMaterial) -> Self {
        self.keys.insert(verification_method.to_owned(), key);
        self
    }
}

impl KeyResolver for StaticResolver {
    fn resolve(&self, vm: &str, _purpose: ProofPurpose) -> Result<PublicKeyMaterial, ProofError> {
        if let Some(k) = self.keys.get(vm) {
            return Ok(k.clone());
        }
        let fail = |reason: String| ProofError::VerificationMethod {
            id: vm.to_owned(),
            reason,
        };
        // did:key:<multikey>#<multikey>: the fragment must name the same key.
        let rest = vm
            .strip_prefix("did:key:")
            .ok_or_else(|| fail("unknown verification method".into()))?;
        let (key, fragment) = rest.split_once('#').unwrap_or((rest, rest));
        if key != fragment {
            return Err(fail("did:key fragment does not match the key".into()));
        }
        Multikey::decode(key)
            .map_err(|e| match e {
                // Typed, and without a copy of the (long) input in the error.
                MultikeyError::TooLong { length, limit } => ProofError::TooLong {
                    what: "Multikey",
                    length,
                    limit,
                },
                e => fail(e.to_string()),
            })?
            .into_public()
            .map_err(|e| fail(e.to_string()))
    }
}

/// The DID (controller document id) of a verification method: the DID URL without its fragment.
pub fn controller_of(verification_method: &str) -> &str {
    verification_method
        .split_once('#')
        .map_or(verification_method, |(did, _)| did)
}

/// The id of a VC `issuer` or VP `holder` value: the string itself, or the object's `id`.
pub fn party_id(value: &Value) -> Option<&str> {
    value
        .as_str()
        .or_else(|| value.get("id").and_then(Value::as_str))
}

/// The proof options object of `suite` (without `proofValue`).
pub(crate) fn proof_options_value(
    o: &eddsa_rdfc_2022::ProofOptions,
    suite: &str,
) -> Result<Value, ProofError> {
    let mut m = Map::new();
    m.insert("type".into(), PROOF_TYPE.into());
    m.insert("cryptosuite".into(), suite.into());
    if let Some(c) = &o.created {
        m.insert("created".into(), c.to_string().into());
    }
    m.insert(
        "verificationMethod".into(),
        o.verification_method.clone().into(),
    );
    m.insert("proofPurpose".into(), o.proof_purpose.as_str().into());
    if let Some(c) = &o.challenge {
        m.insert("challenge".into(), c.clone().into());
    }
    if let Some(d) = &o.domain {
        m.insert("domain".into(), d.clone().into());
    }
    Ok(Value::Object(m))
}

/// Proof configuration shared by the RDFC-based suites: the proof options of `suite` without
/// `proofValue`, with the document's `@context`, canonicalized (RDFC-1.0).
pub(crate) fn proof_config(
    unsecured: &Value,
    proof_options: &Value,
    suite: &str,
) -> Result<String, ProofError> {
    let mut config = eddsa_rdfc_2022::object(proof_options, "the proof")?;
    // A proof may carry its own `@context`; the document's must then start with it, in order
    // (VC Data Integrity 1.0 § 4.3, Verify Proof, and the suites' proof configuration steps).
    // Otherwise the proof's context would be neither checked by the context policy nor signed.
    if let Some(own) = config.get("@context") {
        let list = |v: &Value| match v {
            Value::Array(items) => items.clone(),
            other => vec![other.clone()],
        };
        let own = list(own);
        let document = unsecured.get("@context").map(list).unwrap_or_default();
        if !document.starts_with(&own) {
            return Err(ProofError::Malformed(
                "the proof's @context is not the start of the document's @context".into(),
            ));
        }
    }
    let ty = config
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let found = config
        .get("cryptosuite")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if ty != PROOF_TYPE || found != suite {
        return Err(ProofError::Unsupported {
            proof_type: ty.to_owned(),
            cryptosuite: found.to_owned(),
        });
    }
    if let Some(c) = config.get("created")
        && !c.as_str().is_some_and(is_date_time_stamp)
    {
        return Err(ProofError::Malformed(
            "created is not an XML Schema dateTimeStamp".into(),
        ));
    }
    config.remove("proofValue");
    let context = unsecured
        .get("@context")
        .cloned()
        .ok_or_else(|| ProofError::Malformed("the document has no @context".into()))?;
    config.insert("@context".into(), context);
    Ok(canonicalize(&Value::Object(config))?.concat())
}

/// `created` and other dateTimes: an XML Schema `dateTimeStamp` (a dateTime with a time zone), as
/// the Data Integrity spec requires — see [`DateTime::parse`].
pub(crate) fn is_date_time_stamp(s: &str) -> bool {
    DateTime::parse(s).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_time_stamps() {
        for ok in [
            "2023-02-24T23:36:38Z",
            "2023-02-24T23:36:38.123Z",
            "2023-02-24T23:36:38+01:00",
        ] {
            assert!(is_date_time_stamp(ok), "{ok}");
        }
        for bad in [
            "2023-02-24",
            "2023-02-24T23:36:38",
            "2023-02-24 23:36:38Z",
            "2023-02-24T23:36:38.Z",
            "x",
        ] {
            assert!(!is_date_time_stamp(bad), "{bad}");
        }
    }
}
