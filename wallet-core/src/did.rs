//! Decentralized identifiers ([DID Core § 3.1]) and DID URLs ([DID Core § 3.2]), parsed once.
//!
//! Everything after parsing takes `&Did` / `&DidUrl`: a value of these types is known to be
//! syntactically valid, so no later step re-checks (or forgets to check) the string.
//!
//! [DID Core § 3.1]: https://www.w3.org/TR/did-core/#did-syntax
//! [DID Core § 3.2]: https://www.w3.org/TR/did-core/#did-url-syntax

use std::fmt;
use std::str::FromStr;

/// The longest DID or DID URL accepted, in bytes. DID Core sets no limit; no DID Siegel works
/// with comes near it (`did:ethr` with a public key is 84 characters).
pub const MAX_DID_LEN: usize = 2048;

/// Why a string is not a DID or DID URL.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a valid {what}: {reason}")]
pub struct InvalidDid {
    /// "DID" or "DID URL".
    pub what: &'static str,
    /// The input, cut to 100 characters.
    pub input: String,
    /// What is wrong.
    pub reason: &'static str,
}

fn invalid(what: &'static str, input: &str, reason: &'static str) -> InvalidDid {
    InvalidDid {
        what,
        input: input.chars().take(100).collect(),
        reason,
    }
}

/// A DID: `did:<method>:<method-specific-id>`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Did(String);

fn is_idchar(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_')
}

fn is_hex(c: u8) -> bool {
    c.is_ascii_hexdigit()
}

/// `method-specific-id = *( *idchar ":" ) 1*idchar`, with `pct-encoded` allowed as an idchar.
fn check_method_specific_id(s: &str) -> Result<(), &'static str> {
    let b = s.as_bytes();
    if b.is_empty() {
        return Err("the method-specific id is empty");
    }
    if b.last() == Some(&b':') {
        return Err("the method-specific id ends with ':'");
    }
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b':' => i += 1,
            b'%' => {
                if i + 2 >= b.len() || !(is_hex(b[i + 1]) && is_hex(b[i + 2])) {
                    return Err("invalid percent-encoding");
                }
                i += 3;
            }
            c if is_idchar(c) => i += 1,
            _ => return Err("the method-specific id has a character DID syntax does not allow"),
        }
    }
    Ok(())
}

impl Did {
    /// Parses a DID.
    ///
    /// # Errors
    /// [`InvalidDid`] naming what is wrong.
    pub fn parse(s: &str) -> Result<Self, InvalidDid> {
        let fail = |reason| invalid("DID", s, reason);
        if s.len() > MAX_DID_LEN {
            return Err(fail("longer than 2048 bytes"));
        }
        let rest = s
            .strip_prefix("did:")
            .ok_or_else(|| fail("does not start with \"did:\""))?;
        let (method, msid) = rest
            .split_once(':')
            .ok_or_else(|| fail("no method-specific id"))?;
        if method.is_empty()
            || !method
                .bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        {
            return Err(fail("the method name is not lowercase letters and digits"));
        }
        check_method_specific_id(msid).map_err(fail)?;
        Ok(Self(s.to_owned()))
    }

    /// The DID as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The method name (`ethr` in `did:ethr:…`).
    pub fn method(&self) -> &str {
        self.0
            .get(4..)
            .and_then(|r| r.split_once(':'))
            .map_or("", |(m, _)| m)
    }

    /// The method-specific id (everything after `did:<method>:`).
    pub fn method_specific_id(&self) -> &str {
        self.0
            .get(4..)
            .and_then(|r| r.split_once(':'))
            .map_or("", |(_, id)| id)
    }

    /// The DID URL `<did>#<fragment>`.
    ///
    /// # Errors
    /// [`InvalidDid`] if `fragment` has characters a fragment cannot hold.
    pub fn with_fragment(&self, fragment: &str) -> Result<DidUrl, InvalidDid> {
        DidUrl::parse(&format!("{}#{fragment}", self.0))
    }
}

