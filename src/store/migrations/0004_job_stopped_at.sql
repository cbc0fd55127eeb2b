-- 0004: when each ended job stopped, so that completed jobs can be expired
-- after the retention period (barge server --job-retention) without scanning
-- every job.
--
-- stopped_at is epoch milliseconds, set only while the job is SUCCEEDED or
-- FAILED (store/job_expiry.h JobEndedAt: the document's stoppedAt, else its
-- created_at) and NULL before, so the partial index below holds ended jobs
-- alone. Rows written before this migration take it from their document.
ALTER TABLE jobs ADD COLUMN stopped_at INTEGER;

UPDATE jobs SET stopped_at = COALESCE(json_extract(doc, '$.stoppedAt'), created_at)
  WHERE status IN ('SUCCEEDED', 'FAILED');

-- DeleteJobsEndedBefore: the oldest ended jobs first, (stopped_at, id).
CREATE INDEX jobs_by_stopped_at ON jobs (stopped_at, id) WHERE stopped_at IS NOT NULL;
