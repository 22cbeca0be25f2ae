"""An envelope the socket acked, handled to the end: queued and each event once (`envelopes`), turned
into one `Invocation` or `Click` (`entry`), run under one error boundary (`dispatch`, with a
member's `turns` under a command's limit), and the reply said where it was asked (`respond`)."""
