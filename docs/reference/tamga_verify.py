#!/usr/bin/env python3
"""Reference verifier of Tamga receipt bundles, written from the documents alone.

    python3 docs/reference/tamga_verify.py BUNDLE --genesis genesis.json

Verifies a receipt bundle (docs/receipt-format.md) against a genesis file
(docs/wire-format.md §11.1) with the Python standard library only: borsh
decoding (wire-format §1-§2), the hashes (§3), Ed25519 under the ZIP-215 rule
with plain integers (§4), the validator-set chain and commit certificates
(§8, receipt-format §4 step 6), the transaction and receipt Merkle paths
(receipt-format §3) and the Jellyfish Merkle state proof (wire-format §15).

Exit status 0 and a JSON summary on stdout when the bundle is valid; exit
status 6 and `{"valid": false, "code": ..., "message": ...}` when it is not
(the codes of receipt-format §4); 1 when the genesis cannot be read
(`INVALID_GENESIS`).
"""

import datetime
import hashlib
import json
import sys

# ---------------------------------------------------------------- Ed25519 (§4)

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493  # group order ℓ
D = (-121665 * pow(121666, P - 2, P)) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)
IDENTITY = (0, 1, 1, 0)  # extended coordinates (X, Y, Z, T), x = X/Z, y = Y/Z, xy = T/Z


def _add(p, q):
    x1, y1, z1, t1 = p
    x2, y2, z2, t2 = q
    a = (y1 - x1) * (y2 - x2) % P
    b = (y1 + x1) * (y2 + x2) % P
    c = 2 * D * t1 * t2 % P
    d = 2 * z1 * z2 % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _mul(k, p):
    q = IDENTITY
    while k:
        if k & 1:
            q = _add(q, p)
        p = _add(p, p)
        k >>= 1
    return q


def _is_identity(p):
    x, y, z, _ = p
    return x % P == 0 and (y - z) % P == 0


def _decompress(b):
    """ZIP-215 point decoding: y is read mod p (non-canonical y >= p accepted),
    x = 0 with the sign bit set is accepted; None if no curve point has this y."""
    if len(b) != 32:
        return None
    v = int.from_bytes(b, "little")
    sign = v >> 255
    y = (v & ((1 << 255) - 1)) % P
    u = (y * y - 1) % P
    w = (D * y * y + 1) % P
    x2 = u * pow(w, P - 2, P) % P
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P != 0:
        return None
    if (x & 1) != sign:
        x = (P - x) % P
    return (x, y, 1, x * y % P)


_BY = 4 * pow(5, P - 2, P) % P
BASE = _decompress(_BY.to_bytes(32, "little"))


def zip215_verify(public_key, message, signature):
    """Ed25519 verification under ZIP-215 (wire-format §4): s < ℓ, A and R
    decode (non-canonical encodings accepted), and [8][s]B = [8]R + [8][k]A
    with k = SHA-512(R ‖ A ‖ M) mod ℓ over the encodings as given."""
    if len(public_key) != 32 or len(signature) != 64:
        return False
    a = _decompress(public_key)
    r = _decompress(signature[:32])
    s = int.from_bytes(signature[32:], "little")
    if a is None or r is None or s >= L:
        return False
    k = int.from_bytes(hashlib.sha512(signature[:32] + public_key + message).digest(), "little") % L
    neg = lambda p: ((P - p[0]) % P, p[1], p[2], (P - p[3]) % P)  # noqa: E731
    check = _add(_add(_mul(s, BASE), neg(r)), neg(_mul(k, a)))
    return _is_identity(_mul(8, check))


def _compress(p):
    x, y, z, _ = p
    zi = pow(z, P - 2, P)
    x, y = x * zi % P, y * zi % P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def public_key_of_seed(seed):
    """RFC 8032 public key of a 32-byte secret seed (used by the tests)."""
    h = hashlib.sha512(seed).digest()
    a = int.from_bytes(h[:32], "little")
    a &= (1 << 254) - 8
    a |= 1 << 254
    return _compress(_mul(a, BASE))


