//! Read-only queries over committed state and the indexes written in the same
//! batch (SPEC §4–§7, §11): what the HTTP API and the regulator console show.

use tamga_types::{
    ActivityNotificationId, ClassId, EscrowId, Hash, Height, MiningNotificationId, MiningNotificationKind, PartyId,
    PublicKey, Receipt, RecordId, Region, RestrictionId,
};

use crate::error::Result;
use crate::keys::{self, index, state};
use crate::ledger::Ledger;
use crate::model::{
    ActivityNotification, ClassState, EscrowState, EscrowTerms, EvidenceRecord, HistoryEntry, Holding,
    MiningNotification, PartyState, RecordState, Restriction, RestrictionTarget,
};
use crate::store::{cf, dec};
pub use tamga_types::views::{BalanceView, HolderView, MiningFilter, Page, PartyView, RecordView, RegionTotal, TxView};

impl Ledger {
    fn scan_state<T: borsh::BorshDeserialize>(&self, prefix: &[u8]) -> Result<Vec<T>> {
        self.store.scan(cf::STATE, prefix, None)?.into_iter().map(|(_, v)| dec("state", &v)).collect()
    }

    fn index_ids(&self, prefix: &[u8]) -> Result<Vec<u64>> {
        Ok(self.store.scan(cf::INDEX, prefix, None)?.iter().filter_map(|(k, _)| keys::trailing_u64(k)).collect())
    }

    /// A party with accounts and roles.
    pub fn party(&self, id: PartyId) -> Result<Option<PartyView>> {
        let Some(party) = self.state_entry::<PartyState>(&keys::id(state::PARTY, id.0))? else { return Ok(None) };
        let mut accounts = Vec::new();
        for k in &party.accounts {
            if let Some(a) = self.account(k)? {
                accounts.push(a);
            }
        }
        let mut roles = vec!["participant".to_owned()];
        if party.is_regulator() {
            roles.push("regulator".into());
        }
        if party.issuer {
            roles.push("issuer".into());
        }
        if party.mining_active {
            roles.push("miner".into());
        }
        Ok(Some(PartyView { party, accounts, roles }))
    }

    /// All parties, by id.
    pub fn parties(&self) -> Result<Vec<PartyState>> {
        self.scan_state(&[state::PARTY])
    }

    /// A class.
    pub fn class(&self, id: ClassId) -> Result<Option<ClassState>> {
        self.state_entry(&keys::id(state::CLASS, id.0))
    }

    /// All classes, by id (with supply).
    pub fn classes(&self) -> Result<Vec<ClassState>> {
        self.scan_state(&[state::CLASS])
    }

    /// Classes of an issuer.
    pub fn classes_by_issuer(&self, issuer: PartyId) -> Result<Vec<ClassState>> {
        let ids = self.index_ids(&keys::prefix_id(index::ISSUER_CLASS, issuer.0))?;
        Ok(ids.into_iter().map(|i| self.class(ClassId(i))).collect::<Result<Vec<_>>>()?.into_iter().flatten().collect())
    }

    /// One holding.
    pub fn holding(&self, class: ClassId, key: &PublicKey) -> Result<Holding> {
        Ok(self.state_entry(&keys::holding(class.0, key))?.unwrap_or_default())
    }

    /// Balances of an account.
    pub fn balances(&self, key: &PublicKey) -> Result<Vec<BalanceView>> {
        let mut out = Vec::new();
        for id in self.index_ids(&keys::prefix_key(index::HOLDER_CLASS, key))? {
            let class = ClassId(id);
            let h = self.holding(class, key)?;
            let c = self.class(class)?;
            out.push(BalanceView {
                class,
                symbol: c.as_ref().map(|c| c.symbol.clone()).unwrap_or_default(),
                decimals: c.map(|c| c.decimals).unwrap_or(0),
                amount: h.amount,
                frozen: h.frozen,
                free: h.free(),
            });
        }
        Ok(out)
    }

    /// Holders of a class.
    pub fn holders(&self, class: ClassId) -> Result<Vec<HolderView>> {
        let mut out = Vec::new();
        for (k, _) in self.store.scan(cf::INDEX, &keys::prefix_id(index::CLASS_HOLDER, class.0), None)? {
            let Some(account) = keys::trailing_key(&k) else { continue };
            let h = self.holding(class, &account)?;
            let party = self.account(&account)?.map(|a| a.party);
            out.push(HolderView { account, party, amount: h.amount, frozen: h.frozen });
        }
        Ok(out)
    }

