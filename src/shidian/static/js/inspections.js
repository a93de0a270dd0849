// The visit form shows only the fields of the chosen method (all fields stay in the page, so
// the form works without JavaScript; the service ignores the other methods' fields).
(function () {
  "use strict";
  var form = document.getElementById("visit-form");
  if (!form) return;
  var groups = {
    direct: ["units"],
    performance: ["month", "count"],
    random: ["size", "strata", "seed"],
  };
  function rowOf(name) {
    var field = form.querySelector("[name='" + name + "']");
    if (!field) return null;
    return field.closest(".field");
  }
  function update() {
    var checked = form.querySelector("input[name='method']:checked");
    var method = checked ? checked.value : "direct";
    Object.keys(groups).forEach(function (key) {
      groups[key].forEach(function (name) {
        var row = rowOf(name);
        if (row) row.classList.toggle("method-hidden", key !== method);
      });
    });
  }
  form.addEventListener("change", function (event) {
    if (event.target.name === "method") update();
  });
  update();
})();
