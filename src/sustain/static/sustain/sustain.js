/* Sustain: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";
  function focusErrorSummary() {
    var summary = document.querySelector("[data-focus-on-load]");
    if (summary) { summary.focus(); }
  }
  document.addEventListener("DOMContentLoaded", focusErrorSummary);
})();
