// Periodic reports: the fill page's "not applicable" boxes and autosave messages, and the
// office's chart of completeness and timeliness per period. No inline scripts (CSP): the
// chart's data comes from the json_script element #comp-chart-data.
(function () {
  "use strict";
  // A refused autosave (400: bad value, 409: someone else changed the field) still shows its
  // message in place of the field's status.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var target = event.detail.target;
    if ((status === 400 || status === 409) && target && target.classList.contains("autosave")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // Ticking "not applicable" empties and disables the value: zero and n/a never mix.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("input[data-na-for]")) return;
    var input = document.getElementById(box.getAttribute("data-na-for"));
    if (!input) return;
    input.disabled = box.checked;
    if (box.checked) input.value = "";
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var el = event.detail.elt;
    var code = el && el.getAttribute("hx-vals") && el.closest(".report-field");
    if (!code) return;
    var status = code.querySelector(".autosave");
    if (status) { status.textContent = "…"; status.className = "autosave is-saving"; }
  });

  function drawChart() {
    var dataEl = document.getElementById("comp-chart-data");
    var el = document.getElementById("comp-chart");
    if (!dataEl || !el || !window.echarts) return;
    var data = JSON.parse(dataEl.textContent);
    if (!data.labels.length) { el.hidden = true; return; }
    var chart = window.echarts.init(el);
    var narrow = el.clientWidth < 480;
    chart.setOption({
      animation: false,
      grid: { left: 40, right: 16, top: 36, bottom: narrow ? 70 : 50 },
      legend: { top: 0, data: [data.names.completeness, data.names.timeliness] },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null ? "—" : v + "%"; } },
      xAxis: { type: "category", data: data.labels, axisLabel: { rotate: narrow ? 60 : 30 } },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      dataZoom: data.labels.length > 16 ? [{ type: "inside" }, { type: "slider", height: 14, bottom: 4 }] : [],
      series: [
        { name: data.names.completeness, type: "bar", data: data.completeness, itemStyle: { color: "#5b8ff9" } },
        { name: data.names.timeliness, type: "line", data: data.timeliness, connectNulls: false,
          itemStyle: { color: "#1a7f37" } }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawChart);
  } else {
    drawChart();
  }
})();
