//! Logical keys. Every canonical state entry lives under a one-byte kind
//! prefix followed by big-endian ids (so ids sort numerically); its JMT leaf
//! key is `SHA-256(logical key)`. Index keys (outside the JMT) use their own
//! prefixes in the `index` column family.

use tamga_types::{Hash, Height, PublicKey};

/// Prefixes of canonical state keys (column family `state`, also JMT leaves).
pub mod state {
    /// Chain meta singletons: `M ‖ name`.
    pub const META: u8 = b'M';
    /// `P ‖ party_id` → `PartyState`.
    pub const PARTY: u8 = b'P';
    /// `A ‖ pubkey` → `AccountState` (nonce included).
    pub const ACCOUNT: u8 = b'A';
    /// `I ‖ commitment` → `PartyId` (identifier uniqueness).
    pub const IDENT: u8 = b'I';
    /// `C ‖ class_id` → `ClassState`.
    pub const CLASS: u8 = b'C';
    /// `S ‖ symbol` → `ClassId` (symbol uniqueness).
    pub const SYMBOL: u8 = b'S';
    /// `H ‖ class_id ‖ pubkey` → `Holding`.
    pub const HOLDING: u8 = b'H';
    /// `R ‖ record_id` → `RecordState` (encumbrances inline).
    pub const RECORD: u8 = b'R';
    /// `E ‖ escrow_id` → `EscrowState`.
    pub const ESCROW: u8 = b'E';
    /// `N ‖ id` → `MiningNotification`.
    pub const MINING: u8 = b'N';
    /// `T ‖ id` → `ActivityNotification`.
    pub const ACTIVITY: u8 = b'T';
    /// `V ‖ effective_height` → `ValidatorSet` effective from that height.
    pub const VALSET: u8 = b'V';
    /// `X ‖ evidence_id` → `EvidenceRecord`.
    pub const EVIDENCE: u8 = b'X';
    /// `K ‖ pubkey` → `Height` at which the key was first admitted as a
    /// consensus key (genesis or a validator update). Never deleted: a key once
    /// issued to the system can never become an account (SPEC §1.9).
    pub const CONSENSUS_KEY: u8 = b'K';
    /// `F ‖ restriction_id` → `Restriction` (a freeze or a pause, SPEC §4).
    pub const RESTRICTION: u8 = b'F';
    /// `Q ‖ class_id` → `u32`: the class's standing pauses (absent when none).
    pub const CLASS_PAUSES: u8 = b'Q';
    /// `D ‖ sha256` → `EscrowTerms` (SPEC §7).
    pub const TERMS: u8 = b'D';
    /// `Y ‖ record_id ‖ seq` → `HistoryEntry`: a record's history (SPEC §5);
    /// its length is the record's `history_len`.
    pub const RECORD_HISTORY: u8 = b'Y';
    /// `U ‖ mining_notification_id ‖ seq` → `HistoryEntry`: a mining
    /// notification's history (SPEC §6); its length is the notification's `history_len`.
    pub const MINING_HISTORY: u8 = b'U';
    /// `L ‖ activity_notification_id ‖ seq` → `HistoryEntry`: an activity
    /// notification's history (SPEC §6); its length is the notification's `history_len`.
    pub const ACTIVITY_HISTORY: u8 = b'L';
    /// `W ‖ party_id` → `IssuerIndex`: how many classes and records the party
    /// issued (absent until it issues one), so an export proves completeness (SPEC §12).
    pub const ISSUER_INDEX: u8 = b'W';
    /// `O ‖ class_id` → `u64`: how many holding entries (`H ‖ class_id ‖ …`)
    /// the class has now (written when the class is created).
    pub const CLASS_HOLDERS: u8 = b'O';
}

/// Prefixes of index keys (column family `index`, not in the JMT).
pub mod index {
    /// `h ‖ pubkey ‖ class_id` → () : holdings by account.
    pub const HOLDER_CLASS: u8 = b'h';
    /// `c ‖ class_id ‖ pubkey` → () : holders of a class.
    pub const CLASS_HOLDER: u8 = b'c';
    /// `i ‖ party_id ‖ class_id` → () : classes by issuer.
    pub const ISSUER_CLASS: u8 = b'i';
    /// `r ‖ pubkey ‖ record_id` → () : records by holder account.
    pub const HOLDER_RECORD: u8 = b'r';
    /// `e ‖ party_id ‖ escrow_id` → () : escrows by party (payer, payee, arbiter).
    pub const PARTY_ESCROW: u8 = b'e';
    /// `m ‖ party_id ‖ notification_id` → () : mining notifications by miner.
    pub const MINER_NOTIFICATION: u8 = b'm';
    /// `f ‖ pubkey ‖ restriction_id` → () : freezes by holder account.
    pub const HOLDER_RESTRICTION: u8 = b'f';
    /// `p ‖ class_id ‖ restriction_id` → () : freezes and pauses by class.
    pub const CLASS_RESTRICTION: u8 = b'p';
}

/// Names of meta singletons.
pub mod meta {
    /// Current height (JMT leaf, changes every block so every version has a root).
    pub const HEIGHT: &[u8] = b"height";
    /// `Params`.
    pub const PARAMS: &[u8] = b"params";
    /// `ChainInfo` (chain id, genesis time/hash, regulation hash, network type).
    pub const CHAIN: &[u8] = b"chain";
    /// `Counters` (next ids).
    pub const COUNTERS: &[u8] = b"counters";
    /// `(Height, ValidatorSet)`: the latest scheduled validator set.
    pub const VALSET_LATEST: &[u8] = b"valset_latest";
}

