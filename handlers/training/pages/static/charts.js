/* Sloth's run pages: charts drawn with uPlot (served by Sloth beside this file).
   SlothCharts.render(container, charts, xKind) draws each chart of the page's JSON and, called
   again with new data, updates them in place, keeping a zoom the reader chose. */
"use strict";
window.SlothCharts = (function () {
  const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
                  "#7f7f7f", "#bcbd22"];
  const HEIGHT = 240;
  const drawn = new Map();  // container id + title -> {plot, zoomed, labels}

  function seriesOf(chart) {
    return chart.labels.map(function (label, i) {
      const val = chart.roles[i] === "val";
      return {label: label, stroke: COLORS[i % COLORS.length], width: val ? 2.5 : 1.25, spanGaps: true,
              points: {show: val || chart.data[0].length < 40, size: val ? 6 : 4}};
    });
  }

  function options(chart, xKind, width) {
    const time = xKind === "time";
    return {
      width: width, height: HEIGHT,
      series: [{label: time ? "time" : xKind}].concat(seriesOf(chart)),
      scales: {x: {time: time}},
      axes: [{label: time ? "" : xKind}, {size: 60}],
      cursor: {drag: {x: true, y: false}},
      legend: {live: true},
    };
  }

  function widthOf(box) {
    return Math.max(200, Math.floor(box.getBoundingClientRect().width));
  }

  function create(container, key, chart, xKind) {
    const box = document.createElement("figure");
    box.className = "chart";
    box.dataset.title = chart.title;
    const caption = document.createElement("figcaption");
    caption.textContent = chart.title;
    box.appendChild(caption);
    container.appendChild(box);
    const entry = {box: box, zoomed: false, labels: chart.labels.join("\u0000")};
    const opts = options(chart, xKind, widthOf(box));
    opts.hooks = {setSelect: [function (u) { if (u.select.width > 0) { entry.zoomed = true; } }]};
    entry.plot = new uPlot(opts, chart.data, box);
    entry.plot.over.addEventListener("dblclick", function () { entry.zoomed = false; });
    drawn.set(key, entry);
    return entry;
  }

  function render(container, charts, xKind) {
    const seen = new Set();
    charts.forEach(function (chart) {
      const key = container.id + "\u0000" + chart.title;
      seen.add(key);
      let entry = drawn.get(key);
      if (entry && entry.labels !== chart.labels.join("\u0000")) {  // a new metric: draw it afresh
        entry.plot.destroy();
        entry.box.remove();
        drawn.delete(key);
        entry = undefined;
      }
      if (!entry) {
        entry = create(container, key, chart, xKind);
      } else {
        entry.plot.setData(chart.data, !entry.zoomed);
      }
      entry.box.dataset.points = String(chart.data[0].length);
    });
    drawn.forEach(function (entry, key) {
      if (key.startsWith(container.id + "\u0000") && !seen.has(key)) {
        entry.plot.destroy();
        entry.box.remove();
        drawn.delete(key);
      }
    });
  }

  window.addEventListener("resize", function () {
    drawn.forEach(function (entry) { entry.plot.setSize({width: widthOf(entry.box), height: HEIGHT}); });
  });

  function when(unix) {
    return unix ? new Date(unix * 1000).toLocaleString() : "";
  }

  return {render: render, when: when};
})();
