"""Anonymized usage statistics: recording, unique counts, reports, the /stats dashboard."""
