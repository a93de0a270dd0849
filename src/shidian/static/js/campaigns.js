// Campaign pages: autosave of a sheet, one item at a time, and the distribution charts.
// No inline scripts (CSP): texts come from data-* attributes, chart data from json_script.
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  // ---- Sheet autosave ------------------------------------------------------------------
  var form = document.getElementById("sheet-form");
  if (form && !form.hasAttribute("data-readonly")) {
    var url = form.getAttribute("data-item-url");
    var versionInput = document.getElementById("sheet-version");
    var state = document.getElementById("save-state");
    var pending = {};       // code -> timer id (debounced edits not yet sent)
    var queue = Promise.resolve();
    var inFlight = 0;

    var say = function (text, cls) {
      if (state) { state.textContent = text; state.className = "save-state " + (cls || ""); }
    };

    var payload = function (item) {
      var data = new FormData();
      var code = item.getAttribute("data-code");
      data.append("csrfmiddlewaretoken", csrfToken());
      data.append("code", code);
      data.append("version", versionInput.value);
      data.append("expected", item.getAttribute("data-saved") || "null");
      var value = item.querySelector('[name="a-' + code + '"]');
      var num = item.querySelector('[name="n-' + code + '"]');
      var den = item.querySelector('[name="d-' + code + '"]');
      if (value) { data.append("value", value.value); }
      if (num) { data.append("numerator", num.value); }
      if (den) { data.append("denominator", den.value); }
      return data;
    };

    var show = function (item, text, cls) {
      var el = item.querySelector(".item-state");
      if (el) { el.textContent = text; el.className = "item-state " + (cls || ""); }
      item.classList.toggle("is-conflict", cls === "conflict");
      item.classList.toggle("is-error", cls === "error");
    };

    var apply = function (item, body) {
      versionInput.value = body.version;
      item.setAttribute("data-saved", JSON.stringify(body.saved === undefined ? null : body.saved));
      var score = document.querySelector('[data-score-for="' + item.getAttribute("data-code") + '"]');
      if (score) { score.textContent = body.score === null || body.score === undefined ? "—" : String(Math.round(body.score * 100) / 100); }
      Object.keys(body.dimensions || {}).forEach(function (code) {
        var dim = document.querySelector('[data-dim-score="' + code + '"]');
        if (dim) { dim.textContent = String(Math.round(body.dimensions[code] * 100) / 100); }
      });
      var total = document.getElementById("sheet-total");
      if (total) { total.textContent = String(Math.round(body.total * 100) / 100); }
      var answered = document.getElementById("sheet-answered");
      if (answered) { answered.textContent = body.answered; }
      var status = document.getElementById("sheet-status");
      if (status && body.status) { status.textContent = body.status; }
    };

    var send = function (item) {
      inFlight += 1;
      say(form.getAttribute("data-msg-saving"), "saving");
      queue = queue.then(function () {
        return fetch(url, {
          method: "POST", body: payload(item), credentials: "same-origin",
          headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
        }).then(function (response) {
          return response.json().then(function (body) { return { status: response.status, body: body }; });
        }).then(function (result) {
          if (result.status === 200) {
            apply(item, result.body);
            show(item, "✓", "ok");
            say(form.getAttribute("data-msg-saved"), "ok");
          } else if (result.status === 409) {
            show(item, result.body.message, "conflict");
            say(form.getAttribute("data-msg-error"), "error");
          } else {
            show(item, result.body.message || form.getAttribute("data-msg-error"), "error");
            say(form.getAttribute("data-msg-error"), "error");
          }
        }).catch(function () {
          show(item, form.getAttribute("data-msg-offline"), "error");
          say(form.getAttribute("data-msg-offline"), "error");
          // Retry later so that a short network drop loses nothing.
          schedule(item, 5000);
        }).then(function () { inFlight -= 1; });
      });
    };

    var schedule = function (item, delay) {
      var code = item.getAttribute("data-code");
      if (pending[code]) { clearTimeout(pending[code]); }
      pending[code] = setTimeout(function () { delete pending[code]; send(item); }, delay);
    };

    form.addEventListener("change", function (event) {
      var item = event.target.closest && event.target.closest(".item");
      if (item && event.target.type !== "file") { schedule(item, 0); }
    });
    form.addEventListener("input", function (event) {
      var item = event.target.closest && event.target.closest(".item");
      if (item && event.target.type === "number") { schedule(item, 800); }
    });

    // Closing the tab or the phone's browser: send what is still waiting with sendBeacon.
    var flush = function () {
      Object.keys(pending).forEach(function (code) {
        clearTimeout(pending[code]);
        delete pending[code];
        var item = document.getElementById("item-" + code);
        if (item && navigator.sendBeacon) { navigator.sendBeacon(url, payload(item)); }
      });
    };
    window.addEventListener("pagehide", flush);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") { flush(); }
    });
    window.addEventListener("beforeunload", function (event) {
      if (inFlight > 0) { event.preventDefault(); event.returnValue = ""; }
    });
  }

  // ---- Evidence file names ---------------------------------------------------------------
  // A browser sends the file's name in the upload's part header, which the server refuses
  // outright (a bare "400") beyond 1 KB. Shorten long names to 255 UTF-8 bytes, keeping the
  // extension, before the form is sent; the server trims the same way.
  var MAX_NAME_BYTES = 255;
  var encoder = window.TextEncoder ? new TextEncoder() : null;
  var byteLength = function (text) { return encoder ? encoder.encode(text).length : text.length * 4; };
  var shortName = function (name) {
    if (byteLength(name) <= MAX_NAME_BYTES) { return name; }
    var dot = name.lastIndexOf(".");
    var ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : "";
    var chars = Array.from(ext ? name.slice(0, dot) : name);
    while (chars.length && byteLength(chars.join("") + ext) > MAX_NAME_BYTES) { chars.pop(); }
    return chars.join("") + ext;
  };
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input || input.type !== "file" || !input.files || !input.files.length) { return; }
    if (!window.DataTransfer || !window.File) { return; }
    var file = input.files[0];
    var name = shortName(file.name);
    if (name === file.name) { return; }
    var transfer = new DataTransfer();
    transfer.items.add(new File([file], name, { type: file.type, lastModified: file.lastModified }));
    input.files = transfer.files;
  });

  // ---- Charts ----------------------------------------------------------------------------
  var dataEl = document.getElementById("campaign-chart-data");
  if (dataEl && window.echarts) {
    var data = JSON.parse(dataEl.textContent);
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var series = data[el.getAttribute("data-chart")];
      if (!series || !series.labels.length) { el.hidden = true; return; }
      var chart = window.echarts.init(el);
      // Rotate the axis labels when they would not fit side by side (long zone names, narrow
      // screens); draw them in the page font rather than the canvas default.
      var chars = series.labels.join("").length;
      var tilt = series.labels.length > 5 || chars * 13 > el.clientWidth * 0.8;
      chart.setOption({
        textStyle: { fontFamily: window.getComputedStyle(document.body).fontFamily },
        tooltip: { trigger: "axis" },
        legend: { data: [data.names.min, data.names.avg, data.names.max] },
        grid: { left: 40, right: 10, bottom: 60, containLabel: true },
        xAxis: { type: "category", data: series.labels, axisLabel: { interval: 0, rotate: tilt ? 30 : 0 } },
        yAxis: { type: "value" },
        series: [
          { name: data.names.min, type: "bar", data: series.min },
          { name: data.names.avg, type: "bar", data: series.avg },
          { name: data.names.max, type: "bar", data: series.max }
        ]
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
})();
