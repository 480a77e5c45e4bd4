// The officer's signing session in the console. The seed of the loaded key
// lives only in this module's closure: never in storage, never in the DOM,
// never sent (only signatures leave the page). It is wiped on sign-out and
// after the node's idle timeout ([console] key_idle_timeout_s).
//
// A key is loaded only when the serving node allows it (/console/settings.json,
// which the node grants only over TLS or on loopback) and the page is a
// secure context (HTTPS or loopback), and only if the key is an active
// regulator's account on this chain; otherwise nothing is kept and nothing
// can be signed.

import { parseKeyFile, KeyFileError } from './keyfile.js';
import { publicKey, requestHeaders, signTransaction, toHex } from './wire.js';

let seed = null;        // Uint8Array(32) while a key is loaded
let who = null;         // { address, party, name, scopes }
let node = null;        // { chain_id, node_key }
let settings = { allow_key_loading: false, key_idle_timeout_s: 600 };
let idleTimer = null;
let lastTime = 0;
let ui = null;          // { t, h, onChange }

/** Why a key was refused; `code` names the catalogue label `keyerr.<code>`. */
class KeyRefused extends Error {
  constructor(code, vars) {
    super(code);
    this.code = code;
    this.vars = vars || {};
  }
}

function wipe() {
  if (seed) seed.fill(0);
  seed = null;
  who = null;
  clearTimeout(idleTimer);
}

function touch() {
  if (!seed) return;
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    wipe();
    show('keymsg.idle_wiped', { minutes: Math.round(settings.key_idle_timeout_s / 60) }, 'info');
    if (panel) render();
    ui.onChange();
  }, settings.key_idle_timeout_s * 1000);
}

/** A fresh, strictly increasing request time (docs/api.md: two identical requests at one ms are one). */
function nextTime() {
  lastTime = Math.max(Date.now(), lastTime + 1);
  return lastTime;
}

/** The signed-request headers for `method pathAndQuery`, or {} without a key. */
export function signedHeaders(method, pathAndQuery, body) {
  // Not activity: the page's own refreshes must not keep a key alive.
  if (!seed || !node) return {};
  return requestHeaders(seed, node.chain_id, node.node_key, method, pathAndQuery, nextTime(), body);
}

/** The loaded officer, or null. */
export function officer() {
  return who ? { ...who } : null;
}

/** Signs a transaction (JSON form, §13) with the loaded key; throws without one. */
export function sign(tx) {
  if (!seed) throw new KeyRefused('no_key');
  touch();
  return signTransaction(tx, seed);
}

async function apiJson(path, headers) {
  const r = await fetch(path, { headers: { Accept: 'application/json', ...headers } });
  let body = null;
  try { body = await r.json(); } catch (_) { body = null; }
  return { ok: r.ok, status: r.status, body };
}

/** Opens `text` (a key file) with `passphrase`, checks it is a regulator's, and keeps it. */
async function load(text, passphrase) {
  if (!settings.allow_key_loading) throw new KeyRefused('disabled');
  if (!window.isSecureContext) throw new KeyRefused('insecure');
  let file;
  try {
    file = parseKeyFile(text);
  } catch (e) {
    if (e instanceof KeyFileError) throw new KeyRefused(e.code.toLowerCase(), { detail: e.detail });
    throw e;
  }
  let candidate;
  if (file.encrypted) {
    if (!passphrase) throw new KeyRefused('passphrase_required');
    try {
      candidate = await file.open(passphrase);
    } catch (e) {
      if (e instanceof KeyFileError) throw new KeyRefused(e.code.toLowerCase(), { detail: e.detail });
      throw e;
    }
  } else {
    candidate = file.seed;
  }
  const address = toHex(publicKey(candidate));
  try {
    // Signed with the candidate itself: under public_read = false the
    // account and party are readable only by a signed request.
    const sign = (path) => requestHeaders(candidate, node.chain_id, node.node_key, 'GET', path, nextTime(), null);
    const a = await apiJson('/v1/accounts/' + address, sign('/v1/accounts/' + address));
    if (!a.ok) throw new KeyRefused('unknown_account', { address });
    const account = a.body.account || a.body;
    const p = await apiJson('/v1/parties/' + account.party, sign('/v1/parties/' + account.party));
    const party = p.ok ? (p.body.party || p.body) : null;
    // A party's status is a plain name; an account's is tagged
    // ({"status": "active"} or {"status": "revoked", ...}: docs/api.md).
    const statusOf = (s) => (typeof s === 'string' ? s : s && s.status);
    const scopes = (party && statusOf(party.status) === 'active' && party.regulator_scopes) || [];
    if (statusOf(account.status) !== 'active' || scopes.length === 0) {
      throw new KeyRefused('not_regulator', { address });
    }
    wipe();
    seed = candidate;
    candidate = null;
    who = { address, party: account.party, name: party.display_name || '', scopes };
    touch();
  } finally {
    if (candidate) candidate.fill(0);
  }
}

