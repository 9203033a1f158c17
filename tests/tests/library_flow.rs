//! The KYC story through the application layer on the embedded chain, and every rejection the
//! verifier must make, each with its named check and reason.
#![allow(clippy::unwrap_used, clippy::panic, reason = "tests")]

use serde_json::Value;
use siegel_tests::{World, failed, sample_claims};
use wallet_core::holder::OptionalClaims;
use wallet_core::issuer::StatusTarget;
use wallet_core::ledger::StatusChange;
use wallet_core::verify::{CheckName, HolderBinding};

/// Issue, import, request ageOver18 + incomeBand, present: returns (world, credential id, request, presentation bytes).
fn presented() -> (
    World,
    wallet_core::vault::CredentialId,
    wallet_core::request::PresentationRequest,
    Vec<u8>,
) {
    let mut w = World::new();
    let issued = w.issue(sample_claims(), 365);
    let summary = wallet_core::holder::receive(
        &mut w.holder.vault,
        &w.ledger,
        issued.document.to_string().as_bytes(),
        &w.clock,
    )
    .unwrap();
    let request = w.request(&["ageOver18", "incomeBand"], &[]);
    let answer = wallet_core::holder::answer(
        &mut w.holder.vault,
        &summary.id,
        &request,
        &OptionalClaims::None,
        &w.clock,
    )
    .unwrap();
    assert_eq!(answer.disclosed, ["ageOver18", "incomeBand"]);
    let bytes = answer.presentation.to_string().into_bytes();
    (w, summary.id, request, bytes)
}

#[test]
fn the_story_verifies_and_discloses_only_what_was_asked() {
    let (mut w, _, request, bytes) = presented();
    let report = w.verify(&bytes, &request, HolderBinding::Required);
    assert!(report.is_valid(), "{report:#?}");
    let disclosed: Vec<(&str, &str)> = report
        .disclosed
        .iter()
        .map(|d| (d.claim.as_str(), d.value.as_str()))
        .collect();
    assert_eq!(
        disclosed,
        [("ageOver18", "true"), ("incomeBand", "40k-60k")]
    );
    assert!(report.hidden.contains(&"birthDate".to_owned()));
    assert!(report.hidden.contains(&"givenName".to_owned()));
    let text = String::from_utf8(bytes).unwrap();
    for secret in ["Lovelace", "1990-12-10", "passport"] {
        assert!(!text.contains(secret), "{secret} leaked");
    }
    assert_eq!(report.checks.len(), CheckName::ALL.len());
    assert!(
        report.round_trips <= 3,
        "{} round trips",
        report.round_trips
    );
    // The history records the disclosure.
    let h = w.holder.vault.history();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].verifier, "loans.lender.example");
    assert_eq!(h[0].disclosed, ["ageOver18", "incomeBand"]);
}

#[test]
fn a_replay_is_refused() {
    let (mut w, _, request, bytes) = presented();
    assert!(
        w.verify(&bytes, &request, HolderBinding::Required)
            .is_valid()
    );
    let again = w.verify(&bytes, &request, HolderBinding::Required);
    assert!(!again.is_valid());
    assert!(failed(&again, CheckName::NonceFresh).contains("already used"));
}

