//! The holder's side: an identity (a did:ethr with an Ed25519 authentication key published on
//! the chain), receiving credentials (check, then store), and answering presentation requests
//! (select, derive, sign, record).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::app::{AppError, now_seconds, read_record, write_record};
use crate::credential::status::StatusEntry;
use crate::credential::{FORMAT_BBS_2023, KYC_CLAIMS, VC_V2_CONTEXT, context_policy};
use crate::di::{self, Clock, DateTime, PublicKeyMaterial, controller_of, party_id};
use crate::did::{Did, DidUrl};
use crate::jsonld::{parse_json, with_context_policy};
use crate::keys::KeyKind;
use crate::ledger::{KeyUse, Ledger, Lookup, PublishKey, TrustSource};
use crate::request::{PresentationRequest, Selection};
use crate::schema::{self, CredentialSchema};
use crate::vault::{CredentialId, DisclosureRecord, KeyId, Vault};

const RECORD: &str = "holder";

/// The largest credential file read, in bytes.
pub const MAX_CREDENTIAL_BYTES: usize = crate::jsonld::MAX_DOCUMENT_BYTES;

/// The holder identity kept in the vault.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolderIdentity {
    /// The holder's DID.
    pub did: Did,
    /// The verification method of its authentication key.
    pub method: DidUrl,
    account_key: KeyId,
    auth_key: KeyId,
}

/// The holder identity, if this vault has one.
///
/// # Errors
/// [`AppError::Internal`] for an unreadable record.
pub fn identity(vault: &Vault) -> Result<Option<HolderIdentity>, AppError> {
    read_record(vault, RECORD)
}

fn require(vault: &Vault) -> Result<HolderIdentity, AppError> {
    identity(vault)?.ok_or_else(|| {
        AppError::NotSetUp("this wallet has no holder identity; run `siegel init` first".into())
    })
}

/// Creates the holder identity: a secp256k1 account (its did:ethr) and an Ed25519 key published
/// as `sigAuth` (authentication). The caller saves the vault.
///
/// # Errors
/// [`AppError::Input`] if there is one already; [`AppError::Ledger`].
pub fn setup(vault: &mut Vault, ledger: &dyn Ledger) -> Result<HolderIdentity, AppError> {
    if identity(vault)?.is_some() {
        return Err(AppError::Input(
            "this wallet already has a holder identity".into(),
        ));
    }
    let account = vault.generate_key(KeyKind::Secp256k1, "holder: did:ethr account")?;
    let auth = vault.generate_key(KeyKind::Ed25519, "holder: presentation key")?;
    let public = vault
        .key_secret(&auth.id)?
        .ed25519()
        .ok_or_else(|| AppError::Internal("an Ed25519 key without an Ed25519 secret".into()))?
        .verifying_key()
        .to_bytes();
    let registered = ledger.register(
        vault.key_secret(&account.id)?,
        &[PublishKey {
            key: PublicKeyMaterial::Ed25519(public),
            use_: KeyUse::Authentication,
        }],
        crate::issuer::KEY_VALIDITY_SECONDS,
    )?;
    let method = registered
        .methods
        .first()
        .cloned()
        .ok_or_else(|| AppError::Internal("the chain listed no method for the key".into()))?;
    let id = HolderIdentity {
        did: registered.did,
        method,
        account_key: account.id.clone(),
        auth_key: auth.id.clone(),
    };
    write_record(vault, RECORD, &id)?;
    Ok(id)
}

/// A stored credential, summarised.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CredentialSummary {
    /// Vault id.
    pub id: CredentialId,
    /// Label.
    pub label: String,
    /// Issuer DID.
    pub issuer: String,
    /// Types.
    pub types: Vec<String>,
    /// `validUntil`, if any.
    pub valid_until: Option<String>,
    /// Subject claim names.
    pub claims: Vec<String>,
}

