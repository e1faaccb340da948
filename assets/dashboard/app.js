// docscrape dashboard. Plain JavaScript, no build step: talks to /api/v1 only, builds
// the DOM with textContent (crawled text is never parsed as HTML), and renders page
// Markdown through marked, then DOMPurify, so a crawled page cannot run script here.
'use strict';

(() => {
  const TOKEN_KEY = 'docscrape.apiToken';
  const PAGE_SIZE = 50;
  const FAST_POLL_MS = 1000;
  const SLOW_POLL_MS = 5000;
  const RATE_WINDOW_MS = 10000;

  const state = {
    token: sessionStorage.getItem(TOKEN_KEY) || '',
    sessions: [],
    sessionId: null,
    pageId: null,
    jobs: new Map(), // jobId -> {item, status, activity, samples, card}
    pages: { offset: 0, search: '', total: 0, signature: '' },
    pollTimer: null,
    polling: false,
    tokenPrompt: null,
  };

  const $ = (id) => document.getElementById(id);

  /** Builds an element; strings become text nodes, never markup. */
  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') node.className = value;
      else if (key === 'text') node.textContent = value;
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  // ---------------------------------------------------------------- API

  class ApiError extends Error {
    constructor(status, detail) {
      super(typeof detail === 'string' ? detail : `HTTP ${status}`);
      this.status = status;
      this.detail = detail;
    }
  }

  function authHeaders() {
    return state.token ? { Authorization: `Bearer ${state.token}` } : {};
  }

  /** One API call; a 401 asks for the token and tries again. */
  async function api(path, { method = 'GET', body, raw = false } = {}) {
    for (;;) {
      const headers = authHeaders();
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      const response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
      });
      if (response.status === 401) {
        const entered = await askToken(state.token ? 'The server refused this token.' : '');
        if (!entered) throw new ApiError(401, 'This server needs its API token.');
        continue;
      }
      if (raw && response.ok) return response;
      const text = await response.text();
      let data = null;
      try {
        data = text ? JSON.parse(text) : null;
      } catch (_) {
        data = null;
      }
      if (!response.ok) {
        throw new ApiError(response.status, data && data.detail !== undefined ? data.detail : text);
      }
      return data;
    }
  }

  function errorText(error) {
    if (error instanceof ApiError && Array.isArray(error.detail)) {
      return error.detail.map((issue) => issue.msg).join('; ');
    }
    return error && error.message ? error.message : String(error);
  }

  // ---------------------------------------------------------------- token

  function askToken(problem) {
    if (state.tokenPrompt) return state.tokenPrompt;
    const dialog = $('token-dialog');
    $('token-input').value = state.token;
    $('token-error').textContent = problem || '';
    $('token-forget').hidden = !state.token;
    $('token-button').hidden = false;
    state.tokenPrompt = new Promise((resolve) => {
      dialog.addEventListener(
        'close',
        () => {
          state.tokenPrompt = null;
          const value = $('token-input').value.trim();
          if (dialog.returnValue === 'save' && value) {
            setToken(value);
            resolve(true);
          } else {
            if (dialog.returnValue === 'forget') setToken('');
            resolve(false);
          }
        },
        { once: true },
      );
    });
    dialog.showModal();
    $('token-input').focus();
    return state.tokenPrompt;
  }

  function setToken(value) {
    state.token = value;
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
    $('token-button').hidden = !value;
    $('token-button').textContent = value ? 'API token ✓' : 'API token';
  }

  // ---------------------------------------------------------------- small helpers

  let toastTimer = null;
  function toast(message, bad = false) {
    const node = $('toast');
    node.textContent = message;
    node.classList.toggle('bad', bad);
    node.classList.add('shown');
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => node.classList.remove('shown'), bad ? 6000 : 3000);
  }

  function confirmAction(title, text, yes) {
    const dialog = $('confirm-dialog');
    $('confirm-title').textContent = title;
    $('confirm-text').textContent = text;
    $('confirm-yes').textContent = yes;
    return new Promise((resolve) => {
      dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
      dialog.showModal();
      $('confirm-no').focus();
    });
  }

  function shortId(id) {
    return id ? id.slice(0, 8) : '';
  }

  function ago(iso) {
    if (!iso) return '';
    const then = Date.parse(iso);
    if (Number.isNaN(then)) return iso;
    const seconds = Math.max(0, (Date.now() - then) / 1000);
    if (seconds < 45) return 'just now';
    if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
    if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
    return new Date(then).toLocaleString();
  }

  function timeNode(iso) {
    return h('time', { datetime: iso, title: iso ? new Date(iso).toLocaleString() : '' }, ago(iso));
  }

  function plural(count, word) {
    return `${count} ${word}${count === 1 ? '' : 's'}`;
  }

  function lines(text) {
    return text
      .split(/[\n,]/)
      .map((line) => line.trim())
      .filter(Boolean);
  }

  // ---------------------------------------------------------------- routing

  function parseRoute() {
    const match = location.hash.match(/^#\/session\/([0-9a-fA-F-]{36})(?:\/page\/([0-9a-fA-F-]{36}))?/);
    return match ? { session: match[1].toLowerCase(), page: match[2] ? match[2].toLowerCase() : null } : {};
  }

  async function route() {
    const next = parseRoute();
    const sessionChanged = next.session !== state.sessionId;
    state.sessionId = next.session || null;
    state.pageId = next.page || null;
    document.body.classList.toggle('in-session', Boolean(state.sessionId));
    $('view-home').hidden = Boolean(state.sessionId);
    $('view-session').hidden = !state.sessionId || Boolean(state.pageId);
    $('view-page').hidden = !state.pageId;
    markCurrentSession();
    syncSessionChoice();
    if (sessionChanged) {
      state.jobs.clear();
      $('job-list').replaceChildren();
      state.pages = { offset: 0, search: '', total: 0, signature: '' };
      $('page-search').value = '';
      $('page-list').replaceChildren();
      $('failed-list').replaceChildren();
      selectTab('tab-pages');
    }
    if (state.pageId) {
      await showPage(state.sessionId, state.pageId);
    } else if (state.sessionId) {
      document.title = `Session ${shortId(state.sessionId)} · docscrape`;
      await refreshSession(true);
    } else {
      document.title = 'docscrape';
    }
    schedulePoll(0);
  }

  // ---------------------------------------------------------------- sessions

  async function loadSessions() {
    try {
      const data = await api('/api/v1/session?limit=100');
      state.sessions = data.sessions;
      renderSessions();
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) toast(errorText(error), true);
    }
  }

  function renderSessions() {
    const list = $('session-list');
    list.replaceChildren(
      ...state.sessions.map((session) =>
        h(
          'li',
          {},
          h(
            'a',
            { class: 'session-link', href: `#/session/${session.sessionId}`, 'data-session': session.sessionId },
            h('span', { class: 'id', text: shortId(session.sessionId) }),
            h('span', { class: 'when' }, 'updated ', timeNode(session.updatedAt)),
            h('span', { class: 'counts' }, plural(session.pageCount, 'page'), h('br'), plural(session.jobCount, 'job')),
          ),
        ),
      ),
    );
    $('sessions-empty').hidden = state.sessions.length > 0;
    markCurrentSession();
    syncSessionChoice();
  }

  function markCurrentSession() {
    for (const link of document.querySelectorAll('.session-link')) {
      if (link.dataset.session === state.sessionId) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
  }

  /** The form's session choice: "New session", or the open one and the others. */
  function syncSessionChoice() {
    const select = $('f-session');
    const chosen = select.value;
    const ids = state.sessions.map((s) => s.sessionId);
    if (state.sessionId && !ids.includes(state.sessionId)) ids.unshift(state.sessionId);
    select.replaceChildren(
      h('option', { value: '' }, 'New session'),
      ...ids.map((id) => h('option', { value: id }, `Session ${shortId(id)}${id === state.sessionId ? ' (open)' : ''}`)),
    );
    select.value = ids.includes(chosen) ? chosen : '';
  }

  // ---------------------------------------------------------------- one session

  async function refreshSession(first) {
    const sessionId = state.sessionId;
    if (!sessionId) return;
    let info;
    let jobs;
    try {
      [info, jobs] = await Promise.all([
        api(`/api/v1/session/${sessionId}`),
        api(`/api/v1/session/${sessionId}/jobs`),
      ]);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        $('session-title').textContent = 'Session not found';
        $('session-meta').textContent = `There is no session ${sessionId}; it may have been deleted.`;
        return;
      }
      if (first) toast(errorText(error), true);
      return;
    }
    if (sessionId !== state.sessionId) return;
    $('session-title').textContent = `Session ${shortId(sessionId)}`;
    $('session-meta').replaceChildren(
      h('code', { text: sessionId }),
      h('br'),
      'Created ',
      timeNode(info.createdAt),
      ` · ${plural(jobs.jobs.length, 'job')}`,
    );
    setExportLinks(sessionId);
    await Promise.all(jobs.jobs.map((item) => refreshJob(sessionId, item)));
    renderJobs(jobs.jobs);
    renderFailures();
    await loadPages(first);
  }

  function isActive(status) {
    return status === 'queued' || status === 'running';
  }

  async function refreshJob(sessionId, item) {
    let job = state.jobs.get(item.jobId);
    if (!job) {
      job = { item, status: null, activity: null, samples: [], card: null };
      state.jobs.set(item.jobId, job);
    }
    job.item = item;
    // A job that ended does not change any more: its status is read once.
    if (job.status && !isActive(job.status.status) && !isActive(item.status)) return;
    try {
      const [status, activity] = await Promise.all([
        api(`/api/v1/scrape/${sessionId}/scrape?jobId=${item.jobId}`),
        api(`/api/v1/session/${sessionId}/jobs/${item.jobId}/activity`),
      ]);
      job.status = status;
      job.activity = activity;
      const done = status.progress && status.progress.completedIterations;
      if (typeof done === 'number') {
        const now = Date.now();
        job.samples.push([now, done]);
        job.samples = job.samples.filter(([at]) => now - at <= RATE_WINDOW_MS);
      }
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
    }
  }

  function pagesPerSecond(job) {
    const samples = job.samples;
    if (samples.length < 2) return null;
    const [firstAt, first] = samples[0];
    const [lastAt, last] = samples[samples.length - 1];
    if (lastAt - firstAt < 900) return null;
    return ((last - first) * 1000) / (lastAt - firstAt);
  }

  function shownState(status) {
    if (!status) return 'queued';
    if (status.status === 'finished' && status.result && status.result.finishReason === 'cancelled') return 'cancelled';
    return status.status;
  }

  function renderJobs(items) {
    const list = $('job-list');
    if (items.length === 0) {
      list.replaceChildren(h('p', { class: 'muted' }, 'No job in this session yet.'));
      return;
    }
    const wanted = [...items].reverse().map((item) => state.jobs.get(item.jobId)).filter(Boolean);
    for (const job of wanted) {
      if (!job.card) job.card = buildJobCard(job);
      updateJobCard(job);
    }
    // Newest first; cards are kept (not rebuilt), so focus and scroll stay put.
    const cards = wanted.map((job) => job.card);
    if (cards.some((card, index) => list.children[index] !== card) || list.children.length !== cards.length) {
      list.replaceChildren(...cards);
    }
  }

  function buildJobCard(job) {
    const id = job.item.jobId;
    const card = h('article', { class: 'job', 'data-job': id, 'aria-label': `Job ${shortId(id)}` });
    const pill = h('span', { class: 'pill' });
    const cancel = h('button', { type: 'button', class: 'danger cancel-job', onclick: () => cancelJob(id) }, 'Cancel');
    const bar = h('div', {
      class: 'bar',
      role: 'progressbar',
      'aria-valuemin': '0',
      'aria-label': `Progress of job ${shortId(id)}`,
    }, h('span'));
    const message = h('p', { class: 'job-message' });
    const stats = h('ul', { class: 'stats' });
    const failures = h('div', { class: 'job-failures', hidden: true });
    card.append(
      h('div', { class: 'job-top' }, pill, h('span', { class: 'job-id', text: `job ${shortId(id)}` }), h('span', { class: 'stage' }), h('span', { class: 'spacer' }), cancel),
      bar,
      message,
      stats,
      failures,
    );
    card.parts = { pill, cancel, bar, message, stats, failures, stage: card.querySelector('.stage') };
    return card;
  }

  function stat(label, value) {
    return h('li', {}, `${label} `, h('b', { text: String(value) }));
  }

  function updateJobCard(job) {
    const { pill, cancel, bar, message, stats, failures, stage } = job.card.parts;
    const status = job.status;
    const shown = shownState(status);
    pill.className = `pill ${shown}`;
    pill.textContent = shown;
    job.card.dataset.status = shown;
    cancel.hidden = !isActive(shown);
    const progress = (status && status.progress) || {};
    const done = progress.completedIterations || 0;
    const total = progress.totalIterations || (job.activity && job.activity.totalIterations) || 0;
    const ended = shown === 'finished';
    const percent = ended ? 100 : total ? Math.min(100, (100 * done) / total) : 0;
    bar.className = `bar ${shown}`;
    bar.firstChild.style.width = `${percent}%`;
    bar.setAttribute('aria-valuemax', '100');
    bar.setAttribute('aria-valuenow', String(Math.round(percent)));
    bar.setAttribute('aria-valuetext', `${done} of ${total} pages`);
    stage.textContent = progress.stage ? `stage ${progress.stage}` : '';
    message.textContent = progress.message || '';
    const activity = job.activity;
    const rate = pagesPerSecond(job);
    const parts = [stat('pages', total ? `${done} / ${total}` : done)];
    if (activity) {
      parts.push(stat('saved', activity.savedPages));
      if (isActive(shown)) parts.push(stat('queued', activity.pendingUrls));
      parts.push(stat('failed', activity.failedUrls));
    }
    if (isActive(shown)) parts.push(stat('pages/s', rate === null ? '…' : rate.toFixed(1)));
    if (status && status.result) parts.push(stat('chunks', status.result.pageChunksCount));
    if (status && status.createdAt) parts.push(h('li', {}, 'started ', timeNode(status.startedAt || status.createdAt)));
    if (status && !isActive(shown) && status.startedAt && status.updatedAt) {
      const seconds = (Date.parse(status.updatedAt) - Date.parse(status.startedAt)) / 1000;
      if (seconds >= 0) parts.push(stat('took', seconds < 90 ? `${seconds.toFixed(1)} s` : `${Math.round(seconds / 60)} min`));
    }
    stats.replaceChildren(...parts);

    const lines = jobFailures(job).slice(0, 5);
    failures.hidden = lines.length === 0;
    if (lines.length) {
      const more = jobFailures(job).length - lines.length;
      failures.replaceChildren(
        h('h3', {}, status && status.status === 'failed' ? 'Errors' : 'Latest failures'),
        h('ul', {}, ...lines.map(({ url, reason }) => h('li', {}, url ? `${url} — ${reason}` : reason))),
      );
      if (more > 0) failures.append(h('p', { class: 'muted' }, `… and ${more} more under Failed pages`));
    }
  }

  /** A job's failures: its errors when it failed, else failed pages (live or final). */
  function jobFailures(job) {
    const status = job.status;
    if (!status) return [];
    if (status.status === 'failed') return (status.errors || []).map((reason) => ({ url: '', reason }));
    if (status.result && status.result.failedPages) {
      return Object.entries(status.result.failedPages).map(([url, reason]) => ({ url, reason }));
    }
    return job.activity ? job.activity.latestFailures : [];
  }

  function renderFailures() {
    const rows = [];
    for (const job of [...state.jobs.values()].reverse()) {
      for (const failure of jobFailures(job)) rows.push({ ...failure, job: job.item.jobId });
    }
    $('failed-count').textContent = rows.length ? `(${rows.length})` : '';
    $('failed-empty').hidden = rows.length > 0;
    $('failed-list').replaceChildren(
      ...rows.map((row) =>
        h('li', {}, row.url || `job ${shortId(row.job)}`, h('span', { class: 'reason', text: row.reason })),
      ),
    );
  }

  async function cancelJob(jobId) {
    const ok = await confirmAction(
      'Cancel this job?',
      `Job ${shortId(jobId)} stops within a second; the pages it saved so far are kept.`,
      'Cancel job',
    );
    if (!ok) return;
    try {
      await api(`/api/v1/scrape/${state.sessionId}/scrape?jobId=${jobId}`, { method: 'DELETE' });
      toast(`Job ${shortId(jobId)} cancelled.`);
    } catch (error) {
      toast(errorText(error), true);
    }
    await refreshSession(false);
  }

  async function deleteSession() {
    const sessionId = state.sessionId;
    const ok = await confirmAction(
      'Delete this session?',
      `Session ${shortId(sessionId)} goes with its jobs, saved pages and chunks. Running jobs are cancelled first. This cannot be undone.`,
      'Delete session',
    );
    if (!ok) return;
    try {
      await api(`/api/v1/session/${sessionId}`, { method: 'DELETE' });
      toast(`Session ${shortId(sessionId)} deleted.`);
      location.hash = '#/';
      await loadSessions();
    } catch (error) {
      toast(errorText(error), true);
    }
  }

  // ---------------------------------------------------------------- export

  function setExportLinks(sessionId) {
    for (const [id, format] of [['export-jsonl', 'jsonl'], ['export-markdown', 'markdown']]) {
      const link = $(id);
      link.href = `/api/v1/session/${sessionId}/documentation/export?format=${format}`;
      link.setAttribute('download', `docscrape-${sessionId}.${format === 'jsonl' ? 'jsonl' : 'tar'}`);
    }
  }

  /** With a token a plain link cannot send it: fetch the export, then save the blob. */
  async function exportWithToken(event) {
    const link = event.currentTarget;
    if (!state.token) return;
    event.preventDefault();
    try {
      const response = await api(link.getAttribute('href'), { raw: true });
      const url = URL.createObjectURL(await response.blob());
      const save = h('a', { href: url, download: link.getAttribute('download') });
      document.body.append(save);
      save.click();
      save.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (error) {
      toast(errorText(error), true);
    }
  }

  // ---------------------------------------------------------------- saved pages

  async function loadPages(force) {
    const sessionId = state.sessionId;
    const { offset, search } = state.pages;
    const query = new URLSearchParams({ offset: String(offset), limit: String(PAGE_SIZE) });
    if (search) query.set('search', search);
    let data;
    try {
      data = await api(`/api/v1/session/${sessionId}/pages?${query}`);
    } catch (error) {
      if (force) toast(errorText(error), true);
      return;
    }
    if (sessionId !== state.sessionId || search !== state.pages.search || offset !== state.pages.offset) return;
    const signature = JSON.stringify([data.total, data.pages.map((p) => [p.docId, p.chunks, p.title])]);
    if (!force && signature === state.pages.signature) return;
    state.pages.signature = signature;
    state.pages.total = data.total;
    $('pages-count').textContent = `(${data.total})`;
    $('page-list').replaceChildren(
      ...data.pages.map((page) =>
        h(
          'li',
          {},
          h(
            'a',
            { class: 'page-link', href: `#/session/${sessionId}/page/${page.docId}` },
            h('span', { class: 'title', text: page.title || page.url }),
            h('span', { class: 'url', text: page.url }),
            h('span', { class: 'meta', text: `${plural(page.chunks, 'chunk')} · ${page.tokens.toLocaleString()} tokens · ${page.contentType}` }),
          ),
        ),
      ),
    );
    const empty = $('pages-empty');
    empty.hidden = data.pages.length > 0;
    empty.textContent = search ? `No saved page matches “${search}”.` : 'No page saved yet.';
    const end = Math.min(offset + data.pages.length, data.total);
    $('pages-range').textContent = data.total ? `${offset + 1}–${end} of ${data.total}` : '';
    $('pages-prev').disabled = offset === 0;
    $('pages-next').disabled = end >= data.total;
  }

  // ---------------------------------------------------------------- one page

  const RENDERED_TYPES = /html|markdown/i;

  function renderMarkdown(markdown) {
    const html = window.marked.parse(markdown, { gfm: true, async: false });
    // RETURN_DOM keeps the result in DOMPurify's inert document, where nothing loads, so
    // that images can be taken out before anything reaches this page.
    const body = window.DOMPurify.sanitize(html, {
      USE_PROFILE: { html: true },
      FORBID_TAGS: ['style', 'form', 'input', 'button', 'svg', 'math', 'iframe', 'object', 'embed'],
      FORBID_ATTR: ['style'],
      RETURN_DOM: true,
    });
    // Crawled images stay where they are: no request to other hosts from here.
    for (const image of [...body.querySelectorAll('img')]) {
      const placeholder = body.ownerDocument.createElement('span');
      placeholder.className = 'image-placeholder';
      placeholder.title = image.getAttribute('src') || '';
      placeholder.textContent = `[${image.getAttribute('alt') || 'image'}]`;
      image.replaceWith(placeholder);
    }
    for (const link of body.querySelectorAll('a[href]')) {
      link.setAttribute('target', '_blank');
      link.setAttribute('rel', 'noopener noreferrer nofollow');
    }
    return [...body.childNodes].map((node) => document.adoptNode(node));
  }

  async function showPage(sessionId, pageId) {
    $('page-back').href = `#/session/${sessionId}`;
    $('page-title').textContent = 'Loading…';
    $('panel-rendered').replaceChildren();
    $('chunk-list').replaceChildren();
    selectTab('tab-rendered');
    let page;
    try {
      page = await api(`/api/v1/session/${sessionId}/pages/${pageId}`);
    } catch (error) {
      $('page-title').textContent = 'Page not found';
      $('page-meta').textContent = errorText(error);
      return;
    }
    if (pageId !== state.pageId) return;
    document.title = `${page.title || page.url} · docscrape`;
    $('page-title').textContent = page.title || page.url;
    const link = $('page-url');
    link.textContent = page.url;
    link.href = /^https?:\/\//i.test(page.url) ? page.url : '#';
    $('page-meta').replaceChildren(
      `${page.contentType} · ${plural(page.chunks.length, 'chunk')} · ${page.tokens.toLocaleString()} tokens · scraped `,
      timeNode(page.scrapedAt),
    );
    $('chunks-count').textContent = `(${page.chunks.length})`;
    $('panel-rendered').replaceChildren(
      ...(RENDERED_TYPES.test(page.contentType)
        ? renderMarkdown(page.content)
        : [h('pre', { class: 'source', text: page.content })]),
    );
    $('page-source').textContent = page.content;
    $('chunk-list').replaceChildren(
      ...page.chunks.map((chunk) =>
        h(
          'li',
          { class: 'chunk' },
          h(
            'header',
            {},
            h('b', { text: `#${chunk.chunkNumber}` }),
            h('span', { text: `${chunk.tokenCount.toLocaleString()} tokens` }),
            h('span', { text: `${chunk.characterCount.toLocaleString()} characters` }),
            chunk.section ? h('span', { class: 'muted', text: chunk.section }) : null,
          ),
          h('pre', { text: chunk.content }),
        ),
      ),
    );
  }

  // ---------------------------------------------------------------- tabs

  function selectTab(tabId) {
    const tab = $(tabId);
    const list = tab.closest('[role="tablist"]');
    for (const other of list.querySelectorAll('[role="tab"]')) {
      const selected = other === tab;
      other.setAttribute('aria-selected', String(selected));
      other.tabIndex = selected ? 0 : -1;
      $(other.getAttribute('aria-controls')).hidden = !selected;
    }
  }

  function wireTabs() {
    for (const list of document.querySelectorAll('[role="tablist"]')) {
      const tabs = [...list.querySelectorAll('[role="tab"]')];
      for (const tab of tabs) {
        tab.addEventListener('click', () => selectTab(tab.id));
        tab.addEventListener('keydown', (event) => {
          const index = tabs.indexOf(tab);
          let next = null;
          if (event.key === 'ArrowRight') next = tabs[(index + 1) % tabs.length];
          if (event.key === 'ArrowLeft') next = tabs[(index - 1 + tabs.length) % tabs.length];
          if (event.key === 'Home') next = tabs[0];
          if (event.key === 'End') next = tabs[tabs.length - 1];
          if (next) {
            event.preventDefault();
            selectTab(next.id);
            next.focus();
          }
        });
      }
    }
  }

  // ---------------------------------------------------------------- the form

  const FIELDS = ['starterLinks', 'applicationName', 'applicationVersion', 'maxIterations', 'maxDepth', 'includePatterns', 'excludePatterns'];
  const INPUTS = {
    starterLinks: 'f-links',
    applicationName: 'f-app',
    applicationVersion: 'f-version',
    maxIterations: 'f-max',
    maxDepth: 'f-depth',
    includePatterns: 'f-include',
    excludePatterns: 'f-exclude',
  };

  function clearFormErrors() {
    for (const field of FIELDS) {
      $(`e-${field}`).textContent = '';
      $(INPUTS[field]).removeAttribute('aria-invalid');
    }
    $('e-form').textContent = '';
  }

  function showFieldError(field, text) {
    const node = $(`e-${field}`);
    if (!node) return false;
    node.textContent = node.textContent ? `${node.textContent} ${text}` : text;
    $(INPUTS[field]).setAttribute('aria-invalid', 'true');
    return true;
  }

  function readForm() {
    const body = {
      // One URL a line (a comma can be part of a URL).
      starterLinks: $('f-links').value.split('\n').map((line) => line.trim()).filter(Boolean),
      applicationName: $('f-app').value.trim(),
      skipCache: !$('f-reuse').checked,
    };
    const version = $('f-version').value.trim();
    if (version) body.applicationVersion = version;
    const max = $('f-max').value.trim();
    if (max) body.maxIterations = Number(max);
    const depth = $('f-depth').value.trim();
    if (depth) body.maxDepth = Number(depth);
    const include = lines($('f-include').value);
    if (include.length) body.includePatterns = include;
    const exclude = lines($('f-exclude').value);
    if (exclude.length) body.excludePatterns = exclude;
    return body;
  }

  async function submitForm(event) {
    event.preventDefault();
    clearFormErrors();
    const body = readForm();
    let invalid = false;
    if (body.starterLinks.length === 0) invalid = showFieldError('starterLinks', 'Give at least one URL.');
    if (!body.applicationName) invalid = showFieldError('applicationName', 'Name the application.') || invalid;
    if (invalid) {
      document.querySelector('[aria-invalid="true"]').focus();
      return;
    }
    const button = $('start-button');
    button.disabled = true;
    button.textContent = 'Starting…';
    let created = null;
    try {
      let sessionId = $('f-session').value;
      if (!sessionId) {
        sessionId = (await api('/api/v1/session', { method: 'POST' })).sessionId;
        created = sessionId;
      }
      const { jobId } = await api(`/api/v1/scrape/${sessionId}/scrape`, { method: 'POST', body });
      created = null;
      toast(`Scrape started: job ${shortId(jobId)}.`);
      await loadSessions();
      if (location.hash === `#/session/${sessionId}`) await refreshSession(false);
      else location.hash = `#/session/${sessionId}`;
      $('f-session').value = sessionId;
    } catch (error) {
      if (error instanceof ApiError && error.status === 422 && Array.isArray(error.detail)) {
        for (const issue of error.detail) {
          const [where, field, index] = issue.loc || [];
          const label = typeof index === 'number' ? `Line ${index + 1}: ` : '';
          if (!(where === 'body' && showFieldError(field, `${label}${issue.msg}`))) {
            $('e-form').textContent = issue.msg;
          }
        }
        const first = document.querySelector('[aria-invalid="true"]');
        if (first) first.focus();
      } else {
        $('e-form').textContent = errorText(error);
      }
    } finally {
      // A session made for a scrape that was refused would only be clutter.
      if (created) await api(`/api/v1/session/${created}`, { method: 'DELETE' }).catch(() => {});
      button.disabled = false;
      button.textContent = 'Start scrape';
    }
  }

  // ---------------------------------------------------------------- polling

  function schedulePoll(delay) {
    clearTimeout(state.pollTimer);
    state.pollTimer = setTimeout(poll, delay);
  }

  let lastSessionsLoad = 0;

  async function poll() {
    if (state.polling) return;
    state.polling = true;
    try {
      const busy = [...state.jobs.values()].some((job) => isActive(shownState(job.status)));
      if (Date.now() - lastSessionsLoad > (busy ? 2 * FAST_POLL_MS : SLOW_POLL_MS)) {
        lastSessionsLoad = Date.now();
        await loadSessions();
      }
      if (state.sessionId && !state.pageId) await refreshSession(false);
    } catch (error) {
      console.warn('poll failed', error);
    } finally {
      state.polling = false;
      const busy = [...state.jobs.values()].some((job) => isActive(shownState(job.status)));
      schedulePoll(busy ? FAST_POLL_MS : SLOW_POLL_MS);
    }
  }

  // ---------------------------------------------------------------- start

  function start() {
    setToken(state.token);
    wireTabs();
    $('scrape-form').addEventListener('submit', submitForm);
    $('refresh-sessions').addEventListener('click', () => {
      lastSessionsLoad = Date.now();
      loadSessions();
    });
    $('delete-session').addEventListener('click', deleteSession);
    $('export-jsonl').addEventListener('click', exportWithToken);
    $('export-markdown').addEventListener('click', exportWithToken);
    // A plain button, so that Enter in the field submits "Use token".
    $('token-forget').addEventListener('click', () => $('token-dialog').close('forget'));
    $('token-button').addEventListener('click', async () => {
      if (await askToken('')) {
        await loadSessions();
        route();
      }
    });
    let searchTimer = null;
    $('page-search').addEventListener('input', (event) => {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(() => {
        state.pages.search = event.target.value.trim();
        state.pages.offset = 0;
        loadPages(true);
      }, 250);
    });
    $('pages-prev').addEventListener('click', () => {
      state.pages.offset = Math.max(0, state.pages.offset - PAGE_SIZE);
      loadPages(true);
    });
    $('pages-next').addEventListener('click', () => {
      state.pages.offset += PAGE_SIZE;
      loadPages(true);
    });
    window.addEventListener('hashchange', route);
    lastSessionsLoad = Date.now();
    loadSessions().then(route);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
