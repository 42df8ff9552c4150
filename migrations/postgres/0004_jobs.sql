-- PostgreSQL. Generation jobs, credit holds, works (history and gallery), likes, model call records.

CREATE TABLE credit_holds (
    id         UUID PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    amount     BIGINT NOT NULL CHECK (amount >= 0),
    status     TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'settled', 'released')),
    created_at TIMESTAMPTZ NOT NULL,
    closed_at  TIMESTAMPTZ
);
CREATE INDEX credit_holds_open_idx ON credit_holds (user_id) WHERE status = 'open';

CREATE TABLE generation_jobs (
    id                UUID PRIMARY KEY,
    user_id           UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    mode              TEXT NOT NULL,
    model             TEXT NOT NULL,
    channel           TEXT NOT NULL DEFAULT '',
    params            JSONB NOT NULL DEFAULT '{}',
    client_request_id TEXT,
    status            TEXT NOT NULL DEFAULT 'queued'
                      CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    attempt           INTEGER NOT NULL DEFAULT 0,
    lease_owner       TEXT,
    lease_expires_at  TIMESTAMPTZ,
    heartbeat_at      TIMESTAMPTZ,
    upstream_task_id  TEXT,
    next_poll_at      TIMESTAMPTZ,
    deadline_at       TIMESTAMPTZ NOT NULL,
    hold_id           UUID REFERENCES credit_holds (id) ON DELETE SET NULL,
    estimated_cost    BIGINT NOT NULL DEFAULT 0,
    actual_cost       BIGINT,
    error_code        TEXT,
    error_message     TEXT,
    result            JSONB NOT NULL DEFAULT '[]',
    created_at        TIMESTAMPTZ NOT NULL,
    started_at        TIMESTAMPTZ,
    finished_at       TIMESTAMPTZ,
    updated_at        TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX generation_jobs_client_request_key ON generation_jobs (user_id, client_request_id)
    WHERE client_request_id IS NOT NULL;
CREATE INDEX generation_jobs_queue_idx ON generation_jobs (created_at) WHERE status = 'queued';
CREATE INDEX generation_jobs_lease_idx ON generation_jobs (lease_expires_at) WHERE status = 'running';
CREATE INDEX generation_jobs_user_idx ON generation_jobs (user_id, created_at DESC);
CREATE INDEX generation_jobs_status_idx ON generation_jobs (status, updated_at DESC);

CREATE TABLE works (
    id              UUID PRIMARY KEY,
    user_id         UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    job_id          UUID REFERENCES generation_jobs (id) ON DELETE SET NULL,
    mode            TEXT NOT NULL,
    prompt          TEXT NOT NULL DEFAULT '',
    negative_prompt TEXT NOT NULL DEFAULT '',
    params          JSONB NOT NULL DEFAULT '{}',
    original_key    TEXT NOT NULL,
    thumbnail_key   TEXT,
    width           INTEGER,
    height          INTEGER,
    duration_secs   DOUBLE PRECISION,
    model           TEXT NOT NULL DEFAULT '',
    credits_cost    BIGINT NOT NULL DEFAULT 0,
    is_public       BOOLEAN NOT NULL DEFAULT FALSE,
    published_at    TIMESTAMPTZ,
    like_count      BIGINT NOT NULL DEFAULT 0 CHECK (like_count >= 0),
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX works_user_idx ON works (user_id, created_at DESC, id DESC);
CREATE INDEX works_gallery_latest_idx ON works (published_at DESC, id DESC) WHERE is_public;
CREATE INDEX works_gallery_popular_idx ON works (like_count DESC, published_at DESC, id DESC) WHERE is_public;

CREATE TABLE work_likes (
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    work_id    UUID NOT NULL REFERENCES works (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, work_id)
);
CREATE INDEX work_likes_work_idx ON work_likes (work_id);

CREATE TABLE model_call_records (
    id            UUID PRIMARY KEY,
    user_id       UUID REFERENCES users (id) ON DELETE SET NULL,
    job_id        UUID UNIQUE REFERENCES generation_jobs (id) ON DELETE SET NULL,
    source        TEXT NOT NULL,
    operation     TEXT NOT NULL,
    model         TEXT NOT NULL DEFAULT '',
    channel       TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'queued',
    credits_cost  BIGINT NOT NULL DEFAULT 0,
    result_count  INTEGER NOT NULL DEFAULT 0,
    duration_ms   BIGINT NOT NULL DEFAULT 0,
    error         TEXT,
    metadata      JSONB NOT NULL DEFAULT '{}',
    created_at    TIMESTAMPTZ NOT NULL,
    started_at    TIMESTAMPTZ,
    finished_at   TIMESTAMPTZ
);
CREATE INDEX model_call_records_created_idx ON model_call_records (created_at DESC);
CREATE INDEX model_call_records_user_idx ON model_call_records (user_id, created_at DESC);
