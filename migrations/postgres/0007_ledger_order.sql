-- Ledger rows are listed in the order their balance changes committed, not by timestamp: a
-- row's created_at is taken before the balance update waits for the user's row lock, so two
-- overlapping charges could list the newest row with a stale balance_after. Each balance
-- change now takes the next per-user number (users.ledger_seq) in the same UPDATE that moves
-- the balance, under that row's lock, and the ledger row keeps it.
ALTER TABLE users ADD COLUMN ledger_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE credit_ledger ADD COLUMN seq BIGINT;

UPDATE credit_ledger AS l SET seq = o.n
FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY created_at, id) AS n FROM credit_ledger) AS o
WHERE l.id = o.id;

UPDATE users AS u SET ledger_seq = m.last
FROM (SELECT user_id, MAX(seq) AS last FROM credit_ledger GROUP BY user_id) AS m
WHERE u.id = m.user_id;

ALTER TABLE credit_ledger ALTER COLUMN seq SET NOT NULL;
DROP INDEX credit_ledger_user_idx;
CREATE UNIQUE INDEX credit_ledger_user_seq_key ON credit_ledger (user_id, seq DESC);
