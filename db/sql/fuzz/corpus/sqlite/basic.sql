CREATE TABLE t (a, "b;""c", [d;e], `f;``g`);
CREATE TRIGGER tr AFTER UPDATE ON t FOR EACH ROW
BEGIN
  UPDATE t SET a = CASE WHEN NEW.a IS NULL THEN 1 ELSE NEW.a END;
  SELECT 1;
END;
create temp trigger t2 before delete on t begin delete from u; end;
EXPLAIN CREATE TEMPORARY TRIGGER t3 AFTER INSERT ON t BEGIN SELECT 1; END;
VACUUM; PRAGMA foreign_keys = OFF; PRAGMA main.journal_mode = WAL; -- c ;
/* c ; */ SELECT '\'; SELECT 2
