//! SPEC §4 secured token classes: create, mint, transfer, redeem, freeze,
//! pause, forced transfer and account recovery. Arithmetic is checked u128.

use tamga_types::{ClassId, ClassStatus, Hash, PublicKey, Right, ShortText, Text};

use super::{Exec, R};
use crate::error::{ExecError, StateError};
use crate::keys::{self, index};
use crate::model::{AccountStatus, ClassState, EscrowState, EscrowStatus, Holding, RecordState};
use crate::store::{dec, Space};

pub(crate) struct NewClass<'a> {
    pub symbol: &'a ShortText,
    pub name: &'a ShortText,
    pub decimals: u8,
    pub supply_cap: Option<u128>,
    pub rights: &'a [Right],
    pub document_hash: Hash,
    pub document_uri: &'a Text,
    pub redemption_terms: &'a Text,
}

pub(crate) fn class(ex: &Exec<'_, '_>, id: ClassId) -> R<ClassState> {
    ex.get(&keys::id(keys::state::CLASS, id.0))?.ok_or(ExecError::UnknownClass { class: id })
}

pub(crate) fn put_class(ex: &mut Exec<'_, '_>, c: &ClassState) {
    ex.put(keys::id(keys::state::CLASS, c.id.0), c);
}

pub(crate) fn require_active(c: &ClassState) -> R<()> {
    if c.status != ClassStatus::Active {
        return Err(ExecError::ClassNotActive { class: c.id, status: c.status });
    }
    Ok(())
}

pub(crate) fn holding(ex: &Exec<'_, '_>, class: ClassId, key: &PublicKey) -> R<Holding> {
    Ok(ex.get(&keys::holding(class.0, key))?.unwrap_or_default())
}

/// Writes a holding and its two indexes; an empty holding is deleted. The
/// class's holder count (`O ‖ class`, SPEC §12) follows every holding
/// entry created or deleted, so an export proves it lists them all.
pub(crate) fn put_holding(ex: &mut Exec<'_, '_>, class: ClassId, key: &PublicKey, h: &Holding) -> R<()> {
    let (hk, i1, i2) = (
        keys::holding(class.0, key),
        keys::idx_key_id(index::HOLDER_CLASS, key, class.0),
        keys::idx_id_key(index::CLASS_HOLDER, class.0, key),
    );
    let existed = ex.get::<Holding>(&hk)?.is_some();
    if h.is_empty() {
        ex.del(hk);
        ex.idx_del(i1);
        ex.idx_del(i2);
    } else {
        ex.put(hk, h);
        ex.idx_put(i1, vec![]);
        ex.idx_put(i2, vec![]);
    }
    if existed == h.is_empty() {
        let ck = keys::id(keys::state::CLASS_HOLDERS, class.0);
        let n: u64 = ex.get(&ck)?.unwrap_or(0);
        let n = if existed { n.checked_sub(1) } else { n.checked_add(1) };
        let n = n.ok_or(ExecError::Overflow { what: "class holder count" })?;
        ex.put(ck, &n);
    }
    Ok(())
}

fn credit(ex: &mut Exec<'_, '_>, class: ClassId, to: &PublicKey, amount: u128) -> R<()> {
    let mut h = holding(ex, class, to)?;
    h.amount = h.amount.checked_add(amount).ok_or(ExecError::Overflow { what: "balance" })?;
    put_holding(ex, class, to, &h)?;
    Ok(())
}

/// SPEC §4: debits the FREE (unfrozen) balance.
pub(crate) fn debit_free(ex: &mut Exec<'_, '_>, class: ClassId, from: &PublicKey, amount: u128) -> R<()> {
    let mut h = holding(ex, class, from)?;
    if h.free() < amount {
        return Err(ExecError::InsufficientBalance { class, needed: amount, available: h.free() });
    }
    h.amount -= amount;
    put_holding(ex, class, from, &h)?;
    Ok(())
}

