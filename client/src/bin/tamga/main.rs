//! `tamga`: the Tamga command-line client (SPEC §11). See `tamga --help`.
//!
//! Layout: [`args`] is the command tree's root, [`cmd`] its domains, each
//! with the builder that turns its transaction commands into payloads
//! (pure), [`output`] prints, [`keys`] manages key files; this file talks to
//! the node.

mod args;
mod bench;
mod cmd;
mod export;
mod i18n;
mod keys;
mod output;
mod signer;
mod verify;

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use tamga_client::{sign_payload, Client, ClientError, TxStatus};
use tamga_types::views::{MiningFilter, TxView};
use tamga_types::{MiningSite, SignedTransaction, TxOutcome};

use args::{Cli, Command};
use cmd::escrow::{EscrowArgs, EscrowCmd};
use cmd::governance::{ParamsArgs, ValidatorsArgs};
use cmd::notify::{MiningListArgs, NotifyActivityCmd, NotifyCmd, NotifyMiningCmd};
use cmd::parties::{PartyArgs, PartyCmd};
use cmd::queries::{BlockArgs, BlockCmd, ExportCmd, ReceiptArgs, ReceiptCmd, TxArgs, TxCmd};
use cmd::records::{RecordArgs, RecordCmd};
use cmd::tokens::TokenCmd;
use cmd::{Ctx, Op};
use output::Printer;

/// Exit status of a transaction committed with a failed receipt.
const EXIT_TX_FAILED: u8 = 3;
/// Exit status when the node refused the request (admission error, unknown id).
const EXIT_REFUSED: u8 = 4;
/// Exit status when no receipt came within --timeout.
const EXIT_TIMEOUT: u8 = 5;

/// An error with a stable code and exit status of its own.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Coded {
    /// Machine-readable code.
    pub code: &'static str,
    /// Human explanation.
    pub message: String,
    /// Exit status.
    pub exit: u8,
}

fn coded(code: &'static str, exit: u8, message: impl Into<String>) -> anyhow::Error {
    Coded { code, message: message.into(), exit }.into()
}

fn main() -> ExitCode {
    let cli = Cli::parse_args();
    let _ = TLS.set(tamga_client::TlsOptions {
        ca: cli.ca.clone(),
        client_cert: cli.client_cert.clone(),
        client_key: cli.client_key.clone(),
    });
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("{}", i18n::t("runtime.failed", &[&e]));
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(&cli)) {
        Ok(code) => code,
        Err(e) => report_error(&Printer::new(cli.output), &e),
    }
}

/// Prints `e` (with its code in JSON mode) and returns its exit status.
fn report_error(p: &Printer, e: &anyhow::Error) -> ExitCode {
    let (code, exit, extra) = classify(e);
    p.error(&code, &format!("{e:#}"), &extra);
    ExitCode::from(exit)
}

