/* Sát hạch — small behaviours shared by every page (no framework, ES2017).
 * - forms with data-confirm ask before they are sent;
 * - tables with data-sum (the general-criteria sheet) keep their group and total cells
 *   in step with the inputs, with the locale's decimal separator.
 */
(function () {
  'use strict';

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (form && form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  }, true);

  function readNumber(text) {
    var value = parseFloat(String(text || '').trim().replace(',', '.'));
    return isNaN(value) ? 0 : value;
  }

  function sheet(table) {
    var comma = table.dataset.decimal === ',';
    function show(value) {
      var text = (Math.round(value * 100) / 100).toFixed(2);
      return comma ? text.replace('.', ',') : text;
    }
    function update() {
      var groups = {};
      var total = 0;
      table.querySelectorAll('input[data-group]').forEach(function (input) {
        var v = readNumber(input.value);
        groups[input.dataset.group] = (groups[input.dataset.group] || 0) + v;
        total += v;
      });
      table.querySelectorAll('[data-group-sum]').forEach(function (cell) {
        cell.textContent = show(groups[cell.dataset.groupSum] || 0);
      });
      table.querySelectorAll('[data-total-sum]').forEach(function (cell) { cell.textContent = show(total); });
    }
    table.addEventListener('input', update);
    update();
  }

  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('table[data-sum]').forEach(sheet);
  });
}());
