-- Order lines in CSV: quoted fields hold commas, quotes and newlines.
COPY order_lines (order_id, line_no, sku, quantity, unit_price) FROM STDIN WITH (FORMAT csv, HEADER true);
order_id,line_no,sku,quantity,unit_price
1,1,"WIDGET, large",2,19.99
1,2,"Sprocket ""deluxe""; boxed",12,3.50
2,1,"multi
line; sku",1,100.00
3,1,$$dollar$$,3,1.00
4,1,"-- dashes, /* slashes */",1,5.25
\.
COPY billing."invoice;items" ("a""b", label) FROM STDIN (FORMAT csv, NULL 'NULL', QUOTE '"');
"first, item",label one
NULL,"label; two"
"",empty string not null
\.

CALL recompute_totals();
UPDATE orders SET memo = memo || E' (total\tchecked)' WHERE id = 1;
