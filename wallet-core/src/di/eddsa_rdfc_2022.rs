//! The `eddsa-rdfc-2022` cryptosuite ([vc-di-eddsa § 3.3]): RDFC-1.0 canonicalization, SHA-256,
//! Ed25519. Used for what holders sign (presentations bound to a verifier's challenge and domain)
//! and for Ed25519-signed credentials.
//!
//! Steps, each exposed for the conformance tests: [`transform`] (canonical N-Quads of the
//! unsecured document), [`configure`] (canonical N-Quads of the proof configuration, whose
//! `@context` is the document's), [`hash_data`] (`SHA-256(proof config) ‖ SHA-256(document)`),
//! then the Ed25519 signature, encoded as `proofValue = "z" + base58btc(signature)`.
//!
//! [vc-di-eddsa § 3.3]: https://www.w3.org/TR/vc-di-eddsa/#eddsa-rdfc-2022

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::time::check_validity_period;
use super::{
    Clock, DateTime, KeyResolver, PresentationBinding, ProofError, ProofPurpose, PublicKeyMaterial,
    SystemClock, controller_of, proof_config, proof_options_value,
};
use crate::di::claims::VerifiedClaims;
use crate::jsonld::{canonicalize, canonicalize_quads, to_quads};

/// The `cryptosuite` identifier.
pub const CRYPTOSUITE: &str = "eddsa-rdfc-2022";
pub use super::PROOF_TYPE;

/// The longest `proofValue` read: `z` + base58btc of a 64-byte Ed25519 signature is at most
/// 1 + ⌈64 · log₅₈ 256⌉ = 89 characters. Base58 decoding is quadratic in the length (a
/// 100 k-character value cost 3.9 s), so longer values are refused before decoding.
pub const MAX_PROOF_VALUE_LEN: usize = 90;

/// What the signer states in the proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProofOptions {
    /// The DID URL of the signing key.
    pub verification_method: String,
    /// `assertionMethod` for credentials, `authentication` for presentations.
    pub proof_purpose: ProofPurpose,
    /// When the proof was made; none leaves `created` out.
    pub created: Option<DateTime>,
    /// The verifier's nonce (presentations).
    pub challenge: Option<String>,
    /// The verifier's domain (presentations).
    pub domain: Option<String>,
}

/// What a verifier requires of a proof beyond a valid signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expectations {
    /// Required `proofPurpose`; the key must also be authorised for it.
    pub proof_purpose: ProofPurpose,
    /// Required `challenge`, if the verifier issued one.
    pub challenge: Option<String>,
    /// Required `domain`, if the verifier named one.
    pub domain: Option<String>,
}

pub(crate) fn object(v: &Value, what: &str) -> Result<Map<String, Value>, ProofError> {
    v.as_object()
        .cloned()
        .ok_or_else(|| ProofError::Malformed(format!("{what} is not a JSON object")))
}

/// Transformation (§ 3.3.3): the canonical N-Quads of the unsecured document.
///
/// # Errors
/// [`ProofError::Malformed`] without `@context`, or canonicalization errors.
pub fn transform(unsecured: &Value) -> Result<String, ProofError> {
    if unsecured.get("@context").is_none() {
        return Err(ProofError::Malformed("the document has no @context".into()));
    }
    Ok(canonicalize(unsecured)?.concat())
}

/// Proof configuration (§ 3.3.5): the proof options without `proofValue`, with the document's
/// `@context`, canonicalized.
///
/// # Errors
/// [`ProofError::Unsupported`] for another type or cryptosuite; canonicalization errors.
pub fn configure(unsecured: &Value, proof_options: &Value) -> Result<String, ProofError> {
    proof_config(unsecured, proof_options, CRYPTOSUITE)
}

/// Hashing (§ 3.3.4): `SHA-256(canonical proof config) ‖ SHA-256(canonical document)`.
pub fn hash_data(canonical_proof_config: &str, canonical_document: &str) -> [u8; 64] {
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(&Sha256::digest(canonical_proof_config.as_bytes()));
    out[32..].copy_from_slice(&Sha256::digest(canonical_document.as_bytes()));
    out
}

