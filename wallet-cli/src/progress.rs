//! A spinner around slow work (the vault's key derivation takes about a second by design), shown
//! only to a person watching: on a terminal's stderr and not with `--json`.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// Runs `work` behind a spinner labelled `message` when `show` and stderr is a terminal.
pub(crate) fn with_spinner<T>(show: bool, message: &str, work: impl FnOnce() -> T) -> T {
    if !show || !std::io::stderr().is_terminal() {
        return work();
    }
    let bar = ProgressBar::new_spinner();
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
        bar.set_style(style);
    }
    bar.set_message(message.to_owned());
    bar.enable_steady_tick(Duration::from_millis(100));
    let out = work();
    bar.finish_and_clear();
    out
}
