-- comment
CREATE TABLE t (a int, "b;""c" text DEFAULT 'x;''y');
SELECT E'\'\\;', U&'d\0061t;a', U&"i;d", B'01', X'1F', $$;$$, $a$ $b$ ; $b$ $a$, $1;
/* a /* nested ; */ comment */ SELECT (1;
2);;
