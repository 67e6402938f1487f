"""Reads: the score documents (`scores.py`, cached in snapshots and read by every surface)
and the counts the consultant's pages show (`campaigns.py`). Nothing here writes, except
`scores.py` storing the snapshot it computed."""
