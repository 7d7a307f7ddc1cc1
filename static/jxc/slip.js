// The 80 mm slip (counter/slip.html): opened with ?print=1 (the counter does after
// a sale when auto-print is on) it asks the browser to print at once.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    if (document.body.hasAttribute("data-print-now")) { window.print(); }
  });
})();
