//! Credential schemas: the JSON Schemas (draft 2020-12) that Siegel's credential types follow,
//! bundled and compiled in, and a validator that reports every violation by the JSON pointer of
//! the field and a reason a person can act on.
//!
//! A credential names its schema in `credentialSchema` (VCDM 2.0 § 4.11, type `JsonSchema`).
//! The schemas validate disclosed (bbs-2023 derived) copies as well as issued credentials: the
//! subject's claims are selectively disclosable, so none of them is required, but each one that
//! is present must have the type, format and value the schema gives it.
//!
//! Schemas are never fetched: the `$id` is an identifier, the bundled copy is authoritative, and
//! `jsonschema` is built without its HTTP and file retrievers, so a remote `$ref` cannot be
//! resolved.

use std::fmt;
use std::sync::LazyLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::types::JsonType;
use jsonschema::{Draft, ValidationError, Validator};
use serde_json::Value;

/// The KYC attestation's schema document (`schemas/kyc-attestation/schema.json`).
const KYC_SCHEMA: &str = include_str!("../../schemas/kyc-attestation/schema.json");

/// The credential types that have a bundled schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CredentialSchema {
    /// The KYC attestation (`schemas/kyc-attestation/`).
    Kyc,
}

impl CredentialSchema {
    /// Every bundled schema.
    pub const ALL: &[Self] = &[Self::Kyc];

    /// The schema's `$id`, as a credential names it in `credentialSchema.id`.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Self::Kyc => "https://contexts.siegel.example/kyc/v1/schema.json",
        }
    }

    /// The schema whose `$id` is `id`.
    #[must_use]
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|s| s.id() == id)
    }

    /// The short name used on the command line (`kyc`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Kyc => "kyc",
        }
    }

    /// The schema with the short name `name` (`kyc`).
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|s| s.name() == name)
    }

    /// The URL of the JSON-LD context that defines the credential's terms; it follows the
    /// VC 2.0 context in `@context` and is bundled in [`crate::jsonld::BUNDLED_CONTEXTS`].
    #[must_use]
    pub fn context_url(self) -> &'static str {
        match self {
            Self::Kyc => "https://contexts.siegel.example/kyc/v1",
        }
    }

    /// The credential `type` (next to `VerifiableCredential`).
    #[must_use]
    pub fn credential_type(self) -> &'static str {
        match self {
            Self::Kyc => "KycAttestation",
        }
    }

    /// The schema document (JSON text), as bundled.
    #[must_use]
    pub fn document(self) -> &'static str {
        match self {
            Self::Kyc => KYC_SCHEMA,
        }
    }

    fn compiled(self) -> &'static Result<Compiled, SchemaError> {
        match self {
            Self::Kyc => &KYC,
        }
    }
}

impl fmt::Display for CredentialSchema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One way a document breaks its schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// JSON pointer (RFC 6901) of the field: for a missing member, where it should be.
    pub pointer: String,
    /// What is wrong, in plain words (e.g. `"1990-13-01" is not a valid date (YYYY-MM-DD)`).
    pub reason: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pointer.is_empty() {
            write!(f, "the document: {}", self.reason)
        } else {
            write!(f, "{}: {}", self.pointer, self.reason)
        }
    }
}

/// Why a document does not validate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SchemaError {
    /// The document breaks its schema; every violation is listed, in document order.
    #[error("{} does not follow the {schema} schema: {}", what(*.schema), list(.violations))]
    Invalid {
        /// The schema the document was checked against.
        schema: CredentialSchema,
        /// Each violation, never empty.
        violations: Vec<Violation>,
    },
    /// The bundled schema itself did not compile: a build defect, never the input's fault.
    #[error("the bundled {schema} schema does not compile: {reason}")]
    Bundled {
        /// The schema.
        schema: CredentialSchema,
        /// The compiler's message.
        reason: String,
    },
}

impl SchemaError {
    /// The violations (empty for [`SchemaError::Bundled`]).
    #[must_use]
    pub fn violations(&self) -> &[Violation] {
        match self {
            Self::Invalid { violations, .. } => violations,
            Self::Bundled { .. } => &[],
        }
    }
}

