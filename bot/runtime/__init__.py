"""Sloth's lifecycle: settings and features read once (`configure`), `Runtime` opening, running and
closing everything (`lifecycle`), each feature's context bound to the shared services
(`contexts`), Sloth's own always-on feature (`core_feature`), the loop watch and the logs."""
