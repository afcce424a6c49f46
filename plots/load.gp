# Requests per second per server over time (each point a window of the
# series: 10 s, or more in a long run, see timeseries.csv), one panel per design
# (replication 1), with the fault windows shaded and the balancer's health
# transitions marked (red: a server taken out of a pool, green: put back).
# Input: timeseries.csv, events.csv.
load lib.'/common.gp'
set terminal term size 1000,(260 * ndesigns + 60) font 'sans,10' noenhanced
set output out
set multiplot layout ndesigns,1 title 'Load per server over time (replication 1; faults shaded; health transitions marked)'
set xlabel 'time (s)'
set ylabel 'requests / s'
set key outside right top
row(i, s) = column(1) == i && strcol(2) eq '1' && strcol(4) eq 'requests' && column(5) == s ? column(6) / column(7) : NaN
mark(i, e) = column(1) == i && strcol(2) eq '1' && strcol(4) eq e ? 1 : NaN
set y2range [0:1]
unset y2tics
do for [i=1:ndesigns] {
	eval shade_faults
	set title name(i)
	plot for [s=1:nservers] sprintf('%s/timeseries.csv', data) skip 1 \
	     using 3:(row(i, s)) with lines lw 1.5 title sprintf('server %d', s), \
	     sprintf('%s/events.csv', data) skip 1 using 3:(mark(i, 'marked_down')) axes x1y2 \
	     with impulses lw 1 lc rgb '#c0392b' title 'marked down', \
	     '' skip 1 using 3:(mark(i, 'marked_up')) axes x1y2 \
	     with impulses lw 1 lc rgb '#2a9d3f' title 'marked up'
	unset object
}
unset multiplot
