# Ratios to baseline of every benchmark (bench/run renders it into docs/benchmarks/ratios.png).
# Called as: gnuplot -e "datafile='…'; outfile='…'; n=N; labelwidth=W" bench/charts/ratios.gp
# (n bars; W: the longest label's length in characters).
# datafile: tab-separated index, label, ratio (time ÷ baseline time), colour (1 strata, 2 other).
set terminal pngcairo size (600 + 7 * labelwidth), (140 + 26 * n) font "sans,10" noenhanced
set output outfile
set datafile separator "\t"
set title "Median time ÷ the baseline's median in the same run (log scale; < 1× is faster)"
set logscale x 10
set xrange [0.01:200]
set format x "%g×"
set xtics (0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100)
set grid xtics
set yrange [n - 0.5:-0.5]
set ytics scale 0 font "sans,9"
set key off
set style fill solid 0.85 border -1
set arrow 1 from 1, graph 0 to 1, graph 1 nohead front lw 2 lc rgb "#d62728" dt 2
set lmargin (labelwidth * 0.95 + 2)
set linetype 1 lc rgb "#1f77b4"
set linetype 2 lc rgb "#bbbbbb"
plot datafile using (sqrt(0.01 * $3)):1:(0.01):3:($1 - 0.38):($1 + 0.38):4:ytic(2) \
       with boxxyerrorbars lc variable, \
     datafile using 3:1:(sprintf("%.2f×", $3)) with labels left offset 0.6, 0 font "sans,9"
