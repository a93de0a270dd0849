// Report field form: show the choices box only for choice fields and min/max only for
// number and percent fields. Without JavaScript every box stays visible and the server
// ignores what does not apply.
(function () {
  "use strict";
  function sync(form) {
    var type = form.querySelector("#id_type");
    if (!type) return;
    var show = {
      id_choices: type.value === "choice",
      id_minimum: type.value === "number" || type.value === "percent",
      id_maximum: type.value === "number" || type.value === "percent",
    };
    Object.keys(show).forEach(function (id) {
      var input = form.querySelector("#" + id);
      var box = input && input.closest(".field");
      if (box) box.style.display = show[id] ? "" : "none";
    });
  }
  function init() {
    document.querySelectorAll("form#field-form").forEach(function (form) {
      sync(form);
      form.addEventListener("change", function (event) {
        if (event.target && event.target.id === "id_type") sync(form);
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