/// A stored credential in full.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CredentialView {
    /// Summary.
    pub summary: CredentialSummary,
    /// `validFrom`.
    pub valid_from: Option<String>,
    /// Subject claims and values, in schema order.
    pub claim_values: Vec<(String, Value)>,
    /// The status index.
    pub status_index: Option<u64>,
}

fn types_of(doc: &Value) -> Vec<String> {
    match doc.get("type") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|t| t.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

fn subject_claims(doc: &Value) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = doc
        .get("credentialSubject")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter(|(k, _)| *k != "id")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    out.sort_by_key(|(k, _)| KYC_CLAIMS.iter().position(|c| c == k).unwrap_or(usize::MAX));
    out
}

fn summary(id: &CredentialId, label: &str, doc: &Value) -> CredentialSummary {
    CredentialSummary {
        id: id.clone(),
        label: label.to_owned(),
        issuer: doc
            .get("issuer")
            .and_then(party_id)
            .unwrap_or_default()
            .to_owned(),
        types: types_of(doc),
        valid_until: doc
            .get("validUntil")
            .and_then(Value::as_str)
            .map(str::to_owned),
        claims: subject_claims(doc).into_iter().map(|(k, _)| k).collect(),
    }
}

/// Checks a received credential and stores it: the base proof verifies under the issuer's key
/// as the chain lists it now (assertionMethod), the key is the issuer's own, the claims satisfy
/// the schema, it is within its validity period, not revoked, and issued to this wallet's DID.
/// The caller saves the vault.
///
/// # Errors
/// [`AppError::Input`] for malformed or oversize input, [`AppError::Refused`] for a proof or
/// check that fails, [`AppError::Ledger`] when the chain cannot be read.
pub fn receive(
    vault: &mut Vault,
    source: &dyn TrustSource,
    bytes: &[u8],
    clock: &dyn Clock,
) -> Result<CredentialSummary, AppError> {
    let me = require(vault)?;
    if bytes.len() > MAX_CREDENTIAL_BYTES {
        return Err(AppError::Input(format!(
            "the credential is {} bytes; at most {MAX_CREDENTIAL_BYTES} are read",
            bytes.len()
        )));
    }
    let doc = parse_json(bytes)
        .map_err(|e| AppError::Input(format!("the credential is not usable JSON: {e}")))?;
    let issuer = doc
        .get("issuer")
        .and_then(party_id)
        .ok_or_else(|| AppError::Input("the credential names no issuer".into()))?;
    let issuer = Did::parse(issuer).map_err(|e| AppError::Input(e.to_string()))?;
    let status = StatusEntry::of_credential(&doc)
        .map_err(|e| AppError::Input(format!("the credential's status entry: {e}")))?;
    let fetched = source.fetch(&Lookup {
        dids: vec![issuer.clone()],
        statuses: vec![status.clone()],
    })?;
    let vm = with_context_policy(&context_policy(), || {
        di::bbs_2023::verify_base_proof(&doc, &fetched.keys)
    })
    .map_err(|e| AppError::Refused(format!("the credential's proof does not verify: {e}")))?;
    if controller_of(&vm) != issuer.as_str() {
        return Err(AppError::Refused(format!(
            "signed with {vm}, which is not a key of the issuer {issuer}"
        )));
    }
    if status.issuer != issuer {
        return Err(AppError::Refused(
            "the status entry belongs to another identity than the issuer".into(),
        ));
    }
    let schema_id = doc
        .get("credentialSchema")
        .and_then(|s| s.get("id"))
        .and_then(Value::as_str)
        .ok_or_else(|| AppError::Input("the credential names no credentialSchema".into()))?;
    let schema = CredentialSchema::from_id(schema_id)
        .ok_or_else(|| AppError::Input(format!("unknown credential schema {schema_id}")))?;
    schema::validate(schema, &doc)?;
    let now = clock.now();
    let time = |k: &str| -> Result<Option<DateTime>, AppError> {
        doc.get(k)
            .and_then(Value::as_str)
            .map(|s| DateTime::parse(s).map_err(|e| AppError::Input(format!("{k}: {e}"))))
            .transpose()
    };
    // Within its validity period, allowing the clock skew between issuer and holder (a
    // credential issued a moment ago carries the issuer's "now").
    if let Some(from) = time("validFrom")?
        && now.saturating_add_seconds(di::MAX_CLOCK_SKEW_SECONDS) < from
    {
        return Err(AppError::Refused(format!(
            "the credential is not valid before {from}"
        )));
    }
    if let Some(until) = time("validUntil")?
        && now > until
    {
        return Err(AppError::Refused(format!(
            "the credential expired at {until}"
        )));
    }
    // Fail closed: a status entry the chain cannot read (another chain, not a status
    // contract) is not "not revoked".
    match fetched.statuses.first() {
        Some(Ok(bits)) if bits.revoked => {
            return Err(AppError::Refused(
                "the issuer has revoked this credential".into(),
            ));
        }
        Some(Ok(_)) => {}
        Some(Err(e)) => {
            return Err(AppError::Refused(format!(
                "the credential's status could not be read: {e}"
            )));
        }
        None => {
            return Err(AppError::Internal(
                "the chain returned no status for the credential".into(),
            ));
        }
    }
    match doc
        .get("credentialSubject")
        .and_then(|s| s.get("id"))
        .and_then(Value::as_str)
    {
        Some(s) if s != me.did.as_str() => {
            return Err(AppError::Refused(format!(
                "the credential was issued to {s}, not to this wallet ({})",
                me.did
            )));
        }
        _ => {}
    }
    let text = String::from_utf8_lossy(bytes).trim().to_owned();
    if let Some(existing) = vault
        .credentials()
        .iter()
        .find(|c| serde_json::from_str::<Value>(&c.document).ok().as_ref() == Some(&doc))
    {
        return Err(AppError::Input(format!(
            "this credential is already in the wallet as {}",
            existing.id
        )));
    }
    let types = types_of(&doc);
    let label = format!(
        "{} from {}",
        types.last().map_or("Credential", String::as_str),
        issuer
    );
    let record = vault.add_credential(&label, FORMAT_BBS_2023, &text)?;
    Ok(summary(&record.id, &record.label, &doc))
}

