//! The issuer's side: set up an issuer identity (an Ethereum account owning a did:ethr, a BBS key
//! published under assertionMethod), issue credentials with an on-chain status entry, and
//! revoke, suspend or unsuspend them.
//!
//! # Status indexes
//! Each credential gets a status index drawn uniformly from `0..2^53` (the largest range a JSON
//! number carries through safe mode, [`MAX_STATUS_INDEX`]) with the operating system's random
//! number generator, redrawn if this vault already recorded it. A counter in the vault would hand
//! out the same indexes again after the vault is restored from an older backup, and two
//! credentials sharing an index share their revocation and suspension bits. A random index cannot
//! repeat in practice, whatever was lost: two draws collide with probability 2^-53, so even ten
//! million credentials issued after a restore meet one of ten thousand lost ones with probability
//! about 10^-5 (see docs/privacy.md, which also says what the index reveals: nothing about the
//! issuance order or volume, unlike a counter). Status changes take the entry the credential
//! carries, so revoking does not depend on the vault's records either.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::app::{AppError, now_seconds, read_record, write_record};
use crate::credential::status::{MAX_STATUS_INDEX, StatusEntry};
use crate::credential::{KYC_CONTEXT, VC_V2_CONTEXT, context_policy};
use crate::di::eddsa_rdfc_2022::ProofOptions;
use crate::di::{Clock, ProofPurpose, PublicKeyMaterial, StaticResolver, party_id};
use crate::did::{Did, DidUrl};
use crate::jsonld::with_context_policy;
use crate::keys::KeyKind;
use crate::ledger::{KeyUse, Ledger, LedgerError, Lookup, PublishKey, StatusBits, StatusChange};
use crate::schema::{self, CredentialSchema};
use crate::text::DisplayName;
use crate::vault::{KeyId, Vault};

const RECORD: &str = "issuer";

/// How long published keys stay valid on the chain, in seconds (ten years).
pub const KEY_VALIDITY_SECONDS: u64 = 10 * 365 * 86_400;

/// The longest validity a credential may be issued with, in days.
pub const MAX_VALID_DAYS: u32 = 10 * 366;

/// The bbs-2023 mandatory pointers: what every presentation reveals (see docs/privacy.md).
pub const MANDATORY_POINTERS: [&str; 5] = [
    "/issuer",
    "/validFrom",
    "/validUntil",
    "/credentialSchema",
    "/credentialStatus",
];

/// One credential this issuer issued.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedRecord {
    /// Its status index.
    pub index: u64,
    /// To whom (none for a bearer credential).
    pub subject: Option<Did>,
    /// Its schema id.
    pub schema: String,
    /// `validFrom`.
    pub valid_from: String,
    /// `validUntil`.
    pub valid_until: String,
    /// SHA-256 of the issued document's JSON text, hex (to recognise it later).
    pub digest: String,
}

/// The issuer identity kept in the vault.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuerProfile {
    /// The name the issuer gave itself.
    pub name: DisplayName,
    /// Its DID.
    pub did: Did,
    /// The verification method of its BBS key.
    pub method: DidUrl,
    account_key: KeyId,
    bbs_key: KeyId,
    /// Everything issued, oldest first (what this vault knows of: a restored vault lacks what
    /// was issued after its backup).
    pub issued: Vec<IssuedRecord>,
}

/// What to issue.
#[derive(Clone, Debug)]
pub struct IssueRequest {
    /// The schema the claims follow.
    pub schema: CredentialSchema,
    /// The subject's claims (a JSON object, without `id`).
    pub claims: Value,
    /// The subject (holder) DID; `None` issues a bearer credential without a subject id, which
    /// cannot be bound to a holder.
    pub subject: Option<Did>,
    /// Validity in days from now.
    pub valid_days: u32,
}

/// An issued credential.
#[derive(Clone, Debug)]
pub struct Issued {
    /// The signed document.
    pub document: Value,
    /// Its status index.
    pub index: u64,
}

/// The issuer profile, if this vault has one.
///
/// # Errors
/// [`AppError::Internal`] for an unreadable record.
pub fn profile(vault: &Vault) -> Result<Option<IssuerProfile>, AppError> {
    read_record(vault, RECORD)
}

fn require(vault: &Vault) -> Result<IssuerProfile, AppError> {
    profile(vault)?.ok_or_else(|| {
        AppError::NotSetUp(
            "this wallet has no issuer identity; run `siegel issuer init --name NAME` first".into(),
        )
    })
}