def sign(seed, message):
    """RFC 8032 signature (used by the tests to build certificates)."""
    h = hashlib.sha512(seed).digest()
    a = int.from_bytes(h[:32], "little")
    a &= (1 << 254) - 8
    a |= 1 << 254
    pk = _compress(_mul(a, BASE))
    r = int.from_bytes(hashlib.sha512(h[32:] + message).digest(), "little") % L
    rb = _compress(_mul(r, BASE))
    k = int.from_bytes(hashlib.sha512(rb + pk + message).digest(), "little") % L
    return rb + ((r + k * a) % L).to_bytes(32, "little")


# ---------------------------------------------------------------- hashing (§3)

ZERO = bytes(32)


def domain_hash(domain, *parts):
    h = hashlib.sha256(domain + b"\x00")
    for p in parts:
        h.update(p)
    return h.digest()


# ---------------------------------------------------------------- errors


class Invalid(Exception):
    """The bundle is invalid: `code` is the stable code of receipt-format §4."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


# ---------------------------------------------------------------- borsh (§1, §2)


class Reader:
    """Strict borsh reader over bytes; every length is checked against its
    bound before anything is read (wire-format §1-§2)."""

    def __init__(self, data):
        self.data = data
        self.pos = 0

    def take(self, n):
        if n < 0 or self.pos + n > len(self.data):
            raise Invalid("BUNDLE_MALFORMED", f"unexpected end of data at byte {self.pos} (need {n} more)")
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def uint(self, width):
        return int.from_bytes(self.take(width), "little")

    def u8(self):
        return self.uint(1)

    def u16(self):
        return self.uint(2)

    def u32(self):
        return self.uint(4)

    def u64(self):
        return self.uint(8)

    def bool(self):
        b = self.u8()
        if b > 1:
            raise Invalid("BUNDLE_MALFORMED", f"bool byte {b} at {self.pos - 1}")
        return b == 1

    def length(self, bound, what):
        n = self.u32()
        if bound is not None and n > bound:
            raise Invalid("BUNDLE_MALFORMED", f"{what}: length {n} over its bound {bound}")
        return n

    def string(self, bound=None, what="string"):
        raw = self.take(self.length(bound, what))
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise Invalid("BUNDLE_MALFORMED", f"{what}: invalid UTF-8") from None

    def option(self, read):
        tag = self.u8()
        if tag == 0:
            return None
        if tag == 1:
            return read()
        raise Invalid("BUNDLE_MALFORMED", f"option tag {tag} at {self.pos - 1}")

    def vec(self, read, bound=None, what="list"):
        return [read() for _ in range(self.length(bound, what))]

    def end(self):
        if self.pos != len(self.data):
            raise Invalid("BUNDLE_MALFORMED", f"{len(self.data) - self.pos} trailing bytes")


# Type grammar of the payloads (wire-format §6, §7). A type is a name from
# READERS, ("opt", T), ("list", T, bound), ("tuple", T...), ("str", bound),
# ("enum", [variants]) with each variant a list of field types, or a struct
# given as a list of field types.
SHORT, TEXT = ("str", 128), ("str", 1024)
DATE = ["u16", "u8", "u8"]
CERT_REF = [SHORT, SHORT]
UNIT = lambda n: ("enum", [[] for _ in range(n)])  # noqa: E731
RIGHT = [UNIT(7), TEXT]
RECORD_OBJECT = [UNIT(6), TEXT, ("opt", SHORT), ("opt", "hash")]
MINING_SITE = [UNIT(20), TEXT, "u64", "u32", "u64", UNIT(5), ("opt", SHORT), DATE]
ESCROW_ASSET = ("enum", [["u64", "u128"], ["u64"]])
PARAMETER_CHANGE = ("enum", [["u32"], ["u64"], ["bool"]])
PAYLOAD = ("enum", [
    [UNIT(2), "hash", ("opt", SHORT), ("list", ("tuple", "key", ("opt", CERT_REF)), 64)],  # 0 RegisterParty
    ["u64", UNIT(3), TEXT],  # 1 SetPartyStatus
    ["u64", "key", ("opt", CERT_REF)],  # 2 AddAccount
    ["key", UNIT(6)],  # 3 RevokeAccount
    [SHORT, SHORT, "u8", ("opt", "u128"), ("list", RIGHT, 64), "hash", TEXT, TEXT],  # 4 CreateClass
    ["u64", "key", "u128"],  # 5 Mint
    ["u64", "key", "u128"],  # 6 Transfer
    ["u64", "u128", "u32"],  # 7 Redeem
    ["u64", "key", ("opt", "u128"), TEXT],  # 8 Freeze
    ["u64", "key", ("opt", "u128"), TEXT],  # 9 Unfreeze
    ["u64", "bool", TEXT],  # 10 SetClassPaused
    ["u64", "key", "key", "u128", TEXT],  # 11 ForcedTransfer
    ["key", "key", TEXT],  # 12 RecoverAccount
    ["key", RECORD_OBJECT],  # 13 IssueRecord
    ["u64", "key"],  # 14 TransferRecord
    ["u64", UNIT(4), "key", TEXT],  # 15 Encumber
    ["u64", "u64"],  # 16 Release
    ["u64", UNIT(5)],  # 17 TerminateRecord
    ["key", "key", ESCROW_ASSET, "hash", "u64"],  # 18 CreateEscrow
    ["u64"],  # 19 ReleaseEscrow
    ["u64"],  # 20 RefundEscrow
    ["u64", TEXT],  # 21 DisputeEscrow
    ["u64", "bool", TEXT],  # 22 ResolveEscrow
    [UNIT(3), ("opt", "u64"), MINING_SITE],  # 23 SubmitMiningNotification
    ["u64", "bool", ("opt", TEXT)],  # 24 ReviewMiningNotification
    [UNIT(3), UNIT(2), DATE],  # 25 SubmitActivityNotification
    ["u64", "bool", ("opt", TEXT)],  # 26 ReviewActivityNotification
    [("list", ["key", "u64", "u64", ("opt", "key")], 64)],  # 27 UpdateValidators (key, power, operator, p2p_key)
    [PARAMETER_CHANGE],  # 28 SetParameter
])

READERS = {
    "u8": Reader.u8, "u16": Reader.u16, "u32": Reader.u32, "u64": Reader.u64,
    "u128": lambda r: r.uint(16), "bool": Reader.bool,
    "hash": lambda r: r.take(32), "key": lambda r: r.take(32),
}


def read_type(r, t):
    if isinstance(t, str):
        return READERS[t](r)
    if isinstance(t, list):
        return [read_type(r, f) for f in t]
    kind = t[0]
    if kind == "opt":
        return r.option(lambda: read_type(r, t[1]))
    if kind == "list":
        return r.vec(lambda: read_type(r, t[1]), t[2])
    if kind == "tuple":
        return [read_type(r, f) for f in t[1:]]
    if kind == "str":
        return r.string(t[1])
    if kind == "enum":
        index = r.u8()
        if index >= len(t[1]):
            raise Invalid("BUNDLE_MALFORMED", f"enum variant {index} of {len(t[1])} at byte {r.pos - 1}")
        return (index, [read_type(r, f) for f in t[1][index]])
    raise ValueError(f"unknown type {t!r}")


def read_signed_tx(r):
    """SignedTransaction (wire-format §5): its fields and its exact bytes."""
    start = r.pos
    chain_id = r.string(64, "chain_id")
    signer = r.take(32)
    nonce = r.u64()
    payload = read_type(r, PAYLOAD)
    r.option(lambda: r.string(256, "memo"))
    tx_end = r.pos
    signature = r.take(64)
    return {
        "chain_id": chain_id, "signer": signer, "nonce": nonce, "payload_index": payload[0],
        "tx_bytes": r.data[start:tx_end], "signature": signature, "bytes": r.data[start:r.pos],
    }


def read_receipt(r):
    """Receipt (wire-format §10) and its exact bytes."""
    start = r.pos
    tx_hash, height, index, time_ms = r.take(32), r.u64(), r.u32(), r.u64()
    tag = r.u8()
    if tag == 0:
        outcome = {"status": "success"}
    elif tag == 1:
        # Code and arguments only: a receipt holds no message (wire-format §10).
        outcome = {"status": "failed", "code": r.string(), "args": r.vec(lambda: [r.string(), r.string()])}
    else:
        raise Invalid("BUNDLE_MALFORMED", f"outcome tag {tag}")
    events = r.vec(lambda: {"kind": r.string(), "attributes": r.vec(lambda: [r.string(), r.string()])})
    return {"tx_hash": tx_hash, "height": height, "index": index, "block_time_ms": time_ms,
            "outcome": outcome, "events": events, "bytes": r.data[start:r.pos]}


HEADER_HASHES = ("parent_hash", "proposer", "tx_root", "evidence_root", "state_root",
                 "receipts_root", "validators_hash", "next_validators_hash")


def read_header(r):
    """BlockHeader (wire-format §9): 8 fixed 32-byte fields after the first four."""
    start = r.pos
    h = {"chain_id": r.string(64, "chain_id"), "height": r.u64(), "round": r.u32(), "time_ms": r.u64()}
    for name in HEADER_HASHES:
        h[name] = r.take(32)
    h["hash"] = domain_hash(b"TAMGA/BLOCK/v1", r.data[start:r.pos])
    return h


def read_vote_data(r):
    start = r.pos
    kind, height, rnd, block_hash = r.u8(), r.u64(), r.u32(), r.take(32)
    if kind > 1:
        raise Invalid("BUNDLE_MALFORMED", f"vote kind {kind}")
    return {"kind": kind, "height": height, "round": rnd, "block_hash": block_hash, "bytes": r.data[start:r.pos]}


def read_certificate(r):
    return {"data": read_vote_data(r), "signatures": r.vec(lambda: (r.u16(), r.take(64)), 256, "signatures")}


def read_validator_set(r):
    # (key, power, operator, p2p_key): wire-format §8
    return r.vec(lambda: (r.take(32), r.u64(), r.u64(), r.take(32)), 256, "validators")


def read_inclusion(r):
    return {"index": r.u32(), "leaf_count": r.u32(), "siblings": r.vec(lambda: r.take(32), 32, "siblings")}


MAX_BUNDLE_BYTES = 16 * 1024 * 1024
MAX_PROOF_BYTES = 64 * 1024


def decode_bundle(data):
    """ReceiptBundle (receipt-format §2)."""
    if len(data) > MAX_BUNDLE_BYTES:
        raise Invalid("BUNDLE_MALFORMED", f"{len(data)} bytes, at most {MAX_BUNDLE_BYTES}")
    if len(data) < 2 or int.from_bytes(data[:2], "little") != 3:
        got = int.from_bytes(data[:2], "little") if len(data) >= 2 else None
        raise Invalid("BUNDLE_VERSION_UNSUPPORTED", f"bundle version {got}, this verifier reads version 3")
    r = Reader(data)
    b = {"version": r.u16(), "genesis_hash": r.take(32), "tx": read_signed_tx(r), "receipt": read_receipt(r)}
    tag = r.u8()
    if tag == 0:
        b["genesis_index"] = r.u32()
    elif tag == 1:
        b["changes"] = r.vec(lambda: {"header": read_header(r), "certificate": read_certificate(r),
                                      "next_validators": read_validator_set(r)}, 4096, "validator_changes")
        b["header"] = read_header(r)
        b["certificate"] = read_certificate(r)
        b["inclusion"] = read_inclusion(r)
        b["receipt_inclusion"] = read_inclusion(r)
        value = r.option(lambda: r.take(r.length(MAX_PROOF_BYTES, "account value")))
        b["account"] = {"value": value, "proof": r.take(r.length(MAX_PROOF_BYTES, "account proof"))}
    else:
        raise Invalid("BUNDLE_MALFORMED", f"commitment tag {tag}")
    r.end()
    return b


# ---------------------------------------------------------------- genesis (§11)


def _u32(n):
    return n.to_bytes(4, "little")


def _u64(n):
    return n.to_bytes(8, "little")


def _string(s):
    b = s.encode("utf-8")
    return _u32(len(b)) + b


def _opt(v, enc):
    return b"\x00" if v is None else b"\x01" + enc(v)


def _hex32(s, field):
    s = s[2:] if s.startswith(("0x", "0X")) else s
    b = bytes.fromhex(s)
    if len(b) != 32:
        raise ValueError(f"{field}: {len(b)} bytes, expected 32")
    return b


def parse_rfc3339_ms(s):
    """`genesis_time` (wire-format §11.1): RFC 3339 with Z or ±HH:MM, at most ms."""
    dt = datetime.datetime.fromisoformat(s.upper().replace("Z", "+00:00"))
    if dt.tzinfo is None:
        raise ValueError(f"genesis_time {s!r} has no offset")
    if dt.microsecond % 1000:
        raise ValueError(f"genesis_time {s!r} is finer than milliseconds")
    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    return (dt - epoch) // datetime.timedelta(milliseconds=1)


PARTY_KINDS = {"individual": 0, "legal_entity": 1}
SCOPES = {"assets": 0, "mining": 1}
NETWORK_TYPES = {"centrally_distributed": 0, "decentralized": 1}


def load_genesis(path):
    """Reads genesis.json (the file format, wire-format §11.1) into what the
    verifier needs: chain id, time, the borsh hash, the validators, the parties'
    accounts and the transactions' bytes."""
    with open(path, "rb") as f:
        g = json.loads(f.read().decode("utf-8"))
    params = {
        "max_block_txs": 10000,
        "validator_change_delay": 2,
        "require_mining_notice": False,
        "min_validators": 4,
    }
    params.update(g.get("params", {}))
    out = _string(g["chain_id"]) + _u64(parse_rfc3339_ms(g["genesis_time"]))
    out += _hex32(g["regulation_hash"], "regulation_hash") + bytes([NETWORK_TYPES[g["network_type"]]])
    out += _u32(params["max_block_txs"]) + _u64(params["validator_change_delay"])
    out += bytes([1 if params["require_mining_notice"] else 0]) + _u32(params["min_validators"])
    parties = []
    out += _u32(len(g["parties"]))
    for i, p in enumerate(g["parties"]):
        if "id_commitment" in p:
            commitment = _hex32(p["id_commitment"], f"parties[{i}].id_commitment")
        else:  # dev-only identifier (wire-format §11.1)
            ident = p["identifier"]
            commitment = domain_hash(b"TAMGA/IDENT/v1", _hex32(ident["salt"], "salt"), ident["iin_bin"].encode())
        accounts = [_hex32(k, f"parties[{i}].accounts") for k in p["accounts"]]
        parties.append(accounts)
        out += bytes([PARTY_KINDS[p["kind"]]]) + commitment + _opt(p.get("display_name"), _string)
        out += _u32(len(accounts)) + b"".join(accounts)
        scopes = p.get("regulator_scopes", [])
        out += _u32(len(scopes)) + bytes(SCOPES[s] for s in scopes) + bytes([1 if p.get("issuer") else 0])
    validators = []
    out += _u32(len(g["validators"]))
    for i, v in enumerate(g["validators"]):
        key = _hex32(v["key"], f"validators[{i}].key")
        # wire-format §11.1: without p2p_key the consensus key is the p2p identity.
        p2p_key = _hex32(v["p2p_key"], f"validators[{i}].p2p_key") if "p2p_key" in v else key
        validators.append((key, v["power"], v["operator"], p2p_key))
        out += key + _u64(v["power"]) + _u64(v["operator"]) + _opt(v.get("p2p_address"), _string) + p2p_key
    txs = [bytes.fromhex(t[2:] if t.startswith(("0x", "0X")) else t) for t in g.get("transactions", [])]
    out += _u32(len(txs)) + b"".join(txs)
    return {
        "chain_id": g["chain_id"], "genesis_time_ms": parse_rfc3339_ms(g["genesis_time"]),
        "hash": domain_hash(b"TAMGA/GENESIS/v1", out), "validators": sorted(validators),
        "parties": parties, "transactions": txs,
    }


