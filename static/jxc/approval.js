// The owner's approval of prices (授权): the server renders the dialog open as a
// part of the form, so it works without scripts; here it becomes a modal dialog
// (focus stays inside, Escape closes it). Its fields belong to the document's
// form, so "Approve and save" posts the whole document with the approval.
(function () {
  "use strict";
  var dialog = document.getElementById("price-approval");
  if (!dialog || typeof dialog.showModal !== "function") { return; }
  Array.prototype.forEach.call(dialog.querySelectorAll("[data-close-dialog]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { dialog.close(); });
  });
  if (dialog.hasAttribute("data-show-modal")) {
    dialog.removeAttribute("open");
    dialog.showModal();
  }
  // Closed without approving: post the document without a half-typed approval.
  dialog.addEventListener("close", function () {
    Array.prototype.forEach.call(dialog.querySelectorAll("input"), function (input) {
      input.value = "";
    });
  });
})();