fn stored(vault: &Vault, id: &CredentialId) -> Result<(String, Value), AppError> {
    let c = vault
        .credentials()
        .iter()
        .find(|c| c.id == *id)
        .ok_or_else(|| {
            AppError::Input(format!(
                "no credential {id} in this wallet; `siegel holder list` shows the ids"
            ))
        })?;
    let doc = serde_json::from_str(&c.document)
        .map_err(|e| AppError::Internal(format!("stored credential {id}: {e}")))?;
    Ok((c.label.clone(), doc))
}

/// The stored credentials.
pub fn list(vault: &Vault) -> Vec<CredentialSummary> {
    vault
        .credentials()
        .iter()
        .map(|c| {
            let doc = serde_json::from_str(&c.document).unwrap_or(Value::Null);
            summary(&c.id, &c.label, &doc)
        })
        .collect()
}

/// One stored credential in full.
///
/// # Errors
/// [`AppError::Input`] for an unknown id.
pub fn show(vault: &Vault, id: &CredentialId) -> Result<CredentialView, AppError> {
    let (label, doc) = stored(vault, id)?;
    Ok(CredentialView {
        summary: summary(id, &label, &doc),
        valid_from: doc
            .get("validFrom")
            .and_then(Value::as_str)
            .map(str::to_owned),
        claim_values: subject_claims(&doc),
        status_index: doc
            .get("credentialStatus")
            .and_then(|s| s.get("statusIndex"))
            .and_then(Value::as_u64),
    })
}

