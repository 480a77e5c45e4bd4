//! SPEC §2–§3: parties, accounts, rotation and revocation.

use tamga_types::*;

use crate::common::*;

fn register(seed: u8, kind: PartyKind, name: Option<&str>, keys: Vec<PublicKey>) -> Payload {
    Payload::RegisterParty {
        kind,
        id_commitment: Hash::digest(b"test", &[seed, 2]),
        display_name: name.map(short),
        accounts: BoundedVec::new(keys.into_iter().map(|k| (k, None)).collect()).unwrap(),
    }
}

#[test]
fn regulator_registers_a_party() {
    let mut ch = Chain::new();
    let c = ch.c.clone();
    let (k1, k2) = (key(50), key(51));
    let r = ch.ok(&c.reg, register(1, PartyKind::LegalEntity, Some("Elevator LLP"), vec![k1.public(), k2.public()]));
    let id = PartyId(event_u64(&r, "party_registered", "party"));
    assert_eq!(id, PartyId(8));
    let v = ch.ledger.party(id).unwrap().unwrap();
    assert_eq!(v.party.registered_by, Some(REG));
    assert_eq!(v.accounts.len(), 2);
    assert_eq!(v.roles, vec!["participant".to_owned()]);
    // The new party can act at once.
    ch.ok(
        &k2,
        Payload::SubmitActivityNotification { activity: Activity::Issuance, phase: ActivityPhase::Start, date: date() },
    );
}

#[test]
fn register_party_rejections() {
    let mut ch = Chain::new();
    let c = ch.c.clone();
    let k = key(52);
    ch.fails(&c.alice, register(1, PartyKind::Individual, None, vec![k.public()]), "NOT_REGULATOR");
    ch.fails(&c.reg, register(1, PartyKind::Individual, Some("Bob"), vec![k.public()]), "DISPLAY_NAME_NOT_ALLOWED");
    ch.fails(&c.reg, register(1, PartyKind::Individual, None, vec![]), "EMPTY_FIELD");
    ch.fails(&c.reg, register(1, PartyKind::Individual, None, vec![c.bob.public()]), "KEY_ALREADY_REGISTERED");
    ch.fails(&c.reg, register(1, PartyKind::Individual, None, vec![k.public(), k.public()]), "KEY_ALREADY_REGISTERED");
    ch.fails(&c.reg, register(1, PartyKind::Individual, None, vec![PublicKey([0; 32])]), "WEAK_KEY");
    let mut dup = register(1, PartyKind::Individual, None, vec![k.public()]);
    if let Payload::RegisterParty { id_commitment, .. } = &mut dup {
        *id_commitment = Hash::digest(b"test", &[5]); // Bob's
    }
    ch.fails(&c.reg, dup, "DUPLICATE_IDENTIFIER");
    ch.ok(&c.reg, register(1, PartyKind::Individual, None, vec![k.public()]));
}

#[test]
fn party_status_changes_name_a_basis_and_revocation_is_final() {
    let mut ch = Chain::new();
    let c = ch.c.clone();
    let st = |status, basis: &str| Payload::SetPartyStatus { party: BOB, status, legal_basis: text(basis) };
    ch.fails(&c.alice, st(PartyStatus::Suspended, "x"), "NOT_REGULATOR");
    ch.fails(&c.reg, st(PartyStatus::Suspended, " "), "EMPTY_FIELD");
    ch.fails(
        &c.reg,
        Payload::SetPartyStatus { party: PartyId(99), status: PartyStatus::Suspended, legal_basis: text("x") },
        "UNKNOWN_PARTY",
    );
    let r = ch.ok(&c.reg, st(PartyStatus::Revoked, "liquidation"));
    assert_eq!(r.events[0].get("legal_basis"), Some("liquidation"));
    ch.fails(&c.reg, st(PartyStatus::Active, "appeal"), "INVALID_FIELD");
    ch.refused(&c.bob, 0, create_class("X", None), "PARTY_INACTIVE");
}

#[test]
fn party_rotates_its_own_keys() {
    let mut ch = Chain::new();
    let c = ch.c.clone();
    let new = key(53);
    ch.fails(&c.bob, Payload::AddAccount { party: ALICE, key: new.public(), certificate: None }, "UNAUTHORIZED");
    let cert = CertificateRef { issuer: short("NCA RK"), serial: short("0042") };
    ch.fails(
        &c.bob,
        Payload::AddAccount { party: BOB, key: new.public(), certificate: Some(cert.clone()) },
        "NOT_REGULATOR",
    );
    ch.fails(
        &c.bob,
        Payload::AddAccount { party: BOB, key: c.alice.public(), certificate: None },
        "KEY_ALREADY_REGISTERED",
    );
    ch.ok(&c.bob, Payload::AddAccount { party: BOB, key: new.public(), certificate: None });
    ch.ok(&new, Payload::RevokeAccount { key: c.bob.public(), reason: RevocationReason::ChangeOfName });
    ch.refused(&c.bob, 1, create_class("X", None), "ACCOUNT_REVOKED");
    ch.fails(&new, Payload::RevokeAccount { key: c.alice.public(), reason: RevocationReason::Death }, "UNAUTHORIZED");
    ch.fails(
        &new,
        Payload::RevokeAccount { key: key(99).public(), reason: RevocationReason::Death },
        "UNKNOWN_ACCOUNT",
    );
    // A regulator adds a key with a PKI certificate to any party and revokes any key.
    let k3 = key(54);
    ch.ok(&c.reg, Payload::AddAccount { party: ALICE, key: k3.public(), certificate: Some(cert.clone()) });
    assert_eq!(ch.ledger.account(&k3.public()).unwrap().unwrap().certificate, Some(cert));
    ch.fails(
        &c.reg,
        Payload::AddAccount { party: PartyId(99), key: key(55).public(), certificate: None },
        "UNKNOWN_PARTY",
    );
    ch.ok(&c.reg, Payload::RevokeAccount { key: k3.public(), reason: RevocationReason::CourtDecision });
    let acc = ch.ledger.account(&k3.public()).unwrap().unwrap();
    assert!(
        matches!(acc.status, tamga_state::model::AccountStatus::Revoked { by, reason: RevocationReason::CourtDecision, .. } if by == REG)
    );
}

/// A key that revokes itself: the revocation and the spent nonce both stick
/// (the nonce is spent on the account as the payload left it).
#[test]
fn key_revokes_itself() {
    let mut ch = Chain::new();
    let c = ch.c.clone();
    ch.ok(&c.alice2, Payload::RevokeAccount { key: c.alice2.public(), reason: RevocationReason::HolderRequest });
    let acc = ch.ledger.account(&c.alice2.public()).unwrap().unwrap();
    assert_eq!(acc.nonce, 1);
    assert!(matches!(acc.status, tamga_state::model::AccountStatus::Revoked { by, .. } if by == ALICE));
    ch.refused(&c.alice2, 1, create_class("X", None), "ACCOUNT_REVOKED");
    crate::replay::replay_all(&ch);
}
