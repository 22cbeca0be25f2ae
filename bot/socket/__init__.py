"""Socket Mode, where a request comes in: every envelope read and acked at once on a thread of its
own (`thread`, `client`), then handed to `bot.handling`."""
