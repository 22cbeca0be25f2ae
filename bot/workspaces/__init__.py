"""Many workspaces (SLOTH_WORKSPACES=many): Sloth installed into workspaces through /slack/install.

Each installation (`installations`) keeps its workspace's bot token sealed in the store; each
workspace served (`serving`) gets a core of its own (bot.features.core): its client, directory,
access, edit pacing and every store key under `workspace:<team ID>:`, so nothing of one workspace
is visible from another. The OAuth pages (`install_pages`) install the bot and pass members'
own connect flow to their workspace. With one workspace (the default) none of this runs.
"""
