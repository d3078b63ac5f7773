-- ElectX gateway schema. One file for SQLite and PostgreSQL: only types both understand
-- (TEXT, BIGINT, BYTEA), times as Unix milliseconds, ids as UUID text.
-- Nothing here records a voter's choice.

-- Registered voters. The ID number and phone are found by keyed hash (HMAC) and kept only
-- encrypted; province and gender are kept in clear for turnout statistics.
CREATE TABLE voters (
    id            TEXT PRIMARY KEY,
    id_lookup     BYTEA NOT NULL UNIQUE,
    phone_lookup  BYTEA NOT NULL UNIQUE,
    id_enc        BYTEA NOT NULL,
    phone_enc     BYTEA NOT NULL,
    name_enc      BYTEA NOT NULL,
    dob_enc       BYTEA NOT NULL,
    province      TEXT NOT NULL,
    gender        TEXT NOT NULL,
    account       TEXT NOT NULL UNIQUE,
    created_at    BIGINT NOT NULL
);

-- One-time SMS codes, stored as keyed hashes. status: active, used, locked, expired, superseded.
CREATE TABLE login_codes (
    id          TEXT PRIMARY KEY,
    voter_id    TEXT NOT NULL REFERENCES voters(id),
    code_hash   BYTEA NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    attempts    BIGINT NOT NULL DEFAULT 0,
    status      TEXT NOT NULL
);
CREATE INDEX login_codes_voter ON login_codes (voter_id, created_at);

-- Server-side sessions; the cookie holds the token, the table only its keyed hash.
CREATE TABLE sessions (
    token_hash  BYTEA PRIMARY KEY,
    voter_id    TEXT NOT NULL REFERENCES voters(id),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX sessions_voter ON sessions (voter_id);

-- The development SMS outbox (only written by the `outbox` sender).
CREATE TABLE sms_outbox (
    id         TEXT PRIMARY KEY,
    to_masked  TEXT NOT NULL,
    body       TEXT NOT NULL,
    sent_at    BIGINT NOT NULL
);
CREATE INDEX sms_outbox_sent ON sms_outbox (sent_at);

-- Voters the gateway's registrar puts on an election's roll. status: pending, done.
CREATE TABLE roll_entries (
    election_id  BIGINT NOT NULL,
    voter_id     TEXT NOT NULL REFERENCES voters(id),
    account      TEXT NOT NULL,
    status       TEXT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (election_id, voter_id)
);
CREATE INDEX roll_entries_status ON roll_entries (status);

-- Ballots the gateway signed for voters: the signed extrinsic (public data once on chain;
-- the choice inside is encrypted), its progress and the receipt. status: pending, in_block,
-- finalized, failed.
CREATE TABLE votes (
    id               TEXT PRIMARY KEY,
    voter_id         TEXT NOT NULL REFERENCES voters(id),
    election_id      BIGINT NOT NULL,
    request_id       TEXT NOT NULL,
    status           TEXT NOT NULL,
    extrinsic        BYTEA NOT NULL,
    tx_hash          TEXT NOT NULL,
    tracker          TEXT NOT NULL,
    nonce            BIGINT NOT NULL,
    block_number     BIGINT,
    block_hash       TEXT,
    extrinsic_index  BIGINT,
    error_code       TEXT,
    attempts         BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    finalized_at     BIGINT,
    UNIQUE (voter_id, request_id)
);
-- At most one ballot in flight per voter and election: concurrent or retried requests
-- cannot sign two ballots at once.
CREATE UNIQUE INDEX votes_one_in_flight ON votes (voter_id, election_id)
    WHERE status IN ('pending', 'in_block');
CREATE INDEX votes_election_status ON votes (election_id, status);
