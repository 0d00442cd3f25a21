// Task progress rows: any element with data-progress-url polls that JSON
// ({status, progress, message, error, is_finished}) every second and shows it; when the task
// finishes the page reloads so finished downloads appear. Pages work without it (reload by hand).
(function () {
  function show(row, job) {
    var bar = row.querySelector("progress");
    if (bar) bar.value = job.progress;
    var status = row.querySelector("[data-progress-status]");
    if (status) status.textContent = (job.status_label || job.status) + (job.message ? " · " + job.message : "");
    var error = row.querySelector("[data-progress-error]");
    if (error) { error.textContent = job.error || ""; error.hidden = !job.error; }
  }
  function poll(row) {
    fetch(row.dataset.progressUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (job) {
        if (!job) return;
        show(row, job);
        if (job.is_finished) { if (row.dataset.progressDone !== job.status) window.location.reload(); }
        else window.setTimeout(function () { poll(row); }, 1000);
      })
      .catch(function () { window.setTimeout(function () { poll(row); }, 5000); });
  }
  document.querySelectorAll("[data-progress-url]").forEach(function (row) {
    if (row.dataset.progressDone) return; // rendered finished: nothing to poll
    poll(row);
  });
})();
