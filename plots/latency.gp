# Response-time distribution per design: all workloads, mean of the
# replications' quantiles. Left, the whole distribution (CDF); right, its
# tail (90th to 99.9th percentile), where designs usually part. When the
# designs' curves coincide (within 2 % at every quantile, told by lbsim:
# coincide, spread) the picture says so, and each design's line is drawn
# thinner than the one before, so that all of them show.
# Input: latency.csv.
load lib.'/common.gp'
set multiplot layout 1,2 title (coincide ? \
	sprintf("Response time distribution: the designs' curves coincide (within %.2g %% at every quantile)", spread) : \
	'Response time distribution')
pick(i) = column(1) == i ? column(3) : NaN
width(i) = 1.5 + 2.5 * (ndesigns - i) / (ndesigns > 1 ? ndesigns - 1 : 1)
set key inside left top
set title 'all requests'
set xlabel 'response time (ms, log scale)'
set ylabel 'share of requests answered within'
set logscale x
set yrange [0:100]
set format y '%.0f%%'
plot for [i=1:ndesigns] sprintf('%s/latency.csv', data) skip 1 \
     using (pick(i)):($2 * 100) with lines lw width(i) lc rgb colour(i) dt dash(i) title name(i)
# The tail: response time against the percentile, 1 - q on a log axis.
set title 'the tail'
unset logscale x
unset format y
set logscale x
set xrange [0.115:0.0009] reverse
set xtics ('90 %%' 0.1, '95 %%' 0.05, '99 %%' 0.01, '99.5 %%' 0.005, '99.9 %%' 0.001)
set xlabel 'percentile'
set ylabel 'response time (ms)'
set yrange [*:*]
set key inside left top
tail(i) = column(1) == i && $2 >= 0.9 ? column(3) : NaN
plot for [i=1:ndesigns] sprintf('%s/latency.csv', data) skip 1 \
     using (1 - $2):(tail(i)) with linespoints lw width(i) pt 7 ps 0.6 lc rgb colour(i) dt dash(i) title name(i)
unset multiplot
