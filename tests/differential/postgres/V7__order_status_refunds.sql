-- New enum values. They cannot be used in the same transaction that adds them, so the
-- rows that use them come in the next migration.
ALTER TYPE order_status ADD VALUE 'refunded' AFTER 'shipped';
ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'cancelled' BEFORE 'new';
ALTER TYPE order_status RENAME VALUE 'paid' TO 'settled';
