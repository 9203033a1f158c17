//! Reading input files through wallet-core's bounded read: at most one byte past the limit is
//! read, so a huge or endless file (`/dev/zero`) cannot exhaust memory.

use std::path::Path;

use wallet_core::fs::ReadError;

use crate::exit;

/// Cap for credentials, presentations and presentation requests.
pub(crate) const MAX_DOCUMENT_BYTES: u64 = 1024 * 1024;

/// Reads `path`, refusing files larger than `limit` bytes. `what` names the file's role in
/// messages ("credential", "claims file").
///
/// # Errors
/// An input error naming the file and the limit, or the file and the OS error.
pub(crate) fn read_capped(path: &Path, what: &str, limit: u64) -> anyhow::Result<Vec<u8>> {
    wallet_core::fs::read_capped(path, limit).map_err(|e| match e {
        ReadError::TooLarge { .. } => exit::input(format!(
            "the {what} {} is larger than the limit of {}; is it the right file?",
            path.display(),
            human_size(limit)
        )),
        ReadError::Fs(e) => exit::input(format!(
            "cannot {} the {what} {}: {}",
            e.op,
            path.display(),
            e.source
        )),
        other => exit::input(format!("the {what}: {other}")),
    })
}

/// Reads a credential, presentation or request file (1 MiB cap).
///
/// # Errors
/// As [`read_capped`].
pub(crate) fn read_document(path: &Path, what: &str) -> anyhow::Result<Vec<u8>> {
    read_capped(path, what, MAX_DOCUMENT_BYTES)
}

/// Reads and parses a JSON document file (1 MiB cap).
///
/// # Errors
/// As [`read_capped`], or an input error naming the file, line and column of the JSON error.
pub(crate) fn read_json(path: &Path, what: &str) -> anyhow::Result<serde_json::Value> {
    let bytes = read_document(path, what)?;
    serde_json::from_slice(&bytes).map_err(|e| not_json(path, what, &e))
}

/// Reads a document file (1 MiB cap) that must be JSON, as bytes for the application layer to
/// parse its own way: text that is not JSON at all is an input error naming the file, not a
/// document that failed its checks.
///
/// # Errors
/// As [`read_json`].
pub(crate) fn read_json_bytes(path: &Path, what: &str) -> anyhow::Result<Vec<u8>> {
    let bytes = read_document(path, what)?;
    serde_json::from_slice::<serde::de::IgnoredAny>(&bytes)
        .map_err(|e| not_json(path, what, &e))?;
    Ok(bytes)
}

fn not_json(path: &Path, what: &str, e: &serde_json::Error) -> anyhow::Error {
    exit::input(format!(
        "the {what} {} is not valid JSON: {e}",
        path.display()
    ))
}

/// `1 MiB`, `64 KiB`, `100 bytes`.
pub(crate) fn human_size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 && bytes.is_multiple_of(1024 * 1024) {
        format!("{} MiB", bytes / (1024 * 1024))
    } else if bytes >= 1024 && bytes.is_multiple_of(1024) {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn oversize_file_is_refused_before_parsing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.json");
        std::fs::write(&path, vec![b' '; 1025]).unwrap();
        let err = read_capped(&path, "credential", 1024).unwrap_err();
        assert_eq!(exit::categorize(&err), exit::Category::Input);
        let msg = err.to_string();
        assert!(msg.contains("big.json") && msg.contains("1 KiB"), "{msg}");
        assert_eq!(read_capped(&path, "credential", 1025).unwrap().len(), 1025);
    }

    #[test]
    fn malformed_json_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.json");
        std::fs::write(&path, b"{\"a\":").unwrap();
        let err = read_json(&path, "claims file").unwrap_err();
        assert_eq!(exit::categorize(&err), exit::Category::Input);
        assert!(err.to_string().contains("bad.json"), "{err}");
    }

    #[test]
    fn sizes_read_plainly() {
        assert_eq!(human_size(MAX_DOCUMENT_BYTES), "1 MiB");
        assert_eq!(human_size(64 * 1024), "64 KiB");
        assert_eq!(human_size(100), "100 bytes");
    }
}
