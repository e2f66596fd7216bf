CREATE TABLE `a;``b` (c INT, d TEXT DEFAULT 'x\';''y', e TEXT DEFAULT "q\";""r");
SELECT 1 # comment ;
; SELECT 2 -- comment ;
; SELECT 3 --x
; --y
/*!40101 SET NAMES utf8mb4 */; /*M!100100 SET x = 1; */ /* ; */ SELECT \N;
USE `db`;
use db
