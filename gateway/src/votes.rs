//! The ballot pipeline: voters onto rolls (batched `register_voters`), signed ballots to a
//! finalized block, and recovery.
//!
//! A ballot is encrypted and signed once, when the voter asks; the signed extrinsic is stored
//! with status `pending` before anything is submitted. Workers then submit exactly those
//! bytes to the node's pool, and one block follower reads each new best and finalized block
//! once and matches its extrinsics by hash (`pending` → `in_block` → `finalized`), so the
//! cost per ballot does not grow with blocks of thousands of ballots and no per-ballot
//! subscription is held on the node. Because the transaction is
//! fixed (same signature, same nonce), submitting it again after a gateway restart or a node
//! outage can never put two ballots on chain: the chain either has it (we find it and
//! finalize the receipt) or does not (we submit it again).

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use serde::Serialize;
use sqlx::Row;
use tokio::sync::{mpsc, Notify, Semaphore};
use utoipa::ToSchema;

use crate::{
    chain::{self, ChainError, Phase, Progress},
    db::{self, VoteRow, VoterRow},
    http::voters::explorer_base,
    metrics::Metrics,
    AppState,
};

/// Largest `register_voters` batch (the runtime's `MaxVotersPerCall`).
pub const ROLL_BATCH: usize = 500;

/// Most `register_voters` batches waiting for finality at once.
const ROLL_IN_FLIGHT: usize = 8;

/// A submitted ballot not seen in a finalized block after this long is looked up on chain
/// and submitted again (the pool may have dropped it, e.g. across a node restart).
const RESUBMIT_AFTER: Duration = Duration::from_secs(60);

/// The follower reads at most this many blocks back after a gap (a node's state — and so
/// its events — is pruned after 256 blocks); older ballots are reconciled by the sweep.
const MAX_CATCH_UP: u64 = 200;

/// How many submissions a ballot gets while the pool's refusal may be explained by the
/// ballot itself sitting in a block that is not final yet (a stale nonce, or `AlreadyVoted`
/// after a node restart); the sweep re-drives it about every 5 s.
const AMBIGUOUS_RETRIES: i64 = 12;

/// Most votes the sweep re-drives per round.
const SWEEP_BATCH: usize = 500;

/// Ballots submitted to the pool and not yet seen in a finalized block.
#[derive(Default)]
struct Submitted {
    /// Extrinsic hash → vote id.
    by_hash: HashMap<String, String>,
    /// Vote id → (extrinsic hash, when submitted).
    by_vote: HashMap<String, (String, Instant)>,
}

impl Submitted {
    fn insert(&mut self, hash: String, vote: String) {
        self.by_hash.insert(hash.clone(), vote.clone());
        self.by_vote.insert(vote, (hash, Instant::now()));
    }

    fn remove_hash(&mut self, hash: &str) -> Option<String> {
        let vote = self.by_hash.remove(hash)?;
        self.by_vote.remove(&vote);
        Some(vote)
    }

    fn is_empty(&self) -> bool {
        self.by_hash.is_empty()
    }

    fn clear(&mut self) {
        self.by_hash.clear();
        self.by_vote.clear();
    }
}

/// Work for the pipeline.
#[derive(Debug)]
enum Job {
    /// Put an account on a roll.
    Enrol { election: u32, voter_id: String, account: [u8; 32] },
    /// Submit or follow a vote.
    Vote(String),
}

/// Handle to the pipeline (cheap to clone).
#[derive(Clone)]
pub struct VoteQueue {
    tx: mpsc::UnboundedSender<Job>,
    rx: Arc<Mutex<Option<mpsc::UnboundedReceiver<Job>>>>,
    in_flight: Arc<Mutex<HashSet<String>>>,
    /// Ballots in the pool, waiting for a block.
    submitted: Arc<Mutex<Submitted>>,
    /// Roll entries queued or being registered (the sweep leaves them alone).
    roll_queued: Arc<Mutex<HashSet<(u32, String)>>>,
    roll_changed: Arc<Notify>,
}

impl Default for VoteQueue {
    fn default() -> Self {
        Self::new()
    }
}

