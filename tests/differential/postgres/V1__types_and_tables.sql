-- Core schema of a small shop; comments hold ; and $ on purpose: $$ not a quote; really.
/* A block comment /* with a nested one; and $tag$ */ still inside the outer comment; */

CREATE SCHEMA billing;

CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped');

CREATE TABLE customers (
  id          integer PRIMARY KEY,
  name        text NOT NULL,
  email       text,
  note        text,            -- free text; may hold ; and $$
  "odd;name"  text DEFAULT 'x;y',
  price$usd   numeric(10, 2)   -- identifiers may contain $ (not a dollar quote)
);

CREATE TABLE orders (
  id          serial PRIMARY KEY,
  customer_id integer NOT NULL REFERENCES customers (id),
  status      order_status NOT NULL DEFAULT 'new',
  total       numeric(12, 2) NOT NULL DEFAULT 0,
  memo        text DEFAULT E'line one;\nline two'
);

CREATE TABLE order_lines (
  order_id   integer NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  line_no    integer NOT NULL,
  sku        text NOT NULL,
  quantity   integer NOT NULL CHECK (quantity > 0),
  unit_price numeric(10, 2) NOT NULL,
  PRIMARY KEY (order_id, line_no)
);

CREATE TABLE billing."invoice;items" (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  "a""b"    text,
  label     text NOT NULL DEFAULT U&'d\0061t\+000061;'
);

COMMENT ON TABLE customers IS 'People who buy; may owe $5 or $$10';
COMMENT ON COLUMN customers."odd;name" IS E'quoted identifier with a semicolon; it\'s legal';
COMMENT ON SCHEMA billing IS $c$Billing lives here; costs $$ money$c$;
