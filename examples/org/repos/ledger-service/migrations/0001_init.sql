CREATE TABLE journal_entries (
    id UUID PRIMARY KEY,
    idempotency_key TEXT UNIQUE NOT NULL,
    reference TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE postings (
    entry_id UUID NOT NULL REFERENCES journal_entries(id),
    account_id TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    currency CHAR(3) NOT NULL
);
