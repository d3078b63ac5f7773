//! Criterion benchmarks of the ballot cryptography.
//!
//! `cargo bench -p electx-crypto --bench ballot`

use codec::{DecodeAll, Encode};
use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use curve25519_dalek::{constants::RISTRETTO_BASEPOINT_TABLE, scalar::Scalar};
use electx_crypto::*;
use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};

const OPTIONS: u32 = 5;

fn setup(n: usize) -> (ElectionSecretKey, Vec<(BallotContext, EncryptedBallot)>, ChaCha20Rng) {
    let mut rng = ChaCha20Rng::from_seed([1u8; 32]);
    let sk = ElectionSecretKey::generate(&mut rng);
    let items = (0..n)
        .map(|i| {
            let mut voter = [0u8; 32];
            voter[..8].copy_from_slice(&(i as u64).to_le_bytes());
            let ctx = BallotContext {
                genesis_hash: [9u8; 32],
                election_id: 1,
                public_key: sk.public_key(),
                voter,
                options: OPTIONS,
                min_selections: 1,
                max_selections: 1,
            };
            let b = EncryptedBallot::encrypt_choice(&ctx, (i as u32) % OPTIONS, &mut rng).unwrap();
            (ctx, b)
        })
        .collect();
    (sk, items, rng)
}

fn ballots(c: &mut Criterion) {
    let (sk, items, mut rng) = setup(100);
    let (ctx, ballot) = items[0].clone();
    let bytes = ballot.encode();

    let mut g = c.benchmark_group("ballot_5_options");
    g.throughput(Throughput::Elements(1));
    g.bench_function("encrypt_and_prove", |b| {
        b.iter(|| EncryptedBallot::encrypt_choice(black_box(&ctx), 2, &mut rng).unwrap())
    });
    g.bench_function("verify", |b| b.iter(|| black_box(&ballot).verify(black_box(&ctx)).unwrap()));
    g.bench_function("decode_and_verify", |b| {
        b.iter(|| {
            let decoded = EncryptedBallot::decode_all(&mut black_box(&bytes[..])).unwrap();
            decoded.verify(&ctx).unwrap()
        })
    });
    g.bench_function("decode", |b| {
        b.iter(|| EncryptedBallot::decode_all(&mut black_box(&bytes[..])).unwrap())
    });
    let mut tally = EncryptedTally::new(OPTIONS).unwrap();
    g.bench_function("tally_add", |b| b.iter(|| tally.add_ballot(black_box(&ballot)).unwrap()));
    // What the runtime's `cast_ballot` runs natively through the host function.
    let (ctx_bytes, tally_bytes) = (ctx.encode(), tally.encode());
    g.bench_function("cast_ballot_bytes", |b| {
        b.iter(|| {
            cast_ballot_bytes(black_box(&ctx_bytes), &tally_bytes, black_box(&bytes), None).unwrap()
        })
    });
    g.bench_function("cast_ballot_bytes_replacing", |b| {
        b.iter(|| cast_ballot_bytes(&ctx_bytes, &tally_bytes, &bytes, Some(&bytes)).unwrap())
    });
    g.finish();

    let mut g = c.benchmark_group("batch_100_ballots_5_options");
    g.throughput(Throughput::Elements(items.len() as u64));
    g.sample_size(10);
    g.bench_function("verify_batch", |b| b.iter(|| verify_batch(black_box(&items)).unwrap()));
    let encoded: Vec<(BallotContext, Vec<u8>)> =
        items.iter().map(|(c, b)| (c.clone(), b.encode())).collect();
    g.bench_function("decode_and_verify_batch", |b| {
        b.iter(|| {
            let decoded: Vec<(BallotContext, EncryptedBallot)> = encoded
                .iter()
                .map(|(c, bytes)| {
                    (c.clone(), EncryptedBallot::decode_all(&mut &bytes[..]).unwrap())
                })
                .collect();
            verify_batch(&decoded).unwrap()
        })
    });
    g.finish();

    // Decrypt + prove a 5-option tally of 100 ballots (table for 10^4 prebuilt).
    let mut tally = EncryptedTally::new(OPTIONS).unwrap();
    for (_, b) in &items {
        tally.add_ballot(b).unwrap();
    }
    let dctx =
        DecryptionContext { genesis_hash: [9u8; 32], election_id: 1, public_key: sk.public_key() };
    let table = BsgsTable::new(10_000);
    let mut g = c.benchmark_group("tally_5_options");
    g.sample_size(10);
    g.bench_function("decrypt_and_prove_100_ballots", |b| {
        b.iter(|| sk.decrypt_tally_with_table(&dctx, &tally, &table, &mut rng).unwrap())
    });
    let (counts, proofs) = sk.decrypt_tally_with_table(&dctx, &tally, &table, &mut rng).unwrap();
    g.bench_function("verify_tally", |b| {
        b.iter(|| verify_tally(&dctx, &tally, &counts, &proofs).unwrap())
    });
    g.finish();
}

fn bsgs(c: &mut Criterion) {
    let mut g = c.benchmark_group("bsgs");
    g.sample_size(10);
    for max in [1_000_000u64, 10_000_000] {
        g.bench_function(format!("build_{max}"), |b| b.iter(|| BsgsTable::new(black_box(max))));
        let table = BsgsTable::new(max);
        let worst = &Scalar::from(max) * RISTRETTO_BASEPOINT_TABLE;
        g.bench_function(format!("solve_worst_case_{max}"), |b| {
            b.iter_batched(
                || worst,
                |p| assert_eq!(table.solve(&p), Some(max)),
                BatchSize::SmallInput,
            )
        });
    }
    g.finish();
}

criterion_group!(benches, ballots, bsgs);
criterion_main!(benches);
