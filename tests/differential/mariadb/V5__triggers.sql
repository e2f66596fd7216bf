-- Triggers, the second one written the way mariadb-dump writes them.
DELIMITER //
CREATE TRIGGER customers_bi BEFORE INSERT ON customers FOR EACH ROW
BEGIN
  SET NEW.email = LOWER(TRIM(NEW.email));
  IF NEW.note LIKE '%;%' THEN
    SET NEW.note = REPLACE(NEW.note, ';', ' ;');
  END IF;
END //

CREATE TRIGGER orders_ai AFTER INSERT ON orders FOR EACH ROW
  INSERT INTO audit_log (table_name, op, detail)
  VALUES ('orders', 'INSERT', CONCAT_WS(';', NEW.id, NEW.customer_id, NEW.memo)) //
DELIMITER ;

DELIMITER ;;
/*!50003 CREATE*/ /*!50017 DEFINER=CURRENT_USER*/ /*!50003 TRIGGER orders_au AFTER UPDATE ON orders FOR EACH ROW
BEGIN
  IF NEW.status <> OLD.status THEN
    INSERT INTO audit_log (table_name, op, detail)
    VALUES ('orders', 'STATUS', CONCAT(OLD.status, ' -> ', NEW.status, ';'));
  END IF;
END */;;
DELIMITER ;
