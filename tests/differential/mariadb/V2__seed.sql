-- Multi-row INSERTs with every quoting style of the mariadb client.
INSERT INTO products (sku, price, stock) VALUES
  ('WIDGET', 19.99, 10),
  ('SPROCKET;DELUXE', 3.50, 100),
  ('GEAR#1', 7.25, 0),     # the # inside the string is not a comment
  ('BOLT--M8', 0.10, 1000); -- nor are the dashes

INSERT INTO customers (id, name, email, `odd;name`, `we``ird`, note) VALUES
  (1, 'Ada O\'Brien', 'ADA@Example.com', 'a;b', 'x', 'likes; semicolons'),
  (2, 'Bob ''the builder''', NULL, DEFAULT, DEFAULT, "double \"quoted\"; text"),
  (3, 'Carl # not a comment', 'carl@example.com', '-- not a comment', '/* nor this', 'back\\slash; \\'),
  (4, 'Dora $$ dollar', 'dora@example.com', 'tab\there', 'nl\nhere', '`backtick` in a string;'),
  (5, "Eve's \"fifth\"", 'eve@example.com', '''', "''", 'mixed \' and '' and "" ; done');

-- `--` directly followed by a character is minus minus, not a comment: stock - (-5).
UPDATE products SET stock = stock--5 WHERE sku = 'GEAR#1';
UPDATE products SET stock = 1--1, price = price * 2 WHERE sku = 'BOLT--M8';

INSERT INTO `products` (`sku`, `price`) VALUES (_utf8mb4'SLON;Слон', 1.5), (X'4E41543B31', b'1010'), (N'NAT;2', 0x10);
