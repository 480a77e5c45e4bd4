//! Transaction execution (SPEC §3–§9): the envelope rules and the dispatch to
//! one module per concern. Every rule returns a typed [`ExecError`].
//!
//! Failed-transaction rule (SPEC §8), applied by [`execute_tx`]:
//! * **envelope failures** — the signer key is a validator key (SPEC §1.9), is
//!   unknown (SPEC §1.3), is revoked (SPEC §3), its party is not active, or the
//!   nonce is not the account's next one — give a failed receipt and change
//!   *nothing*, not even the nonce: the signer is not entitled to act at all.
//!   `Ledger::execute` has already refused the whole block if the envelope
//!   failed at the start of the block ([`account_standing`],
//!   [`party_standing`]), so here they arise only from an earlier
//!   transaction of the same block;
//! * **payload failures** (every other rule) give a failed receipt, spend the
//!   nonce (+1) and discard every other effect (the per-transaction overlay
//!   layer is dropped).

pub(crate) mod escrow;
pub(crate) mod governance;
pub(crate) mod identity;
pub(crate) mod notifications;
pub(crate) mod records;
pub(crate) mod restrictions;
pub(crate) mod tokens;

use borsh::{BorshDeserialize, BorshSerialize};
use tamga_types::{
    Event, Hash, Height, Params, PartyId, PartyStatus, Payload, PublicKey, Receipt, Scope, SignedTransaction,
    TimestampMs, TxOutcome, ValidatorSet,
};

use crate::error::{ExecError, SignerRefused, StateError};
use crate::keys::{self, meta};
use crate::model::{AccountState, AccountStatus, Counters, PartyState};
use crate::store::{dec, enc, Space, View};

/// The block being executed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockContext {
    /// Height of the block.
    pub height: Height,
    /// Block time, ms.
    pub time_ms: TimestampMs,
    /// Proposer's consensus key.
    pub proposer: PublicKey,
}

/// Execution context of one transaction.
pub(crate) struct Exec<'v, 'a> {
    pub view: &'v mut View<'a>,
    pub height: Height,
    pub time_ms: TimestampMs,
    pub tx_hash: Hash,
    pub signer: PublicKey,
    pub party: PartyState,
    pub events: Vec<Event>,
}

pub(crate) type R<T> = Result<T, ExecError>;

