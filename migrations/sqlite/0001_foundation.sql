-- SQLite: UUIDs are 16-byte BLOBs, times RFC 3339 TEXT in UTC, booleans 0/1, JSON as TEXT.
-- Accounts, sessions, e-mail codes, credits, redeem codes, invitations, site data, logs.

CREATE TABLE users (
    id                    BLOB PRIMARY KEY,
    username              TEXT NOT NULL,
    email                 TEXT NOT NULL,
    phone                 TEXT,
    display_nickname      TEXT NOT NULL,
    avatar_url            TEXT,
    role                  TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin', 'enterprise_admin')),
    membership_tier       TEXT NOT NULL DEFAULT 'free' CHECK (membership_tier IN ('free', 'pro', 'max', 'ultra')),
    membership_expires_at TEXT,
    credits_balance       INTEGER NOT NULL DEFAULT 0 CHECK (credits_balance >= 0),
    invite_code           TEXT NOT NULL,
    referred_by           BLOB REFERENCES users (id) ON DELETE SET NULL,
    is_active             INTEGER NOT NULL DEFAULT 1,
    email_verified        INTEGER NOT NULL DEFAULT 0,
    email_verified_at     TEXT,
    email_bound_at        TEXT,
    preferred_theme       TEXT NOT NULL DEFAULT 'dark',
    watermark_disabled    INTEGER NOT NULL DEFAULT 0,
    password_hash         TEXT,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL
);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE UNIQUE INDEX users_phone_key ON users (phone) WHERE phone IS NOT NULL;
CREATE UNIQUE INDEX users_invite_code_key ON users (invite_code);
CREATE INDEX users_referred_by_idx ON users (referred_by);
CREATE INDEX users_created_idx ON users (created_at DESC);

CREATE TABLE sessions (
    id          BLOB PRIMARY KEY,
    user_id     BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    revoked_at  TEXT,
    ip_address  TEXT,
    user_agent  TEXT
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE email_codes (
    id            BLOB PRIMARY KEY,
    email         TEXT NOT NULL,
    purpose       TEXT NOT NULL,
    code_hash     TEXT NOT NULL,
    user_id       BLOB REFERENCES users (id) ON DELETE CASCADE,
    ip_address    TEXT,
    attempts      INTEGER NOT NULL DEFAULT 0,
    max_attempts  INTEGER NOT NULL DEFAULT 5,
    used_at       TEXT,
    locked_until  TEXT,
    expires_at    TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX email_codes_email_idx ON email_codes (email, purpose, created_at DESC);
CREATE INDEX email_codes_ip_idx ON email_codes (ip_address, created_at DESC);

CREATE TABLE credit_ledger (
    id            BLOB PRIMARY KEY,
    user_id       BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    amount        INTEGER NOT NULL,
    balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
    kind          TEXT NOT NULL,
    description   TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX credit_ledger_user_idx ON credit_ledger (user_id, created_at DESC);

CREATE TABLE invitation_referrals (
    id             BLOB PRIMARY KEY,
    invite_code    TEXT NOT NULL,
    inviter_id     BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    invitee_id     BLOB NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    inviter_bonus  INTEGER NOT NULL,
    invitee_bonus  INTEGER NOT NULL,
    created_at     TEXT NOT NULL
);
CREATE INDEX invitation_referrals_inviter_idx ON invitation_referrals (inviter_id, created_at DESC);
CREATE INDEX invitation_referrals_created_idx ON invitation_referrals (created_at DESC);

CREATE TABLE redeem_codes (
    id                        BLOB PRIMARY KEY,
    normalized_code           TEXT NOT NULL UNIQUE,
    code_type                 TEXT NOT NULL CHECK (code_type IN ('credits', 'membership')),
    credits_amount            INTEGER NOT NULL DEFAULT 0,
    membership_tier           TEXT,
    membership_duration_value INTEGER,
    membership_duration_unit  TEXT,
    batch_id                  BLOB NOT NULL,
    note                      TEXT NOT NULL DEFAULT '',
    is_active                 INTEGER NOT NULL DEFAULT 1,
    expires_at                TEXT,
    created_by                BLOB REFERENCES users (id) ON DELETE SET NULL,
    used_by                   BLOB REFERENCES users (id) ON DELETE SET NULL,
    used_at                   TEXT,
    created_at                TEXT NOT NULL,
    updated_at                TEXT NOT NULL,
    CHECK ((code_type = 'credits' AND credits_amount > 0)
        OR (code_type = 'membership' AND membership_tier IN ('pro', 'max', 'ultra')
            AND membership_duration_value > 0 AND membership_duration_unit IN ('day', 'month', 'year')))
);
CREATE INDEX redeem_codes_created_idx ON redeem_codes (created_at DESC);
CREATE INDEX redeem_codes_batch_idx ON redeem_codes (batch_id);

CREATE TABLE settings (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE site_stats (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    total_visits  INTEGER NOT NULL DEFAULT 0
);
INSERT INTO site_stats (id, total_visits) VALUES (1, 0);

CREATE TABLE announcements (
    id          BLOB PRIMARY KEY,
    title       TEXT NOT NULL,
    content     TEXT NOT NULL,
    kind        TEXT NOT NULL DEFAULT 'site',
    is_active   INTEGER NOT NULL DEFAULT 1,
    popup       INTEGER NOT NULL DEFAULT 0,
    starts_at   TEXT,
    expires_at  TEXT,
    created_by  BLOB REFERENCES users (id) ON DELETE SET NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX announcements_created_idx ON announcements (created_at DESC);

CREATE TABLE platform_logs (
    id           BLOB PRIMARY KEY,
    kind         TEXT NOT NULL,
    level        TEXT NOT NULL,
    action       TEXT NOT NULL,
    message      TEXT NOT NULL,
    user_id      BLOB,
    user_name    TEXT,
    user_email   TEXT,
    target_type  TEXT,
    target_id    TEXT,
    ip_address   TEXT,
    user_agent   TEXT,
    metadata     TEXT NOT NULL DEFAULT '{}',
    created_at   TEXT NOT NULL
);
CREATE INDEX platform_logs_created_idx ON platform_logs (created_at DESC);
CREATE INDEX platform_logs_kind_idx ON platform_logs (kind, created_at DESC);
CREATE INDEX platform_logs_user_idx ON platform_logs (user_id, created_at DESC);

CREATE TABLE rate_limits (
    key           TEXT NOT NULL,
    window_start  TEXT NOT NULL,
    hits          INTEGER NOT NULL,
    PRIMARY KEY (key, window_start)
);
CREATE INDEX rate_limits_window_idx ON rate_limits (window_start);
