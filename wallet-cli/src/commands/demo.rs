//! `siegel demo`.

use crate::commands::pending;
use crate::context::Context;

/// Runs `siegel demo …`.
///
/// # Errors
/// Not available yet.
pub(crate) fn run(_ctx: &Context, _args: &crate::cli::DemoArgs) -> anyhow::Result<u8> {
    Err(pending("demo"))
}
