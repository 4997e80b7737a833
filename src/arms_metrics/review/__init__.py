"""The task force's internal quarterly review pack (``arms-metrics review-pack``): the
quarter's main figures against their targets, unsuppressed, the priority platforms against
the rest, the oldest items of each backlog and the offers about to expire, record by
record, as HTML, PDF and JSON (aggregates only). Never written into a site."""
