-- Upstream models: platform system APIs, users' own keys, the provider catalogue,
-- model recommendations, image style presets and shared channel health.
-- JSON documents (tiers, usage modes, capabilities, manifests, pricing) are TEXT.

CREATE TABLE system_api_configs (
    id                 BLOB PRIMARY KEY,
    provider           TEXT NOT NULL DEFAULT '',
    name               TEXT NOT NULL,
    api_url            TEXT NOT NULL DEFAULT '',
    model_name         TEXT NOT NULL,
    model_group        TEXT NOT NULL DEFAULT 'default',
    note               TEXT NOT NULL DEFAULT '',
    type               TEXT NOT NULL DEFAULT 'image' CHECK (type IN ('image', 'video', 'text')),
    protocol           TEXT NOT NULL DEFAULT 'openai' CHECK (protocol IN ('openai', 'manifest')),
    manifest           TEXT,
    capabilities       TEXT NOT NULL DEFAULT '{}',
    api_key_encrypted  TEXT NOT NULL DEFAULT '',
    api_key_preview    TEXT NOT NULL DEFAULT '',
    pricing            TEXT NOT NULL,
    price_note         TEXT NOT NULL DEFAULT '',
    allowed_membership_tiers TEXT NOT NULL DEFAULT '["free","pro","max","ultra"]',
    is_default         INTEGER NOT NULL DEFAULT 1,
    is_active          INTEGER NOT NULL DEFAULT 1,
    polling_mode       TEXT NOT NULL DEFAULT 'sequential' CHECK (polling_mode IN ('sequential', 'random', 'custom')),
    polling_order      INTEGER NOT NULL DEFAULT 0,
    video_usage_modes  TEXT NOT NULL DEFAULT '["text-to-video","image-to-video"]',
    sort_order         INTEGER NOT NULL DEFAULT 0,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX system_api_configs_offer_idx ON system_api_configs (is_active, is_default, name, sort_order);
CREATE INDEX system_api_configs_candidates_idx ON system_api_configs (type, name, is_default, is_active);

CREATE TABLE user_api_keys (
    id                 BLOB PRIMARY KEY,
    user_id            BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider           TEXT NOT NULL DEFAULT '',
    supplier_name      TEXT NOT NULL DEFAULT '',
    api_url            TEXT NOT NULL DEFAULT '',
    model_name         TEXT NOT NULL DEFAULT '',
    note               TEXT NOT NULL DEFAULT '',
    type               TEXT NOT NULL DEFAULT 'image' CHECK (type IN ('image', 'video', 'text')),
    protocol           TEXT NOT NULL DEFAULT 'openai' CHECK (protocol IN ('openai', 'manifest')),
    manifest           TEXT,
    capabilities       TEXT NOT NULL DEFAULT '{}',
    api_key_encrypted  TEXT NOT NULL DEFAULT '',
    api_key_preview    TEXT NOT NULL DEFAULT '',
    is_active          INTEGER NOT NULL DEFAULT 1,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX user_api_keys_user_idx ON user_api_keys (user_id, created_at DESC);

CREATE TABLE api_providers (
    id               BLOB PRIMARY KEY,
    name             TEXT NOT NULL,
    default_api_url  TEXT NOT NULL DEFAULT '',
    default_model    TEXT NOT NULL DEFAULT '',
    type             TEXT NOT NULL DEFAULT 'image' CHECK (type IN ('image', 'video', 'text')),
    website          TEXT NOT NULL DEFAULT '',
    is_active        INTEGER NOT NULL DEFAULT 1,
    sort_order       INTEGER NOT NULL DEFAULT 0,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE UNIQUE INDEX api_providers_name_key ON api_providers (name);

CREATE TABLE model_recommendations (
    id            BLOB PRIMARY KEY,
    model_name    TEXT NOT NULL,
    display_name  TEXT NOT NULL DEFAULT '',
    type          TEXT NOT NULL DEFAULT 'image' CHECK (type IN ('image', 'video', 'text')),
    provider_id   BLOB REFERENCES api_providers (id) ON DELETE SET NULL,
    is_active     INTEGER NOT NULL DEFAULT 1,
    sort_order    INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX model_recommendations_provider_idx ON model_recommendations (provider_id);

CREATE TABLE image_style_presets (
    id           BLOB PRIMARY KEY,
    label        TEXT NOT NULL,
    prompt       TEXT NOT NULL,
    usage_count  INTEGER NOT NULL DEFAULT 0,
    is_active    INTEGER NOT NULL DEFAULT 1,
    sort_order   INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE UNIQUE INDEX image_style_presets_label_key ON image_style_presets (label);

CREATE TABLE channel_health (
    channel_id       BLOB PRIMARY KEY REFERENCES system_api_configs (id) ON DELETE CASCADE,
    window_start     TEXT NOT NULL,
    errors_current   INTEGER NOT NULL DEFAULT 0,
    errors_previous  INTEGER NOT NULL DEFAULT 0,
    successes        INTEGER NOT NULL DEFAULT 0,
    frozen_until     TEXT,
    last_error       TEXT,
    last_error_at    TEXT,
    last_success_at  TEXT,
    last_probe_at    TEXT,
    updated_at       TEXT NOT NULL
);
