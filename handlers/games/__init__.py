"""In-message games: pure rules in ``rules/``, Slack rendering and handlers beside them."""
