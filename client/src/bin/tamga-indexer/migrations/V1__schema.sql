-- tamga-indexer schema, version 1 (docs/indexer.md). Every row below is
-- written in the SQL transaction of the block that certifies it, together
-- with the checkpoint, so the database always holds exactly the blocks
-- 0..=checkpoint.height (SPEC §9: a certified block is final).

-- The chain this database indexes: one row, written at the first run.
CREATE TABLE chain (
    singleton     boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    chain_id      text    NOT NULL,
    genesis_hash  bytea   NOT NULL,
    genesis_time  timestamptz NOT NULL
);

-- Where ingestion resumes: the last block written, its hash (the next
-- block's parent must equal it) and the validator set that certifies the
-- next block (SPEC §9, the light client's trusted state).
CREATE TABLE checkpoint (
    singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    height      bigint  NOT NULL,
    block_hash  bytea   NOT NULL,
    time_ms     bigint  NOT NULL,
    validators  jsonb   NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One row per certified block; height 0 is the genesis (hash = genesis hash).
CREATE TABLE blocks (
    height               bigint PRIMARY KEY,
    hash                 bytea  NOT NULL UNIQUE,
    parent_hash          bytea  NOT NULL,
    time                 timestamptz NOT NULL,
    round                integer NOT NULL,
    proposer             text   NOT NULL,
    tx_count             integer NOT NULL,
    failed_count         integer NOT NULL,
    state_root           bytea  NOT NULL,
    receipts_root        bytea  NOT NULL,
    validators_hash      bytea  NOT NULL,
    next_validators_hash bytea  NOT NULL,
    signatures           integer NOT NULL
);

-- One row per committed transaction with its receipt (SPEC §8).
CREATE TABLE transactions (
    hash          bytea   PRIMARY KEY,
    height        bigint  NOT NULL REFERENCES blocks (height),
    idx           integer NOT NULL,
    signer        text    NOT NULL,
    nonce         bigint  NOT NULL,
    kind          text    NOT NULL,
    payload       jsonb   NOT NULL,
    memo          text,
    success       boolean NOT NULL,
    failure_code  text,
    failure_args  jsonb,
    UNIQUE (height, idx)
);
CREATE INDEX transactions_signer ON transactions (signer);
CREATE INDEX transactions_kind ON transactions (kind);

-- Receipts: the outcome columns of `transactions` under the name the
-- node's API uses.
CREATE VIEW receipts AS
    SELECT hash AS tx_hash, height, idx, success, failure_code, failure_args FROM transactions;

-- Every event of every successful receipt, in order (docs/wire-format.md §10).
CREATE TABLE events (
    height      bigint  NOT NULL,
    tx_idx      integer NOT NULL,
    idx         integer NOT NULL,
    tx_hash     bytea   NOT NULL,
    kind        text    NOT NULL,
    attributes  jsonb   NOT NULL,
    PRIMARY KEY (height, tx_idx, idx)
);
CREATE INDEX events_kind ON events (kind);

-- Registers (SPEC §3-§7), as of the checkpoint.
CREATE TABLE parties (
    id                 bigint PRIMARY KEY,
    kind               text   NOT NULL,
    display_name       text,
    status             text   NOT NULL,
    issuer             boolean NOT NULL,
    regulator_scopes   text[] NOT NULL,
    registered_height  bigint NOT NULL,
    registered_by      text
);

CREATE TABLE accounts (
    key             text   PRIMARY KEY,
    party           bigint NOT NULL,
    status          text   NOT NULL,
    created_height  bigint NOT NULL,
    revoked_height  bigint,
    revoke_reason   text
);
CREATE INDEX accounts_party ON accounts (party);

CREATE TABLE classes (
    id              bigint PRIMARY KEY,
    symbol          text   NOT NULL,
    name            text   NOT NULL,
    issuer          bigint NOT NULL,
    decimals        integer NOT NULL,
    supply_cap      numeric(39, 0),
    status          text   NOT NULL,
    created_height  bigint NOT NULL
);

CREATE TABLE holdings (
    class   bigint NOT NULL,
    holder  text   NOT NULL,
    amount  numeric(39, 0) NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (class, holder)
);

CREATE TABLE restrictions (
    id          bigint PRIMARY KEY,
    class       bigint NOT NULL,
    holder      text,
    amount      text,
    kind        text   NOT NULL,
    legal_basis text   NOT NULL,
    height      bigint NOT NULL,
    lifted_height bigint
);

CREATE TABLE records (
    id              bigint PRIMARY KEY,
    certifier       text   NOT NULL,
    holder          text   NOT NULL,
    object          jsonb  NOT NULL,
    status          text   NOT NULL,
    issued_height   bigint NOT NULL
);

CREATE TABLE record_history (
    record   bigint  NOT NULL,
    height   bigint  NOT NULL,
    tx_idx   integer NOT NULL,
    idx      integer NOT NULL,
    kind     text    NOT NULL,
    attributes jsonb NOT NULL,
    PRIMARY KEY (record, height, tx_idx, idx)
);

CREATE TABLE encumbrances (
    record          bigint NOT NULL,
    id              bigint NOT NULL,
    kind            text   NOT NULL,
    beneficiary     text   NOT NULL,
    legal_basis     text   NOT NULL,
    created_height  bigint NOT NULL,
    released_height bigint,
    PRIMARY KEY (record, id)
);

CREATE TABLE escrows (
    id              bigint PRIMARY KEY,
    payer           text   NOT NULL,
    payee           text   NOT NULL,
    arbiter         text   NOT NULL,
    asset           jsonb  NOT NULL,
    terms_hash      bytea  NOT NULL,
    deadline_height bigint NOT NULL,
    status          text   NOT NULL,
    settled_to      text,
    created_height  bigint NOT NULL,
    settled_height  bigint
);

-- Mining notifications (SPEC §6): each version is its own row, linked by
-- `previous` / `superseded_by`.
CREATE TABLE mining_notifications (
    id               bigint PRIMARY KEY,
    miner            bigint NOT NULL,
    kind             text   NOT NULL,
    previous         bigint,
    superseded_by    bigint,
    version          integer NOT NULL,
    region           text   NOT NULL,
    capacity_kw      bigint NOT NULL,
    units            bigint NOT NULL,
    hashrate_ths     bigint NOT NULL,
    energy           text   NOT NULL,
    pool             text,
    start_date       date   NOT NULL,
    status           text   NOT NULL,
    reviewed_by      text,
    reviewed_height  bigint,
    closed           boolean NOT NULL DEFAULT false,
    submitted_height bigint NOT NULL,
    submitted_time   timestamptz NOT NULL
);
CREATE INDEX mining_notifications_region ON mining_notifications (region);

CREATE TABLE activity_notifications (
    id               bigint PRIMARY KEY,
    party            bigint NOT NULL,
    activity         text   NOT NULL,
    phase            text   NOT NULL,
    date             date   NOT NULL,
    status           text   NOT NULL,
    reviewed_by      text,
    reviewed_height  bigint,
    submitted_height bigint NOT NULL
);

-- ---- Views: what regulators ask most ----

-- Capacity and units of the accepted mining sites by region and month of
-- their start date (the latest accepted version of each site, not closed).
CREATE VIEW mining_capacity_by_region_month AS
    SELECT m.region,
           date_trunc('month', m.start_date)::date AS month,
           count(*)            AS sites,
           sum(m.capacity_kw)  AS capacity_kw,
           sum(m.units)        AS units
      FROM mining_notifications m
     WHERE m.status = 'accepted'
       AND m.kind <> 'termination'
       AND NOT m.closed
       AND NOT EXISTS (SELECT 1 FROM mining_notifications n
                        WHERE n.previous = m.id AND n.status = 'accepted')
     GROUP BY m.region, date_trunc('month', m.start_date);

-- Notifications of both registers by status.
CREATE VIEW notifications_by_status AS
    SELECT 'mining' AS register, status, count(*) AS notifications FROM mining_notifications GROUP BY status
    UNION ALL
    SELECT 'activity', status, count(*) FROM activity_notifications GROUP BY status;

-- Accepted notifications only, by register and kind.
CREATE VIEW accepted_notifications AS
    SELECT 'mining' AS register, kind, count(*) AS notifications
      FROM mining_notifications WHERE status = 'accepted' GROUP BY kind
    UNION ALL
    SELECT 'activity', activity || '/' || phase, count(*)
      FROM activity_notifications WHERE status = 'accepted' GROUP BY activity, phase;

-- Supply (sum of holdings) and holders (non-zero holdings) by class.
CREATE VIEW supply_by_class AS
    SELECT c.id AS class, c.symbol, c.issuer, c.status,
           coalesce(sum(h.amount), 0)                     AS supply,
           count(h.holder) FILTER (WHERE h.amount > 0)    AS holders
      FROM classes c LEFT JOIN holdings h ON h.class = c.id
     GROUP BY c.id, c.symbol, c.issuer, c.status;

-- Records with a standing encumbrance (pledge, lien, arrest…).
CREATE VIEW encumbered_records AS
    SELECT r.id AS record, r.holder, r.status, e.id AS encumbrance, e.kind,
           e.beneficiary, e.legal_basis, e.created_height
      FROM records r JOIN encumbrances e ON e.record = r.id
     WHERE e.released_height IS NULL;
