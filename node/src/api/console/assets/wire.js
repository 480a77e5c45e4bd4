// The bytes Tamga signs, built in the browser exactly as docs/wire-format.md
// defines them: borsh (§1) with the bounds of §2, domain-tagged SHA-256
// (§3), plain RFC 8032 Ed25519 (§4), transactions (§5), payloads (§6),
// nested types (§7), and the signed API request digest (docs/api.md,
// "Signed requests"). The input is the JSON (serde) form of §13, the one the
// node's API shows; JSON is never signed, only the borsh bytes built here.
//
// Ed25519 and SHA-2 come from the vendored @noble/ed25519 and @noble/hashes
// (vendor/MANIFEST.json pins their versions and file hashes).

import * as ed from './vendor/noble-ed25519/index.js';
import { sha256, sha512 } from './vendor/noble-hashes/sha2.js';

ed.hashes.sha512 = sha512;

/** A value that does not fit the wire format; `field` names it. */
export class WireError extends Error {
  constructor(field, expected, got) {
    super(`${field}: expected ${expected}, got ${JSON.stringify(got)}`);
    this.name = 'WireError';
    this.field = field;
    this.expected = expected;
    this.got = got;
  }
}

const enc = new TextEncoder();

// §2: the bounds, in bytes (strings) or items (lists).
const BOUND = { chain_id: 64, memo: 256, short: 128, text: 1024, terms: 8192, list: 64 };
const MAX_TX_BYTES = 16384;

// §7: unit enums, JSON name → variant index (declaration order).
const ENUMS = {
  party_kind: ['individual', 'legal_entity'],
  party_status: ['active', 'suspended', 'revoked'],
  revocation_reason: ['holder_request', 'false_information', 'death', 'change_of_name',
    'reorganisation_or_liquidation', 'court_decision'],
  right_kind: ['goods', 'services', 'share', 'bond', 'vote', 'dividend', 'financial_instrument'],
  object_kind: ['thing', 'goods', 'raw_resource', 'claim', 'digital_object', 'other'],
  encumbrance_kind: ['pledge', 'lien', 'arrest', 'other'],
  termination_reason: ['redeemed', 'expired', 'object_lost', 'court_decision', 'other'],
  region: ['astana', 'almaty_city', 'shymkent', 'abai', 'akmola', 'aktobe', 'almaty', 'atyrau',
    'east_kazakhstan', 'jambyl', 'jetisu', 'karaganda', 'kostanay', 'kyzylorda', 'mangystau',
    'north_kazakhstan', 'pavlodar', 'turkistan', 'ulytau', 'west_kazakhstan'],
  energy_source: ['grid', 'own_generation', 'renewable', 'associated_gas', 'other'],
  mining_notification_kind: ['start', 'change', 'termination'],
  activity: ['issuance', 'trading_organisation', 'exchange'],
  activity_phase: ['start', 'termination'],
};

// §7: structs, fields in order.
const STRUCTS = {
  certificate_ref: [['issuer', 'short'], ['serial', 'short']],
  right: [['kind', 'right_kind'], ['description', 'text']],
  record_object: [['kind', 'object_kind'], ['description', 'text'], ['external_ref', 'opt short'],
    ['document_hash', 'opt hash']],
  mining_site: [['region', 'region'], ['address', 'text'], ['capacity_kw', 'u64'], ['units', 'u32'],
    ['hashrate_ths', 'u64'], ['energy', 'energy_source'], ['pool', 'opt short'], ['start_date', 'date']],
  date: [['year', 'u16'], ['month', 'u8'], ['day', 'u8']],
  validator_update: [['key', 'key'], ['power', 'u64'], ['operator', 'u64']],
};

// §7: externally tagged enums with fields: JSON key → [index, fields].
const TAGGED = {
  escrow_asset: { tokens: [0, [['class', 'u64'], ['amount', 'u128']]], record: [1, [['record', 'u64']]] },
};
// §7 ParameterChange: {"name": value}.
const PARAMETER_CHANGE = { max_block_txs: [0, 'u32'], validator_change_delay: [1, 'u64'],
  require_mining_notice: [2, 'bool'], min_validators: [3, 'u32'] };

