// Waiting on background work, one file for every room (loaded by base.html):
// * any element with data-progress-url polls that JSON ({status, status_label, progress,
//   message, error, is_finished, result_url}) every second and shows it in its <progress>,
//   [data-progress-status] and [data-progress-error]; when the job is finished it shows the
//   [data-progress-result] link (result_url) or, without one, reloads the page so the results
//   appear. Without JavaScript the page's <noscript> meta refresh does the same.
// * a form button with data-once is disabled once its form is submitted (no double start);
//   the server refuses a second start anyway.
// * a link with data-busy (a PDF made while the user waits) shows that text once clicked,
//   until the next page arrives.
(function () {
  function show(row, job) {
    var bar = row.querySelector("progress");
    if (bar) bar.value = job.progress;
    var status = row.querySelector("[data-progress-status]");
    if (status) status.textContent = (job.status_label || job.status) + (job.message ? " · " + job.message : "");
    var error = row.querySelector("[data-progress-error]");
    if (error) { error.textContent = job.error || ""; error.hidden = !job.error; }
    var result = row.querySelector("[data-progress-result]");
    if (result && job.result_url) {
      var link = result.matches("a") ? result : result.querySelector("a");
      if (link) link.href = job.result_url;
      result.hidden = false;
    }
    row.dataset.jobStatus = job.status; // for styles and tests
  }
  function poll(row) {
    fetch(row.dataset.progressUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (job) {
        if (!job) return;
        show(row, job);
        if (!job.is_finished) window.setTimeout(function () { poll(row); }, 1000);
        else if (!job.result_url && row.dataset.progressDone !== job.status) window.location.reload();
        else row.dataset.progressDone = job.status;
      })
      .catch(function () { window.setTimeout(function () { poll(row); }, 5000); });
  }
  document.querySelectorAll("[data-progress-url]").forEach(function (row) {
    if (row.dataset.progressDone) return; // rendered finished: nothing to poll
    window.setTimeout(function () { poll(row); }, 500);
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-busy]");
    if (!link || link.getAttribute("aria-busy") || event.ctrlKey || event.metaKey || event.shiftKey) return;
    link.setAttribute("aria-busy", "true");
    var note = document.createElement("span");
    note.className = "busy-note";
    note.setAttribute("role", "status");
    note.textContent = " " + link.dataset.busy;
    link.after(note);
  });
  window.addEventListener("pageshow", function (event) { // back to a cached page: usable again
    if (!event.persisted) return;
    document.querySelectorAll("a[data-busy][aria-busy]").forEach(function (link) {
      link.removeAttribute("aria-busy");
      if (link.nextElementSibling && link.nextElementSibling.matches(".busy-note")) link.nextElementSibling.remove();
    });
    document.querySelectorAll("form[data-submitted]").forEach(function (form) {
      delete form.dataset.submitted;
      form.querySelectorAll("[data-once]").forEach(function (b) { b.disabled = false; b.removeAttribute("aria-busy"); });
    });
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.submitted) { event.preventDefault(); return; } // a second press: ignored
    if (!form.querySelector("[data-once]")) return;
    form.dataset.submitted = "1";
    // disabled after the submit has collected the pressed button's name and value
    window.setTimeout(function () {
      form.querySelectorAll("[data-once]").forEach(function (b) { b.disabled = true; b.setAttribute("aria-busy", "true"); });
    }, 0);
  });
})();
