-- Use the new enum values, then build views on top.
UPDATE orders SET status = 'refunded' WHERE id = 2;
UPDATE orders SET status = 'cancelled', memo = 'cancelled; customer request' WHERE id = 3;

CREATE VIEW order_summary AS
SELECT o.id,
       c.name,
       o.status,
       order_total(o.id) AS total,
       size_class(coalesce((SELECT sum(quantity) FROM order_lines l WHERE l.order_id = o.id), 0)::int) AS size,
       'sep;arator' AS "label;x"
FROM orders o
JOIN customers c ON c.id = o.customer_id;

CREATE MATERIALIZED VIEW customer_spend AS
SELECT c.id, c.name, coalesce(sum(o.total), 0) AS spent
FROM customers c LEFT JOIN orders o ON o.customer_id = c.id
GROUP BY c.id, c.name
WITH DATA;

CREATE TABLE order_events (order_id integer, what text);

-- A rule with several commands in parentheses: the semicolon inside does not end it.
CREATE RULE order_summary_delete AS ON DELETE TO order_summary DO INSTEAD (
  INSERT INTO order_events VALUES (OLD.id, 'deleted; via view');
  DELETE FROM orders WHERE id = OLD.id;
);

DELETE FROM order_summary WHERE id = 7;