// §6: payload variants, JSON `type` → [index, fields in order].
const PAYLOADS = {
  register_party: [0, [['kind', 'party_kind'], ['id_commitment', 'hash'], ['display_name', 'opt short'],
    ['accounts', 'list account']]],
  set_party_status: [1, [['party', 'u64'], ['status', 'party_status'], ['legal_basis', 'text']]],
  add_account: [2, [['party', 'u64'], ['key', 'key'], ['certificate', 'opt certificate_ref']]],
  revoke_account: [3, [['key', 'key'], ['reason', 'revocation_reason']]],
  create_class: [4, [['symbol', 'short'], ['name', 'short'], ['decimals', 'u8'], ['supply_cap', 'opt u128'],
    ['rights', 'list right'], ['document_hash', 'hash'], ['document_uri', 'text'], ['redemption_terms', 'text']]],
  mint: [5, [['class', 'u64'], ['to', 'key'], ['amount', 'u128']]],
  transfer: [6, [['class', 'u64'], ['to', 'key'], ['amount', 'u128']]],
  redeem: [7, [['class', 'u64'], ['amount', 'u128'], ['right', 'u32']]],
  freeze: [8, [['class', 'u64'], ['holder', 'key'], ['amount', 'opt u128'], ['legal_basis', 'text']]],
  unfreeze: [9, [['class', 'u64'], ['holder', 'key'], ['amount', 'opt u128'], ['legal_basis', 'text']]],
  set_class_paused: [10, [['class', 'u64'], ['paused', 'bool'], ['legal_basis', 'text']]],
  forced_transfer: [11, [['class', 'u64'], ['from', 'key'], ['to', 'key'], ['amount', 'u128'], ['legal_basis', 'text']]],
  recover_account: [12, [['from', 'key'], ['to', 'key'], ['legal_basis', 'text']]],
  issue_record: [13, [['holder', 'key'], ['object', 'record_object']]],
  transfer_record: [14, [['record', 'u64'], ['to', 'key']]],
  encumber: [15, [['record', 'u64'], ['kind', 'encumbrance_kind'], ['beneficiary', 'key'], ['legal_basis', 'text']]],
  release: [16, [['record', 'u64'], ['encumbrance', 'u64']]],
  terminate_record: [17, [['record', 'u64'], ['reason', 'termination_reason']]],
  create_escrow: [18, [['payee', 'key'], ['arbiter', 'key'], ['asset', 'escrow_asset'], ['terms_hash', 'hash'],
    ['deadline_height', 'u64']]],
  release_escrow: [19, [['escrow', 'u64']]],
  refund_escrow: [20, [['escrow', 'u64']]],
  dispute_escrow: [21, [['escrow', 'u64'], ['reason', 'text']]],
  resolve_escrow: [22, [['escrow', 'u64'], ['to_payee', 'bool'], ['reason', 'text']]],
  submit_mining_notification: [23, [['kind', 'mining_notification_kind'], ['previous', 'opt u64'],
    ['site', 'mining_site']]],
  review_mining_notification: [24, [['notification', 'u64'], ['accept', 'bool'], ['reason', 'opt text']]],
  submit_activity_notification: [25, [['activity', 'activity'], ['phase', 'activity_phase'], ['date', 'date']]],
  review_activity_notification: [26, [['notification', 'u64'], ['accept', 'bool'], ['reason', 'opt text']]],
  update_validators: [27, [['updates', 'list validator_update']]],
  set_parameter: [28, [['change', 'parameter_change']]],
  lift_restriction: [29, [['restriction', 'u64'], ['legal_basis', 'text']]],
  close_class: [30, [['class', 'u64'], ['legal_basis', 'text']]],
  publish_terms: [31, [['text', 'terms']]],
};

const WIDTH = { u8: 1, u16: 2, u32: 4, u64: 8, u128: 16 };

