-- A job's model-call record is found by its job id when the job is claimed and settled; without
-- this index every claim and settlement scanned the whole table.
CREATE INDEX model_call_records_job_idx ON model_call_records (job_id);

-- Each worker lists its own due upstream polls.
CREATE INDEX generation_jobs_due_poll_idx ON generation_jobs (lease_owner, next_poll_at)
    WHERE status = 'running' AND upstream_task_id IS NOT NULL;
