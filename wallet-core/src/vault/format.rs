//! The on-disk container shared by vault and backup files (docs/vault-format.md).
//!
//! ```text
//! offset size  field
//!      0    8  magic: "SIEGELVT" (vault) or "SIEGELBK" (backup)
//!      8    2  format version, u16 big-endian (1)
//!     10    1  KDF id (1 = Argon2id v0x13)
//!     11    4  Argon2 memory in KiB, u32 BE
//!     15    4  Argon2 iterations, u32 BE
//!     19    4  Argon2 parallelism, u32 BE
//!     23   16  salt
//!     39   16  key check: SHA-256("siegel-vault-key-check-v1" || key)[0..16]
//!     55    1  cipher id (1 = AES-256-GCM)
//!     56   12  nonce (fresh on every save)
//!     68    8  ciphertext length n (incl. the 16-byte tag), u64 BE
//!     76    n  AES-256-GCM(key, nonce, aad = bytes 0..76, plaintext = contents)
//!   76+n   32  SHA-256 of bytes 0..76+n (detects damage; not a security mechanism)
//! ```

use sha2::{Digest, Sha256};

use super::error::Error;

/// Newest container version this build writes and reads.
pub const FORMAT_VERSION: u16 = 1;
/// Length of the fixed header (the AEAD's associated data).
pub(crate) const HEADER_LEN: usize = 76;
/// Length of the trailing checksum.
pub(crate) const CHECKSUM_LEN: usize = 32;
/// AES-GCM tag length.
pub(crate) const TAG_LEN: usize = 16;
/// Largest ciphertext accepted (a hostile length field must not make us allocate more).
pub(crate) const MAX_CIPHERTEXT: u64 = 256 * 1024 * 1024;

const KDF_ARGON2ID: u8 = 1;
const CIPHER_AES256GCM: u8 = 1;

/// What kind of Siegel file a container is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FileKind {
    Vault,
    Backup,
}

impl FileKind {
    const fn magic(self) -> [u8; 8] {
        match self {
            FileKind::Vault => *b"SIEGELVT",
            FileKind::Backup => *b"SIEGELBK",
        }
    }
    pub(crate) const fn name(self) -> &'static str {
        match self {
            FileKind::Vault => "vault",
            FileKind::Backup => "backup",
        }
    }
}

/// Argon2id parameters, stored in every file header so they can be raised later.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KdfParams {
    /// Memory in KiB (`m`).
    pub memory_kib: u32,
    /// Passes over memory (`t`).
    pub iterations: u32,
    /// Lanes (`p`).
    pub parallelism: u32,
}

impl KdfParams {
    /// The default for new vaults: m = 64 MiB, t = 10, p = 1 — about 0.5 s on the project's
    /// 2-core reference machine (docs/BENCHMARKS.md).
    pub const DEFAULT: KdfParams = KdfParams {
        memory_kib: 64 * 1024,
        iterations: 10,
        parallelism: 1,
    };
    /// The cheapest parameters accepted (8 MiB, one pass). For tests and constrained devices only.
    pub const MINIMUM: KdfParams = KdfParams {
        memory_kib: Self::MIN_MEMORY_KIB,
        iterations: 1,
        parallelism: 1,
    };
    /// Lower bound on memory.
    pub const MIN_MEMORY_KIB: u32 = 8 * 1024;
    /// Upper bound on memory (1 GiB): a hostile file cannot make unlock allocate more.
    pub const MAX_MEMORY_KIB: u32 = 1024 * 1024;
    /// Upper bound on passes.
    pub const MAX_ITERATIONS: u32 = 64;
    /// Upper bound on lanes.
    pub const MAX_PARALLELISM: u32 = 16;
    /// Upper bound on memory × passes (4 GiB-passes, tens of seconds at most): a hostile file
    /// cannot make unlock run for hours.
    pub const MAX_WORK_KIB: u64 = 4 * 1024 * 1024;

