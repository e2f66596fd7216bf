-- Cannot run in a transaction block: strata runs this file outside one.
CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);
CREATE UNIQUE INDEX CONCURRENTLY customers_email_idx ON customers (lower(email)) WHERE email IS NOT NULL;
