//! `verify_cost`: what a presentation costs the verifier (issue 17 item 3). The input is read as
//! a short program that *grows* a real KYC presentation — long arrays of strings, objects,
//! numbers, language strings or node references, deep chains, many keys, long strings, context
//! arrays, embedded contexts, blank nodes alike, complete graphs, proof members — up to about the
//! 1 MiB input cap, so a few bytes of input reach the sizes where cost shows. The result goes
//! through the real entry point, `wallet_core::verify::verify_presentation`, with an in-memory
//! trust source (did:key issuer and holder) and fixed time.
//!
//! Invariants: no panic. And, only when the environment variable `SIEGEL_FUZZ_MAX_CPU_MS` is
//! set, one verification costs at most that many milliseconds of process CPU time — libFuzzer then saves an input that breaks the budget
//! as a crash. The replay test does not set it (timing belongs in the bench, not in tests); the
//! stable driver `verify_cost_slowest` (src/bin) reports the slowest inputs instead.

use std::sync::OnceLock;
use std::time::Duration;

use serde_json::{Map, Value, json};
use wallet_core::bbs::hazmat;
use wallet_core::bbs::hazmat::MockedRng;
use wallet_core::credential::{KYC_CONTEXT, VC_V2_CONTEXT};
use wallet_core::di::bbs_2023::{create_base_proof, derive_mocked};
use wallet_core::di::eddsa_rdfc_2022::ProofOptions;
use wallet_core::di::{Clock, DateTime, PresentationBinding, sign_presentation};
use wallet_core::ledger::{Fetched, KeySet, LedgerError, Lookup, TrustSource};
use wallet_core::request::{ClientId, Nonce, PresentationRequest};
use wallet_core::verify::{HolderBinding, MemoryNonceStore, NonceStore, Policy, TrustList};

use crate::mutate::Reader;

/// The verifier's nonce and domain (the derived proof's presentation header commits to both and
/// to the request).
const NONCE: &str = "siegel-fuzz-nonce-0001";
const DOMAIN: &str = "lender.example";
/// 2026-11-25T12:00:00Z.
const NOW: i64 = 1_795_608_000;
/// Programs longer than this many operations are cut.
const MAX_OPS: usize = 6;
/// Growth stops once the document is about this large (a little over the verifier's cap, so the
/// size check is exercised too).
const BUDGET: usize = wallet_core::jsonld::MAX_DOCUMENT_BYTES + 4096;

/// Fixed time.
struct Fixed;

impl Clock for Fixed {
    fn now(&self) -> DateTime {
        DateTime::from_unix_seconds(NOW)
    }
}

/// did:key resolves offline (`KeySet` resolves it itself); there is no chain and no status.
struct Offline;

impl TrustSource for Offline {
    fn fetch(&self, lookup: &Lookup) -> Result<Fetched, LedgerError> {
        let mut keys = KeySet::new();
        for did in &lookup.dids {
            keys.mark_resolved(did.clone());
        }
        Ok(Fetched {
            keys,
            statuses: lookup
                .statuses
                .iter()
                .map(|_| Err(LedgerError::Unreachable("no chain in this target".into())))
                .collect(),
            round_trips: 0,
        })
    }
}

struct Original {
    presentation: Value,
    request: PresentationRequest,
    issuer: String,
}

fn original() -> &'static Original {
    static O: OnceLock<Original> = OnceLock::new();
    O.get_or_init(make_original)
}

