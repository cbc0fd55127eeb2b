-- 0002: jobs and the log lines of their attempts.
--
-- `doc` is the whole Job (attempts included) as codec::ToJson(const Job&)
-- writes it; the other columns are copies of the keys SQL filters and orders
-- by, and what a read returns for them. `version` is the compare-and-set
-- counter, as in 0001. created_at is epoch milliseconds.
CREATE TABLE jobs (
  id         TEXT NOT NULL PRIMARY KEY,
  queue      TEXT NOT NULL,
  status     TEXT NOT NULL CHECK (status IN ('SUBMITTED', 'PENDING', 'RUNNABLE', 'STARTING',
                                             'RUNNING', 'SUCCEEDED', 'FAILED')),
  name       TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  version    INTEGER NOT NULL,
  doc        TEXT NOT NULL
) STRICT;

-- ListJobs by status (the scheduler's RUNNABLE scan, ListJobs' jobStatus) and
-- by queue alone (ListJobs with filters), both in (created_at, id) order.
CREATE INDEX jobs_by_status ON jobs (status, queue, created_at, id);
CREATE INDEX jobs_by_queue ON jobs (queue, created_at, id);

-- One row per line of an attempt's output. (stream, sequence) is the key, so
-- appends are idempotent (INSERT OR IGNORE) and ranges read in key order.
CREATE TABLE log_lines (
  stream         TEXT NOT NULL,
  sequence       INTEGER NOT NULL,
  timestamp_ms   INTEGER NOT NULL,
  ingested_at_ms INTEGER NOT NULL,
  message        TEXT NOT NULL,
  PRIMARY KEY (stream, sequence)
) STRICT, WITHOUT ROWID;
