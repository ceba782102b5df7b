// Behaviour every page shares, kept out of the HTML so the Content-Security-Policy needs no
// inline script: a <select data-autosubmit> submits its form when its value changes.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
});
