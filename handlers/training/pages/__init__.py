"""The training runs' web pages, served by Sloth itself: a page per run (curves per step, the
machine over time, settings, checkpoints, presses and alerts, updated live), a table of runs
with filters, and a comparison of any number of runs.

A member gets in through a signed link Sloth sends them in Slack (`links`: the card's "Run
page" button, or `runs page`), which opens a session for them alone (bot.features.member_links).
Every request shows only the runs that member may see, as `runs` does (`service.visible_to`).
The pages (`html`) load nothing from elsewhere: their scripts, styles and the charting library
(uPlot, MIT, in `static/` with its license) come from Sloth (`routes`). What they draw is made
by pure functions (`curves`, `view`).
"""
