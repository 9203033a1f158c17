//! The KYC attestation: its JSON Schema (`schemas/kyc-attestation/schema.json`) through
//! `wallet_core::schema`, and its JSON-LD context (`schemas/kyc-attestation/context.jsonld`,
//! bundled as `https://contexts.siegel.example/kyc/v1`) through `wallet_core::jsonld`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::collections::BTreeSet;

use proptest::prelude::*;
use serde_json::{Value, json};
use wallet_core::bbs::{Bls12381Sha256, SecretKey};
use wallet_core::di::bbs_2023;
use wallet_core::di::eddsa_rdfc_2022::ProofOptions;
use wallet_core::jsonld::{self, JsonLdError};
use wallet_core::schema::{self, CredentialSchema, SchemaError, Violation};

const KYC: CredentialSchema = CredentialSchema::Kyc;
const VOCAB: &str = "https://contexts.siegel.example/kyc#";
/// Every claim a KYC attestation's subject may carry, besides `id`.
const CLAIMS: [&str; 11] = [
    "givenName",
    "familyName",
    "birthDate",
    "ageOver18",
    "ageOver21",
    "nationality",
    "countryOfResidence",
    "incomeBand",
    "kycLevel",
    "documentType",
    "verifiedAt",
];

fn folder() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas/kyc-attestation")
}