# ---------------------------------------------------------------- validator sets and certificates (§8)


def set_hash(validators):
    enc = _u32(len(validators)) + b"".join(k + _u64(p) + _u64(o) + p2p for k, p, o, p2p in validators)
    return domain_hash(b"TAMGA/VALSET/v1", enc)


def verify_commit(chain_id, validators, header, cert):
    """A commit certificate for `header` under `validators` (wire-format §8):
    CERTIFICATE_MISMATCH for another kind, block or height, or indices not
    strictly increasing; UNKNOWN_SIGNER for an index past the set's end;
    INSUFFICIENT_POWER; BAD_CERTIFICATE_SIGNATURE."""
    data = cert["data"]
    if data["kind"] != 1:
        raise Invalid("CERTIFICATE_MISMATCH", f"height {header['height']}: a prevote certificate, not a precommit")
    if data["block_hash"] != header["hash"] or data["height"] != header["height"]:
        raise Invalid("CERTIFICATE_MISMATCH", f"height {header['height']}: the certificate names another block")
    message = b"TAMGA/VOTE/v1\x00" + _string(chain_id) + data["bytes"]
    last, power, checks = None, 0, []
    for index, signature in cert["signatures"]:
        if last is not None and index <= last:
            raise Invalid("CERTIFICATE_MISMATCH", f"signer index {index} is out of order or repeated")
        last = index
        if index >= len(validators):
            raise Invalid("UNKNOWN_SIGNER", f"signer index {index}, the set has {len(validators)} validators")
        key, vpower = validators[index][:2]
        power += vpower
        checks.append((key, signature))
    total = sum(v[1] for v in validators)
    quorum = total * 2 // 3 + 1
    if power < quorum:
        raise Invalid("INSUFFICIENT_POWER", f"{power} signed, {quorum} needed")
    for key, signature in checks:
        if not zip215_verify(key, message, signature):
            raise Invalid("BAD_CERTIFICATE_SIGNATURE", f"signature by validator {key.hex()} does not verify")


