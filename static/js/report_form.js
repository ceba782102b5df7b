// The report form's region and department lists: the page carries a few hundred names; as one
// types, the server's matches (at most a few hundred) replace them, so 3,000 regions stay usable.
// Without JavaScript the lists still hold the top of the tree and the form still works.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var form = document.querySelector("form[data-scope-options-url]");
  if (!form) { return; }
  var url = form.dataset.scopeOptionsUrl;
  var timers = {};
  function refill(input) {
    var kind = input.dataset.scopeOptions;
    var params = new URLSearchParams({kind: kind, q: input.value});
    var region = form.querySelector("[name=region]");
    if (kind === "department" && region && region.value) { params.set("region", region.value); }
    fetch(url + "?" + params.toString(), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : {options: []}; })
      .then(function (body) {
        var list = document.getElementById(input.getAttribute("list"));
        list.replaceChildren.apply(list, body.options.map(function (option) {
          var element = document.createElement("option");
          element.value = option.code;
          element.textContent = option.name;
          return element;
        }));
      })
      .catch(function () { /* keep the list the page came with */ });
  }
  form.querySelectorAll("[data-scope-options]").forEach(function (input) {
    input.addEventListener("input", function () {
      window.clearTimeout(timers[input.name]);
      timers[input.name] = window.setTimeout(function () { refill(input); }, 250);
    });
  });
  // Choosing a plan, region or department chooses that kind of scope.
  ["plan", "region", "department"].forEach(function (kind) {
    var field = form.querySelector("[name=" + kind + "]");
    var scope = form.querySelector("[name=scope_type]");
    if (field && scope) {
      field.addEventListener("change", function () { if (field.value) { scope.value = kind; } });
    }
  });
});
