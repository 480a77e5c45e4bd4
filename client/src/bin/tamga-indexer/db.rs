//! The PostgreSQL side: connection, migrations (refinery, `migrations/`),
//! the chain and checkpoint rows, and the one SQL transaction per block
//! that holds its rows and the new checkpoint, so a crash at any point
//! leaves the database at a block boundary: no gap, no duplicate.

use std::time::Duration;

use bytes::{BufMut, BytesMut};
use tamga_types::{Hash, Height, ValidatorSet};
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use tokio_postgres::{Client, GenericClient, NoTls, Transaction};

use crate::error::IndexerError;
use crate::rows::{BlockRows, Op};

mod embedded {
    refinery::embed_migrations!("src/bin/tamga-indexer/migrations");
}

/// How long connecting to the database may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The schema version this binary writes (the last migration's).
pub fn schema_version() -> i64 {
    embedded::migrations::runner().get_migrations().iter().map(|m| i64::from(m.version())).max().unwrap_or(0)
}

/// The database URL with its password replaced by `***` (for messages).
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    match rest.split_once('@') {
        Some((user, host)) => match user.split_once(':') {
            Some((u, _)) => format!("{scheme}://{u}:***@{host}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// Where ingestion resumes (the `checkpoint` row).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// Last height written (0: the genesis only).
    pub height: Height,
    /// Its block hash ([`Hash::ZERO`] at 0: the parent of block 1).
    pub block_hash: Hash,
    /// Its time, ms.
    pub time_ms: u64,
    /// The set that certifies `height + 1`.
    pub validators: ValidatorSet,
}

/// An open database.
pub struct Db {
    pub client: Client,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Db {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn db(context: &'static str) -> impl Fn(tokio_postgres::Error) -> IndexerError {
    move |e| {
        let detail = match e.as_db_error() {
            Some(d) => format!(
                "{} {}{}",
                d.code().code(),
                d.message(),
                d.detail().map(|x| format!(" ({x})")).unwrap_or_default()
            ),
            None => e.to_string(),
        };
        IndexerError::Database { context, detail, transient: e.is_closed() || e.as_db_error().is_none() }
    }
}

fn hash_of(bytes: &[u8], context: &'static str) -> Result<Hash, IndexerError> {
    <[u8; 32]>::try_from(bytes)
        .map(Hash)
        .map_err(|_| IndexerError::Corrupt { what: context, detail: format!("{} bytes, expected 32", bytes.len()) })
}

impl Db {
    /// Connects (within [`CONNECT_TIMEOUT`]).
    pub async fn connect(url: &str) -> Result<Db, IndexerError> {
        let unreachable = |reason: String| IndexerError::Connect { url: redact(url), reason };
        let (client, conn) = tokio::time::timeout(CONNECT_TIMEOUT, tokio_postgres::connect(url, NoTls))
            .await
            .map_err(|_| unreachable(format!("no answer within {} s", CONNECT_TIMEOUT.as_secs())))?
            .map_err(|e| unreachable(e.to_string()))?;
        let task = tokio::spawn(async move {
            if let Err(e) = conn.await {
                crate::log!("WARN", "database connection closed: {e}");
            }
        });
        Ok(Db { client, task })
    }

    /// Refuses a schema newer than this binary's, then applies the
    /// migrations this binary has and the database lacks.
    pub async fn migrate(&mut self) -> Result<(), IndexerError> {
        let has: bool = self
            .client
            .query_one("SELECT to_regclass('refinery_schema_history') IS NOT NULL", &[])
            .await
            .map_err(db("reading the schema version"))?
            .get(0);
        if has {
            let row = self
                .client
                .query_one("SELECT max(version)::int8 FROM refinery_schema_history", &[])
                .await
                .map_err(db("reading the schema version"))?;
            let found: Option<i64> = row.get(0);
            let binary = schema_version();
            if let Some(found) = found.filter(|f| *f > binary) {
                return Err(IndexerError::SchemaTooNew { database: found, binary });
            }
        }
        embedded::migrations::runner()
            .run_async(&mut self.client)
            .await
            .map_err(|e| IndexerError::Migrate { reason: e.to_string() })?;
        Ok(())
    }

    /// The chain this database holds: `(chain id, genesis hash)`.
    pub async fn chain(&self) -> Result<Option<(String, Hash)>, IndexerError> {
        let row = self
            .client
            .query_opt("SELECT chain_id, genesis_hash FROM chain", &[])
            .await
            .map_err(db("reading the chain row"))?;
        row.map(|r| Ok((r.get::<_, String>(0), hash_of(r.get::<_, &[u8]>(1), "chain.genesis_hash")?))).transpose()
    }

    /// The checkpoint, if the genesis was written.
    pub async fn checkpoint(&self) -> Result<Option<Checkpoint>, IndexerError> {
        read_checkpoint(&self.client, false).await
    }

    /// Writes the genesis (height 0) and the first checkpoint in one transaction.
    pub async fn write_genesis(
        &mut self,
        chain_id: &str,
        genesis_hash: Hash,
        genesis_time_ms: u64,
        rows: &BlockRows,
        validators: &ValidatorSet,
    ) -> Result<(), IndexerError> {
        let tx = self.client.transaction().await.map_err(db("beginning the genesis transaction"))?;
        let time = genesis_time_ms as f64 / 1000.0;
        tx.execute(
            "INSERT INTO chain (chain_id, genesis_hash, genesis_time) VALUES ($1, $2, to_timestamp($3))",
            &[&chain_id, &genesis_hash.0.as_slice(), &time],
        )
        .await
        .map_err(db("writing the chain row"))?;
        let zero = Hash::ZERO.0.to_vec();
        tx.execute(
            "INSERT INTO blocks (height, hash, parent_hash, time, round, proposer, tx_count, failed_count, state_root, \
             receipts_root, validators_hash, next_validators_hash, signatures) \
             VALUES (0, $1, $2, to_timestamp($3), 0, '', $4, 0, $2, $2, $5, $5, 0)",
            &[&genesis_hash.0.as_slice(), &zero, &time, &(rows.txs.len() as i32), &validators.hash().0.as_slice()],
        )
        .await
        .map_err(db("writing the genesis block row"))?;
        write_rows(&tx, 0, rows).await?;
        let set = serde_json::to_string(validators)
            .map_err(|e| IndexerError::Corrupt { what: "validator set", detail: e.to_string() })?;
        tx.execute(
            "INSERT INTO checkpoint (height, block_hash, time_ms, validators) VALUES (0, $1, $2, $3::text::jsonb)",
            &[&zero, &(genesis_time_ms as i64), &set],
        )
        .await
        .map_err(db("writing the checkpoint"))?;
        tx.commit().await.map_err(db("committing the genesis"))
    }

    /// Writes one block's rows and moves the checkpoint to it, in one SQL
    /// transaction. The checkpoint is re-read under a row lock first: the
    /// block must follow it (height and parent hash), so two indexers
    /// writing one database cannot interleave.
    pub async fn write_block(&mut self, rows: &BlockRows, next: &Checkpoint) -> Result<(), IndexerError> {
        let Some(b) = &rows.block else {
            return Err(IndexerError::Corrupt { what: "block rows", detail: "no block row".into() });
        };
        let tx = self.client.transaction().await.map_err(db("beginning a block transaction"))?;
        let cp = read_checkpoint(&tx, true)
            .await?
            .ok_or(IndexerError::Corrupt { what: "checkpoint", detail: "missing".into() })?;
        if cp.height + 1 != b.height {
            return Err(IndexerError::NotNext { stored: cp.height, got: b.height });
        }
        if cp.block_hash != b.parent_hash {
            return Err(IndexerError::ParentMismatch {
                height: b.height,
                stored: cp.block_hash,
                parent: b.parent_hash,
            });
        }
        let time = b.time_ms as f64 / 1000.0;
        tx.execute(
            "INSERT INTO blocks (height, hash, parent_hash, time, round, proposer, tx_count, failed_count, state_root, \
             receipts_root, validators_hash, next_validators_hash, signatures) \
             VALUES ($1, $2, $3, to_timestamp($4), $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            &[
                &(b.height as i64),
                &b.hash.0.as_slice(),
                &b.parent_hash.0.as_slice(),
                &time,
                &(b.round as i32),
                &b.proposer,
                &(b.tx_count as i32),
                &(b.failed_count as i32),
                &b.state_root.0.as_slice(),
                &b.receipts_root.0.as_slice(),
                &b.validators_hash.0.as_slice(),
                &b.next_validators_hash.0.as_slice(),
                &(b.signatures as i32),
            ],
        )
        .await
        .map_err(db("writing a block row"))?;
        write_rows(&tx, b.height, rows).await?;
        let set = serde_json::to_string(&next.validators)
            .map_err(|e| IndexerError::Corrupt { what: "validator set", detail: e.to_string() })?;
        tx.execute(
            "UPDATE checkpoint SET height = $1, block_hash = $2, time_ms = $3, validators = $4::text::jsonb, \
             updated_at = now()",
            &[&(next.height as i64), &next.block_hash.0.as_slice(), &(next.time_ms as i64), &set],
        )
        .await
        .map_err(db("moving the checkpoint"))?;
        tx.commit().await.map_err(db("committing a block"))
    }
}

async fn read_checkpoint(c: &impl GenericClient, lock: bool) -> Result<Option<Checkpoint>, IndexerError> {
    let q = if lock {
        "SELECT height, block_hash, time_ms, validators::text FROM checkpoint FOR UPDATE"
    } else {
        "SELECT height, block_hash, time_ms, validators::text FROM checkpoint"
    };
    let Some(r) = c.query_opt(q, &[]).await.map_err(db("reading the checkpoint"))? else { return Ok(None) };
    let set: String = r.get(3);
    let validators: ValidatorSet = serde_json::from_str(&set)
        .map_err(|e| IndexerError::Corrupt { what: "checkpoint.validators", detail: e.to_string() })?;
    Ok(Some(Checkpoint {
        height: r.get::<_, i64>(0) as u64,
        block_hash: hash_of(r.get::<_, &[u8]>(1), "checkpoint.block_hash")?,
        time_ms: r.get::<_, i64>(2) as u64,
        validators,
    }))
}

/// A `jsonb` value in PostgreSQL's binary format (a version byte, 1, then
/// the JSON text), for `COPY … (FORMAT binary)`: the rows carry JSON text
/// that `rows` built, which the server parses as it would a `::jsonb` cast.
#[derive(Debug)]
struct Jsonb<'a>(&'a str);

impl ToSql for Jsonb<'_> {
    fn to_sql(&self, _ty: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        out.put_u8(1);
        out.extend_from_slice(self.0.as_bytes());
        Ok(IsNull::No)
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::JSONB
    }

    to_sql_checked!();
}

/// The transactions, events and register changes of one block, batched:
/// `transactions` and `events` by `COPY … FROM STDIN (FORMAT binary)` (no
/// SQL to parse per row, no text encoding of `bytea`), inside the block's
/// SQL transaction like every other write, and the holding changes summed
/// per `(class, holder)` into one upsert (flushed before an account
/// recovery, which reads them).
async fn write_rows(tx: &Transaction<'_>, height: Height, rows: &BlockRows) -> Result<(), IndexerError> {
    let h = height as i64;
    if !rows.txs.is_empty() {
        let sink = tx
            .copy_in(
                "COPY transactions (hash, height, idx, signer, nonce, kind, payload, memo, success, failure_code, \
                 failure_args) FROM STDIN (FORMAT binary)",
            )
            .await
            .map_err(db("writing transactions"))?;
        let types = [
            Type::BYTEA,
            Type::INT8,
            Type::INT4,
            Type::TEXT,
            Type::INT8,
            Type::TEXT,
            Type::JSONB,
            Type::TEXT,
            Type::BOOL,
            Type::TEXT,
            Type::JSONB,
        ];
        let mut w = std::pin::pin!(BinaryCopyInWriter::new(sink, &types));
        for r in &rows.txs {
            let (idx, nonce, payload) = (r.idx as i32, r.nonce as i64, Jsonb(&r.payload));
            let args = r.failure_args.as_deref().map(Jsonb);
            w.as_mut()
                .write(&[
                    &r.hash.0.as_slice(),
                    &h,
                    &idx,
                    &r.signer,
                    &nonce,
                    &r.kind,
                    &payload,
                    &r.memo,
                    &r.success,
                    &r.failure_code,
                    &args,
                ])
                .await
                .map_err(db("writing transactions"))?;
        }
        w.as_mut().finish().await.map_err(db("writing transactions"))?;
    }
    if !rows.events.is_empty() {
        let sink = tx
            .copy_in("COPY events (height, tx_idx, idx, tx_hash, kind, attributes) FROM STDIN (FORMAT binary)")
            .await
            .map_err(db("writing events"))?;
        let types = [Type::INT8, Type::INT4, Type::INT4, Type::BYTEA, Type::TEXT, Type::JSONB];
        let mut w = std::pin::pin!(BinaryCopyInWriter::new(sink, &types));
        for r in &rows.events {
            let (tx_idx, idx, attrs) = (r.tx_idx as i32, r.idx as i32, Jsonb(&r.attributes));
            w.as_mut()
                .write(&[&h, &tx_idx, &idx, &r.tx_hash.0.as_slice(), &r.kind, &attrs])
                .await
                .map_err(db("writing events"))?;
        }
        w.as_mut().finish().await.map_err(db("writing events"))?;
    }
    let mut holdings: std::collections::BTreeMap<(u64, &str), i128> = Default::default();
    for op in &rows.ops {
        if let Op::Holding { class, holder, delta } = op {
            *holdings.entry((*class, holder.as_str())).or_default() += delta;
            continue;
        }
        if matches!(op, Op::Recover { .. }) {
            flush_holdings(tx, &mut holdings).await?;
        }
        apply_op(tx, h, op).await?;
    }
    flush_holdings(tx, &mut holdings).await
}

async fn flush_holdings(
    tx: &Transaction<'_>,
    holdings: &mut std::collections::BTreeMap<(u64, &str), i128>,
) -> Result<(), IndexerError> {
    if holdings.is_empty() {
        return Ok(());
    }
    let class: Vec<i64> = holdings.keys().map(|(c, _)| *c as i64).collect();
    let holder: Vec<&str> = holdings.keys().map(|(_, h)| *h).collect();
    let delta: Vec<String> = holdings.values().map(|d| d.to_string()).collect();
    tx.execute(
        // Existing holdings are updated, new ones inserted: an upsert would
        // check `amount >= 0` on the proposed row (the bare delta) first.
        "WITH d AS (SELECT c, h, d::numeric AS d FROM unnest($1::int8[], $2::text[], $3::text[]) AS t(c, h, d)), \
         up AS (UPDATE holdings SET amount = holdings.amount + d.d FROM d \
                WHERE holdings.class = d.c AND holdings.holder = d.h RETURNING holdings.class, holdings.holder) \
         INSERT INTO holdings (class, holder, amount) SELECT c, h, d FROM d \
         WHERE NOT EXISTS (SELECT 1 FROM up WHERE up.class = d.c AND up.holder = d.h)",
        &[&class, &holder, &delta],
    )
    .await
    .map_err(db("writing holdings"))?;
    holdings.clear();
    Ok(())
}

async fn apply_op(tx: &Transaction<'_>, h: i64, op: &Op) -> Result<(), IndexerError> {
    let (sql, ctx): (&str, &'static str) = match op {
        Op::Holding { .. } => return Ok(()),
        Op::Party { .. } => (
            "INSERT INTO parties (id, kind, display_name, status, issuer, regulator_scopes, registered_height, \
             registered_by) VALUES ($1, $2, $3, 'active', $4, $5, $6, $7)",
            "writing a party",
        ),
        Op::PartyStatus { .. } => ("UPDATE parties SET status = $2 WHERE id = $1", "updating a party"),
        Op::Account { .. } => (
            "INSERT INTO accounts (key, party, status, created_height) VALUES ($1, $2, 'active', $3) \
             ON CONFLICT (key) DO UPDATE SET party = excluded.party, status = 'active'",
            "writing an account",
        ),
        Op::AccountRevoked { .. } => (
            "UPDATE accounts SET status = 'revoked', revoked_height = $3, revoke_reason = $2 WHERE key = $1",
            "revoking an account",
        ),
        Op::Class { .. } => (
            "INSERT INTO classes (id, symbol, name, issuer, decimals, supply_cap, status, created_height) \
             VALUES ($1, $2, $3, $4, $5, $6::text::numeric, 'active', $7)",
            "writing a class",
        ),
        Op::ClassStatus { .. } => ("UPDATE classes SET status = $2 WHERE id = $1", "updating a class"),
        Op::Recover { .. } => (
            "WITH moved AS (DELETE FROM holdings WHERE holder = $1 RETURNING class, amount) \
             INSERT INTO holdings (class, holder, amount) SELECT class, $2, amount FROM moved \
             ON CONFLICT (class, holder) DO UPDATE SET amount = holdings.amount + excluded.amount",
            "moving holdings of a recovered account",
        ),
        Op::Restriction { .. } => (
            "INSERT INTO restrictions (id, class, holder, amount, kind, legal_basis, height) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            "writing a restriction",
        ),
        Op::RestrictionLifted { .. } => (
            "WITH r AS (UPDATE restrictions SET lifted_height = $2 WHERE id = $1 RETURNING class, kind) \
             UPDATE classes SET status = 'active' FROM r \
             WHERE classes.id = r.class AND r.kind = 'pause' AND classes.status = 'paused'",
            "lifting a restriction",
        ),
        Op::Record { .. } => (
            "INSERT INTO records (id, certifier, holder, object, status, issued_height) \
             VALUES ($1, $2, $3, $4::text::jsonb, 'active', $5)",
            "writing a record",
        ),
        Op::RecordHolder { .. } => ("UPDATE records SET holder = $2 WHERE id = $1", "moving a record"),
        Op::RecordStatus { .. } => ("UPDATE records SET status = $2 WHERE id = $1", "updating a record"),
        Op::RecordHistory { .. } => (
            "INSERT INTO record_history (record, height, tx_idx, idx, kind, attributes) \
             VALUES ($1, $2, $3, $4, $5, $6::text::jsonb)",
            "writing record history",
        ),
        Op::Encumbrance { .. } => (
            "INSERT INTO encumbrances (record, id, kind, beneficiary, legal_basis, created_height) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            "writing an encumbrance",
        ),
        Op::EncumbranceReleased { .. } => (
            "UPDATE encumbrances SET released_height = $3 WHERE record = $1 AND id = $2",
            "releasing an encumbrance",
        ),
        Op::Escrow { .. } => (
            "INSERT INTO escrows (id, payer, payee, arbiter, asset, terms_hash, deadline_height, status, \
             created_height) VALUES ($1, $2, $3, $4, $5::text::jsonb, $6, $7, 'open', $8)",
            "writing an escrow",
        ),
        Op::EscrowStatus { .. } => (
            "UPDATE escrows SET status = $2, settled_to = coalesce($3, settled_to), \
             settled_height = CASE WHEN $2 = 'disputed' THEN settled_height ELSE $4 END WHERE id = $1",
            "updating an escrow",
        ),
        Op::Mining(_) => (
            "WITH prev AS (UPDATE mining_notifications SET superseded_by = $1 WHERE id = $4 RETURNING version) \
             INSERT INTO mining_notifications (id, miner, kind, previous, version, region, capacity_kw, units, \
             hashrate_ths, energy, pool, start_date, status, submitted_height, submitted_time) \
             SELECT $1, $2, $3, $4, coalesce((SELECT version FROM prev), 0) + 1, $5, $6, $7, $8, $9, $10, \
             $11::text::date, 'submitted', $12, (SELECT time FROM blocks WHERE height = $12)",
            "writing a mining notification",
        ),
        Op::Activity { .. } => (
            "INSERT INTO activity_notifications (id, party, activity, phase, date, status, reviewed_by, \
             reviewed_height, submitted_height) \
             VALUES ($1, $2, $3, $4, $5::text::date, $6, $7, CASE WHEN $7::text IS NULL THEN NULL ELSE $8::int8 END, $8)",
            "writing an activity notification",
        ),
        Op::Reviewed { mining: true, .. } => (
            "UPDATE mining_notifications SET status = $2, reviewed_by = $3, reviewed_height = $4 WHERE id = $1",
            "reviewing a mining notification",
        ),
        Op::Reviewed { mining: false, .. } => (
            "UPDATE activity_notifications SET status = $2, reviewed_by = $3, reviewed_height = $4 WHERE id = $1",
            "reviewing an activity notification",
        ),
    };
    let i = |v: u64| v as i64;
    let r = match op {
        Op::Holding { .. } => return Ok(()),
        Op::Party { id, kind, display_name, issuer, scopes, by } => {
            tx.execute(sql, &[&i(*id), kind, display_name, issuer, scopes, &h, by]).await
        }
        Op::PartyStatus { id, status } => tx.execute(sql, &[&i(*id), status]).await,
        Op::Account { key, party } => tx.execute(sql, &[key, &i(*party), &h]).await,
        Op::AccountRevoked { key, reason } => tx.execute(sql, &[key, reason, &h]).await,
        Op::Class { id, symbol, name, issuer, decimals, supply_cap } => {
            tx.execute(sql, &[&i(*id), symbol, name, &i(*issuer), &i32::from(*decimals), supply_cap, &h]).await
        }
        Op::ClassStatus { id, status } => tx.execute(sql, &[&i(*id), status]).await,
        Op::Recover { from, to } => tx.execute(sql, &[from, to]).await,
        Op::Restriction { id, class, holder, amount, kind, legal_basis } => {
            tx.execute(sql, &[&i(*id), &i(*class), holder, amount, kind, legal_basis, &h]).await
        }
        Op::RestrictionLifted { id } => tx.execute(sql, &[&i(*id), &h]).await,
        Op::Record { id, certifier, holder, object } => {
            tx.execute(sql, &[&i(*id), certifier, holder, object, &h]).await
        }
        Op::RecordHolder { id, holder } => tx.execute(sql, &[&i(*id), holder]).await,
        Op::RecordStatus { id, status } => tx.execute(sql, &[&i(*id), status]).await,
        Op::RecordHistory { id, tx_idx, idx, kind, attributes } => {
            tx.execute(sql, &[&i(*id), &h, &(*tx_idx as i32), &(*idx as i32), kind, attributes]).await
        }
        Op::Encumbrance { record, id, kind, beneficiary, legal_basis } => {
            tx.execute(sql, &[&i(*record), &i(*id), kind, beneficiary, legal_basis, &h]).await
        }
        Op::EncumbranceReleased { record, id } => tx.execute(sql, &[&i(*record), &i(*id), &h]).await,
        Op::Escrow { id, payer, payee, arbiter, asset, terms_hash, deadline } => {
            tx.execute(sql, &[&i(*id), payer, payee, arbiter, asset, &terms_hash.0.as_slice(), &i(*deadline), &h]).await
        }
        Op::EscrowStatus { id, status, to } => tx.execute(sql, &[&i(*id), status, to, &h]).await,
        Op::Mining(m) => {
            tx.execute(
                sql,
                &[
                    &i(m.id),
                    &i(m.miner),
                    &m.kind,
                    &m.previous.map(i),
                    &m.region,
                    &i(m.capacity_kw),
                    &i64::from(m.units),
                    &i(m.hashrate_ths),
                    &m.energy,
                    &m.pool,
                    &m.start_date,
                    &h,
                ],
            )
            .await
        }
        Op::Activity { id, party, activity, phase, date, status, by } => {
            tx.execute(sql, &[&i(*id), &i(*party), activity, phase, date, status, by, &h]).await
        }
        Op::Reviewed { mining, id, accepted, by } => {
            let status = if *accepted { "accepted" } else { "rejected" };
            let r = tx.execute(sql, &[&i(*id), &status, by, &h]).await;
            if r.is_ok() && *mining && *accepted {
                // SPEC §6: an accepted termination closes the site, every version of it.
                tx.execute(
                    "WITH RECURSIVE site(id, previous) AS (SELECT id, previous FROM mining_notifications \
                     WHERE id = $1 AND kind = 'termination' UNION ALL SELECT m.id, m.previous \
                     FROM mining_notifications m JOIN site s ON m.id = s.previous) \
                     UPDATE mining_notifications SET closed = true WHERE id IN (SELECT id FROM site)",
                    &[&i(*id)],
                )
                .await
            } else {
                r
            }
        }
    };
    r.map(|_| ()).map_err(db(ctx))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(redact("postgres://tamga:secret@db:5432/idx"), "postgres://tamga:***@db:5432/idx");
        assert_eq!(redact("postgres://tamga@db/idx"), "postgres://tamga@db/idx");
        assert_eq!(redact("host=db user=x"), "host=db user=x");
    }

    #[test]
    fn the_binary_knows_its_schema_version() {
        assert!(schema_version() >= 1);
    }
}