#[test]
fn revoked_and_suspended_credentials_are_refused() {
    let (mut w, _, _, _) = presented();
    let index = wallet_core::issuer::profile(&w.bank.vault)
        .unwrap()
        .unwrap()
        .issued[0]
        .index;
    let changed = wallet_core::issuer::change_status(
        &w.bank.vault,
        &w.ledger,
        &StatusTarget::Index(index),
        StatusChange::Suspend,
    )
    .unwrap();
    assert_eq!(
        changed.status,
        wallet_core::ledger::StatusBits {
            revoked: false,
            suspended: true
        }
    );
    let id = wallet_core::holder::list(&w.holder.vault)[0].id.clone();
    let present = |w: &mut World| {
        let r = w.request(&["ageOver18"], &[]);
        let a = wallet_core::holder::answer(
            &mut w.holder.vault,
            &id,
            &r,
            &OptionalClaims::None,
            &w.clock,
        )
        .unwrap();
        (r, a.presentation.to_string().into_bytes())
    };
    let (r, b) = present(&mut w);
    let report = w.verify(&b, &r, HolderBinding::NotRequired);
    assert!(
        failed(&report, CheckName::Status).starts_with("suspended"),
        "{report:#?}"
    );
    wallet_core::issuer::change_status(
        &w.bank.vault,
        &w.ledger,
        &StatusTarget::Index(index),
        StatusChange::Unsuspend,
    )
    .unwrap();
    let (r, b) = present(&mut w);
    assert!(w.verify(&b, &r, HolderBinding::NotRequired).is_valid());
    wallet_core::issuer::change_status(
        &w.bank.vault,
        &w.ledger,
        &StatusTarget::Index(index),
        StatusChange::Revoke,
    )
    .unwrap();
    let (r, b) = present(&mut w);
    let report = w.verify(&b, &r, HolderBinding::NotRequired);
    assert!(
        failed(&report, CheckName::Status).starts_with("revoked"),
        "{report:#?}"
    );
    let listed = wallet_core::issuer::list(&w.bank.vault, &w.ledger).unwrap();
    assert!(listed[0].status.as_ref().unwrap().revoked);
    // Revocation is permanent: unsuspending is refused with that reason, not reported as done.
    let err = wallet_core::issuer::change_status(
        &w.bank.vault,
        &w.ledger,
        &StatusTarget::Index(index),
        StatusChange::Unsuspend,
    )
    .unwrap_err();
    assert!(
        matches!(err, wallet_core::app::AppError::Refused(ref m) if m.contains("revocation is permanent")),
        "{err}"
    );
    // A credential this issuer never issued.
    let err = wallet_core::issuer::change_status(
        &w.bank.vault,
        &w.ledger,
        &StatusTarget::Index(99),
        StatusChange::Revoke,
    )
    .unwrap_err();
    assert!(
        matches!(err, wallet_core::app::AppError::Input(ref m) if m.contains("no credential with status index 99")),
        "{err}"
    );
}

