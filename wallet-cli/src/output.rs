//! Rendering: plain text for people, JSON for scripts (`--json`). Results go to stdout, errors to
//! stderr, in the same two forms.

use std::io::Write;

use serde_json::{Value, json};

use crate::exit::Category;

/// Prints a result: `json` with `--json`, else `text` (a trailing newline is added if missing).
pub(crate) fn print(as_json: bool, json: &Value, text: &str) {
    let mut out = std::io::stdout().lock();
    // A closed stdout (`siegel … | head`) is not worth an error.
    let _ = if as_json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(json).unwrap_or_default()
        )
    } else if text.ends_with('\n') {
        write!(out, "{text}")
    } else {
        writeln!(out, "{text}")
    };
}

/// Prints an error on stderr: `{"error": …, "category": …}` with `--json`, else `error: …`
/// followed by its causes.
pub(crate) fn print_error(as_json: bool, err: &anyhow::Error, category: Category) {
    let mut e = std::io::stderr().lock();
    let message = err.to_string();
    let causes: Vec<String> = err.chain().skip(1).map(|c| c.to_string()).collect();
    let _ = if as_json {
        let mut v = json!({ "error": message, "category": category.as_str() });
        if !causes.is_empty() {
            v["causes"] = json!(causes);
        }
        writeln!(e, "{v}")
    } else {
        let mut text = format!("error: {message}");
        for c in causes.iter().filter(|c| !message.contains(c.as_str())) {
            text.push_str(&format!("\n  because: {c}"));
        }
        writeln!(e, "{text}")
    };
}

/// Formats Unix seconds as an RFC 3339 UTC date-time.
pub(crate) fn unix_time(seconds: u64) -> String {
    i64::try_from(seconds)
        .map(|s| wallet_core::di::DateTime::from_unix_seconds(s).to_string())
        .unwrap_or_else(|_| seconds.to_string())
}

/// A two-column table with the first column padded.
pub(crate) fn table(rows: &[(String, String)]) -> String {
    let width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    rows.iter()
        .map(|(k, v)| format!("  {k:<width$}  {v}\n"))
        .collect()
}