impl VoteQueue {
    /// A queue whose workers start with [`spawn_workers`].
    pub fn new() -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        Self {
            tx,
            rx: Arc::new(Mutex::new(Some(rx))),
            in_flight: Default::default(),
            submitted: Default::default(),
            roll_queued: Default::default(),
            roll_changed: Arc::new(Notify::new()),
        }
    }

    fn lock_submitted(&self) -> std::sync::MutexGuard<'_, Submitted> {
        self.submitted.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether a vote is being worked on, or waits in the pool for a block (and was
    /// submitted recently enough not to be looked up again).
    fn is_waiting(&self, id: &str) -> bool {
        if self.in_flight.lock().unwrap_or_else(|p| p.into_inner()).contains(id) {
            return true;
        }
        let mut submitted = self.lock_submitted();
        match submitted.by_vote.get(id) {
            Some((_, at)) if at.elapsed() <= RESUBMIT_AFTER => true,
            Some((hash, _)) => {
                let hash = hash.clone();
                submitted.remove_hash(&hash);
                false
            }
            None => false,
        }
    }

    fn lock_roll_queued(&self) -> std::sync::MutexGuard<'_, HashSet<(u32, String)>> {
        self.roll_queued.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues a roll entry for the batcher, unless it is queued already.
    fn queue_enrol(&self, election: u32, voter_id: String, account: [u8; 32]) {
        if self.lock_roll_queued().insert((election, voter_id.clone())) {
            let _ = self.tx.send(Job::Enrol { election, voter_id, account });
        }
    }

    /// Queues a vote for submission.
    pub fn push_vote(&self, id: &str) {
        let _ = self.tx.send(Job::Vote(id.to_owned()));
    }

    /// Puts `voter` on the rolls of every election that can still take voters (recorded
    /// first, so it survives a restart).
    pub async fn enrol(&self, state: &AppState, voter: &VoterRow) {
        let Ok(elections) = state.chain.elections_recent(chain::ELECTION_CACHE).await else {
            return;
        };
        for e in elections.iter().filter(|e| matches!(e.phase, Phase::Scheduled | Phase::Open)) {
            if let Err(e) = self.enrol_in(state, e.id, voter).await {
                tracing::warn!(error = %e, "could not record a roll entry");
            }
        }
    }

    async fn enrol_in(
        &self,
        state: &AppState,
        election: u32,
        voter: &VoterRow,
    ) -> Result<(), sqlx::Error> {
        let account = state.accounts.account_bytes(&voter.id);
        let inserted = sqlx::query(
            "INSERT INTO roll_entries (election_id, voter_id, account, status, updated_at) \
             VALUES ($1, $2, $3, 'pending', $4) ON CONFLICT DO NOTHING",
        )
        .bind(election as i64)
        .bind(voter.id.clone())
        .bind(voter.account.clone())
        .bind(db::now_ms())
        .execute(&state.db)
        .await?;
        if inserted.rows_affected() == 1 {
            self.queue_enrol(election, voter.id.clone(), account);
        }
        Ok(())
    }
}

/// A vote as voters and the API see it (no choice: the gateway does not keep it).
#[derive(Debug, Serialize, ToSchema)]
pub struct VoteView {
    /// Vote id.
    pub id: String,
    /// Election id.
    pub election: i64,
    /// `pending`, `in_block`, `finalized` or `failed`.
    pub status: String,
    /// Why it failed.
    pub error: Option<VoteError>,
    /// Ballot tracker (`0x…`): the hash of the encrypted ballot.
    pub tracker: String,
    /// Block number (once finalized).
    pub block_number: Option<i64>,
    /// Block hash (once in a block).
    pub block_hash: Option<String>,
    /// Index of the extrinsic in its block.
    pub extrinsic_index: Option<i64>,
    /// Polkadot.js Apps link to the block.
    pub explorer_url: Option<String>,
    /// Command that re-verifies the whole election from chain data.
    pub verify_command: String,
    /// When the voter cast it (RFC 3339).
    pub created_at: String,
    /// When it was finalized (RFC 3339).
    pub finalized_at: Option<String>,
}

/// A vote's failure.
#[derive(Debug, Serialize, ToSchema)]
pub struct VoteError {
    /// Stable code.
    pub code: String,
    /// Human text.
    pub message: String,
}

