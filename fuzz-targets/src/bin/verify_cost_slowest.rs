//! Stable-Rust driver for the `verify_cost` fuzz target: runs every input file given (files or
//! directories, e.g. `fuzz/corpus/verify_cost`) and `--random N` generated programs through the
//! verifier and prints the slowest, by process CPU time — the cost fuzzing that needs no nightly
//! toolchain (docs/FUZZING.md).
//!
//! ```sh
//! cargo run --release -p fuzz-targets --bin verify_cost_slowest -- \
//!     --random 2000 --top 15 --save /tmp/slow fuzz/corpus/verify_cost
//! ```
//! `--seed S` picks the random programs (default 1); `--save DIR` writes the slowest inputs
//! there, named by their cost, to replay or to add to the corpus.
#![allow(clippy::print_stdout, reason = "a command-line tool")]

use std::path::{Path, PathBuf};
use std::time::Duration;

/// A small xorshift generator: the programs need no cryptographic randomness, only variety that
/// a seed reproduces.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next().to_le_bytes()[0]).collect()
    }
}

fn files(path: &Path) -> Vec<PathBuf> {
    if path.is_dir() {
        let mut out: Vec<PathBuf> = std::fs::read_dir(path)
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        out.sort();
        out
    } else {
        vec![path.to_owned()]
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut top, mut random, mut seed, mut save) = (10usize, 0usize, 1u64, None);
    let mut inputs: Vec<(String, Vec<u8>)> = Vec::new();
    while let Some(a) = args.next() {
        let mut number = |what: &str| -> u64 {
            args.next().and_then(|v| v.parse().ok()).unwrap_or_else(|| {
                eprintln!("{what} needs a number");
                std::process::exit(2)
            })
        };
        match a.as_str() {
            "--top" => top = usize::try_from(number("--top")).unwrap_or(10),
            "--random" => random = usize::try_from(number("--random")).unwrap_or(0),
            "--seed" => seed = number("--seed").max(1),
            "--save" => save = args.next().map(PathBuf::from),
            path => {
                for f in files(Path::new(path)) {
                    match std::fs::read(&f) {
                        Ok(data) => inputs.push((f.display().to_string(), data)),
                        Err(e) => eprintln!("{}: {e}", f.display()),
                    }
                }
            }
        }
    }
    let mut rng = XorShift(seed);
    for i in 0..random {
        let len = 4 + usize::try_from(rng.next() % 40).unwrap_or(0);
        inputs.push((format!("random #{i} (seed {seed})"), rng.bytes(len)));
    }
    // Once untimed: the first call builds the original presentation.
    fuzz_targets::verify_cost_of(b"");
    let mut results: Vec<(Duration, usize, String, Vec<u8>)> = inputs
        .into_iter()
        .map(|(name, data)| {
            let size = fuzz_targets::grow(&data).len();
            (fuzz_targets::verify_cost_of(&data), size, name, data)
        })
        .collect();
    results.sort_by_key(|r| std::cmp::Reverse(r.0));
    println!(
        "{} inputs; the slowest {}:",
        results.len(),
        top.min(results.len())
    );
    println!("CPU ms\tbytes\tinput\tprogram (hex)");
    for (cpu, size, name, data) in results.iter().take(top) {
        println!(
            "{:.1}\t{size}\t{name}\t{}",
            cpu.as_secs_f64() * 1e3,
            hex::encode(data)
        );
    }
    if let Some(dir) = save {
        if let Err(e) = std::fs::create_dir_all(&dir) {
            eprintln!("{}: {e}", dir.display());
            return;
        }
        for (cpu, _, _, data) in results.iter().take(top) {
            let name = format!("{:06}us-{}", cpu.as_micros(), hex::encode(data));
            let name: String = name.chars().take(80).collect();
            if let Err(e) = std::fs::write(dir.join(name), data) {
                eprintln!("{e}");
            }
        }
    }
}
