CALL add_order(1, 'WIDGET', 2);
CALL add_order(2, 'SPROCKET;DELUXE', 12);
CALL add_order(3, 'GEAR#1', 1);
CALL add_order(1, 'BOLT--M8', 3);
CALL restock(5);

SET @big := 10;
UPDATE orders SET total = order_total(id);
UPDATE orders SET status = 'shipped' WHERE total > @big;
UPDATE orders SET status = 'refunded', memo = 'refund; customer asked' WHERE id = 3;

INSERT INTO customers (id, name, email, note) VALUES (6, 'Fay', '  FAY@EXAMPLE.COM ', 'a;b;c');