impl Exec<'_, '_> {
    pub fn get<T: BorshDeserialize>(&self, key: &[u8]) -> R<Option<T>> {
        Ok(self.view.get(Space::State, key)?.map(|b| dec("state", &b)).transpose()?)
    }
    pub fn put<T: BorshSerialize>(&mut self, key: Vec<u8>, v: &T) {
        self.view.put(Space::State, key, enc(v));
    }
    pub fn del(&mut self, key: Vec<u8>) {
        self.view.delete(Space::State, key);
    }
    pub fn idx_put(&mut self, key: Vec<u8>, v: Vec<u8>) {
        self.view.put(Space::Index, key, v);
    }
    pub fn idx_del(&mut self, key: Vec<u8>) {
        self.view.delete(Space::Index, key);
    }
    pub fn emit(&mut self, kind: &str, attrs: Vec<(&'static str, String)>) {
        self.events.push(Event::new(kind, attrs));
    }

    pub fn params(&self) -> R<Params> {
        Ok(self.get(&keys::meta(meta::PARAMS))?.ok_or(StateError::Missing { what: "the chain parameters" })?)
    }
    pub fn counters(&self) -> R<Counters> {
        Ok(self.get(&keys::meta(meta::COUNTERS))?.unwrap_or_default())
    }
    pub fn set_counters(&mut self, c: &Counters) {
        self.put(keys::meta(meta::COUNTERS), c);
    }
    /// Allocates the next id of the counter selected by `f` (ids start at 1).
    pub fn next_id(&mut self, f: impl Fn(&mut Counters) -> &mut u64) -> R<u64> {
        let mut c = self.counters()?;
        let slot = f(&mut c);
        *slot = slot.checked_add(1).ok_or(ExecError::Overflow { what: "id counter" })?;
        let id = *slot;
        self.set_counters(&c);
        Ok(id)
    }

    pub fn party(&self, id: PartyId) -> R<PartyState> {
        self.get(&keys::id(keys::state::PARTY, id.0))?.ok_or(ExecError::UnknownParty { party: id })
    }
    pub fn put_party(&mut self, p: &PartyState) {
        self.put(keys::id(keys::state::PARTY, p.id.0), p);
    }
    pub fn account(&self, key: &PublicKey) -> R<AccountState> {
        self.get(&keys::account(key))?.ok_or(ExecError::UnknownAccount { key: *key })
    }
    pub fn put_account(&mut self, a: &AccountState) {
        self.put(keys::account(&a.key), a);
    }

    /// SPEC §4 eligibility: the account is active and its party is active.
    pub fn eligible(&self, key: &PublicKey) -> R<(AccountState, PartyState)> {
        let a = self.account(key)?;
        if a.status != AccountStatus::Active {
            return Err(ExecError::AccountInactive { key: *key });
        }
        let p = self.party(a.party)?;
        if p.status != PartyStatus::Active {
            return Err(ExecError::PartyInactive { party: p.id, status: p.status });
        }
        Ok((a, p))
    }

    /// SPEC §2: regulator-only operations.
    pub fn require_regulator(&self, op: &'static str) -> R<()> {
        if !self.party.is_regulator() {
            return Err(ExecError::NotRegulator { op, party: self.party.id });
        }
        Ok(())
    }

    /// SPEC §2: review within the regulator's scope.
    pub fn require_scope(&self, op: &'static str, scope: Scope) -> R<()> {
        self.require_regulator(op)?;
        if !self.party.regulator_scopes.contains(&scope) {
            return Err(ExecError::ScopeMissing {
                party: self.party.id,
                required: scope,
                has: self.party.regulator_scopes.clone(),
            });
        }
        Ok(())
    }

    /// SPEC §1.10: restrictions name their legal basis.
    pub fn require_text(field: &'static str, s: &str) -> R<()> {
        if s.trim().is_empty() {
            return Err(ExecError::EmptyField { field });
        }
        Ok(())
    }
}

/// Reads the validator set that certifies `height` through a view.
pub(crate) fn validators_at_view(view: &View<'_>, height: Height) -> crate::error::Result<ValidatorSet> {
    if let Some(b) = view.get(Space::State, &keys::valset(height))? {
        return dec("validator set", &b);
    }
    let found = view.store().seek_prev(crate::store::cf::STATE, &[keys::state::VALSET], &keys::valset(height))?;
    match found {
        Some((_, v)) => dec("validator set", &v),
        None => Ok(ValidatorSet::default()),
    }
}

/// The envelope rules on the signer's account (SPEC §1.3, §1.9, §3), against
/// the state `get` reads: the account if it exists, is not a consensus key and
/// is not revoked.
pub(crate) fn account_standing(
    get: &impl Fn(&[u8]) -> crate::error::Result<Option<Vec<u8>>>,
    signer: &PublicKey,
) -> crate::error::Result<Result<AccountState, SignerRefused>> {
    // No key is both an account and a consensus key (genesis checks it,
    // `check_new_key` and `update_validators` keep it), so the consensus-key
    // marker is only consulted when there is no account.
    let acc: AccountState = match get(&keys::account(signer))? {
        Some(b) => dec("account", &b)?,
        None if get(&keys::consensus_key(signer))?.is_some() => {
            return Ok(Err(SignerRefused::ValidatorKey { key: *signer })); // SPEC §1.9
        }
        None => return Ok(Err(SignerRefused::Unknown { key: *signer })), // SPEC §1.3
    };
    if let AccountStatus::Revoked { height, .. } = acc.status {
        return Ok(Err(SignerRefused::Revoked { key: *signer, height })); // SPEC §3
    }
    Ok(Ok(acc))
}

/// The envelope rule on the signer's party (SPEC §3/§4): it exists and is active.
pub(crate) fn party_standing(
    get: &impl Fn(&[u8]) -> crate::error::Result<Option<Vec<u8>>>,
    acc: &AccountState,
) -> crate::error::Result<Result<PartyState, SignerRefused>> {
    let party: PartyState = match get(&keys::id(keys::state::PARTY, acc.party.0))? {
        Some(b) => dec("party", &b)?,
        None => return Ok(Err(SignerRefused::UnknownParty { key: acc.key, party: acc.party })),
    };
    if party.status != PartyStatus::Active {
        return Ok(Err(SignerRefused::PartyInactive { key: acc.key, party: party.id, status: party.status }));
    }
    Ok(Ok(party))
}

/// Executes one (signature-verified) transaction into `view` and returns its receipt.
pub(crate) fn execute_tx(
    view: &mut View<'_>,
    ctx: &BlockContext,
    index: u32,
    stx: &SignedTransaction,
    tx_hash: Hash,
) -> crate::error::Result<Receipt> {
    let receipt =
        |outcome, events| Receipt { tx_hash, height: ctx.height, index, block_time_ms: ctx.time_ms, outcome, events };
    // Code and arguments only: the receipt is hashed, its bytes never depend
    // on wording (SPEC §8; `docs/wire-format.md`, Receipts).
    let failed = |e: ExecError| e.outcome();
    let signer = stx.tx.signer;
    // ---- envelope: nothing changes on failure ----
    let get = |k: &[u8]| view.get(Space::State, k);
    let envelope = match account_standing(&get, &signer)? {
        Err(refused) => Err(refused.to_exec()),
        Ok(acc) if acc.nonce != stx.tx.nonce => {
            Err(ExecError::NonceMismatch { key: signer, expected: acc.nonce, got: stx.tx.nonce })
        }
        Ok(acc) => match party_standing(&get, &acc)? {
            Ok(party) => Ok((acc, party)),
            Err(refused) => Err(refused.to_exec()),
        },
    };
    let (envelope_acc, party) = match envelope {
        Ok(x) => x,
        Err(e) => return Ok(receipt(failed(e), vec![])),
    };
    // ---- payload: effects in the tx layer ----
    let mut ex = Exec { view, height: ctx.height, time_ms: ctx.time_ms, tx_hash, signer, party, events: Vec::new() };
    let result = dispatch(&mut ex, &stx.tx.payload);
    let events = std::mem::take(&mut ex.events);
    let key = keys::account(&signer);
    // The signer's account as it stands after the payload: re-read only if the
    // payload wrote it (e.g. revoked its own key); otherwise the envelope's copy
    // is current and a second storage read is saved on the hot path.
    let touched = result.is_ok() && view.tx_touched(Space::State, &key);
    let (outcome, events) = match result {
        Ok(()) => {
            view.commit_tx();
            (TxOutcome::Success, events)
        }
        Err(ExecError::Internal(e)) => {
            view.discard_tx();
            return Err(*e);
        }
        Err(e) => {
            view.discard_tx();
            (failed(e), vec![])
        }
    };
    // ---- spend the nonce (SPEC §8) ----
    let mut acc = if touched {
        match view.get(Space::State, &key)? {
            Some(b) => dec("account", &b)?,
            None => return Err(StateError::Missing { what: "the signer's account after its transaction" }),
        }
    } else {
        envelope_acc
    };
    acc.nonce = acc.nonce.checked_add(1).ok_or(StateError::NonceOverflow { key: signer })?;
    view.put(Space::State, key, enc(&acc));
    view.commit_tx();
    Ok(receipt(outcome, events))
}

fn dispatch(ex: &mut Exec<'_, '_>, p: &Payload) -> R<()> {
    use Payload::*;
    match p {
        RegisterParty { kind, id_commitment, display_name, accounts } => {
            identity::register_party(ex, *kind, *id_commitment, display_name.as_ref().map(|s| s.as_str()), accounts)
        }
        SetPartyStatus { party, status, legal_basis } => identity::set_party_status(ex, *party, *status, legal_basis),
        AddAccount { party, key, certificate } => identity::add_account(ex, *party, *key, certificate.clone()),
        RevokeAccount { key, reason } => identity::revoke_account(ex, *key, *reason),
        CreateClass { symbol, name, decimals, supply_cap, rights, document_hash, document_uri, redemption_terms } => {
            tokens::create_class(
                ex,
                tokens::NewClass {
                    symbol,
                    name,
                    decimals: *decimals,
                    supply_cap: *supply_cap,
                    rights,
                    document_hash: *document_hash,
                    document_uri,
                    redemption_terms,
                },
            )
        }
        Mint { class, to, amount } => tokens::mint(ex, *class, *to, *amount),
        Transfer { class, to, amount } => tokens::transfer(ex, *class, *to, *amount),
        Redeem { class, amount, right } => tokens::redeem(ex, *class, *amount, *right),
        Freeze { class, holder, amount, legal_basis } => {
            restrictions::freeze(ex, *class, *holder, *amount, legal_basis)
        }
        Unfreeze { class, .. } => restrictions::unfreeze_unnamed(*class),
        SetClassPaused { class, paused, legal_basis } => restrictions::set_paused(ex, *class, *paused, legal_basis),
        ForcedTransfer { class, from, to, amount, legal_basis } => {
            tokens::forced_transfer(ex, *class, *from, *to, *amount, legal_basis)
        }
        RecoverAccount { from, to, legal_basis } => {
            tokens::recover_account(ex, *from, *to, legal_basis)?;
            // The freezes follow the holdings they restrict (SPEC §4).
            restrictions::move_holder(ex, from, to)
        }
        IssueRecord { holder, object } => records::issue(ex, *holder, object),
        TransferRecord { record, to } => records::transfer(ex, *record, *to),
        Encumber { record, kind, beneficiary, legal_basis } => {
            records::encumber(ex, *record, *kind, *beneficiary, legal_basis)
        }
        Release { record, encumbrance } => records::release(ex, *record, *encumbrance),
        TerminateRecord { record, reason } => records::terminate(ex, *record, *reason),
        CreateEscrow { payee, arbiter, asset, terms_hash, deadline_height } => {
            escrow::create(ex, *payee, *arbiter, asset, *terms_hash, *deadline_height)
        }
        ReleaseEscrow { escrow } => escrow::release(ex, *escrow),
        RefundEscrow { escrow } => escrow::refund(ex, *escrow),
        DisputeEscrow { escrow, reason } => escrow::dispute(ex, *escrow, reason),
        ResolveEscrow { escrow, to_payee, reason } => escrow::resolve(ex, *escrow, *to_payee, reason),
        SubmitMiningNotification { kind, previous, site } => notifications::submit_mining(ex, *kind, *previous, site),
        ReviewMiningNotification { notification, accept, reason } => {
            notifications::review_mining(ex, *notification, *accept, reason.as_ref().map(|s| s.as_str()))
        }
        SubmitActivityNotification { activity, phase, date } => {
            notifications::submit_activity(ex, *activity, *phase, *date)
        }
        ReviewActivityNotification { notification, accept, reason } => {
            notifications::review_activity(ex, *notification, *accept, reason.as_ref().map(|s| s.as_str()))
        }
        UpdateValidators { updates } => governance::update_validators(ex, updates),
        SetParameter { change } => governance::set_parameter(ex, change),
        LiftRestriction { restriction, legal_basis } => restrictions::lift(ex, *restriction, legal_basis),
        CloseClass { class, legal_basis } => restrictions::close(ex, *class, legal_basis),
        PublishTerms { text } => escrow::publish_terms(ex, text),
    }
}
