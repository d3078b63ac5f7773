//! The gateway's database: SQLite (a file, the default) or PostgreSQL, through sqlx's `Any`
//! driver so that the same queries and migrations serve both. Queries use `$n` placeholders in
//! order of appearance, which both engines accept.

use std::str::FromStr;

use sqlx::{
    any::{AnyConnectOptions, AnyPoolOptions},
    AnyPool, Row,
};

use crate::error::AppResult;

/// Embedded migrations (`gateway/migrations`).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// Connects (creating a SQLite file if missing), tunes SQLite for concurrent use, and runs
/// the migrations.
pub async fn connect(url: &str, max_connections: Option<u32>) -> anyhow::Result<AnyPool> {
    sqlx::any::install_default_drivers();
    let is_sqlite = url.starts_with("sqlite:");
    // Measured with `examples/load.rs`: SQLite with 16 connections spends writers' time in
    // its busy handler (p99 > 100 ms at 500 sign-ins/s); with 2 the p99 is below 10 ms.
    let max_connections = max_connections.unwrap_or(if is_sqlite { 2 } else { 16 });
    let url = if is_sqlite && !url.contains("mode=") {
        format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
    } else {
        url.to_owned()
    };
    let options = AnyConnectOptions::from_str(&url)
        .map_err(|e| anyhow::anyhow!("DATABASE_URL is not a valid database URL: {e}"))?;
    let pool = AnyPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(std::time::Duration::from_secs(10))
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if is_sqlite {
                    // Readers never wait for the writer; a writer waits up to 5 s for another.
                    sqlx::query("PRAGMA journal_mode = WAL").execute(&mut *conn).await?;
                    sqlx::query("PRAGMA synchronous = NORMAL").execute(&mut *conn).await?;
                    sqlx::query("PRAGMA busy_timeout = 5000").execute(&mut *conn).await?;
                    sqlx::query("PRAGMA foreign_keys = ON").execute(&mut *conn).await?;
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the database: {e}"))?;
    MIGRATOR.run(&pool).await.map_err(|e| anyhow::anyhow!("database migration failed: {e}"))?;
    Ok(pool)
}

/// Whether a database error is a unique-constraint violation (both engines).
pub fn is_unique_violation(e: &sqlx::Error) -> Option<String> {
    match e {
        sqlx::Error::Database(db) => {
            let msg = db.message().to_owned();
            let unique = db.is_unique_violation()
                || msg.contains("UNIQUE constraint failed")
                || msg.contains("duplicate key");
            unique.then_some(msg)
        }
        _ => None,
    }
}

/// A stored voter (decrypted fields filled in by the caller when needed).
#[derive(Debug, Clone)]
pub struct VoterRow {
    pub id: String,
    pub phone_lookup: Vec<u8>,
    pub name_enc: Vec<u8>,
    pub phone_enc: Vec<u8>,
    pub province: String,
    pub gender: String,
    pub account: String,
}

fn voter_from(row: &sqlx::any::AnyRow) -> Result<VoterRow, sqlx::Error> {
    Ok(VoterRow {
        id: row.try_get("id")?,
        phone_lookup: row.try_get("phone_lookup")?,
        name_enc: row.try_get("name_enc")?,
        phone_enc: row.try_get("phone_enc")?,
        province: row.try_get("province")?,
        gender: row.try_get("gender")?,
        account: row.try_get("account")?,
    })
}

const VOTER_COLUMNS: &str = "id, phone_lookup, name_enc, phone_enc, province, gender, account";

/// Voter by the keyed hash of the ID number.
pub async fn voter_by_id_lookup(pool: &AnyPool, lookup: &[u8]) -> AppResult<Option<VoterRow>> {
    let row = sqlx::query(&format!("SELECT {VOTER_COLUMNS} FROM voters WHERE id_lookup = $1"))
        .bind(lookup.to_vec())
        .fetch_optional(pool)
        .await?;
    Ok(row.as_ref().map(voter_from).transpose()?)
}

/// Voter by id.
pub async fn voter_by_id(pool: &AnyPool, id: &str) -> AppResult<Option<VoterRow>> {
    let row = sqlx::query(&format!("SELECT {VOTER_COLUMNS} FROM voters WHERE id = $1"))
        .bind(id.to_owned())
        .fetch_optional(pool)
        .await?;
    Ok(row.as_ref().map(voter_from).transpose()?)
}

/// A vote as stored.
#[derive(Debug, Clone)]
pub struct VoteRow {
    pub id: String,
    pub voter_id: String,
    pub election_id: i64,
    pub request_id: String,
    pub status: String,
    pub extrinsic: Vec<u8>,
    pub tx_hash: String,
    pub tracker: String,
    pub nonce: i64,
    pub block_number: Option<i64>,
    pub block_hash: Option<String>,
    pub extrinsic_index: Option<i64>,
    pub error_code: Option<String>,
    pub attempts: i64,
    pub created_at: i64,
    pub finalized_at: Option<i64>,
}

/// Columns of [`VoteRow`], for `SELECT`.
pub const VOTE_COLUMNS: &str = "id, voter_id, election_id, request_id, status, extrinsic, \
    tx_hash, tracker, nonce, block_number, block_hash, extrinsic_index, error_code, attempts, \
    created_at, finalized_at";

/// Reads a [`VoteRow`].
pub fn vote_from(row: &sqlx::any::AnyRow) -> Result<VoteRow, sqlx::Error> {
    Ok(VoteRow {
        id: row.try_get("id")?,
        voter_id: row.try_get("voter_id")?,
        election_id: row.try_get("election_id")?,
        request_id: row.try_get("request_id")?,
        status: row.try_get("status")?,
        extrinsic: row.try_get("extrinsic")?,
        tx_hash: row.try_get("tx_hash")?,
        tracker: row.try_get("tracker")?,
        nonce: row.try_get("nonce")?,
        block_number: row.try_get("block_number")?,
        block_hash: row.try_get("block_hash")?,
        extrinsic_index: row.try_get("extrinsic_index")?,
        error_code: row.try_get("error_code")?,
        attempts: row.try_get("attempts")?,
        created_at: row.try_get("created_at")?,
        finalized_at: row.try_get("finalized_at")?,
    })
}

/// One vote by id.
pub async fn vote_by_id(pool: &AnyPool, id: &str) -> AppResult<Option<VoteRow>> {
    let row = sqlx::query(&format!("SELECT {VOTE_COLUMNS} FROM votes WHERE id = $1"))
        .bind(id.to_owned())
        .fetch_optional(pool)
        .await?;
    Ok(row.as_ref().map(vote_from).transpose()?)
}

/// A voter's votes, newest first.
pub async fn votes_of(pool: &AnyPool, voter_id: &str) -> AppResult<Vec<VoteRow>> {
    let rows = sqlx::query(&format!(
        "SELECT {VOTE_COLUMNS} FROM votes WHERE voter_id = $1 ORDER BY created_at DESC"
    ))
    .bind(voter_id.to_owned())
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(vote_from).collect::<Result<_, _>>()?)
}