#[test]
fn tampering_is_refused() {
    let (mut w, _, request, bytes) = presented();
    let vp: Value = serde_json::from_slice(&bytes).unwrap();
    // A disclosed value changed.
    let mut changed = vp.clone();
    changed["verifiableCredential"][0]["credentialSubject"]["incomeBand"] = "over-100k".into();
    let report = w.verify(
        changed.to_string().as_bytes(),
        &request,
        HolderBinding::Required,
    );
    assert!(!report.is_valid());
    failed(&report, CheckName::PresentationProof);
    failed(&report, CheckName::CredentialProof);
    // The derived proof value tampered.
    let mut tampered = vp.clone();
    let pv = tampered["verifiableCredential"][0]["proof"]["proofValue"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut chars: Vec<char> = pv.chars().collect();
    let k = chars.len() / 2;
    chars[k] = if chars[k] == 'A' { 'B' } else { 'A' };
    tampered["verifiableCredential"][0]["proof"]["proofValue"] =
        chars.into_iter().collect::<String>().into();
    let report = w.verify(
        tampered.to_string().as_bytes(),
        &request,
        HolderBinding::Required,
    );
    failed(&report, CheckName::CredentialProof);
    // Malformed JSON and an oversize file.
    let report = w.verify(b"{\"not json", &request, HolderBinding::Required);
    assert!(failed(&report, CheckName::PresentationProof).contains("not usable JSON"));
    let big = vec![b' '; wallet_core::verify::MAX_PRESENTATION_BYTES + 1];
    let report = w.verify(&big, &request, HolderBinding::Required);
    assert!(failed(&report, CheckName::PresentationProof).contains("at most"));
    // An unknown context.
    let mut ctx = vp.clone();
    ctx["@context"] = serde_json::json!([
        "https://www.w3.org/ns/credentials/v2",
        "https://evil.example/ctx"
    ]);
    let report = w.verify(
        ctx.to_string().as_bytes(),
        &request,
        HolderBinding::Required,
    );
    assert!(
        failed(&report, CheckName::PresentationProof).contains("evil.example"),
        "{report:#?}"
    );
    // Still valid afterwards: no failed attempt spent the nonce.
    assert!(
        w.verify(&bytes, &request, HolderBinding::Required)
            .is_valid()
    );
}

#[test]
fn wrong_nonce_domain_and_expiry_are_refused() {
    let (mut w, id, request, bytes) = presented();
    // Another request's nonce.
    let other = w.request(&["ageOver18", "incomeBand"], &[]);
    let report = w.verify(&bytes, &other, HolderBinding::Required);
    assert!(
        failed(&report, CheckName::PresentationProof).contains("challenge"),
        "{report:#?}"
    );
    // Another domain.
    let mut wrong_domain = request.clone();
    wrong_domain.client_id = wallet_core::request::ClientId::parse("evil.example").unwrap();
    let report = w.verify(&bytes, &wrong_domain, HolderBinding::Required);
    assert!(
        failed(&report, CheckName::PresentationProof).contains("domain"),
        "{report:#?}"
    );
    // The request expired.
    w.clock.0 = w.clock.0.saturating_add_seconds(3600);
    let report = w.verify(&bytes, &request, HolderBinding::Required);
    assert!(failed(&report, CheckName::RequestUnexpired).contains("expired"));
    // And the holder refuses to answer an expired request.
    let err = wallet_core::holder::answer(
        &mut w.holder.vault,
        &id,
        &request,
        &OptionalClaims::None,
        &w.clock,
    )
    .unwrap_err();
    assert!(err.to_string().contains("expired"), "{err}");
}

#[test]
fn untrusted_issuer_missing_claim_and_expired_credential() {
    let (mut w, id, request, bytes) = presented();
    w.trust = wallet_core::verify::TrustList::default();
    let report = w.verify(&bytes, &request, HolderBinding::Required);
    assert!(
        failed(&report, CheckName::TrustedIssuer).contains("not on this verifier's trust list")
    );

    // A requested claim the credential lacks: the holder cannot answer.
    let mut claims = sample_claims();
    claims.as_object_mut().unwrap().remove("incomeBand");
    let issued = w.issue(claims, 1);
    let s = wallet_core::holder::receive(
        &mut w.holder.vault,
        &w.ledger,
        issued.document.to_string().as_bytes(),
        &w.clock,
    )
    .unwrap();
    let r = w.request(&["ageOver18", "incomeBand"], &[]);
    let err = wallet_core::holder::answer(
        &mut w.holder.vault,
        &s.id,
        &r,
        &OptionalClaims::None,
        &w.clock,
    )
    .unwrap_err();
    assert!(err.to_string().contains("has no incomeBand"), "{err}");
    // A credential past its validUntil.
    let r = w.request(&["ageOver18"], &[]);
    let a = wallet_core::holder::answer(
        &mut w.holder.vault,
        &s.id,
        &r,
        &OptionalClaims::None,
        &w.clock,
    )
    .unwrap();
    w.trust.add(
        wallet_core::issuer::profile(&w.bank.vault)
            .unwrap()
            .unwrap()
            .did,
    );
    w.clock.0 = w.clock.0.saturating_add_seconds(2 * 86_400);
    let mut r2 = r.clone();
    r2.exp = w.clock.0.unix_seconds() + 600;
    w.nonces = wallet_core::verify::MemoryNonceStore::default();
    wallet_core::verify::NonceStore::issue(&mut w.nonces, &r2).unwrap();
    let report = w.verify(
        a.presentation.to_string().as_bytes(),
        &r2,
        HolderBinding::Required,
    );
    assert!(
        failed(&report, CheckName::ValidityPeriod).starts_with("expired"),
        "{report:#?}"
    );
    let _ = id;
}

#[test]
fn holder_binding_and_issuer_key_revocation() {
    let (mut w, _, request, bytes) = presented();
    // Holder binding required: the subject id must be the VP signer. Present another holder's
    // credential by re-signing with a second holder identity.
    let mut other = siegel_tests::Party::new();
    wallet_core::holder::setup(&mut other.vault, &w.ledger).unwrap();
    let issued = w.issue(sample_claims(), 30);
    // The second holder cannot even import a credential issued to someone else.
    let err = wallet_core::holder::receive(
        &mut other.vault,
        &w.ledger,
        issued.document.to_string().as_bytes(),
        &w.clock,
    )
    .unwrap_err();
    assert!(err.to_string().contains("issued to"), "{err}");

    // The issuer's key revoked on the chain (the bank rotated it away): presentations of
    // credentials signed with it fail, naming the key.
    let keys = w.bank.vault.keys();
    let account = keys
        .iter()
        .find(|k| k.label.ends_with("did:ethr account"))
        .unwrap();
    let bbs = keys.iter().find(|k| k.label.ends_with("BBS key")).unwrap();
    let signer =
        registry::ledger::signer_of(w.bank.vault.key_secret(&account.id).unwrap()).unwrap();
    let public: [u8; 96] = bbs.public_key.clone().unwrap().try_into().unwrap();
    w.ledger
        .registry()
        .revoke_key(
            &signer,
            signer.address(),
            &registry::identity::PublishedKey::Bls12381G2(public),
        )
        .unwrap();
    let report = w.verify(&bytes, &request, HolderBinding::Required);
    let reason = failed(&report, CheckName::IssuerKeyOnChain);
    assert!(reason.contains("does not list it"), "{reason}");
    failed(&report, CheckName::CredentialProof);
}

#[test]
fn holder_binding_required_but_absent() {
    let (mut w, _, _, _) = presented();
    // A bearer credential (no subject id): fine without binding, refused when it is required.
    let issued = w.issue_to(sample_claims(), None, 30);
    let s = wallet_core::holder::receive(
        &mut w.holder.vault,
        &w.ledger,
        issued.document.to_string().as_bytes(),
        &w.clock,
    )
    .unwrap();
    let r = w.request(&["ageOver18"], &[]);
    let a = wallet_core::holder::answer(
        &mut w.holder.vault,
        &s.id,
        &r,
        &OptionalClaims::None,
        &w.clock,
    )
    .unwrap();
    let bytes = a.presentation.to_string().into_bytes();
    let report = w.verify(&bytes, &r, HolderBinding::Required);
    assert!(
        failed(&report, CheckName::HolderBinding).contains("names no subject"),
        "{report:#?}"
    );
    let r = w.request(&["ageOver18"], &[]);
    let a = wallet_core::holder::answer(
        &mut w.holder.vault,
        &s.id,
        &r,
        &OptionalClaims::None,
        &w.clock,
    )
    .unwrap();
    let report = w.verify(
        a.presentation.to_string().as_bytes(),
        &r,
        HolderBinding::NotRequired,
    );
    assert!(report.is_valid(), "{report:#?}");

    // Someone else's credential presented by another holder: the subject is not the signer.
    let mut thief = siegel_tests::Party::new();
    wallet_core::holder::setup(&mut thief.vault, &w.ledger).unwrap();
    let stolen = w.issue(sample_claims(), 30);
    let id = thief
        .vault
        .add_credential(
            "stolen",
            wallet_core::credential::FORMAT_BBS_2023,
            &stolen.document.to_string(),
        )
        .unwrap()
        .id
        .clone();
    let r = w.request(&["ageOver18"], &[]);
    let a = wallet_core::holder::answer(&mut thief.vault, &id, &r, &OptionalClaims::None, &w.clock)
        .unwrap();
    let report = w.verify(
        a.presentation.to_string().as_bytes(),
        &r,
        HolderBinding::Required,
    );
    assert!(
        failed(&report, CheckName::HolderBinding).contains("is not the presenting holder"),
        "{report:#?}"
    );
}

/// An issuer that makes a claim mandatory (so every presentation reveals it) is refused on
/// receipt: the wallet's preview could not honestly list that claim as hidden. The same key,
/// document and options with Siegel's pointers are accepted, so only the pointers differ.
#[test]
fn a_credential_with_other_mandatory_claims_is_refused_on_receipt() {
    use wallet_core::di::ProofPurpose;
    use wallet_core::di::eddsa_rdfc_2022::ProofOptions;
    let mut w = World::new();
    let issued = w.issue(sample_claims(), 30).document;
    let profile = wallet_core::issuer::profile(&w.bank.vault)
        .unwrap()
        .unwrap();
    let bbs = w
        .bank
        .vault
        .keys()
        .into_iter()
        .find(|k| k.kind == wallet_core::keys::KeyKind::BbsBls12381Sha256)
        .unwrap();
    let key = w.bank.vault.key_secret(&bbs.id).unwrap().bbs().unwrap();
    let mut unsecured = issued.clone();
    let created = unsecured["proof"]["created"].as_str().map(str::to_owned);
    unsecured.as_object_mut().unwrap().remove("proof");
    let options = ProofOptions {
        verification_method: profile.method.to_string(),
        proof_purpose: ProofPurpose::AssertionMethod,
        created: created.map(|c| wallet_core::di::DateTime::parse(&c).unwrap()),
        challenge: None,
        domain: None,
    };
    let sign = |pointers: &[&str]| {
        let pointers: Vec<String> = pointers.iter().map(|p| (*p).to_owned()).collect();
        wallet_core::di::bbs_2023::issue(&unsecured, &key, &pointers, &options).unwrap()
    };
    let mut leaky: Vec<&str> = wallet_core::issuer::MANDATORY_POINTERS.to_vec();
    leaky.push("/credentialSubject/birthDate");
    let err = wallet_core::holder::receive(
        &mut w.holder.vault,
        &w.ledger,
        sign(&leaky).to_string().as_bytes(),
        &w.clock,
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("/credentialSubject/birthDate"),
        "{err}"
    );
    assert!(wallet_core::holder::list(&w.holder.vault).is_empty());
    wallet_core::holder::receive(
        &mut w.holder.vault,
        &w.ledger,
        sign(&wallet_core::issuer::MANDATORY_POINTERS)
            .to_string()
            .as_bytes(),
        &w.clock,
    )
    .unwrap();
}

/// The holder of `vault` answers `request` with credential `id`.
fn present_from(
    request: &wallet_core::request::PresentationRequest,
    vault: &mut wallet_core::vault::Vault,
    id: &wallet_core::vault::CredentialId,
    clock: &siegel_tests::FixedClock,
) -> Vec<u8> {
    let a = wallet_core::holder::answer(vault, id, request, &OptionalClaims::None, clock).unwrap();
    a.presentation.to_string().into_bytes()
}

/// Issue 17 item 2: the bank's desk restored from a backup taken before Bob's credential was
/// issued neither hands Bob's status index to Carol nor loses the power to revoke Bob.
#[test]
fn a_desk_restored_from_an_older_backup_keeps_status_apart_and_can_revoke() {
    use wallet_core::vault::{KdfParams, Overwrite, Passphrase, Vault};
    let mut w = World::new();
    let backup = w.bank.path("desk.backup");
    let pass = Passphrase::new("backup passphrase".to_owned()).unwrap();
    w.bank
        .vault
        .export_backup(&backup, &pass, Some(KdfParams::MINIMUM), Overwrite::Refuse)
        .unwrap();
    // Bob (the world's holder) gets his credential after the backup.
    let bob = w.issue(sample_claims(), 365);
    let bob_id = wallet_core::holder::receive(
        &mut w.holder.vault,
        &w.ledger,
        bob.document.to_string().as_bytes(),
        &w.clock,
    )
    .unwrap()
    .id;

    // The desk is lost and restored from the backup: Bob's record is gone.
    w.bank.vault = Vault::restore_backup(
        &backup,
        &pass,
        &w.bank.path("restored.siegel"),
        &pass,
        KdfParams::MINIMUM,
        Overwrite::Refuse,
    )
    .unwrap();
    assert!(
        wallet_core::issuer::list(&w.bank.vault, &w.ledger)
            .unwrap()
            .is_empty()
    );

    // Carol's credential gets an index of its own, not Bob's again.
    let mut carol = siegel_tests::Party::new();
    let carol_did = wallet_core::holder::setup(&mut carol.vault, &w.ledger)
        .unwrap()
        .did;
    let carol_cred = w.issue_to(sample_claims(), Some(carol_did.clone()), 365);
    assert_ne!(carol_cred.index, bob.index);
    let carol_id = wallet_core::holder::receive(
        &mut carol.vault,
        &w.ledger,
        carol_cred.document.to_string().as_bytes(),
        &w.clock,
    )
    .unwrap()
    .id;

    // Bob's bare index is unknown to the restored desk, and the error says what to do.
    let err = wallet_core::issuer::change_status(
        &w.bank.vault,
        &w.ledger,
        &StatusTarget::Index(bob.index),
        StatusChange::Suspend,
    )
    .unwrap_err();
    assert!(err.to_string().contains("give its file instead"), "{err}");
    // His credential file is enough: the desk suspends him at the entry it carries.
    let bob_file = StatusTarget::Credential(bob.document.clone());
    let changed = wallet_core::issuer::change_status(
        &w.bank.vault,
        &w.ledger,
        &bob_file,
        StatusChange::Suspend,
    )
    .unwrap();
    assert_eq!(changed.record.index, bob.index);
    assert_eq!(changed.record.subject, Some(w.holder_did()));
    assert!(changed.status.suspended && !changed.status.revoked);

    // Carol is not suspended with him, and lifting her (non-)suspension does not lift his.
    let r = w.request(&["ageOver18"], &[]);
    let p = present_from(&r, &mut carol.vault, &carol_id, &w.clock);
    let report = w.verify(&p, &r, HolderBinding::Required);
    assert!(report.is_valid(), "{report:#?}");
    let lifted = wallet_core::issuer::change_status(
        &w.bank.vault,
        &w.ledger,
        &StatusTarget::Credential(carol_cred.document.clone()),
        StatusChange::Unsuspend,
    )
    .unwrap();
    assert_eq!(lifted.record.subject, Some(carol_did));
    let r = w.request(&["ageOver18"], &[]);
    let p = present_from(&r, &mut w.holder.vault, &bob_id, &w.clock);
    let report = w.verify(&p, &r, HolderBinding::Required);
    assert!(
        failed(&report, CheckName::Status).starts_with("suspended"),
        "{report:#?}"
    );

    // Revoking from Bob's file works too, and leaves Carol valid.
    let revoked = wallet_core::issuer::change_status(
        &w.bank.vault,
        &w.ledger,
        &bob_file,
        StatusChange::Revoke,
    )
    .unwrap();
    assert!(revoked.status.revoked);
    let listed = wallet_core::issuer::list(&w.bank.vault, &w.ledger).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0].status.as_ref().unwrap(),
        &wallet_core::ledger::StatusBits::default()
    );

    // A forged file cannot aim at another credential's bits: Bob's document pointed at Carol's
    // index no longer carries the bank's proof.
    let mut forged = bob.document.clone();
    forged["credentialStatus"]["statusIndex"] = carol_cred.index.into();
    let err = wallet_core::issuer::change_status(
        &w.bank.vault,
        &w.ledger,
        &StatusTarget::Credential(forged),
        StatusChange::Revoke,
    )
    .unwrap_err();
    assert!(
        matches!(err, wallet_core::app::AppError::Refused(ref m) if m.contains("not one this issuer signed")),
        "{err}"
    );
    let listed = wallet_core::issuer::list(&w.bank.vault, &w.ledger).unwrap();
    assert!(!listed[0].status.as_ref().unwrap().revoked);
}

