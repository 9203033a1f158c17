//! The verifier's policy: one call takes a presentation, the verifier's own request and policy,
//! and returns a [`Report`] with every check named, passed or failed with a reason, and the
//! claims the proofs verified.
//!
//! Everything the verifier decides on comes from verified statements ([`VerifiedClaims`]):
//! the presentation's JSON is read only to learn *what to fetch* (which DIDs, which status
//! entry), and every fetched fact is then matched against what the proofs verified. The chain
//! is read once per verification through a [`TrustSource`] (issuer and holder DID documents and
//! the status bits together), then all proofs are checked offline against what was fetched.
//!
//! Fail closed: a check that could not run is a failed check with the reason it could not run;
//! [`Report::is_valid`] is true only when every check passed.

mod report;
mod store;

use serde_json::Value;

pub use report::{Check, CheckName, Disclosed, Outcome, Report};
pub use store::{
    FileNonceStore, MemoryNonceStore, NonceRefusal, NonceStore, StoreError, TrustList,
};

use crate::credential::status::{StatusEntry, StatusEntryError};
use crate::credential::{KYC_CLAIMS, context_policy, kyc_iri, kyc_term};
use crate::di::claims::{ClaimValue, Node, VerifiedClaims, vc};
use crate::di::{self, Clock, DateTime, ProofError, controller_of, party_id};
use crate::did::{Did, DidUrl};
use crate::jsonld::{parse_json, with_context_policy};
use crate::ledger::{KeySet, Lookup, TrustSource};
use crate::request::PresentationRequest;
use crate::schema::{self, CredentialSchema};

/// The largest presentation read, in bytes.
pub const MAX_PRESENTATION_BYTES: usize = crate::jsonld::MAX_DOCUMENT_BYTES;

/// Whether the credential must be bound to the presenting holder.
///
/// Whatever the mode, the credential's derived proof is bound to the request (verifier and
/// nonce, [`PresentationRequest::presentation_header`]); holder binding adds that the one who
/// presents it is the one it was issued to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum HolderBinding {
    /// Every credential must name its subject (`credentialSubject.id`, disclosed) and the
    /// presentation be signed by that DID: bearer credentials are refused.
    Required,
    /// The default: a credential that names its subject must be presented, signed, by that
    /// subject; a credential without a subject id (a bearer credential) may be presented
    /// unsigned by whoever holds it.
    #[default]
    WhenSubjectNamed,
    /// Not checked: anyone holding a credential may present it (an explicit choice for bearer
    /// use, `--no-holder-binding`).
    NotRequired,
}

/// What a verifier accepts.
#[derive(Clone, Debug)]
pub struct Policy {
    /// Issuers whose credentials are accepted.
    pub trusted_issuers: TrustList,
    /// Holder binding.
    pub holder_binding: HolderBinding,
}

/// Collects outcomes; any check never recorded is reported failed (fail closed).
struct Checks {
    outcomes: Vec<(CheckName, Outcome)>,
}

impl Checks {
    fn pass(&mut self, name: CheckName, detail: impl Into<String>) {
        self.outcomes.push((name, Outcome::Passed(detail.into())));
    }
    fn fail(&mut self, name: CheckName, reason: impl Into<String>) {
        self.outcomes.push((name, Outcome::Failed(reason.into())));
    }
    fn set(&mut self, name: CheckName, result: Result<String, String>) {
        match result {
            Ok(d) => self.pass(name, d),
            Err(r) => self.fail(name, r),
        }
    }
    fn passed(&self, name: CheckName) -> bool {
        self.outcomes
            .iter()
            .any(|(n, o)| *n == name && matches!(o, Outcome::Passed(_)))
    }
    fn finish(self, why_not_run: &str) -> Vec<Check> {
        CheckName::ALL
            .iter()
            .map(|&name| Check {
                name,
                outcome: self
                    .outcomes
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, o)| o.clone())
                    .unwrap_or_else(|| Outcome::Failed(format!("not checked: {why_not_run}"))),
            })
            .collect()
    }
}

