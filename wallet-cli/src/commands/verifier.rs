//! `siegel verifier`.

use crate::commands::pending;
use crate::context::Context;

/// Runs `siegel verifier …`.
///
/// # Errors
/// Not available yet.
pub(crate) fn run(_ctx: &Context, _command: crate::cli::VerifierCommand) -> anyhow::Result<u8> {
    Err(pending("verifier"))
}
