//! The passphrase type: zeroized on drop, never printed.

use std::fmt;

use zeroize::{ZeroizeOnDrop, Zeroizing};

use super::error::Error;

/// A vault or backup passphrase.
///
/// Invariant: not empty. Zeroized on drop; `Debug` prints nothing of it; no serde.
pub struct Passphrase(Zeroizing<String>);

impl Passphrase {
    /// Takes ownership of a passphrase (e.g. from `rpassword`).
    ///
    /// # Errors
    /// [`Error::EmptyPassphrase`] for an empty string.
    pub fn new(s: String) -> Result<Self, Error> {
        let s = Zeroizing::new(s);
        if s.is_empty() {
            return Err(Error::EmptyPassphrase);
        }
        Ok(Self(s))
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl TryFrom<&str> for Passphrase {
    type Error = Error;
    fn try_from(s: &str) -> Result<Self, Error> {
        Self::new(s.to_owned())
    }
}

impl ZeroizeOnDrop for Passphrase {}

impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Passphrase(<redacted>)")
    }
}
