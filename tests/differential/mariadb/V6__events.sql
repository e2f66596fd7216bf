-- Events (the test server runs with the scheduler off; creating them is fine).
CREATE EVENT purge_audit
  ON SCHEDULE EVERY 1 DAY STARTS '2030-01-01 03:00:00'
  ON COMPLETION PRESERVE DISABLE
  COMMENT 'purges; daily'
  DO DELETE FROM audit_log WHERE op = 'PURGE;ME';

DELIMITER //
CREATE EVENT nightly_totals
  ON SCHEDULE AT '2031-06-01 00:00:00'
  ON COMPLETION PRESERVE DISABLE
  DO
  BEGIN
    UPDATE orders SET total = order_total(id);
    INSERT INTO audit_log (table_name, op, detail) VALUES ('orders', 'TOTALS', 'nightly; done');
  END//
DELIMITER ;
