//! Everything that talks to the chain, through subxt with static code generated from the
//! committed metadata (`gateway/metadata/electx.scale`, refreshed by
//! `scripts/gen-gateway-metadata.sh`). Handlers never see subxt types: this module answers
//! in plain structs.
//!
//! The connection is kept by a background task that reconnects after a node restart and
//! refuses to work against a node whose metadata differs from the committed one.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    time::{Duration, Instant},
};

use codec::{Decode, Encode};
use electx_crypto::{BallotContext, DecryptionContext, EncryptedBallot, EncryptedTally};
use subxt::{
    backend::LegacyBackend,
    config::{
        polkadot::PolkadotExtrinsicParamsBuilder as Params, substrate::SpecVersionForRange,
        RpcConfigFor,
    },
    rpcs::{LegacyRpcMethods, RpcClient},
    tx::TransactionStatus,
    OnlineClient, PolkadotConfig,
};
use subxt_signer::{sr25519::Keypair, DeriveJunction, SecretUri};
use tokio::sync::{watch, Mutex, RwLock};

use crate::metrics::Metrics;

// The ballot-cryptography types also get SCALE `Encode`/`Decode`, so that they convert
// to and from `electx-crypto`'s own types by their (identical) encoding.
#[subxt::subxt(
    runtime_metadata_path = "metadata/electx.scale",
    derive_for_type(
        path = "electx_crypto::keys::ElectionPublicKey",
        derive = "::codec::Encode, ::codec::Decode",
        recursive
    ),
    derive_for_type(
        path = "electx_crypto::ballot::EncryptedBallot",
        derive = "::codec::Encode, ::codec::Decode",
        recursive
    ),
    derive_for_type(
        path = "electx_crypto::tally::EncryptedTally",
        derive = "::codec::Encode, ::codec::Decode",
        recursive
    ),
    derive_for_type(
        path = "electx_crypto::proofs::DecryptionProof",
        derive = "::codec::Encode, ::codec::Decode",
        recursive
    )
)]
pub mod electx {}

type Client = OnlineClient<PolkadotConfig>;
type Rpc = LegacyRpcMethods<RpcConfigFor<PolkadotConfig>>;

/// How long the ballot path may reuse an election read from the chain (its phase changes
/// at block boundaries; the chain itself refuses a ballot that arrives too late).
pub const ELECTION_CACHE: Duration = Duration::from_secs(2);

/// SS58 address format of ElectX Chain.
pub const SS58_PREFIX: u16 = 2026;

/// What went wrong talking to the chain.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// Not connected (node down or restarting).
    #[error("not connected to the node")]
    Unavailable,
    /// The node refused a transaction; `error` is the pallet error name when known.
    #[error("transaction rejected: {error}")]
    Rejected {
        /// Pallet error name (`AlreadyVoted`) or the node's reason.
        error: String,
    },
    /// A transaction was dispatched but failed.
    #[error("transaction failed: {0}")]
    DispatchFailed(String),
    /// Anything else from subxt or decoding.
    #[error("{0}")]
    Other(String),
}

impl ChainError {
    fn other(e: impl std::fmt::Display) -> Self {
        ChainError::Other(e.to_string())
    }
}

/// Voter accounts: sr25519 keys hard-derived from the master secret and the voter's id, so
/// that no private key is ever stored.
pub struct VoterAccounts {
    root: Keypair,
}

impl VoterAccounts {
    /// From the 32-byte master secret.
    pub fn new(master: &[u8; 32]) -> Self {
        let root = Keypair::from_secret_key(*master)
            .unwrap_or_else(|_| unreachable!("any 32 bytes are a valid mini secret key"));
        Self { root: root.derive([DeriveJunction::hard("electx-voters")]) }
    }

    /// The voter's keypair (`master//electx-voters//<voter id>`).
    pub fn keypair(&self, voter_id: &str) -> Keypair {
        self.root.derive([DeriveJunction::hard(voter_id)])
    }

    /// The voter's account as 32 bytes.
    pub fn account_bytes(&self, voter_id: &str) -> [u8; 32] {
        self.keypair(voter_id).public_key().0
    }

    /// The voter's account as an ElectX SS58 address.
    pub fn account_of(&self, voter_id: &str) -> String {
        ss58(&self.account_bytes(voter_id))
    }
}

/// SS58 address of an account (format [`SS58_PREFIX`]).
pub fn ss58(account: &[u8; 32]) -> String {
    use blake2::{Blake2b512, Digest};
    // Two-byte prefix encoding for formats 64..16383 (SS58 spec).
    let p = SS58_PREFIX;
    let first = (((p & 0b0000_0000_1111_1100) as u8) >> 2) | 0b0100_0000;
    let second = ((p >> 8) as u8) | (((p & 0b0000_0000_0000_0011) as u8) << 6);
    let mut data = vec![first, second];
    data.extend_from_slice(account);
    let mut h = Blake2b512::new();
    h.update(b"SS58PRE");
    h.update(&data);
    let checksum = h.finalize();
    data.extend_from_slice(&checksum[..2]);
    bs58::encode(data).into_string()
}

