//! The app's settings: the only thing it persists outside the vault. They hold no secret and no
//! personal data: which data directory and chain to use, the auto-lock time and the theme. Saved
//! as JSON in the platform's config directory, atomically.

use std::path::{Path, PathBuf};

use registry::connect::ChainSpec;
use serde::{Deserialize, Serialize};
use wallet_core::home::Home;

/// Light or dark.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    /// Dark text on light backgrounds.
    #[default]
    Light,
    /// Light text on dark backgrounds.
    Dark,
}

/// What the app remembers between runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// The data directory; `None` is the platform's (the `siegel` CLI's default too).
    pub data_dir: Option<PathBuf>,
    /// The chain, as the CLI's `--chain` takes it: `dev`, `dev:PATH` or a URL.
    pub chain: String,
    /// Lock the vault after this many seconds without input; 0 never locks.
    pub auto_lock_seconds: u64,
    /// The colour theme.
    pub theme: Theme,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            data_dir: None,
            chain: ChainSpec::Dev.to_string(),
            auto_lock_seconds: 5 * 60,
            theme: Theme::Light,
        }
    }
}

/// Settings that cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// The file exists but cannot be read.
    #[error("cannot read the settings {}: {message}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// The file cannot be written.
    #[error("cannot save the settings to {}: {message}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// A value is not usable.
    #[error("{0}")]
    Invalid(String),
}

/// The largest settings file read.
const MAX_BYTES: u64 = 64 * 1024;

impl Settings {
    /// Where the settings live: `settings.json` in the platform's config directory for Siegel.
    pub fn default_path() -> Option<PathBuf> {
        Home::platform_config_dir().map(|d| d.join("wallet-settings.json"))
    }

    /// Reads the settings at `path`; a missing file gives the defaults.
    ///
    /// # Errors
    /// [`SettingsError::Read`] for an unreadable, oversize or damaged file (it is left as it is).
    pub fn load(path: &Path) -> Result<Self, SettingsError> {
        let read = |message: String| SettingsError::Read {
            path: path.to_path_buf(),
            message,
        };
        let bytes = match wallet_core::fs::read_capped(path, MAX_BYTES) {
            Ok(bytes) => bytes,
            Err(e) if e.is_not_found() => return Ok(Self::default()),
            Err(wallet_core::fs::ReadError::TooLarge { .. }) => {
                return Err(read(format!("more than {MAX_BYTES} bytes")));
            }
            Err(e) => return Err(read(e.to_string())),
        };
        let settings: Self = serde_json::from_slice(&bytes).map_err(|e| read(e.to_string()))?;
        settings.validate().map_err(|e| read(e.to_string()))?;
        Ok(settings)
    }

    /// Writes the settings to `path` (temp file, fsync, rename, fsync the directory).
    ///
    /// # Errors
    /// [`SettingsError::Invalid`] for settings that do not validate, [`SettingsError::Write`].
    pub fn save(&self, path: &Path) -> Result<(), SettingsError> {
        self.validate()?;
        let write = |message: String| SettingsError::Write {
            path: path.to_path_buf(),
            message,
        };
        if let Some(dir) = path.parent() {
            wallet_core::fs::create_private_dir(dir).map_err(|e| write(e.to_string()))?;
        }
        let text = serde_json::to_vec_pretty(self).map_err(|e| write(e.to_string()))?;
        wallet_core::fs::write_atomic(path, &text).map_err(|e| write(e.to_string()))
    }

    /// Checks every value.
    ///
    /// # Errors
    /// [`SettingsError::Invalid`] naming the value.
    pub fn validate(&self) -> Result<(), SettingsError> {
        self.chain_spec()?;
        self.home()?;
        Ok(())
    }

    /// The chain to use.
    ///
    /// # Errors
    /// [`SettingsError::Invalid`] for text that names no chain.
    pub fn chain_spec(&self) -> Result<ChainSpec, SettingsError> {
        let spec: ChainSpec = self
            .chain
            .trim()
            .parse()
            .map_err(|e| SettingsError::Invalid(format!("chain: {e}")))?;
        // A relative journal path would name another chain whenever the app starts elsewhere.
        if let ChainSpec::DevAt(p) = &spec
            && !p.is_absolute()
        {
            return Err(SettingsError::Invalid(format!(
                "chain: dev:{} is not an absolute path",
                p.display()
            )));
        }
        Ok(spec)
    }

    /// The data directory.
    ///
    /// # Errors
    /// [`SettingsError::Invalid`] for a relative path, or when the platform has no data
    /// directory and none is set.
    pub fn home(&self) -> Result<Home, SettingsError> {
        match &self.data_dir {
            Some(d) if d.is_absolute() => Ok(Home::new(d)),
            Some(d) => Err(SettingsError::Invalid(format!(
                "data directory: {} is not an absolute path",
                d.display()
            ))),
            None => Home::platform_default().map(Home::new).ok_or_else(|| {
                SettingsError::Invalid(
                    "this platform has no data directory; choose one in Settings".into(),
                )
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn round_trips_and_refuses_damage() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("cfg").join("settings.json");
        assert_eq!(Settings::load(&path).unwrap(), Settings::default());
        let s = Settings {
            data_dir: Some(tmp.path().join("wallet")),
            chain: "http://127.0.0.1:8545".into(),
            auto_lock_seconds: 120,
            theme: Theme::Dark,
        };
        s.save(&path).unwrap();
        assert_eq!(Settings::load(&path).unwrap(), s);
        std::fs::write(&path, b"{\"chain\": 3").unwrap();
        assert!(matches!(
            Settings::load(&path),
            Err(SettingsError::Read { .. })
        ));
        std::fs::write(&path, br#"{"chain": "ftp://x"}"#).unwrap();
        assert!(matches!(
            Settings::load(&path),
            Err(SettingsError::Read { .. })
        ));
        let relative_chain = Settings {
            chain: "dev:chain/here".into(),
            ..Settings::default()
        };
        assert!(matches!(
            relative_chain.validate(),
            Err(SettingsError::Invalid(_))
        ));
        let relative = Settings {
            data_dir: Some("wallet".into()),
            ..Settings::default()
        };
        assert!(matches!(
            relative.save(&path),
            Err(SettingsError::Invalid(_))
        ));
        // The damaged file was not replaced by the refused save.
        assert!(std::fs::read_to_string(&path).unwrap().contains("ftp"));
    }
}
