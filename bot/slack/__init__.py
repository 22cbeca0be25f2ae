"""Talking to Slack: the Web API client every part shares (`client`), who may see what (`access`)
and who is an admin (`admins`), the member and channel directory, files put in Slack
(`uploads`), and chat.update's budget for the whole workspace (`pacing`)."""
