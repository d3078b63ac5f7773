//! `electx-load`: chain throughput of ballots against plain balance transfers, in one run,
//! with the same tool.
//!
//! Setup (not measured): the sudo account creates an election with a fresh key; the
//! registrar puts N generated voters on its roll (batches of 500, submitted back to back);
//! every ballot is encrypted, proved and signed in advance, and so are the transfers (from
//! the dev accounts, consecutive nonces). Then each kind is sent for `--duration` seconds at
//! `--rate` per second (0: as fast as the node accepts them) and followed to finality by
//! reading every finalized block. Reported: submitted, finalized, refused, finalized per
//! second over the sending window, latency from submission to finality (p50/p99).
//!
//! ```sh
//! electx-load --url ws://127.0.0.1:9944 --voters 20000 --duration 60 --kinds transfers,ballots
//! ```

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use clap::Parser;
use electx_crypto::{BallotContext, ElectionSecretKey, EncryptedBallot};
use electx_gateway::chain::electx;
use indicatif::{ProgressBar, ProgressStyle};
use subxt::{
    config::polkadot::PolkadotExtrinsicParamsBuilder as Params, utils::H256, OnlineClient,
    PolkadotConfig,
};
use subxt_signer::{
    sr25519::{dev, Keypair},
    DeriveJunction,
};

type Client = OnlineClient<PolkadotConfig>;

#[derive(Parser, Debug)]
#[command(name = "electx-load", about = "ElectX Chain throughput: ballots vs transfers")]
struct Args {
    /// Node WebSocket URL.
    #[arg(long, default_value = "ws://127.0.0.1:9944")]
    url: String,
    /// Voters to register (and ballots to prepare).
    #[arg(long, default_value_t = 10_000)]
    voters: u32,
    /// Transfers to prepare.
    #[arg(long, default_value_t = 30_000)]
    transfers: u32,
    /// Seconds to send each kind for.
    #[arg(long, default_value_t = 60)]
    duration: u64,
    /// Target transactions per second (0: as fast as the node takes them).
    #[arg(long, default_value_t = 0.0)]
    rate: f64,
    /// Options on the ballot.
    #[arg(long, default_value_t = 5)]
    options: u32,
    /// What to measure, in order: `transfers`, `ballots`.
    #[arg(long, default_value = "transfers,ballots", value_delimiter = ',')]
    kinds: Vec<String>,
    /// Most submissions in flight at once.
    #[arg(long, default_value_t = 64)]
    in_flight: usize,
}

struct Outcome {
    kind: String,
    submitted: usize,
    refused: usize,
    finalized: usize,
    window: Duration,
    latencies: Vec<Duration>,
}

