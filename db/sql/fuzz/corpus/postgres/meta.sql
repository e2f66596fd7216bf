SELECT 1 \gset
\set x 1
