//! The holder's side: an identity (a did:ethr with an Ed25519 authentication key published on
//! the chain), receiving credentials (check, then store), and answering presentation requests
//! (select, derive, sign, record).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::app::{AppError, now_seconds, read_record, write_record};
use crate::credential::shown::Shown;
use crate::credential::status::StatusEntry;
use crate::credential::{FORMAT_BBS_2023, KYC_CLAIMS, VC_V2_CONTEXT, context_policy};
use crate::di::claims::VerifiedClaims;
use crate::di::{self, Clock, DateTime, PublicKeyMaterial, controller_of, party_id};
use crate::did::{Did, DidUrl};
use crate::jsonld::{parse_json, with_context_policy};
use crate::keys::KeyKind;
use crate::ledger::{Fetched, KeyUse, Ledger, Lookup, PublishKey, TrustSource};
use crate::request::{PresentationRequest, Selection};
use crate::schema::{self, CredentialSchema};
use crate::text::DisplayName;
use crate::vault::{CredentialId, DisclosureRecord, KeyId, Vault};

const RECORD: &str = "holder";

/// The members a received credential's base proof may have: those a bbs-2023 proof needs. The
/// derived proofs repeat all but `proofValue` to every verifier.
const BASE_PROOF_MEMBERS: [&str; 7] = [
    "type",
    "cryptosuite",
    "created",
    "expires",
    "verificationMethod",
    "proofPurpose",
    "proofValue",
];

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
    /// Former authentication keys still listed in the DID document because withdrawing them
    /// failed: their secrets stay in the vault until a withdrawal succeeds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    retired_keys: Vec<KeyId>,
}

impl HolderIdentity {
    /// Former authentication keys whose withdrawal from the DID document has not succeeded yet
    /// (they still verify presentations); [`rotate_auth_key`] and [`withdraw_retired_keys`]
    /// retry them.
    pub fn retired_keys(&self) -> &[KeyId] {
        &self.retired_keys
    }
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
    let (did, method) = publish_auth_key(vault, ledger, &account.id, &auth.id)?;
    let id = HolderIdentity {
        did,
        method,
        account_key: account.id.clone(),
        auth_key: auth.id.clone(),
        retired_keys: Vec::new(),
    };
    write_record(vault, RECORD, &id)?;
    Ok(id)
}

/// Replaces the holder's authentication (`sigAuth`) key: publishes a new Ed25519 key, then
/// withdraws the old one from the DID document — and any earlier one whose withdrawal failed —
/// dropping each secret only once the chain confirmed its withdrawal. Presentations signed with a
/// withdrawn key no longer verify (verifiers resolve the DID as of now). The caller saves the
/// vault, also after an error.
///
/// # Errors
/// [`AppError::NotSetUp`] without a holder identity; [`AppError::Ledger`] if publishing fails
/// (nothing changed then). If only a withdrawal fails, the new key is in use and the error is
/// [`AppError::Unfinished`]: the old key stays listed, its secret stays in the vault (see
/// [`HolderIdentity::retired_keys`]), and rotating again or [`withdraw_retired_keys`] retries.
pub fn rotate_auth_key(vault: &mut Vault, ledger: &dyn Ledger) -> Result<HolderIdentity, AppError> {
    let mut me = require(vault)?;
    let fresh = vault.generate_key(KeyKind::Ed25519, "holder: presentation key")?;
    me.method = match publish_auth_key(vault, ledger, &me.account_key, &fresh.id) {
        Ok((_, method)) => method,
        Err(e) => {
            vault.remove_key(&fresh.id)?;
            return Err(e);
        }
    };
    let old = std::mem::replace(&mut me.auth_key, fresh.id.clone());
    me.retired_keys.push(old);
    write_record(vault, RECORD, &me)?;
    withdraw_retired(vault, ledger, me)
}

/// Retries withdrawing the former authentication keys a failed withdrawal left in the DID
/// document ([`HolderIdentity::retired_keys`]), dropping each secret once its withdrawal is
/// confirmed. Does nothing when there are none. The caller saves the vault, also after an error.
///
/// # Errors
/// [`AppError::NotSetUp`]; [`AppError::Unfinished`] when a withdrawal fails again.
pub fn withdraw_retired_keys(
    vault: &mut Vault,
    ledger: &dyn Ledger,
) -> Result<HolderIdentity, AppError> {
    let me = require(vault)?;
    withdraw_retired(vault, ledger, me)
}

