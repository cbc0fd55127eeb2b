-- 0001: the AWS Batch resources.
--
-- One table per kind. `doc` is the resource as codec::ToJson writes it (the
-- AWS describe shape) and is what the store reads back; the other columns are
-- copies of its keys that SQL filters and orders by. `version` is the store's
-- compare-and-set counter and lives only here, never in `doc`. An absent ARN
-- is NULL, so UNIQUE ignores it.
CREATE TABLE compute_environments (
  name    TEXT NOT NULL PRIMARY KEY,
  arn     TEXT UNIQUE,
  version INTEGER NOT NULL,
  doc     TEXT NOT NULL
) STRICT;

CREATE TABLE job_queues (
  name    TEXT NOT NULL PRIMARY KEY,
  arn     TEXT UNIQUE,
  version INTEGER NOT NULL,
  doc     TEXT NOT NULL
) STRICT;

CREATE TABLE scheduling_policies (
  name    TEXT NOT NULL PRIMARY KEY,
  arn     TEXT UNIQUE,
  version INTEGER NOT NULL,
  doc     TEXT NOT NULL
) STRICT;

-- Revisions are never deleted: deregistering sets status INACTIVE, so
-- MAX(revision) per name is the highest revision ever registered.
CREATE TABLE job_definitions (
  name     TEXT NOT NULL,
  revision INTEGER NOT NULL,
  status   TEXT NOT NULL CHECK (status IN ('ACTIVE', 'INACTIVE')),
  arn      TEXT,
  version  INTEGER NOT NULL,
  doc      TEXT NOT NULL,
  PRIMARY KEY (name, revision)
) STRICT;

CREATE INDEX job_definitions_by_status ON job_definitions (status, name, revision);
