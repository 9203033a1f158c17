//! Rendering: plain text for people, JSON for scripts (`--json`). Results go to stdout, errors to
//! stderr, in the same two forms.

use std::borrow::Cow;
use std::io::Write;
use std::path::Path;

use serde_json::{Value, json};
use wallet_core::home::OutputError;
use wallet_core::text::is_deceptive;
use wallet_core::vault::Overwrite;

use crate::context::Context;
use crate::exit::{self, Category};

/// Prints a result: `json` with `--json`, else `text` (a trailing newline is added if missing).
/// Either way no character that could steer the terminal is printed raw: strings from elsewhere
/// go through [`untrusted`] when the text is made, and this escapes whatever is left but line
/// breaks (and, in JSON, writes them as `\uXXXX`).
pub(crate) fn print(as_json: bool, json: &Value, text: &str) {
    let mut out = std::io::stdout().lock();
    // A closed stdout (`siegel … | head`) is not worth an error.
    let _ = if as_json {
        writeln!(
            out,
            "{}",
            json_text(&serde_json::to_string_pretty(json).unwrap_or_default())
        )
    } else {
        let text = escape(text, true);
        if text.ends_with('\n') {
            write!(out, "{text}")
        } else {
            writeln!(out, "{text}")
        }
    };
}

/// Prints an error on stderr: `{"error": …, "category": …}` with `--json`, else `error: …`
/// followed by its causes. Messages quote what was received (a claim, an issuer's name), so
/// each is escaped whole, line breaks included.
pub(crate) fn print_error(as_json: bool, err: &anyhow::Error, category: Category) {
    let mut e = std::io::stderr().lock();
    let message = err.to_string();
    let causes: Vec<String> = err.chain().skip(1).map(|c| c.to_string()).collect();
    let _ = if as_json {
        let mut v = json!({ "error": message, "category": category.as_str() });
        if !causes.is_empty() {
            v["causes"] = json!(causes);
        }
        writeln!(e, "{}", json_text(&v.to_string()))
    } else {
        let mut text = format!("error: {}", untrusted(&message));
        for c in causes.iter().filter(|c| !message.contains(c.as_str())) {
            text.push_str(&format!("\n  because: {}", untrusted(c)));
        }
        writeln!(e, "{text}")
    };
}

/// A string that came from someone else (an issuer's name, a claim value, a verifier's
/// purpose or client id, a label made from them), ready to print: each character that could
/// steer the terminal ([`is_deceptive`]: escape sequences, carriage returns, line breaks,
/// text-direction overrides) is shown as `\u{…}` instead.
pub(crate) fn untrusted(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

fn escape(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    let unsafe_char = |c: char| is_deceptive(c) && !(keep_newlines && c == '\n');
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// JSON text with the deceptive characters serde_json leaves raw in strings (DEL, C1 controls,
/// separators and text-direction marks; it already escapes C0) written as `\uXXXX`: the same
/// JSON value, safe on a terminal.
fn json_text(text: &str) -> Cow<'_, str> {
    // A raw line break is the pretty printer's; serde_json writes those in strings as `\n`.
    let raw = |c: char| is_deceptive(c) && c != '\n';
    if !text.chars().any(raw) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if raw(c) {
            // Every deceptive character is in the Basic Multilingual Plane.
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The one rule for every output file (`--out`, a backup): outside the data directory, and over
/// an existing file only with `--force` ([`Home::check_output`](wallet_core::home::Home)).
/// Commands check before doing the work whose result they write.
///
/// # Errors
/// An input error saying what to do instead.
pub(crate) fn check_output(ctx: &Context, path: &Path, force: bool) -> anyhow::Result<()> {
    ctx.home()
        .check_output(path, overwrite(force))
        .map_err(output_error)
}

/// Writes an output file under the rule of [`check_output`], atomically; without `force` a file
/// that appeared meanwhile is not replaced either.
///
/// # Errors
/// As [`check_output`]; an internal error naming the file when writing fails.
pub(crate) fn write_output(
    ctx: &Context,
    path: &Path,
    bytes: &[u8],
    force: bool,
) -> anyhow::Result<()> {
    ctx.home()
        .write_output(path, bytes, overwrite(force))
        .map_err(output_error)
}

fn overwrite(force: bool) -> Overwrite {
    if force {
        Overwrite::Replace
    } else {
        Overwrite::Refuse
    }
}

fn output_error(e: OutputError) -> anyhow::Error {
    match e {
        OutputError::Exists(path) => exit::input(format!(
            "{} already exists; pass --force to replace it, or choose another file",
            path.display()
        )),
        e @ OutputError::InsideDataDir { .. } => exit::input(e.to_string()),
        other => anyhow::Error::new(other),
    }
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn received_text_cannot_steer_the_terminal() {
        let name = "Example Bank\u{1b}[2K\r\u{1b}[32mTrusted Government Registry\u{202e}\n";
        let shown = untrusted(name);
        assert!(!shown.chars().any(is_deceptive), "{shown}");
        assert_eq!(
            shown,
            "Example Bank\\u{1b}[2K\\u{d}\\u{1b}[32mTrusted Government Registry\\u{202e}\\u{a}"
        );
        assert!(matches!(untrusted("Example Bank"), Cow::Borrowed(_)));
        // The text safety net keeps line breaks only.
        assert_eq!(escape("a\nb\u{9b}c", true), "a\nb\\u{9b}c");
    }

    #[test]
    fn json_output_escapes_what_serde_leaves_raw() {
        let v = json!({ "name": "Bank\u{1b}\u{9b}\u{202e}\u{7f}\n", "n": [1, 2] });
        let pretty = serde_json::to_string_pretty(&v).unwrap();
        let text = json_text(&pretty).into_owned();
        assert!(
            !text.chars().any(|c| is_deceptive(c) && c != '\n'),
            "{text}"
        );
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, v);
    }
}
