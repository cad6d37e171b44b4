/* 监督看板: draws the charts of /dashboard/ with the vendored Chart.js (no CDN).
 * The data is the page's own JSON (#dashboard-data); each bar or point links to the
 * filtered list behind it. Numbers are exact decimal strings; they are parsed only to plot. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("dashboard-data").textContent);
  var palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#b07aa1", "#9c755f"];

  function plotted(values) {
    return values.map(function (v) { return v === null ? null : parseFloat(v); });
  }

  function draw(canvasId, chart, type, options) {
    var canvas = document.getElementById(canvasId);
    if (!canvas || !chart) { return; }
    var datasets = chart.series.map(function (s, i) {
      return {
        label: s.label,
        data: plotted(s.values),
        backgroundColor: palette[i % palette.length],
        borderColor: palette[i % palette.length],
        links: s.links
      };
    });
    canvas.setAttribute("data-series-values", JSON.stringify(chart.series.map(function (s) { return s.values; })));
    var instance = new Chart(canvas, {
      type: type,
      data: { labels: chart.labels, datasets: datasets },
      options: Object.assign({
        animation: false,
        responsive: false,
        plugins: { legend: { position: "bottom" } },
        onClick: function (event, elements) {
          if (!elements.length) { return; }
          var el = elements[0];
          var url = datasets[el.datasetIndex].links[el.index];
          if (url) { window.location.href = url; }
        }
      }, options || {})
    });
    canvas.setAttribute("data-drawn", String(instance.data.datasets.length));
  }

  var stacked = { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } };
  draw("chart-ageing", data.ageing, "bar", stacked);
  draw("chart-monthly", data.monthly, "bar", stacked);
  draw("chart-clearance", data.clearance, "bar", stacked);
  draw("chart-replies", data.replies, "bar", { scales: { y: { beginAtZero: true, max: 100 } } });
  draw("chart-free-apply", data.free_apply, "bar", { scales: { y: { beginAtZero: true, max: 100 } } });
  document.body.setAttribute("data-dashboard-ready", "true");
})();