/// RFC 3339 of Unix milliseconds.
pub fn rfc3339(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

fn error_message(code: &str) -> &'static str {
    match code {
        "already_voted" => "The chain already has a ballot from you in this election.",
        "election_not_open" => "The election closed before the ballot could be included.",
        "not_on_roll" => "You could not be put on this election's roll.",
        _ => "The chain refused the ballot.",
    }
}

impl VoteView {
    /// From a stored row.
    pub fn from_row(state: &AppState, v: &VoteRow) -> Self {
        let http_url = state.config.public_node_url().replacen("ws", "http", 1);
        let genesis = state.chain.cached_genesis().map(|g| format!("0x{}", hex::encode(g)));
        Self {
            id: v.id.clone(),
            election: v.election_id,
            status: v.status.clone(),
            error: v
                .error_code
                .as_ref()
                .map(|c| VoteError { code: c.clone(), message: error_message(c).to_owned() }),
            tracker: v.tracker.clone(),
            block_number: v.block_number,
            block_hash: v.block_hash.clone(),
            extrinsic_index: v.extrinsic_index,
            explorer_url: v.block_hash.as_ref().map(|h| format!("{}{h}", explorer_base(state))),
            verify_command: format!(
                "electx-verify --url {http_url} --election {}{}",
                v.election_id,
                genesis.map(|g| format!(" --genesis {g}")).unwrap_or_default()
            ),
            created_at: rfc3339(v.created_at),
            finalized_at: v.finalized_at.map(rfc3339),
        }
    }
}

/// Starts the workers: the job loop, the roll batcher and the recovery sweep.
pub fn spawn_workers(state: &AppState) {
    let Some(mut rx) = state.votes.rx.lock().unwrap_or_else(|p| p.into_inner()).take() else {
        return;
    };
    let (roll_tx, roll_rx) = mpsc::unbounded_channel();
    tokio::spawn(roll_batcher(state.clone(), roll_rx));
    let s = state.clone();
    tokio::spawn(async move {
        while let Some(job) = rx.recv().await {
            match job {
                Job::Enrol { election, voter_id, account } => {
                    let _ = roll_tx.send((election, voter_id, account));
                }
                Job::Vote(id) => spawn_vote(&s, id),
            }
        }
    });
    tokio::spawn(follow_blocks(state.clone()));
    let s = state.clone();
    tokio::spawn(async move {
        loop {
            if let Err(e) = sweep(&s).await {
                tracing::warn!(error = %e, "recovery sweep failed; retrying in 5 s");
            }
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
    });
}

/// Re-queues what is unsettled: votes not being worked on and roll entries still pending.
async fn sweep(state: &AppState) -> Result<(), crate::error::AppError> {
    if !state.chain.status().connected {
        return Ok(());
    }
    let rows = sqlx::query(
        "SELECT id FROM votes WHERE status IN ('pending', 'in_block') ORDER BY created_at",
    )
    .fetch_all(&state.db)
    .await?;
    let mut driven = 0;
    for row in rows {
        let id: String = row.try_get("id")?;
        if state.votes.is_waiting(&id) {
            continue;
        }
        spawn_vote(state, id);
        driven += 1;
        if driven == SWEEP_BATCH {
            break;
        }
    }
    // Every registered voter belongs on the roll of each election still taking voters,
    // including those who signed in before it was created (or before it was final).
    // (`WHERE true`: SQLite's parser needs it before an upsert clause.)
    let elections = state.chain.elections_recent(chain::ELECTION_CACHE).await.unwrap_or_default();
    for e in elections.iter().filter(|e| matches!(e.phase, Phase::Scheduled | Phase::Open)) {
        sqlx::query(
            "INSERT INTO roll_entries (election_id, voter_id, account, status, updated_at) \
             SELECT CAST($1 AS BIGINT), id, account, 'pending', 0 FROM voters WHERE true \
             ON CONFLICT DO NOTHING",
        )
        .bind(e.id as i64)
        .execute(&state.db)
        .await?;
    }
    // Entries not queued now: new ones, and those whose batch failed 10 s ago or more.
    let rows = sqlx::query(
        "SELECT election_id, voter_id FROM roll_entries WHERE status = 'pending' AND updated_at < $1",
    )
    .bind(db::now_ms() - 10_000)
    .fetch_all(&state.db)
    .await?;
    for row in rows {
        let election: i64 = row.try_get("election_id")?;
        let voter_id: String = row.try_get("voter_id")?;
        let account = state.accounts.account_bytes(&voter_id);
        state.votes.queue_enrol(election as u32, voter_id, account);
    }
    Ok(())
}

/// Collects enrolments for up to half a second (or a full batch) per election, then submits
/// one `register_voters` per election. Up to [`ROLL_IN_FLIGHT`] batches wait for finality at
/// once; while they do, the next batch fills up.
async fn roll_batcher(state: AppState, mut rx: mpsc::UnboundedReceiver<(u32, String, [u8; 32])>) {
    let permits = Arc::new(Semaphore::new(ROLL_IN_FLIGHT));
    loop {
        let Some(first) = rx.recv().await else { return };
        let mut batch: HashMap<u32, Vec<(String, [u8; 32])>> = HashMap::new();
        batch.entry(first.0).or_default().push((first.1, first.2));
        let deadline = tokio::time::Instant::now() + Duration::from_millis(500);
        while batch.values().map(Vec::len).sum::<usize>() < ROLL_BATCH {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some((e, v, a))) => batch.entry(e).or_default().push((v, a)),
                _ => break,
            }
        }
        for (election, mut entries) in batch {
            entries.sort();
            entries.dedup();
            for chunk in entries.chunks(ROLL_BATCH) {
                let Ok(permit) = permits.clone().acquire_owned().await else { return };
                let (state, chunk) = (state.clone(), chunk.to_vec());
                tokio::spawn(async move {
                    register_chunk(&state, election, &chunk).await;
                    drop(permit);
                });
            }
        }
    }
}

