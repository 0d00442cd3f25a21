// Intake and preview pages: small enhancements on top of schema-form.js (the pages work without).
(function () {
  "use strict";
  function start() {
    var form = document.querySelector("form[data-schema-form]");
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    if (!form) return;
    // A server message and the same client message (ID check) would show twice: keep one.
    form.querySelectorAll("[data-field]").forEach(function (wrapper) {
      var client = wrapper.querySelector("[data-client-error]");
      if (!client || client.hidden) return;
      wrapper.querySelectorAll(".server-error").forEach(function (el) {
        if (el.textContent.trim() === client.textContent.trim()) el.hidden = true;
      });
    });
    // Once the clerk edits a field, the server's old message for it no longer applies.
    form.addEventListener("input", function (event) {
      var wrapper = event.target.closest("[data-field]");
      if (!wrapper) return;
      wrapper.classList.remove("has-error");
      wrapper.querySelectorAll(":scope > .server-error").forEach(function (el) { el.hidden = true; });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