/// The code, exit status and extra JSON fields of an error.
pub fn classify(e: &anyhow::Error) -> (String, u8, Vec<(&'static str, serde_json::Value)>) {
    if let Some(c) = e.downcast_ref::<Coded>() {
        return (c.code.to_owned(), c.exit, vec![]);
    }
    if let Some(k) = e.downcast_ref::<tamga_client::keyfile::KeyFileError>() {
        return (k.code().to_owned(), 1, vec![]);
    }
    if let Some(k) = e.downcast_ref::<tamga_client::pkcs11::Pkcs11Error>() {
        return (k.code().to_owned(), 1, vec![]);
    }
    if let Some(k) = e.downcast_ref::<tamga_types::SignError>() {
        return ("SIGN_FAILED".into(), 1, vec![("detail", serde_json::json!(k.to_string()))]);
    }
    if let Some(c) = e.downcast_ref::<ClientError>() {
        return match c {
            ClientError::Api(a) => {
                let mut extra = vec![("http_status", serde_json::json!(a.status))];
                if let Some(f) = &a.field {
                    extra.push(("field", serde_json::json!(f)));
                }
                (a.code.clone(), EXIT_REFUSED, extra)
            }
            ClientError::Timeout { hash, .. } => {
                ("TIMEOUT".into(), EXIT_TIMEOUT, vec![("tx_hash", serde_json::json!(hash))])
            }
            ClientError::Transport { .. } => ("UNREACHABLE".into(), 1, vec![]),
            ClientError::InvalidUrl { .. } => ("INVALID_URL".into(), 1, vec![]),
            ClientError::TlsFile { option, .. } => ("TLS_FILE".into(), 1, vec![("option", serde_json::json!(option))]),
            ClientError::Decode { .. } => ("DECODE".into(), 1, vec![]),
            ClientError::Sign { .. } => ("SIGN_FAILED".into(), 1, vec![]),
        };
    }
    ("ERROR".into(), 1, vec![])
}

/// The TLS files of `--ca`, `--client-cert` and `--client-key`, set once
/// when the arguments are parsed.
static TLS: std::sync::OnceLock<tamga_client::TlsOptions> = std::sync::OnceLock::new();

/// The client of `--node`, asking for the node's answers in `lang`: the
/// node words its error bodies in kk/ru/en by `Accept-Language` (docs/api.md).
/// Trusts `--ca` and presents `--client-cert` when given.
pub fn node_client(node: &str, lang: i18n::Lang) -> Result<Client> {
    let tls = TLS.get().cloned().unwrap_or_default();
    Ok(Client::with_tls(node, Duration::from_secs(30), &tls)?.with_language(lang.tag()))
}

/// The signer of `--key` (asking for an encrypted file's passphrase as
/// needed) or of the `--pkcs11-*` options (a hardware token).
fn signing_key(cli: &Cli) -> Result<signer::Signer> {
    signer::signer(cli)
}

async fn run(cli: &Cli) -> Result<ExitCode> {
    let p = Printer::new(cli.output);
    if let Command::Bench(b) = &cli.cmd {
        return bench::run(b, cli.output == args::Output::Json);
    }
    if let Command::Keys(k) = &cli.cmd {
        return keys::run(cli, k, &p).map(|_| ExitCode::SUCCESS);
    }
    if let Command::Receipt(ReceiptArgs { cmd: Some(ReceiptCmd::Verify { file, genesis }), .. }) = &cli.cmd {
        return verify::verify(file, genesis, &p);
    }
    if let Command::Export(ExportCmd::Verify { file, genesis }) = &cli.cmd {
        return export::verify(file, genesis, &p);
    }
    if let Command::Watch(w) = &cli.cmd {
        let key = signing_key(cli).context("tamga watch signs its requests: pass --key FILE or set TAMGA_KEY")?;
        return cmd::watch::run(&cli.node, key.account(), cli.output == args::Output::Json, w).await;
    }
    let client = node_client(&cli.node, i18n::lang())?;
    match &cli.cmd {
        Command::Receipt(ReceiptArgs { cmd: Some(ReceiptCmd::Export { hash, genesis }), .. }) => {
            return verify::export(cli, &client, hash, genesis.as_deref(), &p).await;
        }
        Command::VerifyChain { genesis, to } => return verify::chain(&client, genesis, *to, &p).await,
        Command::Export(ExportCmd::Issuer { id, genesis, download_timeout }) => {
            let timeout = Duration::from_secs(*download_timeout);
            // SPEC §12: served to the issuer's own accounts and to regulators, signed.
            let key = signing_key(cli).with_context(|| i18n::t("export.key_needed", &[]))?;
            let client = client.clone().with_account_signer(key.account());
            return export::issuer(cli, &client, *id, genesis.as_deref(), timeout, &p).await;
        }
        _ => {}
    }
    if let Command::Tx(TxArgs { cmd: Some(TxCmd::Submit { file }), .. }) = &cli.cmd {
        let (hash, raw) = keys::read_saved_tx(file)?;
        let got = client.submit_raw(&raw).await?;
        if got != hash {
            bail!(i18n::t("tx.hash_differs", &[&got, &hash]));
        }
        return wait(cli, &client, &hash, &p).await;
    }
    if let Some(op) = cli.cmd.op() {
        return transact(cli, &client, &op, &p).await;
    }
    query(cli, &client, &p).await?;
    Ok(ExitCode::SUCCESS)
}

/// Builds, shows, confirms, signs, saves (--out), submits and (unless --no-wait) waits.
async fn transact(cli: &Cli, client: &Client, op: &Op<'_>, p: &Printer) -> Result<ExitCode> {
    let key = signing_key(cli)?;
    // Every request of a transaction (the class's decimals, the next nonce,
    // the submission, the wait for its receipt) is made as the signer: a
    // node with closed reads (api.public_read = false, the default) answers
    // an unsigned account query with SIGNATURE_REQUIRED.
    let as_signer = client.clone().with_account_signer(key.account());
    let client = &as_signer;
    let decimals = match (cli.base_units, op.amount_class()) {
        (true, _) => None,
        (false, Some(class)) => {
            Some(as_signer.class(class).await.with_context(|| i18n::t("fetch.decimals", &[&class]))?.decimals)
        }
        (false, None) => Some(0),
    };
    // Read as the signer: a node that withholds site addresses from others
    // serves the miner its own (docs/api.md, access policy).
    let previous_site: Option<MiningSite> = match op.previous_mining() {
        Some(id) => Some(client.mining_notification(id).await.with_context(|| i18n::t("fetch.mining", &[&id]))?.site),
        None => None,
    };
    let ctx = Ctx { decimals, signer: Some(key.public()), previous_site: previous_site.as_ref() };
    let payload = op.payload_with(&ctx).map_err(|e| coded("INVALID_ARGUMENT", 2, e))?;
    if let Some(salt) = op.generated_salt() {
        keep_salt(salt)?;
    }
    let chain_id = match &cli.chain_id {
        Some(c) => c.clone(),
        None => client.status().await.with_context(|| i18n::t("fetch.chain_id", &[]))?.chain_id,
    };
    let nonce = match cli.nonce {
        Some(n) => n,
        None => as_signer.next_nonce(&key.public()).await.with_context(|| i18n::t("fetch.nonce", &[]))?,
    };
    // SPEC §1.7: the signer sees the content before it is signed and submitted,
    // and what the signature is in law (Digital Code art. 47 p.4, 49). A key
    // file's key signs in memory first, so the summary shows the id; a
    // hardware token is asked to sign only after the content was confirmed.
    let built = match &key {
        signer::Signer::File(k) => {
            let tx = sign_payload(k, &chain_id, nonce, payload, cli.memo.as_deref())?;
            eprintln!("{}", output::summary(&tx, decimals)?);
            Built::Signed(tx)
        }
        signer::Signer::Token(_) => {
            let tx = tamga_client::build_transaction(key.public(), &chain_id, nonce, payload, cli.memo.as_deref())?;
            eprintln!("{}", output::summary_unsigned(&tx, decimals)?);
            Built::Unsigned(tx)
        }
    };
    let certificate = match cli.no_submit {
        true => None,
        // Read as the signer: a node with closed reads serves an account its own entry.
        false => client
            .clone()
            .with_account_signer(key.account())
            .account(&key.public())
            .await
            .ok()
            .map(|a| a.account.certificate),
    };
    eprintln!("{}", signature_standing(certificate.as_ref()));
    if !cli.yes && !confirm()? {
        return Err(coded("NOT_CONFIRMED", 1, i18n::t("sign.declined", &[])));
    }
    let tx = match built {
        Built::Signed(tx) => tx,
        Built::Unsigned(tx) => {
            // Verified under the token's public key before it is used.
            let signed = tamga_client::sign_built(key.account().as_ref(), tx)?;
            eprintln!("{}", i18n::t("sign.token_signed", &[&signed.hash()]));
            signed
        }
    };
    if let Some(out) = &cli.out {
        keys::save_tx(out, &tx)?;
        eprintln!("{}", i18n::t("tx.saved", &[&out.display()]));
    }
    if cli.no_submit {
        p.value(&serde_json::json!({ "tx_hash": tx.hash(), "status": "signed" }))?;
        return Ok(ExitCode::SUCCESS);
    }
    submit(cli, client, &tx, p).await
}

/// A transaction shown for confirmation: signed in memory (a key file) or
/// waiting for the hardware token.
enum Built {
    Signed(SignedTransaction),
    Unsigned(tamga_types::Transaction),
}

/// What a Tamga signature is in law (Digital Code art. 47 p.4, 49): a
/// digital confirmation, not an electronic digital signature; with the
/// signing account's certificate reference where one is registered
/// (`Some(None)`: the account has none; `None`: not known here).
pub fn signature_standing(certificate: Option<&Option<tamga_types::CertificateRef>>) -> String {
    signature_standing_in(certificate, i18n::lang())
}

/// [`signature_standing`] in `lang`.
pub fn signature_standing_in(certificate: Option<&Option<tamga_types::CertificateRef>>, lang: i18n::Lang) -> String {
    let cert = match certificate {
        Some(Some(c)) => i18n::tl(lang, "sign.cert", &[&&*c.issuer, &&*c.serial]),
        Some(None) => i18n::tl(lang, "sign.no_cert", &[]),
        None => i18n::tl(lang, "sign.cert_unknown", &[]),
    };
    format!("{}\n{cert}", i18n::tl(lang, "sign.standing", &[]))
}

/// Shows a generated identifier salt and saves it with --salt-out, before
/// anything is signed (SPEC §3: the salt is in the party's custody).
fn keep_salt(salt: &cmd::parties::GeneratedSalt) -> Result<()> {
    let hex = hex::encode(salt.bytes);
    eprintln!("{}", i18n::t("salt.generated", &[&hex]));
    if let Some(path) = &salt.out {
        write_secret(path, &format!("{hex}\n")).map_err(|e| coded("SALT_NOT_SAVED", 1, e))?;
        eprintln!("{}", i18n::t("salt.saved", &[&path.display()]));
    }
    Ok(())
}

/// Writes a new file readable by its owner only; never overwrites.
pub fn write_secret(path: &std::path::Path, text: &str) -> Result<(), String> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let mut f = o.open(path).map_err(|e| i18n::t("file.create_failed", &[&path.display(), &e]))?;
    f.write_all(text.as_bytes()).map_err(|e| i18n::t("file.write_failed", &[&path.display(), &e]))
}

