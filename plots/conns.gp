# Connections opened per server (layer-4 designs and open traffic: the
# balancer's decisions there are per connection). Input: servers.csv.
load lib.'/common.gp'
set title sprintf('Connections opened per server (%d servers)', nservers)
set xlabel 'server'
set ylabel 'connections (mean over replications)'
set style fill solid 0.85 border -1
set yrange [0:1<*]
set xrange [0.4:nservers + 0.6]
set xtics 1
bw = 0.8 / ndesigns
pick(i, col) = column(1) == i ? column(col) : NaN
plot for [i=1:ndesigns] sprintf('%s/servers.csv', data) skip 1 \
     using ($2 - 0.4 + bw * (i - 0.5)):(pick(i, 9)):(bw) with boxes lc rgb colour(i) title name(i)