/// Creates the issuer identity named `name` (signed into every credential it issues): a
/// secp256k1 account (its did:ethr) and a BBS key published on the chain under assertionMethod.
/// The caller saves the vault.
///
/// # Errors
/// [`AppError::Input`] if the vault already has one; [`AppError::Ledger`].
pub fn setup(
    vault: &mut Vault,
    ledger: &dyn Ledger,
    name: &DisplayName,
) -> Result<IssuerProfile, AppError> {
    if profile(vault)?.is_some() {
        return Err(AppError::Input(
            "this wallet already has an issuer identity".into(),
        ));
    }
    let account = vault.generate_key(KeyKind::Secp256k1, &format!("{name}: did:ethr account"))?;
    let bbs = vault.generate_key(KeyKind::BbsBls12381Sha256, &format!("{name}: BBS key"))?;
    let bbs_secret = vault
        .key_secret(&bbs.id)?
        .bbs()
        .ok_or_else(|| AppError::Internal("a BBS key without a BBS secret".into()))?;
    let public = bbs_secret.public_key();
    let registered = ledger.register(
        vault.key_secret(&account.id)?,
        &[PublishKey {
            key: PublicKeyMaterial::Bls12381G2(Box::new(public.clone())),
            use_: KeyUse::Assertion,
        }],
        KEY_VALIDITY_SECONDS,
    )?;
    let method =
        registered.methods.first().cloned().ok_or_else(|| {
            AppError::Internal("the chain listed no method for the BBS key".into())
        })?;
    let p = IssuerProfile {
        name: name.clone(),
        did: registered.did,
        method,
        account_key: account.id.clone(),
        bbs_key: bbs.id.clone(),
        issued: Vec::new(),
    };
    write_record(vault, RECORD, &p)?;
    Ok(p)
}

/// Issues a credential: validates the claims against the schema (naming every field that
/// fails), draws a random status index (see the module doc), signs with bbs-2023, and records
/// it. The caller saves the vault (the record lists the index, so save even if writing the
/// output fails).
///
/// # Errors
/// [`AppError::Schema`] for claims that do not validate; [`AppError::Input`].
pub fn issue(
    vault: &mut Vault,
    ledger: &dyn Ledger,
    request: &IssueRequest,
    clock: &dyn Clock,
) -> Result<Issued, AppError> {
    let mut p = require(vault)?;
    if request.valid_days == 0 || request.valid_days > MAX_VALID_DAYS {
        return Err(AppError::Input(format!(
            "validity must be 1 to {MAX_VALID_DAYS} days"
        )));
    }
    let mut subject = match &request.claims {
        Value::Object(m) => m.clone(),
        _ => return Err(AppError::Input("the claims must be a JSON object".into())),
    };
    if subject.contains_key("id") {
        return Err(AppError::Input(
            "the claims must not contain \"id\"; the subject is given separately".into(),
        ));
    }
    schema::validate_claims(request.schema, &request.claims)?;
    if let Some(did) = &request.subject {
        subject.insert("id".into(), Value::from(did.as_str()));
    }
    let from = now_seconds(clock);
    let until = from.saturating_add_seconds(i64::from(request.valid_days) * 86_400);
    let entry = StatusEntry {
        registry: ledger.status_registry(),
        issuer: p.did.clone(),
        index: fresh_index(&p.issued)?,
    };
    let document = json!({
        "@context": [VC_V2_CONTEXT, KYC_CONTEXT],
        "type": ["VerifiableCredential", request.schema.credential_type()],
        // The name is signed with the rest (and always disclosed: `/issuer` is mandatory), so a
        // wallet can show who issued a credential by name without trusting anything unsigned.
        "issuer": {"id": p.did.as_str(), "name": p.name.as_str()},
        "validFrom": from.to_string(),
        "validUntil": until.to_string(),
        "credentialSchema": {"id": request.schema.id(), "type": "JsonSchema"},
        "credentialStatus": entry.to_json(),
        "credentialSubject": subject,
    });
    schema::validate(request.schema, &document)?;
    let key = vault
        .key_secret(&p.bbs_key)?
        .bbs()
        .ok_or_else(|| AppError::Internal("the issuer's BBS key is missing".into()))?;
    let options = ProofOptions {
        verification_method: p.method.to_string(),
        proof_purpose: ProofPurpose::AssertionMethod,
        created: Some(from),
        challenge: None,
        domain: None,
    };
    let pointers: Vec<String> = MANDATORY_POINTERS.iter().map(|s| (*s).to_owned()).collect();
    let signed = crate::di::bbs_2023::issue(&document, &key, &pointers, &options)?;
    let text = signed.to_string();
    p.issued.push(IssuedRecord {
        index: entry.index,
        subject: request.subject.clone(),
        schema: request.schema.id().to_owned(),
        valid_from: from.to_string(),
        valid_until: until.to_string(),
        digest: hex::encode(Sha256::digest(text.as_bytes())),
    });
    write_record(vault, RECORD, &p)?;
    Ok(Issued {
        document: signed,
        index: entry.index,
    })
}

