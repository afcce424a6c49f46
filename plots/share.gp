# Share of requests per server: one group of bars per server, one colour per
# design, each bar with its 95 % interval over the replications, the even
# share (1/n) marked. Input: servers.csv (share 6, its interval 7 and 8).
load lib.'/common.gp'
set title sprintf('Share of requests per server (%d servers; bars: 95 %% intervals)', nservers)
set xlabel 'server'
set ylabel 'share of requests (%)'
set style fill solid 0.85 border -1
set yrange [0:*]
set xrange [0.4:nservers + 0.6]
set xtics 1
even = 100.0 / nservers
bw = 0.8 / ndesigns
set arrow 1 from graph 0, first even to graph 1, first even nohead dashtype 2 lw 2 lc rgb '#444444' front
set label 1 sprintf('even share %.2f %%', even) at graph 0.01, first even offset 0,0.7 front
pick(i, col) = column(1) == i ? column(col) : NaN
x(i) = $2 - 0.4 + bw * (i - 0.5)
plot for [i=1:ndesigns] sprintf('%s/servers.csv', data) skip 1 \
	using (x(i)):(100 * pick(i, 6)):(bw) with boxes lc rgb colour(i) title name(i), \
     for [i=1:ndesigns] '' skip 1 \
	using (x(i)):(100 * pick(i, 6)):(100 * pick(i, 7)):(100 * pick(i, 8)) \
	with yerrorbars lc rgb '#222222' pt 0 notitle