fn make_original() -> Original {
    let fail = |what: &str, e: &dyn std::fmt::Display| -> ! { panic!("setup, {what}: {e}") };
    let (issuer_key, mk, issuer) = crate::fixtures::bbs_issuer();
    let (holder, hk) = crate::fixtures::holder();
    let holder_did = format!("did:key:{hk}");
    let credential = json!({
        "@context": [VC_V2_CONTEXT, KYC_CONTEXT],
        "type": ["VerifiableCredential", "KycAttestation"],
        "issuer": {"id": issuer, "name": "Fuzz bank"},
        "validFrom": "2026-01-01T00:00:00Z",
        "validUntil": "2030-01-01T00:00:00Z",
        "credentialSchema": {
            "id": wallet_core::schema::CredentialSchema::Kyc.id(),
            "type": "JsonSchema"
        },
        "credentialSubject": {
            "id": holder_did,
            "givenName": "Ada",
            "ageOver18": true,
            "incomeBand": "40k-60k"
        }
    });
    let options = ProofOptions {
        verification_method: format!("{issuer}#{mk}"),
        proof_purpose: wallet_core::di::ProofPurpose::AssertionMethod,
        created: Some(DateTime::from_unix_seconds(NOW)),
        challenge: None,
        domain: None,
    };
    let mandatory: Vec<String> = ["/issuer", "/validFrom", "/validUntil", "/credentialSchema"]
        .map(String::from)
        .to_vec();
    let signed = create_base_proof(&credential, &issuer_key, &[7; 32], &mandatory, &options)
        .unwrap_or_else(|e| fail("issue", &e));
    let mut request = PresentationRequest::new(
        ClientId::parse(DOMAIN).unwrap_or_else(|e| fail("client id", &e)),
        &["VerifiableCredential", "KycAttestation"],
        &["ageOver18", "incomeBand"],
        &[],
        DateTime::from_unix_seconds(NOW + 3600),
    )
    .unwrap_or_else(|e| fail("request", &e));
    request.nonce = Nonce::parse(NONCE).unwrap_or_else(|e| fail("nonce", &e));
    let dst = hazmat::map_message_dst::<wallet_core::bbs::Bls12381Sha256>();
    let derived = derive_mocked(
        &signed,
        &[
            "/credentialSubject/id".into(),
            "/credentialSubject/givenName".into(),
            "/credentialSubject/ageOver18".into(),
            "/credentialSubject/incomeBand".into(),
        ],
        &request.presentation_header(),
        MockedRng {
            seed: b"siegel fuzz seed",
            dst: &dst,
        },
    )
    .unwrap_or_else(|e| fail("derive", &e));
    let vp = json!({
        "@context": [VC_V2_CONTEXT],
        "type": ["VerifiablePresentation"],
        "holder": holder_did,
        "verifiableCredential": [derived],
    });
    let presentation = sign_presentation(
        &vp,
        &holder,
        &format!("{holder_did}#{hk}"),
        DateTime::from_unix_seconds(NOW),
        &PresentationBinding {
            challenge: NONCE.into(),
            domain: DOMAIN.into(),
        },
    )
    .unwrap_or_else(|e| fail("sign presentation", &e));
    Original {
        presentation,
        request,
        issuer,
    }
}

/// The process CPU time the verifier takes on `bytes`.
fn verify(bytes: &[u8]) -> Duration {
    let o = original();
    let mut trusted_issuers = TrustList::default();
    if let Ok(did) = wallet_core::did::Did::parse(&o.issuer) {
        trusted_issuers.add(did);
    }
    let policy = Policy {
        trusted_issuers,
        holder_binding: HolderBinding::Required,
    };
    let mut nonces = MemoryNonceStore::default();
    let _ = nonces.issue(&o.request);
    let start = cpu_time::ProcessTime::now();
    let report = wallet_core::verify::verify_presentation(
        bytes,
        &o.request,
        &policy,
        &Offline,
        &mut nonces,
        &Fixed,
    );
    let cpu = start.elapsed();
    drop(report);
    cpu
}

/// The presentation the program `data` grows (see the module documentation), as bytes.
pub fn grow(data: &[u8]) -> Vec<u8> {
    let mut vp = original().presentation.clone();
    let mut r = Reader::new(data);
    for _ in 0..MAX_OPS {
        if r.is_empty() {
            break;
        }
        op(&mut vp, &mut r);
    }
    serde_json::to_vec(&vp).unwrap_or_default()
}

/// Where an operation puts what it grows.
const PLACES: [&str; 9] = [
    "/verifiableCredential/0/credentialSubject/givenName",
    "/verifiableCredential/0/credentialSubject/extra",
    "/verifiableCredential/0/type",
    "/@context",
    "/verifiableCredential/0/@context",
    "/proof/extra",
    "/verifiableCredential/0/proof/proofValue",
    "/holder",
    "/verifiableCredential/0/credentialSubject/group/items",
];

