"""Writes on votes, comments and reads, one module per concern (Zulip's `actions/` layout):
`votes`, `comments`, `reads` (the beacon's side). Applying queued reads is a job: social/jobs.py.
"""
