"""The pages' HTML. Every value that came from a job or a member is escaped here; the run page's
live parts are filled by its script from JSON, as text. Pure."""

from __future__ import annotations

import json
from html import escape
from typing import Any
from urllib.parse import quote

from handlers.training.pages.view import status_of

BASE = "/training"
STATIC = f"{BASE}/static"
LIBRARY = ("uPlot.min.css", "page.css")


def shell(title: str, body: str, scripts: tuple[str, ...] = ()) -> str:
    styles = "".join(f'<link rel="stylesheet" href="{STATIC}/{name}">' for name in LIBRARY)
    loaded = "".join(f'<script src="{STATIC}/{name}"></script>' for name in scripts)
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)} · Sloth</title>{styles}</head>"
            f'<body><nav><a href="{BASE}/runs">Training runs</a></nav><main>{body}</main>{loaded}</body></html>')


def data_tag(element_id: str, value: Any) -> str:
    """JSON for a script to read; `<` escaped so no value can close the tag."""
    text = json.dumps(value, separators=(",", ":")).replace("<", "\\u003c")
    return f'<script type="application/json" id="{element_id}">{text}</script>'


def run_page(run_id: str, name: str) -> str:
    body = (f'<h1 id="title">{escape(name)}</h1>'
            f'<p id="live" class="muted">loading…</p>'
            '<section><dl id="summary"></dl></section>'
            '<h2>Curves</h2><p class="muted">Drag across a chart to zoom in, double-click to zoom out.</p>'
            '<div id="curves" class="charts"></div>'
            '<h2>Machine</h2><div id="machine" class="charts"></div>'
            '<h2>Settings</h2><div class="scroll"><table id="config"></table></div>'
            '<h2>Checkpoints</h2><div class="scroll"><table id="checkpoints"></table></div>'
            '<h2>Presses and alerts</h2><ul id="events"></ul>'
            + data_tag("source", {"data": f"{BASE}/runs/{quote(run_id)}/data"}))
    return shell(name, body, ("uPlot.iife.min.js", "charts.js", "run_page.js"))


def runs_table(rows: list[dict[str, Any]], filters: dict[str, str], choices: dict[str, list[tuple[str, str]]]) -> str:
    """`rows`: {"run", "owner"}; `choices`: per filter, (value, label) pairs to offer."""
    selects = "".join(_select(key, filters.get(key, ""), options) for key, options in choices.items())
    form = (f'<form method="get" action="{BASE}/runs" class="filters">{selects}'
            '<button type="submit">Filter</button></form>')
    lines = "".join(_row(row) for row in rows)
    table = ('<form method="get" action="' + BASE + '/compare"><div class="scroll"><table id="runs">'
             "<thead><tr><th>compare</th><th>run</th><th>status</th><th>owner</th><th>tags</th><th>epoch</th>"
             f"<th>best</th><th>started</th></tr></thead><tbody>{lines}</tbody></table></div>"
             '<button type="submit" id="compare">Compare the chosen runs</button></form>')
    empty = '<p id="empty">No training run that you may see matches.</p>' if not rows else ""
    return shell("Training runs", f"<h1>Training runs</h1>{form}{empty}{table}", ("local_times.js",))


def _select(key: str, chosen: str, options: list[tuple[str, str]]) -> str:
    shown = "".join(f'<option value="{escape(value)}"{" selected" if value == chosen else ""}>{escape(label)}</option>'
                    for value, label in [("", f"any {key}"), *options])
    return f'<label>{escape(key)} <select name="{escape(key)}">{shown}</select></label>'


def _row(row: dict[str, Any]) -> str:
    run = row["run"]
    of = f"/{run.total_epochs}" if run.total_epochs else ""
    best = run.best.get(run.watch) if run.watch else None
    best_text = f"{run.watch} {best['value']:.4g}" if best else ""
    started = f'<time data-unix="{run.started_at}"></time>' if run.started_at else ""
    return (f'<tr><td><input type="checkbox" name="run" value="{escape(run.run_id)}" '
            f'aria-label="compare {escape(run.name)}"></td>'
            f'<td><a href="{BASE}/runs/{quote(run.run_id)}">{escape(run.name)}</a></td>'
            f'<td class="status-{escape(run.status)}">{escape(status_of(run))}</td><td>{escape(row["owner"])}</td>'
            f'<td>{escape(", ".join(run.tags))}</td><td>{run.epochs_done}{of}</td><td>{escape(best_text)}</td>'
            f"<td>{started}</td></tr>")


def compare_page(runs: list[Any], owners: dict[str, str], settings: list[list[Any]],
                 charts: list[dict[str, Any]]) -> str:
    head = "".join(f'<th><a href="{BASE}/runs/{quote(r.run_id)}">{escape(r.name)}</a></th>' for r in runs)
    rows = [["status", *[status_of(r) for r in runs]], ["owner", *[owners[r.run_id] for r in runs]],
            ["epochs", *[str(r.epochs_done) for r in runs]], *settings]
    body = "".join("<tr>" + "".join(f"<td>{escape(str(cell))}</td>" for cell in row) + "</tr>" for row in rows)
    return shell(f"{len(runs)} runs compared",
                 f"<h1>{len(runs)} runs compared</h1>"
                 f'<p class="muted">The settings that differ, as each run started.</p>'
                 f'<div class="scroll"><table id="compared"><thead><tr><th></th>{head}</tr></thead>'
                 f"<tbody>{body}</tbody></table></div>"
                 '<h2>Curves per epoch</h2><div id="curves" class="charts"></div>'
                 + data_tag("charts", {"x": "epoch", "charts": charts}),
                 ("uPlot.iife.min.js", "charts.js", "compare.js"))
