// Swagger UI's headings jump from its h1 title to h3 tag groups and an h4 "Schemas": give them the
// level they have in the page's outline (axe heading-order); its title block, outside the main
// landmark it draws, is the page's banner (axe region). A static file: the CSP allows no inline script.
(function () {
  "use strict";
  function level() {
    document.querySelectorAll("#swagger-ui h3.opblock-tag, #swagger-ui section.models > h4").forEach(function (h) {
      h.setAttribute("aria-level", "2");
    });
    var info = document.querySelector("#swagger-ui .information-container");
    if (info) { info.setAttribute("role", "banner"); }
  }
  new MutationObserver(level).observe(document.documentElement, {childList: true, subtree: true});
  document.addEventListener("DOMContentLoaded", level);
}());