async fn submit(cli: &Cli, client: &Client, tx: &SignedTransaction, p: &Printer) -> Result<ExitCode> {
    let hash = client.submit(tx).await.with_context(|| i18n::t("tx.refused", &[]))?;
    wait(cli, client, &hash, p).await
}

/// Waits for the receipt of `hash` (unless --no-wait) and prints it; exit
/// status 0 only for a successful receipt.
async fn wait(cli: &Cli, client: &Client, hash: &tamga_types::Hash, p: &Printer) -> Result<ExitCode> {
    if cli.no_wait {
        p.value(&serde_json::json!({ "tx_hash": hash, "status": "submitted" }))?;
        return Ok(ExitCode::SUCCESS);
    }
    let spinner = p.spinner(i18n::t("tx.waiting", &[&hash]));
    let waited = client.wait_for_receipt(hash, Duration::from_secs(cli.timeout)).await;
    spinner.finish_and_clear();
    let view = waited?;
    print_receipt(p, &view)
}

/// Prints a receipt; a failed one also prints `error: CODE: message` on
/// stderr in text mode, and gives exit status 3.
fn print_receipt(p: &Printer, view: &TxView) -> Result<ExitCode> {
    p.receipt(view)?;
    match &view.receipt.outcome {
        TxOutcome::Success => Ok(ExitCode::SUCCESS),
        TxOutcome::Failed { code, args } => {
            if !p.json() {
                eprintln!("{}", i18n::t("tx.failed", &[code, &output::failure_message(code, args)]));
            }
            Ok(ExitCode::from(EXIT_TX_FAILED))
        }
    }
}

