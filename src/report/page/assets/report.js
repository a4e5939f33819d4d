// report.html's explorer: hover to read a value off a curve, tick boxes to show or hide apps.
// Plain SVG and no library; the page reads the same without it (the static plots above).
(function () {
  "use strict";
  document.documentElement.classList.add("has-js");
  var source = document.getElementById("explore-data");
  var root = document.getElementById("explore");
  if (!source || !root) { return; }
  var data = JSON.parse(source.textContent);
  var svgNs = "http://www.w3.org/2000/svg";
  var W = 1000, H = 420, L = 80, R = 20, T = 16, B = 40;
  var metricSelect = root.querySelector("select");
  var boxes = root.querySelector(".apps");
  var chart = root.querySelector("svg");
  var readout = root.querySelector(".readout");
  var shown = {};
  data.apps.forEach(function (app, i) {
    shown[app.name] = true;
    var label = document.createElement("label");
    var box = document.createElement("input");
    box.type = "checkbox";
    box.checked = true;
    box.addEventListener("change", function () { shown[app.name] = box.checked; draw(); });
    label.appendChild(box);
    var swatch = document.createElement("span");
    swatch.textContent = " \u25A0 ";
    swatch.style.color = app.colour;
    label.appendChild(swatch);
    label.appendChild(document.createTextNode(app.name));
    label.setAttribute("data-app", app.name);
    boxes.appendChild(label);
  });
  data.metrics.forEach(function (m) {
    var option = document.createElement("option");
    option.value = m.key;
    option.textContent = m.label;
    metricSelect.appendChild(option);
  });
  metricSelect.addEventListener("change", draw);

  function el(name, attrs, parent) {
    var node = document.createElementNS(svgNs, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) { parent.appendChild(node); }
    return node;
  }
  function human(v) {
    var a = Math.abs(v);
    if (a >= 1e9) { return (v / 1e9).toPrecision(3) + "B"; }
    if (a >= 1e6) { return (v / 1e6).toPrecision(3) + "M"; }
    if (a >= 1e3) { return (v / 1e3).toPrecision(3) + "k"; }
    if (a === 0) { return "0"; }
    return v.toPrecision(3);
  }
  function metric() {
    return data.metrics.filter(function (m) { return m.key === metricSelect.value; })[0];
  }
  function show(v, m) { return m.key === "queue_wait" ? human(v / 60) + " min" : human(v) + m.unit; }

  function draw() {
    while (chart.firstChild) { chart.removeChild(chart.firstChild); }
    var m = metric();
    var hours = data.hours;
    var x0 = hours[0], x1 = hours[hours.length - 1];
    var top = 0;
    data.apps.forEach(function (app) {
      if (!shown[app.name]) { return; }
      app.series[m.key].p95.forEach(function (v) { top = Math.max(top, v); });
    });
    if (top <= 0) { top = 1; }
    // Round ticks: a step of 1, 2, 2.5 or 5 times a power of ten giving about four of them,
    // and the top raised to the next tick (so the labels read 20M, 40M, 60M, not 17.9M, 35.9M).
    var raw = top / 4, pow = Math.pow(10, Math.floor(Math.log(raw) / Math.LN10));
    var tick = [1, 2, 2.5, 5, 10].map(function (f) { return f * pow; })
      .filter(function (t) { return t >= raw; })[0];
    top = Math.ceil(top / tick - 1e-9) * tick;
    var sx = function (h) { return L + (h - x0) / (x1 - x0) * (W - L - R); };
    var sy = function (v) { return T + (1 - v / top) * (H - T - B); };
    el("rect", { x: L, y: T, width: W - L - R, height: H - T - B, fill: "#fff", stroke: "#ccc" }, chart);
    for (var i = 0; i * tick <= top + tick * 1e-9; i++) {
      var v = i * tick;
      el("line", { x1: L, x2: W - R, y1: sy(v), y2: sy(v), stroke: "#eee" }, chart);
      el("text", { x: L - 6, y: sy(v) + 4, "text-anchor": "end", "font-size": 12 }, chart).textContent = show(v, m);
    }
    var step = Math.max(1, Math.ceil((x1 - x0) / 10));
    for (var h = Math.ceil(x0 / step) * step; h <= x1; h += step) {
      el("line", { x1: sx(h), x2: sx(h), y1: T, y2: H - B, stroke: "#f0f0f0" }, chart);
      el("text", { x: sx(h), y: H - B + 16, "text-anchor": "middle", "font-size": 12 }, chart).textContent = (h >= 0 ? "+" : "") + h + " h";
    }
    el("text", { x: (L + W - R) / 2, y: H - 6, "text-anchor": "middle", "font-size": 12, fill: "#555" }, chart).textContent = "hours since the event began";
    data.apps.forEach(function (app) {
      if (!shown[app.name]) { return; }
      var s = app.series[m.key];
      var band = hours.map(function (h, j) { return sx(h) + "," + sy(s.p95[j]); });
      for (var j = hours.length - 1; j >= 0; j--) { band.push(sx(hours[j]) + "," + sy(s.p05[j])); }
      el("polygon", { points: band.join(" "), fill: app.colour, "fill-opacity": 0.18, stroke: "none" }, chart);
      var line = hours.map(function (h, j) { return sx(h) + "," + sy(s.p50[j]); }).join(" ");
      el("polyline", { points: line, fill: "none", stroke: app.colour, "stroke-width": 2.5, "data-app": app.name }, chart);
    });
    var cursor = el("line", { x1: 0, x2: 0, y1: T, y2: H - B, stroke: "#333", "stroke-dasharray": "4 3", visibility: "hidden" }, chart);
    var hit = el("rect", { x: L, y: T, width: W - L - R, height: H - T - B, fill: "transparent" }, chart);
    function at(clientX) {
      var box = chart.getBoundingClientRect();
      var px = (clientX - box.left) / box.width * W;
      var h = x0 + (px - L) / (W - L - R) * (x1 - x0);
      var best = 0;
      hours.forEach(function (hh, j) { if (Math.abs(hh - h) < Math.abs(hours[best] - h)) { best = j; } });
      return best;
    }
    function move(ev) {
      var j = at(ev.clientX);
      cursor.setAttribute("x1", sx(hours[j]));
      cursor.setAttribute("x2", sx(hours[j]));
      cursor.setAttribute("visibility", "visible");
      var lines = [data.times[j] + " (" + (hours[j] >= 0 ? "+" : "") + hours[j].toFixed(2) + " h)"];
      data.apps.forEach(function (app) {
        if (!shown[app.name]) { return; }
        var s = app.series[m.key];
        lines.push(app.name + ": median " + show(s.p50[j], m) + ", 90% of runs " + show(s.p05[j], m) + " to " + show(s.p95[j], m));
      });
      readout.textContent = lines.join("  \u00B7  ");
    }
    hit.addEventListener("mousemove", move);
    hit.addEventListener("mouseleave", function () { cursor.setAttribute("visibility", "hidden"); });
    root.setAttribute("data-drawn", m.key);
  }
  draw();
})();
