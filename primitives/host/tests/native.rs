//! The interface called natively gives the same answers as `electx-crypto`.

use codec::Encode;
use electx_crypto::*;
use electx_crypto_host::{ballot, VERIFY_INVALID, VERIFY_OK, VERIFY_WRONG_OPTION_COUNT};
use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};

fn setup(options: u32) -> (BallotContext, EncryptedBallot, EncryptedBallot) {
    let mut rng = ChaCha20Rng::from_seed([9; 32]);
    let sk = ElectionSecretKey::generate(&mut rng);
    let ctx = BallotContext {
        genesis_hash: [1; 32],
        election_id: 7,
        public_key: sk.public_key(),
        voter: [2; 32],
        options,
        min_selections: 1,
        max_selections: 1,
    };
    let a = EncryptedBallot::encrypt_choice(&ctx, 0, &mut rng).unwrap();
    let b = EncryptedBallot::encrypt_choice(&ctx, 2, &mut rng).unwrap();
    (ctx, a, b)
}

#[test]
fn verify_answers_each_outcome() {
    let (ctx, a, _) = setup(3);
    assert_eq!(ballot::verify(&ctx.encode(), &a.encode()), VERIFY_OK);
    let mut other = ctx.clone();
    other.election_id = 8;
    assert_eq!(ballot::verify(&other.encode(), &a.encode()), VERIFY_INVALID);
    other = ctx.clone();
    other.options = 4;
    assert_eq!(ballot::verify(&other.encode(), &a.encode()), VERIFY_WRONG_OPTION_COUNT);
    let mut bytes = a.encode();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    assert_eq!(ballot::verify(&ctx.encode(), &bytes), VERIFY_INVALID);
    assert_eq!(ballot::verify(&[], &a.encode()), VERIFY_INVALID);
}

#[test]
fn cast_verifies_adds_and_replaces() {
    let (ctx, a, b) = setup(3);
    let mut expected = EncryptedTally::new(3).unwrap();
    expected.add_ballot(&a).unwrap();
    let empty = EncryptedTally::new(3).unwrap().encode();
    let (t, tracker) = ballot::cast(&ctx.encode(), &empty, &a.encode(), &[]).unwrap();
    assert_eq!((t.clone(), tracker), (expected.encode(), a.tracker()));
    expected.sub_ballot(&a).unwrap();
    expected.add_ballot(&b).unwrap();
    let (t, tracker) = ballot::cast(&ctx.encode(), &t, &b.encode(), &a.encode()).unwrap();
    assert_eq!((t.clone(), tracker), (expected.encode(), b.tracker()));
    assert_eq!(ballot::cast(&ctx.encode(), &t[1..], &b.encode(), &[]), Err(VERIFY_INVALID));
    let mut other = ctx.clone();
    other.voter = [3; 32];
    assert_eq!(ballot::cast(&other.encode(), &t, &b.encode(), &[]), Err(VERIFY_INVALID));
    let (wide_ctx, wide, _) = setup(4);
    assert_eq!(
        ballot::cast(&wide_ctx.encode(), &t, &wide.encode(), &[]),
        Err(VERIFY_WRONG_OPTION_COUNT)
    );
}
