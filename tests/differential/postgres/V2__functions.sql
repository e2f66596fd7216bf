-- plpgsql and SQL functions with every quoting style psql knows.

CREATE FUNCTION normalize_email(raw text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  -- a comment inside the body; with a semicolon
  IF raw IS NULL THEN
    RETURN NULL;
  END IF;
  RETURN lower(trim(raw));  /* trailing; comment */
END;
$$;

CREATE OR REPLACE FUNCTION billing.count_rows(tbl regclass) RETURNS bigint
LANGUAGE plpgsql STABLE AS $fn$
DECLARE
  n bigint;
BEGIN
  -- dynamic SQL in a nested, different dollar tag; the $$ below is just text
  EXECUTE format($q$SELECT count(*) FROM %s /* $$ ; */$q$, tbl) INTO n;
  RAISE DEBUG 'counted % rows; costs $$0', n;
  RETURN n;
END;
$fn$;

-- A single-quoted body with positional parameters.
CREATE FUNCTION add_money(a numeric, b numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE AS 'SELECT $1 + $2';

-- SQL-standard bodies: semicolons inside BEGIN ATOMIC ... END do not end the statement,
-- and neither does the END of a CASE inside it.
CREATE FUNCTION order_total(p_order integer) RETURNS numeric
LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT coalesce(sum(quantity * unit_price), 0) FROM order_lines WHERE order_id = p_order;
END;

CREATE OR REPLACE FUNCTION size_class(q integer) RETURNS text
LANGUAGE sql IMMUTABLE
BEGIN ATOMIC
  SELECT CASE WHEN q >= 10 THEN 'bulk; many'
              WHEN q > 1 THEN (CASE WHEN q = 2 THEN 'pair' ELSE 'few' END)
              ELSE 'single' END;
END;

CREATE PROCEDURE recompute_totals()
LANGUAGE sql
BEGIN ATOMIC
  UPDATE orders SET total = order_total(id);
  UPDATE orders SET memo = memo || ';' WHERE total = 0;
END;

CREATE FUNCTION tagged_text() RETURNS text
LANGUAGE sql IMMUTABLE AS $body$SELECT 'a $x$ b; c $$ d'::text$body$;
