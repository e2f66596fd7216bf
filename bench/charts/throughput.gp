# Backfill throughput against data size (bench/run renders it into
# docs/benchmarks/backfill-throughput.png).
# Called as: gnuplot -e "datafile='…'; outfile='…'; n=N" bench/charts/throughput.gp
# datafile: tab-separated events, set-based rows/s, strata 1 worker rows/s, strata 2 workers
# rows/s ("?" where not measured).
set terminal pngcairo size 900, 520 font "sans,11" noenhanced
set output outfile
set datafile separator "\t"
set datafile missing "?"
set title "event-view-metrics backfill on PostgreSQL: rows written per second of wall time"
set xlabel "legacy events (log scale)"
set ylabel "thousand rows/s"
set logscale x 10
set xrange [7000:150000]
set xtics ("10,000" 10000, "30,000" 30000, "100,000" 100000)
set yrange [0:*]
set format y "%.0f"
set grid
set key bottom right box opaque
plot datafile using 1:($2 / 1e3) with linespoints lw 2 pt 7 ps 1.3 lc rgb "#888888" \
       title "one INSERT … SELECT generate_series (set-based)", \
     datafile using 1:($3 / 1e3) with linespoints lw 2 pt 5 ps 1.3 lc rgb "#1f77b4" \
       title "strata, 1 worker", \
     datafile using 1:($4 / 1e3) with points pt 9 ps 1.8 lc rgb "#d62728" \
       title "strata, 2 workers (100,000 only)"
