// An upload job's page: poll the job's status until it has finished, then show its outcome; no
// library, no CDN. A static file (not inline) so that the Content-Security-Policy needs no inline script.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.dataset.poll !== "true") { return; }
  var statusUrl = box.dataset.statusUrl;
  function show(job) {
    document.getElementById("job-progress").value = job.progress;
    document.getElementById("job-percent").textContent = job.progress + "%";
    document.getElementById("job-state").textContent = job.state_label;
    document.getElementById("job-stage").textContent = job.stage_label;
  }
  function poll() {
    fetch(statusUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (job) {
        show(job);
        if (job.finished) { window.location.reload(); } else { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  poll();
});
