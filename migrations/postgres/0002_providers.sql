-- Upstream models: platform system APIs, users' own keys, the provider catalogue,
-- model recommendations, image style presets and shared channel health.
-- JSON documents (tiers, usage modes, capabilities, manifests, pricing) are JSONB.

CREATE TABLE system_api_configs (
    id                 UUID PRIMARY KEY,
    provider           TEXT NOT NULL DEFAULT '',
    name               TEXT NOT NULL,
    api_url            TEXT NOT NULL DEFAULT '',
    model_name         TEXT NOT NULL,
    model_group        TEXT NOT NULL DEFAULT 'default',
    note               TEXT NOT NULL DEFAULT '',
    type               TEXT NOT NULL DEFAULT 'image' CHECK (type IN ('image', 'video', 'text')),
    protocol           TEXT NOT NULL DEFAULT 'openai' CHECK (protocol IN ('openai', 'manifest')),
    manifest           JSONB,
    capabilities       JSONB NOT NULL DEFAULT '{}',
    api_key_encrypted  TEXT NOT NULL DEFAULT '',
    api_key_preview    TEXT NOT NULL DEFAULT '',
    pricing            JSONB NOT NULL,
    price_note         TEXT NOT NULL DEFAULT '',
    allowed_membership_tiers JSONB NOT NULL DEFAULT '["free","pro","max","ultra"]',
    is_default         BOOLEAN NOT NULL DEFAULT TRUE,
    is_active          BOOLEAN NOT NULL DEFAULT TRUE,
    polling_mode       TEXT NOT NULL DEFAULT 'sequential' CHECK (polling_mode IN ('sequential', 'random', 'custom')),
    polling_order      INTEGER NOT NULL DEFAULT 0,
    video_usage_modes  JSONB NOT NULL DEFAULT '["text-to-video","image-to-video"]',
    sort_order         INTEGER NOT NULL DEFAULT 0,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX system_api_configs_offer_idx ON system_api_configs (is_active, is_default, name, sort_order);
CREATE INDEX system_api_configs_candidates_idx ON system_api_configs (type, name, is_default, is_active);

CREATE TABLE user_api_keys (
    id                 UUID PRIMARY KEY,
    user_id            UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider           TEXT NOT NULL DEFAULT '',
    supplier_name      TEXT NOT NULL DEFAULT '',
    api_url            TEXT NOT NULL DEFAULT '',
    model_name         TEXT NOT NULL DEFAULT '',
    note               TEXT NOT NULL DEFAULT '',
    type               TEXT NOT NULL DEFAULT 'image' CHECK (type IN ('image', 'video', 'text')),
    protocol           TEXT NOT NULL DEFAULT 'openai' CHECK (protocol IN ('openai', 'manifest')),
    manifest           JSONB,
    capabilities       JSONB NOT NULL DEFAULT '{}',
    api_key_encrypted  TEXT NOT NULL DEFAULT '',
    api_key_preview    TEXT NOT NULL DEFAULT '',
    is_active          BOOLEAN NOT NULL DEFAULT TRUE,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX user_api_keys_user_idx ON user_api_keys (user_id, created_at DESC);

CREATE TABLE api_providers (
    id               UUID PRIMARY KEY,
    name             TEXT NOT NULL,
    default_api_url  TEXT NOT NULL DEFAULT '',
    default_model    TEXT NOT NULL DEFAULT '',
    type             TEXT NOT NULL DEFAULT 'image' CHECK (type IN ('image', 'video', 'text')),
    website          TEXT NOT NULL DEFAULT '',
    is_active        BOOLEAN NOT NULL DEFAULT TRUE,
    sort_order       INTEGER NOT NULL DEFAULT 0,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX api_providers_name_key ON api_providers (name);

CREATE TABLE model_recommendations (
    id            UUID PRIMARY KEY,
    model_name    TEXT NOT NULL,
    display_name  TEXT NOT NULL DEFAULT '',
    type          TEXT NOT NULL DEFAULT 'image' CHECK (type IN ('image', 'video', 'text')),
    provider_id   UUID REFERENCES api_providers (id) ON DELETE SET NULL,
    is_active     BOOLEAN NOT NULL DEFAULT TRUE,
    sort_order    INTEGER NOT NULL DEFAULT 0,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX model_recommendations_provider_idx ON model_recommendations (provider_id);

CREATE TABLE image_style_presets (
    id           UUID PRIMARY KEY,
    label        TEXT NOT NULL,
    prompt       TEXT NOT NULL,
    usage_count  BIGINT NOT NULL DEFAULT 0,
    is_active    BOOLEAN NOT NULL DEFAULT TRUE,
    sort_order   INTEGER NOT NULL DEFAULT 0,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX image_style_presets_label_key ON image_style_presets (label);

CREATE TABLE channel_health (
    channel_id       UUID PRIMARY KEY REFERENCES system_api_configs (id) ON DELETE CASCADE,
    window_start     TIMESTAMPTZ NOT NULL,
    errors_current   BIGINT NOT NULL DEFAULT 0,
    errors_previous  BIGINT NOT NULL DEFAULT 0,
    successes        BIGINT NOT NULL DEFAULT 0,
    frozen_until     TIMESTAMPTZ,
    last_error       TEXT,
    last_error_at    TIMESTAMPTZ,
    last_success_at  TIMESTAMPTZ,
    last_probe_at    TIMESTAMPTZ,
    updated_at       TIMESTAMPTZ NOT NULL
);