    /// Checks the parameters against the accepted ranges.
    ///
    /// # Errors
    /// [`Error::KdfParamsOutOfRange`] naming the parameter.
    pub fn validate(&self) -> Result<(), Error> {
        let bad = |what: String| Err(Error::KdfParamsOutOfRange(what));
        if !(Self::MIN_MEMORY_KIB..=Self::MAX_MEMORY_KIB).contains(&self.memory_kib) {
            return bad(format!(
                "memory {} KiB is outside {}..={} KiB",
                self.memory_kib,
                Self::MIN_MEMORY_KIB,
                Self::MAX_MEMORY_KIB
            ));
        }
        if !(1..=Self::MAX_ITERATIONS).contains(&self.iterations) {
            return bad(format!(
                "iterations {} outside 1..={}",
                self.iterations,
                Self::MAX_ITERATIONS
            ));
        }
        if !(1..=Self::MAX_PARALLELISM).contains(&self.parallelism) {
            return bad(format!(
                "parallelism {} outside 1..={}",
                self.parallelism,
                Self::MAX_PARALLELISM
            ));
        }
        let work = u64::from(self.memory_kib) * u64::from(self.iterations);
        if work > Self::MAX_WORK_KIB {
            return bad(format!(
                "memory × iterations = {work} KiB exceeds {}",
                Self::MAX_WORK_KIB
            ));
        }
        // Argon2 needs at least 8 KiB per lane.
        if self.memory_kib < 8 * self.parallelism {
            return bad("less than 8 KiB of memory per lane".into());
        }
        Ok(())
    }
}

impl Default for KdfParams {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The fixed header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Header {
    pub(crate) kind: FileKind,
    pub(crate) kdf: KdfParams,
    pub(crate) salt: [u8; 16],
    pub(crate) key_check: [u8; 16],
    pub(crate) nonce: [u8; 12],
    pub(crate) ciphertext_len: u64,
}

impl Header {
    pub(crate) fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let mut b = [0u8; HEADER_LEN];
        b[0..8].copy_from_slice(&self.kind.magic());
        b[8..10].copy_from_slice(&FORMAT_VERSION.to_be_bytes());
        b[10] = KDF_ARGON2ID;
        b[11..15].copy_from_slice(&self.kdf.memory_kib.to_be_bytes());
        b[15..19].copy_from_slice(&self.kdf.iterations.to_be_bytes());
        b[19..23].copy_from_slice(&self.kdf.parallelism.to_be_bytes());
        b[23..39].copy_from_slice(&self.salt);
        b[39..55].copy_from_slice(&self.key_check);
        b[55] = CIPHER_AES256GCM;
        b[56..68].copy_from_slice(&self.nonce);
        b[68..76].copy_from_slice(&self.ciphertext_len.to_be_bytes());
        b
    }
}

/// A container split into its parts, after every check that needs no passphrase.
#[derive(Debug)]
pub(crate) struct Container<'a> {
    pub(crate) header: Header,
    pub(crate) header_bytes: &'a [u8],
    pub(crate) ciphertext: &'a [u8],
}

fn be_u32(b: &[u8], at: usize) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[at..at + 4]);
    u32::from_be_bytes(a)
}

/// Assembles header, ciphertext and checksum into file bytes.
pub(crate) fn assemble(header: &Header, ciphertext: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + ciphertext.len() + CHECKSUM_LEN);
    out.extend_from_slice(&header.to_bytes());
    out.extend_from_slice(ciphertext);
    let sum = Sha256::digest(&out);
    out.extend_from_slice(&sum);
    out
}

