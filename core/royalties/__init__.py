"""Plays and royalties (ROYALTIES.md): pure rules, exact money, double-entry postings.

``money`` (micro-units, largest remainder), ``rules`` (versioned
configuration), ``periods``, ``ingest`` (JSONL lines → play events),
``qualification``, ``fraud``, ``allocation`` (pro-rata, user-centric,
artist-centric), ``ledger`` (postings, reversals), ``statements``, ``dsr``
and ``run_id``. Nothing here does I/O; storage aggregates in SQL and feeds
these functions.
"""
