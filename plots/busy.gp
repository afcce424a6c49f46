# Server CPU busy per server and design. Input: servers.csv.
load lib.'/common.gp'
set title 'Server CPU busy per server'
set xlabel 'server'
set ylabel 'cores busy (%)'
set yrange [0:100]
set xrange [0.4:nservers + 0.6]
set xtics 1
pick(i, col) = column(1) == i ? column(col) : NaN
plot for [i=1:ndesigns] sprintf('%s/servers.csv', data) skip 1 \
     using 2:(100 * pick(i, 10)) with linespoints lw 2 pt 7 lc rgb colour(i) dt dash(i) title name(i)
