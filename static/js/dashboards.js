// Draw every figure embedded in the page as JSON (json_script). No CDN: plotly.min.js is ours.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-figure]").forEach(function (element) {
    var source = document.getElementById(element.dataset.figure);
    if (!source || !window.Plotly) { return; }
    var figure = JSON.parse(JSON.parse(source.textContent));
    window.Plotly.newPlot(element, figure.data, figure.layout, {responsive: true, displaylogo: false});
  });
});
