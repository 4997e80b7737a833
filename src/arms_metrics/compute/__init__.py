"""Compute: stage the accepted rows in DuckDB and turn them into indicator cells.

``indicators.compute`` is the entry point; ``warehouse`` runs the SQL models (staging,
intermediate, the population views, the checks); ``semantic`` measures each population
(one GROUPING SETS query per population) into the indicators of the registry.
"""