/// A fresh status index: uniform in `0..=MAX_STATUS_INDEX` from the operating system's random
/// number generator, redrawn while `issued` already has it.
///
/// # Errors
/// [`AppError::Internal`] if the random number generator fails.
fn fresh_index(issued: &[IssuedRecord]) -> Result<u64, AppError> {
    pick_index(issued, || {
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).map_err(|e| {
            AppError::Internal(format!("the system's random number generator failed: {e}"))
        })?;
        Ok(u64::from_le_bytes(bytes))
    })
}

/// The first of `draw`'s values (masked to 53 bits, so uniform over the index range) that no
/// record of `issued` has. Gives up after 64 draws, which only a broken generator reaches: with
/// a billion records a draw is taken with probability 2^-23.
fn pick_index(
    issued: &[IssuedRecord],
    mut draw: impl FnMut() -> Result<u64, AppError>,
) -> Result<u64, AppError> {
    let taken: HashSet<u64> = issued.iter().map(|r| r.index).collect();
    for _ in 0..64 {
        let index = draw()? & MAX_STATUS_INDEX;
        if !taken.contains(&index) {
            return Ok(index);
        }
    }
    Err(AppError::Internal(
        "the random number generator keeps repeating status indexes this issuer used".into(),
    ))
}

/// Which credential a status change is for.
#[derive(Clone, Debug)]
pub enum StatusTarget {
    /// By status index: one this vault recorded.
    Index(u64),
    /// By the credential document (as issued, with its base proof): works without a record,
    /// e.g. for a credential issued after the backup this vault was restored from.
    Credential(Value),
}

/// A status change as done: the credential and its bits as the chain has them afterwards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusChanged {
    /// The credential: this vault's record, or for a credential it has none of, what the
    /// document says.
    pub record: IssuedRecord,
    /// Its bits after the change.
    pub status: StatusBits,
}

/// Reads the bits of `entry`.
fn read_status(ledger: &dyn Ledger, entry: &StatusEntry) -> Result<StatusBits, AppError> {
    let fetched = ledger.fetch(&Lookup {
        dids: Vec::new(),
        statuses: vec![entry.clone()],
    })?;
    match fetched.statuses.into_iter().next() {
        Some(Ok(bits)) => Ok(bits),
        Some(Err(e)) => Err(e.into()),
        None => Err(AppError::Internal("the chain returned no status".into())),
    }
}

/// The status entry a credential document carries, once its proof is shown to be this issuer's:
/// a base proof by this issuer's BBS key (checked offline, with the key in the vault), and an
/// entry naming this issuer's bits in the status registry of `ledger`.
fn own_entry(
    vault: &Vault,
    p: &IssuerProfile,
    ledger: &dyn Ledger,
    doc: &Value,
) -> Result<StatusEntry, AppError> {
    let entry = StatusEntry::of_credential(doc)
        .map_err(|e| AppError::Input(format!("the credential's status entry: {e}")))?;
    if entry.issuer != p.did {
        return Err(AppError::Input(format!(
            "the credential's status belongs to {}, not to this issuer ({})",
            entry.issuer, p.did
        )));
    }
    let registry = ledger.status_registry();
    if entry.registry != registry {
        return Err(AppError::Input(format!(
            "the credential's status is kept by {}, but this wallet's chain has the status registry {registry}",
            entry.registry
        )));
    }
    let public = vault
        .key_secret(&p.bbs_key)?
        .bbs()
        .ok_or_else(|| AppError::Internal("the issuer's BBS key is missing".into()))?
        .public_key()
        .clone();
    let resolver = StaticResolver::new().with(
        p.method.as_str(),
        PublicKeyMaterial::Bls12381G2(Box::new(public)),
    );
    with_context_policy(&context_policy(), || {
        crate::di::bbs_2023::verify_base_proof(doc, &resolver)
    })
    .map_err(|e| {
        AppError::Refused(format!(
            "the credential is not one this issuer signed ({e}); its status is left alone"
        ))
    })?;
    Ok(entry)
}

/// What a credential this vault has no record of says about itself.
fn record_of(doc: &Value, index: u64) -> IssuedRecord {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or_default().to_owned();
    IssuedRecord {
        index,
        subject: doc
            .get("credentialSubject")
            .and_then(party_id)
            .and_then(|id| Did::parse(id).ok()),
        schema: text(doc.get("credentialSchema").and_then(|s| s.get("id"))),
        valid_from: text(doc.get("validFrom")),
        valid_until: text(doc.get("validUntil")),
        digest: hex::encode(Sha256::digest(doc.to_string().as_bytes())),
    }
}

