# Response-time distribution (CDF) per design: all workloads, mean of the
# replications' quantiles. Input: latency.csv.
load lib.'/common.gp'
set title 'Response time distribution'
set xlabel 'response time (ms, log scale)'
set ylabel 'share of requests answered within'
set logscale x
set yrange [0:100]
set format y '%.0f%%'
pick(i) = column(1) == i ? column(3) : NaN
plot for [i=1:ndesigns] sprintf('%s/latency.csv', data) skip 1 \
     using (pick(i)):($2 * 100) axes x1y1 with lines lw 2 lc rgb colour(i) title name(i)
