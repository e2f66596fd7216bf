COPY t (a, b) FROM stdin;
1	x;y
2	\N
\.
SELECT 1;
copy t from STDIN; -- data
3
\.
COPY t TO STDOUT;