/// What the presentation's JSON says it holds: only used to decide what to fetch.
struct Claimed {
    /// The presentation proof's verification method; none for an unsigned presentation.
    holder_method: Option<DidUrl>,
    credential: Value,
    credential_method: DidUrl,
    issuer: Did,
    status: Option<StatusEntry>,
}

/// The members of a presentation this verifier reads (VC Data Model 2.0 § 4.13).
const PRESENTATION_MEMBERS: [&str; 6] = [
    "@context",
    "id",
    "type",
    "holder",
    "verifiableCredential",
    "proof",
];

/// The members of an unsigned presentation (a bearer credential presented without a holder
/// proof): nothing in it is signed but the credential, so it may carry nothing else.
const UNSIGNED_PRESENTATION_MEMBERS: [&str; 3] = ["@context", "type", "verifiableCredential"];

/// Checks the wrapper of an unsigned presentation: only [`UNSIGNED_PRESENTATION_MEMBERS`], with
/// the VC 2.0 context and the `VerifiablePresentation` type, no holder.
fn unsigned_wrapper(vp: &Value) -> Result<(), String> {
    let map = vp
        .as_object()
        .ok_or("the presentation is not a JSON object")?;
    if let Some(extra) = map
        .keys()
        .find(|k| !UNSIGNED_PRESENTATION_MEMBERS.contains(&k.as_str()))
    {
        return Err(format!(
            "the presentation is not signed but has a member {extra:?} (an unsigned presentation \
             holds only {}; a holder must sign)",
            UNSIGNED_PRESENTATION_MEMBERS.join(", ")
        ));
    }
    let one = |v: Option<&Value>, want: &str| match v {
        Some(Value::String(s)) => s == want,
        Some(Value::Array(a)) => matches!(a.as_slice(), [Value::String(s)] if s == want),
        _ => false,
    };
    if !one(map.get("@context"), crate::credential::VC_V2_CONTEXT)
        || !one(map.get("type"), "VerifiablePresentation")
    {
        return Err(format!(
            "an unsigned presentation's @context must be {} and its type VerifiablePresentation",
            crate::credential::VC_V2_CONTEXT
        ));
    }
    Ok(())
}

fn claimed(vp: &Value) -> Result<Claimed, String> {
    let method = |doc: &Value, what: &str| -> Result<DidUrl, String> {
        let vm = doc
            .get("proof")
            .and_then(|p| p.get("verificationMethod"))
            .and_then(Value::as_str)
            .ok_or_else(|| format!("the {what} has no proof with a verificationMethod"))?;
        DidUrl::parse(vm).map_err(|e| format!("the {what}'s verificationMethod: {e}"))
    };
    // A member the JSON reading below does not look at could still be signed and expanded by
    // JSON-LD: a second credential under the expanded IRI of `verifiableCredential`, `@graph`,
    // `@included`. The verifier reads only these, so it refuses the rest rather than pass a
    // presentation holding more than it checked.
    if let Some(extra) = vp.as_object().and_then(|m| {
        m.keys()
            .find(|k| !PRESENTATION_MEMBERS.contains(&k.as_str()))
    }) {
        return Err(format!(
            "the presentation has a member {extra:?} that this verifier does not read (only {})",
            PRESENTATION_MEMBERS.join(", ")
        ));
    }
    let holder_method = if vp.get("proof").is_some() {
        Some(method(vp, "presentation")?)
    } else {
        unsigned_wrapper(vp)?;
        None
    };
    let credential = match vp.get("verifiableCredential") {
        Some(Value::Array(cs)) if cs.len() == 1 => cs[0].clone(),
        Some(Value::Object(_)) => vp["verifiableCredential"].clone(),
        Some(Value::Array(cs)) => {
            return Err(format!(
                "the presentation holds {} credentials; exactly one was requested",
                cs.len()
            ));
        }
        _ => return Err("the presentation holds no credential".into()),
    };
    let credential_method = method(&credential, "credential")?;
    let issuer = credential
        .get("issuer")
        .and_then(party_id)
        .ok_or("the credential names no issuer")?;
    let issuer = Did::parse(issuer).map_err(|e| format!("the credential's issuer: {e}"))?;
    let status = match StatusEntry::of_credential(&credential) {
        Ok(entry) => Some(entry),
        // Fetch nothing; the Status check then fails on the signed statements.
        Err(StatusEntryError::Missing) => None,
        Err(e) => return Err(format!("the credential's status entry: {e}")),
    };
    Ok(Claimed {
        holder_method,
        credential,
        credential_method,
        issuer,
        status,
    })
}

