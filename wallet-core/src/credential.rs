//! Credentials as typed values: what an issuer builds and signs, what a holder stores, and what
//! a presentation carries.
//!
//! The vocabulary of the KYC attestation lives in its bundled context
//! (`schemas/kyc-attestation/context.jsonld`); the constants here name its IRIs so that code
//! reads claims from verified statements by IRI, never by JSON member name.

pub mod shown;
pub mod status;

/// The KYC context URL (an identifier; the bundled copy is authoritative, never fetched).
pub const KYC_CONTEXT: &str = "https://contexts.siegel.example/kyc/v1";
/// The VC Data Model 2.0 context URL.
pub const VC_V2_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";
/// The KYC vocabulary base IRI.
pub const KYC_VOCAB: &str = "https://contexts.siegel.example/kyc#";
/// The KYC credential type.
pub const KYC_TYPE: &str = "KycAttestation";
/// The subject claims of a KYC attestation, in display order.
pub const KYC_CLAIMS: [&str; 11] = [
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

/// The IRI of a KYC vocabulary term.
pub fn kyc_iri(term: &str) -> String {
    format!("{KYC_VOCAB}{term}")
}

/// The KYC term of an IRI of the KYC vocabulary.
pub fn kyc_term(iri: &str) -> Option<&str> {
    iri.strip_prefix(KYC_VOCAB)
}

/// The contexts a Siegel credential or presentation may use: VC 2.0 and the KYC context (both
/// bundled). Holders check received credentials and verifiers check presentations under it.
pub(crate) fn context_policy() -> crate::jsonld::ContextPolicy {
    // `only` fails only for unbundled URLs; both are bundled, and the fallback is the (wider,
    // still bundled-only) default rather than failing open.
    crate::jsonld::ContextPolicy::only([VC_V2_CONTEXT, KYC_CONTEXT]).unwrap_or_default()
}

/// The format label the vault stores bbs-2023 base credentials under.
pub const FORMAT_BBS_2023: &str = "vc+bbs-2023";
