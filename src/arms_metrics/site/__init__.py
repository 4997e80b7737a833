"""The public site: pages, charts, per-table CSV, the data package and DCAT-US catalog.

``render.render_site`` writes the HTML; ``downloads`` writes the machine-readable files.
"""