/// The lexical form of a verified value.
fn lexical(v: &ClaimValue) -> String {
    match v {
        ClaimValue::Literal { value, .. } => value.clone(),
        ClaimValue::Node(Node::Iri(i)) => i.clone(),
        ClaimValue::Node(Node::Blank(b)) => format!("_:{b}"),
    }
}

/// The single IRI value of `predicate` on `subject`.
fn single_iri<'a>(claims: &'a VerifiedClaims, subject: &Node, predicate: &str) -> Option<&'a str> {
    match claims.values(subject, predicate).as_slice() {
        [ClaimValue::Node(Node::Iri(i))] => Some(i),
        _ => None,
    }
}

/// The status entry as signed (from the verified statements).
fn signed_status(claims: &VerifiedClaims) -> Result<StatusEntry, String> {
    let cred = claims
        .credential()
        .ok_or("the proof covers no single credential")?;
    let node = match claims.values(cred, vc::CREDENTIAL_STATUS).as_slice() {
        [ClaimValue::Node(n)] => n.clone(),
        [] => return Err("the credential discloses no status entry".into()),
        _ => return Err("the credential has more than one status entry".into()),
    };
    let one = |term: &str| match claims.values(&node, &kyc_iri(term)).as_slice() {
        [v] => Ok(lexical(v)),
        _ => Err(format!("the status entry has no single {term}")),
    };
    let entry = serde_json::json!({
        "type": crate::credential::status::STATUS_TYPE,
        "statusRegistry": one("statusRegistry")?,
        "statusIssuer": one("statusIssuer")?,
        "statusIndex": one("statusIndex")?.parse::<u64>().map_err(|_| "statusIndex is not an integer")?,
    });
    StatusEntry::from_json(&entry).map_err(|e| e.to_string())
}

/// The IRI a requested type name stands for.
fn type_iri(name: &str) -> String {
    if name == "VerifiableCredential" {
        vc::VERIFIABLE_CREDENTIAL.to_owned()
    } else {
        kyc_iri(name)
    }
}

fn parse_time(s: &str, what: &str) -> Result<DateTime, String> {
    DateTime::parse(s).map_err(|e| format!("{what} {s:?}: {e}"))
}

/// Verifies a presentation answering `request` under `policy`, reading the chain through
/// `source` once, spending the request's nonce in `nonces`, at the time `clock` gives.
pub fn verify_presentation(
    bytes: &[u8],
    request: &PresentationRequest,
    policy: &Policy,
    source: &dyn TrustSource,
    nonces: &mut dyn NonceStore,
    clock: &dyn Clock,
) -> Report {
    with_context_policy(&context_policy(), || {
        run(bytes, request, policy, source, nonces, clock)
    })
}