fn op(vp: &mut Value, r: &mut Reader<'_>) {
    let kind = r.u8() % 13;
    let place = PLACES[usize::from(r.u8()) % PLACES.len()];
    // How many: a power of two up to 2^17 (131,072), so a byte reaches every scale.
    let n = 1usize << (r.u8() % 18);
    let width = usize::from(r.u8() % 64) + 1;
    let size = serde_json::to_vec(&*vp).map_or(BUDGET, |b| b.len());
    let room = BUDGET.saturating_sub(size);
    let tag = r.u8();
    let value = match kind {
        0 => array(n, room, |i| json!(format!("{tag}-{i:0width$}"))),
        1 => array(n, room, |i| {
            let m: Map<String, Value> = (0..width.min(8))
                .map(|k| (format!("k{k}"), json!(format!("{i}.{k}"))))
                .collect();
            Value::Object(m)
        }),
        2 => array(n, room, |i| {
            (0..width).fold(
                json!(format!("leaf {i}")),
                |v, d| json!({ format!("d{d}"): v }),
            )
        }),
        3 => json!("x".repeat(room.min(n.saturating_mul(width)))),
        4 => {
            let m: Map<String, Value> = (0..n.min(room / 12))
                .map(|i| (format!("k{tag}{i}"), json!(i)))
                .collect();
            Value::Object(m)
        }
        5 => array(n, room, |i| {
            json!(if i % 2 == 0 {
                VC_V2_CONTEXT
            } else {
                KYC_CONTEXT
            })
        }),
        6 => {
            let urls: Vec<Value> = (0..width)
                .map(|i| {
                    json!(if i % 2 == 0 {
                        VC_V2_CONTEXT
                    } else {
                        KYC_CONTEXT
                    })
                })
                .collect();
            array(
                n,
                room,
                |i| json!({"@context": urls, "givenName": format!("c{i}")}),
            )
        }
        7 => array(n, room, |i| json!({"id": format!("_:b{i}"), "n": "same"})),
        8 => array(
            n,
            room,
            |i| json!({"@value": format!("l{i}"), "@language": format!("en-x{}", tag % 8)}),
        ),
        9 => array(n, room, |i| {
            json!(f64::from(u32::try_from(i).unwrap_or(u32::MAX)) * 1.000_001 + f64::from(tag))
        }),
        10 => array(n, room, |i| json!({"id": format!("urn:x:{tag}:{i}")})),
        11 => {
            // A repeat: the first item again, at the end.
            if let Some(Value::Array(items)) = vp.pointer_mut(place)
                && let Some(first) = items.first().cloned()
            {
                items.push(first);
            }
            return;
        }
        _ => {
            let nodes = 2 + usize::from(tag % 7);
            let others: Vec<Value> = (1..nodes)
                .map(|i| {
                    let links: Vec<Value> = (0..nodes)
                        .filter(|&j| j != i)
                        .map(|j| json!({"id": format!("_:n{j}")}))
                        .collect();
                    json!({"id": format!("_:n{i}"), "p": links})
                })
                .collect();
            json!({"id": "_:n0", "p": others})
        }
    };
    put(vp, place, value);
}

/// `item(0), item(1), …`: `n` of them, fewer if their JSON would exceed `room` bytes.
fn array(n: usize, room: usize, item: impl Fn(usize) -> Value) -> Value {
    let mut used = 0;
    let mut items = Vec::new();
    for i in 0..n {
        let next = item(i);
        used += serde_json::to_vec(&next).map_or(room, |b| b.len() + 1);
        if used > room {
            break;
        }
        items.push(next);
    }
    Value::Array(items)
}

/// Sets the member at `pointer`, creating objects on the way (an array index that does not
/// exist, or a scalar on the way, leaves the document as it is).
fn put(doc: &mut Value, pointer: &str, value: Value) {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return;
    };
    let mut at = doc;
    for token in parent.split('/').skip(1) {
        at = match at {
            Value::Object(m) => m.entry(token).or_insert_with(|| json!({})),
            Value::Array(a) => match token.parse::<usize>().ok().and_then(|i| a.get_mut(i)) {
                Some(v) => v,
                None => return,
            },
            _ => return,
        };
    }
    if let Value::Object(m) = at {
        m.insert(last.to_owned(), value);
    }
}

/// The most CPU time one verification may take, from `SIEGEL_FUZZ_MAX_CPU_MS`.
fn budget() -> Option<Duration> {
    static B: OnceLock<Option<Duration>> = OnceLock::new();
    *B.get_or_init(|| {
        std::env::var("SIEGEL_FUZZ_MAX_CPU_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .map(Duration::from_millis)
    })
}

/// The CPU time one verification of the presentation `data` grows (see [`grow`]) takes.
pub fn verify_cost_of(data: &[u8]) -> Duration {
    verify(&grow(data))
}

/// The target: [`verify_cost_of`], with the CPU budget of `SIEGEL_FUZZ_MAX_CPU_MS` if set.
pub fn verify_cost(data: &[u8]) {
    let cpu = verify_cost_of(data);
    if let Some(limit) = budget()
        && cpu > limit
    {
        panic!(
            "one verification took {:.1} ms of CPU (budget {} ms)",
            cpu.as_secs_f64() * 1e3,
            limit.as_millis()
        );
    }
}
