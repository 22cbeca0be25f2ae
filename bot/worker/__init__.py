"""`sloth worker`: runs the job queue's jobs (charts, exports, training pictures, Sloth's moves)
for every replica sharing a Redis store, on this machine or another; as many as the work needs.

`jobs` is what one job does (make what its task makes; upload a file for the member who asked,
with the checks the replica would make), `lifecycle` the process around it."""
