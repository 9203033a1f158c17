//! A text buffer for passphrase fields: its bytes live in one allocation that never grows (no
//! reallocation leaves a copy behind) and is zeroized when cleared or dropped.
//!
//! egui's own text-edit state (its undo history) keeps copies of what a field held; the app
//! clears that state after every submission (see `ui::forget_secret_fields`), but the memory it freed
//! is not zeroized — a limit of egui, noted in the README.

use std::ops::Range;

use egui::TextBuffer;
use egui::text::CharIndex;
use zeroize::Zeroize;

/// The longest passphrase accepted, in bytes.
pub const MAX_BYTES: usize = 256;

/// A passphrase being typed.
pub struct SecretText(String);

impl SecretText {
    /// An empty buffer with room for [`MAX_BYTES`].
    pub fn new() -> Self {
        Self(String::with_capacity(MAX_BYTES))
    }

    /// Whether nothing was typed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The text (for the KDF, on the way into a `Passphrase`).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Zeroizes and empties the buffer, keeping its allocation.
    pub fn wipe(&mut self) {
        // `String::zeroize` overwrites the bytes and leaves the string empty.
        self.0.zeroize();
        if self.0.capacity() < MAX_BYTES {
            self.0 = String::with_capacity(MAX_BYTES);
        }
    }
}

impl Default for SecretText {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for SecretText {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl std::fmt::Debug for SecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretText(..)")
    }
}

impl TextBuffer for SecretText {
    fn is_mutable(&self) -> bool {
        true
    }

    fn as_str(&self) -> &str {
        &self.0
    }

    fn insert_text(&mut self, text: &str, char_index: CharIndex) -> usize {
        // Refuse what would not fit: growing would copy the secret to a new allocation.
        if self.0.len() + text.len() > MAX_BYTES {
            return 0;
        }
        let at = self.byte_index_from_char_index(char_index).0;
        self.0.insert_str(at, text);
        text.chars().count()
    }

    fn delete_char_range(&mut self, char_range: Range<CharIndex>) {
        let start = self.byte_index_from_char_index(char_range.start).0;
        let end = self.byte_index_from_char_index(char_range.end).0;
        if start >= end {
            return;
        }
        // Shift the tail left in place, then zeroize the freed end.
        let mut bytes = std::mem::take(&mut self.0).into_bytes();
        bytes.copy_within(end.., start);
        let new_len = bytes.len() - (end - start);
        bytes[new_len..].zeroize();
        bytes.truncate(new_len);
        // Removing whole characters from valid UTF-8 leaves valid UTF-8.
        self.0 = String::from_utf8(bytes).unwrap_or_default();
    }

    fn type_id(&self) -> std::any::TypeId {
        std::any::TypeId::of::<Self>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_in_place_and_refuses_growth() {
        let mut s = SecretText::new();
        let cap = s.0.capacity();
        assert_eq!(s.insert_text("pässword", CharIndex(0)), 8);
        assert_eq!(s.insert_text("X", CharIndex(1)), 1);
        assert_eq!(s.expose(), "pXässword");
        s.delete_char_range(CharIndex(1)..CharIndex(3));
        assert_eq!(s.expose(), "pssword");
        assert_eq!(s.insert_text(&"y".repeat(MAX_BYTES), CharIndex(0)), 0);
        assert_eq!(s.expose(), "pssword");
        assert_eq!(s.0.capacity(), cap);
        s.wipe();
        assert!(s.is_empty());
        assert_eq!(format!("{s:?}"), "SecretText(..)");
    }
}
