//! `siegel holder`.

use crate::commands::pending;
use crate::context::Context;

/// Runs `siegel holder …`.
///
/// # Errors
/// Not available yet.
pub(crate) fn run(_ctx: &Context, _command: crate::cli::HolderCommand) -> anyhow::Result<u8> {
    Err(pending("holder"))
}
