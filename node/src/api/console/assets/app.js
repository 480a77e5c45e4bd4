// Tamga regulator console (SPEC §6, §11). Plain JavaScript, no
// dependency, served by the node itself: every request goes to this origin
// (the Content-Security-Policy allows nothing else). Hash-routed views:
//   #/mining[?filters]  #/mining/ID  #/totals  #/activity[?filters]
//   #/parties  #/parties/ID  #/classes  #/classes/ID  #/holding/CLASS?holder=KEY  #/records[/ID]
//   #/blocks  #/blocks/HEIGHT
// Text goes in with textContent and text nodes only (no HTML parsing of
// strings), so ledger data can never become markup.
'use strict';

(() => {
  const LANGS = ['kk', 'ru', 'en'];
  const LANG_KEY = 'tamga.console.lang';
  const FEED_MAX = 50;
  const REGIONS = [
    'astana', 'almaty_city', 'shymkent', 'abai', 'akmola', 'aktobe', 'almaty', 'atyrau', 'east_kazakhstan',
    'jambyl', 'jetisu', 'karaganda', 'kostanay', 'kyzylorda', 'mangystau', 'north_kazakhstan', 'pavlodar',
    'turkistan', 'ulytau', 'west_kazakhstan',
  ];
  const STATUSES = ['submitted', 'accepted', 'rejected'];
  const KINDS = ['start', 'change', 'termination'];
  const ACTIVITIES = ['issuance', 'trading_organisation', 'exchange'];
  const PHASES = ['start', 'termination'];

  const state = { lang: 'en', cat: {}, en: {}, height: 0, route: null, refreshTimer: null, session: null };

  // ---- i18n -------------------------------------------------------------

  /** The label of `key` in the chosen language, `{name}` replaced from `vars`. */
  function t(key, vars) {
    let s = state.cat[key];
    if (s === undefined || s === '') s = state.en[key];
    if (s === undefined) s = key;
    if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] === undefined ? m : String(vars[k])));
    return s;
  }

  /** An enum value's label (`status.accepted`, `region.pavlodar`, …); the raw name if unknown. */
  function tv(group, value) {
    if (value === null || value === undefined || value === '') return '—';
    const key = group + '.' + value;
    return state.cat[key] || state.en[key] || String(value);
  }

  async function loadCatalogue(lang) {
    const r = await fetch('/console/' + lang + '.json', { headers: { Accept: 'application/json' } });
    if (!r.ok) throw new Error('catalogue ' + lang + ': HTTP ' + r.status);
    return r.json();
  }

  function initialLanguage() {
    try {
      const saved = localStorage.getItem(LANG_KEY);
      if (LANGS.includes(saved)) return saved;
    } catch (e) { /* storage disabled: fall through */ }
    for (const l of navigator.languages || [navigator.language || '']) {
      const base = String(l).toLowerCase().split('-')[0];
      if (LANGS.includes(base)) return base;
    }
    return 'kk';
  }

  async function setLanguage(lang, persist) {
    if (!LANGS.includes(lang)) lang = 'kk';
    state.cat = lang === 'en' ? state.en : await loadCatalogue(lang);
    state.lang = lang;
    document.documentElement.lang = lang;
    document.getElementById('lang-select').value = lang;
    if (persist) {
      try { localStorage.setItem(LANG_KEY, lang); } catch (e) { /* not persisted */ }
    }
    for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
    document.getElementById('nav').setAttribute('aria-label', t('nav.label'));
    setLive(state.live);
    for (const li of document.querySelectorAll('#feed li')) renderFeedItem(li);
    if (state.session) state.session.relabel();
  }

  // ---- API --------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.message) || 'HTTP ' + status);
      this.status = status;
      this.code = body && body.code;
    }
  }

  /** JSON with integers beyond 2^53 kept exact as BigInt (amounts are u128). */
  function parseJson(text) {
    return JSON.parse(text, (k, v, ctx) => {
      if (typeof v === 'number' && !Number.isSafeInteger(v) && ctx && /^[0-9]+$/.test(ctx.source || '')) {
        return BigInt(ctx.source);
      }
      return v;
    });
  }

  /** GET `path` (path and query); signed (docs/api.md, signed requests) while a key is loaded. */
  async function api(path) {
    const signed = state.session ? state.session.signedHeaders('GET', path, null) : {};
    const r = await fetch(path, { headers: { Accept: 'application/json', 'Accept-Language': state.lang, ...signed } });
    const text = await r.text();
    let body = null;
    try { body = parseJson(text); } catch (e) { body = null; }
    if (!r.ok) throw new ApiError(r.status, body);
    return body;
  }

  // ---- DOM helpers ------------------------------------------------------

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'text') el.textContent = v;
      else if (k === 'i18n') { el.dataset.i18n = v; el.textContent = t(v); }
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  const link = (href, text) => h('a', { href }, text);
  const short = (hex) => (hex && hex.length > 16 ? hex.slice(0, 8) + '…' + hex.slice(-6) : hex || '—');
  const code = (hex) => h('code', { title: hex }, short(hex));

  /** A ledger date (`{year, month, day}` in the API's JSON) as YYYY-MM-DD. */
  function fmtDate(d) {
    if (d === null || d === undefined) return '—';
    if (typeof d === 'string') return d;
    const pad = (n, w) => String(n).padStart(w, '0');
    return pad(d.year, 4) + '-' + pad(d.month, 2) + '-' + pad(d.day, 2);
  }

  function fmtInt(v) {
    if (v === null || v === undefined) return '—';
    return String(v).replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
  }

  /** An exact amount in base units as a decimal with `decimals` places. */
  function fmtAmount(v, decimals) {
    if (v === null || v === undefined) return '—';
    let s = String(v);
    const d = Number(decimals) || 0;
    if (d === 0) return fmtInt(s);
    s = s.padStart(d + 1, '0');
    return fmtInt(s.slice(0, -d)) + '.' + s.slice(-d);
  }

  function fmtTime(ms) {
    if (!ms) return '—';
    const locale = { kk: 'kk-KZ', ru: 'ru-RU', en: 'en-GB' }[state.lang];
    return new Date(Number(ms)).toLocaleString(locale, { timeZone: 'Asia/Almaty' });
  }

  function table(id, caption, columns, rows, render) {
    const head = h('tr', {}, columns.map((c) => h('th', { scope: 'col', i18n: c })));
    const body = rows.length
      ? rows.map((r) => h('tr', {}, render(r).map((cell, i) => (i === 0 ? h('th', { scope: 'row' }, cell) : h('td', {}, cell)))))
      : [h('tr', {}, h('td', { colspan: columns.length, class: 'empty', i18n: 'common.empty' }))];
    return h('div', { class: 'scroll' },
      h('table', { id }, h('caption', {}, caption), h('thead', {}, head), h('tbody', {}, body)));
  }

  function dl(pairs) {
    return h('dl', { class: 'facts' }, pairs.flatMap(([k, v]) => [h('dt', { i18n: k }), h('dd', {}, v)]));
  }

  function exportLinks(base, query, name) {
    const qs = new URLSearchParams(query);
    const url = (f) => { const q = new URLSearchParams(qs); q.set('format', f); return base + '?' + q.toString(); };
    return h('p', { class: 'export' },
      h('span', { i18n: 'export.label' }), ' ',
      h('a', { id: 'export-csv', href: url('csv'), download: name + '.csv', class: 'button' }, 'CSV'), ' ',
      h('a', { id: 'export-json', href: url('json'), download: name + '.json', class: 'button' }, 'JSON'));
  }

  function select(id, labelKey, group, values, current) {
    return h('div', { class: 'field' },
      h('label', { for: id, i18n: labelKey }),
      h('select', { id, name: id.replace(/^f-/, '') },
        h('option', { value: '', i18n: 'common.all' }),
        values.map((v) => h('option', { value: v, selected: v === current }, tv(group, v)))));
  }

  function input(id, labelKey, type, current, extra) {
    return h('div', { class: 'field' },
      h('label', { for: id, i18n: labelKey }),
      h('input', Object.assign({ id, name: id.replace(/^f-/, ''), type, value: current || '' }, extra || {})));
  }

  /** A filter form: submitting it sets the hash to `view?non-empty fields`. */
  function filterForm(id, view, fields) {
    const form = h('form', { id, class: 'filters', role: 'search' },
      h('fieldset', {}, h('legend', { i18n: 'filter.legend' }), fields,
        h('div', { class: 'actions' },
          h('button', { type: 'submit', id: id + '-apply', i18n: 'filter.apply' }),
          h('button', { type: 'reset', id: id + '-reset', i18n: 'filter.reset' }))));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const q = new URLSearchParams();
      for (const [k, v] of new FormData(form)) if (String(v).trim() !== '') q.set(k, String(v).trim());
      location.hash = '#/' + view + (q.toString() ? '?' + q.toString() : '');
    });
    form.addEventListener('reset', (e) => { e.preventDefault(); location.hash = '#/' + view; });
    return form;
  }

  function review(s) {
    if (!s) return '—';
    const label = h('span', { class: 'badge ' + s.status }, tv('status', s.status));
    if (s.status === 'rejected' && s.reason) return h('span', {}, label, ' ', h('small', {}, s.reason));
    return label;
  }

  const partyLink = (id) => (id === null || id === undefined ? '—' : link('#/parties/' + id, '#' + id));

  // ---- views --------------------------------------------------------------

  const main = () => document.getElementById('main');

  function page(titleKey, ...children) {
    const m = main();
    m.replaceChildren(h('h2', { id: 'view-title', i18n: titleKey }), ...children.filter((c) => c !== null && c !== undefined));
    document.title = t(titleKey) + ' — ' + t('app.title');
  }

  function errorBox(e) {
    const msg = e instanceof ApiError
      ? t('error.api', { status: e.status, code: e.code || '—', message: e.message })
      : t('error.network', { message: String(e.message || e) });
    return h('div', { class: 'error', role: 'alert' }, msg);
  }

  async function viewMining(q) {
    const form = filterForm('mining-filter', 'mining', [
      select('f-status', 'filter.status', 'status', STATUSES, q.get('status')),
      select('f-region', 'filter.region', 'region', REGIONS, q.get('region')),
      select('f-kind', 'filter.kind', 'kind', KINDS, q.get('kind')),
      input('f-miner', 'filter.miner', 'number', q.get('miner'), { min: 0, inputmode: 'numeric' }),
      input('f-from', 'filter.from', 'date', q.get('from')),
      input('f-to', 'filter.to', 'date', q.get('to')),
    ]);
    const filters = new URLSearchParams(q);
    filters.delete('after');
    const data = await api('/v1/mining-notifications?' + q.toString());
    const rows = data.items;
    const more = data.next_after !== null && data.next_after !== undefined;
    page('mining.title',
      h('p', { class: 'lead', i18n: 'mining.lead' }),
      form,
      exportLinks('/v1/mining-notifications', filters, 'mining-notifications'),
      h('p', { id: 'row-count', class: 'count' }, t('common.rows', { count: rows.length })),
      table('mining-table', t('mining.caption'),
        ['col.id', 'col.miner', 'col.kind', 'col.version', 'col.region', 'col.capacity_kw', 'col.units',
          'col.hashrate_ths', 'col.energy', 'col.start_date', 'col.status', 'col.submitted_height'],
        rows, (n) => [
          link('#/mining/' + n.id, '#' + n.id), partyLink(n.miner), tv('kind', n.kind), String(n.version),
          tv('region', n.site.region), fmtInt(n.site.capacity_kw), fmtInt(n.site.units), fmtInt(n.site.hashrate_ths),
          tv('energy', n.site.energy), fmtDate(n.site.start_date), review(n.status), fmtInt(n.submitted_height),
        ]),
      more ? h('p', {}, link('#/mining?' + withParam(q, 'after', data.next_after), t('common.next_page'))) : null);
  }

  function withParam(q, k, v) {
    const c = new URLSearchParams(q);
    c.set(k, String(v));
    return c.toString();
  }

  async function viewMiningDetail(id) {
    const n = await api('/v1/mining-notifications/' + encodeURIComponent(id));
    // The version chain: back through `previous`, forward through `superseded_by`.
    const chain = [n];
    for (let p = n.previous, i = 0; p !== null && p !== undefined && i < 100; i++) {
      const v = await api('/v1/mining-notifications/' + p);
      chain.unshift(v);
      p = v.previous;
    }
    for (let s = n.superseded_by, i = 0; s !== null && s !== undefined && i < 100; i++) {
      const v = await api('/v1/mining-notifications/' + s);
      chain.push(v);
      s = v.superseded_by;
    }
    const st = n.status;
    page('mining.detail_title',
      h('p', { class: 'crumbs' }, link('#/mining', t('nav.mining')), ' › #' + n.id),
      dl([
        ['col.id', '#' + n.id], ['col.miner', partyLink(n.miner)], ['col.kind', tv('kind', n.kind)],
        ['col.version', String(n.version)], ['col.status', review(st)],
        ['col.reviewed_by', st.by !== undefined ? partyLink(st.by) : '—'],
        ['col.reviewed_height', st.height !== undefined ? fmtInt(st.height) : '—'],
        ['col.closed', n.closed ? t('common.yes') : t('common.no')],
        ['col.region', tv('region', n.site.region)], ['col.address', n.site.address],
        ['col.capacity_kw', fmtInt(n.site.capacity_kw)], ['col.units', fmtInt(n.site.units)],
        ['col.hashrate_ths', fmtInt(n.site.hashrate_ths)], ['col.energy', tv('energy', n.site.energy)],
        ['col.pool', n.site.pool || '—'], ['col.start_date', fmtDate(n.site.start_date)],
        ['col.submitted_height', fmtInt(n.submitted_height)], ['col.submitted_time', fmtTime(n.submitted_time_ms)],
      ]),
      h('h3', { i18n: 'mining.history' }),
      table('mining-history', t('mining.history_caption'),
        ['col.version', 'col.id', 'col.kind', 'col.status', 'col.capacity_kw', 'col.units', 'col.start_date',
          'col.submitted_height'],
        chain, (v) => [
          v.id === n.id ? h('strong', { 'aria-current': 'true' }, String(v.version)) : String(v.version),
          link('#/mining/' + v.id, '#' + v.id), tv('kind', v.kind), review(v.status), fmtInt(v.site.capacity_kw),
          fmtInt(v.site.units), fmtDate(v.site.start_date), fmtInt(v.submitted_height),
        ]));
  }

  async function viewTotals() {
    const rows = await api('/v1/mining-notifications/totals');
    const sum = (k) => rows.reduce((a, r) => a + Number(r[k]), 0);
    const maxCap = Math.max(1, ...rows.map((r) => Number(r.capacity_kw)));
    const maxUnits = Math.max(1, ...rows.map((r) => Number(r.units)));
    const bars = (key, max, labelKey) => h('figure', { class: 'chart' },
      h('figcaption', { i18n: labelKey }),
      h('ul', { class: 'bars' }, rows.map((r) => {
        const bar = h('span', { class: 'bar', 'aria-hidden': 'true' });
        bar.style.width = Math.max(1, Math.round((100 * Number(r[key])) / max)) + '%';
        return h('li', {}, h('span', { class: 'bar-label' }, tv('region', r.region)),
          h('span', { class: 'bar-track' }, bar), h('span', { class: 'bar-value' }, fmtInt(r[key])));
      })));
    const t1 = table('totals-table', t('totals.caption'),
      ['col.region', 'col.sites', 'col.capacity_kw', 'col.units'], rows,
      (r) => [tv('region', r.region), fmtInt(r.sites), fmtInt(r.capacity_kw), fmtInt(r.units)]);
    t1.querySelector('table').append(h('tfoot', {}, h('tr', {},
      h('th', { scope: 'row', i18n: 'totals.all' }), h('td', {}, fmtInt(sum('sites'))),
      h('td', {}, fmtInt(sum('capacity_kw'))), h('td', {}, fmtInt(sum('units'))))));
    page('totals.title',
      h('p', { class: 'lead', i18n: 'totals.lead' }),
      exportLinks('/v1/mining-notifications/totals', new URLSearchParams(), 'mining-totals'),
      t1,
      h('div', { class: 'charts' }, bars('capacity_kw', maxCap, 'totals.chart_capacity'),
        bars('units', maxUnits, 'totals.chart_units')));
  }

  async function viewActivity(q) {
    const form = filterForm('activity-filter', 'activity', [
      select('f-status', 'filter.status', 'status', STATUSES, q.get('status')),
      select('f-activity', 'filter.activity', 'activity', ACTIVITIES, q.get('activity')),
      select('f-phase', 'filter.phase', 'phase', PHASES, q.get('phase')),
      input('f-party', 'filter.party', 'number', q.get('party'), { min: 0, inputmode: 'numeric' }),
      input('f-from', 'filter.from', 'date', q.get('from')),
      input('f-to', 'filter.to', 'date', q.get('to')),
    ]);
    const rows = await api('/v1/activity-notifications?' + q.toString());
    page('activity.title',
      h('p', { class: 'lead', i18n: 'activity.lead' }),
      form,
      exportLinks('/v1/activity-notifications', q, 'activity-notifications'),
      h('p', { id: 'row-count', class: 'count' }, t('common.rows', { count: rows.length })),
      table('activity-table', t('activity.caption'),
        ['col.id', 'col.party', 'col.activity', 'col.phase', 'col.date', 'col.status', 'col.reviewed_by',
          'col.submitted_height'],
        rows, (n) => [
          '#' + n.id, partyLink(n.party), tv('activity', n.activity), tv('phase', n.phase), fmtDate(n.date), review(n.status),
          n.status.by !== undefined ? partyLink(n.status.by) : '—', fmtInt(n.submitted_height),
        ]));
  }

  function roles(p) {
    const r = [];
    for (const s of p.regulator_scopes || []) r.push(t('role.regulator') + ' (' + tv('scope', s) + ')');
    if (p.issuer) r.push(t('role.issuer'));
    if (p.mining_active) r.push(t('role.miner'));
    return r.length ? r.join(', ') : t('role.participant');
  }

  const partyName = (p) => p.display_name || (p.kind === 'individual' ? t('party.individual_hidden') : '—');

  async function viewParties() {
    const rows = await api('/v1/parties');
    page('parties.title',
      h('p', { class: 'lead', i18n: 'parties.lead' }),
      exportLinks('/v1/parties', new URLSearchParams(), 'parties'),
      h('p', { id: 'row-count', class: 'count' }, t('common.rows', { count: rows.length })),
      table('parties-table', t('parties.caption'),
        ['col.id', 'col.name', 'col.party_kind', 'col.party_status', 'col.roles', 'col.accounts',
          'col.registered_height'],
        rows, (p) => [
          link('#/parties/' + p.id, '#' + p.id), partyName(p), tv('party_kind', p.kind),
          tv('party_status', p.status), roles(p), String(p.accounts.length), fmtInt(p.registered_height),
        ]));
  }

  async function viewParty(id) {
    const v = await api('/v1/parties/' + encodeURIComponent(id));
    const p = v.party;
    const classes = await api('/v1/classes?issuer=' + p.id);
    page('parties.detail_title',
      h('p', { class: 'crumbs' }, link('#/parties', t('nav.parties')), ' › #' + p.id),
      dl([
        ['col.id', '#' + p.id], ['col.name', partyName(p)], ['col.party_kind', tv('party_kind', p.kind)],
        ['col.party_status', tv('party_status', p.status)], ['col.roles', roles(p)],
        ['col.id_commitment', code(p.id_commitment)], ['col.registered_height', fmtInt(p.registered_height)],
        ['col.registered_by', partyLink(p.registered_by)],
      ]),
      h('p', {}, link('#/mining?miner=' + p.id, t('parties.its_mining')), ' · ',
        link('#/activity?party=' + p.id, t('parties.its_activity'))),
      h('h3', { i18n: 'parties.accounts' }),
      table('accounts-table', t('parties.accounts_caption'),
        ['col.account', 'col.account_status', 'col.nonce', 'col.created_height'],
        v.accounts, (a) => [code(a.key), tv('account_status', a.status.status), fmtInt(a.nonce), fmtInt(a.created_height)]),
      h('h3', { i18n: 'parties.classes' }),
      classTable(classes));
  }

  function classTable(rows) {
    return table('classes-table', t('classes.caption'),
      ['col.id', 'col.symbol', 'col.class_name', 'col.issuer', 'col.supply', 'col.supply_cap', 'col.class_status'],
      rows, (c) => [
        link('#/classes/' + c.id, '#' + c.id), c.symbol, c.name, partyLink(c.issuer), fmtAmount(c.supply, c.decimals),
        c.supply_cap === null ? t('common.unlimited') : fmtAmount(c.supply_cap, c.decimals), tv('class_status', c.status),
      ]);
  }

  async function viewClasses(q) {
    const form = filterForm('classes-filter', 'classes', [
      input('f-issuer', 'filter.issuer', 'number', q.get('issuer'), { min: 0, inputmode: 'numeric' }),
    ]);
    const rows = await api('/v1/classes?' + q.toString());
    page('classes.title',
      h('p', { class: 'lead', i18n: 'classes.lead' }),
      form,
      exportLinks('/v1/classes', q, 'classes'),
      h('p', { id: 'row-count', class: 'count' }, t('common.rows', { count: rows.length })),
      classTable(rows));
  }

  async function viewClass(id) {
    const c = await api('/v1/classes/' + encodeURIComponent(id));
    const holders = await api('/v1/classes/' + c.id + '/holders');
    page('classes.detail_title',
      h('p', { class: 'crumbs' }, link('#/classes', t('nav.classes')), ' › ' + c.symbol),
      dl([
        ['col.id', '#' + c.id], ['col.symbol', c.symbol], ['col.class_name', c.name], ['col.issuer', partyLink(c.issuer)],
        ['col.decimals', String(c.decimals)], ['col.supply', fmtAmount(c.supply, c.decimals)],
        ['col.supply_cap', c.supply_cap === null ? t('common.unlimited') : fmtAmount(c.supply_cap, c.decimals)],
        ['col.class_status', tv('class_status', c.status)],
        ['col.rights', c.rights.map((r) => tv('right', r.kind) + ': ' + r.description).join('; ')],
        ['col.document_hash', code(c.document_hash)], ['col.document_uri', c.document_uri],
        ['col.redemption_terms', c.redemption_terms], ['col.created_height', fmtInt(c.created_height)],
      ]),
      h('h3', { i18n: 'classes.holders' }),
      exportLinks('/v1/classes/' + c.id + '/holders', new URLSearchParams(), 'class-' + c.id + '-holders'),
      table('holders-table', t('classes.holders_caption'), ['col.account', 'col.party', 'col.amount', 'col.frozen'],
        holders, (x) => [holdingLink(c.id, x.account), partyLink(x.party), fmtAmount(x.amount, c.decimals), fmtAmount(x.frozen, c.decimals)]));
  }

  const holdingLink = (cls, key) =>
    h('a', { href: '#/holding/' + cls + '?holder=' + encodeURIComponent(key), title: key }, short(key));

  /** What a restriction covers: the whole class, the whole holding, or an amount. */
  function restricted(r, decimals) {
    if (r.target.class) return t('holding.whole_class');
    const amount = r.target.holding ? r.target.holding.amount : null;
    return amount === null || amount === undefined ? t('holding.whole_holding') : fmtAmount(amount, decimals);
  }

  /** Who imposed or lifted: the party and its capacity (issuer or regulator). */
  const imposer = (party, authority) => h('span', {}, partyLink(party), ' ', tv('authority', authority));

  /**
   * One holding (SPEC §4, DC art. 20 p.4): its balance, every freeze of it
   * and pause of its class with who imposed it, the legal basis, what it
   * covers and when it was lifted, and its history of restrictions and
   * liftings by height.
   */
  async function viewHolding(id, q) {
    const holder = (q.get('holder') || '').trim();
    const c = await api('/v1/classes/' + encodeURIComponent(id));
    const acc = await api('/v1/accounts/' + encodeURIComponent(holder));
    const rs = await api('/v1/classes/' + c.id + '/restrictions?holder=' + encodeURIComponent(holder));
    const bal = acc.balances.find((b) => String(b.class) === String(c.id)) || { amount: 0, frozen: 0, free: 0 };
    const history = rs.flatMap((r) => {
      const imposed = { height: r.height, tx: r.tx, kind: r.target.class ? 'class_paused' : 'frozen', r,
        by: r.imposed_by, authority: r.authority, basis: r.legal_basis };
      const l = r.lifted;
      return l ? [imposed, { height: l.height, tx: l.tx, kind: 'restriction_lifted', r, by: l.by,
        authority: l.authority, basis: l.legal_basis }] : [imposed];
    }).sort((a, b) => Number(a.height) - Number(b.height));
    page('holding.title',
      h('p', { class: 'crumbs' }, link('#/classes', t('nav.classes')), ' › ', link('#/classes/' + c.id, c.symbol),
        ' › ' + short(holder)),
      dl([
        ['col.account', code(holder)], ['col.party', partyLink(acc.account.party)], ['col.symbol', c.symbol],
        ['col.amount', fmtAmount(bal.amount, c.decimals)], ['col.frozen', fmtAmount(bal.frozen, c.decimals)],
        ['col.free', fmtAmount(bal.free, c.decimals)],
      ]),
      h('h3', { i18n: 'holding.restrictions' }),
      table('restrictions-table', t('holding.restrictions_caption'),
        ['col.id', 'col.restriction_kind', 'col.imposed_by', 'col.legal_basis', 'col.restricted', 'col.height', 'col.lifted_height'],
        rs, (r) => [
          '#' + r.id, tv('restriction', r.target.class ? 'pause' : 'freeze'), imposer(r.imposed_by, r.authority),
          r.legal_basis, restricted(r, c.decimals), link('#/blocks/' + r.height, fmtInt(r.height)),
          r.lifted ? link('#/blocks/' + r.lifted.height, fmtInt(r.lifted.height)) : t('holding.standing'),
        ]),
      h('h3', { i18n: 'holding.history' }),
      table('holding-history', t('holding.history_caption'),
        ['col.height', 'col.event', 'col.restriction', 'col.by', 'col.legal_basis', 'col.tx_hash'],
        history, (e) => [
          link('#/blocks/' + e.height, fmtInt(e.height)), tv('event', e.kind), '#' + e.r.id,
          imposer(e.by, e.authority), e.basis, code(e.tx),
        ]));
  }

  function recordLookup() {
    const form = h('form', { id: 'record-lookup', class: 'filters' },
      h('fieldset', {}, h('legend', { i18n: 'records.lookup' }),
        input('f-record', 'filter.record', 'number', '', { min: 1, required: true, inputmode: 'numeric' }),
        h('div', { class: 'actions' }, h('button', { type: 'submit', i18n: 'records.open' }))));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const v = form.querySelector('input').value.trim();
      if (v) location.hash = '#/records/' + encodeURIComponent(v);
    });
    const byAccount = h('form', { id: 'account-lookup', class: 'filters' },
      h('fieldset', {}, h('legend', { i18n: 'records.by_account' }),
        input('f-account', 'filter.account', 'text', '', { required: true, pattern: '[0-9a-fA-F]{64}', spellcheck: 'false' }),
        h('div', { class: 'actions' }, h('button', { type: 'submit', i18n: 'records.list' }))));
    byAccount.addEventListener('submit', (e) => {
      e.preventDefault();
      location.hash = '#/records?account=' + encodeURIComponent(byAccount.querySelector('input').value.trim());
    });
    return [form, byAccount];
  }

  async function viewRecords(q) {
    const account = q.get('account');
    let list = null;
    if (account) {
      const rows = await api('/v1/accounts/' + encodeURIComponent(account) + '/records');
      list = table('records-table', t('records.caption'),
        ['col.id', 'col.object', 'col.record_status', 'col.holder_party', 'col.encumbrances', 'col.created_height'],
        rows, (r) => [link('#/records/' + r.id, '#' + r.id), tv('object', r.object.kind) + ': ' + r.object.description,
          tv('record_status', r.status.status), partyLink(r.holder_party), String(r.encumbrances.length),
          fmtInt(r.created_height)]);
    }
    page('records.title', h('p', { class: 'lead', i18n: 'records.lead' }), ...recordLookup(), list);
  }

  async function viewRecord(id) {
    const v = await api('/v1/records/' + encodeURIComponent(id));
    const r = v.record;
    page('records.detail_title',
      h('p', { class: 'crumbs' }, link('#/records', t('nav.records')), ' › #' + r.id),
      dl([
        ['col.id', '#' + r.id], ['col.object_kind', tv('object', r.object.kind)], ['col.object', r.object.description],
        ['col.external_ref', r.object.external_ref || '—'], ['col.document_hash', r.object.document_hash ? code(r.object.document_hash) : '—'],
        ['col.certifier', partyLink(r.certifier)], ['col.holder_party', partyLink(r.holder_party)], ['col.holder', code(r.holder)],
        ['col.record_status', tv('record_status', r.status.status) + (r.status.reason ? ' (' + tv('termination', r.status.reason) + ')' : '')],
        ['col.escrow', r.escrow === null ? '—' : '#' + r.escrow], ['col.created_height', fmtInt(r.created_height)],
      ]),
      h('h3', { i18n: 'records.encumbrances' }),
      table('encumbrances-table', t('records.encumbrances_caption'),
        ['col.id', 'col.encumbrance_kind', 'col.beneficiary', 'col.legal_basis', 'col.imposed_by', 'col.created_height'],
        r.encumbrances, (e) => ['#' + e.id, tv('encumbrance', e.kind), partyLink(e.beneficiary), e.legal_basis,
          partyLink(e.imposed_by), fmtInt(e.created_height)]),
      h('h3', { i18n: 'records.history' }),
      table('history-table', t('records.history_caption'),
        ['col.height', 'col.time', 'col.event', 'col.signer', 'col.details', 'col.tx_hash'],
        v.history, (e) => [fmtInt(e.height), fmtTime(e.time_ms), tv('event', e.event), code(e.signer),
          h('ul', { class: 'plain' }, e.details.map(([k, val]) => h('li', {}, k + ': ' + val))), code(e.tx_hash)]),
      h('p', { class: 'standing', i18n: 'signature.standing' }));
  }

  async function viewBlocks() {
    const rows = await api('/v1/blocks?limit=20');
    page('blocks.title',
      h('p', { class: 'lead', i18n: 'blocks.lead' }),
      exportLinks('/v1/blocks', new URLSearchParams({ limit: '100' }), 'blocks'),
      table('blocks-table', t('blocks.caption'),
        ['col.height', 'col.time', 'col.hash', 'col.proposer', 'col.tx_count', 'col.round', 'col.signatures',
          'col.power'],
        rows, (b) => [link('#/blocks/' + b.height, fmtInt(b.height)), fmtTime(b.time_ms), code(b.hash), code(b.proposer),
          String(b.tx_count), String(b.certificate_round), String(b.signatures),
          t('blocks.power_of', { signed: b.signed_power, total: b.total_power })]));
  }

  async function viewBlock(height) {
    const b = await api('/v1/blocks/' + encodeURIComponent(height));
    const rc = await api('/v1/blocks/' + b.height + '/receipts');
    const hd = b.block.header;
    const cert = b.certificate;
    page('blocks.detail_title',
      h('p', { class: 'crumbs' }, link('#/blocks', t('nav.blocks')), ' › ' + fmtInt(b.height)),
      dl([
        ['col.height', fmtInt(b.height)], ['col.hash', code(b.hash)], ['col.time', fmtTime(hd.time_ms)],
        ['col.proposer', code(hd.proposer)], ['col.round', String(hd.round)], ['col.parent', code(hd.parent_hash)],
        ['col.state_root', code(hd.state_root)], ['col.tx_root', code(hd.tx_root)],
      ]),
      h('h3', { i18n: 'blocks.certificate' }),
      dl([['col.vote', tv('vote', cert.data.kind)], ['col.round', String(cert.data.round)],
        ['col.signatures', String(cert.signatures.length)]]),
      table('signatures-table', t('blocks.signatures_caption'), ['col.validator_index', 'col.signature'],
        cert.signatures, ([i, sig]) => [String(i), code(sig)]),
      h('h3', { i18n: 'blocks.receipts' }),
      table('receipts-table', t('blocks.receipts_caption'), ['col.index', 'col.tx_hash', 'col.outcome', 'col.events'],
        rc.receipts, (r) => [String(r.index), code(r.tx_hash),
          r.outcome.status === 'success' ? t('outcome.success') : t('outcome.failed', { code: r.outcome.code, message: r.outcome.message || '' }),
          r.events.map((e) => tv('event', e.kind)).join(', ') || '—']),
      h('p', { class: 'standing', i18n: 'signature.standing' }));
  }

  // ---- routing ------------------------------------------------------------

  function parseRoute() {
    const raw = location.hash.replace(/^#\/?/, '');
    const [path, query] = raw.split('?');
    const parts = path.split('/').filter(Boolean);
    return { view: parts[0] || 'mining', arg: parts[1] ? decodeURIComponent(parts[1]) : null, q: new URLSearchParams(query || '') };
  }

  async function render() {
    const r = parseRoute();
    state.route = r;
    for (const a of document.querySelectorAll('#nav a')) {
      if (a.dataset.view === r.view) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    const views = {
      mining: () => (r.arg ? viewMiningDetail(r.arg) : viewMining(r.q)),
      totals: () => viewTotals(),
      activity: () => viewActivity(r.q),
      parties: () => (r.arg ? viewParty(r.arg) : viewParties()),
      classes: () => (r.arg ? viewClass(r.arg) : viewClasses(r.q)),
      holding: () => viewHolding(r.arg, r.q),
      records: () => (r.arg ? viewRecord(r.arg) : viewRecords(r.q)),
      blocks: () => (r.arg ? viewBlock(r.arg) : viewBlocks()),
    };
    const view = views[r.view];
    main().setAttribute('aria-busy', 'true');
    try {
      if (!view) page('error.title', h('p', {}, t('error.no_view', { view: r.view })));
      else await view();
    } catch (e) {
      page('error.title', errorBox(e));
    } finally {
      main().setAttribute('aria-busy', 'false');
      main().dataset.view = r.view + (r.arg ? '/' + r.arg : '');
    }
  }

  /** Re-renders a list view after a block changed the state, unless the user is typing in it. */
  function refreshSoon() {
    clearTimeout(state.refreshTimer);
    state.refreshTimer = setTimeout(() => {
      const r = state.route;
      if (!r || r.arg) return;
      const active = document.activeElement;
      if (active && active.closest && active.closest('form')) return;
      render();
    }, 300);
  }

  // ---- live feed ------------------------------------------------------------

  function setLive(on) {
    state.live = on;
    const el = document.getElementById('node-live');
    el.className = 'live ' + (on ? 'on' : 'off');
    el.textContent = t(on ? 'status.live' : 'status.offline');
  }

  function renderFeedItem(li) {
    const d = JSON.parse(li.dataset.item);
    if (d.type === 'block') {
      li.textContent = t('feed.block', { height: d.height, txs: d.tx_count }) + ' · ' + fmtTime(d.time_ms);
    } else {
      li.textContent = t('feed.event', { height: d.height, event: tv('event', d.kind) });
    }
  }

  function pushFeed(item) {
    const list = document.getElementById('feed');
    const li = h('li', { class: 'feed-' + item.type });
    li.dataset.item = JSON.stringify(item);
    if (item.type === 'block') li.dataset.height = String(item.height);
    renderFeedItem(li);
    list.prepend(li);
    while (list.children.length > FEED_MAX) list.lastElementChild.remove();
  }

  function startFeed() {
    const es = new EventSource('/v1/events?kinds=block,tx');
    es.addEventListener('open', () => setLive(true));
    es.addEventListener('error', () => setLive(false));
    es.addEventListener('block', (m) => {
      const b = JSON.parse(m.data);
      state.height = b.height;
      document.getElementById('node-height').textContent = fmtInt(b.height);
      pushFeed({ type: 'block', height: b.height, tx_count: b.tx_count, time_ms: b.time_ms });
      if (b.tx_count > 0 || (state.route && state.route.view === 'blocks')) refreshSoon();
    });
    es.addEventListener('tx', (m) => {
      const r = JSON.parse(m.data);
      for (const e of r.events || []) pushFeed({ type: 'event', height: r.height, kind: e.kind });
    });
  }

  async function start() {
    state.en = await loadCatalogue('en');
    await setLanguage(initialLanguage(), false);
    // The signing session (key panel, signed reads): an ES module, so that
    // the seed stays private to it.
    try {
      const session = await import('/console/session.js');
      await session.mount(document.getElementById('key-panel'), { t, tv, h, onChange: () => render() });
      state.session = session;
    } catch (e) {
      document.getElementById('key-panel').textContent = t('keyerr.unexpected', { detail: String(e && e.message) });
    }
    document.getElementById('lang-select').addEventListener('change', async (e) => {
      await setLanguage(e.target.value, true);
      await render();
    });
    window.addEventListener('hashchange', () => {
      render();
      main().focus({ preventScroll: true });
    });
    try {
      const [s, c] = await Promise.all([api('/v1/status'), api('/v1/chain')]);
      state.height = s.height;
      document.getElementById('node-height').textContent = fmtInt(s.height);
      document.getElementById('node-chain').textContent = c.chain_id;
    } catch (e) { /* shown by the views */ }
    startFeed();
    await render();
    document.body.dataset.ready = 'true';
  }

  document.addEventListener('DOMContentLoaded', () => {
    start().catch((e) => main().replaceChildren(errorBox(e)));
  });
})();
