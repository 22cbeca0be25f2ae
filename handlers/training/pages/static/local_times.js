/* Times in the reader's own time zone. */
"use strict";
document.querySelectorAll("time[data-unix]").forEach(function (t) {
  t.textContent = new Date(Number(t.dataset.unix) * 1000).toLocaleString();
});
