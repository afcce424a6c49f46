# What each design needs as the users grow: servers (or cores per server),
# balancer cores, balancer memory. Only sizes that met every target are
# drawn. Input: plan.csv (users 1, design 2, servers 3, spare 4,
# server_cores 5, lb_cores 6, lb_cpu_cores 7-9, lb_cpu_cores_peak 10-12,
# lb_mem_bytes 13-15, ..., met 31, why 32).
# Set by `lbsim plan`: data, out, lib, term, ndesigns, design1..N,
# sizelabel, sizecol (the column of the size the plan searched), nlevels
# (users levels: with one, lines against users would be single points, so
# each design is a bar instead). In data/plan.csv designs are numbered
# (include/lbsim/gnuplot.h).
load lib.'/common.gp'
set termoption noenhanced
eval termset(1200, 420, 11)
set output out
met(i) = column(2) == i && strcol(31) eq 'yes'
# A design's rows are spread over the file (one users level after
# another): gather each into a table first, so that its points join.
do for [i=1:ndesigns] {
	eval sprintf('set table $P%d', i)
	plot sprintf('%s/plan.csv', data) skip 1 \
	     using 1:(column(sizecol)):(valid(6) ? column(6) : NaN):(column(10)):($13 / 1e6) \
	     with table if (met(i))
	unset table
}
set datafile separator whitespace
rows = 0
do for [i=1:ndesigns] { eval sprintf('rows = rows + |$P%d|', i) }
if (nlevels <= 1) {
	set multiplot layout 1,3 title 'Capacity per design (sizes that meet every target)'
} else {
	set multiplot layout 1,3 title 'Capacity against users (sizes that meet every target)'
}
if (rows == 0) {
	set label 1 'no size met the targets (see plan.csv, column why)' at graph 0.5, 0.5 center
	set xrange [0:1]
	set yrange [0:1]
	plot NaN notitle
	unset multiplot
	exit
}
# The memory panels get a log axis when designs differ by decades.
mmin = 0; mmax = 0
do for [i=1:ndesigns] {
	eval sprintf('n = |$P%d|', i)
	if (n > 0) {
		eval sprintf('stats $P%d using 5 nooutput', i)
		if (STATS_min > 0 && (mmin == 0 || STATS_min < mmin)) { mmin = STATS_min }
		if (STATS_max > mmax) { mmax = STATS_max }
	}
}
set yrange [0:*]
if (nlevels <= 1) {
	# One users level: a bar per design, the busiest 10 s of balancer CPU
	# as a point on its cores' bar.
	set style fill solid 0.85 border -1
	set boxwidth 0.6
	set xrange [0.4:ndesigns + 0.6]
	set xtics ()
	do for [i=1:ndesigns] { set xtics add (name(i) i) }
	set key off
	set title sizelabel
	set ylabel sizelabel
	plot for [i=1:ndesigns] sprintf('$P%d', i) using (i):2 with boxes lc rgb colour(i)
	set title 'balancer CPU'
	set ylabel 'cores (bars: planned; points: busiest 10 s use)'
	plot for [i=1:ndesigns] sprintf('$P%d', i) using (i):3 with boxes lc rgb colour(i), \
	     for [i=1:ndesigns] sprintf('$P%d', i) using (i):4 with points pt 7 ps 1.2 lc rgb '#222222'
	set title 'balancer memory'
	eval logy(mmin, mmax, 'MB (peak)')
	plot for [i=1:ndesigns] sprintf('$P%d', i) using (i):5 with boxes lc rgb colour(i)
	unset multiplot
	exit
}
set xlabel 'users'
set key inside left top
set format x '%.0s%c'
set title sizelabel
set ylabel sizelabel
plot for [i=1:ndesigns] sprintf('$P%d', i) using 1:2 with linespoints lw 2 pt 7 \
     lc rgb colour(i) dt dash(i) title name(i)
set title 'balancer CPU'
set ylabel 'cores (points: planned; dashed: busiest 10 s use)'
plot for [i=1:ndesigns] sprintf('$P%d', i) using 1:3 with linespoints lw 2 pt 7 \
     lc rgb colour(i) title name(i), \
     for [i=1:ndesigns] sprintf('$P%d', i) using 1:4 with lines dt 2 lc rgb colour(i) notitle
set title 'balancer memory'
eval logy(mmin, mmax, 'MB (peak)')
plot for [i=1:ndesigns] sprintf('$P%d', i) using 1:5 with linespoints lw 2 pt 7 \
     lc rgb colour(i) dt dash(i) title name(i)
unset multiplot
