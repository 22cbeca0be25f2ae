"""Members' own tokens, so Sloth can act as them: `connect` and `disconnect` and the two OAuth pages
(`feature`, `commands`, `pages`), tokens sealed in the store (`tokens`, `sealing`), and the client
that acts as a member for commands declared with `token="user"` (`members`).

It is Sloth's own machinery (the secret key, the app's OAuth secret, every member's token), loaded
as the built-in feature `connect`; besides the core feature it is the only one whose context
reaches the core. No feature in `handlers/` touches a member's token.
"""