/// Adds an `eddsa-rdfc-2022` proof to `document` (a credential or presentation without `proof`).
///
/// # Errors
/// [`ProofError`] naming the failing step.
pub fn create_proof(
    document: &Value,
    key: &SigningKey,
    options: &ProofOptions,
) -> Result<Value, ProofError> {
    let mut unsecured = object(document, "the document")?;
    if unsecured.contains_key("proof") {
        return Err(ProofError::Malformed(
            "the document already has a proof".into(),
        ));
    }
    let unsecured_value = Value::Object(unsecured.clone());
    let proof = proof_options_value(options, CRYPTOSUITE)?;
    let hash = hash_data(
        &configure(&unsecured_value, &proof)?,
        &transform(&unsecured_value)?,
    );
    let signature = key.sign(&hash);
    let mut proof = object(&proof, "the proof")?;
    proof.insert(
        "proofValue".into(),
        format!("z{}", bs58::encode(signature.to_bytes()).into_string()).into(),
    );
    unsecured.insert("proof".into(), Value::Object(proof));
    Ok(Value::Object(unsecured))
}

/// Signs a verifiable presentation for a verifier's `challenge` and `domain`
/// (`proofPurpose: authentication`).
///
/// # Errors
/// As [`create_proof`].
pub fn sign_presentation(
    presentation: &Value,
    key: &SigningKey,
    verification_method: &str,
    created: DateTime,
    binding: &PresentationBinding,
) -> Result<Value, ProofError> {
    create_proof(
        presentation,
        key,
        &ProofOptions {
            verification_method: verification_method.to_owned(),
            proof_purpose: ProofPurpose::Authentication,
            created: Some(created),
            challenge: Some(binding.challenge.clone()),
            domain: Some(binding.domain.clone()),
        },
    )
}

/// Verifies the `eddsa-rdfc-2022` proof of `secured` (§ 3.3.2) against `expected`, now (the
/// system clock). Returns the verification method that signed.
///
/// # Errors
/// As [`verify_proof_at`].
pub fn verify_proof(
    secured: &Value,
    resolver: &dyn KeyResolver,
    expected: &Expectations,
) -> Result<String, ProofError> {
    verify_proof_at(secured, resolver, expected, &SystemClock)
}

/// [`verify_proof`] at the time `clock` gives: the proof's `expires` must be after it and its
/// `created` no more than [`MAX_CLOCK_SKEW_SECONDS`](super::MAX_CLOCK_SKEW_SECONDS) ahead of it.
///
/// # Errors
/// [`ProofError::InvalidSignature`] for a bad signature; [`ProofError::ContextMismatch`] for a
/// wrong purpose, challenge or domain; [`ProofError::Expired`] / [`ProofError::NotYetValid`]
/// outside the validity period; [`ProofError::TooLong`] for a `proofValue` longer than
/// [`MAX_PROOF_VALUE_LEN`]; other variants name the malformed part.
pub fn verify_proof_at(
    secured: &Value,
    resolver: &dyn KeyResolver,
    expected: &Expectations,
    clock: &dyn Clock,
) -> Result<String, ProofError> {
    verify(secured, resolver, expected, clock).map(|v| v.verification_method)
}

/// What a verifier learns from a valid `eddsa-rdfc-2022` proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// The verification method that signed.
    pub verification_method: String,
    /// The statements the signature covers (the document's default graph): read claims here,
    /// never from the document's JSON.
    pub claims: VerifiedClaims,
}

