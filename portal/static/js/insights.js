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
      window.Plotly.newPlot(element, figure.data, figure.layout, {
        responsive: true, displaylogo: false,
        modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"]
      });
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
