CREATE PROCEDURE billing.add_invoice_item(p_label text, INOUT p_id bigint DEFAULT NULL)
LANGUAGE plpgsql AS $proc$
BEGIN
  INSERT INTO billing."invoice;items" ("a""b", label)
  VALUES (p_label || '; via proc', p_label)
  RETURNING id INTO p_id;
END;
$proc$;

CALL billing.add_invoice_item('fourth');
CALL billing.add_invoice_item($$fifth $ item$$);

CREATE OR REPLACE FUNCTION "weird;fn"(x int) RETURNS int
LANGUAGE plpgsql
AS $_$
BEGIN
  RETURN x * 2;  -- $_ is a valid tag too
END;
$_$;

-- The last statement needs no semicolon; this comment; has some
SELECT "weird;fn"(21)