let statusEl = null;

function show(key, vars, kind) {
  if (!statusEl) return;
  statusEl.dataset.key = key;
  statusEl.dataset.vars = JSON.stringify(vars || {});
  statusEl.className = 'key-status ' + (kind || 'info');
  statusEl.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  statusEl.textContent = ui.t(key, vars);
}

/** Re-renders the panel's texts in the current language. */
export function relabel() {
  if (statusEl && statusEl.dataset.key) show(statusEl.dataset.key, JSON.parse(statusEl.dataset.vars || '{}'), statusEl.className.split(' ')[1]);
  render();
}

let panel = null;

function render() {
  const { t, h } = ui;
  panel.replaceChildren();
  panel.append(h('h2', { i18n: 'key.title' }));
  const origin = location.host;
  panel.append(h('p', { id: 'key-served-by', class: 'hint' },
    t('key.served_by', { node: node ? node.node_key : '—', chain: node ? node.chain_id : '—', origin })));
  if (!settings.allow_key_loading) {
    panel.append(h('p', { id: 'key-disabled', class: 'hint', i18n: 'key.disabled' }));
  } else if (!window.isSecureContext) {
    panel.append(h('p', { id: 'key-disabled', class: 'hint', i18n: 'key.insecure' }));
  } else if (who) {
    panel.append(h('p', { id: 'key-loaded' }, t('key.loaded', {
      address: who.address, party: who.party, name: who.name || '—',
      scopes: who.scopes.map((s) => ui.tv('scope', s)).join(', '),
      minutes: Math.round(settings.key_idle_timeout_s / 60),
    })));
    panel.append(h('button', { id: 'key-signout', type: 'button', i18n: 'key.sign_out', onclick: () => {
      wipe();
      show('keymsg.signed_out', {}, 'info');
      render();
      ui.onChange();
    } }));
  } else {
    const file = h('input', { id: 'key-file', type: 'file', accept: '.key,.json,text/plain' });
    const pass = h('input', { id: 'key-pass', type: 'password', autocomplete: 'off' });
    const form = h('form', { id: 'key-form', onsubmit: async (e) => {
      e.preventDefault();
      const f = file.files && file.files[0];
      if (!f) { show('keyerr.no_file', {}, 'error'); return; }
      let text;
      try {
        text = f.size > 4096 ? '' : await f.text();
      } catch (err) { text = ''; }
      const p = pass.value;
      pass.value = '';
      show('keymsg.opening', {}, 'info');
      try {
        await load(text, p);
        show('keymsg.loaded', {}, 'ok');
        render();
        ui.onChange();
      } catch (err) {
        wipe();
        if (err instanceof KeyRefused) show('keyerr.' + err.code, err.vars, 'error');
        else show('keyerr.unexpected', { detail: String(err && err.message) }, 'error');
        render();
      }
    } },
    h('label', { for: 'key-file', i18n: 'key.file' }), file,
    h('label', { for: 'key-pass', i18n: 'key.passphrase' }), pass,
    h('button', { id: 'key-open', type: 'submit', i18n: 'key.open' }));
    panel.append(form);
  }
  panel.append(statusEl);
}

/**
 * Mounts the key panel in `el`. `helpers`: `{t, tv, h, onChange}` from the
 * page (labels, DOM builder, and what to do when a key comes or goes).
 */
export async function mount(el, helpers) {
  ui = helpers;
  panel = el;
  statusEl = ui.h('p', { id: 'key-status', class: 'key-status', 'aria-live': 'polite' });
  try {
    const [s, st] = await Promise.all([apiJson('/console/settings.json', {}), apiJson('/v1/status', {})]);
    if (s.ok && s.body) settings = s.body;
    if (st.ok && st.body) node = { chain_id: st.body.chain_id, node_key: st.body.node_key };
  } catch (_) { /* shown as disabled */ }
  for (const ev of ['pointerdown', 'keydown']) document.addEventListener(ev, touch, { passive: true });
  window.addEventListener('pagehide', wipe);
  render();
}