fn what(schema: CredentialSchema) -> &'static str {
    match schema {
        CredentialSchema::Kyc => "the KYC attestation",
    }
}

fn list(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// A compiled schema and its document (for the descriptions the reasons quote).
struct Compiled {
    validator: Validator,
    document: Value,
}

// Compiled once per process: compiling builds regexes and resolves every `$ref`.
static KYC: LazyLock<Result<Compiled, SchemaError>> =
    LazyLock::new(|| compile(CredentialSchema::Kyc));

fn compile(schema: CredentialSchema) -> Result<Compiled, SchemaError> {
    let bundled = |reason: String| SchemaError::Bundled { schema, reason };
    let document: Value =
        serde_json::from_str(schema.document()).map_err(|e| bundled(e.to_string()))?;
    let validator = jsonschema::options()
        .with_draft(Draft::Draft202012)
        // Formats are annotations only in 2020-12 unless asserted (§ 7.2.1); `date` and
        // `date-time` must be checked here.
        .should_validate_formats(true)
        // A misspelt format in a bundled schema would otherwise be ignored silently.
        .should_ignore_unknown_formats(false)
        .build(&document)
        .map_err(|e| bundled(e.to_string()))?;
    Ok(Compiled {
        validator,
        document,
    })
}

/// Validates a whole credential document (issued, or a disclosed copy with its proof) against
/// `schema`.
///
/// # Errors
/// [`SchemaError::Invalid`] with every violation.
pub fn validate(schema: CredentialSchema, document: &Value) -> Result<(), SchemaError> {
    let compiled = schema.compiled().as_ref().map_err(Clone::clone)?;
    let violations = violations(compiled, document);
    if violations.is_empty() {
        Ok(())
    } else {
        Err(SchemaError::Invalid { schema, violations })
    }
}

/// Validates the claims an issuer is about to attest (the `credentialSubject` object alone,
/// before the credential is built). Pointers are relative to `subject` (`/birthDate`).
///
/// # Errors
/// [`SchemaError::Invalid`] with every violation.
pub fn validate_claims(schema: CredentialSchema, subject: &Value) -> Result<(), SchemaError> {
    const SUBJECT: &str = "/credentialSubject";
    let compiled = schema.compiled().as_ref().map_err(Clone::clone)?;
    // Validated in place inside an otherwise empty credential, so the subject schema keeps its
    // `$ref`s into the document's `$defs`; the envelope's own violations (its missing members)
    // are not the claims' and are left out.
    let wrapper = serde_json::json!({ "credentialSubject": subject });
    let violations: Vec<Violation> = violations(compiled, &wrapper)
        .into_iter()
        .filter_map(|v| {
            let rest = v.pointer.strip_prefix(SUBJECT)?;
            (rest.is_empty() || rest.starts_with('/')).then(|| Violation {
                pointer: rest.to_owned(),
                reason: v.reason,
            })
        })
        .collect();
    if violations.is_empty() {
        Ok(())
    } else {
        Err(SchemaError::Invalid { schema, violations })
    }
}

fn violations(compiled: &Compiled, document: &Value) -> Vec<Violation> {
    let mut out = Vec::new();
    for error in compiled.validator.iter_errors(document) {
        explain(&error, &compiled.document, &mut out);
    }
    out.sort_by(|a, b| a.pointer.cmp(&b.pointer));
    out.dedup();
    out
}

/// Turns one `jsonschema` error into violations (several for a list of unexpected members).
fn explain(error: &ValidationError<'_>, schema: &Value, out: &mut Vec<Violation>) {
    let at = error.instance_path().as_str().to_owned();
    let value = error.instance();
    let shown = show(value);
    let mut push = |pointer: String, reason: String| out.push(Violation { pointer, reason });
    match error.kind() {
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            push(child(&at, name), "is required but missing".into());
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            for name in unexpected {
                push(child(&at, name), not_allowed(&at));
            }
        }
        ValidationErrorKind::Type { kind } => {
            let types: Vec<JsonType> = match kind {
                TypeKind::Single(t) => vec![*t],
                TypeKind::Multiple(set) => set.iter().collect(),
            };
            let expected: Vec<&str> = types.into_iter().map(type_name).collect();
            push(at, format!("{shown} is not {}", expected.join(" or ")));
        }
        ValidationErrorKind::Format { format } => {
            let expected = match format.as_str() {
                "date" => "a valid date (YYYY-MM-DD)",
                "date-time" => {
                    "a valid date and time with a time zone (RFC 3339, e.g. 2026-11-26T00:00:00Z)"
                }
                _ => "in the expected format",
            };
            push(at, format!("{shown} is not {expected}"));
        }
        ValidationErrorKind::Enum { options } => {
            let allowed = options
                .as_array()
                .map(|o| o.iter().map(show).collect::<Vec<_>>().join(", "))
                .unwrap_or_default();
            push(at, format!("{shown} is not one of {allowed}"));
        }
        ValidationErrorKind::Constant { expected_value } => {
            push(at, format!("{shown} must be {}", show(expected_value)));
        }
        ValidationErrorKind::Pattern { .. } => {
            let expected = description(schema, error.schema_path().as_str())
                .unwrap_or("in the expected format");
            push(at, format!("{shown} is not {expected}"));
        }
        ValidationErrorKind::Contains => {
            match contains_const(schema, error.schema_path().as_str()) {
                Some(w) => push(at, format!("must list {w}")),
                None => push(at, "lacks a required entry".into()),
            }
        }
        ValidationErrorKind::FalseSchema => push(at, "is not allowed here".into()),
        ValidationErrorKind::MinItems { limit } => {
            push(at, format!("must have at least {limit} entries"));
        }
        ValidationErrorKind::UniqueItems => push(at, "lists an entry twice".into()),
        ValidationErrorKind::MinLength { limit } => {
            push(at, format!("{shown} is shorter than {limit} character(s)"));
        }
        ValidationErrorKind::MaxLength { limit } => {
            push(at, format!("is longer than {limit} characters"));
        }
        ValidationErrorKind::Minimum { limit } => {
            push(at, format!("{shown} is less than {limit}"));
        }
        ValidationErrorKind::Maximum { limit } => {
            push(at, format!("{shown} is greater than {limit}"));
        }
        // Keywords the bundled schemas do not use, and engine failures: the library's words.
        _ => push(at, error.to_string()),
    }
}