/// Registers one batch (the pallet skips accounts already on the roll) and records the
/// outcome; entries that failed stay `pending` for the sweep.
async fn register_chunk(state: &AppState, election: u32, chunk: &[(String, [u8; 32])]) {
    let accounts: Vec<[u8; 32]> = chunk.iter().map(|(_, a)| *a).collect();
    let voter_ids: Vec<&str> = chunk.iter().map(|(v, _)| v.as_str()).collect();
    match state.chain.register_voters(election, &accounts).await {
        Ok(()) => {
            mark_roll(state, election, &voter_ids, "done").await;
            tracing::info!(election, voters = accounts.len(), "voters put on the roll");
        }
        Err(ChainError::Rejected { error }) | Err(ChainError::DispatchFailed(error))
            if error == "RegistrationClosed" || error == "UnknownElection" =>
        {
            mark_roll(state, election, &voter_ids, "closed").await;
        }
        Err(e) => {
            // Retried by the sweep once the entries are 10 s old.
            mark_roll(state, election, &voter_ids, "pending").await;
            tracing::warn!(error = %e, election, "register_voters failed; will retry");
        }
    }
    {
        let mut queued = state.votes.lock_roll_queued();
        for (voter_id, _) in chunk {
            queued.remove(&(election, voter_id.clone()));
        }
    }
    state.votes.roll_changed.notify_waiters();
}

