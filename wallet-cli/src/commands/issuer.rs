//! `siegel issuer`.

use crate::commands::pending;
use crate::context::Context;

/// Runs `siegel issuer …`.
///
/// # Errors
/// Not available yet.
pub(crate) fn run(_ctx: &Context, _command: crate::cli::IssuerCommand) -> anyhow::Result<u8> {
    Err(pending("issuer"))
}
