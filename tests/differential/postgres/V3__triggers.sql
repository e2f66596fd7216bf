-- Audit trigger and a normalising BEFORE trigger.

CREATE TABLE audit_log (
  seq        bigserial PRIMARY KEY,
  table_name text NOT NULL,
  op         text NOT NULL,
  row_data   text
);

CREATE FUNCTION audit_row() RETURNS trigger
LANGUAGE plpgsql AS $trg$
BEGIN
  INSERT INTO audit_log (table_name, op, row_data)
  VALUES (TG_TABLE_NAME, TG_OP,
          CASE WHEN TG_OP = 'DELETE' THEN row_to_json(OLD)::text ELSE row_to_json(NEW)::text END);
  RETURN coalesce(NEW, OLD);  -- $trg and trg$ are text here; only the whole tag ends the body
END
$trg$;

CREATE FUNCTION customers_normalize() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.email := normalize_email(NEW.email);
  IF NEW.note LIKE '%;%' THEN
    NEW.note := replace(NEW.note, ';', ' ;');
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER customers_normalize BEFORE INSERT OR UPDATE ON customers
  FOR EACH ROW EXECUTE FUNCTION customers_normalize();

CREATE TRIGGER customers_audit AFTER INSERT OR UPDATE OR DELETE ON customers
  FOR EACH ROW EXECUTE FUNCTION audit_row();

CREATE TRIGGER orders_audit AFTER INSERT OR DELETE ON orders
  FOR EACH ROW WHEN (pg_trigger_depth() < 2) EXECUTE FUNCTION audit_row();
