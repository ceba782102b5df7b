// A report job's page: poll the job's JSON status until it is done or failed; no library, no CDN.
// A static file (not inline) so that the Content-Security-Policy needs no inline script.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var box = document.getElementById("job");
  var statusUrl = box.dataset.statusUrl;
  function show(job) {
    document.getElementById("job-progress").value = job.progress;
    document.getElementById("job-percent").textContent = job.progress + "%";
    document.getElementById("job-state").textContent = job.state_label;
    document.getElementById("job-stage").textContent = job.stage_label;
    if (job.state === "done") {
      document.getElementById("job-checksum").textContent = job.checksum;
      document.getElementById("job-download").hidden = false;
    }
    if (job.state === "failed") {
      var error = document.getElementById("job-error");
      error.textContent = job.error;
      error.hidden = false;
    }
  }
  function poll() {
    fetch(statusUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (job) {
        show(job);
        if (job.state !== "done" && job.state !== "failed") { window.setTimeout(poll, 1000); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  if (box.dataset.poll === "true") { poll(); }
});