impl fmt::Display for Did {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Did {
    type Err = InvalidDid;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl serde::Serialize for Did {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Did {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A DID URL: a DID with an optional path, query and fragment (`did:ethr:0x…#controller`).
/// Verification methods are DID URLs.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DidUrl {
    text: String,
    // Invariant: `text[..did_len]` is a valid DID.
    did_len: usize,
}

/// RFC 3986 `pchar` plus `/` and `?` (what a path, query or fragment may hold), with
/// percent-encoding checked separately.
fn is_url_tail_char(c: u8) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            b'-' | b'.'
                | b'_'
                | b'~'
                | b'!'
                | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'@'
                | b'/'
                | b'?'
                | b'#'
        )
}

impl DidUrl {
    /// Parses a DID URL.
    ///
    /// # Errors
    /// [`InvalidDid`] naming what is wrong.
    pub fn parse(s: &str) -> Result<Self, InvalidDid> {
        let fail = |reason| invalid("DID URL", s, reason);
        if s.len() > MAX_DID_LEN {
            return Err(fail("longer than 2048 bytes"));
        }
        let did_len = s.find(['/', '?', '#']).unwrap_or(s.len());
        let did = s.get(..did_len).ok_or_else(|| fail("not UTF-8 aligned"))?;
        Did::parse(did).map_err(|e| invalid("DID URL", s, e.reason))?;
        let tail = &s.as_bytes()[did_len..];
        if tail.iter().filter(|&&c| c == b'#').count() > 1 {
            return Err(fail("more than one '#'"));
        }
        let mut i = 0;
        while i < tail.len() {
            match tail[i] {
                b'%' => {
                    if i + 2 >= tail.len() || !(is_hex(tail[i + 1]) && is_hex(tail[i + 2])) {
                        return Err(fail("invalid percent-encoding"));
                    }
                    i += 3;
                }
                c if is_url_tail_char(c) => i += 1,
                _ => return Err(fail("a character a DID URL does not allow")),
            }
        }
        Ok(Self {
            text: s.to_owned(),
            did_len,
        })
    }

    /// The DID this URL belongs to (its controller document's id).
    pub fn did(&self) -> Did {
        Did(self.text[..self.did_len].to_owned())
    }

    /// The fragment, without `#`.
    pub fn fragment(&self) -> Option<&str> {
        self.text.split_once('#').map(|(_, f)| f)
    }

    /// The URL as text.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for DidUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for DidUrl {
    type Err = InvalidDid;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl serde::Serialize for DidUrl {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> serde::Deserialize<'de> for DidUrl {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_dids() {
        let d = Did::parse("did:ethr:0x539:0xb9c5714089478a327f09197987f16f9e5d936e8a").unwrap();
        assert_eq!(d.method(), "ethr");
        assert_eq!(
            d.method_specific_id(),
            "0x539:0xb9c5714089478a327f09197987f16f9e5d936e8a"
        );
        assert!(Did::parse("did:key:z6Mk%20a").is_ok());
        for (bad, reason) in [
            ("did:ethr", "no method-specific id"),
            ("did:ethr:", "the method-specific id is empty"),
            (
                "did:Ethr:x",
                "the method name is not lowercase letters and digits",
            ),
            (
                "did::x",
                "the method name is not lowercase letters and digits",
            ),
            ("dod:ethr:x", "does not start with \"did:\""),
            ("did:ethr:x:", "the method-specific id ends with ':'"),
            (
                "did:ethr:x y",
                "the method-specific id has a character DID syntax does not allow",
            ),
            (
                "did:ethr:x#f",
                "the method-specific id has a character DID syntax does not allow",
            ),
            ("did:ethr:%2", "invalid percent-encoding"),
            ("did:ethr:%zz", "invalid percent-encoding"),
        ] {
            assert_eq!(Did::parse(bad).unwrap_err().reason, reason, "{bad}");
        }
    }

    #[test]
    fn parses_did_urls() {
        let u = DidUrl::parse("did:ethr:0x539:0xab#controller").unwrap();
        assert_eq!(u.did().as_str(), "did:ethr:0x539:0xab");
        assert_eq!(u.fragment(), Some("controller"));
        assert_eq!(
            DidUrl::parse("did:ethr:0xab#a#b").unwrap_err().reason,
            "more than one '#'"
        );
        assert_eq!(
            DidUrl::parse("did:ethr:0xab#a b").unwrap_err().reason,
            "a character a DID URL does not allow"
        );
        assert_eq!(
            DidUrl::parse("did:ethr#x").unwrap_err().reason,
            "no method-specific id"
        );
        let d = Did::parse("did:ethr:0xab").unwrap();
        assert_eq!(
            d.with_fragment("delegate-1").unwrap().as_str(),
            "did:ethr:0xab#delegate-1"
        );
    }

    proptest! {
        #[test]
        fn never_panics_and_round_trips(s in "\\PC{0,40}") {
            if let Ok(d) = Did::parse(&s) {
                prop_assert_eq!(d.as_str(), s.as_str());
                prop_assert_eq!(Did::parse(&d.to_string()).unwrap(), d);
            }
            if let Ok(u) = DidUrl::parse(&s) {
                prop_assert_eq!(u.as_str(), s.as_str());
                prop_assert!(Did::parse(u.did().as_str()).is_ok());
            }
        }

        #[test]
        fn generated_dids_parse(method in "[a-z0-9]{1,8}", id in "[A-Za-z0-9._-]{1,20}(:[A-Za-z0-9._-]{1,20}){0,3}", frag in "[A-Za-z0-9-]{0,10}") {
            let s = format!("did:{method}:{id}");
            let d = Did::parse(&s).unwrap();
            prop_assert_eq!(d.method(), method.as_str());
            let u = d.with_fragment(&frag).unwrap();
            prop_assert_eq!(u.did(), d);
        }
    }
}