/// Sets the status of roll entries, in one transaction.
async fn mark_roll(state: &AppState, election: u32, voter_ids: &[&str], status: &str) {
    let result: Result<(), sqlx::Error> = async {
        let mut tx = state.db.begin().await?;
        for voter_id in voter_ids {
            sqlx::query(
                "UPDATE roll_entries SET status = $1, updated_at = $2 \
                 WHERE election_id = $3 AND voter_id = $4",
            )
            .bind(status.to_owned())
            .bind(db::now_ms())
            .bind(election as i64)
            .bind((*voter_id).to_owned())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }
    .await;
    if let Err(e) = result {
        tracing::warn!(error = %e, election, "could not record roll entries");
    }
}

/// Sets a `done` or `closed` roll entry back to `pending`, for the next sweep.
async fn requeue_roll(state: &AppState, election: u32, voter_id: &str) {
    let _ = sqlx::query(
        "UPDATE roll_entries SET status = 'pending', updated_at = 0 \
         WHERE election_id = $1 AND voter_id = $2 AND status <> 'pending'",
    )
    .bind(election as i64)
    .bind(voter_id.to_owned())
    .execute(&state.db)
    .await;
}

/// The status of a voter's roll entry, if there is one.
async fn roll_status(state: &AppState, election: u32, voter_id: &str) -> Option<String> {
    sqlx::query("SELECT status FROM roll_entries WHERE election_id = $1 AND voter_id = $2")
        .bind(election as i64)
        .bind(voter_id.to_owned())
        .fetch_optional(&state.db)
        .await
        .ok()
        .flatten()
        .and_then(|row| row.try_get::<String, _>("status").ok())
}

fn spawn_vote(state: &AppState, id: String) {
    {
        let mut set = state.votes.in_flight.lock().unwrap_or_else(|p| p.into_inner());
        if !set.insert(id.clone()) {
            return;
        }
    }
    let state = state.clone();
    tokio::spawn(async move {
        if let Err(e) = process_vote(&state, &id).await {
            tracing::debug!(error = %e, "vote will be retried");
        }
        state.votes.in_flight.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
    });
}

/// Drives one vote as far as it can go now: to the pool, or to its receipt if the chain
/// already has it. Returns an error when it should be retried later.
async fn process_vote(state: &AppState, id: &str) -> Result<(), String> {
    let Some(vote) = db::vote_by_id(&state.db, id).await.map_err(|e| e.to_string())? else {
        return Ok(());
    };
    if !matches!(vote.status.as_str(), "pending" | "in_block") {
        return Ok(());
    }
    let election = vote.election_id as u32;
    let account = state.accounts.account_bytes(&vote.voter_id);
    // Submitted before (a restart, a dropped transaction)? If it is on chain, only the
    // receipt is missing. A vote never submitted cannot be there.
    if vote.attempts > 0 && reconcile(state, &vote, account).await? {
        return Ok(());
    }
    ensure_on_roll(state, election, &vote.voter_id, account).await?;
    let _ = sqlx::query("UPDATE votes SET attempts = attempts + 1 WHERE id = $1")
        .bind(id.to_owned())
        .execute(&state.db)
        .await;
    // Recorded before submitting, so the follower cannot miss the block that includes it.
    state.votes.lock_submitted().insert(vote.tx_hash.clone(), id.to_owned());
    match state.chain.submit(&vote.extrinsic).await {
        Ok(()) => Ok(()),
        Err(e) => {
            state.votes.lock_submitted().remove_hash(&vote.tx_hash);
            match e {
                ChainError::Unavailable | ChainError::Other(_) => Err("chain unavailable".into()),
                ChainError::Rejected { error } => {
                    refused(state, &vote, account, &error, false).await
                }
                ChainError::DispatchFailed(error) => {
                    refused(state, &vote, account, &error, true).await
                }
            }
        }
    }
}

/// The chain refused a ballot (in the pool, or, `dispatched`, in a block): records why,
/// unless the refusal is explained by the ballot being on chain already or is worth retrying.
async fn refused(
    state: &AppState,
    vote: &VoteRow,
    account: [u8; 32],
    error: &str,
    dispatched: bool,
) -> Result<(), String> {
    // The pool may refuse it because it is already in (Stale nonce, AlreadyVoted after our
    // own inclusion): look at the chain before calling it failed.
    tokio::time::sleep(Duration::from_secs(1)).await;
    if reconcile(state, vote, account).await? {
        return Ok(());
    }
    // In the pool, a stale nonce or `AlreadyVoted` may be our own ballot in a block that is
    // not final yet; so may anything that is not a pallet error. Look again later.
    let definitive = chain::VOTING_ERRORS.contains(&error)
        && !matches!(error, "AlreadyVoted" | "TooManyBallots");
    if !dispatched && !definitive && vote.attempts < AMBIGUOUS_RETRIES {
        return Err(format!("{error}; rechecking once the chain is final"));
    }
    let code = match error {
        "AlreadyVoted" | "TooManyBallots" => "already_voted",
        "ElectionNotOpen" => "election_not_open",
        "NotOnRoll" if !dispatched => {
            // The entry says `done` but the chain disagrees (removed from the roll since):
            // put the voter back in the queue.
            requeue_roll(state, vote.election_id as u32, &vote.voter_id).await;
            return Err("not on roll yet".into());
        }
        _ => "rejected",
    };
    tracing::info!(vote = %vote.id, reason = %error, "ballot refused by the chain");
    db::update_vote_status(&state.db, &vote.id, "failed", None, None, None, Some(code))
        .await
        .map_err(|e| e.to_string())?;
    Metrics::count(&state.metrics.ballots, "failed");
    Ok(())
}

/// Reads every new best and finalized block once and settles the submitted ballots it
/// holds: `in_block` from best blocks, the receipt (or the failure) from finalized ones.
async fn follow_blocks(state: AppState) {
    let (mut next_best, mut next_final) = (0u64, 0u64);
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let status = state.chain.status();
        if !status.connected {
            // The node may have restarted with an empty pool: let the sweep look each
            // submitted ballot up on chain and submit it again once reconnected.
            state.votes.lock_submitted().clear();
            next_final = 0;
            continue;
        }
        if status.finalized == 0 {
            continue;
        }
        if next_final == 0 || state.votes.lock_submitted().is_empty() {
            // Nothing to look for: skip ahead (anything submitted later is in a later block).
            next_final = status.finalized + 1;
            next_best = next_best.max(status.best + 1);
            continue;
        }
        next_final = next_final.max(status.finalized.saturating_sub(MAX_CATCH_UP));
        next_best = next_best.max(next_final);
        while next_best <= status.best {
            let Ok(block) = state.chain.block_txs(next_best, false).await else { break };
            mark_in_block(&state, &block).await;
            next_best += 1;
        }
        while next_final <= status.finalized {
            let Ok(block) = state.chain.block_txs(next_final, true).await else { break };
            settle(&state, &block).await;
            next_final += 1;
        }
    }
}

