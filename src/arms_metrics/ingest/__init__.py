"""Ingest: read each input table, parse it, validate it with pandera, quarantine bad rows.

``load.ingest`` is the entry point; it returns the accepted rows of every table present.
"""
