// Document lines: add a row without reloading, Enter moves through the fields (a
// scanner's Enter never posts half a document), and products are suggested as a
// clerk types.
(function () {
  "use strict";
  var script = document.currentScript;
  var optionsUrl = script && script.dataset.optionsUrl;
  var enterToQuantity = Boolean(script && script.dataset.enter === "quantity");
  var form = document.getElementById("document-form");
  if (!form) { return; }
  var body = form.querySelector("#lines tbody");
  var template = document.getElementById("empty-line");
  var total = form.querySelector("input[name$='-TOTAL_FORMS']");

  function addLine() {
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    body.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var row = body.lastElementChild;
    var first = row.querySelector("input, select");
    if (first) { first.focus(); }
    return row;
  }
  document.getElementById("add-line").addEventListener("click", addLine);

  // Removing a line empties it and takes it off the page; an empty line is ignored.
  body.addEventListener("click", function (event) {
    var button = event.target.closest(".remove-line");
    if (!button) { return; }
    var row = button.closest("tr");
    row.querySelectorAll("input:not([type=hidden])").forEach(function (field) { field.value = ""; });
    row.hidden = true;
    form.dispatchEvent(new Event("input"));
  });

  // A scan (code + Enter): the same product again adds 1 to its line; a new one
  // gets quantity 1, and the cursor waits on the next line for the next scan.
  function scanned(row, field) {
    var code = field.value.trim().toLowerCase();
    var rows = Array.prototype.slice.call(body.querySelectorAll("tr"));
    var earlier = rows.filter(function (other) {
      var input = other.querySelector(".product-code");
      return other !== row && !other.hidden && input && input.value.trim().toLowerCase() === code;
    })[0];
    if (earlier) {
      var existing = earlier.querySelector("input[name$='-quantity']");
      existing.value = String((parseFloat(existing.value) || 0) + 1);
      field.value = "";
      form.dispatchEvent(new Event("input"));
      return;
    }
    var quantity = row.querySelector("input[name$='-quantity']");
    if (quantity && !quantity.value) { quantity.value = "1"; }
    form.dispatchEvent(new Event("input"));
    var following = row.nextElementSibling;
    var next = following && following.querySelector(".product-code");
    if (next) { next.focus(); } else { addLine(); }
  }

  form.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key !== "Enter" || !target.closest("#lines tbody")) { return; }
    event.preventDefault();
    var row = target.closest("tr");
    if (target.classList.contains("product-code") && target.value.trim()) {
      // Purchase lines: the quantity comes next (cartons, dozens are typed, not
      // scanned one by one); sales lines treat the Enter as a scan.
      var quantity = row.querySelector("input[name$='-quantity']");
      if (enterToQuantity && quantity) {
        quantity.focus();
        quantity.select();
        return;
      }
      scanned(row, target);
      return;
    }
    var fields = Array.prototype.slice.call(row.querySelectorAll("input:not([type=hidden]), select"));
    var next = fields[fields.indexOf(target) + 1];
    if (next) { next.focus(); if (next.select) { next.select(); } return; }
    var following = row.nextElementSibling;
    var first = following && following.querySelector("input, select");
    if (first) { first.focus(); } else { addLine(); }
  });

  // The unit select of a line follows its product: the base unit and the
  // product's package units; a package's barcode (a 箱 scanned) selects it.
  var unitsUrl = script && script.dataset.unitsUrl;
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (!unitsUrl || !target.classList.contains("product-code")) { return; }
    var select = target.closest("tr").querySelector("select.line-unit");
    if (!select) { return; }
    var was = select.value;
    fetch(unitsUrl + "?code=" + encodeURIComponent(target.value.trim()), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (html) {
        if (!html) { return; }
        var picked = /\sselected/.test(html);
        select.innerHTML = html;
        if (!picked && was && select.querySelector("option[value='" + was + "']")) {
          select.value = was;
        }
        form.dispatchEvent(new Event("input"));
      });
  });

  // Another unit chosen: a price the page filled in is asked for again, per
  // that unit; a price the clerk typed stays.
  form.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.classList.contains("line-unit")) { return; }
    var row = select.closest("tr");
    var price = row.querySelector("input.line-price");
    if (price && price.dataset.auto) { price.value = ""; }
    var code = row.querySelector(".product-code");
    if (code && code.value.trim()) { code.dispatchEvent(new Event("change", { bubbles: true })); }
  });
  form.addEventListener("input", function (event) {
    if (event.target.classList.contains("line-price")) { delete event.target.dataset.auto; }
  });

  var list = document.getElementById("product-options");
  var timer = null;
  form.addEventListener("input", function (event) {
    if (!optionsUrl || !event.target.classList.contains("product-code")) { return; }
    var text = event.target.value.trim();
    window.clearTimeout(timer);
    if (text.length < 1) { return; }
    timer = window.setTimeout(function () {
      fetch(optionsUrl + "?q=" + encodeURIComponent(text), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) { list.innerHTML = html; });
    }, 150);
  });
})();

