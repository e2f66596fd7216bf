.read other.sql
SELECT [unterminated
