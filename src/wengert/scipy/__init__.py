"""TEMP package init so the scipy-rest modules import before the merge (scipy-special's wins)."""
