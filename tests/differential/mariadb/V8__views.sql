CREATE VIEW order_summary AS
SELECT o.id, c.name, o.status, order_total(o.id) AS total,
       size_class((SELECT SUM(quantity) FROM order_lines l WHERE l.order_id = o.id)) AS size,
       'sep;arator' AS `label;x`
FROM orders o JOIN customers c ON c.id = o.customer_id;

-- Written the way mariadb-dump writes views: executable comments, one per version.
/*!50001 CREATE ALGORITHM=UNDEFINED */
/*!50013 DEFINER=CURRENT_USER SQL SECURITY DEFINER */
/*!50001 VIEW `product_labels` AS SELECT sku, price_label(price) AS `label`, '#;--' AS `marks` FROM products */;

CREATE OR REPLACE VIEW `big``spenders` AS
SELECT c.id, c.name, SUM(o.total) AS spent
FROM customers c JOIN orders o ON o.customer_id = c.id
GROUP BY c.id, c.name
HAVING SUM(o.total) > 10;