/// A ledger on the real chain that fails the next `revoke_key` while `fail_next` is set (fault
/// injection: everything else goes to the chain).
struct FailingWithdrawal {
    inner: registry::ledger::ChainLedger,
    fail_next: std::sync::atomic::AtomicBool,
}

impl FailingWithdrawal {
    fn new(inner: &registry::ledger::ChainLedger) -> Self {
        Self {
            inner: inner.clone(),
            fail_next: std::sync::atomic::AtomicBool::new(true),
        }
    }
}

impl wallet_core::ledger::TrustSource for FailingWithdrawal {
    fn fetch(
        &self,
        lookup: &wallet_core::ledger::Lookup,
    ) -> Result<wallet_core::ledger::Fetched, wallet_core::ledger::LedgerError> {
        self.inner.fetch(lookup)
    }
}

impl wallet_core::ledger::Ledger for FailingWithdrawal {
    fn chain_id(&self) -> Result<u64, wallet_core::ledger::LedgerError> {
        self.inner.chain_id()
    }
    fn status_registry(&self) -> wallet_core::credential::status::ChainAccount {
        self.inner.status_registry()
    }
    fn did_of(
        &self,
        account: &wallet_core::keys::KeySecret,
    ) -> Result<wallet_core::did::Did, wallet_core::ledger::LedgerError> {
        self.inner.did_of(account)
    }
    fn register(
        &self,
        account: &wallet_core::keys::KeySecret,
        keys: &[wallet_core::ledger::PublishKey],
        validity_seconds: u64,
    ) -> Result<wallet_core::ledger::Registered, wallet_core::ledger::LedgerError> {
        self.inner.register(account, keys, validity_seconds)
    }
    fn revoke_key(
        &self,
        account: &wallet_core::keys::KeySecret,
        key: &wallet_core::ledger::PublishKey,
    ) -> Result<u64, wallet_core::ledger::LedgerError> {
        if self
            .fail_next
            .swap(false, std::sync::atomic::Ordering::SeqCst)
        {
            return Err(wallet_core::ledger::LedgerError::Unreachable(
                "injected: the node timed out".into(),
            ));
        }
        self.inner.revoke_key(account, key)
    }
    fn set_status(
        &self,
        account: &wallet_core::keys::KeySecret,
        entry: &wallet_core::credential::status::StatusEntry,
        change: StatusChange,
    ) -> Result<(), wallet_core::ledger::LedgerError> {
        self.inner.set_status(account, entry, change)
    }
    fn resolve_document(
        &self,
        did: &wallet_core::did::Did,
        at_block: Option<u64>,
    ) -> Result<Value, wallet_core::ledger::LedgerError> {
        self.inner.resolve_document(did, at_block)
    }
}

