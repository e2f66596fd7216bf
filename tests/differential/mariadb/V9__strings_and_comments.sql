CREATE TABLE `semi;colon` (
  id        INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  `a``b;c`  VARCHAR(100),
  `#hash`   VARCHAR(100),
  `--dash`  VARCHAR(100)
);

INSERT INTO `semi;colon` (`a``b;c`, `#hash`, `--dash`) VALUES
  ('it\'s; escaped', "it's; plain", 'a\\'),   /* block; comment */ 
  ('doubled ''; quote', 'a\\b', "\\"),
  ("embedded \"; quote", '/* not; a comment */', '# not a comment'),
  ('multi
line; string', 'tab\tand\0nul', '\%\_ stay');

/* A multi-line block comment
   with a ; and a 'quote' and "another" and `tick`
   ends here */ INSERT INTO `semi;colon` (`a``b;c`) VALUES ('after a block comment');
INSERT INTO `semi;colon` (`a``b;c`) VALUES (CONCAT('a', /* inline; */ 'b')); # trailing; comment
SELECT 1 --1
;
SELECT 'no final newline; last statement has no delimiter'