/* Sát hạch — the question editor (no framework, ES2017; no inline script, CSP).
 * - Live preview: after each change (debounced) the whole form, with its CSRF token, is
 *   posted to the form's data-preview-url; the server answers with the examinee's view
 *   rendered by the same macros as the exam page (templates/question_bank/_preview.html),
 *   which replaces the preview panel.  Only the newest answer is shown.
 * - "Add an option/answer" copies the last row of a table of answers with the next index
 *   (WTForms FieldList names: answers-3-text) and empty values.
 * - ▲/▼ on a row (ordering items) swap its values with the neighbour's, so the names keep
 *   their indexes and the order sent is the order shown.
 * - In the preview, the examinee's buttons work as on the exam page (move an item, clear a
 *   choice) without saving anything.
 */
(function () {
  'use strict';

  var form = document.getElementById('question-editor');
  var panel = document.getElementById('question-preview');
  if (!form || !panel) { return; }
  var status = document.getElementById('preview-status');
  var url = form.dataset.previewUrl;
  var timer = null;
  var sent = 0;

  function say(text) { if (status) { status.textContent = text || ''; } }

  function refresh() {
    var mine = ++sent;
    panel.setAttribute('aria-busy', 'true');
    fetch(url, {
      method: 'POST', body: new FormData(form), credentials: 'same-origin',
      headers: { 'X-Requested-With': 'fetch' }
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      if (mine !== sent) { return; }
      panel.innerHTML = html;
      say('');
    }).catch(function () {
      if (mine === sent) { say(form.dataset.previewError || 'Preview unavailable; your text is kept.'); }
    }).then(function () {
      if (mine === sent) { panel.removeAttribute('aria-busy'); }
    });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 400);
  }

  function renumber(element, index) {
    ['id', 'name', 'for'].forEach(function (attr) {
      var value = element.getAttribute(attr);
      if (value) { element.setAttribute(attr, value.replace(/-\d+-/, '-' + index + '-')); }
    });
  }

  function addRow(button) {
    var body = document.getElementById(button.dataset.addRow);
    if (!body) { return; }
    var rows = body.querySelectorAll('tr[data-row]');
    if (!rows.length) { return; }
    var clone = rows[rows.length - 1].cloneNode(true);
    clone.querySelectorAll('input, textarea, select, label').forEach(function (element) {
      renumber(element, rows.length);
      if (element.tagName === 'TEXTAREA' || element.type === 'hidden') {
        element.value = '';
      } else if (element.tagName === 'INPUT') {
        element.value = element.dataset.default || '';
      }
    });
    clone.querySelectorAll('.error').forEach(function (error) { error.remove(); });
    var number = clone.querySelector('[data-rownum]');
    if (number) { number.textContent = String(rows.length + 1); }
    body.appendChild(clone);
    var first = clone.querySelector('textarea, input:not([type="hidden"])');
    if (first) { first.focus(); }
  }

  form.addEventListener('input', later);
  form.addEventListener('change', later);
  function controls(row) {
    return row.querySelectorAll('input, textarea, select');
  }

  function moveRow(button) {
    var row = button.closest('tr[data-row]');
    var other = button.dataset.rowMove === 'up' ? row.previousElementSibling : row.nextElementSibling;
    if (!other) { return; }
    var mine = controls(row);
    var theirs = controls(other);
    for (var i = 0; i < mine.length && i < theirs.length; i++) {
      var value = mine[i].value;
      mine[i].value = theirs[i].value;
      theirs[i].value = value;
    }
    var same = other.querySelector('[data-row-move="' + button.dataset.rowMove + '"]');
    if (same) { same.focus(); }
    later();
  }

  form.addEventListener('click', function (event) {
    var button = event.target.closest('[data-add-row]');
    if (button) {
      event.preventDefault();
      addRow(button);
      return;
    }
    var move = event.target.closest('[data-row-move]');
    if (move) {
      event.preventDefault();
      moveRow(move);
    }
  });

  panel.addEventListener('click', function (event) {
    var button = event.target.closest('button');
    if (!button) { return; }
    if (button.hasAttribute('data-clear')) {
      var box = button.closest('fieldset');
      if (box) { box.querySelectorAll('input[type="radio"]').forEach(function (i) { i.checked = false; }); }
    } else if (button.dataset.move) {
      var li = button.closest('li');
      var list = li.parentNode;
      if (button.dataset.move === 'up' && li.previousElementSibling) {
        list.insertBefore(li, li.previousElementSibling);
      } else if (button.dataset.move === 'down' && li.nextElementSibling) {
        list.insertBefore(li.nextElementSibling, li);
      }
      button.focus();
    }
  });
  refresh();
}());
