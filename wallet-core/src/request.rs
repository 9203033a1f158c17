//! Presentation requests: what a verifier asks for, as an [OpenID4VP 1.0] authorization request
//! carrying a DCQL query ([OpenID4VP 1.0 § 6]).
//!
//! Field names are those of OpenID4VP (`response_type`, `client_id`, `nonce`, `dcql_query`) so
//! that the HTTP transport added later changes no format; the expiry is the JWT `exp` claim a
//! signed request object carries (RFC 9101 / RFC 7519 § 4.1.4), in Unix seconds. Requests travel
//! as files for now; nothing here knows about transport.
//!
//! Siegel answers DCQL queries for `ldp_vc` credentials whose claims are direct members of
//! `credentialSubject` (`path: ["credentialSubject", "<claim>"]`). Anything else is refused when
//! the request is parsed, with the member that is not supported, rather than half-answered.
//!
//! [OpenID4VP 1.0]: https://openid.net/specs/openid-4-verifiable-presentations-1_0.html
//! [OpenID4VP 1.0 § 6]: https://openid.net/specs/openid-4-verifiable-presentations-1_0.html#name-digital-credentials-query-l

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::di::DateTime;
use crate::di::json_pointer::JsonPointer;

/// The largest request file read, in bytes.
pub const MAX_REQUEST_BYTES: usize = 64 * 1024;

/// The DCQL `format` of W3C VCs secured with Data Integrity (OpenID4VP 1.0 Appendix B.1).
pub const FORMAT_LDP_VC: &str = "ldp_vc";

/// Why a request could not be built or read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// Not JSON, too large, or a member of the wrong type.
    #[error("not a presentation request: {0}")]
    Malformed(String),
    /// The nonce is too short, too long or has characters outside base64url.
    #[error("invalid nonce: {0}")]
    Nonce(&'static str),
    /// The client id is not a domain name.
    #[error("invalid client_id {0:?}: expected a domain name such as loans.lender.example")]
    ClientId(String),
    /// A DCQL feature Siegel does not answer.
    #[error("unsupported DCQL query: {0}")]
    Unsupported(String),
    /// A purpose text that cannot be shown to a holder (too long, control characters).
    #[error("{0}")]
    Purpose(String),
    /// A claim name that is not a plain term.
    #[error("invalid claim name {0:?}")]
    Claim(String),
    /// The operating system's random number generator failed.
    #[error("the operating system random number generator failed")]
    Rng,
    /// A lifetime of zero or beyond [`MAX_LIFETIME_SECONDS`]: an expiry no holder can meet, or
    /// one so late that holders refuse it (`exp` must stay a safe JSON integer).
    #[error(
        "a request may stay valid for at most {} days and more than 0 seconds (asked: {seconds} seconds)",
        MAX_LIFETIME_SECONDS / 86_400
    )]
    Lifetime {
        /// The lifetime asked for.
        seconds: u64,
    },
}

/// The longest a new request may stay valid, in seconds (30 days): a request is answered within
/// minutes, and its nonce is kept until it expires.
pub const MAX_LIFETIME_SECONDS: u64 = 30 * 86_400;

/// A verifier's nonce: 16 to 128 base64url characters. New ones carry 128 random bits.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Nonce(String);

impl Nonce {
    /// A fresh random nonce (22 base64url characters, 128 bits).
    ///
    /// # Errors
    /// [`RequestError::Rng`].
    pub fn random() -> Result<Self, RequestError> {
        use base64::Engine as _;
        let mut b = [0u8; 16];
        getrandom::fill(&mut b).map_err(|_| RequestError::Rng)?;
        Ok(Self(
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b),
        ))
    }

    /// Parses a nonce.
    ///
    /// # Errors
    /// [`RequestError::Nonce`].
    pub fn parse(s: &str) -> Result<Self, RequestError> {
        if s.len() < 16 {
            return Err(RequestError::Nonce("shorter than 16 characters"));
        }
        if s.len() > 128 {
            return Err(RequestError::Nonce("longer than 128 characters"));
        }
        if !s
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        {
            return Err(RequestError::Nonce("characters outside base64url"));
        }
        Ok(Self(s.to_owned()))
    }

    /// The nonce as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Nonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Nonce({})", self.0)
    }
}

