"""Nominations: the behaviours catalogue, the rules every platform shares, one-line
parsing and the use cases that record a nomination or an endorsement."""
