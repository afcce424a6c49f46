# Failed and misrouted requests per workload and design over the measured
# time (the fault windows are where they come from). Input: summary.csv.
load lib.'/common.gp'
eval termset(1000, (nworkloads > 0 ? 520 : 300), 11)
set output out
set multiplot layout 2,1 title 'Availability per workload (measured requests, mean over replications)'
set style fill solid 0.85 border -1
set xrange [0.4:nworkloads + 0.6]
set xtics ()
do for [k=1:nworkloads] { set xtics add (wlname(k) k) }
set yrange [0:1<*]
bw = 0.8 / ndesigns
sel(i, k, m) = column(1) == i && strcol(2) eq m && strcol(3) eq wlname(k)
do for [m in 'failed_requests misrouted_requests'] {
	set title (m eq 'failed_requests' ? 'Failed requests' : 'Misrouted requests (sent to a server whose workload was down)')
	set ylabel 'requests'
	plot for [i=1:ndesigns] for [k=1:nworkloads] sprintf('%s/summary.csv', data) skip 1 \
	     using (k - 0.4 + bw * (i - 0.5)):(sel(i, k, m) ? $5 : NaN):(bw) with boxes \
	     lc rgb colour(i) title (k == 1 ? name(i) : '')
}
unset multiplot