/// The pointer of member `name` of the object at `parent` (RFC 6901 § 3 escaping).
fn child(parent: &str, name: &str) -> String {
    format!("{parent}/{}", name.replace('~', "~0").replace('/', "~1"))
}

fn not_allowed(parent: &str) -> String {
    if parent == "/credentialSubject" || parent.is_empty() {
        "is not a field of this credential type (unknown claims are refused)".into()
    } else {
        "is not allowed here".into()
    }
}

/// A value as it appears in JSON, long strings cut.
fn show(value: &Value) -> String {
    const MAX: usize = 80;
    let text = value.to_string();
    if text.chars().count() <= MAX {
        text
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

/// A JSON Schema type in words.
fn type_name(t: JsonType) -> &'static str {
    match t {
        JsonType::String => "a string",
        JsonType::Boolean => "true or false",
        JsonType::Integer => "a whole number",
        JsonType::Number => "a number",
        JsonType::Object => "an object",
        JsonType::Array => "a list",
        JsonType::Null => "null",
    }
}

/// The `description` of the subschema that holds the failing keyword (`schema_path` minus its
/// last segment): the bundled schemas phrase those of patterned strings as what is expected.
fn description<'s>(schema: &'s Value, keyword_path: &str) -> Option<&'s str> {
    let (parent, _) = keyword_path.rsplit_once('/')?;
    schema.pointer(parent)?.get("description")?.as_str()
}

/// The `const` inside a failing `contains` keyword.
fn contains_const(schema: &Value, keyword_path: &str) -> Option<String> {
    schema
        .pointer(keyword_path)?
        .get("const")
        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
}
