#!/usr/bin/env python3
"""Tests of the reference verifier (tamga_verify.py), standard library only:

    python3 docs/reference/test_tamga_verify.py

* ZIP-215's edge set (wire-format §4): every pair (A, R) of the 14 encodings of
  small-order points (8 canonical, 2 negative zeros, 4 with y >= p), with s = 0
  (two messages) and s = 1: 392 of the 588 verify, exactly the count the nodes'
  verifier accepts (`types/src/crypto.rs`,
  `verdicts_equal_ed25519_consensus_on_the_zip215_edge_set`). A common Ed25519
  package refuses many of these; a verifier that must agree with the nodes may not.
* A non-canonical s (s + ℓ) is refused; the key y = p with (R = identity, s = 0)
  verifies every message, as the nodes' verifier does.
* The golden fixtures of `types/tests/golden/` (wire-format §12): the transfer
  fixture's signature and id, the validator set hash of the fixture keys and
  the commit certificate over `block_header.hex`, and that each broken
  certificate gets its code.
"""

import hashlib
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
ROOT = os.path.dirname(os.path.dirname(HERE))

import tamga_verify as tv  # noqa: E402

CANONICAL_SMALL_ORDER = [bytes.fromhex(h) for h in [
    "0100000000000000000000000000000000000000000000000000000000000000",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0000000000000000000000000000000000000000000000000000000000000080",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
]]
Y_IS_P = bytes.fromhex("ed" + "ff" * 30 + "7f")
Y_IS_P_PLUS_1 = bytes.fromhex("ee" + "ff" * 30 + "7f")


def golden(name):
    with open(os.path.join(ROOT, "types", "tests", "golden", name + ".hex")) as f:
        return bytes.fromhex(f.read().strip())


def edge_encodings():
    out = []
    for p in CANONICAL_SMALL_ORDER + [Y_IS_P, Y_IS_P_PLUS_1]:
        for sign in (0, 0x80):
            e = p[:31] + bytes([(p[31] & 0x7F) | sign])
            if e not in out:
                out.append(e)
    return out


class Zip215(unittest.TestCase):
    def test_the_edge_set_gives_the_nodes_verdicts(self):
        encodings = edge_encodings()
        self.assertEqual(len(encodings), 14)
        cases = accepted = 0
        for a in encodings:
            for r in encodings:
                for s0, msg in ((0, b"Zcash"), (0, b"tamga"), (1, b"Zcash")):
                    sig = r + bytes([s0]) + bytes(31)
                    ok = tv.zip215_verify(a, msg, sig)
                    self.assertEqual(ok, s0 == 0, f"A={a.hex()} R={r.hex()} s={s0}")
                    cases += 1
                    accepted += ok
        self.assertEqual((cases, accepted), (14 * 14 * 3, 14 * 14 * 2))

    def test_non_canonical_s_is_refused(self):
        seed = bytes([9]) * 32
        sig = tv.sign(seed, b"m")
        pk = tv.public_key_of_seed(seed)
        self.assertTrue(tv.zip215_verify(pk, b"m", sig))
        s = int.from_bytes(sig[32:], "little") + tv.L
        self.assertFalse(tv.zip215_verify(pk, b"m", sig[:32] + s.to_bytes(32, "little")))

    def test_y_equal_p_keys_verify_the_forged_signature(self):
        forged = bytes([1]) + bytes(63)  # R = identity, s = 0
        for enc in (Y_IS_P, Y_IS_P_PLUS_1):
            for sign in (0, 0x80):
                key = enc[:31] + bytes([enc[31] | sign])
                self.assertTrue(tv.zip215_verify(key, b"any message", forged), key.hex())

    def test_ordinary_signatures_and_their_corruptions(self):
        for i in range(32):
            seed, msg = bytes([i]) * 32, bytes([i]) * 40
            pk, sig = tv.public_key_of_seed(seed), tv.sign(seed, msg)
            self.assertTrue(tv.zip215_verify(pk, msg, sig))
            bad = bytearray(sig)
            bad[i % 64] ^= 1 << (i % 8)
            self.assertFalse(tv.zip215_verify(pk, msg, bytes(bad)), i)

    def test_a_key_that_is_no_point_is_refused(self):
        # y = 2 has no x on the curve.
        key = (2).to_bytes(32, "little")
        self.assertIsNone(tv._decompress(key))
        self.assertFalse(tv.zip215_verify(key, b"m", bytes(64)))


