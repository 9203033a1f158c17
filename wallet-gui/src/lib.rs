//! Siegel's desktop wallet (`siegel-wallet`): hold, inspect, present and verify credentials.
//!
//! Built like the egui demo app and rerun: [`state`] is what the screens render, [`ui`] holds
//! the screens (each returns [`command::Command`]s), [`app`] applies the commands after the
//! frame, and [`tasks`] is the worker thread that owns the vault and the chain and does every
//! slow thing (Argon2id, proofs, chain calls) off the UI thread. The application logic itself is
//! `wallet-core`'s (`holder`, `request`, `verify`, `home`) and `registry`'s (`connect`), the
//! same calls the `siegel` CLI makes.
#![forbid(unsafe_code)]

pub mod app;
pub mod command;
pub mod secret_text;
pub mod settings;
pub mod state;
pub mod tasks;
pub mod ui;

pub use app::{Config, SiegelApp};
