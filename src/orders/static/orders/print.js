// The invoice's Print button (no inline handlers: the site's CSP allows scripts from 'self' only).
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
