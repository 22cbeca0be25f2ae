"""Sloth's HTTP side: the server with /healthz and /metrics (`server`), its connection caps
(`gate`) and time limits (`timeouts`), and the caller checks a feature's routes use (`route_auth`)."""
