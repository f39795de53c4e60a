/* Sát hạch — the progress page of a background job (templates/jobs/show.html).
 * Polls the job's JSON (data-status-url) once a second while it is queued or running,
 * moves the <progress> bar and the count, and reloads the page once the job has finished
 * so that the server renders the result (its summary and the link to it).  No framework.
 */
(function () {
  'use strict';

  function start(section) {
    var url = section.dataset.statusUrl;
    var bar = section.querySelector('progress');
    var count = section.querySelector('[data-job-count]');
    var delay = 1000;

    function show(view) {
      section.dataset.state = view.state;
      section.querySelectorAll('[data-job-state]').forEach(function (el) {
        el.hidden = el.dataset.jobState !== view.state;
      });
      if (view.total > 0) {
        bar.max = view.total;
        bar.value = Math.min(view.done, view.total);
        if (count) {
          count.textContent = view.done + ' / ' + view.total;
          count.hidden = false;
        }
      }
    }

    function poll() {
      fetch(url, {headers: {'Accept': 'application/json'}, credentials: 'same-origin', cache: 'no-store'})
        .then(function (response) {
          if (!response.ok) { throw new Error('HTTP ' + response.status); }
          return response.json();
        })
        .then(function (view) {
          show(view);
          if (view.finished) {
            window.location.reload();
            return;
          }
          delay = 1000;
          window.setTimeout(poll, delay);
        })
        .catch(function () {
          delay = Math.min(delay * 2, 15000);   // a restart or a lost connection: back off, keep trying
          window.setTimeout(poll, delay);
        });
    }

    window.setTimeout(poll, delay);
  }

  document.addEventListener('DOMContentLoaded', function () {
    var section = document.getElementById('job');
    if (section && section.dataset.statusUrl &&
        (section.dataset.state === 'queued' || section.dataset.state === 'running')) {
      start(section);
    }
  });
}());
