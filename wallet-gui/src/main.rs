//! `siegel-wallet`: starts the desktop wallet.
//!
//! `siegel-wallet [--data-dir DIR] [--chain dev|dev:PATH|URL]` — both override the saved
//! settings for this run (`SIEGEL_HOME` too, as for the CLI). `SIEGEL_WALLET_SETTINGS=FILE`
//! reads and saves settings there instead of the platform's config directory.
//! `SIEGEL_WALLET_TIMING=1` prints frame times at exit.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context as _;
use wallet_core::vault::KdfParams;
use wallet_gui::settings::Settings;
use wallet_gui::{Config, SiegelApp};

fn main() -> anyhow::Result<()> {
    let started = Instant::now();
    let mut args = std::env::args().skip(1);
    let mut data_dir = std::env::var_os("SIEGEL_HOME").map(PathBuf::from);
    let mut chain = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--data-dir" => {
                data_dir = Some(args.next().context("--data-dir needs a directory")?.into())
            }
            "--chain" => {
                chain = Some(
                    args.next()
                        .context("--chain needs dev, dev:PATH or a URL")?,
                )
            }
            "-h" | "--help" => {
                println!(
                    "siegel-wallet [--data-dir DIR] [--chain dev|dev:PATH|URL]\n\nSiegel's desktop wallet. Settings are saved in {}.",
                    Settings::default_path()
                        .map(|p| p.display().to_string())
                        .unwrap_or_else(|| "memory only".into())
                );
                return Ok(());
            }
            other => anyhow::bail!("unknown argument {other}; see --help"),
        }
    }
    let settings_path = std::env::var_os("SIEGEL_WALLET_SETTINGS")
        .map(PathBuf::from)
        .or_else(Settings::default_path);
    let mut settings = match &settings_path {
        Some(p) => Settings::load(p).unwrap_or_else(|e| {
            eprintln!("{e}; using the defaults");
            Settings::default()
        }),
        None => Settings::default(),
    };
    if let Some(d) = data_dir {
        settings.data_dir = Some(std::path::absolute(d)?);
    }
    if let Some(c) = chain {
        // `dev:PATH` relative to where the command runs, as for --data-dir.
        settings.chain = match c.strip_prefix("dev:") {
            Some(p) if !p.is_empty() => format!("dev:{}", std::path::absolute(p)?.display()),
            _ => c,
        };
    }
    settings.validate().map_err(|e| anyhow::anyhow!("{e}"))?;
    // Tests and the screenshot script use the smallest KDF; people never should.
    let kdf = match std::env::var("SIEGEL_KDF").as_deref() {
        Ok("minimum") => KdfParams::MINIMUM,
        _ => KdfParams::DEFAULT,
    };
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Siegel")
            .with_app_id("siegel-wallet")
            .with_inner_size([980.0, 720.0])
            .with_min_inner_size([640.0, 480.0]),
        ..Default::default()
    };
    eframe::run_native(
        "Siegel",
        options,
        Box::new(move |cc| {
            let app = SiegelApp::new(
                &cc.egui_ctx,
                Config {
                    settings,
                    settings_path,
                    kdf,
                    started,
                    desktop: true,
                    connection: None,
                },
            )?;
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| anyhow::anyhow!("the window cannot be opened: {e}"))
}
