// Draws the dashboard's charts as SVG from the JSON embedded in the page: no library,
// no network. Hidden (suppressed) counts are null and are not drawn. Each chart takes
// its box's width, so text stays readable from a phone (390 px) to a desktop.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var COLORS = {ru: "#4e79a7", ky: "#e15759", tg: "#59a14f", uz: "#f28e2b",
                "uz-Cyrl": "#b07aa1", und: "#9c9c9c",
                unmatched: "#c0392b", didyoumean: "#e6a100"};
  var SPARE = ["#76b7b2", "#edc948", "#ff9da7", "#9c755f", "#bab0ac"];
  var FONT = 13;  // px: the labels' size
  var data = JSON.parse(document.getElementById("stats-data").textContent);
  var words = data.words;

  function color(key, index) {
    return COLORS[key] || SPARE[index % SPARE.length];
  }

  function el(name, attrs, text) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function widthOf(host) {
    return Math.max(260, Math.floor(host.clientWidth || 600));
  }

  // Cut a drawn text to the room it has (measured, the font being the reader's); the whole
  // text stays in its tooltip.
  function fit(node, room) {
    var text = node.textContent;
    while (text.length > 4 && node.getComputedTextLength() > room) {
      text = text.slice(0, -2);
      node.textContent = text + "…";
    }
  }

  function label(svg, x, y, text, room, attrs) {
    var node = el("text", Object.assign({x: x, y: y, "font-size": FONT}, attrs || {}), text);
    svg.appendChild(node);
    fit(node, room);
    node.appendChild(el("title", {}, text));
    return node;
  }

  function svgOf(width, height) {
    return el("svg", {viewBox: "0 0 " + width + " " + height, width: width, height: height});
  }

  function empty(host) {
    var p = document.createElement("p");
    p.className = "empty";
    p.textContent = words.empty;
    host.appendChild(p);
  }

  function legend(id, keys, names) {
    var host = document.getElementById(id);
    keys.forEach(function (key, i) {
      var item = document.createElement("span"), swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.setAttribute("data-color", color(key, i));
      swatch.style.background = color(key, i);
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(names ? names[key] : key));
      host.appendChild(item);
    });
  }

  // Horizontal bars, the label above each bar and the id after its number:
  // [{label, sub, value, count, text, color, key}].
  function hbars(id, items) {
    var host = document.getElementById(id);
    if (!items.length) { empty(host); return; }
    // The longest bar leaves room for its number and id: 140 px on a phone, 40 % wider up.
    var width = widthOf(host), row = 40, room = width - Math.max(140, 0.4 * width);
    var max = Math.max.apply(null, items.map(function (i) { return i.value; }));
    var svg = svgOf(width, items.length * row + 4);
    host.appendChild(svg);  // in the page first, so that text can be measured
    items.forEach(function (item, i) {
      var y = i * row + 2;
      var w = max > 0 ? Math.max(2, room * item.value / max) : 2;
      label(svg, 0, y + FONT, item.label, width);
      var bar = el("rect", {"class": "bar", x: 0, y: y + 18, width: w.toFixed(1), height: 14,
                            fill: item.color || "#4e79a7", "data-label": item.label,
                            "data-key": item.key || "", "data-count": item.count});
      bar.appendChild(el("title", {}, item.label + (item.sub ? " (" + item.sub + ")" : "") +
                                      ": " + item.text));
      svg.appendChild(bar);
      var number = label(svg, w + 6, y + 30, item.text, width - w - 6);
      if (item.sub) {
        var after = w + 14 + number.getComputedTextLength();
        label(svg, after, y + 30, item.sub, width - after, {fill: "#666", "font-size": 12});
      }
    });
  }

  // Per language, "not understood" and "did you mean" side by side.
  function pairs(id, lines) {
    var host = document.getElementById(id);
    if (!lines.length) { empty(host); return; }
    var width = widthOf(host), row = 58, room = width - 150;
    var max = 0;
    lines.forEach(function (l) {
      max = Math.max(max, l.unmatched_share || 0, l.didyoumean_share || 0); });
    var svg = svgOf(width, lines.length * row + 4);
    host.appendChild(svg);
    lines.forEach(function (line, i) {
      var y = i * row + 2;
      svg.appendChild(el("text", {x: 0, y: y + FONT, "font-size": FONT, "font-weight": "bold"},
                         line.language + " · " + line.messages));
      ["unmatched", "didyoumean"].forEach(function (key, j) {
        var share = line[key === "unmatched" ? "share" : "didyoumean_share"];
        if (share === null || line[key] === null) { return; }
        var w = max > 0 ? Math.max(2, room * share / max) : 2, top = y + 19 + j * 18;
        var text = (share * 100).toFixed(1) + "% (" + line[key] + " " + words.of + " " +
          line.messages + ")";
        var bar = el("rect", {"class": "bar", x: 0, y: top, width: w.toFixed(1), height: 14,
                              fill: color(key, j), "data-label": line.language,
                              "data-key": key, "data-count": line[key]});
        bar.appendChild(el("title", {}, line.language + " " + words[key] + ": " + text));
        svg.appendChild(bar);
        svg.appendChild(el("text", {x: w + 6, y: top + 12, "font-size": 12}, text));
      });
    });
  }

  // Vertical bars, stacked: columns [{label, parts: [{key, value}]}].
  function vbars(id, columns, legendId) {
    var host = document.getElementById(id);
    columns = columns.filter(function (c) { return c.parts.length; });
    if (!columns.length) { empty(host); return; }
    var width = widthOf(host), height = 200, bottom = 24, top = 18, left = 36;
    var totals = columns.map(function (c) {
      return c.parts.reduce(function (s, p) { return s + p.value; }, 0); });
    var max = Math.max.apply(null, totals);
    var step = Math.min(64, (width - left) / columns.length);
    var every = Math.max(1, Math.ceil(44 / step));  // a date label needs about 44 px
    var svg = svgOf(width, height + bottom + top);
    svg.appendChild(el("line", {x1: left, x2: width, y1: top + height, y2: top + height,
                                stroke: "#999"}));
    svg.appendChild(el("text", {x: left - 4, y: top + 10, "text-anchor": "end",
                                "font-size": 12}, String(max)));
    var keys = [];
    columns.forEach(function (column, i) {
      var x = left + 2 + i * step, y = top + height;
      column.parts.forEach(function (part) {
        if (keys.indexOf(part.key) < 0) { keys.push(part.key); }
        var h = max > 0 ? height * part.value / max : 0;
        y -= h;
        var bar = el("rect", {"class": "bar", x: x.toFixed(1), y: y.toFixed(1),
                              width: Math.max(2, step - 4).toFixed(1), height: h.toFixed(1),
                              fill: color(part.key, keys.indexOf(part.key)),
                              "data-label": column.label, "data-key": part.key,
                              "data-count": part.value});
        bar.appendChild(el("title", {}, column.label + " " + part.key + ": " + part.value));
        svg.appendChild(bar);
      });
      if (i % every === 0) {
        svg.appendChild(el("text", {x: (x + step / 2 - 2).toFixed(1), y: top + height + 16,
                                    "text-anchor": "middle", "font-size": 11},
                           column.label.slice(5)));
      }
      if (step >= 26) {
        svg.appendChild(el("text", {x: (x + step / 2 - 2).toFixed(1), y: (y - 4).toFixed(1),
                                    "text-anchor": "middle", "font-size": 11},
                           String(totals[i])));
      }
    });
    host.appendChild(svg);
    if (legendId) { legend(legendId, keys); }
  }

  function visible(list) { return list.filter(function (x) { return x.count !== null; }); }

  var byDay = {};
  data.days.forEach(function (d) { byDay[d.day] = {label: d.day, parts: []}; });
  visible(data.day_language).forEach(function (c) {
    byDay[c.day].parts.push({key: c.language, value: c.count});
  });
  vbars("chart-days", data.days.map(function (d) { return byDay[d.day]; }), "legend-days");

  hbars("chart-topics", visible(data.topics).filter(function (t) {
    return t.topic !== ""; }).slice(0, 15).map(function (t) {
    return {label: t.title, sub: t.topic, key: t.topic, value: t.count, count: t.count,
            text: String(t.count),
            color: COLORS[t.topic] || "#4e79a7"}; }));

  legend("legend-understanding", ["unmatched", "didyoumean"], words);
  pairs("chart-understanding", data.unmatched.filter(function (u) {
    return u.messages !== null; }));

  hbars("chart-channels", visible(data.channels).map(function (c, i) {
    return {label: c.channel, value: c.count, count: c.count, text: String(c.count),
            color: SPARE[i % SPARE.length]}; }));

  vbars("chart-people", data.days.filter(function (d) { return d.people !== null; })
    .map(function (d) { return {label: d.day, parts: [{key: words.people, value: d.people}]}; }));

  document.body.setAttribute("data-charts", "ready");
})();
