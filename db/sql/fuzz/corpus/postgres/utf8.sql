SELECT é, €;	SELECT 2 -- ü
