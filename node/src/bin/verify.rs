//! `electx-verify`: re-checks an ElectX election from chain data alone.
//!
//! It trusts no gateway and no database: only the node's JSON-RPC answers, checked
//! against the genesis hash it is given. It reads every ballot of the election from
//! state at the finalized block, re-verifies every ballot's proofs (batched), re-adds the
//! ballots and compares the sum with the on-chain encrypted tally, checks each voter's
//! tracker, and checks the decryption proofs of the published result.
//!
//! ```sh
//! electx-verify --url http://127.0.0.1:9944 --election 0 --genesis 0x…
//! ```
//! Exit code 0 only if everything holds and the result is published; 3 if every ballot
//! holds but the election has no result yet (at the finalized block); 1 on any failure.

use std::process::ExitCode;

use clap::Parser;
use codec::Decode;
use electx_crypto::{verify_batch, BallotContext, EncryptedBallot, EncryptedTally};
use electx_runtime::{AccountId, Runtime};
use jsonrpsee::{
    core::client::ClientT,
    http_client::{HttpClient, HttpClientBuilder},
    rpc_params,
};
use pallet_voting::{pallet::ElectionOf, pallet::ResultOf, ElectionId, VoteRecord};
use sp_io::hashing::{twox_128, twox_64};

/// Re-verify an ElectX election from chain data.
#[derive(Debug, Parser)]
#[command(name = "electx-verify", version)]
struct Args {
    /// JSON-RPC endpoint of any node of the chain (HTTP).
    #[arg(long, default_value = "http://127.0.0.1:9944")]
    url: String,
    /// The election to verify.
    #[arg(long)]
    election: ElectionId,
    /// The chain's genesis hash (0x…), from a source you trust. The node must agree.
    #[arg(long)]
    genesis: String,
    /// Ballots verified per batch.
    #[arg(long, default_value_t = 256)]
    batch: usize,
}

/// What the verification found: the report, and whether the election has a result.
type Report = Result<(String, bool), String>;

fn storage_prefix(item: &str) -> Vec<u8> {
    let mut k = twox_128(b"Voting").to_vec();
    k.extend_from_slice(&twox_128(item.as_bytes()));
    k
}

fn map_key(item: &str, id: ElectionId) -> Vec<u8> {
    let mut k = storage_prefix(item);
    let enc = id.to_le_bytes();
    k.extend_from_slice(&twox_64(&enc));
    k.extend_from_slice(&enc);
    k
}

fn hex0x(b: &[u8]) -> String {
    format!("0x{}", hex::encode(b))
}

fn unhex(s: &str) -> Result<Vec<u8>, String> {
    hex::decode(s.trim_start_matches("0x")).map_err(|e| format!("bad hex from node: {e}"))
}

struct Chain {
    rpc: HttpClient,
    at: String,
}

impl Chain {
    async fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, String> {
        let v: Option<String> = self
            .rpc
            .request("state_getStorage", rpc_params![hex0x(key), self.at.clone()])
            .await
            .map_err(|e| format!("state_getStorage: {e}"))?;
        v.map(|s| unhex(&s)).transpose()
    }

    async fn decode<T: Decode>(&self, key: &[u8], what: &str) -> Result<Option<T>, String> {
        match self.get(key).await? {
            None => Ok(None),
            Some(bytes) => T::decode(&mut &bytes[..])
                .map(Some)
                .map_err(|e| format!("{what} does not decode: {e}")),
        }
    }

