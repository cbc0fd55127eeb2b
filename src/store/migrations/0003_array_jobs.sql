-- 0003: array jobs (issue 5). A child "<parent>:<index>" is a row of its own
-- (status, version and its own run), but its `doc` holds only what the child
-- changes itself (codec::ArrayChildStateToJson); the rest is read from the
-- parent's row. array_parent / array_index are NULL for every other job.
ALTER TABLE jobs ADD COLUMN array_parent TEXT;
ALTER TABLE jobs ADD COLUMN array_index INTEGER;

-- ListJobs with arrayJobId: one array's children in index order.
CREATE INDEX jobs_array_children ON jobs (array_parent, array_index)
  WHERE array_parent IS NOT NULL;

-- ListJobs on a queue shows parents and plain jobs, never children (AWS):
-- partial indexes keep a queue's listing from stepping over 10,000 children
-- per array. jobs_by_status stays whole for the scheduler, which does want
-- the RUNNABLE children; jobs_by_queue was only ever used for listings.
DROP INDEX jobs_by_queue;
CREATE INDEX jobs_top_by_queue ON jobs (queue, created_at, id) WHERE array_parent IS NULL;
CREATE INDEX jobs_top_by_status ON jobs (status, queue, created_at, id)
  WHERE array_parent IS NULL;