async fn mark_in_block(state: &AppState, block: &chain::BlockTxs) {
    let found: Vec<String> = {
        let submitted = state.votes.lock_submitted();
        block.txs.iter().filter_map(|(h, _, _)| submitted.by_hash.get(h).cloned()).collect()
    };
    for id in found {
        let _ = sqlx::query(
            "UPDATE votes SET status = 'in_block', block_hash = $1, updated_at = $2 \
             WHERE id = $3 AND status = 'pending'",
        )
        .bind(block.hash.clone())
        .bind(db::now_ms())
        .bind(id)
        .execute(&state.db)
        .await;
    }
}

async fn settle(state: &AppState, block: &chain::BlockTxs) {
    let found: Vec<(String, u64, Option<String>)> = {
        let mut submitted = state.votes.lock_submitted();
        block
            .txs
            .iter()
            .filter_map(|(h, index, failed)| {
                submitted.remove_hash(h).map(|id| (id, *index, failed.clone()))
            })
            .collect()
    };
    for (id, index, failed) in found {
        match failed {
            None => {
                let number = block.number as i64;
                if let Err(e) =
                    finalize(state, &id, number, block.hash.clone(), Some(index as i64)).await
                {
                    tracing::warn!(error = %e, "could not record a finalized ballot");
                }
            }
            Some(error) => {
                // Looked into off the follower's path (`refused` waits and reads the chain);
                // in flight meanwhile, so the sweep leaves it alone.
                if !state
                    .votes
                    .in_flight
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(id.clone())
                {
                    continue;
                }
                let state = state.clone();
                tokio::spawn(async move {
                    if let Ok(Some(vote)) = db::vote_by_id(&state.db, &id).await {
                        let account = state.accounts.account_bytes(&vote.voter_id);
                        if let Err(e) = refused(&state, &vote, account, &error, true).await {
                            tracing::debug!(error = %e, "vote will be retried");
                        }
                    }
                    state.votes.in_flight.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
                });
            }
        }
    }
}

async fn finalize(
    state: &AppState,
    id: &str,
    number: i64,
    hash: String,
    index: Option<i64>,
) -> Result<(), String> {
    db::update_vote_status(
        &state.db,
        id,
        "finalized",
        Some(number),
        (!hash.is_empty()).then_some(hash),
        index,
        None,
    )
    .await
    .map_err(|e| e.to_string())?;
    Metrics::count(&state.metrics.ballots, "finalized");
    Ok(())
}

