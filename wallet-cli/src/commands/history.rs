//! `siegel history`: what the wallet disclosed, to whom and when.

use serde_json::{Value, json};
use wallet_core::vault::DisclosureRecord;

use crate::context::Context;
use crate::output::untrusted;
use crate::{exit, output};

/// Runs `siegel history`.
///
/// # Errors
/// The vault's errors.
pub(crate) fn run(ctx: &Context) -> anyhow::Result<u8> {
    let vault = ctx.unlock()?;
    let records = vault.history();
    output::print(ctx.json, &to_json(records), &render(records));
    Ok(exit::OK)
}

fn to_json(records: &[DisclosureRecord]) -> Value {
    Value::Array(
        records
            .iter()
            .map(|r| {
                json!({
                    "at": output::unix_time(r.at),
                    "verifier": r.verifier,
                    "credential": r.credential_id,
                    "disclosed": r.disclosed,
                    "purpose": r.purpose,
                })
            })
            .collect(),
    )
}

/// The history as plain text, newest last.
pub(crate) fn render(records: &[DisclosureRecord]) -> String {
    if records.is_empty() {
        return "Nothing disclosed yet.\n".into();
    }
    let mut s = String::new();
    for r in records {
        let disclosed: Vec<_> = r.disclosed.iter().map(|c| untrusted(c)).collect();
        s.push_str(&format!(
            "{}  to {}  from credential {}: {}\n",
            output::unix_time(r.at),
            untrusted(&r.verifier),
            short_id(r.credential_id.as_str()),
            disclosed.join(", ")
        ));
        if let Some(p) = &r.purpose {
            s.push_str(&format!("    purpose: {}\n", untrusted(p)));
        }
    }
    s
}

/// The first 8 characters of an id (enough to name it; `holder show` accepts prefixes).
pub(crate) fn short_id(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}
