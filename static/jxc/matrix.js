// Matrix entry (templates/documents/matrix_entry.html): a style code or name (in
// the style box, or typed on a line) opens the style's grid from the server;
// 添加 sends the cells to the server, which checks them and answers the lines to
// add (one per filled cell, merged with a line of the same product as a scan is)
// or the grid with its messages. On a count sheet the server adds the counts and
// the sheet shows them.
(function () {
  "use strict";
  var box = document.getElementById("matrix-entry");
  if (!box) { return; }
  var url = box.dataset.url;
  var stocktake = box.dataset.stocktake;
  var grid = document.getElementById("matrix-grid");
  var styleInput = document.getElementById("matrix-style");
  var form = document.getElementById("document-form");

  function csrf() {
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    return token ? token.value : "";
  }

  function warehouse() {
    var select = form && form.querySelector("select[name='warehouse']:not([form]), input[name='warehouse']:not([form])");
    return select ? select.value : "";
  }

  function failed() {
    grid.textContent = "";
    var note = document.createElement("div");
    note.className = "alert alert-danger py-2 mb-0";
    note.setAttribute("role", "alert");
    note.textContent = box.dataset.failed;
    grid.appendChild(note);
  }

  function show(html) {
    grid.innerHTML = html;
    var first = grid.querySelector("input.is-invalid") || grid.querySelector("input[name^='cell_']");
    if (first) { first.focus(); }
    var lines = document.getElementById("matrix-lines");
    if (lines) { addLines(JSON.parse(lines.textContent)); }
    var counts = document.getElementById("matrix-counts");
    if (counts) { showCounts(JSON.parse(counts.textContent)); }
  }

  function open(text, fromLine) {
    var query = new URLSearchParams({ style: text, warehouse: warehouse() });
    if (fromLine) { query.set("line", "1"); }
    if (stocktake) { query.set("stocktake", stocktake); }
    return fetch(url + "?" + query.toString(), { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (response) {
        if (response.status === 204) { return null; }
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        if (html !== null) { show(html); }
        return html !== null;
      });
  }

  function add() {
    var matrix = grid.querySelector("[data-matrix]");
    var data = new FormData();
    grid.querySelectorAll("input[name]").forEach(function (input) {
      data.append(input.name, input.value);
    });
    fetch(matrix.dataset.postUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(), "HX-Request": "true" }
    })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(show)
      .catch(failed);
  }

  // Quantities are added in thousandths, as the server keeps them (no float
  // residue such as 0.30000000000000004 in a quantity field).
  function sum(a, b) {
    var total = Math.round((parseFloat(a) || 0) * 1000) + Math.round((parseFloat(b) || 0) * 1000);
    return String(total / 1000);
  }

  function addLines(lines) {
    var body = form.querySelector("#lines tbody");
    lines.forEach(function (line) {
      var rows = Array.prototype.slice.call(body.querySelectorAll("tr"));
      var live = rows.filter(function (row) { return !row.hidden && row.querySelector(".product-code"); });
      var same = live.filter(function (row) {
        return row.querySelector(".product-code").value.trim().toLowerCase() === line.code.toLowerCase();
      })[0];
      var quantity;
      if (same) {
        quantity = same.querySelector("input[name$='-quantity']");
        quantity.value = sum(quantity.value, line.quantity);
        return;
      }
      var row = live.filter(function (candidate) {
        return !candidate.querySelector(".product-code").value.trim();
      })[0];
      if (!row) {
        document.getElementById("add-line").click();
        row = body.lastElementChild;
      }
      var code = row.querySelector(".product-code");
      code.value = line.code;
      quantity = row.querySelector("input[name$='-quantity']");
      quantity.value = line.quantity;
      code.dispatchEvent(new Event("change", { bubbles: true }));
    });
    form.dispatchEvent(new Event("input"));
    styleInput.value = "";
    styleInput.focus();
  }

  // On a count sheet the server has added the counts: its lines show them, and
  // the sheet's version follows so saving the sheet is not refused as stale.
  function showCounts(counts) {
    var sheet = document.getElementById("count-form");
    if (!sheet) { return; }
    var version = sheet.querySelector("input[name=version]");
    if (version) { version.value = counts.version; }
    Object.keys(counts.lines).forEach(function (pk) {
      var input = sheet.querySelector("tr[data-line='" + pk + "'] input[name^='count_']");
      if (input) { input.value = counts.lines[pk]; }
    });
    styleInput.value = "";
    styleInput.focus();
  }

  document.getElementById("matrix-open").addEventListener("click", function () {
    if (styleInput.value.trim()) { open(styleInput.value.trim(), false).catch(failed); }
  });

  box.addEventListener("click", function (event) {
    if (event.target.closest(".matrix-add")) { add(); }
    if (event.target.closest(".matrix-close")) { grid.textContent = ""; styleInput.focus(); }
  });

  // Enter never posts the document from here: in the style box it opens the grid,
  // in a cell it moves to the next cell, and in the last it adds.
  box.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") { return; }
    event.preventDefault();
    if (event.target === styleInput) {
      if (styleInput.value.trim()) { open(styleInput.value.trim(), false).catch(failed); }
      return;
    }
    var cells = Array.prototype.slice.call(grid.querySelectorAll("input[name^='cell_']"));
    var index = cells.indexOf(event.target);
    if (index < 0) { return; }
    if (index + 1 < cells.length) { cells[index + 1].focus(); } else { add(); }
  });

  // A style code typed or scanned on a line opens its grid (a product's code
  // never does: the server answers nothing for it) and leaves the line empty.
  if (form) {
    form.addEventListener("change", function (event) {
      var code = event.target;
      if (!code.classList.contains("product-code") || !code.value.trim()) { return; }
      open(code.value.trim(), true).then(function (opened) {
        if (!opened) { return; }
        var row = code.closest("tr");
        row.querySelectorAll("input:not([type=hidden])").forEach(function (input) { input.value = ""; });
        form.dispatchEvent(new Event("input"));
      }).catch(function () {});
    });
  }
})();