impl fmt::Display for Nonce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Nonce {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// The verifier's `client_id`: its domain name (what the presentation's `domain` must equal).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct ClientId(String);

impl ClientId {
    /// Parses a domain name: dot-separated labels of ASCII letters, digits and hyphens, 1 to 63
    /// characters each, 253 in all, lowercase (names are case-insensitive; one spelling keeps
    /// the `domain` comparison exact).
    ///
    /// # Errors
    /// [`RequestError::ClientId`].
    pub fn parse(s: &str) -> Result<Self, RequestError> {
        let fail = || RequestError::ClientId(s.chars().take(100).collect());
        if s.is_empty() || s.len() > 253 {
            return Err(fail());
        }
        for label in s.split('.') {
            let ok = !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-');
            if !ok {
                return Err(fail());
            }
        }
        Ok(Self(s.to_owned()))
    }

    /// The domain as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ClientId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// The tag that opens a version-1 presentation header ([`PresentationRequest::presentation_header`]).
pub const PRESENTATION_HEADER_TAG: &[u8; 21] = b"siegel-vp-binding/v1:";

/// The SHA-256 digest of a request as made ([`PresentationRequest::digest`]).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequestDigest([u8; 32]);

impl RequestDigest {
    /// Lowercase hex.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Debug for RequestDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RequestDigest({})", self.to_hex())
    }
}

impl fmt::Display for RequestDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// A claim name as the request uses it: a JSON member name of `credentialSubject` (letters,
/// digits, `_`; starting with a letter).
fn check_claim(name: &str) -> Result<(), RequestError> {
    let ok = name.len() <= 64
        && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(RequestError::Claim(name.chars().take(80).collect()))
    }
}

/// DCQL `meta` for `ldp_vc` (OpenID4VP 1.0 Appendix B.1.1): the accepted type sets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LdpVcMeta {
    /// Each inner list is a set of types one acceptable credential has all of.
    pub type_values: Vec<Vec<String>>,
}

/// A DCQL claims query (OpenID4VP 1.0 § 6.3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimsQuery {
    /// Referenced by `claim_sets`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The claim path pointer (§ 7): here always `["credentialSubject", "<claim>"]`.
    pub path: Vec<Value>,
}

/// A DCQL credential query (OpenID4VP 1.0 § 6.1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialQuery {
    /// The query's id (names the credential in the response).
    pub id: String,
    /// Always [`FORMAT_LDP_VC`].
    pub format: String,
    /// Accepted types.
    pub meta: LdpVcMeta,
    /// The claims asked for.
    pub claims: Vec<ClaimsQuery>,
    /// Acceptable combinations of claim ids, most preferred first (§ 6.4.1). Absent: all claims
    /// are required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_sets: Option<Vec<Vec<String>>>,
}

/// A DCQL query (OpenID4VP 1.0 § 6): here exactly one credential query.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DcqlQuery {
    /// The credential queries.
    pub credentials: Vec<CredentialQuery>,
}

/// What the holder must and may disclose, as claim names of `credentialSubject`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    /// Types the credential must have.
    pub types: Vec<String>,
    /// Claims every acceptable answer contains.
    pub required: Vec<String>,
    /// Claims the preferred answer adds.
    pub optional: Vec<String>,
}

impl Selection {
    /// The JSON pointer of a claim (`/credentialSubject/<claim>`).
    pub fn pointer(claim: &str) -> JsonPointer {
        JsonPointer::from_tokens(["credentialSubject", claim])
    }
}

/// A verifier's request for a presentation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresentationRequest {
    /// Always `vp_token`.
    pub response_type: String,
    /// The verifier's domain; the presentation's `domain`.
    pub client_id: ClientId,
    /// The presentation's `challenge`.
    pub nonce: Nonce,
    /// What is asked for.
    pub dcql_query: DcqlQuery,
    /// Expiry, Unix seconds.
    pub exp: i64,
    /// Why the verifier asks, in its own words, shown to the holder (a Siegel extension: DCQL
    /// has no purpose; nothing checks it, so the wallet shows it as the verifier's claim).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
}