/// Decodes an SS58 address of any format to its 32 account bytes.
pub fn account_from_ss58(address: &str) -> Option<[u8; 32]> {
    let data = bs58::decode(address).into_vec().ok()?;
    let prefix_len = match data.first()? {
        0..=63 => 1,
        64..=127 => 2,
        _ => return None,
    };
    let body = data.get(prefix_len..prefix_len + 32)?;
    body.try_into().ok()
}

/// Election phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Not open yet.
    Scheduled,
    /// Taking ballots.
    Open,
    /// Closed, waiting for the tally.
    Closed,
    /// Verified result on chain.
    Tallied,
    /// Cancelled.
    Cancelled,
}

/// An election as the chain has it.
#[derive(Debug, Clone)]
pub struct ElectionInfo {
    /// Id.
    pub id: u32,
    /// Title.
    pub title: String,
    /// Option names.
    pub options: Vec<String>,
    /// Selections bounds.
    pub min_selections: u32,
    /// Selections bounds.
    pub max_selections: u32,
    /// Election public key (32 bytes).
    pub public_key: [u8; 32],
    /// First block taking ballots.
    pub opens_at: u32,
    /// First block not taking ballots.
    pub closes_at: u32,
    /// Re-voting allowed.
    pub allow_revote: bool,
    /// Phase at the block read.
    pub phase: Phase,
    /// Voters on the roll.
    pub roll_size: u32,
    /// Ballots counted (last per voter).
    pub ballots: u32,
}

/// A published result.
#[derive(Debug, Clone)]
pub struct ResultInfo {
    /// Votes per option.
    pub counts: Vec<u64>,
    /// Ballots counted.
    pub ballots: u32,
    /// Block of the result.
    pub tallied_at: u32,
    /// Whether the decryption proofs verified here, against the on-chain encrypted tally.
    pub proof_verified: bool,
}

/// A ballot signed and ready to submit.
#[derive(Debug, Clone)]
pub struct PreparedBallot {
    /// The signed extrinsic.
    pub extrinsic: Vec<u8>,
    /// Its hash (`0x…`).
    pub tx_hash: String,
    /// The ballot tracker (`0x…`).
    pub tracker: String,
    /// The nonce used.
    pub nonce: u64,
}

/// The extrinsics of one block, as the ballot pipeline matches them.
#[derive(Debug, Clone)]
pub struct BlockTxs {
    /// Block number.
    pub number: u64,
    /// Block hash (`0x…`).
    pub hash: String,
    /// Each extrinsic: hash (`0x…`), index in the block, and the dispatch error's name if it
    /// failed.
    pub txs: Vec<(String, u64, Option<String>)>,
}

/// Where a submitted transaction got to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// In a best block.
    InBlock {
        /// Block hash.
        hash: String,
    },
    /// Finalized.
    Finalized {
        /// Block number.
        number: u64,
        /// Block hash.
        hash: String,
        /// Index of the extrinsic in the block.
        index: Option<u64>,
    },
}

/// Connection status.
#[derive(Debug, Clone, Default)]
pub struct Status {
    /// Connected now.
    pub connected: bool,
    /// Best block.
    pub best: u64,
    /// Finalized block.
    pub finalized: u64,
}

struct Inner {
    url: String,
    client: RwLock<Option<Client>>,
    /// Legacy RPC methods on the same connection (`system_accountNextIndex`).
    rpc: RwLock<Option<Rpc>>,
    connected: AtomicBool,
    best: AtomicU64,
    finalized: AtomicU64,
    registrar: Option<Keypair>,
    sudo: Option<Keypair>,
    /// Serialises signing and submitting for the registrar and sudo accounts (not the wait
    /// for finality: several roll batches may be in flight).
    signer_lock: Mutex<()>,
    /// Next nonce of the registrar and sudo accounts, counted here while their transactions
    /// are in flight; forgotten on reconnect and after a refusal, so it is read again from
    /// the node (`system_accountNextIndex`, which counts the pool).
    nonces: Mutex<HashMap<[u8; 32], u64>>,
    /// The last list of elections read, and when.
    elections: std::sync::Mutex<Option<(Instant, Vec<ElectionInfo>)>>,
    /// One reader refreshes that list at a time; the others wait for its answer.
    elections_refresh: Mutex<()>,
    fatal: watch::Sender<Option<String>>,
    metrics: Arc<Metrics>,
    genesis: std::sync::OnceLock<[u8; 32]>,
}

