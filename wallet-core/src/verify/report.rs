//! The verification report: every check by name, passed or failed with a reason, and what the
//! verifier learned.

use serde::Serialize;

use crate::did::Did;

/// The checks of a presentation verification, in the order they are reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckName {
    /// The request has not expired.
    RequestUnexpired,
    /// The holder's presentation proof is valid and bound to the request's nonce and domain.
    PresentationProof,
    /// The nonce was issued by this verifier, is unexpired and was not used before.
    NonceFresh,
    /// The credential's derived bbs-2023 proof is valid and bound to the nonce.
    CredentialProof,
    /// The credential's key is listed by the issuer's DID on the chain under assertionMethod,
    /// and the issuer DID is the one that signed.
    IssuerKeyOnChain,
    /// The issuer is on the verifier's trust list.
    TrustedIssuer,
    /// Not revoked and not suspended, as the chain says now.
    Status,
    /// `validFrom ≤ now ≤ validUntil`.
    ValidityPeriod,
    /// The disclosed claims are valid against the credential's schema.
    Schema,
    /// Every required claim is disclosed, and the credential has the requested types.
    RequestedClaims,
    /// Holder binding per the verifier's policy.
    HolderBinding,
}

impl CheckName {
    /// All checks, in report order.
    pub const ALL: [CheckName; 11] = [
        Self::RequestUnexpired,
        Self::PresentationProof,
        Self::NonceFresh,
        Self::CredentialProof,
        Self::IssuerKeyOnChain,
        Self::TrustedIssuer,
        Self::Status,
        Self::ValidityPeriod,
        Self::Schema,
        Self::RequestedClaims,
        Self::HolderBinding,
    ];

    /// A short plain-language title.
    pub fn title(self) -> &'static str {
        match self {
            Self::RequestUnexpired => "request still valid",
            Self::PresentationProof => "holder's signature, nonce and domain",
            Self::NonceFresh => "nonce issued here and not used before",
            Self::CredentialProof => "credential proof (bbs-2023)",
            Self::IssuerKeyOnChain => "issuer key listed on the chain",
            Self::TrustedIssuer => "issuer on the trust list",
            Self::Status => "not revoked, not suspended",
            Self::ValidityPeriod => "within its validity period",
            Self::Schema => "claims valid against the schema",
            Self::RequestedClaims => "every requested claim disclosed",
            Self::HolderBinding => "holder binding",
        }
    }
}

/// The result of one check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "result", content = "detail", rename_all = "kebab-case")]
pub enum Outcome {
    /// Passed; the detail says what was established.
    Passed(String),
    /// Failed, with the reason.
    Failed(String),
}

/// One named check and its outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Which check.
    pub name: CheckName,
    /// Its outcome.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// A disclosed claim as the proof verified it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Disclosed {
    /// The claim's term (`ageOver18`), or its IRI when it is not a KYC term.
    pub claim: String,
    /// Its value in lexical form (`true`, `40k-60k`).
    pub value: String,
}

/// What a verification found. Valid only when every check passed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Every check, in [`CheckName::ALL`] order.
    pub checks: Vec<Check>,
    /// The subject claims the credential proof verified (empty unless it verified).
    pub disclosed: Vec<Disclosed>,
    /// KYC claims the presentation did not disclose.
    pub hidden: Vec<String>,
    /// The issuer, as signed.
    pub issuer: Option<Did>,
    /// The holder (the presentation signer's DID; none for an unsigned presentation).
    pub holder: Option<Did>,
    /// Everything the credential proof verified, by path from the credential (empty unless it
    /// verified): the disclosed claims and what every presentation of it shows.
    pub revealed: Vec<crate::credential::shown::Shown>,
    /// Chain round trips the verification made.
    pub round_trips: u64,
    /// The chain could not be reached: the failure may go away on retry.
    pub retryable: bool,
}

impl Report {
    /// Whether every check passed.
    pub fn is_valid(&self) -> bool {
        !self.checks.is_empty()
            && self
                .checks
                .iter()
                .all(|c| matches!(c.outcome, Outcome::Passed(_)))
    }

    /// The outcome of one check.
    pub fn outcome(&self, name: CheckName) -> Option<&Outcome> {
        self.checks
            .iter()
            .find(|c| c.name == name)
            .map(|c| &c.outcome)
    }

    /// The failed checks with their reasons.
    pub fn failures(&self) -> Vec<(CheckName, &str)> {
        self.checks
            .iter()
            .filter_map(|c| match &c.outcome {
                Outcome::Failed(r) => Some((c.name, r.as_str())),
                Outcome::Passed(_) => None,
            })
            .collect()
    }
}
