// Small behaviours every page shares. No framework: Bootstrap and htmx do the rest.
(function () {
  "use strict";
  // The first field of the main form has focus, so a clerk can start typing.
  document.addEventListener("DOMContentLoaded", function () {
    if (document.querySelector("[autofocus]")) { return; }
    var field = document.querySelector(
      "main form:not(.no-autofocus) input:not([type=hidden]):not([disabled]), main form:not(.no-autofocus) select, main form:not(.no-autofocus) textarea"
    );
    if (field) { field.focus(); }
  });
  // A submitted form cannot be sent twice by a double click.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.submitted === "1") { event.preventDefault(); return; }
    form.dataset.submitted = "1";
    window.setTimeout(function () { form.dataset.submitted = ""; }, 5000);
  });
})();
