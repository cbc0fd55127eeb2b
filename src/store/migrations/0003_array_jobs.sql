-- 0003: array jobs (issue 5). A child "<parent>:<index>" is a row of its own
-- (status, version and its own run), but its `doc` holds only what the child
-- changes itself (codec::ArrayChildStateToJson); the rest is read from the
-- parent's row. array_parent / array_index are NULL for every other job.
--
-- The table is rebuilt WITHOUT ROWID: every read and write goes by `id`, so
-- the rowid b-tree beside the primary key index was one more b-tree to
-- update per insert for nothing; a 10,000-child array inserts 10,000 rows in
-- one commit, and that b-tree was a third of the time.
CREATE TABLE jobs_0003 (
  id           TEXT NOT NULL PRIMARY KEY,
  queue        TEXT NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('SUBMITTED', 'PENDING', 'RUNNABLE', 'STARTING',
                                               'RUNNING', 'SUCCEEDED', 'FAILED')),
  name         TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  version      INTEGER NOT NULL,
  doc          TEXT NOT NULL,
  array_parent TEXT,
  array_index  INTEGER
) STRICT, WITHOUT ROWID;
INSERT INTO jobs_0003 (id, queue, status, name, created_at, version, doc)
  SELECT id, queue, status, name, created_at, version, doc FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_0003 RENAME TO jobs;

-- The scheduler's RUNNABLE scan and ListJobs' jobStatus, children included.
CREATE INDEX jobs_by_status ON jobs (status, queue, created_at, id);

-- No index of its own for an array's children: their ids "<parent>:<i>" are
-- one range of the primary key ("<parent>:" < id < "<parent>;"), which
-- ListArrayChildren reads; a third b-tree per child would cost a fifth of a
-- 10,000-child submit.

-- ListJobs on a queue shows parents and plain jobs, never children (AWS):
-- partial indexes keep a queue's listing from stepping over 10,000 children
-- per array. (0002's jobs_by_queue was only ever used for such listings.)
CREATE INDEX jobs_top_by_queue ON jobs (queue, created_at, id) WHERE array_parent IS NULL;
CREATE INDEX jobs_top_by_status ON jobs (status, queue, created_at, id)
  WHERE array_parent IS NULL;
