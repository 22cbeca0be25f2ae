"""The feature machinery. What a feature declares (`router`; what reaches a handler: `invocation`)
and how a command line is matched against it (`grammar`); loading and combining every feature
(`loader`, `registry`, with what each owns: `ownership`, `routes`); what its handlers are given
(`context`, `catalogue`, `places`, `rerun`, signed links to its pages: `member_links`) and what
Sloth's own machinery works with (`core`); jobs, the app manifest and the scopes each command needs."""
