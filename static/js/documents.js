// Print-pack progress: polls the job's JSON status (same origin) until it is finished.
// Without JavaScript the page still works: a refresh shows the current state.
(function () {
  var box = document.getElementById("print-job");
  if (!box || box.dataset.finished === "true") return;
  var url = box.dataset.statusUrl;
  function show(id, visible) { document.getElementById(id).hidden = !visible; }
  function update(job) {
    document.getElementById("job-progress").value = job.progress;
    document.getElementById("job-percent").textContent = job.progress;
    document.getElementById("job-status").textContent = job.status_label || job.status;
    document.getElementById("job-status").dataset.status = job.status;
    document.getElementById("job-message").textContent = job.message || "";
    document.getElementById("job-error").textContent = job.error || "";
    show("job-error", !!job.error);
    if (job.download_url) {
      document.getElementById("job-download-link").href = job.download_url;
      show("job-download", true);
      show("job-zip-note", job.result_type === "zip");
    }
    return job.is_finished;
  }
  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (job) { if (!update(job)) setTimeout(poll, 1000); })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 500);
})();
