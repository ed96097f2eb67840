//! The normalization evaluation without the rest of the service, for a quick loop while
//! working on the normalizer: `cargo run -p jobping-sources --example eval_normalizer --
//! [DIR] [--mistakes FIELD]`. `jobping eval-normalizer` is the same report.

use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let mut options = jobping_sources::evaluation::Options {
        payloads: None,
        labels: None,
        mistakes: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--mistakes" => options.mistakes = args.next(),
            "--labels" => options.labels = args.next().map(PathBuf::from),
            _ => options.payloads = Some(PathBuf::from(arg)),
        }
    }
    print!("{}", jobping_sources::evaluation::run(&options)?);
    Ok(())
}