fn example(name: &str) -> Value {
    let path = folder().join("examples").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn full() -> Value {
    example("full.json")
}

/// The violations of `document`, or none.
fn violations(document: &Value) -> Vec<Violation> {
    match schema::validate(KYC, document) {
        Ok(()) => Vec::new(),
        Err(SchemaError::Invalid { schema, violations }) => {
            assert_eq!(schema, KYC);
            assert!(!violations.is_empty());
            violations
        }
        Err(e) => panic!("unexpected error {e:?}"),
    }
}

fn one(pointer: &str, reason: &str) -> Vec<Violation> {
    vec![Violation {
        pointer: pointer.into(),
        reason: reason.into(),
    }]
}

/// The example with the member at `pointer` replaced or added.
fn with(pointer: &str, value: Value) -> Value {
    let mut doc = full();
    let (parent, name) = pointer.rsplit_once('/').unwrap();
    let target = doc
        .pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .unwrap_or_else(|| panic!("{parent} is not an object in the example"));
    target.insert(name.replace("~1", "/").replace("~0", "~"), value);
    doc
}

fn without(parent: &str, member: &str) -> Value {
    let mut doc = full();
    doc.pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .unwrap()
        .remove(member)
        .unwrap_or_else(|| panic!("{parent}/{member} not in the example"));
    doc
}

#[test]
fn the_examples_validate() {
    for name in ["full.json", "disclosed.json"] {
        assert_eq!(violations(&example(name)), [], "examples/{name}");
    }
    // The disclosed example is what its name says: fewer claims, and a derived proof.
    let disclosed = example("disclosed.json");
    let subject = disclosed["credentialSubject"].as_object().unwrap();
    assert!(subject.len() < full()["credentialSubject"].as_object().unwrap().len());
    assert_eq!(disclosed["proof"]["cryptosuite"], "bbs-2023");
}

#[test]
fn the_schema_names_agree_with_the_bundled_documents() {
    let doc: Value = serde_json::from_str(KYC.document()).unwrap();
    assert_eq!(doc["$id"], KYC.id());
    assert_eq!(
        doc["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(CredentialSchema::from_id(KYC.id()), Some(KYC));
    assert_eq!(
        CredentialSchema::from_id("https://example.com/schema.json"),
        None
    );
    assert_eq!(CredentialSchema::from_name("kyc"), Some(KYC));
    assert_eq!(CredentialSchema::from_name("KYC"), None);
    assert_eq!(KYC.context_url(), "https://contexts.siegel.example/kyc/v1");
    assert_eq!(KYC.credential_type(), "KycAttestation");
    assert!(jsonld::bundled_context(KYC.context_url()).is_some());
    // The example names the schema and the context the way the API does.
    let ex = full();
    assert_eq!(ex["credentialSchema"]["id"], KYC.id());
    assert_eq!(ex["@context"][1], KYC.context_url());
    assert_eq!(ex["type"][1], KYC.credential_type());
}

#[test]
fn the_context_and_its_bundled_copy_are_byte_identical() {
    let ours = std::fs::read(folder().join("context.jsonld")).unwrap();
    let bundled = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../assets/contexts/contexts.siegel.example_kyc_v1.jsonld"),
    )
    .unwrap();
    assert!(
        ours == bundled,
        "schemas/kyc-attestation/context.jsonld differs from assets/contexts/"
    );
    assert_eq!(
        jsonld::bundled_context(KYC.context_url()).map(str::as_bytes),
        Some(&ours[..])
    );
}

#[test]
fn each_claim_with_a_wrong_value_is_named_by_its_pointer() {
    let cases: &[(&str, Value, &str)] = &[
        ("givenName", json!(42), "42 is not a string"),
        (
            "givenName",
            json!(""),
            r#""" is shorter than 1 character(s)"#,
        ),
        (
            "familyName",
            json!(["Lovelace"]),
            r#"["Lovelace"] is not a string"#,
        ),
        (
            "birthDate",
            json!("1990-13-01"),
            r#""1990-13-01" is not a valid date (YYYY-MM-DD)"#,
        ),
        (
            "birthDate",
            json!("10.12.1990"),
            r#""10.12.1990" is not a valid date (YYYY-MM-DD)"#,
        ),
        ("birthDate", json!(19901210), "19901210 is not a string"),
        ("ageOver18", json!("true"), r#""true" is not true or false"#),
        ("ageOver21", json!(1), "1 is not true or false"),
        (
            "nationality",
            json!("gb"),
            r#""gb" is not an ISO 3166-1 alpha-2 country code (two capital letters, e.g. DE)"#,
        ),
        (
            "countryOfResidence",
            json!("DEU"),
            r#""DEU" is not an ISO 3166-1 alpha-2 country code (two capital letters, e.g. DE)"#,
        ),
        (
            "incomeBand",
            json!("B"),
            r#""B" is not one of "under-20k", "20k-40k", "40k-60k", "60k-100k", "over-100k""#,
        ),
        (
            "kycLevel",
            json!("full"),
            r#""full" is not one of "basic", "standard", "enhanced""#,
        ),
        (
            "documentType",
            json!("driving-license"),
            r#""driving-license" is not one of "passport", "national-id", "driving-licence", "residence-permit""#,
        ),
        (
            "verifiedAt",
            json!("2026-11-25T14:30:00"),
            r#""2026-11-25T14:30:00" is not a valid date and time with a time zone (RFC 3339, e.g. 2026-11-26T00:00:00Z)"#,
        ),
        (
            "verifiedAt",
            json!("2026-11-25"),
            r#""2026-11-25" is not a valid date and time with a time zone (RFC 3339, e.g. 2026-11-26T00:00:00Z)"#,
        ),
        ("id", json!("Ada"), r#""Ada" is not a DID (the holder's)"#),
    ];
    for (claim, value, reason) in cases {
        let pointer = format!("/credentialSubject/{claim}");
        let doc = with(&pointer, value.clone());
        assert_eq!(violations(&doc), one(&pointer, reason), "{claim} = {value}");
        // The issuer's check of the claims file reports the same, relative to the subject.
        assert_eq!(
            schema::validate_claims(KYC, &doc["credentialSubject"]),
            Err(SchemaError::Invalid {
                schema: KYC,
                violations: one(&format!("/{claim}"), reason)
            }),
            "claims file: {claim} = {value}"
        );
    }
}

#[test]
fn a_violation_reads_as_pointer_and_reason() {
    let doc = with("/credentialSubject/birthDate", json!("1990-13-01"));
    let err = schema::validate(KYC, &doc).unwrap_err();
    assert_eq!(
        err.violations()[0].to_string(),
        r#"/credentialSubject/birthDate: "1990-13-01" is not a valid date (YYYY-MM-DD)"#
    );
    assert_eq!(
        err.to_string(),
        r#"the KYC attestation does not follow the kyc schema: /credentialSubject/birthDate: "1990-13-01" is not a valid date (YYYY-MM-DD)"#
    );
}

#[test]
fn every_violation_is_listed() {
    let mut doc = full();
    doc["credentialSubject"]["birthDate"] = json!("1990-02-30");
    doc["credentialSubject"]["incomeBand"] = json!("40-60k");
    doc["credentialSubject"]["ageOver18"] = json!(null);
    doc["credentialSubject"]["email"] = json!("ada@example.com");
    doc.as_object_mut().unwrap().remove("validFrom");
    let pointers: Vec<String> = violations(&doc).into_iter().map(|v| v.pointer).collect();
    assert_eq!(
        pointers,
        [
            "/credentialSubject/ageOver18",
            "/credentialSubject/birthDate",
            "/credentialSubject/email",
            "/credentialSubject/incomeBand",
            "/validFrom",
        ]
    );
}

#[test]
fn an_unknown_subject_claim_is_refused() {
    let doc = with("/credentialSubject/ssn", json!("078-05-1120"));
    let reason = "is not a field of this credential type (unknown claims are refused)";
    assert_eq!(violations(&doc), one("/credentialSubject/ssn", reason));
    assert_eq!(
        schema::validate_claims(KYC, &json!({"ageOver18": true, "name": "Ada"})),
        Err(SchemaError::Invalid {
            schema: KYC,
            violations: one("/name", reason)
        })
    );
    // JSON-pointer escaping of the member's name (RFC 6901 § 3).
    let doc = with("/credentialSubject/a~b", json!(1));
    assert_eq!(violations(&doc)[0].pointer, "/credentialSubject/a~0b");
}

#[test]
fn each_envelope_member_is_required() {
    for member in [
        "@context",
        "type",
        "issuer",
        "validFrom",
        "credentialSchema",
        "credentialStatus",
    ] {
        assert_eq!(
            violations(&without("", member)),
            one(&format!("/{member}"), "is required but missing"),
            "{member}"
        );
    }
    for member in ["type", "statusRegistry", "statusIssuer", "statusIndex"] {
        assert_eq!(
            violations(&without("/credentialStatus", member)),
            one(
                &format!("/credentialStatus/{member}"),
                "is required but missing"
            ),
            "{member}"
        );
    }
    // validUntil and the subject's id are optional.
    assert_eq!(violations(&without("", "validUntil")), []);
    assert_eq!(violations(&without("/credentialSubject", "id")), []);
}

#[test]
fn the_envelope_is_checked() {
    let cases: &[(&str, Value, &str, &str)] = &[
        (
            "/@context",
            json!([KYC.context_url(), KYC.context_url()]),
            "/@context/0",
            r#""https://contexts.siegel.example/kyc/v1" must be "https://www.w3.org/ns/credentials/v2""#,
        ),
        (
            "/@context",
            json!(["https://www.w3.org/ns/credentials/v2"]),
            "/@context",
            "must have at least 2 entries",
        ),
        (
            "/@context",
            json!([
                "https://www.w3.org/ns/credentials/v2",
                KYC.context_url(),
                "https://www.w3.org/ns/credentials/examples/v2"
            ]),
            "/@context/2",
            "is not allowed here",
        ),
        (
            "/type",
            json!(["VerifiableCredential"]),
            "/type",
            r#"must list KycAttestation"#,
        ),
        (
            "/type",
            json!("KycAttestation"),
            "/type",
            r#""KycAttestation" is not a list"#,
        ),
        (
            "/issuer",
            json!("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"),
            "/issuer",
            r#""did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK" is not a did:ethr DID (an Ethereum address or public key, optionally after a network name or hex chain id)"#,
        ),
        (
            "/issuer",
            json!({"id": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "name": "Bank"}),
            "/issuer/id",
            r#""did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK" is not a did:ethr DID (an Ethereum address or public key, optionally after a network name or hex chain id)"#,
        ),
        (
            "/issuer",
            json!({"id": "did:ethr:0x539:0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"}),
            "/issuer/name",
            "is required but missing",
        ),
        (
            "/issuer",
            json!({"id": "did:ethr:0x539:0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266", "name": "Bank", "url": "https://bank.example"}),
            "/issuer/url",
            "is not allowed here",
        ),
        (
            "/validFrom",
            json!("2026-11-26"),
            "/validFrom",
            r#""2026-11-26" is not a valid date and time with a time zone (RFC 3339, e.g. 2026-11-26T00:00:00Z)"#,
        ),
        (
            "/credentialSchema/id",
            json!("https://example.com/other.json"),
            "/credentialSchema/id",
            r#""https://example.com/other.json" must be "https://contexts.siegel.example/kyc/v1/schema.json""#,
        ),
        (
            "/credentialSchema/type",
            json!("JsonSchemaCredential"),
            "/credentialSchema/type",
            r#""JsonSchemaCredential" must be "JsonSchema""#,
        ),
        (
            "/credentialStatus/type",
            json!("BitstringStatusListEntry"),
            "/credentialStatus/type",
            r#""BitstringStatusListEntry" must be "SiegelChainStatus""#,
        ),
        (
            "/credentialStatus/statusRegistry",
            json!("eip155:1337:0x5FbDB2315678afecb367f032d93F642f64180aa3"),
            "/credentialStatus/statusRegistry",
            r#""eip155:1337:0x5FbDB2315678afecb367f032d93F642f64180aa3" is not a CAIP-10 account id of the status contract: eip155:<decimal chain id>:0x<40 lowercase hex digits>"#,
        ),
        (
            "/credentialStatus/statusRegistry",
            json!("eip155:0x539:0x5fbdb2315678afecb367f032d93f642f64180aa3"),
            "/credentialStatus/statusRegistry",
            r#""eip155:0x539:0x5fbdb2315678afecb367f032d93f642f64180aa3" is not a CAIP-10 account id of the status contract: eip155:<decimal chain id>:0x<40 lowercase hex digits>"#,
        ),
        (
            "/credentialStatus/statusIndex",
            json!(-1),
            "/credentialStatus/statusIndex",
            "-1 is less than 0",
        ),
        (
            "/credentialStatus/statusIndex",
            json!(9_007_199_254_740_992_u64),
            "/credentialStatus/statusIndex",
            "9007199254740992 is greater than 9007199254740991",
        ),
        (
            "/credentialStatus/statusIndex",
            json!("7"),
            "/credentialStatus/statusIndex",
            r#""7" is not a whole number"#,
        ),
        (
            "/credentialStatus/statusIndex",
            json!(7.5),
            "/credentialStatus/statusIndex",
            "7.5 is not a whole number",
        ),
        (
            "/credentialSubject",
            json!("did:ethr:0x539:0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"),
            "/credentialSubject",
            r#""did:ethr:0x539:0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266" is not an object"#,
        ),
        (
            "/proof",
            json!("z..."),
            "/proof",
            r#""z..." is not a list or an object"#,
        ),
    ];
    for (at, value, pointer, reason) in cases {
        assert_eq!(
            violations(&with(at, value.clone())),
            one(pointer, reason),
            "{at} = {value}"
        );
    }
    // The largest index a JSON number carries exactly still validates.
    assert_eq!(
        violations(&with(
            "/credentialStatus/statusIndex",
            json!(9_007_199_254_740_991_u64)
        )),
        []
    );
    // An unknown member of the envelope or the status entry is refused too.
    assert_eq!(
        violations(&with(
            "/credentialStatus/statusPurpose",
            json!("revocation")
        )),
        one("/credentialStatus/statusPurpose", "is not allowed here")
    );
    assert_eq!(
        violations(&with("/name", json!("KYC"))),
        one(
            "/name",
            "is not a field of this credential type (unknown claims are refused)"
        )
    );
    // Not an object at all.
    assert_eq!(violations(&json!([1])), one("", "[1] is not an object"));
}

#[test]
fn the_claims_file_must_be_an_object() {
    assert_eq!(
        schema::validate_claims(KYC, &json!(["ageOver18"])),
        Err(SchemaError::Invalid {
            schema: KYC,
            violations: one("", r#"["ageOver18"] is not an object"#)
        })
    );
    assert_eq!(schema::validate_claims(KYC, &json!({})), Ok(()));
    assert_eq!(
        schema::validate_claims(KYC, &full()["credentialSubject"]),
        Ok(())
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A disclosed copy may hold any subset of the claims, with or without the subject's id.
    #[test]
    fn any_subset_of_claims_validates(mask in 0u16..(1 << CLAIMS.len()), keep_id: bool) {
        let mut doc = full();
        let subject = doc["credentialSubject"].as_object_mut().unwrap();
        for (i, claim) in CLAIMS.iter().enumerate() {
            if mask & (1 << i) == 0 {
                subject.remove(*claim);
            }
        }
        if !keep_id {
            subject.remove("id");
        }
        let claims = Value::Object(subject.clone());
        prop_assert_eq!(schema::validate(KYC, &doc), Ok(()));
        prop_assert_eq!(schema::validate_claims(KYC, &claims), Ok(()));
    }
}

/// The predicate IRIs of the quads.
fn predicates(quads: &[oxrdf::Quad]) -> BTreeSet<String> {
    quads
        .iter()
        .map(|q| q.predicate.as_str().to_owned())
        .collect()
}

#[test]
fn the_example_converts_to_rdf_with_every_term_defined() {
    // Safe mode (the default policy) refuses any member that expansion would drop, so a
    // conversion without error means the context defines every term the example uses.
    let quads = jsonld::to_quads(&full()).unwrap();
    let lines: BTreeSet<String> = quads.iter().map(|q| format!("{q} .")).collect();
    let predicates = predicates(&quads);
    for claim in CLAIMS {
        assert!(
            predicates.contains(&format!("{VOCAB}{claim}")),
            "no quad for {claim}"
        );
    }
    for term in ["statusRegistry", "statusIssuer", "statusIndex"] {
        assert!(
            predicates.contains(&format!("{VOCAB}{term}")),
            "no quad for {term}"
        );
    }
    let subject = "<did:ethr:0x539:0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266>";
    let xsd = "http://www.w3.org/2001/XMLSchema#";
    for expected in [
        format!(r#"{subject} <{VOCAB}givenName> "Ada" ."#),
        format!(r#"{subject} <{VOCAB}birthDate> "1990-12-10"^^<{xsd}date> ."#),
        format!(r#"{subject} <{VOCAB}ageOver18> "true"^^<{xsd}boolean> ."#),
        format!(r#"{subject} <{VOCAB}nationality> "GB" ."#),
        format!(r#"{subject} <{VOCAB}incomeBand> "40k-60k" ."#),
        format!(r#"{subject} <{VOCAB}verifiedAt> "2026-11-25T14:30:00Z"^^<{xsd}dateTime> ."#),
    ] {
        assert!(
            lines.contains(&expected),
            "missing {expected}\nin {lines:#?}"
        );
    }
    // The status entry: a blank node typed SiegelChainStatus, the issuer an IRI, the index an
    // xsd:integer, the registry a plain string.
    let typed =
        format!("<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{VOCAB}SiegelChainStatus> .");
    let node = lines
        .iter()
        .find_map(|l| l.strip_suffix(&typed))
        .expect("a SiegelChainStatus node");
    assert!(node.starts_with("_:"), "{node}");
    let status: Vec<&String> = lines.iter().filter(|l| l.starts_with(node)).collect();
    let suffixes: BTreeSet<&str> = status
        .iter()
        .map(|l| l.split_once(' ').unwrap().1)
        .collect();
    assert_eq!(
        suffixes,
        BTreeSet::from([
            "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://contexts.siegel.example/kyc#SiegelChainStatus> .",
            "<https://contexts.siegel.example/kyc#statusIndex> \"7\"^^<http://www.w3.org/2001/XMLSchema#integer> .",
            "<https://contexts.siegel.example/kyc#statusIssuer> <did:ethr:0x539:0x8ba1f109551bd432803012645ac136ddd64dba72> .",
            "<https://contexts.siegel.example/kyc#statusRegistry> \"eip155:1337:0x5fbdb2315678afecb367f032d93f642f64180aa3\" .",
        ]),
        "{status:#?}"
    );
    // The credential is typed KycAttestation and names its schema (JsonSchema, from VC 2.0).
    assert!(lines.iter().any(|l| l.ends_with(&format!(
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{VOCAB}KycAttestation> ."
    ))));
    assert!(lines.contains(
        "<https://contexts.siegel.example/kyc/v1/schema.json> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://www.w3.org/2018/credentials#JsonSchema> ."
    ));
}

#[test]
fn the_status_terms_exist_only_inside_the_status_entry() {
    // Scoped to the SiegelChainStatus type: elsewhere they are undefined and safe mode refuses
    // them instead of dropping them.
    let doc = with("/credentialSubject/statusIndex", json!(7));
    assert!(
        matches!(
            jsonld::to_quads(&doc),
            Err(JsonLdError::Dropped { ref path, .. }) if path == "/credentialSubject/statusIndex"
        ),
        "{:?}",
        jsonld::to_quads(&doc)
    );
}

#[test]
fn a_derived_credential_with_age_and_income_validates() {
    let key = SecretKey::generate::<Bls12381Sha256>().unwrap();
    let issuer = full()["issuer"].as_str().unwrap().to_owned();
    let mandatory: Vec<String> = [
        "/issuer",
        "/validFrom",
        "/validUntil",
        "/credentialSchema",
        "/credentialStatus",
    ]
    .map(String::from)
    .to_vec();
    let signed = bbs_2023::issue(
        &full(),
        &key,
        &mandatory,
        &ProofOptions {
            verification_method: format!("{issuer}#bbs"),
            proof_purpose: wallet_core::di::ProofPurpose::AssertionMethod,
            created: Some("2026-11-26T00:00:00Z".parse().unwrap()),
            challenge: None,
            domain: None,
        },
    )
    .unwrap();
    assert_eq!(violations(&signed), []);
    let derived = bbs_2023::derive(
        &signed,
        &[
            "/credentialSubject/ageOver18".into(),
            "/credentialSubject/incomeBand".into(),
        ],
        b"nonce",
    )
    .unwrap();
    assert_eq!(violations(&derived), []);
    // Only the two claims and the subject's id remain: the selection keeps the `id` of every
    // object on a disclosed path (`wallet_core::di::json_pointer`).
    let subject: BTreeSet<&str> = derived["credentialSubject"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(subject, BTreeSet::from(["id", "ageOver18", "incomeBand"]));
    assert_eq!(derived["credentialStatus"], full()["credentialStatus"]);
}
