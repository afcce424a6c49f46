# Balancer CPU (cores) and memory per design, means with 95 % intervals.
# Input: summary.csv.
load lib.'/common.gp'
set terminal term size 1000,460 font 'sans,11' noenhanced
set output out
set multiplot layout 1,2 title 'Balancer resources per design (95 % intervals)'
set style fill solid 0.85 border -1
set boxwidth 0.6
set xrange [0.4:ndesigns + 0.6]
set xtics () 
do for [i=1:ndesigns] { set xtics add (name(i) i) }
set key off
sel(i, m) = column(1) == i && strcol(2) eq m && strcol(3) eq 'all'
set title 'CPU'
set ylabel 'cores'
set yrange [0:1e-9<*]
plot for [i=1:ndesigns] sprintf('%s/summary.csv', data) skip 1 \
	using (i):(sel(i, 'lb_cpu_cores') ? $5 : NaN) with boxes lc rgb colour(i), \
     for [i=1:ndesigns] '' skip 1 \
	using (i):(sel(i, 'lb_cpu_cores') ? $5 : NaN):(sel(i, 'lb_cpu_cores') ? $6 : NaN):(sel(i, 'lb_cpu_cores') ? $7 : NaN) with yerrorbars lc rgb '#222222' pt 0
set title 'Memory'
set ylabel 'MB'
plot for [i=1:ndesigns] sprintf('%s/summary.csv', data) skip 1 \
	using (i):(sel(i, 'lb_mem_bytes') ? $5 / 1e6 : NaN) with boxes lc rgb colour(i), \
     for [i=1:ndesigns] '' skip 1 \
	using (i):(sel(i, 'lb_mem_bytes') ? $5 / 1e6 : NaN):(sel(i, 'lb_mem_bytes') ? $6 / 1e6 : NaN):(sel(i, 'lb_mem_bytes') ? $7 / 1e6 : NaN) with yerrorbars lc rgb '#222222' pt 0
unset multiplot
