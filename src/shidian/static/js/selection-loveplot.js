// The love plot of the controls step: |SMD| before and after matching per covariate, with the
// 0.1 line. No inline scripts (CSP): the data comes from the json_script element #loveplot-data.
(function () {
  "use strict";
  function draw() {
    var dataEl = document.getElementById("loveplot-data");
    var el = document.getElementById("loveplot");
    if (!dataEl || !el || !window.echarts) return;
    var data = JSON.parse(dataEl.textContent);
    var n = data.labels.length;
    el.style.height = Math.max(240, 60 + n * 34) + "px";
    var chart = window.echarts.init(el);
    var narrow = el.clientWidth < 480;
    function points(values) {
      var out = [];
      values.forEach(function (v, i) { if (v !== null) out.push([v, data.labels[i]]); });
      return out;
    }
    var all = data.before.concat(data.after, [data.threshold * 2]).filter(function (v) {
      return v !== null;
    });
    var max = Math.max.apply(null, all);
    chart.setOption({
      animation: false,
      grid: { left: narrow ? 90 : 150, right: 24, top: 36, bottom: 40 },
      legend: { top: 0, data: [data.names.before, data.names.after] },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "value", name: data.names.axis, nameLocation: "middle", nameGap: 26,
               min: 0, max: Math.ceil(max * 10 + 0.5) / 10 },
      yAxis: { type: "category", data: data.labels, inverse: true,
               axisLabel: { width: narrow ? 84 : 140, overflow: "truncate" } },
      series: [
        { name: data.names.before, type: "scatter", symbol: "circle", symbolSize: 11,
          itemStyle: { color: "#c0504d" }, data: points(data.before),
          markLine: { silent: true, symbol: "none", lineStyle: { type: "dashed", color: "#555" },
                      label: { formatter: String(data.threshold), position: "end" },
                      data: [{ xAxis: data.threshold }] } },
        { name: data.names.after, type: "scatter", symbol: "diamond", symbolSize: 13,
          itemStyle: { color: "#1f77b4" }, data: points(data.after) }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
