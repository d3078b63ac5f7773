//! `BallotBytes` / `TallyBytes`: same wire form and type as the decoded types,
//! layout-only decoding, and the native verification and tally helpers.

mod common;

use codec::{Compact, Decode, DecodeAll, Encode, MaxEncodedLen};
use common::*;
use electx_crypto::*;
use proptest::prelude::*;

/// The field prime 2^255 − 19: a non-canonical point encoding.
const NON_CANONICAL_POINT: [u8; 32] = {
    let mut p = [0xffu8; 32];
    p[0] = 0xed;
    p[31] = 0x7f;
    p
};

fn ballot(seed: u8, k: u32, min: u32, max: u32, n: u32) -> (BallotContext, EncryptedBallot) {
    let mut r = rng(seed);
    let sk = ElectionSecretKey::generate(&mut rng(1));
    let ctx = context(sk.public_key(), k, min, max);
    let order: Vec<u32> = (0..k).map(|i| (i * 7 + u32::from(seed)) % k).collect();
    let b = EncryptedBallot::encrypt(&ctx, &selections(k, n, &order), &mut r).unwrap();
    (ctx, b)
}

#[test]
fn same_encoding_tracker_and_type_as_the_decoded_ballot() {
    for (k, min, max, n) in [(1, 1, 1, 1), (5, 1, 1, 1), (5, 0, 3, 2), (64, 0, 64, 10)] {
        let (_, b) = ballot(3, k, min, max, n);
        let bytes = b.encode();
        let raw = BallotBytes::decode_all(&mut &bytes[..]).unwrap();
        assert_eq!(raw.encode(), bytes);
        assert_eq!(raw.as_bytes(), &bytes[..]);
        assert_eq!(raw.option_count(), k);
        assert_eq!(raw.tracker(), b.tracker());
        assert_eq!(raw.to_ballot().unwrap(), b);
        assert_eq!(BallotBytes::from(&b), raw);
    }
    assert_eq!(scale_info::meta_type::<BallotBytes>(), scale_info::meta_type::<EncryptedBallot>());
    assert_eq!(scale_info::meta_type::<TallyBytes>(), scale_info::meta_type::<EncryptedTally>());
    assert_eq!(BallotBytes::max_encoded_len(), EncryptedBallot::max_encoded_len());
    assert_eq!(TallyBytes::max_encoded_len(), EncryptedTally::max_encoded_len());
}

#[test]
fn layout_decoding_refuses_bad_shapes() {
    let (_, b) = ballot(4, 3, 1, 1, 1);
    let bytes = b.encode();
    // Truncated anywhere.
    for cut in [0, 1, 64, 193, bytes.len() - 1] {
        assert!(BallotBytes::decode_all(&mut &bytes[..cut]).is_err(), "cut at {cut}");
        assert!(BallotBytes::from_encoded(&bytes[..cut]).is_err());
    }
    // Trailing bytes.
    let mut long = bytes.clone();
    long.push(0);
    assert!(BallotBytes::from_encoded(&long).is_err());
    // Fewer proofs than ciphertexts: 3 ciphertexts, length prefix of the proofs set to 2.
    let mut fewer = bytes.clone();
    fewer[1 + 3 * 64] = Compact(2u32).encode()[0];
    assert!(BallotBytes::from_encoded(&fewer).is_err());
    // Unknown sum-proof variant.
    let mut variant = bytes.clone();
    variant[1 + 3 * 64 + 1 + 3 * 224] = 2;
    assert!(BallotBytes::from_encoded(&variant).is_err());
    // Zero options, and more than MAX_OPTIONS.
    assert!(BallotBytes::from_encoded(&[0, 0, 0]).is_err());
    let mut huge = Compact(MAX_OPTIONS + 1).encode();
    huge.extend(vec![0u8; 64 * 65]);
    assert!(BallotBytes::from_encoded(&huge).is_err());
    // Tallies: zero options, truncated, too many.
    assert!(TallyBytes::from_encoded(&[0]).is_err());
    let t = EncryptedTally::new(3).unwrap().encode();
    assert!(TallyBytes::from_encoded(&t[..t.len() - 1]).is_err());
    assert_eq!(TallyBytes::from_encoded(&t).unwrap().option_count(), 3);
    assert!(TallyBytes::from_encoded(&huge[..1 + 64 * 65]).is_err());
}

#[test]
fn layout_decoding_keeps_bad_points_for_verification_to_refuse() {
    let (ctx, b) = ballot(5, 2, 1, 1, 1);
    let mut bytes = b.encode();
    bytes[1..33].copy_from_slice(&NON_CANONICAL_POINT);
    let raw = BallotBytes::from_encoded(&bytes).expect("layout is fine");
    assert_eq!(raw.to_ballot(), Err(CryptoError::InvalidEncoding));
    assert_eq!(
        verify_ballot_bytes(&ctx.encode(), raw.as_bytes()),
        Err(CryptoError::InvalidEncoding)
    );
}

