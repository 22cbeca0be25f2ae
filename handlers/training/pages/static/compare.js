/* Runs compared: one chart per metric, one line per run. */
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("charts").textContent);
  SlothCharts.render(document.getElementById("curves"), data.charts, data.x);
})();