/// If the chain's finalized state holds this vote's ballot, completes the receipt and
/// returns `true`.
async fn reconcile(state: &AppState, vote: &VoteRow, account: [u8; 32]) -> Result<bool, String> {
    let election = vote.election_id as u32;
    let tracker = state.chain.tracker_of(election, account).await.map_err(|e| e.to_string())?;
    if tracker.as_deref() != Some(vote.tracker.as_str()) {
        return Ok(false);
    }
    let block = state.chain.vote_block(election, account).await.map_err(|e| e.to_string())?;
    let Some(block) = block else { return Ok(false) };
    match state.chain.locate(block, &vote.tx_hash).await.map_err(|e| e.to_string())? {
        Some(Progress::Finalized { number, hash, index }) => {
            finalize(state, &vote.id, number as i64, hash, index.map(|i| i as i64)).await?;
        }
        _ => finalize(state, &vote.id, block as i64, String::new(), None).await?,
    }
    Ok(true)
}

/// Waits (up to a minute) until the voter is on the election's roll, asking for it if needed.
/// The roll entry's status (set once its batch is finalized) answers without asking the
/// node; the chain is read only for a voter this gateway has not put on the roll.
async fn ensure_on_roll(
    state: &AppState,
    election: u32,
    voter_id: &str,
    account: [u8; 32],
) -> Result<(), String> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let mut asked = false;
    loop {
        let notified = state.votes.roll_changed.notified();
        let status = roll_status(state, election, voter_id).await;
        match status.as_deref() {
            Some("done") => return Ok(()),
            Some("pending")
                if asked
                    || state
                        .votes
                        .lock_roll_queued()
                        .contains(&(election, voter_id.to_owned())) => {}
            _ => {
                if state.chain.is_on_roll(election, account).await.map_err(|e| e.to_string())? {
                    if status.is_some() {
                        mark_roll(state, election, &[voter_id], "done").await;
                    }
                    return Ok(());
                }
                if !asked {
                    if let Ok(Some(voter)) = db::voter_by_id(&state.db, voter_id).await {
                        let _ = state.votes.enrol_in(state, election, &voter).await;
                        // Make sure a stale `done`/`closed` entry is retried too.
                        requeue_roll(state, election, voter_id).await;
                    }
                    asked = true;
                }
            }
        }
        if tokio::time::timeout_at(deadline, async {
            tokio::select! {
                _ = notified => {},
                _ = tokio::time::sleep(Duration::from_secs(3)) => {},
            }
        })
        .await
        .is_err()
        {
            return Err("voter not on the roll yet".into());
        }
    }
}

/// Prepares, records and queues a new ballot. The caller has checked the election and choice.
pub async fn cast(
    state: &AppState,
    voter: &VoterRow,
    election: &chain::ElectionInfo,
    choice: u32,
    nonce: Option<u64>,
    request_id: &str,
) -> Result<VoteRow, crate::error::AppError> {
    use crate::error::AppError;
    let keypair = state.accounts.keypair(&voter.id);
    let prepared = state.chain.prepare_ballot(&keypair, election, choice, nonce).await.map_err(
        |e| match e {
            ChainError::Unavailable => AppError::ChainUnavailable("not connected".into()),
            other => AppError::internal(other),
        },
    )?;
    let id = uuid::Uuid::new_v4().to_string();
    let now = db::now_ms();
    let inserted = sqlx::query(
        "INSERT INTO votes (id, voter_id, election_id, request_id, status, extrinsic, tx_hash, \
         tracker, nonce, attempts, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8, 0, $9, $10)",
    )
    .bind(id.clone())
    .bind(voter.id.clone())
    .bind(election.id as i64)
    .bind(request_id.to_owned())
    .bind(prepared.extrinsic)
    .bind(prepared.tx_hash)
    .bind(prepared.tracker)
    .bind(prepared.nonce as i64)
    .bind(now)
    .bind(now)
    .execute(&state.db)
    .await;
    if let Err(e) = inserted {
        return Err(match db::is_unique_violation(&e) {
            // A concurrent request of the same voter won the race.
            Some(_) => AppError::AlreadyVoted { vote: None },
            None => e.into(),
        });
    }
    state.votes.push_vote(&id);
    db::vote_by_id(&state.db, &id).await?.ok_or_else(|| AppError::internal("vote vanished"))
}
