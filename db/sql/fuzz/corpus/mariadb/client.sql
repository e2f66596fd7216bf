SELECT 1\G
source x.sql
status;
\. x.sql
connect db