/// The longest purpose text a request may carry, in characters.
pub const MAX_PURPOSE_CHARS: usize = 200;

/// Why a purpose text cannot be shown to a holder, if it cannot.
fn purpose_problem(text: &str) -> Option<String> {
    if text.chars().count() > MAX_PURPOSE_CHARS {
        return Some(format!(
            "the purpose is longer than {MAX_PURPOSE_CHARS} characters"
        ));
    }
    // Control and bidirectional-override characters could make the text read as something else.
    if text.chars().any(crate::text::is_deceptive) {
        return Some("the purpose contains control characters".into());
    }
    None
}

impl PresentationRequest {
    /// A request for one credential of `types` with `required` claims and, if the holder agrees,
    /// `optional` ones, valid until `expires_at`, with a fresh nonce.
    ///
    /// # Errors
    /// [`RequestError::Claim`] for a bad claim name, [`RequestError::Malformed`] for no claims or
    /// a claim listed twice, [`RequestError::Rng`].
    pub fn new(
        client_id: ClientId,
        types: &[&str],
        required: &[&str],
        optional: &[&str],
        expires_at: DateTime,
    ) -> Result<Self, RequestError> {
        if required.is_empty() && optional.is_empty() {
            return Err(RequestError::Malformed("no claims requested".into()));
        }
        let mut all: Vec<&str> = required.iter().chain(optional).copied().collect();
        for c in &all {
            check_claim(c)?;
        }
        all.sort_unstable();
        if all.windows(2).any(|w| w[0] == w[1]) {
            return Err(RequestError::Malformed("a claim is listed twice".into()));
        }
        let claims = required
            .iter()
            .chain(optional)
            .map(|c| ClaimsQuery {
                id: Some((*c).to_owned()),
                path: vec![Value::from("credentialSubject"), Value::from(*c)],
            })
            .collect();
        let owned = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let claim_sets = (!optional.is_empty()).then(|| {
            let mut preferred = owned(required);
            preferred.extend(owned(optional));
            vec![preferred, owned(required)]
        });
        Ok(Self {
            response_type: "vp_token".into(),
            client_id,
            nonce: Nonce::random()?,
            dcql_query: DcqlQuery {
                credentials: vec![CredentialQuery {
                    id: "credential".into(),
                    format: FORMAT_LDP_VC.into(),
                    meta: LdpVcMeta {
                        type_values: vec![owned(types)],
                    },
                    claims,
                    claim_sets,
                }],
            },
            exp: expires_at.unix_seconds(),
            purpose: None,
        })
    }

    /// The same request, stating why it asks (at most [`MAX_PURPOSE_CHARS`] characters, no
    /// control characters; an empty text states none).
    ///
    /// # Errors
    /// [`RequestError::Purpose`] for a text that is too long or has control characters.
    pub fn with_purpose(mut self, purpose: &str) -> Result<Self, RequestError> {
        let purpose = purpose.trim();
        if let Some(problem) = purpose_problem(purpose) {
            return Err(RequestError::Purpose(problem));
        }
        self.purpose = (!purpose.is_empty()).then(|| purpose.to_owned());
        Ok(self)
    }

    /// A request for a KYC attestation ([`crate::credential::KYC_TYPE`]) with `required` and
    /// `optional` claims.
    ///
    /// # Errors
    /// As [`PresentationRequest::new`].
    pub fn kyc(
        client_id: ClientId,
        required: &[&str],
        optional: &[&str],
        expires_at: DateTime,
    ) -> Result<Self, RequestError> {
        // A claim no KYC attestation has could never be answered; say so now, not at the holder.
        if let Some(unknown) = required
            .iter()
            .chain(optional)
            .find(|c| !crate::credential::KYC_CLAIMS.contains(c))
        {
            return Err(RequestError::Unsupported(format!(
                "a KYC attestation has no claim {unknown:?}; its claims are {}",
                crate::credential::KYC_CLAIMS.join(", ")
            )));
        }
        Self::new(
            client_id,
            &["VerifiableCredential", crate::credential::KYC_TYPE],
            required,
            optional,
            expires_at,
        )
    }

