-- Ledger rows are listed in the order their balance changes committed, not by timestamp (see
-- the PostgreSQL migration of the same number): each balance change takes the next per-user
-- number (users.ledger_seq) in the UPDATE that moves the balance, and the ledger row keeps it.
ALTER TABLE users ADD COLUMN ledger_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE credit_ledger ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;

UPDATE credit_ledger SET seq = o.n
FROM (SELECT rowid AS rid, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY created_at, rowid) AS n FROM credit_ledger) AS o
WHERE credit_ledger.rowid = o.rid;

UPDATE users SET ledger_seq = (SELECT COALESCE(MAX(seq), 0) FROM credit_ledger WHERE credit_ledger.user_id = users.id);

DROP INDEX credit_ledger_user_idx;
CREATE UNIQUE INDEX credit_ledger_user_seq_key ON credit_ledger (user_id, seq DESC);
