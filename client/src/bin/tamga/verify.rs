//! `receipt export`, `receipt verify` (offline) and `verify-chain`
//! (SPEC §1.8, §10; Digital Code art. 50 p.4: verification shows the
//! content, the result and who signed).

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use tamga_client::bundle::{verify_bundle, verify_bundle_bytes, ReceiptBundle, SignerParty, VerifiedReceipt};
use tamga_client::light::verify_chain;
use tamga_client::Client;
use tamga_types::{Genesis, Hash, Height, TxOutcome};

use crate::args::Cli;
use crate::coded;
use crate::output::Printer;

/// Exit status of a bundle or chain that does not verify.
pub(crate) const EXIT_INVALID: u8 = 6;

/// Exit status of a `--genesis` file that cannot be read or is not a valid genesis.
const EXIT_GENESIS: u8 = 1;

/// Reads a `--genesis` file: the genesis JSON file as the node writes it
/// (`tamgad devnet`, `tamgad testnet`, `tamgad init`; the format of the
/// `tamga-genesis` crate: RFC 3339 `genesis_time`, hex keys and transactions),
/// converted and validated by the same code the node starts from, so the
/// genesis hash the verifier trusts is the one the network committed to.
/// Errors carry the code `INVALID_GENESIS`, name the file and say what is
/// wrong (the field path, the value found and the value expected).
pub(crate) fn read_genesis(path: &Path) -> Result<Genesis> {
    tamga_genesis::load(path).map_err(|e| {
        let message = match &e {
            // The I/O variant names the file itself.
            tamga_genesis::LoadError::Io { .. } => e.to_string(),
            _ => format!("{}: {e}", path.display()),
        };
        coded("INVALID_GENESIS", EXIT_GENESIS, message)
    })
}

/// A bundle file: its binary bytes, or their hex (whitespace ignored).
fn read_bundle_file(path: &Path) -> Result<Vec<u8>> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    if let Ok(text) = std::str::from_utf8(&bytes) {
        let compact: String = text.split_whitespace().collect();
        if !compact.is_empty() && compact.len() % 2 == 0 && compact.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(hex::decode(compact)?);
        }
    }
    Ok(bytes)
}

/// `receipt export HASH --out FILE [--genesis FILE]`.
pub async fn export(cli: &Cli, client: &Client, hash: &Hash, genesis: Option<&Path>, p: &Printer) -> Result<ExitCode> {
    let out = cli.out.as_ref().context("receipt export needs --out FILE")?;
    let bundle: ReceiptBundle = client.receipt_bundle(hash).await?;
    if let Some(g) = genesis {
        let g = read_genesis(g)?;
        verify_bundle(&bundle, &g).map_err(|e| coded(e.code(), EXIT_INVALID, format!("the node's bundle: {e}")))?;
    }
    let bytes = bundle.encode();
    std::fs::write(out, &bytes).with_context(|| format!("writing {}", out.display()))?;
    let v = serde_json::json!({
        "tx_hash": hash, "height": bundle.receipt.height, "file": out.display().to_string(),
        "bytes": bytes.len(), "verified": genesis.is_some(),
    });
    if p.json() {
        p.value(&v)?;
    } else {
        println!(
            "wrote the receipt bundle of {hash} (height {}) to {} ({} bytes)",
            bundle.receipt.height,
            out.display(),
            bytes.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `receipt verify FILE --genesis FILE`: no network.
pub fn verify(file: &Path, genesis: &Path, p: &Printer) -> Result<ExitCode> {
    let g = read_genesis(genesis)?;
    let bytes = read_bundle_file(file)?;
    match verify_bundle_bytes(&bytes, &g) {
        Ok(v) => {
            if p.json() {
                p.value(&serde_json::json!({ "valid": true, "receipt": v }))?;
            } else {
                print!("{}", describe(&v));
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => Err(coded(e.code(), EXIT_INVALID, crate::i18n::t("verify.invalid", &[&e]))),
    }
}

/// The text report of a verified bundle, in the process's language: what
/// was proven, and what the signature is in law (Digital Code art. 47 p.4,
/// 49) with the signing account's certificate reference where the proven
/// account state holds one.
pub fn describe(v: &VerifiedReceipt) -> String {
    describe_in(v, crate::i18n::lang())
}

/// [`describe`] in `lang`.
pub fn describe_in(v: &VerifiedReceipt, lang: crate::i18n::Lang) -> String {
    let t = |key: &str, args: &[&dyn std::fmt::Display]| crate::i18n::tl(lang, key, args);
    let mut s = t("verify.valid", &[]) + "\n";
    s.push_str(&t("verify.transaction", &[&v.tx_hash]));
    s.push_str(&t("verify.chain", &[&v.chain_id]));
    s.push_str(&t("verify.signed_by", &[&v.signer]));
    let party = match &v.signer_party {
        SignerParty::StateProof { party, status, .. } => t("verify.party.proof", &[party, &format!("{status:?}")]),
        SignerParty::Genesis { party } => t("verify.party.genesis", &[party]),
        SignerParty::NoAccount => t("verify.party.no_account", &[]),
        SignerParty::Unknown => t("verify.party.unknown", &[]),
    };
    s.push_str(&t("verify.party", &[&party]));
    if v.height == 0 {
        s.push_str(&t("verify.at_genesis", &[&v.index, &v.block_time_ms]));
    } else {
        s.push_str(&t("verify.committed", &[&v.height, &v.index, &v.block_time_ms]));
        if let Some(h) = v.block_hash {
            s.push_str(&t("verify.block", &[&h]));
        }
        s.push_str(&t(
            "verify.certified",
            &[&v.certified_by.len(), &v.signed_power, &v.total_power, &v.validator_changes],
        ));
        for c in &v.certified_by {
            s.push_str(&t("verify.certifier", &[&c.key, &c.operator, &c.power]));
        }
    }
    let outcome = match &v.outcome {
        TxOutcome::Success => t("verify.success", &[]),
        TxOutcome::Failed { code, args } => t("verify.failed", &[code, &crate::output::failure_message(code, args)]),
    };
    s.push_str(&t("verify.outcome", &[&outcome]));
    let certificate = match &v.signer_party {
        SignerParty::StateProof { certificate, .. } => Some(certificate),
        _ => None,
    };
    s.push_str(&crate::signature_standing_in(certificate, lang));
    s.push('\n');
    s.push_str(&t("verify.what", &[]));
    s.push('\n');
    for line in v.rendering.lines() {
        s.push_str("  ");
        s.push_str(line);
        s.push('\n');
    }
    s
}

/// `verify-chain --genesis FILE [--to HEIGHT]`.
pub async fn chain(client: &Client, genesis: &Path, to: Option<Height>, p: &Printer) -> Result<ExitCode> {
    let g = read_genesis(genesis)?;
    match verify_chain(client, &g, to, |_| {}).await {
        Ok(v) => {
            if p.json() {
                p.value(&serde_json::json!({ "valid": true, "chain": v }))?;
            } else {
                println!(
                    "VALID: headers 1..={} verified from the genesis through {} validator-set changes; block {} at {} ms",
                    v.height,
                    v.changes.len(),
                    v.block_hash,
                    v.time_ms
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(tamga_client::light::ChainError::Client(e)) => Err(e.into()),
        Err(e) => Err(coded("CHAIN_INVALID", EXIT_INVALID, format!("INVALID: {e}"))),
    }
}
