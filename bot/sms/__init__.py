"""SMS specifics: segment counting, encodings, paging."""
