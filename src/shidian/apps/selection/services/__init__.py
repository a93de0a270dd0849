"""Writes of the selection app, one module per step; every write is atomic and audited, and
checks its permission through core.access before it changes anything."""
