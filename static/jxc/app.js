// Small behaviours every page shares. No framework: Bootstrap and htmx do the rest.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // After a refused submit, the first field with a problem has focus.
    var invalid = document.querySelector("main .is-invalid");
    if (invalid) { invalid.focus(); return; }
    // Otherwise the first field of the main form, so a clerk can start typing.
    if (document.querySelector("[autofocus]")) { return; }
    var field = document.querySelector(
      "main form:not(.no-autofocus) input:not([type=hidden]):not([disabled]), " +
      "main form:not(.no-autofocus) select, main form:not(.no-autofocus) textarea"
    );
    if (field) { field.focus(); }
  });

  // A barcode scanner types the code and presses Enter: in a data-entry form that
  // moves to the next field instead of submitting a half-filled form.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key !== "Enter" || !target.form || !target.form.hasAttribute("data-enter-moves")) {
      return;
    }
    if (target.tagName === "TEXTAREA" || target.type === "submit" || target.type === "button") {
      return;
    }
    event.preventDefault();
    var fields = Array.prototype.slice.call(target.form.querySelectorAll(
      "input:not([type=hidden]):not([disabled]), select, textarea, button[type=submit]"
    ));
    var next = fields[fields.indexOf(target) + 1];
    if (next) { next.focus(); }
  });

  // A "print" button (data-print): the browser's print dialog for this page.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) { event.preventDefault(); window.print(); }
  });

  // A submitted form cannot be sent twice by a double click.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.submitted === "1") { event.preventDefault(); return; }
    form.dataset.submitted = "1";
    window.setTimeout(function () { form.dataset.submitted = ""; }, 5000);
  });

  // "Select all" / "select none" over a table's checkboxes (the reorder list):
  // <button data-check-all="table id" data-check="1|0">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-check-all]");
    if (!button) { return; }
    var table = document.getElementById(button.dataset.checkAll);
    if (!table) { return; }
    var on = button.dataset.check === "1";
    table.querySelectorAll("input[type=checkbox]").forEach(function (box) { box.checked = on; });
  });

  // Customer and supplier pickers: a text field whose datalist is filled with the
  // matches for what is typed (the server resolves the text on submit anyway).
  var timers = {};
  document.addEventListener("input", function (event) {
    var field = event.target;
    var url = field.dataset && field.dataset.optionsUrl;
    var list = url && document.getElementById(field.getAttribute("list"));
    if (!list) { return; }
    var text = field.value.trim();
    window.clearTimeout(timers[field.name]);
    if (!text) { return; }
    timers[field.name] = window.setTimeout(function () {
      fetch(url + "?q=" + encodeURIComponent(text), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) { list.innerHTML = html; });
    }, 150);
  });

  // Sticky table headers (app.css): a table that fits its width needs no
  // scrolling wrapper, and without one its header row sticks to the top of the
  // window. A table too wide keeps its wrapper and scrolls sideways.
  function markFittingTables() {
    document.querySelectorAll(".table-responsive").forEach(function (wrapper) {
      wrapper.classList.remove("fits");
      if (wrapper.scrollWidth <= wrapper.clientWidth + 1) { wrapper.classList.add("fits"); }
    });
  }
  document.addEventListener("DOMContentLoaded", markFittingTables);
  document.addEventListener("htmx:afterSettle", markFittingTables);
  var resizeTimer;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(markFittingTables, 150);
  });
})();
