DELIMITER $$
CREATE PROCEDURE log_marker(IN p_text VARCHAR(100))
BEGIN
  -- a comment hides the delimiter $$ too; so does the string below
  INSERT INTO audit_log (table_name, op, detail) VALUES ('marker', 'LOG', CONCAT(p_text, ' $$ ', '$'));
END$$
CALL log_marker('one; two')$$
DELIMITER ;
CALL log_marker('after DELIMITER ;');

delimiter ;;
CREATE FUNCTION double_it(x INT) RETURNS INT DETERMINISTIC
BEGIN
  RETURN x * 2;
END;;
INSERT INTO audit_log (table_name, op, detail) VALUES ('fn', 'DOUBLE', double_it(21)) ;;
delimiter ;