/** Lower-case hex of bytes. */
export function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Bytes of hex (§13: upper case and a `0x` prefix accepted); `len` bytes exactly. */
export function fromHex(s, len, field) {
  if (typeof s !== 'string') throw new WireError(field, `${len * 2} hex digits`, s);
  const h = s.startsWith('0x') || s.startsWith('0X') ? s.slice(2) : s;
  if (h.length !== len * 2 || !/^[0-9a-fA-F]*$/.test(h)) throw new WireError(field, `${len * 2} hex digits`, s);
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** A growing byte buffer with the borsh primitives of §1. */
class Writer {
  constructor() { this.parts = []; this.len = 0; }
  bytes(b) { this.parts.push(b); this.len += b.length; }
  uint(v, width, field) {
    let n;
    try {
      n = typeof v === 'bigint' ? v : (typeof v === 'number' && Number.isSafeInteger(v)) || (typeof v === 'string' && /^[0-9]+$/.test(v)) ? BigInt(v) : null;
    } catch (_) { n = null; }
    if (n === null || n < 0n || n >= (1n << BigInt(8 * width))) {
      throw new WireError(field, `an unsigned ${8 * width}-bit integer`, typeof v === 'bigint' ? v.toString() : v);
    }
    const b = new Uint8Array(width);
    for (let i = 0; i < width; i++) { b[i] = Number(n & 0xffn); n >>= 8n; }
    this.bytes(b);
  }
  string(s, bound, field) {
    if (typeof s !== 'string') throw new WireError(field, `a string of at most ${bound} bytes`, s);
    const b = enc.encode(s);
    if (b.length > bound) throw new WireError(field, `at most ${bound} UTF-8 bytes`, `${b.length} bytes`);
    this.uint(b.length, 4, field);
    this.bytes(b);
  }
  finish() {
    const out = new Uint8Array(this.len);
    let at = 0;
    for (const p of this.parts) { out.set(p, at); at += p.length; }
    return out;
  }
}

function fields(w, obj, list, at) {
  if (obj === null || typeof obj !== 'object') throw new WireError(at, 'an object', obj);
  for (const [name, type] of list) write(w, obj[name], type, `${at}.${name}`);
}

function write(w, v, type, field) {
  if (type.startsWith('opt ')) {
    if (v === null || v === undefined) { w.bytes(Uint8Array.of(0)); return; }
    w.bytes(Uint8Array.of(1));
    write(w, v, type.slice(4), field);
    return;
  }
  if (type.startsWith('list ')) {
    if (!Array.isArray(v) || v.length > BOUND.list) throw new WireError(field, `a list of at most ${BOUND.list} items`, v);
    w.uint(v.length, 4, field);
    v.forEach((item, i) => write(w, item, type.slice(5), `${field}[${i}]`));
    return;
  }
  if (WIDTH[type]) { w.uint(v, WIDTH[type], field); return; }
  switch (type) {
    case 'bool':
      if (typeof v !== 'boolean') throw new WireError(field, 'true or false', v);
      w.bytes(Uint8Array.of(v ? 1 : 0));
      return;
    case 'key': case 'hash': w.bytes(fromHex(v, 32, field)); return;
    case 'short': w.string(v, BOUND.short, field); return;
    case 'text': w.string(v, BOUND.text, field); return;
    case 'terms': w.string(v, BOUND.terms, field); return;
    case 'account': // (key, Option<CertificateRef>), a JSON pair
      if (!Array.isArray(v) || v.length !== 2) throw new WireError(field, '[key, certificate or null]', v);
      write(w, v[0], 'key', `${field}[0]`);
      write(w, v[1], 'opt certificate_ref', `${field}[1]`);
      return;
    case 'parameter_change': {
      const keys = v && typeof v === 'object' ? Object.keys(v) : [];
      const spec = keys.length === 1 ? PARAMETER_CHANGE[keys[0]] : undefined;
      if (!spec) throw new WireError(field, `one of ${Object.keys(PARAMETER_CHANGE).join(', ')}`, v);
      w.bytes(Uint8Array.of(spec[0]));
      write(w, v[keys[0]], spec[1], `${field}.${keys[0]}`);
      return;
    }
    default:
  }
  if (ENUMS[type]) {
    const i = ENUMS[type].indexOf(v);
    if (i < 0) throw new WireError(field, `one of ${ENUMS[type].join(', ')}`, v);
    w.bytes(Uint8Array.of(i));
    return;
  }
  if (STRUCTS[type]) { fields(w, v, STRUCTS[type], field); return; }
  if (TAGGED[type]) {
    const keys = v && typeof v === 'object' ? Object.keys(v) : [];
    const spec = keys.length === 1 ? TAGGED[type][keys[0]] : undefined;
    if (!spec) throw new WireError(field, `one of ${Object.keys(TAGGED[type]).join(', ')}`, v);
    w.bytes(Uint8Array.of(spec[0]));
    fields(w, v[keys[0]], spec[1], `${field}.${keys[0]}`);
    return;
  }
  throw new WireError(field, 'a known wire type', type);
}

/** §6: borsh(Payload) of its JSON form `{"type": …, …}`. */
export function encodePayload(p) {
  const spec = p && PAYLOADS[p.type];
  if (!spec) throw new WireError('payload.type', `one of ${Object.keys(PAYLOADS).join(', ')}`, p && p.type);
  const w = new Writer();
  w.bytes(Uint8Array.of(spec[0]));
  fields(w, p, spec[1], 'payload');
  return w.finish();
}

/** §5: borsh(Transaction) of `{chain_id, signer, nonce, payload, memo}`. */
export function encodeTransaction(tx) {
  const w = new Writer();
  w.string(tx.chain_id, BOUND.chain_id, 'chain_id');
  write(w, tx.signer, 'key', 'signer');
  write(w, tx.nonce, 'u64', 'nonce');
  w.bytes(encodePayload(tx.payload));
  if (tx.memo === null || tx.memo === undefined) {
    w.bytes(Uint8Array.of(0));
  } else {
    w.bytes(Uint8Array.of(1));
    w.string(tx.memo, BOUND.memo, 'memo');
  }
  return w.finish();
}

function concat(...parts) {
  const w = new Writer();
  for (const p of parts) w.bytes(p);
  return w.finish();
}

/** §3: `domain ‖ 0x00 ‖ data`. */
function tagged(domain, data) {
  return concat(enc.encode(domain), Uint8Array.of(0), data);
}

/** §5: the message a transaction's signer signs (not hashed). */
export function signingMessage(txBytes) {
  return tagged('TAMGA/TX/v1', txBytes);
}

/** §4: the public key of a 32-byte seed. */
export function publicKey(seed) {
  return ed.getPublicKey(seed);
}

/**
 * §5: signs the transaction `tx` (JSON form; its `signer` must be the seed's
 * public key) and returns `{bytes, hash, message}`: the SignedTransaction's
 * bytes, its id (hex) and the signing message.
 */
export function signTransaction(tx, seed) {
  const pk = toHex(publicKey(seed));
  const signer = typeof tx.signer === 'string' ? tx.signer.toLowerCase().replace(/^0x/, '') : tx.signer;
  if (signer !== pk) throw new WireError('signer', `the loaded key ${pk}`, tx.signer);
  const body = encodeTransaction(tx);
  const message = signingMessage(body);
  const signature = ed.sign(message, seed);
  const bytes = concat(body, signature);
  if (bytes.length > MAX_TX_BYTES) throw new WireError('transaction', `at most ${MAX_TX_BYTES} bytes`, `${bytes.length} bytes`);
  return { bytes, hash: toHex(sha256(tagged('TAMGA/TXID/v1', bytes))), message };
}

/** §5: the id (hex) of signed transaction bytes. */
export function txHash(bytes) {
  return toHex(sha256(tagged('TAMGA/TXID/v1', bytes)));
}

/**
 * docs/api.md, signed requests: the four headers that sign `method
 * pathAndQuery` with `body` (bytes; empty for a GET) for the chain
 * `chainId` and the node `nodeKey` (hex) at `timeMs`.
 */
export function requestHeaders(seed, chainId, nodeKey, method, pathAndQuery, timeMs, body) {
  const w = new Writer();
  w.string(chainId, Number.MAX_SAFE_INTEGER, 'chain_id');
  w.bytes(fromHex(nodeKey, 32, 'node_key'));
  w.string(method.toUpperCase(), Number.MAX_SAFE_INTEGER, 'method');
  w.string(pathAndQuery, Number.MAX_SAFE_INTEGER, 'path_and_query');
  w.uint(timeMs, 8, 'time_ms');
  w.bytes(sha256(body || new Uint8Array(0)));
  const digest = sha256(tagged('TAMGA/REQUEST/v2', w.finish()));
  return {
    'x-tamga-request-version': '2',
    'x-tamga-key': toHex(publicKey(seed)),
    'x-tamga-time': String(timeMs),
    'x-tamga-signature': toHex(ed.sign(digest, seed)),
  };
}
