-- Anonymous blocks generate data and DDL; each uses a different quoting style.

DO $$
BEGIN
  FOR i IN 1..5 LOOP
    INSERT INTO orders (customer_id, status, memo)
    VALUES (1 + i % 5, 'new', format('generated #%s; batch $1', i));
  END LOOP;
END
$$;

DO LANGUAGE plpgsql $do$
DECLARE
  t text;
BEGIN
  -- create one partition-like table per region with dynamic SQL in a nested tag
  FOREACH t IN ARRAY ARRAY['north', 'south;east'] LOOP
    EXECUTE format($ddl$CREATE TABLE billing.%I (id int PRIMARY KEY, note text DEFAULT %L)$ddl$,
                   'region_' || t, 'made by DO; $$');
  END LOOP;
END;
$do$;

DO $outer$
BEGIN
  -- a string holding what looks like the end of another tag: $inner$ ; $$
  INSERT INTO billing."region_north" VALUES (1, 'text with $inner$ ; $$ inside');
  PERFORM 1;
END $outer$;

DO E'BEGIN INSERT INTO billing."region_south;east" VALUES (1, \'E-string body; it\'\'s fine\'); END';