class GoldenFixtures(unittest.TestCase):
    def test_the_transfer_fixture(self):
        signed = golden("tx_transfer")
        r = tv.Reader(signed)
        tx = tv.read_signed_tx(r)
        r.end()
        self.assertEqual(tx["signer"], tv.public_key_of_seed(bytes([1]) * 32))
        message = b"TAMGA/TX/v1\x00" + tx["tx_bytes"]
        self.assertEqual(message, golden("tx_transfer_signing_message"))
        self.assertTrue(tv.zip215_verify(tx["signer"], message, tx["signature"]))
        self.assertEqual(tv.sign(bytes([1]) * 32, message), tx["signature"])  # deterministic (RFC 8032)
        self.assertEqual(tv.domain_hash(b"TAMGA/TXID/v1", signed), golden("tx_transfer_hash"))

    def test_every_transaction_fixture_decodes(self):
        for name in ("tx_transfer", "tx_register_party", "tx_mining_notification", "tx_update_validators"):
            r = tv.Reader(golden(name))
            tx = tv.read_signed_tx(r)
            r.end()
            self.assertTrue(tv.zip215_verify(tx["signer"], b"TAMGA/TX/v1\x00" + tx["tx_bytes"], tx["signature"]))

    def fixture_set(self):
        # wire-format §12: validators of key seeds [10; 32] … [13; 32], power 10, operator 1,
        # p2p keys of seeds [30; 32] … [33; 32].
        return sorted((tv.public_key_of_seed(bytes([n]) * 32), 10, 1, tv.public_key_of_seed(bytes([n + 20]) * 32))
                      for n in range(10, 14))

    def header_and_certificate(self):
        r = tv.Reader(golden("block_header"))
        header = tv.read_header(r)
        r.end()
        r = tv.Reader(golden("commit_certificate"))
        cert = tv.read_certificate(r)
        r.end()
        return header, cert

    def test_the_validator_set_and_commit_certificate_fixtures(self):
        validators = self.fixture_set()
        self.assertEqual(tv.set_hash(validators), golden("validator_set_hash"))
        header, cert = self.header_and_certificate()
        self.assertEqual(header["hash"], golden("block_hash"))
        self.assertEqual(b"TAMGA/VOTE/v1\x00" + tv._string("tamga-golden") + cert["data"]["bytes"],
                         golden("vote_signing_message"))
        tv.verify_commit("tamga-golden", validators, header, cert)

    def test_each_broken_certificate_gets_its_code(self):
        validators = self.fixture_set()

        def code(mutate):
            header, cert = self.header_and_certificate()
            mutate(header, cert)
            with self.assertRaises(tv.Invalid) as e:
                tv.verify_commit("tamga-golden", validators, header, cert)
            return e.exception.code

        def bad_signature(h, c):
            i, s = c["signatures"][1]
            c["signatures"][1] = (i, s[:40] + bytes([s[40] ^ 1]) + s[41:])

        def out_of_range(h, c):
            i, s = c["signatures"][2]
            c["signatures"][2] = (4, s)

        def repeated(h, c):
            c["signatures"][1] = c["signatures"][0]

        def too_few(h, c):
            del c["signatures"][2]

        def other_block(h, c):
            h["hash"] = hashlib.sha256(h["hash"]).digest()

        self.assertEqual(code(bad_signature), "BAD_CERTIFICATE_SIGNATURE")
        self.assertEqual(code(out_of_range), "UNKNOWN_SIGNER")
        self.assertEqual(code(repeated), "CERTIFICATE_MISMATCH")
        self.assertEqual(code(too_few), "INSUFFICIENT_POWER")
        self.assertEqual(code(other_block), "CERTIFICATE_MISMATCH")


if __name__ == "__main__":
    unittest.main(verbosity=2)
