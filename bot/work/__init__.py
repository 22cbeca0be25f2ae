"""Where work runs besides the request: background tasks and the envelope workers (`supervisor`),
features' handlers on the loop or in threads (`blocking`), worker processes for charts and
exports (`cpu`), and the metrics that count it all.

Imported by the worker processes' fork server (`cpu_priority`): it holds nothing else."""
