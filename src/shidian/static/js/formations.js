// Drag a member onto another community: submits that member's own move form (same endpoint).
(function () {
  "use strict";
  var dragged = null;
  // A refused move (422) still replaces the board: it carries the reason beside the school.
  document.addEventListener("htmx:beforeSwap", function (e) {
    var target = e.detail.target;
    if (e.detail.xhr.status === 422 && target && target.id === "formation-board") {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
  document.addEventListener("dragstart", function (e) {
    var li = e.target.closest && e.target.closest(".formation-member[draggable='true']");
    if (li) { dragged = li; e.dataTransfer.effectAllowed = "move"; }
  });
  document.addEventListener("dragover", function (e) {
    var g = dragged && e.target.closest && e.target.closest(".formation-group");
    if (g) { e.preventDefault(); g.classList.add("is-over"); }
  });
  document.addEventListener("dragleave", function (e) {
    var g = e.target.closest && e.target.closest(".formation-group");
    if (g) { g.classList.remove("is-over"); }
  });
  document.addEventListener("drop", function (e) {
    var g = dragged && e.target.closest && e.target.closest(".formation-group");
    if (!g) { return; }
    e.preventDefault();
    g.classList.remove("is-over");
    var form = dragged.querySelector("form.formation-move");
    dragged = null;
    if (!form) { return; }
    form.querySelector("select[name='to']").value = g.dataset.group;
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  });
})();
