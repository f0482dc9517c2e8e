// Sysmo Tickets — the reports' per-day charts. The numbers come from a json_script element named by the
// canvas's data-chart attribute; the same numbers are in the table below each chart, so the page is
// complete without this file.
(function () {
  "use strict";

  var COLOURS = {
    "grafico-recibidas": { bar: "#1f5fd1", barHover: "#174aa6" },
    "grafico-cerradas": { bar: "#2f9461", barHover: "#23794c" },
    "grafico-satisfaccion": { bar: "#b54708", barHover: "#93370d" },
  };
  var COMPARISON = "#98a2b3";
  var GRID = "#eef1f5";
  var INK = "#475467";

  function style(canvas, dataset, comparisonAs) {
    var colours = COLOURS[canvas.id] || COLOURS["grafico-recibidas"];
    if (dataset.kind === "comparison" && comparisonAs === "bar") {
      // Categories (the five answers), not days: the other period as grey bars beside the period's.
      return Object.assign(dataset, {
        type: "bar",
        backgroundColor: COMPARISON,
        hoverBackgroundColor: INK,
        borderRadius: 3,
        maxBarThickness: 28,
        order: 2, // drawn right of the period's bar
      });
    }
    if (dataset.kind === "comparison") {
      return Object.assign(dataset, {
        type: "line",
        borderColor: COMPARISON,
        backgroundColor: COMPARISON,
        borderWidth: 2,
        borderDash: [5, 4],
        pointRadius: 0,
        pointHoverRadius: 4,
        cubicInterpolationMode: "monotone",
        spanGaps: false,
        order: 0,
      });
    }
    return Object.assign(dataset, {
      type: "bar",
      backgroundColor: colours.bar,
      hoverBackgroundColor: colours.barHover,
      borderRadius: 3,
      maxBarThickness: 28,
      order: 1,
    });
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof window.Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    data.datasets.forEach(function (dataset) { style(canvas, dataset, data.comparison_as); });
    var reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var phone = window.matchMedia("(max-width: 575.98px)").matches;

    new window.Chart(canvas, {
      type: "bar",
      data: data,
      options: {
        locale: document.documentElement.lang || "es-AR",
        responsive: true,
        maintainAspectRatio: false,
        animation: reduceMotion ? false : { duration: 300 },
        interaction: { mode: "index", intersect: false },
        scales: {
          x: {
            grid: { display: false },
            ticks: { color: INK, maxRotation: 0, autoSkip: true, autoSkipPadding: phone ? 10 : 16 },
          },
          y: {
            beginAtZero: true,
            grid: { color: GRID },
            border: { display: false },
            ticks: { color: INK, precision: 0 },
          },
        },
        plugins: {
          legend: {
            display: data.datasets.length > 1,
            position: "bottom",
            labels: {
              usePointStyle: true,
              pointStyleWidth: 10,
              boxHeight: 7,
              color: INK,
              sort: function (a, b) { return a.datasetIndex - b.datasetIndex; },
            },
          },
          tooltip: {
            callbacks: {
              title: function () { return ""; },
              label: function (item) {
                var day = item.dataset.dates[item.dataIndex];
                var value = item.raw === null ? "—" : item.formattedValue;
                return (day ? day + ": " : "") + value + " · " + item.dataset.label;
              },
            },
          },
        },
      },
    });
  }

  function init() {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
