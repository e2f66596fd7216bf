-- Every kind of literal psql must see through.
CREATE TABLE "semi;colon" (
  "a""b;c"      text,
  "$dollar"     text,
  total$usd$    numeric,        -- an identifier containing $usd$, not a dollar quote
  U&"d\0061ta;x" text
);

INSERT INTO "semi;colon" VALUES
  ('plain; text', '$$ not a quote $$', 1.5, U&'\0441\043B\043E\043D; elephant'),
  (E'escaped \' quote; and \\ backslash', $$dollar ' quote; "x"$$, 2, U&'!0041!+000042;' UESCAPE '!'),
  ('it''s; doubled', $a$ nested $b$ ; $b$ $a$, 3, E'\x41\101\u0042;'),
  (B'1010'::text, X'1F'::text, 4, N'national; char');

-- A comment with an unbalanced quote: ' and a dollar $x$; and "
INSERT INTO "semi;colon" ("a""b;c") SELECT 'semicolon at end;' -- trailing comment; with '
;
INSERT INTO "semi;colon" ("a""b;c") VALUES (/* inline; comment */ 'after an inline comment');
SELECT 1 /* a statement the server runs but that changes nothing; */;

COMMENT ON TABLE "semi;colon" IS U&'uni\0063ode; comment $$';
