//! `tamga`: the Tamga command-line client (SPEC §11). See `tamga --help`.
//!
//! Layout: [`args`] is the command tree, [`payloads`] turns transaction
//! commands into payloads (pure), [`output`] prints; this file talks to the
//! node.

mod args;
mod output;
mod payloads;

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::Parser;
use tamga_client::keyfile::{read_key_file, write_key_file};
use tamga_client::{sign_payload, Client, TxStatus};
use tamga_types::views::MiningFilter;
use tamga_types::SigningKey;

use args::{ActivityCmd, Cli, Command, KeysCmd, MiningCmd};
use output::Printer;
use payloads::Op;

/// Exit status of a transaction committed with a failed receipt.
const EXIT_TX_FAILED: u8 = 3;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(&cli)) {
        Ok(code) => code,
        Err(e) => {
            let p = Printer::new(cli.output);
            p.error(&e);
            ExitCode::FAILURE
        }
    }
}

fn signing_key(cli: &Cli) -> Result<SigningKey> {
    let path = cli.key.as_ref().context("this command signs a transaction: pass --key FILE or set TAMGA_KEY")?;
    Ok(read_key_file(path)?)
}

async fn run(cli: &Cli) -> Result<ExitCode> {
    let p = Printer::new(cli.output);
    if let Command::Keys(k) = &cli.cmd {
        return keys(cli, k, &p).map(|_| ExitCode::SUCCESS);
    }
    let client = Client::new(&cli.node)?;
    if let Some(op) = Op::of(&cli.cmd) {
        return transact(cli, &client, &op, &p).await;
    }
    query(cli, &client, &p).await?;
    Ok(ExitCode::SUCCESS)
}

fn keys(cli: &Cli, k: &KeysCmd, p: &Printer) -> Result<()> {
    match k {
        KeysCmd::Generate { out } => {
            let key = SigningKey::generate();
            write_key_file(out, &key)?;
            p.value(&serde_json::json!({ "public_key": key.public(), "file": out.display().to_string() }))
        }
        KeysCmd::Show { file } => {
            let path = file.as_ref().or(cli.key.as_ref()).context("give a key file, or --key")?;
            let key = read_key_file(path)?;
            p.value(&serde_json::json!({ "public_key": key.public(), "file": path.display().to_string() }))
        }
    }
}

/// Builds, shows, confirms, signs, submits and (unless --no-wait) waits.
async fn transact(cli: &Cli, client: &Client, op: &Op<'_>, p: &Printer) -> Result<ExitCode> {
    let decimals = match (cli.base_units, op.amount_class()) {
        (true, _) => None,
        (false, Some(class)) => {
            Some(client.class(class).await.with_context(|| format!("fetching the decimals of class {class}"))?.decimals)
        }
        (false, None) => Some(0),
    };
    let payload = op.payload(decimals).map_err(anyhow::Error::msg)?;
    let key = signing_key(cli)?;
    let chain_id = match &cli.chain_id {
        Some(c) => c.clone(),
        None => client.status().await.context("fetching the chain id (or pass --chain-id)")?.chain_id,
    };
    let nonce = match cli.nonce {
        Some(n) => n,
        None => client.next_nonce(&key.public()).await.context("fetching the account's next nonce")?,
    };
    let tx = sign_payload(&key, &chain_id, nonce, payload, cli.memo.as_deref())?;
    // SPEC §1.7: the signer sees the content before it is submitted.
    eprintln!("{}", output::summary(&tx, decimals)?);
    if !cli.yes && !confirm()? {
        bail!("not submitted");
    }
    let hash = client.submit(&tx).await?;
    if cli.no_wait {
        p.value(&serde_json::json!({ "hash": hash, "status": "submitted" }))?;
        return Ok(ExitCode::SUCCESS);
    }
    let spinner = p.spinner(format!("waiting for {hash} to commit"));
    let waited = client.wait_for_receipt(&hash, Duration::from_secs(cli.timeout)).await;
    spinner.finish_and_clear();
    let view = waited?;
    p.receipt(&view)?;
    Ok(if view.receipt.is_success() { ExitCode::SUCCESS } else { ExitCode::from(EXIT_TX_FAILED) })
}

/// Asks on the terminal; refuses to guess when there is none.
fn confirm() -> Result<bool> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        bail!("confirmation needed but stdin is not a terminal: pass --yes to sign without asking");
    }
    eprint!("Sign and submit? [y/N] ");
    std::io::stderr().flush()?;
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}

async fn query(cli: &Cli, client: &Client, p: &Printer) -> Result<()> {
    use args::{ClassArgs, EscrowArgs, ParamsArgs, PartyArgs, RecordArgs, ValidatorsArgs};
    match &cli.cmd {
        Command::Status => p.status(&client.status().await?),
        Command::Chain => p.value(&client.chain().await?),
        Command::Params(ParamsArgs { cmd: None }) => p.value(&client.params().await?),
        Command::Validators(ValidatorsArgs { height, cmd: None }) => p.value(&client.validators(*height).await?),
        Command::Account { account, records } => {
            let key = match account {
                Some(k) => *k,
                None => signing_key(cli).context("give an account key, or --key")?.public(),
            };
            if *records {
                p.value(&client.account_records(&key).await?)
            } else {
                p.account(&client.account(&key).await?)
            }
        }
        Command::Tx { hash } => match client.tx(hash).await? {
            TxStatus::Committed(v) => p.receipt(&v),
            TxStatus::Pending => p.value(&serde_json::json!({ "hash": hash, "status": "pending" })),
            TxStatus::Unknown => bail!("transaction {hash} is neither committed nor pending at {}", client.base_url()),
        },
        Command::Block { at, receipts: false } => p.value(&client.block(*at).await?),
        Command::Block { at, receipts: true } => {
            let height = match at {
                tamga_client::BlockAt::Height(h) => *h,
                tamga_client::BlockAt::Latest => client.status().await?.height,
            };
            p.value(&client.block_receipts(height).await?)
        }
        Command::Parties => p.value(&client.parties().await?),
        Command::Party(PartyArgs { id: Some(id), .. }) => p.value(&client.party(*id).await?),
        Command::Classes { issuer } => p.value(&client.classes(*issuer).await?),
        Command::Class(ClassArgs { id: Some(id), .. }) => p.value(&client.class(*id).await?),
        Command::Holders { class } => p.value(&client.holders(*class).await?),
        Command::Record(RecordArgs { id: Some(id), .. }) => p.value(&client.record(*id).await?),
        Command::Escrows { party } => p.value(&client.escrows(*party).await?),
        Command::Escrow(EscrowArgs { id: Some(id), .. }) => p.value(&client.escrow(*id).await?),
        Command::Mining(MiningCmd::List(a)) => {
            let f = MiningFilter {
                miner: a.miner,
                status: a.status.clone(),
                region: a.region,
                kind: a.kind,
                from: a.from,
                to: a.to,
                after: a.after,
                limit: a.limit,
            };
            p.value(&client.mining_notifications(&f).await?)
        }
        Command::Mining(MiningCmd::Show { id }) => p.value(&client.mining_notification(*id).await?),
        Command::Mining(MiningCmd::Totals) => p.value(&client.mining_totals().await?),
        Command::Activity(ActivityCmd::List { party }) => p.value(&client.activity_notifications(*party).await?),
        Command::Evidence => p.value(&client.evidence().await?),
        other => bail!("nothing to do for {other:?}: give an id or a subcommand (see --help)"),
    }
}

#[cfg(test)]
mod tests;