/// Withdraws `me`'s retired keys on the chain; the secret of each withdrawn one is dropped, the
/// others stay listed in the record (written back either way).
fn withdraw_retired(
    vault: &mut Vault,
    ledger: &dyn Ledger,
    mut me: HolderIdentity,
) -> Result<HolderIdentity, AppError> {
    let mut failed = None;
    for id in std::mem::take(&mut me.retired_keys) {
        let withdrawn = ed25519_public(vault, &id).and_then(|public| {
            let key = PublishKey {
                key: PublicKeyMaterial::Ed25519(public),
                use_: KeyUse::Authentication,
            };
            Ok(ledger.revoke_key(vault.key_secret(&me.account_key)?, &key)?)
        });
        match withdrawn {
            // Only now can the secret go: the key no longer verifies anything. (An unknown id
            // was removed already; the loop goes on so that the record is written.)
            Ok(_) => {
                let _gone = vault.remove_key(&id);
            }
            Err(e) => {
                me.retired_keys.push(id);
                if failed.is_none() {
                    failed = Some(e);
                }
            }
        }
    }
    write_record(vault, RECORD, &me)?;
    match failed {
        None => Ok(me),
        Some(AppError::Ledger(source)) => Err(AppError::Unfinished {
            done: format!(
                "the current presentation key is in use, but {} former one(s) could not be withdrawn from the DID document and still verify; \
                 their secrets are kept until a retry withdraws them (rotating again, or retrying the withdrawal)",
                me.retired_keys.len()
            ),
            source,
        }),
        Some(other) => Err(other),
    }
}

/// Publishes Ed25519 key `auth` as `account`'s `sigAuth` key; its DID and method id.
fn publish_auth_key(
    vault: &Vault,
    ledger: &dyn Ledger,
    account: &KeyId,
    auth: &KeyId,
) -> Result<(Did, DidUrl), AppError> {
    let registered = ledger.register(
        vault.key_secret(account)?,
        &[PublishKey {
            key: PublicKeyMaterial::Ed25519(ed25519_public(vault, auth)?),
            use_: KeyUse::Authentication,
        }],
        crate::issuer::KEY_VALIDITY_SECONDS,
    )?;
    let method = registered
        .methods
        .first()
        .cloned()
        .ok_or_else(|| AppError::Internal("the chain listed no method for the key".into()))?;
    Ok((registered.did, method))
}