// Purchase and sales lines: the price defaults to the last one paid to the
// supplier; the document total (and at the counter the change due) follows every
// change. The server computes them, exactly as it will when the document is
// posted: this page does no money arithmetic of its own.
(function () {
  "use strict";
  var script = document.querySelector("script[data-price-url]");
  var linesScript = document.querySelector("script[data-amounts-url]");
  var form = document.getElementById("document-form");
  if (!form) { return; }
  var totalCell = document.getElementById("document-total");
  var changeCell = document.getElementById("change-due");
  var amountsUrl = linesScript && linesScript.dataset.amountsUrl;
  var asked = 0;
  var timer = null;

  function ask() {
    var query = new URLSearchParams();
    form.querySelectorAll("#lines tbody tr").forEach(function (row) {
      var quantity = row.querySelector("input[name$='-quantity']");
      var price = row.querySelector("input.line-price");
      var discount = row.querySelector("input.line-discount");
      if (row.hidden || !quantity || !price || !quantity.value || !price.value) { return; }
      query.append("quantity", quantity.value);
      query.append("price", price.value);
      query.append("discount", discount ? discount.value : "");
    });
    var received = document.getElementById("amount-received");
    if (received && received.value) { query.append("received", received.value); }
    var number = ++asked;
    fetch(amountsUrl + "?" + query.toString(), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || number !== asked) { return; }  // a later answer is coming
        totalCell.textContent = data.total;
        if (changeCell) {
          changeCell.textContent = data.change;
          changeCell.classList.toggle("shortage", data.short);
        }
      });
  }

  function updateTotal() {
    if (!totalCell || !amountsUrl) { return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 120);
  }
  form.addEventListener("input", updateTotal);
  updateTotal();

  if (!script) { return; }
  var priceUrl = script.dataset.priceUrl;

  // A price outside the owner's band (from the last price paid) is flagged as it
  // is typed; the server refuses to place the order until the owner approves it.
  function checkBand(price) {
    var low = parseFloat(price.dataset.bandLow);
    var high = parseFloat(price.dataset.bandHigh);
    var value = parseFloat(price.value);
    var out = price.value !== "" && !isNaN(value) && !isNaN(low) && !isNaN(high) &&
      (value < low || value > high);
    var note = price.parentNode.querySelector(".price-band-note");
    price.classList.toggle("border-danger", out);
    if (out && !note) {
      note = document.createElement("div");
      note.className = "price-band-note small text-danger";
      note.setAttribute("role", "status");
      price.parentNode.appendChild(note);
    }
    if (note) {
      note.textContent = out ? (script.dataset.bandLabel || "")
        .replace("{low}", price.dataset.bandLow)
        .replace("{high}", price.dataset.bandHigh) : "";
    }
  }
  form.addEventListener("input", function (event) {
    if (event.target.classList.contains("line-price")) { checkBand(event.target); }
  });

  form.addEventListener("change", function (event) {
    var target = event.target;
    if (!target.classList.contains("product-code") || !target.value.trim()) { return; }
    var supplier = form.querySelector("input[name='supplier']");
    var price = target.closest("tr").querySelector("input.line-price");
    if (!supplier || !supplier.value || !price) { return; }
    var unit = target.closest("tr").querySelector("select.line-unit");
    var url = priceUrl + "?supplier_code=" + encodeURIComponent(supplier.value.trim()) +
      "&product=" + encodeURIComponent(target.value.trim()) +
      "&unit=" + encodeURIComponent(unit ? unit.value : "");
    fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (data.low && data.high) {
          price.dataset.bandLow = data.low;
          price.dataset.bandHigh = data.high;
        } else {
          delete price.dataset.bandLow;
          delete price.dataset.bandHigh;
        }
        // Never overwrite what the clerk is typing or has typed.
        if (data.price && !price.value && document.activeElement !== price) {
          price.value = data.price;
          price.dataset.auto = "1";
          updateTotal();
        }
        checkBand(price);
      });
  });
  // Lines filled in before the page opened (a new order prefilled from the
  // shortage panel) get their prices as typed ones do.
  form.querySelectorAll("#lines tbody .product-code").forEach(function (code) {
    if (code.value.trim()) { code.dispatchEvent(new Event("change", { bubbles: true })); }
  });
})();

// Sales lines: each line shows what is available (on hand − reserved) and warns
// when more is asked; the price defaults to the sale price.
(function () {
  "use strict";
  var script = document.querySelector("script[data-availability-url]");
  var form = document.getElementById("document-form");
  if (!form || !script) { return; }
  var url = script.dataset.availabilityUrl;
  var label = script.dataset.availableLabel;

  function check(row) {
    var code = row.querySelector(".product-code");
    var quantity = row.querySelector("input[name$='-quantity']");
    var warehouse = form.querySelector("select[name='warehouse']");
    if (!code || !code.value.trim() || !warehouse) { return; }
    var note = row.querySelector(".availability");
    if (!note) {
      note = document.createElement("div");
      note.className = "availability small";
      note.setAttribute("aria-live", "polite");
      code.parentNode.appendChild(note);
    }
    var unit = row.querySelector("select.line-unit");
    fetch(url + "?warehouse=" + encodeURIComponent(warehouse.value) +
          "&product=" + encodeURIComponent(code.value.trim()) +
          "&unit=" + encodeURIComponent(unit ? unit.value : ""), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (data.available === null) { note.textContent = ""; return; }
        // Available is in the base unit; a line in 箱 wants factor × as many.
        var wanted = (parseFloat(quantity && quantity.value) || 0) * (parseFloat(data.factor) || 1);
        var short = wanted > parseFloat(data.available);
        note.textContent = label + " " + data.available + " " + data.unit;
        note.classList.toggle("shortage", short);
        note.classList.toggle("fw-bold", short);
        var price = row.querySelector("input.line-price");
        if (price && !price.value && document.activeElement !== price) {
          price.value = data.price;
          price.dataset.auto = "1";
          form.dispatchEvent(new Event("input"));
        }
      });
  }

  form.addEventListener("change", function (event) {
    var row = event.target.closest("#lines tbody tr");
    if (row) { check(row); }
  });
  form.addEventListener("input", function (event) {
    if (event.target.name && /-quantity$/.test(event.target.name)) {
      check(event.target.closest("tr"));
    }
  });
})();
