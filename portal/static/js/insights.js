// Insights: draw each chart from its JSON block with the locally served plotly.js, and show the
// custom date fields only when the period is "Custom". The tables work without this file.
(function () {
  "use strict";

  function drawCharts() {
    if (!window.Plotly) return;
    document.querySelectorAll("[data-figure]").forEach(function (element) {
      var source = document.getElementById(element.dataset.figure);
      if (!source) return;
      var figure = JSON.parse(source.textContent);
      shortenBarLabels(figure, element.clientWidth);
      window.Plotly.newPlot(element, figure.data, figure.layout, {
        responsive: true, displaylogo: false,
        modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"]
      });
    });
  }

  // On a phone, long category labels (idea titles) would squeeze horizontal bars to nothing:
  // show them shortened; the hover text and the table below keep them whole.
  function shortenBarLabels(figure, width) {
    if (width >= 480) return;
    var bars = (figure.data || []).filter(function (trace) {
      return trace.type === "bar" && trace.orientation === "h";
    });
    if (!bars.length) return;
    var labels = bars[0].y || [];
    var length = width < 360 ? 14 : 18;
    figure.layout.yaxis = figure.layout.yaxis || {};
    figure.layout.yaxis.tickmode = "array";
    figure.layout.yaxis.tickvals = labels;
    figure.layout.yaxis.ticktext = labels.map(function (label) {
      label = String(label);
      return label.length > length ? label.slice(0, length - 1) + "\u2026" : label;
    });
  }

  function toggleCustomDates() {
    var select = document.querySelector("[data-period-select]");
    if (!select) return;
    function update() {
      document.querySelectorAll("[data-custom-dates]").forEach(function (field) {
        field.hidden = select.value !== "custom";
      });
    }
    select.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    toggleCustomDates();
    drawCharts();
  });
})();
