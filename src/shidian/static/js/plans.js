// Plans: add and remove rows of the plan form's tables; the completion bar chart.
// No inline scripts (CSP): the chart data comes from the json_script element #plans-chart-data.
(function () {
  "use strict";

  function renumber(row, index) {
    row.querySelectorAll("input").forEach(function (input) {
      input.name = input.name.replace(/^(goals|tasks)-\d+-/, "$1-" + index + "-");
      if (input.type === "checkbox") input.checked = false;
      else input.value = "";
    });
  }

  function nextIndex(tbody) {
    var max = -1;
    tbody.querySelectorAll("input").forEach(function (input) {
      var m = /^(?:goals|tasks)-(\d+)-/.exec(input.name);
      if (m) max = Math.max(max, parseInt(m[1], 10));
    });
    return max + 1;
  }

  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-row]");
    if (add) {
      var table = document.getElementById(add.getAttribute("data-add-row"));
      var tbody = table && table.tBodies[0];
      if (!tbody || !tbody.rows.length) return;
      var row = tbody.rows[tbody.rows.length - 1].cloneNode(true);
      renumber(row, nextIndex(tbody));
      tbody.appendChild(row);
      var first = row.querySelector("input");
      if (first) first.focus();
      return;
    }
    var remove = event.target.closest("[data-remove-row]");
    if (remove) {
      var tr = remove.closest("tr");
      var body = tr && tr.parentNode;
      if (body && body.rows.length > 1) tr.remove();
      else if (tr) renumber(tr, nextIndex(body));
    }
  });

  function chart() {
    var dataEl = document.getElementById("plans-chart-data");
    var el = document.getElementById("plans-chart");
    if (!dataEl || !el || !window.echarts) return;
    var rows = JSON.parse(dataEl.textContent);
    el.style.height = Math.max(260, 60 + rows.length * 36) + "px";
    var narrow = el.clientWidth < 480;
    var pct = function (v) { return Math.round(v * 1000) / 10; };
    window.echarts.init(el).setOption({
      animation: false,
      grid: { left: narrow ? 90 : 160, right: 24, top: 36, bottom: 30 },
      legend: { top: 0 },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) { return v + "%"; } },
      xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", inverse: true, data: rows.map(function (r) { return r.name; }),
               axisLabel: { width: narrow ? 80 : 150, overflow: "truncate" } },
      series: [
        { name: el.getAttribute("data-rate"), type: "bar", data: rows.map(function (r) { return pct(r.rate); }) },
        { name: el.getAttribute("data-scheduled"), type: "bar", data: rows.map(function (r) { return pct(r.scheduled); }) }
      ]
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", chart);
  else chart();
})();