    /// A record with its history and encumbrances.
    pub fn record(&self, id: RecordId) -> Result<Option<RecordView>> {
        let Some(record) = self.state_entry::<RecordState>(&keys::id(state::RECORD, id.0))? else { return Ok(None) };
        let history = self.history(state::RECORD_HISTORY, id.0)?;
        Ok(Some(RecordView { record, history }))
    }

    /// The history entries under `prefix ‖ id ‖ seq` (a record's or a
    /// notification's, SPEC §5, §6), in order.
    fn history(&self, prefix: u8, id: u64) -> Result<Vec<HistoryEntry>> {
        self.scan_state(&keys::prefix_id(prefix, id))
    }

    /// A mining notification's history (SPEC §6): submission, supersession,
    /// review, closing, in order; as many entries as its `history_len`.
    pub fn mining_history(&self, id: MiningNotificationId) -> Result<Vec<HistoryEntry>> {
        self.history(state::MINING_HISTORY, id.0)
    }

    /// An activity notification's history (SPEC §6): submission and review.
    pub fn activity_history(&self, id: ActivityNotificationId) -> Result<Vec<HistoryEntry>> {
        self.history(state::ACTIVITY_HISTORY, id.0)
    }

    /// Records held by an account.
    pub fn records_by_holder(&self, key: &PublicKey) -> Result<Vec<RecordState>> {
        let ids = self.index_ids(&keys::prefix_key(index::HOLDER_RECORD, key))?;
        let mut out = Vec::new();
        for i in ids {
            if let Some(r) = self.state_entry(&keys::id(state::RECORD, i))? {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// A freeze or pause (SPEC §4).
    pub fn restriction(&self, id: RestrictionId) -> Result<Option<Restriction>> {
        self.state_entry(&keys::id(state::RESTRICTION, id.0))
    }

    /// Every freeze and pause of a class, standing or lifted, in the order
    /// imposed: the pauses of the class and the freezes of its holdings
    /// (SPEC §4, DC art. 20 p.4).
    pub fn restrictions_of_class(&self, class: ClassId) -> Result<Vec<Restriction>> {
        let mut out = Vec::new();
        for i in self.index_ids(&keys::prefix_id(index::CLASS_RESTRICTION, class.0))? {
            if let Some(r) = self.restriction(RestrictionId(i))? {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// The restriction history of one holding: every freeze of it, standing
    /// or lifted, and every pause of its class, in the order imposed
    /// (SPEC §4). A recovered holding keeps the freezes of the lost account.
    pub fn restrictions_of_holding(&self, class: ClassId, key: &PublicKey) -> Result<Vec<Restriction>> {
        Ok(self
            .restrictions_of_class(class)?
            .into_iter()
            .filter(|r| match &r.target {
                RestrictionTarget::Holding { holder, .. } => holder == key,
                RestrictionTarget::Class { .. } => true,
            })
            .collect())
    }

    /// Escrow terms published under their SHA-256 (SPEC §7).
    pub fn escrow_terms(&self, hash: &Hash) -> Result<Option<EscrowTerms>> {
        self.state_entry(&keys::terms(hash))
    }

    /// An escrow.
    pub fn escrow(&self, id: EscrowId) -> Result<Option<EscrowState>> {
        self.state_entry(&keys::id(state::ESCROW, id.0))
    }

    /// All escrows.
    pub fn escrows(&self) -> Result<Vec<EscrowState>> {
        self.scan_state(&[state::ESCROW])
    }

    /// Escrows where a party is payer, payee or arbiter.
    pub fn escrows_by_party(&self, party: PartyId) -> Result<Vec<EscrowState>> {
        let mut out = Vec::new();
        for i in self.index_ids(&keys::prefix_id(index::PARTY_ESCROW, party.0))? {
            if let Some(e) = self.escrow(EscrowId(i))? {
                out.push(e);
            }
        }
        Ok(out)
    }

    /// A mining notification.
    pub fn mining_notification(&self, id: MiningNotificationId) -> Result<Option<MiningNotification>> {
        self.state_entry(&keys::id(state::MINING, id.0))
    }

    /// Mining notifications matching `f`, ascending by id, paginated.
    pub fn mining_notifications(&self, f: &MiningFilter) -> Result<Page<MiningNotification>> {
        let limit = f.limit.unwrap_or(100).clamp(1, 1000);
        let start = f.after.map(|a| keys::id(state::MINING, a.0.saturating_add(1)));
        let mut items = Vec::new();
        let mut more = false;
        for (_, v) in self.store.scan(cf::STATE, &[state::MINING], start.as_deref())? {
            let n: MiningNotification = dec("mining notification", &v)?;
            let ok = f.miner.is_none_or(|m| n.miner == m)
                && f.status.as_deref().is_none_or(|s| n.status.name() == s)
                && f.region.is_none_or(|r| n.site.region == r)
                && f.kind.is_none_or(|k| n.kind == k)
                && f.from.is_none_or(|d| n.site.start_date >= d)
                && f.to.is_none_or(|d| n.site.start_date <= d);
            if ok {
                if items.len() == limit {
                    more = true;
                    break;
                }
                items.push(n);
            }
        }
        let next_after = if more { items.last().map(|n: &MiningNotification| n.id.0) } else { None };
        Ok(Page { items, next_after })
    }

    /// Totals of capacity and units by region over active sites: the latest
    /// accepted version of each chain that is not a termination (SPEC §6).
    pub fn mining_totals_by_region(&self) -> Result<Vec<RegionTotal>> {
        let mut totals: std::collections::BTreeMap<Region, RegionTotal> = Default::default();
        let all: Vec<MiningNotification> = self.scan_state(&[state::MINING])?;
        let by_id: std::collections::HashMap<u64, &MiningNotification> = all.iter().map(|n| (n.id.0, n)).collect();
        for n in &all {
            if n.status.name() != "accepted" || n.kind == MiningNotificationKind::Termination || n.closed {
                continue;
            }
            // Skip if a later accepted version of the chain exists.
            let mut next = n.superseded_by;
            let mut superseded = false;
            while let Some(id) = next {
                match by_id.get(&id.0) {
                    Some(m) if m.status.name() == "accepted" => {
                        superseded = true;
                        break;
                    }
                    Some(m) => next = m.superseded_by,
                    None => break,
                }
            }
            if superseded {
                continue;
            }
            let t = totals
                .entry(n.site.region)
                .or_insert_with(|| RegionTotal { region: Some(n.site.region), ..Default::default() });
            t.sites += 1;
            t.capacity_kw = t.capacity_kw.saturating_add(n.site.capacity_kw);
            t.units = t.units.saturating_add(u64::from(n.site.units));
        }
        Ok(totals.into_values().collect())
    }

    /// Activity notifications, optionally of one party.
    pub fn activity_notifications(&self, party: Option<PartyId>) -> Result<Vec<ActivityNotification>> {
        let all: Vec<ActivityNotification> = self.scan_state(&[state::ACTIVITY])?;
        Ok(all.into_iter().filter(|n| party.is_none_or(|p| n.party == p)).collect())
    }

    /// Recorded equivocation evidence.
    pub fn evidence(&self) -> Result<Vec<EvidenceRecord>> {
        self.scan_state(&[state::EVIDENCE])
    }

    /// A committed transaction and its receipt.
    pub fn transaction(&self, hash: &Hash) -> Result<Option<TxView>> {
        let Some(loc) = self.store.get(cf::TXS, &hash.0)? else { return Ok(None) };
        let Some(receipt) = self.store.get_t::<Receipt>(cf::RECEIPTS, &loc)? else { return Ok(None) };
        // Height 0: a genesis transaction, kept in the stored genesis value.
        let tx = if receipt.height == 0 {
            self.genesis()?.and_then(|g| g.transactions.get(receipt.index as usize).cloned())
        } else {
            self.block(receipt.height)?.and_then(|b| b.txs.get(receipt.index as usize).cloned())
        };
        let Some(tx) = tx else { return Ok(None) };
        Ok(Some(TxView { tx, receipt }))
    }

    /// Receipt of a committed transaction.
    pub fn receipt(&self, hash: &Hash) -> Result<Option<Receipt>> {
        let Some(loc) = self.store.get(cf::TXS, &hash.0)? else { return Ok(None) };
        self.store.get_t(cf::RECEIPTS, &loc)
    }

    /// Receipts of the block at `height`, in order.
    pub fn receipts(&self, height: Height) -> Result<Vec<Receipt>> {
        self.store
            .scan(cf::RECEIPTS, &height.to_be_bytes(), None)?
            .into_iter()
            .map(|(_, v)| dec("receipt", &v))
            .collect()
    }
}