fn bar(len: u64, what: &str) -> ProgressBar {
    let pb = ProgressBar::new(len);
    pb.set_style(
        ProgressStyle::with_template(&format!("{what:>12} [{{bar:40}}] {{pos}}/{{len}} {{msg}}"))
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    pb
}

/// Reads every finalized block (by number, so that none is skipped when finality jumps)
/// and matches its extrinsics against the submitted ones.
async fn wait_finalized_count(
    client: &Client,
    pending: &Arc<Mutex<HashMap<H256, Instant>>>,
    stop: Instant,
    pb: &ProgressBar,
) -> (usize, Vec<Duration>, Option<Instant>, Option<Instant>) {
    let mut next = match client.at_current_block().await {
        Ok(at) => at.block_number() + 1,
        Err(e) => panic!("cannot read the finalized block: {e}"),
    };
    let mut latencies = Vec::new();
    let (mut first, mut last) = (None, None);
    loop {
        let now = Instant::now();
        let empty = pending.lock().unwrap_or_else(|p| p.into_inner()).is_empty();
        // Done when everything sent is in; give up 60 s after sending stopped.
        if now > stop && (empty || now > stop + Duration::from_secs(60)) {
            break;
        }
        let finalized = match client.at_current_block().await {
            Ok(at) => at.block_number(),
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(500)).await;
                continue;
            }
        };
        while next <= finalized {
            let Ok(at) = client.at_block(next).await else { break };
            let Ok(exts) = at.extrinsics().fetch().await else { break };
            let seen = Instant::now();
            let mut found = 0;
            {
                let mut map = pending.lock().unwrap_or_else(|p| p.into_inner());
                for e in exts.iter().filter_map(Result::ok) {
                    if let Some(sent) = map.remove(&e.hash()) {
                        latencies.push(seen - sent);
                        found += 1;
                    }
                }
            }
            if found > 0 {
                first.get_or_insert(seen);
                last = Some(seen);
                pb.inc(found);
                pb.set_message(format!("block #{next} +{found}"));
            }
            next += 1;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    (latencies.len(), latencies, first, last)
}

async fn send_and_follow(
    client: &Client,
    kind: &str,
    txs: Vec<(H256, Vec<u8>)>,
    args: &Args,
) -> Outcome {
    let pending: Arc<Mutex<HashMap<H256, Instant>>> = Default::default();
    let deadline = Instant::now() + Duration::from_secs(args.duration);
    let pb = bar(txs.len() as u64, &format!("{kind} final"));
    let follower = {
        let (client, pending, pb) = (client.clone(), pending.clone(), pb.clone());
        tokio::spawn(async move { wait_finalized_count(&client, &pending, deadline, &pb).await })
    };
    let refused = Arc::new(Mutex::new(0usize));
    let sem = Arc::new(tokio::sync::Semaphore::new(args.in_flight));
    let at = client.at_current_block().await.expect("finalized block");
    let start = Instant::now();
    let mut submitted = 0;
    let mut handles = Vec::new();
    for (i, (hash, bytes)) in txs.into_iter().enumerate() {
        if Instant::now() > deadline {
            break;
        }
        if args.rate > 0.0 {
            tokio::time::sleep_until(
                (start + Duration::from_secs_f64(i as f64 / args.rate)).into(),
            )
            .await;
        }
        let permit = sem.clone().acquire_owned().await.expect("semaphore");
        pending.lock().unwrap_or_else(|p| p.into_inner()).insert(hash, Instant::now());
        let (at, pending, refused) = (at.clone(), pending.clone(), refused.clone());
        handles.push(tokio::spawn(async move {
            let _permit = permit;
            let ok = at.transactions().from_bytes(bytes).submit().await.is_ok();
            if !ok {
                pending.lock().unwrap_or_else(|p| p.into_inner()).remove(&hash);
                *refused.lock().unwrap_or_else(|p| p.into_inner()) += 1;
            }
        }));
        submitted += 1;
    }
    for h in handles {
        let _ = h.await;
    }
    let (finalized, latencies, first, last) = follower.await.expect("follower");
    pb.finish();
    let refused = *refused.lock().unwrap_or_else(|p| p.into_inner());
    let window = match (first, last) {
        (Some(f), Some(l)) => (l - start).max(f - start),
        _ => Duration::ZERO,
    };
    Outcome { kind: kind.to_owned(), submitted, refused, finalized, window, latencies }
}

fn report(o: &mut Outcome) -> f64 {
    o.latencies.sort();
    let pct = |p: f64| {
        if o.latencies.is_empty() {
            return 0.0;
        }
        let i = ((o.latencies.len() as f64 * p).ceil() as usize).clamp(1, o.latencies.len()) - 1;
        o.latencies[i].as_secs_f64()
    };
    let rate = if o.window.is_zero() { 0.0 } else { o.finalized as f64 / o.window.as_secs_f64() };
    println!(
        "{:<10} submitted {:>6}  refused {:>5}  finalized {:>6} in {:>6.1} s = {:>7.1}/s  latency to finality p50 {:>5.1} s  p99 {:>5.1} s",
        o.kind,
        o.submitted,
        o.refused,
        o.finalized,
        o.window.as_secs_f64(),
        rate,
        pct(0.5),
        pct(0.99)
    );
    rate
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let client = Client::from_insecure_url(&args.url).await?;
    let genesis = client.genesis_hash().0;
    let mut outcomes = Vec::new();
    for kind in &args.kinds {
        let txs = match kind.as_str() {
            "transfers" => prepare_transfers(&client, args.transfers).await?,
            "ballots" => prepare_ballots(&client, genesis, &args).await?,
            other => anyhow::bail!("unknown kind {other} (transfers, ballots)"),
        };
        outcomes.push(send_and_follow(&client, kind, txs, &args).await);
    }
    println!();
    let mut rates = HashMap::new();
    for o in &mut outcomes {
        rates.insert(o.kind.clone(), report(o));
    }
    if let (Some(b), Some(t)) = (rates.get("ballots"), rates.get("transfers")) {
        println!("ballots/s ÷ transfers/s = {:.2}", b / t.max(f64::MIN_POSITIVE));
    }
    Ok(())
}

async fn prepare_transfers(client: &Client, n: u32) -> anyhow::Result<Vec<(H256, Vec<u8>)>> {
    let senders = [dev::alice(), dev::bob(), dev::charlie(), dev::dave(), dev::eve()];
    let dest = dev::ferdie().public_key().to_address();
    let at = client.at_current_block().await?;
    let txs = at.transactions();
    let mut nonces = Vec::new();
    for s in &senders {
        nonces.push(txs.account_nonce(&s.public_key().into()).await?);
    }
    let pb = bar(n as u64, "sign xfers");
    let mut out = Vec::with_capacity(n as usize);
    for i in 0..n as usize {
        let s = i % senders.len();
        let call = electx::tx().balances().transfer_keep_alive(dest.clone(), 1_000_000_000);
        let params = Params::new().nonce(nonces[s] + (i / senders.len()) as u64).immortal().build();
        let signed = txs.create_signable_offline(&call, params)?.sign(&senders[s])?;
        out.push((signed.hash(), signed.into_encoded()));
        pb.inc(1);
    }
    pb.finish();
    Ok(out)
}

async fn prepare_ballots(
    client: &Client,
    genesis: [u8; 32],
    args: &Args,
) -> anyhow::Result<Vec<(H256, Vec<u8>)>> {
    let sudo = dev::alice();
    let registrar = dev::ferdie();
    let secret = ElectionSecretKey::generate(&mut rand::rngs::OsRng);
    let public = secret.public_key();
    let root = Keypair::from_secret_key(rand::random::<[u8; 32]>())
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let voters: Vec<Keypair> =
        (0..args.voters).map(|i| root.derive([DeriveJunction::hard(i)])).collect();

    // The election: opens in a few blocks, closes far away.
    let at = client.at_current_block().await?;
    let best = at.block_number() as u32;
    use electx::runtime_types::bounded_collections::bounded_vec::BoundedVec;
    let create = electx::runtime_types::electx_runtime::RuntimeCall::Voting(
        electx::runtime_types::pallet_voting::pallet::Call::create_election {
            title: BoundedVec(b"electx-load".to_vec()),
            options: BoundedVec(
                (0..args.options).map(|i| BoundedVec(format!("option {i}").into_bytes())).collect(),
            ),
            min_selections: 1,
            max_selections: 1,
            public_key: codec::Decode::decode(&mut &codec::Encode::encode(&public)[..])?,
            opens_at: best + 5,
            closes_at: best + 100_000,
            allow_revote: false,
        },
    );
    let events = at
        .transactions()
        .sign_and_submit_then_watch_default(&electx::tx().sudo().sudo(create), &sudo)
        .await?
        .wait_for_finalized_success()
        .await?;
    let election = events
        .find_first::<electx::voting::events::ElectionCreated>()
        .ok_or_else(|| anyhow::anyhow!("no ElectionCreated"))??
        .election;
    println!("election {election} created; registering {} voters", args.voters);

    // The roll, in batches of 500 submitted back to back.
    let at = client.at_current_block().await?;
    let mut txs = at.transactions();
    let mut nonce = txs.account_nonce(&registrar.public_key().into()).await?;
    let pb = bar(args.voters as u64, "roll");
    for chunk in voters.chunks(500) {
        let accounts =
            BoundedVec(chunk.iter().map(|k| subxt::utils::AccountId32(k.public_key().0)).collect());
        let call = electx::tx().voting().register_voters(election, accounts);
        let signed = txs
            .create_signed(&call, &registrar, Params::new().nonce(nonce).immortal().build())
            .await?;
        signed.submit().await?;
        nonce += 1;
    }
    loop {
        let at = client.at_current_block().await?;
        let size = at
            .storage()
            .try_fetch(electx::storage().voting().roll_size(), (election,))
            .await?
            .map(|v| v.decode())
            .transpose()?
            .unwrap_or(0);
        pb.set_position(size as u64);
        if size >= args.voters {
            break;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    pb.finish();

    // Ballots, encrypted and signed in advance on every core.
    let pb = bar(args.voters as u64, "sign ballots");
    let pk = public.clone();
    let options = args.options;
    let prepared: Vec<(u32, Vec<u8>)> = {
        let chunks: Vec<Vec<(u32, [u8; 32])>> = voters
            .iter()
            .enumerate()
            .map(|(i, k)| (i as u32, k.public_key().0))
            .collect::<Vec<_>>()
            .chunks(((args.voters as usize) / 2).max(1))
            .map(<[_]>::to_vec)
            .collect();
        let mut handles = Vec::new();
        for chunk in chunks {
            let (pk, pb) = (pk.clone(), pb.clone());
            handles.push(tokio::task::spawn_blocking(move || {
                chunk
                    .into_iter()
                    .map(|(i, voter)| {
                        let ctx = BallotContext {
                            genesis_hash: genesis,
                            election_id: election,
                            public_key: pk.clone(),
                            voter,
                            options,
                            min_selections: 1,
                            max_selections: 1,
                        };
                        let b = EncryptedBallot::encrypt_choice(
                            &ctx,
                            i % options,
                            &mut rand::rngs::OsRng,
                        )
                        .expect("valid context");
                        pb.inc(1);
                        (i, codec::Encode::encode(&b))
                    })
                    .collect::<Vec<_>>()
            }));
        }
        let mut all = Vec::new();
        for h in handles {
            all.extend(h.await?);
        }
        all
    };
    pb.finish();
    let at = client.at_current_block().await?;
    let txs = at.transactions();
    let mut out = Vec::with_capacity(prepared.len());
    for (i, ballot) in prepared {
        let call =
            electx::tx().voting().cast_ballot(election, codec::Decode::decode(&mut &ballot[..])?);
        let signed = txs
            .create_signable_offline(&call, Params::new().nonce(0).immortal().build())?
            .sign(&voters[i as usize])?;
        out.push((signed.hash(), signed.into_encoded()));
    }
    // Wait for the opening block.
    while client.at_current_block().await?.block_number() < u64::from(best + 5) {
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    Ok(out)
}
