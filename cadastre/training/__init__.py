"""Training workspace: scenarios, deterministic resets, task checks, trainer page, offline packs."""