/// The chain connection (cheap to clone).
#[derive(Clone)]
pub struct Chain {
    inner: Arc<Inner>,
}

fn keypair_from_uri(uri: &str) -> anyhow::Result<Keypair> {
    let uri: SecretUri = uri.parse().map_err(|_| anyhow::anyhow!("invalid secret URI"))?;
    Keypair::from_uri(&uri).map_err(|_| anyhow::anyhow!("invalid secret URI"))
}

fn hex0x(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

/// Converts between our SCALE types and subxt's generated ones (same encoding).
fn recode<A: Encode, B: Decode>(a: &A) -> Result<B, ChainError> {
    B::decode(&mut &a.encode()[..]).map_err(|e| ChainError::Other(format!("type mismatch: {e}")))
}

impl Chain {
    /// Starts the background connection to `url`.
    pub fn start(
        url: &str,
        registrar_uri: Option<&str>,
        sudo_uri: Option<&str>,
        metrics: Arc<Metrics>,
    ) -> anyhow::Result<Self> {
        let registrar = registrar_uri.map(keypair_from_uri).transpose()?;
        let sudo = sudo_uri.map(keypair_from_uri).transpose()?;
        let (fatal, _) = watch::channel(None);
        let chain = Chain {
            inner: Arc::new(Inner {
                url: url.to_owned(),
                client: RwLock::new(None),
                rpc: RwLock::new(None),
                connected: AtomicBool::new(false),
                best: AtomicU64::new(0),
                finalized: AtomicU64::new(0),
                registrar,
                sudo,
                signer_lock: Mutex::new(()),
                nonces: Mutex::new(HashMap::new()),
                elections: std::sync::Mutex::new(None),
                elections_refresh: Mutex::new(()),
                fatal,
                metrics,
                genesis: std::sync::OnceLock::new(),
            }),
        };
        let this = chain.clone();
        tokio::spawn(async move { this.keep_connected().await });
        Ok(chain)
    }

    /// Resolves with a reason if the gateway must stop (metadata mismatch).
    pub fn fatal(&self) -> watch::Receiver<Option<String>> {
        self.inner.fatal.subscribe()
    }

    /// Connection status.
    pub fn status(&self) -> Status {
        Status {
            connected: self.inner.connected.load(Ordering::Relaxed),
            best: self.inner.best.load(Ordering::Relaxed),
            finalized: self.inner.finalized.load(Ordering::Relaxed),
        }
    }

    /// Genesis hash, once connected.
    pub fn cached_genesis(&self) -> Option<[u8; 32]> {
        self.inner.genesis.get().copied()
    }

    /// The registrar's account, if configured.
    pub fn registrar_account(&self) -> Option<[u8; 32]> {
        self.inner.registrar.as_ref().map(|k| k.public_key().0)
    }

    /// Whether admin calls can be submitted.
    pub fn can_administer(&self) -> bool {
        self.inner.sudo.is_some()
    }

    async fn keep_connected(self) {
        loop {
            match self.connect().await {
                Ok((client, rpc, version)) => {
                    let metadata = match client.at_current_block().await {
                        Ok(at) => at.metadata(),
                        Err(e) => {
                            tracing::warn!(error = %e, "cannot read the node's metadata");
                            tokio::time::sleep(Duration::from_secs(2)).await;
                            continue;
                        }
                    };
                    if !electx::is_codegen_valid_for(&metadata) {
                        let why = format!(
                            "the node at {} runs a runtime whose metadata differs from the one \
                             this gateway was built with (gateway/metadata/electx.scale); \
                             rebuild the gateway for this runtime",
                            self.inner.url
                        );
                        tracing::error!("{why}");
                        let _ = self.inner.fatal.send(Some(why));
                        return;
                    }
                    tracing::info!(url = %self.inner.url, "connected to the node");
                    let _ = self.inner.genesis.set(client.genesis_hash().0);
                    self.forget_cached().await;
                    *self.inner.client.write().await = Some(client.clone());
                    *self.inner.rpc.write().await = Some(rpc.clone());
                    self.inner.connected.store(true, Ordering::Relaxed);
                    self.inner.metrics.chain_connected.set(1);
                    self.follow(&client, &rpc, version).await;
                    self.inner.connected.store(false, Ordering::Relaxed);
                    self.inner.metrics.chain_connected.set(0);
                    *self.inner.client.write().await = None;
                    *self.inner.rpc.write().await = None;
                    self.forget_cached().await;
                    tracing::warn!("lost the node connection; reconnecting");
                }
                Err(e) => {
                    tracing::debug!(error = %e, "node not reachable yet");
                }
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    /// Opens a connection. The runtime version at the finalized head is given to subxt for
    /// every later block, so that working at a block costs no `Core_version` call on the
    /// node; `follow` reconnects when the runtime is upgraded.
    async fn connect(&self) -> Result<(Client, Rpc, (u32, u32)), ChainError> {
        let rpc_client =
            RpcClient::from_insecure_url(&self.inner.url).await.map_err(ChainError::other)?;
        let rpc = Rpc::new(rpc_client.clone());
        let head = rpc.chain_get_finalized_head().await.map_err(ChainError::other)?;
        let number = rpc
            .chain_get_header(Some(head))
            .await
            .map_err(ChainError::other)?
            .ok_or_else(|| ChainError::Other("no header for the finalized head".into()))?
            .number;
        let v = rpc.state_get_runtime_version(Some(head)).await.map_err(ChainError::other)?;
        let config = PolkadotConfig::builder()
            .use_historic_types(false)
            .set_spec_version_for_block_ranges([SpecVersionForRange {
                block_range: number..u64::MAX,
                spec_version: v.spec_version,
                transaction_version: v.transaction_version,
            }])
            .build();
        // The legacy RPC backend only: subxt's default prefers `chainHead_v1`, whose pinned
        // blocks go away under load ("cannot find the block header" for the finalized head,
        // and transactions watched through it that never resolved).
        let backend = LegacyBackend::builder().build(rpc_client);
        let client = Client::from_backend_with_config(config, Arc::new(backend))
            .await
            .map_err(ChainError::other)?;
        Ok((client, rpc, (v.spec_version, v.transaction_version)))
    }

    /// Drops what was counted or read on the last connection.
    async fn forget_cached(&self) {
        self.inner.nonces.lock().await.clear();
        *self.inner.elections.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    /// Follows best and finalized heads until the connection breaks or the runtime changes.
    async fn follow(&self, client: &Client, rpc: &Rpc, version: (u32, u32)) {
        let best = client.stream_best_blocks().await;
        let finalized = client.stream_blocks().await;
        let versions = rpc.state_subscribe_runtime_version().await;
        let (Ok(mut best), Ok(mut finalized), Ok(mut versions)) = (best, finalized, versions)
        else {
            return;
        };
        loop {
            tokio::select! {
                b = best.next() => match b {
                    Some(Ok(block)) => {
                        self.inner.best.store(block.number(), Ordering::Relaxed);
                        self.inner.metrics.best_block.set(block.number() as i64);
                    },
                    _ => return,
                },
                f = finalized.next() => match f {
                    Some(Ok(block)) => {
                        self.inner.finalized.store(block.number(), Ordering::Relaxed);
                        self.inner.metrics.finalized_block.set(block.number() as i64);
                    },
                    _ => return,
                },
                v = versions.next() => match v {
                    Some(Ok(v)) if (v.spec_version, v.transaction_version) == version => {}
                    Some(Ok(v)) => {
                        tracing::info!(spec_version = v.spec_version, "runtime upgraded; reconnecting");
                        return;
                    }
                    _ => return,
                },
            }
        }
    }

    async fn rpc(&self) -> Result<Rpc, ChainError> {
        self.inner.rpc.read().await.clone().ok_or(ChainError::Unavailable)
    }

    /// The nonce for `signer`'s next transaction, counted here after the first (read from
    /// the node, pool included). Called with `signer_lock` held.
    async fn next_nonce(&self, signer: &Keypair) -> Result<u64, ChainError> {
        let account = signer.public_key().0;
        let mut nonces = self.inner.nonces.lock().await;
        let nonce = match nonces.get(&account) {
            Some(n) => *n,
            None => self
                .rpc()
                .await?
                .system_account_next_index(&account.into())
                .await
                .map_err(ChainError::other)?,
        };
        nonces.insert(account, nonce + 1);
        Ok(nonce)
    }

    /// After a refusal the counted nonce may be wrong: read it again next time.
    async fn forget_nonce(&self, signer: &Keypair) {
        self.inner.nonces.lock().await.remove(&signer.public_key().0);
    }

    async fn client(&self) -> Result<Client, ChainError> {
        self.inner.client.read().await.clone().ok_or(ChainError::Unavailable)
    }

    /// Genesis hash.
    pub async fn genesis_hash(&self) -> Result<[u8; 32], ChainError> {
        Ok(self.client().await?.genesis_hash().0)
    }

    /// Ids of all elections.
    pub async fn election_ids(&self) -> Result<Vec<u32>, ChainError> {
        let at = self.client().await?.at_current_block().await.map_err(ChainError::other)?;
        let next = at
            .storage()
            .fetch(electx::storage().voting().next_election_id(), ())
            .await
            .map_err(ChainError::other)?
            .decode()
            .map_err(ChainError::other)?;
        Ok((0..next).collect())
    }

    /// All elections, newest first.
    pub async fn elections(&self) -> Result<Vec<ElectionInfo>, ChainError> {
        let mut out = Vec::new();
        for id in self.election_ids().await?.into_iter().rev() {
            if let Some(e) = self.election(id).await? {
                out.push(e);
            }
        }
        Ok(out)
    }

    /// All elections as read at most `max_age` ago (the sign-up and ballot paths ask for
    /// them on every request).
    pub async fn elections_recent(
        &self,
        max_age: Duration,
    ) -> Result<Vec<ElectionInfo>, ChainError> {
        let cached = || {
            let cache = self.inner.elections.lock().unwrap_or_else(|p| p.into_inner());
            cache.as_ref().filter(|(at, _)| at.elapsed() <= max_age).map(|(_, list)| list.clone())
        };
        if let Some(list) = cached() {
            return Ok(list);
        }
        let _refreshing = self.inner.elections_refresh.lock().await;
        if let Some(list) = cached() {
            return Ok(list);
        }
        let list = self.elections().await?;
        *self.inner.elections.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((Instant::now(), list.clone()));
        Ok(list)
    }

    /// One election as read at most `max_age` ago.
    pub async fn election_recent(
        &self,
        id: u32,
        max_age: Duration,
    ) -> Result<Option<ElectionInfo>, ChainError> {
        Ok(self.elections_recent(max_age).await?.into_iter().find(|e| e.id == id))
    }

    /// One election, through the `VotingApi` runtime API.
    pub async fn election(&self, id: u32) -> Result<Option<ElectionInfo>, ChainError> {
        let at = self.client().await?.at_current_block().await.map_err(ChainError::other)?;
        let info = at
            .runtime_apis()
            .call(electx::runtime_apis().voting_api().election(id))
            .await
            .map_err(ChainError::other)?;
        let Some(e) = info else { return Ok(None) };
        use electx::runtime_types::pallet_voting::types::Phase as P;
        let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
        Ok(Some(ElectionInfo {
            id,
            title: text(e.title),
            options: e.options.into_iter().map(text).collect(),
            min_selections: e.min_selections,
            max_selections: e.max_selections,
            public_key: recode::<_, [u8; 32]>(&e.public_key)?,
            opens_at: e.opens_at,
            closes_at: e.closes_at,
            allow_revote: e.allow_revote,
            phase: match e.phase {
                P::Scheduled => Phase::Scheduled,
                P::Open => Phase::Open,
                P::Closed => Phase::Closed,
                P::Tallied => Phase::Tallied,
                P::Cancelled => Phase::Cancelled,
            },
            roll_size: e.roll_size,
            ballots: e.ballots,
        }))
    }

    /// The result, with its decryption proofs checked here against the on-chain tally.
    pub async fn result(&self, id: u32) -> Result<Option<ResultInfo>, ChainError> {
        let client = self.client().await?;
        let at = client.at_current_block().await.map_err(ChainError::other)?;
        let apis = at.runtime_apis();
        let Some(r) = apis
            .call(electx::runtime_apis().voting_api().result(id))
            .await
            .map_err(ChainError::other)?
        else {
            return Ok(None);
        };
        let election = self.election(id).await?.ok_or(ChainError::Other("no election".into()))?;
        let tally = apis
            .call(electx::runtime_apis().voting_api().encrypted_tally(id))
            .await
            .map_err(ChainError::other)?;
        let proofs: Vec<electx_crypto::DecryptionProof> = recode(&r.proofs)?;
        let proof_verified = match tally {
            Some(t) => {
                let tally: EncryptedTally = recode(&t)?;
                let public_key = recode(&election.public_key)?;
                let ctx = DecryptionContext {
                    genesis_hash: client.genesis_hash().0,
                    election_id: id,
                    public_key,
                };
                electx_crypto::verify_tally(&ctx, &tally, &r.counts, &proofs).is_ok()
            }
            None => false,
        };
        Ok(Some(ResultInfo {
            counts: r.counts,
            ballots: r.ballots,
            tallied_at: r.tallied_at,
            proof_verified,
        }))
    }

    /// Whether `account` is on the roll of election `id`.
    pub async fn is_on_roll(&self, id: u32, account: [u8; 32]) -> Result<bool, ChainError> {
        let at = self.client().await?.at_current_block().await.map_err(ChainError::other)?;
        at.runtime_apis()
            .call(electx::runtime_apis().voting_api().is_on_roll(id, account.into()))
            .await
            .map_err(ChainError::other)
    }

    /// The tracker of the ballot that counts for `account` in election `id`, at the
    /// finalized head.
    pub async fn tracker_of(
        &self,
        id: u32,
        account: [u8; 32],
    ) -> Result<Option<String>, ChainError> {
        let at = self.client().await?.at_current_block().await.map_err(ChainError::other)?;
        let t = at
            .runtime_apis()
            .call(electx::runtime_apis().voting_api().tracker(id, account.into()))
            .await
            .map_err(ChainError::other)?;
        Ok(t.map(|t| hex0x(&t)))
    }

    /// Block of the last ballot of `account` in election `id` (finalized head).
    pub async fn vote_block(&self, id: u32, account: [u8; 32]) -> Result<Option<u32>, ChainError> {
        let at = self.client().await?.at_current_block().await.map_err(ChainError::other)?;
        let record = at
            .storage()
            .try_fetch(electx::storage().voting().votes_for(), (id, account.into()))
            .await
            .map_err(ChainError::other)?;
        match record {
            Some(r) => Ok(Some(r.decode().map_err(ChainError::other)?.cast_at)),
            None => Ok(None),
        }
    }

    /// Encrypts `choice` for `voter` (proofs bound to the genesis, election, key and voter)
    /// and signs `cast_ballot` with the voter's key. Immortal: a resubmission after an outage
    /// is the same transaction, and its nonce makes a second inclusion impossible. `nonce` is
    /// the voter account's nonce when the caller knows it (an account that never signed
    /// anything has 0); otherwise it is read at the finalized head.
    pub async fn prepare_ballot(
        &self,
        voter: &Keypair,
        election: &ElectionInfo,
        choice: u32,
        nonce: Option<u64>,
    ) -> Result<PreparedBallot, ChainError> {
        let client = self.client().await?;
        let ctx = BallotContext {
            genesis_hash: client.genesis_hash().0,
            election_id: election.id,
            public_key: recode(&election.public_key)?,
            voter: voter.public_key().0,
            options: election.options.len() as u32,
            min_selections: election.min_selections,
            max_selections: election.max_selections,
        };
        let ballot = EncryptedBallot::encrypt_choice(&ctx, choice, &mut rand::rngs::OsRng)
            .map_err(|e| ChainError::Other(format!("encryption: {e:?}")))?;
        let tracker = hex0x(&ballot.tracker());
        let call = electx::tx().voting().cast_ballot(election.id, recode(&ballot)?);
        let at = client.at_current_block().await.map_err(ChainError::other)?;
        let mut txs = at.transactions();
        let nonce = match nonce {
            Some(n) => n,
            None => {
                txs.account_nonce(&voter.public_key().into()).await.map_err(ChainError::other)?
            }
        };
        let params = Params::new().nonce(nonce).immortal().build();
        let signed = txs.create_signed(&call, voter, params).await.map_err(ChainError::other)?;
        Ok(PreparedBallot {
            tx_hash: hex0x(signed.hash().as_ref()),
            extrinsic: signed.into_encoded(),
            tracker,
            nonce,
        })
    }

    /// Submits a signed extrinsic to the node's pool without following it (the ballot
    /// pipeline finds it in blocks with [`Chain::block_txs`]). An extrinsic the pool already
    /// holds counts as submitted.
    pub async fn submit(&self, extrinsic: &[u8]) -> Result<(), ChainError> {
        match self.rpc().await?.author_submit_extrinsic(extrinsic).await {
            Ok(_) => Ok(()),
            Err(subxt::rpcs::Error::User(e)) => {
                // The pool's reason is in `data` ("Transaction is outdated", "Custom error: 14").
                let message = match &e.data {
                    Some(data) => format!("{}: {}", e.message, data.get()),
                    None => e.message.clone(),
                };
                if message.contains("Already Imported") || message.contains("Temporarily banned") {
                    return Ok(());
                }
                Err(self.rejection(message))
            }
            Err(_) => Err(ChainError::Unavailable),
        }
    }

    /// Reads block `number` (of the best chain; final once at or below the finalized
    /// number): every extrinsic's hash and index, and, `with_failures`, which failed with
    /// what error (from the block's events).
    pub async fn block_txs(
        &self,
        number: u64,
        with_failures: bool,
    ) -> Result<BlockTxs, ChainError> {
        use electx::runtime_types::sp_runtime::DispatchError;
        let client = self.client().await?;
        let at = client.at_block(number).await.map_err(ChainError::other)?;
        let extrinsics = at.extrinsics().fetch().await.map_err(ChainError::other)?;
        let events = match with_failures {
            true => Some(at.events().fetch().await.map_err(ChainError::other)?),
            false => None,
        };
        let voting = at.metadata().pallet_by_name("Voting").map(|p| p.error_index());
        let mut failed: HashMap<u32, String> = HashMap::new();
        for event in events.iter().flat_map(|e| e.iter()).filter_map(Result::ok) {
            let subxt::events::Phase::ApplyExtrinsic(i) = event.phase() else { continue };
            let Some(Ok(f)) = event.decode_fields_as::<electx::system::events::ExtrinsicFailed>()
            else {
                continue;
            };
            let name = match f.dispatch_error {
                DispatchError::Module(m) if Some(m.index) == voting => {
                    voting_error_name(m.error[0]).unwrap_or("Voting").to_owned()
                }
                other => format!("{other:?}"),
            };
            failed.insert(i, name);
        }
        let txs = extrinsics
            .iter()
            .filter_map(Result::ok)
            .map(|e| {
                let index = e.index() as u32;
                (hex0x(e.hash().as_ref()), u64::from(index), failed.remove(&index))
            })
            .collect();
        Ok(BlockTxs { number, hash: hex0x(at.block_hash().as_ref()), txs })
    }

    /// Finds the block (number, hash, index) holding the extrinsic with `tx_hash` at block
    /// `number` (used to rebuild a receipt after a restart).
    pub async fn locate(&self, number: u32, tx_hash: &str) -> Result<Option<Progress>, ChainError> {
        let client = self.client().await?;
        let at = client.at_block(number as u64).await.map_err(ChainError::other)?;
        let extrinsics = at.extrinsics().fetch().await.map_err(ChainError::other)?;
        let found =
            extrinsics.iter().filter_map(Result::ok).find(|e| hex0x(e.hash().as_ref()) == tx_hash);
        Ok(found.map(|e| Progress::Finalized {
            number: number as u64,
            hash: hex0x(at.block_hash().as_ref()),
            index: Some(e.index() as u64),
        }))
    }

    /// The pallet error behind a pool rejection (`Custom error: 14` → `AlreadyVoted`).
    fn rejection(&self, message: String) -> ChainError {
        let code = message.split("Custom error: ").nth(1).and_then(|s| {
            s.chars().take_while(char::is_ascii_digit).collect::<String>().parse::<u8>().ok()
        });
        let error = match code {
            Some(i) => voting_error_name(i).unwrap_or("Custom").to_owned(),
            None if message.contains("Stale") || message.contains("outdated") => "Stale".to_owned(),
            None if message.contains("connection") || message.contains("restart") => {
                return ChainError::Unavailable
            }
            None => message,
        };
        ChainError::Rejected { error }
    }

    fn dispatch_error(&self, message: String) -> String {
        for name in VOTING_ERRORS {
            if message.contains(name) {
                return (*name).to_owned();
            }
        }
        message
    }

    /// Puts `accounts` on election `id`'s roll with the registrar account, waiting until the
    /// transaction is in a finalized block. Calls may overlap: each signs with the next
    /// locally counted nonce, and only the signing and submitting are serialised.
    pub async fn register_voters(&self, id: u32, accounts: &[[u8; 32]]) -> Result<(), ChainError> {
        let registrar = self
            .inner
            .registrar
            .as_ref()
            .ok_or(ChainError::Rejected { error: "no registrar account configured".into() })?;
        use electx::runtime_types::bounded_collections::bounded_vec::BoundedVec;
        let voters = BoundedVec(accounts.iter().map(|a| subxt::utils::AccountId32(*a)).collect());
        let call = electx::tx().voting().register_voters(id, voters);
        let mut progress = {
            let _guard = self.inner.signer_lock.lock().await;
            let client = self.client().await?;
            let at = client.at_current_block().await.map_err(ChainError::other)?;
            let nonce = self.next_nonce(registrar).await?;
            let params = Params::new().nonce(nonce).mortal(64).build();
            let submitted = match at.transactions().create_signed(&call, registrar, params).await {
                Ok(signed) => {
                    signed.submit_and_watch().await.map_err(|e| self.rejection(e.to_string()))
                }
                Err(e) => Err(ChainError::other(e)),
            };
            match submitted {
                Ok(progress) => progress,
                Err(e) => {
                    self.forget_nonce(registrar).await;
                    return Err(e);
                }
            }
        };
        let mut outcome = Err(ChainError::Unavailable);
        while let Some(status) = progress.next().await {
            match status.map_err(|e| self.rejection(e.to_string())) {
                Ok(TransactionStatus::InFinalizedBlock(b)) => {
                    outcome = match b.wait_for_success().await {
                        Ok(_) => Ok(()),
                        Err(e) => {
                            Err(ChainError::DispatchFailed(self.dispatch_error(e.to_string())))
                        }
                    };
                    break;
                }
                Ok(
                    TransactionStatus::Invalid { message }
                    | TransactionStatus::Dropped { message }
                    | TransactionStatus::Error { message },
                ) => {
                    outcome = Err(self.rejection(message));
                    break;
                }
                Ok(_) => {}
                Err(e) => {
                    outcome = Err(e);
                    break;
                }
            }
        }
        // A transaction that did not reach a block leaves a gap in the counted nonces.
        if !matches!(outcome, Ok(()) | Err(ChainError::DispatchFailed(_))) {
            self.forget_nonce(registrar).await;
        }
        outcome
    }

    /// Creates an election through `sudo`; returns its id and the block hash.
    #[allow(clippy::too_many_arguments)]
    pub async fn create_election(
        &self,
        title: &str,
        options: &[String],
        public_key: [u8; 32],
        opens_at: u32,
        closes_at: u32,
        allow_revote: bool,
    ) -> Result<(u32, String), ChainError> {
        let sudo =
            self.inner.sudo.as_ref().ok_or(ChainError::Rejected {
                error: "no admin (sudo) account configured".into(),
            })?;
        use electx::runtime_types::bounded_collections::bounded_vec::BoundedVec;
        let call = electx::runtime_types::electx_runtime::RuntimeCall::Voting(
            electx::runtime_types::pallet_voting::pallet::Call::create_election {
                title: BoundedVec(title.as_bytes().to_vec()),
                options: BoundedVec(
                    options.iter().map(|o| BoundedVec(o.as_bytes().to_vec())).collect(),
                ),
                min_selections: 1,
                max_selections: 1,
                public_key: recode(&public_key)?,
                opens_at,
                closes_at,
                allow_revote,
            },
        );
        let tx = electx::tx().sudo().sudo(call);
        let _guard = self.inner.signer_lock.lock().await;
        let client = self.client().await?;
        let at = client.at_current_block().await.map_err(ChainError::other)?;
        // The sudo account may be the registrar too, with roll batches in flight.
        let nonce = self.next_nonce(sudo).await?;
        let signed = at
            .transactions()
            .create_signed(&tx, sudo, Params::new().nonce(nonce).mortal(64).build())
            .await;
        let submitted = match signed {
            Ok(signed) => {
                signed.submit_and_watch().await.map_err(|e| self.rejection(e.to_string()))
            }
            Err(e) => Err(ChainError::other(e)),
        };
        let mut progress = match submitted {
            Ok(progress) => progress,
            Err(e) => {
                self.forget_nonce(sudo).await;
                return Err(e);
            }
        };
        while let Some(status) = progress.next().await {
            let status = match status {
                Ok(status) => status,
                Err(e) => {
                    self.forget_nonce(sudo).await;
                    return Err(self.rejection(e.to_string()));
                }
            };
            match status {
                TransactionStatus::InBestBlock(b) | TransactionStatus::InFinalizedBlock(b) => {
                    let events = b.fetch_events().await.map_err(ChainError::other)?;
                    if let Some(Ok(sudid)) = events.find_first::<electx::sudo::events::Sudid>() {
                        if let Err(e) = sudid.sudo_result {
                            return Err(ChainError::Rejected {
                                error: self.dispatch_error(format!("{e:?}")),
                            });
                        }
                    }
                    if let Some(Ok(created)) =
                        events.find_first::<electx::voting::events::ElectionCreated>()
                    {
                        return Ok((created.election, hex0x(b.block_hash().as_ref())));
                    }
                    return Err(ChainError::Other("no ElectionCreated event".into()));
                }
                TransactionStatus::Invalid { message }
                | TransactionStatus::Dropped { message }
                | TransactionStatus::Error { message } => {
                    self.forget_nonce(sudo).await;
                    return Err(self.rejection(message));
                }
                _ => {}
            }
        }
        self.forget_nonce(sudo).await;
        Err(ChainError::Unavailable)
    }
}

/// The voting pallet's errors in declaration order (their index is the pool's `Custom` code).
pub const VOTING_ERRORS: &[&str] = &[
    "UnknownElection",
    "TooFewOptions",
    "EmptyName",
    "InvalidSelectionBounds",
    "InvalidVotingWindow",
    "TooManyElectionsAtBlock",
    "ElectionIdOverflow",
    "ElectionAlreadyOpened",
    "NotRegistrar",
    "RegistrationClosed",
    "VoterHasVoted",
    "RollOverflow",
    "ElectionNotOpen",
    "NotOnRoll",
    "AlreadyVoted",
    "TooManyBallots",
    "WrongOptionCount",
    "InvalidBallot",
    "BallotCountOverflow",
    "ElectionNotClosed",
    "AlreadyTallied",
    "WrongResultLength",
    "InvalidTallyProof",
    "TooManyRegistrars",
    "RollNotReleasable",
];

/// Name of the voting pallet error with index `i`.
pub fn voting_error_name(i: u8) -> Option<&'static str> {
    VOTING_ERRORS.get(i as usize).copied()
}