def accept_header(chain_id, validators, header, cert):
    if header["chain_id"] != chain_id:
        raise Invalid("WRONG_CHAIN_ID", f"header at height {header['height']} is for chain {header['chain_id']}")
    if header["validators_hash"] != set_hash(validators):
        raise Invalid("UNKNOWN_VALIDATOR_SET", f"height {header['height']}: validators_hash names another set")
    verify_commit(chain_id, validators, header, cert)


# ---------------------------------------------------------------- Merkle paths (receipt-format §3)


def verify_inclusion(proof, leaf_input, root):
    index, n, siblings = proof["index"], proof["leaf_count"], proof["siblings"]
    if index >= n:
        return False
    node = domain_hash(b"TAMGA/TXLEAF/v1", leaf_input)
    k = 0
    while n > 1:
        if index % 2 == 1:
            if k >= len(siblings):
                return False
            node = domain_hash(b"TAMGA/TXNODE/v1", siblings[k], node)
            k += 1
        elif index + 1 < n:
            if k >= len(siblings):
                return False
            node = domain_hash(b"TAMGA/TXNODE/v1", node, siblings[k])
            k += 1
        index, n = index // 2, (n + 1) // 2
    return k == len(siblings) and node == root


# ---------------------------------------------------------------- JMT proofs (wire-format §15)

