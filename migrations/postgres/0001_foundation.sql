-- Accounts, sessions, e-mail codes, credits, redeem codes, invitations, site data, logs.

CREATE TABLE users (
    id                    UUID PRIMARY KEY,
    username              TEXT NOT NULL,
    email                 TEXT NOT NULL,
    phone                 TEXT,
    display_nickname      TEXT NOT NULL,
    avatar_url            TEXT,
    role                  TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin', 'enterprise_admin')),
    membership_tier       TEXT NOT NULL DEFAULT 'free' CHECK (membership_tier IN ('free', 'pro', 'max', 'ultra')),
    membership_expires_at TIMESTAMPTZ,
    credits_balance       BIGINT NOT NULL DEFAULT 0 CHECK (credits_balance >= 0),
    invite_code           TEXT NOT NULL,
    referred_by           UUID REFERENCES users (id) ON DELETE SET NULL,
    is_active             BOOLEAN NOT NULL DEFAULT TRUE,
    email_verified        BOOLEAN NOT NULL DEFAULT FALSE,
    email_verified_at     TIMESTAMPTZ,
    email_bound_at        TIMESTAMPTZ,
    preferred_theme       TEXT NOT NULL DEFAULT 'dark',
    watermark_disabled    BOOLEAN NOT NULL DEFAULT FALSE,
    password_hash         TEXT,
    created_at            TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE UNIQUE INDEX users_phone_key ON users (phone) WHERE phone IS NOT NULL;
CREATE UNIQUE INDEX users_invite_code_key ON users (invite_code);
CREATE INDEX users_referred_by_idx ON users (referred_by);
CREATE INDEX users_created_idx ON users (created_at DESC);

CREATE TABLE sessions (
    id          UUID PRIMARY KEY,
    user_id     UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    revoked_at  TIMESTAMPTZ,
    ip_address  TEXT,
    user_agent  TEXT
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE email_codes (
    id            UUID PRIMARY KEY,
    email         TEXT NOT NULL,
    purpose       TEXT NOT NULL,
    code_hash     TEXT NOT NULL,
    user_id       UUID REFERENCES users (id) ON DELETE CASCADE,
    ip_address    TEXT,
    attempts      INTEGER NOT NULL DEFAULT 0,
    max_attempts  INTEGER NOT NULL DEFAULT 5,
    used_at       TIMESTAMPTZ,
    locked_until  TIMESTAMPTZ,
    expires_at    TIMESTAMPTZ NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX email_codes_email_idx ON email_codes (email, purpose, created_at DESC);
CREATE INDEX email_codes_ip_idx ON email_codes (ip_address, created_at DESC);

CREATE TABLE credit_ledger (
    id            UUID PRIMARY KEY,
    user_id       UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    amount        BIGINT NOT NULL,
    balance_after BIGINT NOT NULL CHECK (balance_after >= 0),
    kind          TEXT NOT NULL,
    description   TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX credit_ledger_user_idx ON credit_ledger (user_id, created_at DESC);

CREATE TABLE invitation_referrals (
    id             UUID PRIMARY KEY,
    invite_code    TEXT NOT NULL,
    inviter_id     UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    invitee_id     UUID NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    inviter_bonus  BIGINT NOT NULL,
    invitee_bonus  BIGINT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX invitation_referrals_inviter_idx ON invitation_referrals (inviter_id, created_at DESC);
CREATE INDEX invitation_referrals_created_idx ON invitation_referrals (created_at DESC);

CREATE TABLE redeem_codes (
    id                        UUID PRIMARY KEY,
    normalized_code           TEXT NOT NULL UNIQUE,
    code_type                 TEXT NOT NULL CHECK (code_type IN ('credits', 'membership')),
    credits_amount            BIGINT NOT NULL DEFAULT 0,
    membership_tier           TEXT,
    membership_duration_value BIGINT,
    membership_duration_unit  TEXT,
    batch_id                  UUID NOT NULL,
    note                      TEXT NOT NULL DEFAULT '',
    is_active                 BOOLEAN NOT NULL DEFAULT TRUE,
    expires_at                TIMESTAMPTZ,
    created_by                UUID REFERENCES users (id) ON DELETE SET NULL,
    used_by                   UUID REFERENCES users (id) ON DELETE SET NULL,
    used_at                   TIMESTAMPTZ,
    created_at                TIMESTAMPTZ NOT NULL,
    updated_at                TIMESTAMPTZ NOT NULL,
    CHECK ((code_type = 'credits' AND credits_amount > 0)
        OR (code_type = 'membership' AND membership_tier IN ('pro', 'max', 'ultra')
            AND membership_duration_value > 0 AND membership_duration_unit IN ('day', 'month', 'year')))
);
CREATE INDEX redeem_codes_created_idx ON redeem_codes (created_at DESC);
CREATE INDEX redeem_codes_batch_idx ON redeem_codes (batch_id);

CREATE TABLE settings (
    key         TEXT PRIMARY KEY,
    value       JSONB NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE site_stats (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    total_visits  BIGINT NOT NULL DEFAULT 0
);
INSERT INTO site_stats (id, total_visits) VALUES (1, 0);

CREATE TABLE announcements (
    id          UUID PRIMARY KEY,
    title       TEXT NOT NULL,
    content     TEXT NOT NULL,
    kind        TEXT NOT NULL DEFAULT 'site',
    is_active   BOOLEAN NOT NULL DEFAULT TRUE,
    popup       BOOLEAN NOT NULL DEFAULT FALSE,
    starts_at   TIMESTAMPTZ,
    expires_at  TIMESTAMPTZ,
    created_by  UUID REFERENCES users (id) ON DELETE SET NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX announcements_created_idx ON announcements (created_at DESC);

CREATE TABLE platform_logs (
    id           UUID PRIMARY KEY,
    kind         TEXT NOT NULL,
    level        TEXT NOT NULL,
    action       TEXT NOT NULL,
    message      TEXT NOT NULL,
    user_id      UUID,
    user_name    TEXT,
    user_email   TEXT,
    target_type  TEXT,
    target_id    TEXT,
    ip_address   TEXT,
    user_agent   TEXT,
    metadata     JSONB NOT NULL DEFAULT '{}',
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX platform_logs_created_idx ON platform_logs (created_at DESC);
CREATE INDEX platform_logs_kind_idx ON platform_logs (kind, created_at DESC);
CREATE INDEX platform_logs_user_idx ON platform_logs (user_id, created_at DESC);

CREATE TABLE rate_limits (
    key           TEXT NOT NULL,
    window_start  TIMESTAMPTZ NOT NULL,
    hits          BIGINT NOT NULL,
    PRIMARY KEY (key, window_start)
);
CREATE INDEX rate_limits_window_idx ON rate_limits (window_start);