fn ed25519_public(vault: &Vault, key: &KeyId) -> Result<[u8; 32], AppError> {
    Ok(vault
        .key_secret(key)?
        .ed25519()
        .ok_or_else(|| AppError::Internal("an Ed25519 key without an Ed25519 secret".into()))?
        .verifying_key()
        .to_bytes())
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
    /// The name the issuer signed into the credential (`issuer.name`), if it gave one.
    pub issuer_name: Option<String>,
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

/// The name the issuer signed into a credential (`issuer.name`), if it gave one.
fn issuer_name(doc: &Value) -> Option<&str> {
    doc.get("issuer")?.get("name")?.as_str()
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
        issuer_name: issuer_name(doc).map(str::to_owned),
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
    let proof = doc
        .get("proof")
        .and_then(Value::as_object)
        .ok_or_else(|| AppError::Refused("the credential has no proof".into()))?;
    // Every derived proof repeats the base proof's options in the clear (bbs-2023 § 3.3.9), so
    // a member there is shown to every verifier whatever the holder hides: only the options a
    // proof needs are taken (an issuer's `nonce` or `id` could carry a passport number).
    if let Some(extra) = proof
        .keys()
        .find(|k| !BASE_PROOF_MEMBERS.contains(&k.as_str()))
    {
        return Err(AppError::Refused(format!(
            "the credential's proof has a member {extra:?} that every presentation would show; \
             Siegel takes proofs with only {}",
            BASE_PROOF_MEMBERS.join(", ")
        )));
    }
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
    // What every presentation of this credential reveals is fixed by the issuer (the base
    // proof's mandatory pointers). The wallet promises the holder a preview of exactly what a
    // verifier sees, so it takes only credentials that make Siegel's fixed set mandatory: an
    // issuer that made a claim mandatory would reveal it behind the holder's back.
    let mandatory = di::bbs_2023::parse_base_proof_value(proof)
        .map_err(|e| AppError::Refused(format!("the credential's proof value: {e}")))?
        .mandatory_pointers;
    let mut got: Vec<&str> = mandatory.iter().map(String::as_str).collect();
    got.sort_unstable();
    let mut want = crate::issuer::MANDATORY_POINTERS.to_vec();
    want.sort_unstable();
    if got != want {
        return Err(AppError::Refused(format!(
            "the issuer made {} visible in every presentation; Siegel takes credentials that always show only {}",
            got.join(", "),
            want.join(", ")
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
    // Made from what the issuer wrote: no control or text-direction character gets in.
    let label = DisplayName::lossy(
        &format!(
            "{} from {}",
            types.last().map_or("Credential", String::as_str),
            issuer_name(&doc).unwrap_or(issuer.as_str())
        ),
        "Credential",
    );
    let record = vault.add_credential(label.as_str(), FORMAT_BBS_2023, &text)?;
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
    Ok(view_of(id, &label, &doc))
}

fn view_of(id: &CredentialId, label: &str, doc: &Value) -> CredentialView {
    CredentialView {
        summary: summary(id, label, doc),
        valid_from: doc
            .get("validFrom")
            .and_then(Value::as_str)
            .map(str::to_owned),
        claim_values: subject_claims(doc),
        status_index: doc
            .get("credentialStatus")
            .and_then(|s| s.get("statusIndex"))
            .and_then(Value::as_u64),
    }
}

/// How long before its end a credential counts as expiring soon.
pub const EXPIRING_SOON_SECONDS: i64 = 30 * 24 * 3600;

/// A stored credential's standing now: its issuer's status bits on the chain and its validity
/// period. The first that applies wins, in this order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", content = "detail", rename_all = "camelCase")]
pub enum Standing {
    /// The issuer revoked it (permanent).
    Revoked,
    /// The issuer suspended it (may be lifted).
    Suspended,
    /// Its `validUntil` has passed.
    Expired,
    /// Its `validFrom` is still ahead.
    NotYetValid,
    /// Valid, but its `validUntil` is less than [`EXPIRING_SOON_SECONDS`] away.
    ExpiringSoon,
    /// Valid.
    Valid,
    /// The status could not be read (the chain is unreachable, or the entry unusable): why.
    Unknown(String),
}

/// The [`Standing`] of every stored credential, in [`list`] order, with one chain read for all
/// of them.
///
/// # Errors
/// None for an unreachable chain: each credential's standing is then
/// [`Standing::Unknown`] (its dates are not enough to call it valid).
pub fn standings(
    vault: &Vault,
    trust: &dyn TrustSource,
    clock: &dyn Clock,
) -> Vec<(CredentialId, Standing)> {
    let now = now_seconds(clock).unix_seconds();
    let docs: Vec<(CredentialId, Value)> = vault
        .credentials()
        .iter()
        .map(|c| {
            (
                c.id.clone(),
                serde_json::from_str(&c.document).unwrap_or(Value::Null),
            )
        })
        .collect();
    let entries: Vec<Result<StatusEntry, String>> = docs
        .iter()
        .map(|(_, d)| StatusEntry::of_credential(d).map_err(|e| e.to_string()))
        .collect();
    let lookup = Lookup {
        dids: Vec::new(),
        statuses: entries
            .iter()
            .filter_map(|e| e.as_ref().ok().cloned())
            .collect(),
    };
    let fetched = if lookup.statuses.is_empty() {
        Ok(Fetched::default())
    } else {
        trust.fetch(&lookup)
    };
    let mut bits = match &fetched {
        Ok(f) => f.statuses.iter(),
        Err(_) => [].iter(),
    };
    let date = |d: &Value, name: &str| {
        d.get(name)
            .and_then(Value::as_str)
            .and_then(|t| DateTime::parse(t).ok())
            .map(|t| t.unix_seconds())
    };
    docs.iter()
        .zip(&entries)
        .map(|((id, doc), entry)| {
            let status = match (entry, &fetched) {
                (Err(e), _) => Err(format!("no usable status entry: {e}")),
                (Ok(_), Err(e)) => Err(format!("the chain could not be read: {e}")),
                (Ok(_), Ok(_)) => match bits.next() {
                    Some(Ok(b)) => Ok(*b),
                    Some(Err(e)) => Err(e.to_string()),
                    None => Err("the chain returned no status".into()),
                },
            };
            let until = date(doc, "validUntil");
            let standing = match status {
                Ok(b) if b.revoked => Standing::Revoked,
                Ok(b) if b.suspended => Standing::Suspended,
                _ if until.is_some_and(|u| now > u) => Standing::Expired,
                // The same allowance for clock skew as on receipt.
                _ if date(doc, "validFrom")
                    .is_some_and(|f| now + di::MAX_CLOCK_SKEW_SECONDS < f) =>
                {
                    Standing::NotYetValid
                }
                Err(why) => Standing::Unknown(why),
                Ok(_) if until.is_some_and(|u| u - now < EXPIRING_SOON_SECONDS) => {
                    Standing::ExpiringSoon
                }
                Ok(_) => Standing::Valid,
            };
            (id.clone(), standing)
        })
        .collect()
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

/// The fewest characters of a credential id that name it (ids are 32 hex characters).
pub const MIN_ID_PREFIX: usize = 4;

/// Why an id prefix names no single stored credential.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdPrefixError {
    /// Fewer than [`MIN_ID_PREFIX`] characters: an empty or short prefix would name whatever
    /// credential happens to be alone in the wallet.
    #[error("{0:?} is too short: give at least {MIN_ID_PREFIX} characters of the credential id")]
    TooShort(String),
    /// No stored credential's id starts with it.
    #[error("no credential {0} in this wallet; `siegel holder list` shows the ids")]
    Unknown(String),
    /// Several do.
    #[error("{prefix} names {count} credentials; give more of the id")]
    Ambiguous {
        /// The prefix.
        prefix: String,
        /// How many ids start with it.
        count: usize,
    },
}

/// The stored credential whose id starts with `prefix` (at least [`MIN_ID_PREFIX`] characters;
/// a whole id is a prefix of itself).
///
/// # Errors
/// [`IdPrefixError`].
pub fn find(vault: &Vault, prefix: &str) -> Result<CredentialId, IdPrefixError> {
    if prefix.chars().count() < MIN_ID_PREFIX {
        return Err(IdPrefixError::TooShort(prefix.to_owned()));
    }
    let ids: Vec<&CredentialId> = vault
        .credentials()
        .iter()
        .map(|c| &c.id)
        .filter(|id| id.as_str().starts_with(prefix))
        .collect();
    match ids.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(IdPrefixError::Unknown(prefix.to_owned())),
        _ => Err(IdPrefixError::Ambiguous {
            prefix: prefix.to_owned(),
            count: ids.len(),
        }),
    }
}

/// Which of a request's optional claims the holder agrees to disclose. Required claims are
/// always disclosed (without them the verifier refuses the answer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OptionalClaims {
    /// None of them.
    None,
    /// Every optional claim the credential has.
    All,
    /// Exactly these; each must be one the request lists as optional.
    Only(Vec<String>),
}

/// What an answer would disclose, shown to the holder before anything is signed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Preview {
    /// Who asks (the request's `client_id`, the presentation's `domain`).
    pub verifier: String,
    /// Why, as the verifier states it (not checked by anyone).
    pub purpose: Option<String>,
    /// When the request expires.
    pub expires_at: String,
    /// The claims the verifier will see, with their values, in the credential's order.
    pub disclosed: Vec<(String, Value)>,
    /// The claims that stay hidden, with their values (shown to the holder only).
    pub withheld: Vec<(String, Value)>,
    /// What the presentation reveals besides the chosen claims — the mandatory parts of the
    /// bbs-2023 proof, whatever the issuer put in them, and (path `holder`) the holder's DID
    /// when the answer is signed. [`crate::credential::shown::label`] names each for display.
    pub always: Vec<Shown>,
    /// Everything the credential's derived proof will show, exactly as the verifier's
    /// [`crate::verify::Report::revealed`] will list it.
    pub revealed: Vec<Shown>,
}

/// A signed answer to a request.
#[derive(Clone, Debug)]
pub struct Answer {
    /// The verifiable presentation.
    pub presentation: Value,
    /// The claims disclosed.
    pub disclosed: Vec<String>,
    /// The credential's claims not disclosed.
    pub withheld: Vec<String>,
    /// Everything else the presentation shows, as [`Preview::always`] lists it.
    pub also_shown: Vec<Shown>,
}

/// An answer worked out but not yet signed: the one place that decides what is disclosed, so
/// the preview and the presentation cannot differ.
struct Plan {
    me: HolderIdentity,
    doc: Value,
    disclosed: Vec<String>,
    present: Vec<(String, Value)>,
    now: DateTime,
}

impl Plan {
    fn new(
        vault: &Vault,
        id: &CredentialId,
        request: &PresentationRequest,
        optional: &OptionalClaims,
        clock: &dyn Clock,
    ) -> Result<Self, AppError> {
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
        match optional {
            OptionalClaims::None => {}
            OptionalClaims::All => {
                disclosed.extend(sel.optional.iter().filter(|c| has(c)).cloned());
            }
            OptionalClaims::Only(chosen) => {
                if let Some(c) = chosen.iter().find(|c| !sel.optional.contains(c)) {
                    return Err(AppError::Input(format!(
                        "the verifier did not ask for {c} as an optional claim"
                    )));
                }
                if let Some(c) = chosen.iter().find(|c| !has(c)) {
                    return Err(AppError::Input(format!("the credential has no {c}")));
                }
                // In the request's order, once each.
                disclosed.extend(sel.optional.iter().filter(|c| chosen.contains(c)).cloned());
            }
        }
        Ok(Self {
            me,
            doc,
            disclosed,
            present,
            now,
        })
    }

    /// What `revealed` (the credential's part of the answer) and the presentation show besides
    /// the chosen claims.
    fn always(&self, revealed: &[Shown]) -> Vec<Shown> {
        let chosen: Vec<String> = self
            .disclosed
            .iter()
            .map(|c| format!("credentialSubject.{c}"))
            .collect();
        let mut always: Vec<Shown> = revealed
            .iter()
            .filter(|s| !chosen.contains(&s.path))
            .cloned()
            .collect();
        // The derived proof's options, shown in the clear beside the credential.
        let proof = self.doc.get("proof");
        for member in ["verificationMethod", "created", "expires"] {
            if let Some(v) = proof.and_then(|p| p.get(member)).and_then(Value::as_str) {
                always.push(Shown {
                    path: format!("proof.{member}"),
                    value: v.to_owned(),
                });
            }
        }
        if self.signs() {
            always.push(Shown {
                path: "holder".into(),
                value: self.me.did.as_str().to_owned(),
            });
        }
        always
    }

    /// The JSON pointers of the claims disclosed.
    fn pointers(&self) -> Vec<String> {
        self.disclosed
            .iter()
            .map(|c| Selection::pointer(c).to_string())
            .collect()
    }

    /// Whether the answer is signed by the holder: only for a credential issued to the holder
    /// (it names a subject id, which `receive` checked is this wallet's DID). A credential
    /// without one is a bearer credential, presented unsigned, so the holder's DID stays out.
    fn signs(&self) -> bool {
        self.doc
            .get("credentialSubject")
            .and_then(|s| s.get("id"))
            .is_some()
    }

    fn withheld(&self) -> impl Iterator<Item = &(String, Value)> {
        self.present
            .iter()
            .filter(|(k, _)| !self.disclosed.contains(k))
    }
}

/// What answering `request` with credential `id` would disclose and withhold, without signing
/// or recording anything.
///
/// # Errors
/// As [`answer`].
pub fn preview(
    vault: &Vault,
    id: &CredentialId,
    request: &PresentationRequest,
    optional: &OptionalClaims,
    clock: &dyn Clock,
) -> Result<Preview, AppError> {
    let plan = Plan::new(vault, id, request, optional, clock)?;
    // What the verifier will see, from the statements of the very reveal document the proof
    // will cover (not from the credential's JSON): a hostile issuer's extra members — a
    // top-level id, an id on the status entry — show up here as they will there.
    let revealed = with_context_policy(&context_policy(), || {
        di::bbs_2023::revealed(&plan.doc, &plan.pointers())
    })
    .map(|claims| crate::credential::shown::shown(&claims))
    .map_err(|e| AppError::Internal(format!("stored credential {id}: {e}")))?;
    let always = plan.always(&revealed);
    let disclosed = plan
        .disclosed
        .iter()
        .filter_map(|c| plan.present.iter().find(|(k, _)| k == c).cloned())
        .collect();
    Ok(Preview {
        verifier: request.client_id.to_string(),
        purpose: request.purpose.clone(),
        expires_at: request.expires_at().to_string(),
        disclosed,
        withheld: plan.withheld().cloned().collect(),
        always,
        revealed,
    })
}

/// Answers `request` with stored credential `id`: derives a bbs-2023 proof disclosing the
/// required claims and the `optional` ones chosen, wraps it in a presentation signed with the
/// holder's authentication key (challenge = nonce, domain = client id), and records the
/// disclosure in the history. The caller saves the vault.
///
/// # Errors
/// [`AppError::Input`] for an expired request, a credential of another type or missing a
/// required claim, or an optional claim the request does not list; proof errors.
pub fn answer(
    vault: &mut Vault,
    id: &CredentialId,
    request: &PresentationRequest,
    optional: &OptionalClaims,
    clock: &dyn Clock,
) -> Result<Answer, AppError> {
    let plan = Plan::new(vault, id, request, optional, clock)?;
    let (me, now) = (&plan.me, plan.now);
    // A vault without the identity's own key is damaged: not the user's input.
    let auth_key = vault
        .key_secret(&me.auth_key)?
        .ed25519()
        .ok_or_else(|| AppError::Internal("the holder's presentation key is missing".into()))?;
    let pointers = plan.pointers();
    let signer = plan.signs().then_some(me);
    let (revealed, presentation) = with_context_policy(&context_policy(), || {
        // The presentation header binds the derived proof to this verifier and nonce (issue 17:
        // the holder's own proof alone could be stripped and replaced).
        let derived = di::bbs_2023::derive(&plan.doc, &pointers, &request.presentation_header())?;
        // What it shows: the statements of the derived document itself (its proof aside).
        let mut unsecured = derived.clone();
        if let Some(m) = unsecured.as_object_mut() {
            m.remove("proof");
        }
        let revealed = VerifiedClaims::from_quads(&crate::jsonld::to_quads(&unsecured)?);
        let Some(me) = signer else {
            // A credential without a subject id is not bound to anyone: presenting it unsigned
            // reveals no holder DID (docs/privacy.md).
            let vp = json!({
                "@context": [VC_V2_CONTEXT],
                "type": ["VerifiablePresentation"],
                "verifiableCredential": [derived],
            });
            return Ok((revealed, vp));
        };
        let vp = json!({
            "@context": [VC_V2_CONTEXT],
            "type": ["VerifiablePresentation"],
            "holder": me.did.as_str(),
            "verifiableCredential": [derived],
        });
        let signed = di::sign_presentation(
            &vp,
            &auth_key,
            me.method.as_str(),
            now,
            &di::PresentationBinding {
                challenge: request.nonce.to_string(),
                domain: request.client_id.to_string(),
            },
        )?;
        Ok::<_, di::ProofError>((revealed, signed))
    })?;
    let also_shown = plan.always(&crate::credential::shown::shown(&revealed));
    let withheld = plan.withheld().map(|(k, _)| k.clone()).collect();
    let disclosed = plan.disclosed;
    vault.append_history(DisclosureRecord {
        at: u64::try_from(now.unix_seconds()).unwrap_or(0),
        verifier: request.client_id.to_string(),
        credential_id: id.clone(),
        disclosed: disclosed.clone(),
        purpose: request.purpose.clone(),
    });
    Ok(Answer {
        presentation,
        disclosed,
        withheld,
        also_shown,
    })
}
