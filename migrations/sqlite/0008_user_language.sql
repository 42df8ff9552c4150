-- The language an account reads (`zh` or `en`): e-mails to it are written in this language.
ALTER TABLE users ADD COLUMN preferred_language TEXT NOT NULL DEFAULT 'zh' CHECK (preferred_language IN ('zh', 'en'));
