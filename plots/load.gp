# Requests per second per server over time (each point a window of the
# series: 10 s, or more in a long run, see timeseries.csv), one panel per design
# (replication 1), with the fault windows shaded and the balancer's health
# transitions marked as black triangles in a band above the servers'
# lines (down: a server taken out of a pool; up: put back), so that no
# marker can be taken for a server. Lines beyond 8 servers repeat the
# colours with another dash pattern.
# Input: timeseries.csv, events.csv.
load lib.'/common.gp'
eval termset(1000, (260 * ndesigns + 60), 10)
set output out
set multiplot layout ndesigns,1 title 'Load per server over time (replication 1; faults shaded; health transitions marked)'
set xlabel 'time (s)'
set ylabel 'requests / s'
set key outside right top
row(i, s) = column(1) == i && strcol(2) eq '1' && strcol(4) eq 'requests' && column(5) == s ? column(6) / column(7) : NaN
mark(i, e) = column(1) == i && strcol(2) eq '1' && strcol(4) eq e ? 1 : NaN
set y2range [0:1]
unset y2tics
# Headroom above the lines for the markers.
set offsets 0, 0, graph 0.16, 0
do for [i=1:ndesigns] {
	eval shade_faults
	set title name(i)
	plot for [s=1:nservers] sprintf('%s/timeseries.csv', data) skip 1 \
	     using 3:(row(i, s)) with lines lw 1.5 lc rgb colour(s) dt dash(s) title sprintf('server %d', s), \
	     sprintf('%s/events.csv', data) skip 1 using 3:(mark(i, 'marked_down') * 0.95) axes x1y2 \
	     with points pt 11 ps 1.4 lc rgb '#000000' title 'health check: marked down', \
	     '' skip 1 using 3:(mark(i, 'marked_up') * 0.89) axes x1y2 \
	     with points pt 8 ps 1.4 lc rgb '#000000' title 'health check: marked up'
	unset object
}
unset multiplot