JMT_PLACEHOLDER = b"SPARSE_MERKLE_PLACEHOLDER_HASH__"


def _bit(h, i):
    return (h[i // 8] >> (7 - i % 8)) & 1


def verify_jmt(key_hash, value, proof_bytes, root):
    """jmt 0.12 `SparseMerkleProof<Sha256>` verification (wire-format §15)."""
    r = Reader(proof_bytes)
    leaf = r.option(lambda: (r.take(32), r.take(32)))
    siblings = []
    for _ in range(r.length(256, "siblings")):
        tag = r.u8()
        if tag == 0:
            siblings.append(JMT_PLACEHOLDER)
        elif tag == 1:
            siblings.append(hashlib.sha256(b"JMT::IntrnalNode" + r.take(32) + r.take(32)).digest())
        elif tag == 2:
            siblings.append(hashlib.sha256(b"JMT::LeafNode" + r.take(32) + r.take(32)).digest())
        else:
            raise Invalid("BAD_ACCOUNT_PROOF", f"sibling tag {tag}")
    r.end()
    if value is not None:
        if leaf is None:
            raise Invalid("BAD_ACCOUNT_PROOF", "a value is given but the proof proves absence")
        if leaf[0] != key_hash or leaf[1] != hashlib.sha256(value).digest():
            raise Invalid("BAD_ACCOUNT_PROOF", "the proof's leaf is not this key and value")
    elif leaf is not None:
        if leaf[0] == key_hash:
            raise Invalid("BAD_ACCOUNT_PROOF", "absence claimed but the proof's leaf is this key")
        common = next((i for i in range(256) if _bit(leaf[0], i) != _bit(key_hash, i)), 256)
        if common < len(siblings):
            raise Invalid("BAD_ACCOUNT_PROOF", "the proof's leaf does not cover this key")
    node = JMT_PLACEHOLDER if leaf is None else hashlib.sha256(b"JMT::LeafNode" + leaf[0] + leaf[1]).digest()
    n = len(siblings)
    for j, sibling in enumerate(siblings):  # bottom (j = 0) to root
        if _bit(key_hash, n - 1 - j):
            node = hashlib.sha256(b"JMT::IntrnalNode" + sibling + node).digest()
        else:
            node = hashlib.sha256(b"JMT::IntrnalNode" + node + sibling).digest()
    if node != root:
        raise Invalid("BAD_ACCOUNT_PROOF", "the proof does not lead to the block's state_root")


def decode_account(value, signer):
    """AccountState (receipt-format §2): the signer's key, its party, its status."""
    r = Reader(value)
    key, party = r.take(32), r.u64()
    status = r.u8()
    if status == 1:
        r.u64(), r.u8(), r.u64()
    elif status != 0:
        raise Invalid("BAD_ACCOUNT_PROOF", f"account status tag {status}")
    r.option(lambda: (r.string(128), r.string(128)))
    r.u64(), r.u64()
    r.end()
    if key != signer:
        raise Invalid("BAD_ACCOUNT_PROOF", f"the proven account is {key.hex()}, the signer is {signer.hex()}")
    return party, "active" if status == 0 else "revoked"


# ---------------------------------------------------------------- the algorithm (receipt-format §4)


def verify_bundle(data, genesis):
    b = decode_bundle(data)  # step 1
    if b["genesis_hash"] != genesis["hash"]:  # step 2
        raise Invalid("GENESIS_MISMATCH", f"bundle for genesis {b['genesis_hash'].hex()}, "
                                          f"the file hashes to {genesis['hash'].hex()}")
    tx, receipt = b["tx"], b["receipt"]
    if tx["chain_id"] != genesis["chain_id"]:  # step 3
        raise Invalid("WRONG_CHAIN_ID", f"transaction for chain {tx['chain_id']}, genesis {genesis['chain_id']}")
    if not zip215_verify(tx["signer"], b"TAMGA/TX/v1\x00" + tx["tx_bytes"], tx["signature"]):
        raise Invalid("BAD_TX_SIGNATURE", "the transaction signature does not verify")
    tx_hash = domain_hash(b"TAMGA/TXID/v1", tx["bytes"])
    if receipt["tx_hash"] != tx_hash:  # step 4
        raise Invalid("RECEIPT_MISMATCH", "the receipt is for another transaction")
    result = {"valid": True, "tx_hash": tx_hash.hex(), "chain_id": genesis["chain_id"],
              "signer": tx["signer"].hex(), "nonce": tx["nonce"], "outcome": receipt["outcome"]}

    def field(name, got, want):
        if got != want:
            raise Invalid("RECEIPT_MISMATCH", f"receipt {name} {got}, certified {want}")

    if "genesis_index" in b:  # step 5
        i = b["genesis_index"]
        if i >= len(genesis["transactions"]) or genesis["transactions"][i] != tx["bytes"]:
            raise Invalid("NOT_IN_GENESIS", f"genesis transaction {i} is not this one")
        field("height", receipt["height"], 0)
        field("index", receipt["index"], i)
        field("block_time_ms", receipt["block_time_ms"], genesis["genesis_time_ms"])
        if receipt["outcome"]["status"] != "success":
            raise Invalid("RECEIPT_NOT_CERTIFIED", f"genesis transaction {i} has a failed receipt")
        party = next((n + 1 for n, acc in enumerate(genesis["parties"]) if tx["signer"] in acc), None)
        result.update({"height": 0, "index": i, "party": party, "events_certified": False})
        return result

    header = b["header"]  # step 6
    validators, last = genesis["validators"], 0
    for position, change in enumerate(b["changes"]):
        ch = change["header"]
        if ch["height"] >= header["height"]:
            raise Invalid("VALIDATOR_CHAIN_BROKEN", f"change {position} at height {ch['height']} is not below the block")
        if ch["next_validators_hash"] == ch["validators_hash"]:
            raise Invalid("VALIDATOR_CHAIN_BROKEN", f"change {position} at height {ch['height']} changes nothing")
        if ch["height"] <= last:
            raise Invalid("VALIDATOR_CHAIN_BROKEN", f"change {position} at height {ch['height']} is not after {last}")
        accept_header(genesis["chain_id"], validators, ch, change["certificate"])
        if set_hash(change["next_validators"]) != ch["next_validators_hash"]:
            raise Invalid("VALIDATOR_CHAIN_BROKEN", f"change {position}: the next set is not the certified one")
        validators, last = change["next_validators"], ch["height"]
    if header["height"] <= last:  # step 7
        raise Invalid("VALIDATOR_CHAIN_BROKEN", f"block {header['height']} is not after the last change")
    accept_header(genesis["chain_id"], validators, header, b["certificate"])
    if header["next_validators_hash"] != header["validators_hash"]:
        raise Invalid("VALIDATOR_CHAIN_BROKEN", f"block {header['height']} changes the set and the bundle "
                                                "does not carry the next one")
    inclusion = b["inclusion"]
    if not verify_inclusion(inclusion, tx_hash, header["tx_root"]):  # step 8
        raise Invalid("NOT_IN_BLOCK", f"the transaction's path does not lead to block {header['height']}'s tx_root")
    field("height", receipt["height"], header["height"])  # step 9
    field("index", receipt["index"], inclusion["index"])
    field("block_time_ms", receipt["block_time_ms"], header["time_ms"])
    ri = b["receipt_inclusion"]  # step 9a
    if (ri["index"], ri["leaf_count"]) != (inclusion["index"], inclusion["leaf_count"]) or not verify_inclusion(
            ri, domain_hash(b"TAMGA/RECEIPT/v1", receipt["bytes"]), header["receipts_root"]):
        raise Invalid("RECEIPT_NOT_CERTIFIED", f"the receipt's path does not lead to block "
                                               f"{header['height']}'s receipts_root")
    account = b["account"]  # step 10
    key_hash = hashlib.sha256(b"A" + tx["signer"]).digest()
    try:
        verify_jmt(key_hash, account["value"], account["proof"], header["state_root"])
        if account["value"] is None:
            party = next((n + 1 for n, acc in enumerate(genesis["parties"]) if tx["signer"] in acc), None)
            status = None
        else:
            party, status = decode_account(account["value"], tx["signer"])
    except Invalid as e:  # a proof or an entry that does not decode is a bad proof, not a bad bundle
        raise Invalid("BAD_ACCOUNT_PROOF", str(e)) from None
    signed = [validators[i] for i, _ in b["certificate"]["signatures"]]
    result.update({
        "height": header["height"], "index": inclusion["index"], "block_time_ms": header["time_ms"],
        "block_hash": header["hash"].hex(), "party": party, "account_status": status,
        "certified_by": [{"key": k.hex(), "power": p, "operator": o} for k, p, o, _ in signed],
        "signed_power": sum(v[1] for v in signed), "total_power": sum(v[1] for v in validators),
        "validator_changes": len(b["changes"]), "events": receipt["events"], "events_certified": True,
    })
    return result


def main(argv):
    args = argv[1:]
    if len(args) != 3 or args[1] != "--genesis":
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    try:
        genesis = load_genesis(args[2])
    except (OSError, ValueError, KeyError, TypeError) as e:
        print(json.dumps({"valid": False, "code": "INVALID_GENESIS", "message": f"{args[2]}: {e}"}))
        return 1
    with open(args[0], "rb") as f:
        data = f.read(MAX_BUNDLE_BYTES + 1)
    try:
        result = verify_bundle(data, genesis)
    except Invalid as e:
        print(json.dumps({"valid": False, "code": e.code, "message": str(e)}))
        return 6
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
