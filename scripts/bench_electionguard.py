#!/usr/bin/env python3
"""Times ElectionGuard 1.4.0 verification of a one-contest, five-option ballot.

Builds the same statement electx-crypto proves for a single-choice ballot:
five exponential-ElGamal ciphertexts, a disjunctive Chaum-Pedersen (0/1) proof
per option and a constant Chaum-Pedersen proof that the selections add up to 1,
with ElectionGuard's own primitives (4096-bit MODP group, gmpy2). Verification
is ElectionGuard's `is_valid` on each proof, which includes its group-membership
(residue) checks, the counterpart of our canonical point decoding.

Usage: bench_electionguard.py [N]   (N = number of ballot verifications, default 20)
Prints `electionguard_verify_per_sec=<rate>` (and details) on stdout.
"""
import logging
import sys
import time

# ElectionGuard logs INFO (and, for the deliberately tampered ballot below,
# WARNING) to stdout through its own handler; silence it.
logging.disable(logging.WARNING)

from electionguard.chaum_pedersen import (  # noqa: E402
    make_constant_chaum_pedersen,
    make_disjunctive_chaum_pedersen,
)
from electionguard.elgamal import (  # noqa: E402
    elgamal_add,
    elgamal_encrypt,
    elgamal_keypair_from_secret,
)
from electionguard.group import add_q, int_to_q, rand_q  # noqa: E402

logging.getLogger("electionguard").setLevel(logging.WARNING)

OPTIONS = 5


def make_ballot(public_key, extended_hash, choice):
    cts, nonces, proofs = [], [], []
    for i in range(OPTIONS):
        m = 1 if i == choice else 0
        nonce = rand_q()
        ct = elgamal_encrypt(m, nonce, public_key)
        proofs.append(make_disjunctive_chaum_pedersen(ct, nonce, public_key, extended_hash, rand_q(), m))
        cts.append(ct)
        nonces.append(nonce)
    total = elgamal_add(*cts)
    sum_proof = make_constant_chaum_pedersen(total, 1, add_q(*nonces), public_key, rand_q(), extended_hash)
    return cts, proofs, sum_proof


def verify_ballot(ballot, public_key, extended_hash):
    cts, proofs, sum_proof = ballot
    if not all(p.is_valid(ct, public_key, extended_hash) for ct, p in zip(cts, proofs)):
        return False
    return sum_proof.is_valid(elgamal_add(*cts), public_key, extended_hash)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    keypair = elgamal_keypair_from_secret(int_to_q(0x1234567890ABCDEF1234567890ABCDEF))
    pk = keypair.public_key
    q = rand_q()  # stands in for the election's extended base hash Q'

    t0 = time.perf_counter()
    ballots = [make_ballot(pk, q, i % OPTIONS) for i in range(min(n, 10))]
    encrypt_s = (time.perf_counter() - t0) / len(ballots)

    # Sanity: honest ballots verify, a tampered one does not.
    assert verify_ballot(ballots[0], pk, q)
    bad = (list(reversed(ballots[0][0])), ballots[0][1], ballots[0][2])
    assert not verify_ballot(bad, pk, q)

    t0 = time.perf_counter()
    for i in range(n):
        assert verify_ballot(ballots[i % len(ballots)], pk, q)
    elapsed = time.perf_counter() - t0
    rate = n / elapsed
    print(f"electionguard_version=1.4.0")
    print(f"electionguard_ballots_verified={n}")
    print(f"electionguard_verify_ms={1000 * elapsed / n:.2f}")
    print(f"electionguard_encrypt_ms={1000 * encrypt_s:.2f}")
    print(f"electionguard_verify_per_sec={rate:.2f}")


if __name__ == "__main__":
    main()
