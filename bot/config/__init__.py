"""Settings read once from the environment: Sloth's own (`settings`), each feature's
(`feature_settings`), per-member limits (`limits`), and `Problems`, every problem found at once."""