/// The length of the whole file whose first bytes are `bytes` (at least [`HEADER_LEN`] of
/// them, or all the file has), after checking what those bytes can tell: emptiness, signature,
/// version and the length field. A reader learns from it how much to read, so a foreign or
/// damaged file is refused before more than its header is read.
pub(crate) fn announced_len(bytes: &[u8], expected: FileKind) -> Result<u64, Error> {
    if bytes.is_empty() {
        return Err(Error::Empty);
    }
    let min = (HEADER_LEN + CHECKSUM_LEN) as u64;
    if bytes.len() < 8 {
        // Too short for the signature: truncated if it is the start of one, foreign otherwise.
        return if expected.magic().starts_with(bytes) {
            Err(Error::Truncated {
                expected: min,
                actual: bytes.len() as u64,
            })
        } else {
            Err(Error::UnknownMagic {
                expected: expected.name(),
            })
        };
    }
    let magic = &bytes[0..8];
    if magic != expected.magic() {
        for other in [FileKind::Vault, FileKind::Backup] {
            if magic == other.magic() {
                return Err(Error::WrongFileKind {
                    expected: expected.name(),
                    found: other.name(),
                });
            }
        }
        return Err(Error::UnknownMagic {
            expected: expected.name(),
        });
    }
    if bytes.len() < 10 {
        return Err(Error::Truncated {
            expected: min,
            actual: bytes.len() as u64,
        });
    }
    let version = u16::from_be_bytes([bytes[8], bytes[9]]);
    if version > FORMAT_VERSION {
        return Err(Error::FutureVersion {
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    if version == 0 {
        return Err(Error::UnsupportedVersion(version));
    }
    if bytes.len() < HEADER_LEN {
        return Err(Error::Truncated {
            expected: min,
            actual: bytes.len() as u64,
        });
    }
    let mut len_bytes = [0u8; 8];
    len_bytes.copy_from_slice(&bytes[68..76]);
    let ciphertext_len = u64::from_be_bytes(len_bytes);
    if ciphertext_len > MAX_CIPHERTEXT || ciphertext_len < TAG_LEN as u64 {
        // A length no writer produces: the header itself is damaged.
        return Err(Error::Corrupted);
    }
    Ok(HEADER_LEN as u64 + ciphertext_len + CHECKSUM_LEN as u64)
}

/// Parses and checks a container of the expected kind, in the order that gives the most useful
/// error: emptiness, signature, version, length, checksum, algorithm ids, KDF ranges.
pub(crate) fn parse(bytes: &[u8], expected: FileKind) -> Result<Container<'_>, Error> {
    let total = announced_len(bytes, expected)?;
    let actual = bytes.len() as u64;
    if actual < total {
        return Err(Error::Truncated {
            expected: total,
            actual,
        });
    }
    if actual > total {
        return Err(Error::Corrupted);
    }
    let ciphertext_len = total - (HEADER_LEN + CHECKSUM_LEN) as u64;
    // `total` fits in memory: it equals bytes.len().
    let body_end = bytes.len() - CHECKSUM_LEN;
    let sum = Sha256::digest(&bytes[..body_end]);
    if sum[..] != bytes[body_end..] {
        return Err(Error::Corrupted);
    }
    if bytes[10] != KDF_ARGON2ID {
        return Err(Error::UnsupportedKdf(bytes[10]));
    }
    if bytes[55] != CIPHER_AES256GCM {
        return Err(Error::UnsupportedCipher(bytes[55]));
    }
    let kdf = KdfParams {
        memory_kib: be_u32(bytes, 11),
        iterations: be_u32(bytes, 15),
        parallelism: be_u32(bytes, 19),
    };
    kdf.validate()?;
    let mut salt = [0u8; 16];
    salt.copy_from_slice(&bytes[23..39]);
    let mut key_check = [0u8; 16];
    key_check.copy_from_slice(&bytes[39..55]);
    let mut nonce = [0u8; 12];
    nonce.copy_from_slice(&bytes[56..68]);
    Ok(Container {
        header: Header {
            kind: expected,
            kdf,
            salt,
            key_check,
            nonce,
            ciphertext_len,
        },
        header_bytes: &bytes[..HEADER_LEN],
        ciphertext: &bytes[HEADER_LEN..body_end],
    })
}
