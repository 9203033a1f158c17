//! `siegel did list|show|resolve`.

use serde_json::{Value, json};
use wallet_core::did::Did;
use wallet_core::ledger::Ledger;
use wallet_core::{holder, issuer};

use crate::cli::DidCommand;
use crate::context::Context;
use crate::{exit, output};

/// One of this wallet's DIDs.
#[derive(Debug, serde::Serialize)]
pub(crate) struct OwnDid {
    /// `holder` or `issuer`.
    pub(crate) role: &'static str,
    /// The DID.
    pub(crate) did: Did,
    /// The verification method of its signing key.
    pub(crate) method: String,
    /// The issuer's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<String>,
}

/// Runs `siegel did …`.
///
/// # Errors
/// Vault and chain errors; an invalid or foreign DID is an input error.
pub(crate) fn run(ctx: &Context, command: DidCommand) -> anyhow::Result<u8> {
    match command {
        DidCommand::List => {
            let dids = own(ctx)?;
            let text = if dids.is_empty() {
                "This wallet has no DID yet: `siegel init` (holder) or `siegel issuer init` (issuer).\n".into()
            } else {
                output::table(
                    &dids
                        .iter()
                        .map(|d| {
                            let label = match &d.name {
                                Some(n) => format!("{} ({n})", d.role),
                                None => d.role.to_owned(),
                            };
                            (label, d.did.to_string())
                        })
                        .collect::<Vec<_>>(),
                )
            };
            output::print(ctx.json, &json!(dids), &text);
        }
        DidCommand::Show => {
            let dids = own(ctx)?;
            if dids.is_empty() {
                return Err(exit::input(
                    "this wallet has no DID yet: run `siegel init` (holder) or `siegel issuer init` (issuer)",
                ));
            }
            let mut docs = Vec::new();
            let mut text = String::new();
            for d in &dids {
                let doc = resolve(ctx, d.did.as_str(), None)?;
                text.push_str(&format!(
                    "{} {}:\n{}\n",
                    d.role,
                    d.did,
                    serde_json::to_string_pretty(&doc).unwrap_or_default()
                ));
                docs.push(json!({ "role": d.role, "did": d.did, "document": doc }));
            }
            output::print(ctx.json, &Value::Array(docs), &text);
        }
        DidCommand::Resolve { did, at_block } => {
            let doc = resolve(ctx, &did, at_block)?;
            // The document is the output in both modes: it is JSON by nature.
            let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
            output::print(ctx.json, &doc, &text);
        }
    }
    Ok(exit::OK)
}

/// This wallet's DIDs: the holder identity and the issuer profile, where set up.
///
/// # Errors
/// Vault errors.
pub(crate) fn own(ctx: &Context) -> anyhow::Result<Vec<OwnDid>> {
    let vault = ctx.unlock()?;
    let mut out = Vec::new();
    if let Some(h) = holder::identity(&vault)? {
        out.push(OwnDid {
            role: "holder",
            did: h.did,
            method: h.method.to_string(),
            name: None,
        });
    }
    if let Some(p) = issuer::profile(&vault)? {
        out.push(OwnDid {
            role: "issuer",
            did: p.did,
            method: p.method.to_string(),
            name: Some(p.name.into()),
        });
    }
    Ok(out)
}

/// The DID document of `did` on the context's chain, now or as of `at_block`.
///
/// # Errors
/// An input error for a string that is not a DID; the ledger's errors (a DID of another chain
/// or method, a block beyond the head, an unreachable node).
pub(crate) fn resolve(ctx: &Context, did: &str, at_block: Option<u64>) -> anyhow::Result<Value> {
    let parsed = Did::parse(did).map_err(|e| exit::input(format!("{did}: {e}")))?;
    let ledger = ctx.ledger()?;
    ledger
        .resolve_document(&parsed, at_block)
        .map_err(|e| match e {
            wallet_core::ledger::LedgerError::Unsupported(m) => exit::input(format!("{did}: {m}")),
            other => anyhow::Error::new(other).context(format!("{did} could not be resolved")),
        })
}