/// Moves free tokens between accounts (used by transfers and escrow).
pub(crate) fn move_free(
    ex: &mut Exec<'_, '_>,
    class: ClassId,
    from: &PublicKey,
    to: &PublicKey,
    amount: u128,
) -> R<()> {
    debit_free(ex, class, from, amount)?;
    credit(ex, class, to, amount)
}

fn symbol_ok(s: &str) -> bool {
    (1..=12).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// SPEC §4: an issuer creates a class; rights non-empty and admissible (art. 33-1 p.2, p.4).
pub(crate) fn create_class(ex: &mut Exec<'_, '_>, n: NewClass<'_>) -> R<()> {
    if !ex.party.issuer {
        return Err(ExecError::NotIssuer { op: "create_class", party: ex.party.id });
    }
    if !symbol_ok(n.symbol) {
        return Err(ExecError::InvalidSymbol { symbol: n.symbol.to_string() });
    }
    if let Some(class) = ex.get::<ClassId>(&keys::symbol(n.symbol))? {
        return Err(ExecError::DuplicateSymbol { symbol: n.symbol.to_string(), class });
    }
    Exec::require_text("name", n.name)?;
    if n.decimals > 18 {
        return Err(ExecError::InvalidDecimals { got: n.decimals });
    }
    if n.supply_cap == Some(0) {
        return Err(ExecError::InvalidField { field: "supply_cap", expected: ">=1".into(), got: "0".into() });
    }
    if n.rights.is_empty() {
        return Err(ExecError::NoRights);
    }
    for (index, r) in n.rights.iter().enumerate() {
        if !r.kind.is_admissible() {
            return Err(ExecError::InadmissibleRight { index, kind: r.kind });
        }
        Exec::require_text("rights.description", &r.description)?;
    }
    Exec::require_text("document_uri", n.document_uri)?;
    Exec::require_text("redemption_terms", n.redemption_terms)?;
    let id = ClassId(ex.next_id(|c| &mut c.class)?);
    let c = ClassState {
        id,
        issuer: ex.party.id,
        symbol: n.symbol.to_string(),
        name: n.name.to_string(),
        decimals: n.decimals,
        supply_cap: n.supply_cap,
        supply: 0,
        rights: n.rights.to_vec(),
        document_hash: n.document_hash,
        document_uri: n.document_uri.to_string(),
        redemption_terms: n.redemption_terms.to_string(),
        status: ClassStatus::Active,
        created_height: ex.height,
    };
    put_class(ex, &c);
    ex.put(keys::symbol(n.symbol), &id);
    ex.idx_put(keys::idx_id_id(index::ISSUER_CLASS, ex.party.id.0, id.0), vec![]);
    ex.put(keys::id(keys::state::CLASS_HOLDERS, id.0), &0u64);
    super::records::count_issued(ex, ex.party.id, |ix| &mut ix.classes)?;
    ex.emit(
        "class_created",
        vec![("class", id.to_string()), ("symbol", c.symbol.clone()), ("issuer", c.issuer.to_string())],
    );
    Ok(())
}

/// SPEC §4 / §1.2: only the issuer mints its own class, within the cap, to an eligible holder.
pub(crate) fn mint(ex: &mut Exec<'_, '_>, id: ClassId, to: PublicKey, amount: u128) -> R<()> {
    if !ex.party.issuer {
        return Err(ExecError::NotIssuer { op: "mint", party: ex.party.id });
    }
    let mut c = class(ex, id)?;
    if c.issuer != ex.party.id {
        return Err(ExecError::Unauthorized {
            op: "mint",
            party: ex.party.id,
            expected: "class_issuer",
            owner: Some(c.issuer),
        });
    }
    require_active(&c)?;
    if amount == 0 {
        return Err(ExecError::ZeroAmount);
    }
    ex.eligible(&to)?;
    let supply = c.supply.checked_add(amount).ok_or(ExecError::Overflow { what: "supply" })?;
    if let Some(cap) = c.supply_cap {
        if supply > cap {
            return Err(ExecError::SupplyCapExceeded { cap, supply: c.supply, amount });
        }
    }
    c.supply = supply;
    put_class(ex, &c);
    credit(ex, id, &to, amount)?;
    ex.emit("minted", vec![("class", id.to_string()), ("to", to.to_hex()), ("amount", amount.to_string())]);
    Ok(())
}

/// SPEC §4 eligibility: both accounts and parties active, class active, free balance sufficient.
pub(crate) fn transfer(ex: &mut Exec<'_, '_>, id: ClassId, to: PublicKey, amount: u128) -> R<()> {
    let c = class(ex, id)?;
    require_active(&c)?;
    if amount == 0 {
        return Err(ExecError::ZeroAmount);
    }
    if to == ex.signer {
        return Err(ExecError::SelfTransfer);
    }
    ex.eligible(&to)?;
    let from = ex.signer;
    move_free(ex, id, &from, &to, amount)?;
    ex.emit(
        "transfer",
        vec![("class", id.to_string()), ("from", from.to_hex()), ("to", to.to_hex()), ("amount", amount.to_string())],
    );
    Ok(())
}

/// SPEC §4: the holder redeems to the issuer; supply shrinks; the claimed right is recorded.
pub(crate) fn redeem(ex: &mut Exec<'_, '_>, id: ClassId, amount: u128, right: u32) -> R<()> {
    let mut c = class(ex, id)?;
    require_active(&c)?;
    if amount == 0 {
        return Err(ExecError::ZeroAmount);
    }
    let r = c.rights.get(right as usize).cloned().ok_or(ExecError::UnknownRight {
        class: id,
        index: right,
        count: c.rights.len(),
    })?;
    let from = ex.signer;
    debit_free(ex, id, &from, amount)?;
    c.supply = c.supply.checked_sub(amount).ok_or(ExecError::Overflow { what: "supply" })?;
    put_class(ex, &c);
    ex.emit(
        "redeemed",
        vec![
            ("class", id.to_string()),
            ("holder", from.to_hex()),
            ("amount", amount.to_string()),
            ("right", right.to_string()),
            ("right_kind", r.kind.as_str().to_owned()),
            ("right_description", r.description.to_string()),
        ],
    );
    Ok(())
}

/// SPEC §2: the class's issuer *while it holds the Issuer role* (SPEC §6: a
/// termination withdraws it), or a regulator.
pub(crate) fn require_issuer_or_regulator(ex: &Exec<'_, '_>, op: &'static str, c: &ClassState) -> R<()> {
    if ex.party.is_regulator() {
        return Ok(());
    }
    if c.issuer == ex.party.id && !ex.party.issuer {
        return Err(ExecError::NotIssuer { op, party: ex.party.id });
    }
    if c.issuer != ex.party.id {
        return Err(ExecError::Unauthorized {
            op,
            party: ex.party.id,
            expected: "class_issuer_or_regulator",
            owner: Some(c.issuer),
        });
    }
    Ok(())
}

/// SPEC §4 / §1.10: a regulator moves tokens (frozen ones included) with a legal basis.
pub(crate) fn forced_transfer(
    ex: &mut Exec<'_, '_>,
    id: ClassId,
    from: PublicKey,
    to: PublicKey,
    amount: u128,
    basis: &str,
) -> R<()> {
    ex.require_regulator("forced_transfer")?;
    Exec::require_text("legal_basis", basis)?;
    let c = class(ex, id)?;
    if c.status == ClassStatus::Closed {
        return Err(ExecError::ClassNotActive { class: id, status: c.status });
    }
    if amount == 0 {
        return Err(ExecError::ZeroAmount);
    }
    if from == to {
        return Err(ExecError::SelfTransfer);
    }
    ex.account(&from)?;
    ex.eligible(&to)?;
    let mut h = holding(ex, id, &from)?;
    if h.amount < amount {
        return Err(ExecError::InsufficientBalance { class: id, needed: amount, available: h.amount });
    }
    // The freezes stand (SPEC §4): a freeze is lifted only by name, so a
    // freeze whose units were taken keeps the rest of the holding frozen.
    h.amount -= amount;
    put_holding(ex, id, &from, &h)?;
    credit(ex, id, &to, amount)?;
    ex.emit(
        "forced_transfer",
        vec![
            ("class", id.to_string()),
            ("from", from.to_hex()),
            ("to", to.to_hex()),
            ("amount", amount.to_string()),
            ("legal_basis", basis.to_owned()),
        ],
    );
    Ok(())
}

/// SPEC §4: a regulator moves all holdings and records of a lost key to another account of the same party.
pub(crate) fn recover_account(ex: &mut Exec<'_, '_>, from: PublicKey, to: PublicKey, basis: &str) -> R<()> {
    ex.require_regulator("recover_account")?;
    Exec::require_text("legal_basis", basis)?;
    if from == to {
        return Err(ExecError::SelfTransfer);
    }
    let a = ex.account(&from)?;
    let b = ex.account(&to)?;
    if a.party != b.party {
        return Err(ExecError::DifferentParty { from_party: a.party, to_party: b.party });
    }
    if b.status != AccountStatus::Active {
        return Err(ExecError::AccountInactive { key: to });
    }
    let holdings = ex.view.scan(Space::Index, &keys::prefix_key(index::HOLDER_CLASS, &from))?;
    for (k, _) in holdings {
        let class = ClassId(keys::trailing_u64(&k).ok_or(StateError::BadIndexKey { what: "holding" })?);
        let src = holding(ex, class, &from)?;
        let mut dst = holding(ex, class, &to)?;
        dst.amount = dst.amount.checked_add(src.amount).ok_or(ExecError::Overflow { what: "balance" })?;
        dst.frozen = dst.frozen.checked_add(src.frozen).ok_or(ExecError::Overflow { what: "frozen" })?;
        dst.whole_freezes =
            dst.whole_freezes.checked_add(src.whole_freezes).ok_or(ExecError::Overflow { what: "whole freezes" })?;
        put_holding(ex, class, &to, &dst)?;
        put_holding(ex, class, &from, &Holding::default())?;
    }
    let records = ex.view.scan(Space::Index, &keys::prefix_key(index::HOLDER_RECORD, &from))?;
    for (k, _) in records {
        let rid = keys::trailing_u64(&k).ok_or(StateError::BadIndexKey { what: "record" })?;
        let rk = keys::id(keys::state::RECORD, rid);
        let b = ex.view.get(Space::State, &rk)?.ok_or(StateError::Missing { what: "an indexed record" })?;
        let mut r: RecordState = dec("record", &b)?;
        r.holder = to;
        super::records::move_holder_index(ex, r.id, &from, &to);
        super::records::history(
            ex,
            &mut r,
            "record_recovered",
            vec![("from", from.to_hex()), ("to", to.to_hex()), ("legal_basis", basis.to_owned())],
        )?;
        ex.put(rk, &r);
    }
    // Open escrows name accounts too: point them at the recovered account, or a
    // refund (or release) would hand the asset back to the lost key.
    let escrows = ex.view.scan(Space::Index, &keys::prefix_id(index::PARTY_ESCROW, a.party.0))?;
    for (k, _) in escrows {
        let eid = keys::trailing_u64(&k).ok_or(StateError::BadIndexKey { what: "escrow" })?;
        let ek = keys::id(keys::state::ESCROW, eid);
        let b = ex.view.get(Space::State, &ek)?.ok_or(StateError::Missing { what: "an indexed escrow" })?;
        let mut e: EscrowState = dec("escrow", &b)?;
        if !matches!(e.status, EscrowStatus::Open | EscrowStatus::Disputed) || (e.payer != from && e.payee != from) {
            continue;
        }
        if e.payer == from {
            e.payer = to;
        }
        if e.payee == from {
            e.payee = to;
        }
        ex.put(ek, &e);
    }
    ex.emit("account_recovered", vec![("from", from.to_hex()), ("to", to.to_hex()), ("legal_basis", basis.to_owned())]);
    Ok(())
}
