"""Compute: stage the accepted rows in DuckDB and turn them into indicator cells.

``indicators.compute`` is the entry point; ``warehouse`` runs the SQL models.
"""
