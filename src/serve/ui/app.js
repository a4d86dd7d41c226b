// dossier web UI. Plain JavaScript, no dependencies, no build step.
//
// Safety rule: every string that comes from the API is inserted as text
// (createTextNode / textContent / setAttribute). Nothing here assigns
// innerHTML, so a corpus with hostile markup cannot inject anything.
//
// State lives in the URL query string, which mirrors the API parameters:
//   q, actor*, stance, holder, target, polarity, topic*, camp*, article,
//   since, until, sort, limit, offset      (as in GET /api/search)
//   view=matrix|timeline                    (tab; absent = passages)
//   passage=ID                              (passage view)
//   actor_view=NAME                         (actor view)
// Every navigation is history.pushState + render(); popstate re-renders.
'use strict';

(() => {
  // ------------------------------------------------------------ constants
  const PAGE = 20;
  const MAX_LIMIT = 1000;
  const LONG_PASSAGE = 1200; // UTF-16 units; longer passages show an excerpt first
  const MULTI = ['actor', 'topic', 'camp'];
  const SINGLE = ['stance', 'holder', 'target', 'polarity', 'article', 'since', 'until'];
  const FILTER_ORDER = ['actor', 'stance', 'holder', 'target', 'polarity', 'topic', 'camp', 'article', 'since', 'until'];
  const URL_ORDER = ['q', ...FILTER_ORDER, 'sort', 'limit', 'offset', 'view', 'passage', 'actor_view'];
  const VIEWS = ['passages', 'matrix', 'timeline'];
  const FILTER_LABEL = {
    actor: 'Actor', stance: 'Stance', holder: 'Holder', target: 'Target', polarity: 'Polarity',
    topic: 'Topic', camp: 'Camp', article: 'Article', since: 'Since', until: 'Until',
  };
  const FACETS = [
    { by: 'actor', title: 'Actors', param: 'actor' },
    { by: 'stance', title: 'Stances', param: 'stance' },
    { by: 'holder', title: 'Stance holders', param: 'holder' },
    { by: 'topic', title: 'Topics', param: 'topic' },
    { by: 'camp', title: 'Camps', param: 'camp' },
  ];
  const FACET_SHOWN = 8;
  const MATRIX_ROWS = 30;
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

  // ------------------------------------------------------------ DOM helpers
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

  function append(el, children) {
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  // h('a', {class: 'x', href: '?q=1', onclick: fn}, 'text', child) -- text only, never HTML.
  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    setProps(el, props);
    return append(el, children);
  }

  function setProps(el, props) {
    if (!props) return;
    for (const [k, v] of Object.entries(props)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.setAttribute('class', v);
      else if (k === 'text') el.textContent = String(v);
      else if (k === 'style') for (const [p, pv] of Object.entries(v)) el.style.setProperty(p, String(pv));
      else if (k.startsWith('on')) { if (typeof v === 'function') el.addEventListener(k.slice(2), v); } // never as an attribute
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }

  const SVG_NS = 'http://www.w3.org/2000/svg';
  function svg(tag, props, ...children) {
    const el = document.createElementNS(SVG_NS, tag);
    setProps(el, props);
    return append(el, children);
  }

  const fmt = (n) => Number(n).toLocaleString('en-US');
  const plural = (n, one, many) => `${fmt(n)} ${n === 1 ? one : (many || one + 's')}`;

  // ------------------------------------------------------------ URL state
  function emptyState() {
    const s = { q: '', sort: '', limit: '', offset: '', view: '', passage: '', actor_view: '' };
    for (const k of MULTI) s[k] = [];
    for (const k of SINGLE) s[k] = '';
    return s;
  }

  function parseState(search) {
    const p = new URLSearchParams(search);
    const s = emptyState();
    for (const k of URL_ORDER) {
      if (MULTI.includes(k)) s[k] = dedupe(p.getAll(k).map((v) => v.trim()).filter(Boolean));
      else s[k] = (p.get(k) || '').trim();
    }
    if (!VIEWS.includes(s.view) || s.view === 'passages') s.view = '';
    if (!/^\d+$/.test(s.offset) || s.offset === '0') s.offset = '';
    if (!/^\d+$/.test(s.limit)) s.limit = '';
    if (s.sort !== 'score' && s.sort !== 'position') s.sort = '';
    return s;
  }

  function dedupe(list) {
    return Array.from(new Set(list));
  }

  function toSearch(s) {
    const p = new URLSearchParams();
    for (const k of URL_ORDER) {
      const v = s[k];
      if (Array.isArray(v)) v.forEach((x) => p.append(k, x));
      else if (v) p.set(k, v);
    }
    const str = p.toString();
    return str ? '?' + str : '';
  }

  function cloneState(s) {
    const c = { ...s };
    for (const k of MULTI) c[k] = s[k].slice();
    return c;
  }

  // A copy of s with changes applied. Filter changes reset paging and close
  // the passage/actor views unless the change says otherwise.
  function withState(s, changes) {
    const c = cloneState(s);
    Object.assign(c, changes);
    return c;
  }

  function searchState(s, changes) {
    return withState(s, { offset: '', passage: '', actor_view: '', ...changes });
  }

  function hasFilters(s) {
    return MULTI.some((k) => s[k].length) || SINGLE.some((k) => s[k]);
  }

  function countFilters(s) {
    return MULTI.reduce((n, k) => n + s[k].length, 0) + SINGLE.filter((k) => s[k]).length;
  }

  function filterParams(s) {
    const p = new URLSearchParams();
    if (s.q) p.set('q', s.q);
    for (const k of FILTER_ORDER) {
      const v = s[k];
      if (Array.isArray(v)) v.forEach((x) => p.append(k, x));
      else if (v) p.set(k, v);
    }
    return p;
  }

  function pageSize(s) {
    const n = parseInt(s.limit, 10);
    return n >= 1 ? Math.min(n, MAX_LIMIT) : PAGE;
  }

  let current = parseState(location.search);

  // Each history entry remembers its scroll position and the entry before it,
  // so "Back to results" can return to the very place the reader left.
  if ('scrollRestoration' in history) history.scrollRestoration = 'manual';
  let pendingScroll = null;

  function navigate(next, { replace = false, focus = null } = {}) {
    const url = location.pathname + toSearch(next) + location.hash;
    const here = location.pathname + location.search + location.hash;
    const modeChange = !!(next.passage || next.actor_view) !== !!(current.passage || current.actor_view) ||
      next.passage !== current.passage || next.actor_view !== current.actor_view;
    if (replace) {
      history.replaceState(history.state, '', url);
    } else if (url !== here) {
      history.replaceState({ ...(history.state || {}), scrollY: window.scrollY }, '');
      history.pushState({ prev: location.search }, '', url);
    }
    pendingFocus = focus;
    pendingScroll = modeChange ? 0 : 'results';
    render();
  }

  // Leave a passage or actor view: go back in history when the entry before is
  // that search (restoring its scroll position), else navigate to it.
  function closeOverlay() {
    const next = withState(current, { passage: '', actor_view: '' });
    if (history.state && history.state.prev === toSearch(next)) history.back();
    else navigate(next);
  }

  function applyScroll() {
    if (pendingScroll === null) return;
    if (pendingScroll === 'results') {
      const top = $('#main').getBoundingClientRect().top + window.scrollY - 12;
      if (window.scrollY > top) window.scrollTo(0, Math.max(0, top));
    } else {
      window.scrollTo(0, pendingScroll);
    }
    pendingScroll = null;
  }

  // A real link (open in new tab works) that navigates in place on a plain click.
  function stateLink(next, props, ...children) {
    const a = h('a', { ...props, href: (location.pathname || '/') + toSearch(next) }, ...children);
    a.addEventListener('click', (ev) => {
      if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
      ev.preventDefault();
      navigate(next, { focus: props && props['data-focus-next'] });
    });
    return a;
  }

  // ------------------------------------------------------------ API
  class ApiError extends Error {
    constructor(status, code, message, suggestions) {
      super(message);
      this.status = status;
      this.code = code;
      this.suggestions = suggestions || [];
    }
  }

  let inflight = 0;
  function busy(delta) {
    inflight += delta;
    document.getElementById('progress').classList.toggle('on', inflight > 0);
  }

  async function fetchJson(url) {
    busy(1);
    try {
      let res;
      try {
        res = await fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-store' });
      } catch (e) {
        throw new ApiError(0, 'network', 'Cannot reach the dossier server. Is `dossier serve` still running?', []);
      }
      const text = await res.text();
      let body = null;
      try {
        body = text ? JSON.parse(text) : null;
      } catch (e) {
        body = null;
      }
      if (!res.ok) {
        const err = body && typeof body === 'object' ? body.error : null;
        const message = err && typeof err.message === 'string' ? err.message : `The server answered HTTP ${res.status}.`;
        const code = err && typeof err.code === 'string' ? err.code : 'http_' + res.status;
        const sugg = err && Array.isArray(err.suggestions) ? err.suggestions.filter((x) => typeof x === 'string') : [];
        throw new ApiError(res.status, code, message, sugg);
      }
      if (body === null || typeof body !== 'object') throw new ApiError(res.status, 'bad_response', 'The server sent a response that is not JSON.', []);
      return body;
    } finally {
      busy(-1);
    }
  }

  const cache = new Map();
  function api(path, params) {
    const qs = params ? params.toString() : '';
    const url = path + (qs ? '?' + qs : '');
    if (cache.has(url)) return cache.get(url);
    const pr = fetchJson(url);
    cache.set(url, pr);
    pr.catch(() => cache.delete(url));
    return pr;
  }

  // ------------------------------------------------------------ registries
  const names = new Map(); // actor id -> display name (learned from every response)
  const reg = { actors: new Map(), stances: new Map(), stanceOrder: [], topics: [], camps: [], ready: null };

  function learnActors(list) {
    for (const a of list || []) if (a && typeof a.id === 'string' && typeof a.name === 'string') names.set(a.id, a.name);
  }

  function actorName(id) {
    return names.get(id) || id;
  }

  function loadRegistries() {
    const actors = api('/api/actors').then((list) => {
      if (!Array.isArray(list)) return;
      reg.actors = new Map(list.map((a) => [a.id, a]));
      learnActors(list);
      const dl = $('#dl-actors');
      dl.replaceChildren(...list.map((a) => h('option', { value: a.name, label: a.aliases && a.aliases.length ? a.aliases.slice(0, 4).join(', ') : a.id })));
    });
    const stances = api('/api/stances').then((list) => {
      if (!Array.isArray(list)) return;
      reg.stances = new Map(list.map((x) => [x.id, x]));
      reg.stanceOrder = taxonomyOrder(list);
      const sel = $('#f-stance');
      sel.replaceChildren(h('option', { value: '' }, 'Any stance'),
        ...reg.stanceOrder.map(({ stance, depth }) => h('option', { value: stance.id, title: stance.description || null },
          '\u2003'.repeat(depth) + stance.id + (typeof stance.passages === 'number' ? ` (${fmt(stance.passages)})` : ''))));
    });
    const topics = api('/api/facets', new URLSearchParams('by=topic')).then((f) => {
      reg.topics = (f.counts || []).map((c) => c.value).filter((v) => typeof v === 'string').sort();
      $('#f-topic').replaceChildren(h('option', { value: '' }, 'Add a topic…'), ...reg.topics.map((t) => h('option', { value: t }, t)));
    });
    const camps = api('/api/facets', new URLSearchParams('by=camp')).then((f) => {
      reg.camps = (f.counts || []).map((c) => c.value).filter((v) => typeof v === 'string').sort();
      if (!reg.camps.length) reg.camps = ['centrist', 'hardliner', 'reformist'];
      $('#f-camp').replaceChildren(h('option', { value: '' }, 'Add a camp…'), ...reg.camps.map((t) => h('option', { value: t }, t)));
    });
    reg.ready = Promise.allSettled([actors, stances, topics, camps]).then(() => {
      const dl = $('#dl-targets');
      dl.replaceChildren(...Array.from(reg.actors.values()).map((a) => h('option', { value: a.name, label: 'actor' })),
        ...reg.topics.map((t) => h('option', { value: t, label: 'topic' })));
      syncForm(current);
    });
    return reg.ready;
  }

  // Stances as a tree (parent before children), for the select and the matrix.
  function taxonomyOrder(list) {
    const byParent = new Map();
    const ids = new Set(list.map((x) => x.id));
    for (const x of list) {
      const p = x.parent && ids.has(x.parent) ? x.parent : '';
      if (!byParent.has(p)) byParent.set(p, []);
      byParent.get(p).push(x);
    }
    const out = [];
    const seen = new Set();
    const walk = (p, depth) => {
      for (const x of byParent.get(p) || []) {
        if (seen.has(x.id)) continue;
        seen.add(x.id);
        out.push({ stance: x, depth });
        walk(x.id, depth + 1);
      }
    };
    walk('', 0);
    for (const x of list) if (!seen.has(x.id)) out.push({ stance: x, depth: 0 });
    return out;
  }

  // ------------------------------------------------------------ name resolution (from search responses)
  // The search response's `query` says how each actor/holder/target resolved.
  let resolution = { actor: new Map(), holder: null, target: null };

  function learnResolution(query) {
    if (!query || typeof query !== 'object') return;
    const res = { actor: new Map(), holder: null, target: null };
    for (const a of query.actors || []) if (a && typeof a.input === 'string') res.actor.set(a.input, a);
    if (query.holder && typeof query.holder.input === 'string') res.holder = query.holder;
    if (query.target && typeof query.target === 'object') res.target = query.target;
    for (const r of [...res.actor.values(), res.holder, res.target]) if (r && Array.isArray(r.matches)) learnActors(r.matches);
    resolution = res;
  }

  function resolvedIds(kind, input) {
    if (!input) return [];
    if (reg.actors.has(input)) return [input];
    const r = kind === 'actor' ? resolution.actor.get(input) : resolution[kind];
    if (!r || (r.input !== undefined && r.input !== input)) return [];
    if (r.kind === 'topic') return [r.id];
    return (r.matches || []).map((m) => m.id);
  }

  function displayValue(kind, value) {
    if (kind === 'actor' || kind === 'holder' || kind === 'target') {
      const ids = resolvedIds(kind, value);
      if (ids.length === 1) return actorNameOrTopic(ids[0]);
      if (ids.length > 1) return `${value} (${ids.length} actors)`;
    }
    return value;
  }

  function actorNameOrTopic(id) {
    return names.has(id) ? names.get(id) : id;
  }

  // ------------------------------------------------------------ text and highlights
  // Map UTF-8 byte offsets into str to UTF-16 indices (rounding down inside a character).
  function byteToIndex(str, offsets) {
    const order = offsets.map((o, k) => [o, k]).sort((a, b) => a[0] - b[0]);
    const out = new Array(offsets.length);
    let b = 0;
    let i = 0;
    for (const [o, k] of order) {
      while (i < str.length) {
        const cp = str.codePointAt(i);
        const nb = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        if (b + nb > o) break;
        b += nb;
        i += cp > 0xffff ? 2 : 1;
      }
      out[k] = i;
    }
    return out;
  }

  function utf8Length(str) {
    let n = 0;
    for (const ch of str) {
      const cp = ch.codePointAt(0);
      n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    }
    return n;
  }

  // Keyword ranges (UTF-16 indices into `text`). The server marks matches in the
  // snippet (byte ranges into snippet.text); the snippet is a piece of the text,
  // so those ranges are moved into the text, and the same matched words are
  // also marked where they recur outside the snippet (whole words, any case).
  function keywordRanges(hit, text) {
    const sn = hit.snippet && typeof hit.snippet.text === 'string' ? hit.snippet : null;
    if (!sn || !sn.text) return { kw: [], at: -1, len: 0 };
    const at = text.indexOf(sn.text);
    const hl = Array.isArray(sn.highlights)
      ? sn.highlights.filter((r) => r && Number.isInteger(r.start) && Number.isInteger(r.end) && r.end > r.start) : [];
    const idx = byteToIndex(sn.text, hl.flatMap((r) => [r.start, r.end]));
    const kw = [];
    const terms = new Set();
    for (let n = 0; n < hl.length; n++) {
      const s = idx[2 * n];
      const e = idx[2 * n + 1];
      if (e <= s) continue;
      terms.add(sn.text.slice(s, e));
      if (at >= 0) kw.push([at + s, at + e]);
    }
    for (const term of terms) {
      if (!term.trim() || term.length > 200) continue;
      let re;
      try {
        re = new RegExp('(?<![\\p{L}\\p{N}])' + term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '(?![\\p{L}\\p{N}])', 'giu');
      } catch (e) {
        continue;
      }
      for (const m of text.matchAll(re)) {
        const s = m.index;
        const e = s + m[0].length;
        if (!kw.some(([a, b]) => a === s && b === e)) kw.push([s, e]);
      }
    }
    return { kw, at, len: sn.text.length };
  }

  // Where each stance quote sits in the text. Stances are numbered in reading
  // order of their quotes: out.order lists stance indices in that order, and
  // each range's n is its number (data-ev attributes keep the API index).
  function evidenceRanges(text, stances) {
    const out = [];
    (stances || []).forEach((st, i) => {
      if (!st || typeof st.quote !== 'string' || !st.quote) return;
      const s = text.indexOf(st.quote);
      if (s >= 0) out.push({ s, e: s + st.quote.length, i });
    });
    const pos = new Map(out.map((r) => [r.i, r.s]));
    out.order = (stances || []).map((_, i) => i)
      .sort((a, b) => (pos.has(a) ? pos.get(a) : Infinity) - (pos.has(b) ? pos.get(b) : Infinity) || a - b);
    out.num = new Map(out.order.map((i, k) => [i, k + 1]));
    for (const r of out) r.n = out.num.get(r.i);
    return out;
  }

  // Render text with keyword <mark class="kw"> and evidence <mark class="ev" data-ev="i j">.
  // The evidence number badge is an empty element drawn by CSS, so textContent stays the exact text.
  function renderMarkedText(text, kw, ev, win) {
    const cuts = new Set([0, text.length]);
    for (const [s, e] of kw) { cuts.add(s); cuts.add(e); }
    for (const r of ev) { cuts.add(r.s); cuts.add(r.e); }
    if (win) { cuts.add(win[0]); cuts.add(win[1]); }
    const pts = Array.from(cuts).filter((x) => x >= 0 && x <= text.length).sort((a, b) => a - b);
    const frag = document.createDocumentFragment();
    for (let n = 0; n + 1 < pts.length; n++) {
      const a = pts[n];
      const b = pts[n + 1];
      if (a >= b) continue;
      if (win && (a < win[0] || b > win[1])) continue;
      const str = text.slice(a, b);
      const isKw = kw.some(([s, e]) => s <= a && b <= e);
      const evs = ev.filter((r) => r.s <= a && b <= r.e).map((r) => r.i);
      const starts = ev.filter((r) => r.s === a).map((r) => r.n).sort((x, y) => x - y);
      let node = isKw ? h('mark', { class: 'kw' }, str) : document.createTextNode(str);
      if (evs.length) {
        const m = h('mark', { class: 'ev', 'data-ev': evs.join(' ') });
        if (starts.length) m.appendChild(h('span', { class: 'evn', 'data-n': starts.join(','), 'aria-hidden': 'true' }));
        m.appendChild(node);
        node = m;
      }
      frag.appendChild(node);
    }
    return frag;
  }

  // Hovering an evidence row lights its quote, and the other way round.
  function wireEvidence(root) {
    const setOn = (i, on) => {
      for (const m of $$('mark.ev', root)) if (m.dataset.ev.split(' ').includes(i)) m.classList.toggle('on', on);
      for (const li of $$('.ev-item', root)) if (li.dataset.ev === i) li.classList.toggle('on', on);
    };
    root.addEventListener('mouseover', (e) => {
      const t = e.target.closest('[data-ev]');
      if (t && root.contains(t)) t.dataset.ev.split(' ').forEach((i) => setOn(i, true));
    });
    root.addEventListener('mouseout', (e) => {
      const t = e.target.closest('[data-ev]');
      if (t && root.contains(t)) t.dataset.ev.split(' ').forEach((i) => setOn(i, false));
    });
    root.addEventListener('focusin', (e) => {
      const t = e.target.closest('.ev-item');
      if (t) setOn(t.dataset.ev, true);
    });
    root.addEventListener('focusout', (e) => {
      const t = e.target.closest('.ev-item');
      if (t) setOn(t.dataset.ev, false);
    });
  }

  // ------------------------------------------------------------ small components
  function polarityBadge(p) {
    if (!p) return null;
    return h('span', { class: `pol pol-${['favor', 'against', 'neutral'].includes(p) ? p : 'other'}` }, p);
  }

  function filterButton(kind, value, label, extraClass) {
    const on = isActive(current, kind, value);
    const next = toggleFilter(current, kind, value);
    return h('button', {
      type: 'button',
      class: 'link-btn ' + (extraClass || ''),
      'aria-pressed': on ? 'true' : 'false',
      title: on ? `Remove filter: ${FILTER_LABEL[kind].toLowerCase()} ${label}` : `Filter: ${FILTER_LABEL[kind].toLowerCase()} ${label}`,
      'data-focus-key': `fb:${kind}:${value}`,
      onclick: () => navigate(next),
    }, label);
  }

  function chip(kind, value, label, extra) {
    const on = isActive(current, kind, value);
    return h('button', {
      type: 'button',
      class: `chip chip-${kind}` + (on ? ' on' : ''),
      'aria-pressed': on ? 'true' : 'false',
      title: on ? `Remove filter ${kind}: ${label}` : `Add filter ${kind}: ${label}`,
      onclick: () => navigate(toggleFilter(current, kind, value)),
    }, label, extra || null);
  }

  function isActive(s, kind, value) {
    if (MULTI.includes(kind)) {
      return s[kind].some((v) => v === value || (kind === 'actor' && sameActor('actor', v, value)));
    }
    return s[kind] === value || ((kind === 'holder' || kind === 'target') && sameActor(kind, s[kind], value));
  }

  function sameActor(kind, input, id) {
    const ids = resolvedIds(kind, input);
    return ids.length === 1 && ids[0] === id;
  }

  function toggleFilter(s, kind, value) {
    const c = searchState(s, {});
    if (MULTI.includes(kind)) {
      if (isActive(s, kind, value)) c[kind] = s[kind].filter((v) => !(v === value || (kind === 'actor' && sameActor('actor', v, value))));
      else c[kind] = [...s[kind], value];
    } else {
      c[kind] = isActive(s, kind, value) ? '' : value;
    }
    return c;
  }

  function stanceLabel(st) {
    // holder — stance → target, each part a filter.
    const holder = st.holder ? actorName(st.holder) : '?';
    const target = st.target ? actorNameOrTopic(st.target) : '?';
    return [
      filterButton('holder', st.holder, holder, 'ev-holder'),
      h('span', { class: 'sep', 'aria-hidden': 'true' }, ' — '),
      h('span', { class: 'visually-hidden' }, ' holds '),
      filterButton('stance', st.stance, st.stance, 'ev-stance'),
      h('span', { class: 'sep', 'aria-hidden': 'true' }, ' → '),
      h('span', { class: 'visually-hidden' }, ' toward '),
      filterButton('target', st.target, target, 'ev-target' + (names.has(st.target) ? '' : ' is-topic')),
    ];
  }

  function evidenceList(stances, ev, opts = {}) {
    if (!stances || !stances.length) return null;
    return h('ol', { class: 'ev-list', 'aria-label': 'Stances, with their evidence quote highlighted in the text' },
      ev.order.map((i) => [stances[i], i]).map(([st, i]) => h('li', { class: 'ev-item' + (opts.missing && opts.missing.has(i) ? ' outside' : ''), 'data-ev': String(i) },
        h('span', { class: 'ev-num', 'aria-hidden': 'true' }, String(ev.num.get(i))),
        h('span', { class: 'ev-body' },
          h('span', { class: 'ev-label' }, stanceLabel(st)),
          ' ',
          polarityBadge(st.polarity),
          st.voice === 'author' ? [' ', h('span', { class: 'voice', title: 'The article’s author takes this stance' }, 'author’s voice')] : null,
          opts.missing && opts.missing.has(i) ? h('q', { class: 'ev-quote' }, st.quote) : null))));
    // (.ev-quote shows only while the item has class "outside": its quote is not in the excerpt.)
  }

  function spinnerText(text) {
    return h('p', { class: 'loading' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), text);
  }

  function formatDate(d) {
    if (typeof d !== 'string') return '';
    let m = /^(\d{4})$/.exec(d);
    if (m) return m[1];
    m = /^(\d{4})-(\d{2})$/.exec(d);
    if (m) return `${MONTHS[+m[2] - 1] || m[2]} ${m[1]}`;
    m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
    if (m) return `${+m[3]} ${MONTHS[+m[2] - 1] || m[2]} ${m[1]}`;
    m = /^--(\d{2})-(\d{2})$/.exec(d);
    if (m) return `${+m[2]} ${MONTHS[+m[1] - 1] || m[1]}`;
    return d;
  }

  // ------------------------------------------------------------ errors
  function errorBox(err, s, opts = {}) {
    const e = err instanceof ApiError ? err : new ApiError(0, 'client', String(err && err.message || err), []);
    const title = opts.title || (e.status === 0 ? 'The server is unreachable'
      : e.status === 503 ? 'The index is not ready yet'
        : e.status === 404 ? 'Not found'
          : e.status === 413 ? 'The request is too large'
            : e.status >= 500 ? 'The server failed' : 'This search cannot run');
    const box = h('div', { class: 'error-box', role: 'alert' },
      h('h2', null, title),
      h('p', { class: 'error-message' }, e.message));
    // A query error names a character position: point at it under the query.
    const at = /at character (\d+)/.exec(e.message);
    if (at && s.q && e.status === 400) {
      const chars = Array.from(s.q);
      const n = Math.min(+at[1], chars.length);
      box.appendChild(h('pre', { class: 'caret', 'aria-hidden': 'true' }, chars.join(''), '\n', ' '.repeat(n), '^'));
    }
    if (e.suggestions.length) {
      box.appendChild(h('div', { class: 'suggestions' },
        h('span', null, 'Did you mean '),
        e.suggestions.map((sg) => h('button', { type: 'button', class: 'chip suggestion', onclick: () => navigate(applySuggestion(s, e, sg)) }, sg)),
        h('span', null, '?')));
    }
    const actions = h('p', { class: 'error-actions' });
    if (hasFilters(s) && !opts.noClear) actions.appendChild(stateLink(withState(emptyState(), { q: s.q }), { class: 'btn btn-small' }, 'Clear filters'));
    if (e.status === 0 || e.status >= 500) actions.appendChild(h('button', { type: 'button', class: 'btn btn-small', onclick: () => render() }, 'Retry'));
    if (actions.childNodes.length) box.appendChild(actions);
    box.appendChild(h('p', { class: 'error-code' }, `${e.code}${e.status ? ' · HTTP ' + e.status : ''}`));
    return box;
  }

  // Replace the value the error names (`input` in backticks) by the suggestion.
  function applySuggestion(s, e, sug) {
    const m = /`([^`]+)`/.exec(e.message);
    const input = m ? m[1] : null;
    const c = searchState(s, { passage: s.passage, actor_view: s.actor_view });
    if (input !== null) {
      const same = (v) => v === input || v.toLowerCase() === input.toLowerCase();
      for (const k of MULTI) {
        const i = c[k].findIndex(same);
        if (i >= 0) { c[k][i] = sug; return c; }
      }
      for (const k of [...SINGLE, 'passage', 'actor_view']) {
        if (c[k] && same(c[k])) { c[k] = sug; return c; }
      }
      if (c.q && c.q.includes(input)) {
        c.q = c.q.replace(input, /\s/.test(sug) ? `"${sug}"` : sug);
        return c;
      }
    }
    if (e.code === 'unknown_passage' && s.passage) { c.passage = sug; return c; }
    if (e.code === 'unknown_actor' && s.actor_view) { c.actor_view = sug; return c; }
    return c;
  }

  // ------------------------------------------------------------ form
  const form = $('#search-form');
  const qInput = $('#q');

  function syncForm(s) {
    if (document.activeElement !== qInput || qInput.value.trim() !== s.q) qInput.value = s.q;
    $('#f-actor').value = '';
    $('#f-holder').value = s.holder ? displayForInput('holder', s.holder) : '';
    setSelect($('#f-stance'), s.stance);
    $('#f-target').value = s.target ? displayForInput('target', s.target) : '';
    setSelect($('#f-polarity'), s.polarity);
    $('#f-topic').value = '';
    $('#f-camp').value = '';
    $('#f-article').value = s.article;
    $('#f-since').value = s.since;
    $('#f-until').value = s.until;
    const n = countFilters(s);
    const badge = $('#filter-count');
    badge.hidden = n === 0;
    badge.textContent = n ? `${n} active` : '';
  }

  // Inputs show what the URL holds; ids are shown as names when known.
  function displayForInput(kind, v) {
    return reg.actors.has(v) ? reg.actors.get(v).name : v;
  }

  function setSelect(sel, v) {
    if (v && !Array.from(sel.options).some((o) => o.value === v)) sel.appendChild(h('option', { value: v }, v));
    sel.value = v;
  }

  function readForm(s) {
    const c = searchState(s, {});
    c.q = qInput.value.trim();
    const addTo = (k, v) => { v = v.trim(); if (v && !c[k].includes(v)) c[k] = [...c[k], v]; };
    addTo('actor', $('#f-actor').value);
    addTo('topic', $('#f-topic').value);
    addTo('camp', $('#f-camp').value);
    const keep = (kind, v) => {
      v = v.trim();
      // The input shows a name for an id; keep the id if the name was not edited.
      if (s[kind] && v === displayForInput(kind, s[kind])) return s[kind];
      return v;
    };
    c.holder = keep('holder', $('#f-holder').value);
    c.target = keep('target', $('#f-target').value);
    c.stance = $('#f-stance').value;
    c.polarity = $('#f-polarity').value;
    c.article = $('#f-article').value.trim();
    c.since = $('#f-since').value.trim();
    c.until = $('#f-until').value.trim();
    return c;
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    navigate(readForm(current));
  });

  $('#clear-filters').addEventListener('click', () => navigate(withState(emptyState(), { q: qInput.value.trim(), view: current.view })));

  const syntaxToggle = $('#syntax-toggle');
  syntaxToggle.addEventListener('click', () => {
    const help = $('#syntax-help');
    help.hidden = !help.hidden;
    syntaxToggle.setAttribute('aria-expanded', String(!help.hidden));
  });

  // The filter panel: closed by default (the facets filter in one click); the
  // user's choice is remembered.
  const filtersBox = $('#filters');
  const filtersToggle = $('#filters-toggle');
  function openFilters(open, remember) {
    filtersBox.hidden = !open;
    filtersToggle.setAttribute('aria-expanded', String(open));
    if (remember) {
      try { localStorage.setItem('dossier.filters.open', open ? '1' : '0'); } catch (e) { /* private mode */ }
    }
  }
  try {
    openFilters(localStorage.getItem('dossier.filters.open') === '1', false);
  } catch (e) {
    openFilters(false, false);
  }
  filtersToggle.addEventListener('click', () => {
    const open = filtersBox.hidden;
    openFilters(open, true);
    if (open) $('#f-actor').focus();
  });

  const facetsToggle = $('#facets-toggle');
  facetsToggle.addEventListener('click', () => {
    const aside = $('#facets');
    const collapsed = aside.dataset.collapsed !== 'true';
    aside.dataset.collapsed = String(collapsed);
    facetsToggle.setAttribute('aria-expanded', String(!collapsed));
    facetsToggle.textContent = collapsed ? 'Show facets' : 'Hide facets';
  });

  $('#brand').addEventListener('click', (e) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(emptyState());
    qInput.focus();
  });

  document.addEventListener('keydown', (e) => {
    const t = e.target;
    const typing = t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));
    if (e.key === '/' && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      qInput.focus();
      qInput.select();
    } else if (e.key === 'Escape' && !typing && (current.passage || current.actor_view)) {
      e.preventDefault();
      closeOverlay();
    }
  });

  // ------------------------------------------------------------ active filters bar
  function renderActiveFilters(s) {
    const bar = $('#active-filters');
    const chips = [];
    for (const k of FILTER_ORDER) {
      const vals = MULTI.includes(k) ? s[k] : (s[k] ? [s[k]] : []);
      for (const v of vals) {
        const label = displayValue(k, v);
        const next = searchState(s, MULTI.includes(k) ? { [k]: s[k].filter((x) => x !== v) } : { [k]: '' });
        chips.push(h('span', { class: 'filter-chip' },
          h('span', { class: 'filter-chip-kind' }, FILTER_LABEL[k]),
          h('span', { class: 'filter-chip-value' }, label),
          h('button', {
            type: 'button', class: 'filter-chip-x', 'aria-label': `Remove filter ${FILTER_LABEL[k].toLowerCase()} ${label}`,
            'data-focus-key': `rm:${k}:${v}`, onclick: () => navigate(next),
          }, '×')));
      }
    }
    if (!chips.length) {
      bar.replaceChildren();
      bar.hidden = true;
      return;
    }
    bar.hidden = false;
    bar.replaceChildren(h('span', { class: 'active-filters-label' }, 'Filtered by'), ...chips,
      stateLink(withState(emptyState(), { q: s.q, view: s.view }), { class: 'link-btn clear-all' }, 'Clear all'));
  }

  // ------------------------------------------------------------ tabs
  function renderTabs(s) {
    for (const a of $$('.tab')) {
      const v = a.dataset.view === 'passages' ? '' : a.dataset.view;
      const next = withState(s, { view: v, passage: '', actor_view: '' });
      a.setAttribute('href', location.pathname + toSearch(next));
      if ((s.view || '') === v) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
      a.onclick = (ev) => {
        if (ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
        ev.preventDefault();
        navigate(next);
      };
    }
  }

  // ------------------------------------------------------------ render loop
  let seq = 0;
  let pendingFocus = null;
  const view = $('#view');

  function setView(nodes, url) {
    view.replaceChildren(...nodes.filter(Boolean));
    view.setAttribute('aria-busy', 'false');
    view.dataset.url = url;
  }

  function titleFor(s) {
    const parts = [];
    if (s.passage) parts.push(s.passage);
    else if (s.actor_view) parts.push(s.actor_view);
    else {
      if (s.q) parts.push(s.q);
      if (s.view === 'matrix') parts.push('who holds which stance');
      if (s.view === 'timeline') parts.push('timeline');
    }
    parts.push('dossier');
    return parts.join(' — ');
  }

  async function render() {
    const s = parseState(location.search);
    const from = current;
    current = s;
    const my = ++seq;
    const url = location.search;
    const mode = s.passage ? 'passage' : s.actor_view ? 'actor' : 'search';
    document.body.dataset.mode = mode;
    document.title = titleFor(s);
    view.setAttribute('aria-busy', 'true');
    delete view.dataset.url;
    syncForm(s);
    renderActiveFilters(s);
    renderTabs(s);
    const focusKey = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.focusKey : null;

    try {
      if (mode === 'search') {
        renderFacets(s, my);
        if (s.view === 'matrix') await renderMatrix(s, my, url);
        else if (s.view === 'timeline') await renderTimeline(s, my, url);
        else await renderResults(s, my, url);
      } else if (mode === 'passage') {
        await renderPassage(s, my, url);
      } else {
        await renderActor(s, my, url);
      }
    } catch (err) {
      if (my !== seq) return;
      setView([mode === 'search' ? null : backLink(s), errorBox(err, s, { noClear: mode !== 'search' })], url);
      if (err instanceof ApiError && err.status === 503) setTimeout(() => { if (my === seq) render(); }, 2000);
    }
    if (my !== seq) return;
    renderActiveFilters(s); // names may have resolved meanwhile
    syncForm(s);
    applyScroll();
    restoreFocus(focusKey);
    // Back from a passage: keyboard focus returns to that passage's result.
    if (from.passage && !s.passage && (!document.activeElement || document.activeElement === document.body)) {
      const card = $$('.results .hit').find((x) => x.dataset.passage === from.passage);
      if (card) $('.hit-id', card).focus({ preventScroll: true });
    }
    document.body.dataset.ready = 'true';
  }

  function restoreFocus(focusKey) {
    if (pendingFocus === 'main') $('#main').focus({ preventScroll: false });
    else if (pendingFocus === 'heading') {
      const h1 = $('#view h1');
      if (h1) h1.focus();
    } else if (focusKey && (!document.activeElement || document.activeElement === document.body)) {
      const el = $$('[data-focus-key]').find((x) => x.dataset.focusKey === focusKey);
      if (el) el.focus();
    }
    pendingFocus = null;
  }

  window.addEventListener('popstate', (e) => {
    pendingScroll = e.state && Number.isFinite(e.state.scrollY) ? e.state.scrollY : 0;
    render();
  });

  // ------------------------------------------------------------ results
  // Hits seen per (query, passage): the passage view reuses their keyword
  // matches to highlight the query in the full text.
  const seenHits = new Map();

  async function renderResults(s, my, url) {
    const p = filterParams(s);
    const limit = pageSize(s);
    p.set('limit', String(limit));
    if (s.offset) p.set('offset', s.offset);
    if (s.sort) p.set('sort', s.sort);
    if (!view.querySelector('.results')) view.replaceChildren(spinnerText('Searching…'));
    const [data] = await Promise.all([api('/api/search', p), reg.ready]);
    if (my !== seq) return;
    learnResolution(data.query);
    refreshFacetPressed(s);
    const hits = Array.isArray(data.hits) ? data.hits : [];
    for (const hit of hits) {
      learnActors(hit.actors);
      if (s.q) seenHits.set(s.q + '\u0000' + hit.passage, hit);
    }
    if (seenHits.size > 2000) seenHits.clear();
    const total = Number.isFinite(data.total) ? data.total : hits.length;
    const offset = parseInt(s.offset || '0', 10);

    const summary = h('div', { class: 'results-head' },
      h('p', { class: 'summary', id: 'summary', 'data-total': String(total), 'data-shown': String(hits.length) },
        h('strong', null, fmt(total)), ` ${total === 1 ? 'passage' : 'passages'}`,
        s.q ? [' match ', h('q', { class: 'summary-q' }, s.q)] : (hasFilters(s) ? ' match the filters' : ' in the corpus'),
        hits.length && (offset > 0 || hits.length < total) ? h('span', { class: 'muted' }, ` · showing ${fmt(offset + 1)}–${fmt(offset + hits.length)}`) : null),
      h('div', { class: 'results-tools' },
        selectControl('Sort', 'sort-select', [
          ['', s.q ? 'Relevance' : 'Article order'], ...(s.q ? [['position', 'Article order']] : [['score', 'Relevance']]),
        ], s.sort, (v) => navigate(withState(s, { sort: v, offset: '' }))),
        selectControl('Per page', 'limit-select', [['', String(PAGE)], ['10', '10'], ['50', '50'], ['100', '100']],
          s.limit && String(pageSize(s)) !== String(PAGE) ? String(pageSize(s)) : '', (v) => navigate(withState(s, { limit: v, offset: '' })))));

    const notices = ambiguityNotices(s, data.query);
    let body;
    if (!hits.length) body = emptyResults(s, total, offset);
    else body = h('ol', { class: 'results', start: String(offset + 1) }, hits.map((hit) => h('li', null, hitCard(hit, s))));
    setView([summary, notices, body, pager(s, total, offset, limit)], url);
  }

  function selectControl(label, id, options, value, onchange) {
    const sel = h('select', { id, onchange: (e) => onchange(e.target.value) },
      options.map(([v, t]) => h('option', { value: v }, t)));
    sel.value = value;
    return h('span', { class: 'select-control' }, h('label', { for: id }, label), sel);
  }

  function ambiguityNotices(s, query) {
    if (!query) return null;
    const items = [];
    const add = (kind, r) => {
      if (!r || !Array.isArray(r.matches) || r.matches.length < 2) return;
      items.push(h('p', { class: 'notice' },
        h('code', null, r.input), ` matches ${r.matches.length} actors; showing passages for any of them. Narrow to: `,
        r.matches.map((m, i) => [i ? ', ' : '', stateLink(replaceValue(s, kind, r.input, m.id), { class: 'notice-link' }, m.name)])));
    };
    for (const a of query.actors || []) add('actor', a);
    add('holder', query.holder);
    if (query.target && query.target.kind !== 'topic') add('target', query.target);
    return items.length ? h('div', { class: 'notices' }, items) : null;
  }

  function replaceValue(s, kind, from, to) {
    if (MULTI.includes(kind)) return searchState(s, { [kind]: s[kind].map((v) => (v === from ? to : v)) });
    return searchState(s, { [kind]: to });
  }

  function emptyResults(s, total, offset) {
    if (total > 0 && offset > 0) {
      return h('div', { class: 'empty' }, h('p', null, `No passages on this page: only ${plural(total, 'passage')} match.`),
        stateLink(withState(s, { offset: '' }), { class: 'btn' }, 'Go to the first page'));
    }
    const box = h('div', { class: 'empty' }, h('h2', null, 'No passages match'));
    if (hasFilters(s)) {
      const stanceFilters = ['holder', 'stance', 'target', 'polarity'].filter((k) => s[k]).length;
      box.appendChild(h('p', null, stanceFilters > 1
        ? 'Every filter must hold, and holder, stance, target and polarity must hold on one and the same stance annotation. Remove one:'
        : 'Every filter must hold. Remove one:'));
      const list = h('p', { class: 'empty-filters' });
      for (const k of FILTER_ORDER) {
        const vals = MULTI.includes(k) ? s[k] : (s[k] ? [s[k]] : []);
        for (const v of vals) {
          const next = searchState(s, MULTI.includes(k) ? { [k]: s[k].filter((x) => x !== v) } : { [k]: '' });
          list.appendChild(stateLink(next, { class: 'chip' }, `${FILTER_LABEL[k]}: ${displayValue(k, v)} ×`));
        }
      }
      box.appendChild(list);
    }
    if (s.q) box.appendChild(h('p', { class: 'muted' }, 'Words match by stem and all must appear; try fewer words, or OR between alternatives.'));
    return box;
  }

  function pager(s, total, offset, limit) {
    if ((total <= limit && offset === 0) || offset >= total) return null;
    const page = Math.floor(offset / limit) + 1;
    const pages = Math.max(1, Math.ceil(total / limit));
    const prev = offset > 0 ? stateLink(withState(s, { offset: offset - limit > 0 ? String(offset - limit) : '' }), { class: 'btn', rel: 'prev', 'data-focus-next': 'main' }, '← Previous') : h('span', { class: 'btn disabled', 'aria-disabled': 'true' }, '← Previous');
    const next = offset + limit < total ? stateLink(withState(s, { offset: String(offset + limit) }), { class: 'btn', rel: 'next', 'data-focus-next': 'main' }, 'Next →') : h('span', { class: 'btn disabled', 'aria-disabled': 'true' }, 'Next →');
    return h('nav', { class: 'pager', 'aria-label': 'Pages' }, prev, h('span', { class: 'pager-text' }, `Page ${fmt(page)} of ${fmt(pages)}`), next);
  }

  function hitCard(hit, s) {
    const text = typeof hit.text === 'string' ? hit.text : '';
    const stances = Array.isArray(hit.stances) ? hit.stances : [];
    const { kw, at, len } = keywordRanges(hit, text);
    const ev = evidenceRanges(text, stances);
    const passageState = withState(s, { passage: hit.passage, actor_view: '' });
    const card = h('article', { class: 'hit', 'data-passage': hit.passage, 'aria-labelledby': 'h-' + hit.passage });

    const head = h('header', { class: 'hit-head' },
      stateLink(passageState, { class: 'hit-id', id: 'h-' + hit.passage, 'data-focus-next': 'heading' }, hit.passage),
      h('span', { class: 'hit-meta' },
        filterButton('article', hit.article, hit.article, 'hit-article'),
        ` · passage ${hit.ordinal}`,
        typeof hit.score === 'number' ? h('span', { class: 'score', title: 'BM25 score' }, ` · score ${hit.score.toFixed(2)}`) : null));

    const textBox = h('p', { class: 'ptext' });
    if (text.length > LONG_PASSAGE) {
      // Long passage: show the snippet's stretch of it first, the whole on request.
      let win = at >= 0 ? [at, at + len] : [0, text.lastIndexOf(' ', 600) > 300 ? text.lastIndexOf(' ', 600) : 600];
      if (win[1] - win[0] < 200) win = [win[0], Math.min(text.length, win[0] + 400)];
      const missing = new Set(stances.map((_, i) => i).filter((i) => {
        const r = ev.find((x) => x.i === i);
        return !r || r.s < win[0] || r.e > win[1];
      }));
      const more = h('button', { type: 'button', class: 'link-btn more', 'aria-expanded': 'false' });
      const fill = (full) => {
        textBox.replaceChildren();
        if (!full && win[0] > 0) textBox.appendChild(h('span', { class: 'ellipsis', 'aria-hidden': 'true' }, '… '));
        textBox.appendChild(renderMarkedText(text, kw, ev, full ? null : win));
        if (!full && win[1] < text.length) textBox.appendChild(h('span', { class: 'ellipsis', 'aria-hidden': 'true' }, ' …'));
        textBox.dataset.excerpt = String(!full);
        more.setAttribute('aria-expanded', String(full));
        more.textContent = full ? 'Show the excerpt' : `Show the whole passage (${fmt(text.length)} characters)`;
        for (const li of $$('.ev-item', card)) li.classList.toggle('outside', !full && missing.has(+li.dataset.ev));
      };
      more.addEventListener('click', () => fill(more.getAttribute('aria-expanded') !== 'true'));
      card.append(head, h('div', { class: 'hit-body' }, textBox, more, evidenceList(stances, ev, { missing })));
      fill(false);
    } else {
      textBox.appendChild(renderMarkedText(text, kw, ev, null));
      card.append(head, h('div', { class: 'hit-body' }, textBox, evidenceList(stances, ev)));
    }

    const actors = Array.isArray(hit.actors) ? hit.actors : [];
    const topics = Array.isArray(hit.topics) ? hit.topics : [];
    card.appendChild(h('div', { class: 'hit-side' },
      actors.length ? h('div', { class: 'tag-group' }, h('h3', null, 'Actors'),
        h('div', { class: 'chips' }, actors.map((a) => chip('actor', a.id, a.name)))) : null,
      topics.length ? h('div', { class: 'tag-group' }, h('h3', null, 'Topics'),
        h('div', { class: 'chips' }, topics.map((t) => chip('topic', t, t)))) : null,
      Array.isArray(hit.events) && hit.events.length ? h('div', { class: 'tag-group' }, h('h3', null, 'Dated events'),
        h('ul', { class: 'mini-events' }, hit.events.map((e) => h('li', null, h('span', { class: 'date' }, e.date && e.date.startsWith('--') ? formatDate(e.date) + ' (year not stated)' : formatDate(e.date)), ' ', e.what)))) : null));
    wireEvidence(card);
    return card;
  }

  // ------------------------------------------------------------ facets
  const facetState = { expanded: new Set() };

  function renderFacets(s, my) {
    const root = $('#facet-groups');
    const aside = $('#facets');
    const base = filterParams(s);
    const key = base.toString();
    if (aside.dataset.key === key && root.childElementCount) {
      // Same query and filters: only the pressed state may differ.
      refreshFacetPressed(s);
      aside.dataset.url = location.search;
      return;
    }
    aside.dataset.key = key;
    aside.setAttribute('aria-busy', 'true');
    delete aside.dataset.url;
    if ($$('.facet', root).length !== FACETS.length) {
      root.replaceChildren(...FACETS.map((f) => h('section', { class: 'facet', 'data-by': f.by, 'aria-labelledby': 'fh-' + f.by },
        h('h3', { id: 'fh-' + f.by }, f.title), spinnerText('Counting…'))));
    }
    const jobs = FACETS.map(async (f) => {
      const p = new URLSearchParams(base);
      p.set('by', f.by);
      let data = null;
      let err = null;
      try {
        data = await api('/api/facets', p);
      } catch (e) {
        err = e;
      }
      if (my !== seq) return;
      const sec = $(`.facet[data-by="${f.by}"]`, root);
      if (!sec) return;
      const a = document.activeElement;
      const hadFocus = a && sec.contains(a) ? (a.dataset.focusKey || 'first') : null;
      const fresh = facetSection(f, data, err, s);
      sec.replaceWith(fresh);
      if (hadFocus) {
        const el = $$('[data-focus-key]', fresh).find((x) => x.dataset.focusKey === hadFocus) || $('button', fresh);
        if (el) el.focus();
      }
    });
    Promise.allSettled(jobs).then(() => {
      if (my !== seq) return;
      if ($$('.facet', root).every((x) => x.classList.contains('facet-error'))) {
        root.replaceChildren(h('p', { class: 'facet-empty' }, 'Counts appear once the search runs.'));
      }
      aside.setAttribute('aria-busy', 'false');
      aside.dataset.url = location.search;
    });
  }

  function facetSection(f, data, err, s) {
    const counts = data && Array.isArray(data.counts) ? data.counts : [];
    if (f.by === 'actor' || f.by === 'holder') learnActors(counts.map((c) => ({ id: c.value, name: c.name })));
    const sec = h('section', { class: 'facet', 'data-by': f.by, 'aria-labelledby': 'fh-' + f.by },
      h('h3', { id: 'fh-' + f.by }, f.title, counts.length ? h('span', { class: 'facet-n' }, fmt(counts.length)) : null));
    if (err) {
      sec.classList.add('facet-error');
      sec.appendChild(h('p', { class: 'facet-empty' }, err.status === 400 ? '—' : 'Could not load counts.'));
      return sec;
    }
    if (!counts.length) {
      sec.appendChild(h('p', { class: 'facet-empty' }, 'None in these passages.'));
      return sec;
    }
    const max = Math.max(...counts.map((c) => c.count || 0), 1);
    const expanded = facetState.expanded.has(f.by);
    const shown = expanded ? counts : counts.slice(0, FACET_SHOWN);
    const list = h('ul', { class: 'facet-list' }, shown.map((c) => {
      const value = String(c.value);
      const name = typeof c.name === 'string' ? c.name : value;
      const on = isActive(s, f.param, value);
      const desc = f.by === 'stance' && reg.stances.get(value) ? reg.stances.get(value).description : null;
      return h('li', null, h('button', {
        type: 'button',
        class: 'facet-row',
        'aria-pressed': on ? 'true' : 'false',
        'data-param': f.param,
        'data-value': value,
        'data-focus-key': `facet:${f.by}:${value}`,
        title: desc,
        style: { '--w': (c.count / max).toFixed(3) },
        onclick: () => navigate(toggleFilter(current, f.param, value)),
      }, h('span', { class: 'facet-name' }, name), h('span', { class: 'facet-count' }, fmt(c.count))));
    }));
    sec.appendChild(list);
    if (counts.length > FACET_SHOWN) {
      sec.appendChild(h('button', {
        type: 'button', class: 'link-btn facet-more', 'aria-expanded': expanded ? 'true' : 'false',
        onclick: () => {
          if (expanded) facetState.expanded.delete(f.by); else facetState.expanded.add(f.by);
          const fresh = facetSection(f, data, null, current);
          sec.replaceWith(fresh);
          const btn = $('.facet-more', fresh);
          if (btn) btn.focus();
        },
      }, expanded ? 'Show fewer' : `Show all ${fmt(counts.length)}`));
    }
    return sec;
  }

  function refreshFacetPressed(s) {
    for (const b of $$('.facet-row')) {
      b.setAttribute('aria-pressed', isActive(s, b.dataset.param, b.dataset.value) ? 'true' : 'false');
    }
  }

  // ------------------------------------------------------------ matrix (who holds which stance)
  const matrixState = { all: false };

  async function renderMatrix(s, my, url) {
    const p = filterParams(s);
    p.append('by', 'holder');
    p.append('by', 'stance');
    if (!view.querySelector('.matrix-wrap')) view.replaceChildren(spinnerText('Counting stances…'));
    const [data] = await Promise.all([api('/api/facets', p), reg.ready]);
    if (my !== seq) return;
    const counts = Array.isArray(data.counts) ? data.counts.filter((c) => Array.isArray(c.value) && c.value.length === 2) : [];
    const head = h('div', { class: 'view-head' },
      h('h2', null, 'Who holds which stance'),
      h('p', { class: 'muted' }, `Each cell counts the ${fmt(data.total || 0)} matching passages in which a holder takes a stance. Select a cell to read those passages.`));
    if (!counts.length) {
      setView([head, h('div', { class: 'empty' }, h('p', null, 'No stance annotations in the matching passages.'))], url);
      return;
    }
    const holders = new Map();
    const stances = new Map();
    const cell = new Map();
    let max = 0;
    for (const c of counts) {
      const [hid, sid] = c.value;
      const [hname] = Array.isArray(c.name) ? c.name : [hid];
      names.set(hid, hname || hid);
      holders.set(hid, (holders.get(hid) || 0) + c.count);
      stances.set(sid, (stances.get(sid) || 0) + c.count);
      cell.set(hid + '\u0000' + sid, c.count);
      max = Math.max(max, c.count);
    }
    const rowIds = Array.from(holders.keys()).sort((a, b) => holders.get(b) - holders.get(a) || actorName(a).localeCompare(actorName(b)));
    const taxo = reg.stanceOrder.map((x) => x.stance.id).filter((id) => stances.has(id));
    const colIds = [...taxo, ...Array.from(stances.keys()).filter((id) => !taxo.includes(id)).sort()];
    const shownRows = matrixState.all ? rowIds : rowIds.slice(0, MATRIX_ROWS);

    const table = h('table', { class: 'matrix' },
      h('caption', { class: 'visually-hidden' }, 'Number of matching passages in which each holder (rows) takes each stance (columns)'),
      h('thead', null, h('tr', null,
        h('th', { scope: 'col', class: 'corner' }, h('span', null, 'Holder'), h('span', { class: 'corner-cols' }, 'Stance →')),
        colIds.map((sid) => h('th', { scope: 'col', class: 'col-head' + (s.stance === sid ? ' sel' : ''), title: reg.stances.get(sid) ? reg.stances.get(sid).description : sid },
          h('span', null, sid))))),
      h('tbody', null, shownRows.map((hid) => h('tr', { class: isActive(s, 'holder', hid) ? 'sel' : null },
        h('th', { scope: 'row', class: 'row-head' }, stateLink(searchState(s, { actor_view: hid }), { title: `About ${actorName(hid)}` }, actorName(hid))),
        colIds.map((sid) => {
          const n = cell.get(hid + '\u0000' + sid) || 0;
          if (!n) return h('td', { class: 'empty-cell' }, h('span', { class: 'visually-hidden' }, '0'));
          const i = n / max;
          const next = searchState(s, { holder: hid, stance: sid, view: '' });
          const selected = isActive(s, 'holder', hid) && s.stance === sid;
          return h('td', null, stateLink(next, {
            class: 'cell' + (i > 0.55 ? ' dark' : '') + (selected ? ' sel' : ''),
            style: { '--i': (0.12 + 0.88 * i).toFixed(3) },
            'aria-label': `${actorName(hid)} — ${sid}: ${plural(n, 'passage')}`,
            title: `${actorName(hid)} — ${sid}: ${plural(n, 'passage')}`,
            'data-holder': hid,
            'data-stance': sid,
          }, String(n)));
        })))));

    const legend = h('div', { class: 'legend', 'aria-hidden': 'true' },
      h('span', null, '1'), h('span', { class: 'legend-ramp' }), h('span', null, fmt(max)), h('span', { class: 'muted' }, ' passages'));
    const more = rowIds.length > MATRIX_ROWS ? h('button', {
      type: 'button', class: 'btn btn-small', onclick: () => { matrixState.all = !matrixState.all; render(); },
    }, matrixState.all ? `Show the top ${MATRIX_ROWS} holders` : `Show all ${fmt(rowIds.length)} holders`) : null;
    setView([head, legend, h('div', { class: 'matrix-wrap', tabindex: '0', role: 'region', 'aria-label': 'Holder by stance matrix (scrolls)' }, table), more], url);
  }

  // ------------------------------------------------------------ timeline
  function parseEventDate(d) {
    // -> {start, end} in fractional years, or null if the year is not stated.
    let m = /^(\d{4})$/.exec(d);
    if (m) return { start: +m[1], end: +m[1] + 1, precision: 'year' };
    m = /^(\d{4})-(\d{2})$/.exec(d);
    if (m) return { start: +m[1] + (+m[2] - 1) / 12, end: +m[1] + +m[2] / 12, precision: 'month' };
    m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
    if (m) {
      const y = +m[1];
      const t = Date.UTC(y, +m[2] - 1, +m[3]);
      const y0 = Date.UTC(y, 0, 1);
      const y1 = Date.UTC(y + 1, 0, 1);
      const f = y + (t - y0) / (y1 - y0);
      return { start: f, end: f, precision: 'day' };
    }
    return null;
  }

  let timelineResize = null;

  async function renderTimeline(s, my, url) {
    if (!view.querySelector('.timeline')) view.replaceChildren(spinnerText('Collecting events…'));
    const [data] = await Promise.all([api('/api/timeline', filterParams(s)), reg.ready]);
    if (my !== seq) return;
    learnResolution(data.query);
    const events = (Array.isArray(data.events) ? data.events : []).filter((e) => e && typeof e.date === 'string');
    const dated = [];
    const undated = [];
    events.forEach((e, i) => {
      const t = parseEventDate(e.date);
      if (t) dated.push({ ...e, t, i }); else undated.push({ ...e, i });
    });
    const head = h('div', { class: 'view-head' },
      h('h2', null, 'Timeline'),
      h('p', { class: 'muted' }, events.length
        ? `${plural(dated.length, 'dated event')}${undated.length ? ` and ${undated.length} whose year is not stated` : ''}, reported in the matching passages. Select an event to read its passage.`
        : 'No dated events in the matching passages.'));
    if (!events.length) {
      setView([head, h('div', { class: 'empty' }, h('p', null, hasFilters(s) || s.q ? 'Try removing a filter.' : 'The corpus has no dated events.'))], url);
      return;
    }
    const chartBox = h('div', { class: 'timeline-chart' });
    // When every dated event gives only its year, the month-and-day column is dropped.
    const list = h('div', { class: 'timeline' + (dated.every((e) => e.t.precision === 'year') ? ' tl-coarse' : '') });
    if (dated.length) {
      let year = null;
      let group = null;
      for (const e of dated) {
        const y = e.date.slice(0, 4);
        if (y !== year) {
          year = y;
          group = h('ol', { class: 'tl-list' });
          list.appendChild(h('section', { class: 'tl-year' }, h('h3', null, y), group));
        }
        group.appendChild(eventItem(e, s));
      }
    }
    if (undated.length) {
      const group = h('ol', { class: 'tl-list' }, undated.map((e) => eventItem(e, s)));
      list.appendChild(h('section', { class: 'tl-year tl-undated' },
        h('h3', null, 'Year not stated'),
        h('p', { class: 'muted small' }, 'The text gives a day and month but no year; these events never match a date filter.'),
        group));
    }
    setView([head, dated.length ? chartBox : null, list], url);
    if (dated.length) {
      drawTimeline(chartBox, dated, s);
      if (timelineResize) window.removeEventListener('resize', timelineResize);
      let tmr = null;
      timelineResize = () => {
        clearTimeout(tmr);
        tmr = setTimeout(() => { if (chartBox.isConnected) drawTimeline(chartBox, dated, s); }, 120);
      };
      window.addEventListener('resize', timelineResize);
    }
    wireTimelineHover(view);
  }

  function eventItem(e, s) {
    const next = withState(s, { passage: e.passage, actor_view: '' });
    const actors = Array.isArray(e.actors) ? e.actors : [];
    // Under its year heading, an event shows only its month and day.
    const short = /^\d{4}$/.test(e.date) ? null : /^\d{4}-/.test(e.date) ? formatDate(e.date).replace(/ \d{4}$/, '') : formatDate(e.date);
    return h('li', { class: 'tl-item', 'data-ev-i': String(e.i) },
      short ? h('span', { class: 'tl-date' }, h('span', { class: 'visually-hidden' }, formatDate(e.date)), h('span', { 'aria-hidden': 'true' }, short))
        : h('span', { class: 'tl-date' }, h('span', { class: 'visually-hidden' }, e.date)),
      h('span', { class: 'tl-what' },
        stateLink(next, { class: 'tl-link', 'data-focus-next': 'heading' }, e.what || '(no description)'),
        actors.length ? h('span', { class: 'tl-actors' }, actors.map((a, i) => [i ? ', ' : '', actorName(a)])) : null),
      h('span', { class: 'tl-passage' }, e.passage));
  }

  function drawTimeline(box, dated, s) {
    const W = Math.max(280, Math.floor(box.clientWidth || 800));
    const padL = 16;
    const padR = 16;
    let min = Math.floor(Math.min(...dated.map((e) => e.t.start)));
    let max = Math.ceil(Math.max(...dated.map((e) => e.t.end)));
    if (max - min < 2) { min -= 1; max += 1; }
    const x = (t) => padL + ((t - min) / (max - min)) * (W - padL - padR);
    const span = max - min;
    const pxPerYear = (W - padL - padR) / span;
    const step = [1, 2, 5, 10, 20, 25, 50, 100, 200, 500].find((st) => st * pxPerYear >= 44) || 1000;
    // Lane packing: each event is an interval (at least MINW px wide).
    const MINW = 10;
    const lanes = [];
    const placed = dated.map((e) => {
      const x0 = x(e.t.start);
      const x1 = Math.max(x(e.t.end), x0 + MINW);
      let lane = lanes.findIndex((end) => end + 3 <= x0);
      if (lane < 0) { lane = lanes.length; lanes.push(x1); } else lanes[lane] = x1;
      return { e, x0, x1, lane };
    });
    const laneH = 17;
    const top = 8;
    const axisY = top + lanes.length * laneH + 10;
    const H = axisY + 24;
    const root = svg('svg', { class: 'tl-svg', width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'group', 'aria-label': `Time axis from ${min} to ${max}` });
    // grid and ticks
    const first = Math.ceil(min / step) * step;
    for (let yv = first; yv <= max; yv += step) {
      const xx = x(yv);
      root.appendChild(svg('line', { class: 'tl-grid', x1: xx, x2: xx, y1: top - 4, y2: axisY }));
      root.appendChild(svg('text', { class: 'tl-tick', x: xx, y: axisY + 16, 'text-anchor': 'middle' }, String(yv)));
    }
    root.appendChild(svg('line', { class: 'tl-axis', x1: padL, x2: W - padR, y1: axisY, y2: axisY }));
    for (const p of placed) {
      const y = top + p.lane * laneH;
      const label = `${formatDate(p.e.date)}: ${p.e.what} (${p.e.passage})`;
      const g = svg('g', { class: `tl-mark prec-${p.e.t.precision}`, tabindex: '0', role: 'link', 'aria-label': label, 'data-ev-i': String(p.e.i) },
        svg('title', null, label),
        p.e.t.precision === 'day'
          ? svg('circle', { cx: (p.x0 + p.x1) / 2, cy: y + laneH / 2, r: 5.5 })
          : svg('rect', { x: p.x0, y: y + 3, width: p.x1 - p.x0, height: laneH - 6, rx: 3 }));
      const go = () => navigate(withState(s, { passage: p.e.passage, actor_view: '' }), { focus: 'heading' });
      g.addEventListener('click', go);
      g.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); go(); } });
      root.appendChild(g);
    }
    box.replaceChildren(root, h('p', { class: 'tl-legend muted small', 'aria-hidden': 'true' },
      h('span', { class: 'lg lg-bar' }), ' year or month (the span the text gives) ',
      h('span', { class: 'lg lg-dot' }), ' exact day'));
  }

  function wireTimelineHover(root) {
    const setOn = (i, on) => { for (const el of $$(`[data-ev-i="${i}"]`, root)) el.classList.toggle('on', on); };
    root.addEventListener('mouseover', (e) => { const t = e.target.closest('[data-ev-i]'); if (t) setOn(t.dataset.evI, true); });
    root.addEventListener('mouseout', (e) => { const t = e.target.closest('[data-ev-i]'); if (t) setOn(t.dataset.evI, false); });
    root.addEventListener('focusin', (e) => { const t = e.target.closest('[data-ev-i]'); if (t) setOn(t.dataset.evI, true); });
    root.addEventListener('focusout', (e) => { const t = e.target.closest('[data-ev-i]'); if (t) setOn(t.dataset.evI, false); });
  }

  // ------------------------------------------------------------ passage view
  async function renderPassage(s, my, url) {
    const id = s.passage;
    view.replaceChildren(spinnerText(`Loading ${id}…`));
    const [hit] = await Promise.all([api('/api/passages/' + encodeURIComponent(id)), reg.ready]);
    if (my !== seq) return;
    learnActors(hit.actors);
    const text = typeof hit.text === 'string' ? hit.text : '';
    const stances = Array.isArray(hit.stances) ? hit.stances : [];
    const ev = evidenceRanges(text, stances);
    const seen = s.q ? seenHits.get(s.q + '\u0000' + hit.passage) : null;
    const kw = seen && seen.text === text ? keywordRanges(seen, text).kw : [];
    const back = backLink(s);
    const span = hit.span && Number.isInteger(hit.span.start) ? hit.span : null;

    const headEl = h('header', { class: 'doc-head' },
      h('p', { class: 'eyebrow' }, 'Passage'),
      h('h1', { tabindex: '-1', id: 'passage-title' }, hit.passage),
      h('dl', { class: 'facts' },
        fact('Article', stateLink(searchState(s, { article: hit.article, sort: 'position', q: '' }), { title: 'All passages of this article, in order' }, hit.article)),
        fact('Position', `passage ${hit.ordinal}`),
        span ? fact('Byte span', h('span', { class: 'mono', 'data-span': `${span.start}-${span.end}` }, `${fmt(span.start)}–${fmt(span.end)}`), h('span', { class: 'muted' }, ` (${plural(span.end - span.start, 'byte')}, ${plural(text.length, 'character')})`)) : null));

    const textEl = h('p', { class: 'ptext ptext-full', id: 'passage-text' }, renderMarkedText(text, kw, ev, null));
    const notFound = stances.map((_, i) => i).filter((i) => !ev.some((r) => r.i === i));

    const stanceTable = stances.length ? h('section', { class: 'doc-section' },
      h('h2', null, 'Stances ', h('span', { class: 'count' }, String(stances.length))),
      h('table', { class: 'stance-table' },
        h('thead', null, h('tr', null, ['#', 'Holder', 'Stance', 'Target', 'Polarity', 'Voice', 'Evidence'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', null, ev.order.map((i) => [stances[i], i]).map(([st, i]) => h('tr', { class: 'ev-item', 'data-ev': String(i) },
          h('td', { 'data-label': '#' }, h('span', { class: 'ev-num' }, String(ev.num.get(i)))),
          h('td', { 'data-label': 'Holder' }, stateLink(searchState(s, { actor_view: st.holder }), null, actorName(st.holder))),
          h('td', { 'data-label': 'Stance', class: 'nowrap', title: reg.stances.get(st.stance) ? reg.stances.get(st.stance).description : null }, stateLink(searchState(s, { stance: st.stance, view: '' }), null, st.stance)),
          h('td', { 'data-label': 'Target' }, names.has(st.target)
            ? stateLink(searchState(s, { actor_view: st.target }), null, actorName(st.target))
            : stateLink(searchState(s, { topic: [...s.topic.filter((t) => t !== st.target), st.target] }), { class: 'is-topic' }, st.target)),
          h('td', { 'data-label': 'Polarity' }, polarityBadge(st.polarity)),
          h('td', { 'data-label': 'Voice' }, st.voice || ''),
          h('td', { 'data-label': 'Evidence', class: 'quote-cell' }, h('q', null, st.quote), notFound.includes(i) ? h('span', { class: 'warn' }, ' (not found in the text)') : null)))))) : null;

    const actors = Array.isArray(hit.actors) ? hit.actors : [];
    const topics = Array.isArray(hit.topics) ? hit.topics : [];
    const events = Array.isArray(hit.events) ? hit.events : [];
    const annotations = h('section', { class: 'doc-section doc-grid' },
      h('div', null, h('h2', null, 'Actors ', h('span', { class: 'count' }, String(actors.length))),
        actors.length ? h('div', { class: 'chips' }, actors.map((a) => stateLink(searchState(s, { actor_view: a.id }), { class: 'chip chip-actor', title: `About ${a.name}` }, a.name))) : h('p', { class: 'muted' }, 'None.')),
      h('div', null, h('h2', null, 'Topics ', h('span', { class: 'count' }, String(topics.length))),
        topics.length ? h('div', { class: 'chips' }, topics.map((t) => stateLink(searchState(s, { topic: [t] , view: '' }), { class: 'chip chip-topic', title: `Passages on ${t}` }, t))) : h('p', { class: 'muted' }, 'None.')),
      h('div', { class: 'span-2' }, h('h2', null, 'Dated events ', h('span', { class: 'count' }, String(events.length))),
        events.length ? h('ul', { class: 'mini-events' }, events.map((e) => h('li', null,
          h('span', { class: 'date' }, formatDate(e.date)), e.date && e.date.startsWith('--') ? h('span', { class: 'muted' }, ' (year not stated)') : null, ' ', e.what,
          Array.isArray(e.actors) && e.actors.length ? h('span', { class: 'muted' }, ' — ', e.actors.map((a, i) => [i ? ', ' : '', actorName(a)])) : null))) : h('p', { class: 'muted' }, 'None.')));

    const neighbours = h('section', { class: 'doc-section neighbours', 'aria-label': 'Neighbouring passages' }, spinnerText('Loading neighbouring passages…'));
    const doc = h('article', { class: 'doc' }, headEl, textEl,
      stances.length || kw.length ? h('p', { class: 'muted small ev-help' },
        stances.length ? 'Underlined: the evidence quote of each stance, numbered as in the table.' : null,
        kw.length ? [stances.length ? ' ' : '', h('mark', { class: 'kw' }, 'Yellow'), ': your query’s matches.'] : null) : null,
      stanceTable, annotations, neighbours);
    setView([back, doc], url);
    wireEvidence(doc);
    loadNeighbours(hit, s, my, neighbours);
  }

  function fact(label, ...value) {
    return h('div', { class: 'fact' }, h('dt', null, label), h('dd', null, value));
  }

  function backLink(s) {
    const next = withState(s, { passage: '', actor_view: '' });
    const label = s.q || hasFilters(s) ? 'Back to results' : 'Back to all passages';
    const link = stateLink(next, { class: 'back' }, '← ', label);
    link.addEventListener('click', (ev) => {
      if (ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
      ev.preventDefault();
      ev.stopImmediatePropagation();
      closeOverlay();
    }, { capture: true });
    return h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, link,
      h('span', { class: 'muted small kbd-hint' }, ' (Esc)'));
  }

  async function loadNeighbours(hit, s, my, box) {
    const ord = Number(hit.ordinal);
    const fetchWindow = async (offset, limit) => {
      const p = new URLSearchParams();
      p.set('article', hit.article);
      p.set('sort', 'position');
      p.set('limit', String(limit));
      if (offset > 0) p.set('offset', String(offset));
      return api('/api/search', p);
    };
    let prev = null;
    let next = null;
    let total = null;
    try {
      // Ordinals run 1..n in article order, so the window at ordinal-2 holds both neighbours.
      let data = await fetchWindow(Math.max(0, ord - 2), 3);
      let hits = data.hits || [];
      let k = hits.findIndex((x) => x.passage === hit.passage);
      if (k < 0) {
        data = await fetchWindow(0, MAX_LIMIT);
        hits = data.hits || [];
        k = hits.findIndex((x) => x.passage === hit.passage);
      }
      total = data.total;
      if (k >= 0) {
        prev = hits[k - 1] || null;
        next = hits[k + 1] || null;
      }
    } catch (e) {
      if (my !== seq) return;
      box.replaceChildren(h('p', { class: 'muted' }, 'Could not load the neighbouring passages: ', e.message));
      return;
    }
    if (my !== seq) return;
    const card = (x, dir) => x
      ? stateLink(withState(s, { passage: x.passage }), { class: `nb nb-${dir}`, rel: dir === 'prev' ? 'prev' : 'next', 'data-focus-next': 'heading' },
        h('span', { class: 'nb-dir' }, dir === 'prev' ? '← Previous passage' : 'Next passage →'),
        h('span', { class: 'nb-id' }, `${x.passage} · passage ${x.ordinal}`),
        h('span', { class: 'nb-text' }, clip(x.text || '', 220)))
      : h('div', { class: `nb nb-${dir} nb-none` }, h('span', { class: 'nb-dir' }, dir === 'prev' ? 'Start of the article' : 'End of the article'));
    box.replaceChildren(
      h('h2', null, 'In its article ', total ? h('span', { class: 'count' }, `${hit.ordinal} of ${total}`) : null),
      h('div', { class: 'nb-row' }, card(prev, 'prev'), card(next, 'next')));
  }

  function clip(text, n) {
    const t = text.replace(/\s+/g, ' ').trim();
    if (t.length <= n) return t;
    const cut = t.slice(0, n);
    const sp = cut.lastIndexOf(' ');
    return (sp > n * 0.6 ? cut.slice(0, sp) : cut) + ' …';
  }

  // ------------------------------------------------------------ actor view
  async function renderActor(s, my, url) {
    const name = s.actor_view;
    view.replaceChildren(spinnerText(`Looking up ${name}…`));
    await reg.ready;
    const res = await api('/api/actors/' + encodeURIComponent(name));
    if (my !== seq) return;
    const matches = Array.isArray(res.matches) ? res.matches : [];
    learnActors(matches);
    const back = backLink(s);
    if (matches.length !== 1) {
      const box = h('div', { class: 'doc' },
        h('h1', { tabindex: '-1' }, name),
        matches.length ? h('p', null, h('code', null, name), ` matches ${matches.length} actors:`) : h('p', null, 'No actor has this name.'),
        h('ul', { class: 'match-list' }, matches.map((m) => h('li', null, stateLink(withState(s, { actor_view: m.id }), null, m.name), h('span', { class: 'muted' }, ` — ${matchedBy(m)}`)))));
      setView([back, box], url);
      return;
    }
    const m = matches[0];
    const a = reg.actors.get(m.id) || { id: m.id, name: m.name };
    const [holds, targets] = await Promise.all([
      api('/api/search', new URLSearchParams({ holder: m.id, sort: 'position', limit: '200' })),
      api('/api/search', new URLSearchParams({ target: m.id, sort: 'position', limit: '200' })),
    ]);
    if (my !== seq) return;
    for (const x of [...(holds.hits || []), ...(targets.hits || [])]) learnActors(x.actors);

    const badges = [a.kind, a.country ? `country ${a.country}` : null, a.role ? `role ${a.role}` : null, a.camp ? `${a.camp} camp` : null].filter(Boolean);
    const headEl = h('header', { class: 'doc-head' },
      h('p', { class: 'eyebrow' }, 'Actor'),
      h('h1', { tabindex: '-1' }, a.name || m.id),
      h('p', { class: 'badges' }, h('span', { class: 'mono muted' }, m.id), badges.map((b) => h('span', { class: 'badge' }, b))),
      name !== m.id && name !== a.name ? h('p', { class: 'muted small' }, h('code', null, name), ` resolves to this actor (${matchedBy(m)}).`) : null,
      a.description ? h('p', { class: 'lede' }, a.description) : null,
      a.aliases && a.aliases.length ? h('p', { class: 'aliases' }, h('span', { class: 'muted' }, 'Also known as: '), a.aliases.map((x, i) => [i ? ', ' : '', h('span', { class: 'alias' }, x)])) : null,
      h('p', { class: 'actor-actions' },
        stateLink(searchState(emptyState(), { actor: [m.id] }), { class: 'btn' }, typeof a.passages === 'number' ? `Passages mentioning ${a.name} (${fmt(a.passages)})` : `Passages mentioning ${a.name}`),
        stateLink(searchState(emptyState(), { holder: m.id, view: 'matrix' }), { class: 'btn' }, 'Its stances as a matrix')));

    const held = [];
    for (const x of holds.hits || []) (x.stances || []).forEach((st) => { if (st.holder === m.id) held.push({ st, hit: x }); });
    const aimed = [];
    for (const x of targets.hits || []) (x.stances || []).forEach((st) => { if (st.target === m.id) aimed.push({ st, hit: x }); });

    const doc = h('article', { class: 'doc' }, headEl,
      stanceSection(`Stances ${a.name} holds`, held, 'holds', s, holds.total, searchState(emptyState(), { holder: m.id })),
      stanceSection(`Stances aimed at ${a.name}`, aimed, 'aimed', s, targets.total, searchState(emptyState(), { target: m.id })));
    setView([back, doc], url);
  }

  function matchedBy(m) {
    const by = m.matched_by || {};
    if (by.by === 'id') return 'matched by its id';
    if (by.form) return `matched by its ${by.by || 'name'} “${by.form}”`;
    return `matched by its ${by.by || 'name'}`;
  }

  function stanceSection(title, rows, kind, s, total, searchLink) {
    const sec = h('section', { class: 'doc-section' }, h('h2', null, title, ' ', h('span', { class: 'count' }, String(rows.length))));
    if (!rows.length) {
      sec.appendChild(h('p', { class: 'muted' }, 'None annotated.'));
      return sec;
    }
    // Summary: counts per stance.
    const per = new Map();
    for (const r of rows) per.set(r.st.stance, (per.get(r.st.stance) || 0) + 1);
    sec.appendChild(h('p', { class: 'stance-summary' }, Array.from(per.entries()).sort((a, b) => b[1] - a[1]).map(([st, n]) =>
      h('span', { class: 'badge' }, st, h('span', { class: 'muted' }, ` ×${n}`)))));
    sec.appendChild(h('table', { class: 'stance-table' },
      h('thead', null, h('tr', null, [kind === 'holds' ? 'Stance → target' : 'Holder — stance', 'Polarity', 'Evidence', 'Passage'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', null, rows.map(({ st, hit }) => h('tr', null,
        h('td', { 'data-label': kind === 'holds' ? 'Stance → target' : 'Holder — stance' }, kind === 'holds'
          ? [h('span', { class: 'stance-id' }, st.stance), ' → ', names.has(st.target) ? stateLink(withState(s, { actor_view: st.target }), null, actorName(st.target)) : h('span', { class: 'is-topic' }, st.target)]
          : [stateLink(withState(s, { actor_view: st.holder }), null, actorName(st.holder)), ' — ', h('span', { class: 'stance-id' }, st.stance)]),
        h('td', { 'data-label': 'Polarity' }, polarityBadge(st.polarity)),
        h('td', { 'data-label': 'Evidence', class: 'quote-cell' }, h('q', null, st.quote)),
        h('td', { 'data-label': 'Passage', class: 'nowrap' }, stateLink(withState(s, { passage: hit.passage, actor_view: '' }), { class: 'mono', 'data-focus-next': 'heading' }, hit.passage)))))));
    const shownPassages = new Set(rows.map((r) => r.hit.passage)).size;
    if (total > shownPassages) {
      sec.appendChild(h('p', { class: 'muted small' }, `From the first ${fmt(shownPassages)} of ${plural(total, 'passage')}. `, stateLink(searchLink, null, 'See them all')));
    }
    return sec;
  }

  // ------------------------------------------------------------ health
  const health = { generation: null, status: null, timer: null, notified: false };

  async function pollHealth() {
    clearTimeout(health.timer);
    let hj = null;
    try {
      const res = await fetch('/api/health', { headers: { Accept: 'application/json' }, cache: 'no-store' });
      hj = await res.json();
    } catch (e) {
      hj = null;
    }
    showHealth(hj);
    const delay = !hj ? 5000 : hj.status === 'refreshing' ? 1500 : 8000;
    health.timer = setTimeout(pollHealth, document.hidden ? Math.max(delay, 30000) : delay);
  }

  function showHealth(hj) {
    const pill = $('#health');
    const text = $('#health-text');
    const banners = $('#banners');
    const setBanner = (key, node) => {
      const old = $(`[data-banner="${key}"]`, banners);
      if (!node) { if (old) old.remove(); return; }
      node.dataset.banner = key;
      if (old) old.replaceWith(node); else banners.appendChild(node);
    };
    if (!hj || typeof hj !== 'object') {
      pill.dataset.status = 'down';
      text.textContent = 'Server unreachable';
      setBanner('down', h('div', { class: 'banner banner-error', role: 'alert' }, h('strong', null, 'Cannot reach the dossier server. '), 'Retrying every few seconds.'));
      return;
    }
    setBanner('down', null);
    const status = ['ready', 'refreshing', 'error'].includes(hj.status) ? hj.status : 'unknown';
    pill.dataset.status = status;
    const counts = Number.isFinite(hj.passages) ? `${plural(hj.passages, 'passage')}${Number.isFinite(hj.articles) ? ` · ${plural(hj.articles, 'article')}` : ''}` : '';
    pill.title = [hj.generation ? `index generation ${hj.generation}` : '', Number.isFinite(hj.uptime_seconds) ? `up ${Math.round(hj.uptime_seconds / 60)} min` : ''].filter(Boolean).join(' · ');
    if (status === 'refreshing') text.textContent = 'Refreshing index…';
    else if (status === 'error') text.textContent = 'Corpus error';
    else text.textContent = counts || 'Ready';
    if (status === 'error' || (hj.error && typeof hj.error === 'string')) {
      setBanner('error', h('div', { class: 'banner banner-error', role: 'alert' },
        h('strong', null, 'The corpus has an error, so the index was not refreshed. '),
        'Results come from the last good index. ',
        hj.error ? h('code', { class: 'banner-detail' }, String(hj.error)) : null));
    } else {
      setBanner('error', null);
    }
    if (status === 'refreshing') {
      setBanner('refresh', h('div', { class: 'banner banner-info', role: 'status' }, 'The corpus changed; the index is being refreshed. Results come from the current index until the new one is ready.'));
    } else {
      setBanner('refresh', null);
    }
    if (hj.generation && health.generation && hj.generation !== health.generation) {
      cache.clear();
      loadRegistries();
      setBanner('updated', h('div', { class: 'banner banner-info', role: 'status' }, 'The index was updated. ',
        h('button', { type: 'button', class: 'btn btn-small', onclick: () => { setBanner('updated', null); $('#facets').dataset.key = ''; render(); } }, 'Reload these results')));
    }
    if (hj.generation) health.generation = hj.generation;
    health.status = status;
  }

  document.addEventListener('visibilitychange', () => { if (!document.hidden) pollHealth(); });

  // ------------------------------------------------------------ start
  function start() {
    const narrow = window.matchMedia('(max-width: 560px)');
    const setPlaceholder = () => { qInput.placeholder = narrow.matches ? 'Search passages' : 'Search passages, e.g. "blood revenge" OR retaliation'; };
    setPlaceholder();
    narrow.addEventListener('change', setPlaceholder);
    if (window.matchMedia('(min-width: 861px)').matches) {
      $('#facets').dataset.collapsed = 'false';
      facetsToggle.setAttribute('aria-expanded', 'true');
      facetsToggle.textContent = 'Hide facets';
    }
    loadRegistries();
    pollHealth();
    render();
  }

  start();
})();
