/*
 * seqstream live dashboard. Reads /dashboard/events (server-sent events) with fetch rather than EventSource so that
 * it can send an Authorization header: with http.auth=bearer the token is asked for once (prompt) and kept in this
 * browser's localStorage; with basic auth the browser's own login dialog supplies the credentials.
 */
(function () {
  'use strict';

  const MAX_KEYS = 14;          // key rows shown in the live stream
  const TOKENS_PER_KEY = 40;    // token chips kept per key
  const MAX_ANOMALIES = 50;     // entries in the recent-anomalies list
  const CHART_SECONDS = 300;    // seconds of history in the charts
  const ACTIVE_KEY_MS = 5 * 60 * 1000;
  const TOKEN_STORE = 'seqstream.token';

  const $ = (id) => document.getElementById(id);
  const keys = new Map();       // key -> {tokens: [score], lastSeen: ms, anomalies: n, model}
  const seconds = [];           // {second, scores, anomalies}, oldest first
  let total = 0;
  let anomalyTotal = 0;
  let modelLabel = null;
  let renderPending = false;
  let charts = null;

  // ---- authentication -------------------------------------------------------------------------------------
  function authHeaders() {
    const token = localStorage.getItem(TOKEN_STORE);
    return token ? { Authorization: 'Bearer ' + token } : {};
  }

  function askToken() {
    const token = window.prompt('This seqstream requires a bearer token (http.auth.token):',
      localStorage.getItem(TOKEN_STORE) || '');
    if (token === null) {
      return false;
    }
    if (token === '') {
      localStorage.removeItem(TOKEN_STORE);
    } else {
      localStorage.setItem(TOKEN_STORE, token.trim());
    }
    return true;
  }

  async function api(path) {
    let res = await fetch(path, { headers: authHeaders(), cache: 'no-store' });
    if (res.status === 401 && (res.headers.get('WWW-Authenticate') || '').startsWith('Bearer') && askToken()) {
      res = await fetch(path, { headers: authHeaders(), cache: 'no-store' });
    }
    return res;
  }

  // ---- formatting -----------------------------------------------------------------------------------------
  const fmt = (n, digits) => Number(n).toLocaleString('en-US', { maximumFractionDigits: digits === undefined ? 0 : digits });
  const versionOf = (label) => { const at = String(label).lastIndexOf('@'); return at < 0 ? label : label.slice(at + 1); };
  const time = (ms) => new Date(ms).toLocaleTimeString('en-GB', { hour12: false });

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') node.className = v;
      else if (k === 'style') node.style.cssText = v;
      else node.setAttribute(k, v);
    }
    for (const c of children) {
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  /** Surprisal (nats) to a background: cool and faint when expected, hot and strong when surprising. */
  function shade(surprisal) {
    const x = Math.max(0, Math.min(1, surprisal / 6));
    const hue = 38 - 38 * x;                 // amber -> red
    const alpha = 0.07 + 0.85 * x;           // expected tokens stay faint, surprising ones glow
    return `background: hsla(${hue.toFixed(0)}, 95%, 52%, ${alpha.toFixed(2)})`;
  }

  function chip(s) {
    const cls = 'tok' + (s.anomaly ? ' anomaly' : '') + (s.unknown ? ' unknown' : '');
    const top = (s.top || []).map(t => `${t.token} ${(t.probability * 100).toFixed(1)}%`).join(', ');
    return el('span', {
      class: cls, style: shade(s.surprisal), 'data-key': s.key, 'data-position': s.position,
      title: `${s.key} #${s.position}  ${s.token}\np=${s.probability.toFixed(4)}  surprisal=${s.surprisal.toFixed(2)} nats`
        + `  rank ${s.rank}\ntop: ${top}\n${s.model}  ${new Date(s.time).toISOString()}`
    }, s.token);
  }

  // ---- state ----------------------------------------------------------------------------------------------
  function addScores(list, live) {
    for (const s of list) {
      let k = keys.get(s.key);
      if (!k) {
        k = { tokens: [], lastSeen: 0, anomalies: 0, model: s.model, fresh: false };
        keys.set(s.key, k);
      }
      k.tokens.push(s);
      if (k.tokens.length > TOKENS_PER_KEY) k.tokens.shift();
      k.lastSeen = Date.now();
      k.model = s.model;
      k.fresh = live;
      if (s.anomaly) {
        k.anomalies++;
        addAnomaly(s);
      }
      if (s.model !== modelLabel) {
        modelLabel = s.model;
        loadModel(); // a swap: show the new version's metrics
      }
    }
    scheduleRender();
  }

  function addAnomaly(s) {
    const list = $('anomaly-list');
    const empty = list.querySelector('.empty');
    if (empty) empty.remove();
    const top = (s.top || []).map(t => t.token).join(' ');
    list.prepend(el('li', { class: 'anomaly-item', 'data-key': s.key },
      el('span', { class: 'when' }, time(s.time)),
      el('span', { class: 'key' }, s.key), ` #${s.position} `,
      el('span', { class: 'tok anomaly', style: shade(s.surprisal) }, s.token),
      el('div', { class: 'muted' }, `rank ${s.rank}, p=${s.probability.toExponential(1)}, expected ${top}`)));
    while (list.children.length > MAX_ANOMALIES) list.lastChild.remove();
  }

  function addSecond(c) {
    seconds.push(c);
    while (seconds.length > CHART_SECONDS) seconds.shift();
  }

  // ---- rendering ------------------------------------------------------------------------------------------
  function scheduleRender() {
    if (!renderPending) {
      renderPending = true;
      requestAnimationFrame(render);
    }
  }

  function render() {
    renderPending = false;
    $('score-count').textContent = fmt(total);
    $('anomaly-count').textContent = fmt(anomalyTotal);
    const now = Date.now();
    for (const [key, k] of keys) {
      if (now - k.lastSeen > ACTIVE_KEY_MS) keys.delete(key);
    }
    $('stat-keys').textContent = fmt(keys.size);

    const rows = [...keys.entries()].sort((a, b) => b[1].lastSeen - a[1].lastSeen).slice(0, MAX_KEYS);
    const box = $('key-streams');
    box.replaceChildren(...rows.map(([key, k]) => {
      const last = k.tokens[k.tokens.length - 1];
      const row = el('div', { class: 'key-row' + (k.fresh ? ' flash' : ''), 'data-key': key },
        el('div', { class: 'key-name' + (k.anomalies ? ' has-anomaly' : ''), title: key }, key,
          el('small', { class: 'muted' }, `#${last.position} · ${k.anomalies} anomal${k.anomalies === 1 ? 'y' : 'ies'}`)),
        el('div', { class: 'tokens' }, ...k.tokens.map(chip)));
      k.fresh = false;
      return row;
    }));
    if (!rows.length) box.replaceChildren(el('p', { class: 'empty' }, 'Waiting for scores…'));
  }

  function renderStats() {
    const last = (n) => seconds.slice(-n);
    const sum = (arr, f) => arr.reduce((a, c) => a + c[f], 0);
    const ten = last(10);
    $('stat-throughput').textContent = fmt(ten.length ? sum(ten, 'scores') / ten.length : 0, 1);
    const minute = last(60);
    const scored = sum(minute, 'scores');
    $('stat-anomaly-rate').textContent = (scored ? (100 * sum(minute, 'anomalies') / scored) : 0).toFixed(2) + ' %';
    if (charts) {
      const xs = seconds.map(c => c.second);
      charts.throughput.setData([xs, seconds.map(c => c.scores)]);
      charts.anomalies.setData([xs, seconds.map(c => c.anomalies),
        seconds.map(c => (c.scores ? 100 * c.anomalies / c.scores : null))]);
    }
  }

  function makeCharts() {
    if (typeof uPlot === 'undefined') return null;
    const axis = { stroke: '#8393a7', grid: { stroke: '#1f2935' }, ticks: { stroke: '#243042' } };
    const size = (id) => ({ width: $(id).clientWidth || 600, height: 190 });
    const throughput = new uPlot({
      ...size('throughput-chart'),
      legend: { show: true },
      scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(5, max * 1.15)] } },
      axes: [axis, { ...axis, label: 'scores/s', labelSize: 18 }],
      series: [{}, { label: 'scores/s', stroke: '#4fc3f7', fill: 'rgba(79,195,247,.15)', width: 2, points: { show: false } }],
    }, [[], []], $('throughput-chart'));
    const anomalies = new uPlot({
      ...size('anomaly-chart'),
      scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(2, max * 1.2)] },
        pct: { range: (u, min, max) => [0, Math.max(1, max * 1.2)] } },
      axes: [axis, { ...axis, label: 'anomalies/s', labelSize: 18 },
        { ...axis, scale: 'pct', side: 1, grid: { show: false }, values: (u, v) => v.map(x => x + '%') }],
      series: [{},
        { label: 'anomalies/s', stroke: '#ff5c5c', fill: 'rgba(255,92,92,.18)', width: 2, points: { show: false },
          paths: uPlot.paths.stepped({ align: 1 }) },
        { label: '% of scores', stroke: '#ffb300', width: 1.5, scale: 'pct', dash: [4, 4], points: { show: false } }],
    }, [[], [], []], $('anomaly-chart'));
    window.addEventListener('resize', () => {
      throughput.setSize(size('throughput-chart'));
      anomalies.setSize(size('anomaly-chart'));
    });
    return { throughput, anomalies };
  }

  // ---- the model card -------------------------------------------------------------------------------------
  async function loadModel() {
    try {
      const res = await api('/dashboard/model');
      if (!res.ok) throw new Error('HTTP ' + res.status);
      const m = await res.json();
      $('model-version').textContent = m.label;
      const details = $('model-details');
      const a = m.architecture || {};
      const d = m.trainingData || {};
      const rows = [
        ['name', m.name], ['version', m.version], ['created', m.createdAt || '–'],
        ['parent', m.parentVersion || '–'],
        ['network', `${a.cell} ${a.layers}×${a.hidden}, embedding ${a.embedding}, vocab ${a.vocabSize}`],
        ['trained on', d.sequences !== undefined ? `${fmt(d.sequences)} sequences, ${fmt(d.tokens)} tokens` : '–'],
        ['data', d.fingerprint ? d.fingerprint.slice(0, 16) + '…' : '–'],
      ];
      details.replaceChildren(...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
      const metrics = Object.entries(m.metrics || {});
      $('model-metrics').replaceChildren(el('tbody', {}, ...(metrics.length
        ? metrics.map(([k, v]) => el('tr', { 'data-metric': k }, el('td', {}, k), el('td', { class: 'num' }, fmt(v, 4))))
        : [el('tr', {}, el('td', { class: 'muted' }, 'no metrics in the manifest'))])));
      if (!modelLabel) modelLabel = m.label;
    } catch (e) {
      $('model-version').textContent = 'unavailable';
    }
  }

  // ---- key lookup -----------------------------------------------------------------------------------------
  async function lookUp(event) {
    event.preventDefault();
    const key = $('key-input').value.trim();
    const out = $('key-result');
    if (!key) return;
    out.className = 'muted';
    out.textContent = 'looking up ' + key + '…';
    try {
      const res = await api('/keys/' + encodeURIComponent(key));
      const body = await res.json().catch(() => ({ error: 'not JSON' }));
      if (!res.ok) {
        out.className = 'error';
        out.dataset.status = res.status;
        out.textContent = `${res.status}: ${body.error || res.statusText}` + (body.key ? ` (${body.key})` : '');
        return;
      }
      out.className = '';
      out.dataset.status = res.status;
      out.replaceChildren(el('dl', {}, ...Object.entries(body).flatMap(([k, v]) => [
        el('dt', {}, k),
        el('dd', { 'data-field': k }, Array.isArray(v) ? v.join(' ') : typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(3) : v),
      ])));
    } catch (e) {
      out.className = 'error';
      out.textContent = 'lookup failed: ' + e.message;
    }
  }

  // ---- the event stream -----------------------------------------------------------------------------------
  function setConnection(state, text) {
    const c = $('connection');
    c.className = 'pill ' + state;
    c.dataset.state = state;
    c.textContent = text || state;
  }

  function handle(name, data) {
    if (name === 'hello') {
      keys.clear();
      seconds.length = 0;
      $('anomaly-list').replaceChildren(el('li', { class: 'empty' }, 'none yet'));
      total = data.total;
      anomalyTotal = data.anomalies;
      $('topic').textContent = 'topic ' + data.topic;
      data.history.forEach(addSecond);
      addScores(data.recent, false);
      renderStats();
    } else if (name === 'scores') {
      total += data.length;
      anomalyTotal += data.filter(s => s.anomaly).length;
      addScores(data, true);
    } else if (name === 'second') {
      addSecond(data);
      renderStats();
    }
  }

  async function stream() {
    for (;;) {
      try {
        setConnection('connecting', 'connecting');
        const res = await api('/dashboard/events');
        if (res.status === 401) {
          setConnection('unauthorized', 'unauthorized');
          await new Promise(r => setTimeout(r, 5000));
          continue;
        }
        if (!res.ok || !res.body) throw new Error('HTTP ' + res.status);
        setConnection('live', 'live');
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let name = 'message';
            const data = [];
            for (const line of block.split('\n')) {
              if (line.startsWith('event:')) name = line.slice(6).trim();
              else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
            }
            if (data.length) handle(name, JSON.parse(data.join('\n')));
          }
        }
      } catch (e) {
        console.warn('dashboard stream:', e);
      }
      setConnection('down', 'reconnecting');
      await new Promise(r => setTimeout(r, 2000));
    }
  }

  // ---- start ----------------------------------------------------------------------------------------------
  $('key-search').addEventListener('submit', lookUp);
  $('token-button').addEventListener('click', () => { if (askToken()) location.reload(); });
  charts = makeCharts();
  loadModel();
  stream();
  setInterval(scheduleRender, 5000); // age out idle keys
})();
