SELECT ensure_partitions($1::timestamptz, $2::integer) AS created
