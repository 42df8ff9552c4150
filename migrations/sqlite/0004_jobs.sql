-- Generation jobs, credit holds, works (history and gallery), likes, model call records.

CREATE TABLE credit_holds (
    id         BLOB PRIMARY KEY,
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    amount     INTEGER NOT NULL CHECK (amount >= 0),
    status     TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'settled', 'released')),
    created_at TEXT NOT NULL,
    closed_at  TEXT
);
CREATE INDEX credit_holds_open_idx ON credit_holds (user_id) WHERE status = 'open';

CREATE TABLE generation_jobs (
    id                BLOB PRIMARY KEY,
    user_id           BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    mode              TEXT NOT NULL,
    model             TEXT NOT NULL,
    channel           TEXT NOT NULL DEFAULT '',
    params            TEXT NOT NULL DEFAULT '{}',
    client_request_id TEXT,
    status            TEXT NOT NULL DEFAULT 'queued'
                      CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    attempt           INTEGER NOT NULL DEFAULT 0,
    lease_owner       TEXT,
    lease_expires_at  TEXT,
    heartbeat_at      TEXT,
    upstream_task_id  TEXT,
    next_poll_at      TEXT,
    deadline_at       TEXT NOT NULL,
    hold_id           BLOB REFERENCES credit_holds (id) ON DELETE SET NULL,
    estimated_cost    INTEGER NOT NULL DEFAULT 0,
    actual_cost       INTEGER,
    error_code        TEXT,
    error_message     TEXT,
    result            TEXT NOT NULL DEFAULT '[]',
    created_at        TEXT NOT NULL,
    started_at        TEXT,
    finished_at       TEXT,
    updated_at        TEXT NOT NULL
);
CREATE UNIQUE INDEX generation_jobs_client_request_key ON generation_jobs (user_id, client_request_id)
    WHERE client_request_id IS NOT NULL;
CREATE INDEX generation_jobs_queue_idx ON generation_jobs (created_at) WHERE status = 'queued';
CREATE INDEX generation_jobs_lease_idx ON generation_jobs (lease_expires_at) WHERE status = 'running';
CREATE INDEX generation_jobs_user_idx ON generation_jobs (user_id, created_at DESC);
CREATE INDEX generation_jobs_status_idx ON generation_jobs (status, updated_at DESC);

CREATE TABLE works (
    id              BLOB PRIMARY KEY,
    user_id         BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    job_id          BLOB REFERENCES generation_jobs (id) ON DELETE SET NULL,
    mode            TEXT NOT NULL,
    prompt          TEXT NOT NULL DEFAULT '',
    negative_prompt TEXT NOT NULL DEFAULT '',
    params          TEXT NOT NULL DEFAULT '{}',
    original_key    TEXT NOT NULL,
    thumbnail_key   TEXT,
    width           INTEGER,
    height          INTEGER,
    duration_secs   REAL,
    model           TEXT NOT NULL DEFAULT '',
    credits_cost    INTEGER NOT NULL DEFAULT 0,
    is_public       INTEGER NOT NULL DEFAULT 0,
    published_at    TEXT,
    like_count      INTEGER NOT NULL DEFAULT 0 CHECK (like_count >= 0),
    created_at      TEXT NOT NULL
);
CREATE INDEX works_user_idx ON works (user_id, created_at DESC, id DESC);
CREATE INDEX works_gallery_latest_idx ON works (published_at DESC, id DESC) WHERE is_public = 1;
CREATE INDEX works_gallery_popular_idx ON works (like_count DESC, published_at DESC, id DESC) WHERE is_public = 1;

CREATE TABLE work_likes (
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    work_id    BLOB NOT NULL REFERENCES works (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, work_id)
);
CREATE INDEX work_likes_work_idx ON work_likes (work_id);

CREATE TABLE model_call_records (
    id            BLOB PRIMARY KEY,
    user_id       BLOB REFERENCES users (id) ON DELETE SET NULL,
    job_id        BLOB UNIQUE REFERENCES generation_jobs (id) ON DELETE SET NULL,
    source        TEXT NOT NULL,
    operation     TEXT NOT NULL,
    model         TEXT NOT NULL DEFAULT '',
    channel       TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'queued',
    credits_cost  INTEGER NOT NULL DEFAULT 0,
    result_count  INTEGER NOT NULL DEFAULT 0,
    duration_ms   INTEGER NOT NULL DEFAULT 0,
    error         TEXT,
    metadata      TEXT NOT NULL DEFAULT '{}',
    created_at    TEXT NOT NULL,
    started_at    TEXT,
    finished_at   TEXT
);
CREATE INDEX model_call_records_created_idx ON model_call_records (created_at DESC);
CREATE INDEX model_call_records_user_idx ON model_call_records (user_id, created_at DESC);