fn run(
    bytes: &[u8],
    request: &PresentationRequest,
    policy: &Policy,
    source: &dyn TrustSource,
    nonces: &mut dyn NonceStore,
    clock: &dyn Clock,
) -> Report {
    let now = clock.now();
    let mut checks = Checks {
        outcomes: Vec::new(),
    };
    let mut report = Report {
        checks: Vec::new(),
        disclosed: Vec::new(),
        hidden: Vec::new(),
        issuer: None,
        holder: None,
        revealed: Vec::new(),
        round_trips: 0,
        retryable: false,
    };
    if now > request.expires_at() {
        checks.fail(
            CheckName::RequestUnexpired,
            format!("the request expired at {}", request.expires_at()),
        );
    } else {
        checks.pass(
            CheckName::RequestUnexpired,
            format!("valid until {}", request.expires_at()),
        );
    }

    // Only what to fetch comes from the JSON.
    let parsed = if bytes.len() > MAX_PRESENTATION_BYTES {
        Err(format!(
            "the presentation is {} bytes; at most {MAX_PRESENTATION_BYTES} are read",
            bytes.len()
        ))
    } else {
        parse_json(bytes).map_err(|e| format!("the presentation is not usable JSON: {e}"))
    };
    let (vp, claimed) = match parsed.and_then(|vp| claimed(&vp).map(|c| (vp, c))) {
        Ok(x) => x,
        Err(reason) => {
            checks.fail(CheckName::PresentationProof, reason.clone());
            report.checks = checks.finish(&reason);
            return report;
        }
    };
    let mut dids: Vec<Did> = claimed.holder_method.iter().map(DidUrl::did).collect();
    dids.push(claimed.credential_method.did());
    if !dids.contains(&claimed.issuer) {
        dids.push(claimed.issuer.clone());
    }
    dids.dedup();
    let lookup = Lookup {
        dids,
        statuses: claimed.status.iter().cloned().collect(),
    };
    let fetched = match source.fetch(&lookup) {
        Ok(f) => f,
        Err(e) => {
            report.retryable = e.is_retryable();
            let reason = format!("could not read the chain: {e}");
            report.checks = checks.finish(&reason);
            return report;
        }
    };
    report.round_trips = fetched.round_trips;
    let keys: &KeySet = &fetched.keys;

    // The two proofs are independent: verify them at once, one on another thread (together
    // they are nearly all of a verification's time; see docs/BENCHMARKS.md). The spawned side
    // runs under the same context policy and at the same instant.
    let binding = di::PresentationBinding {
        challenge: request.nonce.to_string(),
        domain: request.client_id.to_string(),
    };
    let context_policy = crate::jsonld::current_policy();
    let (presentation_result, credential_result) = std::thread::scope(|scope| {
        let credential = &claimed.credential;
        let context_policy = &context_policy;
        let worker = scope.spawn(move || {
            with_context_policy(context_policy, || {
                di::bbs_2023::verify_derived_at(credential, keys, &now)
            })
        });
        let presentation = claimed
            .holder_method
            .as_ref()
            .map(|_| di::verify_presentation_at(&vp, keys, &binding, &now));
        let credential = worker.join().unwrap_or_else(|_| {
            Err(ProofError::Malformed(
                "internal error while verifying the credential proof".into(),
            ))
        });
        (presentation, credential)
    });

    // The holder's proof, when there is one: signature, purpose, challenge = nonce, domain =
    // client_id. Without one, no holder is named (`unsigned_wrapper`) and the derived proof
    // below is what binds the credential to this request.
    match presentation_result {
        Some(Ok(vm)) => {
            report.holder = Did::parse(controller_of(&vm)).ok();
            checks.pass(
                CheckName::PresentationProof,
                format!(
                    "signed by {vm} for nonce {} and domain {}",
                    request.nonce, request.client_id
                ),
            );
        }
        Some(Err(e)) => checks.fail(CheckName::PresentationProof, e.to_string()),
        None => checks.pass(
            CheckName::PresentationProof,
            "not signed: no holder is named (a bearer presentation)",
        ),
    }

    // The credential's derived proof, with keys as the chain lists it now, bound to this
    // verifier and nonce by its presentation header.
    let verified = match credential_result {
        Ok(v) => v,
        Err(e) => {
            let reason = e.to_string();
            if let ProofError::VerificationMethod { .. } = e {
                checks.fail(CheckName::IssuerKeyOnChain, reason.clone());
            }
            checks.fail(CheckName::CredentialProof, reason.clone());
            report.checks = checks.finish("the credential proof did not verify");
            return report;
        }
    };
    if verified.presentation_header == request.presentation_header() {
        checks.pass(
            CheckName::CredentialProof,
            format!(
                "valid bbs-2023 derived proof bound to this request (verifier {}, nonce {})",
                request.client_id, request.nonce
            ),
        );
    } else {
        checks.fail(
            CheckName::CredentialProof,
            "the derived proof was made for another verifier or nonce (its presentation header \
             is not this request's): a relayed or replayed credential",
        );
    }
    let claims = &verified.claims;
    let issuer = verified.issuer.as_deref().map(Did::parse);
    report.issuer = issuer.as_ref().and_then(|r| r.as_ref().ok()).cloned();
    checks.set(
        CheckName::IssuerKeyOnChain,
        if verified.signed_by_issuer() {
            Ok(format!(
                "{} is listed by the issuer under assertionMethod at the chain head",
                verified.verification_method
            ))
        } else {
            Err(format!(
                "signed with {}, which is not a key of the issuer {}",
                verified.verification_method,
                verified.issuer.as_deref().unwrap_or("(none)")
            ))
        },
    );
    checks.set(
        CheckName::TrustedIssuer,
        match &report.issuer {
            Some(i) if policy.trusted_issuers.contains(i) => Ok(format!("{i} is trusted")),
            Some(i) => Err(format!("{i} is not on this verifier's trust list")),
            None => Err("the credential names no valid issuer".into()),
        },
    );

    // A nonce is spent only by an answer whose proofs carry it, from a trusted issuer's key: a
    // damaged, relayed or self-issued file does not use up the request; a replayed valid one is
    // refused.
    let genuine = [
        CheckName::PresentationProof,
        CheckName::CredentialProof,
        CheckName::IssuerKeyOnChain,
        CheckName::TrustedIssuer,
    ];
    if genuine.iter().all(|&c| checks.passed(c)) {
        checks.set(
            CheckName::NonceFresh,
            nonces
                .consume(request, now)
                .map(|()| "first use of a nonce this verifier issued for this request".to_owned())
                .map_err(|e| e.to_string()),
        );
        // What the credential shows, listed once its issuer is known to be trusted (a listing
        // costs work in the size of the document; it is bounded, but need not be spent on
        // anyone's self-issued credential).
        report.revealed = crate::credential::shown::shown(claims);
    } else {
        checks.fail(
            CheckName::NonceFresh,
            "not checked: the answer is not a trusted issuer's credential bound to this request \
             (only a genuine answer spends the nonce)",
        );
    }

    // Status: the entry as signed must be the one fetched, and belong to the issuer.
    let status = signed_status(claims).and_then(|signed| {
        let issuer = report.issuer.as_ref().ok_or("no valid issuer")?;
        if signed.issuer != *issuer {
            return Err(format!(
                "the status entry names {} as its issuer, not {issuer}",
                signed.issuer
            ));
        }
        let position = lookup
            .statuses
            .iter()
            .position(|e| *e == signed)
            .ok_or("the status entry read differs from the one signed")?;
        match fetched.statuses.get(position) {
            Some(Ok(bits)) if bits.revoked => Err(format!(
                "revoked by the issuer (index {} at {})",
                signed.index, signed.registry
            )),
            Some(Ok(bits)) if bits.suspended => Err(format!(
                "suspended by the issuer (index {} at {})",
                signed.index, signed.registry
            )),
            Some(Ok(_)) => Ok(format!(
                "index {} at {}: neither revoked nor suspended",
                signed.index, signed.registry
            )),
            Some(Err(e)) => Err(format!("status could not be read: {e}")),
            None => Err("status was not read".into()),
        }
    });
    checks.set(CheckName::Status, status);

    let (from, until) = claims.validity();
    let validity = (|| {
        let from = parse_time(from.ok_or("the credential has no validFrom")?, "validFrom")?;
        if now < from {
            return Err(format!("not valid before {from} (now {now})"));
        }
        // VCDM 2.0 makes validUntil optional, but absent from a derived credential it may
        // equally have been hidden by the holder (when the issuer did not make it mandatory):
        // the verifier cannot tell, so it requires one. Siegel's issuer always signs it as
        // mandatory (issuer::MANDATORY_POINTERS).
        let until = parse_time(
            until.ok_or("the credential discloses no validUntil")?,
            "validUntil",
        )?;
        if now > until {
            return Err(format!("expired at {until} (now {now})"));
        }
        Ok(format!("valid from {from} until {until}"))
    })();
    checks.set(CheckName::ValidityPeriod, validity);

    let schema_check = (|| {
        let cred = claims.credential().ok_or("no credential node")?;
        let id = single_iri(claims, cred, vc::CREDENTIAL_SCHEMA)
            .ok_or("the credential names no single credentialSchema")?;
        let schema = CredentialSchema::from_id(id)
            .ok_or_else(|| format!("unknown credential schema {id}"))?;
        schema::validate(schema, &claimed.credential).map_err(|e| e.to_string())?;
        Ok(format!("valid against {id}"))
    })();
    checks.set(CheckName::Schema, schema_check);

    // What was disclosed, from the verified statements.
    let subject_claims = claims.subject_claims();
    let mut disclosed: Vec<Disclosed> = subject_claims
        .iter()
        .flat_map(|(iri, values)| {
            values.iter().map(move |v| Disclosed {
                claim: kyc_term(iri).unwrap_or(iri).to_owned(),
                value: lexical(v),
            })
        })
        .collect();
    disclosed.sort_by_key(|d| {
        KYC_CLAIMS
            .iter()
            .position(|c| *c == d.claim)
            .unwrap_or(KYC_CLAIMS.len())
    });
    report.hidden = KYC_CLAIMS
        .iter()
        .filter(|c| !subject_claims.contains_key(kyc_iri(c).as_str()))
        .map(|c| (*c).to_owned())
        .collect();
    report.disclosed = disclosed;

    let requested = request
        .selection()
        .map_err(|e| e.to_string())
        .and_then(|sel| {
            let types = claims.types();
            let missing_types: Vec<&String> = sel
                .types
                .iter()
                .filter(|t| !types.contains(&type_iri(t).as_str()))
                .collect();
            if !missing_types.is_empty() {
                return Err(format!("the credential is not of type {missing_types:?}"));
            }
            let missing: Vec<&String> = sel
                .required
                .iter()
                .filter(|c| !subject_claims.contains_key(kyc_iri(c).as_str()))
                .collect();
            if missing.is_empty() {
                Ok(format!("disclosed {}", sel.required.join(", ")))
            } else {
                Err(format!(
                    "required claims not disclosed: {}",
                    missing
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            }
        });
    checks.set(CheckName::RequestedClaims, requested);

    let binding = holder_binding(
        policy.holder_binding,
        report.holder.as_ref(),
        &claims.subjects(),
    );
    checks.set(CheckName::HolderBinding, binding);

    report.checks = checks.finish("an earlier check failed");
    report
}

/// The holder-binding check under `mode`: `holder` is the DID that signed the presentation
/// (none when unsigned), `subjects` the credential's subjects as its proof verified them.
fn holder_binding(
    mode: HolderBinding,
    holder: Option<&Did>,
    subjects: &[&Node],
) -> Result<String, String> {
    if mode == HolderBinding::NotRequired {
        return Ok("not required by this verifier's policy".to_owned());
    }
    match (subjects, holder) {
        ([], _) => Err("the credential's subject is not disclosed".into()),
        (s, _) if s.iter().all(|n| matches!(n, Node::Blank(_))) => match mode {
            HolderBinding::Required => Err(
                "the credential names no subject (a bearer credential); this verifier requires \
                 holder binding"
                    .into(),
            ),
            _ => Ok(
                "a bearer credential (it names no subject): whoever holds it may present it".into(),
            ),
        },
        ([Node::Iri(id)], Some(h)) if id == h.as_str() => {
            Ok(format!("the credential's subject is the holder {h}"))
        }
        ([Node::Iri(id)], Some(_)) => Err(format!(
            "the credential's subject {id} is not the presenting holder"
        )),
        ([Node::Iri(id)], None) => Err(format!(
            "the credential is issued to {id}, but the presentation is not signed by it"
        )),
        _ => Err("the credential has more than one subject".into()),
    }
}
