// Draw every figure embedded in the page as JSON (json_script). No CDN: plotly.min.js is ours.
// The figure's layout (reporting/figures.py) has no fixed width; on a phone the category labels
// wrap onto short lines and the fonts shrink, so the plot keeps most of the width for its bars.
(function () {
  "use strict";
  var NARROW = 640;

  function wrap(label, chars) {
    var text = String(label), lines = [];
    if (text.indexOf("<br>") !== -1 || text.length <= chars) { return text; }
    // CJK labels break anywhere; others break at spaces where they can.
    while (text.length > chars) {
      var cut = text.lastIndexOf(" ", chars);
      if (cut < chars / 2) { cut = chars; }
      lines.push(text.slice(0, cut).trim());
      text = text.slice(cut).trim();
      if (lines.length === 2) { break; }
    }
    if (text.length > chars) { text = text.slice(0, chars - 1) + "…"; }
    lines.push(text);
    return lines.join("<br>");
  }

  // The names along a category axis (plans, targets, departments, milestones, regions).
  function categories(figure, axis) {
    var seen = [], settings = figure.layout[axis + "axis"] || {};
    if (settings.type === "date") { return seen; }
    figure.data.forEach(function (trace) {
      (trace[axis] || []).forEach(function (value) {
        if (typeof value === "string" && seen.indexOf(value) === -1) { seen.push(value); }
      });
    });
    return seen;
  }

  function narrow(figure, width) {
    var layout = figure.layout, chars = Math.max(6, Math.floor(width * 0.32 / 11)), rows = categories(figure, "y");
    layout.font = Object.assign({}, layout.font, {size: 11});
    if (layout.title) { layout.title.font = Object.assign({}, layout.title.font, {size: 14}); }
    ["x", "y"].forEach(function (axis) {
      var key = axis + "axis", labels = categories(figure, axis);
      layout[key] = Object.assign({}, layout[key], {automargin: true});
      if (labels.length) {
        layout[key].tickmode = "array";
        layout[key].tickvals = labels;
        layout[key].ticktext = labels.map(function (label) { return wrap(label, chars); });
      }
    });
    // An axis title that repeats what the ticks say takes width the bars need.
    if (rows.length && layout.yaxis.title) { layout.yaxis.title = {text: ""}; }
    // Up to three lines a name: each row gets the height its wrapped name needs.
    var lines = Math.max.apply(null, rows.map(function (label) { return wrap(label, chars).split("<br>").length; }).concat([1]));
    layout.height = Math.max(layout.height || 0, 280, 170 + rows.length * (lines * 14 + 14));
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-figure]").forEach(function (element) {
      var source = document.getElementById(element.dataset.figure);
      if (!source || !window.Plotly) { return; }
      var figure = JSON.parse(JSON.parse(source.textContent));
      var width = element.clientWidth || window.innerWidth;
      if (width < NARROW) { narrow(figure, width); }
      window.Plotly.newPlot(element, figure.data, figure.layout, {responsive: true, displaylogo: false});
    });
  });
}());
