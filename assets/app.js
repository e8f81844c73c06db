/*
 * backtest-nightly: the site's only script (plain ES2017, no dependencies).
 * Every page is complete without it; it only
 *   1. re-evaluates the freshness badges against the viewer's UTC date
 *      (a page opened the day after it was built says "Needs update"),
 *   2. marks strategies with a run newer than your last visit (index),
 *   3. drives the auto-update switch and lookback selector (strategy page),
 *   4. keeps the jobs page live by polling status.json.
 * Data from the pages or the server is only ever set with textContent.
 * For tests, ?today=YYYY-MM-DD replaces the viewer's date.
 */
(function () {
  'use strict';

  var BADGE_TITLE = 'Based on last automatic run.';
  var LAST_VISIT_KEY = 'bn:lastVisit';
  var DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function setText(id, text) {
    var e = document.getElementById(id);
    if (e && e.textContent !== String(text)) e.textContent = String(text);
  }

  /* ------------------------------------------------------------ 1. freshness */

  function viewerToday() {
    try {
      var q = new URLSearchParams(window.location.search).get('today');
      if (q && DAY_RE.test(q)) return q;
    } catch (e) { /* no URLSearchParams: use the clock */ }
    return new Date().toISOString().slice(0, 10);
  }

  // 'updated', 'needs', or null when auto-update is off.
  function freshnessOf(holder, today) {
    if (holder.getAttribute('data-auto') !== '1') return null;
    return holder.getAttribute('data-last-auto-day') === today ? 'updated' : 'needs';
  }

  // Each [data-fresh-slot] holds at most one badge: after its first pill, or
  // first. A holder without one (an index row) uses the element holding its
  // pill (the auto-update cell).
  function freshSlots(holder) {
    var slots = $all('[data-fresh-slot]', holder);
    var pill = slots.length ? null : $('.pill', holder);
    return pill ? [pill.parentNode] : slots;
  }

  function renderBadges(holder, state) {
    freshSlots(holder).forEach(function (slot) {
      $all('.badge', slot).forEach(function (old) { slot.removeChild(old); });
      if (!state) return;
      var b = el('span', 'badge ' + (state === 'updated' ? 'badge-ok' : 'badge-warn'),
        state === 'updated' ? 'Updated today' : 'Needs update');
      b.title = BADGE_TITLE;
      var pill = $('.pill', slot);
      slot.insertBefore(b, pill ? pill.nextSibling : slot.firstChild);
    });
  }

  function refreshFreshness(today) {
    var counts = { updated: 0, needs: 0, holders: 0 };
    $all('[data-last-auto-day]').forEach(function (holder) {
      var state = freshnessOf(holder, today);
      renderBadges(holder, state);
      counts.holders++;
      if (state) counts[state]++;
    });
    return counts;
  }

  /* ------------------------------------------------------------ 2. new since your last visit */

  function markNewSinceLastVisit() {
    var last;
    try {
      last = window.localStorage.getItem(LAST_VISIT_KEY);
    } catch (e) {
      return 0;   // storage blocked (privacy mode, file:// in some browsers)
    }
    var n = 0;
    var lastMs = last ? Date.parse(last) : NaN;
    if (!isNaN(lastMs)) {
      $all('tr[data-updated]').forEach(function (row) {
        var t = Date.parse(row.getAttribute('data-updated') || '');
        if (isNaN(t) || t <= lastMs) return;
        row.classList.add('is-new');
        var cell = $('th', row) || row.firstElementChild;
        if (cell && !$('.new-mark', cell)) {
          var mark = el('span', 'new-mark', 'new');
          mark.title = 'New run since your last visit';
          cell.appendChild(mark);
        }
        n++;
      });
    }
    try {
      window.localStorage.setItem(LAST_VISIT_KEY, new Date().toISOString());
    } catch (e) { /* ignore */ }
    return n;
  }

  function initIndex(today) {
    var counts = refreshFreshness(today);
    if (counts.holders > 0) {
      setText('n-updated-today', counts.updated);
      setText('n-needs-update', counts.needs);
    }
    var fresh = markNewSinceLastVisit();
    var notes = [];
    var built = document.body.getAttribute('data-today');
    if (built && built !== today) {
      notes.push('Built on ' + built + ' (UTC); freshness re-checked for ' + today + '.');
    }
    if (fresh > 0) {
      notes.push(fresh + (fresh === 1 ? ' strategy has' : ' strategies have') + ' a new run since your last visit.');
    }
    var note = document.getElementById('fresh-note');
    if (note && notes.length) {
      note.textContent = notes.join(' ');
      note.hidden = false;
    }
  }

  /* ------------------------------------------------------------ 3. auto-update switch */

  // The server's explanation from an error response body, if any.
  function serverMessage(text) {
    if (!text) return '';
    try {
      var j = JSON.parse(text);
      if (j && typeof j === 'object') {
        var m = j.error && typeof j.error === 'object' ? j.error.message : j.error;
        m = m || j.message || j.detail;
        if (typeof m === 'string') return m.slice(0, 300);
      }
    } catch (e) { /* not JSON */ }
    text = text.trim();
    if (text.charAt(0) === '<') return '';   // an HTML error page: no use to show
    return text.slice(0, 300);
  }

  function initAutoSwitch(today) {
    var form = $('form.auto-form');
    if (!form || !window.fetch) return;
    var api = form.getAttribute('data-api');
    var box = $('input[name="auto_update_enabled"]', form);
    var select = $('select[name="auto_update_lookback_days"]', form);
    var holder = form.closest('[data-last-auto-day]');
    if (!api || !box || !select) return;

    form.classList.add('js-auto');   // hides the submit button: changes save themselves
    var status = el('span', 'save-status');
    status.setAttribute('role', 'status');
    status.setAttribute('aria-live', 'polite');
    select.parentNode.appendChild(status);
    var saved = { enabled: box.checked, days: select.value };
    var inFlight = false;
    var again = false;
    var clearTimer = null;

    function say(text, kind) {
      clearTimeout(clearTimer);
      status.textContent = text;
      status.className = 'save-status' + (kind ? ' ' + kind : '');
      if (kind === 'ok') {
        clearTimer = setTimeout(function () { status.textContent = ''; }, 4000);
      }
    }

    function applyAuto(enabled, lastAutoRunAt) {
      if (!holder) return;
      holder.setAttribute('data-auto', enabled ? '1' : '0');
      if (typeof lastAutoRunAt === 'string' && DAY_RE.test(lastAutoRunAt.slice(0, 10))) {
        holder.setAttribute('data-last-auto-day', lastAutoRunAt.slice(0, 10));
      }
      renderBadges(holder, freshnessOf(holder, today));
    }

    function revert() {
      box.checked = saved.enabled;
      select.value = saved.days;
    }

    function save() {
      if (inFlight) {   // one request at a time; send the latest state after it
        again = true;
        return;
      }
      inFlight = true;
      var want = { enabled: box.checked, days: select.value };
      var body = {
        auto_update_enabled: want.enabled,
        auto_update_lookback_days: parseInt(want.days, 10)
      };
      say('Saving\u2026', '');
      form.setAttribute('aria-busy', 'true');
      fetch(api, {
        method: 'PATCH',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'Accept': 'application/json' },
        body: JSON.stringify(body)
      }).then(function (res) {
        return res.text().then(function (text) { return { res: res, text: text }; });
      }).then(function (r) {
        if (r.res.ok) {
          var data = null;
          try { data = JSON.parse(r.text); } catch (e) { /* an empty body is fine */ }
          saved = want;
          applyAuto(want.enabled, data && data.last_auto_run_at);
          say(want.enabled ? 'Saved: auto-update is on.' : 'Saved: auto-update is off.', 'ok');
          return;
        }
        revert();
        var msg = serverMessage(r.text);
        if (r.res.status === 401) {
          say(msg || 'Sign in to change auto-update.', 'err');
        } else if (r.res.status === 403) {
          say(msg || 'You are not allowed to change auto-update for this strategy.', 'err');
        } else {
          say('Not saved: ' + (msg || 'the server answered ' + r.res.status + '.'), 'err');
        }
      }).catch(function () {
        revert();
        say('Not saved: network error. Try again.', 'err');
      }).then(function () {
        inFlight = false;
        form.removeAttribute('aria-busy');
        if (again) {
          again = false;
          if (box.checked !== saved.enabled || select.value !== saved.days) save();
        }
      });
    }

    box.addEventListener('change', save);
    select.addEventListener('change', save);
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      save();
    });
  }

  /* ------------------------------------------------------------ 4. jobs polling */

  var STATUS_CLASS = {
    completed: 'ok', failed: 'fail', cancelled: 'skip', skipped: 'skip', pending: 'wait', running: 'wait'
  };

  // 1 s for the first 30 s, then 2 s to 60 s, 5 s to 120 s, 10 s to 300 s, 30 s to 600 s, then 60 s.
  function pollInterval(elapsedMs) {
    var s = elapsedMs / 1000;
    if (s < 30) return 1000;
    if (s < 60) return 2000;
    if (s < 120) return 5000;
    if (s < 300) return 10000;
    if (s < 600) return 30000;
    return 60000;
  }

  function intOrNull(v) {
    var n = Number(v);
    return Number.isFinite(n) && Math.floor(n) === n && n >= 0 ? n : null;
  }

  function jobRow(job) {
    var id = intOrNull(job.id);
    var sid = intOrNull(job.strategy_id);
    var st = String(job.status || '');
    var cls = STATUS_CLASS[st] || 'wait';
    var progress = Math.max(0, Math.min(100, Number(job.progress) || 0));
    var tr = el('tr', 'job-' + cls);
    if (id !== null) tr.setAttribute('data-id', String(id));

    var th = el('th');
    th.scope = 'row';
    if (id !== null) {
      var a = el('a', null, '#' + id);
      a.href = 'runs/' + id + '.html';
      th.appendChild(a);
    }
    tr.appendChild(th);

    var name = el('td', 'name');
    if (sid !== null) {
      var sa = el('a', null, job.strategy || ('Strategy #' + sid));
      sa.href = 'strategies/' + sid + '.html';
      name.appendChild(sa);
    } else {
      name.textContent = job.strategy || '';
    }
    tr.appendChild(name);

    tr.appendChild(el('td', null, job.triggered_by || ''));
    tr.appendChild(el('td', null, job.priority || ''));
    var stCell = el('td');
    stCell.appendChild(el('span', 'status status-' + cls, st));
    tr.appendChild(stCell);

    var pc = el('td', 'progress-cell');
    var bar = el('progress', null, progress + '%');
    bar.max = 100;
    bar.value = progress;
    pc.appendChild(bar);
    pc.appendChild(el('span', 'pct', progress + '%'));
    tr.appendChild(pc);

    var note = [job.reason, job.error_message].filter(function (x) { return x; }).join(': ');
    tr.appendChild(el('td', 'note', note));
    return tr;
  }

  function renderStatus(root, data) {
    var state = data.state === 'final' ? 'final' : 'partial';
    var total = intOrNull(data.total) || 0;
    var done = intOrNull(data.done) || 0;
    root.setAttribute('data-state', state);
    var stateEl = document.getElementById('state-text');
    if (stateEl) {
      stateEl.className = 'state state-' + state;
      setText('state-text', state === 'final' ? 'Final results'
        : 'Partial results (' + done + '/' + total + ' complete)');
    }
    var c = data.counts || {};
    ['pending', 'running', 'completed', 'failed', 'cancelled', 'skipped'].forEach(function (k) {
      setText('n-' + k, intOrNull(c[k]) || 0);
    });
    setText('n-done', done);
    setText('n-total', total);
    var overall = document.getElementById('overall-progress');
    if (overall) {
      overall.max = total > 0 ? total : 1;
      overall.value = done;
      overall.textContent = done + ' of ' + total;
    }
    var body = document.getElementById('jobs-body');
    if (body && Array.isArray(data.jobs)) {
      var frag = document.createDocumentFragment();
      data.jobs.forEach(function (job) {
        if (job && typeof job === 'object') frag.appendChild(jobRow(job));
      });
      if (!frag.childNodes.length) {
        var tr = el('tr', 'empty-row');
        var td = el('td', null, 'No jobs tonight.');
        td.colSpan = 7;
        tr.appendChild(td);
        frag.appendChild(tr);
      }
      body.textContent = '';
      body.appendChild(frag);
    }
  }

  function initJobs() {
    var root = $('[data-status-json]');
    if (!root || !window.fetch) return;
    if (root.getAttribute('data-state') === 'final') return;
    var url = root.getAttribute('data-status-json');
    if (!url) return;
    var live = document.getElementById('live-note');
    var started = Date.now();
    var paused = false;

    function note(text) { if (live) live.textContent = text; }

    function schedule() {
      setTimeout(poll, pollInterval(Date.now() - started));
    }

    function poll() {
      if (document.hidden) {   // no polling in a background tab; resume when shown
        paused = true;
        return;
      }
      var u = url + (url.indexOf('?') < 0 ? '?' : '&') + 't=' + Date.now();
      fetch(u, { cache: 'no-store', credentials: 'same-origin' }).then(function (res) {
        if (!res.ok) throw new Error('HTTP ' + res.status);
        return res.json();
      }).then(function (data) {
        if (!data || typeof data !== 'object') throw new Error('bad status.json');
        renderStatus(root, data);
        var at = typeof data.generated_at === 'string' ? data.generated_at.slice(11, 19) : '';
        if (data.state === 'final') {
          note(at ? 'As of ' + at + ' UTC.' : '');
          return;   // done: stop polling
        }
        note(at ? 'Live, as of ' + at + ' UTC.' : 'Live.');
        schedule();
      }).catch(function () {
        note('Could not refresh; retrying.');
        schedule();
      });
    }

    document.addEventListener('visibilitychange', function () {
      if (!document.hidden && paused) {
        paused = false;
        poll();
      }
    });
    note('Live.');
    schedule();
  }

  /* ------------------------------------------------------------ entry */

  function main() {
    var page = document.body.getAttribute('data-page');
    var today = viewerToday();
    if (page === 'index') {
      initIndex(today);
    } else if (page === 'strategy') {
      refreshFreshness(today);
      initAutoSwitch(today);
    } else if (page === 'jobs') {
      initJobs();
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', main);
  } else {
    main();
  }
}());