fn cat(prefix: u8, parts: &[&[u8]]) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + parts.iter().map(|p| p.len()).sum::<usize>());
    k.push(prefix);
    for p in parts {
        k.extend_from_slice(p);
    }
    k
}

/// A meta singleton key.
pub fn meta(name: &[u8]) -> Vec<u8> {
    cat(state::META, &[name])
}
/// Key with a u64 id.
pub fn id(prefix: u8, id: u64) -> Vec<u8> {
    cat(prefix, &[&id.to_be_bytes()])
}
/// Account key.
pub fn account(key: &PublicKey) -> Vec<u8> {
    cat(state::ACCOUNT, &[&key.0])
}
/// Identifier commitment key.
pub fn ident(h: &Hash) -> Vec<u8> {
    cat(state::IDENT, &[&h.0])
}
/// Symbol key.
pub fn symbol(s: &str) -> Vec<u8> {
    cat(state::SYMBOL, &[s.as_bytes()])
}
/// Holding key.
pub fn holding(class: u64, key: &PublicKey) -> Vec<u8> {
    cat(state::HOLDING, &[&class.to_be_bytes(), &key.0])
}
/// Validator set effective from `height`.
pub fn valset(height: Height) -> Vec<u8> {
    cat(state::VALSET, &[&height.to_be_bytes()])
}
/// Consensus-key marker.
pub fn consensus_key(key: &PublicKey) -> Vec<u8> {
    cat(state::CONSENSUS_KEY, &[&key.0])
}
/// Evidence key.
pub fn evidence(id: &Hash) -> Vec<u8> {
    cat(state::EVIDENCE, &[&id.0])
}
/// History entry `seq` of the record or notification `id` (`prefix` is
/// [`state::RECORD_HISTORY`], [`state::MINING_HISTORY`] or [`state::ACTIVITY_HISTORY`]).
pub fn history(prefix: u8, id: u64, seq: u64) -> Vec<u8> {
    cat(prefix, &[&id.to_be_bytes(), &seq.to_be_bytes()])
}
/// Escrow terms key.
pub fn terms(h: &Hash) -> Vec<u8> {
    cat(state::TERMS, &[&h.0])
}
/// Index key: prefix, a 32-byte key and an id.
pub fn idx_key_id(prefix: u8, key: &PublicKey, id: u64) -> Vec<u8> {
    cat(prefix, &[&key.0, &id.to_be_bytes()])
}
/// Index key: prefix, an id and a 32-byte key.
pub fn idx_id_key(prefix: u8, id: u64, key: &PublicKey) -> Vec<u8> {
    cat(prefix, &[&id.to_be_bytes(), &key.0])
}
/// Index key: prefix and two ids.
pub fn idx_id_id(prefix: u8, a: u64, b: u64) -> Vec<u8> {
    cat(prefix, &[&a.to_be_bytes(), &b.to_be_bytes()])
}
/// Prefix: one byte and a 32-byte key.
pub fn prefix_key(prefix: u8, key: &PublicKey) -> Vec<u8> {
    cat(prefix, &[&key.0])
}
/// Prefix: one byte and an id.
pub fn prefix_id(prefix: u8, id: u64) -> Vec<u8> {
    cat(prefix, &[&id.to_be_bytes()])
}
/// Reads the trailing big-endian u64 of a key.
pub fn trailing_u64(key: &[u8]) -> Option<u64> {
    let n = key.len().checked_sub(8)?;
    let b: [u8; 8] = key[n..].try_into().ok()?;
    Some(u64::from_be_bytes(b))
}
/// Reads the trailing 32-byte public key of a key.
pub fn trailing_key(key: &[u8]) -> Option<PublicKey> {
    let n = key.len().checked_sub(32)?;
    let b: [u8; 32] = key[n..].try_into().ok()?;
    Some(PublicKey(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_numerically_and_parse_back() {
        let k = PublicKey([7; 32]);
        assert!(id(state::CLASS, 2) < id(state::CLASS, 10));
        assert!(id(state::CLASS, 255) < id(state::CLASS, 256));
        assert_eq!(trailing_u64(&idx_key_id(index::HOLDER_CLASS, &k, 42)), Some(42));
        assert_eq!(trailing_key(&idx_id_key(index::CLASS_HOLDER, 42, &k)), Some(k));
        assert!(idx_key_id(index::HOLDER_CLASS, &k, 1).starts_with(&prefix_key(index::HOLDER_CLASS, &k)));
        assert_eq!(trailing_u64(b"short"), None);
        // Distinct kinds never collide.
        let prefixes = [
            state::META,
            state::PARTY,
            state::ACCOUNT,
            state::IDENT,
            state::CLASS,
            state::SYMBOL,
            state::HOLDING,
            state::RECORD,
            state::ESCROW,
            state::MINING,
            state::ACTIVITY,
            state::VALSET,
            state::EVIDENCE,
            state::CONSENSUS_KEY,
            state::RESTRICTION,
            state::CLASS_PAUSES,
            state::TERMS,
            state::RECORD_HISTORY,
            state::MINING_HISTORY,
            state::ACTIVITY_HISTORY,
            state::ISSUER_INDEX,
            state::CLASS_HOLDERS,
        ];
        let set: std::collections::HashSet<u8> = prefixes.into_iter().collect();
        assert_eq!(set.len(), prefixes.len());
    }
}
