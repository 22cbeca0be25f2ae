"""Modals: a form for every command, the menu that picks one, and what their submissions mean.

A member opens the menu with `/sloth` alone or the "Sloth…" shortcut (`bot.handling.forms`),
picks a command, and gets its form, generated from the command's parameters (`forms`) unless
the command brings its own. Each view carries a sealed `private_metadata` (`metadata`): who it
was opened for, where it was opened and what to run, so a forged submission cannot act for
another member, run another command or answer elsewhere. A submission is read by one pure
function (`submissions`): the ack path calls it for the `response_action` Slack takes only in
the ack (errors under their fields, the next view), and the main loop calls it again to run
the command through the one dispatch, as if it had been typed.
"""
