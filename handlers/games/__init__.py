"""In-message games: pure rules in ``rules/``, Slack rendering and handlers beside them.

The feature itself (its router and settings) is `handlers.games.feature`, so that importing
the rules alone loads nothing of Slack.
"""
