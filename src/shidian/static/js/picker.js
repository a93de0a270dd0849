// Unit picker: a code input that searches the viewer's subtree as you type (orgs/picker.py).
// Without this script the input simply takes a unit code. No inline scripts (CSP).
// Keyboard: type to search, Up/Down to move, Enter to choose, Escape to close.
(function () {
  "use strict";
  var DELAY = 200;
  var counter = 0;

  function setup(root) {
    if (root.hasAttribute("data-picker-ready")) { return; }
    root.setAttribute("data-picker-ready", "");
    var input = root.querySelector("input");
    var results = root.querySelector("[data-picker-results]");
    var chosen = root.querySelector("[data-picker-chosen]");
    if (!input || !results) { return; }
    counter += 1;
    var listId = (input.id || "picker") + "-options-" + counter;
    var timer = null;
    var active = -1;
    var lastQuery = null;
    var request = 0;

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    function options() { return results.querySelectorAll("[role=option]"); }

    function close() {
      results.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var list = options();
      if (!list.length) { return; }
      active = (index + list.length) % list.length;
      list.forEach(function (el, i) { el.setAttribute("aria-selected", i === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", list[active].id);
      list[active].scrollIntoView({ block: "nearest" });
    }

    function choose(option) {
      input.value = option.getAttribute("data-code");
      if (chosen) { chosen.textContent = option.getAttribute("data-label") + "（" + input.value + "）"; }
      lastQuery = input.value;
      close();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function search() {
      var q = input.value.trim();
      if (q === lastQuery) { return; }
      lastQuery = q;
      if (!q) { results.innerHTML = ""; close(); return; }
      var url = root.getAttribute("data-url") + "?q=" + encodeURIComponent(q) +
        "&levels=" + encodeURIComponent(root.getAttribute("data-levels") || "") +
        "&list=" + encodeURIComponent(listId);
      var mine = ++request;
      fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) {
          if (mine !== request) { return; }  // a newer search was sent meanwhile
          results.innerHTML = html;  // our own server-rendered, escaped fragment
          var has = results.children.length > 0;
          results.hidden = !has;
          input.setAttribute("aria-expanded", has && options().length ? "true" : "false");
          active = -1;
        })
        .catch(function () { /* offline: the plain code input still works */ });
    }

    input.addEventListener("input", function () {
      if (chosen) { chosen.textContent = ""; }
      clearTimeout(timer);
      timer = setTimeout(search, DELAY);
    });
    input.addEventListener("keydown", function (event) {
      var open = !results.hidden && options().length > 0;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!open) { lastQuery = null; search(); return; }
        highlight(active + 1);
      } else if (event.key === "ArrowUp") {
        if (open) { event.preventDefault(); highlight(active - 1); }
      } else if (event.key === "Enter") {
        if (open && active >= 0) { event.preventDefault(); choose(options()[active]); }
        else if (open && options().length === 1) { event.preventDefault(); choose(options()[0]); }
      } else if (event.key === "Escape") {
        if (open) { event.preventDefault(); close(); }
      }
    });
    // mousedown, not click: it fires before the input's blur closes the list.
    results.addEventListener("mousedown", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) { event.preventDefault(); choose(option); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  function init(scope) {
    (scope || document).querySelectorAll("[data-unit-picker]").forEach(setup);
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (event) { init(event.target); });
})();