/// Asks on the terminal; refuses to guess when there is none.
fn confirm() -> Result<bool> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(coded("CONFIRMATION_NEEDED", 1, i18n::t("sign.no_terminal", &[])));
    }
    eprint!("{}", i18n::t("sign.confirm", &[]));
    std::io::stderr().flush()?;
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    // Yes in English, Russian and Kazakh.
    Ok(matches!(line.trim().to_lowercase().as_str(), "y" | "yes" | "д" | "да" | "и" | "иә" | "ия"))
}

/// Every page of mining notifications, or one page when --limit is given.
async fn mining_list(client: &Client, a: &MiningListArgs) -> Result<Vec<tamga_types::model::MiningNotification>> {
    let mut f = MiningFilter {
        miner: a.miner,
        status: a.status.clone(),
        region: a.region,
        kind: a.kind,
        from: a.from,
        to: a.to,
        after: a.after,
        limit: a.limit,
    };
    let mut items = Vec::new();
    // Bounded: 10,000 pages of up to 1000.
    for _ in 0..10_000 {
        let page = client.mining_notifications(&f).await?;
        let n = page.items.len();
        items.extend(page.items);
        match page.next_after {
            Some(next) if a.limit.is_none() && n > 0 => f.after = Some(tamga_types::MiningNotificationId(next)),
            _ => break,
        }
    }
    Ok(items)
}

