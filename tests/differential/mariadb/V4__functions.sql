DELIMITER $$
CREATE FUNCTION order_total(p_order INT) RETURNS DECIMAL(12, 2)
  READS SQL DATA
BEGIN
  DECLARE v_total DECIMAL(12, 2);
  SELECT COALESCE(SUM(quantity * unit_price), 0) INTO v_total
  FROM order_lines WHERE order_id = p_order;
  RETURN v_total;
END$$

CREATE FUNCTION size_class(q INT) RETURNS VARCHAR(20) DETERMINISTIC
RETURN CASE WHEN q >= 10 THEN 'bulk; many'
            WHEN q > 1 THEN 'few'
            ELSE 'single' END $$

CREATE FUNCTION price_label(p DECIMAL(10, 2)) RETURNS VARCHAR(40) DETERMINISTIC
BEGIN
  IF p IS NULL THEN
    RETURN 'n/a; unknown';
  END IF;
  RETURN CONCAT('$', FORMAT(p, 2), ' ; USD');
END
$$
DELIMITER ;
