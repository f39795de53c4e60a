/* Sát hạch — the exam page: autosave, timer, navigator, submit.
 *
 * Plain ES2017, no framework, no inline script (the page's CSP forbids it). Every string
 * shown to the examinee comes from a data-msg-* attribute of #exam, translated by the
 * template, never from this file.
 *
 * Saving (DECISIONS.md 12, docs/question-payload.md): every change builds the slot's
 * response, takes the next per-attempt sequence number (a counter kept in localStorage,
 * starting at max(next_seq, stored)), writes the pending save to localStorage *before*
 * sending, then POSTs {token, position, seq, response, flagged} as JSON with the
 * X-CSRFToken header.  The pending entry is removed when the server answers 200 (saved or
 * stale) for that very seq.  Network errors and 5xx are retried with backoff; pending
 * saves are replayed on load and when the browser comes back online.  409 = the test
 * was taken over elsewhere (banner, pending saves kept); 410 = the attempt is closed
 * (go to the result page).
 *
 * The clock counts down on performance.now() from the server's "remaining" seconds, so
 * a wrong client clock changes nothing; a paused attempt (the organisers' pause) freezes
 * it.  Focus lost/regained, offline/online and reconnects are posted to the event URL
 * for the exam admin's log (best effort: a lost event never blocks an answer).
 * Sequential navigation: the "next" form is sent only after every pending save is in.
 */
