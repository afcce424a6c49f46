# Requests per server per 10 s window over time, one panel per design
# (replication 1), with the fault windows shaded. Input: timeseries.csv.
load lib.'/common.gp'
set terminal term size 1000,(260 * ndesigns + 60) font 'sans,10'
set output out
set multiplot layout ndesigns,1 title 'Load per server over time (replication 1; faults shaded)'
set xlabel 'time (s)'
set ylabel 'requests / 10 s'
set key outside right top
row(i, s) = strcol(1) eq name(i) && strcol(2) eq '1' && strcol(4) eq 'requests' && column(5) == s ? column(6) : NaN
do for [i=1:ndesigns] {
	eval shade_faults
	set title name(i)
	plot for [s=1:nservers] sprintf('%s/timeseries.csv', dir) skip 1 \
	     using 3:(row(i, s)) with lines lw 1.5 title sprintf('server %d', s)
	unset object
}
unset multiplot