/// Revokes, suspends or unsuspends one of this issuer's credentials on the chain, and reads
/// the bits back.
///
/// A credential given as a document is changed at the status entry it carries, once its proof
/// is shown to be this issuer's (so a forged file cannot aim at another credential's bits): it
/// needs no record in this vault, and a vault restored from an older backup can still revoke
/// what was issued after it. A bare index must be one this vault recorded.
///
/// Revocation is permanent: unsuspending a revoked credential is refused here, with that
/// reason, rather than reported as done while the credential stays revoked.
///
/// # Errors
/// [`AppError::Input`] for an index this vault has no record of, or a document whose status
/// entry is not this issuer's on this chain; [`AppError::Refused`] for a document this issuer
/// did not sign, and for unsuspending a revoked credential; [`AppError::Ledger`]
/// ([`LedgerError::Refused`] for a change the contract refuses).
pub fn change_status(
    vault: &Vault,
    ledger: &dyn Ledger,
    target: &StatusTarget,
    change: StatusChange,
) -> Result<StatusChanged, AppError> {
    let p = require(vault)?;
    let recorded = |index: u64| p.issued.iter().find(|r| r.index == index).cloned();
    let (entry, record) = match target {
        StatusTarget::Index(index) => {
            let record = recorded(*index).ok_or_else(|| {
                AppError::Input(format!(
                    "this issuer issued no credential with status index {index} (none is in this wallet's records; \
                     for a credential issued after the backup this wallet was restored from, give its file instead)"
                ))
            })?;
            let entry = StatusEntry {
                registry: ledger.status_registry(),
                issuer: p.did.clone(),
                index: *index,
            };
            (entry, record)
        }
        StatusTarget::Credential(doc) => {
            let entry = own_entry(vault, &p, ledger, doc)?;
            let record = recorded(entry.index).unwrap_or_else(|| record_of(doc, entry.index));
            (entry, record)
        }
    };
    let index = entry.index;
    if change == StatusChange::Unsuspend && read_status(ledger, &entry)?.revoked {
        return Err(AppError::Refused(format!(
            "credential {index} is revoked; revocation is permanent, so unsuspending it would change nothing"
        )));
    }
    ledger.set_status(vault.key_secret(&p.account_key)?, &entry, change)?;
    let status = read_status(ledger, &entry)?;
    Ok(StatusChanged { record, status })
}

/// One issued credential with its status as the chain says now.
#[derive(Clone, Debug)]
pub struct IssuedStatus {
    /// The record.
    pub record: IssuedRecord,
    /// Its bits, or why they could not be read.
    pub status: Result<StatusBits, LedgerError>,
}

/// Everything issued, with status read from the chain in one fetch.
///
/// # Errors
/// [`AppError::NotSetUp`], [`AppError::Ledger`] when the chain is unreachable.
pub fn list(vault: &Vault, ledger: &dyn Ledger) -> Result<Vec<IssuedStatus>, AppError> {
    let p = require(vault)?;
    let registry = ledger.status_registry();
    let statuses: Vec<StatusEntry> = p
        .issued
        .iter()
        .map(|r| StatusEntry {
            registry,
            issuer: p.did.clone(),
            index: r.index,
        })
        .collect();
    let fetched = ledger.fetch(&Lookup {
        dids: Vec::new(),
        statuses,
    })?;
    Ok(p.issued
        .into_iter()
        .zip(fetched.statuses)
        .map(|(record, status)| IssuedStatus { record, status })
        .collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    fn record(index: u64) -> IssuedRecord {
        IssuedRecord {
            index,
            subject: None,
            schema: String::new(),
            valid_from: String::new(),
            valid_until: String::new(),
            digest: String::new(),
        }
    }

    #[test]
    fn a_recorded_index_is_drawn_again_and_draws_are_masked_to_53_bits() {
        let issued = [record(5), record(7)];
        let mut draws = [5, 7 | (1 << 60), u64::MAX].into_iter();
        let picked = pick_index(&issued, || Ok(draws.next().unwrap())).unwrap();
        assert_eq!(picked, MAX_STATUS_INDEX);
        let mut tries = 0;
        let stuck = pick_index(&issued, || {
            tries += 1;
            Ok(5)
        });
        assert!(matches!(stuck, Err(AppError::Internal(_))));
        assert_eq!(tries, 64);
    }

    #[test]
    fn fresh_indexes_spread_over_the_whole_range() {
        let mut issued = Vec::new();
        for _ in 0..1000 {
            let index = fresh_index(&issued).unwrap();
            assert!(index <= MAX_STATUS_INDEX);
            issued.push(record(index));
        }
        let distinct: HashSet<u64> = issued.iter().map(|r| r.index).collect();
        assert_eq!(distinct.len(), 1000);
        // Each index is above 2^52 with probability 1/2: all 1000 below it would be 2^-1000.
        assert!(issued.iter().any(|r| r.index >= 1 << 52));
    }
}