(function () {
  'use strict';

  var root = document.getElementById('exam');
  if (!root) { return; }

  var cfg = root.dataset;
  var attemptId = cfg.attempt;
  var prefix = 'sathach:attempt:' + attemptId + ':';
  var SEQ_KEY = prefix + 'seq';
  var PENDING = prefix + 'pending:';
  var FONT_KEY = 'sathach:fontsize';
  var TEXT_DELAY = 800;          // ms of typing pause before a text answer is sent
  var REQUEST_TIMEOUT = 15000;   // ms before a save counts as a network failure
  var STATE_EVERY = 60000;       // ms between timer re-syncs from the state URL
  var MAX_BACKOFF = 30000;

  var token = cfg.token;
  var csrf = cfg.csrf;
  var sections = Array.prototype.slice.call(document.querySelectorAll('#questions .question[data-position]'));
  var byPosition = {};
  sections.forEach(function (s) { byPosition[s.dataset.position] = s; });

  var statusEl = document.getElementById('save-status');
  var timerEl = document.getElementById('timer');
  var bannerEl = document.getElementById('banner');
  var announcer = document.getElementById('announcer');
  var progressEl = document.getElementById('progress');
  var submitForm = document.getElementById('submit-form');
  var dialog = document.getElementById('submit-dialog');

  var blocked = null;            // null | 'conflict' | 'session' | 'closed'
  var offline = false;           // the last attempt to reach the server failed
  var rejected = false;          // the server refused a save as invalid
  var inflight = {};             // position -> seq being sent
  var backoff = 1000;
  var retryTimer = null;
  var textTimers = {};
  var finishing = false;
  var pausedLeft = cfg.paused === 'true' ? (parseInt(cfg.remaining, 10) || 0) : null;
  var sequential = cfg.sequential === 'true';

  function msg(name, values) {
    var text = cfg['msg' + name.charAt(0).toUpperCase() + name.slice(1)] || '';
    Object.keys(values || {}).forEach(function (k) { text = text.split('{' + k + '}').join(String(values[k])); });
    return text;
  }

  function announce(text) {
    announcer.textContent = '';
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  /* ---- storage: localStorage, or memory when it is unavailable -------------- */

  var memory = {};
  var store = {
    get: function (k) {
      try { var v = window.localStorage.getItem(k); return v === null ? memory[k] || null : v; }
      catch (e) { return memory[k] || null; }
    },
    set: function (k, v) {
      memory[k] = v;
      try { window.localStorage.setItem(k, v); } catch (e) { /* memory keeps it for this page */ }
    },
    remove: function (k) {
      delete memory[k];
      try { window.localStorage.removeItem(k); } catch (e) { /* ignore */ }
    },
    keys: function () {
      var out = Object.keys(memory);
      try {
        for (var i = 0; i < window.localStorage.length; i++) {
          var k = window.localStorage.key(i);
          if (out.indexOf(k) < 0) { out.push(k); }
        }
      } catch (e) { /* memory only */ }
      return out;
    }
  };

  function nextSeq() {
    var stored = parseInt(store.get(SEQ_KEY), 10) || 0;
    var seq = Math.max(parseInt(cfg.nextSeq, 10) || 1, stored);
    store.set(SEQ_KEY, String(seq + 1));
    return seq;
  }

  function readPending(position) {
    try { return JSON.parse(store.get(PENDING + position)); } catch (e) { return null; }
  }

  function allPending() {
    return store.keys().filter(function (k) { return k.indexOf(PENDING) === 0; })
      .map(function (k) { try { return JSON.parse(store.get(k)); } catch (e) { return null; } })
      .filter(function (entry) { return entry && entry.position !== undefined; });
  }

  function clearAttemptStorage() {
    store.keys().forEach(function (k) { if (k.indexOf(prefix) === 0) { store.remove(k); } });
  }

  /* ---- reading and writing one question's answer ---------------------------- */

  function answerBox(section) { return section.querySelector('.answer'); }

  function checkedValues(scope, name) {
    return Array.prototype.slice.call(scope.querySelectorAll('input[name="' + name + '"]'))
      .filter(function (i) { return i.checked; }).map(function (i) { return i.value; });
  }

  function buildResponse(section) {
    var box = answerBox(section);
    var base = 'q' + section.dataset.position;
    if (!box) { return null; }
    switch (box.dataset.kind) {
      case 'multichoice': {
        var picked = checkedValues(box, base);
        if (box.dataset.single === 'true') { return picked.length ? { choice: picked[0] } : null; }
        return { choices: picked };
      }
      case 'truefalse': {
        var tf = checkedValues(box, base);
        return tf.length ? { value: tf[0] === 'true' } : null;
      }
      case 'text':
      case 'essay':
        return { text: box.querySelector('input, textarea').value };
      case 'matching': {
        var pairs = {};
        box.querySelectorAll('select[data-sub]').forEach(function (sel) {
          if (sel.value !== '') { pairs[sel.dataset.sub] = sel.value; }
        });
        return { pairs: pairs };
      }
      case 'ordering': {
        if (section.dataset.hasResponse !== 'true') { return null; }
        return { order: Array.prototype.map.call(box.querySelectorAll('li[data-id]'), function (li) { return li.dataset.id; }) };
      }
      case 'cloze': {
        var parts = {};
        box.querySelectorAll('[data-part]').forEach(function (part) {
          var id = part.dataset.part;
          var kind = part.dataset.partKind;
          if (kind === 'choice') {
            var sel = part.querySelector('select');
            if (sel.value !== '') { parts[id] = { choice: sel.value }; }
          } else if (kind === 'choices') {
            var many = Array.prototype.slice.call(part.querySelectorAll('input[type="checkbox"]'))
              .filter(function (i) { return i.checked; }).map(function (i) { return i.value; });
            if (many.length) { parts[id] = { choices: many }; }
          } else {
            var input = part.querySelector('input');
            if (input.value.trim() !== '') { parts[id] = { text: input.value }; }
          }
        });
        return { parts: parts };
      }
      default:
        return null;
    }
  }

  function isAnswered(section, response) {
    if (!response) { return false; }
    var box = answerBox(section);
    if (response.choice !== undefined) { return response.choice !== ''; }
    if (response.choices) { return response.choices.length > 0; }
    if (response.value !== undefined) { return typeof response.value === 'boolean'; }
    if (response.text !== undefined) {
      var text = String(response.text).trim();
      var template = box && box.dataset.template ? box.dataset.template.trim() : '';
      return text !== '' && text !== template;
    }
    if (response.pairs) { return Object.keys(response.pairs).length > 0; }
    if (response.order) { return response.order.length > 0; }
    if (response.parts) { return Object.keys(response.parts).length > 0; }
    return false;
  }

  /* Put a (locally pending) response back into the page after a reload. */
  function applyResponse(section, response) {
    var box = answerBox(section);
    if (!box) { return; }
    var base = 'q' + section.dataset.position;
    var r = response || {};
    switch (box.dataset.kind) {
      case 'multichoice': {
        var chosen = box.dataset.single === 'true' ? [r.choice] : (r.choices || []);
        box.querySelectorAll('input[name="' + base + '"]').forEach(function (i) { i.checked = chosen.indexOf(i.value) >= 0; });
        break;
      }
      case 'truefalse':
        box.querySelectorAll('input[name="' + base + '"]').forEach(function (i) {
          i.checked = typeof r.value === 'boolean' && (i.value === 'true') === r.value;
        });
        break;
      case 'text':
      case 'essay':
        box.querySelector('input, textarea').value = r.text || '';
        break;
      case 'matching':
        box.querySelectorAll('select[data-sub]').forEach(function (sel) {
          sel.value = (r.pairs && r.pairs[sel.dataset.sub]) || '';
        });
        break;
      case 'ordering': {
        var list = box.querySelector('ol');
        var items = Array.prototype.slice.call(list.children);
        (r.order || []).forEach(function (id) {
          var li = items.filter(function (item) { return item.dataset.id === String(id); })[0];
          if (li) { list.appendChild(li); }
        });
        if (response) { section.dataset.hasResponse = 'true'; }
        break;
      }
      case 'cloze':
        box.querySelectorAll('[data-part]').forEach(function (part) {
          var given = (r.parts && r.parts[part.dataset.part]) || {};
          var kind = part.dataset.partKind;
          if (kind === 'choice') { part.querySelector('select').value = given.choice || ''; }
          else if (kind === 'choices') {
            part.querySelectorAll('input[type="checkbox"]').forEach(function (i) {
              i.checked = (given.choices || []).indexOf(i.value) >= 0;
            });
          } else { part.querySelector('input').value = given.text || ''; }
        });
        break;
    }
  }

  function isFlagged(section) { return section.dataset.flagged === 'true'; }

  function setFlagged(section, flagged) {
    section.dataset.flagged = flagged ? 'true' : 'false';
    section.classList.toggle('is-flagged', flagged);
    var button = section.querySelector('[data-flag]');
    if (button) { button.setAttribute('aria-pressed', flagged ? 'true' : 'false'); }
  }

  /* ---- navigator and progress ----------------------------------------------- */

  function refreshNav(section) {
    var position = section.dataset.position;
    var link = document.querySelector('.qnav a[data-nav="' + position + '"]');
    if (!link) { return; }
    var answered = isAnswered(section, buildResponse(section));
    var flagged = isFlagged(section);
    var pending = !!readPending(position);
    link.classList.toggle('answered', answered);
    link.classList.toggle('flagged', flagged);
    link.classList.toggle('pending', pending);
    var label = msg('nav', { n: position });
    if (section.dataset.qtype !== 'description') {
      label += ', ' + (answered ? msg('navAnswered') : msg('navUnanswered'));
      if (flagged) { label += ', ' + msg('navFlagged'); }
    }
    link.setAttribute('aria-label', label);
  }

  function gradable() {
    return sections.filter(function (s) { return s.dataset.qtype !== 'description'; });
  }

  function unansweredCount() {
    return gradable().filter(function (s) { return !isAnswered(s, buildResponse(s)); }).length;
  }

  function refreshProgress() {
    if (sequential) { return; }                     // one question on the page: the server counted
    var all = gradable().length;
    progressEl.textContent = msg('progress', { a: all - unansweredCount(), t: all });
  }

  /* ---- the save status indicator -------------------------------------------- */

  function refreshStatus() {
    var count = ownPending().length;
    var state = offline && count ? 'offline' : count ? 'saving' : rejected ? 'error' : 'saved';
    var text = state === 'offline' ? msg('offline') : state === 'saving' ? msg('saving')
      : state === 'error' ? msg('rejected') : msg('saved');
    if (statusEl.dataset.state !== state || statusEl.textContent !== text) {
      statusEl.dataset.state = state;
      statusEl.textContent = text;
    }
  }

  function showBanner(kind) {
    if (blocked === 'closed') { return; }
    blocked = kind;
    document.getElementById('banner-text').textContent = kind === 'conflict' ? msg('conflict') : msg('session');
    bannerEl.hidden = false;
    if (kind === 'conflict') {
      document.querySelectorAll('#questions input, #questions select, #questions textarea, #questions button')
        .forEach(function (el) { el.disabled = true; });
    }
    refreshStatus();
  }

  /* ---- sending -------------------------------------------------------------- */

  /* fetch with a time limit; a redirect (the login page) is not followed but reported. */
  function request(url, options) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? window.setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT) : null;
    options.credentials = 'same-origin';
    options.redirect = 'manual';
    options.cache = 'no-store';
    if (controller) { options.signal = controller.signal; }
    function done() { if (timer) { window.clearTimeout(timer); } }
    return fetch(url, options).then(function (res) { done(); return res; }, function (err) { done(); throw err; });
  }

  function postJSON(url, body) {
    return request(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Accept': 'application/json', 'X-CSRFToken': csrf },
      body: JSON.stringify(body)
    });
  }

  /* Best-effort event for the admin's log; never retried, never blocking. */
  function postEvent(kind) {
    if (!cfg.eventUrl) { return; }
    try {
      fetch(cfg.eventUrl, {
        method: 'POST', credentials: 'same-origin', redirect: 'manual', keepalive: true,
        headers: { 'Content-Type': 'application/json', 'Accept': 'application/json', 'X-CSRFToken': csrf },
        body: JSON.stringify({ token: token, kind: kind })
      }).catch(function () { /* offline: the reconnect event tells the story */ });
    } catch (e) { /* ignore */ }
  }

  function applyPause(data) {
    var pausedBanner = document.getElementById('paused-banner');
    if (data.paused) {
      pausedLeft = typeof data.remaining === 'number' ? data.remaining : pausedLeft;
      if (pausedBanner && pausedBanner.hidden) { pausedBanner.hidden = false; announce(msg('paused')); }
    } else {
      if (pausedLeft !== null && typeof data.remaining === 'number') { endsAt = clock() + data.remaining * 1000; }
      pausedLeft = null;
      if (pausedBanner) { pausedBanner.hidden = true; }
    }
  }

  function scheduleRetry() {
    if (retryTimer) { return; }
    var delay = backoff + Math.floor(Math.random() * 500);
    backoff = Math.min(backoff * 2, MAX_BACKOFF);
    retryTimer = window.setTimeout(function () { retryTimer = null; flush(); }, delay);
  }

  function retryNow() {
    if (retryTimer) { window.clearTimeout(retryTimer); retryTimer = null; }
    backoff = 1000;
    flush();
  }

  function send(entry) {
    var position = String(entry.position);
    inflight[position] = entry.seq;
    return postJSON(cfg.saveUrl, {
      token: token, position: entry.position, seq: entry.seq, response: entry.response, flagged: entry.flagged
    }).then(function (res) {
      if (res.type === 'opaqueredirect' || res.status === 401 || res.status === 403 || res.status === 404) {
        showBanner('session');                       // logged out, or another account in this browser
        return;
      }
      if (res.status === 409) { showBanner('conflict'); return; }
      if (res.status === 410) { closed(); return; }
      if (res.status >= 500 || res.status === 429 || res.status === 0) { throw new Error('retry'); }
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (res.status === 200 && (data.status === 'saved' || data.status === 'stale' || data.status === 'locked')) {
          var current = readPending(position);
          if (current && current.seq <= entry.seq) { store.remove(PENDING + position); }
          if (offline) { postEvent('reconnect'); }
          offline = false;
          backoff = 1000;
          applyPause(data);
          if (typeof data.remaining === 'number' && !data.paused) { syncClock(data.remaining); }
        } else if (res.status === 400 && data.status === 'invalid') {
          var stale = readPending(position);
          if (stale && stale.seq <= entry.seq) { store.remove(PENDING + position); }
          rejected = true;
        } else {
          showBanner('session');                     // 400 without a save status: the CSRF token expired
        }
      });
    }, function () {
      throw new Error('retry');
    }).catch(function () {
      offline = true;
      scheduleRetry();
    }).then(function () {
      delete inflight[position];
      var section = byPosition[position];
      if (section) { refreshNav(section); }
      refreshStatus();
      var newer = readPending(position);
      if (!blocked && !offline && newer && newer.seq > entry.seq && newer.token === token) { flush(); }
    });
  }

  /* Entries of this page only: a pending answer written by another tab of the same
     browser (shared localStorage) is that tab's business until a reload adopts it. */
  function ownPending() {
    return allPending().filter(function (entry) { return entry.token === token; });
  }

  function flush() {
    if (blocked) { refreshStatus(); return; }
    ownPending().forEach(function (entry) {
      if (inflight[String(entry.position)] === undefined) { send(entry); }
    });
    refreshStatus();
  }

  /* Try to send everything; resolves true when nothing is left pending. */
  function flushAll(timeout) {
    retryNow();
    var started = Date.now();
    return new Promise(function (resolve) {
      (function check() {
        var left = ownPending().length;
        if (!left) { resolve(true); return; }
        if (blocked || Date.now() - started > timeout) { resolve(false); return; }
        window.setTimeout(check, 200);
      }());
    });
  }

  /* Record a change of one question: new seq, pending entry first, then send. */
  function record(section, delay) {
    if (blocked === 'closed' || blocked === 'conflict') { return; }  // a lost session still keeps answers locally
    var position = section.dataset.position;
    var entry = {
      token: token,                  // the page that made it: another tab never sends it
      position: parseInt(position, 10),
      seq: nextSeq(),
      response: buildResponse(section),
      flagged: isFlagged(section)
    };
    store.set(PENDING + position, JSON.stringify(entry));
    rejected = false;
    refreshNav(section);
    refreshProgress();
    refreshStatus();
    window.clearTimeout(textTimers[position]);
    if (delay) {
      textTimers[position] = window.setTimeout(flush, delay);
    } else {
      flush();
    }
  }

  function closed() {
    blocked = 'closed';
    clearAttemptStorage();
    window.location.assign(cfg.resultUrl);
  }

  /* ---- the clock ------------------------------------------------------------ */

  var clock = (window.performance && performance.now) ? function () { return performance.now(); } : Date.now;
  var endsAt = clock() + (parseInt(cfg.remaining, 10) || 0) * 1000;
  var warned5 = false;
  var warned1 = false;

  function syncClock(remaining) {
    var target = clock() + remaining * 1000;
    if (Math.abs(target - endsAt) > 1500) { endsAt = target; }
  }

  function pad(n) { return (n < 10 ? '0' : '') + n; }

  function tick() {
    if (pausedLeft !== null) { endsAt = clock() + pausedLeft * 1000; }
    var left = Math.max(0, Math.ceil((endsAt - clock()) / 1000));
    var text = pad(Math.floor(left / 3600)) + ':' + pad(Math.floor(left % 3600 / 60)) + ':' + pad(left % 60);
    if (timerEl.textContent !== text) { timerEl.textContent = text; }
    timerEl.classList.toggle('warn', left < 300);
    timerEl.classList.toggle('blink', left > 0 && left <= 60);
    if (left <= 300 && left > 60 && !warned5) { warned5 = true; announce(msg('warn5')); }
    if (left <= 60 && left > 0 && !warned1) { warned1 = true; announce(msg('warn1')); }
    if (left === 0) { timeUp(); }
  }

  function syncState() {
    return request(cfg.stateUrl, { headers: { 'Accept': 'application/json' } }).then(function (res) {
      if (res.type === 'opaqueredirect' || res.status === 401 || res.status === 403 || res.status === 404) {
        showBanner('session');
        return false;
      }
      if (!res.ok) { return false; }
      return res.json().then(function (data) {
        if (data.state && data.state !== 'in_progress') { closed(); return true; }
        applyPause(data);
        if (typeof data.remaining === 'number' && !data.paused) { syncClock(data.remaining); }
        if (offline) { retryNow(); }
        return true;
      });
    }).catch(function () { return false; });
  }

  function timeUp() {
    if (finishing) { return; }
    finishing = true;
    statusEl.dataset.state = 'saving';
    statusEl.textContent = msg('timeup');
    announce(msg('timeup'));
    closeDialog();
    (function attempt() {
      flushAll(5000).then(function (done) {
        if (blocked === 'closed') { return; }
        if (done) { clearAttemptStorage(); }
        if (done || blocked) { submitForm.submit(); return; }
        return syncState().then(function (reachable) {
          if (reachable) { submitForm.submit(); return; }
          statusEl.dataset.state = 'offline';
          statusEl.textContent = msg('timeupOffline');
          window.setTimeout(attempt, 5000);
        });
      });
    }());
  }

  /* ---- submitting ----------------------------------------------------------- */

  function openDialog() {
    var left = unansweredCount();
    document.getElementById('submit-dialog-text').textContent =
      left === 1 ? msg('confirmOne') : left ? msg('confirmSome', { n: left }) : msg('confirmAll');
    document.getElementById('submit-dialog-warn').hidden = true;
    if (dialog && typeof dialog.showModal === 'function') {
      dialog.showModal();
      dialog.querySelector('[data-cancel-submit]').focus();
    } else if (window.confirm(document.getElementById('submit-dialog-text').textContent)) {
      confirmSubmit();
    }
  }

  function closeDialog() {
    if (dialog && dialog.open) { dialog.close(); }
  }

  function confirmSubmit() {
    var button = dialog.querySelector('[data-confirm-submit]');
    button.disabled = true;
    flushAll(8000).then(function (done) {
      button.disabled = false;
      if (done) {
        finishing = true;
        clearAttemptStorage();
        submitForm.submit();
        return;
      }
      var warn = document.getElementById('submit-dialog-warn');
      warn.textContent = blocked ? (blocked === 'conflict' ? msg('conflict') : msg('session')) : msg('unsaved');
      warn.hidden = false;
      if (!dialog.open) { window.alert(warn.textContent); }
    });
  }

  /* ---- wiring --------------------------------------------------------------- */

  function sectionOf(el) { return el.closest('.question[data-position]'); }

  var questions = document.getElementById('questions');

  questions.addEventListener('change', function (event) {
    var section = sectionOf(event.target);
    if (!section || !event.target.matches('input, select, textarea')) { return; }
    record(section, 0);
  });

  questions.addEventListener('input', function (event) {
    var target = event.target;
    var section = sectionOf(target);
    if (!section || !target.matches('input[type="text"], textarea')) { return; }
    record(section, TEXT_DELAY);
  });

  questions.addEventListener('keydown', function (event) {
    if (event.key === 'Enter' && event.target.matches('input[type="text"]')) { event.preventDefault(); }
  });

  questions.addEventListener('click', function (event) {
    var button = event.target.closest('button');
    if (!button) { return; }
    var section = sectionOf(button);
    if (!section) {
      if (button.hasAttribute('data-open-submit')) { openDialog(); }
      return;
    }
    if (button.hasAttribute('data-flag')) {
      setFlagged(section, !isFlagged(section));
      record(section, 0);
    } else if (button.hasAttribute('data-clear')) {
      answerBox(section).querySelectorAll('input[type="radio"]').forEach(function (i) { i.checked = false; });
      record(section, 0);
    } else if (button.hasAttribute('data-keep-order')) {
      section.dataset.hasResponse = 'true';
      record(section, 0);
    } else if (button.dataset.move) {
      var li = button.closest('li');
      var list = li.parentNode;
      if (button.dataset.move === 'up' && li.previousElementSibling) {
        list.insertBefore(li, li.previousElementSibling);
      } else if (button.dataset.move === 'down' && li.nextElementSibling) {
        list.insertBefore(li.nextElementSibling, li);
      } else {
        return;
      }
      button.focus();
      announce(msg('moved', { n: Array.prototype.indexOf.call(list.children, li) + 1 }));
      section.dataset.hasResponse = 'true';
      record(section, 0);
    }
  });

  questions.addEventListener('focusin', function (event) {
    var section = sectionOf(event.target);
    if (!section) { return; }
    document.querySelectorAll('.qnav a[aria-current]').forEach(function (a) { a.removeAttribute('aria-current'); });
    var link = document.querySelector('.qnav a[data-nav="' + section.dataset.position + '"]');
    if (link) { link.setAttribute('aria-current', 'step'); }
  });

  document.querySelectorAll('.qnav a[data-nav]').forEach(function (link) {
    link.addEventListener('click', function (event) {
      var section = byPosition[link.dataset.nav];
      if (!section) { return; }
      event.preventDefault();
      section.scrollIntoView({ block: 'start' });
      section.focus({ preventScroll: true });
      if (window.history && history.replaceState) { history.replaceState(null, '', '#q-' + link.dataset.nav); }
    });
  });

  submitForm.addEventListener('submit', function (event) {
    if (finishing) { return; }
    event.preventDefault();
    openDialog();
  });
  dialog.querySelector('[data-confirm-submit]').addEventListener('click', confirmSubmit);
  dialog.querySelector('[data-cancel-submit]').addEventListener('click', closeDialog);

  bannerEl.querySelector('[data-reload]').addEventListener('click', function () { window.location.reload(); });

  /* Text size: A- / A+ (kept for the next visit). */
  function setFont(level) {
    level = Math.max(-1, Math.min(4, level));
    document.documentElement.dataset.fontsize = String(level);
    store.set(FONT_KEY, String(level));
  }
  document.querySelectorAll('[data-font]').forEach(function (button) {
    button.addEventListener('click', function () {
      setFont((parseInt(store.get(FONT_KEY), 10) || 0) + parseInt(button.dataset.font, 10));
    });
  });
  setFont(parseInt(store.get(FONT_KEY), 10) || 0);

  window.addEventListener('online', function () { offline = false; postEvent('online'); retryNow(); syncState(); });
  window.addEventListener('offline', function () { offline = true; postEvent('offline'); refreshStatus(); });
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible') { postEvent('focus_regained'); syncState(); retryNow(); }
    else { postEvent('focus_lost'); }
  });
  window.addEventListener('blur', function () { if (document.visibilityState === 'visible') { postEvent('focus_lost'); } });
  window.addEventListener('focus', function () { if (document.visibilityState === 'visible') { postEvent('focus_regained'); } });

  /* Sequential navigation: leave a question only once its answer is on the server. */
  var nextForm = document.getElementById('next-form');
  var leaving = false;
  if (nextForm) {
    nextForm.addEventListener('submit', function (event) {
      if (leaving) { return; }
      event.preventDefault();
      var button = nextForm.querySelector('button');
      button.disabled = true;
      flushAll(8000).then(function (done) {
        button.disabled = false;
        if (done) { leaving = true; finishing = true; nextForm.submit(); return; }
        window.alert(blocked ? (blocked === 'conflict' ? msg('conflict') : msg('session')) : msg('unsaved'));
      });
    });
  }
  window.addEventListener('beforeunload', function (event) {
    if (!finishing && !blocked && ownPending().length) {
      event.preventDefault();
      event.returnValue = '';
    }
  });

  /* Replay what an earlier page left unsent: newer than the server's copy → show it and
     send it again with its own seq (the server keeps whichever is newest); older → drop it. */
  allPending().forEach(function (entry) {
    var section = byPosition[String(entry.position)];
    if (!section || entry.seq <= (parseInt(section.dataset.savedSeq, 10) || 0)) {
      store.remove(PENDING + entry.position);
      return;
    }
    applyResponse(section, entry.response);
    setFlagged(section, !!entry.flagged);
    entry.token = token;                            // adopted by this page: it sends it now
    store.set(PENDING + entry.position, JSON.stringify(entry));
  });

  /* On a phone the navigator starts folded so the first question is in view. */
  var navDetails = document.getElementById('qnav-details');
  if (navDetails && window.matchMedia && window.matchMedia('(max-width: 900px)').matches) { navDetails.open = false; }

  sections.forEach(refreshNav);
  refreshProgress();
  flush();
  tick();
  window.setInterval(tick, 250);
  window.setInterval(syncState, STATE_EVERY);
  window.setInterval(function () { if (pausedLeft !== null) { syncState(); } }, 5000);
}());
