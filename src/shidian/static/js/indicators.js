// Indicator pages: one ECharts bar chart per page from the json_script data (no inline
// scripts: CSP). Bars per row; one series per column, or the row totals without columns.
(function () {
  "use strict";
  var dataEl = document.getElementById("indicator-chart-data");
  var el = document.querySelector("[data-chart]");
  if (!dataEl || !el || !window.echarts) { return; }
  var data = JSON.parse(dataEl.textContent);
  if (!data.labels || !data.labels.length) { el.hidden = true; return; }
  var chart = window.echarts.init(el);
  var chars = data.labels.join("").length;
  var tilt = data.labels.length > 5 || chars * 13 > el.clientWidth * 0.8;
  var suffix = data.percent ? "%" : "";
  chart.setOption({
    textStyle: { fontFamily: window.getComputedStyle(document.body).fontFamily },
    tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "—" : v + suffix; } },
    legend: { type: "scroll", data: data.series.map(function (s) { return s.name; }) },
    grid: { left: 40, right: 10, bottom: 60, containLabel: true },
    xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: tilt ? 30 : 0 } },
    yAxis: { type: "value", axisLabel: { formatter: "{value}" + suffix } },
    series: data.series.map(function (s) { return { name: s.name, type: "bar", data: s.data }; })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