#[test]
fn verify_ballot_bytes_agrees_with_verify() {
    let (ctx, b) = ballot(6, 5, 1, 1, 1);
    assert_eq!(verify_ballot_bytes(&ctx.encode(), &b.encode()), Ok(()));
    // Another voter's context.
    let mut other = ctx.clone();
    other.voter = [0x33; 32];
    assert_eq!(verify_ballot_bytes(&other.encode(), &b.encode()), b.verify(&other));
    assert!(b.verify(&other).is_err());
    // A different option count in the context.
    let mut wider = ctx.clone();
    wider.options = 6;
    assert!(matches!(
        verify_ballot_bytes(&wider.encode(), &b.encode()),
        Err(CryptoError::WrongOptionCount { .. })
    ));
    // A malformed context, trailing bytes.
    assert_eq!(verify_ballot_bytes(&[1, 2, 3], &b.encode()), Err(CryptoError::InvalidContext));
    let mut long = b.encode();
    long.push(0);
    assert_eq!(verify_ballot_bytes(&ctx.encode(), &long), Err(CryptoError::InvalidEncoding));
}

#[test]
fn tally_update_matches_add_and_sub_ballot() {
    let (_, a) = ballot(7, 4, 1, 1, 1);
    let (_, b) = ballot(8, 4, 1, 1, 1);
    let (_, c) = ballot(9, 4, 1, 1, 1);
    let mut expected = EncryptedTally::new(4).unwrap();
    expected.add_ballot(&a).unwrap();
    expected.add_ballot(&b).unwrap();
    let empty = EncryptedTally::new(4).unwrap().encode();
    let t = tally_update(&empty, &a.encode(), None).unwrap();
    let t = tally_update(&t, &b.encode(), None).unwrap();
    assert_eq!(t, expected.encode());
    // Re-vote: c replaces a.
    expected.sub_ballot(&a).unwrap();
    expected.add_ballot(&c).unwrap();
    let t = tally_update(&t, &c.encode(), Some(&a.encode())).unwrap();
    assert_eq!(t, expected.encode());
    // Wrong option count, malformed tally.
    let (_, wide) = ballot(10, 5, 1, 1, 1);
    assert!(matches!(
        tally_update(&t, &wide.encode(), None),
        Err(CryptoError::WrongOptionCount { expected: 4, got: 5 })
    ));
    assert_eq!(tally_update(&t[..10], &c.encode(), None), Err(CryptoError::InvalidEncoding));
}

#[test]
fn cast_ballot_bytes_verifies_tallies_and_tracks_in_one_pass() {
    let (ctx, a) = ballot(11, 4, 1, 1, 1);
    let b = {
        let mut r = rng(12);
        EncryptedBallot::encrypt_choice(&ctx, 3, &mut r).unwrap()
    };
    let empty = EncryptedTally::new(4).unwrap().encode();
    let (t, tracker) = cast_ballot_bytes(&ctx.encode(), &empty, &a.encode(), None).unwrap();
    assert_eq!(tracker, a.tracker());
    assert_eq!(t, tally_update(&empty, &a.encode(), None).unwrap());
    // A re-vote: b replaces a.
    let (t2, tracker) =
        cast_ballot_bytes(&ctx.encode(), &t, &b.encode(), Some(&a.encode())).unwrap();
    assert_eq!(tracker, b.tracker());
    let mut expected = EncryptedTally::new(4).unwrap();
    expected.add_ballot(&b).unwrap();
    assert_eq!(t2, expected.encode());
    // Under another voter's context the proofs fail and nothing is returned.
    let mut other = ctx.clone();
    other.voter = [0x44; 32];
    assert!(matches!(
        cast_ballot_bytes(&other.encode(), &t, &b.encode(), None),
        Err(CryptoError::OptionProofFailed { .. }
            | CryptoError::SumProofFailed
            | CryptoError::ProofFailed)
    ));
    // A tally of another width.
    let five = EncryptedTally::new(5).unwrap().encode();
    assert!(matches!(
        cast_ballot_bytes(&ctx.encode(), &five, &a.encode(), None),
        Err(CryptoError::WrongOptionCount { .. })
    ));
    assert_eq!(
        cast_ballot_bytes(&ctx.encode(), &t[..5], &a.encode(), None),
        Err(CryptoError::InvalidEncoding)
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Layout decoding never panics, and whatever it accepts re-encodes to the same bytes.
    #[test]
    fn layout_decoding_is_total(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        if let Ok(raw) = BallotBytes::decode(&mut &bytes[..]) {
            prop_assert!(bytes.starts_with(raw.as_bytes()));
        }
        if let Ok(t) = TallyBytes::decode(&mut &bytes[..]) {
            prop_assert!(bytes.starts_with(t.as_bytes()));
        }
        let _ = verify_ballot_bytes(&bytes, &bytes);
        let _ = tally_update(&bytes, &bytes, Some(&bytes));
        let _ = cast_ballot_bytes(&bytes, &bytes, &bytes, Some(&bytes));
    }
}
