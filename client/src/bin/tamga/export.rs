//! `export issuer ID --out FILE` and `export verify FILE --genesis FILE`
//! (SPEC §12; `docs/export-format.md`).

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use tamga_client::export::{verify_export, VerifiedExport};
use tamga_client::Client;
use tamga_types::PartyId;

use crate::args::Cli;
use crate::coded;
use crate::output::Printer;
use crate::verify::{read_genesis, EXIT_INVALID};

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Verifies the file at `path`, with a spinner counting lines.
fn check(
    path: &Path,
    genesis: &Path,
    p: &Printer,
) -> Result<Result<VerifiedExport, tamga_client::export::ExportError>> {
    let g = read_genesis(genesis)?;
    let file = File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let pb = p.spinner(format!("verifying {}", path.display()));
    let result = verify_export(BufReader::new(file), &g, |n| pb.set_message(format!("verifying: {n} lines")));
    pb.finish_and_clear();
    Ok(result)
}

fn report(v: &VerifiedExport, file: &Path, bytes: Option<u64>, p: &Printer) -> Result<()> {
    if p.json() {
        return p.value(&serde_json::json!({
            "valid": true, "file": file.display().to_string(), "bytes": bytes, "export": v,
        }));
    }
    let c = &v.counts;
    println!("VALID issuer export of party {} on chain {}", v.issuer, v.chain_id);
    println!(
        "proven at:   height {}, block {}, state root {} ({} validator-set changes followed from the genesis)",
        v.height, v.block_hash, v.state_root, v.validator_changes
    );
    println!(
        "contents:    {} classes, {} holdings, {} records, {} history entries, {} accounts, {} certified headers",
        c.classes, c.holdings, c.records, c.history, c.accounts, c.blocks
    );
    for class in &v.classes {
        println!(
            "  class {} {}: supply {}, held {} by {} holders (base units; the rest is in escrow)",
            class.id, class.symbol, class.supply, class.held, class.holders
        );
    }
    Ok(())
}

/// `export issuer ID --out FILE [--genesis FILE]`: streams to FILE.part,
/// verifies it when --genesis is given, then renames it to FILE.
pub async fn issuer(
    cli: &Cli,
    client: &Client,
    id: PartyId,
    genesis: Option<&Path>,
    timeout: Duration,
    p: &Printer,
) -> Result<ExitCode> {
    let out = cli.out.as_ref().context("export issuer needs --out FILE")?;
    let part = with_suffix(out, ".part");
    let file = File::create(&part).with_context(|| format!("creating {}", part.display()))?;
    let mut w = BufWriter::new(file);
    let pb = p.spinner(format!("exporting issuer {id}"));
    let got = client
        .export_issuer(id, &mut w, timeout, |n| pb.set_message(format!("exporting issuer {id}: {n} bytes")))
        .await;
    pb.finish_and_clear();
    let bytes = match got {
        Ok(b) => b,
        Err(e) => {
            drop(w);
            let _ = std::fs::remove_file(&part);
            return Err(e.into());
        }
    };
    w.flush().with_context(|| format!("writing {}", part.display()))?;
    drop(w);
    let verified = match genesis {
        Some(g) => match check(&part, g, p)? {
            Ok(v) => Some(v),
            Err(e) => {
                let bad = with_suffix(out, ".invalid");
                std::fs::rename(&part, &bad).with_context(|| format!("renaming to {}", bad.display()))?;
                return Err(coded(
                    e.code(),
                    EXIT_INVALID,
                    format!("the node's export does not verify (kept as {}): {e}", bad.display()),
                ));
            }
        },
        None => None,
    };
    std::fs::rename(&part, out).with_context(|| format!("renaming to {}", out.display()))?;
    if let Some(v) = verified {
        return report(&v, out, Some(bytes), p).map(|_| ExitCode::SUCCESS);
    }
    if p.json() {
        p.value(&serde_json::json!({
            "file": out.display().to_string(), "bytes": bytes, "issuer": id, "verified": false,
        }))?;
    } else {
        println!(
            "wrote the export of issuer {id} to {} ({bytes} bytes); check it with `tamga export verify {} --genesis genesis.json`",
            out.display(),
            out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `export verify FILE --genesis FILE`: no network.
pub fn verify(file: &Path, genesis: &Path, p: &Printer) -> Result<ExitCode> {
    match check(file, genesis, p)? {
        Ok(v) => report(&v, file, None, p).map(|_| ExitCode::SUCCESS),
        Err(e) => Err(coded(e.code(), EXIT_INVALID, format!("INVALID: {e}"))),
    }
}
