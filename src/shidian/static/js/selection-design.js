// The design check's chart: the minimum detectable effect against controls per pilot.
// No inline scripts (CSP): data and labels come from the json_script block "design-chart-data".
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var dataEl = document.getElementById("design-chart-data");
    var el = document.getElementById("design-chart");
    if (!dataEl || !el || !window.echarts) { return; }
    var data = JSON.parse(dataEl.textContent);
    if (!data.ratios) { return; }
    var L = data.labels;
    var round1 = function (v) { return Math.round(v * 10) / 10; };
    var pairs = function (ys) { return data.ratios.map(function (x, i) { return [x, ys[i]]; }); };
    var series = [
      { name: L.series, type: "line", data: pairs(data.mde), symbolSize: 8,
        label: { show: true, formatter: function (p) { return round1(p.value[1]); } },
        markLine: { silent: true, symbol: "none", lineStyle: { type: "dashed" },
          label: { position: "insideEndBottom", formatter: L.limit + " " + round1(data.limit) },
          data: [{ yAxis: data.limit }] } },
      { name: L.series_double, type: "line", data: pairs(data.mde_double), symbolSize: 6,
        lineStyle: { type: "dotted" } }
    ];
    if (data.current !== null && data.current !== undefined) {
      series.push({ name: L.current, type: "scatter", symbolSize: 16, z: 5,
        data: [[data.current, data.current_mde]] });
    }
    var chart = window.echarts.init(el);
    chart.setOption({
      animation: false,
      grid: { left: 56, right: 24, top: 48, bottom: 48, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: "item", formatter: function (p) {
        return p.seriesName + "<br>" + L.x + ": " + round1(p.value[0]) + "<br>" + L.y + ": " + round1(p.value[1]);
      } },
      xAxis: { type: "value", name: L.x, nameLocation: "middle", nameGap: 28, min: 0,
        max: Math.max(6, Math.ceil(data.current || 0) + 1), interval: 1 },
      yAxis: { type: "value", name: L.y, min: 0 },
      series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
