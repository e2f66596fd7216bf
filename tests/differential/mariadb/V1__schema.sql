# Shop schema for MariaDB. Hash comments may hold ; and 'quotes" and `backticks
-- Dash-dash-space comments too; with "an unbalanced quote
/*!40101 SET @saved_cs_client = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;

CREATE TABLE customers (
  id         INT NOT NULL PRIMARY KEY,
  name       VARCHAR(100) NOT NULL,
  email      VARCHAR(200) NULL,          -- trailing comment; fine
  `odd;name` VARCHAR(20) DEFAULT 'x;y',
  `we``ird`  VARCHAR(20) DEFAULT 'it''s', # a doubled backtick in a name
  note       TEXT
) ENGINE=InnoDB /*!50100 COMMENT='people who buy; and pay' */;

CREATE TABLE orders (
  id          INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id INT NOT NULL,
  status
    ENUM('new', 'paid', 'shipped', 'refunded') NOT NULL DEFAULT 'new',
  total       DECIMAL(12, 2) NOT NULL DEFAULT 0,
  memo        VARCHAR(200) DEFAULT 'memo; default',
  CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)
) ENGINE=InnoDB;

CREATE TABLE order_lines (
  order_id   INT NOT NULL,
  line_no    INT NOT NULL,
  sku        VARCHAR(50) NOT NULL,
  quantity   INT NOT NULL,
  unit_price DECIMAL(10, 2) NOT NULL DEFAULT 0,
  PRIMARY KEY (order_id, line_no),
  CONSTRAINT lines_order_fk FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE products (
  sku   VARCHAR(50) NOT NULL PRIMARY KEY,
  price DECIMAL(10, 2) NOT NULL,
  stock INT NOT NULL DEFAULT 0
) ENGINE=InnoDB /*M!100100 COMMENT 'MariaDB-only executable comment; kept' */;

CREATE TABLE audit_log (
  id         INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  table_name VARCHAR(64) NOT NULL,
  op         VARCHAR(10) NOT NULL,
  detail     VARCHAR(500)
) ENGINE=InnoDB;

/*!40101 SET character_set_client = @saved_cs_client */;
