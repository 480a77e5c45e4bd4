// Key files in the browser: the two formats `tamga keys new|import` write
// (client/src/keyfile.rs). Plain: the 32-byte seed as 64 hex digits.
// Encrypted: a JSON document whose seed is sealed with ChaCha20-Poly1305
// (RFC 8439) under a key derived by Argon2id (RFC 9106), the additional data
// being "TAMGA/KEYFILE/v1" ‖ address. The seed is returned to the caller,
// which keeps it in memory only; nothing here stores or sends it.
//
// Argon2id comes from the vendored @noble/hashes, ChaCha20-Poly1305 from
// @noble/ciphers (vendor/MANIFEST.json).

import { argon2idAsync } from './vendor/noble-hashes/argon2.js';
import { chacha20poly1305 } from './vendor/noble-ciphers/chacha.js';
import { fromHex, publicKey, toHex } from './wire.js';

/** Why a key file cannot be used; `code` keys the console's message. */
export class KeyFileError extends Error {
  constructor(code, detail) {
    super(`${code}: ${detail}`);
    this.name = 'KeyFileError';
    this.code = code;
    this.detail = detail;
  }
}

// The bounds the CLI accepts from a file (KdfParams::check), so that a
// hostile file cannot make the page allocate without limit.
const MAX_M_COST_KIB = 2 * 1024 * 1024;
const MAX_T_COST = 64;
const MAX_P_COST = 16;
const AAD_DOMAIN = new TextEncoder().encode('TAMGA/KEYFILE/v1');
const LARGEST_FILE = 4096;

function format(detail) {
  return new KeyFileError('KEY_FILE_FORMAT', detail);
}

function hexField(v, len, field) {
  try {
    return fromHex(v, len, field);
  } catch (e) {
    throw format(e.message);
  }
}

function intField(v, field, lo, hi) {
  if (!Number.isSafeInteger(v) || v < lo || v > hi) throw format(`${field}: expected ${lo}..=${hi}, got ${JSON.stringify(v)}`);
  return v;
}

/**
 * Parses a key file's text. Returns `{encrypted, address}` plus, for a plain
 * file, `seed`; for an encrypted one, `open(passphrase)`.
 */
export function parseKeyFile(text) {
  if (typeof text !== 'string' || text.length > LARGEST_FILE) {
    throw format(`a key file is at most ${LARGEST_FILE} bytes`);
  }
  const t = text.trim();
  if (!t.startsWith('{')) {
    if (!/^[0-9a-fA-F]{64}$/.test(t)) {
      throw format('expected 64 hex characters of an ed25519 seed, or an encrypted tamga-key JSON document');
    }
    const seed = fromHex(t, 32, 'seed');
    return { encrypted: false, address: toHex(publicKey(seed)), seed };
  }
  let doc;
  try {
    doc = JSON.parse(t);
  } catch (e) {
    throw format(`encrypted key JSON: ${e.message}`);
  }
  if (doc.format !== 'tamga-key') throw format(`format ${JSON.stringify(doc.format)} is not "tamga-key"`);
  if (doc.version !== 1) throw format(`version ${JSON.stringify(doc.version)} is not supported (1 is)`);
  const kdf = doc.kdf || {};
  const cipher = doc.cipher || {};
  if (kdf.name !== 'argon2id') throw format(`kdf ${JSON.stringify(kdf.name)} is not supported (argon2id is)`);
  if (kdf.version !== 0x13) throw format(`argon2 version ${JSON.stringify(kdf.version)} is not supported (19 is)`);
  const m = intField(kdf.m_cost_kib, 'kdf.m_cost_kib', 8, MAX_M_COST_KIB);
  const tCost = intField(kdf.t_cost, 'kdf.t_cost', 1, MAX_T_COST);
  const p = intField(kdf.p_cost, 'kdf.p_cost', 1, MAX_P_COST);
  if (typeof kdf.salt !== 'string' || kdf.salt.length < 16 || kdf.salt.length > 128 || kdf.salt.length % 2) {
    throw format(`kdf.salt: expected 8 to 64 bytes of hex, got ${JSON.stringify(kdf.salt)}`);
  }
  const salt = hexField(kdf.salt, kdf.salt.length / 2, 'kdf.salt');
  if (cipher.name !== 'chacha20poly1305') throw format(`cipher ${JSON.stringify(cipher.name)} is not supported (chacha20poly1305 is)`);
  const nonce = hexField(cipher.nonce, 12, 'cipher.nonce');
  const ciphertext = hexField(doc.ciphertext, 48, 'ciphertext');
  const address = hexField(doc.address, 32, 'address');
  return {
    encrypted: true,
    address: toHex(address),
    /** The seed, or KeyFileError WRONG_PASSPHRASE (a wrong passphrase or an altered file). */
    async open(passphrase) {
      if (!passphrase) throw new KeyFileError('PASSPHRASE_REQUIRED', 'the file is encrypted');
      const kek = await argon2idAsync(new TextEncoder().encode(passphrase), salt,
        { t: tCost, m, p, version: 0x13, dkLen: 32, maxmem: m * 1024 + 1024 });
      const aad = new Uint8Array(AAD_DOMAIN.length + 32);
      aad.set(AAD_DOMAIN);
      aad.set(address, AAD_DOMAIN.length);
      let seed;
      try {
        seed = chacha20poly1305(kek, nonce, aad).decrypt(ciphertext);
      } catch (_) {
        throw new KeyFileError('WRONG_PASSPHRASE', 'the passphrase does not open the file (or the file was altered)');
      } finally {
        kek.fill(0);
      }
      if (toHex(publicKey(seed)) !== toHex(address)) {
        seed.fill(0);
        throw new KeyFileError('KEY_FILE_FORMAT', 'the decrypted seed does not belong to the file\'s address');
      }
      return seed;
    },
  };
}
