-- Procedures need another delimiter: their bodies hold semicolons.
DELIMITER //

CREATE PROCEDURE add_order(IN p_customer INT, IN p_sku VARCHAR(50), IN p_qty INT)
  MODIFIES SQL DATA
  COMMENT 'Adds an order with one line; returns nothing'
BEGIN
  DECLARE v_id INT;
  DECLARE v_price DECIMAL(10, 2) DEFAULT 0;
  SELECT price INTO v_price FROM products WHERE sku = p_sku;
  INSERT INTO orders (customer_id, memo) VALUES (p_customer, CONCAT('order; ', p_sku, ' // via proc'));
  SET v_id = LAST_INSERT_ID();
  INSERT INTO order_lines (order_id, line_no, sku, quantity, unit_price)
  VALUES (v_id, 1, p_sku, p_qty, v_price);
  UPDATE products SET stock = stock - p_qty WHERE sku = p_sku;
END //

CREATE PROCEDURE restock(IN p_min INT)
BEGIN
  DECLARE done INT DEFAULT 0;
  DECLARE v_sku VARCHAR(50);
  DECLARE cur CURSOR FOR SELECT sku FROM products WHERE stock < p_min ORDER BY sku;
  DECLARE CONTINUE HANDLER FOR NOT FOUND SET done = 1;
  OPEN cur;
  read_loop: LOOP
    FETCH cur INTO v_sku;
    IF done THEN
      LEAVE read_loop;
    END IF;
    UPDATE products SET stock = stock + p_min WHERE sku = v_sku;
  END LOOP;
  CLOSE cur;
END//

DELIMITER ;

CREATE PROCEDURE no_body_delimiter_needed() SELECT 'a single statement; body';
