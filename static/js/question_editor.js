/* Sát hạch — the question editor (no framework, ES2017; no inline script, CSP).
 * - Live preview: after each change (debounced) the whole form, with its CSRF token, is
 *   posted to the form's data-preview-url; the server answers with the examinee's view
 *   rendered by the same macros as the exam page (templates/question_bank/_preview.html),
 *   which replaces the preview panel.  Only the newest answer is shown.
 * - "Add an option/answer" copies the last row of a table of answers with the next index
 *   (WTForms FieldList names: answers-3-text) and empty values.
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
    body.appendChild(clone);
    var first = clone.querySelector('textarea, input:not([type="hidden"])');
    if (first) { first.focus(); }
  }

  form.addEventListener('input', later);
  form.addEventListener('change', later);
  form.addEventListener('click', function (event) {
    var button = event.target.closest('[data-add-row]');
    if (button) {
      event.preventDefault();
      addRow(button);
    }
  });
  refresh();
}());
