// Draws the dashboard's charts as SVG from the JSON embedded in the page: no library,
// no network. Hidden (suppressed) counts are null and are not drawn.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var COLORS = {ru: "#4e79a7", ky: "#e15759", tg: "#59a14f", uz: "#f28e2b",
                "uz-Cyrl": "#b07aa1", und: "#9c9c9c"};
  var SPARE = ["#76b7b2", "#edc948", "#ff9da7", "#9c755f", "#bab0ac"];
  var data = JSON.parse(document.getElementById("stats-data").textContent);

  function color(key, index) {
    return COLORS[key] || SPARE[index % SPARE.length];
  }

  function el(name, attrs, text) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function empty(host) {
    var p = document.createElement("p");
    p.className = "empty";
    p.textContent = "Nothing to show in this period (or every count is below " +
      data.min_count + ").";
    host.appendChild(p);
  }

  // Horizontal bars: one row per item {label, value, text}.
  function hbars(id, items) {
    var host = document.getElementById(id);
    if (!items.length) { empty(host); return; }
    var row = 26, left = 260, width = 900, max = Math.max.apply(null, items.map(function (i) {
      return i.value; }));
    var svg = el("svg", {viewBox: "0 0 " + (width + 80) + " " + (items.length * row + 4),
                         width: width + 80, height: items.length * row + 4});
    items.forEach(function (item, i) {
      var y = i * row + 2, room = width - left - 160;  // leave room for the number
      var w = max > 0 ? Math.max(1, room * item.value / max) : 1;
      svg.appendChild(el("text", {x: left - 8, y: y + 16, "text-anchor": "end",
                                  "font-size": 13}, item.label));
      var bar = el("rect", {"class": "bar", x: left, y: y + 3, width: w.toFixed(1),
                            height: row - 8, fill: item.color || "#4e79a7",
                            "data-label": item.label, "data-count": item.count});
      bar.appendChild(el("title", {}, item.label + ": " + item.text));
      svg.appendChild(bar);
      svg.appendChild(el("text", {x: left + w + 6, y: y + 16, "font-size": 13}, item.text));
    });
    host.appendChild(svg);
  }

  // Vertical bars, stacked: columns [{label, parts: [{key, value}]}].
  function vbars(id, columns, legendId) {
    var host = document.getElementById(id);
    columns = columns.filter(function (c) { return c.parts.length; });
    if (!columns.length) { empty(host); return; }
    var height = 240, bottom = 40, top = 16, width = Math.max(480, columns.length * 44 + 60);
    var totals = columns.map(function (c) {
      return c.parts.reduce(function (s, p) { return s + p.value; }, 0); });
    var max = Math.max.apply(null, totals);
    var step = Math.min(64, (width - 60) / columns.length);
    var svg = el("svg", {viewBox: "0 0 " + width + " " + (height + bottom + top),
                         width: width, height: height + bottom + top});
    svg.appendChild(el("line", {x1: 50, x2: width, y1: top + height, y2: top + height,
                                stroke: "#999"}));
    svg.appendChild(el("text", {x: 44, y: top + 10, "text-anchor": "end", "font-size": 12},
                       String(max)));
    var keys = [];
    columns.forEach(function (column, i) {
      var x = 56 + i * step, y = top + height;
      column.parts.forEach(function (part) {
        if (keys.indexOf(part.key) < 0) { keys.push(part.key); }
        var h = max > 0 ? height * part.value / max : 0;
        y -= h;
        var bar = el("rect", {"class": "bar", x: x.toFixed(1), y: y.toFixed(1),
                              width: Math.max(4, step - 8).toFixed(1), height: h.toFixed(1),
                              fill: color(part.key, keys.indexOf(part.key)),
                              "data-label": column.label, "data-key": part.key,
                              "data-count": part.value});
        bar.appendChild(el("title", {}, column.label + " " + part.key + ": " + part.value));
        svg.appendChild(bar);
      });
      svg.appendChild(el("text", {x: (x + step / 2 - 4).toFixed(1), y: top + height + 16,
                                  "text-anchor": "middle", "font-size": 11},
                         column.label.slice(5)));
      svg.appendChild(el("text", {x: (x + step / 2 - 4).toFixed(1), y: (y - 4).toFixed(1),
                                  "text-anchor": "middle", "font-size": 11},
                         String(totals[i])));
    });
    host.appendChild(svg);
    if (legendId) {
      var legend = document.getElementById(legendId);
      keys.forEach(function (key, i) {
        var item = document.createElement("span"), swatch = document.createElement("span");
        swatch.className = "swatch";
        swatch.setAttribute("data-color", color(key, i));
        swatch.style.background = color(key, i);
        item.appendChild(swatch);
        item.appendChild(document.createTextNode(key));
        legend.appendChild(item);
      });
    }
  }

  function visible(list) { return list.filter(function (x) { return x.count !== null; }); }

  var byDay = {};
  data.days.forEach(function (d) { byDay[d.day] = {label: d.day, parts: []}; });
  visible(data.day_language).forEach(function (c) {
    byDay[c.day].parts.push({key: c.language, value: c.count});
  });
  vbars("chart-days", data.days.map(function (d) { return byDay[d.day]; }), "legend-days");

  hbars("chart-topics", visible(data.topics).filter(function (t) {
    return t.topic !== "" && t.topic !== "unmatched"; }).slice(0, 15).map(function (t) {
    return {label: t.topic, value: t.count, count: t.count, text: String(t.count)}; }));

  hbars("chart-channels", visible(data.channels).map(function (c, i) {
    return {label: c.channel, value: c.count, count: c.count, text: String(c.count),
            color: SPARE[i % SPARE.length]}; }));

  hbars("chart-unmatched", data.unmatched.filter(function (s) {
    return s.share !== null; }).map(function (s, i) {
    return {label: s.language, value: s.share * 100, count: s.unmatched,
            text: (s.share * 100).toFixed(1) + "% (" + s.unmatched + " of " + s.messages + ")",
            color: color(s.language, i)}; }));

  vbars("chart-people", data.days.filter(function (d) { return d.people !== null; })
    .map(function (d) { return {label: d.day, parts: [{key: "people", value: d.people}]}; }));

  document.body.setAttribute("data-charts", "ready");
})();
