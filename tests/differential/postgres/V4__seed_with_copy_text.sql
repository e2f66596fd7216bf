-- Seed customers with COPY in text format: tabs separate, \N is NULL, backslashes escape.
COPY customers (id, name, email, note, "odd;name", price$usd) FROM stdin;
1	Ada Lovelace	ADA@Example.com 	likes; semicolons	\N	10.50
2	Bob \"the builder\"	bob@example.com	note with a tab\there and a newline\nhere	a;b	0.00
3	Carl $$ Dollar	\N	back\\slash and $tag$ text; -- not a comment	x	\N
4	Dora	dora@example.com	/* not a comment either; */	\N	99.99
\.

-- Statements after the data must still run.
INSERT INTO customers (id, name, email) VALUES (5, 'Eve; the fifth', 'EVE@example.com');
UPDATE customers SET note = 'updated; after COPY' WHERE id = 4;

COPY orders (customer_id, status, memo) FROM STDIN;
1	new	first order
1	paid	\N
2	shipped	memo with \\. in the middle
3	new	carl's; order
\.
SELECT setval('orders_id_seq', (SELECT max(id) FROM orders));
