# Server CPU busy fraction per server and design. Input: servers.csv.
# Variables set by `lbsim plot`: dir, out, term, ndesigns, design1..N, nservers.
set datafile separator ','
set terminal term size 1000,560 font 'sans,11'
set output out
set title 'Server CPU busy per server'
set xlabel 'server'
set ylabel 'cores busy (%)'
set key outside right top
set grid ytics
set yrange [0:100]
set xrange [0.4:nservers + 0.6]
set xtics 1
name(i) = value(sprintf('design%d', i))
pick(i, col) = strcol(1) eq name(i) ? column(col) : NaN
plot for [i=1:ndesigns] sprintf('%s/servers.csv', dir) skip 1 \
     using 2:(100 * pick(i, 7)) with linespoints lw 2 pt 7 lc i title name(i)