/// Deletes a stored credential. The caller saves the vault.
///
/// # Errors
/// [`AppError::Input`] for an unknown id.
pub fn delete(vault: &mut Vault, id: &CredentialId) -> Result<CredentialSummary, AppError> {
    let (label, doc) = stored(vault, id)?;
    vault.remove_credential(id)?;
    Ok(summary(id, &label, &doc))
}

/// A signed answer to a request.
#[derive(Clone, Debug)]
pub struct Answer {
    /// The verifiable presentation.
    pub presentation: Value,
    /// The claims disclosed.
    pub disclosed: Vec<String>,
    /// The credential's claims that stay hidden.
    pub withheld: Vec<String>,
}

/// Answers `request` with stored credential `id`: discloses exactly the required claims (and
/// the optional ones if `include_optional`), derives a bbs-2023 proof bound to the nonce, signs
/// the presentation for the nonce and the verifier's domain, and records the disclosure in the
/// history. The caller saves the vault.
///
/// # Errors
/// [`AppError::Input`] when the credential lacks a required claim or type, or the request
/// expired.
pub fn answer(
    vault: &mut Vault,
    id: &CredentialId,
    request: &PresentationRequest,
    include_optional: bool,
    clock: &dyn Clock,
) -> Result<Answer, AppError> {
    let me = require(vault)?;
    let (_, doc) = stored(vault, id)?;
    let now = now_seconds(clock);
    if now > request.expires_at() {
        return Err(AppError::Input(format!(
            "the request expired at {}; ask the verifier for a new one",
            request.expires_at()
        )));
    }
    let sel = request.selection()?;
    let types = types_of(&doc);
    if let Some(t) = sel.types.iter().find(|t| !types.contains(t)) {
        return Err(AppError::Input(format!(
            "the verifier asks for a {t} credential; {id} is not one"
        )));
    }
    let present = subject_claims(&doc);
    let has = |c: &String| present.iter().any(|(k, _)| k == c);
    let missing: Vec<&str> = sel
        .required
        .iter()
        .filter(|c| !has(c))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Err(AppError::Input(format!(
            "the credential has no {}, which the verifier requires",
            missing.join(", ")
        )));
    }
    let mut disclosed = sel.required.clone();
    if include_optional {
        disclosed.extend(sel.optional.iter().filter(|c| has(c)).cloned());
    }
    let pointers: Vec<String> = disclosed
        .iter()
        .map(|c| Selection::pointer(c).to_string())
        .collect();
    let (derived, presentation) = with_context_policy(&context_policy(), || {
        let derived = di::bbs_2023::derive(&doc, &pointers, request.nonce.as_str().as_bytes())?;
        let key = vault
            .key_secret(&me.auth_key)
            .map_err(|e| di::ProofError::Malformed(e.to_string()))?
            .ed25519()
            .ok_or_else(|| di::ProofError::Malformed("the holder key is missing".into()))?;
        let vp = json!({
            "@context": [VC_V2_CONTEXT],
            "type": ["VerifiablePresentation"],
            "holder": me.did.as_str(),
            "verifiableCredential": [derived.clone()],
        });
        let signed = di::sign_presentation(
            &vp,
            &key,
            me.method.as_str(),
            now,
            &di::PresentationBinding {
                challenge: request.nonce.to_string(),
                domain: request.client_id.to_string(),
            },
        )?;
        Ok::<_, di::ProofError>((derived, signed))
    })?;
    drop(derived);
    let withheld = present
        .iter()
        .map(|(k, _)| k.clone())
        .filter(|k| !disclosed.contains(k))
        .collect();
    vault.append_history(DisclosureRecord {
        at: u64::try_from(now.unix_seconds()).unwrap_or(0),
        verifier: request.client_id.to_string(),
        credential_id: id.clone(),
        disclosed: disclosed.clone(),
        purpose: None,
    });
    Ok(Answer {
        presentation,
        disclosed,
        withheld,
    })
}
