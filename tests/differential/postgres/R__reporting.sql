-- Repeatable: applied after all versioned migrations.
CREATE OR REPLACE VIEW customer_report AS
SELECT s.id, s.name, s.spent, 'report; v1'::text AS version, $v$$ amounts$v$ AS unit
FROM customer_spend s;

REFRESH MATERIALIZED VIEW customer_spend;