/// Sets a vote's status and receipt fields.
pub async fn update_vote_status(
    pool: &AnyPool,
    id: &str,
    status: &str,
    number: Option<i64>,
    hash: Option<String>,
    index: Option<i64>,
    error_code: Option<&str>,
) -> AppResult<()> {
    let now = now_ms();
    let finalized_at = (status == "finalized").then_some(now);
    sqlx::query(
        "UPDATE votes SET status = $1, block_number = COALESCE($2, block_number), \
         block_hash = COALESCE($3, block_hash), extrinsic_index = COALESCE($4, extrinsic_index), \
         error_code = $5, updated_at = $6, finalized_at = COALESCE($7, finalized_at) \
         WHERE id = $8 AND status <> 'finalized'",
    )
    .bind(status.to_owned())
    .bind(number)
    .bind(hash)
    .bind(index)
    .bind(error_code.map(str::to_owned))
    .bind(now)
    .bind(finalized_at)
    .bind(id.to_owned())
    .execute(pool)
    .await?;
    Ok(())
}

/// Counts one query's single `BIGINT` result.
pub async fn count(pool: &AnyPool, sql: &str, election: Option<i64>) -> AppResult<i64> {
    let q = sqlx::query(sql);
    let q = match election {
        Some(e) => q.bind(e),
        None => q,
    };
    let row = q.fetch_one(pool).await?;
    Ok(row.try_get::<i64, _>(0)?)
}
