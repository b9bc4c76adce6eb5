// Insights: draw each chart from its JSON block with the locally served plotly.js when it scrolls
// into view, and show the custom date fields only when the period is "Custom". The tables work
// without this file.
(function () {
  "use strict";

  var plotly = null;

  // plotly.js is large: fetched once, when the first chart comes near the screen.
  function loadPlotly() {
    if (!plotly) {
      plotly = new Promise(function (resolve, reject) {
        if (window.Plotly) return resolve(window.Plotly);
        var root = document.querySelector("[data-plotly-src]");
        var script = document.createElement("script");
        script.src = root.dataset.plotlySrc;
        script.onload = function () { resolve(window.Plotly); };
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return plotly;
  }

  function drawChart(element) {
    var source = document.getElementById(element.dataset.figure);
    if (!source) return;
    loadPlotly().then(function (Plotly) {
      var figure = JSON.parse(source.textContent);
      shortenBarLabels(figure, element.clientWidth);
      // No mode bar: it covered the charts on a phone, and the numbers are in the table below.
      Plotly.newPlot(element, figure.data, figure.layout, {
        responsive: true, displayModeBar: false
      });
    });
  }

  // Each chart is drawn when it scrolls into view (or just before): a long dashboard costs
  // nothing for the charts nobody scrolls to.
  function drawChartsInView() {
    var charts = document.querySelectorAll("[data-figure]");
    if (!("IntersectionObserver" in window)) {
      charts.forEach(drawChart);
      return;
    }
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        observer.unobserve(entry.target);
        drawChart(entry.target);
      });
    }, { rootMargin: "200px 0px" });
    charts.forEach(function (chart) { observer.observe(chart); });
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
    drawChartsInView();
  });
})();
