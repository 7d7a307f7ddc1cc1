// Scan to count (盘点扫码): a scanned barcode or typed SKU counts its line on the
// server at once (+1 per scan; "A001*5" or a quantity sets 5) and the sheet shows
// the new count. Without this script the same form posts and the page reloads.
(function () {
  "use strict";
  var form = document.querySelector("form[data-count-scan]");
  if (!form) { return; }
  var code = form.querySelector("input[name=code]");
  var quantity = form.querySelector("input[name=quantity]");
  var result = document.getElementById("scan-result");
  var sheet = document.getElementById("count-form");
  var busy = false;

  function say(text, ok) {
    result.textContent = text;
    result.classList.toggle("text-success", ok);
    result.classList.toggle("text-danger", !ok);
  }

  function show(answer) {
    var row = document.querySelector('#count-sheet tr[data-line="' + answer.line + '"]');
    if (row) {
      var input = row.querySelector("input");
      if (input) { input.value = answer.counted; }
      var when = row.querySelector("[data-counted-at]");
      if (when) { when.textContent = answer.counted_at || ""; }
      var previous = document.querySelector("#count-sheet tr.table-success");
      if (previous) { previous.classList.remove("table-success"); }
      row.classList.add("table-success");
      row.scrollIntoView({ block: "nearest" });
    }
    // The sheet's own save must not look stale after a scan saved a count.
    var version = sheet && sheet.querySelector("input[name=version]");
    if (version) { version.value = answer.version; }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    event.stopImmediatePropagation();
    if (busy || !code.value.trim()) { code.focus(); return; }
    busy = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json().catch(function () {
        return { ok: false, message: form.dataset.failed || response.statusText };
      });
    }).then(function (answer) {
      if (answer.ok) {
        show(answer);
        code.value = "";
        quantity.value = "";
      } else {
        code.select();
      }
      say(answer.message, answer.ok);
    }).catch(function () {
      say(form.dataset.failed, false);
    }).finally(function () {
      busy = false;
      code.focus();
    });
  }, true);
})();
