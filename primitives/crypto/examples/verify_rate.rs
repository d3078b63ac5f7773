//! Prints how many five-option single-choice ballots per second one core
//! verifies: singly (decoded), singly from SCALE bytes, and in batches of 100.
//!
//! `cargo run --release -p electx-crypto --example verify_rate [seconds]`
//!
//! Output lines are `name=value` for scripts (scripts/bench-electionguard.sh).

use codec::{DecodeAll, Encode};
use electx_crypto::*;
use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};
use std::time::{Duration, Instant};

fn rate(budget: Duration, per_round: usize, mut f: impl FnMut()) -> f64 {
    f(); // warm-up
    let start = Instant::now();
    let mut done = 0usize;
    while start.elapsed() < budget {
        f();
        done += per_round;
    }
    done as f64 / start.elapsed().as_secs_f64()
}

fn main() -> Result<(), CryptoError> {
    let secs: f64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(3.0);
    let budget = Duration::from_secs_f64(secs);
    let mut rng = ChaCha20Rng::from_seed([5u8; 32]);
    let sk = ElectionSecretKey::generate(&mut rng);
    let mut items = Vec::new();
    for i in 0..100u32 {
        let mut voter = [0u8; 32];
        voter[..4].copy_from_slice(&i.to_le_bytes());
        let ctx = BallotContext {
            genesis_hash: [1u8; 32],
            election_id: 1,
            public_key: sk.public_key(),
            voter,
            options: 5,
            min_selections: 1,
            max_selections: 1,
        };
        let b = EncryptedBallot::encrypt_choice(&ctx, i % 5, &mut rng)?;
        items.push((ctx, b));
    }
    let encoded: Vec<Vec<u8>> = items.iter().map(|(_, b)| b.encode()).collect();
    println!("ballot_bytes={}", encoded[0].len());

    let mut i = 0usize;
    let single = rate(budget, 1, || {
        let (ctx, b) = &items[i % items.len()];
        b.verify(ctx).expect("valid");
        i += 1;
    });
    println!("single_verify_per_sec={single:.0}");

    let mut i = 0usize;
    let single_bytes = rate(budget, 1, || {
        let (ctx, _) = &items[i % items.len()];
        let b = EncryptedBallot::decode_all(&mut &encoded[i % items.len()][..]).expect("decodes");
        b.verify(ctx).expect("valid");
        i += 1;
    });
    println!("single_decode_verify_per_sec={single_bytes:.0}");

    let batch = rate(budget, items.len(), || verify_batch(&items).expect("valid"));
    println!("batch100_verify_per_sec={batch:.0}");

    let batch_bytes = rate(budget, items.len(), || {
        let decoded: Vec<(BallotContext, EncryptedBallot)> = items
            .iter()
            .zip(&encoded)
            .map(|((c, _), e)| {
                (c.clone(), EncryptedBallot::decode_all(&mut &e[..]).expect("decodes"))
            })
            .collect();
        verify_batch(&decoded).expect("valid");
    });
    println!("batch100_decode_verify_per_sec={batch_bytes:.0}");
    Ok(())
}
