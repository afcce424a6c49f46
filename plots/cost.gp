# Balancer CPU (cores) and memory per design, means with 95 % intervals.
# A panel whose designs differ by a factor of 100 or more (a layer-7
# proxy's memory beside a layer-4 flow table) gets a log axis, so that the
# small ones are not flat lines at 0. Input: summary.csv.
load lib.'/common.gp'
eval termset(1000, 460, 11)
set output out
set multiplot layout 1,2 title 'Balancer resources per design (95 % intervals)'
set style fill solid 0.85 border -1
set boxwidth 0.6
set xrange [0.4:ndesigns + 0.6]
set xtics () 
do for [i=1:ndesigns] { set xtics add (name(i) i) }
set key off
sel(i, m) = column(1) == i && strcol(2) eq m && strcol(3) eq 'all'
# range(m): the smallest and largest positive mean of metric m.
range(m) = sprintf("STATS_records = 0; STATS_min = 0; STATS_max = 0; stats sprintf('%%s/summary.csv', data) skip 1 using (strcol(2) eq '%s' && strcol(3) eq 'all' && $5 > 0 ? $5 : NaN) nooutput", m)
set title 'CPU'
eval range('lb_cpu_cores')
eval logy(STATS_min, STATS_max, 'cores')
plot for [i=1:ndesigns] sprintf('%s/summary.csv', data) skip 1 \
	using (i):(sel(i, 'lb_cpu_cores') ? $5 : NaN) with boxes lc rgb colour(i), \
     for [i=1:ndesigns] '' skip 1 \
	using (i):(sel(i, 'lb_cpu_cores') ? $5 : NaN):(sel(i, 'lb_cpu_cores') ? $6 : NaN):(sel(i, 'lb_cpu_cores') ? $7 : NaN) with yerrorbars lc rgb '#222222' pt 0
set title 'Memory'
eval range('lb_mem_bytes')
eval logy(STATS_min / 1e6, STATS_max / 1e6, 'MB')
plot for [i=1:ndesigns] sprintf('%s/summary.csv', data) skip 1 \
	using (i):(sel(i, 'lb_mem_bytes') ? $5 / 1e6 : NaN) with boxes lc rgb colour(i), \
     for [i=1:ndesigns] '' skip 1 \
	using (i):(sel(i, 'lb_mem_bytes') ? $5 / 1e6 : NaN):(sel(i, 'lb_mem_bytes') ? $6 / 1e6 : NaN):(sel(i, 'lb_mem_bytes') ? $7 / 1e6 : NaN) with yerrorbars lc rgb '#222222' pt 0
unset multiplot
