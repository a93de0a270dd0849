// Supervision pages: confirm before publishing a league table (publishing is final).
(function () {
  "use strict";
  var button = document.getElementById("publish");
  if (!button) return;
  button.addEventListener("click", function (event) {
    var text = button.getAttribute("data-confirm");
    if (text && !window.confirm(text)) event.preventDefault();
  });
})();
