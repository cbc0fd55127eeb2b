-- 0005: the instances managed compute environments launched (issue 6), kept
-- after they terminate so that cost reports can price them.
--
-- The document is codec::ToJson(Instance); the columns are what listings
-- filter on. launched_at and terminated_at are epoch milliseconds;
-- terminated_at is NULL while the instance lives, so the partial index holds
-- only live instances, which the fleet controller reads at startup.
CREATE TABLE instances (
  id TEXT PRIMARY KEY,
  compute_environment TEXT NOT NULL,
  state TEXT NOT NULL,
  launched_at INTEGER NOT NULL,
  terminated_at INTEGER,
  version INTEGER NOT NULL,
  doc TEXT NOT NULL
) WITHOUT ROWID;

CREATE INDEX instances_live ON instances (launched_at, id) WHERE terminated_at IS NULL;
CREATE INDEX instances_by_launch ON instances (launched_at, id);
