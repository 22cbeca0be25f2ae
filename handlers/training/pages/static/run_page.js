/* A run's page: asks Sloth for the run every few seconds while it runs (only "unchanged" while
   nothing happened), and fills the page with what it answers, always as text. */
"use strict";
(function () {
  const source = JSON.parse(document.getElementById("source").textContent);
  const live = document.getElementById("live");
  let version = null;
  let running = true;

  function text(tag, value, className) {
    const element = document.createElement(tag);
    element.textContent = value === null || value === undefined ? "" : String(value);
    if (className) { element.className = className; }
    return element;
  }

  function fillTable(table, head, rows) {
    table.replaceChildren();
    const top = document.createElement("tr");
    head.forEach(function (h) { top.appendChild(text("th", h)); });
    table.appendChild(top);
    rows.forEach(function (row) {
      const line = document.createElement("tr");
      row.forEach(function (cell) { line.appendChild(text("td", cell)); });
      table.appendChild(line);
    });
  }

  function fillSummary(summary) {
    document.getElementById("title").textContent = summary.name;
    document.title = summary.name + " · Sloth";
    const list = document.getElementById("summary");
    list.replaceChildren();
    summary.rows.forEach(function (row) {
      list.appendChild(text("dt", row[0]));
      const value = summary.times.includes(row[0]) ? SlothCharts.when(row[1]) : row[1];
      list.appendChild(text("dd", value, row[0] === "status" ? "status-" + summary.status : ""));
    });
    if (summary.card && /^https?:\/\//.test(summary.card)) {
      list.appendChild(text("dt", "card"));
      const dd = document.createElement("dd");
      const link = text("a", "open in Slack");
      link.href = summary.card;
      dd.appendChild(link);
      list.appendChild(dd);
    }
  }

  function render(data) {
    fillSummary(data.summary);
    SlothCharts.render(document.getElementById("curves"), data.curves.charts, data.curves.x);
    SlothCharts.render(document.getElementById("machine"), data.machine, "time");
    if (!data.machine.length) {
      document.getElementById("machine").replaceChildren(text("p", "The job sent no machine figures.", "muted"));
    }
    fillTable(document.getElementById("config"), ["setting", "started with", "now"], data.config);
    fillTable(document.getElementById("checkpoints"), ["path", "score", "metric", "epoch", "step", "saved"],
              data.checkpoints.map(function (c) {
                return [c.path, c.score, c.monitor, c.epoch, c.step, SlothCharts.when(c.time)];
              }));
    const events = document.getElementById("events");
    events.replaceChildren();
    data.events.forEach(function (e) {
      const item = text("li", "", "event-" + e.kind);
      item.appendChild(text("time", SlothCharts.when(e.time)));
      item.appendChild(text("span", e.text));
      events.appendChild(item);
    });
    if (!data.events.length) { events.appendChild(text("li", "Nothing yet.", "muted")); }
    document.body.dataset.version = String(data.version);
  }

  async function refresh() {
    try {
      const answer = await fetch(source.data + (version === null ? "" : "?since=" + version),
                                 {credentials: "same-origin", cache: "no-store"});
      if (answer.status === 403 || answer.status === 404) {
        live.textContent = "Sloth no longer shows this page to you (your session may have expired): ask Sloth " +
                           "in Slack for a fresh link.";
        return;
      }
      const data = await answer.json();
      if (!data.unchanged) {
        running = data.running;
        render(data);
      }
      version = data.version;
      live.textContent = (running ? "live · updated " : "finished · checked ") + new Date().toLocaleTimeString();
    } catch (e) {
      live.textContent = "Sloth cannot be reached; trying again…";
    }
    // A finished run may still be resumed: it is asked after less often.
    window.setTimeout(refresh, running ? 2000 : 15000);
  }

  refresh();
})();