/// [`verify_proof_at`], returning the verified claims with the verification method.
///
/// # Errors
/// As [`verify_proof_at`].
pub fn verify(
    secured: &Value,
    resolver: &dyn KeyResolver,
    expected: &Expectations,
    clock: &dyn Clock,
) -> Result<Verified, ProofError> {
    let mut unsecured = object(secured, "the document")?;
    let proof = unsecured
        .remove("proof")
        .ok_or_else(|| ProofError::Malformed("the document has no proof".into()))?;
    let proof_map = object(&proof, "the proof")?;
    let text = |k: &str| proof_map.get(k).and_then(Value::as_str);
    if text("proofPurpose") != Some(expected.proof_purpose.as_str()) {
        return Err(ProofError::ContextMismatch {
            what: "proofPurpose",
        });
    }
    if let Some(c) = &expected.challenge
        && text("challenge") != Some(c.as_str())
    {
        return Err(ProofError::ContextMismatch { what: "challenge" });
    }
    if let Some(d) = &expected.domain
        && text("domain") != Some(d.as_str())
    {
        return Err(ProofError::ContextMismatch { what: "domain" });
    }
    check_validity_period(&proof_map, clock.now())?;
    let vm = text("verificationMethod")
        .ok_or_else(|| ProofError::Malformed("the proof has no verificationMethod".into()))?
        .to_owned();
    let proof_value = text("proofValue")
        .ok_or_else(|| ProofError::Malformed("the proof has no proofValue".into()))?;
    if proof_value.len() > MAX_PROOF_VALUE_LEN {
        return Err(ProofError::TooLong {
            what: "proofValue",
            length: proof_value.len(),
            limit: MAX_PROOF_VALUE_LEN,
        });
    }
    let sig_bytes = proof_value
        .strip_prefix('z')
        .and_then(|b| bs58::decode(b).into_vec().ok())
        .ok_or_else(|| ProofError::ProofValue("not base58btc multibase".into()))?;
    let signature = Signature::from_slice(&sig_bytes)
        .map_err(|_| ProofError::ProofValue("not 64 bytes".into()))?;
    let key = match resolver.resolve(&vm, expected.proof_purpose)? {
        PublicKeyMaterial::Ed25519(k) => {
            VerifyingKey::from_bytes(&k).map_err(|e| ProofError::VerificationMethod {
                id: vm.clone(),
                reason: e.to_string(),
            })?
        }
        PublicKeyMaterial::Bls12381G2(_) => {
            return Err(ProofError::VerificationMethod {
                id: vm,
                reason: "a BBS key cannot verify an eddsa-rdfc-2022 proof".into(),
            });
        }
    };
    let unsecured = Value::Object(unsecured);
    let quads = to_quads(&unsecured)?;
    let canonical = canonicalize_quads(&quads)?.concat();
    let hash = hash_data(&configure(&unsecured, &proof)?, &canonical);
    // Strict verification also rejects small-order keys and non-canonical signatures.
    key.verify_strict(&hash, &signature)
        .map_err(|_| ProofError::InvalidSignature)?;
    Ok(Verified {
        verification_method: vm,
        claims: VerifiedClaims::from_quads(&quads),
    })
}

/// Verifies a presentation's `authentication` proof for the verifier's own challenge and domain,
/// now (the system clock). When the presentation names a `holder`, the signing key must be the
/// holder's (its verification method's DID is the holder).
///
/// # Errors
/// As [`verify_presentation_at`].
pub fn verify_presentation(
    presentation: &Value,
    resolver: &dyn KeyResolver,
    binding: &PresentationBinding,
) -> Result<String, ProofError> {
    verify_presentation_at(presentation, resolver, binding, &SystemClock)
}

/// [`verify_presentation`] at the time `clock` gives (see [`verify_proof_at`]).
///
/// # Errors
/// As [`verify_proof_at`], and [`ProofError::ContextMismatch`] `{ what: "holder" }` when another
/// DID's key signed.
pub fn verify_presentation_at(
    presentation: &Value,
    resolver: &dyn KeyResolver,
    binding: &PresentationBinding,
    clock: &dyn Clock,
) -> Result<String, ProofError> {
    let verified = verify(
        presentation,
        resolver,
        &Expectations {
            proof_purpose: ProofPurpose::Authentication,
            challenge: Some(binding.challenge.clone()),
            domain: Some(binding.domain.clone()),
        },
        clock,
    )?;
    // The holders as signed (however the JSON spells the key): each must be the signer's DID.
    let signer = controller_of(&verified.verification_method);
    if verified
        .claims
        .holders()
        .iter()
        .any(|h| h.as_str() != Some(signer))
    {
        return Err(ProofError::ContextMismatch { what: "holder" });
    }
    Ok(verified.verification_method)
}
