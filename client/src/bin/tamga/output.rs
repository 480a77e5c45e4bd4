//! Printing: `text` for people, `json` for machines (one document on stdout).
//! Prompts, summaries, spinners and errors go to stderr.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use tamga_client::amount::format_amount;
use tamga_client::AccountView;
use tamga_types::views::{NodeStatus, TxView};
use tamga_types::{Hash, Payload, PublicKey, Receipt, SignedTransaction, TxOutcome};

use crate::args::Output;

/// Prints results in the chosen format.
pub struct Printer {
    format: Output,
}

impl Printer {
    /// A printer for `format`.
    pub fn new(format: Output) -> Self {
        Printer { format }
    }

    /// Any serialisable value: pretty JSON in text mode, compact JSON otherwise.
    pub fn value<T: Serialize>(&self, v: &T) -> anyhow::Result<()> {
        match self.format {
            Output::Json => println!("{}", serde_json::to_string(v)?),
            Output::Text => println!("{}", serde_json::to_string_pretty(v)?),
        }
        Ok(())
    }

    /// The node's status.
    pub fn status(&self, s: &NodeStatus) -> anyhow::Result<()> {
        if self.format == Output::Json {
            return self.value(s);
        }
        println!("chain        {}", s.chain_id);
        println!("height       {} ({})", s.height, s.last_block_hash);
        println!("state root   {}", s.state_root);
        println!("consensus    height {} round {}", s.consensus_height, s.consensus_round);
        println!("node key     {}{}", s.node_key, if s.validator { " (validator)" } else { "" });
        println!("peers        {}   mempool {} txs   syncing {}", s.peers, s.mempool_txs, s.syncing);
        println!("version      {}", s.version);
        Ok(())
    }

    /// An account with balances in display units.
    pub fn account(&self, a: &AccountView) -> anyhow::Result<()> {
        if self.format == Output::Json {
            return self.value(a);
        }
        println!("account      {}", a.account.key);
        println!("party        {}", a.account.party);
        println!("status       {}", serde_json::to_value(&a.account.status)?["status"].as_str().unwrap_or("?"));
        println!("next nonce   {}", a.next_nonce);
        for b in &a.balances {
            let free = format_amount(b.free, b.decimals);
            let frozen = format_amount(b.frozen, b.decimals);
            println!(
                "  class {} {}: {} (free {free}, frozen {frozen})",
                b.class,
                b.symbol,
                format_amount(b.amount, b.decimals)
            );
        }
        Ok(())
    }

    /// A committed transaction's receipt: outcome, location, events.
    pub fn receipt(&self, v: &TxView) -> anyhow::Result<()> {
        let r = &v.receipt;
        if self.format == Output::Json {
            return self.value(&ReceiptOut { hash: &r.tx_hash, receipt: r, tx: &v.tx });
        }
        match &r.outcome {
            TxOutcome::Success => println!("committed {} at height {} index {}: success", r.tx_hash, r.height, r.index),
            TxOutcome::Failed { code, message } => {
                println!("committed {} at height {} index {}: FAILED {code}: {message}", r.tx_hash, r.height, r.index)
            }
        }
        for e in &r.events {
            let attrs: Vec<String> = e.attributes.iter().map(|(k, v)| format!("{k}={v}")).collect();
            println!("  {} {}", e.kind, attrs.join(" "));
        }
        Ok(())
    }

    /// An error: `{"error": …}` on stdout in JSON mode (so scripts see it), text on stderr.
    pub fn error(&self, e: &anyhow::Error) {
        if self.format == Output::Json {
            let api = e.downcast_ref::<tamga_client::ClientError>().and_then(|c| c.api());
            let v = match api {
                Some(a) => serde_json::json!({ "error": a }),
                None => serde_json::json!({ "error": { "message": format!("{e:#}") } }),
            };
            println!("{v}");
        } else {
            eprintln!("error: {e:#}");
        }
    }

    /// A spinner on stderr, hidden when stderr is not a terminal or in JSON mode.
    pub fn spinner(&self, msg: String) -> ProgressBar {
        if self.format == Output::Json || !std::io::stderr().is_terminal() {
            return ProgressBar::hidden();
        }
        let pb = ProgressBar::new_spinner();
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            pb.set_style(style);
        }
        pb.set_message(msg);
        pb.enable_steady_tick(Duration::from_millis(120));
        pb
    }
}

/// `--output json` form of a committed transaction. A struct, not
/// `json!`: a `serde_json::Value` cannot hold a `u128` above `u64::MAX`.
#[derive(Serialize)]
struct ReceiptOut<'a> {
    hash: &'a Hash,
    receipt: &'a Receipt,
    tx: &'a SignedTransaction,
}

/// What the signer is shown (serialised directly: amounts are `u128`).
#[derive(Serialize)]
struct Summary<'a> {
    operation: &'static str,
    payload: &'a Payload,
    signer: &'a PublicKey,
    nonce: u64,
    chain_id: &'a str,
    memo: Option<&'a str>,
    tx_hash: Hash,
}

/// What is about to be signed (SPEC §1.7): operation, payload, signer, nonce,
/// chain id and memo, with the amounts' units stated.
pub fn summary(tx: &SignedTransaction, decimals: Option<u8>) -> anyhow::Result<String> {
    let t = &tx.tx;
    let units = match decimals {
        None => "amounts below are base units",
        Some(_) => "amounts below are base units (converted from the class's display units)",
    };
    let v = Summary {
        operation: t.payload.kind_name(),
        payload: &t.payload,
        signer: &t.signer,
        nonce: t.nonce,
        chain_id: t.chain_id.as_str(),
        memo: t.memo.as_ref().map(|m| m.as_str()),
        tx_hash: tx.hash(),
    };
    Ok(format!("About to sign ({units}):\n{}", serde_json::to_string_pretty(&v)?))
}