/// Issue 17 item 11: a rotation whose withdrawal fails keeps the old key's secret (the key is
/// still listed, so still valid) until a retry withdraws it.
#[test]
fn a_failed_key_withdrawal_keeps_the_secret_until_a_retry_succeeds() {
    use wallet_core::holder::{identity, rotate_auth_key, withdraw_retired_keys};
    use wallet_core::ledger::Ledger;
    let mut w = World::new();
    let did = w.holder_did();
    let authenticates = |w: &World, method: &wallet_core::did::DidUrl| {
        let doc = w.ledger.resolve_document(&did, None).unwrap();
        doc["authentication"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| wallet_core::di::party_id(m) == Some(method.as_str()))
    };
    let presentation_keys = |w: &World| {
        w.holder
            .vault
            .keys()
            .iter()
            .filter(|k| k.label == "holder: presentation key")
            .count()
    };
    let first = identity(&w.holder.vault).unwrap().unwrap();
    assert!(first.retired_keys().is_empty());

    let flaky = FailingWithdrawal::new(&w.ledger);
    let err = rotate_auth_key(&mut w.holder.vault, &flaky).unwrap_err();
    assert!(
        matches!(err, wallet_core::app::AppError::Unfinished { .. }),
        "{err}"
    );
    assert_eq!(err.category(), wallet_core::app::Category::Retry);
    assert!(err.to_string().contains("rotating again"), "{err}");
    let second = identity(&w.holder.vault).unwrap().unwrap();
    assert_ne!(second.method, first.method);
    assert_eq!(second.retired_keys().len(), 1);
    // The old key is still listed (it still verifies), so its secret is kept.
    assert!(authenticates(&w, &first.method));
    assert!(authenticates(&w, &second.method));
    let retired = second.retired_keys()[0].clone();
    assert!(w.holder.vault.key_secret(&retired).is_ok());
    assert_eq!(presentation_keys(&w), 2);

    // The retry withdraws it, and only then is the secret gone.
    let after = withdraw_retired_keys(&mut w.holder.vault, &w.ledger).unwrap();
    assert!(after.retired_keys().is_empty());
    assert!(!authenticates(&w, &first.method));
    assert!(authenticates(&w, &second.method));
    assert!(w.holder.vault.key_secret(&retired).is_err());
    assert_eq!(presentation_keys(&w), 1);

    // Failing again, then retried by the next rotation: both former keys go.
    let flaky = FailingWithdrawal::new(&w.ledger);
    rotate_auth_key(&mut w.holder.vault, &flaky).unwrap_err();
    assert_eq!(presentation_keys(&w), 2);
    let fourth = rotate_auth_key(&mut w.holder.vault, &w.ledger).unwrap();
    assert!(fourth.retired_keys().is_empty());
    assert_eq!(presentation_keys(&w), 1);
    assert!(!authenticates(&w, &second.method));
    assert!(authenticates(&w, &fourth.method));
}