    /// All keys under `prefix`, paged.
    async fn keys(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>, String> {
        let mut out = Vec::new();
        let mut start: Option<String> = None;
        loop {
            let page: Vec<String> = self
                .rpc
                .request(
                    "state_getKeysPaged",
                    rpc_params![hex0x(prefix), 1000u32, start.clone(), self.at.clone()],
                )
                .await
                .map_err(|e| format!("state_getKeysPaged: {e}"))?;
            let n = page.len();
            start = page.last().cloned();
            for k in page {
                out.push(unhex(&k)?);
            }
            if n < 1000 {
                return Ok(out);
            }
        }
    }
}

/// The account at the end of a `(Twox64Concat id, Blake2_128Concat account)` key.
fn account_of(key: &[u8]) -> Result<AccountId, String> {
    let tail = key.len().checked_sub(32).ok_or("storage key too short")?;
    AccountId::decode(&mut &key[tail..]).map_err(|e| format!("bad account in key: {e}"))
}

async fn verify(args: &Args) -> Report {
    let rpc = HttpClientBuilder::default()
        .max_response_size(256 * 1024 * 1024)
        .build(&args.url)
        .map_err(|e| format!("cannot reach {}: {e}", args.url))?;
    let genesis: String = rpc
        .request("chain_getBlockHash", rpc_params![0u32])
        .await
        .map_err(|e| format!("chain_getBlockHash: {e}"))?;
    if !genesis.eq_ignore_ascii_case(args.genesis.trim()) {
        return Err(format!(
            "the node serves another chain: genesis {genesis}, expected {}",
            args.genesis
        ));
    }
    let genesis_bytes: [u8; 32] =
        unhex(&genesis)?.try_into().map_err(|_| "genesis hash is not 32 bytes".to_string())?;
    let at: String = rpc
        .request("chain_getFinalizedHead", rpc_params![])
        .await
        .map_err(|e| format!("chain_getFinalizedHead: {e}"))?;
    let chain = Chain { rpc, at: at.clone() };
    let id = args.election;
    eprintln!("verifying election {id} at finalized block {at}");

    let election: ElectionOf<Runtime> = chain
        .decode(&map_key("Elections", id), "the election")
        .await?
        .ok_or_else(|| format!("election {id} does not exist on this chain"))?;
    let onchain_tally: EncryptedTally = chain
        .decode(&map_key("Tallies", id), "the encrypted tally")
        .await?
        .ok_or("the election has no encrypted tally")?;
    let count: u32 =
        chain.decode(&map_key("BallotCount", id), "the ballot count").await?.unwrap_or(0);

    // Every ballot, with its voter from the storage key.
    let keys = chain.keys(&map_key("Ballots", id)).await?;
    let total = keys.len();
    let mut items: Vec<(BallotContext, EncryptedBallot)> = Vec::with_capacity(total);
    let mut tally = EncryptedTally::new(election.option_count())
        .map_err(|e| format!("bad option count: {e:?}"))?;
    for (i, key) in keys.iter().enumerate() {
        let voter = account_of(key)?;
        let ballot: EncryptedBallot =
            chain.decode(key, "a ballot").await?.ok_or("a listed ballot disappeared")?;
        let mut record_key = map_key("VotesFor", id);
        record_key.extend_from_slice(&key[record_key.len()..]);
        let record: VoteRecord<u32> = chain
            .decode(&record_key, "a vote record")
            .await?
            .ok_or_else(|| format!("ballot of {voter} has no vote record"))?;
        if record.tracker != ballot.tracker() {
            return Err(format!(
                "tracker mismatch for voter {voter}: the stored ballot is not the one recorded"
            ));
        }
        tally.add_ballot(&ballot).map_err(|e| format!("ballot of {voter}: {e:?}"))?;
        let voter_bytes: [u8; 32] = voter.clone().into();
        let ctx = BallotContext {
            genesis_hash: genesis_bytes,
            election_id: id,
            public_key: election.public_key.clone(),
            voter: voter_bytes,
            options: election.option_count(),
            min_selections: election.min_selections,
            max_selections: election.max_selections,
        };
        items.push((ctx, ballot));
        if (i + 1) % 1000 == 0 {
            eprintln!("  read {}/{total} ballots", i + 1);
        }
    }
    for (n, chunk) in items.chunks(args.batch.max(1)).enumerate() {
        verify_batch(chunk).map_err(|e| {
            let index = n * args.batch.max(1) + e.index;
            let voter = items.get(index).map(|(c, _)| hex0x(&c.voter)).unwrap_or_default();
            format!("ballot {index} (voter {voter}) does not verify: {:?}", e.error)
        })?;
        let done = ((n + 1) * args.batch.max(1)).min(total);
        eprintln!("  verified {done}/{total} ballots");
    }
    if total != count as usize {
        return Err(format!("the chain counts {count} ballots but stores {total}"));
    }
    if tally != onchain_tally {
        return Err("the on-chain encrypted tally is not the sum of the ballots".into());
    }
    let mut report =
        format!("election {id}: {total} ballots verified, encrypted tally matches the ballots");

    let result: Option<ResultOf<Runtime>> =
        chain.decode(&map_key("Results", id), "the result").await?;
    let tallied = result.is_some();
    match result {
        None => report.push_str("\nno result published yet (at the finalized block)"),
        Some(r) => {
            let ctx = electx_crypto::DecryptionContext {
                genesis_hash: genesis_bytes,
                election_id: id,
                public_key: election.public_key.clone(),
            };
            electx_crypto::verify_tally(&ctx, &onchain_tally, &r.counts, &r.proofs)
                .map_err(|e| format!("the published result's decryption proofs fail: {e:?}"))?;
            let sum: u64 = r.counts.iter().sum();
            if sum > u64::from(election.max_selections) * total as u64 {
                return Err(format!("the result counts {sum} selections for {total} ballots"));
            }
            report.push_str("\nresult verified:");
            for (name, c) in election.options.iter().zip(r.counts.iter()) {
                report.push_str(&format!("\n  {}: {c}", String::from_utf8_lossy(name)));
            }
        }
    }
    Ok((report, tallied))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    match verify(&args).await {
        Ok((report, true)) => {
            println!("{report}\nVERIFIED");
            ExitCode::SUCCESS
        }
        Ok((report, false)) => {
            println!(
                "{report}\nNOT TALLIED: the ballots hold, but there is no result to verify yet"
            );
            ExitCode::from(3)
        }
        Err(e) => {
            println!("FAILED: {e}");
            ExitCode::FAILURE
        }
    }
}