    /// Reads a request file's bytes.
    ///
    /// # Errors
    /// [`RequestError::Malformed`] for oversize or invalid JSON, and every error of
    /// [`PresentationRequest::selection`] (a request Siegel cannot answer is refused whole).
    pub fn parse(bytes: &[u8]) -> Result<Self, RequestError> {
        if bytes.len() > MAX_REQUEST_BYTES {
            return Err(RequestError::Malformed(format!(
                "{} bytes; requests are at most {MAX_REQUEST_BYTES}",
                bytes.len()
            )));
        }
        let value =
            crate::jsonld::parse_json(bytes).map_err(|e| RequestError::Malformed(e.to_string()))?;
        let request: Self =
            serde_json::from_value(value).map_err(|e| RequestError::Malformed(e.to_string()))?;
        if request.response_type != "vp_token" {
            return Err(RequestError::Unsupported(format!(
                "response_type {:?} (only vp_token)",
                request.response_type
            )));
        }
        if let Some(problem) = request.purpose.as_deref().and_then(purpose_problem) {
            return Err(RequestError::Malformed(problem));
        }
        request.selection()?;
        Ok(request)
    }

    /// The request as pretty JSON text.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The bbs-2023 presentation header of an answer to this request (bbs-2023 § 3.3.9 leaves
    /// its content to the application): it commits to the verifier's `client_id`, the nonce
    /// *and* the whole request as the holder saw it, so the holder's derived proof is bound to
    /// this verifier and this request, not only to this nonce. The holder's presentation proof
    /// names the verifier and nonce too, but it can be stripped and replaced by anyone's; the
    /// derived proof cannot be re-derived without the holder's credential. A site that relays
    /// the request with more claims asked for, or under its own client id, gets an answer the
    /// real verifier refuses.
    ///
    /// Encoding, version 1: the 21 ASCII bytes `siegel-vp-binding/v1:`, then `client_id` and
    /// then `nonce`, each as its length in bytes (2 bytes, big-endian) followed by its UTF-8
    /// bytes, then the 32 bytes of [`PresentationRequest::digest`]. Client id and nonce are
    /// ASCII and at most 253 bytes, so the encoding is unambiguous.
    pub fn presentation_header(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(PRESENTATION_HEADER_TAG.len() + 4 + 253 + 128 + 32);
        out.extend_from_slice(PRESENTATION_HEADER_TAG);
        for part in [self.client_id.as_str(), self.nonce.as_str()] {
            // Both are at most 253 bytes (ClientId::parse, Nonce::parse).
            let len = u16::try_from(part.len()).unwrap_or(u16::MAX);
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(part.as_bytes());
        }
        out.extend_from_slice(&self.digest().0);
        out
    }

    /// A digest of the request as made: SHA-256 of its compact JSON serialization (members in
    /// this type's order). A verifier records it with the nonce, so an answer is checked
    /// against the request it was issued for, not an edited copy.
    pub fn digest(&self) -> RequestDigest {
        use sha2::{Digest as _, Sha256};
        // Serializing this type cannot fail (no maps with non-string keys, no custom errors).
        let bytes = serde_json::to_vec(self).unwrap_or_default();
        RequestDigest(Sha256::digest(&bytes).into())
    }

    /// When the request expires.
    pub fn expires_at(&self) -> DateTime {
        DateTime::from_unix_seconds(self.exp)
    }

