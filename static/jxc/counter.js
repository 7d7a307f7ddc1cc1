// The counter (收银台): the cursor lives in the scan box; keys drive the sale.
// The server keeps the sale and computes every amount; this file only moves the
// focus, sends keys as requests (htmx), shows what the typed money comes to, and
// prints the slip of a finished sale.
(function () {
  "use strict";
  var root = document.getElementById("counter");
  if (!root) { return; }
  var scanBox = document.getElementById("scan-box");
  var scanForm = document.getElementById("scan-form");
  var words = document.getElementById("counter-words").dataset;
  var cashTyped = false;
  // htmx copies "style" between old and new elements of the same id while it
  // settles; an empty style attribute is an inline style the CSP refuses.
  htmx.config.attributesToSettle = ["class", "width", "height"];
  // No settle pause: the cursor is back in the scan box as soon as a line lands.
  htmx.config.defaultSettleDelay = 0;

  function main() { return document.getElementById("counter-main"); }
  function payForm() { return document.getElementById("pay-form"); }
  function field(name) { var form = payForm(); return form && form.elements[name]; }

  function fen(text) {
    var value = parseFloat(String(text || "").replace(/[,，\s]/g, ""));
    return isFinite(value) ? Math.round(value * 100) : 0;
  }
  function yuan(cents) {
    var sign = cents < 0 ? "-" : "";
    var text = (Math.abs(cents) / 100).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return sign + "¥" + text;
  }
  function total() { return fen(main().dataset.total); }
  function others() {
    var sum = 0;
    ["wechat", "alipay", "card", "account"].forEach(function (name) {
      var input = field(name);
      if (input) { sum += fen(input.value); }
    });
    return sum;
  }

  // What is still due, or the change: cash pays what the other methods leave.
  function showDue() {
    var cash = field("cash");
    if (!cash) { return; }
    var rest = total() - others();
    if (!cashTyped) { cash.value = rest > 0 ? (rest / 100).toFixed(2) : ""; }
    var received = fen(cash.value);
    var label = document.getElementById("due-label");
    var amount = document.getElementById("due-amount");
    var due = document.getElementById("pay-due");
    if (received < rest) {
      label.textContent = words.missing;
      amount.textContent = yuan(rest - received);
      due.classList.add("text-danger");
      due.classList.remove("text-success");
    } else {
      label.textContent = words.change;
      amount.textContent = yuan(rest > 0 ? received - rest : 0);
      due.classList.remove("text-danger");
      due.classList.add("text-success");
    }
  }

  function openPay() {
    var cash = field("cash");
    if (!cash) { return; }
    showDue();
    cash.focus();
    cash.select();
  }

  function backToScan() {
    scanBox.focus();
  }

  function post(url, values) {
    return htmx.ajax("POST", url, { target: "#counter-main", swap: "outerHTML", values: values });
  }

  // The box's own keys: Enter on an empty box pays; + − Delete change the last
  // line; arrows go into the search matches.
  scanBox.addEventListener("keydown", function (event) {
    var empty = scanBox.value.trim() === "";
    if (event.key === "Enter" && empty) {
      event.preventDefault();
      openPay();
    } else if (empty && (event.key === "+" || event.key === "-")) {
      event.preventDefault();
      post(root.dataset.lineUrl, { step: event.key === "+" ? "1" : "-1" });
    } else if (empty && event.key === "Delete") {
      event.preventDefault();
      post(root.dataset.removeUrl, {});
    } else if (event.key === "ArrowDown") {
      var first = document.querySelector("#matches .match");
      if (first) { event.preventDefault(); first.focus(); }
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "F9") {
      event.preventDefault();
      var form = payForm();
      if (form && form.contains(document.activeElement)) {
        form.requestSubmit();
      } else {
        openPay();
      }
    } else if (event.key === "Escape" && !document.querySelector("dialog[open]")) {
      backToScan();
    } else if (event.target.classList && event.target.classList.contains("match")) {
      var matches = Array.prototype.slice.call(document.querySelectorAll("#matches .match"));
      var at = matches.indexOf(event.target);
      if (event.key === "ArrowDown" && at < matches.length - 1) {
        event.preventDefault(); matches[at + 1].focus();
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (at > 0) { matches[at - 1].focus(); } else { backToScan(); }
      }
    } else if (event.key === "Enter" && event.target.classList && event.target.classList.contains("line-input")) {
      // A quantity or price typed: send it (change) and go back to scanning.
      event.preventDefault();
      event.target.blur();
      backToScan();
    }
  });

  document.addEventListener("input", function (event) {
    if (!event.target.classList.contains("pay-amount")) { return; }
    if (event.target.name === "cash") { cashTyped = event.target.value !== ""; }
    showDue();
  });

  document.addEventListener("click", function (event) {
    var quick = event.target.closest("[data-quick]");
    if (quick) {
      var cash = field("cash");
      var rest = total() - others();
      var value = quick.dataset.quick === "exact" ? rest : parseInt(quick.dataset.quick, 10) * 100;
      cash.value = (Math.max(value, 0) / 100).toFixed(2);
      cashTyped = true;
      showDue();
      cash.focus();
      return;
    }
    if (event.target.closest("#bar-pay")) {
      document.getElementById("pay-panel").scrollIntoView({ block: "end" });
      openPay();
      return;
    }
    if (event.target.closest("#held-close")) {
      document.getElementById("held-panel").innerHTML = "";
      backToScan();
    }
  });

  // The slip of a sale just posted: loaded in a hidden frame and printed from
  // there (the owner can turn this off in the counter settings).
  function printSlip(url) {
    var old = document.getElementById("slip-frame");
    if (old) { old.remove(); }
    var frame = document.createElement("iframe");
    frame.id = "slip-frame";
    frame.className = "slip-frame";
    frame.title = "slip";
    frame.addEventListener("load", function () {
      try { frame.contentWindow.focus(); frame.contentWindow.print(); } catch (e) { /* printing is the browser's */ }
      // The print dialog is closed: the next customer's first scan.
      backToScan();
    });
    frame.src = url;
    document.body.appendChild(frame);
  }

  function afterSwap() {
    var current = main();
    cashTyped = false;
    document.getElementById("held-panel").innerHTML = "";
    if (current.dataset.slipUrl) { printSlip(current.dataset.slipUrl); }
    if (current.hasAttribute("data-paying")) {
      cashTyped = field("cash") && field("cash").value !== "";
      showDue();
      var approval = document.getElementById("price-approval");
      if (!(approval && approval.open)) { openPay(); }
      return;
    }
    showDue();
    var editing = document.activeElement;
    if (editing && editing !== document.body && current.contains(editing)) { return; }
    // A search (or a code refused) gets its text back, to be refined.
    if (current.dataset.keep !== undefined && scanBox.value === "") {
      scanBox.value = current.dataset.keep;
    }
    var match = document.querySelector("#matches .match");
    if (match) { match.focus(); return; }
    backToScan();
  }

  document.body.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.target && event.detail.target.id === "counter-main") { afterSwap(); }
    if (event.detail.target && event.detail.target.id === "held-panel") {
      var first = document.querySelector("#held-list .held-sale");
      if (first) { first.focus(); }
    }
  });
  // The code is on its way: the box is empty for the next one at once (a scanner
  // types the next code without waiting for the answer).
  scanForm.addEventListener("htmx:beforeRequest", function () {
    scanBox.value = "";
  });
  // A product picked from the matches: the search text is done with.
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (event.target.closest && event.target.closest("#matches")) { scanBox.value = ""; }
  });

  // Camera scanning where the browser has a barcode detector (phones, tablets).
  var camera = document.getElementById("camera-button");
  if ("BarcodeDetector" in window && navigator.mediaDevices) {
    camera.hidden = false;
    var dialog = document.getElementById("camera-dialog");
    var video = document.getElementById("camera-video");
    var stream = null;
    var timer = null;
    var stop = function () {
      window.clearInterval(timer);
      if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
      stream = null;
      if (dialog.open) { dialog.close(); }
    };
    document.getElementById("camera-close").addEventListener("click", stop);
    dialog.addEventListener("close", stop);
    camera.addEventListener("click", function () {
      var detector = new window.BarcodeDetector();
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (media) {
        stream = media;
        video.srcObject = media;
        video.play();
        dialog.showModal();
        timer = window.setInterval(function () {
          detector.detect(video).then(function (codes) {
            if (!codes.length) { return; }
            scanBox.value = codes[0].rawValue;
            stop();
            scanForm.requestSubmit();
          }).catch(function () { /* the next frame may read */ });
        }, 250);
      }).catch(function () {
        document.getElementById("camera-status").textContent = "";
        stop();
        backToScan();
      });
    });
  }

  showDue();
})();
