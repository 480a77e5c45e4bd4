//! SPEC §3 identity and keys: parties, accounts, key rotation and revocation.

use tamga_types::{CertificateRef, Hash, PartyId, PartyKind, PartyStatus, PublicKey, RevocationReason};

use super::{Exec, R};
use crate::error::ExecError;
use crate::keys;
use crate::model::{AccountState, AccountStatus, PartyState};

/// SPEC §3 / §1.9: a key may become an account only if it is strong, unused
/// and has never been a consensus key (current, scheduled — even earlier in the
/// same block — or past: the marker is read through the block's overlay).
fn check_new_key(ex: &Exec<'_, '_>, key: &PublicKey) -> R<()> {
    if key.is_weak() {
        return Err(ExecError::WeakKey { key: *key });
    }
    if ex.get::<u64>(&keys::consensus_key(key))?.is_some() {
        return Err(ExecError::ValidatorKeyCannotSign { key: *key });
    }
    if ex.get::<AccountState>(&keys::account(key))?.is_some() {
        return Err(ExecError::KeyAlreadyRegistered { key: *key });
    }
    Ok(())
}

fn new_account(ex: &mut Exec<'_, '_>, party: PartyId, key: PublicKey, certificate: Option<CertificateRef>) {
    let acc =
        AccountState { key, party, status: AccountStatus::Active, certificate, nonce: 0, created_height: ex.height };
    ex.put_account(&acc);
}

/// SPEC §2/§3: a regulator registers a party with its first accounts.
pub(crate) fn register_party(
    ex: &mut Exec<'_, '_>,
    kind: PartyKind,
    id_commitment: Hash,
    display_name: Option<&str>,
    accounts: &[(PublicKey, Option<CertificateRef>)],
) -> R<()> {
    ex.require_regulator("register_party")?;
    if display_name.is_some() && kind != PartyKind::LegalEntity {
        return Err(ExecError::DisplayNameNotAllowed); // SPEC §3
    }
    if let Some(n) = display_name {
        Exec::require_text("display_name", n)?;
    }
    if accounts.is_empty() {
        return Err(ExecError::EmptyField { field: "accounts" });
    }
    if let Some(party) = ex.get::<PartyId>(&keys::ident(&id_commitment))? {
        return Err(ExecError::DuplicateIdentifier { commitment: id_commitment, party });
    }
    for (i, (k, _)) in accounts.iter().enumerate() {
        check_new_key(ex, k)?;
        if accounts[..i].iter().any(|(o, _)| o == k) {
            return Err(ExecError::KeyAlreadyRegistered { key: *k });
        }
    }
    let id = PartyId(ex.next_id(|c| &mut c.party)?);
    let party = PartyState {
        id,
        kind,
        id_commitment,
        display_name: display_name.map(str::to_owned),
        status: PartyStatus::Active,
        registered_height: ex.height,
        registered_by: Some(ex.party.id),
        regulator_scopes: vec![],
        issuer: false,
        mining_active: false,
        accounts: accounts.iter().map(|(k, _)| *k).collect(),
    };
    ex.put_party(&party);
    ex.put(keys::ident(&id_commitment), &id);
    for (k, cert) in accounts {
        new_account(ex, id, *k, cert.clone());
    }
    ex.emit("party_registered", vec![("party", id.to_string()), ("by", ex.party.id.to_string())]);
    Ok(())
}

/// SPEC §2/§1.10: a regulator suspends, reactivates or revokes a party, naming the legal basis.
pub(crate) fn set_party_status(ex: &mut Exec<'_, '_>, id: PartyId, status: PartyStatus, basis: &str) -> R<()> {
    ex.require_regulator("set_party_status")?;
    Exec::require_text("legal_basis", basis)?;
    let mut p = ex.party(id)?;
    if p.status == PartyStatus::Revoked {
        // A revocation is for good (SPEC §3).
        return Err(ExecError::InvalidField {
            field: "party",
            expected: "not_revoked".into(),
            got: PartyStatus::Revoked.as_str().into(),
        });
    }
    p.status = status;
    ex.put_party(&p);
    ex.emit(
        "party_status_changed",
        vec![("party", id.to_string()), ("status", status.as_str().to_owned()), ("legal_basis", basis.to_owned())],
    );
    // SPEC §9.4: a suspended or revoked operator's validators leave the set.
    super::governance::party_status_changed(ex, id, status)
}

/// SPEC §3: a party adds a key to itself, or a regulator to any party (only a
/// regulator records a PKI certificate reference).
pub(crate) fn add_account(
    ex: &mut Exec<'_, '_>,
    party: PartyId,
    key: PublicKey,
    certificate: Option<CertificateRef>,
) -> R<()> {
    let regulator = ex.party.is_regulator();
    if party != ex.party.id && !regulator {
        return Err(ExecError::Unauthorized {
            op: "add_account",
            party: ex.party.id,
            expected: "party_itself",
            owner: Some(party),
        });
    }
    if certificate.is_some() && !regulator {
        return Err(ExecError::NotRegulator { op: "add_account with certificate", party: ex.party.id });
    }
    let mut p = ex.party(party)?;
    check_new_key(ex, &key)?;
    p.accounts.push(key);
    ex.put_party(&p);
    new_account(ex, party, key, certificate);
    ex.emit("account_added", vec![("party", party.to_string()), ("key", key.to_hex())]);
    Ok(())
}

/// SPEC §3: a party revokes its own key, a regulator any key; effective from this height.
pub(crate) fn revoke_account(ex: &mut Exec<'_, '_>, key: PublicKey, reason: RevocationReason) -> R<()> {
    let mut acc = ex.account(&key)?;
    if acc.party != ex.party.id && !ex.party.is_regulator() {
        return Err(ExecError::Unauthorized {
            op: "revoke_account",
            party: ex.party.id,
            expected: "key_owner",
            owner: Some(acc.party),
        });
    }
    if acc.status != AccountStatus::Active {
        return Err(ExecError::AccountInactive { key });
    }
    acc.status = AccountStatus::Revoked { height: ex.height, reason, by: ex.party.id };
    ex.put_account(&acc);
    ex.emit(
        "account_revoked",
        vec![("key", key.to_hex()), ("reason", reason.as_str().to_owned()), ("by", ex.party.id.to_string())],
    );
    Ok(())
}
