/* Minute entry: show only the fields the chosen kind uses (all fields stay in the page
   without scripts; the server refuses what a kind lacks, naming the field). */
(function () {
  "use strict";
  function update(form) {
    var checked = form.querySelector("input[name='kind']:checked");
    var kind = checked ? checked.value : "update";
    form.querySelectorAll("[data-kinds]").forEach(function (el) {
      var kinds = el.getAttribute("data-kinds").split(" ");
      el.hidden = kinds.indexOf(kind) === -1;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-entry-form]");
    if (!form) { return; }
    form.addEventListener("change", function (event) {
      if (event.target.name === "kind") { update(form); }
    });
    form.addEventListener("submit", function () {
      form.querySelectorAll("[data-kinds][hidden] input, [data-kinds][hidden] select, " +
                            "[data-kinds][hidden] textarea").forEach(function (el) {
        el.disabled = true;
      });
    });
    update(form);
  });
})();
