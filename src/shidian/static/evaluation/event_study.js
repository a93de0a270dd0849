// Evaluation page: the event-study chart (effects by period relative to entry, 95% intervals,
// pre-periods shaded). No inline scripts (CSP): data come from the json_script element
// #event-study-data, labels from the chart element's data-* attributes.
(function () {
  "use strict";

  function errorBars(offset, color) {
    return function (params, api) {
      var x = api.value(0) + offset;
      var lo = api.coord([x, api.value(1)]);
      var hi = api.coord([x, api.value(2)]);
      var w = 5;
      var style = { stroke: color, lineWidth: 1.5 };
      return {
        type: "group",
        children: [
          { type: "line", shape: { x1: lo[0], y1: lo[1], x2: hi[0], y2: hi[1] }, style: style },
          { type: "line", shape: { x1: lo[0] - w, y1: lo[1], x2: lo[0] + w, y2: lo[1] }, style: style },
          { type: "line", shape: { x1: hi[0] - w, y1: hi[1], x2: hi[0] + w, y2: hi[1] }, style: style }
        ]
      };
    };
  }

  function series(name, rows, offset, color) {
    var points = rows.map(function (r) { return [r[0] + offset, r[1]]; });
    var bars = rows.filter(function (r) { return r[2] !== null && r[3] !== null; })
      .map(function (r) { return [r[0], r[2], r[3]]; });
    return [
      { name: name, type: "line", data: points, symbolSize: 8, itemStyle: { color: color },
        lineStyle: { color: color, width: 1.5 }, z: 3 },
      { name: name, type: "custom", data: bars, renderItem: errorBars(offset, color),
        encode: { x: 0, y: [1, 2] }, z: 2, tooltip: { show: false } }
    ];
  }

  function draw() {
    var dataEl = document.getElementById("event-study-data");
    var el = document.getElementById("event-study-chart");
    if (!dataEl || !el || !window.echarts) return;
    var data = JSON.parse(dataEl.textContent);
    if (!data) return;
    var rels = data.rel;
    var minX = Math.min.apply(null, rels) - 0.5;
    var maxX = Math.max.apply(null, rels) + 0.5;
    var all = series(el.dataset.twfe, data.twfe, -0.08, "#1f6feb")
      .concat(series(el.dataset.cs, data.cs, 0.08, "#bc4c00"));
    all[0].markLine = { silent: true, symbol: "none", label: { show: false },
      lineStyle: { color: "#5b6470", type: "dashed" },
      data: [{ yAxis: 0 }, { xAxis: -0.5 }] };
    all[0].markArea = { silent: true, itemStyle: { color: "rgba(91,100,112,0.08)" },
      data: [[{ xAxis: minX, name: el.dataset.pre }, { xAxis: -0.5 }]] };
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      legend: { top: 0, data: [el.dataset.twfe, el.dataset.cs] },
      grid: { left: 56, right: 16, top: 40, bottom: 48 },
      tooltip: { trigger: "item", valueFormatter: function (v) { return Array.isArray(v) ? v : Number(v).toPrecision(4); } },
      xAxis: { type: "value", min: minX, max: maxX, interval: 1, name: el.dataset.x,
                nameLocation: "middle", nameGap: 28,
                axisLabel: { formatter: function (v) { return Number.isInteger(v) ? String(v) : ""; } } },
      yAxis: { type: "value", name: el.dataset.y, scale: true },
      series: all
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