async fn query(cli: &Cli, client: &Client, p: &Printer) -> Result<()> {
    let default_account = || -> Result<tamga_types::PublicKey> {
        Ok(signing_key(cli).with_context(|| i18n::t("account.needed", &[]))?.public())
    };
    match &cli.cmd {
        Command::Status => p.status(&client.status().await?),
        Command::Chain => p.value(&client.chain().await?),
        Command::Params(ParamsArgs { cmd: None }) => p.value(&client.params().await?),
        Command::Validators(ValidatorsArgs { height, cmd: None }) => p.value(&client.validators(*height).await?),
        Command::Account { account, records } => {
            let key = match account {
                Some(k) => *k,
                None => default_account()?,
            };
            if *records {
                p.value(&client.account_records(&key).await?)
            } else {
                p.account(&client.account(&key).await?)
            }
        }
        Command::Balance { account } => {
            let key = match account {
                Some(k) => *k,
                None => default_account()?,
            };
            p.balances(&client.account(&key).await?.balances)
        }
        Command::Tx(TxArgs { hash: Some(hash), .. }) => match client.tx(hash).await? {
            TxStatus::Committed(v) => p.receipt(&v),
            TxStatus::Pending => p.value(&serde_json::json!({ "tx_hash": hash, "status": "pending" })),
            TxStatus::Unknown => {
                Err(coded("TX_NOT_FOUND", EXIT_REFUSED, i18n::t("tx.not_found", &[hash, &client.base_url()])))
            }
        },
        Command::Tx(TxArgs { cmd: Some(TxCmd::Status { hash }), .. }) => {
            let v = match client.tx(hash).await? {
                TxStatus::Committed(v) => {
                    let (outcome, code) = match &v.receipt.outcome {
                        TxOutcome::Success => ("success", None),
                        TxOutcome::Failed { code, .. } => ("failed", Some(code.clone())),
                    };
                    serde_json::json!({
                        "tx_hash": hash, "status": "committed", "outcome": outcome, "code": code,
                        "height": v.receipt.height, "index": v.receipt.index,
                    })
                }
                TxStatus::Pending => serde_json::json!({ "tx_hash": hash, "status": "pending" }),
                TxStatus::Unknown => serde_json::json!({ "tx_hash": hash, "status": "unknown" }),
            };
            if p.json() {
                p.value(&v)
            } else {
                let s = v["status"].as_str().unwrap_or("?");
                match v["outcome"].as_str() {
                    Some(o) => println!("{}", i18n::t("tx.status_at", &[hash, &s, &v["height"], &o])),
                    None => println!("{hash}: {s}"),
                }
                Ok(())
            }
        }
        Command::Receipt(ReceiptArgs { hash: Some(hash), .. }) => match client.tx(hash).await? {
            TxStatus::Committed(v) => p.receipt(&v),
            TxStatus::Pending => Err(coded("TX_PENDING", EXIT_REFUSED, i18n::t("tx.pending", &[hash]))),
            TxStatus::Unknown => {
                Err(coded("TX_NOT_FOUND", EXIT_REFUSED, i18n::t("tx.not_found", &[hash, &client.base_url()])))
            }
        },
        Command::Block(BlockArgs { at: Some(at), receipts, .. })
        | Command::Block(BlockArgs { cmd: Some(BlockCmd::Show { at, receipts }), .. }) => {
            if *receipts {
                let height = match at {
                    tamga_client::BlockAt::Height(h) => *h,
                    tamga_client::BlockAt::Latest => client.status().await?.height,
                };
                p.value(&client.block_receipts(height).await?)
            } else {
                p.block(&client.block(*at).await?)
            }
        }
        Command::Party(PartyArgs { cmd: Some(PartyCmd::List), .. }) => p.value(&client.parties().await?),
        Command::Party(PartyArgs { id: Some(id), .. })
        | Command::Party(PartyArgs { cmd: Some(PartyCmd::Show { id }), .. }) => p.value(&client.party(*id).await?),
        Command::Token(TokenCmd::List { issuer }) => p.classes(&client.classes(*issuer).await?),
        Command::Token(TokenCmd::Show { id }) => p.value(&client.class(*id).await?),
        Command::Token(TokenCmd::Holders { id }) => p.value(&client.holders(*id).await?),
        Command::Token(TokenCmd::Restrictions { class, holder }) => {
            p.restrictions(&client.restrictions(*class, holder.as_ref()).await?)
        }
        Command::Record(RecordArgs { id: Some(id), .. })
        | Command::Record(RecordArgs { cmd: Some(RecordCmd::Show { id }), .. }) => p.record(&client.record(*id).await?),
        Command::Record(RecordArgs { cmd: Some(RecordCmd::List { holder }), .. }) => {
            let key = match holder {
                Some(k) => *k,
                None => default_account()?,
            };
            p.value(&client.account_records(&key).await?)
        }
        Command::Escrow(EscrowArgs { cmd: Some(EscrowCmd::List { party }), .. }) => {
            p.value(&client.escrows(*party).await?)
        }
        Command::Escrow(EscrowArgs { id: Some(id), .. })
        | Command::Escrow(EscrowArgs { cmd: Some(EscrowCmd::Show { id }), .. }) => p.value(&client.escrow(*id).await?),
        Command::Escrow(EscrowArgs { cmd: Some(EscrowCmd::Terms { hash }), .. }) => {
            escrow_terms(cli, client, hash, p).await
        }
        Command::Notify(NotifyCmd::Mining(NotifyMiningCmd::List(a))) => p.notifications(&mining_list(client, a).await?),
        Command::Notify(NotifyCmd::Mining(NotifyMiningCmd::Show { id })) => {
            p.notification(&client.mining_notification(*id).await?)
        }
        Command::Notify(NotifyCmd::Mining(NotifyMiningCmd::Totals)) => p.value(&client.mining_totals().await?),
        Command::Notify(NotifyCmd::Activity(NotifyActivityCmd::List { party })) => {
            p.notifications(&client.activity_notifications(*party).await?)
        }
        Command::Evidence => p.value(&client.evidence().await?),
        other => Err(coded("USAGE", 2, i18n::t("usage.nothing", &[&format!("{other:?}")]))),
    }
}

/// `escrow terms HASH`: the published terms, verified against HASH by
/// [`Client::escrow_terms`] (SPEC §7); written to --out FILE when given.
async fn escrow_terms(cli: &Cli, client: &Client, hash: &tamga_types::Hash, p: &Printer) -> Result<()> {
    let t = match client.escrow_terms(hash).await {
        Ok(t) => t,
        Err(tamga_client::TermsError::Client(e)) => return Err(e.into()),
        Err(e @ tamga_client::TermsError::Mismatch { .. }) => {
            return Err(coded("TERMS_MISMATCH", 1, format!("the node served terms that do not match: {e}")))
        }
    };
    if let Some(out) = &cli.out {
        std::fs::write(out, t.text.as_bytes()).with_context(|| format!("writing the terms to {}", out.display()))?;
        eprintln!("wrote the terms {hash} ({} bytes) to {}", t.text.len(), out.display());
        if p.json() {
            p.value(&serde_json::json!({
                "hash": t.hash, "published_by": t.published_by, "height": t.height, "file": out,
            }))?;
        }
        return Ok(());
    }
    if p.json() {
        p.value(&t)
    } else {
        print!("{}", t.text);
        if !t.text.ends_with('\n') {
            println!();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