    /// What the request asks for.
    ///
    /// # Errors
    /// [`RequestError::Unsupported`] for more than one credential query, another format, claim
    /// paths other than `["credentialSubject", "<claim>"]`, `claim_sets` naming unknown ids.
    pub fn selection(&self) -> Result<Selection, RequestError> {
        let unsupported = |s: String| Err(RequestError::Unsupported(s));
        let [query] = self.dcql_query.credentials.as_slice() else {
            return unsupported(format!(
                "{} credential queries (Siegel answers exactly one)",
                self.dcql_query.credentials.len()
            ));
        };
        if query.format != FORMAT_LDP_VC {
            return unsupported(format!("format {:?} (only ldp_vc)", query.format));
        }
        let [types] = query.meta.type_values.as_slice() else {
            return unsupported("type_values must hold exactly one set of types".into());
        };
        if query.claims.is_empty() {
            return Err(RequestError::Malformed("no claims requested".into()));
        }
        // Sets beside the lists, so that a request of a few thousand claims (the most a request
        // file holds) costs linear time, not the square of it.
        let mut names = Vec::with_capacity(query.claims.len());
        let mut ids_seen: HashSet<&str> = HashSet::with_capacity(query.claims.len());
        let mut names_seen: HashSet<String> = HashSet::with_capacity(query.claims.len());
        for c in &query.claims {
            let name = match c.path.as_slice() {
                [Value::String(s), Value::String(n)] if s == "credentialSubject" => n.clone(),
                _ => {
                    return unsupported(format!(
                        "claim path {} (only [\"credentialSubject\", \"<claim>\"])",
                        Value::from(c.path.clone())
                    ));
                }
            };
            check_claim(&name)?;
            // § 6.3: ids are unique within a credential query, and required when claim_sets
            // refers to them; otherwise a set would name whichever claim came first, or a
            // claim would silently fall out of every set.
            match &c.id {
                Some(id) if !ids_seen.insert(id.as_str()) => {
                    return Err(RequestError::Malformed(format!(
                        "two claims have the id {id:?}"
                    )));
                }
                None if query.claim_sets.is_some() => {
                    return Err(RequestError::Malformed(format!(
                        "claim {} has no id, which claim_sets needs",
                        Value::from(c.path.clone())
                    )));
                }
                _ => {}
            }
            if !names_seen.insert(name.clone()) {
                return Err(RequestError::Malformed(format!(
                    "claim {name} is asked for twice"
                )));
            }
            names.push((c.id.clone(), name));
        }
        let ids: HashMap<&str, &String> = names
            .iter()
            .filter_map(|(i, n)| Some((i.as_deref()?, n)))
            .collect();
        let by_id = |id: &str| ids.get(id).map(|n| (*n).clone());
        let (required, optional) = match &query.claim_sets {
            None => (names.iter().map(|(_, n)| n.clone()).collect(), Vec::new()),
            Some(sets) => {
                if sets.is_empty() {
                    return Err(RequestError::Malformed("claim_sets is empty".into()));
                }
                let mut resolved = Vec::with_capacity(sets.len());
                for set in sets {
                    let mut claims = Vec::with_capacity(set.len());
                    for id in set {
                        claims.push(by_id(id).ok_or_else(|| {
                            RequestError::Malformed(format!(
                                "claim_sets names {id:?}, which no claim has as id"
                            ))
                        })?);
                    }
                    resolved.push(claims);
                }
                // Required: in every acceptable set. Optional: in the preferred (first) set
                // but not in all. Sets that neither contain nor extend the required core are
                // alternatives Siegel does not offer; the preferred set and the core are enough
                // to answer what `siegel verifier request` produces.
                let sets: Vec<HashSet<&String>> =
                    resolved.iter().map(|s| s.iter().collect()).collect();
                let required: Vec<String> = resolved[0]
                    .iter()
                    .filter(|c| sets.iter().all(|s| s.contains(c)))
                    .cloned()
                    .collect();
                let required_set: HashSet<&String> = required.iter().collect();
                // The holder answers with the core alone when it withholds the optional claims,
                // and the verifier checks only the core: that is sound only if the core is
                // itself an acceptable set. `[[a], [b]]` (a or b) has an empty core, which would
                // let an answer with neither pass.
                let core_acceptable = resolved
                    .iter()
                    .any(|s| s.iter().all(|c| required_set.contains(c)));
                if !core_acceptable {
                    return unsupported(format!(
                        "claim_sets whose common claims [{}] are not themselves an acceptable set \
                         (Siegel answers one set of required claims, optionally with more)",
                        required.join(", ")
                    ));
                }
                let optional = resolved[0]
                    .iter()
                    .filter(|c| !required_set.contains(c))
                    .cloned()
                    .collect();
                (required, optional)
            }
        };
        Ok(Selection {
            types: types.clone(),
            required,
            optional,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use proptest::prelude::*;

    fn domain() -> ClientId {
        ClientId::parse("loans.lender.example").unwrap()
    }

    #[test]
    fn builds_and_reads_back() {
        let r = PresentationRequest::new(
            domain(),
            &["VerifiableCredential", "KycAttestation"],
            &["ageOver18", "incomeBand"],
            &["countryOfResidence"],
            DateTime::from_unix_seconds(2_000_000_000),
        )
        .unwrap();
        let text = r.to_json_pretty();
        let back = PresentationRequest::parse(text.as_bytes()).unwrap();
        assert_eq!(back, r);
        let sel = back.selection().unwrap();
        assert_eq!(sel.required, ["ageOver18", "incomeBand"]);
        assert_eq!(sel.optional, ["countryOfResidence"]);
        assert_eq!(sel.types, ["VerifiableCredential", "KycAttestation"]);
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["dcql_query"]["credentials"][0]["format"], "ldp_vc");
        assert_eq!(
            v["dcql_query"]["credentials"][0]["claims"][1]["path"],
            serde_json::json!(["credentialSubject", "incomeBand"])
        );
        assert_eq!(
            Selection::pointer("ageOver18").to_string(),
            "/credentialSubject/ageOver18"
        );
    }

    #[test]
    fn refuses_what_it_cannot_answer() {
        let r = PresentationRequest::new(
            domain(),
            &["VerifiableCredential"],
            &["ageOver18"],
            &[],
            DateTime::from_unix_seconds(2_000_000_000),
        )
        .unwrap();
        let base = serde_json::to_value(&r).unwrap();
        type Edit = Box<dyn Fn(&mut Value)>;
        let cases: Vec<(Edit, &str)> = vec![
            (
                Box::new(|v| v["dcql_query"]["credentials"][0]["format"] = "jwt_vc_json".into()),
                "unsupported DCQL query: format \"jwt_vc_json\" (only ldp_vc)",
            ),
            (
                Box::new(|v| {
                    v["dcql_query"]["credentials"][0]["claims"][0]["path"] =
                        serde_json::json!(["credentialSubject", "address", "city"])
                }),
                "unsupported DCQL query: claim path [\"credentialSubject\",\"address\",\"city\"] (only [\"credentialSubject\", \"<claim>\"])",
            ),
            (
                Box::new(|v| {
                    v["dcql_query"]["credentials"][0]["claims"][0]["path"] =
                        serde_json::json!(["credentialSubject", "a/b"])
                }),
                "invalid claim name \"a/b\"",
            ),
            (
                Box::new(|v| {
                    v["dcql_query"]["credentials"][0]["claim_sets"] = serde_json::json!([["nope"]])
                }),
                "not a presentation request: claim_sets names \"nope\", which no claim has as id",
            ),
            (Box::new(|v| v["nonce"] = "short".into()), "shorter than 16"),
            (
                Box::new(|v| v["client_id"] = "Loans.Example".into()),
                "invalid client_id",
            ),
            (
                Box::new(|v| v["response_type"] = "code".into()),
                "unsupported DCQL query: response_type \"code\" (only vp_token)",
            ),
            (Box::new(|v| v["extra"] = 1.into()), "unknown field `extra`"),
            (
                Box::new(|v| {
                    let q = v["dcql_query"]["credentials"][0].clone();
                    v["dcql_query"]["credentials"] = serde_json::json!([q.clone(), q]);
                }),
                "2 credential queries",
            ),
        ];
        for (edit, want) in cases {
            let mut v = base.clone();
            edit(&mut v);
            let err = PresentationRequest::parse(v.to_string().as_bytes()).unwrap_err();
            assert!(
                err.to_string().contains(want),
                "{err} does not contain {want}"
            );
        }
        let unknown = PresentationRequest::kyc(
            domain(),
            &["ageOver18", "favouriteColour"],
            &[],
            DateTime::from_unix_seconds(2_000_000_000),
        )
        .unwrap_err();
        assert!(
            unknown.to_string().contains("no claim \"favouriteColour\""),
            "{unknown}"
        );
        let big = vec![b' '; MAX_REQUEST_BYTES + 1];
        assert!(
            matches!(PresentationRequest::parse(&big), Err(RequestError::Malformed(m)) if m.contains("at most"))
        );
    }

    #[test]
    fn nonces_and_client_ids() {
        let a = Nonce::random().unwrap();
        let b = Nonce::random().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 22);
        assert_eq!(Nonce::parse(a.as_str()).unwrap(), a);
        assert_eq!(
            Nonce::parse(&"a".repeat(129)),
            Err(RequestError::Nonce("longer than 128 characters"))
        );
        assert_eq!(
            Nonce::parse("aaaaaaaaaaaaaaaaaa=="),
            Err(RequestError::Nonce("characters outside base64url"))
        );
        for bad in [
            "",
            "-a.example",
            "a..b",
            "a_b.example",
            "é.example",
            "A.example",
        ] {
            assert!(ClientId::parse(bad).is_err(), "{bad}");
        }
        assert!(ClientId::parse("localhost").is_ok());
    }

    #[test]
    fn purpose_round_trips_and_is_bounded() {
        let r = PresentationRequest::new(
            domain(),
            &["VerifiableCredential"],
            &["ageOver18"],
            &[],
            DateTime::from_unix_seconds(1),
        )
        .unwrap();
        let with = r
            .clone()
            .with_purpose("  Loan application: age and income  ")
            .unwrap();
        assert_eq!(
            with.purpose.as_deref(),
            Some("Loan application: age and income")
        );
        let back = PresentationRequest::parse(with.to_json_pretty().as_bytes()).unwrap();
        assert_eq!(back, with);
        // No purpose: the member is left out, as before the extension.
        assert!(!r.to_json_pretty().contains("purpose"));
        assert_eq!(r.clone().with_purpose("   ").unwrap().purpose, None);
        let long = "x".repeat(MAX_PURPOSE_CHARS + 1);
        assert!(r.clone().with_purpose(&long).is_err());
        for bad in ["line\nbreak", "pay \u{202e}evil", "tab\there"] {
            assert!(r.clone().with_purpose(bad).is_err(), "{bad:?}");
            let mut v: serde_json::Value = serde_json::from_str(&r.to_json_pretty()).unwrap();
            v["purpose"] = serde_json::Value::from(bad);
            assert!(
                matches!(
                    PresentationRequest::parse(v.to_string().as_bytes()),
                    Err(RequestError::Malformed(_))
                ),
                "{bad:?}"
            );
        }
    }

    proptest! {
        #[test]
        fn any_split_of_claims_round_trips(claims in proptest::sample::subsequence(vec!["givenName", "familyName", "birthDate", "ageOver18", "ageOver21", "nationality", "countryOfResidence", "incomeBand", "kycLevel", "documentType", "verifiedAt"], 1..=11), split in 0usize..12) {
            let split = split.min(claims.len());
            let (req, opt) = claims.split_at(split);
            let r = PresentationRequest::new(domain(), &["VerifiableCredential"], req, opt, DateTime::from_unix_seconds(1)).unwrap();
            let back = PresentationRequest::parse(r.to_json_pretty().as_bytes()).unwrap();
            let sel = back.selection().unwrap();
            if opt.is_empty() {
                prop_assert_eq!(&sel.required, &claims);
            } else {
                prop_assert_eq!(&sel.required, &req.to_vec());
                prop_assert_eq!(&sel.optional, &opt.to_vec());
            }
        }

        #[test]
        fn parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = PresentationRequest::parse(&bytes);
        }
    }
}
