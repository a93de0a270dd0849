"""The selection's Run kinds, one module per step that runs the engine in the background."""
