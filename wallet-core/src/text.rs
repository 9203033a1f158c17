//! Text that people read: names a wallet makes ([`DisplayName`]) and the characters that must
//! never reach a screen unescaped ([`is_deceptive`]).
//!
//! A terminal obeys control characters: an issuer name carrying `ESC[2K` and a carriage return
//! erases the line it is printed on and writes its own, and a right-to-left override (U+202E)
//! makes `lanigiro` read backwards. So names are refused with such characters where they are
//! made, and front ends escape every string that came from someone else (a received credential
//! or request) before showing it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Whether `c` can change how the text around it is shown rather than being shown itself:
/// control characters (C0 including tab, CR and LF; DEL; C1), the line and paragraph separators
/// (U+2028, U+2029) and the bidirectional formatting characters (U+061C, U+200E, U+200F,
/// U+202A–U+202E, U+2066–U+2069).
pub fn is_deceptive(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// Why a text is not a [`DisplayName`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DisplayNameError {
    /// Nothing but white space.
    #[error("the name is empty")]
    Empty,
    /// Longer than [`DisplayName::MAX_CHARS`].
    #[error("the name is longer than {} characters", DisplayName::MAX_CHARS)]
    TooLong,
    /// A character that [`is_deceptive`].
    #[error(
        "the name contains U+{:04X}, a control or text-direction character that could change how it is shown",
        u32::from(*.0)
    )]
    Deceptive(char),
}

/// A name shown to people: an issuer's name, a label.
///
/// Invariant: trimmed, 1 to [`DisplayName::MAX_CHARS`] characters, none of which
/// [`is_deceptive`]. It is checked when the name is made ([`DisplayName::parse`], also when read
/// back from storage), so whatever holds one can show it as it is.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

impl DisplayName {
    /// The longest name, in characters.
    pub const MAX_CHARS: usize = 200;

    /// Parses a name, trimming white space around it.
    ///
    /// # Errors
    /// [`DisplayNameError`].
    pub fn parse(text: &str) -> Result<Self, DisplayNameError> {
        let text = text.trim();
        if let Some(c) = text.chars().find(|c| is_deceptive(*c)) {
            return Err(DisplayNameError::Deceptive(c));
        }
        if text.is_empty() {
            return Err(DisplayNameError::Empty);
        }
        if text.chars().count() > Self::MAX_CHARS {
            return Err(DisplayNameError::TooLong);
        }
        Ok(Self(text.to_owned()))
    }

    /// A name made from text that came from elsewhere and must be named anyway (a label built
    /// from a received credential): each deceptive character becomes U+FFFD, the text is cut at
    /// [`DisplayName::MAX_CHARS`], and an empty text becomes `fallback` (itself made the same
    /// way, then "?").
    pub fn lossy(text: &str, fallback: &str) -> Self {
        let clean = |t: &str| -> String {
            t.chars()
                .map(|c| if is_deceptive(c) { '\u{fffd}' } else { c })
                .collect::<String>()
                .trim()
                .chars()
                .take(Self::MAX_CHARS)
                .collect::<String>()
                .trim()
                .to_owned()
        };
        [clean(text), clean(fallback)]
            .into_iter()
            .find(|t| !t.is_empty())
            .map_or_else(|| Self("?".into()), Self)
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DisplayName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for DisplayName {
    type Err = DisplayNameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for DisplayName {
    type Error = DisplayNameError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<DisplayName> for String {
    fn from(name: DisplayName) -> Self {
        name.0
    }
}

impl AsRef<str> for DisplayName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn names_with_terminal_controls_are_refused() {
        assert_eq!(
            DisplayName::parse("  Example Bank  ").unwrap().as_str(),
            "Example Bank"
        );
        for (bad, c) in [
            ("Bank\u{1b}[2K\rTrusted Government Registry", '\u{1b}'),
            ("Bank\nTrusted", '\n'),
            ("Bank\u{202e}lanigiro", '\u{202e}'),
            ("Bank\u{9b}31m", '\u{9b}'),
            ("Bank\u{2028}x", '\u{2028}'),
            ("Bank\u{2067}x", '\u{2067}'),
        ] {
            assert_eq!(
                DisplayName::parse(bad),
                Err(DisplayNameError::Deceptive(c)),
                "{bad:?}"
            );
            assert!(serde_json::from_value::<DisplayName>(bad.into()).is_err());
        }
        assert_eq!(DisplayName::parse(" \t\n"), Err(DisplayNameError::Empty));
        assert_eq!(
            DisplayName::parse("a\tb"),
            Err(DisplayNameError::Deceptive('\t'))
        );
        assert_eq!(
            DisplayName::parse(&"x".repeat(201)),
            Err(DisplayNameError::TooLong)
        );
        assert!(DisplayName::parse(&"é".repeat(200)).is_ok());
        // Names that are merely unusual stay as they are.
        assert!(DisplayName::parse("Banque Crédit Mutuel · 信用金庫 · بنك").is_ok());
    }

    #[test]
    fn lossy_names_keep_no_deceptive_character() {
        let n = DisplayName::lossy("KYC from \u{1b}[2K\rBank", "x");
        assert_eq!(n.as_str(), "KYC from \u{fffd}[2K\u{fffd}Bank");
        assert!(DisplayName::parse(n.as_str()).is_ok());
        assert_eq!(DisplayName::lossy(" ", "fallback").as_str(), "fallback");
        assert_eq!(DisplayName::lossy("", "").as_str(), "?");
        assert_eq!(
            DisplayName::lossy(&"y".repeat(300), "x").as_str().len(),
            200
        );
    }
}
